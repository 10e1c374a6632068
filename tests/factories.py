"""Builders for test data that show, in each test, what the data is."""

from __future__ import annotations

import itertools
from datetime import date

from aidoffice.domain.idnumber import make_id
from aidoffice.ledgers.students import StudentInput

# The sequence numbers (digits 15–17) `an_id` hands out. Every fixed ID in the tests — the literals, the
# worlds (tests/reconcile_world.py, tests/village_world.py, tests/sheets.py) and each make_id with a
# constant sequence — has a sequence below 500, so a generated ID is never one of them, whatever the
# birth date and the order the tests run in (tests/unit/test_test_ids.py checks both). It once was: the
# reconcile world's 马超 (2013-05-03, sequence 057) under `-n 2`.
AN_ID_SEQUENCES = range(500, 1000)
_seq = itertools.count(1)


def an_id(birth: date = date(2013, 5, 3), male: bool = True, region: str = "130624") -> str:
    """A valid ID number no fixed test ID has (sequence 500–999; odd for a boy)."""
    while True:
        n = AN_ID_SEQUENCES[next(_seq) % len(AN_ID_SEQUENCES)]
        if (n % 2 == 1) == male:
            return make_id(region, birth, n)


def student(name: str = "张三", grade: str | int = "七年级", class_name: str = "1班", **kw) -> StudentInput:
    male = kw.pop("male", True)
    birth = kw.pop("birth", date(2013, 5, 3))
    if "id_number" not in kw:
        kw["id_number"] = an_id(birth, male)
    return StudentInput(name=name, grade=grade, class_name=class_name, **kw)


def a_school(database) -> None:  # type: ignore[no-untyped-def]
    """The test school (`school_db`): the school, the catalogue and the current term."""
    from aidoffice.ledgers.school import setup_school

    with database.unit_of_work(actor="测试员") as s:
        setup_school(s, "测试县第一中学", "3130624999", "测试县")


def a_demo_school(database, students: int = 300) -> None:  # type: ignore[no-untyped-def]
    """`students` demo students as of 2026-11-22 in the test school (`a_school`), as the GUI tests'
    `demo_db` has them."""
    from aidoffice.demo import generate

    with database.unit_of_work() as s:
        generate(s, students, today=date(2026, 11, 22))


# the roster school: the term, the day and the policy its tests speak of
TERM = "2026-2027-1"
TODAY = date(2026, 9, 15)
LIVING = "义务教育家庭经济困难学生生活补助"


def assess(session, key: str, level: str, on: date = date(2026, 9, 5)) -> None:  # type: ignore[no-untyped-def]
    """The school's hardship assessment (家庭经济困难学生认定) of one student."""
    from aidoffice.db.models import GroupMembership, SourceKind

    session.add(
        GroupMembership(
            person_key=key, group_code=level, source_kind=SourceKind.ASSESSMENT, source_label="2026年秋季认定",
            known_on=on, active=True,
        )
    )  # fmt: skip
    session.flush()


def roster_school(school_db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The roster school (tests/integration/test_roster.py, dated 2026-09-15): six junior boarders and
    one primary day student of various standing, in the test school; their names → ID numbers."""
    from aidoffice.ledgers.school import require_school
    from aidoffice.ledgers.students import add_student

    with school_db.unit_of_work(actor="资助专干") as s:
        sid = require_school(s).id
        made = {}
        specs = [
            ("低保生", "八年级", True, {"dibao"}, None),
            ("一般困难生", "七年级", True, set(), "hardship_general"),
            ("特别困难生", "九年级", True, set(), "hardship_special"),
            ("比较困难生", "七年级", True, set(), "hardship_relative"),
            ("普通生", "七年级", True, set(), None),
            ("脱贫走读生", "三年级", False, {"poverty_exited"}, None),
        ]
        for i, (name, grade, boarding, groups, level) in enumerate(specs):
            data = student(name + "甲", grade, "1班", boarding=boarding, bank_name="农村信用社",
                           bank_account=f"622848000000000{i:04d}", roster_groups=groups or None,
                           birth=date(2013 if grade != "三年级" else 2017, 5, 3))  # fmt: skip
            st = add_student(s, sid, data, today=date(2026, 9, 1))
            if level:
                assess(s, st.person_key, level)
            made[name] = st.id_number
    return made
