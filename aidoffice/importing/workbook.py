"""The import report as a workbook the clerk can fix and import again: every row of the original sheet
at its original row number, with 导入结果 and 原因或提示 added at the right; refused rows red, rows
with warnings yellow. The two added columns are ignored when the file comes back.

Every cell goes through `sheets.cells`: text the file carried that starts with = stays text (the
report must never run a formula someone planted in a list), control characters cannot break the
workbook, ID and account numbers stay text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill

from aidoffice.files import atomic_path, check_target, discard_write_only
from aidoffice.importing.report import ROW_ACTION_NAMES, Action, ImportReport
from aidoffice.sheets.cells import cell_value, text_cell
from aidoffice.sheets.headers import column_letter

RED = PatternFill("solid", fgColor="FFC7CE")
YELLOW = PatternFill("solid", fgColor="FFEB9C")
GREY = PatternFill("solid", fgColor="D9D9D9")
BOLD = Font(bold=True)
_TEXT_FIELDS = {
    "id_number",
    "student_no",
    "head_id_number",
    "bank_account",
    "guardian_phone",
    "phone",
    "household_no",
}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str) and value.__class__ is not str:
        return str(value)  # an ExcelError: written back as the error it was
    return value


def _styled(ws: Any, value: Any) -> Cell:
    """A cell that can take a fill or font: `cell_value`'s rules (a formula-like text stays text,
    control characters replaced), always as a cell object."""
    if isinstance(value, Cell):  # text_cell made it already
        return value
    safe = cell_value(ws, value)
    if isinstance(safe, Cell):  # WriteOnlyCell is a factory of Cells
        return safe
    return WriteOnlyCell(ws, safe)


def write_report(report: ImportReport, out: str | Path) -> Path:
    target = check_target(out, (".xlsx",))
    table, layout = report.table, report.layout
    width = max((len(r) for r in table.rows), default=0)
    result_col = width
    text_cols = {i for f, i in layout.fields.items() if f in _TEXT_FIELDS}
    outcomes = {o.row: o for o in report.outcomes}
    warnings = report.warnings_by_row
    header_last = layout.header_rows[-1]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("逐行结果")
    ws.freeze_panes = f"A{layout.data_start + 1}"
    ws.column_dimensions[column_letter(result_col)].width = 10
    ws.column_dimensions[column_letter(result_col + 1)].width = 70
    for index, raw in enumerate(table.rows):
        number = index + 1
        outcome = outcomes.get(number)
        notes = warnings.get(number, [])
        fill = None
        if outcome is not None and outcome.action is Action.REFUSED:
            fill = RED
        elif notes:
            fill = YELLOW
        cells = []
        for col in range(width):
            value = _plain(raw[col]) if col < len(raw) else None
            if col in text_cols and isinstance(value, str | int) and index not in layout.header_rows:
                cell = _styled(ws, text_cell(ws, value))
            else:
                cell = _styled(ws, value)
            if fill is not None:
                cell.fill = fill
            if index in layout.header_rows:
                cell.font = BOLD
            cells.append(cell)
        if index == header_last:
            for name in ("导入结果", "原因或提示"):
                c = WriteOnlyCell(ws, name)
                c.font, c.fill = BOLD, GREY
                cells.append(c)
        elif outcome is not None:
            detail = outcome.detail
            extra = "；".join(f"{w.field + '：' if w.field else ''}{w.reason}" for w in notes)
            result = _styled(ws, ROW_ACTION_NAMES[outcome.action])
            reason = _styled(ws, "；".join(filter(None, [detail, extra])))
            reason.alignment = Alignment(wrap_text=False)
            if fill is not None:
                result.fill = reason.fill = fill
            cells += [result, reason]
        ws.append(cells)

    summary = wb.create_sheet("汇总")
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 30
    summary.column_dimensions["C"].width = 80
    summary.append([cell_value(summary, report.summary())])
    for line in report.notes:
        summary.append([cell_value(summary, f"说明：{line}")])
    general = [w for w in report.warnings if w.row is None]
    for w in general:
        summary.append([cell_value(summary, f"提示：{w.reason}")])
    if report.missing:
        summary.append([])
        head = [
            WriteOnlyCell(summary, t) for t in (f"{report.missing_label}（证件号）", "姓名 / 位置", "说明")
        ]
        for c in head:
            c.font, c.fill = BOLD, GREY
        summary.append(head)
        for m in report.missing:
            summary.append(
                [
                    text_cell(summary, m.key),
                    cell_value(summary, f"{m.name}（{m.where}）"),
                    cell_value(summary, m.note),
                ]
            )
    try:
        with atomic_path(target) as tmp:
            wb.save(tmp)
    except BaseException:
        discard_write_only(wb)  # its writers closed now, not by the garbage collector
        raise
    return target
