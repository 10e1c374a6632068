"""The school's details, the current term, and first-run set-up."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from aidoffice.ledgers.school import set_current_term, setup_school
from aidoffice.ledgers.school_queries import SchoolInfo, school_info
from ui.operations import AppContext, Changes
from ui.tasks import Task

__all__ = ["SchoolInfo", "load_school", "move_to_term", "save_school"]


def load_school(
    ctx: AppContext, parent: QWidget | None, success: Callable[[SchoolInfo | None], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: school_info(s), success)


def save_school(
    ctx: AppContext,
    parent: QWidget,
    name: str,
    code: str,
    county: str,
    success: Callable[[object], None],
    failure: Callable[[BaseException], None],
) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: setup_school(s, name, code, county).id,
        success,
        changes=Changes(settings=True, catalogue=True),
        note="修改学校信息",
        failure=failure,
    )


def move_to_term(
    ctx: AppContext,
    parent: QWidget,
    term: str,
    success: Callable[[object], None],
    failure: Callable[[BaseException], None],
) -> Task:
    """The office moves on to `term` (设置 → 当前学期): every screen's default term changes with it."""
    return ctx.write(
        parent,
        lambda s, _p: set_current_term(s, term).code,
        success,
        changes=Changes(settings=True, publicity=True, slips=True, problems=True),
        note=f"换到学期 {term}",
        failure=failure,
    )
