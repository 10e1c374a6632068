"""Benchmark: the month's “not contacted” view (本月未联系) over a 50,000-student district with
20,000 contacts recorded this term.

Prints, in one run, the view as the app computes it (aidoffice.casework.visits.due, the call behind the
page's 本月未联系 tab and `aidoffice visits due`) beside its floor: bare SELECTs of the same rows
(households, the poor households' members, each household's last contact, the current duties) joined
in Python dicts. Targets: under 1 s after start-up (the first call in a fresh process) and at most 5×
the floor.

    python bench/bench_visits.py [--students 50000] [--visits 20000] [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 22)
MONTH = "2026-11"
POOR = ("poverty_exited", "monitored", "dibao", "tekun")
OTHER_GROUPS = ("left_behind", "migrant", "disabled", "orphan")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def build(db_path: str, students: int, visits: int, seed: int = 7) -> dict[str, int]:
    """A district: 12 townships, 240 villages, a household per ~1.7 students (children and a head),
    30% of households in a poor group, 60 teachers covering the villages, some households and some
    students, `visits` contacts spread over the term."""
    from sqlalchemy import insert

    from aidoffice import clock
    from aidoffice.db.engine import Database
    from aidoffice.db.models import (
        ContactDuty,
        GroupMembership,
        Household,
        HouseholdMember,
        Student,
        Township,
        Village,
        Visit,
    )
    from aidoffice.ledgers.places import set_served_villages
    from aidoffice.ledgers.school import setup_school

    clock.pin(TODAY)
    rng = random.Random(seed)
    db = Database(db_path)
    with db.unit_of_work(actor="bench") as s:
        school = setup_school(s, "阜平县城关中学", "3130624999", "阜平县")
        school_id = school.id
    n_households = int(students / 1.7)
    with db.engine.begin() as conn:
        conn.execute(insert(Township), [{"id": t + 1, "name": f"第{t + 1}镇"} for t in range(12)])
        conn.execute(
            insert(Village),
            [{"id": v + 1, "township_id": v % 12 + 1, "name": f"村{v + 1:03d}"} for v in range(240)],
        )
        conn.execute(
            insert(Household),
            [{"id": h + 1, "village_id": h % 240 + 1, "household_no": f"{h + 1:08d}",
              "head_name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
              "phone": f"13{rng.randrange(10**9):09d}"} for h in range(n_households)],
        )  # fmt: skip
        student_rows, members, facts = [], [], []
        for i in range(students):
            key = f"1306242013{i:08d}"[:18]
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            grade = 1 + i % 9
            student_rows.append(
                {"id": i + 1, "school_id": school_id, "person_key": key, "id_number": key, "name": name,
                 "name_pinyin": "x", "name_initials": "x", "name_sort": "x", "stage": "primary" if grade <= 6 else "junior",
                 "grade": grade, "class_name": f"{1 + i % 8}班", "village_id": (i % n_households) % 240 + 1}
            )  # fmt: skip
            members.append({"household_id": i % n_households + 1, "name": name, "id_number": key,
                            "person_key": key, "relation": "之子", "student_id": i + 1})  # fmt: skip
        for h in range(n_households):
            key = f"1306241980{h:08d}"[:18]
            members.append(
                {
                    "household_id": h + 1,
                    "name": "户主",
                    "id_number": key,
                    "person_key": key,
                    "relation": "户主",
                    "student_id": None,
                }
            )
            if rng.random() < 0.30:
                facts.append({"person_key": key, "group_code": rng.choice(POOR), "source_kind": "list",
                              "source_label": "乡村振兴局", "known_on": date(2026, 9, 1), "active": True})  # fmt: skip
            if rng.random() < 0.15:
                facts.append({"person_key": key, "group_code": rng.choice(OTHER_GROUPS), "source_kind": "roster",
                              "source_label": "", "known_on": date(2026, 9, 1), "active": True})  # fmt: skip
        for table, rows in ((Student, student_rows), (HouseholdMember, members), (GroupMembership, facts)):
            for i in range(0, len(rows), 5000):
                conn.execute(insert(table.__table__), rows[i : i + 5000])
        teachers = [f"教师{t:02d}" for t in range(60)]
        duties = [
            {"teacher": teachers[v % 60], "village_id": v + 1, "starts_on": date(2026, 9, 1)}
            for v in range(240)
        ]
        duties += [{"teacher": rng.choice(teachers), "household_id": h, "starts_on": date(2026, 9, 1)}
                   for h in rng.sample(range(1, n_households + 1), 2000)]  # fmt: skip
        duties += [{"teacher": rng.choice(teachers), "student_id": s_id, "starts_on": date(2026, 9, 1)}
                   for s_id in rng.sample(range(1, students + 1), 500)]  # fmt: skip
        ended = [{"teacher": "已调离教师", "village_id": v + 1, "starts_on": date(2026, 3, 1), "ends_on": date(2026, 9, 1),
                  "end_reason": "调离"} for v in range(240)]  # fmt: skip
        keys = ("teacher", "village_id", "household_id", "student_id", "starts_on", "ends_on", "end_reason")
        conn.execute(insert(ContactDuty.__table__), [{k: d.get(k) for k in keys} for d in duties + ended])
        start = date(2026, 9, 1)
        span = (TODAY - start).days
        ways = ("家访", "电话", "微信", "到校面谈")
        rows = [{"household_id": rng.randrange(1, n_households + 1), "family_name": "户主",
                 "visited_on": start + timedelta(days=rng.randrange(span + 1)), "teacher": rng.choice(teachers),
                 "way": rng.choice(ways), "said": "宣传了资助政策", "recorded_by": "bench",
                 "recorded_at": clock.now()} for _ in range(visits)]  # fmt: skip
        for i in range(0, len(rows), 5000):
            conn.execute(insert(Visit.__table__), rows[i : i + 5000])
    with db.unit_of_work(actor="bench") as s:
        set_served_villages(s, range(1, 241))
    db.dispose()
    return {"households": n_households, "members": len(members), "facts": len(facts)}


def floor(db_url: str) -> float:
    """Bare SELECTs of the rows the view needs, joined in dicts: the least any program could take
    (sqlite3 for a file, psycopg for a PostgreSQL URL)."""
    pg = db_url.startswith("postgresql")
    if pg:
        import psycopg

        con = psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"))
        mark = "%s"
    else:
        con = sqlite3.connect(db_url)
        mark = "?"

    def rows(sql: str, params: tuple = ()) -> list:  # type: ignore[type-arg]
        cur = con.cursor()
        cur.execute(sql.replace("?", mark), params)
        return cur.fetchall()

    t0 = time.perf_counter()
    first, last, term_start = date(2026, 11, 1), date(2026, 11, 30), date(2026, 9, 1)
    if not pg:
        first, last, term_start = first.isoformat(), last.isoformat(), term_start.isoformat()  # type: ignore[assignment]
    placeholders = ",".join("?" * len(POOR))
    poor = {
        r[0]
        for r in rows(
            "SELECT DISTINCT m.household_id FROM household_member m JOIN group_membership g "
            f"ON g.person_key = m.person_key WHERE g.active AND g.group_code IN ({placeholders})",
            POOR,
        )
    }
    seen = dict(
        rows(
            "SELECT household_id, max(visited_on) FROM visit WHERE household_id IS NOT NULL AND visited_on <= ? "
            "GROUP BY household_id",
            (last,),
        )
    )
    by_village, by_household = {}, {}
    day = TODAY if pg else TODAY.isoformat()
    for teacher, v_id, h_id in rows(
        "SELECT teacher, village_id, household_id FROM contact_duty WHERE starts_on <= ? "
        "AND (ends_on IS NULL OR ends_on > ?)",
        (day, day),
    ):
        if h_id:
            by_household[h_id] = teacher
        elif v_id:
            by_village[v_id] = teacher
    places = {
        r[0]: (r[1], r[2])
        for r in rows("SELECT v.id, t.name, v.name FROM village v JOIN township t ON t.id = v.township_id")
    }
    out = []
    for h_id, v_id, no, head, phone in rows(
        "SELECT id, village_id, household_no, head_name, phone FROM household"
    ):
        window = first if h_id in poor else term_start
        last_seen = seen.get(h_id)
        if last_seen is not None and last_seen >= window:
            continue
        out.append((by_household.get(h_id) or by_village.get(v_id), places[v_id], no, head, phone, last_seen))
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def app_due(db_path: str) -> tuple[float, float, float, int, int]:
    """The view as the app computes it: opening the database (start-up, timed apart), the first call
    after it, then the median of five more."""
    from aidoffice import clock
    from aidoffice.casework.visits import due
    from aidoffice.db.engine import Database

    clock.pin(TODAY)
    t0 = time.perf_counter()
    db = Database(db_path)
    opened = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.reading() as s:
        report = due(s, MONTH)
    cold = time.perf_counter() - t0
    times = []
    for _ in range(5):
        t1 = time.perf_counter()
        with db.reading() as s:
            report = due(s, MONTH)
        times.append(time.perf_counter() - t1)
    db.dispose()
    return opened, cold, statistics.median(times), len(report.rows), report.households


def fresh_pg(url: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    from aidoffice.db.engine import normalize_url

    base = make_url(normalize_url(url))
    name = f"{base.database}_bench"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--visits", type=int, default=20_000)
    parser.add_argument("--db", help="reuse this SQLite database (built if missing)")
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="PostgreSQL instead: the bench (re)creates the database <name>_bench beside this URL's and builds there",
    )
    args = parser.parse_args()
    db_path = args.db or str(Path(tempfile.mkdtemp()) / f"visits-{args.students}.db")
    if args.pg:
        db_path = fresh_pg(args.pg)
    built = None
    if args.pg or not Path(db_path).exists():
        t0 = time.perf_counter()
        built = build(db_path, args.students, args.visits)
        built["seconds"] = round(time.perf_counter() - t0, 1)
    floors = [floor(db_path) for _ in range(5)]
    base = statistics.median(floors)
    opened, cold, warm, not_contacted, households = app_due(db_path)
    shown = db_path.split("@")[-1] if args.pg else db_path  # no password on the screen
    print(f"本月未联系 benchmark — {args.students:,} students, {args.visits:,} visits, {shown}")
    if built:
        print(f"  built: {built}")
    print(f"  households the rule asks to reach: {households:,}; not contacted in {MONTH}: {not_contacted:,}")
    print(f"  {'measure':<36}{'app (s)':>10}{'floor (s)':>12}{'ratio':>8}{'target':>16}")
    print(f"  {'opening the database (start-up)':<36}{opened:>10.3f}")
    print(f"  {'first call after start-up':<36}{cold:>10.3f}{base:>12.3f}{cold / base:>8.1f}{'< 1 s':>16}")
    print(f"  {'again (median of 5)':<36}{warm:>10.3f}{base:>12.3f}{warm / base:>8.1f}{'≤ 5× floor':>16}")
    ok = cold < 1.0 and warm <= 5 * base
    print("  OK" if ok else "  OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
