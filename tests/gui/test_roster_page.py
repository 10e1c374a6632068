"""The 导出花名册 and 县级汇总 pages as a clerk and county staff use them: propose, review, map the
template's unknown column with its header in view, see the checks, export; consolidate and see the
problems. Every database call runs off the GUI thread (the conftest fails the test otherwise)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from aidoffice import clock
from aidoffice.db.models import Award, ImportBatch, Recovery, RecoveryStatus
from aidoffice.domain.money import format_amount
from aidoffice.domain.terms import Term as TermValue
from aidoffice.exporting.samples import Shape, build
from aidoffice.privacy import find_sensitive
from tests.factories import an_id
from tests.gui.helpers import finish, idle
from tests.sheets import school_file
from ui.pages.consolidate_page import ConsolidatePage
from ui.pages.reconcile_page import ReconcilePage
from ui.pages.roster_page import RosterPage
from ui.pages.statistics_page import StatisticsPage


class FakeMappingDialog:
    """Stands in for the mapping dialog: records what it was shown and answers “留空”."""

    shown: list = []

    def __init__(self, unplaced, preview):
        FakeMappingDialog.shown.append((unplaced, preview))
        self.unplaced = unplaced

    def exec(self) -> bool:
        return True

    def mapping(self) -> dict[str, str]:
        return {u["header"]: "留空" for u in self.unplaced}


def this_term() -> str:
    """The demo fills the term of the day the tests run on (the clock is pinned, any day of the year)."""
    return TermValue.containing(clock.today()).code


def test_propose_review_map_check_and_export(qtbot, ctx, demo_db, tmp_path, monkeypatch, messages):
    """The whole roster job on one page: masked review, changes with reasons, the unknown column, checks, export."""
    page = RosterPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    idle(qtbot, ctx)
    assert page.policy.count() > 5 and page.policy.itemData(0) == "compulsory_living"
    page.term.setText(this_term())  # the demo fills the term of the day
    finish(qtbot, page.propose())
    model = page.model
    assert model.rowCount() == len(page.proposal.lines) > 10
    assert "合计" in page.summary.text()
    shown = " ".join(str(model.data(model.index(r, c))) for r in range(model.rowCount()) for c in range(8))
    assert not find_sensitive(shown)  # ID numbers masked on screen
    page.select_row(0)
    first = page.proposal.lines[0]
    page.remove_selected("已转学")
    assert not first.included and model.data(model.index(0, 6)).startswith("未列入")
    page.select_row(1)
    page.change_selected_amount("100", "县里通知减半")
    assert page.proposal.lines[1].amount == 100

    wb = build(Shape(two_row_header=True))
    wb["花名册"]["Q3"] = "领款签章"
    template = tmp_path / "县模板.xlsx"
    wb.save(template)
    page.set_template(str(template))
    monkeypatch.setattr(page, "mapping_dialog", FakeMappingDialog)
    FakeMappingDialog.shown.clear()
    finish(qtbot, page.check())
    finish(qtbot, page.last_task)  # the check again, with the mapping
    unplaced, preview = FakeMappingDialog.shown[0]
    assert unplaced == [{"column": "Q", "header": "领款签章"}] and preview[0][0] == "序号"
    assert page.mapping == {"领款签章": "留空"}
    assert page.outcome is not None and page.findings.count() >= 1

    out = tmp_path / "花名册.xlsx"
    monkeypatch.setattr(page, "ask_anyway", lambda message: "县里同意先报")
    finish(qtbot, page.export(str(out)))
    idle(qtbot, ctx)
    finish(qtbot, page.last_task)
    idle(qtbot, ctx)
    assert out.exists(), messages
    ws = load_workbook(out)["花名册"]
    included = [x for x in page.proposal.lines if x.included]
    assert ws.cell(5 + len(included), 11).value == f"=SUM(K5:K{4 + len(included)})"
    with demo_db.reading() as s:
        batch = s.scalars(select(ImportBatch).where(ImportBatch.kind == "roster")).one()
        assert (
            s.scalar(select(func.count()).select_from(Award).where(Award.batch_id == batch.id)) == batch.rows
        )
    assert any(kind == "information" and "花名册已导出" in title for kind, title, _ in messages)


def test_county_page_consolidates_and_lists_the_problems(qtbot, ctx, tmp_path):
    """County staff add each file once, merge them and see problems with no full ID; the schools' files untouched."""
    twice = an_id()
    a = school_file(tmp_path / "甲校.xlsx", "甲校", [("王一", twice, 750, "6228480000000000011")])
    b = school_file(
        tmp_path / "乙校.xlsx",
        "乙校",
        [("王一", twice, 750, "6228480000000000021"), ("李二", an_id(), 375, "")],
    )
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b)]
    page = ConsolidatePage(ctx)
    qtbot.addWidget(page)
    assert page.run() is None and "请先添加" in page.summary.text()
    page.add_files([str(a), str(b), str(a)])
    assert page.file_list() == [str(a), str(b)]
    page.out.setText(str(tmp_path / "县汇总.xlsx"))
    finish(qtbot, page.run())
    idle(qtbot, ctx)
    assert "2 所学校 3 人" in page.summary.text() and "跨校重复资助 1 处" in page.summary.text()
    assert page.schools.rowCount() == 2 and page.problems.rowCount() == 2
    kinds = {page.problems.data(page.problems.index(r, 0)) for r in range(2)}
    assert kinds == {"跨校重复资助", "缺少卡号"}
    assert not find_sensitive(
        " ".join(str(page.problems.data(page.problems.index(r, c))) for r in range(2) for c in range(8))
    )
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b)] == before
    assert (tmp_path / "县汇总.xlsx").exists()


