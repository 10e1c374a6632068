"""What an import will do (preview) or did: one outcome per data row, warnings, and the students the
file no longer lists. The same object feeds the GUI preview, the `--json` contract and the report
workbook."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aidoffice.importing.headers import Layout
from aidoffice.importing.readers import Table
from aidoffice.messages import repeated_in_file

PlanT = TypeVar("PlanT")


class Action(enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


ACTION_NAMES = {
    Action.NEW: "新增",
    Action.UPDATED: "更新",
    Action.UNCHANGED: "无变化",
    Action.REFUSED: "未导入",
}


@dataclass
class Outcome:
    row: int
    action: Action
    name: str = ""
    key: str = ""  # ID number or student number as cleaned
    reasons: list[str] = field(default_factory=list)  # why refused
    changes: list[str] = field(default_factory=list)  # 年级：七年级 → 八年级

    def refuse(self, reason: str) -> None:
        self.action = Action.REFUSED
        if reason not in self.reasons:
            self.reasons.append(reason)

    @property
    def detail(self) -> str:
        if self.action is Action.REFUSED:
            return "；".join(self.reasons)
        return "；".join(self.changes)


@dataclass
class Warning:
    row: int | None
    field: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class Missing:
    """A record the ledger has and the new file does not (可能已转出, 不在新名单中)."""

    key: str
    name: str
    where: str  # 七年级3班 / 龙泉关镇黑崖沟村
    note: str


@dataclass
class ImportReport(Generic[PlanT]):
    kind: str
    kind_label: str
    file: str
    sheet: str | None
    layout: Layout
    table: Table
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    missing_label: str = "可能已转出"
    notes: list[str] = field(default_factory=list)
    applied: bool = False
    plan: PlanT | None = None  # what apply() writes (one plan type per kind of file); never shown

    def warn(self, row: int | None, field_name: str | None, reason: str) -> None:
        self.warnings.append(Warning(row, field_name, reason))

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.action is action)

    @property
    def rows_read(self) -> int:
        return len(self.outcomes)

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action is Action.REFUSED]

    @property
    def warnings_by_row(self) -> dict[int, list[Warning]]:
        out: dict[int, list[Warning]] = {}
        for w in self.warnings:
            if w.row is not None:
                out.setdefault(w.row, []).append(w)
        return out

    def summary(self) -> str:
        verb = "已导入" if self.applied else "预览（尚未写入）"
        text = (
            f"{verb}「{self.file}」{f'工作表「{self.sheet}」' if self.sheet else ''}：读取 {self.rows_read} 行，"
            f"新增 {self.count(Action.NEW)}，更新 {self.count(Action.UPDATED)}，"
            f"无变化 {self.count(Action.UNCHANGED)}，未导入 {self.count(Action.REFUSED)}"
        )
        if self.warnings:
            text += f"，提示 {len(self.warnings)} 条"
        if self.missing:
            text += f"；{self.missing_label} {len(self.missing)} 人"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "sheet": self.sheet,
            "dry_run": not self.applied,
            "rows_read": self.rows_read,
            "created": self.count(Action.NEW),
            "updated": self.count(Action.UPDATED),
            "unchanged": self.count(Action.UNCHANGED),
            "rejected": [{"row": o.row, "reason": o.detail} for o in self.rejected],
            "warnings": [w.as_dict() for w in self.warnings],
            "missing": [
                {"key": m.key, "name": m.name, "where": m.where, "note": m.note} for m in self.missing
            ],
            "notes": self.notes,
        }


class Repeats:
    """The same key on several rows of one file. `first(key, outcome)` says whether this is the
    key's first row; `settle()` refuses the repeats, each naming how many times and every row."""

    def __init__(self, what: str, keep_first: bool):
        self.what, self.keep_first = what, keep_first
        self.rows: dict[Any, list[Outcome]] = {}
        self.shown: dict[Any, str] = {}

    def first(self, key: Any, outcome: Outcome, shown: str | None = None) -> bool:
        rows = self.rows.setdefault(key, [])
        rows.append(outcome)
        if shown is not None:
            self.shown.setdefault(key, shown)
        return len(rows) == 1

    def settle(self) -> None:
        for key, outcomes in self.rows.items():
            if len(outcomes) < 2:
                continue
            numbers = [o.row for o in outcomes]
            message = repeated_in_file(self.what, self.shown.get(key, str(key)), numbers)
            if self.keep_first:
                for o in outcomes[1:]:
                    o.refuse(f"{message}，已按第 {numbers[0]} 行导入")
            else:
                for o in outcomes:
                    o.refuse(f"{message}，请只保留一行")
