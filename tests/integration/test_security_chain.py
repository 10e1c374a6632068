"""The audit trail's hash chain: sealed at commit, checked by `check`, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from aidoffice.db.models import AuditEntry, Township
from aidoffice.ledgers.students import add_student, update_student
from aidoffice.safety.chain import verify_chain
from aidoffice.safety.check import check_database
from tests.factories import student


def _sealed(db):
    with db.reading() as s:
        return s.execute(
            select(AuditEntry.id, AuditEntry.chain_seq, AuditEntry.chain_hash, AuditEntry.pending).order_by(
                AuditEntry.chain_seq
            )
        ).all()


def _two_students(db):
    with db.unit_of_work(actor="李老师") as s:
        data = student("王小明", guardian_phone="13800000000")
        sid = add_student(s, 1, data).id
        add_student(s, 1, student("李小红"))
    data.guardian_phone = "13900000000"
    with db.unit_of_work(actor="张主任") as s:
        update_student(s, sid, data)
    return sid


def test_every_committed_entry_is_sealed_in_one_unbroken_chain(school_db):
    """Each entry gets the next number and a hash over the previous one, so none can go missing."""
    _two_students(school_db)
    rows = _sealed(school_db)
    assert [r.chain_seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.chain_hash and r.pending is None for r in rows)
    with school_db.reading() as s:
        assert verify_chain(s) == []
    assert check_database(school_db) == []


def test_an_entry_edited_behind_the_apps_back_is_found(school_db):
    """Someone changes an old value with an SQLite editor to hide what was there: check names the entry."""
    sid = _two_students(school_db)
    with school_db.reading() as s:
        target = s.scalars(
            select(AuditEntry.id).where(
                AuditEntry.entity == "student", AuditEntry.entity_id == sid, AuditEntry.action == "update"
            )
        ).one()
    with school_db.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.id == target).values(actor="别人"))
    problems = check_database(school_db)
    assert len(problems) == 1
    assert f"编号 {target}" in problems[0].message and "被修改" in problems[0].message


def test_deleted_entries_are_found_in_the_middle_and_at_the_end(school_db):
    """Deleting an embarrassing entry leaves a gap; deleting the newest ones leaves the head behind."""
    _two_students(school_db)
    rows = _sealed(school_db)
    with school_db.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.id == rows[2].id))
    [gap] = check_database(school_db)
    assert "缺失" in gap.message and "第 3—3 条" in gap.message
    with school_db.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.chain_seq >= rows[-2].chain_seq))
    messages = [p.message for p in check_database(school_db)]
    assert any("最后 2 条操作记录缺失" in m for m in messages)


def test_newest_entries_deleted_stay_missing_after_the_next_change(school_db):
    """Hiding the last import by deleting its entries, then signing in (which writes a new entry),
    must not make the gap vanish: the next entry links on from where the chain really ended."""
    _two_students(school_db)
    rows = _sealed(school_db)
    with school_db.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.chain_seq >= rows[-2].chain_seq))
    with school_db.unit_of_work(actor="张主任") as s:  # any later change: a sign-in, a save
        s.execute(insert(Township), [{"name": "丙乡"}])
    messages = [p.message for p in check_database(school_db)]
    gap = f"第 {rows[-2].chain_seq}—{rows[-1].chain_seq} 条"
    assert any("缺失" in m and gap in m for m in messages), messages


def test_a_row_inserted_directly_with_sql_is_never_sealed(school_db):
    """A forged entry slipped in between two commits must not be blessed by the next commit."""
    with school_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_entry (at, actor, action, entity, note) "
                "VALUES (CURRENT_TIMESTAMP, '伪造', 'insert', 'student', 'x')"
            )
        )
    _two_students(school_db)
    messages = [p.message for p in check_database(school_db)]
    assert len(messages) == 1 and "可能是在程序之外直接写入数据库的" in messages[0]


def test_a_rolled_back_transaction_leaves_no_seal_behind(school_db):
    """A cancelled change must leave no gap or stray seal that the check would then report as tampering."""
    with pytest.raises(RuntimeError), school_db.unit_of_work() as s:
        s.execute(insert(Township), [{"name": "甲乡"}])
        raise RuntimeError
    with school_db.unit_of_work() as s:
        s.execute(insert(Township), [{"name": "乙乡"}])
    assert check_database(school_db) == []


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_two_clerks_committing_at_once_do_not_fork_the_chain(school_db):
    """On a server, commits race; the advisory lock makes sealing take turns."""
    barrier = threading.Barrier(4)
    errors = []

    def clerk(n: int) -> None:
        try:
            for i in range(5):
                with school_db.unit_of_work(actor=f"clerk{n}") as s:
                    s.execute(insert(Township), [{"name": f"乡{n}-{i}-{j}"} for j in range(3)])
                    if i == 0:
                        barrier.wait()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with school_db.reading() as s:
        assert (
            s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "township"))
            == 20
        )
        assert verify_chain(s) == []


def test_upgrading_an_older_database_seals_the_entries_it_already_had(tmp_path):
    """Offices upgrade with years of entries: those are sealed once, in the order they were written."""
    from alembic import command

    from aidoffice.db.engine import Database, alembic_config, make_engine

    path = tmp_path / "old.db"
    engine = make_engine(str(path))
    command.upgrade(alembic_config(engine), "0003")
    with engine.begin() as conn:
        for name in ("甲", "乙", "丙"):
            conn.execute(
                text(
                    "INSERT INTO audit_entry (at, actor, action, entity, note) "
                    "VALUES (CURRENT_TIMESTAMP, :a, 'insert', 'township', 'old')"
                ),
                {"a": name},
            )
    engine.dispose()
    db = Database(str(path))
    try:
        rows = _sealed(db)
        assert [r.chain_seq for r in rows] == [1, 2, 3]
        with db.reading() as s:
            assert verify_chain(s) == []
    finally:
        db.dispose()


def test_a_trail_rewritten_and_resealed_end_to_end_is_found_against_an_automatic_backup(tmp_path):
    """Someone who knows the recipe edits an entry and recomputes every seal after it: the chain holds
    together, but the automatic backup taken before remembers what the chain said then."""
    from aidoffice.db.audit_chain import GENESIS, HEAD_KEY, entry_digest
    from aidoffice.db.engine import Database
    from aidoffice.db.models import AppSetting
    from aidoffice.ledgers.school import setup_school
    from aidoffice.safety.backup import auto_backup, backups_dir

    db = Database(str(tmp_path / "anchor-check.db"))
    try:
        with db.unit_of_work() as s:
            setup_school(s, "测试县第一中学", "3130624001", "测试县")
        _two_students(db)
        backup = auto_backup(db, "import")
        assert check_database(db) == []
        with db.engine.begin() as conn:  # rewrite entry 2's actor, then re-seal the whole chain
            # …and dresses it as a restore, which once made check skip the backups
            conn.execute(
                update(AuditEntry)
                .where(AuditEntry.chain_seq == 2)
                .values(actor="别人", action="restore", at=datetime(2099, 1, 1))
            )
            prev = GENESIS
            for row in conn.execute(select(AuditEntry).order_by(AuditEntry.chain_seq)).all():
                prev = entry_digest(prev, row.chain_seq, row)
                conn.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(chain_hash=prev))
            conn.execute(
                update(AppSetting)
                .where(AppSetting.key == HEAD_KEY)
                .values(value={"seq": row.chain_seq, "hash": prev})
            )
        with db.reading() as s:
            assert verify_chain(s) == []  # the chain alone is fooled
        [found] = check_database(db)
        assert backup.name in found.message and "改写" in found.message
    finally:
        db.dispose()
        for p in backups_dir().glob("anchor-check-auto-*"):
            p.unlink()


def test_a_restore_to_an_older_backup_is_not_taken_for_a_rewritten_trail(tmp_path):
    """After a restore the chain goes on from the restored backup; a backup of the abandoned days
    must not make check cry wolf (also when the backups are made in the same second)."""
    from aidoffice.db.engine import Database
    from aidoffice.ledgers.school import setup_school
    from aidoffice.safety.backup import auto_backup, backups_dir, restore

    db = Database(str(tmp_path / "anchor-restore.db"))
    try:
        with db.unit_of_work() as s:
            setup_school(s, "测试县第一中学", "3130624001", "测试县")
        older = auto_backup(db, "import")
        _two_students(db)  # the abandoned days
        assert auto_backup(db, "import") is not None
        db, _ = restore(db, older)
        _two_students(db)  # new work over the same chain numbers
        with db.reading() as s:
            assert s.scalar(select(func.max(AuditEntry.chain_seq))) > 4
        assert check_database(db) == []
    finally:
        db.dispose()
        for p in backups_dir().glob("anchor-restore-auto-*"):
            p.unlink()
