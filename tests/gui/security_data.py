"""Accounts for the GUI tests of issue 12: an administrator, a clerk, a head teacher of one class of the
demo school and a county viewer, all with known passwords."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from aidoffice.access.checks import Principal, act_as
from aidoffice.db.models import Student, StudentStatus
from aidoffice.safety.accounts import create_user, sign_in

ADMIN_PW = "Mountain-2026"
PW = "River-2026x"


@dataclass
class Office:
    admin: Principal
    clerk: Principal
    teacher: Principal
    county: Principal
    teacher_class: tuple[int, str]  # (grade, class) of the head teacher
    class_size: int  # students of that class (every status)


def busiest_class(db) -> tuple[tuple[int, str], int]:  # type: ignore[no-untyped-def]
    with db.reading() as s:
        grade, class_name, _n = s.execute(
            select(Student.grade, Student.class_name, func.count())
            .where(Student.status == StudentStatus.ENROLLED)
            .group_by(Student.grade, Student.class_name)
            .order_by(func.count().desc(), Student.grade, Student.class_name)
            .limit(1)
        ).one()
        size = s.scalar(
            select(func.count())
            .select_from(Student)
            .where(Student.grade == grade, Student.class_name == class_name)
        )
    return (grade, class_name), size


def make_office(db) -> Office:  # type: ignore[no-untyped-def]
    key, size = busiest_class(db) if _has_students(db) else ((7, "1班"), 0)
    with db.unit_of_work() as s:
        create_user(s, "admin", "张主任", ADMIN_PW, "admin")
    admin = sign_in(db, "admin", ADMIN_PW)
    with db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "clerk", "李专干", PW, "clerk", must_change_password=False)
        create_user(s, "wang", "王老师", PW, "head_teacher", [key], must_change_password=False)
        create_user(s, "county", "县中心", PW, "county_viewer", must_change_password=False)
    return Office(
        admin, sign_in(db, "clerk", PW), sign_in(db, "wang", PW), sign_in(db, "county", PW), key, size
    )


def _has_students(db) -> bool:  # type: ignore[no-untyped-def]
    with db.reading() as s:
        return bool(s.scalar(select(func.count()).select_from(Student)))
