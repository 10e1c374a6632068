"""海报、公示与迎检: the poster, the public notice and the inspection pack.

A part of the 1222宣传材料 page (ui/pages/publicity): its methods run on the page, which builds every
tab and holds their widgets."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aidoffice import clock
from aidoffice.publicity.common import HeldBack
from ui.operations import publicity as ops
from ui.pages.publicity.letters_tab import HeldDialog
from ui.tasks import Task, show_error
from ui.widgets import pydate, qdate


class BoardTab:
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
        term, starts = self.notice_term.currentText(), pydate(self.notice_start.date())
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
