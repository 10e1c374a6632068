"""控辍保学 一人一案 on both databases: a case opened from a 需核实去向 finding, from 标记辍学 in the
student ledger, or by hand; worked (actions, escalation), closed with an outcome that the ledger and the
problem list follow; reopened when the child leaves again; every step in the audit trail; read only by
roles with the right, a head teacher only for their classes, ID numbers masked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aidoffice.access.checks import PermissionDenied, act_as
from aidoffice.casework import case_queries as q
from aidoffice.casework import cases
from aidoffice.casework.cases import CaseInput, ChildInput, PersonInput
from aidoffice.db.models import (
    AuditEntry,
    CaseStatus,
    DropoutCase,
    Problem,
    ProblemStatus,
    Student,
    StudentStatus,
)
from aidoffice.errors import InputRefused, ValidationError
from aidoffice.ledgers.places import set_served_villages
from aidoffice.ledgers.students import add_student
from aidoffice.ledgers.villages import get_or_create_village
from aidoffice.privacy import Level, find_sensitive
from aidoffice.reconcile.service import run_reconcile
from aidoffice.safety.accounts import create_user, sign_in
from tests.factories import an_id, student
from tests.reconcile_world import TERM, TODAY, plant

pytestmark = pytest.mark.today("2026-11-22")
PLAN = CaseInput(
    reason="外出务工",
    reason_note="随父母去浙江打工，家长电话13812345678",
    plan="班主任每周电话，村干部上门，两周内复学",
    people=(PersonInput("班主任", "李老师", "13900001111"), PersonInput("村干部", "王主任", "13700002222")),
)


@pytest.fixture
def world(school_db, tmp_path):
    w = plant(school_db, tmp_path)
    with school_db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)
    return school_db, w


def _problem(db, name):
    with db.reading() as s:
        return s.scalars(select(Problem).where(Problem.kind == "NOT_ENROLLED", Problem.name == name)).one()


def test_a_child_found_by_the_comparison_is_followed_through_a_case_back_to_school(world):
    """韩梅, 10, of 黑崖沟村 is in no ledger (需核实去向): the clerk opens a case from the finding, visits,
    escalates, and closes it when she returns; the finding closes with it and every step is audited."""
    db, _w = world
    p = _problem(db, "韩梅")
    with db.unit_of_work(actor="资助专干") as s:
        case = cases.open_from_problem(s, p.id, PLAN, today=TODAY)
        cid = case.id
    with db.unit_of_work(actor="李老师") as s:
        cases.add_action(
            s, cid, way="家访", said="与父亲谈义务教育法", result="答应考虑", on=date(2026, 11, 20)
        )
        cases.escalate(s, cid, to="龙泉关镇政府、县教育局", note="劝返两次无效")
        cases.close_case(s, cid, outcome="复学", note="11月22日回校上课")
    with db.reading() as s:
        c = s.get(DropoutCase, cid)
        assert (c.status, c.outcome, c.source, c.village, c.township) == (
            CaseStatus.CLOSED, "复学", "finding", "黑崖沟村", "龙泉关镇",
        )  # fmt: skip
        assert [a.kind for a in c.actions] == ["open", "act", "escalate", "close"]
        problem = s.get(Problem, p.id)
        assert problem.status is ProblemStatus.CLOSED and problem.resolution == "已劝返复学"
        entities = set(s.scalars(select(AuditEntry.entity).where(AuditEntry.entity.like("case%"))))
        assert {"case_action", "case_person"} <= entities
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "dropout_case")).first() is not None


def test_a_closed_finding_or_another_kind_cannot_open_a_case(world):
    db, _w = world
    with db.reading() as s:
        other = s.scalars(select(Problem).where(Problem.kind != "NOT_ENROLLED")).first()
    with db.unit_of_work() as s, pytest.raises(InputRefused, match="需核实去向"):
        cases.open_from_problem(s, other.id, PLAN)


def test_marking_dropout_opens_a_case_returning_closes_it_and_leaving_again_reopens_it(school_db):
    db = school_db
    with db.unit_of_work(actor="资助专干") as s:
        sid = add_student(s, 1, student("刘小军", "八年级", "2班")).id
    with db.unit_of_work(actor="资助专干") as s:
        cases.mark_dropout(s, sid, date(2026, 10, 8), "外出务工")
    with db.reading() as s:
        (c,) = s.scalars(select(DropoutCase)).all()
        assert (c.reason, c.status, c.student_id, c.class_name) == ("外出务工", CaseStatus.OPEN, sid, "2班")
        assert s.get(Student, sid).status is StudentStatus.DROPPED_OUT
    with db.unit_of_work(actor="资助专干") as s:
        cases.reinstate(s, sid, date(2026, 11, 2), "已回校")
    with db.reading() as s:
        c = s.scalars(select(DropoutCase)).one()
        assert (c.status, c.outcome) == (CaseStatus.CLOSED, "复学")
        assert s.get(Student, sid).status is StudentStatus.ENROLLED
    with db.unit_of_work(actor="资助专干") as s:
        cases.mark_dropout(s, sid, date(2026, 11, 20), "厌学，不愿上学")
    with db.reading() as s:
        c = s.scalars(select(DropoutCase)).one()  # the same case, its history kept
        assert (c.status, c.times_opened, c.reason, c.reason_note) == (
            CaseStatus.OPEN,
            2,
            "其他",
            "厌学，不愿上学",
        )
        assert [a.kind for a in c.actions] == ["open", "close", "reopen"]


def test_closing_the_case_with_return_marks_the_student_enrolled(school_db):
    db = school_db
    with db.unit_of_work(actor="资助专干") as s:
        sid = add_student(s, 1, student("陈一", "七年级", "1班")).id
        cases.mark_dropout(s, sid, date(2026, 11, 1), "家庭经济")
    with db.unit_of_work(actor="资助专干") as s:
        cid = s.scalars(select(DropoutCase.id)).one()
        cases.close_case(s, cid, outcome="复学", on=date(2026, 11, 15))
    with db.reading() as s:
        st = s.get(Student, sid)
        assert st.status is StudentStatus.ENROLLED and st.status_changed_on == date(2026, 11, 15)


@pytest.mark.parametrize(
    ("outcome", "needs"), [("转学", "接收学校"), ("因病缓学", "诊断证明"), ("其他", "结案原因")]
)
def test_an_outcome_without_its_proof_is_refused_and_the_case_stays_open(school_db, outcome, needs):
    db = school_db
    with db.unit_of_work() as s:
        sid = add_student(s, 1, student("孙二")).id
        cases.mark_dropout(s, sid, date(2026, 11, 1), "疾病或残疾")
    with db.unit_of_work() as s, pytest.raises(ValidationError, match=needs):
        cases.close_case(s, s.scalars(select(DropoutCase.id)).one(), outcome=outcome, note="  ")
    with db.reading() as s:
        assert s.scalars(select(DropoutCase.status)).one() is CaseStatus.OPEN


def test_hostile_inputs_are_refused_with_what_and_where(school_db):
    db = school_db
    with db.unit_of_work() as s:
        sid = add_student(s, 1, student("周三")).id
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="辍学原因"):
        cases.open_for_student(s, sid, CaseInput(reason="=cmd|' /C calc'!A0"))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="责任人"):
        cases.open_for_student(s, sid, CaseInput(reason="其他", people=(PersonInput("黑客", "某人"),)))
    with db.unit_of_work() as s:
        cid = cases.open_for_student(s, sid, CaseInput(reason="其他")).id
    with db.unit_of_work() as s, pytest.raises(InputRefused, match="已有劝返中的案件"):
        cases.open_for_student(s, sid, CaseInput(reason="其他"))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="还没有到"):
        cases.add_action(s, cid, way="电话", said="打过电话", on=date(2027, 1, 1))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="沟通内容"):
        cases.add_action(s, cid, way="电话", said="x" * 5000)
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="方式"):
        cases.add_action(s, cid, way="飞鸽传书", said="…")


def test_a_child_of_a_served_village_in_no_ledger_is_opened_by_hand_and_others_are_refused(school_db):
    db = school_db
    with db.unit_of_work() as s:
        served = get_or_create_village(s, "龙泉关镇", "黑崖沟村").id
        other = get_or_create_village(s, "城南庄镇", "大岸底村").id
        set_served_villages(s, [served])
        enrolled = add_student(s, 1, student("吴在读")).id_number
    child = ChildInput("马小花", an_id(date(2014, 2, 2), male=False), served, guardian_name="马大")
    with db.unit_of_work() as s:
        case = cases.open_by_hand(s, child, CaseInput(reason="早婚早育"))
        assert (case.source, case.birth_date, case.village) == ("manual", date(2014, 2, 2), "黑崖沟村")
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="不是本校的服务村"):
        cases.open_by_hand(s, ChildInput("外村", an_id(), other), CaseInput(reason="其他"))
    with db.unit_of_work() as s, pytest.raises(InputRefused, match="标记辍学"):
        cases.open_by_hand(s, ChildInput("吴在读", enrolled, served), CaseInput(reason="其他"))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="身份证件号"):
        cases.open_by_hand(s, ChildInput("错号", "13062420140202999", served), CaseInput(reason="其他"))
    bad_phone = ChildInput("牛小", an_id(), served, guardian_name="牛大", guardian_phone="0312-72")
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="牛小的监护人电话“0312-72”"):
        cases.open_by_hand(s, bad_phone, CaseInput(reason="其他"))


def _people(db):
    with db.unit_of_work() as s:
        create_user(s, "admin", "管理员", "Mountain-2026", "admin")
    admin = sign_in(db, "admin", "Mountain-2026")
    with db.unit_of_work() as s:
        act_as(s, admin)
        create_user(
            s, "wang", "王老师", "River-2026x", "head_teacher", [(7, "2班")], must_change_password=False
        )
        create_user(s, "county", "县中心", "River-2026x", "county_viewer", must_change_password=False)
    return admin, sign_in(db, "wang", "River-2026x"), sign_in(db, "county", "River-2026x")


def test_case_files_are_for_roles_with_the_right_and_a_head_teacher_sees_only_own_classes(school_db):
    db = school_db
    with db.unit_of_work() as s:
        mine = add_student(s, 1, student("本班生", "七年级", "2班")).id
        theirs = add_student(s, 1, student("外班生", "七年级", "3班")).id
        for sid in (mine, theirs):
            cases.mark_dropout(s, sid, date(2026, 11, 1), "外出务工")
    _admin, wang, county = _people(db)
    with db.reading() as s:
        act_as(s, wang)
        assert [r.name for r in q.list_cases(s)] == ["本班生"]
        other = s.scalars(select(DropoutCase.id).where(DropoutCase.name == "外班生")).one()
        with pytest.raises(PermissionDenied):
            q.case_detail(s, other)
        assert q.dashboard(s).open == 1
    with db.unit_of_work() as s:
        act_as(s, wang)
        with pytest.raises(PermissionDenied):  # a head teacher reads; the clerk writes
            cases.add_action(s, other, way="电话", said="…")
    with db.reading() as s:
        act_as(s, county)
        with pytest.raises(PermissionDenied, match="控辍保学"):
            q.list_cases(s)


def test_ids_phones_and_notes_are_masked_unless_the_full_level_is_asked_for(school_db):
    db = school_db
    with db.unit_of_work() as s:
        sid = add_student(s, 1, student("郑密")).id
        cid = cases.open_for_student(s, sid, PLAN).id
        cases.add_action(s, cid, way="电话", said="母亲身份证130624198001011234，电话13812345678")
    with db.reading() as s:
        detail = q.case_detail(s, cid)
        text = repr(detail.as_json())
        assert find_sensitive(text) == []
        assert "*" in detail.row.id_number
        full = q.case_detail(s, cid, level=Level.FULL)
        assert len(full.row.id_number) == 18 and "*" not in full.row.id_number


def test_the_dashboard_counts_open_returned_and_overdue_by_village_and_teacher(school_db):
    db = school_db
    with db.unit_of_work() as s:
        a = add_student(s, 1, student("赵甲", hukou_township="龙泉关镇", hukou_village="黑崖沟村")).id
        b = add_student(s, 1, student("钱乙")).id
        c1 = cases.open_for_student(s, a, PLAN, today=date(2026, 11, 1)).id  # due 11-08: overdue
        cases.open_for_student(
            s, b, CaseInput(reason="其他", next_due=date(2026, 12, 1)), today=date(2026, 11, 20)
        )
        cases.close_case(s, c1, outcome="复学", on=date(2026, 11, 10))
        a2 = add_student(s, 1, student("孙丙")).id
        cases.open_for_student(s, a2, PLAN, today=date(2026, 11, 1))
    with db.reading() as s:
        d = q.dashboard(s)
    assert (d.open, d.returned_this_term, d.overdue, d.opened_this_term) == (2, 1, 1, 3)
    teacher = {t.label: t for t in d.by_teacher}
    assert (teacher["李老师"].open, teacher["李老师"].returned, teacher["李老师"].overdue) == (1, 1, 1)


def test_the_three_ledgers_follow_a_child_from_suspect_to_case(world):
    """韩梅 is on the roll of 黑崖沟村 with nobody knowing where she studies, and a suspect to check; once
    her case is open she is a dropout with her plan; enrolled children show their class. IDs masked."""
    from aidoffice.casework.dropout_ledgers import dropout_ledgers

    db, w = world
    with db.reading() as s:
        before = dropout_ledgers(s, on=TODAY)
    roll = {r[4]: r for r in before.roll}
    assert roll["韩梅"][1:3] == ("龙泉关镇", "黑崖沟村") and roll["韩梅"][-1] == "去向未核实"
    assert roll["张小明"][-3:] == ("测试县第一中学", "七年级1班", "本校在读")
    suspect = {r[3]: r for r in before.suspects}
    assert suspect["韩梅"][-1] == "待核实" and suspect["韩梅"][5] == "户籍与学籍比对"
    assert before.dropouts == []
    with db.unit_of_work(actor="资助专干") as s:
        cid = cases.open_from_problem(s, _problem(db, "韩梅").id, PLAN, today=TODAY).id
    with db.reading() as s:
        after = dropout_ledgers(s, on=TODAY)
    assert {r[4]: r for r in after.roll}["韩梅"][-1] == "辍学（劝返中）"
    assert {r[3]: r for r in after.suspects}["韩梅"][-1] == f"已立案（案件 {cid}）"
    (row,) = after.dropouts
    assert (row[3], row[8], row[9]) == ("韩梅", "外出务工", "班主任：李老师；村干部：王主任")
    total = after.report[-1]
    assert total[0] == "合计" and total[6] == 1 and total[7] == 1
    text = repr((after.roll, after.suspects, after.dropouts))
    assert find_sensitive(text) == [] and w.ids["韩梅"] not in text


def test_notices_and_the_county_workbook_are_printed_masked_and_recorded(world, tmp_path):
    """The 复学通知书 carries the deadline and no ID number, is recorded on the case (its deadline the
    next date) and as a produced document; the county workbook holds the three ledgers and the report
    in the template's own sheets, with no full ID number, and its export is in the audit trail."""
    import pypdfium2
    from openpyxl import load_workbook

    from aidoffice.db.models import PublicityBatch
    from aidoffice.services.case_notices import produce_case_notice
    from aidoffice.services.dropout_export import export_dropout_ledgers

    db, w = world
    with db.unit_of_work(actor="资助专干") as s:
        cid = cases.open_from_problem(s, _problem(db, "韩梅").id, PLAN, today=TODAY).id
    with db.unit_of_work(actor="资助专干") as s:
        res = produce_case_notice(s, cid, "return", tmp_path / "复学通知书.pdf", deadline=date(2026, 11, 30))
    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(res.path))
    assert "复学通知书" in text and "韩梅" in text and "2026年11月30日" in text and "李老师" in text
    # no ID number; the only number in full is the head teacher's phone, printed for the family to call
    assert w.ids["韩梅"] not in text and find_sensitive(text) == [("phone", "13900001111")]
    with db.reading() as s:
        c = s.get(DropoutCase, cid)
        assert c.next_due == date(2026, 11, 30) and c.actions[-1].kind == "notice"
        assert s.scalars(select(PublicityBatch.kind)).all() == ["return_notice"]
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="截止日期"):
        produce_case_notice(s, cid, "persuade", tmp_path / "x.pdf", deadline=TODAY)
    assert not (tmp_path / "x.pdf").exists()

    out = tmp_path / "三本台账.xlsx"
    with db.unit_of_work(actor="资助专干") as s:
        result = export_dropout_ledgers(s, out, on=TODAY)
    assert result.rows["dropouts"] == 1 and result.rows["roll"] > 5
    wb = load_workbook(out)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert "韩梅" in cells and "外出务工" in cells and "测试县第一中学" in " ".join(cells)
    assert not [c for c in cells if len(c) == 18 and c[:17].isdigit() and "*" not in c]
    with db.reading() as s:
        assert (
            s.scalars(select(AuditEntry.note).where(AuditEntry.entity == "dropout_ledgers"))
            .one()
            .startswith("导出控辍保学三本台账")
        )


