"""Exporting a roster: the values a template column asks for, filling the county's template (or the
standard workbook when there is none), with the checks before saving (`exporting.checks`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.audit import record
from aidoffice.db.models import School
from aidoffice.domain.grades import STAGES
from aidoffice.domain.money import format_amount
from aidoffice.domain.terms import Term as TermValue
from aidoffice.errors import InputRefused
from aidoffice.exporting.roster import FULL_NUMBER_FIELDS, RosterLine, RosterProposal
from aidoffice.progress import Progress, no_progress


def line_value(line: RosterLine, code: str, header: str, *, school: School | None, term: TermValue) -> Any:
    """The value of `code` for this line, in the words the column's header implies."""
    match code:
        case "name" | "sex" | "id_number" | "student_no" | "ethnicity" | "guardian_name" | "guardian_relation" | \
                "guardian_phone" | "bank_name" | "bank_account" | "hukou_address" | "current_address" | \
                "hukou_township" | "hukou_village" | "birth_date":  # fmt: skip
            return getattr(line, code)
        case "amount":
            return line.amount
        case "standard":
            return line.standard
        case "grade":
            return line.grade_name
        case "class_name":
            return line.class_name
        case "stage":
            return STAGES.get(line.stage, line.stage)
        case "boarding":
            if "是否" in header or header.endswith("生"):
                return "是" if line.boarding else "否"
            return "住校" if line.boarding else "走读"
        case "category":
            return line.category or line.level
        case "assessment_level":
            return line.level
        case "assessed_on":
            return line.assessed_on
        case "policy":
            return line.policy_name
        case "term":
            return term.label
        case "school_name":
            return school.name if school else None
        case "school_code":
            return school.code if school else None
        case "id_type":
            return "居民身份证" if line.id_number else None
        case "notes":
            return line.note
        case "left_behind" | "migrant" | "orphan" | "disabled":
            return "是" if code in line.groups else None
    return None


def rows_for(
    lines: Sequence[RosterLine],
    columns: Sequence[tuple[int, str, str]],
    *,
    school: School | None,
    term: TermValue,
    convert: Callable[[str, Any], Any] | None = None,
) -> list[list[Any]]:
    """For each line, the values of `columns` ((column number, field, header), in order)."""
    out = []
    for line in lines:
        values = [line_value(line, code, header, school=school, term=term) for _c, code, header in columns]
        if convert is not None:
            values = [convert(code, v) for (_c, code, _h), v in zip(columns, values, strict=True)]
        out.append(values)
    return out


# ---- exporting -------------------------------------------------------------------------------------

STANDARD_COLUMNS = [
    ("序号", "seq", 6), ("姓名", "name", 10), ("性别", "sex", 5), ("身份证件号", "id_number", 21),
    ("全国学籍号", "student_no", 22), ("年级", "grade", 8), ("班级", "class_name", 7), ("困难类型", "category", 16),
    ("是否寄宿", "boarding", 8), ("资助项目", "policy", 30), ("资助标准", "standard", 10), ("金额", "amount", 10),
    ("监护人", "guardian_name", 10), ("联系电话", "guardian_phone", 13), ("开户银行", "bank_name", 12),
    ("银行卡号", "bank_account", 22), ("备注", "notes", 20),
]  # fmt: skip


class RosterRefused(InputRefused):
    """The export was refused; `details` carries the checks for the --json line."""

    def __init__(self, message: str, details: dict[str, Any] | None = None, **where: Any):
        super().__init__(message, **where)
        self.details = details or {}


@dataclass
class ExportOutcome:
    path: str | None
    rows: int
    total: Decimal
    findings: list[Any]
    cell_problems: list[Any] = field(default_factory=list)
    sheet: str | None = None
    first_row: int | None = None
    total_row: int | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    anyway: str | None = None
    report: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "out": self.path,
            "rows": self.rows,
            "total": str(self.total),
            "checks": [f.as_json() for f in self.findings],
            "blocking": sum(1 for f in self.findings if f.blocking),
            "refused_cells": [c.as_json() for c in self.cell_problems],
            "sheet": self.sheet,
            "first_row": self.first_row,
            "total_row": self.total_row,
            "columns": self.columns,
            "notes": self.notes,
            "exported_anyway": self.anyway,
            "report": self.report,
        }


def _unplaced_message(layout: Any, grid: Any) -> str:
    preview = layout.preview(grid)
    lines = [
        f"  第 {r} 行：" + " | ".join(t or "（空）" for t in row)
        for r, row in zip(layout.header_rows, preview, strict=True)
    ]
    cols = "、".join(c.describe() for c in layout.unplaced)
    first = layout.unplaced[0].name
    return (
        f"模板中有认不出的列：{cols}。模板的表头是：\n" + "\n".join(lines) + "\n"
        f'请指定每一列填什么：--map "{first}=项目"（项目如 监护人姓名、银行卡号、备注），或 --map "{first}=留空"。'
        "指定一次后，这个模板以后会自动按同样的对应填写。"
    )


