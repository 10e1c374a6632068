"""1222宣传材料 page: the two letters by school, grade or class; the batch history; the template editor
with a live preview of a real student's letter; the poster, the public notice and the inspection
pack; the phones every letter prints.

The preview is the first page of the PDF drawn as a picture by pdfium inside the program (no outside
tool, so the same on Windows); the preview PDF also opens in the system's PDF viewer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aidoffice import clock
from aidoffice.publicity import templates as tpl
from aidoffice.publicity.common import HeldBack
from aidoffice.publicity.letters import LetterBatch, LetterPlan
from aidoffice.publicity.settings import PublicitySettings
from ui.operations import AppContext, Changes
from ui.operations import publicity as ops
from ui.permissions import Rights
from ui.tasks import Task, show_error
from ui.widgets import error_label, qdate, today_qdate

KINDS = [("policy", "资助政策告知书"), ("aid", "受助情况告知书")]
ASK_ABOVE_PAGES = 300  # a batch this large is asked about first (a whole school by mistake)


class HeldDialog(QDialog):
    """Children with an open 疑似误助 / 离校仍资助 problem: leave them out (default) or include them with
    a reason the audit trail keeps."""

    def __init__(self, parent: QWidget, held: list[HeldBack], what: str):
        super().__init__(parent)
        self.held = held
        self.setWindowTitle(self.tr("有待核实的受助学生"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "以下 {n} 名学生有未处理的疑似误助或离校仍资助问题。资助可能要收回，先不要告知家长或公示；"
                "核实后在问题清单中处理。"
            ).format(n=len(held))
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        names = QLabel("<br>".join(h.label for h in held))
        names.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        names.setMargin(6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(names)
        scroll.setMinimumHeight(80)
        layout.addWidget(scroll, 1)
        self.leave_out = QRadioButton(self.tr("不列入这些学生（推荐）"))
        self.include_them = QRadioButton(self.tr("已核实，仍列入{w}，理由：").format(w=what))
        group = QButtonGroup(self)
        group.addButton(self.leave_out)
        group.addButton(self.include_them)
        self.leave_out.setChecked(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("如：低保证明已补交，问题待销号"))
        self.reason.setEnabled(False)
        self.error = error_label()
        layout.addWidget(self.leave_out)
        layout.addWidget(self.include_them)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("继续生成"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.include_them.toggled.connect(self.reason.setEnabled)

    def buttons_ok(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _accept(self) -> None:
        if self.include_them.isChecked() and not self.reason.text().strip():
            self.error.setText(self.tr("请写明列入的理由（会记入操作记录）。"))
            self.reason.setFocus()
            return
        self.accept()

    def include(self) -> dict[int, str] | None:
        if not self.include_them.isChecked():
            return None
        return {h.student_id: self.reason.text().strip() for h in self.held}


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class PublicityPage(QWidget):
    available = True
    RIGHTS = Rights(
        page="letters.print",
        controls={"publicity.setup": ("template_save", "template_restore", "contacts_save")},
        whole_school=("notice_btn", "pack_btn"),  # a head teacher prints for their own classes
    )
    class_only = False  # a head teacher: no 全校/全年级 choice (the service refuses them anyway)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.choices: ops.Choices | None = None
        self.last_task: Task | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._letters_tab(), self.tr("告知书"))
        self.tabs.addTab(self._history_tab(), self.tr("生成记录"))
        self.tabs.addTab(self._template_tab(), self.tr("模板"))
        self.tabs.addTab(self._board_tab(), self.tr("海报、公示与迎检"))
        self.tabs.addTab(self._classes_tab(), self.tr("两节课"))
        self.tabs.addTab(self._contacts_tab(), self.tr("电话与设置"))
        self._stale = True
        ctx.data_changed.connect(self._data_changed)

    # ---- loading ------------------------------------------------------------------------------------

    def activate(self) -> Task | None:
        if self._stale:
            return self.reload()
        return None

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("students", "settings", "publicity", "awards"):
            self._stale = True
            if self.isVisible():
                self.reload()

    def reload(self) -> Task:
        self._stale = False
        self.last_task = ops.load_choices(self.ctx, self, self._loaded)
        ops.load_batches(self.ctx, self, self._show_batches)
        return self.last_task

    def _loaded(self, choices: ops.Choices) -> None:
        self.choices = choices
        self._first_template_of_the_school(choices)
        for combo in (self.term, self.notice_term, self.pack_term, self.class_term):
            current = combo.currentText()
            combo.clear()
            combo.addItems(choices.terms)
            combo.setCurrentText(current if current in choices.terms else choices.current)
        # the grade and class chosen stay chosen when the data changes (a batch just made): falling
        # back to 全校 made the next click print the whole school
        grade, class_ = self.grade.currentText(), self.class_.currentText()
        self.grade.blockSignals(True)
        self.grade.clear()
        if not self.class_only:
            self.grade.addItem(self.tr("全校"), None)
        for name, classes in choices.grades:
            self.grade.addItem(name, classes)
        if grade and (index := self.grade.findText(grade)) >= 0:
            self.grade.setCurrentIndex(index)
        self.grade.blockSignals(False)
        self._grade_changed()
        if class_ and (index := self.class_.findText(class_)) >= 0:
            self.class_.setCurrentIndex(index)
        self._fill_class_choices(choices)
        st = choices.settings
        self.f_contact.setText(st.contact_name)
        self.f_contact_phone.setText(st.contact_phone)
        self.f_office.setText(st.aid_office_phone)
        self.f_county.setText(st.county_centre_phone)
        self.f_complaint.setText(st.complaint_phone)
        self.f_deadline.setText(st.apply_deadline)
        self.f_issuer.setText(st.issuer)
        self.f_days.setValue(st.notice_days)
        self.f_slip_days.setValue(st.slip_days)
        missing = st.missing_contacts()
        self.contacts_hint.setText(
            self.tr("尚未设置：{m}。告知书上会印成空白横线。").format(m="、".join(missing)) if missing else ""
        )

    # ---- 告知书 -------------------------------------------------------------------------------------

    def _letters_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        form = QFormLayout()
        self.kind = QComboBox()
        for code, name in KINDS:
            self.kind.addItem(self.tr(name), code)
        self.term = QComboBox()
        self.grade = QComboBox()
        self.class_ = QComboBox()
        self.letter_date = QDateEdit(qdate(clock.today()))
        self.letter_date.setCalendarPopup(True)
        self.letter_date.setDisplayFormat("yyyy-MM-dd")
        self.duplex = QCheckBox(self.tr("双面打印（每封信补成偶数页，一张纸只印一个孩子的信）"))
        self.covers = QCheckBox(self.tr("每班前加班主任回执收回登记表"))
        self.covers.setChecked(True)
        form.addRow(self.tr("告知书"), self.kind)
        form.addRow(self.tr("学期"), self.term)
        form.addRow(self.tr("年级"), self.grade)
        form.addRow(self.tr("班级"), self.class_)
        form.addRow(self.tr("落款日期"), self.letter_date)
        form.addRow("", self.duplex)
        form.addRow("", self.covers)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.save_btn = QPushButton(self.tr("生成并保存 PDF…"))
        self.print_btn = QPushButton(self.tr("生成并打开（打印）"))
        row.addWidget(self.save_btn)
        row.addWidget(self.print_btn)
        row.addStretch()
        layout.addLayout(row)
        self.result = QLabel()
        self.result.setObjectName("letterResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        layout.addStretch()
        self.grade.currentIndexChanged.connect(self._grade_changed)
        self.save_btn.clicked.connect(self._save_letters)
        self.print_btn.clicked.connect(self._print_letters)
        return w

    def _grade_changed(self) -> None:
        self.class_.clear()
        if not self.class_only:
            self.class_.addItem(self.tr("全年级"), None)
        for name in self.grade.currentData() or []:
            self.class_.addItem(name, name)
        self.class_.setEnabled(self.grade.currentData() is not None)

    def letter_options(self) -> dict:
        grade = self.grade.currentText() if self.grade.currentData() is not None else None
        return {
            "term": self.term.currentText() or None,
            "grade": grade,
            "class_name": self.class_.currentData() if grade else None,
            "letter_date": _pydate(self.letter_date.date()),
            "duplex": self.duplex.isChecked(),
            "covers": self.covers.isChecked(),
        }

    def _default_name(self) -> str:
        scope = self.grade.currentText() if self.grade.currentData() is not None else self.tr("全校")
        if self.class_.currentData():
            scope += self.class_.currentData()
        return f"{self.kind.currentText()}_{scope}.pdf"

    def _save_letters(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存告知书"), self._default_name(), "PDF (*.pdf)"
        )
        if path:
            self.make_letters(path)

    def _print_letters(self) -> None:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="aidoffice-letters-"))
        self.make_letters(str(folder / self._default_name()), open_after=True)

    def make_letters(self, path: str, open_after: bool = False) -> Task:
        """Count first (pages, children whose aid is in question), ask where needed, then make."""
        kind = self.kind.currentData()
        options = self.letter_options()
        self.held_dialog: HeldDialog | None = None
        self.last_task = ops.plan(
            self.ctx, self, kind, options,
            lambda plan: self._planned(kind, options, plan, path, open_after),
            lambda exc: show_error(self, exc, self.tr("生成告知书")),
        )  # fmt: skip
        return self.last_task

    def _planned(self, kind: str, options: dict, plan: LetterPlan, path: str, open_after: bool) -> None:
        if plan.held:
            dialog = HeldDialog(self, plan.held, self.kind.currentText())
            self.held_dialog = dialog
            dialog.accepted.connect(
                lambda: self._confirmed(
                    kind, {**options, "include": dialog.include()}, plan, path, open_after
                )
            )
            dialog.rejected.connect(lambda: self.result.setText(self.tr("已取消，未生成告知书。")))
            dialog.open()
            return
        self._confirmed(kind, options, plan, path, open_after)

    def _confirmed(self, kind: str, options: dict, plan: LetterPlan, path: str, open_after: bool) -> None:
        if plan.pages > ASK_ABOVE_PAGES:
            answer = QMessageBox.question(
                self,
                self.tr("页数很多"),
                self.tr("将生成 {n} 封告知书，约 {p} 页（{scope}）。确定要生成并打印这么多吗？").format(
                    n=plan.letters, p=plan.pages, scope=self._scope_text()
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.result.setText(self.tr("已取消，未生成告知书。"))
                return
        self._produce(kind, options, path, open_after)

    def _scope_text(self) -> str:
        if self.grade.currentData() is None:
            return self.tr("全校")
        return self.grade.currentText() + (self.class_.currentData() or self.tr("全年级"))

    def _produce(self, kind: str, options: dict, path: str, open_after: bool) -> Task:
        def done(res: LetterBatch) -> None:
            self.result.setText(res.summary().replace("\n", "<br>"))
            ops.load_batches(self.ctx, self, self._show_batches)
            if open_after:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(res.path)))

        self.last_task = ops.make_letters(
            self.ctx, self, kind, path, options, done,
            lambda exc: show_error(self, exc, self.tr("生成告知书")),
        )  # fmt: skip
        return self.last_task

    # ---- 生成记录 -----------------------------------------------------------------------------------

    def _history_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        layout.addWidget(
            QLabel(
                self.tr(
                    "每次生成都登记谁、何时、范围和文件的 SHA-256；告知书批次可按当时的日期、文字和电话重新生成。"
                )
            )
        )
        self.batches = QStandardItemModel(0, 8, self)
        self.batches.setHorizontalHeaderLabels(
            [self.tr(t) for t in ("批次", "种类", "学期", "范围", "操作人", "时间", "页数", "SHA-256")]
        )
        self.batch_view = QTableView()
        self.batch_view.setModel(self.batches)
        self.batch_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.batch_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.batch_view.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.batch_view)
        row = QHBoxLayout()
        self.remake_btn = QPushButton(self.tr("重新生成所选批次…"))
        refresh = QPushButton(self.tr("刷新"))
        row.addWidget(self.remake_btn)
        row.addWidget(refresh)
        row.addStretch()
        layout.addLayout(row)
        self.remake_btn.clicked.connect(self._remake)
        refresh.clicked.connect(lambda: ops.load_batches(self.ctx, self, self._show_batches))
        return w

    def _show_batches(self, rows: list[ops.BatchRow]) -> None:
        self.batches.removeRows(0, self.batches.rowCount())
        for r in rows:
            items = [
                QStandardItem(str(v))
                for v in (r.id, r.kind, r.term, r.scope, r.actor, r.at, r.pages, r.fingerprint)
            ]
            items[0].setData(r.id, Qt.ItemDataRole.UserRole)
            self.batches.appendRow(items)

    def _remake(self) -> None:
        index = self.batch_view.currentIndex()
        if not index.isValid():
            return
        batch_id = self.batches.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("重新生成"), f"批次{batch_id}.pdf", "PDF (*.pdf)")
        if not path:
            return
        ops.remake(
            self.ctx,
            self,
            batch_id,
            path,
            lambda res: QMessageBox.information(self, self.tr("已重新生成"), res.summary()),
        )

    # ---- 模板 ---------------------------------------------------------------------------------------

    def _template_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        top = QHBoxLayout()
        self.template = QComboBox()
        for name, title in tpl.TEMPLATE_NAMES.items():
            self.template.addItem(self.tr(title), name)
        top.addWidget(QLabel(self.tr("模板")))
        top.addWidget(self.template)
        self.template_state = QLabel()
        top.addWidget(self.template_state)
        top.addStretch()
        self.template_save = QPushButton(self.tr("保存"))
        self.template_restore = QPushButton(self.tr("恢复默认"))
        self.template_open = QPushButton(self.tr("在 PDF 阅读器中打开预览"))
        for b in (self.template_save, self.template_restore, self.template_open):
            top.addWidget(b)
        layout.addLayout(top)
        split = QSplitter()
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("templateEditor")
        self.preview_label = QLabel(
            self.tr("修改左边的文字，这里显示一名学生的告知书（预览，不保存、不发回执编号）。")
        )
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.preview_label.setWordWrap(True)
        self.preview_scroll = QScrollArea()
        self.preview_scroll.setWidgetResizable(True)
        self.preview_scroll.setWidget(self.preview_label)
        split.addWidget(self.editor)
        split.addWidget(self.preview_scroll)
        split.setSizes([520, 520])
        layout.addWidget(split, 1)
        self.template_error = error_label()
        layout.addWidget(self.template_error)
        help_text = QLabel(
            self.tr(
                "写法：# 标题　## 小标题　- 列表　> 靠右（落款）　{学生姓名} 等占位符；详见 resources/templates/README.md"
            )
        )
        help_text.setStyleSheet("color:#6b7280")
        layout.addWidget(help_text)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(700)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self._preview_pdf: Path | None = None
        self.template.currentIndexChanged.connect(self._template_chosen)
        self.editor.textChanged.connect(self._schedule_preview)
        self.template_save.clicked.connect(self.save_template)
        self.template_restore.clicked.connect(self.restore_template)
        self.template_open.clicked.connect(self._open_preview)
        self._template_chosen()
        return w

    def _template_chosen(self) -> None:
        name = self.template.currentData()
        self.editor.blockSignals(True)
        self.editor.setPlainText(tpl.template_text(name))
        self.editor.blockSignals(False)
        self.template_state.setText(
            self.tr("（已修改，可恢复默认）") if tpl.is_overridden(name) else self.tr("（默认文字）")
        )
        self.template_error.clear()
        self._schedule_preview()

    def _schedule_preview(self) -> None:
        if self.isVisible():  # a live preview only for the page the clerk is looking at
            self._preview_timer.start()

    def _first_template_of_the_school(self, choices: ops.Choices) -> None:
        """The template tab opens on a letter of a stage the school has (not 学前 for a junior school)."""
        current = self.template.currentData()
        stage_of = {v: k for k, v in tpl.STAGE_TEMPLATES.items()}
        if current not in stage_of or stage_of[current] in choices.sample_student:
            return
        for stage, name in tpl.STAGE_TEMPLATES.items():
            if stage in choices.sample_student:
                self.template.setCurrentIndex(self.template.findData(name))
                return

    def refresh_preview(self) -> Task | None:
        self._preview_timer.stop()  # called directly: the pending live refresh is this one
        name = self.template.currentData()
        text = self.editor.toPlainText()
        try:
            tpl.parse(name, text)
        except tpl.TemplateError as exc:
            self.template_error.setText(str(exc))
            return None
        self.template_error.clear()
        kind = tpl.template_kind(name)
        if kind not in ("policy", "aid") or self.choices is None:
            self.preview_label.setText(self.tr("文字检查通过。海报、讲义和公示的效果请生成后查看。"))
            return None
        stage = {v: k for k, v in tpl.STAGE_TEMPLATES.items()}.get(name)
        sample = self.choices.sample_student
        student = sample.get(stage) if stage else next(iter(sample.values()), None)
        if student is None:
            self.preview_label.setText(self.tr("台账中没有该学段的在读学生，无法预览。"))
            return None
        self.last_task = ops.preview(
            self.ctx, self, kind, student, text, self._show_preview,
            lambda exc: self.template_error.setText(str(exc)),
        )  # fmt: skip
        return self.last_task

    def _show_preview(self, p: ops.Preview) -> None:
        self._preview_pdf = p.pdf
        if p.image is not None:
            width = max(400, self.preview_scroll.viewport().width() - 24)
            self.preview_label.setPixmap(
                QPixmap(str(p.image)).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            )
        else:
            self.preview_label.setText(
                self.tr("本机没有把 PDF 转成图片的工具，请点“在 PDF 阅读器中打开预览”。")
            )

    def _open_preview(self) -> None:
        if self._preview_pdf is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._preview_pdf)))

    def save_template(self) -> Task:
        name = self.template.currentData()

        def saved(_t: object) -> None:
            self.template_state.setText(self.tr("（已修改，可恢复默认）"))
            QMessageBox.information(
                self, self.tr("已保存"), self.tr("模板已保存，以后生成的材料使用新的文字。")
            )

        self.last_task = ops.save_template(
            self.ctx,
            self,
            name,
            self.editor.toPlainText(),
            saved,
            lambda exc: self.template_error.setText(str(exc)),
        )
        return self.last_task

    def restore_template(self) -> Task:
        name = self.template.currentData()

        def restored(text: str) -> None:
            self.editor.setPlainText(text)
            self.template_state.setText(self.tr("（默认文字）"))

        self.last_task = ops.restore_template(self.ctx, self, name, restored)
        return self.last_task

    # ---- 海报、公示与迎检 ----------------------------------------------------------------------------

    def _board_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        form = QFormLayout()
        self.poster_size = QComboBox()
        self.poster_size.addItems(["A3", "A4", "A2"])
        poster_btn = QPushButton(self.tr("生成宣传栏海报…"))
        row = QHBoxLayout()
        row.addWidget(self.poster_size)
        row.addWidget(poster_btn)
        row.addStretch()
        form.addRow(self.tr("一栏（海报）"), row)
        self.notice_term = QComboBox()
        self.notice_start = QDateEdit(qdate(clock.today()))
        self.notice_start.setCalendarPopup(True)
        self.notice_start.setDisplayFormat("yyyy-MM-dd")
        notice_btn = QPushButton(self.tr("生成受助学生公示…"))
        self.notice_btn = notice_btn  # named, so a head teacher's window can grey it out
        row = QHBoxLayout()
        row.addWidget(self.notice_term)
        row.addWidget(QLabel(self.tr("公示开始")))
        row.addWidget(self.notice_start)
        row.addWidget(notice_btn)
        row.addStretch()
        form.addRow(self.tr("公示"), row)
        self.pack_term = QComboBox()
        pack_btn = QPushButton(self.tr("生成迎检材料包…"))
        self.pack_btn = pack_btn
        row = QHBoxLayout()
        row.addWidget(self.pack_term)
        row.addWidget(pack_btn)
        row.addStretch()
        form.addRow(self.tr("迎检材料包"), row)
        layout.addLayout(form)
        self.board_result = QLabel()
        self.board_result.setWordWrap(True)
        layout.addWidget(self.board_result)
        layout.addStretch()

        def ask(title: str, name: str, filt: str) -> str:
            path, _ = QFileDialog.getSaveFileName(self, title, name, filt)
            return path

        def poster() -> None:
            if path := ask(
                self.tr("保存海报"), f"宣传栏海报_{self.poster_size.currentText()}.pdf", "PDF (*.pdf)"
            ):
                ops.make_poster(self.ctx, self, path, self.poster_size.currentText(),
                                lambda r: self.board_result.setText(self.tr("已生成海报：{p}").format(p=r.path)))  # fmt: skip

        def notice() -> None:
            if path := ask(self.tr("保存公示"), "受助学生公示.pdf", "PDF (*.pdf)"):
                self.make_notice(path)

        def pack() -> None:
            if path := ask(self.tr("保存迎检材料包"), "迎检材料包.zip", "Zip (*.zip)"):
                ops.make_pack_zip(self.ctx, self, path, self.pack_term.currentText(), self._packed)

        poster_btn.clicked.connect(poster)
        notice_btn.clicked.connect(notice)
        pack_btn.clicked.connect(pack)
        return w

    def make_notice(self, path: str) -> Task:
        """The children whose aid is in question are asked about first, as for the aid letters."""
        term, starts = self.notice_term.currentText(), _pydate(self.notice_start.date())
        self.held_dialog = None

        def make(include: dict[int, str] | None) -> None:
            self.last_task = ops.make_notice(
                self.ctx, self, path, term, starts, self._noticed, include=include
            )

        def checked(held: list[HeldBack]) -> None:
            if not held:
                make(None)
                return
            dialog = HeldDialog(self, held, self.tr("公示"))
            self.held_dialog = dialog
            dialog.accepted.connect(lambda: make(dialog.include()))
            dialog.rejected.connect(lambda: self.board_result.setText(self.tr("已取消，未生成公示。")))
            dialog.open()

        self.last_task = ops.held_for_notice(
            self.ctx, self, term, checked, lambda exc: show_error(self, exc, self.tr("生成公示"))
        )
        return self.last_task

    def _noticed(self, r) -> None:  # type: ignore[no-untyped-def]
        lines = [self.tr("已生成公示：{p}（公示期 {a} 至 {b}）").format(p=r.path, a=r.starts, b=r.ends)]
        lines += [self.tr("注意：{w}").format(w=w) for w in r.warnings]
        self.board_result.setText("\n".join(lines))

    def _packed(self, r) -> None:  # type: ignore[no-untyped-def]
        lines = [self.tr("已生成迎检材料包：{p}（{n} 个文件）").format(p=r.path, n=len(r.files))]
        lines += [self.tr("未收集：{w}").format(w=w) for w in r.skipped]
        lines += [self.tr("文件有变：{w}").format(w=w) for w in r.changed]
        self.board_result.setText("\n".join(lines))

    # ---- 两节课 -------------------------------------------------------------------------------------

    def _classes_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        intro = QLabel(
            self.tr(
                "起始年级上入学教育课（本学段政策），毕业年级上毕业前政策课（下一学段政策），每学年一次。"
                "记录每节课，打印讲义和签到表；下方列出还没上课的班级。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.class_term = QComboBox()
        self.s_grade, self.s_class = QComboBox(), QComboBox()
        self.s_kind = QComboBox()
        self.s_kind.addItem(self.tr("入学教育课"), "entry")
        self.s_kind.addItem(self.tr("毕业前政策课"), "leaving")
        self.s_date = QDateEdit(today_qdate())
        self.s_date.setCalendarPopup(True)
        self.s_date.setDisplayFormat("yyyy-MM-dd")
        self.s_teacher, self.s_topic, self.s_notes = QLineEdit(), QLineEdit(), QLineEdit()
        self.s_topic.setPlaceholderText(self.tr("如：初中阶段学生资助政策宣讲"))
        self.s_attendance = QSpinBox()
        self.s_attendance.setRange(0, 200)
        self.s_attendance.setSuffix(self.tr(" 人"))
        row = QHBoxLayout()
        row.addWidget(self.s_grade)
        row.addWidget(self.s_class)
        row.addStretch()
        form.addRow(self.tr("学期"), self.class_term)
        form.addRow(self.tr("班级"), row)
        form.addRow(self.tr("课程"), self.s_kind)
        form.addRow(self.tr("日期"), self.s_date)
        form.addRow(self.tr("授课教师"), self.s_teacher)
        form.addRow(self.tr("主题"), self.s_topic)
        form.addRow(self.tr("到课人数"), self.s_attendance)
        form.addRow(self.tr("备注"), self.s_notes)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.s_record = QPushButton(self.tr("记录这节课"))
        self.s_handout = QPushButton(self.tr("打印讲义…"))
        self.s_signin = QPushButton(self.tr("打印签到表…"))
        for b in (self.s_record, self.s_handout, self.s_signin):
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.s_error = error_label()
        layout.addWidget(self.s_error)
        self.s_result = QLabel()
        self.s_result.setWordWrap(True)
        layout.addWidget(self.s_result)
        split = QSplitter()
        self.s_rows = QStandardItemModel(0, 6, self)
        self.s_rows.setHorizontalHeaderLabels(
            [self.tr(t) for t in ("日期", "班级", "课程", "授课教师", "主题", "到课")]
        )
        self.s_rows_view = QTableView()
        self.s_rows_view.setModel(self.s_rows)
        self.s_rows_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.s_rows_view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.s_missing = QStandardItemModel(0, 2, self)
        self.s_missing.setHorizontalHeaderLabels([self.tr("还没上课的班级"), self.tr("应上的课")])
        self.s_missing_view = QTableView()
        self.s_missing_view.setModel(self.s_missing)
        self.s_missing_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.s_missing_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.s_missing_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.s_rows_view)
        split.addWidget(self.s_missing_view)
        split.setSizes([640, 320])
        layout.addWidget(split, 1)
        self.s_grade.currentIndexChanged.connect(self._class_grade_changed)
        self.s_class.currentIndexChanged.connect(self._class_chosen)
        self.class_term.currentIndexChanged.connect(lambda _i: self.refresh_sessions())
        self.s_record.clicked.connect(self.record_session)
        self.s_handout.clicked.connect(lambda: self._ask_class_sheet("handout"))
        self.s_signin.clicked.connect(lambda: self._ask_class_sheet("signin"))
        self.s_missing_view.doubleClicked.connect(self._missing_chosen)
        self._class_sizes: dict[tuple[str, str], int] = {}
        return w

    def _fill_class_choices(self, choices: ops.Choices) -> None:
        grade, class_ = self.s_grade.currentText(), self.s_class.currentText()
        self.s_grade.blockSignals(True)
        self.s_grade.clear()
        for name, classes in choices.grades:
            self.s_grade.addItem(name, classes)
        if grade and (index := self.s_grade.findText(grade)) >= 0:
            self.s_grade.setCurrentIndex(index)
        self.s_grade.blockSignals(False)
        self._class_grade_changed()
        if class_ and (index := self.s_class.findText(class_)) >= 0:
            self.s_class.setCurrentIndex(index)
        self.refresh_sessions()

    def _class_grade_changed(self) -> None:
        self.s_class.clear()
        for name in self.s_grade.currentData() or []:
            self.s_class.addItem(name, name)

    def _class_chosen(self) -> None:
        """A leaving grade's class suggests the leaving class, any other the entry class."""
        from aidoffice.domain.grades import InvalidGrade, parse_grade
        from aidoffice.publicity.content import is_leaving

        try:
            g = parse_grade(self.s_grade.currentText())
        except InvalidGrade:
            return
        leaving = is_leaving(g.stage, g.number)
        self.s_kind.setCurrentIndex(self.s_kind.findData("leaving" if leaving else "entry"))

    def _missing_chosen(self, index) -> None:  # type: ignore[no-untyped-def]
        item = self.s_missing.item(index.row(), 0)
        grade, class_name, kind = item.data(Qt.ItemDataRole.UserRole)
        if (i := self.s_grade.findText(grade)) >= 0:
            self.s_grade.setCurrentIndex(i)
        if (i := self.s_class.findText(class_name)) >= 0:
            self.s_class.setCurrentIndex(i)
        self.s_kind.setCurrentIndex(self.s_kind.findData(kind))
        self.s_teacher.setFocus()

    def refresh_sessions(self) -> Task:
        self.last_task = ops.load_sessions(
            self.ctx, self, self.class_term.currentText() or None, self._show_sessions
        )
        return self.last_task

    def _show_sessions(self, view: ops.SessionsView) -> None:
        from aidoffice.publicity.content import grade_name
        from aidoffice.publicity.sessions import SESSION_NAMES as SESSION_KINDS

        self.s_rows.removeRows(0, self.s_rows.rowCount())
        for r in view.sessions:
            attended = f"{r.attendance}/{r.enrolled}" if r.enrolled else str(r.attendance)
            values = (
                r.held_on.isoformat(),
                r.class_label,
                SESSION_KINDS[r.kind],
                r.teacher,
                r.topic,
                attended,
            )
            self.s_rows.appendRow([QStandardItem(v) for v in values])
        self.s_missing.removeRows(0, self.s_missing.rowCount())
        for m in view.missing:
            item = QStandardItem(m.class_label)
            item.setData((grade_name(m.stage, m.grade), m.class_name, m.kind), Qt.ItemDataRole.UserRole)
            self.s_missing.appendRow([item, QStandardItem(SESSION_KINDS[m.kind])])
        self.s_missing_view.setToolTip(self.tr("双击一行，填入该班级"))

    def session_values(self) -> dict:
        return {
            "held_on": _pydate(self.s_date.date()),
            "grade": self.s_grade.currentText(),
            "class_name": self.s_class.currentData(),
            "kind": self.s_kind.currentData(),
            "teacher": self.s_teacher.text(),
            "topic": self.s_topic.text(),
            "attendance": self.s_attendance.value(),
            "notes": self.s_notes.text(),
        }

    def record_session(self) -> Task:
        self.s_error.clear()

        def done(r: tuple) -> None:
            _id, attended, enrolled = r
            self.s_result.setText(
                self.tr("已记录：{c} {k}（{d}，到课 {a}/{e} 人）").format(
                    c=self.s_grade.currentText() + (self.s_class.currentData() or ""),
                    k=self.s_kind.currentText(),
                    d=_pydate(self.s_date.date()).isoformat(),
                    a=attended,
                    e=enrolled,
                )
            )
            self.refresh_sessions()

        self.last_task = ops.record_session(
            self.ctx, self, self.session_values(), done, lambda exc: self.s_error.setText(str(exc))
        )
        return self.last_task

    def _ask_class_sheet(self, what: str) -> None:
        name = self.tr("讲义") if what == "handout" else self.tr("签到表")
        scope = self.s_grade.currentText() + (self.s_class.currentData() or "")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存") + name, f"宣讲课{name}_{scope}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.make_class_sheet(what, path)

    def make_class_sheet(self, what: str, path: str) -> Task:
        """The handout (the stage's or the next stage's policies) or the sign-in sheet of the chosen class."""
        self.s_error.clear()
        values: dict = {"grade": self.s_grade.currentText(), "class_name": self.s_class.currentData()}
        if what == "handout":
            values |= {"kind": self.s_kind.currentData(), "handout_date": _pydate(self.s_date.date())}
        else:
            values |= {
                "held_on": _pydate(self.s_date.date()),
                "teacher": self.s_teacher.text() or None,
                "topic": self.s_topic.text() or None,
            }
        self.last_task = ops.make_class_sheet(
            self.ctx, self, what, path, values,
            lambda r: self.s_result.setText(self.tr("已生成：{p}（{n} 页）").format(p=r[0], n=r[1])),
            lambda exc: self.s_error.setText(str(exc)),
        )  # fmt: skip
        return self.last_task

    # ---- 电话与设置 ---------------------------------------------------------------------------------

    def _contacts_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        form = QFormLayout()
        self.f_contact, self.f_contact_phone = QLineEdit(), QLineEdit()
        self.f_contact.setPlaceholderText(self.tr("如：王丽"))
        self.f_contact_phone.setPlaceholderText(self.tr("不填则印学校资助办电话"))
        self.f_office, self.f_county, self.f_complaint = QLineEdit(), QLineEdit(), QLineEdit()
        self.f_deadline, self.f_issuer = QLineEdit(), QLineEdit()
        self.f_issuer.setPlaceholderText(self.tr("默认为学校名称"))
        self.f_days = QSpinBox()
        self.f_days.setRange(5, 30)
        self.f_slip_days = QSpinBox()
        self.f_slip_days.setRange(1, 30)
        self.f_slip_days.setSuffix(self.tr(" 天"))
        self.f_slip_days.setToolTip(self.tr("回执上印“于（告知书日期加这些天）前交回”"))
        form.addRow(self.tr("资助专干（联系人）"), self.f_contact)
        form.addRow(self.tr("资助专干电话"), self.f_contact_phone)
        form.addRow(self.tr("学校资助办电话"), self.f_office)
        form.addRow(self.tr("县学生资助管理中心电话"), self.f_county)
        form.addRow(self.tr("监督举报电话"), self.f_complaint)
        form.addRow(self.tr("申请截止"), self.f_deadline)
        form.addRow(self.tr("落款"), self.f_issuer)
        form.addRow(self.tr("公示天数（工作日）"), self.f_days)
        form.addRow(self.tr("回执交回期限"), self.f_slip_days)
        layout.addLayout(form)
        self.contacts_hint = error_label()
        layout.addWidget(self.contacts_hint)
        self.contacts_save = QPushButton(self.tr("保存"))
        layout.addWidget(self.contacts_save, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()
        self.contacts_save.clicked.connect(self.save_contacts)
        return w

    def save_contacts(self) -> Task:
        values = {
            "contact_name": self.f_contact.text(),
            "contact_phone": self.f_contact_phone.text(),
            "aid_office_phone": self.f_office.text(),
            "county_centre_phone": self.f_county.text(),
            "complaint_phone": self.f_complaint.text(),
            "apply_deadline": self.f_deadline.text(),
            "issuer": self.f_issuer.text(),
            "notice_days": self.f_days.value(),
            "slip_days": self.f_slip_days.value(),
        }

        def saved(st: PublicitySettings) -> None:
            self.contacts_hint.setText(
                ""
                if not st.missing_contacts()
                else self.tr("尚未设置：{m}。").format(m="、".join(st.missing_contacts()))
            )
            QMessageBox.information(self, self.tr("已保存"), self.tr("电话和设置已保存。"))

        self.last_task = ops.save_settings(
            self.ctx, self, values, saved, lambda exc: show_error(self, exc, self.tr("保存设置"))
        )
        return self.last_task
