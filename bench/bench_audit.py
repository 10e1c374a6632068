"""Benchmark: the 操作记录 page's reads over a long audit trail, beside their floor (a bare sqlite3 query
returning the same ids or rows), and the sign-in check.

Prints, in one run:
  - the id list of the whole trail, newest first (what the page reads when it opens);
  - the first page of 200 rows, summarized (what it paints first);
  - the id list of one student's entries and of one person's entries (two filters);
  - one sign-in (argon2 verification) and a wrong password (the same cost, by design).

    python bench/bench_audit.py [--entries 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="aidoffice-bench-audit-")
    os.environ["AIDOFFICE_HOME"] = home

    from sqlalchemy import insert, select

    from aidoffice.access.checks import act_as
    from aidoffice.db.engine import Database
    from aidoffice.db.models import AuditEntry, Student
    from aidoffice.demo import generate
    from aidoffice.ledgers.school import setup_school
    from aidoffice.safety.accounts import SignInFailed, create_user, sign_in
    from aidoffice.safety.auditlog import AuditFilter, audit_ids, audit_rows

    path = Path(home) / "bench.db"
    db = Database(str(path))
    with db.unit_of_work() as s:
        setup_school(s, "基准测试学校", None, "测试县")
    with db.unit_of_work() as s:
        generate(s, 2000)
    with db.unit_of_work() as s:
        create_user(s, "admin", "管理员", "Mountain-2026", "admin")
    admin = sign_in(db, "admin", "Mountain-2026")
    with db.reading() as s:
        students = list(s.execute(select(Student.id, Student.name)).all())
    rng = random.Random(7)
    actors = ["li", "wang", "zhao", "admin"]
    started = datetime(2026, 9, 1, 8, 0)
    t0 = time.perf_counter()
    with db.unit_of_work() as s:
        rows = []
        for i in range(args.entries):
            sid, _name = rng.choice(students)
            rows.append(
                {
                    "at": started + timedelta(seconds=37 * i),
                    "actor": rng.choice(actors),
                    "action": "update",
                    "entity": "student",
                    "entity_id": sid,
                    "before": {"guardian_phone": f"13{rng.randrange(10**9):09d}", "boarding": False},
                    "after": {"guardian_phone": f"13{rng.randrange(10**9):09d}", "boarding": True},
                    "note": "基准测试",
                }
            )
            if len(rows) == 5000:
                s.execute(insert(AuditEntry), rows)
                rows = []
        if rows:
            s.execute(insert(AuditEntry), rows)
    made = time.perf_counter() - t0
    target_student = students[0][0]
    raw = sqlite3.connect(path)
    print(
        f"trail: {args.entries:,} entries written in {made:.1f} s; database {path.stat().st_size / 1e6:.1f} MB"
    )

    def app_ids(f: AuditFilter):  # type: ignore[no-untyped-def]
        with db.reading() as s:
            act_as(s, admin)
            return audit_ids(s, f)

    def app_page(ids: list[int]):  # type: ignore[no-untyped-def]
        with db.reading() as s:
            act_as(s, admin)
            return audit_rows(s, ids)

    all_ids = app_ids(AuditFilter())
    first = all_ids[:200]
    cases = [
        ("whole trail, ids newest first", lambda: app_ids(AuditFilter()),
         lambda: raw.execute("SELECT id FROM audit_entry ORDER BY id DESC").fetchall()),
        ("first page, 200 rows summarized", lambda: app_page(first),
         lambda: raw.execute(f"SELECT * FROM audit_entry WHERE id IN ({','.join(map(str, first))})").fetchall()),
        ("one student's entries", lambda: app_ids(AuditFilter(student_id=target_student)),
         lambda: raw.execute("SELECT id FROM audit_entry WHERE entity='student' AND entity_id=? ORDER BY id DESC",
                             (target_student,)).fetchall()),
        ("one person's entries", lambda: app_ids(AuditFilter(actor="wang")),
         lambda: raw.execute("SELECT id FROM audit_entry WHERE actor='wang' ORDER BY id DESC").fetchall()),
    ]  # fmt: skip
    print(f"{'':34}{'program':>10}{'floor':>10}{'× floor':>9}  rows")
    for label, app, floor in cases:
        t_app, result = timed(app, args.repeat)
        t_floor, _ = timed(floor, args.repeat)
        print(
            f"{label:34}{t_app * 1000:>8.1f}ms{t_floor * 1000:>8.1f}ms{t_app / t_floor:>9.1f}  {len(result):,}"
        )  # type: ignore[arg-type]

    t_ok, _ = timed(lambda: sign_in(db, "admin", "Mountain-2026"), args.repeat)

    def wrong() -> None:
        with contextlib.suppress(SignInFailed):
            sign_in(db, "nobody", "Not-it-2026")

    t_wrong, _ = timed(wrong, args.repeat)
    print(
        f"sign-in (argon2id, 64 MiB): right password {t_ok * 1000:.0f} ms, unknown login {t_wrong * 1000:.0f} ms"
    )
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
