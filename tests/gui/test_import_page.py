"""The import page as a clerk uses it: choose, preview, map a column, save the report, import."""

from __future__ import annotations

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from aidoffice.db.models import Student
from aidoffice.importing.report import Action
from tests.gui.helpers import idle
from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_xlsx
from ui.pages.import_page import ImportPage


def wait(qtbot, task):
    assert task is not None
    with qtbot.waitSignal(task.done, timeout=30_000):
        pass


def dirty_file(tmp_path):
    data = enrollment_rows(6, school_code="3130624999")
    data[1][9] = float(data[1][9][:15] + "000")
    data[1][10] = ""
    header = [*ENROLLMENT_HEADER, "家长微信"]
    return write_xlsx(tmp_path / "学籍.xlsx", [["学生名单"], header, *[[*r, "wx"] for r in data]]), data


def test_preview_shows_each_row_before_anything_is_written_then_imports(
    qtbot, school_ctx, school_db, tmp_path, monkeypatch, messages
):
    """A clerk sees each row's fate, by Excel's row number and with IDs masked, before anything is written."""
    path, data = dirty_file(tmp_path)
    page = ImportPage(school_ctx)
    qtbot.addWidget(page)
    idle(qtbot, school_ctx)
    page.set_file(str(path))
    assert not page.import_btn.isEnabled()
    wait(qtbot, page.preview())

    model = page.model
    assert model.rowCount() == 6
    assert "新增 5" in page.summary.text() and "未导入 1" in page.summary.text()
    refused = next(r for r in range(6) if model.data(model.index(r, 1)) == "未导入")
    assert model.data(model.index(refused, 0)) == 4  # the row number Excel shows
    assert "Excel" in model.data(model.index(refused, 4))
    assert model.data(model.index(refused, 0), 8).color().name() == "#fde2e2"  # BackgroundRole: red
    assert "*" in model.data(model.index(0, 3))  # IDs masked until asked
    page.full_ids.setChecked(True)
    assert model.data(model.index(0, 3)) == data[0][9]
    page.filter.setCurrentIndex(
        list(page.filter.itemData(i) for i in range(page.filter.count())).index("refused")
    )
    assert model.rowCount() == 1
    assert page.mapping_btn.isEnabled()  # 家长微信 was not recognised
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 0

    out = tmp_path / "结果.xlsx"
    wait(qtbot, page.save_report(str(out)))
    ws = load_workbook(out)["逐行结果"]
    assert ws.cell(4, 24).value == "未导入" and "Excel" in ws.cell(4, 25).value

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    imported = []
    page.imported.connect(imported.append)
    wait(qtbot, page.confirm_import())
    assert imported == ["students"]
    assert "已导入" in page.summary.text() and not page.import_btn.isEnabled()
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 5


def test_a_mapped_column_is_used_and_remembered(qtbot, school_ctx, school_db, tmp_path):
    """A clerk who maps a column once sees it used at once, and is not asked again for the next file."""
    header = ["姓名", "身份证件号", "年级", "班级", "家长手机"]
    data = enrollment_rows(2, school_code="3130624999")
    path = write_xlsx(
        tmp_path / "自制.xlsx", [header, *[[r[4], r[9], r[2], r[3], "13700001111"] for r in data]]
    )
    page = ImportPage(school_ctx)
    qtbot.addWidget(page)
    idle(qtbot, school_ctx)
    page.set_file(str(path))
    wait(qtbot, page.preview())
    assert [c.header for c in page.report.layout.unplaced] == ["家长手机"]

    from ui.dialogs.column_mapping import ColumnMappingDialog

    dialog = ColumnMappingDialog(__import__("aidoffice.sheets.kinds", fromlist=["KINDS"]).KINDS["students"],
                                 page.report.layout.unplaced)  # fmt: skip
    qtbot.addWidget(dialog)
    combo = dialog.combos["家长手机"]
    combo.setCurrentIndex(combo.findText("监护人联系电话"))
    wait(qtbot, page.apply_mapping(dialog.mapping()))
    assert page.report.layout.unplaced == []
    assert all(o.action is Action.NEW for o in page.report.outcomes)
    wait(qtbot, page.confirm_import())
    # the next file of the same shape is understood without asking
    again = write_xlsx(
        tmp_path / "自制2.xlsx", [header, *[[r[4], r[9], r[2], r[3], "13700002222"] for r in data]]
    )
    page.set_file(str(again))
    wait(qtbot, page.preview())
    assert page.report.layout.unplaced == []
    assert all(o.action is Action.UPDATED for o in page.report.outcomes)


