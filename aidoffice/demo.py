"""Realistic synthetic data for trying the program, demonstrations and benchmarks: a 九年一贯制
school in one county (阜平县, region 130624), its townships and villages, households with several
children, priority groups in plausible proportions, boarding, and this term's awards — including a
few missed and unsupported awards, as real ledgers have.

One builder per kind of record; every row carries the demo's batch id, so generated data can always be
told apart from real data (and removed with it)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.catalogue import Catalogue, load_catalogue
from aidoffice.db.audit import start_batch
from aidoffice.db.models import (
    Award,
    GroupMembership,
    Household,
    HouseholdMember,
    School,
    SourceKind,
    Student,
    StudentStatus,
    Term,
    Township,
    Village,
)
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import make_id, student_no_from_id
from aidoffice.domain.pinyin import initials_key, pinyin_key, sort_key
from aidoffice.domain.policies import GroupFact, StudentFacts, eligible
from aidoffice.errors import AidofficeError
from aidoffice.ledgers.school import ensure_current_term, get_school, setup_school
from aidoffice.progress import Progress, no_progress

REGION = "130624"
COUNTY = "阜平县"
TOWNSHIPS = [
    ("阜平镇", "130624100"),
    ("龙泉关镇", "130624101"),
    ("平阳镇", "130624102"),
    ("城南庄镇", "130624103"),
    ("天生桥镇", "130624104"),
    ("王林口镇", "130624105"),
    ("北果园镇", "130624106"),
    ("台峪乡", "130624200"),
    ("大台乡", "130624201"),
    ("史家寨乡", "130624202"),
    ("砂窝乡", "130624203"),
    ("吴王口乡", "130624204"),
    ("夏庄乡", "130624205"),
]
_V_PREFIX = "东西南北前后上下大小石柳杨王李张马黄龙高白红花青沙河"
_V_CORE = "庄沟峪台洼坪口岭湾滩寨堡店坊营屯"
SURNAMES = (
    "王" * 30
    + "李" * 28
    + "张" * 26
    + "刘" * 22
    + "陈" * 12
    + "杨" * 10
    + "赵" * 9
    + "黄" * 6
    + "周" * 6
    + "吴" * 5
    + "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解"
)
BOY = "浩宇轩博文杰俊涛子豪明辉鹏飞磊强伟刚建国志军晨阳天佑一鸣思远泽宇铭睿晓东振华嘉乐成林"
GIRL = "欣怡梓涵雨萱诗琪佳慧静婷雪丽娜敏思雨晓燕梦瑶欣妍可馨紫涵语嫣雅琳秀英春梅玉兰海燕"
ETHNIC = ["汉族"] * 97 + ["满族", "回族", "蒙古族"]
BANKS = [("中国农业银行", "622848"), ("中国邮政储蓄银行", "621799"), ("农村信用社", "622361")]
ROSTER = "学籍登记"


@dataclass
class DemoResult:
    students: int
    households: int
    villages: int
    members: int
    memberships: int
    awards: int


@cache
def _keys(name: str) -> tuple[str, str]:
    return pinyin_key(name), initials_key(name)


def _name(rng: random.Random, surname: str, male: bool) -> str:
    pool = BOY if male else GIRL
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.75 else "")
    return surname + given


def _phone(rng: random.Random) -> str:
    return rng.choice(["13", "15", "17", "18", "19"]) + f"{rng.randrange(10**9):09d}"


@dataclass
class _Household:
    village: tuple[int, str, str]  # id, township, village
    surname: str
    head: str
    grades: list[int]
    kind: str | None  # poverty / monitored / dibao / None
    id: int = 0


@dataclass
class _Demo:
    """The state the builders share."""

    session: Session
    rng: random.Random
    school: School
    term: Term
    batch_id: int
    students_wanted: int
    progress: Progress
    villages: list[tuple[int, str, str]] = field(default_factory=list)
    households: list[_Household] = field(default_factory=list)
    students: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    student_ids: list[int] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    member_student: list[int | None] = field(default_factory=list)  # index into students
    memberships: list[tuple[str, str, SourceKind, str, str | None, bool]] = field(default_factory=list)
    awards: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    _used_ids: set[str] = field(default_factory=set)
    _seq: dict[date, int] = field(default_factory=dict)

    def new_id(self, birth: date, male: bool) -> str:
        seq = self._seq.get(birth, self.rng.randrange(0, 300))
        while True:
            seq += 1
            if (seq % 2 == 1) == male and seq < 1000:
                number = make_id(REGION, birth, seq)
                if number not in self._used_ids:
                    self._seq[birth] = seq
                    self._used_ids.add(number)
                    return number
            if seq >= 999:
                seq = 0


def build_places(d: _Demo) -> None:
    """Townships and villages: about one village per 300 students, at least two per township."""
    per_town = max(2, round(d.students_wanted / 300 / len(TOWNSHIPS)))
    for t_name, t_code in TOWNSHIPS:
        town = d.session.scalars(select(Township).where(Township.name == t_name)).first()
        if town is None:
            town = Township(name=t_name, code=t_code + "000")
            d.session.add(town)
            d.session.flush()
        names = d.rng.sample([a + b + "村" for a in _V_PREFIX for b in _V_CORE], min(per_town, 400))
        rows = [
            {"township_id": town.id, "name": n, "code": f"{t_code}{i + 1:03d}"} for i, n in enumerate(names)
        ]
        ids = d.session.scalars(
            insert(Village).returning(Village.id, sort_by_parameter_order=True), rows
        ).all()
        d.villages += [(vid, t_name, r["name"]) for vid, r in zip(ids, rows, strict=True)]


def build_households(d: _Demo) -> None:
    """Households with 1–3 children in this school; some registered poor, monitored or on 低保."""
    rng, made = d.rng, 0
    while made < d.students_wanted:
        k = min(d.students_wanted - made, rng.choices([1, 2, 3], [50, 35, 15])[0])
        grades = sorted(rng.sample(range(1, 10), k))
        village = d.villages[rng.randrange(len(d.villages))]
        surname = rng.choice(SURNAMES)
        roll = rng.random()
        kind = (
            "poverty" if roll < 0.08 else "monitored" if roll < 0.095 else "dibao" if roll < 0.145 else None
        )
        d.households.append(_Household(village, surname, _name(rng, surname, True), grades, kind))
        made += k
    rows = [
        {
            "village_id": h.village[0],
            "household_no": f"{n + 1:08d}",
            "head_name": h.head,
            "address": f"河北省保定市{COUNTY}{h.village[1]}{h.village[2]}",
            "phone": _phone(rng),
            "batch_id": d.batch_id,
        }
        for n, h in enumerate(d.households)
    ]
    ids = d.session.scalars(
        insert(Household).returning(Household.id, sort_by_parameter_order=True), rows
    ).all()
    for h, hid in zip(d.households, ids, strict=True):
        h.id = hid


def _list_groups(d: _Demo, number: str, kind: str | None) -> None:
    if kind == "poverty":
        d.memberships.append(
            (number, "poverty_exited", SourceKind.LIST, "乡村振兴局脱贫人口名单", "继续享受政策", True)
        )
    elif kind == "monitored":
        active = d.rng.random() < 0.8
        status = "风险未消除" if active else "风险已消除"
        d.memberships.append((number, "monitored", SourceKind.LIST, "乡村振兴局监测对象名单", status, active))
    elif kind == "dibao":
        d.memberships.append((number, "dibao", SourceKind.LIST, "民政局低保名单", "农村低保", True))


def _student_groups(d: _Demo, number: str, kind: str | None, left_behind: bool) -> None:
    rng = d.rng
    r = rng.random()
    if r < 0.003:
        d.memberships.append((number, "tekun", SourceKind.LIST, "民政局特困供养名单", "特困供养", True))
    elif r < 0.005:
        d.memberships.append((number, "orphan", SourceKind.ROSTER, ROSTER, None, True))
    elif r < 0.015:
        d.memberships.append((number, "disabled", SourceKind.LIST, "县残联残疾学生名单", "残疾", True))
    if left_behind:
        d.memberships.append((number, "left_behind", SourceKind.ROSTER, ROSTER, None, True))
    elif rng.random() < 0.03:
        d.memberships.append((number, "migrant", SourceKind.ROSTER, ROSTER, None, True))
    if kind is None and rng.random() < 0.1:
        level = rng.choices(["hardship_special", "hardship_relative", "hardship_general"], [2, 3, 5])[0]
        d.memberships.append((number, level, SourceKind.ASSESSMENT, "学校资助工作领导小组认定", None, True))


def build_people(d: _Demo) -> None:
    """Each household's head and children: the children in this school become students; a sibling may
    attend the county senior high or a kindergarten."""
    rng, start = d.rng, d.term.starts_on
    class_sizes = {g: max(1, round(d.students_wanted / 9 / 45)) for g in range(1, 10)}
    for h in d.households:
        _, t_name, v_name = h.village
        head_birth = start - timedelta(days=rng.randrange(28 * 365, 45 * 365))
        head_id = d.new_id(head_birth, True)
        d.members.append({"household_id": h.id, "name": h.head, "id_number": head_id, "person_key": head_id,
                          "relation": "户主", "sex": "男", "birth_date": head_birth, "school_name": None,
                          "schooling": None})  # fmt: skip
        d.member_student.append(None)
        left_behind = rng.random() < 0.2
        guardian = h.head if not left_behind else _name(rng, h.surname, False)
        phone = _phone(rng)
        children: list[tuple[int, str | None]] = [(g, None) for g in h.grades]
        if rng.random() < 0.12:
            children.append(
                (
                    rng.choice([-1, 0, 10, 11, 12]),
                    rng.choice(["阜平县中学", "阜平县职教中心", "城南庄镇中心幼儿园"]),
                )
            )
        for grade, elsewhere in children:
            male = rng.random() < 0.52
            age = grade + 6 if grade > 0 else grade + 5
            birth = date(start.year - age - 1, 9, 1) + timedelta(days=rng.randrange(365))
            number = d.new_id(birth, male)
            name = _name(rng, h.surname, male)
            d.members.append({"household_id": h.id, "name": name, "id_number": number, "person_key": number,
                              "relation": "子" if male else "女", "sex": "男" if male else "女", "birth_date": birth,
                              "school_name": elsewhere, "schooling": "在校生" if elsewhere else None})  # fmt: skip
            d.member_student.append(None if elsewhere else len(d.students))
            _list_groups(d, number, h.kind)
            if elsewhere:
                continue
            _student_groups(d, number, h.kind, left_behind)
            g = make_grade(grade)
            bank_name, bin_ = rng.choice(BANKS)
            roll = rng.random()
            status = (
                StudentStatus.TRANSFERRED_OUT if roll < 0.004 else StudentStatus.DROPPED_OUT if roll < 0.005 else StudentStatus.ENROLLED
            )  # fmt: skip
            p_key, initials = _keys(name)
            d.students.append({
                "school_id": d.school.id, "person_key": number, "id_type": "居民身份证", "id_number": number,
                "student_no": student_no_from_id(number), "name": name, "name_pinyin": p_key, "name_initials": initials, "name_sort": sort_key(name),
                "sex": "男" if male else "女", "birth_date": birth, "ethnicity": rng.choice(ETHNIC), "stage": g.stage,
                "grade": grade, "class_name": f"{rng.randrange(class_sizes[grade]) + 1}班", "status": status,
                "status_changed_on": start if status != StudentStatus.ENROLLED else None,
                "status_note": {StudentStatus.TRANSFERRED_OUT: "转往：石家庄市某小学", StudentStatus.DROPPED_OUT: "外出务工"}.get(status),
                "boarding": rng.random() < (0.55 if grade >= 7 else 0.25 if grade >= 4 else 0.05),
                "enrolled_on": f"{start.year - (grade - 1 if grade <= 6 else grade - 7)}-09",
                "hukou_address": f"河北省保定市{COUNTY}{t_name}{v_name}", "hukou_township": t_name, "hukou_village": v_name,
                "village_id": h.village[0], "current_address": f"{COUNTY}{t_name}{v_name}", "guardian_name": guardian,
                "guardian_relation": "父亲" if guardian == h.head else "祖母", "guardian_phone": phone,
                "bank_name": bank_name, "bank_account": bin_ + f"{rng.randrange(10**13):013d}", "batch_id": d.batch_id,
            })  # fmt: skip
            if len(d.students) % 5000 == 0:
                d.progress(len(d.students), d.students_wanted, "生成学生")


def save_people(d: _Demo) -> None:
    session = d.session
    d.student_ids = list(
        session.scalars(insert(Student).returning(Student.id, sort_by_parameter_order=True), d.students).all()
    )
    for row, index in zip(d.members, d.member_student, strict=True):
        row["student_id"] = d.student_ids[index] if index is not None else None
        row["batch_id"] = d.batch_id
    session.execute(insert(HouseholdMember), d.members)
    d.progress(d.students_wanted, d.students_wanted, "登记重点群体")
    rows = [
        {"person_key": k, "group_code": g, "source_kind": kind, "source_label": label, "known_on": d.term.starts_on,
         "status": status, "active": active, "batch_id": d.batch_id}
        for k, g, kind, label, status, active in d.memberships
    ]  # fmt: skip
    if rows:
        session.execute(insert(GroupMembership), rows)


def build_awards(d: _Demo, catalogue: Catalogue) -> None:
    """This term's living subsidy to the students the one eligibility rule names — 97% of them (the
    rest are the missed aid a comparison must find) — and to a few with no basis (误助)."""
    on = d.term.starts_on
    facts: dict[str, list[GroupFact]] = {}
    for key, group, kind, label, status, active in d.memberships:
        facts.setdefault(key, []).append(GroupFact(group, kind, label, on, active, status))
    living = catalogue.family_members("compulsory_living")
    for sid, row in zip(d.student_ids, d.students, strict=True):
        if row["status"] != StudentStatus.ENROLLED:
            continue
        who = StudentFacts(stage=row["stage"], boarding=row["boarding"])
        policy = next((p for p in living if p.fits_stage(who.stage) and p.fits_boarding(who.boarding)), None)
        if policy is None:
            continue
        ok = eligible(policy, who, facts.get(row["person_key"], ()), on)
        if (ok and d.rng.random() < 0.97) or (not ok and d.rng.random() < 0.004):
            standard = policy.standard_on(on)
            amount = standard.per_term() if standard else None
            if amount is not None:
                d.awards.append({
                    "student_id": sid, "policy_id": catalogue.policy_ids[policy.code], "term_id": d.term.id,
                    "amount": Decimal(amount), "paid_on": on + timedelta(days=75), "batch": f"{d.term.code}-1",
                    "batch_id": d.batch_id,
                })  # fmt: skip
    if d.awards:
        d.session.execute(insert(Award), d.awards)


def generate(
    session: Session,
    students: int,
    *,
    seed: int = 20261122,
    progress: Progress = no_progress,
    today: date | None = None,
) -> DemoResult:
    """Fill an empty ledger with `students` synthetic students and their households."""
    require(session, "demo.run")
    if students < 1:
        raise AidofficeError("学生人数至少为 1。")
    existing = session.scalar(select(func.count()).select_from(Student)) or 0
    if existing:
        raise AidofficeError(
            f"数据库中已有 {existing} 名学生，演示数据只能写入空的数据库，请换一个数据库（--db）。"
        )
    today = today or clock.today()
    school = get_school(session) or setup_school(
        session, f"{COUNTY}城南庄镇九年一贯制学校", "3130624001", COUNTY
    )
    term = ensure_current_term(session, today)
    session.info["audit_note"] = "演示数据"
    batch = start_batch(session, "demo", note=f"演示数据 {students} 名学生")
    d = _Demo(session, random.Random(seed), school, term, batch.id, students, progress)
    progress(0, students, "生成乡镇和村")
    build_places(d)
    build_households(d)
    progress(0, students, "生成学生")
    build_people(d)
    save_people(d)
    build_awards(d, load_catalogue(session))
    batch.rows = len(d.students)
    session.flush()
    session.info.pop("audit_note", None)
    progress(students, students, "完成")
    return DemoResult(
        len(d.students), len(d.households), len(d.villages), len(d.members), len(d.memberships), len(d.awards)
    )
