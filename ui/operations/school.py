"""The school's details, the current term, and first-run set-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from aidoffice.ledgers.school import current_term, get_school, setup_school
from ui.operations import AppContext, Changes
from ui.tasks import Task


@dataclass(frozen=True)
class SchoolInfo:
    name: str
    code: str
    county: str
    term: str


def _info(s) -> SchoolInfo | None:  # type: ignore[no-untyped-def]
    school = get_school(s)
    if school is None:
        return None
    return SchoolInfo(school.name, school.code or "", school.county or "", current_term(s).code)


def load_school(
    ctx: AppContext, parent: QWidget | None, success: Callable[[SchoolInfo | None], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: _info(s), success)


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
