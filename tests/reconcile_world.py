"""A small school and its villages with every kind of comparison finding planted, and the near-misses
that must not be found (different people with similar names, a typo-like pair born on different days
in different villages, a lapsed 监测对象 status, a fact learned after the comparison date, last
year's assessment, a child verified as studying elsewhere, a child of a village the school does not
serve, an adult). `EXPECTED` is every finding the comparison must make, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update

from aidoffice.catalogue import load_catalogue
from aidoffice.db.audit import start_batch
from aidoffice.db.engine import Database
from aidoffice.db.models import (
    Award,
    Household,
    HouseholdMember,
    ListEntry,
    ListSnapshot,
    Student,
    StudentStatus,
    Term,
)
from aidoffice.domain.idnumber import make_id
from aidoffice.domain.pinyin import initials_key, pinyin_key
from aidoffice.domain.terms import Term as TermValue
from aidoffice.importing.assessments import import_assessments
from aidoffice.importing.lists import derive_memberships
from aidoffice.ledgers.assessments import record_assessment
from aidoffice.ledgers.elsewhere import record_elsewhere
from aidoffice.ledgers.school import ensure_term, require_school
from aidoffice.ledgers.student_rules import StudentInput
from aidoffice.ledgers.students import add_student, transfer_out
from aidoffice.ledgers.villages import get_or_create_village
from tests.sheets import write_xlsx

REGION = "130624"
TERM = "2026-2027-1"
TODAY = date(2026, 11, 22)  # inside the term: the comparison date is today
POVERTY = "阜平县乡村振兴局"
CIVIL = "阜平县民政局低保名单"
CIVIL_LATE = "阜平县民政局低保名单（补充）"

# (kind, name) of every finding the comparison must make
EXPECTED = {
    ("MISSED_AID", "张小明"),
    ("MISSED_AID", "陈十三"),
    ("UNSUPPORTED_AID", "王五"),
    ("UNSUPPORTED_AID", "赵六"),
    ("WRONG_VARIANT", "周九"),
    ("WRONG_VARIANT", "冯十二"),
    ("AMOUNT_OFF_STANDARD", "吴十"),
    ("AID_AFTER_LEAVING", "郑十一"),
    ("DOUBLE_AID", "冯十二"),
    ("NAME_MISMATCH", "张晓红"),
    ("NAME_MISMATCH", "刘洋"),
    ("ID_TYPO_SUSPECT", "黄磊"),
    ("ID_TYPO_SUSPECT", "林晓东"),
    ("ID_TYPO_SUSPECT", "孔明"),
    ("DUPLICATE_ID", "何平"),
    ("DUPLICATE_ID", "曹操"),
    ("DUPLICATE_ID", "李四"),
    ("NO_ID_NUMBER", "蒋一"),
    ("NO_ID_NUMBER", "曹操"),
    ("NOT_ENROLLED", "韩梅"),
    ("NOT_ENROLLED", "邓丽"),
    ("NOT_ENROLLED", "郑十一"),
}


@dataclass
class World:
    ids: dict[str, str] = field(default_factory=dict)  # name → ID number
    students: dict[str, int] = field(default_factory=dict)  # name → student id
    members: dict[str, int] = field(default_factory=dict)  # name → household member id
    term_id: int = 0


def _id(birth: date, seq: int) -> str:
    return make_id(REGION, birth, seq)


def make_current(db: Database, term: str = TERM) -> None:
    """The ledger's current term is the term the tests compare, whatever the machine's date."""
    with db.unit_of_work(actor="测试员") as s:
        s.execute(update(Term).values(is_current=False))
        ensure_term(s, TermValue.parse(term)).is_current = True


def plant(db: Database, tmp_path: Path) -> World:
    w = World()
    make_current(db)
    with db.unit_of_work(actor="资助专干") as s:
        school = require_school(s)
        term = s.scalars(select(Term).where(Term.code == TERM)).one()
        w.term_id = term.id
        hei = get_or_create_village(s, "龙泉关镇", "黑崖沟村")
        bai = get_or_create_village(s, "龙泉关镇", "白庄村")
        cat = load_catalogue(s)

        def add(name: str, grade: str, *, birth: date, seq: int, boarding: bool = False, **kw) -> int:
            number = kw.pop("id_number", _id(birth, seq))
            st = add_student(
                s,
                school.id,
                StudentInput(
                    name=name,
                    id_number=number,
                    grade=grade,
                    class_name=kw.pop("class_name", "1班"),
                    boarding=boarding,
                    hukou_township="龙泉关镇",
                    hukou_village=kw.pop("village", "黑崖沟村"),
                    **kw,
                ),
                today=TODAY,
            )
            w.ids[name], w.students[name] = number or "", st.id
            return st.id

        b = date(2013, 3, 1)
        add("张小明", "七年级", birth=b, seq=11)
        add("李四", "七年级", birth=b, seq=13, boarding=True)
        add("王五", "七年级", birth=b, seq=15)
        add("赵六", "七年级", birth=b, seq=17)
        add("钱七", "七年级", birth=b, seq=19)
        add("孙八", "七年级", birth=b, seq=21)
        add("周九", "七年级", birth=b, seq=23)
        add("吴十", "三年级", birth=date(2017, 4, 2), seq=25)
        add("郑十一", "八年级", birth=date(2012, 4, 2), seq=27)
        add("冯十二", "八年级", birth=date(2012, 4, 2), seq=29)
        add("陈十三", "八年级", birth=date(2012, 4, 2), seq=31, boarding=True)
        add("蒋二", "八年级", birth=date(2012, 4, 2), seq=33, boarding=True)
        add("尤三", "八年级", birth=date(2012, 4, 2), seq=35, boarding=True)
        add("褚十四", "八年级", birth=date(2012, 4, 2), seq=37)
        add("刘洋", "九年级", birth=date(2011, 7, 7), seq=39)
        add("张晓红", "九年级", birth=date(2011, 7, 7), seq=42)
        add("黄磊", "七年级", birth=date(2013, 8, 8), seq=123)
        add("林晓东", "七年级", birth=date(2013, 8, 9), seq=235)
        add("孔明", "七年级", birth=date(2013, 8, 10), seq=51)
        add("马超", "七年级", birth=date(2013, 5, 3), seq=57)
        add("王芳", "七年级", birth=date(2013, 6, 6), seq=62)
        add("何平", "七年级", birth=date(2013, 6, 7), seq=65)
        add("李娜", "七年级", birth=date(2013, 9, 9), seq=202)
        add("李娜", "七年级", birth=date(2013, 9, 9), seq=204, class_name="2班")  # same name, same day
        add("曹操", "八年级", birth=date(2012, 6, 7), seq=67)
        add("蒋一", "七年级", birth=date(2013, 1, 9), seq=0, id_number=None, student_no="J" + "2" * 18)
        # a second record carrying 曹操's ID only in its 学籍号 (an old bulk import, not the form)
        twin = Student(
            school_id=school.id,
            person_key="G" + w.ids["曹操"],
            id_number=None,
            student_no="G" + w.ids["曹操"],
            name="曹操",
            name_pinyin=pinyin_key("曹操"),
            name_initials=initials_key("曹操"),
            stage="junior",
            grade=8,
            class_name="2班",
        )
        s.add(twin)
        s.flush()
        transfer_out(s, w.students["郑十一"], date(2026, 7, 1), "石家庄市第四中学")
        transfer_out(s, w.students["褚十四"], date(2026, 10, 10), "保定市第二中学")

        # the village ledger
        def household(village_id: int, no: str, head: str) -> int:
            h = Household(village_id=village_id, household_no=no, head_name=head)
            s.add(h)
            s.flush()
            number = _id(date(1985, 1, 1), len(w.ids) % 500 * 2 + 1)
            s.add(HouseholdMember(household_id=h.id, name=head, id_number=number, person_key=number,
                                  relation="户主", birth_date=date(1985, 1, 1)))  # fmt: skip
            return h.id

        def member(hh: int, name: str, number: str, birth: date, student: str | None = None) -> None:
            m = HouseholdMember(
                household_id=hh,
                name=name,
                id_number=number,
                person_key=number,
                relation="子女",
                birth_date=birth,
                student_id=w.students.get(student) if student else None,
            )
            s.add(m)
            s.flush()
            w.members[name] = m.id

        h1 = household(hei.id, "0001", "张大山")
        member(h1, "张小明", w.ids["张小明"], b, "张小明")
        w.ids["韩梅"] = _id(date(2016, 5, 5), 70)
        member(h1, "韩梅", w.ids["韩梅"], date(2016, 5, 5))  # 10, in no ledger: NOT_ENROLLED
        member(h1, "张小红", w.ids["张晓红"], date(2011, 7, 7), "张晓红")  # same ID, homophone name
        member(h1, "何平", w.ids["何平"], date(2013, 6, 7), "何平")
        h2 = household(hei.id, "0002", "林大")
        w.ids["林小东"] = _id(date(2013, 8, 9), 253)  # 235 ↔ 253: two adjacent digits swapped
        member(h2, "林小东", w.ids["林小东"], date(2013, 8, 9))
        h3 = household(bai.id, "0003", "何大")
        member(h3, "何平", w.ids["何平"], date(2013, 6, 7), "何平")  # the same child in two households
        # two grown-ups of one name and birthday in two households, IDs one digit apart: two people
        member(h2, "赵大勇", _id(date(1980, 1, 1), 11), date(1980, 1, 1))
        member(h3, "赵大勇", _id(date(1980, 1, 1), 13), date(1980, 1, 1))
        w.ids["何大姐"] = _id(date(2005, 3, 3), 72)
        member(h3, "何大姐", w.ids["何大姐"], date(2005, 3, 3))  # 21: an adult, not school age

        # outside lists: the latest snapshot of each source counts
        def snapshot(source: str, kind: str, known_on: date, rows: list[dict]) -> None:
            snap = ListSnapshot(source_label=source, list_kind=kind, file_name=f"{source}.xlsx", known_on=known_on,
                                imported_at=datetime(2026, 10, 1), actor="资助专干", rows=len(rows), fingerprint=source)  # fmt: skip
            s.add(snap)
            s.flush()
            for n, r in enumerate(rows, 3):
                number = r.pop("id")
                s.add(ListEntry(snapshot_id=snap.id, row=n, person_key=number, id_number=number, **r))
            s.flush()
            derive_memberships(s, source)

        def row(
            name: str, number: str, birth: date, group: str, status: str, active: bool = True, **kw
        ) -> dict:
            return {"id": number, "name": name, "birth_date": birth, "group_code": group, "status": status,
                    "active": active, "township": kw.pop("township", "龙泉关镇"),
                    "village": kw.pop("village", "黑崖沟村"), **kw}  # fmt: skip

        ok, gone = "继续享受政策", "风险已消除"
        w.ids["黄磊′"] = _id(date(2013, 8, 8), 128)  # 123 → 128: one digit
        w.ids["邓丽"] = _id(date(2018, 3, 3), 74)
        w.ids["外县孩子"] = _id(date(2017, 3, 3), 76)
        w.ids["马超′"] = _id(date(2013, 5, 8), 57)  # born five days later: one digit off, elsewhere
        w.ids["王方"] = _id(date(2013, 6, 6), 84)  # sounds like 王芳, same birthday, another child
        snapshot(
            POVERTY,
            "poverty",
            date(2026, 9, 15),
            [
                row("张小明", w.ids["张小明"], b, "poverty_exited", ok),
                row("周九", w.ids["周九"], b, "poverty_exited", ok),
                row("郑十一", w.ids["郑十一"], date(2012, 4, 2), "poverty_exited", ok),
                row("冯十二", w.ids["冯十二"], date(2012, 4, 2), "poverty_exited", ok),
                row(
                    "褚十四",
                    w.ids["褚十四"],
                    date(2012, 4, 2),
                    "poverty_exited",
                    ok,
                    village=None,
                    township=None,
                ),
                row("赵六", w.ids["赵六"], b, "monitored", gone, active=False),
                row("钱七", w.ids["钱七"], b, "monitored", gone, active=False),
                row("王刚", w.ids["刘洋"], date(2011, 7, 7), "poverty_exited", ok),  # 刘洋's ID, another name
                row("黄磊", w.ids["黄磊′"], date(2013, 8, 8), "poverty_exited", ok),
                row(
                    "邓丽",
                    w.ids["邓丽"],
                    date(2018, 3, 3),
                    "poverty_exited",
                    ok,
                    village="白庄村",
                    township=None,
                ),
                row(
                    "外县孩子",
                    w.ids["外县孩子"],
                    date(2017, 3, 3),
                    "poverty_exited",
                    ok,
                    township="大台乡",
                    village="大台村",
                ),
                row(
                    "马超",
                    w.ids["马超′"],
                    date(2013, 5, 8),
                    "poverty_exited",
                    ok,
                    township="砂窝乡",
                    village="砂窝村",
                ),
                row("王方", w.ids["王方"], date(2013, 6, 6), "poverty_exited", ok),
            ],
        )
        w.ids["孔明′"] = w.ids["孔明"][:17] + (
            "0" if w.ids["孔明"][17] != "0" else "1"
        )  # check character only
        snapshot(
            CIVIL,
            "civil",
            date(2026, 9, 20),
            [
                row("李四", w.ids["李四"], b, "dibao", "农村低保", household_no="M1"),
                row("李四", w.ids["李四"], b, "dibao", "农村低保", household_no="M2"),
                row("吴十", w.ids["吴十"], date(2017, 4, 2), "dibao", "农村低保"),
                row("孔明", w.ids["孔明′"], date(2013, 8, 10), "dibao", "农村低保"),
            ],
        )
        snapshot(CIVIL_LATE, "civil", date(2026, 12, 1), [row("孙八", w.ids["孙八"], b, "dibao", "农村低保")])
        record_elsewhere(
            s, w.ids["王方"], "王方", "阜平县第二小学", date(2026, 10, 8), "王老师", place="县内", today=TODAY
        )

        # the school's assessments: this year's counts, last year's does not
        record_assessment(
            s,
            w.students["陈十三"],
            "2026-2027",
            "比较困难",
            date(2026, 10, 10),
            "学校资助工作领导小组",
            today=TODAY,
        )
        record_assessment(
            s,
            w.students["蒋二"],
            "2025-2026",
            "特别困难",
            date(2025, 10, 10),
            "学校资助工作领导小组",
            today=TODAY,
        )
        book = write_xlsx(
            tmp_path / "2026年秋季家庭经济困难学生认定表.xlsx",
            [
                ["2026年秋季学期家庭经济困难学生认定结果"],
                ["序号", "姓名", "身份证号", "认定级别", "认定时间", "认定原因"],
                [1, "尤三", w.ids["尤三"], "一般困难", "20261012", "单亲家庭"],
            ],
        )
        import_assessments(s, book, school_year="2026-2027", today=TODAY)

        # the term's awards
        batch = start_batch(s, "awards", file_name="2026秋季生活补助发放名单.xlsx")
        pid = cat.policy_ids

        def award(name: str, code: str, amount: str) -> None:
            s.add(Award(student_id=w.students[name], policy_id=pid[code], term_id=term.id, amount=Decimal(amount),
                        paid_on=date(2026, 11, 15), batch="2026秋-1", batch_id=batch.id))  # fmt: skip

        award("李四", "compulsory_living_junior_boarding", "750")
        award("王五", "compulsory_living_junior_day", "375")
        award("赵六", "compulsory_living_junior_day", "375")
        award("周九", "compulsory_living_junior_boarding", "750")
        award("吴十", "compulsory_living_primary_day", "300")
        award("郑十一", "compulsory_living_junior_day", "375")
        award("冯十二", "compulsory_living_junior_day", "375")
        award("冯十二", "compulsory_living_junior_boarding", "750")
        award("刘洋", "compulsory_living_junior_day", "375")
        award("尤三", "compulsory_living_junior_boarding", "750")
        award("褚十四", "compulsory_living_junior_day", "375")
        s.flush()
        assert (
            s.scalar(select(Student.status).where(Student.id == w.students["郑十一"]))
            is StudentStatus.TRANSFERRED_OUT
        )
    return w
