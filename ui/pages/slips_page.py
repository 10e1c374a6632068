"""回执登记 page: a keyboard-wedge scanner (or a clerk typing) enters a slip code and Enter; the code is
registered with the answer ticked on the page (F2–F6 tick an answer), and a coloured sign and a
beep pattern say what happened: one beep received, two already registered, three unknown or
mistyped. Counts per class update after every slip; the outstanding list per class is saved as a
workbook for the head teachers. 导入扫描件 reads a whole stack scanned on the copier (the certain slips
registered, the rest in the 待核对 queue, cleared one picture at a time: ui/dialogs/slip_queue.py).
The 有异议 tab lists the term's objections; for a scanned one it shows what the family wrote — the
picture of the 有异议 line only, cut out by the slip's geometry, never the rest of the page — with a
button to see it larger (a head teacher: their own classes' only, as the service decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aidoffice.domain import slipcode
from aidoffice.errors import AidofficeError
from aidoffice.publicity.slips import Outcome, Receipt, SlipLine, SlipStatus
from aidoffice.services.slip_scan import ObjectionLine
from ui.operations import AppContext, Changes, slip_scan
from ui.operations import publicity as ops
from ui.permissions import Rights
from ui.tasks import Task, show_error

if TYPE_CHECKING:
    from ui.dialogs.slip_queue import SlipQueueDialog

ANSWERS = [
    (None, "只登记收回（不记选项）"),
    ("apply", "符合、申请"),
    ("decline", "不符合、不申请"),
    ("agree", "无异议"),
    ("object", "有异议"),
]
LOOK = {
    Outcome.RECEIVED: ("#dcfce7", "#166534", 1),
    Outcome.REPEATED: ("#fef3c7", "#92400e", 2),
    Outcome.UNKNOWN: ("#fee2e2", "#991b1b", 3),
    Outcome.MISTYPED: ("#fee2e2", "#991b1b", 3),
    Outcome.OTHER_TERM: ("#fee2e2", "#991b1b", 3),
}


class SlipsPage(QWidget):
    available = True
    RIGHTS = Rights(page="slips.register")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_task: Task | None = None
        self.last_receipt: Receipt | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.term = QComboBox()
        self.term.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.term.setMinimumWidth(130)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("全部回执"), None)
        self.kind.addItem(self.tr("资助政策告知书回执"), "policy")
        self.kind.addItem(self.tr("受助情况告知书回执"), "aid")
        top.addWidget(QLabel(self.tr("学期")))
        top.addWidget(self.term)
        top.addWidget(self.kind)
        top.addStretch()
        layout.addLayout(top)

        scan = QHBoxLayout()
        scan.addWidget(QLabel(self.tr("<b>回执编号</b>")))
        self.code = QLineEdit()
        self.code.setObjectName("slipCode")
        self.code.setPlaceholderText(self.tr("扫码枪扫描二维码或条形码，或输入编号后按回车"))
        self.code.setStyleSheet("font-size:20px;padding:6px")
        scan.addWidget(self.code, 1)
        layout.addLayout(scan)

        answers = QHBoxLayout()
        self.answer_group = QButtonGroup(self)
        self.answer_buttons: list[QRadioButton] = []
        self.shortcuts: dict[str, QShortcut] = {}
        for n, (code, text) in enumerate(ANSWERS):
            b = QRadioButton(f"{self.tr(text)}（F{n + 2}）")
            b.setProperty("answer", code)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the code field keeps the scanner's keystrokes
            self.answer_group.addButton(b, n)
            self.answer_buttons.append(b)
            answers.addWidget(b)
            # one key ticks an answer; the code field keeps the focus for the next scan
            key = f"F{n + 2}"
            self.shortcuts[key] = QShortcut(QKeySequence(key), self, activated=lambda n=n: self.tick(n))
        self.answer_buttons[0].setChecked(True)
        self.objection = QLineEdit()
        self.objection.setPlaceholderText(self.tr("有异议时家长写的内容（可不填）"))
        answers.addWidget(self.objection, 1)
        layout.addLayout(answers)

        self.sign = QLabel(self.tr("等待扫描……"))
        self.sign.setObjectName("slipSign")
        self.sign.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sign.setMinimumHeight(64)
        self.sign.setWordWrap(True)
        self._paint_sign("#f3f4f6", "#374151")
        layout.addWidget(self.sign)

        split = QSplitter()
        left = QWidget()
        lv = QVBoxLayout(left)
        self.summary = QLabel()
        lv.addWidget(self.summary)
        self.counts = QStandardItemModel(0, 5, self)
        self.counts.setHorizontalHeaderLabels([self.tr(t) for t in ("班级", "应交", "已交", "未交", "选项")])
        self.counts_view = QTableView()
        self.counts_view.setModel(self.counts)
        self.counts_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.counts_view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lv.addWidget(self.counts_view)
        right = QWidget()
        rv = QVBoxLayout(right)
        head = QHBoxLayout()
        head.addWidget(QLabel(self.tr("未交回执")))
        head.addStretch()
        self.save_btn = QPushButton(self.tr("保存未交名单（按班）…"))
        head.addWidget(self.save_btn)
        self.scan_btn = QPushButton(self.tr("导入扫描件…"))
        self.scan_btn.setToolTip(self.tr("复印机把一摞回执扫描成 PDF（200 dpi、灰度），在这里一次读入"))
        self.queue_btn = QPushButton(self.tr("待核对…"))
        top.addWidget(self.scan_btn)
        top.addWidget(self.queue_btn)
        rv.addLayout(head)
        self.missing = QStandardItemModel(0, 4, self)
        self.missing.setHorizontalHeaderLabels([self.tr(t) for t in ("班级", "姓名", "告知书", "回执编号")])
        self.missing_view = QTableView()
        self.missing_view.setModel(self.missing)
        self.missing_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.missing_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        rv.addWidget(self.missing_view)
        self.tabs = QTabWidget()
        self.tabs.addTab(right, self.tr("未交回执"))
        self.tabs.addTab(self._objections_tab(), self.tr("有异议"))
        split.addWidget(left)
        split.addWidget(self.tabs)
        layout.addWidget(split, 1)

        self.code.returnPressed.connect(self.submit)
        self.term.currentIndexChanged.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.save_btn.clicked.connect(self._save_missing)
        self.scan_btn.clicked.connect(self._choose_scans)
        self.queue_btn.clicked.connect(self.open_queue)
        self.queue_dialog: SlipQueueDialog | None = None
        self.note_dialog: QDialog | None = None
        self.objections_task: Task | None = None
        self.note_task: Task | None = None
        self._stale = True
        self._terms_loaded = False
        ctx.data_changed.connect(self._data_changed)

    def activate(self) -> Task:
        self.code.setFocus()
        if not self._terms_loaded:
            self.last_task = ops.load_choices(self.ctx, self, self._loaded)
            return self.last_task
        return self.refresh()

    def _loaded(self, choices: ops.Choices) -> None:
        self.term.blockSignals(True)
        self.term.clear()
        self.term.addItems(choices.terms)
        self.term.setCurrentText(choices.current)
        self.term.blockSignals(False)
        self._terms_loaded = True
        self.refresh()

    def _data_changed(self, changes: Changes, initiator: object) -> None:
        if changes.any_of("slips", "students", "publicity") and initiator is not self and self.isVisible():
            self.refresh()

    def _filters(self) -> tuple[str | None, str | None]:
        return self.term.currentText() or None, self.kind.currentData()

    def refresh(self) -> Task:
        term, kind = self._filters()
        ops.load_outstanding(self.ctx, self, term, kind, self._show_missing)
        self.objections_task = slip_scan.load_objections(self.ctx, self, term, self._show_objections)
        self.last_task = ops.load_status(self.ctx, self, term, kind, self._show_status)
        return self.last_task

    def _show_status(self, status: SlipStatus) -> None:
        self.summary.setText(
            self.tr("应交 {t} 张，已交 {r} 张，未交 {o} 张").format(
                t=status.total, r=status.returned, o=status.total - status.returned
            )
        )
        self.counts.removeRows(0, self.counts.rowCount())
        names = {code: text for code, text in ANSWERS if code}
        for c in status.classes:
            answers = "，".join(f"{names[k]} {v}" for k, v in c.answers.items())
            self.counts.appendRow(
                [QStandardItem(str(v)) for v in (c.label, c.total, c.returned, c.outstanding, answers)]
            )

    def _show_missing(self, missing: dict[str, list[SlipLine]]) -> None:
        self.missing.removeRows(0, self.missing.rowCount())
        for label, lines in missing.items():
            for line in lines:
                kind = self.tr("政策告知书") if line.kind == "policy" else self.tr("受助告知书")
                items = (label, line.name, kind, slipcode.display(line.code))
                self.missing.appendRow([QStandardItem(v) for v in items])

    # ---- objections: what the family wrote -----------------------------------------------------------

    def _objections_tab(self) -> QWidget:
        tab = QWidget()
        v = QVBoxLayout(tab)
        self.objections = QStandardItemModel(0, 4, self)
        self.objections.setHorizontalHeaderLabels([self.tr(t) for t in ("班级", "姓名", "回执编号", "说明")])
        self.objections_view = QTableView()
        self.objections_view.setModel(self.objections)
        self.objections_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.objections_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.objections_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.objections_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.objections_view.horizontalHeader().setStretchLastSection(True)
        self.objections_view.selectionModel().currentRowChanged.connect(self._objection_chosen)
        v.addWidget(self.objections_view, 1)
        self.note_caption = QLabel(
            self.tr("选中一条有异议的回执，这里显示家长在“有异议”横线上手写的内容（扫描登记的回执）。")
        )
        self.note_caption.setWordWrap(True)
        v.addWidget(self.note_caption)
        row = QHBoxLayout()
        self.note_picture = QLabel()
        self.note_picture.setObjectName("objectionPicture")
        self.note_picture.setMinimumHeight(60)
        self.note_picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.note_picture.setStyleSheet("background:white;border:1px solid #d1d5db")
        row.addWidget(self.note_picture, 1)
        self.enlarge_btn = QPushButton(self.tr("放大查看…"))
        self.enlarge_btn.setEnabled(False)
        self.enlarge_btn.clicked.connect(self.enlarge_note)
        row.addWidget(self.enlarge_btn)
        v.addLayout(row)
        self.objection_lines: list[ObjectionLine] = []
        self.note_png: bytes | None = None
        self.note_code: str | None = None
        self._choosing = False
        return tab

    def _show_objections(self, lines: list[ObjectionLine]) -> None:
        chosen = self.note_code
        self.objection_lines = lines
        self.objections.removeRows(0, self.objections.rowCount())
        for line in lines:
            if line.handwriting:
                said = self.tr("家长手写了内容，见下方扫描图片")
            elif line.scanned:
                said = self.tr("扫描登记，“有异议”横线上未见手写")
            else:
                said = line.text
            items = [
                QStandardItem(v) for v in (line.class_label, line.name, slipcode.display(line.code), said)
            ]
            items[3].setToolTip(line.text)
            self.objections.appendRow(items)
        self.tabs.setTabText(1, self.tr("有异议（{n}）").format(n=len(lines)) if lines else self.tr("有异议"))
        codes = [line.code for line in lines]
        row = codes.index(chosen) if chosen in codes else 0
        if lines:
            self._choosing = True  # the picture is read once, below
            self.objections_view.setCurrentIndex(self.objections.index(row, 0))
            self._choosing = False
            self._objection_chosen(self.objections.index(row, 0))
        else:
            self._clear_note()

    def _clear_note(self) -> None:
        self.note_code, self.note_png = None, None
        self.note_picture.clear()
        self.enlarge_btn.setEnabled(False)

    def _objection_chosen(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if self._choosing:
            return
        if not index.isValid() or index.row() >= len(self.objection_lines):
            self._clear_note()
            return
        line = self.objection_lines[index.row()]
        self.note_caption.setText(
            self.tr("{who} 的回执：家长在“有异议”横线上写的内容（只显示这一栏）").format(
                who=f"{line.class_label} {line.name}"
            )
        )
        self.note_code, self.note_png = line.code, None
        self.note_picture.clear()
        self.enlarge_btn.setEnabled(False)
        if not line.scanned:
            self.note_picture.setText(self.tr("这张回执是手工登记的，没有扫描图片。"))
            return
        self.note_picture.setText(self.tr("正在读取图片……"))

        def failed(exc: BaseException) -> None:
            if self.note_code == line.code:
                self.note_picture.setText(str(exc))

        self.note_task = slip_scan.load_note(self.ctx, self, line.code, self._show_note, failed)

    def _show_note(self, picture: slip_scan.NotePicture) -> None:
        if picture.code != self.note_code:
            return  # another row was chosen meanwhile
        pixmap = QPixmap()
        if not picture.png or not pixmap.loadFromData(picture.png):
            self.note_picture.setText(self.tr("没有这张回执的扫描图片。"))
            return
        self.note_png = picture.png
        self.note_picture.setPixmap(
            pixmap.scaledToHeight(max(60, pixmap.height() * 2), Qt.TransformationMode.SmoothTransformation)
        )
        self.enlarge_btn.setEnabled(True)

    def enlarge_note(self) -> QDialog | None:
        """The picture of the 有异议 line, four times as large, in its own window."""
        if not self.note_png:
            return None
        line = next((o for o in self.objection_lines if o.code == self.note_code), None)
        pixmap = QPixmap()
        pixmap.loadFromData(self.note_png)
        dialog = QDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        title = f"{line.class_label} {line.name}" if line else ""
        dialog.setWindowTitle(self.tr("家长在“有异议”横线上写的内容　{who}").format(who=title))
        v = QVBoxLayout(dialog)
        big = QLabel()
        big.setObjectName("objectionPictureLarge")
        big.setPixmap(
            pixmap.scaled(
                pixmap.width() * 4,
                pixmap.height() * 4,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        big.setStyleSheet("background:white")
        scroll = QScrollArea()
        scroll.setWidget(big)
        scroll.setWidgetResizable(True)
        v.addWidget(scroll, 1)
        v.addWidget(QLabel(self.tr("只显示回执上“有异议”一栏；整张回执的扫描件不在这里显示。")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(dialog.reject)
        v.addWidget(buttons)
        dialog.resize(min(1240, pixmap.width() * 4 + 80), pixmap.height() * 4 + 130)
        self.note_dialog = dialog
        dialog.open()
        return dialog

    # ---- scanning -----------------------------------------------------------------------------------

    def tick(self, n: int) -> None:
        """F2–F6: tick answer n and go back to the code field for the next scan."""
        self.answer_buttons[n].setChecked(True)
        self.code.setFocus()

    def answer(self) -> str | None:
        checked = self.answer_group.checkedButton()
        return checked.property("answer") if checked else None

    def submit(self) -> Task | None:
        text = self.code.text().strip()
        self.code.clear()
        if not text:
            return None
        answer = self.answer()
        objection = self.objection.text() if answer == "object" else None

        def done(receipt: Receipt) -> None:
            self.last_receipt = receipt
            back, fore, beeps = LOOK[receipt.outcome]
            self._paint_sign(back, fore)
            self.sign.setText(receipt.message)
            self._beep(beeps)
            self.objection.clear()
            if receipt.outcome is Outcome.RECEIVED:
                self.refresh()

        def failed(exc: BaseException) -> None:
            self._paint_sign("#fee2e2", "#991b1b")
            self.sign.setText(str(exc))
            self._beep(3)
            if not isinstance(exc, AidofficeError):  # a refused answer is said on the sign; a bug is not
                show_error(self, exc, self.tr("登记回执"))
            self.code.setFocus()  # the next scan goes into the code field, not a closed box

        term = self.term.currentText() or None
        self.last_task = ops.receive(self.ctx, self, text, answer, objection, done, failed, term=term)
        self.code.setFocus()
        return self.last_task

    # ---- a scanned stack ----------------------------------------------------------------------------

    def _choose_scans(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择扫描的回执"), "", self.tr("扫描件 (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)")
        )
        if paths:
            self.import_scans(paths)

    def import_scans(self, paths: list[str]) -> Task:
        """Read the stack in the background (with progress); then the report on the sign and, when
        some slips need the clerk, the queue."""

        def done(report) -> None:  # type: ignore[no-untyped-def]
            self.last_scan = report
            self._paint_sign(
                "#dcfce7" if not report.queued else "#fef3c7", "#166534" if not report.queued else "#92400e"
            )
            self.sign.setText("\n".join(report.summary().splitlines()[:3]))
            self.refresh()
            if report.queue_size:
                self.open_queue()

        term = self.term.currentText() or None
        self.last_task = slip_scan.scan_files(self.ctx, self, paths, term, done)
        return self.last_task

    def open_queue(self) -> SlipQueueDialog:
        from ui.dialogs.slip_queue import SlipQueueDialog  # the scanner's queue: pictures, pdfium

        dialog = SlipQueueDialog(self.ctx, self.term.currentText() or None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self.refresh())
        self.queue_dialog = dialog
        dialog.open()
        dialog.load()
        return dialog

    def _paint_sign(self, back: str, fore: str) -> None:
        self.sign.setStyleSheet(
            f"background:{back};color:{fore};font-size:20px;font-weight:bold;border-radius:6px;padding:8px"
        )

    def _beep(self, times: int) -> None:
        for n in range(times):
            QTimer.singleShot(n * 180, QApplication.beep)

    def _save_missing(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存未交名单"), self.tr("未交回执名单.xlsx"), "Excel (*.xlsx)"
        )
        if not path:
            return
        term, kind = self._filters()
        ops.export_outstanding(
            self.ctx, self, path, term, kind,
            lambda r: QMessageBox.information(self, self.tr("已保存"), self.tr("未交名单（{n} 人）已保存：\n{p}").format(n=r[1], p=r[0])),
        )  # fmt: skip
