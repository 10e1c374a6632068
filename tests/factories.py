"""Builders for test data that show, in each test, what the data is."""

from __future__ import annotations

from datetime import date

from aidoffice.domain.idnumber import make_id
from aidoffice.ledgers.students import StudentInput

_seq = iter(range(1, 10**6))


def an_id(birth: date = date(2013, 5, 3), male: bool = True, region: str = "130624") -> str:
    while True:
        n = next(_seq) % 1000
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