def test_a_student_marked_dropout_before_cases_were_kept_gets_a_case_by_id_number(school_db):
    """A ledger already saying 辍学 (from before this version) cannot be marked again: 手工立案 with the
    child's ID number opens the case on the student's record; a student at school is sent to 标记辍学."""
    from aidoffice.ledgers.students import mark_dropout as ledger_mark

    db = school_db
    with db.unit_of_work() as s:
        served = get_or_create_village(s, "龙泉关镇", "黑崖沟村").id
        set_served_villages(s, [served])
        old = add_student(s, 1, student("旧辍学", "八年级", "3班"))
        ledger_mark(s, old.id, date(2026, 9, 10), "外出务工")
        number, sid = old.id_number, old.id
        at_school = add_student(s, 1, student("在校生")).id_number
    with db.unit_of_work() as s:
        case = cases.open_by_hand(s, ChildInput("旧辍学", number, served), CaseInput(reason="外出务工"))
        assert (case.student_id, case.class_name, case.source) == (sid, "3班", "ledger")
    with db.unit_of_work() as s, pytest.raises(InputRefused, match="标记辍学"):
        cases.open_by_hand(s, ChildInput("在校生", at_school, served), CaseInput(reason="其他"))


def test_a_county_template_with_its_own_sheet_names_and_headers_is_filled(world, tmp_path):
    """A county's workbook names its sheets and columns its own way (身份证号, 学生姓名, 班级); the rows go
    under its headers, a sheet it lacks is said in a note, and the output cannot overwrite the template."""
    from openpyxl import Workbook, load_workbook

    from aidoffice.services.dropout_export import export_dropout_ledgers

    db, _w = world
    template = tmp_path / "县模板.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "适龄儿童少年花名册"
    ws.append(["某县义务教育适龄儿童花名册"])
    ws.append(["序号", "乡镇", "村", "学生姓名", "身份证号", "班级", "就读情况"])
    ws.append([])
    ws.append(["填表人：", None, "审核人："])
    wb.save(template)
    out = tmp_path / "报县.xlsx"
    with db.unit_of_work() as s:
        res = export_dropout_ledgers(s, out, template=template, on=TODAY)
    assert any("疑似辍学" in n for n in res.notes) and any("户主" in n for n in res.notes)
    sheet = load_workbook(out)["适龄儿童少年花名册"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    filled = [r for r in rows if r[3]]
    assert len(filled) == res.rows["roll"] and filled[0][0] == 1
    assert "*" in filled[0][4] and rows[-1][0] == "填表人："  # the footer moved below the rows
    with db.unit_of_work() as s, pytest.raises(InputRefused, match="同一个文件"):
        export_dropout_ledgers(s, template, template=template)


@pytest.mark.parametrize(
    ("outcome", "note", "status"),
    [
        ("复学", None, StudentStatus.ENROLLED),
        ("送教上门", "每周二、四由李老师上门", StudentStatus.ENROLLED),  # keeps the record, taught at home
        ("转学", "已转入保定市第一中学，接收回执已存档", StudentStatus.TRANSFERRED_OUT),
        ("因病缓学", "县医院诊断证明 2026-11-10", StudentStatus.SUSPENDED),
        ("其他", "随父母迁往外省，去向已报县教育局", StudentStatus.DROPPED_OUT),
    ],
)
def test_each_outcome_leaves_the_ledger_saying_where_the_child_is(school_db, outcome, note, status):
    """Review finding: 转学 could never close a ledger student's case (辍学 could not become 转出), and a
    child closed as 送教上门 or 因病缓学 stayed 辍学, so the next comparison found them out of school again."""
    db = school_db
    with db.unit_of_work() as s:
        sid = add_student(s, 1, student("吴七", "八年级", "1班")).id
        cases.mark_dropout(s, sid, date(2026, 11, 1), "其他")
    with db.unit_of_work() as s:
        cases.close_case(
            s, s.scalars(select(DropoutCase.id)).one(), outcome=outcome, note=note, on=date(2026, 11, 20)
        )
    with db.reading() as s:
        st = s.get(Student, sid)
        assert st.status is status
        if status is not StudentStatus.DROPPED_OUT:
            assert st.status_changed_on == date(2026, 11, 20)
        if outcome == "转学":
            assert "保定市第一中学" in st.status_note
        assert s.scalars(select(DropoutCase.status)).one() is CaseStatus.CLOSED


def test_a_case_for_a_student_the_ledger_already_marked_says_since_when_the_child_is_away(school_db):
    """Review finding: the case (and the 复学通知书, and the month's new dropouts) took the day it was
    opened, not the day the ledger marked the child 辍学."""
    from aidoffice.ledgers import students as ledger

    db = school_db
    with db.unit_of_work() as s:
        sid = add_student(s, 1, student("郑八", "七年级", "2班")).id
        ledger.mark_dropout(s, sid, date(2026, 9, 1), "外出务工")
    with db.unit_of_work() as s:
        case = cases.open_for_student(s, sid, CaseInput(reason="外出务工"), today=date(2026, 11, 22))
        assert (case.left_on, case.opened_on) == (date(2026, 9, 1), date(2026, 11, 22))


def test_dates_that_cannot_be_are_refused_and_nothing_changes(school_db):
    db = school_db
    with db.unit_of_work() as s:
        sid = add_student(s, 1, student("冯九")).id
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="还没有到"):
        cases.open_for_ledger_student(s, sid, CaseInput(reason="其他", left_on=date(2031, 1, 1)))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="太早"):
        cases.open_for_ledger_student(s, sid, CaseInput(reason="其他", left_on=date(1900, 1, 1)))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="下次跟进"):
        cases.open_for_ledger_student(s, sid, CaseInput(reason="其他", next_due=date(2020, 1, 1)))
    with db.unit_of_work() as s:
        cid = cases.open_for_ledger_student(s, sid, CaseInput(reason="其他", left_on=date(2026, 11, 10))).id
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="太早"):
        cases.add_action(s, cid, way="家访", said="谈话", on=date(1900, 1, 1))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="还没有到"):
        cases.close_case(s, cid, outcome="复学", on=date(2030, 1, 1))
    with db.unit_of_work() as s, pytest.raises(ValidationError, match="立案日期"):
        cases.close_case(s, cid, outcome="复学", on=date(2026, 11, 1))
    with db.reading() as s:
        c = s.get(DropoutCase, cid)
        assert c.status is CaseStatus.OPEN and [a.kind for a in c.actions] == ["open"]
        assert s.get(Student, sid).status is StudentStatus.DROPPED_OUT


