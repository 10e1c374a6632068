"""The audit page and its export speak the clerk's language: a realistic term (demo, an import, the
comparison, a problem closed, the roster reviewed and confirmed, letters and slips, accounts and a
backup) leaves no table name, field code or internal value ("problem_note", "open → closed",
"still_present") in what is shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.access.checks import bind_user
from aidoffice.db.audit import default_actor
from aidoffice.db.models import Base, Problem, ProblemStatus
from aidoffice.demo import generate
from aidoffice.importing.service import ImportOptions, run_import
from aidoffice.privacy import find_sensitive
from aidoffice.publicity.letters import produce_letters
from aidoffice.reconcile.problem_actions import add_note, close_problem, take_problem
from aidoffice.reconcile.service import run_reconcile
from aidoffice.safety import accounts
from aidoffice.safety.auditlog import AuditFilter, audit_ids, audit_rows, export_audit
from aidoffice.safety.backup import write_backup
from aidoffice.safety.wording import ENTITY_NAMES, UNNAMED_FIELD, entity_name, field_name, value_name
from aidoffice.services.slip_desk import receive
from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_xlsx

TERM = "2026-2027-1"

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# what may stand in Latin letters on the page: file kinds, the 学籍号's letter, units, and the login
# names the administrator typed (the accounts' own names, not the program's)
ALLOWED = {"pdf", "xlsx", "xls", "csv", "aidbak", "db", "PDF", "Excel", "G", "J", "L", "X", "MB", "KB"}
ALLOWED |= {"zhang", "wang", *WORD.findall(default_actor())}  # and the computer's user, before accounts


def identifier_words(text: str) -> set[str]:
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def clerks_term(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the notes the command line gives its units of work (aidoffice/cli/)
    with db.unit_of_work(actor="资助专干", note="demo") as s:
        generate(s, 80)
    book = write_xlsx(
        tmp_path / "学籍导出.xlsx", [ENROLLMENT_HEADER, *enrollment_rows(6, seed=3, school_code="3130624999")]
    )
    with db.unit_of_work(actor="资助专干", note="import students") as s:
        run_import(s, book, ImportOptions(kind="students"))
    with db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM)
    with db.unit_of_work(actor="资助专干") as s:
        first = s.scalars(
            select(Problem).where(Problem.status == ProblemStatus.OPEN).order_by(Problem.id)
        ).first()
        assert first is not None
        take_problem(s, first.id, "资助专干")
        add_note(s, first.id, "已电话联系家长")
        close_problem(s, first.id, "已核实无误", "村委会证明已存档")
    from aidoffice.exporting import roster

    with db.unit_of_work(actor="资助专干", note="export roster 生活补助 2026-2027-1") as s:
        p = roster.propose(s, "义务教育家庭经济困难学生生活补助", TERM)
        if p.included:
            roster.remove(p, p.included[-1].person_key, "已转学")
        roster.confirm(s, p)
    with db.unit_of_work(actor="资助专干", note="letters policy") as s:
        batch = produce_letters(
            s, "policy", tmp_path / "告知书.pdf", term=TERM, grade="七年级", class_name="1班"
        )
        codes = batch.slips
    with db.unit_of_work(actor="班主任") as s:
        receive(s, codes[0], "apply")
    write_backup(db, tmp_path / "备份.aidbak")
    with db.unit_of_work() as s:
        accounts.create_user(s, "zhang", "张主任", "Office-desk-2026", "admin")
    bind_user(db, accounts.sign_in(db, "zhang", "Office-desk-2026"))
    with db.unit_of_work() as s:
        accounts.create_user(s, "wang", "王老师", "Teacher-desk-2026", "head_teacher", [(7, "1班")])
        accounts.set_idle_minutes(s, 5)


@pytest.mark.today("2026-11-22")
def test_every_audit_entry_of_a_clerks_term_is_in_the_clerks_words(school_db, tmp_path):
    try:
        clerks_term(school_db, tmp_path)
        _check_words(school_db, tmp_path)
    finally:
        bind_user(school_db, None)  # the database is shared with the next test


def _check_words(school_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with school_db.reading() as s:
        rows = audit_rows(s, audit_ids(s, AuditFilter()))
    assert len(rows) > 20
    seen: dict[str, set[str]] = {}
    for r in rows:
        shown = " ".join([r.action, r.entity, r.subject, r.summary, r.note])
        for word in identifier_words(shown):
            seen.setdefault(word, set()).add(shown[:160])
    assert not seen, {k: sorted(v)[:2] for k, v in seen.items()}
    # and masked, as every screen is: no whole ID, phone or card number
    leaks = [r for r in rows if find_sensitive(" ".join([r.subject, r.summary, r.note]))]
    assert not leaks, leaks[:3]
    with school_db.unit_of_work() as s:
        out = export_audit(s, AuditFilter(), tmp_path / "操作记录.xlsx")
    ws = load_workbook(out.path).active
    cells = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str))
    assert not identifier_words(cells)
    assert not find_sensitive(cells)


def test_the_wording_table_names_every_kind_of_record_and_every_field_of_the_schema():
    """A new table or column gets its Chinese name here, or this fails (the page never falls back to
    the column's code)."""
    unnamed = [t.name for t in Base.metadata.sorted_tables if t.name not in ENTITY_NAMES]
    assert not unnamed
    fields = [
        f"{t.name}.{c.name}"
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if field_name(t.name, c.name) == UNNAMED_FIELD or identifier_words(field_name(t.name, c.name))
    ]
    assert not fields
    assert (
        entity_name("problem_note") == "问题处理记录"
        and field_name("problem", "still_present") == "数据中仍存在"
    )
    assert (
        value_name("problem", "status", "closed") == "已销号"
        and value_name("slip", "answer", "apply") == "符合、申请"
    )


def test_the_audit_pages_choices_are_named_once_each():
    """The page's 对象 and 操作 filters list words, each once (two entries both saying 外部名单 would
    leave the clerk guessing which one holds the import)."""
    from aidoffice.safety.wording import AUDIT_ACTION_NAMES

    for table in (ENTITY_NAMES, AUDIT_ACTION_NAMES):
        labels = list(table.values())
        assert len(labels) == len(set(labels)), [x for x in labels if labels.count(x) > 1]
        assert not [x for x in labels if identifier_words(x)]
