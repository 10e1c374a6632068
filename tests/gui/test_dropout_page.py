"""The 控辍保学 page as a clerk uses it: a 需核实去向 child becomes a case from the problem list in one
dialog, the case file shows on the page, an action, a 复学通知书 and the closing are recorded, the three
ledgers and the dashboard follow, and the student ledger's 标记辍学 opens a case too. Everything runs in
the background (no SQL on the GUI thread: conftest); IDs are masked on the page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aidoffice.casework import visits
from aidoffice.db.models import CaseStatus, DropoutCase, Problem, ProblemStatus
from aidoffice.privacy import find_sensitive
from tests.gui.conftest import make_ctx
from tests.gui.helpers import finish, idle
from tests.reconcile_world import TERM, TODAY, plant
from ui.pages.dropout import DropoutPage
from ui.pages.dropout.dialogs import OpenCaseDialog
from ui.pages.reconcile_page import ReconcilePage

pytestmark = pytest.mark.today("2026-11-22")


@pytest.fixture
def world_ctx(qtbot, school_db, tmp_path):
    from aidoffice.reconcile.service import run_reconcile

    world = plant(school_db, tmp_path)
    with school_db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)
    for ctx in make_ctx(qtbot, school_db):
        yield ctx, world


def _select_problem(qtbot, page, name):
    # the kinds arrive with the page's choices (a background read): wait for them under load
    qtbot.waitUntil(lambda: page.kind.findData("NOT_ENROLLED") >= 0, timeout=30_000)
    page.kind.setCurrentIndex(page.kind.findData("NOT_ENROLLED"))
    idle(qtbot, page.ctx)
    model = page.model
    qtbot.waitUntil(
        lambda: any(model.data(model.index(r, 3)) == name for r in range(model.rowCount())), timeout=30_000
    )
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 3)) == name)
    page.table.selectRow(row)
    idle(qtbot, page.ctx)
    assert page.detail is not None and page.detail.row.name == name


def _dropout_page(qtbot, ctx) -> DropoutPage:
    page = DropoutPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    page.activate()
    idle(qtbot, ctx)
    return page


def test_a_child_goes_from_the_problem_list_through_a_case_back_to_school(
    qtbot, world_ctx, monkeypatch, tmp_path
):
    ctx, w = world_ctx
    problems = ReconcilePage(ctx)
    qtbot.addWidget(problems)
    problems.show()
    problems.activate()
    idle(qtbot, ctx)
    _select_problem(qtbot, problems, "韩梅")
    assert problems.case_btn.isVisible() and problems.case_btn.isEnabled()

    def answer(dialog):
        dialog.reason.setCurrentText("外出务工")
        dialog.plan.setPlainText("班主任每周电话，村干部上门")
        dialog.people[0][1].setText("李老师")
        dialog.people[0][2].setText("13900001111")
        dialog.people[2][1].setText("王主任")
        return True

    monkeypatch.setattr(OpenCaseDialog, "exec", answer)
    finish(qtbot, problems.open_case())
    idle(qtbot, ctx)
    with ctx.db.reading() as s:
        case = s.scalars(select(DropoutCase)).one()
        assert (case.name, case.source, case.reason) == ("韩梅", "finding", "外出务工")
        assert [p.role for p in case.people] == ["班主任", "村干部"]

    page = _dropout_page(qtbot, ctx)
    tab = page.cases
    assert tab.model.rowCount() == 1 and tab.detail is not None and tab.detail.row.name == "韩梅"
    shown = tab.file.toPlainText()
    assert "班主任：李老师" in shown and "外出务工" in shown and w.ids["韩梅"] not in shown
    assert tab.act_btn.isEnabled() and tab.close_btn.isEnabled()

    finish(qtbot, tab.save_action({"on": date(2026, 11, 21), "way": "家访", "who": "李老师",
                                   "said": "讲义务教育法和生活补助", "result": "父亲答应月底送回", "next_due": None}))  # fmt: skip
    idle(qtbot, ctx)
    assert "讲义务教育法和生活补助" in tab.file.toPlainText()
    tab.quiet = True  # no PDF viewer under test
    pdf = tmp_path / "复学通知书.pdf"
    finish(qtbot, tab.save_notice("return", str(pdf), date(2026, 11, 30), None))
    idle(qtbot, ctx)
    assert pdf.is_file() and "2026-11-30" in tab.file.toPlainText()
    finish(qtbot, tab.save_close("复学", "11月30日回校上课", date(2026, 11, 22)))
    idle(qtbot, ctx)
    assert tab.detail.row.status == "已结案" and not tab.act_btn.isEnabled()
    with ctx.db.reading() as s:
        assert s.scalars(select(DropoutCase.status)).one() is CaseStatus.CLOSED
        assert s.scalars(select(Problem.status).where(Problem.name == "韩梅")).one() is ProblemStatus.CLOSED

    page.tabs.setCurrentIndex(2)
    idle(qtbot, ctx)
    assert page.dashboard.tiles["returned"].text() == "1" and page.dashboard.tiles["open"].text() == "0"
    with ctx.db.reading() as s:  # the 三包与家访 month view, read directly
        due = visits.due(s)
    shown = page.dashboard.uncontacted.rows
    assert page.dashboard.tiles["not_contacted"].text() == str(len(due.rows)) == str(sum(r[2] for r in shown))
    assert {v for v, _t, _n in shown} == set(due.by_village)
    page.tabs.setCurrentIndex(1)
    idle(qtbot, ctx)
    ledgers = page.ledgers
    assert ledgers.data is not None and ledgers.model.rowCount() == len(ledgers.data.roll) > 5
    cells = " ".join(str(v) for row in ledgers.model.rows for v in row)
    assert "韩梅" in cells and [k for k, _v in find_sensitive(cells) if k == "id"] == []
    out = tmp_path / "台账.xlsx"
    finish(qtbot, ledgers.save(str(out)))
    idle(qtbot, ctx)
    assert out.is_file()


def test_marking_a_student_dropout_in_the_ledger_opens_a_case_on_the_page(qtbot, world_ctx):
    from ui.operations import students as student_ops

    ctx, w = world_ctx
    page = _dropout_page(qtbot, ctx)
    assert page.cases.model.rowCount() == 0
    finish(qtbot, student_ops.change_status(ctx, page, "dropout", w.students["李四"], date(2026, 11, 20), "外出务工",
                                            lambda _r: None))  # fmt: skip
    idle(qtbot, ctx)
    assert page.cases.model.rowCount() == 1
    assert page.cases.detail is not None and page.cases.detail.row.name == "李四"
    assert page.cases.detail.row.reason == "外出务工"


def test_a_head_teacher_sees_only_their_class_cases_and_records_persuasion_only(qtbot, world_ctx):
    """李四 (七年级1班) and a child of another class are out of school; 王老师 of 七年级1班 sees 李四's case
    only; she may record a 劝返 for it (记录劝返…), and opening, notices, reports and closing stay the
    clerk's (no such buttons)."""
    from aidoffice.access.checks import act_as, bind_user
    from aidoffice.casework import cases
    from aidoffice.ledgers.students import add_student
    from aidoffice.safety.accounts import create_user, sign_in
    from tests.factories import student

    ctx, w = world_ctx
    with ctx.db.unit_of_work(actor="资助专干") as s:
        other = add_student(s, 1, student("外班生", "七年级", "2班")).id
        for sid in (w.students["李四"], other):
            cases.mark_dropout(s, sid, date(2026, 11, 20), "外出务工")
    with ctx.db.unit_of_work() as s:
        create_user(s, "admin", "管理员", "Mountain-2026", "admin")
    admin = sign_in(ctx.db, "admin", "Mountain-2026")
    with ctx.db.unit_of_work() as s:
        act_as(s, admin)
        create_user(
            s, "wang", "王老师", "River-2026x", "head_teacher", [(7, "1班")], must_change_password=False
        )
    bind_user(ctx.db, sign_in(ctx.db, "wang", "River-2026x"))
    try:
        page = _dropout_page(qtbot, ctx)
        tab = page.cases
        assert [r.name for r in tab.rows] == ["李四"]
        assert tab.act_btn.isVisible() and tab.act_btn.isEnabled()
        hidden = (tab.new_btn, tab.notice_btn, tab.escalate_btn, tab.close_btn, tab.roles_btn)
        assert not any(b.isVisible() for b in hidden)
        assert "外出务工" in tab.file.toPlainText()
        finish(qtbot, tab.save_action({"way": "家访", "said": "上门劝返，家长同意下周送回"}))
        idle(qtbot, ctx)
        assert "上门劝返" in tab.file.toPlainText() and "1 次" in tab.file.toPlainText()
        assert tab.rows[0].attempts == 1
    finally:
        bind_user(ctx.db, None)


