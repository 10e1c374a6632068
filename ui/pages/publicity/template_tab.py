"""模板: the letter templates edited, with a live preview of a real student's letter (drawn by pdfium inside the program).

A part of the 1222宣传材料 page (ui/pages/publicity): its methods run on the page, which builds every
tab and holds their widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aidoffice.publicity import templates as tpl
from ui.operations import publicity as ops
from ui.tasks import Task
from ui.widgets import error_label


class TemplateTab:
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
