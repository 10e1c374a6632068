"""Benchmark: importing a 20,000-row 学籍 export end to end, beside python-calamine reading the same file.

Each figure is a fresh process, timed from process start to exit (for the import: to commit):
  - floor: `python -c "python_calamine: read the sheet"`;
  - the first import (20,000 new students) and a re-import of the same file (20,000 unchanged);
  - the preview alone (`--dry-run`);
and the peak memory (max RSS) of each process. Target: import ≤ 3 × the floor.

    python bench/bench_import.py [--rows 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALAMINE = (
    "import sys; from python_calamine import CalamineWorkbook; "
    "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python(skip_empty_area=False)"
)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from start to exit, and the child's peak memory in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_fast_xlsx

    work = Path(tempfile.mkdtemp(prefix="aidoffice-bench-"))
    path = work / "学籍系统导出.xlsx"
    t = time.perf_counter()
    write_fast_xlsx(path, [["阜平县城关中学学生名单"], ENROLLMENT_HEADER, *enrollment_rows(args.rows)])
    print(f"file: {args.rows} rows × {len(ENROLLMENT_HEADER)} columns, {path.stat().st_size / 1e6:.1f} MB "
          f"(written in {time.perf_counter() - t:.1f} s)")  # fmt: skip
    env = {**os.environ, "AIDOFFICE_HOME": str(work / "home")}
    app = [sys.executable, "-m", "aidoffice"]

    results: dict[str, list[tuple[float, float]]] = {"floor": [], "preview": [], "first": [], "again": []}
    for i in range(args.repeat):
        db = str(work / f"bench{i}.db")
        subprocess.run([*app, "--db", db, "init", "--school", "阜平县城关中学", "--school-code", "3113006241"],
                       env=env, check=True, capture_output=True)  # fmt: skip
        results["floor"].append(timed([sys.executable, "-c", CALAMINE, str(path)], env))
        results["preview"].append(
            timed([*app, "--db", db, "import", "students", str(path), "--dry-run"], env)
        )
        results["first"].append(timed([*app, "--db", db, "import", "students", str(path)], env))
        results["again"].append(timed([*app, "--db", db, "import", "students", str(path)], env))

    floor = statistics.median(t for t, _ in results["floor"])
    labels = {
        "floor": "python-calamine alone reads the file",
        "preview": "preview (--dry-run): read, check, plan",
        "first": "import, 20,000 new students, to commit",
        "again": "re-import, 20,000 unchanged, to commit",
    }
    print(f"\n{'measure':44} {'median s':>9} {'× floor':>8} {'peak MB':>8}   (median of {args.repeat})")
    for key, label in labels.items():
        t = statistics.median(x for x, _ in results[key])
        mb = max(m for _, m in results[key])
        print(f"{label:44} {t:9.2f} {t / floor:8.1f} {mb:8.0f}")
    print("\ntarget: import ≤ 3.0 × floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
