"""The problem-list workbook: a summary sheet, one sheet per kind with the evidence of both sides next
to each other, the statistics, the villages' school-age children, and the problems this run found
resolved. Standard workbook throughout (frozen header, filters, widths for Chinese text, print titles,
A4 landscape). ID numbers are masked unless the caller asks for full ones (and records who did)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.db.models import Problem, ProblemNote, ProblemStatus
from aidoffice.privacy import Field, Level, free_text, show
from aidoffice.reconcile.compare import Comparison
from aidoffice.reconcile.findings import other_sides, side_text
from aidoffice.reconcile.kinds import KINDS, label
from aidoffice.reconcile.matching import grade_label
from aidoffice.reconcile.problem_queries import status_name
from aidoffice.reconcile.problems import SyncResult
from aidoffice.reconcile.statistics import TermStatistics
from aidoffice.sheets.workbook import Column, StandardWorkbook, display_width

MONEY = "#,##0.00"
TEXT_WIDTH = 24  # a column of evidence wider than this wraps
PERCENT = "0.0%"
_CHUNK = 900


@dataclass
class _State:
    status: ProblemStatus
    still_present: bool
    assigned_to: str | None
    resolution: str | None
    last_note: str | None


def _states(session: Session, ids: Sequence[int]) -> dict[int, _State]:
    ids = list(ids)
    out: dict[int, _State] = {}
    notes: dict[int, str] = {}
    for i in range(0, len(ids), _CHUNK):
        part = ids[i : i + _CHUNK]
        for pid, status, still, who, res in session.execute(
            select(
                Problem.id, Problem.status, Problem.still_present, Problem.assigned_to, Problem.resolution
            ).where(Problem.id.in_(part))
        ):
            out[pid] = _State(status, still, who, res, None)
        for pid, text in session.execute(
            select(ProblemNote.problem_id, ProblemNote.text)
            # the clerk's own words (notes, closing, reopening, fixes), not the re-runs' automatic lines
            .where(ProblemNote.problem_id.in_(part), ProblemNote.action != "rerun")
            .order_by(ProblemNote.id)
        ):
            notes[pid] = text
    for pid, text in notes.items():
        out[pid].last_note = text
    return out


def _value(value: Any, kind: str, level: Level) -> Any:
    if kind == "id":
        return show(Field.ID_NUMBER, value, level) if value else ""
    if kind == "student_no":
        return show(Field.STUDENT_NO, value, level) if value else ""
    if kind == "money":
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return value


def write_problem_workbook(
    session: Session,
    path: str | Path,
    comparison: Comparison,
    sync: SyncResult,
    stats: TermStatistics,
    *,
    full_ids: bool = False,
    actor: str = "",
) -> Path:
    level = Level.FULL if full_ids else Level.MASKED
    ctx = comparison.term
    by_kind = comparison.by_kind()
    states = _states(session, list(sync.ids.values()))
    # problems no comparison finds but people record (a need raised on a home visit): the printed list
    # carries the open ones too, or the clerk's sheet to tick off would miss them
    by_hand = [k.code for k in KINDS.values() if k.scope == "visit"]
    recorded = session.execute(
        select(Problem.id, Problem.kind, Problem.rank, Problem.name, Problem.id_number, Problem.grade,
               Problem.class_name, Problem.village, Problem.detail)
        .where(Problem.kind.in_(by_hand), Problem.status != ProblemStatus.CLOSED)
        .order_by(Problem.id)
    ).all()  # fmt: skip
    states |= _states(session, [r.id for r in recorded])
    book = StandardWorkbook()

    # ---- summary
    summary = book.sheet(
        "汇总",
        f"{comparison.school}双向比对问题清单（{ctx.label}，比对日期 {ctx.on_date:%Y-%m-%d}）",
        [Column("问题类别"), Column("说明", width=70, wrap=True), Column("本次发现"), Column("其中新出现"),
         Column("待处理"), Column("处理中"), Column("已销号但仍存在")],
    )  # fmt: skip
    for code, info in KINDS.items():
        found = by_kind.get(code, [])
        st = [states.get(sync.ids.get(f.identity, -1)) for f in found]
        if info.scope == "visit":
            st = [states.get(r.id) for r in recorded if r.kind == code]
            summary.append([info.label, info.explain, 0, 0, *(
                sum(1 for x in st if x and x.status is want) for want in (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)
            ), ""])  # fmt: skip
            continue
        summary.append(
            [
                info.label,
                info.explain,
                len(found),
                sum(1 for f in found if f.identity in sync.new_identities),
                sum(1 for s in st if s and s.status is ProblemStatus.OPEN),
                sum(1 for s in st if s and s.status is ProblemStatus.IN_PROGRESS),
                sum(1 for s in st if s and s.status is ProblemStatus.CLOSED),
            ]
        )
    c = comparison.counts
    summary.append([])
    for title, text in (
        ("比对范围", f"学籍台账 {c.get('students', 0)} 人；户籍台账成员 {c.get('household_members', 0)} 人；"
                     f"外部名单 {c.get('lists', 0)} 份（各取最新一期）共 {c.get('list_rows', 0)} 行；"
                     f"本学期资助 {c.get('awards', 0)} 条"),
        ("比对日期", f"{ctx.on_date:%Y-%m-%d}：此日及以前记录的群体身份、认定和名单计入"),
        ("本次自动销号", f"{sync.closed_by_data} 个问题数据中已不再出现，按“数据已更正”销号（见“本次已消除”）"),
        ("证件号", f"完整显示（导出人：{actor}，已记入操作留痕）" if full_ids else "已打码（只显示前6位和后4位）"),
        ("导出时间", f"{clock.now():%Y-%m-%d %H:%M}"),
    ):  # fmt: skip
        summary.append([title, text])

    # ---- every finding with its reason and how it is being handled: the sheet to print and tick off
    listing = book.sheet(
        "问题清单",
        f"{comparison.school}问题清单（{ctx.label}）：逐项核实、处理、销号",
        [Column("问题编号", width=7), Column("问题类别", width=12), Column("优先", width=5), Column("姓名"),
         Column("身份证件号", text=True, width=20), Column("年级"), Column("班级"), Column("村"),
         Column("说明（原因与依据）", width=58, wrap=True), Column("状态", width=9, wrap=True), Column("处理人", width=8),
         Column("处理结果", width=10, wrap=True), Column("最近备注", width=20, wrap=True)],
    )  # fmt: skip
    for f in comparison.findings:
        pid = sync.ids.get(f.identity)
        st = states.get(pid or -1)
        listing.append(
            [
                pid,
                label(f.kind),
                "优先" if f.rank == 1 else "",
                f.name,
                show(Field.ID_NUMBER, f.id_number, level) or "",
                grade_label(f.grade, "") if f.grade is not None else "",
                f.class_name or "",
                f.village or "",
                f.detail,
                status_name(st.status, st.still_present) if st else "",
                (st.assigned_to or "") if st else "",
                free_text(st.resolution, level) if st else "",  # people's words: their numbers masked
                free_text(st.last_note, level) if st else "",
            ]
        )

    for r in recorded:
        st = states.get(r.id)
        listing.append(
            [
                r.id, label(r.kind), "优先" if r.rank == 1 else "", r.name,
                show(Field.ID_NUMBER, r.id_number, level) or "",
                grade_label(r.grade, "") if r.grade is not None else "", r.class_name or "", r.village or "",
                free_text(r.detail, level),
                status_name(st.status, st.still_present) if st else "",
                (st.assigned_to or "") if st else "",
                free_text(st.resolution, level) if st else "",
                free_text(st.last_note, level) if st else "",
            ]
        )  # fmt: skip

    # ---- one sheet per kind: the evidence of both sides next to each other
    for code, info in KINDS.items():
        found = by_kind.get(code)
        if not found:
            continue
        extra = [col[0] for col in found[0].evidence.get("columns", [])]
        kinds = {col[0]: col[2] for f in found for col in f.evidence.get("columns", [])}
        columns = [Column("序号", width=5), Column("问题编号", width=7), Column("优先", width=5), Column("姓名"),
                   Column("身份证件号", text=True, width=20), Column("年级"), Column("班级"), Column("村")]  # fmt: skip
        for name in extra:
            kind = kinds.get(name, "text")
            if kind in ("id", "student_no"):
                columns.append(Column(name, text=True, width=20))
            elif kind == "money":
                columns.append(Column(name, number_format=MONEY))
            else:
                widest = max(
                    display_width(c[1]) for f in found for c in f.evidence.get("columns", []) if c[0] == name
                )
                width = min(TEXT_WIDTH, max(display_width(name), widest) + 2)
                columns.append(Column(name, width=max(width, 6), wrap=widest > TEXT_WIDTH))
        columns += [Column("学校一方", width=28, wrap=True), Column("另一方", width=30, wrap=True),
                    Column("状态", width=9, wrap=True)]  # fmt: skip
        sheet = book.sheet(info.label, f"{info.label}（{len(found)} 个）：{info.explain}", columns)
        for n, f in enumerate(found, 1):
            pid = sync.ids.get(f.identity)
            st = states.get(pid or -1)
            values = {col[0]: _value(col[1], col[2], level) for col in f.evidence.get("columns", [])}
            left = f.evidence.get("left")
            right = other_sides(f.evidence)
            sheet.append(
                [
                    n,
                    pid,
                    "优先" if f.rank == 1 else "",
                    f.name,
                    show(Field.ID_NUMBER, f.id_number, level) or "",
                    grade_label(f.grade, "") if f.grade is not None else "",
                    f.class_name or "",
                    f.village or "",
                    *[values.get(name, "") for name in extra],
                    side_text(left, level) if left else "",
                    "\n".join(side_text(r, level) for r in right),
                    status_name(st.status, st.still_present) if st else "",
                ]
            )

    # ---- statistics
    rates = book.sheet(
        "统计",
        f"重点群体应助尽助情况（{ctx.label}，应助尽助率 = 已资助 ÷ 应资助）",
        [Column("分类"), Column("项目", width=24), Column("应资助（人）"), Column("已资助（人）"),
         Column("未资助（人）"), Column("应助尽助率", number_format=PERCENT)],
    )  # fmt: skip
    for section, rows in (
        ("合计", [stats.total]),
        ("按重点群体", stats.by_group),
        ("按年级", stats.by_grade),
        ("按村", stats.by_village),
    ):
        for r in rows:
            rates.append(
                [section, r.label, r.eligible, r.aided, r.missed, r.rate if r.rate is not None else ""]
            )
    problems = book.sheet(
        "问题统计",
        f"问题清单统计（{ctx.label}）",
        [Column("分类"), Column("项目", width=24), Column("数量")],
    )
    for _code, name, n in stats.open_by_kind:
        problems.append(["待处理和处理中", name, n])
    for _code, name, n in stats.closed_in_term:
        problems.append(["本学期已销号（按类别）", name, n])
    for resolution, n in stats.closed_by_resolution:
        problems.append(["本学期已销号（按处理结果）", resolution, n])
    rec = stats.recoveries
    problems.append(["收回（已发放、审核去掉）", "待收回（笔）", rec.pending])
    problems.append(["收回（已发放、审核去掉）", "待收回金额（元）", float(rec.pending_amount)])
    problems.append(["收回（已发放、审核去掉）", "已收回（笔）", rec.done])
    problems.append(["收回（已发放、审核去掉）", "已收回金额（元）", float(rec.done_amount)])
    villages = book.sheet(
        "各村学龄儿童",
        f"服务村学龄儿童去向（{ctx.starts_on:%Y-%m-%d} 的周岁）",
        [Column("乡镇"), Column("村"), Column("学龄儿童"), Column("在本校"), Column("在外就读（已登记）"),
         Column("需核实去向")],
    )  # fmt: skip
    for v in stats.villages:
        villages.append([v.township, v.village, v.children, v.in_school, v.elsewhere, v.unaccounted])

    # ---- resolved by the data in this run
    gone = book.sheet(
        "本次已消除",
        "本次比对中数据已不再显示、自动销号（数据已更正）的问题",
        [Column("问题编号", width=9), Column("问题类别"), Column("姓名"), Column("身份证件号", text=True, width=21),
         Column("说明", width=80, wrap=True), Column("首次发现")],
    )  # fmt: skip
    closed = sorted(sync.closed_now)
    for i in range(0, len(closed), _CHUNK):
        for pid, kind, name, idn, detail, first in session.execute(
            select(
                Problem.id,
                Problem.kind,
                Problem.name,
                Problem.id_number,
                Problem.detail,
                Problem.first_seen_on,
            )
            .where(Problem.id.in_(closed[i : i + _CHUNK]))
            .order_by(Problem.id)
        ):
            if kind == "AID_OBJECTION":  # recorded by an older version with the parent's words as written
                detail = free_text(detail, level)
            gone.append(
                [pid, label(kind), name, show(Field.ID_NUMBER, idn, level) or "", detail, _date(first)]
            )
    return book.save(path)


def _date(d: date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""
