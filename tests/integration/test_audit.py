import pytest
from sqlalchemy import insert, select

from aidoffice.db.models import AuditEntry, Township
from aidoffice.ledgers.students import add_student, update_student
from tests.factories import student


def _entries(db, entity="student"):
    with db.reading() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)).all()


def test_adding_a_student_records_who_and_what(school_db):
    """When a student's record is questioned, the trail must name the clerk who added it and what was entered."""
    with school_db.unit_of_work(actor="李老师") as s:
        sid = add_student(s, 1, student("王小明")).id
    [entry] = _entries(school_db)
    assert (entry.actor, entry.action, entry.entity_id) == ("李老师", "insert", sid)
    assert entry.after["name"] == "王小明"


def test_an_edit_records_only_what_changed_with_before_and_after(school_db):
    """A reviewer must see which field a clerk changed and its old value, not a copy of the whole record."""
    with school_db.unit_of_work(actor="李老师") as s:
        data = student("王小明", guardian_phone="13800000000")
        sid = add_student(s, 1, data).id
    data.guardian_phone = "13900000000"
    with school_db.unit_of_work(actor="张主任") as s:
        update_student(s, sid, data)
    update = _entries(school_db)[-1]
    assert update.actor == "张主任"
    assert update.before == {"guardian_phone": "13800000000"}
    assert update.after == {"guardian_phone": "13900000000"}


def test_a_rolled_back_change_leaves_no_trace(school_db):
    """A change that never happened must not appear in the trail and mislead whoever audits it."""
    with pytest.raises(RuntimeError), school_db.unit_of_work() as s:
        add_student(s, 1, student("王小明"))
        raise RuntimeError("power cut")
    assert _entries(school_db) == []


def test_bulk_inserts_are_recorded_too(school_db):
    """Rows written in bulk must still leave an entry saying who wrote how many, or imports go unrecorded."""
    with school_db.unit_of_work(actor="导入", note="批量") as s:
        s.execute(insert(Township), [{"name": "甲乡"}, {"name": "乙乡"}])
    [entry] = _entries(school_db, "township")
    assert (entry.action, entry.after, entry.actor) == ("bulk_insert", {"rows": 2}, "导入")


def test_a_bank_account_change_is_visible_in_the_trail_but_not_the_number(school_db):
    """The trail must show that the account changed (and which one it became), without spreading it."""
    with school_db.unit_of_work() as s:
        data = student("王小明", bank_account="6228480012345678901")
        sid = add_student(s, 1, data).id
    data.bank_account = "6217990098765432109"
    with school_db.unit_of_work(actor="张主任") as s:
        update_student(s, sid, data)
    insert_entry, update = _entries(school_db)
    assert "6228480012345678901" not in str(insert_entry.after) and insert_entry.after[
        "bank_account"
    ].startswith("****8901 #")
    assert update.before["bank_account"].startswith("****8901 #")
    assert update.after["bank_account"].startswith("****2109 #")
    assert update.before["bank_account"] != update.after["bank_account"]


def test_a_demo_fill_is_traceable_to_its_batch(school_db):
    """Generated rows carry the batch that made them: what it was, who, when."""
    from datetime import date

    from aidoffice.db.models import Award, ImportBatch, Student
    from aidoffice.demo import generate

    with school_db.unit_of_work(actor="培训老师") as s:
        generate(s, 60, today=date(2026, 11, 22))
    with school_db.reading() as s:
        [batch] = s.scalars(select(ImportBatch)).all()
        assert (batch.kind, batch.actor, batch.rows) == ("demo", "培训老师", 60)
        assert set(s.scalars(select(Student.batch_id))) == {batch.id}
        assert set(s.scalars(select(Award.batch_id))) == {batch.id}
        bulk = s.scalars(select(AuditEntry).where(AuditEntry.action == "bulk_insert")).all()
        assert bulk and {e.batch_id for e in bulk} == {batch.id}
