"""导入名单 page: choose what the file is and the file; see, row by row, what the import will do before
anything is written; map the columns nobody recognised; save the report to fix the file; import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidoffice.domain.terms import Term
from aidoffice.errors import SchoolCodeMismatch, WrongFileKind
from aidoffice.importing.choices import ImportChoices
from aidoffice.importing.report import ImportReport
from aidoffice.importing.service import ImportOptions
from aidoffice.sheets.kinds import KINDS, LIST_KINDS
from ui.dialogs.column_mapping import ColumnMappingDialog
from ui.models.import_preview import FILTERS, ImportPreviewModel
from ui.operations import AppContext
from ui.operations import imports as ops
from ui.permissions import Rights
from ui.tasks import Task, show_error
from ui.widgets import today_qdate

FILE_FILTER = "表格文件 (*.xlsx *.xls *.ods *.csv);;所有文件 (*)"


class ImportPage(QWidget):
    available = True
    RIGHTS = Rights(page="import.run")
    imported = Signal(str)  # the kind imported (every page hears of the change through ctx.data_changed)
    open_settings = Signal()  # the clerk asks to correct the school's settings (学校标识码)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.report: ImportReport | None = None
        self.mapping: dict[str, str] = {}
        self.last_task: Task | None = None

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        for code, kind in KINDS.items():
            self.kind.addItem(kind.label, code)
        form.addRow(self.tr("文件种类"), self.kind)

        file_row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setPlaceholderText(self.tr("选择 .xlsx、.xls、.ods 或 .csv 文件"))
        self.browse_btn = QPushButton(self.tr("选择文件…"))
        self.sheet = QComboBox()
        self.sheet.setMinimumWidth(140)
        self.sheet.setToolTip(self.tr("工作表：默认第一个有数据的工作表"))
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse_btn)
        file_row.addWidget(QLabel(self.tr("工作表")))
        file_row.addWidget(self.sheet)
        form.addRow(self.tr("文件"), file_row)

        # outside lists
        self.list_row = QWidget()
        lr = QHBoxLayout(self.list_row)
        lr.setContentsMargins(0, 0, 0, 0)
        self.list_kind = QComboBox()
        for code, label in LIST_KINDS.items():
            self.list_kind.addItem(label, code)
        self.source = QLineEdit()
        self.source.setPlaceholderText(self.tr("来源，如“阜平县乡村振兴局”（同一来源的新名单取代旧名单）"))
        self.group = QComboBox()
        self.known_on = QDateEdit(today_qdate())
        self.known_on.setCalendarPopup(True)
        self.known_on.setDisplayFormat("yyyy-MM-dd")
        for w, label in (
            (self.list_kind, ""),
            (self.source, ""),
            (self.group, "名单上的人属于"),
            (self.known_on, "名单日期"),
        ):
            if label:
                lr.addWidget(QLabel(self.tr(label)))
            lr.addWidget(w, 2 if w is self.source else 0)
        form.addRow(self.tr("名单"), self.list_row)
        self.form = form

        # awards
        self.award_row = QWidget()
        ar = QHBoxLayout(self.award_row)
        ar.setContentsMargins(0, 0, 0, 0)
        self.term = QLineEdit()
        self.term.setPlaceholderText(Term.containing(today_qdate().toPython()).code)
        self.term.setToolTip(
            self.tr("文件中没有“学年学期”列时使用；可写 2026-2027-1 或 2026-2027学年第一学期")
        )
        self.policy = QComboBox()
        ar.addWidget(QLabel(self.tr("学期")))
        ar.addWidget(self.term)
        ar.addWidget(QLabel(self.tr("资助项目")))
        ar.addWidget(self.policy, 1)
        form.addRow(self.tr("发放"), self.award_row)

        # hardship assessments (认定表): what the file's missing columns default to
        self.assessment_row = QWidget()
        sr = QHBoxLayout(self.assessment_row)
        sr.setContentsMargins(0, 0, 0, 0)
        self.school_year = QLineEdit()
        self.school_year.setPlaceholderText(Term.containing(today_qdate().toPython()).school_year)
        self.school_year.setToolTip(self.tr("文件中没有“学年”列时使用，如 2026-2027；不填为本学年"))
        self.decided_on = QDateEdit(today_qdate())
        self.decided_on.setCalendarPopup(True)
        self.decided_on.setDisplayFormat("yyyy-MM-dd")
        self.decided_on.setToolTip(self.tr("文件中没有“认定时间”列时使用"))
        self.decided_by = QLineEdit()
        self.decided_by.setPlaceholderText(self.tr("学校资助工作领导小组"))
        self.decided_by.setToolTip(self.tr("文件中没有“认定人”列时使用"))
        for w, label in (
            (self.school_year, "学年"),
            (self.decided_on, "认定时间"),
            (self.decided_by, "认定人"),
        ):
            sr.addWidget(QLabel(self.tr(label)))
            sr.addWidget(w, 1 if w is self.decided_by else 0)
        form.addRow(self.tr("认定"), self.assessment_row)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.preview_btn = QPushButton(self.tr("预览"))
        self.mapping_btn = QPushButton(self.tr("列对应…"))
        self.report_btn = QPushButton(self.tr("保存报告…"))
        self.import_btn = QPushButton(self.tr("确认导入"))
        self.import_btn.setStyleSheet("font-weight:bold")
        self.filter = QComboBox()
        for key, label in FILTERS.items():
            self.filter.addItem(self.tr(label), key)
        self.full_ids = QCheckBox(self.tr("显示完整证件号"))
        for w in (self.preview_btn, self.mapping_btn, self.report_btn, self.import_btn):
            buttons.addWidget(w)
        buttons.addStretch()
        buttons.addWidget(self.filter)
        buttons.addWidget(self.full_ids)
        layout.addLayout(buttons)

        self.summary = QLabel(
            self.tr("选择文件后点“预览”：先看每一行将新增、更新、无变化还是不能导入，再确认写入。")
        )
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color:#92400e")
        layout.addWidget(self.notes)

        # a whole-file problem the clerk can put right from here: the school code (设置) or the kind
        self.fix_bar = QWidget()
        self.fix_bar.setObjectName("fixBar")
        fb = QHBoxLayout(self.fix_bar)
        fb.setContentsMargins(0, 0, 0, 0)
        self.fix_text = QLabel()
        self.fix_text.setWordWrap(True)
        self.fix_text.setStyleSheet("color:#b91c1c")
        self.fix_btn = QPushButton()
        fb.addWidget(self.fix_text, 1)
        fb.addWidget(self.fix_btn)
        self.fix_bar.hide()
        self.fix_btn.clicked.connect(self._fix)
        self._fix_action: tuple[str, str] | None = None
        layout.addWidget(self.fix_bar)

        self.model = ImportPreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col, width in enumerate((56, 60, 90, 170)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.browse_btn.clicked.connect(self.browse)
        self.preview_btn.clicked.connect(self.preview)
        self.mapping_btn.clicked.connect(self.map_columns)
        self.report_btn.clicked.connect(self.save_report)
        self.import_btn.clicked.connect(self.confirm_import)
        self.filter.currentIndexChanged.connect(lambda: self.model.set_filter(self.filter.currentData()))
        self.full_ids.toggled.connect(self.model.set_show_full_ids)
        self.sheet.activated.connect(lambda: self.preview())
        for w in (self.path, self.source, self.term, self.school_year, self.decided_by):
            w.textEdited.connect(self._invalidate)
        self.decided_on.dateChanged.connect(self._invalidate)
        for c in (self.list_kind, self.group, self.policy):
            c.currentIndexChanged.connect(self._invalidate)
        self._fill_choices()
        self._kind_changed()

    # ---- choices ------------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        ops.load_choices(self.ctx, self, self._got_choices)

    def _got_choices(self, choices: ImportChoices) -> None:
        groups, policies = choices.groups, choices.policies
        self.group.clear()
        self.policy.clear()
        self.group.addItem(self.tr("按文件中的类别列"), None)
        for code, name in groups:
            self.group.addItem(name, code)
        self.policy.addItem(self.tr("按文件中的项目列"), None)
        for code, name in policies:
            self.policy.addItem(name, code)

    def _kind_changed(self) -> None:
        code = self.kind.currentData()
        self.form.setRowVisible(self.list_row, code == "list")
        self.form.setRowVisible(self.award_row, code == "awards")
        self.form.setRowVisible(self.assessment_row, code == "assessments")
        self.mapping = {}
        self._invalidate()

    def _invalidate(self) -> None:
        """Any change of the choices makes the preview stale: nothing can be imported until it is redone."""
        self.report = None
        self.fix_bar.hide()
        self.model.set_report(None)
        self.import_btn.setEnabled(False)
        self.report_btn.setEnabled(False)
        self.mapping_btn.setEnabled(False)

    def options(self) -> ImportOptions:
        code = self.kind.currentData()
        return ImportOptions(
            kind=code,
            sheet=self.sheet.currentText() or None,
            list_kind=self.list_kind.currentData(),
            source=self.source.text().strip() or None,
            group=self.group.currentData(),
            term=self.term.text().strip() or None,
            policy=self.policy.currentData(),
            known_on=self.known_on.date().toPython() if code == "list" else None,
            mapping=dict(self.mapping),
            school_year=self.school_year.text().strip() or None,
            decided_on=self.decided_on.date().toPython() if code == "assessments" else None,
            decided_by=self.decided_by.text().strip() or None,
        )

    def set_file(self, path: str) -> None:
        self.path.setText(path)
        self.sheet.clear()
        self._invalidate()

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择要导入的文件"), "", self.tr(FILE_FILTER))
        if path:
            self.set_file(path)
            self.preview()

    # ---- preview and import ---------------------------------------------------------------------

    def preview(self) -> Task | None:
        path = self.path.text().strip()
        if not path:
            QMessageBox.information(self, self.tr("导入"), self.tr("请先选择要导入的文件。"))
            return None
        options = self.options()
        self._invalidate()

        self.last_task = ops.preview(self.ctx, self, path, options, self._show, self._failed)
        return self.last_task

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(self.tr("未能读取：{e}").format(e=exc))
        if isinstance(exc, SchoolCodeMismatch):
            self._offer_fix(str(exc), self.tr("打开“设置”改正学校标识码"), ("settings", exc.found))
        elif isinstance(exc, WrongFileKind) and self.kind.findData(exc.looks_like) >= 0:
            label = KINDS[exc.looks_like].label
            self._offer_fix(str(exc), self.tr("改选“{k}”并预览").format(k=label), ("kind", exc.looks_like))
        else:
            show_error(self, exc, self.tr("导入预览"))

    def _offer_fix(self, text: str, button: str, action: tuple[str, str]) -> None:
        """The file as a whole cannot be taken, and the clerk can put it right from here: one message
        with the button that does it (not a dialog, not hundreds of refused rows)."""
        self.fix_text.setText(text)
        self.fix_btn.setText(button)
        self._fix_action = action
        self.fix_bar.show()

    def _fix(self) -> None:
        if self._fix_action is None:
            return
        what, value = self._fix_action
        if what == "settings":
            self.open_settings.emit()
        else:
            self.kind.setCurrentIndex(self.kind.findData(value))
            self.preview()

    def _show(self, report: ImportReport) -> None:
        self.report = report
        self.model.set_report(report)
        sheets = report.table.sheets
        if sheets and [self.sheet.itemText(i) for i in range(self.sheet.count())] != sheets:
            self.sheet.blockSignals(True)
            self.sheet.clear()
            self.sheet.addItems(sheets)
            self.sheet.blockSignals(False)
        if report.sheet:
            self.sheet.setCurrentText(report.sheet)
        self.summary.setText(report.summary())
        lines = [self.tr("表头在第 {rows} 行").format(rows=report.layout.header_row_numbers)]
        lines += report.notes
        lines += [w.reason for w in report.warnings if w.row is None]
        if report.missing:
            names = "、".join(f"{m.name}（{m.where}）" for m in report.missing[:8])
            more = self.tr("等（完整名单见“保存报告”的汇总页）") if len(report.missing) > 8 else ""
            lines.append(f"{report.missing_label} {len(report.missing)} 人：{names}{more}")
        self.notes.setText("\n".join(lines))
        self.report_btn.setEnabled(True)
        self.mapping_btn.setEnabled(bool(report.layout.unplaced) or bool(self.mapping))
        self.import_btn.setEnabled(not report.applied and report.rows_read > len(report.rejected))

    def map_columns(self) -> bool:
        if self.report is None:
            return False
        columns = self.report.layout.unplaced
        if not columns:
            QMessageBox.information(self, self.tr("列对应"), self.tr("所有列都已认出。"))
            return False
        dialog = ColumnMappingDialog(KINDS[self.report.kind], columns, self)
        if dialog.exec() != ColumnMappingDialog.DialogCode.Accepted:
            return False
        self.apply_mapping(dialog.mapping())
        return True

    def apply_mapping(self, mapping: dict[str, str]) -> Task | None:
        self.mapping.update(mapping)
        return self.preview()

    def confirm_import(self) -> Task | None:
        if self.report is None:
            return None
        report = self.report
        text = self.tr("{summary}\n\n确认写入？未导入的行不会写入，可保存报告改好后再次导入。").format(
            summary=report.summary()
        )
        answer = QMessageBox.question(self, self.tr("确认导入"), text)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        path, options = self.path.text().strip(), self.options()

        def done(result: ImportReport) -> None:
            self._show(result)
            self.import_btn.setEnabled(False)
            self.imported.emit(result.kind)

        self.last_task = ops.run(self.ctx, self, path, options, done)
        return self.last_task

    def save_report(self, target: str | None = None) -> Task | None:
        if self.report is None:
            return None
        if not target:
            suggested = str(Path(self.path.text()).with_name(Path(self.path.text()).stem + "_导入结果.xlsx"))
            target, _ = QFileDialog.getSaveFileName(
                self, self.tr("保存导入结果"), suggested, "Excel 工作簿 (*.xlsx)"
            )
            if not target:
                return None
        report = self.report

        def saved(path: Path) -> None:
            QMessageBox.information(
                self,
                self.tr("已保存"),
                self.tr(
                    "逐行结果已保存到：\n{p}\n\n红色行未导入，黄色行有提示，原因写在最右两列。改好后可直接再次导入这个文件。"
                ).format(p=path),
            )

        self.last_task = ops.save_report(self.ctx, self, report, target, saved)
        return self.last_task