def test_the_suspected_dropout_ledger_lists_children_of_compulsory_school_age_only(school_db):
    """Review finding: 疑似辍学 held 141 children of 4–5 and 15–18 among 150 rows. A dropout of 17 (高中)
    or a finding about a child of 4 stays in the problem list but is no 控辍保学 suspect (义务教育 6–15)."""
    from aidoffice.casework.dropout_ledgers import suspects
    from aidoffice.ledgers import students as ledger

    db = school_db
    with db.unit_of_work() as s:
        young = add_student(s, 1, student("钱十二", "七年级", "1班", birth=date(2014, 3, 1))).id
        old = add_student(s, 1, student("孙十七", "九年级", "1班", birth=date(2009, 3, 1))).id
        ledger.mark_dropout(s, young, date(2026, 10, 1), "外出务工")
        ledger.mark_dropout(s, old, date(2026, 10, 1), "外出务工")
        four = an_id(date(2022, 5, 1))
        s.add(Problem(kind="NOT_ENROLLED", identity=f"NOT_ENROLLED|{four}", person_key=four, id_number=four,
                      name="李四岁", village="黑崖沟村", detail="学前学龄", scope="2026-2027-1",
                      status=ProblemStatus.OPEN, first_seen_on=date(2026, 11, 1), last_seen_on=date(2026, 11, 1)))  # fmt: skip
    with db.reading() as s:
        names = [r[3] for r in suspects(s, on=date(2026, 11, 22))]
    assert names == ["钱十二"]


