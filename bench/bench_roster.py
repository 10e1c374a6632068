"""Benchmark: 20,000 award rows into a county template (two-row merged header, 合计 formula, signature
lines, print titles and area, validation), beside openpyxl's write-only mode writing the same rows to a
fresh workbook in the same run (the peer), and a naive fill with `insert_rows` for reference.

- template fill: load the template, find header/sample/total/footer, write the rows, move the block
  below, re-range the total, save (to a temporary file, renamed into place). Target: ≤ 2 × the peer.
- peer: `Workbook(write_only=True)`, the same values through the same safe-cell helpers, saved.
- naive: load, `insert_rows` once for the extra rows, write each cell and copy the sample's style —
  and what that leaves broken (merges, the total's range, print area), measured, not assumed.
- naive, one row at a time (`insert_rows` per student, as a hand-written macro would): at 2,000 rows.

Each figure is the median of --repeat runs, alternating the order.

    python bench/bench_roster.py [--rows 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from copy import copy
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook, load_workbook  # noqa: E402

from aidoffice.exporting import template as tpl  # noqa: E402
from aidoffice.exporting.samples import Shape, build  # noqa: E402
from aidoffice.files import atomic_path  # noqa: E402
from aidoffice.sheets.cells import cell_value, set_value, text_cell  # noqa: E402
from tests.factories import an_id  # noqa: E402

TEXT_FIELDS = ("id_number", "student_no", "guardian_phone", "bank_account")


def make_rows(layout: tpl.TemplateLayout, n: int) -> tuple[list[list], list[int], list[int]]:
    fields = {c: f for f, c in layout.fields.items() if f != "seq"}
    cols = sorted(fields)
    rows = []
    for i in range(n):
        ident = an_id()
        values = {
            "name": ("张三丰", "李思思", "王小明", "欧阳𠮷")[i % 4], "sex": "男" if i % 2 else "女", "id_number": ident,
            "student_no": "G" + ident, "grade": ("七年级", "八年级", "九年级")[i % 3], "class_name": f"{i % 8 + 1}班",
            "category": ("脱贫家庭", "低保", "特别困难", "一般困难")[i % 4], "boarding": "是", "standard": Decimal("750.00"),
            "amount": Decimal("750.00"), "guardian_name": "张大山", "guardian_phone": f"138{i:08d}",
            "bank_name": "农村信用社", "bank_account": f"622848{i:013d}", "notes": None,
        }  # fmt: skip
        rows.append([values.get(fields[c]) for c in cols])
    text = [layout.fields[f] for f in TEXT_FIELDS if f in layout.fields]
    return rows, cols, text


def fill_template(template: Path, out: Path, rows, cols, text) -> tpl.FillResult:
    wb = load_workbook(template, rich_text=True)
    layout = tpl.analyse_workbook(wb)
    res = tpl.fill(wb, layout, rows, cols, text_cols=text, school_name="阜平县城关中学")
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return res


def write_only(out: Path, rows, cols, text) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    text_idx = [i for i, c in enumerate(cols) if c in text]
    for seq, values in enumerate(rows, 1):
        row = [cell_value(ws, v) for v in values]
        for i in text_idx:
            if values[i] is not None:
                row[i] = text_cell(ws, values[i])
        ws.append([seq, *row])
    with atomic_path(out) as tmp:
        wb.save(tmp)


def naive(template: Path, out: Path, rows, cols, text, one_by_one: bool = False) -> None:
    wb = load_workbook(template, rich_text=True)
    layout = tpl.analyse_workbook(wb)
    ws = wb[layout.sheet]
    first = layout.first_data_row
    sample = {c: copy(ws.cell(first, c)._style) for c in range(1, layout.width + 1)}
    if one_by_one:
        for _ in range(len(rows) - 1):
            ws.insert_rows(first + 1)
    else:
        ws.insert_rows(first + 1, len(rows) - 1)
    for i, values in enumerate(rows):
        r = first + i
        for c in range(1, layout.width + 1):
            ws.cell(r, c)._style = copy(sample[c])
        ws.cell(r, 1).value = i + 1
        for c, v in zip(cols, values, strict=True):
            set_value(ws.cell(r, c), v, as_text=c in text)
    with atomic_path(out) as tmp:
        wb.save(tmp)


def broken(path: Path, n: int, layout: tpl.TemplateLayout) -> list[str]:
    """What a filled file got wrong: the total's merge and range, the footer, the print area."""
    ws = load_workbook(path)[layout.sheet]
    first = layout.first_data_row
    total = first + n
    problems = []
    if f"A{total}:C{total}" not in {m.coord for m in ws.merged_cells.ranges}:
        problems.append("合计行的合并单元格没有跟着下移")
    if ws.cell(total, 11).value != f"=SUM(K{first}:K{total - 1})":
        problems.append(f"合计公式仍是 {ws.cell(total, 11).value}")
    if ws.cell(total + 2, 1).value != "制表人：":
        problems.append("签字行位置不对")
    if not ws.print_area.endswith(f"${total + 3}"):
        problems.append(f"打印区域仍是 {ws.print_area}")
    if [str(d.sqref) for d in ws.data_validations.dataValidation] != [f"I{first}:I{total - 1}"]:
        problems.append("数据验证没有覆盖新行")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one-by-one-rows", type=int, default=2_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aidoffice-bench-roster-"))
    template = work / "县模板.xlsx"
    build(Shape(two_row_header=True, instructions_sheet=True)).save(template)
    layout = tpl.analyse_workbook(load_workbook(template))
    rows, cols, text = make_rows(layout, args.rows)
    print(f"template: two-row merged header, 合计 formula, footer; {args.rows} rows × {layout.width} columns")
    times: dict[str, list[float]] = {"fill": [], "peer": [], "naive": []}
    runs = {
        "fill": lambda: fill_template(template, work / "filled.xlsx", rows, cols, text),
        "peer": lambda: write_only(work / "peer.xlsx", rows, cols, text),
        "naive": lambda: naive(template, work / "naive.xlsx", rows, cols, text),
    }
    for i in range(args.repeat):
        order = ["fill", "peer", "naive"] if i % 2 == 0 else ["peer", "naive", "fill"]
        for name in order:
            t = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - t)
    small = rows[: args.one_by_one_rows]
    t = time.perf_counter()
    naive(template, work / "naive1.xlsx", small, cols, text, one_by_one=True)
    one_by_one = time.perf_counter() - t
    t = time.perf_counter()
    fill_template(template, work / "filled-small.xlsx", small, cols, text)
    small_fill = time.perf_counter() - t
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{'':38}{'seconds':>9}{'× peer':>9}")
    print(f"{'openpyxl write-only, fresh workbook (peer)':38}{med['peer']:9.2f}{1:9.2f}")
    print(f"{'template fill (aidoffice)':38}{med['fill']:9.2f}{med['fill'] / med['peer']:9.2f}")
    print(f"{'naive: insert_rows once + copy styles':38}{med['naive']:9.2f}{med['naive'] / med['peer']:9.2f}")
    print(f"at {len(small)} rows: insert_rows per row {one_by_one:.2f} s, template fill {small_fill:.2f} s "
          f"({one_by_one / small_fill:.1f}×)")  # fmt: skip
    print("template fill leaves broken:", broken(work / "filled.xlsx", args.rows, layout) or "nothing")
    print("naive fill leaves broken:   ", broken(work / "naive.xlsx", args.rows, layout) or "nothing")
    target = med["fill"] <= 2 * med["peer"]
    print(f"target ≤ 2 × peer: {'met' if target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
