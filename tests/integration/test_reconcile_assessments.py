"""The school's hardship assessment (家庭经济困难学生认定) and the studies-elsewhere records: recorded
through audited services, imported from the autumn workbook, and read by eligibility as group facts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aidoffice.db.models import (
    AuditEntry,
    GroupMembership,
    HardshipAssessment,
    Household,
    HouseholdMember,
    SourceKind,
)
from aidoffice.errors import InputRefused, ValidationError
from aidoffice.importing.assessments import import_assessments
from aidoffice.importing.report import Action
from aidoffice.ledgers.assessments import assessments_of, record_assessment
from aidoffice.ledgers.elsewhere import elsewhere_counts, elsewhere_for, record_elsewhere
from aidoffice.ledgers.groups import group_facts
from aidoffice.ledgers.students import add_student
from aidoffice.ledgers.villages import get_or_create_village
from tests.factories import an_id, student
from tests.sheets import write_xlsx

TODAY = date(2026, 11, 22)


def add(db, name, **kw):
    with db.unit_of_work(actor="资助专干") as s:
        st = add_student(s, 1, student(name, **kw), today=TODAY)
        return st.id, st.id_number


def facts(db, key):
    with db.reading() as s:
        return group_facts(s, [key]).get(key, [])


def test_an_assessment_becomes_a_dated_group_fact_and_follows_changes(school_db):
    """A re-assessment changes what the student qualifies for from its own date, and every revision is audited."""
    sid, key = add(school_db, "李明", boarding=True)
    with school_db.unit_of_work(actor="资助专干") as s:
        record_assessment(
            s,
            sid,
            "2026-2027",
            "比较困难",
            date(2026, 10, 10),
            "学校资助工作领导小组",
            "父亲重病",
            today=TODAY,
        )
    [fact] = facts(school_db, key)
    assert (fact.group, fact.source_kind, fact.known_on, fact.status) == (
        "hardship_relative",
        SourceKind.ASSESSMENT,
        date(2026, 10, 10),
        "比较困难",
    )
    assert fact.source_label == "家庭经济困难认定（2026-2027学年）"
    with school_db.unit_of_work(actor="资助专干") as s:  # reviewed: the situation is worse
        record_assessment(
            s, sid, "2026-2027", "特别困难", date(2026, 11, 2), "学校资助工作领导小组", today=TODAY
        )
    assert [(f.group, f.known_on) for f in facts(school_db, key)] == [("hardship_special", date(2026, 11, 2))]
    with school_db.unit_of_work(actor="资助专干") as s:
        record_assessment(
            s, sid, "2026-2027", "不困难", date(2026, 11, 20), "学校资助工作领导小组", today=TODAY
        )
    assert facts(school_db, key) == []
    with school_db.reading() as s:
        assert [r.level_name for r in assessments_of(s, sid)] == ["不困难"]
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "hardship_assessment").order_by(AuditEntry.id)
        ).all()
        assert [e.action for e in entries] == ["insert", "update", "update"]
        assert entries[0].actor == "资助专干"


def test_an_assessment_needs_a_level_a_date_and_who_decided(school_db):
    """An assessment lacking a level, a date or who decided cannot stand at inspection; all gaps are named at once."""
    sid, _key = add(school_db, "李明")
    with pytest.raises(ValidationError) as err, school_db.unit_of_work() as s:
        record_assessment(s, sid, "2026", "特困", date(2027, 1, 1), "", today=TODAY)
    fields = {p.field for p in err.value.problems}
    assert fields == {"学年", "认定级别", "认定人", "认定时间"}


def test_the_autumn_workbook_is_imported_row_by_row_with_reasons(school_db, tmp_path):
    """One bad row must not block the workbook: good rows go in, each refusal says why, a preview writes nothing."""
    a_id, a_key = add(school_db, "甲同学", boarding=True)
    _b_id, b_key = add(school_db, "乙同学")
    c_id, _c_key = add(school_db, "丙同学")
    stranger = an_id()
    book = write_xlsx(
        tmp_path / "认定表.xlsx",
        [
            ["2026年秋季学期家庭经济困难学生认定汇总表"],
            ["序号", "学生姓名", "身份证件号码", "困难等级", "认定日期", "评议小组", "备注"],
            [1, "甲同学", a_key, "一般困难", "2026-10-12", None, None],
            [2, "乙同学", b_key, "特困", "2026-10-12", None, None],
            [3, "外校学生", stranger, "一般困难", "2026-10-12", None, None],
            [4, "丙同学", None, "一般困难", "2027-01-05", None, None],
            [5, "甲同学", a_key, "特别困难", "2026.10.12", "七年级评议小组", "孤儿"],
        ],
    )
    with school_db.unit_of_work(actor="资助专干") as s:
        preview = import_assessments(s, book, school_year="2026-2027", dry_run=True, today=TODAY)
    assert facts(school_db, a_key) == []  # a preview writes nothing
    # 甲同学 twice: the later row is kept (the rule of every import), the earlier one names it
    assert [o.action for o in preview.outcomes] == [Action.REFUSED] * 4 + [Action.NEW]
    reasons = {o.row: o.detail for o in preview.rejected}
    assert "特困" in reasons[4] and "特别困难" in reasons[4]
    assert "学籍台账中没有" in reasons[5]
    assert "没有证件号或学籍号" in reasons[6]
    assert "出现了 2 次（第 3、7 行），已按第 7 行导入" in reasons[3]
    with school_db.unit_of_work(actor="资助专干") as s:
        report = import_assessments(s, book, school_year="2026-2027", today=TODAY)
    assert report.applied and report.count(Action.NEW) == 1
    [fact] = facts(school_db, a_key)
    assert (fact.group, fact.known_on) == ("hardship_special", date(2026, 10, 12))
    with school_db.reading() as s:
        row = s.scalars(select(HardshipAssessment).where(HardshipAssessment.student_id == a_id)).one()
        assert (row.decided_by, row.note, row.batch_id is not None) == ("七年级评议小组", "孤儿", True)
    with school_db.unit_of_work(actor="资助专干") as s:
        again = import_assessments(s, book, school_year="2026-2027", today=TODAY)
    assert again.count(Action.UNCHANGED) == 1 and again.count(Action.NEW) == 0
    with school_db.reading() as s:  # 丙同学 stays unassessed: the row had no ID
        assert s.scalars(select(HardshipAssessment).where(HardshipAssessment.student_id == c_id)).all() == []


def test_a_workbook_without_a_level_column_is_refused(school_db, tmp_path):
    """A list with no 认定级别 column is not an assessment; the clerk must be told which column is missing."""
    book = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号", "年级"], ["甲", an_id(), "七年级"]])
    with pytest.raises(InputRefused) as err, school_db.unit_of_work() as s:
        import_assessments(s, book, today=TODAY)
    assert "认定级别" in str(err.value)


def test_studies_elsewhere_is_recorded_checked_and_counted_per_village(school_db):
    """Where a village child studies is recorded with who checked it and when; the latest record counts, once."""
    key = an_id(date(2015, 1, 1))
    with school_db.unit_of_work(actor="资助专干") as s:
        village = get_or_create_village(s, "龙泉关镇", "黑崖沟村")
        h = Household(village_id=village.id, household_no="1", head_name="户主")
        s.add(h)
        s.flush()
        s.add(
            HouseholdMember(
                household_id=h.id, name="小孩", id_number=key, person_key=key, birth_date=date(2015, 1, 1)
            )
        )
        with pytest.raises(ValidationError) as err:
            record_elsewhere(s, key, "小孩", "", date(2027, 1, 1), "", today=TODAY)
        assert {p.field for p in err.value.problems} == {"就读学校", "核实人", "核实日期"}
        record_elsewhere(
            s, key, "小孩", "石家庄市第一小学", date(2026, 10, 1), "王老师", place="省内县外", today=TODAY
        )
        record_elsewhere(
            s, key, "小孩", "石家庄市第二小学", date(2026, 11, 1), "王老师", place="省内县外", today=TODAY
        )
        assert elsewhere_counts(s) == {village.id: 1}
        row = elsewhere_for(s, [key])[key]
        assert row.school_name == "石家庄市第二小学"
        assert row.describe() == "在外就读：石家庄市第二小学（省内县外，2026-11-01 王老师核实）"
    with school_db.reading() as s:
        actions = [
            e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.entity == "study_elsewhere"))
        ]
        assert actions == ["insert", "update"]


def test_correcting_an_id_moves_the_assessment_facts_with_it(school_db):
    """An assessment filed under a mistyped ID must follow the student when the ID is corrected."""
    from aidoffice.ledgers.assessments import sync_assessment_facts
    from aidoffice.ledgers.student_rules import StudentInput
    from aidoffice.ledgers.students import get_student, update_student

    sid, old = add(school_db, "李明", boarding=True)
    with school_db.unit_of_work(actor="资助专干") as s:
        record_assessment(s, sid, "2026-2027", "一般困难", date(2026, 10, 10), "评议小组", today=TODAY)
    new = an_id()
    with school_db.unit_of_work(actor="资助专干") as s:
        st = get_student(s, sid)
        data = StudentInput.from_student(st)
        data.id_number, data.student_no, data.birth_date, data.sex = new, None, None, None
        update_student(s, sid, data, TODAY)
        sync_assessment_facts(s, st)
    assert facts(school_db, old) == []
    assert [f.group for f in facts(school_db, new)] == ["hardship_general"]
    with school_db.reading() as s:
        assert s.scalars(
            select(GroupMembership.person_key).where(GroupMembership.source_kind == SourceKind.ASSESSMENT)
        ).all() == [new]


def test_the_assessment_workbook_is_screened_like_every_import(school_db, tmp_path):
    """Control characters and absurdly long cells reach no stored assessment; each is named by row and column."""
    a_id, a_key = add(school_db, "甲同学")
    _b_id, b_key = add(school_db, "乙同学")
    from tests.sheets import write_csv

    book = write_csv(  # a workbook cannot hold control characters; a CSV from another program can
        tmp_path / "认定表.csv",
        [
            ["姓名", "身份证件号", "认定级别", "认定时间", "认定人", "认定原因"],
            ["甲同学", a_key, "特别困难", "2026-10-12", "王\x1b[2J老师", "家庭\x07变故\u202e"],
            ["乙同学", b_key, "一般困难", "2026-10-12", "李" * 100_000, ""],
        ],
        encoding="utf-8",
    )
    with school_db.unit_of_work(actor="资助专干") as s:
        report = import_assessments(s, book, school_year="2026-2027", today=TODAY)
    assert report.count(Action.NEW) == 1 and len(report.rejected) == 1
    refused = report.rejected[0]
    assert refused.row == 3 and "认定人" in refused.detail and "共 100,000 字" in refused.detail
    warned = " ".join(w.reason for w in report.warnings_by_row[2])
    assert "控制字符" in warned and "U+001B" in warned
    with school_db.reading() as s:
        row = s.scalars(select(HardshipAssessment).where(HardshipAssessment.student_id == a_id)).one()
        assert row.decided_by == "王[2J老师" and row.note == "家庭变故"
