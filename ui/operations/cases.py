"""The 控辍保学 page's use cases (and the problem list's 立案 button), each one background operation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from aidoffice.casework import case_queries as q
from aidoffice.casework import cases as service
from aidoffice.casework.dropout_ledgers import DropoutLedgers, dropout_ledgers
from aidoffice.db.models import CaseStatus
from aidoffice.ledgers.places import served_villages
from ui.operations import AppContext, Changes, core
from ui.tasks import Task

if TYPE_CHECKING:  # the notices' PDF and the ledgers' workbook load reportlab and openpyxl: not at start-up
    from aidoffice.services.case_notices import NoticeResult
    from aidoffice.services.dropout_export import DropoutExport

CASES = Changes(cases=True, students=True, problems=True)


@dataclass(frozen=True)
class CaseChoices:
    roles: list[str]
    villages: list[tuple[int, str]]  # served villages: id, 乡镇村


def _choices(s: Any) -> CaseChoices:
    roles = service.case_roles(s)
    try:
        served = served_villages(s).villages
    except Exception:  # no school yet, or a role that may not see the village ledger: none to offer
        served = []
    return CaseChoices(roles, [(v.id, f"{v.township}{v.name}") for v in served if v.served])


def load_choices(ctx: AppContext, parent: QWidget, success: Callable[[CaseChoices], None]) -> Task:
    return ctx.query(parent, lambda s, _p: _choices(s), success)


def load_cases(
    ctx: AppContext, parent: QWidget, f: q.CaseFilter, full: bool, success: Callable[[list[q.CaseRow]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: q.list_cases(s, f, level=q.view_level(s, full)), success)


def load_detail(
    ctx: AppContext, parent: QWidget, case_id: int, full: bool, success: Callable[[q.CaseDetail], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: q.case_detail(s, case_id, level=q.view_level(s, full)), success)


@dataclass(frozen=True)
class Board:
    dashboard: q.Dashboard
    not_contacted: list[tuple[str, str, int]] | None


def load_dashboard(ctx: AppContext, parent: QWidget, success: Callable[[Board], None]) -> Task:
    return ctx.query(parent, lambda s, _p: Board(q.dashboard(s), q.not_contacted(s)), success)


def load_ledgers(
    ctx: AppContext, parent: QWidget, full: bool, success: Callable[[DropoutLedgers], None]
) -> Task:
    return ctx.query(
        parent,
        lambda s, _p: dropout_ledgers(s, level=q.view_level(s, full)),
        success,
        label="正在整理三本台账…",
    )


def export_ledgers(
    ctx: AppContext,
    parent: QWidget,
    path: str,
    template: str | None,
    success: Callable[[DropoutExport], None],
) -> Task:
    return ctx.write(
        parent, lambda s, _p: core("aidoffice.services.dropout_export").export_dropout_ledgers(s, path, template=template), success,
        changes=Changes(), note="导出控辍保学台账", label="正在导出三本台账…", out=path,
    )  # fmt: skip


def _write(ctx: AppContext, parent: QWidget, op: Callable[[Any], Any], success: Callable[[Any], None],
           note: str, failure: Callable[[BaseException], None] | None = None) -> Task:  # fmt: skip
    return ctx.write(parent, lambda s, _p: op(s), success, changes=CASES, note=note, failure=failure)


def open_from_problem(ctx: AppContext, parent: QWidget, problem_id: int, data: service.CaseInput,
                      success: Callable[[int], None]) -> Task:  # fmt: skip
    return _write(
        ctx, parent, lambda s: service.open_from_problem(s, problem_id, data).id, success, "控辍保学立案"
    )


def open_by_hand(ctx: AppContext, parent: QWidget, child: service.ChildInput, data: service.CaseInput,
                 success: Callable[[int], None]) -> Task:  # fmt: skip
    return _write(ctx, parent, lambda s: service.open_by_hand(s, child, data).id, success, "控辍保学立案")


def add_action(ctx: AppContext, parent: QWidget, case_id: int, values: dict[str, Any],
               success: Callable[[Any], None]) -> Task:  # fmt: skip
    return _write(
        ctx, parent, lambda s: service.add_action(s, case_id, **values).id, success, "控辍保学劝返记录"
    )


def escalate(ctx: AppContext, parent: QWidget, case_id: int, to: str, note: str | None,
             success: Callable[[Any], None]) -> Task:  # fmt: skip
    return _write(
        ctx, parent, lambda s: service.escalate(s, case_id, to=to, note=note).id, success, "控辍保学上报"
    )


def close_case(ctx: AppContext, parent: QWidget, case_id: int, outcome: str, note: str | None, on: date,
               success: Callable[[Any], None]) -> Task:  # fmt: skip
    return _write(ctx, parent, lambda s: service.close_case(s, case_id, outcome=outcome, note=note, on=on).id,
                  success, "控辍保学结案")  # fmt: skip


def edit_plan(ctx: AppContext, parent: QWidget, case_id: int, plan: str,
              people: Sequence[service.PersonInput], success: Callable[[Any], None]) -> Task:  # fmt: skip
    return _write(ctx, parent, lambda s: service.edit_plan(s, case_id, plan=plan, people=people).id, success,
                  "修改劝返方案")  # fmt: skip


def produce_notice(ctx: AppContext, parent: QWidget, case_id: int, kind: str, path: str, deadline: date,
                   place: str | None, success: Callable[[NoticeResult], None]) -> Task:  # fmt: skip
    return ctx.write(
        parent, lambda s, _p: core("aidoffice.services.case_notices").produce_case_notice(s, case_id, kind, path, deadline=deadline, place=place), success,
        changes=CASES | Changes(publicity=True), note="控辍保学通知书", out=path,
    )  # fmt: skip


def set_roles(
    ctx: AppContext, parent: QWidget, roles: list[str], success: Callable[[list[str]], None]
) -> Task:
    return ctx.write(parent, lambda s, _p: service.set_case_roles(s, roles), success,
                     changes=Changes(cases=True, settings=True), note="修改控辍保学责任人身份")  # fmt: skip


STATUS_FILTERS = {"全部": None, "劝返中": CaseStatus.OPEN, "已结案": CaseStatus.CLOSED}
