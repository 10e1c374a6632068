"""请更正: where a department's list has a child's ID mistyped (an ID_TYPO_SUSPECT finding whose list
side is the wrong one), a workbook per department listing its rows to correct — its row number, the
name, the ID it has and the ID on the school's records, masked as the department needs (privacy.py) —
and, once sent, the typo finding marked as sent to the department with the two records linked as one
child meanwhile (`PersonLink`): the child's groups from that list count and the roster is not held up.
The problem stays open (处理中) until the corrected list is imported and the finding goes away."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.audit import actor_of, record
from aidoffice.db.models import (
    HouseholdMember,
    ListEntry,
    PersonLink,
    Problem,
    ProblemNote,
    ProblemStatus,
    Student,
)
from aidoffice.errors import InputRefused
from aidoffice.ledgers.school import require_school
from aidoffice.privacy import Level, mask_id, show_correction
from aidoffice.reconcile.matching import grade_label, passes_check, typo_relation
from aidoffice.reconcile.sources import latest_snapshots
from aidoffice.sheets.workbook import Column, StandardWorkbook

KIND = "ID_TYPO_SUSPECT"


@dataclass
class CorrectionRow:
    """One row of a department's list to correct."""

    problem_id: int
    department: str  # the list's source label (阜平县乡村振兴局 …)
    row: int  # the row number in the department's own file
    name: str  # as the department's list has it
    their_id: str
    our_id: str
    our_name: str
    where: str  # 七年级3班 (学籍台账) / 户籍台账
    difference: str  # 第11位不同 / 相邻两位颠倒 …
    sent: bool  # already marked as sent to the department


def _other_id(p: Problem) -> str | None:
    """The other number of a typo finding: its identity is “ID_TYPO_SUSPECT|a~b|…”."""
    m = re.search(r"\|([0-9Xx]{15,18})~([0-9Xx]{15,18})\|", p.identity)
    if m is None:
        return None
    a, b = m.group(1), m.group(2)
    return b if a == p.id_number else a if b == p.id_number else None


def corrections_due(session: Session) -> list[CorrectionRow]:
    """The rows each department should correct: open typo findings where our side is on the school's
    records (学籍台账, else 户籍台账) and the other number only on a department's latest list — unless
    only the school's number fails its check digit (then the school's record is the wrong one)."""
    require(session, "reconcile.run")
    problems = list(
        session.scalars(
            select(Problem)
            .where(
                Problem.kind == KIND, Problem.status != ProblemStatus.CLOSED, Problem.still_present.is_(True)
            )
            .order_by(Problem.id)
        )
    )
    if not problems:
        return []
    pairs = {p.id: (p.id_number, _other_id(p)) for p in problems}
    numbers = {n for pair in pairs.values() for n in pair if n}
    students = {
        s.id_number: s for s in session.scalars(select(Student).where(Student.id_number.in_(numbers)))
    }
    members = set(
        session.scalars(select(HouseholdMember.id_number).where(HouseholdMember.id_number.in_(numbers)))
    )
    latest = {snap.id: snap.source_label for snap in latest_snapshots(session).values()}
    entries: dict[str, list[tuple[str, int, str]]] = {}
    if latest:
        for id_number, snapshot_id, row, name in session.execute(
            select(ListEntry.id_number, ListEntry.snapshot_id, ListEntry.row, ListEntry.name).where(
                ListEntry.id_number.in_(numbers), ListEntry.snapshot_id.in_(list(latest))
            )
        ):
            entries.setdefault(id_number, []).append((latest[snapshot_id], row, name))
    linked = {
        tuple(r)
        for r in session.execute(select(PersonLink.from_key, PersonLink.to_key, PersonLink.source_label))
    }
    out: list[CorrectionRow] = []
    for p in problems:
        ours, theirs = pairs[p.id]
        if not ours or not theirs or theirs in students or theirs in members:
            continue  # both numbers on the school's records: not a department's slip
        if ours not in students and ours not in members:
            continue
        if passes_check(theirs) and not passes_check(ours):
            continue  # the school's number is the one that cannot be right
        s = students.get(ours)
        where = f"{grade_label(s.grade, s.stage)}{s.class_name}" if s is not None else "户籍台账"
        for department, row, name in sorted(entries.get(theirs, ())):
            out.append(
                CorrectionRow(
                    problem_id=p.id,
                    department=department,
                    row=row,
                    name=name,
                    their_id=theirs,
                    our_id=ours,
                    our_name=s.name if s is not None else p.name,
                    where=where,
                    difference=typo_relation(ours, theirs) or "号码不同",
                    sent=(theirs, ours, department) in linked,
                )
            )
    return out


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _file_name(department: str) -> str:
    return f"请更正_{_UNSAFE.sub('_', department).strip('_.') or '部门'}.xlsx"