def test_the_count_of_persuasions_counts_visits_and_calls_not_notices_or_reports(world, tmp_path):
    """Two 劝返 (a call, a home visit), a 复学通知书 printed and a report to the township: the list, the
    case file and the 辍学学生 ledger all say 劝返 2 次, the latest on the day of the home visit (the
    notice, printed later, is no attempt)."""
    from aidoffice.casework.dropout_ledgers import dropout_ledgers
    from aidoffice.services.case_notices import produce_case_notice

    db, _w = world
    with db.unit_of_work(actor="资助专干") as s:
        cid = cases.open_from_problem(s, _problem(db, "韩梅").id, PLAN, today=TODAY).id
    with db.unit_of_work(actor="资助专干") as s:
        cases.add_action(s, cid, way="电话", said="与母亲通话，说明义务教育必须入学", on=date(2026, 11, 18))
        cases.add_action(s, cid, way="家访", said="上门劝返，家长答应考虑", on=date(2026, 11, 20))
        cases.escalate(s, cid, to="龙泉关镇人民政府、县教育局", on=date(2026, 11, 21))
    with db.unit_of_work(actor="资助专干") as s:
        produce_case_notice(s, cid, "return", tmp_path / "复学通知书.pdf", deadline=date(2026, 11, 30))
    with db.reading() as s:
        assert [a.kind for a in s.get(DropoutCase, cid).actions].count("act") == 2
        (row,) = q.list_cases(s)
        detail = q.case_detail(s, cid)
        book = dropout_ledgers(s, on=TODAY)
    assert (row.attempts, row.last_attempt) == (2, date(2026, 11, 20))
    assert detail.as_json()["attempts"] == 2
    (ledger_row,) = book.dropouts
    assert ledger_row[11:13] == (2, date(2026, 11, 20))


