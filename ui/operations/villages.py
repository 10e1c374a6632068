"""The village ledger's use cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from aidoffice.db.models import Term
from aidoffice.exporting.ledger import ExportResult, export_village_ledger
from aidoffice.ledgers.places import (
    ServedVillages,
    served_confirmed,
    served_villages,
    set_served_villages,
    students_outside,
)
from aidoffice.ledgers.school import current_term, require_school
from aidoffice.ledgers.villages import (
    HouseholdRow,
    MemberRow,
    group_members,
    households_of,
    members_of,
    school_age,
    village_tree,
)
from ui.operations import AppContext, Changes
from ui.tasks import Task


def load_tree(
    ctx: AppContext, parent: QWidget, success: Callable[[Any], None], label: str | None = None
) -> Task:
    def op(s, p):  # type: ignore[no-untyped-def]
        p(0, None, label or "")
        term = current_term(s)
        ages = school_age(require_school(s))
        return village_tree(s, term, ages), term, ages, served_confirmed(s), students_outside(s)

    return ctx.query(parent, op, success, label=label)


def load_households(
    ctx: AppContext, parent: QWidget, village_id: int, term: Term, ages: tuple[int, int],
    success: Callable[[list[HouseholdRow]], None],
) -> Task:  # fmt: skip
    return ctx.query(parent, lambda s, _p: households_of(s, village_id, term, ages), success)


def load_members(
    ctx: AppContext, parent: QWidget, household_id: int, term: Term, ages: tuple[int, int],
    success: Callable[[list[MemberRow]], None],
) -> Task:  # fmt: skip
    return ctx.query(parent, lambda s, _p: members_of(s, household_id, term, ages), success)


def load_group(
    ctx: AppContext, parent: QWidget, village_id: int, kind: str, term: Term, ages: tuple[int, int],
    success: Callable[[list[MemberRow]], None],
) -> Task:  # fmt: skip
    return ctx.query(parent, lambda s, _p: group_members(s, village_id, kind, term, ages), success)


def load_served(ctx: AppContext, parent: QWidget, success: Callable[[ServedVillages], None]) -> Task:
    return ctx.query(parent, lambda s, _p: served_villages(s), success)


def save_served(
    ctx: AppContext,
    parent: QWidget,
    village_ids: list[int],
    added: list[tuple[str, str]],
    success: Callable[[ServedVillages], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: set_served_villages(s, village_ids, added),
        success,
        changes=Changes(households=True, settings=True),
        label=parent.tr("正在保存服务村…"),
        note="确认服务村",
        failure=failure,
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
        lambda s, p: export_village_ledger(s, path, mask=mask, purpose=purpose, progress=p),
        success,
        changes=Changes(),
        label=parent.tr("正在导出户籍台账…"),
        note="导出户籍台账",
    )
