"""Telling the importer what a column it did not recognise holds. The choice is remembered for this
kind of file, so the clerk answers once."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QVBoxLayout

from aidoffice.sheets.headers import IGNORE, Column, field_label
from aidoffice.sheets.kinds import Kind
from ui.widgets import dialog_buttons


class ColumnMappingDialog(QDialog):
    def __init__(self, kind: Kind, columns: list[Column], parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.setWindowTitle(self.tr("指定列的内容"))
        self.columns = columns
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "下面这些列没有认出来。请选择每一列是什么；选“不导入”则跳过。以后导入同类文件时会自动按此对应。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for col in columns:
            combo = QComboBox()
            combo.addItem(self.tr("不导入"), IGNORE)
            for f in kind.fields:
                combo.addItem(field_label(f), f)
            self.combos[col.name] = combo
            form.addRow(col.describe(), combo)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self, self.tr("确定"), self.tr("取消")))

    def mapping(self) -> dict[str, str]:
        """header → field code, for ImportOptions.mapping."""
        return {header: combo.currentData() for header, combo in self.combos.items()}