def test_control_characters_typed_into_a_case_are_dropped_and_the_lines_kept(school_db):
    """A note pasted from a chat or a terminal carries ESC, BEL, NUL and Windows line breaks: the case
    stores what the clerk meant (no U+FFFD where they were); the lines and tabs of a long note stay, a
    name or a phone is one line."""
    db = school_db
    with db.unit_of_work(actor="资助专干") as s:
        sid = add_student(s, 1, student("孙控")).id
        plan = CaseInput(
            reason="外出务工",
            plan="第一步：\t班主任电话\r\n第二步：\x1b村干部上门\x07",
            people=(PersonInput("班主任", "李\x00老师\t", "139\x0000001111"),),
        )
        cid = cases.open_for_student(s, sid, plan).id
        cases.add_action(s, cid, way="家访", said="母亲说\x1b[31m孩子\r\n\t愿意回来\x08", who="王\n老师")
    with db.reading() as s:
        c = s.get(DropoutCase, cid)
        act = c.actions[-1]
        stored = [c.plan, c.people[0].name, c.people[0].phone, act.said, act.who]
    assert stored == [
        "第一步：\t班主任电话\n第二步：村干部上门",
        "李老师",
        "13900001111",
        "母亲说[31m孩子\n\t愿意回来",
        "王 老师",
    ]
    assert not any("\ufffd" in t for t in stored)


