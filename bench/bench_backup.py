"""Backup size and time for a demo database, beside a plain file copy of the same file (the floor).

    .venv/bin/python bench/bench_backup.py --students 100000 [--db existing.db] [--robustness]

Prints: the database file, a plain copy (shutil.copyfile), the automatic backup (SQLite online
backup API), a manual .aidbak (compressed), an encrypted .aidbak, a restore of each, and `check`.
With --robustness it also runs the fuzzing and crash tests in one process and prints their tallies
(inputs tried and crashes; kill points tried and inconsistent databases)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=100_000)
    ap.add_argument("--db", help="an existing demo database (skips generating one)")
    ap.add_argument("--robustness", action="store_true")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    os.environ["AIDOFFICE_HOME"] = str(work / "home")
    from aidoffice.db.engine import Database
    from aidoffice.safety import backup as bk
    from aidoffice.safety.check import check_database

    if args.db:
        db_path = Path(args.db)
    else:
        db_path = work / "demo.db"
        _, secs = timed(
            lambda: subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "aidoffice",
                    "--db",
                    str(db_path),
                    "demo",
                    "--students",
                    str(args.students),
                ],
                check=True,
                env=os.environ,
                capture_output=True,
            )
        )
        print(f"demo --students {args.students}: {secs:.1f} s")
    db = Database(str(db_path))
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db_path.stat().st_size
    rows: list[tuple[str, float, int | None]] = []

    _, secs = timed(lambda: shutil.copyfile(db_path, work / "copy.db"))
    rows.append(("plain file copy (floor)", secs, size))
    auto, secs = timed(lambda: bk.auto_backup(db, "import"))
    rows.append(("automatic backup (online backup API)", secs, auto.stat().st_size if auto else None))
    plain, secs = timed(lambda: bk.write_backup(db, work / "b.aidbak"))
    rows.append((".aidbak, compressed", secs, plain.size))
    sealed, secs = timed(lambda: bk.write_backup(db, work / "e.aidbak", password="bench-password-1"))
    rows.append((".aidbak, compressed and encrypted", secs, sealed.size))
    problems, secs = timed(lambda: check_database(db))
    rows.append((f"check ({len(problems)} problems)", secs, None))

    target = Database(str(work / "restored.db"))
    for label, path, pw in (
        ("restore .aidbak", plain.path, None),
        ("restore encrypted .aidbak", sealed.path, "bench-password-1"),
    ):
        (target, _), secs = timed(lambda t=target, path=path, pw=pw: bk.restore(t, path, pw))
        rows.append((label, secs, None))
    target.dispose()
    db.dispose()

    print(f"\ndatabase: {size / 1e6:.1f} MB ({db_path})")
    print(f"{'what':<40}{'seconds':>9}{'× copy':>8}{'MB':>9}{'% of db':>9}")
    floor = rows[0][1]
    for label, secs, nbytes in rows:
        mb = f"{nbytes / 1e6:.1f}" if nbytes else ""
        pct = f"{100 * nbytes / size:.0f}%" if nbytes else ""
        print(f"{label:<40}{secs:>9.2f}{secs / floor:>8.1f}{mb:>9}{pct:>9}")

    if args.robustness:
        print()
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "no:xdist",
             "tests/fuzz/test_backup_fuzz.py", "tests/e2e/test_crash_safety.py"],
            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "AIDOFFICE_HOME": str(work / "home2")},
        )  # fmt: skip
        for line in r.stdout.splitlines():
            if line.startswith(("[fuzz]", "[crash]")) or "passed" in line or "failed" in line:
                print(line)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
