"""The 比对与问题清单 and 统计 pages as a clerk uses them: the comparison runs in the background, a
problem opens with both sides of its evidence, closing asks for the resolution, a fix is one click
away, and the statistics can be copied into a report. No query runs on the GUI thread (conftest)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import select

from aidoffice import clock
from aidoffice.db.models import Problem, ProblemStatus, StudyElsewhere
from tests.gui.helpers import finish, idle, make_ctx
from tests.reconcile_world import plant
from ui.dialogs.problem_dialogs import CloseDialog, ElsewhereDialog
from ui.main_window import MainWindow
from ui.pages.reconcile_page import ReconcilePage
from ui.pages.statistics_page import StatisticsPage

# the planted world is dated 2026-11-22 (tests/reconcile_world.py): compare as of that day
pytestmark = pytest.mark.today("2026-11-22")


@pytest.fixture
def world_ctx(qtbot, school_db, tmp_path):
    world = plant(school_db, tmp_path)
    for ctx in make_ctx(qtbot, school_db):
        yield ctx, world


def _page(qtbot, ctx) -> ReconcilePage:
    page = ReconcilePage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    idle(qtbot, ctx)
    return page


def _run(qtbot, page):
    finish(qtbot, page.run_comparison())
    idle(qtbot, page.ctx)


def _select(qtbot, page, kind, name):
    """Filter to one kind, wait for the rows, select the named one and wait for its detail."""
    page.kind.setCurrentIndex(page.kind.findData(kind))
    idle(qtbot, page.ctx)
    model = page.model

    def shown() -> list[
        int
    ]:  # asking for a row fetches its page; under load the filter may still be on its way
        return [r for r in range(model.rowCount()) if model.data(model.index(r, 3)) == name]

    qtbot.waitUntil(lambda: bool(shown()), timeout=30_000)
    idle(qtbot, page.ctx)
    row = shown()[0]
    page.table.selectRow(row)
    idle(qtbot, page.ctx)
    assert page.detail is not None and page.detail.row.name == name
    return page.detail


def test_running_the_comparison_fills_the_list_and_says_what_it_found(qtbot, world_ctx):
    """After a run the clerk sees every problem listed, with its count and a summary, and can narrow it by kind."""
    ctx, _w = world_ctx
    page = _page(qtbot, ctx)
    assert page.model.rowCount() == 0
    _run(qtbot, page)
    with ctx.db.reading() as s:
        total = len(s.scalars(select(Problem.id)).all())
    assert total > 0
    assert page.model.rowCount() == total
    assert page.count_label.text() == f"共 {total} 个"
    assert f"发现 {total} 个问题；新增 {total}" in page.summary.text()
    page.kind.setCurrentIndex(page.kind.findData("NOT_ENROLLED"))
    idle(qtbot, ctx)
    assert 0 < page.model.rowCount() < total


def test_a_problem_opens_with_the_student_record_and_the_list_row_side_by_side(qtbot, world_ctx):
    """Masked IDs on screen until the clerk asks for full ones."""
    ctx, w = world_ctx
    page = _page(qtbot, ctx)
    _run(qtbot, page)
    _select(qtbot, page, "MISSED_AID", "张小明")
    assert "学籍台账 七年级1班" in page.left.text()
    assert "外部名单「阜平县乡村振兴局」" in page.right.text()
    assert "脱贫家庭" in page.basis.text()
    assert w.ids["张小明"] not in page.left.text() and w.ids["张小明"][-4:] in page.left.text()
    page.show_full.setChecked(True)
    assert w.ids["张小明"] in page.left.text()
    assert page.take_btn.isEnabled() and page.close_btn.isEnabled() and not page.reopen_btn.isEnabled()
    assert page.assess_btn.isVisible() and not page.elsewhere_btn.isVisible()


def test_closing_asks_for_the_resolution_and_keeps_it(qtbot, world_ctx, monkeypatch):
    """A problem ticked off must say how it was settled and by whom, for whoever reads its history later."""
    ctx, _w = world_ctx
    page = _page(qtbot, ctx)
    _run(qtbot, page)
    detail = _select(qtbot, page, "AMOUNT_OFF_STANDARD", "吴十")

    def answer(dialog):  # the clerk picks a resolution and explains
        dialog.resolution.setCurrentText("补助已补发")
        dialog.note.setPlainText("补发 12.50 元")
        return True

    monkeypatch.setattr(CloseDialog, "exec", answer)
    finish(qtbot, page.close_problem())
    idle(qtbot, ctx)
    with ctx.db.reading() as s:
        p = s.get(Problem, detail.row.id)
        assert (p.status, p.resolution, p.closed_by) == (ProblemStatus.CLOSED, "补助已补发", "测试员")
    assert page.detail.row.status is ProblemStatus.CLOSED
    assert any(
        "销号：补助已补发。补发 12.50 元" in page.history.item(i).text() for i in range(page.history.count())
    )
    assert page.reopen_btn.isEnabled() and not page.close_btn.isEnabled()


def test_an_unaccounted_child_is_recorded_as_studying_elsewhere_in_one_click(qtbot, world_ctx, monkeypatch):
    """Settling a missing child takes one dialog from the problem, recorded with who checked it and when."""
    ctx, w = world_ctx
    page = _page(qtbot, ctx)
    _run(qtbot, page)
    _select(qtbot, page, "NOT_ENROLLED", "韩梅")
    assert page.elsewhere_btn.isVisible() and page.elsewhere_btn.isEnabled()

    def answer(dialog):
        dialog.school.setText("阜平县城关小学")
        dialog.verified_by.setText("张老师")
        return True

    monkeypatch.setattr(ElsewhereDialog, "exec", answer)
    finish(qtbot, page.fix_elsewhere())
    idle(qtbot, ctx)
    with ctx.db.reading() as s:
        row = s.scalars(select(StudyElsewhere).where(StudyElsewhere.person_key == w.ids["韩梅"])).one()
        assert (row.school_name, row.verified_by, row.verified_on) == (
            "阜平县城关小学",
            "张老师",
            clock.today(),
        )
    assert page.detail.row.resolution == "已登记在外就读"


def test_a_suspected_id_slip_is_corrected_from_the_side_the_clerk_picks(qtbot, world_ctx, monkeypatch):
    """The clerk checks the 户口簿, takes the right side's number and the student's ID is corrected."""
    from aidoffice.db.models import Student
    from ui.dialogs.problem_dialogs import CorrectIdDialog

    ctx, w = world_ctx
    page = _page(qtbot, ctx)
    _run(qtbot, page)
    _select(qtbot, page, "ID_TYPO_SUSPECT", "孔明")
    chosen = {}

    def answer(dialog):
        assert dialog.value() == ""  # nothing offered as correct before the clerk picks
        dialog.use_buttons[0].click()  # the ledger's own number (the list's has the bad check character)
        chosen["id"] = dialog.value()
        return True

    monkeypatch.setattr(CorrectIdDialog, "exec", answer)
    finish(qtbot, page.fix_id())
    idle(qtbot, ctx)
    assert chosen["id"] == w.ids["孔明"]
    with ctx.db.reading() as s:
        assert s.scalar(select(Student.id_number).where(Student.name == "孔明")) == w.ids["孔明"]
    assert page.detail.row.resolution == "已更正证件号"


def test_exporting_writes_the_workbook_with_the_comparison(qtbot, world_ctx, monkeypatch, tmp_path, messages):
    """The clerk hands the problem list on as a workbook of every problem, and is told where it was saved."""
    ctx, _w = world_ctx
    page = _page(qtbot, ctx)
    out = tmp_path / "问题清单.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    finish(qtbot, page.export())
    idle(qtbot, ctx)
    assert out.exists()
    assert messages[-1][0] == "information" and str(out) in messages[-1][2]
    wb = load_workbook(out)
    with ctx.db.reading() as s:
        total = len(s.scalars(select(Problem.id)).all())
    assert total > 0 and wb.sheetnames[:2] == ["汇总", "问题清单"]
    assert len(list(wb["问题清单"].iter_rows())) == 2 + total  # title, header, one row per problem


def test_the_statistics_page_charts_the_term_and_copies_the_charts(qtbot, world_ctx):
    """Aid rates per group go into the office's reports: charts show them, low ones marked, and copy out."""
    ctx, _w = world_ctx
    page = StatisticsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    idle(qtbot, ctx)
    assert page.stats is not None
    assert "重点群体应助尽助率" in page.headline.text()
    groups = {b.label: b.text for b in page.charts["group"].bars}
    assert groups["脱贫家庭"].endswith("（3/4）") and groups["低保"] == "100.0%（2/2）"
    assert any(b.low for b in page.charts["group"].bars)  # 脱贫家庭: not everyone aided, in red
    assert {b.label for b in page.charts["children"].bars} >= {"龙泉关镇白庄村"}
    page.charts["group"].copy_to_clipboard()
    assert not QGuiApplication.clipboard().pixmap().isNull()