def test_an_outside_list_is_imported_with_its_source_and_kind(
    qtbot, school_ctx, school_db, tmp_path, monkeypatch
):
    """The source and kind chosen on the page decide which group each person on the list joins, under which label."""
    from aidoffice.db.models import GroupMembership, SourceKind
    from tests.sheets import CHILD, poverty_file

    page = ImportPage(school_ctx)
    qtbot.addWidget(page)
    idle(qtbot, school_ctx)
    page.kind.setCurrentIndex(page.kind.findData("list"))
    assert page.form.isRowVisible(page.list_row) and not page.form.isRowVisible(page.award_row)
    page.list_kind.setCurrentIndex(page.list_kind.findData("poverty"))
    page.source.setText("阜平县乡村振兴局")
    page.set_file(str(poverty_file(tmp_path)))
    wait(qtbot, page.preview())
    assert "新增 4" in page.summary.text()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    wait(qtbot, page.confirm_import())
    with school_db.reading() as s:
        groups = s.execute(
            select(GroupMembership.group_code, GroupMembership.source_label).where(
                GroupMembership.person_key == CHILD, GroupMembership.source_kind == SourceKind.LIST
            )
        ).all()
    assert groups == [("poverty_exited", "阜平县乡村振兴局")]


def test_another_schools_code_is_one_message_with_a_button_to_the_settings(
    qtbot, school_ctx, school_db, tmp_path
):
    """884 rows refused one by one told the clerk nothing; one message names both codes and its button
    opens 设置 at the school code."""
    from ui.main_window import MainWindow

    window = MainWindow(school_ctx)
    qtbot.addWidget(window)
    idle(qtbot, school_ctx)
    page = window.imports
    window.go_to(page)
    rows = enrollment_rows(40, school_code="3113006241")
    page.set_file(str(write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *rows])))
    wait(qtbot, page.preview())
    assert page.fix_bar.isVisibleTo(page) and page.model.rowCount() == 0
    assert "3113006241" in page.fix_text.text() and "3130624999" in page.fix_text.text()
    assert "aidoffice" not in page.fix_text.text()
    assert not page.import_btn.isEnabled()
    qtbot.mouseClick(page.fix_btn, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.settings_page
    idle(qtbot, school_ctx)
    assert window.settings_page.code.text() == "3130624999"  # the code to correct, in front of the clerk


def test_a_file_of_another_kind_names_it_as_the_list_does_and_switches_to_it(qtbot, school_ctx, tmp_path):
    page = ImportPage(school_ctx)
    qtbot.addWidget(page)
    idle(qtbot, school_ctx)
    header = ["姓名", "身份证件号", "年级", "班级", "资助项目", "学年学期", "金额"]
    body = [["张三", "130624201305030012", "七年级", "1班", "营养餐", "2026-2027-1", "400"]]
    page.set_file(str(write_xlsx(tmp_path / "发放.xlsx", [header, *body])))
    wait(qtbot, page.preview())
    text = page.fix_text.text()
    assert "这个文件像是“资助发放名单”" in text and "请在“文件种类”中选择“资助发放名单”" in text
    assert "aidoffice" not in text and "命令" not in text
    assert page.kind.itemText(page.kind.findData("awards")) == "资助发放名单"  # the words the list shows
    qtbot.mouseClick(page.fix_btn, Qt.MouseButton.LeftButton)
    assert page.kind.currentData() == "awards"
    wait(qtbot, page.last_task)
    assert not page.fix_bar.isVisibleTo(page) and page.report is not None  # previewed as an award list


def test_the_hardship_assessment_is_previewed_and_imported_like_the_other_kinds(
    qtbot, school_ctx, school_db, tmp_path
):
    from aidoffice.db.models import HardshipAssessment

    data = enrollment_rows(3, school_code="3130624999")
    with school_db.unit_of_work(actor="资助专干") as s:
        from aidoffice.importing.service import ImportOptions, run_import

        run_import(
            s, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]), ImportOptions(kind="students")
        )
    book = [
        ["姓名", "身份证件号", "认定级别", "认定原因"],
        [data[0][4], data[0][9], "特别困难", "孤儿"],
        [data[1][4], data[1][9], "比较困难", "因病"],
        ["外校学生", "130624201305030012", "一般困难", ""],
    ]
    page = ImportPage(school_ctx)
    qtbot.addWidget(page)
    idle(qtbot, school_ctx)
    page.kind.setCurrentIndex(page.kind.findData("assessments"))
    assert page.form.isRowVisible(page.assessment_row) and not page.form.isRowVisible(page.award_row)
    page.school_year.setText("2026-2027")
    page.decided_by.setText("七年级评议小组")
    page.set_file(str(write_xlsx(tmp_path / "认定表.xlsx", book)))
    wait(qtbot, page.preview())
    assert "新增 2" in page.summary.text() and "未导入 1" in page.summary.text()
    assert "学籍台账中没有" in page.model.data(page.model.index(2, 4))
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(HardshipAssessment)) == 0  # a preview writes nothing
    out = tmp_path / "认定表_导入结果.xlsx"
    wait(qtbot, page.save_report(str(out)))
    rows = [r for r in load_workbook(out)["逐行结果"].iter_rows(values_only=True)]
    assert any("未导入" in r and any("学籍台账中没有" in str(c) for c in r) for r in rows)
    wait(qtbot, page.confirm_import())
    assert "已导入" in page.summary.text()
    with school_db.reading() as s:
        rows = s.execute(select(HardshipAssessment.level, HardshipAssessment.decided_by)).all()
    assert sorted(rows) == [("relative", "七年级评议小组"), ("special", "七年级评议小组")]
