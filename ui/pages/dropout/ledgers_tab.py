"""三本台账: 适龄儿童花名册, 疑似辍学, 辍学学生 and the monthly report, as the county asks for them, and
their export into the county's own workbook (the shipped sample, or the county's template)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.casework import dropout_ledgers as books
from aidoffice.casework.dropout_ledgers import DropoutLedgers
from ui.models.rows_table import RowsModel
from ui.operations import AppContext
from ui.operations import cases as ops
from ui.operations.security import may
from ui.tasks import Latest, Task

LEDGERS = (
    ("roll", "适龄儿童花名册", books.ROLL_COLUMNS),
    ("suspects", "疑似辍学", books.SUSPECT_COLUMNS),
    ("dropouts", "辍学学生", books.DROPOUT_COLUMNS),
    ("report", "月报", books.REPORT_COLUMNS),
)


class LedgersTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.data: DropoutLedgers | None = None
        self.last_task: Task | None = None
        self._latest = Latest()  # ledgers read before the last toggle or refresh go nowhere
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.which = QComboBox()
        for key, title, _cols in LEDGERS:
            self.which.addItem(self.tr(title), key)
        self.show_full = QCheckBox(self.tr("显示完整证件号"))
        self.show_full.setVisible(may(ctx, "students.view_full_ids"))
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.refresh_btn = QPushButton(self.tr("刷新"))
        self.export_btn = QPushButton(self.tr("按县模板导出…"))
        self.export_btn.setToolTip(
            self.tr("三本台账和月报写入一个工作簿；县里有自己的模板时选择它，否则用程序自带的样表")
        )
        self.export_btn.setVisible(may(ctx, "export.ledger"))
        for w in (QLabel(self.tr("台账")), self.which, self.show_full, self.summary):
            top.addWidget(w)
        top.addStretch()
        top.addWidget(self.refresh_btn)
        top.addWidget(self.export_btn)
        layout.addLayout(top)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color:#6b7280")
        layout.addWidget(self.hint)
        self.model = RowsModel([], self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.which.currentIndexChanged.connect(self._show)
        self.show_full.toggled.connect(self.reload)
        self.refresh_btn.clicked.connect(self.reload)
        self.export_btn.clicked.connect(self.export)

    def reload(self) -> Task:
        self.last_task = ops.load_ledgers(self.ctx, self, self.show_full.isChecked(), self._latest(self._got))
        return self.last_task

    def _got(self, data: DropoutLedgers) -> None:
        self.data = data
        self._show()

    HINTS = {
        "roll": "服务村中义务教育适龄儿童少年（按户籍台账和本校学籍），以及每人在哪里就读。红色：去向未核实或辍学。",
        "suspects": "四查三比对：户籍与学籍、部门名单与学籍比对发现的“需核实去向”，学籍台账中为辍学、休学的学生。",
        "dropouts": "劝返中的案件：一人一案，包保责任人、劝返方案和已做的劝返。",
        "report": "本月按村统计，报乡镇和县教育局。",
    }

    def _show(self) -> None:
        key = self.which.currentData()
        cols = next(c for k, _t, c in LEDGERS if k == key)
        self.hint.setText(self.tr(self.HINTS[key]))
        if self.data is None:
            return
        rows = getattr(self.data, key)
        marks = None
        if key == "roll":
            marks = ["red" if r[-1] in (books.UNKNOWN, books.OUT) else None for r in rows]
        elif key == "suspects":
            marks = ["yellow" if r[-1] == "待核实" else None for r in rows]
        self.model.headers = [self.tr(c) for c in cols]
        self.model.set_rows(rows, marks)
        self.table.resizeColumnsToContents()
        n = self.data.counts()
        self.summary.setText(
            self.tr("{m}　适龄儿童 {a} 人，疑似辍学 {b} 人，辍学 {c} 人").format(
                m=self.data.month, a=n["roll"], b=n["suspects"], c=n["dropouts"])
        )  # fmt: skip

    def export(self) -> Task | None:
        template = None
        if QMessageBox.question(self, self.tr("县模板"), self.tr("县里有自己的模板吗？选“是”选择模板文件，选“否”用程序自带的样表。"))\
                == QMessageBox.StandardButton.Yes:  # fmt: skip
            template, _ = QFileDialog.getOpenFileName(self, self.tr("选择县里的模板"), "", "Excel (*.xlsx)")
            template = template or None
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出三本台账"), self.tr("控辍保学三本台账.xlsx"), "Excel (*.xlsx)"
        )
        return self.save(path, template) if path else None

    def save(self, path: str, template: str | None = None) -> Task:
        def done(res) -> None:  # type: ignore[no-untyped-def]
            n = res.rows
            QMessageBox.information(
                self, self.tr("导出完成"),
                "\n".join([self.tr("已导出到：{p}").format(p=res.path),
                           self.tr("适龄儿童 {a} 人，疑似辍学 {b} 人，辍学学生 {c} 人").format(
                               a=n.get("roll", 0), b=n.get("suspects", 0), c=n.get("dropouts", 0)), *res.notes]),
            )  # fmt: skip

        self.last_task = ops.export_ledgers(self.ctx, self, path, template, done)
        return self.last_task