def _proposed(qtbot, ctx) -> RosterPage:
    """The roster page with this term's proposal in the standard format."""
    page = RosterPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    idle(qtbot, ctx)
    page.term.setText(this_term())
    page.format.setCurrentIndex(page.format.findData("standard"))
    finish(qtbot, page.propose())
    idle(qtbot, ctx)
    return page


def _remove_a_paid_award(qtbot, ctx, page, reason, tmp_path, monkeypatch):
    """Take the first paid child off in review and export anyway: the line removed."""
    row = next(i for i, x in enumerate(page.proposal.lines) if x.award_id is not None and x.included)
    paid = page.proposal.lines[row]
    page.select_row(row)
    page.remove_selected(reason)
    monkeypatch.setattr(page, "ask_anyway", lambda message: "县里同意先报")
    finish(qtbot, page.export(str(tmp_path / "花名册.xlsx")))
    idle(qtbot, ctx)
    finish(qtbot, page.last_task)
    idle(qtbot, ctx)
    return paid


@pytest.mark.today("2026-11-22")
def test_a_paid_award_taken_off_becomes_a_recovery_the_clerk_records_as_done(
    qtbot, ctx, demo_db, tmp_path, monkeypatch, messages
):
    """Removing a child whose aid was paid keeps the award: the page lists the recovery to be done, and
    the clerk records it as done (date, how) from the same page."""
    page = _proposed(qtbot, ctx)
    assert page.recoveries.count() == 0 and not page.recovery_done_btn.isEnabled()
    paid = _remove_a_paid_award(qtbot, ctx, page, "无认定材料，误助", tmp_path, monkeypatch)
    assert "待收回" in page.summary.text() or "待收回" in page.recovery_summary.text()
    assert page.recoveries.count() == 1
    item = page.recoveries.item(0).text()
    assert paid.name in item and "待收回" in item and "无认定材料，误助" in item
    assert f"待收回 1 笔，{format_amount(paid.amount)} 元" in page.recovery_summary.text()
    with demo_db.reading() as s:
        assert s.get(Award, paid.award_id) is not None  # the money record is kept
    owed = f"待收回 1 笔，{format_amount(paid.amount)} 元"
    stats = StatisticsPage(ctx)  # the statistics and the problem list say so too
    qtbot.addWidget(stats)
    stats.show()
    stats.activate()
    idle(qtbot, ctx)
    assert owed in stats.headline.text()
    problems = ReconcilePage(ctx)
    qtbot.addWidget(problems)
    problems.show()
    problems.activate()
    idle(qtbot, ctx)
    problems.term.setCurrentIndex(problems.term.findData(this_term()))
    assert owed in problems.recovery_label.text()
    page.recoveries.setCurrentRow(0)
    assert page.recovery_done_btn.isEnabled()
    finish(qtbot, page.mark_recovery_done(date(2026, 11, 20), "退回", "家长到校退回"))
    idle(qtbot, ctx)
    finish(qtbot, page.recovery_task)
    assert "已收回（2026-11-20，退回）" in page.recoveries.item(0).text()
    assert "已收回 1 笔" in page.recovery_summary.text() and "待收回 0 笔" in page.recovery_summary.text()
    assert not page.recovery_done_btn.isEnabled()
    with demo_db.reading() as s:
        rec = s.scalars(select(Recovery)).one()
        assert (rec.status, rec.method, rec.done_by) == (RecoveryStatus.DONE, "退回", "测试员")
    assert not find_sensitive(
        " ".join(page.recoveries.item(i).text() for i in range(page.recoveries.count()))
    )


