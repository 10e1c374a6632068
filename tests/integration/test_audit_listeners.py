"""The audit trail's listeners belong to the program's own databases (`db.audit_chain.install` on each
`Database`'s session factory and engine), not to every SQLAlchemy session of the process: another
library's session writes no audit entry, and each database the program opens records and seals its own."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice.db.engine import Database
from aidoffice.db.models import AuditEntry, Township
from aidoffice.safety.chain import verify_chain


def _entries(db: Database) -> list[AuditEntry]:
    with db.reading() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "township")))


def test_a_foreign_session_is_not_audited_and_the_programs_own_are(db):
    with Session(db.engine) as s:  # not from db.sessions: someone else's session on the same engine
        s.add(Township(name="外来乡"))
        s.commit()
    assert _entries(db) == []
    with db.unit_of_work(actor="测试员") as s:
        s.add(Township(name="城南镇"))
    made = _entries(db)
    assert [(e.action, e.actor) for e in made] == [("insert", "测试员")]
    assert made[0].chain_seq is not None  # sealed at commit
    with db.reading() as s:
        assert verify_chain(s) == []


def test_two_databases_each_seal_their_own_chain(tmp_path):
    first, second = Database(str(tmp_path / "a.db")), Database(str(tmp_path / "b.db"))
    try:
        for db, name in ((first, "一乡"), (second, "二乡"), (second, "三乡")):
            with db.unit_of_work(actor="测试员") as s:
                s.add(Township(name=name))
        with first.reading() as s:
            assert s.scalar(select(func.max(AuditEntry.chain_seq))) is not None
        assert [e.chain_seq is not None for e in _entries(second)] == [True, True]
        for db in (first, second):
            with db.reading() as s:
                assert verify_chain(s) == []
    finally:
        first.dispose()
        second.dispose()
