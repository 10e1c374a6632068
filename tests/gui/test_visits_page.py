"""The 三包与家访 page (issue 17), offscreen: a clerk gives a village and a household their teachers,
sees per teacher and per village which households nobody reached this month, records a contact from
that list (the household leaves it), makes the need a problem, hands a leaving teacher's duties over,
and changes the rule; a bad entry is refused in the dialog's own words. A head teacher meets the page
with the clerk's buttons greyed out and only their own class's households."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aidoffice.casework.duties import UNASSIGNED
from aidoffice.db.models import Problem, Visit
from tests.gui.helpers import idle
from tests.visits_world import make_world
from ui.main_window import MainWindow
from ui.pages.visits import VisitsPage

pytestmark = pytest.mark.today("2026-11-22")


def open_page(qtbot, ctx):  # type: ignore[no-untyped-def]
    page = VisitsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    page.activate()
    idle(qtbot, ctx)
    return page


def heads(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[4] for row in page.due.model.rows]


def test_a_clerk_assigns_sees_who_was_not_reached_records_a_contact_and_hands_over(qtbot, school_ctx):
    ctx = school_ctx
    w = make_world(ctx.db)
    page = open_page(qtbot, ctx)

    # 包保责任: 王老师 takes 黑崖沟村, 李老师 the household of 张三妹 (下滩村)
    duties = page.duties
    dlg = duties.open_assign()
    dlg.teacher.setCurrentText("王老师")
    dlg.village.setCurrentText("龙泉关镇黑崖沟村")
    dlg.starts_on.setDate(dlg.starts_on.date().addDays(-60))
    dlg.accept()
    idle(qtbot, ctx)
    assert not dlg.isVisible() and not dlg.error.text()
    dlg = duties.open_assign()
    dlg.teacher.setCurrentText("李老师")
    dlg.by_household.setChecked(True)
    dlg.household.setCurrentText(next(t for _i, t in ctx_households(page) if "张三妹" in t))
    dlg.accept()
    idle(qtbot, ctx)
    # 包人: 王小明 (低保) gets his own teacher, who then covers his household instead of the village's
    dlg = duties.open_assign()
    assert [t for _i, t in page.choices.students] == ["七年级1班 王小明"]  # the poor groups' students only
    dlg.teacher.setCurrentText("周老师")
    dlg.by_student.setChecked(True)
    dlg.student.setCurrentText("七年级1班 王小明")
    dlg.accept()
    idle(qtbot, ctx)
    assert sorted(r[0] for r in duties.model.rows) == ["周老师", "李老师", "王老师"]
    assert {r[0]: r[1] for r in duties.model.rows}["周老师"] == "包人"

    # 本月未联系: every served household, by teacher and by village; 钱外's village is not served
    page.tabs.setCurrentWidget(page.due)
    idle(qtbot, ctx)
    assert sorted(heads(page)) == sorted(["王大山", "李二牛", "张三妹", "赵四"])
    assert dict(page.due.teacher_model.rows) == {"王老师": 1, "周老师": 1, "李老师": 1, UNASSIGNED: 1}
    assert dict(page.due.village_model.rows) == {"龙泉关镇黑崖沟村": 2, "龙泉关镇下滩村": 2}
    assert "未联系 4 户" in page.due.summary.text()

    # a contact recorded from the list: an empty “what was said” is refused in the dialog, then saved
    page.due.table.selectRow(heads(page).index("王大山"))
    dlg = page.due.record_selected()
    assert dlg.teacher.currentText() == ""  # nobody signed in: the household's own teacher is used
    dlg.way.setCurrentText("电话")
    dlg.accept()
    idle(qtbot, ctx)
    assert dlg.isVisible() and "交流内容" in dlg.error.text()
    dlg.said.setPlainText("讲了寄宿生生活补助的申请，家长手机13812345678")
    dlg.needs.setPlainText("想给孩子申请生活补助")
    dlg.to_problem.setChecked(True)
    dlg.accept()
    idle(qtbot, ctx)
    assert not dlg.isVisible()
    assert "王大山" not in heads(page) and "未联系 3 户" in page.due.summary.text()
    with ctx.db.reading() as s:
        visit = s.scalars(select(Visit)).one()
        assert (visit.teacher, visit.way, visit.visited_on) == ("周老师", "电话", date(2026, 11, 22))
        assert s.get(Problem, visit.problem_id).kind == "VISIT_NEED"

    # 走访记录 shows it, masked
    page.tabs.setCurrentWidget(page.records)
    idle(qtbot, ctx)
    assert len(page.records.model.rows) == 1
    said = page.records.model.rows[0][5]
    assert "138****5678" in said and "13812345678" not in said

    # 王老师 leaves: his village passes to 赵老师, his old duty stays in the history
    page.tabs.setCurrentWidget(page.duties)
    idle(qtbot, ctx)
    duties.table.selectRow([r[0] for r in duties.model.rows].index("王老师"))
    dlg = duties.open_hand_over()
    assert dlg.old.currentText() == "王老师"
    dlg.new.setCurrentText("赵老师")
    dlg.reason.setText("调离")
    dlg.accept()
    idle(qtbot, ctx)
    assert sorted(r[0] for r in duties.model.rows) == ["周老师", "李老师", "赵老师"]
    duties.history.setChecked(True)
    idle(qtbot, ctx)
    ended = [r for r in duties.model.rows if r[0] == "王老师"]
    assert len(ended) == 1 and "调离" in ended[0][5]

    # the rule: other households monthly too, saved for everyone and applied
    page.tabs.setCurrentWidget(page.due)
    idle(qtbot, ctx)
    page.due.others_every.setCurrentIndex(page.due.others_every.findData("none"))
    page.due.save_rule()
    idle(qtbot, ctx)
    assert sorted(heads(page)) == ["张三妹"]  # the one poor household not reached; the others need no contact
    assert "其他家庭不要求联系" in page.due.rule_text.text()
    assert w.households  # the world stays referenced


def ctx_households(page):  # type: ignore[no-untyped-def]
    return page.choices.households


def test_a_head_teacher_records_for_their_own_class_only_and_cannot_assign(qtbot, school_ctx):
    from aidoffice.access.checks import bind_user

    ctx = school_ctx
    w = make_world(ctx.db, with_accounts=True)
    bind_user(ctx.db, w.teacher)
    try:
        window = MainWindow(ctx, w.teacher)
        qtbot.addWidget(window)
        window.show()
        window.go_to(window.visits_page)
        idle(qtbot, ctx)
        page = window.visits_page
        assert not page.assign_btn.isEnabled() and not page.rule_save.isEnabled()
        assert [t for _i, t in page.choices.households] == ["龙泉关镇黑崖沟村 0001 王大山"]
        page.tabs.setCurrentWidget(page.due)
        idle(qtbot, ctx)
        assert heads(page) == ["王大山"]
        dlg = page.records.open_record()
        assert dlg.teacher.currentText() == "王老师"
        dlg.household.setCurrentIndex(0)
        dlg.said.setPlainText("家访，了解孩子在家学习情况")
        dlg.accept()
        idle(qtbot, ctx)
        assert not dlg.isVisible()
        assert heads(page) == []
    finally:
        bind_user(ctx.db, None)  # the PostgreSQL database object is shared by the following tests


def test_a_helped_child_without_a_household_is_in_the_month_view_and_reached_from_it(qtbot, school_ctx):
    """孙小雨 (低保, 八年级1班) has a 包人 teacher and no household in the ledger: the month view lists her
    family as one more to contact, and a contact recorded from her row takes her off the list."""
    from aidoffice.casework import duties
    from aidoffice.db.models import GroupMembership
    from aidoffice.domain.policies import SourceKind
    from aidoffice.ledgers.school import require_school
    from aidoffice.ledgers.students import add_student
    from tests.factories import an_id, student

    ctx = school_ctx
    make_world(ctx.db)
    with ctx.db.unit_of_work(actor="资助专干") as s:
        alone = add_student(
            s, require_school(s).id, student("孙小雨", "八年级", "1班", id_number=an_id(date(2012, 3, 4)))
        )
        s.add(GroupMembership(person_key=alone.person_key, group_code="dibao", source_kind=SourceKind.LIST,
                              source_label="民政局", known_on=date(2026, 9, 1), active=True))  # fmt: skip
        duties.assign(s, "陈老师", student_id=alone.id, starts_on=date(2026, 9, 1))
        alone_id = alone.id
    page = open_page(qtbot, ctx)
    page.tabs.setCurrentWidget(page.due)
    idle(qtbot, ctx)
    assert "孙小雨" in heads(page)
    assert "应联系 5 户（含 1 名户籍台账中没有其户的包人学生）" in page.due.summary.text()
    assert "未联系 5 户" in page.due.summary.text()
    assert dict(page.due.teacher_model.rows)["陈老师"] == 1

    page.due.table.selectRow(heads(page).index("孙小雨"))
    dlg = page.due.record_selected()
    assert dlg.student_id == alone_id and not dlg.household.isVisible()
    dlg.said.setPlainText("到校面谈，讲了生活补助")
    dlg.way.setCurrentText("到校面谈")
    dlg.accept()
    idle(qtbot, ctx)
    assert not dlg.isVisible() and not dlg.error.text()
    assert "孙小雨" not in heads(page) and "未联系 4 户" in page.due.summary.text()
    with ctx.db.reading() as s:
        visit = s.scalars(select(Visit)).one()
        assert (visit.student_id, visit.household_id, visit.teacher) == (alone_id, None, "陈老师")


def test_the_unreached_list_is_the_one_of_the_month_chosen_last(qtbot, school_ctx, monkeypatch):
    """The clerk turns to October while November's list is still being read: November's list, arriving
    last, must not show under October (it did, and the summary named November under an October box)."""
    import threading

    from PySide6.QtCore import QDate

    from aidoffice.casework import visits as visit_rules

    ctx = school_ctx
    make_world(ctx.db)
    page = open_page(qtbot, ctx)
    page.tabs.setCurrentWidget(page.due)
    idle(qtbot, ctx)
    real, gate = visit_rules.due, threading.Event()

    def slow(s, month, **kw):  # type: ignore[no-untyped-def]
        if month == date(2026, 11, 1):
            gate.wait(30)
        return real(s, month, **kw)

    monkeypatch.setattr(visit_rules, "due", slow)
    due = page.due
    try:
        due.reload()  # 刷新: November, held back
        due.month.setDate(QDate(2026, 10, 1))
        qtbot.waitUntil(lambda: due.summary.text().startswith("2026年10月"), timeout=30_000)
    finally:
        gate.set()  # November's list arrives, last
    idle(qtbot, ctx)
    assert due.month.date() == QDate(2026, 10, 1)
    assert due.report is not None and due.report.month == date(2026, 10, 1)
    assert due.summary.text().startswith("2026年10月")


def test_a_teacher_no_longer_listed_is_not_kept_as_a_hidden_filter(qtbot, school_ctx):
    """The teachers come back without the one chosen: the combo shows 全部教师 and so must the list."""
    ctx = school_ctx
    make_world(ctx.db)
    page = open_page(qtbot, ctx)
    page.tabs.setCurrentWidget(page.due)
    idle(qtbot, ctx)
    due = page.due
    assert due.report is not None
    everything = len(due.report.rows)
    teachers = [
        "王老师",
        "李老师",
    ]  # as the choices list them (王老师 has no duty yet: nobody is his to reach)
    due.fill_teachers(teachers)
    due.teacher.setCurrentText(teachers[0])
    due.reload()
    idle(qtbot, ctx)
    assert due.report is not None and len(due.report.rows) < everything
    due.fill_teachers(teachers[1:])
    idle(qtbot, ctx)
    assert due.teacher.currentText() == "全部教师"
    assert due.report is not None and len(due.report.rows) == everything > 0
