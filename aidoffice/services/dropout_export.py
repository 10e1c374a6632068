"""The three dropout ledgers and the monthly report written into the county's own workbook
(resources/templates/county/控辍保学三本台账及月报.xlsx is the sample; a county's template with its own
titles, styles, merges and footer works the same) through the template filler every roster export uses
(aidoffice.exporting.template.fill): each sheet is recognised by its header row, the rows go between
header and footer, styled like the sample row, and the school's name and the date fill the blanks left
for them. ID numbers are masked unless the role may export them in full and asks to (the purpose is
recorded); the workbook is written to a temporary file and renamed into place only when the audit
entry that records the export commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from aidoffice import clock
from aidoffice.access.checks import allowed, require
from aidoffice.casework import dropout_ledgers as books
from aidoffice.db.audit import record
from aidoffice.errors import InputRefused
from aidoffice.exporting import template as filler
from aidoffice.files import check_target, publish_on_commit, temp_beside
from aidoffice.ledgers.school import require_school
from aidoffice.paths import resources_dir
from aidoffice.privacy import Level

SAMPLE = "控辍保学三本台账及月报.xlsx"
# the sheets, how their titles may be written, and the columns each holds (the ledger's own order)
SHEETS = (
    ("roll", "适龄儿童花名册", ("适龄", "花名册"), books.ROLL_COLUMNS),
    ("suspects", "疑似辍学", ("疑似",), books.SUSPECT_COLUMNS),
    ("dropouts", "辍学学生", ("辍学学生", "劝返", "辍学台账"), books.DROPOUT_COLUMNS),
    ("report", "月报", ("月报", "报表", "统计"), books.REPORT_COLUMNS),
)
ALIASES = {
    "身份证号": "身份证件号", "证件号码": "身份证件号", "身份证号码": "身份证件号", "学生姓名": "姓名",
    "班级": "年级班级", "所在乡镇": "乡镇", "乡（镇）": "乡镇", "所在村": "村", "村（居）": "村", "就读情况": "就读状态",
    "辍学时间": "辍学日期", "包保责任人": "责任人", "劝返措施": "劝返方案", "备注": "核实情况",
}  # fmt: skip
TEXT_COLUMNS = {"身份证件号"}


def sample_template() -> Path:
    return resources_dir() / "templates" / "county" / SAMPLE


@dataclass
class DropoutExport:
    path: str
    rows: dict[str, int]
    month: str
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"file": self.path, "rows": self.rows, "month": self.month, "notes": self.notes}


def _header_row(ws: Any, columns: Sequence[str]) -> tuple[int, dict[int, str]] | None:
    """The row (of the first 20) naming most of `columns`, and column number → column name."""
    wanted = {filler.norm(c): c for c in columns}
    best: tuple[int, dict[int, str]] | None = None
    for r in range(1, min(ws.max_row, 20) + 1):
        found: dict[int, str] = {}
        for c in range(1, ws.max_column + 1):
            text = filler.norm(ws.cell(r, c).value)
            text = filler.norm(ALIASES.get(text, text))
            if text in wanted and wanted[text] not in found.values():
                found[c] = wanted[text]
        if len(found) >= 2 and (best is None or len(found) > len(best[1])):
            best = (r, found)
    return best


def _layout(ws: Any, columns: Sequence[str], file: str) -> filler.TemplateLayout:
    found = _header_row(ws, columns)
    if found is None:
        raise InputRefused(
            f"模板的工作表「{ws.title}」中找不到表头（应有 {'、'.join(columns[:5])} 等列）。", file=file
        )
    header, placed = found
    first = header + 1
    footer = total = None
    for r in range(first, ws.max_row + 1):
        texts = [filler.norm(ws.cell(r, c).value) for c in range(1, ws.max_column + 1)]
        if any(t and filler._TOTAL.match(t) for t in texts[:3]) and total is None:
            total = r
        if any(t and filler._FOOTER.search(t) for t in texts):
            footer = r
            break
    end = min(x for x in (total, footer, ws.max_row + 1) if x is not None)
    last = max(first, end - 1) if end > first else first - 1
    width = max(max(placed), ws.max_column)
    cols = [
        filler.TemplateColumn(c, filler.cell_text(ws.cell(header, c).value), filler.norm(ws.cell(header, c).value),
                              "seq" if placed.get(c) == "序号" else (placed.get(c) or filler.IGNORE))
        for c in range(1, width + 1)
    ]  # fmt: skip
    layout = filler.TemplateLayout(ws.title, (header,), first, last, total, footer, cols, width, "")
    filler._find_fill_cells(filler.SheetGrid(ws), layout)
    return layout


def _sheet_for(wb: Workbook, title: str, words: Sequence[str], columns: Sequence[str], used: set[str]) -> Any:
    """The sheet of that title, else one whose title has one of the words, else (a county that named
    its sheets otherwise) the one whose header names most of the columns — never a sheet already used."""
    free = [ws for ws in wb.worksheets if ws.title not in used]
    for ws in free:
        if ws.title == title:
            return ws
    for ws in free:
        if any(w in ws.title for w in words):
            return ws
    best = None
    for ws in free:
        found = _header_row(ws, columns)
        if found and len(found[1]) * 3 >= len(columns) * 2 and (best is None or len(found[1]) > best[0]):
            best = (len(found[1]), ws)
    return best[1] if best else None


def export_dropout_ledgers(
    session: Any,
    out: str | Path,
    *,
    template: str | Path | None = None,
    on: date | None = None,
    full_ids: bool = False,
    purpose: str | None = None,
) -> DropoutExport:
    require(session, "cases.view")
    require(session, "export.ledger")
    if full_ids:
        require(session, "export.full_ids")
    target = check_target(out, (".xlsx",))
    source = Path(template) if template else sample_template()
    if not source.is_file():
        raise InputRefused(f"找不到模板文件：{source}", file=str(source))
    if source.resolve() == target.resolve():
        raise InputRefused(
            "导出文件不能与模板是同一个文件（模板会被覆盖），请换一个文件名。", file=str(target)
        )
    day = on or clock.today()
    level = Level.FULL if full_ids and allowed(session, "export.full_ids") else Level.MASKED
    school = require_school(session)
    data = books.dropout_ledgers(session, on=day, level=level)
    wb = filler.open_template(source)
    counts: dict[str, int] = {}
    notes: list[str] = []
    used: set[str] = set()
    for key, title, words, columns in SHEETS:
        ws = _sheet_for(wb, title, words, columns, used)
        rows = getattr(data, key)
        if ws is None:
            notes.append(f"模板中没有“{title}”工作表，未导出这一部分（{len(rows)} 行）")
            continue
        used.add(ws.title)
        layout = _layout(ws, columns, str(source))
        index = {name: i for i, name in enumerate(columns)}
        value_cols = [c.index for c in layout.columns if c.field not in (None, filler.IGNORE, "seq")]
        names = {c.index: next(n for n in columns if filler.norm(n) == filler.norm(ALIASES.get(c.key, c.key)))
                 for c in layout.columns if c.index in value_cols}  # fmt: skip
        out_rows = [[row[index[names[c]]] for c in value_cols] for row in rows]
        text_cols = [c for c in value_cols if names[c] in TEXT_COLUMNS]
        filler.fill(
            wb, layout, out_rows, value_cols, text_cols=text_cols, school_name=school.name, on_date=day
        )
        counts[key] = len(rows)
        missing = [n for n in columns if n != "序号" and n not in names.values()]
        if missing:
            notes.append(f"“{ws.title}”模板中没有这些列，未填：{'、'.join(missing)}")
    full = level is Level.FULL
    entry = record(
        session, "export", "dropout_ledgers",
        f"导出控辍保学三本台账到 {target.name}" + ((f"（含完整证件号，用途：{purpose}）" if purpose
                                                   else "（含完整证件号，未说明用途）") if full else ""),
        {"file": str(target), "full_id_numbers": full, "rows": counts} | ({"purpose": purpose} if purpose else {}),
    )  # fmt: skip
    session.flush()
    tmp = temp_beside(target)
    try:
        wb.save(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    entry.after = {**(entry.after or {}), "rows": counts}
    publish_on_commit(session, tmp, target)
    return DropoutExport(str(target), counts, data.month, notes)