def export_roster(
    session: Session,
    proposal: RosterProposal,
    out: str | Path | None,
    *,
    template: str | Path | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    force_map: bool = False,
    profile: str | None = None,
    anyway: str | None = None,
    report: str | Path | None = None,
    open_problems: Any = "problem list",
    today: date | None = None,
    progress: Progress = no_progress,
) -> ExportOutcome:
    """Check the roster's included lines and, unless a check blocks (and no reason to export anyway is
    given), write them into the template, the national profile or the standard workbook. `out=None`:
    check only. Records the export (with full ID and account numbers) in the audit trail.
    `force_map`: the user confirmed --map placements that contradict recognised headers. Every filled
    column's values are checked against its header (a 姓名 column must hold names): a mismatch is
    refused, whatever the mapping, remembered or given."""
    from aidoffice.exporting import checks, profiles
    from aidoffice.exporting import template as tpl
    from aidoffice.files import check_target, publish_on_commit, temp_beside
    from aidoffice.ledgers.school import require_school

    require(session, "export.roster")
    today = today or clock.today()
    if out is not None:
        check_target(out, (".xlsx",))
    if open_problems == "problem list":  # the comparison's open problems on these students (None: none)
        from aidoffice.reconcile.problem_queries import open_problem_texts as open_problems
    school = require_school(session)
    lines = proposal.included
    wb = layout = grid = prof = None
    if profile:
        prof = profiles.find_profile(profile)
        wb, layout = profiles.build_template(prof), profiles.layout_of(prof)
    elif template:
        name = Path(template).name
        wb = tpl.open_template(template)
        remembered = (school.settings or {}).get("template_mappings", {})
        layout = tpl.analyse_workbook(wb, sheet=sheet, remembered_by_fingerprint=remembered, file=name)
        if mapping:
            tpl.apply_mapping(layout, mapping, file=name, force=force_map)
        grid = tpl.SheetGrid(wb[layout.sheet])
        if layout.unplaced:
            raise RosterRefused(
                _unplaced_message(layout, grid),
                {"unplaced": [{"column": c.letter, "header": c.header} for c in layout.unplaced],
                 "preview": layout.preview(grid), "fingerprint": layout.fingerprint},
                file=name, sheet=layout.sheet,
            )  # fmt: skip
    fields = set(layout.fields) if layout is not None else {f for _t, f, _w in STANDARD_COLUMNS}
    if out is not None and fields & FULL_NUMBER_FIELDS:
        require(session, "export.full_ids")  # the payment roster carries full ID and card numbers
    findings = checks.check_lines(
        lines, needs_account="bank_account" in fields, session=session, open_problems=open_problems
    )
    first_row = layout.first_data_row if layout is not None else 3
    index = {line.student_id: i for i, line in enumerate(lines)}
    for f in findings:
        f.row = first_row + index[f.student_id] if f.student_id in index else None
    columns: list[tuple[int, str, str]] = []
    if layout is not None:
        columns = [
            (c.index, c.field, c.header)
            for c in layout.columns
            if c.field and c.field not in ("ignore", "seq")
        ]
    if prof is not None:
        pcols = list(prof.columns)
        rows = [[_profile_value(line, pc, school, proposal.term) for pc in pcols] for line in lines]
        cell_problems = profiles.check_rows(prof, rows, first_row=2)
        columns = [(i + 1, pc.field or "ignore", pc.title) for i, pc in enumerate(pcols)]
    else:
        rows = rows_for(lines, columns, school=school, term=proposal.term) if layout is not None else []
        cell_problems = []
        mismatched = tpl.content_mismatches(columns, rows) if template else []
        if mismatched:
            raise RosterRefused(
                "花名册没有保存：模板中有列要填的内容与列名不符（可能是 --map 或以前记住的对应写错了）：\n  "
                + "\n  ".join(mismatched)
                + "\n请用 --map “列名=项目”改正这些列（认出的列不用指定，写“留空”则不填）。",
                {"mismatched": mismatched, "preview": layout.preview(grid) if layout and grid else []},
                file=Path(template).name,
                sheet=layout.sheet if layout is not None else None,
            )
    outcome = ExportOutcome(
        None, len(lines), proposal.total, findings, cell_problems,
        sheet=layout.sheet if layout is not None else "花名册", first_row=first_row,
        columns=[{"column": get_letter(c), "header": h, "field": f} for c, f, h in columns],
        notes=list(proposal.notes) + (list(layout.notes) if layout is not None else []),
    )  # fmt: skip
    if report:
        outcome.report = str(
            checks.write_report(
                findings, report, f"{school.name}{proposal.term.label}{proposal.title}花名册检查结果"
            )
        )
    blocking = [f for f in findings if f.blocking]
    if out is None:
        return outcome
    if (blocking or cell_problems) and not (anyway and anyway.strip()):
        shown = [f.describe() for f in blocking[:10]] + [c.describe() for c in cell_problems[:10]]
        more = len(blocking) + len(cell_problems) - len(shown)
        raise RosterRefused(
            f"检查发现 {len(blocking) + len(cell_problems)} 个需要处理的问题，花名册没有保存：\n  "
            + "\n  ".join(shown)
            + (f"\n  ……另有 {more} 个" if more > 0 else "")
            + "\n请先改正（台账中补卡号、核对证件号，或在审核时说明原因）；如确需照样导出，请写明原因"
            "（命令行用 --anyway 原因），会记入留痕。",
            outcome.as_json(),
        )
    target = Path(out)
    outcome.anyway = anyway.strip() if anyway and (blocking or cell_problems) else None
    # recorded first (a database that cannot record refuses the export), published when it commits
    record(
        session,
        "export",
        "award",
        f"导出花名册（含完整证件号和卡号）：{proposal.title} {proposal.term.code} {len(lines)} 人到 {target.name}"
        + (f"；检查有问题仍导出，原因：{outcome.anyway}" if outcome.anyway else ""),
        {"file": str(target), "rows": len(lines), "total": str(proposal.total), "policy": proposal.title,
         "term": proposal.term.code, "full_numbers": True, "template": Path(template).name if template else None,
         "profile": prof.code if prof else None, "blocking_checks": len(blocking) + len(cell_problems),
         "anyway": outcome.anyway},
    )  # fmt: skip
    session.flush()
    tmp = temp_beside(target)
    try:
        if wb is None:
            _write_standard(tmp, lines, school, proposal)
            outcome.total_row = first_row + len(lines)
        else:
            value_cols = [c for c, _f, _h in columns if c != (layout.fields.get("seq") if layout else None)]  # type: ignore[union-attr]
            keep = [i for i, (c, _f, _h) in enumerate(columns) if c in value_cols]
            rows = [[r[i] for i in keep] for r in rows]
            text_cols = [c for c, f, _h in columns if f in tpl.TEXT_FIELDS]
            res = tpl.fill(
                wb, layout, rows, value_cols, text_cols=text_cols,  # type: ignore[arg-type]
                school_name=school.name, on_date=today, progress=progress,
            )  # fmt: skip
            outcome.total_row = res.total_row
            outcome.notes += _narrow_total(wb[layout.sheet], layout, res.total_row, proposal.total)  # type: ignore[union-attr]
            wb.save(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    publish_on_commit(session, tmp, target)
    outcome.path = str(target)
    if template and layout is not None:
        remember = tpl.mapping_to_remember(layout)
        if remember:
            settings = dict(school.settings or {})
            saved = dict(settings.get("template_mappings", {}))
            if saved.get(layout.fingerprint) != remember:
                saved[layout.fingerprint] = remember
                settings["template_mappings"] = saved
                school.settings = settings
    session.flush()
    progress(len(lines), len(lines), "完成")
    return outcome


def _narrow_total(ws: Any, layout: Any, total_row: int | None, total: Decimal) -> list[str]:
    """The county's template sized its amount column for one row's amount: a school's total may not
    fit, and Excel and LibreOffice then print ### in its place."""
    col = layout.fields.get("amount")
    if total_row is None or col is None:
        return []
    letter = get_letter(col)
    width = ws.column_dimensions[letter].width if letter in ws.column_dimensions else None
    width = width or 8.43  # Excel's default
    shown = format_amount(total)
    if len(shown) + 1 <= width:
        return []
    return [
        f"合计 {shown} 在“{layout.column(col).header if layout.column(col) else letter}”列（{letter} 列，宽 {width:g}）"
        f"显示不下，打印时会显示成 ###：请在 Excel 中把 {letter} 列加宽到 {len(shown) + 2} 以上再打印。"
    ]


def get_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _profile_value(line: RosterLine, col: Any, school: School, term: TermValue) -> Any:
    from aidoffice.exporting.profiles import convert

    code = col.field
    if not code:
        return None
    if code.startswith("flag:"):
        return convert(col, code[5:] in line.groups)
    return convert(col, line_value(line, code, col.title, school=school, term=term))


def _write_standard(
    out: str | Path, lines: Sequence[RosterLine], school: School, proposal: RosterProposal
) -> None:
    from aidoffice.sheets.workbook import Column, StandardWorkbook

    book = StandardWorkbook()
    text = {"id_number", "student_no", "guardian_phone", "bank_account"}
    sheet = book.sheet(
        "花名册",
        f"{school.name}{proposal.term.label}{proposal.title}发放花名册",
        [Column(t, w, text=f in text, number_format="#,##0.00" if f in ("standard", "amount") else None)
         for t, f, w in STANDARD_COLUMNS],
    )  # fmt: skip
    for i, line in enumerate(lines, 1):
        sheet.append(
            [
                i if f == "seq" else line_value(line, f, t, school=school, term=proposal.term)
                for t, f, _w in STANDARD_COLUMNS
            ]
        )
    sheet.append(["合计"] + [None] * 10 + [proposal.total] + [None] * 5)
    book.save(out)
