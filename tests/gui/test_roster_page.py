"""The 导出花名册 and 县级汇总 pages as a clerk and county staff use them: propose, review, map the
template's unknown column with its header in view, see the checks, export; consolidate and see the
problems. Every database call runs off the GUI thread (the conftest fails the test otherwise)."""

from __future__ import annotations

import hashlib

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from aidoffice.db.models import Award, ImportBatch
from aidoffice.exporting.samples import Shape, build
from aidoffice.privacy import find_sensitive
from tests.factories import an_id
from tests.gui.helpers import finish, idle
from tests.integration.test_consolidate import school_file
from ui.pages.consolidate_page import ConsolidatePage
from ui.pages.roster_page import RosterPage


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


def test_propose_review_map_check_and_export(qtbot, ctx, demo_db, tmp_path, monkeypatch, messages):
    """The whole roster job on one page: masked review, changes with reasons, the unknown column, checks, export."""
    page = RosterPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    idle(qtbot, ctx)
    assert page.policy.count() > 5 and page.policy.itemData(0) == "compulsory_living"
    page.term.setText("2026-2027-1")
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


def test_the_check_pane_names_the_rows_on_screen_and_follows_each_change(qtbot, ctx, demo_db):
    """A problem says the row number the table shows at its left; removing that student makes the checks
    again at once; double-clicking a problem selects its row."""
    import re

    page = RosterPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    idle(qtbot, ctx)
    page.term.setText("2026-2027-1")
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
