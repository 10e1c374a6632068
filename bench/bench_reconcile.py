"""Benchmark: the two-way comparison over a generated district.

A demo school of 50,000 students (`aidoffice.demo.generate`), its households, then outside lists of
60,000 rows in all (the demo's poverty, monitored, 低保, 特困 and 残联 groups as dated list snapshots,
plus people of the villages the school does not serve), 15,000 awards, and planted slips: list rows
whose ID differs from a student's by one digit (some with a homophone of the name), rows with a
student's ID under a homophone name, and children of the served villages in no ledger.

Prints, measured in the same run on the same database, each in a fresh process:
  - the floor: bare SELECTs of the same rows (driver cursors, no ORM) plus an exact-ID dictionary join;
  - the full comparison (matching, eligibility, coverage, writing the problem list, committed), first
    run (every problem new) and re-run (every problem kept);
  - the ratio to the floor (target ≤ 5×) and each process's peak memory.

    python bench/bench_reconcile.py [--students 50000] [--list-rows 60000] [--awards 15000] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = date(2026, 11, 22)
HOMOPHONES = {"晓": "小", "欣": "心", "宇": "雨", "浩": "昊", "涵": "晗", "怡": "仪", "轩": "萱", "杰": "洁",
              "俊": "骏", "婷": "亭", "静": "靖", "丽": "莉", "明": "铭", "辉": "晖", "思": "斯", "文": "雯"}  # fmt: skip


# ---- generating the district ------------------------------------------------------------------


def _slip(number: str, rng: random.Random) -> str:
    """The ID with one digit of its sequence mistyped, the check character recomputed (a system that
    validates numbers keeps only valid ones)."""
    from aidoffice.domain.idnumber import check_char

    i = rng.randrange(14, 17)
    digit = str((int(number[i]) + rng.randrange(1, 10)) % 10)
    body = number[:i] + digit + number[i + 1 : 17]
    return body + check_char(body)


def _homophone(name: str) -> str | None:
    for i, ch in enumerate(name[1:], 1):
        if ch in HOMOPHONES:
            return name[:i] + HOMOPHONES[ch] + name[i + 1 :]
    return None


def generate(db_url: str, students: int, list_rows: int, awards: int) -> dict[str, int]:
    from sqlalchemy import func, insert, select

    from aidoffice.catalogue import load_catalogue
    from aidoffice.db.engine import Database
    from aidoffice.db.models import (
        Award,
        GroupMembership,
        Household,
        HouseholdMember,
        ListEntry,
        ListSnapshot,
        SourceKind,
        Student,
        StudentStatus,
        Term,
        Township,
        Village,
    )
    from aidoffice.demo import generate as demo
    from aidoffice.domain.idnumber import make_id
    from aidoffice.importing.lists import derive_memberships
    from aidoffice.ledgers.school import setup_school

    rng = random.Random(20261122)
    db = Database(db_url)
    with db.unit_of_work(actor="bench") as s:
        setup_school(s, "阜平县城南庄镇九年一贯制学校", "3130624001", "阜平县")
        demo(s, students, today=TODAY)
    with db.unit_of_work(actor="bench") as s:
        term = s.scalars(select(Term).where(Term.is_current.is_(True))).one()
        people = {}  # ID → (name, birth, township, village, household_no)
        for number, name, birth, hh_no, v_name, t_name in s.execute(
            select(
                HouseholdMember.id_number,
                HouseholdMember.name,
                HouseholdMember.birth_date,
                Household.household_no,
                Village.name,
                Township.name,
            )
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(Village, Village.id == Household.village_id)
            .join(Township, Township.id == Village.township_id)
        ):
            people[number] = (name, birth, t_name, v_name, hh_no)
        by_source: dict[str, list[dict]] = {}
        kinds = {}
        for key, group, label, status, active in s.execute(
            select(
                GroupMembership.person_key,
                GroupMembership.group_code,
                GroupMembership.source_label,
                GroupMembership.status,
                GroupMembership.active,
            ).where(GroupMembership.source_kind == SourceKind.LIST)
        ):
            name, birth, town, village, hh_no = people[key]
            by_source.setdefault(label, []).append(
                {"person_key": key, "id_number": key, "name": name, "birth_date": birth, "township": town,
                 "village": village, "household_no": hh_no, "group_code": group, "status": status, "active": active}
            )  # fmt: skip
            kinds[label] = "civil" if "民政" in label else "disabled" if "残联" in label else "poverty"
        # the heads of the listed households are on the lists too
        heads = {}
        for number, (name, birth, town, village, hh_no) in people.items():
            if date(1960, 1, 1) < birth < date(2000, 1, 1):
                heads[hh_no] = (number, name, birth, town, village)
        for label, rows in by_source.items():
            if kinds[label] == "disabled":
                continue
            for hh_no in sorted({r["household_no"] for r in rows}):
                number, name, birth, town, village = heads[hh_no]
                first = next(r for r in rows if r["household_no"] == hh_no)
                rows.append(
                    {**first, "person_key": number, "id_number": number, "name": name, "birth_date": birth}
                )
        students_rows = s.execute(
            select(Student.id, Student.id_number, Student.name, Student.birth_date, Student.hukou_township,
                   Student.hukou_village).where(Student.status == StudentStatus.ENROLLED)
        ).all()  # fmt: skip
        planted = {"typo": 0, "homophone_typo": 0, "name_mismatch": 0, "unaccounted": 0}
        poverty = by_source.setdefault("乡村振兴局脱贫人口名单", [])
        kinds.setdefault("乡村振兴局脱贫人口名单", "poverty")
        relief = by_source.setdefault("民政局临时救助名单", [])  # names a person, files no group
        kinds["民政局临时救助名单"] = "civil"
        used = set(people)
        for i, st in enumerate(rng.sample(students_rows, 900)):
            _sid, number, name, birth, town, village = st
            row = {"name": name, "birth_date": birth, "township": town, "village": village, "household_no": None,
                   "group_code": "poverty_exited", "status": "继续享受政策", "active": True}  # fmt: skip
            kind = ("typo", "homophone_typo", "name_mismatch")[i % 3]
            if kind == "name_mismatch":
                other = _homophone(name)
                if other is None:
                    continue
                row.update(
                    person_key=number, id_number=number, name=other, group_code=None, status="临时救助"
                )
                relief.append(row)
            else:
                slip = _slip(number, rng)
                if slip in used:
                    continue
                used.add(slip)
                row.update(person_key=slip, id_number=slip)
                if kind == "homophone_typo":
                    other = _homophone(name)
                    if other is None:
                        continue
                    row["name"] = other
                poverty.append(row)
            planted[kind] += 1
        villages = s.execute(select(Village.name, Township.name).join(Township)).all()
        total = sum(len(r) for r in by_source.values())
        n = 0
        while total < list_rows:  # children of served villages in no ledger, then people from elsewhere
            n += 1
            unaccounted = planted["unaccounted"] < 300
            birth = date(2012, 1, 1) + timedelta(days=rng.randrange(3000)) if unaccounted or n % 3 else (
                date(1960, 1, 1) + timedelta(days=rng.randrange(15000))
            )  # fmt: skip
            number = make_id("130624" if unaccounted else "130625", birth, rng.randrange(1000))
            if number in used:
                continue
            used.add(number)
            village, town = (
                villages[rng.randrange(len(villages))] if unaccounted else (f"外乡{n % 97}村", "外县某乡")
            )
            poverty.append({"person_key": number, "id_number": number, "name": rng.choice("王李张刘陈") + rng.choice("伟芳娜敏静强磊"),
                            "birth_date": birth, "township": town, "village": village, "household_no": f"X{n}",
                            "group_code": "poverty_exited", "status": "继续享受政策", "active": True})  # fmt: skip
            planted["unaccounted"] += unaccounted
            total += 1
        for label, rows in by_source.items():
            snap = ListSnapshot(source_label=label, list_kind=kinds[label], file_name=f"{label}.xls", known_on=term.starts_on,
                                imported_at=datetime.now(), actor="bench", rows=len(rows), fingerprint=label)  # fmt: skip
            s.add(snap)
            s.flush()
            s.execute(
                insert(ListEntry), [{**r, "snapshot_id": snap.id, "row": i + 3} for i, r in enumerate(rows)]
            )
            derive_memberships(s, label)
        have = s.scalar(select(func.count()).select_from(Award).where(Award.term_id == term.id)) or 0
        nutrition = load_catalogue(s).policy_ids["compulsory_nutrition"]
        extra = [
            {"student_id": sid, "policy_id": nutrition, "term_id": term.id, "amount": Decimal("400.00"),
             "paid_on": TODAY, "batch": "营养餐-1"}
            for sid, *_ in rng.sample(students_rows, max(0, awards - have))
        ]  # fmt: skip
        if extra:
            s.execute(insert(Award), extra)
        result = {
            "students": students,
            "list_rows": sum(len(r) for r in by_source.values()),
            "awards": have + len(extra),
            **planted,
        }
    db.dispose()
    return result


# ---- what each child process measures -------------------------------------------------------------

FLOOR_SQL = {
    "students": "SELECT id, person_key, id_number, student_no, name, birth_date, stage, grade, class_name, boarding, "
    "status, status_changed_on, status_note, enrolled_on, village_id, hukou_village FROM student",
    "members": "SELECT m.id, m.name, m.id_number, m.birth_date, m.student_id, m.school_name, m.schooling, h.id, "
    "h.village_id, h.household_no, h.head_name FROM household_member m JOIN household h ON h.id = m.household_id",
    "snapshots": "SELECT id, source_label, list_kind, known_on, file_name FROM list_snapshot",
    "entries": "SELECT id, snapshot_id, row, id_number, person_key, name, birth_date, township, village, household_no, "
    "group_code, category, status, active, school_name, schooling FROM list_entry",
    "awards": "SELECT a.id, a.student_id, a.policy_id, a.amount, a.paid_on, a.batch, a.batch_id FROM award a "
    "JOIN term t ON t.id = a.term_id WHERE t.is_current",
    "facts": "SELECT person_key, group_code, source_kind, source_label, known_on, active, status FROM group_membership",
    "villages": "SELECT v.id, v.name, t.name FROM village v JOIN township t ON t.id = v.township_id",
}


def measure_floor(db_url: str) -> dict:
    from aidoffice.db.engine import make_engine, normalize_url

    engine = make_engine(normalize_url(db_url))
    with engine.connect() as conn:
        t0, c0 = time.perf_counter(), time.process_time()
        rows = {k: conn.exec_driver_sql(sql).fetchall() for k, sql in FLOOR_SQL.items()}
        by_id = {r[2]: r for r in rows["students"] if r[2]}
        matched = sum(1 for r in rows["members"] if r[2] in by_id) + sum(
            1 for r in rows["entries"] if r[3] in by_id
        )
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "rows": sum(len(r) for r in rows.values()), "matched": matched}


def measure_full(db_url: str, out: str | None = None) -> dict:
    from aidoffice.db.engine import Database
    from aidoffice.domain.pinyin import pinyin_key
    from aidoffice.reconcile.service import run_reconcile

    pinyin_key("张")  # the reading table loads once per process (the GUI has it loaded already)
    db = Database(db_url)
    t0, c0 = time.perf_counter(), time.process_time()
    with db.unit_of_work(actor="bench") as s:
        res = run_reconcile(s, None, out=out, today=TODAY)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "counts": res.counts(), "problems": res.sync.as_json()}


def clear_problems(db_url: str) -> None:
    from sqlalchemy import delete

    from aidoffice.db.engine import Database
    from aidoffice.db.models import Problem, ProblemNote, StudyElsewhere

    db = Database(db_url)
    with db.unit_of_work(actor="bench") as s:
        s.execute(delete(ProblemNote))
        s.execute(delete(Problem))
        s.execute(delete(StudyElsewhere))
    db.dispose()


def child(what: str, db_url: str, out: str | None) -> None:
    result = measure_floor(db_url) if what == "floor" else measure_full(db_url, out)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, ensure_ascii=False))


def run_child(what: str, db_url: str, env: dict, out: str | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", what, "--db", db_url] + (["--out", out] if out else [])
    done = subprocess.run(cmd, check=True, env=env, cwd=ROOT, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--list-rows", type=int, default=60_000)
    parser.add_argument("--awards", type=int, default=15_000)
    parser.add_argument("--db", help="SQLite path or PostgreSQL URL; generated when missing/empty")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    db_url = args.db or str(Path(tempfile.mkdtemp()) / f"bench-reconcile-{args.students}.db")
    if args.child:
        child(args.child, db_url, args.out)
        return 0
    home = Path(tempfile.mkdtemp())
    env = {**os.environ, "AIDOFFICE_HOME": str(home)}
    os.environ["AIDOFFICE_HOME"] = str(home)
    generated = None
    if "://" in db_url or not Path(db_url).exists():
        t0 = time.perf_counter()
        generated = generate(db_url, args.students, args.list_rows, args.awards)
        generated["seconds"] = round(time.perf_counter() - t0, 1)
    clear_problems(db_url)
    floors = [run_child("floor", db_url, env) for _ in range(args.repeat)]
    first = run_child("full", db_url, env)
    reruns = [run_child("full", db_url, env) for _ in range(args.repeat)]
    book = run_child("full", db_url, env, out=str(home / "问题清单.xlsx"))
    floor_s = statistics.median(f["seconds"] for f in floors)
    floor_cpu = statistics.median(f["cpu"] for f in floors)
    print(f"two-way comparison benchmark — {db_url}")
    if generated:
        print(f"  generated: {json.dumps(generated, ensure_ascii=False)}")
    print(f"  floor rows: {floors[0]['rows']:,}; matched by exact ID: {floors[0]['matched']:,}")
    print(f"  findings: {json.dumps(first['counts'], ensure_ascii=False)}")
    print(f"  {'measure':<50}{'wall s':>8}{'× floor':>9}{'CPU s':>8}{'× floor':>9}{'peak MB':>9}")

    def line(name: str, wall: float, cpu: float, mb: float) -> None:
        print(f"  {name:<50}{wall:>8.2f}{wall / floor_s:>9.1f}{cpu:>8.2f}{cpu / floor_cpu:>9.1f}{mb:>9.0f}")

    line("floor: bare SELECTs + exact-ID dict join (median)", floor_s, floor_cpu, floors[0]["peak_rss_mb"])
    line(
        "full comparison, first run (all problems new)", first["seconds"], first["cpu"], first["peak_rss_mb"]
    )
    line(
        "full comparison, re-run (problems kept, median)",
        statistics.median(r["seconds"] for r in reruns),
        statistics.median(r["cpu"] for r in reruns),
        reruns[0]["peak_rss_mb"],
    )
    line("re-run and write the workbook", book["seconds"], book["cpu"], book["peak_rss_mb"])
    print("  target: full comparison ≤ 5 × floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
