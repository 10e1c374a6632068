"""Where the time of one 学籍 import goes: runs `aidoffice import students FILE` in this process (the
same code path as the command) with a stopwatch around each phase, and prints wall and CPU seconds
per phase. With --profile OUT, also writes a cProfile of the whole run (open with `python -m pstats`).

    python bench/import_phases.py --db URL_OR_FILE FILE.xlsx [--dry-run] [--profile OUT.prof]

The phases (inclusive timers around functions that do not nest, so they add up; "other" is the rest):
start-up (interpreter to the command), parse (calamine on its worker thread; only the part the
command waits for counts in the sum), code loading, open (migration check, catalogue, sign-in),
lock+backup, header recognition, screening (dirt, lengths), cleaning and ID checks, places, matching,
village ids, pinyin keys, bulk insert, audit, flush+commit, result (masking the JSON, printing).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import os
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
STARTED_CPU = time.process_time()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

wall: dict[str, float] = {}
cpu: dict[str, float] = {}


def _add(phase: str, w: float, c: float) -> None:
    wall[phase] = wall.get(phase, 0.0) + w
    cpu[phase] = cpu.get(phase, 0.0) + c


_open_phases: set[str] = set()


@contextlib.contextmanager
def timing(phase: str):  # type: ignore[no-untyped-def]
    if phase in _open_phases:  # a recursive call is timed once, by its outermost call
        yield
        return
    _open_phases.add(phase)
    w, c = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        _open_phases.discard(phase)
        _add(phase, time.perf_counter() - w, time.thread_time() - c)


def timed(phase: str, fn):  # type: ignore[no-untyped-def]
    @functools.wraps(fn)
    def wrapper(*a, **k):  # type: ignore[no-untyped-def]
        with timing(phase):
            return fn(*a, **k)

    return wrapper


def timed_iter(phase: str, fn):  # type: ignore[no-untyped-def]
    """A generator function whose every step is timed (its consumer's time is not)."""

    @functools.wraps(fn)
    def wrapper(*a, **k):  # type: ignore[no-untyped-def]
        it = fn(*a, **k)
        while True:
            with timing(phase):
                try:
                    item = next(it)
                except StopIteration:
                    return
            yield item

    return wrapper


def install() -> None:
    import aidoffice.cli.imports as cli  # the import command's module: its open_db and masked_json
    from aidoffice.sheets import readers

    parse: dict[str, float] = {}

    def read_ahead(path, sheet=None):  # type: ignore[no-untyped-def]
        def read():  # type: ignore[no-untyped-def]
            w, c = time.perf_counter(), time.thread_time()
            try:
                return readers.read_table(path, sheet)
            finally:
                parse["wall"], parse["cpu"] = time.perf_counter() - w, time.thread_time() - c

        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(read)
        pool.shutdown(wait=False)
        real_result = future.result

        def result(*a, **k):  # type: ignore[no-untyped-def]
            with timing("parse (waited for)"):
                return real_result(*a, **k)

        future.result = result  # type: ignore[method-assign]
        with timing("code loading (SQLAlchemy, models, services)"):
            import aidoffice.importing.service
            import aidoffice.office  # noqa: F401

            _install_rest()
        return future

    readers.read_ahead = read_ahead
    install.parse = parse  # type: ignore[attr-defined]
    cli.open_db = timed("open (migrations check, catalogue, sign-in)", cli.open_db)
    cli.masked_json = timed("result (mask, JSON, print)", cli.masked_json)


def _install_rest() -> None:
    """The stopwatches inside the import, put in place once the command has loaded its code."""

    from aidoffice import office
    from aidoffice.db import audit
    from aidoffice.importing import service, students
    from aidoffice.ledgers import places

    real_batch = office.batch_operation

    @contextlib.contextmanager
    def batch_operation(db, operation):  # type: ignore[no-untyped-def]
        with timing("lock + backup"):
            cm = real_batch(db, operation)
            cm.__enter__()
        try:
            yield
        except BaseException:
            if not cm.__exit__(*sys.exc_info()):
                raise
        else:
            cm.__exit__(None, None, None)

    office.batch_operation = batch_operation
    service.inspect_file = timed("header recognition", service.inspect_file)
    service.screen_rows = timed_iter("screening (rows, dirt, lengths)", service.screen_rows)
    students._Reader.read = timed("cleaning + ID checks", students._Reader.read)
    students._Placing.__init__ = timed("places (村 of each row)", students._Placing.__init__)
    students._Placing.place = timed("places (村 of each row)", students._Placing.place)
    students._find_missing = timed("matching", students._find_missing)
    plan = students.plan_students

    def plan_students(*a, **k):  # type: ignore[no-untyped-def]
        before = {p: (wall.get(p, 0.0), cpu.get(p, 0.0)) for p in _INNER}
        w, c = time.perf_counter(), time.thread_time()
        plan(*a, **k)
        w, c = time.perf_counter() - w, time.thread_time() - c
        for p in _INNER:  # matching is what the plan did outside the phases inside it
            w -= wall.get(p, 0.0) - before[p][0]
            c -= cpu.get(p, 0.0) - before[p][1]
        _add("matching", w, c)

    service.students.plan_students = plan_students
    for name in ("pinyin_key", "initials_key", "sort_key", "name_keys"):
        if hasattr(students, name):
            setattr(students, name, timed("pinyin keys", getattr(students, name)))
    places.VillageFinder.get_or_create = timed("village ids", places.VillageFinder.get_or_create)
    students.insert_many = timed("bulk insert", students.insert_many)
    students.record = timed("audit", students.record)
    service.record = timed("audit", service.record)
    service.start_batch = timed("audit", service.start_batch)
    audit.record  # noqa: B018  (the services hold their own references, patched above)
    apply = students.apply_students

    def apply_students(*a, **k):  # type: ignore[no-untyped-def]
        inner = ("pinyin keys", "village ids", "bulk insert", "audit")
        before = {p: (wall.get(p, 0.0), cpu.get(p, 0.0)) for p in inner}
        w, c = time.perf_counter(), time.thread_time()
        apply(*a, **k)
        w, c = time.perf_counter() - w, time.thread_time() - c
        for p in inner:
            w -= wall.get(p, 0.0) - before[p][0]
            c -= cpu.get(p, 0.0) - before[p][1]
        _add("other writes (flags, updates, flush)", w, c)

    service._APPLY["students"] = apply_students
    from sqlalchemy.orm import Session

    Session.commit = timed("commit", Session.commit)
    real_run = service.run_import
    service.run_import = timed("_run", real_run)


_INNER = ("screening (rows, dirt, lengths)", "cleaning + ID checks", "places (村 of each row)", "matching")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("file")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--profile", metavar="OUT")
    args = parser.parse_args()
    import aidoffice.cli as cli

    started = time.perf_counter()
    startup = (started - STARTED, time.process_time() - STARTED_CPU)
    install()
    argv = [
        "--db",
        args.db,
        "--json",
        "import",
        "students",
        args.file,
        *(["--dry-run"] if args.dry_run else []),
    ]
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(argv)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    total = time.perf_counter() - STARTED
    total_cpu = time.process_time() - STARTED_CPU
    if code != 0:
        print(out.getvalue()[-2000:])
        raise SystemExit(f"import failed ({code})")
    print(out.getvalue().splitlines()[-1][:200])
    run_w, run_c = wall.pop("_run"), cpu.pop("_run")
    parse = install.parse  # type: ignore[attr-defined]
    rows = [("start-up (interpreter, argparse, aidoffice.cli)", *startup)]
    rows += [(p, wall[p], cpu[p]) for p in wall]
    inside = sum(wall[p] for p in wall if p not in _OUTSIDE_RUN)
    inside_cpu = sum(cpu[p] for p in cpu if p not in _OUTSIDE_RUN)
    rows.append(("other (inside the import)", run_w - inside, run_c - inside_cpu))
    accounted = sum(w for _, w, _ in rows)
    rows.append(("other (the command around it)", total - accounted, 0.0))
    print(f"\n{'phase':48} {'wall s':>7} {'CPU s':>7}")
    for p, w, c in rows:
        print(f"{p:48} {w:7.3f} {c:7.3f}")
    print(f"{'total (process start to the result)':48} {total:7.3f} {total_cpu:7.3f}")
    print(f"\nparse on its worker thread: {parse['wall']:.3f} s wall, {parse['cpu']:.3f} s CPU")
    print(f"database: {os.path.basename(args.db) if '://' not in args.db else args.db.split('://')[0]}")
    return 0


_OUTSIDE_RUN = {
    "parse (waited for)",
    "code loading (SQLAlchemy, models, services)",
    "open (migrations check, catalogue, sign-in)",
    "lock + backup",
    "commit",
    "result (mask, JSON, print)",
}

if __name__ == "__main__":
    raise SystemExit(main())
