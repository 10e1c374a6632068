import pytest
from sqlalchemy import insert, select

from aidoffice.db.models import AuditEntry, Township
from aidoffice.ledgers.students import add_student, update_student
from tests.factories import student


def _entries(db, entity="student"):
    with db.reading() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)).all()


def test_adding_a_student_records_who_and_what(school_db):
    with school_db.unit_of_work(actor="李老师") as s:
        sid = add_student(s, 1, student("王小明")).id
    [entry] = _entries(school_db)
    assert (entry.actor, entry.action, entry.entity_id) == ("李老师", "insert", sid)
    assert entry.after["name"] == "王小明"


def test_an_edit_records_only_what_changed_with_before_and_after(school_db):
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
    with pytest.raises(RuntimeError), school_db.unit_of_work() as s:
        add_student(s, 1, student("王小明"))
        raise RuntimeError("power cut")
    assert _entries(school_db) == []


def test_bulk_inserts_are_recorded_too(school_db):
    with school_db.unit_of_work(actor="导入", note="批量") as s:
        s.execute(insert(Township), [{"name": "甲乡"}, {"name": "乙乡"}])
    [entry] = _entries(school_db, "township")
    assert (entry.action, entry.after, entry.actor) == ("bulk_insert", {"rows": 2}, "导入")
