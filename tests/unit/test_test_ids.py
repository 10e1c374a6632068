"""The tests' own ID numbers: `an_id` (tests/factories.py) never hands out an ID a test world has fixed.
It once did — the reconcile world's 马超 (born 2013-05-03, sequence 057) came out of `an_id` when its
counter happened to reach 57 in the same test under `-n 2`. Now `an_id` draws sequences 500–999 and
every fixed ID has a sequence below 500: checked here over the test sources and the planted worlds."""

from __future__ import annotations

import ast
import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import String, select

from aidoffice.db.models import Base
from aidoffice.domain.idnumber import is_valid_id, make_id, parse_id
from tests.factories import an_id

AN_ID_SEQUENCES = range(500, 1000)

TESTS = Path(__file__).resolve().parents[1]
ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def _value(node: ast.expr, names: dict[str, str]) -> object:
    """An argument made of constants only (a string, a number, date(…), a module's string constant)."""
    match node:
        case ast.Constant(value=str() | int() as v):
            return v
        case ast.Name(id=name) if name in names:
            return names[name]
        case ast.Call(func=ast.Name(id="date"), args=args, keywords=[]):
            return date(*[_value(a, names) for a in args])  # type: ignore[misc]
    raise ValueError(ast.dump(node))


def fixed_in_sources() -> set[str]:
    """Every 18-digit number written in tests/**/*.py, and every ID a `make_id(…)` or a world's
    `_id(birth, seq)` builds from constants (the computed ones are generators: an_id, seeded random
    rows, hypothesis)."""
    found: set[str] = set()
    for path in TESTS.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(m.upper() for m in ID.findall(text) if is_valid_id(m))
        tree = ast.parse(text)
        names = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Constant)
            and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id == "make_id":
                args = node.args
            elif node.func.id == "_id" and "REGION" in names:
                args = [ast.Name(id="REGION"), *node.args]
            else:
                continue
            try:
                found.add(make_id(*[_value(a, names) for a in args]))  # type: ignore[arg-type]
            except (ValueError, TypeError):
                continue
    return found


def fixed_in_world(database) -> set[str]:  # type: ignore[no-untyped-def]
    """Every ID number anywhere in a planted database: each text column of each table."""
    found: set[str] = set()
    with database.reading() as s:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String):
                    for value in s.execute(select(column).where(column.is_not(None))).scalars():
                        found.update(m.upper() for m in ID.findall(str(value)) if is_valid_id(m))
    return found


def test_every_fixed_id_in_the_tests_has_a_sequence_below_an_ids():
    fixed = fixed_in_sources()
    assert make_id("130624", date(2013, 5, 3), 57) in fixed  # 马超 of the reconcile world, found
    assert len(fixed) > 30
    high = sorted(i for i in fixed if int(i[14:17]) >= AN_ID_SEQUENCES.start)
    assert not high, f"fixed test IDs in an_id's sequences {AN_ID_SEQUENCES}: {high}"


def test_a_few_thousand_generated_ids_are_none_of_the_worlds_ids(school_db, tmp_path):
    """The reconcile world planted (its students, households and lists) and the ids in the sources, against
    an_id for every birth date a fixed ID has (and the days around it), boys and girls."""
    from tests.reconcile_world import plant

    world = plant(school_db, tmp_path)
    fixed = fixed_in_sources() | fixed_in_world(school_db)
    assert world.ids["马超"] in fixed and world.ids["韩梅"] in fixed
    births = {parse_id(i).birth_date for i in fixed} | {date(2013, 5, 3)}
    days = sorted({b + timedelta(days=d) for b in births for d in (-1, 0, 1)})
    made = [an_id(day, male) for day in days for male in (True, False) for _ in range(12)]
    made += [an_id() for _ in range(1000)]  # the default birth, past a whole turn of the counter
    assert len(made) > 3000
    assert sorted(fixed & set(made)) == []
    assert all(is_valid_id(i) and AN_ID_SEQUENCES.start <= int(i[14:17]) for i in made)
