"""The whole comparison in one read-only pass: load every source, match people, check eligibility and
aid for the term, check village coverage. Writes nothing (the problem list is `problems.sync`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.catalogue import Catalogue, load_catalogue
from aidoffice.db.models import Term as TermRow
from aidoffice.domain.terms import Term as TermValue
from aidoffice.ledgers.school import require_school, resolve_term
from aidoffice.ledgers.term_queries import read_current_term
from aidoffice.ledgers.villages import school_age
from aidoffice.progress import Progress, no_progress
from aidoffice.reconcile.aid import CoverageItem, TermContext, check_aid, comparison_date
from aidoffice.reconcile.coverage import VillageCoverage, check_coverage
from aidoffice.reconcile.findings import Finding
from aidoffice.reconcile.from_slips import applicant_findings, objection_findings
from aidoffice.reconcile.kinds import ORDER
from aidoffice.reconcile.matching import match
from aidoffice.reconcile.sources import Sources, VillageIndex, load_sources


@dataclass
class Comparison:
    term: TermContext
    term_id: int
    school: str
    findings: list[Finding]
    coverage: list[CoverageItem]
    villages: list[VillageCoverage]
    catalogue: Catalogue
    counts: dict[str, int] = field(default_factory=dict)  # what was compared
    village_names: dict[int, str] = field(default_factory=dict)  # id → 乡镇 + 村

    def by_kind(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.kind, []).append(f)
        return out


def term_context(session: Session, row: TermRow, today: date) -> TermContext:
    value = TermValue.parse(row.code)
    ledger = read_current_term(session, today).value
    return TermContext(
        code=row.code,
        label=value.label,
        school_year=value.school_year,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        on_date=comparison_date(row.starts_on, row.ends_on, today),
        years_back=ledger.start_year - value.start_year,
    )


def _order(f: Finding) -> tuple:
    return (ORDER.get(f.kind, 99), f.rank, f.grade if f.grade is not None else 99, f.class_name or "", f.name)


def _fill_filters(findings: list[Finding], src: Sources, ctx: TermContext) -> None:
    """Every finding carries what the list filters on: the student's grade, class and village, and
    the person's active groups as known on the comparison date."""
    students = {s.id: s for s in src.students}
    for f in findings:
        s = students.get(f.student_id) if f.student_id else None
        if s is not None:
            if f.grade is None:
                f.grade, f.class_name = s.grade, s.class_name
            if not f.village:
                v = src.villages.get(s.village_id) if s.village_id else None
                f.village = v.name if v else s.hukou_village
        if not f.groups:
            f.groups = tuple(
                dict.fromkeys(
                    g.group for g in src.facts.get(f.person_key, ()) if g.active and g.known_on <= ctx.on_date
                )
            )


def _placed(coverage: list[CoverageItem], src: Sources, index: VillageIndex) -> list[CoverageItem]:
    """A student whose own address names no village is counted where the village ledger counts them:
    the village of the household that lists them, else the village an outside list gives for them
    (the statistics by village must agree with the village ledger, not put them under 未登记村)."""
    if all(c.village_id is not None for c in coverage):
        return coverage
    by_student = {m.student_id: m.village_id for m in src.members if m.student_id and m.village_id}
    by_number: dict[str, int] = {}
    for e in src.entries:
        if e.id_number and e.id_number not in by_number:
            found = index.find(e.township, e.village)
            if found is not None:
                by_number[e.id_number] = found
    numbers = {s.id: s.id_number for s in src.students}
    placed = []
    for c in coverage:
        if c.village_id is None:
            c = c._replace(
                village_id=by_student.get(c.student_id) or by_number.get(numbers.get(c.student_id) or "")
            )
        placed.append(c)
    return placed


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The comparison allocates a few hundred thousand small tuples that form no cycles; the cyclic
    collector would walk them again and again (a third of a 50,000-student run)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compare(
    session: Session, term: str | None = None, *, today: date | None = None, progress: Progress = no_progress
) -> Comparison:
    with gc_paused():
        return _compare(session, term, today or clock.today(), progress)


def _compare(session: Session, term: str | None, today: date, progress: Progress) -> Comparison:
    school = require_school(session)
    row = resolve_term(session, term)
    ctx = term_context(session, row, today)
    progress(0, 5, "正在读取学籍、户籍、名单和资助记录")
    src = load_sources(session, row)
    catalogue = load_catalogue(session)
    index = VillageIndex(src.villages, src.county)
    progress(1, 5, "正在按证件号匹配，查找疑似抄错")
    matching = match(src, index)
    served = VillageIndex(
        {i: v for i, v in src.villages.items() if src.served is None or i in src.served}, src.county
    )
    progress(2, 5, "正在核对资助条件")
    aid_findings, coverage = check_aid(src, catalogue, ctx, matching)
    coverage = _placed(coverage, src, index)
    progress(3, 5, "正在核对各村学龄儿童")
    coverage_findings, villages = check_coverage(src, matching, ctx, school_age(school), served)
    findings = matching.findings + aid_findings + coverage_findings
    findings += objection_findings(session, row.code) + applicant_findings(session, row.code)
    _fill_filters(findings, src, ctx)
    findings.sort(key=_order)
    progress(4, 5, "比对完成")
    return Comparison(
        term=ctx,
        term_id=row.id,
        school=school.name,
        findings=findings,
        coverage=coverage,
        villages=villages,
        catalogue=catalogue,
        counts=src.counts,
        village_names={v.id: f"{v.township}{v.name}" for v in src.villages.values()},
    )