def _held(monkeypatch, module, name, hold):  # type: ignore[no-untyped-def]
    """`module.name` made to wait for the returned event when `hold(*args, **kw)` says so."""
    import threading

    real, gate = getattr(module, name), threading.Event()

    def slow(*args, **kw):  # type: ignore[no-untyped-def]
        if hold(*args, **kw):
            gate.wait(30)
        return real(*args, **kw)

    monkeypatch.setattr(module, name, slow)
    return gate


def test_the_case_list_shown_is_the_one_of_the_status_chosen_last(qtbot, world_ctx, monkeypatch):
    """The clerk narrows the cases to 已结案 while the whole list is still being read: the whole list,
    arriving last, must not show under 已结案 (it did: the open case stood under 已结案)."""
    from aidoffice.casework import case_queries, cases
    from aidoffice.casework.cases import CaseInput, PersonInput
    from ui.pages.dropout.cases_tab import CasesTab

    ctx, _w = world_ctx
    with ctx.db.unit_of_work(actor="资助专干") as s:
        problem = s.scalars(select(Problem).where(Problem.name == "韩梅")).one()
        plan = CaseInput(
            reason="外出务工", plan="班主任每周电话", people=(PersonInput("班主任", "李老师", "13900001111"),)
        )
        cases.open_from_problem(s, problem.id, plan, today=TODAY)
    gate = _held(monkeypatch, case_queries, "list_cases", lambda _s, f, **_kw: f.status is None)
    tab = CasesTab(ctx)
    qtbot.addWidget(tab)
    try:
        tab.reload()  # 全部: held back
        tab.status.setCurrentText("已结案")  # nothing closed: an empty list comes first
        qtbot.waitUntil(lambda: "共 0 件" in tab.summary.text(), timeout=30_000)
    finally:
        gate.set()  # now the whole list arrives, last
    idle(qtbot, ctx)
    assert tab.status.currentText() == "已结案"
    assert tab.model.rowCount() == 0 and "共 0 件" in tab.summary.text() and tab.detail is None