def test_a_note_of_only_control_characters_is_no_note(school_db):
    db = school_db
    with db.unit_of_work(actor="资助专干") as s:
        cid = cases.open_for_student(s, add_student(s, 1, student("孙空")).id, PLAN).id
    with db.unit_of_work(actor="资助专干") as s, pytest.raises(ValidationError, match="沟通内容"):
        cases.add_action(s, cid, way="电话", said="\x1b\x07\r\n")


@pytest.mark.parametrize(
    ("phone", "why"),
    [
        ("1390000111", "应为 11 位"),
        ("7221234", "缺少区号"),
        ("王主任家", "不是电话号码"),
        ("12900001111", "第二位"),
    ],
)
def test_a_responsible_persons_wrong_phone_is_refused_naming_the_person(school_db, phone, why):
    db = school_db
    people = (PersonInput("班主任", "李老师", "13900001111"), PersonInput("村干部", "王主任", phone))
    with db.unit_of_work(actor="资助专干") as s:
        sid = add_student(s, 1, student("周电")).id
    with db.unit_of_work(actor="资助专干") as s, pytest.raises(ValidationError) as err:
        cases.open_for_student(s, sid, CaseInput(reason="外出务工", people=people))
    assert "第 2 位（村干部 王主任）的电话" in str(err.value) and why in str(err.value)
    with db.reading() as s:
        assert s.scalars(select(DropoutCase)).all() == []


