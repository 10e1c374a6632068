"""Benchmark: the three dropout ledgers (控辍保学三本台账) over a 50,000-student district with 300 open cases.

Prints, in one run, each ledger's time beside its floor — a bare SELECT of the same rows with the
sqlite3 module and the join done with dicts in Python — and the ratio. Targets: each ledger under 1 s
after start-up, and at most 5× its floor.

    python bench/bench_dropout.py [--students 50000] [--cases 300] [--db PATH]

Without --db a database is built first (init, demo, reconcile, then the cases opened from the
comparison's 需核实去向 findings through the casework service, two people and two actions each); with
--db an existing one is used (the cases are added when it has fewer open cases than asked for).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAY = "2026-11-22"


def build(db: str, students: int) -> None:
    env = {**os.environ, "AIDOFFICE_TODAY": DAY, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "aidoffice", "--db", db]
    for args in (
        ["init", "--school", "阜平县中心学校"],
        ["demo", "--students", str(students)],
        ["reconcile"],
    ):
        t0 = time.perf_counter()
        subprocess.run([*cli, *args], check=True, env=env, capture_output=True)
        print(f"  {' '.join(args[:1])}: {time.perf_counter() - t0:.1f} s")


def add_cases(db: str, n: int) -> None:
    from sqlalchemy import func, select

    from aidoffice.casework import cases
    from aidoffice.db.engine import Database
    from aidoffice.db.models import CaseStatus, DropoutCase, Problem, ProblemStatus

    database = Database(db)
    day = date.fromisoformat(DAY)
    with database.reading() as s:
        have = s.scalar(select(func.count()).where(DropoutCase.status == CaseStatus.OPEN)) or 0
    if have >= n:
        return
    t0 = time.perf_counter()
    people = (cases.PersonInput("班主任", "李老师", "13900001111"), cases.PersonInput("村干部", "王主任"))
    with database.unit_of_work(actor="资助专干") as s:
        taken = set(s.scalars(select(DropoutCase.person_key)))
        ids = s.scalars(
            select(Problem.id).where(Problem.kind == "NOT_ENROLLED", Problem.status != ProblemStatus.CLOSED)
            .order_by(Problem.id)
        ).all()  # fmt: skip
        for i, pid in enumerate(ids):
            if have >= n:
                break
            p = s.get(Problem, pid)
            if p.person_key in taken:
                continue
            data = cases.CaseInput(cases.REASONS[i % 5], plan="班主任每周电话，村干部上门", people=people)
            case = cases.open_from_problem(s, pid, data, today=day - timedelta(days=30))
            for k in range(2):
                cases.add_action(s, case.id, way="家访", said="讲义务教育法", result="答应考虑",
                                 on=day - timedelta(days=20 - k * 5))  # fmt: skip
            have += 1
    print(f"  {n} open cases (opened through the service, audited): {time.perf_counter() - t0:.1f} s")
    database.dispose()


# ---- the floors: bare SELECTs of the same rows, joined with dicts ---------------------------------------


def floors(path: str, served: list[int], earliest: str, latest: str) -> dict[str, float]:
    con = sqlite3.connect(path)
    marks = ",".join("?" * len(served))
    out = {}

    t0 = time.perf_counter()
    cases = dict(con.execute("SELECT person_key, id FROM dropout_case WHERE status='open'").fetchall())
    elsewhere = dict(con.execute("SELECT person_key, school_name FROM study_elsewhere").fetchall())
    places = {r[0]: r[1:] for r in con.execute(
        "SELECT village.id, township.name, village.name FROM village JOIN township ON township.id = village.township_id")}  # fmt: skip
    children: dict[str, tuple] = {}
    for r in con.execute(
        f"SELECT id, person_key, id_number, name, sex, birth_date, grade, class_name, status, village_id FROM student "
        f"WHERE village_id IN ({marks}) AND birth_date BETWEEN ? AND ?", [*served, earliest, latest]
    ):  # fmt: skip
        children[r[1]] = r
    for r in con.execute(
        f"SELECT m.person_key, m.id_number, m.name, m.sex, m.birth_date, h.village_id, h.head_name, m.school_name, "
        f"m.student_id FROM household_member m JOIN household h ON h.id = m.household_id "
        f"WHERE h.village_id IN ({marks}) AND m.birth_date BETWEEN ? AND ?", [*served, earliest, latest]
    ):  # fmt: skip
        children.setdefault(r[0], r)
    rows = [(places.get(r[-1]), cases.get(k), elsewhere.get(k)) for k, r in children.items()]
    out["roll"] = time.perf_counter() - t0
    assert rows

    t0 = time.perf_counter()
    cases = dict(con.execute("SELECT person_key, id FROM dropout_case WHERE status='open'").fetchall())
    rows = [(r, cases.get(r[0])) for r in con.execute(
        "SELECT person_key, id_number, name, village, detail, first_seen_on FROM problem "
        "WHERE kind='NOT_ENROLLED' AND status != 'closed'")]  # fmt: skip
    rows += [(r, cases.get(r[0])) for r in con.execute(
        "SELECT person_key, id_number, name, status, status_changed_on, status_note, village_id FROM student "
        "WHERE status IN ('dropped_out', 'suspended')")]  # fmt: skip
    out["suspects"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    open_ = con.execute(
        "SELECT id, township, village, name, sex, id_number, grade, class_name, left_on, reason, plan, escalated_on, "
        "next_due FROM dropout_case WHERE status='open'"
    ).fetchall()
    people: dict[int, list] = {}
    for cid, role, name in con.execute("SELECT case_id, role, name FROM case_person"):
        people.setdefault(cid, []).append((role, name))
    acts: dict[int, list] = {}
    for cid, on in con.execute("SELECT case_id, \"on\" FROM case_action WHERE kind IN ('act', 'notice')"):
        acts.setdefault(cid, []).append(on)
    rows = [(r, people.get(r[0]), acts.get(r[0])) for r in open_]
    out["dropouts"] = time.perf_counter() - t0
    con.close()
    return out


def probe(db: str) -> None:
    """Runs in a fresh process: start-up (imports, open the database), then each ledger."""
    started = time.perf_counter()
    from sqlalchemy import select

    from aidoffice.casework import dropout_ledgers as books
    from aidoffice.db.engine import Database
    from aidoffice.db.models import School
    from aidoffice.ledgers.places import served_village_ids
    from aidoffice.ledgers.villages import birth_bounds

    database = Database(db)
    startup = time.perf_counter() - started
    day = date.fromisoformat(DAY)
    times: dict[str, list[float]] = {"roll": [], "suspects": [], "dropouts": []}
    counts = {}
    for _ in range(4):  # the first is the one a clerk meets after start-up; the median of all is reported
        for name in times:
            with database.reading() as s:
                t0 = time.perf_counter()
                rows = books.roll(s, on=day) if name == "roll" else getattr(books, name)(s)
                times[name].append(time.perf_counter() - t0)
                counts[name] = len(rows)
    with database.reading() as s:
        served = sorted(served_village_ids(s))
        school = s.scalars(select(School)).first()
        earliest, latest = birth_bounds(day, books.compulsory_age(school))
    floor: dict[str, list[float]] = {k: [] for k in times}
    for _ in range(4):
        for k, v in floors(
            db.removeprefix("sqlite:///"), served, earliest.isoformat(), latest.isoformat()
        ).items():
            floor[k].append(v)
    print(json.dumps({"startup": startup, "times": times, "floor": floor, "counts": counts}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--db", help="an existing SQLite database (else one is built in a temporary folder)")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe)
        return 0
    os.environ["AIDOFFICE_TODAY"] = DAY
    os.environ.setdefault("AIDOFFICE_HOME", tempfile.mkdtemp(prefix="bench-dropout-home-"))
    db = args.db or str(Path(tempfile.mkdtemp(prefix="bench-dropout-")) / "district.db")
    if not Path(db).exists():
        print(f"building a {args.students}-student district in {db}")
        build(db, args.students)
    add_cases(db, args.cases)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, __file__, "--probe", db], check=True, env=env, capture_output=True, text=True
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"start-up (imports, open database): {res['startup']:.2f} s")
    ok = True
    for name, label in (("roll", "适龄儿童花名册"), ("suspects", "疑似辍学"), ("dropouts", "辍学学生")):
        first = res["times"][name][0]
        median = statistics.median(res["times"][name])
        floor = statistics.median(res["floor"][name])
        ratio = median / floor if floor else float("inf")
        good = first < 1.0 and ratio <= 5.0
        ok &= good
        print(f"{label:<8} {res['counts'][name]:>6} rows  first {first * 1000:7.1f} ms  median {median * 1000:7.1f} ms"
              f"  floor {floor * 1000:7.1f} ms  ×{ratio:4.1f}  {'ok' if good else 'OVER TARGET'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
