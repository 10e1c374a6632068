"""Benchmark: the school ledger export, beside its floor measured in the same run on the same database.

Floor = one bare SELECT of the same rows (sqlite3, no ORM) + openpyxl's write-only mode writing as
many cells to a fresh workbook. Target: the export within 1.3× the floor, and linear in the rows (the
time per row at 1,000,000 students within 20% of that at 100,000). Peak memory is printed too.

    python bench/bench_export.py --db demo100k.db [--db demo1m.db] [--repeat 3]
    (make a database with: aidoffice --db demo100k.db demo --students 100000)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = 17

QUERY = """
SELECT s.id, s.name, s.sex, s.id_number, s.student_no, s.birth_date, s.stage, s.grade, s.class_name, s.status,
       s.boarding, t.name, v.name, s.guardian_name, s.guardian_phone, s.person_key
FROM student s LEFT JOIN village v ON v.id = s.village_id LEFT JOIN township t ON t.id = v.township_id
ORDER BY s.grade, length(s.class_name), s.class_name, s.name_sort, s.id
"""


def cpu() -> float:
    """CPU seconds of this process: steadier than the wall clock on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def floor(db: str, out: Path) -> dict[str, float]:
    from openpyxl import Workbook

    c0 = cpu()
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    rows = con.execute(QUERY).fetchall()
    select_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("floor")
    for r in rows:
        ws.append([*r[1:], None, None][:COLUMNS])
    wb.save(out)
    write_s = time.perf_counter() - t1
    return {"select_s": select_s, "write_s": write_s, "total_s": select_s + write_s, "cpu_s": cpu() - c0,
            "rows": len(rows)}  # fmt: skip


def app(db: str, out: Path) -> dict[str, float]:
    from aidoffice.db.engine import Database
    from aidoffice.exporting.ledger import export_school_ledger

    database = Database(db)
    c0 = cpu()
    t0 = time.perf_counter()
    with database.unit_of_work(note="bench") as s:
        rows = export_school_ledger(s, out, mask=True).rows
    total = time.perf_counter() - t0
    database.dispose()
    return {"total_s": total, "cpu_s": cpu() - c0, "rows": rows}


def child(kind: str, db: str) -> None:
    out = Path(tempfile.mkdtemp()) / f"{kind}.xlsx"
    result = (app if kind == "app" else floor)(db, out)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(db: str, repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """App and floor alternately (the machine is shared: both see the same noise), medians of each."""
    runs: dict[str, list[dict[str, float]]] = {"app": [], "floor": []}
    env = {**os.environ, "AIDOFFICE_HOME": str(Path(db).parent / "home")}
    for _ in range(repeat):
        for kind in runs:
            out = subprocess.run([sys.executable, __file__, "--child", kind, db], check=True, capture_output=True,
                                 text=True, env=env, cwd=ROOT)  # fmt: skip
            runs[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    app_r, floor_r = ({k: statistics.median(r[k] for r in rs) for k in rs[0]} for rs in runs.values())
    return app_r, floor_r


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    print(f"school ledger export (median of {args.repeat}, each a fresh process)")
    print("  wall-clock seconds, and CPU seconds of each process (steadier when the machine is shared)")
    print(f"  {'students':>10}{'export s':>10}{'floor s':>10}{'(select':>9}{' + write)':>10}{'ratio':>7}"
          f"{'export cpu':>12}{'floor cpu':>11}{'cpu ratio':>10}{'µs/row':>8}{'app MB':>8}{'floor MB':>9}")  # fmt: skip
    per_row = []
    for db in args.db:
        a, f = measure(db, args.repeat)
        per_row.append(a["cpu_s"] / a["rows"] * 1e6)
        print(f"  {int(a['rows']):>10,}{a['total_s']:>10.2f}{f['total_s']:>10.2f}{f['select_s']:>9.2f}"
              f"{f['write_s']:>10.2f}{a['total_s'] / f['total_s']:>7.2f}{a['cpu_s']:>12.2f}{f['cpu_s']:>11.2f}"
              f"{a['cpu_s'] / f['cpu_s']:>10.2f}{per_row[-1]:>8.1f}{a['peak_mb']:>8.0f}{f['peak_mb']:>9.0f}")  # fmt: skip
    if len(per_row) > 1:
        print(
            f"  time per row, largest vs smallest database: {per_row[-1] / per_row[0]:.2f}× (target ≤ 1.2×)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
