"""统计: for the term, how fully the priority groups are aided (应助尽助率 = aided / eligible) per
group, per grade and per village; open problems by kind; problems closed this term. Plain data: the
GUI charts it, the workbook writes it as a sheet.

A student counts once per group (and once per grade or village): eligible when the comparison finds
them eligible for a checked policy through that group, aided when every policy family they are
eligible for aided them in the term."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice.access.checks import require_whole_school
from aidoffice.db.models import Problem, ProblemStatus
from aidoffice.progress import Progress, no_progress
from aidoffice.reconcile.aid import CoverageItem
from aidoffice.reconcile.compare import Comparison, compare
from aidoffice.reconcile.coverage import VillageCoverage
from aidoffice.reconcile.kinds import KINDS, label
from aidoffice.reconcile.matching import grade_label
from aidoffice.reconcile.problems import RecoverySummary, recovery_summary, scopes_for


class Rate(NamedTuple):
    key: str
    label: str
    eligible: int
    aided: int

    @property
    def rate(self) -> float | None:
        return self.aided / self.eligible if self.eligible else None

    @property
    def missed(self) -> int:
        return self.eligible - self.aided


@dataclass
class TermStatistics:
    term: str
    label: str
    on_date: date
    total: Rate  # every student eligible through a priority group
    by_group: list[Rate]
    by_grade: list[Rate]
    by_village: list[Rate]
    villages: list[VillageCoverage]  # school-age children per village and where they study
    open_by_kind: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, label, count)
    closed_in_term: list[tuple[str, str, int]] = field(default_factory=list)
    closed_by_resolution: list[tuple[str, int]] = field(default_factory=list)
    recoveries: RecoverySummary = field(default_factory=RecoverySummary)  # 收回: to do and done


def _rates(items: Iterable[tuple[str, int, bool]], labels: dict[str, str], order: list[str]) -> list[Rate]:
    """(key, student id, aided) → one Rate per key; a student is aided only if every item is."""
    students: dict[str, dict[int, bool]] = {}
    for key, sid, aided in items:
        per = students.setdefault(key, {})
        per[sid] = per.get(sid, True) and aided
    keys = [k for k in order if k in students] + sorted(k for k in students if k not in order)
    return [
        Rate(k, labels.get(k, k), len(students[k]), sum(1 for a in students[k].values() if a)) for k in keys
    ]


def coverage_rates(
    items: list[CoverageItem], comparison: Comparison
) -> tuple[Rate, list[Rate], list[Rate], list[Rate]]:
    groups = comparison.catalogue.groups
    prio = [i for i in items if i.groups]
    total = _rates((("*", i.student_id, i.aided) for i in prio), {"*": "全部重点群体"}, ["*"])
    by_group = _rates(
        ((g, i.student_id, i.aided) for i in prio for g in i.groups),
        {c: g.name for c, g in groups.items()},
        list(groups),
    )
    grades = sorted({(i.grade, i.stage) for i in prio})
    by_grade = _rates(
        ((str(i.grade), i.student_id, i.aided) for i in prio),
        {str(g): grade_label(g, st) for g, st in grades},
        [str(g) for g, _ in grades],
    )
    names = comparison.village_names
    by_village = _rates(
        ((str(i.village_id or ""), i.student_id, i.aided) for i in prio),
        {**{str(k): v for k, v in names.items()}, "": "（未登记村）"},
        [str(k) for k in sorted(names, key=lambda k: names[k])],
    )
    return (total[0] if total else Rate("*", "全部重点群体", 0, 0)), by_group, by_grade, by_village


def statistics_from(session: Session, comparison: Comparison) -> TermStatistics:
    ctx = comparison.term
    total, by_group, by_grade, by_village = coverage_rates(comparison.coverage, comparison)
    open_counts = dict(
        session.execute(
            select(Problem.kind, func.count())
            .where(Problem.status != ProblemStatus.CLOSED, Problem.scope.in_(scopes_for(ctx.code)))
            .group_by(Problem.kind)
        ).all()
    )
    start, end = datetime.combine(ctx.starts_on, time.min), datetime.combine(ctx.ends_on, time.max)
    closed = dict(
        session.execute(
            select(Problem.kind, func.count())
            .where(Problem.status == ProblemStatus.CLOSED, Problem.closed_at.between(start, end))
            .group_by(Problem.kind)
        ).all()
    )
    resolutions = session.execute(
        select(Problem.resolution, func.count())
        .where(Problem.status == ProblemStatus.CLOSED, Problem.closed_at.between(start, end))
        .group_by(Problem.resolution)
        .order_by(func.count().desc())
    ).all()
    return TermStatistics(
        term=ctx.code,
        label=ctx.label,
        on_date=ctx.on_date,
        total=total,
        by_group=by_group,
        by_grade=by_grade,
        by_village=by_village,
        villages=comparison.villages,
        open_by_kind=[(k, label(k), open_counts[k]) for k in KINDS if open_counts.get(k)],
        closed_in_term=[(k, label(k), closed[k]) for k in KINDS if closed.get(k)],
        closed_by_resolution=[(r or "", n) for r, n in resolutions],
        recoveries=recovery_summary(session, ctx.code),
    )


def term_statistics(
    session: Session, term: str | None = None, *, today: date | None = None, progress: Progress = no_progress
) -> TermStatistics:
    """The statistics of a term without touching the problem list (the comparison is read-only). They
    count the whole school: a head teacher, who sees their own classes only, may not have them."""
    require_whole_school(session, "students.view", "全校统计")
    return statistics_from(session, compare(session, term, today=today, progress=progress))
