"""Telling the roster export what a template column it did not recognise should hold (or to leave it
blank), with the template's header shown as the county drew it. Remembered for that template."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from aidoffice.exporting.template import TEMPLATE_FIELDS, field_label
from aidoffice.sheets.headers import IGNORE, column_letter
from ui.widgets import dialog_buttons


class TemplateMappingDialog(QDialog):
    def __init__(self, unplaced: list[dict], preview: list[list[str]], parent=None):  # type: ignore[no-untyped-def,type-arg]
        super().__init__(parent)
        self.setWindowTitle(self.tr("模板中认不出的列"))
        self.resize(900, 380)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "模板的表头如下。请为认不出的列选择要填的内容，或选“留空”。以后用同一个模板时会自动按此填写。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        # a few header rows: a small fixed table, not a ledger
        self.preview = QTableWidget(len(preview), max((len(r) for r in preview), default=0))
        self.preview.setHorizontalHeaderLabels([column_letter(i) for i in range(self.preview.columnCount())])
        wanted = {u["column"] for u in unplaced}
        for r, row in enumerate(preview):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if column_letter(c) in wanted:
                    item.setBackground(self.palette().highlight())
                    item.setForeground(self.palette().highlightedText())
                self.preview.setItem(r, c, item)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview.setMaximumHeight(40 + 30 * len(preview))
        layout.addWidget(self.preview)
        form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        choices = sorted(TEMPLATE_FIELDS - {"seq"}, key=field_label)
        for u in unplaced:
            combo = QComboBox()
            combo.addItem(self.tr("留空"), IGNORE)
            for f in choices:
                combo.addItem(field_label(f), f)
            name = u["header"] or f"列{u['column']}"
            self.combos[name] = combo
            form.addRow(
                self.tr("{col} 列「{name}」").format(col=u["column"], name=u["header"] or "无列名"), combo
            )
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self, self.tr("确定"), self.tr("取消")))

    def mapping(self) -> dict[str, str]:
        """column name → field code or “留空”, as export_roster's mapping takes it."""
        return {
            name: ("留空" if combo.currentData() == IGNORE else combo.currentData())
            for name, combo in self.combos.items()
        }
