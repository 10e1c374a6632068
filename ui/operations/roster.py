"""The roster and county pages' use cases: choices, the proposal and its review, the checks, confirming
and exporting (a write), the check report, county consolidation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from aidoffice.exporting import recoveries, roster
from aidoffice.exporting.roster_choices import RosterChoices, roster_choices
from ui.operations import AppContext, Changes, core
from ui.tasks import Task

# Filling a template, the check report and the county's consolidation load openpyxl: each use case
# imports its module inside its background operation (`core`), not before the first window.
if TYPE_CHECKING:
    from aidoffice.exporting import roster_export
    from aidoffice.exporting.consolidate import ConsolidateResult


@dataclass(frozen=True)
class ExportChoice:
    """Where the roster goes: a county template file, the standard workbook, or a national profile."""

    template: str | None = None
    profile: str | None = None
    sheet: str | None = None


def load_choices(ctx: AppContext, parent: QWidget, success: Callable[[RosterChoices], None]) -> Task:
    return ctx.query(parent, lambda s, _p: roster_choices(s), success)


def propose(
    ctx: AppContext,
    parent: QWidget,
    policy: str,
    term: str,
    quota: int | None,
    days: int | None,
    success: Callable[[roster.RosterProposal], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    return ctx.query(
        parent,
        lambda s, p: roster.propose(s, policy, term, quota=quota, days=days, progress=p),
        success,
        label=parent.tr("正在按资格规则提出名单…"),
        failure=failure,
    )


def add(
    ctx: AppContext,
    parent: QWidget,
    proposal: roster.RosterProposal,
    key: str,
    reason: str,
    success: Callable[[roster.RosterLine], None],
) -> Task:
    return ctx.query(parent, lambda s, _p: roster.add(s, proposal, key, reason), success)


def check(
    ctx: AppContext,
    parent: QWidget,
    proposal: roster.RosterProposal,
    choice: ExportChoice,
    mapping: Mapping[str, str],
    success: Callable[[roster_export.ExportOutcome], None],
    failure: Callable[[BaseException], None],
) -> Task:
    return ctx.query(
        parent,
        lambda s, p: core("aidoffice.exporting.roster_export").export_roster(
            s,
            proposal,
            None,
            template=choice.template,
            sheet=choice.sheet,
            mapping=mapping,
            profile=choice.profile,
            progress=p,
        ),
        success,
        label=parent.tr("正在检查…"),
        failure=failure,
    )


def export(
    ctx: AppContext,
    parent: QWidget,
    proposal: roster.RosterProposal,
    out: str,
    choice: ExportChoice,
    mapping: Mapping[str, str],
    *,
    confirm: bool,
    anyway: str | None,
    success: Callable[[tuple[roster_export.ExportOutcome, roster.ConfirmResult | None]], None],
    failure: Callable[[BaseException], None],
) -> Task:
    def op(s, p):  # type: ignore[no-untyped-def]
        outcome = core("aidoffice.exporting.roster_export").export_roster(
            s, proposal, out, template=choice.template, sheet=choice.sheet, mapping=mapping,
            profile=choice.profile, anyway=anyway, progress=p,
        )  # fmt: skip
        confirmed = roster.confirm(s, proposal) if confirm else None
        return outcome, confirmed

    return ctx.write(
        parent,
        op,
        success,
        changes=Changes(awards=True, settings=True),
        label=parent.tr("正在确认并导出花名册…"),
        note=f"export roster {proposal.title} {proposal.term.code}",
        failure=failure,
        batch="roster" if confirm else None,
        out=out,
    )


def save_report(
    ctx: AppContext,
    parent: QWidget,
    findings: Sequence[Any],
    target: str,
    title: str,
    success: Callable[[Path], None],
) -> Task:
    return ctx.background(
        parent,
        lambda _p: core("aidoffice.exporting.checks").write_report(findings, target, title),
        success,
        label=parent.tr("正在保存…"),
    )


def run_consolidation(
    ctx: AppContext,
    parent: QWidget,
    files: Sequence[str],
    out: str,
    success: Callable[[ConsolidateResult], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    return ctx.write(
        parent,
        lambda s, p: core("aidoffice.exporting.consolidate").consolidate(
            list(files), out, session=s, progress=p
        ),
        success,
        changes=Changes(),
        label=parent.tr("正在汇总各校花名册…"),
        note="consolidate",
        failure=failure,
    )


def load_recoveries(
    ctx: AppContext,
    parent: QWidget,
    term: str | None,
    success: Callable[[tuple[list[recoveries.RecoveryRow], recoveries.RecoverySummary]], None],
) -> Task:
    """The recoveries (收回) of the term, with their totals."""
    return ctx.query(
        parent,
        lambda s, _p: (recoveries.list_recoveries(s, term or None), recoveries.summary(s, term or None)),
        success,
    )


def mark_recovery_done(
    ctx: AppContext,
    parent: QWidget,
    recovery_id: int,
    done_on: date,
    method: str,
    note: str | None,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    """Record a recovery as done: the problem about it closes as 已收回."""
    return ctx.write(
        parent,
        lambda s, _p: recoveries.mark_done(s, recovery_id, done_on, method, note).id,
        success,
        changes=Changes(awards=True, problems=True),
        label=parent.tr("正在登记收回…"),
        note=f"recovery done {recovery_id}",
        failure=failure,
    )


def cancel_recovery(
    ctx: AppContext,
    parent: QWidget,
    recovery_id: int,
    reason: str,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    """Take back a recovery recorded by mistake: the award stands again."""
    return ctx.write(
        parent,
        lambda s, _p: recoveries.cancel(s, recovery_id, reason).id,
        success,
        changes=Changes(awards=True, problems=True),
        label=parent.tr("正在撤销收回…"),
        note=f"recovery cancel {recovery_id}",
        failure=failure,
    )


def add_to_roster(
    ctx: AppContext,
    parent: QWidget,
    proposal: Any,
    key: str,
    reason: str,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    """Add a student (by ID or 学籍号) to the roster under review; the ledger is read in the background."""
    return ctx.query(parent, lambda s, _p: roster.add(s, proposal, key, reason), success, failure=failure)
