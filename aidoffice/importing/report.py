"""What an import will do (preview) or did: one outcome per data row, warnings, and the students the
file no longer lists. The same object feeds the GUI preview, the `--json` contract and the report
workbook."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aidoffice.messages import repeated_in_file
from aidoffice.sheets.headers import Layout
from aidoffice.sheets.readers import Table

PlanT = TypeVar("PlanT")
ItemT = TypeVar("ItemT")


class Action(enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


ROW_ACTION_NAMES = {
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
    reason: str  # in the GUI's words
    cli_hint: str = ""  # what the command line adds (its flag), never shown in the GUI

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason + self.cli_hint}


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

    def warn(self, row: int | None, field_name: str | None, reason: str, cli_hint: str = "") -> None:
        self.warnings.append(Warning(row, field_name, reason, cli_hint))

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


class Repeats(Generic[ItemT]):
    """The same key on several rows of one file (a transfer left two records in the 学籍 system, a
    department sent a child twice): the child is kept, never lost. One shared rule for every kind of
    file: of the rows that could be imported, the one that `matches` the ledger (the ledger's class,
    an enrolled status …) wins, else the later one (lower in the file). The other rows are left out,
    each saying which row was taken; the kept row warns, naming every row. Rows that give the key
    different names are not one child twice but a wrong number: all of them are refused.

    `add(key, outcome, item, matches=…, shown=…)` for every row; `settle(report)` decides and
    returns the kept items in file order (a kind that plans row by row builds its plan from them)."""

    def __init__(self, what: str, reasons: tuple[str, ...] = ()):
        self.what, self.reasons = what, reasons  # reasons: what each position of `matches` means
        self.rows: dict[Any, list[tuple[Outcome, ItemT | None, tuple]]] = {}
        self.shown: dict[Any, str] = {}

    def add(
        self,
        key: Any,
        outcome: Outcome,
        item: ItemT | None = None,
        *,
        matches: tuple | bool = (),
        shown: str | None = None,
    ) -> None:
        rank = matches if isinstance(matches, tuple) else (matches,)
        self.rows.setdefault(key, []).append((outcome, item, rank))
        if shown is not None:
            self.shown.setdefault(key, shown)

    def settle(self, report: ImportReport | None = None, field_name: str | None = None) -> list[ItemT]:
        kept: list[tuple[int, ItemT | None]] = []
        for key, entries in self.rows.items():
            if len(entries) < 2:
                kept.append((entries[0][0].row, entries[0][1]))
                continue
            numbers = sorted(o.row for o, _, _ in entries)
            best = max(entries, key=lambda e: (e[0].action is not Action.REFUSED, e[2], e[0].row))
            chosen, item, _ = best
            message = repeated_in_file(self.what, self.shown.get(key, str(key)), numbers)
            if chosen.action is Action.REFUSED:  # no row of them could be imported: each says why
                for o, _, _ in entries:
                    o.refuse(message)
                continue
            names = list(dict.fromkeys(o.name for o, _, _ in entries if o.name))
            if len(names) > 1:  # not one child twice: one of the rows has a wrong number
                for o, _, _ in entries:
                    o.refuse(
                        f"{message}，姓名却不同（{'、'.join(names)}），请核对是哪一行的号码有误，改正后再导入"
                    )
                continue
            why = self._why(best, [e for e in entries if e is not best])
            others = "、".join(str(n) for n in numbers if n != chosen.row)
            for o, _, _ in entries:
                if o is not chosen:
                    o.refuse(f"{message}，已按第 {chosen.row} 行导入（{why}），本行未导入")
            if report is not None:
                report.warn(
                    chosen.row,
                    field_name or self.what,
                    f"{message}，已按本行导入（{why}），第 {others} 行未导入；请在原系统中核实并删去多余的记录",
                )
            kept.append((chosen.row, item))
        kept.sort(key=lambda k: k[0])
        return [item for _, item in kept if item is not None]

    def _why(self, best: tuple, others: list[tuple]) -> str:
        runner_up = max(others, key=lambda e: (e[0].action is not Action.REFUSED, e[2], e[0].row))
        if runner_up[0].action is Action.REFUSED:
            return "其他行有错误不能导入"
        for i, (mine, theirs) in enumerate(zip(best[2], runner_up[2], strict=False)):
            if mine != theirs:
                return self.reasons[i] if i < len(self.reasons) else "与台账相符"
        return "取位置靠后的一行"