def write_corrections(
    session: Session, out_dir: str | Path, *, full_ids: bool = False, today: date | None = None
) -> dict[str, Path]:
    """One 请更正 workbook per department into `out_dir` (each written to a temporary file and renamed).
    IDs are masked except the digits to change, unless `full_ids` (recorded in the audit trail)."""
    if full_ids:
        require(session, "export.full_ids")
    rows = corrections_due(session)
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise InputRefused("请更正表要保存到一个文件夹，而这里给的是一个文件。", file=str(folder))
    if not rows:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    today = today or clock.today()
    school = require_school(session)
    level = Level.FULL if full_ids else Level.MASKED
    by_department: dict[str, list[CorrectionRow]] = {}
    for r in rows:
        by_department.setdefault(r.department, []).append(r)
    written: dict[str, Path] = {}
    for department, mine in sorted(by_department.items()):
        book = StandardWorkbook()
        sheet = book.sheet(
            "请更正",
            f"请更正：{department}名单中疑似抄错的身份证件号（{school.name}，{today:%Y-%m-%d}）",
            [Column("序号", width=6), Column("贵单位名单行号", width=10), Column("姓名", width=10),
             Column("贵单位名单中的证件号", text=True, width=22), Column("学校记录中的证件号", text=True, width=22),
             Column("不同之处", width=16), Column("学校记录", width=14), Column("说明", width=46, wrap=True)],
        )  # fmt: skip
        for i, r in enumerate(sorted(mine, key=lambda r: r.row), start=1):
            theirs, ours = show_correction(r.their_id, r.our_id, level)
            note = (
                f"学校记录中为“{r.our_name}”；姓名相同、证件号{r.difference}，疑似同一人。"
                "请核对户籍资料后更正贵单位名单，并把更正后的名单发回学校。"
            )
            sheet.append([i, r.row, r.name, theirs, ours, r.difference, r.where, note])
        written[department] = book.save(folder / _file_name(department))
    record(
        session,
        "export",
        "problem",
        f"生成请更正表 {len(written)} 份（{'、'.join(written)}），共 {len(rows)} 行"
        + ("，含完整证件号" if full_ids else ""),
        {"departments": list(written), "rows": len(rows), "full_id_numbers": full_ids},
    )
    return written


def mark_sent(
    session: Session,
    problem_ids: list[int] | None = None,
    *,
    who: str | None = None,
    note: str | None = None,
    today: date | None = None,
) -> list[CorrectionRow]:
    """Mark the typo findings (all that are due, or `problem_ids`) as sent to their departments: each
    problem goes to 处理中 with a note naming the department, and the department's number is linked to
    the school's as one child until the corrected list comes back. Returns the rows marked."""
    require(session, "problems.close")
    today = today or clock.today()
    who = who or actor_of(session) or "资助专干"
    due = [r for r in corrections_due(session) if problem_ids is None or r.problem_id in problem_ids]
    if problem_ids is not None:
        missing = sorted(set(problem_ids) - {r.problem_id for r in due})
        if missing:
            raise InputRefused(
                f"问题 {'、'.join(f'#{m}' for m in missing)} 不是待部门更正的证件号问题（或已销号），没有标记任何问题。"
            )
    done: list[CorrectionRow] = []
    seen: set[tuple[str, str, str]] = set()
    for r in due:
        key = (r.their_id, r.our_id, r.department)
        if r.sent or key in seen:
            continue
        seen.add(key)
        session.add(
            PersonLink(
                from_key=r.their_id,
                to_key=r.our_id,
                source_label=r.department,
                problem_id=r.problem_id,
                sent_on=today,
                sent_by=who,
                note=(note or "").strip() or None,
            )
        )
        p = session.get(Problem, r.problem_id)
        assert p is not None
        text = (
            f"已将请更正表发给{r.department}（{today:%Y-%m-%d}，其名单第 {r.row} 行）；更正前两条记录"
            f"（{mask_id(r.their_id)} 与 {mask_id(r.our_id)}）按同一名学生计"
        )
        if p.status is ProblemStatus.OPEN:
            p.status, p.assigned_to, p.taken_at = ProblemStatus.IN_PROGRESS, who, clock.now()
        session.add(ProblemNote(problem_id=p.id, at=clock.now(), actor=who, action="note", text=text))
        record(
            session,
            "update",
            "problem",
            f"问题 #{p.id}（{p.name}，证件号疑似抄错）：{text}",
            {"problem_id": p.id, "department": r.department},
        )
        done.append(r)
    session.flush()
    return done
