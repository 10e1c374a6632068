"""The screens' read operations change nothing in the database: on a database without a current term
they read it (the term containing today) and do not make one."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget
from sqlalchemy import Engine, event, func, select, text

from aidoffice.db.models import Term
from tests.gui.helpers import idle
from ui.operations import imports, publicity, reconcile, roster, school, villages


@pytest.mark.today("2026-11-22")
def test_opening_the_screens_on_a_database_without_a_term_writes_nothing(qtbot, school_ctx):
    db = school_ctx.db
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM term"))
    writes: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement[:80])

    parent = QWidget()
    qtbot.addWidget(parent)
    got: dict[str, object] = {}
    event.listen(Engine, "before_cursor_execute", watch)
    try:
        school.load_school(school_ctx, parent, lambda r: got.__setitem__("school", r))
        villages.load_tree(school_ctx, parent, lambda r: got.__setitem__("villages", r))
        publicity.load_choices(school_ctx, parent, lambda r: got.__setitem__("publicity", r))
        reconcile.load_choices(school_ctx, parent, lambda r: got.__setitem__("reconcile", r))
        roster.load_choices(school_ctx, parent, lambda r: got.__setitem__("roster", r))
        imports.load_choices(school_ctx, parent, lambda r: got.__setitem__("imports", r))
        idle(qtbot, school_ctx)
    finally:
        event.remove(Engine, "before_cursor_execute", watch)
    assert writes == []
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Term)) == 0
    # every screen names the same current term: the one containing today
    assert got["school"].term == "2026-2027-1"  # type: ignore[attr-defined]
    assert got["villages"].term.code == "2026-2027-1"  # type: ignore[attr-defined]
    assert got["publicity"].current == "2026-2027-1"  # type: ignore[attr-defined]
    assert got["reconcile"].current == "2026-2027-1"  # type: ignore[attr-defined]
    assert got["roster"].term == "2026-2027-1"  # type: ignore[attr-defined]


def test_the_check_on_operation_results_finds_an_entity_however_deep():
    """What tests/gui/conftest.py's no_orm_objects_cross_threads looks for in every operation's result:
    the village ledger used to hand its Term entity to the GUI thread inside a tuple."""
    from datetime import date

    from aidoffice.ledgers.term_queries import CurrentTerm
    from aidoffice.ledgers.village_queries import VillageOverview
    from tests.gui.conftest import orm_inside

    row = Term(code="2026-2027-1", starts_on=date(2026, 9, 1), ends_on=date(2027, 2, 28))
    assert orm_inside(([], row, (3, 18))) == "result[1]: Term"
    assert orm_inside({"x": [{"y": row}]}) == "result['x'][0]['y']: Term"
    plain = CurrentTerm("2026-2027-1", date(2026, 9, 1), date(2027, 2, 28), 1, True)
    assert orm_inside(VillageOverview([], plain, (3, 18), True, None)) is None  # type: ignore[arg-type]