def test_the_ledgers_never_show_full_ids_once_the_box_is_unticked(qtbot, world_ctx, monkeypatch):
    """The clerk ticks 显示完整证件号 and unticks it before the full ledgers are read: the full ledgers,
    arriving last, must not show their whole ID numbers under the unticked box (they did)."""
    from aidoffice.privacy import Level
    from ui.operations import cases as cases_ops
    from ui.pages.dropout.ledgers_tab import LedgersTab

    ctx, w = world_ctx
    gate = _held(monkeypatch, cases_ops, "dropout_ledgers", lambda _s, level: level is Level.FULL)
    tab = LedgersTab(ctx)
    qtbot.addWidget(tab)
    tab.which.setCurrentIndex(tab.which.findData("suspects"))
    try:
        tab.show_full.setChecked(True)  # the full ledgers: held back
        tab.show_full.setChecked(False)
        qtbot.waitUntil(lambda: tab.data is not None, timeout=30_000)
    finally:
        gate.set()
    idle(qtbot, ctx)
    cells = " ".join(
        str(tab.model.data(tab.model.index(r, c)))
        for r in range(tab.model.rowCount())
        for c in range(tab.model.columnCount())
    )
    assert "韩梅" in cells and not tab.show_full.isChecked()
    assert w.ids["韩梅"] not in cells and find_sensitive(cells) == []