def test_a_landline_with_extension_and_no_phone_are_kept(school_db):
    db = school_db
    people = (PersonInput("校长", "赵校长", "0312 - 7221234转8012"), PersonInput("家长", "周母", ""))
    with db.unit_of_work(actor="资助专干") as s:
        cid = cases.open_for_student(
            s, add_student(s, 1, student("周固")).id, CaseInput(reason="外出务工", people=people)
        ).id
    with db.reading() as s:
        assert [(p.name, p.phone) for p in s.get(DropoutCase, cid).people] == [
            ("赵校长", "0312-7221234转8012"),
            ("周母", None),
        ]


def test_a_head_teacher_records_persuasion_for_own_class_cases_only_and_nothing_else(school_db, tmp_path):
    """王老师 of 七年级2班 calls the family of her pupil who dropped out and records it (劝返); she cannot
    record one for another class's child, and opening, notices, reports and closing stay the clerk's."""
    from aidoffice.services.case_notices import produce_case_notice

    db = school_db
    with db.unit_of_work() as s:
        mine = add_student(s, 1, student("本班生", "七年级", "2班")).id
        theirs = add_student(s, 1, student("外班生", "七年级", "3班")).id
        for sid in (mine, theirs):
            cases.mark_dropout(s, sid, date(2026, 11, 1), "外出务工")
        ids = dict(s.execute(select(DropoutCase.name, DropoutCase.id)).all())
    _admin, wang, _county = _people(db)
    with db.unit_of_work() as s:
        act_as(s, wang)
        cases.add_action(s, ids["本班生"], way="电话", said="与家长通话，劝其回校", on=date(2026, 11, 20))
    with db.unit_of_work() as s, pytest.raises(PermissionDenied, match="不是您登记的班级"):
        act_as(s, wang)
        cases.add_action(s, ids["外班生"], way="电话", said="…")
    refused = [
        lambda s: cases.escalate(s, ids["本班生"], to="乡镇"),
        lambda s: cases.close_case(s, ids["本班生"], outcome="复学"),
        lambda s: produce_case_notice(
            s, ids["本班生"], "return", tmp_path / "n.pdf", deadline=date(2026, 12, 1)
        ),
        lambda s: cases.open_for_student(s, add_student(s, 1, student("新生", "七年级", "2班")).id, PLAN),
    ]
    for write in refused:
        with db.unit_of_work() as s, pytest.raises(PermissionDenied):
            act_as(s, wang)
            write(s)
    with db.reading() as s:
        act_as(s, wang)
        (row,) = q.list_cases(s)
        assert (row.name, row.attempts, row.status) == ("本班生", 1, "劝返中")
        action = s.get(DropoutCase, ids["本班生"]).actions[-1]
        assert (action.kind, action.recorded_by) == ("act", "wang")
        assert s.get(DropoutCase, ids["外班生"]).actions[-1].kind == "open"
    assert not (tmp_path / "n.pdf").exists()
