"""Benchmark: the student ledger over a 100,000-student demo database.

Prints, in one run, beside its floor (a bare sqlite3 SELECT of the same rows):
  - demo generation time;
  - opening the student ledger page until the first rows are painted (target < 1 s);
  - a pinyin-initials search over all students (target < 100 ms);
  - peak memory of the app process (target < 400 MB).

    python bench/bench_ledger.py [--students 100000] [--db PATH]
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
SEARCH = "zs"


def probe(db_path: str) -> None:
    """Runs in a child process: the app as a clerk starts it, offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from aidoffice.db.engine import Database
    from aidoffice.ledgers.student_queries import StudentFilter
    from ui.main_window import MainWindow

    app = QApplication([])
    imported = time.perf_counter()
    db = Database(db_path)
    painted: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint and not painted and window.students.model.rowCount():
                painted.append(time.perf_counter())
            return False

    t0 = time.perf_counter()
    window = MainWindow(db)
    watch = PaintWatch()
    window.students.table.viewport().installEventFilter(watch)
    window.show()
    while not painted and time.perf_counter() - t0 < 30:
        app.processEvents()
    first_paint = painted[0] - t0
    searches = []
    for _ in range(7):
        s0 = time.perf_counter()
        window.students.model.set_filter(StudentFilter(search=SEARCH))
        window.students.model.data(window.students.model.index(0, 0))
        searches.append(time.perf_counter() - s0)
        window.students.model.set_filter(StudentFilter())
    found = window.students.model.rowCount()
    window.students.model.set_filter(StudentFilter(search=SEARCH))
    found = window.students.model.rowCount()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "startup_to_window_s": t0 - started, "imports_s": imported - started, "first_paint_s": first_paint,
        "search_ms": statistics.median(searches) * 1000, "search_hits": found, "peak_rss_mb": rss_mb,
    }))  # fmt: skip


def floor(db_path: str) -> dict[str, float]:
    """The same rows with a bare sqlite3 SELECT: the least any program could take."""
    con = sqlite3.connect(db_path)
    t0 = time.perf_counter()
    con.execute("SELECT count(*) FROM student").fetchone()
    con.execute(
        "SELECT s.*, v.name, t.name FROM student s LEFT JOIN village v ON v.id = s.village_id "
        "LEFT JOIN township t ON t.id = v.township_id ORDER BY s.grade, length(s.class_name), s.class_name, "
        "s.name_pinyin, s.id LIMIT 200"
    ).fetchall()
    first = time.perf_counter() - t0
    times = []
    for _ in range(7):
        t1 = time.perf_counter()
        cond = "(name_initials >= ?1 AND name_initials < ?2) OR (name_pinyin >= ?1 AND name_pinyin < ?2)"
        bounds = (SEARCH, SEARCH[:-1] + chr(ord(SEARCH[-1]) + 1))
        con.execute(f"SELECT count(*) FROM student WHERE {cond}", bounds).fetchone()
        con.execute(
            f"SELECT * FROM student WHERE {cond} ORDER BY grade, class_name, name_pinyin LIMIT 200", bounds
        ).fetchall()
        times.append(time.perf_counter() - t1)
    return {"first_rows_s": first, "search_ms": statistics.median(times) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--db", help="reuse this demo database (made if missing)")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe)
        return 0
    db_path = args.db or str(Path(tempfile.mkdtemp()) / f"bench-{args.students}.db")
    env = {**os.environ, "AIDOFFICE_HOME": str(Path(db_path).parent / "home"), "QT_QPA_PLATFORM": "offscreen"}
    demo_s = None
    if not Path(db_path).exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aidoffice", "--db", db_path, "demo", "--students", str(args.students)],
                       check=True, env=env, cwd=ROOT)  # fmt: skip
        demo_s = time.perf_counter() - t0
    base = floor(db_path)
    out = subprocess.run([sys.executable, __file__, "--probe", db_path], check=True, env=env, cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    app = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"student ledger benchmark — {args.students:,} students, {db_path}")
    if demo_s is not None:
        print(f"  demo --students {args.students}: {demo_s:.1f} s")
    print(f"  {'measure':<34}{'app':>10}{'floor (bare SELECT)':>22}{'ratio':>8}{'target':>10}")
    rows = [
        ("first rows painted (s)", app["first_paint_s"], base["first_rows_s"], "< 1 s"),
        (
            f"search '{SEARCH}' ({app['search_hits']} hits) (ms)",
            app["search_ms"],
            base["search_ms"],
            "< 100 ms",
        ),
    ]
    for name, value, fl, target in rows:
        print(f"  {name:<34}{value:>10.3f}{fl:>22.3f}{value / fl if fl else 0:>8.1f}{target:>10}")
    print(f"  {'peak memory of the app (MB)':<34}{app['peak_rss_mb']:>10.0f}{'':>22}{'':>8}{'< 400 MB':>10}")
    print(
        f"  (process start to window: {app['startup_to_window_s']:.2f} s, of which imports {app['imports_s']:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
