"""The village ledger's use cases."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from aidoffice.exporting.ledger import ExportResult, export_village_ledger
from aidoffice.ledgers.places import ServedVillages, served_villages, set_served_villages
from aidoffice.ledgers.term_queries import CurrentTerm
from aidoffice.ledgers.village_queries import VillageOverview, village_overview
from aidoffice.ledgers.villages import HouseholdRow, MemberRow, group_members, households_of, members_of
from ui.operations import AppContext, Changes
from ui.tasks import Task


def load_tree(
    ctx: AppContext, parent: QWidget, success: Callable[[VillageOverview], None], label: str | None = None
) -> Task:
    def op(s, p) -> VillageOverview:  # type: ignore[no-untyped-def]
        p(0, None, label or "")
        return village_overview(s)

    return ctx.query(parent, op, success, label=label)


def load_households(
    ctx: AppContext, parent: QWidget, village_id: int, term: CurrentTerm, ages: tuple[int, int],
    success: Callable[[list[HouseholdRow]], None],
) -> Task:  # fmt: skip
    return ctx.query(parent, lambda s, _p: households_of(s, village_id, term, ages), success)


def load_members(
    ctx: AppContext, parent: QWidget, household_id: int, term: CurrentTerm, ages: tuple[int, int],
    success: Callable[[list[MemberRow]], None],
) -> Task:  # fmt: skip
    return ctx.query(parent, lambda s, _p: members_of(s, household_id, term, ages), success)


def load_group(
    ctx: AppContext, parent: QWidget, village_id: int, kind: str, term: CurrentTerm, ages: tuple[int, int],
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
