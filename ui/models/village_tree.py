"""The village ledger as a lazy tree: townships and villages with their counts load at once;
a village's households load (in the background) when it is opened, a household's members when that is
opened. The model holds rows, never a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from aidoffice.ledgers.term_queries import CurrentTerm
from aidoffice.ledgers.villages import HouseholdRow, MemberRow, TownshipSummary
from ui.operations import AppContext
from ui.operations import villages as ops

Index = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class Node:
    kind: str  # township / village / household / member
    values: list[Any]
    ref: int | None = None
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    loaded: bool = True
    loading: bool = False
    highlight: bool = False
    group: str = ""  # for a "group" node: students / listed

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


class VillageTreeModel(QAbstractItemModel):
    children_loaded = Signal()  # households or members arrived (for tests)

    def __init__(self, ctx: AppContext, parent=None):  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.ctx = ctx
        self.view_parent = parent
        self.term: CurrentTerm | None = None
        self.ages: tuple[int, int] = (3, 18)
        self.root = Node("root", [])
        self.headers = [self.tr("乡镇 / 村 / 户 / 成员"), self.tr("户数"), self.tr("学龄儿童"), self.tr("在本校就读"),
                        self.tr("重点群体"), self.tr("本学期受助"), self.tr("就读学校")]  # fmt: skip

    def load(self, tree: list[TownshipSummary], term: CurrentTerm, ages: tuple[int, int]) -> None:
        self.beginResetModel()
        self.term, self.ages = term, ages
        self.root = Node("root", [])
        for t in tree:
            town = Node("township", [t.name, t.total("households"), t.total("children"), t.total("in_school"),
                                     t.total("priority"), t.total("aided"), ""], t.id, self.root)  # fmt: skip
            for v in t.villages:
                away = self.tr("在外就读（已核实）{n} 人").format(n=v.elsewhere) if v.elsewhere else ""
                town.children.append(Node("village", [v.name, v.households, v.children, v.in_school, v.priority,
                                                      v.aided, away], v.id, town, loaded=False))  # fmt: skip
            self.root.children.append(town)
        self.endResetModel()

    def _node(self, index: Index) -> Node:
        return index.internalPointer() if index.isValid() else self.root  # type: ignore[return-value]

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if 0 <= row < len(node.children):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self.root:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.headers)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        node = self._node(parent)
        if not node.loaded:
            if node.kind == "village":  # households, or children placed there without one
                return any(bool(v) and v != "0" for v in node.values[1:4])
            return node.kind in ("household", "group")
        return bool(node.children)

    def canFetchMore(self, parent: Index) -> bool:
        if not parent.isValid():
            return False
        node = self._node(parent)
        return not node.loaded and not node.loading

    def fetchMore(self, parent: Index) -> None:
        node = self._node(parent)
        if node.loaded or node.loading or self.term is None:
            return
        node.loading = True
        anchor = QPersistentModelIndex(parent)
        if node.kind == "group":
            ops.load_group(self.ctx, self.view_parent, node.ref, node.group, self.term, self.ages,
                           lambda rows: self._arrived(anchor, node, self._members(node, rows)))  # type: ignore[arg-type]  # fmt: skip
        elif node.kind == "village":
            ops.load_households(self.ctx, self.view_parent, node.ref, self.term, self.ages,
                                lambda rows: self._arrived(anchor, node, self._households(node, rows)))  # type: ignore[arg-type]  # fmt: skip
        else:
            ops.load_members(self.ctx, self.view_parent, node.ref, self.term, self.ages,
                             lambda rows: self._arrived(anchor, node, self._members(node, rows)))  # type: ignore[arg-type]  # fmt: skip

    def _households(self, node: Node, rows: list[HouseholdRow]) -> list[Node]:
        out = []
        for r in rows:
            groups = self.tr("重点群体：{g}").format(g="、".join(r.groups)) if r.groups else ""
            if r.kind == "household":
                label = self.tr("{head} 户（户编号 {no}）").format(head=r.head_name, no=r.household_no or "—")
                out.append(Node("household", [label, "", r.children, r.in_school, r.priority, r.aided, groups],
                                r.id, node, loaded=False, highlight=bool(r.groups)))  # fmt: skip
            else:  # the village's students placed by their 户口所在地, or the children of the lists
                out.append(Node("group", [self.tr(r.head_name), "", r.children, r.in_school, r.priority, r.aided,
                                          groups], r.village_id, node, loaded=False, group=r.kind))  # fmt: skip
        return out

    def _members(self, node: Node, rows: list[MemberRow]) -> list[Node]:
        return [Node("member", [self._member_label(m), "", self.tr("是") if m.school_age else self.tr("否"),
                                self.tr("是") if m.student_id else "", "、".join(m.groups),
                                (self.tr("是") if m.aided else self.tr("否")) if m.student_id else "",
                                m.school + (f"（{m.status}）" if m.status and m.status != "在读" else "")],
                     m.student_id, node, highlight=m.school_age and not m.school) for m in rows]  # fmt: skip

    def _arrived(self, anchor: QPersistentModelIndex, node: Node, children: list[Node]) -> None:
        if not anchor.isValid() or self._node(anchor) is not node:
            return  # the tree was reloaded meanwhile
        node.loading, node.loaded = False, True
        if children:
            parent = self.index(anchor.row(), 0, anchor.parent())
            self.beginInsertRows(parent, 0, len(children) - 1)
            node.children = children
            self.endInsertRows()
        self.children_loaded.emit()

    def _member_label(self, m) -> str:  # type: ignore[no-untyped-def]
        parts = [m.relation or ""]
        if m.age is not None:
            parts.append(self.tr("{age}岁").format(age=m.age))
        return f"{m.name}（{'，'.join(p for p in parts if p)}）"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            value = node.values[index.column()]
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return (node.kind, node.ref) if node.kind != "group" else (node.group, node.ref)
        if role == Qt.ItemDataRole.TextAlignmentRole and 1 <= index.column() <= 5:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and node.kind == "member" and node.highlight:
            return QBrush(QColor("#b91c1c"))  # a school-age child whom no school accounts for
        if role == Qt.ItemDataRole.FontRole and node.kind == "township":
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None
