"""The comparison's and the problem list's use cases, each one background operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from aidoffice.ledgers.school import ensure_current_term
from aidoffice.reconcile import corrections, problem_actions, problem_fixes, problem_queries
from aidoffice.reconcile.choices import ProblemChoices, problem_choices
from aidoffice.reconcile.problem_queries import ProblemDetail, ProblemFilter, ProblemRow
from aidoffice.reconcile.service import ReconcileResult, run_reconcile
from aidoffice.reconcile.statistics import TermStatistics, term_statistics
from ui.operations import AppContext, Changes
from ui.tasks import Task

PROBLEMS = Changes(problems=True)


Choices = ProblemChoices  # the page's name for it


def load_choices(ctx: AppContext, parent: QWidget, success: Callable[[Choices], None]) -> Task:
    return ctx.query(parent, lambda s, _p: problem_choices(s), success)


def run(
    ctx: AppContext,
    parent: QWidget,
    term: str | None,
    success: Callable[[ReconcileResult], None],
    *,
    out: str | None = None,
    full_ids: bool = False,
) -> Task:
    """The comparison with progress and cancel; the problem list and the workbook commit together."""

    def op(s, p) -> ReconcileResult:  # type: ignore[no-untyped-def]
        return run_reconcile(s, term or ensure_current_term(s).code, out=out, full_ids=full_ids, progress=p)

    return ctx.write(
        parent,
        op,
        success,
        changes=PROBLEMS,
        label=parent.tr("正在比对学籍、户籍、名单和资助记录…"),
        note="双向比对",
        out=out,
    )


def write_corrections(
    ctx: AppContext,
    parent: QWidget,
    folder: str,
    full_ids: bool,
    success: Callable[[tuple], None],  # type: ignore[type-arg]
) -> Task:
    """The 请更正 workbooks, one per department, and the rows they list: (files, rows)."""

    def op(s, _p):  # type: ignore[no-untyped-def]
        files = corrections.write_corrections(s, folder, full_ids=full_ids)
        return files, corrections.corrections_due(s)

    return ctx.write(parent, op, success, changes=Changes(), label=parent.tr("正在生成请更正表…"))


def mark_sent(ctx: AppContext, parent: QWidget, success: Callable[[Any], None]) -> Task:
    """The typo findings marked as sent to their departments; the two records count as one child."""
    return ctx.write(
        parent,
        lambda s, _p: corrections.mark_sent(s),
        success,
        changes=PROBLEMS | Changes(groups=True),
        note="请更正：已发部门",
    )


def load_ids(
    ctx: AppContext, parent: QWidget, f: ProblemFilter, success: Callable[[list[int]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: problem_queries.problem_ids(s, f), success)


def load_rows(
    ctx: AppContext, parent: QWidget, ids: list[int], success: Callable[[list[ProblemRow]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: problem_queries.fetch_problems(s, ids), success)


def load_detail(
    ctx: AppContext, parent: QWidget, problem_id: int, success: Callable[[ProblemDetail], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: problem_queries.problem_detail(s, problem_id), success)


def _change(
    ctx: AppContext,
    parent: QWidget,
    fn: Callable[..., Any],
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None] | None = None,
    changes: Changes = PROBLEMS,
) -> Task:
    return ctx.write(parent, lambda s, _p: fn(s).id, success, changes=changes, failure=failure)


def take(ctx: AppContext, parent: QWidget, pid: int, note: str, success: Callable[[Any], None]) -> Task:
    return _change(ctx, parent, lambda s: problem_actions.take_problem(s, pid, note=note), success)


def add_note(ctx: AppContext, parent: QWidget, pid: int, text: str, success: Callable[[Any], None]) -> Task:
    return _change(ctx, parent, lambda s: problem_actions.add_note(s, pid, text), success)


def close(
    ctx: AppContext,
    parent: QWidget,
    pid: int,
    resolution: str,
    note: str,
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:
    return _change(
        ctx, parent, lambda s: problem_actions.close_problem(s, pid, resolution, note), success, failure
    )


def reopen(ctx: AppContext, parent: QWidget, pid: int, note: str, success: Callable[[Any], None]) -> Task:
    return _change(ctx, parent, lambda s: problem_actions.reopen_problem(s, pid, note), success)


# the fixes a finding offers: the service that makes it, and what it changes besides the problem list
_FIXES: dict[str, tuple[Callable[..., Any], Changes]] = {
    "id": (problem_fixes.fix_correct_id, PROBLEMS | Changes(students=True, groups=True)),
    "elsewhere": (
        lambda s, pid, v: problem_fixes.fix_record_elsewhere(
            s,
            pid,
            v["school_name"],
            v["verified_on"],
            v["verified_by"],
            place=v.get("place"),
            note=v.get("note"),
        ),
        PROBLEMS | Changes(households=True),
    ),
    "assessment": (
        lambda s, pid, level, on, by, note: problem_fixes.fix_add_assessment(
            s, pid, level, on, by, note=note
        ),
        PROBLEMS | Changes(groups=True),
    ),
    "group": (problem_fixes.fix_add_roster_group, PROBLEMS | Changes(students=True, groups=True)),
}


def fix(
    ctx: AppContext,
    parent: QWidget,
    what: str,
    pid: int,
    args: tuple[Any, ...],
    success: Callable[[Any], None],
    failure: Callable[[BaseException], None],
) -> Task:
    """Fix the cause of problem `pid` in the data (更正证件号, 登记在外就读, 补录认定, 补登重点群体) and close it."""
    service_fn, changes = _FIXES[what]
    return _change(ctx, parent, lambda s: service_fn(s, pid, *args), success, failure, changes)


def load_statistics(
    ctx: AppContext, parent: QWidget, term: str | None, success: Callable[[TermStatistics], None]
) -> Task:
    """The term's statistics: a read-only comparison (the problem list is not touched)."""
    return ctx.query(
        parent,
        lambda s, p: term_statistics(s, term, progress=p),
        success,
        label=parent.tr("正在统计…"),
    )
