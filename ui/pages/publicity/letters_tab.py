"""告知书: the two letters by school, grade or class — planned, confirmed when some are held back or the batch is large, then printed.

A part of the 1222宣传材料 page (ui/pages/publicity): its methods run on the page, which builds every
tab and holds their widgets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
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
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aidoffice import clock
from aidoffice.publicity.common import HeldBack
from ui.operations import publicity as ops
from ui.tasks import Task, show_error
from ui.widgets import error_label, pydate, qdate

if TYPE_CHECKING:  # the letters module draws PDFs (reportlab): loaded when letters are made
    from aidoffice.publicity.letters import LetterBatch, LetterPlan

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


class LettersTab:
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
            "letter_date": pydate(self.letter_date.date()),
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