@pytest.mark.today("2026-11-22")
def test_recording_a_recovery_with_a_date_to_come_says_what_is_wrong(
    qtbot, ctx, demo_db, tmp_path, monkeypatch, messages, expect_errors
):
    page = _proposed(qtbot, ctx)
    _remove_a_paid_award(qtbot, ctx, page, "已转学", tmp_path, monkeypatch)
    page.recoveries.setCurrentRow(0)
    finish(qtbot, page.mark_recovery_done(date(2026, 12, 30), "抵扣"))
    idle(qtbot, ctx)
    assert any("还没有到" in text for _kind, _title, text in messages)
    with demo_db.reading() as s:
        assert s.scalars(select(Recovery)).one().status is RecoveryStatus.PENDING


def test_the_check_pane_names_the_rows_on_screen_and_follows_each_change(qtbot, ctx, demo_db):
    """A problem says the row number the table shows at its left; removing that student makes the checks
    again at once; double-clicking a problem selects its row."""
    import re

    page = RosterPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    idle(qtbot, ctx)
    page.term.setText(this_term())
    finish(qtbot, page.propose())
    page.format.setCurrentIndex(page.format.findData("standard"))
    finish(qtbot, page.check())
    idle(qtbot, ctx)
    texts = [page.findings.item(i).text() for i in range(page.findings.count())]
    named = [t for t in texts if re.match(r"(问题|提示) 表中第 \d+ 行", t)]
    assert named, texts
    first = next(i for i in range(page.findings.count()) if page.findings.item(i).text() in named)
    shown = int(re.search(r"表中第 (\d+) 行", page.findings.item(first).text())[1])
    name = page.proposal.lines[shown - 1].name
    assert name in page.findings.item(first).text()  # the row on screen is that student's
    assert page.model.headerData(shown - 1, Qt.Orientation.Vertical) == shown
    page.findings.itemActivated.emit(page.findings.item(first))
    assert page.selected_line().name == name
    masked = page.proposal.lines[shown - 1].shown_id
    page.remove_selected("已转学")
    assert page.outcome is None
    finish(qtbot, page.last_task)  # the checks run again by themselves
    idle(qtbot, ctx)
    assert page.outcome is not None
    after = [page.findings.item(i).text() for i in range(page.findings.count())]
    assert after and not any(masked in t for t in after)  # the removed student's problems are gone


def test_the_export_anyway_question_scrolls_when_the_list_is_long(qtbot, ctx):
    from PySide6.QtWidgets import QPlainTextEdit

    page = RosterPage(ctx)
    qtbot.addWidget(page)
    message = "检查发现 400 个需要处理的问题：\n" + "\n".join(
        f"  第 {i} 行 学生{i}：没有登记银行卡号" for i in range(400)
    )
    dialog = page.anyway_dialog(message)
    text = dialog.findChild(QPlainTextEdit, "anywayMessage")
    assert text.toPlainText() == message  # the whole message, not its first 600 characters
    dialog.show()
    qtbot.waitExposed(dialog)
    assert text.verticalScrollBar().maximum() > 0  # it scrolls
    assert dialog.height() < 700  # the reason and the buttons stay on a small screen
    dialog.reject()


@pytest.mark.today("2026-11-22")
def test_a_recovery_recorded_by_mistake_is_cancelled_from_the_page(
    qtbot, ctx, demo_db, tmp_path, monkeypatch
):
    """The clerk removed the wrong row: 撤销收回 with a reason takes the recovery back, the award stands."""
    page = _proposed(qtbot, ctx)
    paid = _remove_a_paid_award(qtbot, ctx, page, "看错了行", tmp_path, monkeypatch)
    assert page.recoveries.count() == 1 and not page.recovery_cancel_btn.isEnabled()
    page.recoveries.setCurrentRow(0)
    assert page.recovery_cancel_btn.isEnabled()
    finish(qtbot, page.cancel_recovery("审核时误删，该生符合条件"))
    idle(qtbot, ctx)
    finish(qtbot, page.recovery_task)
    assert page.recoveries.count() == 0 and "已撤销收回" in page.summary.text()
    with demo_db.reading() as s:
        assert s.scalars(select(Recovery)).all() == [] and s.get(Award, paid.award_id) is not None
