"""Benchmark: importing a 20,000-row 学籍 export end to end, beside python-calamine reading the same file.

Each figure is a fresh process, timed from process start to exit (for the import: to commit):
  - floor: `python -c "python_calamine: read the sheet"`;
  - the first import (20,000 new students) and a re-import of the same file (20,000 unchanged);
  - the preview alone (`--dry-run`);
the CPU seconds (user + system) and the peak memory (max RSS) of each process. Target: import ≤ 3 ×
the floor. The children run from compiled bytecode, as an installed program does (a session that sets
PYTHONDONTWRITEBYTECODE would otherwise compile every module from source on every run, 0.3 s).

With --pg URL (postgresql+psycopg://…/an_empty_database_for_the_bench), the same on PostgreSQL: the
bench empties that database's public schema before each round.

With --huge N, also a CSV of N rows (say 1,000,000) beyond the row limit: how long the refusal takes
and how much memory it needs (it must be seconds and flat, not the whole file in memory).

    python bench/bench_import.py [--rows 20000] [--repeat 3] [--huge 1000000] [--pg URL]

Where the time goes inside one import: bench/import_phases.py.
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


def timed(cmd: list[str], env: dict[str, str], expect: int = 0) -> tuple[float, float, float]:
    """Seconds from start to exit, the child's CPU seconds (user + system) and its peak memory in MB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != expect:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _empty_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--huge", type=int, default=0, help="also time refusing a CSV of this many rows")
    parser.add_argument(
        "--pg", metavar="URL", help="an empty PostgreSQL database to run on instead of SQLite"
    )
    parser.add_argument("--write", metavar="PATH", help=argparse.SUPPRESS)  # internal: build the file
    args = parser.parse_args()
    if args.write:
        return _write(Path(args.write), args.rows)

    work = Path(tempfile.mkdtemp(prefix="aidoffice-bench-"))
    path = work / "学籍系统导出.xlsx"
    t = time.perf_counter()
    # built in a child process: Linux carries a process's peak memory over into the children it
    # starts, so a bench that had built a 100,000-row workbook itself would report its own peak
    # as every child's
    subprocess.run([sys.executable, __file__, "--write", str(path), "--rows", str(args.rows)], check=True)
    print(f"file: {args.rows} rows × 22 columns, {path.stat().st_size / 1e6:.1f} MB "
          f"(written in {time.perf_counter() - t:.1f} s)")  # fmt: skip
    env = {**os.environ, "AIDOFFICE_HOME": str(work / "home")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app = [sys.executable, "-m", "aidoffice"]
    subprocess.run([*app, "--help"], env=env, check=True, capture_output=True)  # bytecode written

    results: dict[str, list[tuple[float, float, float]]] = {
        "floor": [],
        "preview": [],
        "first": [],
        "again": [],
    }
    for i in range(args.repeat):
        db = args.pg or str(work / f"bench{i}.db")
        if args.pg:
            _empty_pg(args.pg)
        subprocess.run([*app, "--db", db, "init", "--school", "阜平县城关中学", "--school-code", "3113006241"],
                       env=env, check=True, capture_output=True)  # fmt: skip
        results["floor"].append(timed([sys.executable, "-c", CALAMINE, str(path)], env))
        results["preview"].append(
            timed([*app, "--db", db, "import", "students", str(path), "--dry-run"], env)
        )
        results["first"].append(timed([*app, "--db", db, "import", "students", str(path)], env))
        results["again"].append(timed([*app, "--db", db, "import", "students", str(path)], env))

    floor = statistics.median(t for t, _, _ in results["floor"])
    floor_cpu = statistics.median(c for _, c, _ in results["floor"])
    labels = {
        "floor": "python-calamine alone reads the file",
        "preview": "preview (--dry-run): read, check, plan",
        "first": f"import, {args.rows:,} new students, to commit",
        "again": f"re-import, {args.rows:,} unchanged, to commit",
    }
    print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"\n{'measure':44} {'median s':>9} {'× floor':>8} {'CPU s':>7} {'× floor':>8} {'peak MB':>8}"
        f"   (median of {args.repeat})"
    )
    for key, label in labels.items():
        t = statistics.median(x for x, _, _ in results[key])
        c = statistics.median(x for _, x, _ in results[key])
        mb = max(m for _, _, m in results[key])
        print(f"{label:44} {t:9.2f} {t / floor:8.1f} {c:7.2f} {c / floor_cpu:8.1f} {mb:8.0f}")
    print("\ntarget: import ≤ 3.0 × floor")
    if args.huge:
        _huge(work, args.huge, app, env)
    return 0


def _write(path: Path, rows: int) -> int:
    import csv

    from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_fast_xlsx

    if path.suffix == ".xlsx":
        write_fast_xlsx(path, [["阜平县城关中学学生名单"], ENROLLMENT_HEADER, *enrollment_rows(rows)])
        return 0
    block = enrollment_rows(10_000)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ENROLLMENT_HEADER)
        for _ in range(rows // len(block)):
            writer.writerows(block)
    return 0


def _huge(work: Path, rows: int, app: list[str], env: dict[str, str]) -> None:
    """A CSV far past the row limit: refused (exit 1) in seconds with flat memory."""
    path = work / "全县.csv"
    subprocess.run([sys.executable, __file__, "--write", str(path), "--rows", str(rows)], check=True)
    db = str(work / "huge.db")
    subprocess.run([*app, "--db", db, "init", "--school", "阜平县城关中学", "--school-code", "3113006241"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    seconds, _, mb = timed([*app, "--db", db, "import", "students", str(path), "--dry-run"], env, expect=1)
    size = path.stat().st_size / 1e6
    print(f"\n{rows:,}-row CSV ({size:.0f} MB) refused (exit 1) in {seconds:.2f} s, peak {mb:.0f} MB")


if __name__ == "__main__":
    raise SystemExit(main())
