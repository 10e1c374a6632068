"""待核对的扫描回执: the slips a scan could not be sure of, one at a time, the straightened picture
beside the choices. Keys: 1–4 pick the answer shown on the button, 0 or S skips, Esc closes (what is
left stays in the queue). A slip whose code was not read takes the code typed in the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aidoffice.domain import slipcode
from aidoffice.errors import AidofficeError
from aidoffice.publicity.omr import REASON_NAMES
from aidoffice.services.slip_scan import QueuedSlip
from ui.operations import AppContext
from ui.operations import slip_scan as ops
from ui.tasks import Task, show_error


class SlipQueueDialog(QDialog):
    def __init__(self, ctx: AppContext, term: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.term = ctx, term
        self.setWindowTitle(self.tr("待核对的扫描回执"))
        self.resize(980, 640)
        self.queue: list[QueuedSlip] = []
        self.handled = 0
        self.last_task: Task | None = None
        layout = QVBoxLayout(self)
        self.position = QLabel()
        self.position.setObjectName("queuePosition")
        layout.addWidget(self.position)
        self.reason = QLabel()
        self.reason.setObjectName("queueReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("font-size:18px;font-weight:bold;color:#92400e")
        layout.addWidget(self.reason)
        self.picture = QLabel(self.tr("正在读取图片……"))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = QLabel()
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft)
        inner = QWidget()
        iv = QVBoxLayout(inner)
        iv.addWidget(self.picture)
        iv.addWidget(self.note)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout.addWidget(scroll, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("回执编号")))
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("编号未读出时，请照图片输入"))
        row.addWidget(self.code)
        layout.addLayout(row)
        self.choices = QHBoxLayout()
        layout.addLayout(self.choices)
        self.buttons: list[QPushButton] = []
        self.skip_btn = QPushButton(self.tr("跳过（0）"))
        self.skip_btn.clicked.connect(lambda: self.decide(None, skip=True))
        self.message = QLabel()
        self.message.setObjectName("queueMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        for n in range(1, 5):
            QShortcut(QKeySequence(str(n)), self, activated=lambda n=n: self._key(n))
        for key in ("0", "S"):
            QShortcut(QKeySequence(key), self, activated=lambda: self.decide(None, skip=True))

    def load(self) -> Task:
        self.last_task = ops.load_queue(self.ctx, self, self._loaded)
        return self.last_task

    def _loaded(self, queue: list[QueuedSlip]) -> None:
        self.queue = queue
        self._show()

    @property
    def current(self) -> QueuedSlip | None:
        return self.queue[0] if self.queue else None

    def _show(self) -> None:
        while self.choices.count():
            item = self.choices.takeAt(0)
            if item.widget() is not None:
                item.widget().setParent(None)
        self.buttons = []
        q = self.current
        if q is None:
            self.position.setText(self.tr("已处理 {n} 张").format(n=self.handled))
            self.reason.setText(self.tr("待核对的回执已全部处理。"))
            self.picture.clear()
            self.note.clear()
            self.code.clear()
            return
        self.position.setText(
            self.tr("还有 {left} 张待核对（已处理 {n} 张）　{src} 第 {page} 页").format(
                left=len(self.queue), n=self.handled, src=q.source, page=q.page
            )
        )
        who = f"{q.class_label} {q.student}：" if q.student else ""
        self.reason.setText(who + REASON_NAMES[q.reason])
        self.code.setText(slipcode.display(q.code) if q.code else "")
        for n, (answer, name) in enumerate(q.choices, 1):
            b = QPushButton(f"{name}（{n}）")
            b.setProperty("answer", answer)
            b.setMinimumHeight(40)
            b.clicked.connect(lambda _=False, a=answer: self.decide(a))
            self.choices.addWidget(b)
            self.buttons.append(b)
        self.choices.addWidget(self.skip_btn)
        self.skip_btn.setMinimumHeight(40)
        self.picture.setText(self.tr("正在读取图片……"))
        self.note.clear()
        self.last_task = ops.load_pictures(self.ctx, self, q.id, self._pictures)

    def _pictures(self, pics: ops.Pictures) -> None:
        if self.current is None or pics.scan_id != self.current.id:
            return
        for label, data in ((self.picture, pics.slip), (self.note, pics.note)):
            pixmap = QPixmap()
            if data and pixmap.loadFromData(data):
                label.setPixmap(pixmap)
            else:
                label.clear()

    def _key(self, n: int) -> None:
        if self.code.hasFocus() and self.current is not None and self.current.code is None:
            return  # a digit typed into the code field
        if 0 < n <= len(self.buttons):
            self.buttons[n - 1].click()

    def decide(self, answer: str | None, *, skip: bool = False) -> Task | None:
        q = self.current
        if q is None:
            return None
        code = self.code.text().strip() or None

        def done(_receipt: object) -> None:
            self.message.setText("")
            self.queue.pop(0)
            self.handled += 1
            self._show()

        def failed(exc: BaseException) -> None:
            self.message.setStyleSheet("color:#991b1b")
            self.message.setText(str(exc))
            if not isinstance(exc, AidofficeError):
                show_error(self, exc, self.tr("核对回执"))

        self.last_task = ops.resolve(self.ctx, self, q.id, answer, code, skip, self.term, done, failed)
        return self.last_task