def test_the_main_window_opens_both_pages(qtbot, world_ctx):
    """The comparison and statistics pages must be reachable from the main window and load when opened."""
    ctx, _w = world_ctx
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    idle(qtbot, ctx)
    titles = window.page_titles()
    assert "比对与问题清单" in titles and "统计" in titles
    window.nav.setCurrentRow(titles.index("统计"))
    idle(qtbot, ctx)
    assert window.statistics.stats is not None


def test_the_correction_workbooks_are_written_per_department_and_marked_as_sent(qtbot, world_ctx, tmp_path):
    """A button on the comparison page: one 请更正 workbook per department; once sent, the typo problems
    are 处理中 and the two records count as one child."""
    from aidoffice.db.models import PersonLink
    from aidoffice.privacy import find_sensitive
    from tests.reconcile_world import POVERTY

    ctx, w = world_ctx
    page = _page(qtbot, ctx)
    _run(qtbot, page)
    folder = tmp_path / "请更正"
    finish(qtbot, page.write_corrections(str(folder)))
    finish(qtbot, page.last_task)  # the clerk said yes: marked as sent
    idle(qtbot, ctx)
    book = folder / f"请更正_{POVERTY}.xlsx"
    cells = [
        c for row in load_workbook(book).active.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "黄磊" in cells and find_sensitive(" ".join(map(str, cells))) == []
    assert "已发部门更正" in page.summary.text()
    with ctx.db.reading() as s:
        links = {(link.from_key, link.to_key) for link in s.scalars(select(PersonLink))}
        assert (w.ids["黄磊′"], w.ids["黄磊"]) in links
        status = s.scalar(
            select(Problem.status).where(Problem.kind == "ID_TYPO_SUSPECT", Problem.name == "黄磊")
        )
        assert status is ProblemStatus.IN_PROGRESS


def test_a_kind_picked_while_the_list_is_loading_shows_only_that_kind(qtbot, world_ctx, monkeypatch):
    """The clerk picks 需核实去向 while the list is still on its way and the table paints its rows
    meanwhile: a page of the old, unfiltered list fetched then and delivered after the filtered list must
    not be shown under the filter (it was: the table showed other kinds under 需核实去向, and selecting
    a row opened another problem than the one it showed)."""
    import threading

    from aidoffice.reconcile import problem_queries
    from aidoffice.reconcile.kinds import KINDS
    from aidoffice.reconcile.service import run_reconcile
    from tests.reconcile_world import TERM, TODAY

    ctx, _w = world_ctx
    with ctx.db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)
    ids_of, fetch = problem_queries.problem_ids, problem_queries.fetch_problems
    filtered_ids, old_page = threading.Event(), threading.Event()
    held: list[list[int]] = []  # the first page asked for: with the old list's ids

    def slow_ids(s, f):  # type: ignore[no-untyped-def]
        if f.kind == "NOT_ENROLLED":
            filtered_ids.wait(30)
        return ids_of(s, f)

    def slow_rows(s, ids):  # type: ignore[no-untyped-def]
        if not held:
            held.append(list(ids))
            old_page.wait(30)
        return fetch(s, ids)

    monkeypatch.setattr(problem_queries, "problem_ids", slow_ids)
    monkeypatch.setattr(problem_queries, "fetch_problems", slow_rows)
    page = ReconcilePage(ctx)
    qtbot.addWidget(page)
    page.activate()  # not shown yet: the unfiltered ids come, no row has been asked for
    idle(qtbot, ctx)
    model = page.model
    everything = model.rowCount()
    assert not held and everything > 0
    label = KINDS["NOT_ENROLLED"].label
    try:
        page.kind.setCurrentIndex(page.kind.findData("NOT_ENROLLED"))  # its ids are held back
        page.show()  # the table paints the rows it has: their page is asked for with the old ids
        qtbot.waitUntil(lambda: bool(held), timeout=30_000)
        filtered_ids.set()  # the filtered list arrives and its own page is fetched
        qtbot.waitUntil(lambda: model.rowCount() < everything and model.data(model.index(0, 1)) == label,
                        timeout=30_000)  # fmt: skip
    finally:
        filtered_ids.set()
        old_page.set()  # now the old list's page arrives, last
    idle(qtbot, ctx)
    with ctx.db.reading() as s:
        wanted = set(s.scalars(select(Problem.id).where(Problem.kind == "NOT_ENROLLED")))
    assert model.rowCount() == len(wanted) and page.count_label.text() == f"共 {len(wanted)} 个"
    shown = [(model.data(model.index(r, 0)), model.data(model.index(r, 1))) for r in range(model.rowCount())]
    assert {kind for _id, kind in shown} == {label}
    assert {pid for pid, _kind in shown} == wanted
    assert all(model.data(model.index(r, 0)) == model.problem_id(r) for r in range(model.rowCount()))


def test_a_village_no_longer_listed_is_not_kept_as_a_hidden_filter(qtbot, world_ctx):
    """The choices come back (after a change elsewhere) without the village the clerk had picked: the
    combo falls back to 全部, and the list must follow it (it kept listing that village only)."""
    import dataclasses

    from aidoffice.reconcile.service import run_reconcile
    from tests.reconcile_world import TERM, TODAY

    ctx, _w = world_ctx
    with ctx.db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, today=TODAY)
    page = _page(qtbot, ctx)
    everything = page.model.rowCount()
    assert page.choices is not None and page.choices.villages
    village = page.choices.villages[0]
    page.village.setCurrentIndex(page.village.findData(village))
    idle(qtbot, ctx)
    assert 0 < page.model.rowCount() < everything
    page._fill_combos(
        dataclasses.replace(page.choices, villages=[v for v in page.choices.villages if v != village])
    )
    idle(qtbot, ctx)
    assert page.village.currentData() is None and page.village.currentText() == "全部"
    assert page.model.filter.village is None
    assert page.model.rowCount() == everything and page.count_label.text() == f"共 {everything} 个"
