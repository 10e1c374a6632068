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
    from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from aidoffice.db.engine import Database
    from aidoffice.ledgers.student_queries import StudentFilter
    from ui.main_window import MainWindow
    from ui.operations import AppContext

    app = QApplication([])
    imported = time.perf_counter()
    ctx = AppContext(Database(db_path))
    painted: list[float] = []

    t0 = time.perf_counter()
    window = MainWindow(ctx)
    model = window.students.model

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint and not painted and model._pages:
                painted.append(time.perf_counter())
            return False

    watch = PaintWatch()
    window.students.table.viewport().installEventFilter(watch)
    window.show()

    def spin(until, limit=60.0):  # type: ignore[no-untyped-def]
        end = time.perf_counter() + limit
        while not until() and time.perf_counter() < end:
            app.processEvents()

    spin(lambda: painted)
    first_paint = painted[0] - t0

    # The GUI thread's longest stall while the model works: a 5 ms timer that should tick on time.
    stalls: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        stalls.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)

    def load(f=None, sort="grade", descending=False):  # type: ignore[no-untyped-def]
        """Filter or sort, then fetch the first and the last page: seconds for each step."""
        if f is not None:
            model.filter = f
        model.sort_key, model.descending = sort, descending
        gen = model._generation
        t_ids = time.perf_counter()
        model.refresh()
        spin(lambda: model._generation == gen + 1 and not model.loading)
        ids_s = time.perf_counter() - t_ids
        out = {"ids_s": ids_s, "rows": model.rowCount()}
        for name, row in (("first_page_s", 0), ("last_page_s", max(0, model.rowCount() - 1))):
            page = row // model.PAGE
            t1 = time.perf_counter()
            model.data(model.index(row, 0))
            spin(lambda p=page: p in model._pages)
            out[name] = time.perf_counter() - t1
        return out

    results = {
        "by grade": load(StudentFilter(), "grade"),
        "by village": load(StudentFilter(), "village"),
        "by name, descending": load(StudentFilter(), "name", True),
    }
    searches = [load(StudentFilter(search=SEARCH))["ids_s"] for _ in range(5)]
    found = model.rowCount()
    timer.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ctx.wait()
    print(json.dumps({
        "startup_to_window_s": t0 - started, "imports_s": imported - started, "first_paint_s": first_paint,
        "search_ms": statistics.median(searches) * 1000, "search_hits": found, "peak_rss_mb": rss_mb,
        "pages": results, "max_stall_ms": max(stalls) if stalls else 0.0,
    }))  # fmt: skip


def floor(db_path: str) -> dict[str, float]:
    """The same rows with a bare sqlite3 SELECT: the least any program could take."""
    con = sqlite3.connect(db_path)
    order = "s.grade, length(s.class_name), s.class_name, s.name_sort, s.id"
    t0 = time.perf_counter()
    last = con.execute(f"SELECT s.id FROM student s ORDER BY {order}").fetchall()[-200:]
    ids_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute(f"SELECT * FROM student WHERE id IN ({','.join(str(r[0]) for r in last)})").fetchall()
    page_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute("SELECT count(*) FROM student").fetchone()
    con.execute(
        "SELECT s.*, v.name, t.name FROM student s LEFT JOIN village v ON v.id = s.village_id "
        "LEFT JOIN township t ON t.id = v.township_id ORDER BY s.grade, length(s.class_name), s.class_name, "
        "s.name_sort, s.id LIMIT 200"
    ).fetchall()
    first = time.perf_counter() - t0
    times = []
    for _ in range(7):
        t1 = time.perf_counter()
        cond = "(name_initials >= ?1 AND name_initials < ?2) OR (name_pinyin >= ?1 AND name_pinyin < ?2)"
        bounds = (SEARCH, SEARCH[:-1] + chr(ord(SEARCH[-1]) + 1))
        con.execute(f"SELECT count(*) FROM student WHERE {cond}", bounds).fetchone()
        con.execute(
            f"SELECT * FROM student WHERE {cond} ORDER BY grade, class_name, name_sort LIMIT 200", bounds
        ).fetchall()
        times.append(time.perf_counter() - t1)
    return {
        "first_rows_s": first,
        "search_ms": statistics.median(times) * 1000,
        "ids_s": ids_s,
        "page_by_id_s": page_s,
    }


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
        f"  {'longest GUI-thread stall (ms)':<34}{app['max_stall_ms']:>10.0f}{'':>22}{'':>8}{'< 100 ms':>10}"
    )
    print(
        f"\n  {'sort / filter':<22}{'ids (s)':>10}{'first page (s)':>16}{'last page (s)':>15}  floor: ids {base['ids_s']:.3f} s, 200 rows by id {base['page_by_id_s']:.4f} s"
    )
    for name, r in app["pages"].items():
        print(f"  {name:<22}{r['ids_s']:>10.3f}{r['first_page_s']:>16.4f}{r['last_page_s']:>15.4f}")
    print(
        f"  (process start to window: {app['startup_to_window_s']:.2f} s, of which imports {app['imports_s']:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
