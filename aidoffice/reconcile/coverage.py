"""Village coverage, the village ledger's question: every school-age child of the villages the school
serves (on the household ledger or on an outside list placed in one of those villages) is in the
school ledger (在读/休学), or recorded by the clerk as studying elsewhere, or else a NOT_ENROLLED
finding (需核实去向). A child whose ID looks like a slip of an enrolled student's ID is left to the
ID_TYPO_SUSPECT finding. Ages are counted on the term's first day, as the village tree counts them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from aidoffice.db.models import STATUS_NAMES, StudentStatus
from aidoffice.domain.grades import STAGES
from aidoffice.domain.idnumber import age_on
from aidoffice.domain.policies import GroupFact
from aidoffice.ledgers.villages import birth_bounds
from aidoffice.reconcile.aid import TermContext
from aidoffice.reconcile.findings import Finding, column, side
from aidoffice.reconcile.kinds import rules
from aidoffice.reconcile.matching import Matching, grade_label
from aidoffice.reconcile.sources import Sources, StudentRec, VillageIndex

AT_SCHOOL = (StudentStatus.ENROLLED, StudentStatus.SUSPENDED)


class VillageCoverage(NamedTuple):
    village_id: int
    township: str
    village: str
    children: int  # school-age children known from the household ledger and the lists
    in_school: int  # in this school's ledger (在读/休学)
    elsewhere: int  # recorded as studying elsewhere
    unaccounted: int  # NOT_ENROLLED findings (and typo suspects left to that finding)


@dataclass
class _Child:
    id_number: str
    name: str
    birth_date: date
    village_id: int
    sources: list[str] = field(default_factory=list)
    sides: list[dict[str, Any]] = field(default_factory=list)
    school_named: str | None = None  # the school a list or the household ledger names
    student_id: int | None = None  # a household link to a student record


def check_coverage(
    src: Sources,
    matching: Matching,
    ctx: TermContext,
    ages: tuple[int, int],
    index: VillageIndex,
) -> tuple[list[Finding], list[VillageCoverage]]:
    children: dict[str, _Child] = {}
    earliest, latest = birth_bounds(ctx.starts_on, ages)

    def take(number: str | None, name: str, born: date | None, village_id: int | None) -> _Child | None:
        if not number or born is None or village_id is None or not earliest <= born <= latest:
            return None
        child = children.get(number)
        if child is None:
            child = children[number] = _Child(number, name, born, village_id)
        return child

    villages = src.villages
    # the school's own students first, where their 户口所在地 placed them: the 户籍台账 counts them in
    # that village, and the comparison's village table must say what the ledger says
    for st in src.students:
        if st.status not in AT_SCHOOL or st.village_id is None or st.village_id not in villages:
            continue
        if src.served is not None and st.village_id not in src.served:
            continue
        number = st.id_number or (st.student_no[1:] if st.student_no and st.student_no[:1] == "G" else None)
        child = take(number, st.name, st.birth_date, st.village_id)
        if child is not None:
            child.sources.append("学籍台账")
            child.student_id = child.student_id or st.id
    for m in src.members:
        if src.served is not None and m.village_id not in src.served:
            continue  # a village the school does not serve
        child = take(m.id_number, m.name, m.birth_date, m.village_id)
        if child is None:
            continue
        v = villages[m.village_id]
        label = f"户籍台账 {v.township}{v.name} 户{f' {m.household_no}' if m.household_no else ''}（户主 {m.head_name}）"
        child.sources.append(label)
        child.sides.append(side(label, m.name, m.id_number, m.schooling))
        child.school_named = child.school_named or m.school_name
        child.student_id = child.student_id or m.student_id
    for e in src.entries:
        child = take(e.id_number, e.name, e.birth_date, index.find(e.township, e.village))
        if child is None:
            continue
        snap = src.snapshots[e.snapshot_id]
        label = f"外部名单「{snap.source_label}」第 {e.row} 行"
        child.sources.append(label)
        child.sides.append(
            side(
                label,
                e.name,
                e.id_number,
                f"{e.township or ''}{e.village or ''}",
                e.category,
                e.status,
                e.schooling,
            )
        )
        child.school_named = child.school_named or e.school_name

    students: dict[str, StudentRec] = {}
    by_id = {}
    for s in src.students:
        by_id[s.id] = s
        if s.id_number:
            students[s.id_number] = s
        if s.student_no and s.student_no[:1] == "G" and len(s.student_no) == 19:
            students.setdefault(s.student_no[1:], s)
    at_school = {n for n, s in students.items() if s.status in AT_SCHOOL}
    stage_ages = rules()
    findings: list[Finding] = []
    tally: dict[int, list[int]] = {}  # village → [children, in school, elsewhere, unaccounted]
    for number, child in children.items():
        counts = tally.setdefault(child.village_id, [0, 0, 0, 0])
        counts[0] += 1
        linked = by_id.get(child.student_id) if child.student_id else None
        if number in at_school or (linked is not None and linked.status in AT_SCHOOL):
            counts[1] += 1
            continue
        if number in src.elsewhere:
            counts[2] += 1
            continue
        counts[3] += 1
        if matching.typo_links.get(number, set()) & at_school:
            continue  # the ID_TYPO_SUSPECT finding says who this is
        findings.append(_finding(child, students.get(number) or linked, src, ctx, stage_ages.expected_stage))
    rows = [
        VillageCoverage(vid, villages[vid].township, villages[vid].name, *tally[vid])
        for vid in sorted(tally, key=lambda v: (villages[v].township, villages[v].name))
    ]
    return findings, rows


def _finding(child: _Child, student: StudentRec | None, src: Sources, ctx: TermContext, expected) -> Finding:  # type: ignore[no-untyped-def]
    v = src.villages[child.village_id]
    age = age_on(child.birth_date, ctx.starts_on)
    stage = expected(age)
    stage_text = f"（{STAGES[stage]}学龄）" if stage in STAGES else ""
    facts: list[GroupFact] = src.facts.get(child.id_number, [])
    groups = tuple(dict.fromkeys(f.group for f in facts if f.active and f.known_on <= ctx.on_date))
    if student is not None:
        when = f"{student.status_changed_on:%Y-%m-%d}，" if student.status_changed_on else ""
        ledger = (
            f"本校学籍台账中为{STATUS_NAMES[student.status]}（{when}{student.status_note or '去向未登记'}）"
        )
        left = side(
            f"学籍台账 {grade_label(student.grade, student.stage)}{student.class_name}",
            student.name,
            student.id_number,
            STATUS_NAMES[student.status],
            student.status_note,
        )
    else:
        ledger = "不在本校学籍台账中"
        left = side("学籍台账", "（无此人）", None)
    named = f"；名单写就读于“{child.school_named}”，尚未核实" if child.school_named else ""
    # first: nobody knows where the child is, or the child dropped out; then those with a lead to check
    lead = bool(child.school_named) or (
        student is not None and student.status is not StudentStatus.DROPPED_OUT
    )
    return Finding(
        kind="NOT_ENROLLED",
        person_key=child.id_number,
        name=child.name,
        id_number=child.id_number,
        student_id=student.id if student else None,
        scope=ctx.school_year,
        rank=2 if lead else 1,
        village=v.name,
        groups=groups,
        detail=f"{v.township}{v.name}“{child.name}”，{age}岁{stage_text}，见于{'；'.join(child.sources)}；"
        f"{ledger}，也没有在外就读登记{named}",
        evidence={
            "left": left,
            "right": child.sides,
            "columns": [
                column("年龄", age),
                column("应读学段", STAGES.get(stage or "", "")),
                column("所在村", f"{v.township}{v.name}"),
                column("名单写的就读学校", child.school_named or ""),
                column("本校学籍记录", ledger if student is not None else "无"),
            ],
        },
    )
