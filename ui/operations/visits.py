"""The use cases of the 三包与家访 page: each a background read or write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from aidoffice.access.checks import allowed
from aidoffice.casework import duties, visits
from aidoffice.ledgers.places import served_villages
from aidoffice.services.visit_needs import raise_need
from ui.operations import AppContext, Changes
from ui.tasks import Task

CHANGED = Changes(visits=True)


@dataclass(frozen=True)
class Choices:
    """What the page's dialogs offer: teachers, the served villages, the households one may contact,
    the priority groups for the rule."""

    teachers: list[str]
    villages: list[tuple[int, str]]
    households: list[tuple[int, str]]
    students: list[tuple[int, str]]  # for 包人: poor-group and dropped-out students (empty without the right)
    groups: dict[str, str]
    rule: visits.VisitRule
    acting_teacher: str


def load_choices(ctx: AppContext, parent: QWidget, success: Callable[[Choices], None]) -> Task:
    def op(s, _p):  # type: ignore[no-untyped-def]
        villages = []
        rule = visits.read_rule(s)
        students = duties.student_choices(s, rule.poor_groups) if allowed(s, "casework.edit") else []
        if allowed(s, "villages.view"):
            villages = [(v.id, f"{v.township}{v.name}") for v in served_villages(s).villages if v.served]
        return Choices(
            duties.teacher_names(s),
            villages,
            visits.household_choices(s, limit=200_000),
            students,
            visits.group_names(s),
            rule,
            visits.acting_teacher(s),
        )

    return ctx.query(parent, op, success)


def load_duties(
    ctx: AppContext, parent: QWidget, include_ended: bool, success: Callable[[list[duties.DutyRow]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: duties.list_duties(s, include_ended=include_ended), success)


def assign(
    ctx: AppContext, parent: QWidget, teacher: str, target: dict[str, int], starts_on: date,
    success: Callable[[Any], None], failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    return ctx.write(
        parent,
        lambda s, _p: duties.assign(s, teacher, starts_on=starts_on, **target).id,
        success,
        changes=CHANGED,
        note="安排包保教师",
        failure=failure,
    )


def hand_over(
    ctx: AppContext, parent: QWidget, old: str, new: str | None, on: date, reason: str,
    success: Callable[[int], None], failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    return ctx.write(
        parent,
        lambda s, _p: duties.reassign(s, old, new, on=on, reason=reason),
        success,
        changes=CHANGED,
        note="包保整体移交",
        failure=failure,
    )


def end_duty(
    ctx: AppContext, parent: QWidget, duty_id: int, reason: str, success: Callable[[Any], None]
) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: duties.end_duty(s, duty_id, reason).id,
        success,
        changes=CHANGED,
        note="结束包保",
    )


def load_visits(
    ctx: AppContext, parent: QWidget, month: date, success: Callable[[list[visits.VisitRow]], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: visits.list_visits(s, month=month), success)


def record(
    ctx: AppContext, parent: QWidget, values: dict[str, Any], to_problem: bool,
    success: Callable[[Any], None], failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    def op(s, _p):  # type: ignore[no-untyped-def]
        visit = visits.record_visit(s, **values)
        problem = raise_need(s, visit.id) if to_problem else None
        return visit.id, problem.id if problem else None

    changes = Changes(visits=True, problems=to_problem)
    return ctx.write(parent, op, success, changes=changes, note="记录家访", failure=failure)


def need_to_problem(ctx: AppContext, parent: QWidget, visit_id: int, success: Callable[[int], None]) -> Task:
    return ctx.write(
        parent,
        lambda s, _p: raise_need(s, visit_id).id,
        success,
        changes=Changes(visits=True, problems=True),
        note="家访需求转入问题清单",
    )


def load_due(
    ctx: AppContext,
    parent: QWidget,
    month: date,
    teacher: str | None,
    success: Callable[[visits.DueReport], None],
) -> Task:
    return ctx.query(parent, lambda s, _p: visits.due(s, month, teacher=teacher), success)


def save_rule(
    ctx: AppContext, parent: QWidget, rule: visits.VisitRule, success: Callable[[visits.VisitRule], None]
) -> Task:
    return ctx.write(
        parent, lambda s, _p: visits.save_rule(s, rule), success, changes=CHANGED, note="家访联系频次"
    )
