"""Realistic synthetic data for trying the program, demonstrations and benchmarks: a 九年一贯制
school in one county (阜平县, region 130624), its townships and villages, households with several
children, priority groups in plausible proportions, boarding, and this term's awards — including a
few missed and unsupported awards, as real ledgers have."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import (
    Award,
    GroupMembership,
    Household,
    HouseholdMember,
    SourceKind,
    Student,
    StudentStatus,
    Township,
    Village,
)
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import make_id, student_no_from_id
from aidoffice.domain.pinyin import initials_key, pinyin_key
from aidoffice.errors import AidofficeError
from aidoffice.ledgers.school import current_term, get_school, setup_school
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


def generate(
    session: Session,
    students: int,
    *,
    seed: int = 20261122,
    progress: Progress = no_progress,
    today: date | None = None,
) -> DemoResult:
    """Fill an empty ledger with `students` synthetic students and their households."""
    if students < 1:
        raise AidofficeError("学生人数至少为 1。")
    existing = session.scalar(select(func.count()).select_from(Student)) or 0
    if existing:
        raise AidofficeError(
            f"数据库中已有 {existing} 名学生，演示数据只能写入空的数据库，请换一个数据库（--db）。"
        )
    rng = random.Random(seed)
    today = today or date.today()
    school = get_school(session) or setup_school(
        session, f"{COUNTY}城南庄镇九年一贯制学校", "3130624001", COUNTY
    )
    term = current_term(session, today)
    session.info["audit_note"] = "演示数据"
    progress(0, students, "生成乡镇和村")

    # townships and villages: about one village per 300 students, at least two per township
    per_town = max(2, round(students / 300 / len(TOWNSHIPS)))
    village_ids: list[tuple[int, str, str]] = []
    for t_name, t_code in TOWNSHIPS:
        town = session.scalars(select(Township).where(Township.name == t_name)).first()
        if town is None:
            town = Township(name=t_name, code=t_code + "000")
            session.add(town)
            session.flush()
        names = rng.sample([a + b + "村" for a in _V_PREFIX for b in _V_CORE], min(per_town, 400))
        rows = [
            {"township_id": town.id, "name": n, "code": f"{t_code}{i + 1:03d}"} for i, n in enumerate(names)
        ]
        ids = session.scalars(insert(Village).returning(Village.id, sort_by_parameter_order=True), rows).all()
        village_ids += [(vid, t_name, r["name"]) for vid, r in zip(ids, rows, strict=True)]

    # households with 1–3 children in this school
    used_ids: set[str] = set()
    seq_by_birth: dict[date, int] = {}

    def new_id(birth: date, male: bool) -> str:
        seq = seq_by_birth.get(birth, rng.randrange(0, 300))
        while True:
            seq += 1
            if (seq % 2 == 1) == male and seq < 1000:
                number = make_id(REGION, birth, seq)
                if number not in used_ids:
                    seq_by_birth[birth] = seq
                    used_ids.add(number)
                    return number
            if seq >= 999:
                seq = 0

    start = term.starts_on
    plan: list[tuple[int, list[int]]] = []  # (village index, grades of the children in this school)
    made = 0
    while made < students:
        k = min(students - made, rng.choices([1, 2, 3], [50, 35, 15])[0])
        grades = sorted(rng.sample(range(1, 10), k))
        plan.append((rng.randrange(len(village_ids)), grades))
        made += k

    household_rows, hh_meta = [], []
    for n, (v_index, grades) in enumerate(plan):
        vid, t_name, v_name = village_ids[v_index]
        surname = rng.choice(SURNAMES)
        head = _name(rng, surname, True)
        poverty = rng.random()
        kind = (
            "poverty"
            if poverty < 0.08
            else "monitored"
            if poverty < 0.095
            else "dibao"
            if poverty < 0.145
            else None
        )
        household_rows.append(
            {
                "village_id": vid,
                "household_no": f"{n + 1:08d}",
                "head_name": head,
                "address": f"河北省保定市{COUNTY}{t_name}{v_name}",
                "phone": _phone(rng),
            }
        )
        hh_meta.append((vid, t_name, v_name, surname, head, grades, kind))
    hh_ids = session.scalars(
        insert(Household).returning(Household.id, sort_by_parameter_order=True), household_rows
    ).all()
    progress(0, students, "生成学生")

    class_sizes = {g: max(1, round(students / 9 / 45)) for g in range(1, 10)}
    student_rows, member_rows, member_student_index, memberships = [], [], [], []
    left_behind_households = set()
    for hh_id, (vid, t_name, v_name, surname, head, grades, kind) in zip(hh_ids, hh_meta, strict=True):
        head_birth = start - timedelta(days=rng.randrange(28 * 365, 45 * 365))
        head_id = new_id(head_birth, True)
        member_rows.append(
            {
                "household_id": hh_id,
                "name": head,
                "id_number": head_id,
                "person_key": head_id,
                "relation": "户主",
                "sex": "男",
                "birth_date": head_birth,
            }
        )
        member_student_index.append(None)
        left_behind = rng.random() < 0.2
        if left_behind:
            left_behind_households.add(hh_id)
        guardian = head if not left_behind else _name(rng, surname, False)
        phone = _phone(rng)
        children = [(g, None) for g in grades]
        if rng.random() < 0.12:  # a sibling at the county senior high or a kindergarten
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
            number = new_id(birth, male)
            name = _name(rng, surname, male)
            member_rows.append(
                {
                    "household_id": hh_id,
                    "name": name,
                    "id_number": number,
                    "person_key": number,
                    "relation": "子" if male else "女",
                    "sex": "男" if male else "女",
                    "birth_date": birth,
                    "school_name": elsewhere,
                    "schooling": "在校生" if elsewhere else None,
                }
            )
            member_student_index.append(None if elsewhere else len(student_rows))
            if kind == "poverty":
                memberships.append(
                    (
                        number,
                        "poverty_exited",
                        SourceKind.LIST,
                        "乡村振兴局脱贫人口名单",
                        "继续享受政策",
                        True,
                    )
                )
            elif kind == "monitored":
                active = rng.random() < 0.8
                memberships.append(
                    (
                        number,
                        "monitored",
                        SourceKind.LIST,
                        "乡村振兴局监测对象名单",
                        "风险未消除" if active else "风险已消除",
                        active,
                    )
                )
            elif kind == "dibao":
                memberships.append((number, "dibao", SourceKind.LIST, "民政局低保名单", "农村低保", True))
            if elsewhere:
                continue
            r = rng.random()
            if r < 0.003:
                memberships.append((number, "tekun", SourceKind.LIST, "民政局特困供养名单", "特困供养", True))
            elif r < 0.005:
                memberships.append((number, "orphan", SourceKind.ROSTER, "学籍登记", None, True))
            elif r < 0.015:
                memberships.append((number, "disabled", SourceKind.LIST, "县残联残疾学生名单", "残疾", True))
            if left_behind:
                memberships.append((number, "left_behind", SourceKind.ROSTER, "学籍登记", None, True))
            elif rng.random() < 0.03:
                memberships.append((number, "migrant", SourceKind.ROSTER, "学籍登记", None, True))
            if kind is None and rng.random() < 0.1:
                level = rng.choices(["hardship_special", "hardship_relative", "hardship_general"], [2, 3, 5])[
                    0
                ]
                memberships.append(
                    (number, level, SourceKind.ASSESSMENT, "学校资助工作领导小组认定", None, True)
                )
            g = make_grade(grade)
            bank_name, bin_ = rng.choice(BANKS)
            status = StudentStatus.ENROLLED
            roll = rng.random()
            if roll < 0.004:
                status = StudentStatus.TRANSFERRED_OUT
            elif roll < 0.005:
                status = StudentStatus.DROPPED_OUT
            p_key, initials = _keys(name)
            student_rows.append(
                {
                    "school_id": school.id,
                    "person_key": number,
                    "id_type": "居民身份证",
                    "id_number": number,
                    "student_no": student_no_from_id(number),
                    "name": name,
                    "name_pinyin": p_key,
                    "name_initials": initials,
                    "sex": "男" if male else "女",
                    "birth_date": birth,
                    "ethnicity": rng.choice(ETHNIC),
                    "stage": g.stage,
                    "grade": grade,
                    "class_name": f"{rng.randrange(class_sizes[grade]) + 1}班",
                    "status": status,
                    "status_changed_on": start if status != StudentStatus.ENROLLED else None,
                    "status_note": "转往：石家庄市某小学"
                    if status == StudentStatus.TRANSFERRED_OUT
                    else "外出务工"
                    if status == StudentStatus.DROPPED_OUT
                    else None,
                    "boarding": rng.random() < (0.55 if grade >= 7 else 0.25 if grade >= 4 else 0.05),
                    "enrolled_on": f"{start.year - (grade - 1 if grade <= 6 else grade - 7)}-09",
                    "hukou_address": f"河北省保定市{COUNTY}{t_name}{v_name}",
                    "hukou_township": t_name,
                    "hukou_village": v_name,
                    "village_id": vid,
                    "current_address": f"{COUNTY}{t_name}{v_name}",
                    "guardian_name": guardian,
                    "guardian_relation": "父亲" if guardian == head else "祖母",
                    "guardian_phone": phone,
                    "bank_name": bank_name,
                    "bank_account": bin_ + f"{rng.randrange(10**13):013d}",
                }
            )
            if len(student_rows) % 5000 == 0:
                progress(len(student_rows), students, "生成学生")

    student_ids = session.scalars(
        insert(Student).returning(Student.id, sort_by_parameter_order=True), student_rows
    ).all()
    for row, index in zip(member_rows, member_student_index, strict=True):
        row.setdefault("school_name", None)
        row.setdefault("schooling", None)
        row["student_id"] = student_ids[index] if index is not None else None
    session.execute(insert(HouseholdMember), member_rows)
    progress(students, students, "登记重点群体")
    ms_rows = [
        {
            "person_key": k,
            "group_code": g,
            "source_kind": kind,
            "source_label": label,
            "known_on": start,
            "status": st,
            "active": active,
        }
        for k, g, kind, label, st, active in memberships
    ]
    if ms_rows:
        session.execute(insert(GroupMembership), ms_rows)

    # awards for this term: the living subsidy to those the policies name, a few missed, a few unsupported
    catalogue = load_catalogue(session)
    by_person: dict[str, set[str]] = {}
    for k, g, _kind, _label, _st, active in memberships:
        if active:
            by_person.setdefault(k, set()).add(g)
    award_rows = []
    for sid, row in zip(student_ids, student_rows, strict=True):
        if row["status"] != StudentStatus.ENROLLED:
            continue
        stage = "primary" if row["grade"] <= 6 else "junior"
        code = f"compulsory_living_{stage}_{'boarding' if row['boarding'] else 'day'}"
        policy = catalogue.policies.get(code)
        if policy is None:
            continue
        groups = by_person.get(row["person_key"], set())
        eligible = bool(groups & set(policy.eligible_groups))
        if (eligible and rng.random() < 0.97) or (not eligible and rng.random() < 0.004):
            standard = policy.standard_on(start)
            amount = standard.per_term() if standard else None
            if amount is not None:
                award_rows.append(
                    {
                        "student_id": sid,
                        "policy_id": catalogue.policy_ids[code],
                        "term_id": term.id,
                        "amount": Decimal(amount),
                        "paid_on": start + timedelta(days=75),
                        "batch": f"{term.code}-1",
                    }
                )
    if award_rows:
        session.execute(insert(Award), award_rows)
    session.flush()
    session.info.pop("audit_note", None)
    progress(students, students, "完成")
    return DemoResult(
        len(student_rows), len(hh_ids), len(village_ids), len(member_rows), len(ms_rows), len(award_rows)
    )
