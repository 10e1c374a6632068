"""服务村: the villages the school serves, ticked from those known (proposed from where the enrolled
children are registered) or typed as 乡镇 + 村. Saving confirms the list; the village ledger then lists
these villages and the comparison looks for their children."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aidoffice.errors import ValidationError
from aidoffice.ledgers.places import ServedVillages
from ui.operations import AppContext
from ui.operations import villages as ops
from ui.tasks import Task, show_error
from ui.widgets import dialog_buttons, error_label

ADDED = Qt.ItemDataRole.UserRole + 1


class ServedVillagesDialog(QDialog):
    def __init__(self, ctx: AppContext, served: ServedVillages, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.last_task: Task | None = None
        self.saved: ServedVillages | None = None
        self.setWindowTitle(self.tr("服务村"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "勾选本校服务的村（户籍台账按村列出这些村的学龄儿童，比对时查找这些村名单上未在校的儿童）。"
            )
            if served.confirmed
            else self.tr("尚未确认服务村。下面已按在校学生的户籍所在村推荐勾选，请核对后保存。")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        for v in served.villages:
            self._add_item(
                self.tr("{town} {village}（在校学生 {n} 人，户籍花名册 {h} 户）").format(
                    town=v.township, village=v.name, n=v.enrolled, h=v.households
                ),
                v.id,
                v.served,
            )
        layout.addWidget(self.list)
        add = QHBoxLayout()
        self.town = QLineEdit()
        self.town.setPlaceholderText(self.tr("乡（镇），如：城南庄镇"))
        self.village = QLineEdit()
        self.village.setPlaceholderText(self.tr("村，如：大岸底村"))
        self.add_btn = QPushButton(self.tr("添加村"))
        for w in (self.town, self.village, self.add_btn):
            add.addWidget(w)
        layout.addLayout(add)
        self.errors = error_label()
        layout.addWidget(self.errors)
        layout.addWidget(dialog_buttons(self, self.tr("保存"), self.tr("取消")))
        self.add_btn.clicked.connect(self.add_typed)
        self.resize(520, 480)

    def _add_item(self, text: str, village_id: int | None, checked: bool, added=None) -> QListWidgetItem:  # type: ignore[no-untyped-def]
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setData(Qt.ItemDataRole.UserRole, village_id)
        item.setData(ADDED, added)
        self.list.addItem(item)
        return item

    def add_typed(self) -> None:
        town, village = self.town.text().strip(), self.village.text().strip()
        if not town or not village:
            self.errors.setText(self.tr("添加村时，乡（镇）和村的名称都要填写。"))
            return
        self.errors.setText("")
        self._add_item(self.tr("{town} {village}（新添加）").format(town=town, village=village), None, True,
                       (town, village))  # fmt: skip
        self.town.clear()
        self.village.clear()

    def chosen(self) -> tuple[list[int], list[tuple[str, str]]]:
        ids, added = [], []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() != Qt.CheckState.Checked:
                continue
            if item.data(ADDED):
                added.append(tuple(item.data(ADDED)))
            else:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids, added  # type: ignore[return-value]

    def accept(self) -> None:
        ids, added = self.chosen()
        self.last_task = ops.save_served(self.ctx, self, ids, added, self._saved, self._failed)

    def _saved(self, served: ServedVillages) -> None:
        self.saved = served
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.setText("\n".join(f"· {p.field}：{p.message}" for p in exc.problems))
        else:
            show_error(self, exc, self.tr("保存服务村"))
