"""The student ledger's use cases, each one background operation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from aidoffice.access.checks import allowed
from aidoffice.casework import cases as casework
from aidoffice.domain.grades import make_grade
from aidoffice.exporting.ledger import ExportResult, export_school_ledger
from aidoffice.ledgers import students as service
from aidoffice.ledgers.school import require_school
from aidoffice.ledgers.student_queries import (
    FilterChoices,
    StudentFilter,
    StudentRow,
    filter_choices,
    first_rows,
    ordered_ids,
    roster_groups,
    rows_by_ids,
    student_groups,
)
from aidoffice.ledgers.student_rules import StudentInput
from aidoffice.privacy import Level, show_column
from aidoffice.safety.locks import edits_checked, expect_version
from ui.operations import AppContext, Changes
from ui.tasks import Task

STUDENTS = Changes(students=True, groups=True)


def load_choices(ctx: AppContext, parent: QWidget, success: Callable[[FilterChoices], None]) -> Task:
    return ctx.query(parent, lambda s, _p: filter_choices(s), success)


def load_ids(
    ctx: AppContext,
    parent: QWidget,
    f: StudentFilter,
    sort: str,
    descending: bool,
    success: Callable[[list[int]], None],
) -> Task:
    return ctx.query(parent, lambda s, _p: ordered_ids(s, f, sort, descending), success)


def load_start(
    ctx: AppContext,
    parent: QWidget,
    f: StudentFilter,
    sort: str,
    descending: bool,
    limit: int,
    success: Callable[[tuple[int, list[StudentRow]]], None],
) -> Task:
    return ctx.query(parent, lambda s, _p: first_rows(s, f, sort, descending, limit), success)


def load_rows(
    ctx: AppContext, parent: QWidget, ids: list[int], success: Callable[[list[StudentRow]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: rows_by_ids(s, ids), success)


@dataclass(frozen=True)
class FormData:
    """What the student form shows of a student."""

    data: StudentInput
    grade_name: str
    roster_flags: set[str]
    other_groups: list[tuple[Any, ...]]  # (code, name, source kind, label, known on, active)
    version: int  # the row's version when loaded: a save after someone else's is refused, not merged
    read_only: bool = False  # the role may look, not change (a head teacher, a county viewer)
    # the numbers as the form first shows them (privacy.py's screen masking), key → text; the full
    # number appears only when “显示” is pressed, and only for a role that may see it whole
    masked: dict[str, str] = field(default_factory=dict)
    may_show_full: bool = False


# shown masked on the form unless “显示” is pressed and the role may see them whole
SENSITIVE = ("id_number", "student_no", "bank_account", "guardian_phone")
# a read-only form for a role without full numbers also leaves the birth date out (beside a masked ID
# it gives the hidden digits away: aidoffice.privacy)
_READ_ONLY_MASKED = (*SENSITIVE, "birth_date")


def _form_data(session, student_id: int) -> FormData:  # type: ignore[no-untyped-def]
    st = service.get_student(session, student_id)
    data = StudentInput.from_student(st)
    read_only = not allowed(session, "students.edit")
    may_show_full = allowed(session, "students.view_full_ids")
    masked = {
        key: str(show_column(key, getattr(data, key), Level.MASKED) or "")
        for key in SENSITIVE
        if getattr(data, key)
    }
    if read_only and not may_show_full:
        # only when nothing can be saved: masked numbers must never be written back
        for key in _READ_ONLY_MASKED:
            setattr(data, key, show_column(key, getattr(data, key), Level.MASKED))
    return FormData(
        masked=masked,
        may_show_full=may_show_full,
        read_only=read_only,
        data=data,
        grade_name=make_grade(st.grade, st.stage == "vocational").name,
        roster_flags=roster_groups(session, st.person_key),
        other_groups=[g for g in student_groups(session, st) if g[2].value != "roster"],
        version=st.version,
    )


def load_form(ctx: AppContext, parent: QWidget, student_id: int, success: Callable[[FormData], None]) -> Task:
    return ctx.query(parent, lambda s, _p: _form_data(s, student_id), success)


def save_student(
    ctx: AppContext,
    parent: QWidget,
    student_id: int | None,
    data: StudentInput,
    success: Callable[[int], None],
    failure: Callable[[BaseException], None],
    version: int | None = None,
) -> Task:
    """`version`: as loaded with the form; another clerk's save in between makes this one refused
    with a message naming them (PostgreSQL databases are shared)."""

    def op(s, _p) -> int:  # type: ignore[no-untyped-def]
        if student_id is None:
            return service.add_student(s, require_school(s).id, data).id
        if version is not None:
            expect_version(s, service.get_student(s, student_id), version)
        with edits_checked(ctx.db, student_id):
            return service.update_student(s, student_id, data).id

    return ctx.write(parent, op, success, changes=STUDENTS | Changes(households=True), failure=failure)


_STATUS_ACTIONS = {
    "transfer": service.transfer_out,
    "dropout": casework.mark_dropout,  # the status and a 控辍保学 case (or the child's case reopened)
    "reinstate": casework.reinstate,  # back to 在读, and an open case closes with 复学
}


def change_status(
    ctx: AppContext,
    parent: QWidget,
    action: str,
    student_id: int,
    on: date,
    note: str,
    success: Callable[[Any], None],
) -> Task:
    fn = _STATUS_ACTIONS[action]
    return ctx.write(
        parent, lambda s, _p: fn(s, student_id, on, note).id, success, changes=STUDENTS | Changes(cases=True)
    )


def export_ledger(
    ctx: AppContext,
    parent: QWidget,
    path: str,
    mask: bool,
    purpose: str | None,
    success: Callable[[ExportResult], None],
) -> Task:
    return ctx.write(
        parent,
        lambda s, p: export_school_ledger(s, path, mask=mask, purpose=purpose, progress=p),
        success,
        changes=Changes(),
        label=parent.tr("正在导出学籍台账…"),
        note="导出学籍台账",
    )
