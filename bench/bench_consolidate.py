"""Benchmark: county consolidation of 100 school workbooks × 300 rows (one template), beside only reading
the same files with python-calamine in the same run (the floor).

    python bench/bench_consolidate.py [--schools 100] [--rows 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aidoffice.domain.idnumber import make_id  # noqa: E402
from aidoffice.exporting import template as tpl  # noqa: E402
from aidoffice.exporting.consolidate import consolidate  # noqa: E402
from aidoffice.exporting.samples import Shape, build  # noqa: E402


def school_files(folder: Path, schools: int, rows: int) -> list[Path]:
    paths = []

    def ident(s: int, i: int) -> str:
        return make_id("130624", date(2010 + i % 6, 1 + s % 12, 1 + (s // 12) % 28), i // 6 % 1000)

    shared = [ident(999, k) for k in range(5)]  # five children on two schools' rosters
    for s in range(schools):
        wb = build(Shape())
        layout = tpl.analyse_workbook(wb)
        f = layout.fields
        cols = [f["name"], f["id_number"], f["grade"], f["class_name"], f["amount"], f["bank_account"]]
        data = []
        for i in range(rows):
            number = shared[s % 5] if i == 0 and s < 10 else ident(s, i)
            data.append(
                [
                    f"学生{s}-{i}",
                    number,
                    "七年级",
                    f"{i % 6 + 1}班",
                    Decimal("750.00"),
                    f"6228{s:04d}{i:011d}",
                ]
            )
        tpl.fill(wb, layout, data, cols, text_cols=[f["id_number"], f["bank_account"]], school_name=f"第{s + 1}中学",
                 on_date=date(2026, 9, 20))  # fmt: skip
        path = folder / f"第{s + 1:03d}中学.xlsx"
        wb.save(path)
        paths.append(path)
    return paths


def read_only(paths: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for p in paths:
        rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
    return cells


def read_and_write(paths: list[Path], out: Path) -> None:
    """Reading every file with calamine and writing all their rows with openpyxl write-only: the least any
    consolidation that produces a workbook has to do."""
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from aidoffice.sheets.cells import cell_value

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("汇总")
    for p in paths:
        rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        for row in rows[3:-4]:
            ws.append([cell_value(ws, v) for v in row])
    wb.save(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aidoffice-bench-consolidate-"))
    t = time.perf_counter()
    paths = school_files(work, args.schools, args.rows)
    print(f"{args.schools} school workbooks × {args.rows} rows written in {time.perf_counter() - t:.1f} s")
    floor, ours, rw = [], [], []
    result = None
    for i in range(args.repeat):
        for name in ("floor", "rw", "ours") if i % 2 == 0 else ("ours", "rw", "floor"):
            t = time.perf_counter()
            if name == "floor":
                read_only(paths)
                floor.append(time.perf_counter() - t)
            elif name == "rw":
                read_and_write(paths, work / "peer.xlsx")
                rw.append(time.perf_counter() - t)
            else:
                result = consolidate(paths, work / "县汇总.xlsx")
                ours.append(time.perf_counter() - t)
    f, o, w = statistics.median(floor), statistics.median(ours), statistics.median(rw)
    print(f"{'':44}{'seconds':>9}{'× floor':>9}")
    print(f"{'python-calamine only reading the files (floor)':44}{f:9.2f}{1:9.2f}")
    print(f"{'reading them + write-only of all the rows':44}{w:9.2f}{w / f:9.2f}")
    print(f"{'consolidate (read, check, write the template)':44}{o:9.2f}{o / f:9.2f}")
    assert result is not None
    counts: dict[str, int] = {}
    for p in result.problems:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    print(f"rows {result.rows}, total {result.total}, problems {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
