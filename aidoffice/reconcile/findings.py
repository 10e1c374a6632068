"""A finding of the comparison: what kind, whose, why (in words and as evidence from both sides), and
the identity that lets a re-run recognise it as the same problem.

Evidence is plain JSON (strings, numbers, lists), so it is stored as it is and compared across runs:
- `left`: the school's side (the student record) or the first record; `right`: the other side(s).
  Each side: {"source", "name", "id_number", "lines": [...]} and, when known, "birth" (ISO date):
  the birth date is shown only beside a full ID (a masked ID and a birth date rebuild the number).
- `columns`: the kind's own columns for the workbook and the GUI, as [label, value, type] with type
  text / id / money (an id is shown at the export's privacy level).
- `facts`: the group facts looked at, each with its words (`GroupFact.describe`).
- `awards`: the awards concerned, with their payment batch and the file that brought them.
Full ID numbers live only in `id_number` fields and columns of type id; `detail` and `lines` carry
masked ones, so any text of a finding can be printed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from aidoffice.domain.policies import GroupFact, GroupSpec
from aidoffice.privacy import Field, Level, free_text, show


@dataclass
class Finding:
    kind: str
    person_key: str
    name: str
    detail: str
    id_number: str | None = None
    student_id: int | None = None
    scope: str = ""  # "" / school year / term code: which runs look at it again
    what: str = ""  # what makes it one problem of this person: a policy, the other ID, a list …
    key: str | None = None  # the identity's person part, when not the person key (an ID pair)
    rank: int = 2  # 1 comes first
    policy_code: str | None = None
    grade: int | None = None
    class_name: str | None = None
    village: str | None = None
    groups: tuple[str, ...] = ()  # active priority-group codes of the person
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> str:
        return "|".join((self.kind, self.key or self.person_key, self.scope, self.what))[:200]


def side(
    source: str, name: str, id_number: str | None, *lines: str | None, birth: date | None = None
) -> dict[str, Any]:
    out = {"source": source, "name": name, "id_number": id_number, "lines": [x for x in lines if x]}
    if birth is not None:
        out["birth"] = birth.isoformat()
    return out


_OLD_BIRTH_LINE = re.compile(r"^出生 \d{4}-\d{2}-\d{2}$")  # how older versions recorded it


def side_lines(s: dict[str, Any], level: Level = Level.MASKED) -> list[str]:
    """A side's lines as they may be shown at `level`: the birth date only at FULL (beside a masked
    ID it gives the hidden digits away), people's words with their numbers masked."""
    birth = show(Field.BIRTH_DATE, s.get("birth"), level)
    out = [f"出生 {birth}"] if birth else []
    for line in s.get("lines", []):
        if level is not Level.FULL and _OLD_BIRTH_LINE.match(line):
            continue
        out.append(free_text(line, level))
    return out


def side_text(s: dict[str, Any], level: Level = Level.MASKED) -> str:
    """One side as a line of text: 外部名单「…」第12行：张小红，130624********1234，… (with 出生 2013-05-03
    only when the ID is shown in full)"""
    parts = [s.get("name") or ""]
    if s.get("id_number"):
        parts.append(show(Field.ID_NUMBER, s["id_number"], level) or "")
    parts += side_lines(s, level)
    return f"{s['source']}：" + "，".join(p for p in parts if p)


def column(label: str, value: Any, kind: str = "text") -> list[Any]:
    if isinstance(value, Decimal):
        value, kind = str(value), "money"
    elif isinstance(value, date):
        value = value.isoformat()
    return [label, value, kind]


def fact_json(f: GroupFact, groups: dict[str, GroupSpec]) -> dict[str, Any]:
    return {
        "group": f.group,
        "source": f.source_kind.value,
        "label": f.source_label,
        "known_on": f.known_on.isoformat(),
        "active": f.active,
        "status": f.status,
        "text": f.describe(groups) + ("" if f.active else "（已不符合）"),
    }


def other_sides(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The other sources' rows of a finding (a problem recorded by an older version may hold one row
    rather than a list)."""
    right = evidence.get("right") or []
    return [right] if isinstance(right, dict) else list(right)
