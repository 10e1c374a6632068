"""The policy catalogue and the priority groups: read from `resources/policies/*.toml` (or the office's
own copies in the data folder's `policies/`), checked strictly, kept in step with the database on
start, and loaded from the database as typed values (`aidoffice.domain.policies`).

A misspelt key, a bad date or an unknown group is refused with the file and the line. An amount the
office edits reaches an existing database on the next start and is recorded in the audit trail; awards
already paid keep the amount they were paid with."""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.models import Policy, PolicyFamily, PriorityGroup
from aidoffice.domain.money import InvalidAmount, parse_amount
from aidoffice.domain.policies import (
    AMOUNT_KINDS,
    BOARDING_NAMES,
    STAGE_NAMES,
    AmountSpec,
    FamilySpec,
    GroupSpec,
    PolicySpec,
)
from aidoffice.domain.text import to_halfwidth
from aidoffice.errors import AidofficeError
from aidoffice.paths import data_dir, resources_dir

FILES = ("groups.toml", "catalogue.toml")
_GROUP_KEYS = {"code", "name", "priority", "description"}
_FAMILY_KEYS = {"code", "name", "aliases"}
_POLICY_KEYS = {"code", "name", "stage", "boarding", "eligible_groups", "amounts", "aliases", "family", "letter_text", "for_leavers"}  # fmt: skip
_AMOUNT_KEYS = {"kind", "from", "to", "annual", "average", "per_day", "tiers", "terms_per_year", "note"}


class CatalogueError(AidofficeError):
    """A catalogue file breaks a rule; says which file, which line and how to fix it."""

    def __init__(self, file: Path, line: int | None, message: str):
        self.file, self.line = file, line
        where = f"资助政策目录文件「{file}」" + (f"第 {line} 行" if line else "")
        super().__init__(f"{where}：{message}。请改正后重新打开程序。")


def policies_dirs() -> list[Path]:
    """Where the catalogue files are looked for, the office's own copy first."""
    return [data_dir() / "policies", resources_dir() / "policies"]


def catalogue_files() -> dict[str, Path]:
    out = {}
    for name in FILES:
        for folder in policies_dirs():
            if (folder / name).is_file():
                out[name] = folder / name
                break
    return out


# ---- reading the files --------------------------------------------------------------------------


class _Source:
    """A TOML file and the line of each table and key, for messages."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text("utf-8-sig")
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise CatalogueError(path, int(m[1]) if m else None, f"格式错误（{exc}）") from None
        self.lines = self.text.splitlines()

    def line(self, table: str, index: int, key: str | None = None) -> int | None:
        """The line of the `index`-th [[table]] (0-based), or of `key` inside it."""
        header = f"[[{table}]]"
        seen = -1
        for n, raw in enumerate(self.lines, 1):
            stripped = raw.strip()
            if stripped.startswith("[["):
                if stripped.startswith(header):
                    seen += 1
                    if seen == index and key is None:
                        return n
                elif seen == index:
                    break
            elif seen == index and key is not None and re.match(rf"\s*{re.escape(key)}\s*=", raw):
                return n
        return self.line(table, index) if key is not None else None

    def fail(self, table: str, index: int, key: str | None, message: str) -> CatalogueError:
        return CatalogueError(self.path, self.line(table, index, key), message)


def _items(src: _Source, table: str, allowed: set[str]) -> list[dict[str, Any]]:
    unknown_top = set(src.data) - {"group", "family", "policy"}
    if unknown_top:
        raise CatalogueError(src.path, None, f"不认识的表“{'、'.join(sorted(unknown_top))}”")
    items = src.data.get(table, [])
    if not isinstance(items, list):
        raise src.fail(table, 0, None, f"“{table}”应写作 [[{table}]]")
    for i, item in enumerate(items):
        for key in item:
            if key not in allowed:
                raise src.fail(
                    table, i, key, f"不认识的项“{key}”（可用的有：{'、'.join(sorted(allowed))}），请检查拼写"
                )
        for key in ("code", "name"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise src.fail(table, i, key, f"缺少“{key}”，或它不是文字")
    codes = [item["code"] for item in items]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise src.fail(table, i, "code", f"代码“{code}”重复出现")
    return items


def _strings(src: _Source, table: str, i: int, item: dict, key: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.fail(table, i, key, f'“{key}”应是文字的列表，如 ["甲", "乙"]')
    return tuple(value)


def _flag(src: _Source, table: str, i: int, item: dict, key: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise src.fail(table, i, key, f"“{key}”应写 true 或 false")
    return value


def _date(src: _Source, i: int, value: Any, key: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise src.fail("policy", i, "amounts", f"日期“{value}”（{key}）应写作 2026-09-01") from None


def _money(src: _Source, i: int, value: Any, what: str) -> Decimal:
    try:
        amount = parse_amount(value)
    except InvalidAmount:
        raise src.fail("policy", i, "amounts", f"{what}“{value}”不是金额") from None
    if amount < 0 or amount > 1_000_000:
        raise src.fail("policy", i, "amounts", f"{what}“{value}”超出合理范围")
    return amount


def _amount(src: _Source, i: int, raw: Any) -> AmountSpec:
    if not isinstance(raw, dict):
        raise src.fail(
            "policy",
            i,
            "amounts",
            'amounts 的每一项应写作 { kind = "fixed", annual = "1250", from = "2024-03-01" }',
        )
    unknown = set(raw) - _AMOUNT_KEYS
    if unknown:
        raise src.fail("policy", i, "amounts", f"标准中不认识的项“{'、'.join(sorted(unknown))}”，请检查拼写")
    kind = raw.get("kind")
    if kind not in AMOUNT_KINDS:
        raise src.fail(
            "policy", i, "amounts", f"标准种类 kind 应为 {'、'.join(AMOUNT_KINDS)} 之一，而不是“{kind}”"
        )
    start, end = _date(src, i, raw.get("from"), "from"), _date(src, i, raw.get("to"), "to")
    if start and end and start > end:
        raise src.fail("policy", i, "amounts", f"起始日期 {start} 晚于截止日期 {end}")
    annual_raw = raw.get("annual", raw.get("average"))
    annual = _money(src, i, annual_raw, "年标准") if annual_raw is not None else None
    per_day = _money(src, i, raw["per_day"], "每天标准") if "per_day" in raw else None
    tiers_raw = raw.get("tiers", {})
    if not isinstance(tiers_raw, dict):
        raise src.fail("policy", i, "amounts", 'tiers 应写作 { "一档" = "3000", … }')
    tiers = tuple((str(k), _money(src, i, v, f"“{k}”档标准")) for k, v in tiers_raw.items())
    need = {
        "fixed": annual is not None,
        "tiered": bool(tiers),
        "per_day": per_day is not None,
        "waiver": True,
    }
    if not need[kind]:
        what = {"fixed": "annual（年标准）", "tiered": "tiers（各档标准）", "per_day": "per_day（每天标准）"}[
            kind
        ]
        raise src.fail("policy", i, "amounts", f"“{kind}”种类的标准需要写 {what}")
    terms = raw.get("terms_per_year", 2)
    if not isinstance(terms, int) or not 1 <= terms <= 4:
        raise src.fail("policy", i, "amounts", "terms_per_year（每年发放次数）应为 1—4")
    note = raw.get("note")
    return AmountSpec(kind, start, end, annual, per_day, tiers, terms, str(note) if note else None)


def _overlap(amounts: tuple[AmountSpec, ...]) -> tuple[AmountSpec, AmountSpec] | None:
    low, high = date.min, date.max
    for n, a in enumerate(amounts):
        for b in amounts[n + 1 :]:
            if max(a.valid_from or low, b.valid_from or low) <= min(a.valid_to or high, b.valid_to or high):
                return a, b
    return None


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue as typed values, with the lookups every service needs."""

    groups: dict[str, GroupSpec]
    policies: dict[str, PolicySpec]
    families: dict[str, FamilySpec] = field(default_factory=dict)
    policy_ids: dict[str, int] = field(default_factory=dict)  # code → database id, when loaded from it
    fingerprint: str = ""

    @property
    def priority_groups(self) -> frozenset[str]:
        return frozenset(code for code, g in self.groups.items() if g.priority)

    def policy_by_id(self, policy_id: int) -> PolicySpec:
        return self.policies[self._codes_by_id[policy_id]]

    @functools.cached_property
    def _codes_by_id(self) -> dict[int, str]:
        return {v: k for k, v in self.policy_ids.items()}

    def family_members(self, family: str) -> list[PolicySpec]:
        return [p for p in self.policies.values() if p.family == family]

    def find(self, name: str) -> list[PolicySpec]:
        """The policies a name may mean: a code, a policy's name or alias, a family's name or alias, or
        (when nothing else fits) a unique part of a name. Several: settle with `resolve()`."""
        name = (name or "").strip()
        if not name:
            return []
        if name in self.policies:
            return [self.policies[name]]
        if name in self.families:
            return self.family_members(name)
        key = name_key(name)
        hits = [p for p in self.policies.values() if key in {name_key(p.name), *map(name_key, p.aliases)}]
        if hits:
            return hits
        for fam in self.families.values():
            if key in {name_key(fam.name), *map(name_key, fam.aliases)}:
                return self.family_members(fam.code)
        if len(key) < 2:
            return []
        hits = [p for p in self.policies.values() if key in name_key(p.name) or name_key(p.name) in key]
        for fam in self.families.values():
            if key in name_key(fam.name) or name_key(fam.name) in key:
                hits += [p for p in self.family_members(fam.code) if p not in hits]
        return hits

    def resolve(
        self, name: str, stage: str | None = None, boarding: bool | None = None
    ) -> PolicySpec | list[PolicySpec]:
        """The one policy a name means for a student of this stage and boarding, or the candidates
        when it stays ambiguous (an empty list: the name is unknown)."""
        hits = self.find(name)
        if len(hits) > 1 and stage is not None:
            hits = [p for p in hits if p.fits_stage(stage)] or hits
        if len(hits) > 1 and boarding is not None:
            hits = [p for p in hits if p.fits_boarding(boarding)] or hits
        return hits[0] if len(hits) == 1 else hits


_NAME_MARKS = re.compile(r"[\s()（）\[\]【】<>《》\"'“”‘’、,，。.·\-—_/\\|:：]")


def name_key(text: str) -> str:
    """How policy names are compared: half-width, lower case, without spaces and marks."""
    return _NAME_MARKS.sub("", to_halfwidth(text or "").lower())


def read_catalogue(files: dict[str, Path] | None = None) -> Catalogue:
    """Read and check the catalogue files; raises CatalogueError naming the file and line."""
    files = files or catalogue_files()
    missing = [n for n in FILES if n not in files]
    if missing:
        raise CatalogueError(resources_dir() / "policies" / missing[0], None, "文件不存在")
    g_src, p_src = _Source(files["groups.toml"]), _Source(files["catalogue.toml"])
    groups = {}
    for i, item in enumerate(_items(g_src, "group", _GROUP_KEYS)):
        priority = item.get("priority", True)
        if not isinstance(priority, bool):
            raise g_src.fail("group", i, "priority", "priority 应为 true 或 false")
        groups[item["code"]] = GroupSpec(item["code"], item["name"], priority, item.get("description"))
    families = {}
    for i, item in enumerate(_items(p_src, "family", _FAMILY_KEYS)):
        families[item["code"]] = FamilySpec(
            item["code"], item["name"], _strings(p_src, "family", i, item, "aliases")
        )
    policies = {}
    for i, item in enumerate(_items(p_src, "policy", _POLICY_KEYS)):
        stage = item.get("stage")
        if stage not in STAGE_NAMES:
            raise p_src.fail(
                "policy", i, "stage", f"学段 stage 应为 {'、'.join(STAGE_NAMES)} 之一，而不是“{stage}”"
            )
        boarding = item.get("boarding", "any")
        if boarding not in BOARDING_NAMES:
            raise p_src.fail("policy", i, "boarding", f"boarding 应为 {'、'.join(BOARDING_NAMES)} 之一")
        eligible = _strings(p_src, "policy", i, item, "eligible_groups")
        unknown = [g for g in eligible if g not in groups]
        if unknown:
            raise p_src.fail(
                "policy", i, "eligible_groups", f"重点群体“{'、'.join(unknown)}”不在 groups.toml 中"
            )
        family = item.get("family")
        if family is not None and family not in families:
            raise p_src.fail("policy", i, "family", f"项目族“{family}”没有用 [[family]] 定义")
        raw_amounts = item.get("amounts")
        if not isinstance(raw_amounts, list) or not raw_amounts:
            raise p_src.fail("policy", i, "amounts", "每个资助项目至少要有一条带日期的标准（amounts）")
        amounts = tuple(_amount(p_src, i, a) for a in raw_amounts)
        if pair := _overlap(amounts):
            raise p_src.fail(
                "policy",
                i,
                "amounts",
                f"两条标准的有效期重叠（{_span(pair[0])} 与 {_span(pair[1])}），同一天只能有一个标准",
            )
        policies[item["code"]] = PolicySpec(
            code=item["code"],
            name=item["name"],
            stage=stage,
            boarding=boarding,
            eligible_groups=eligible,
            amounts=amounts,
            aliases=_strings(p_src, "policy", i, item, "aliases"),
            family=family,
            letter_text=item.get("letter_text"),
            for_leavers=_flag(p_src, "policy", i, item, "for_leavers"),
        )
    digest = hashlib.sha256(g_src.text.encode() + b"\0" + p_src.text.encode()).hexdigest()
    return Catalogue(groups, policies, families, fingerprint=digest)


def _span(a: AmountSpec) -> str:
    return f"{a.valid_from or '最早'}—{a.valid_to or '至今'}"


# ---- the database copy --------------------------------------------------------------------------


def amounts_to_json(amounts: Iterable[AmountSpec]) -> dict[str, Any]:
    out = []
    for a in amounts:
        d: dict[str, Any] = {"kind": a.kind}
        if a.valid_from:
            d["from"] = a.valid_from.isoformat()
        if a.valid_to:
            d["to"] = a.valid_to.isoformat()
        if a.annual is not None:
            d["annual"] = str(a.annual)
        if a.per_day is not None:
            d["per_day"] = str(a.per_day)
        if a.tiers:
            d["tiers"] = {k: str(v) for k, v in a.tiers}
        if a.terms_per_year != 2:
            d["terms_per_year"] = a.terms_per_year
        if a.note:
            d["note"] = a.note
        out.append(d)
    return {"amounts": out}


def amounts_from_json(rule: dict[str, Any]) -> tuple[AmountSpec, ...]:
    out = []
    for d in rule.get("amounts", []):
        annual = d.get("annual", d.get("average"))
        out.append(
            AmountSpec(
                kind=d["kind"],
                valid_from=date.fromisoformat(d["from"]) if d.get("from") else None,
                valid_to=date.fromisoformat(d["to"]) if d.get("to") else None,
                annual=Decimal(str(annual)) if annual is not None else None,
                per_day=Decimal(str(d["per_day"])) if d.get("per_day") is not None else None,
                tiers=tuple((k, Decimal(str(v))) for k, v in d.get("tiers", {}).items()),
                terms_per_year=int(d.get("terms_per_year", 2)),
                note=d.get("note"),
            )
        )
    return tuple(out)


def spec_of(row: Policy) -> PolicySpec:
    return PolicySpec(
        code=row.code,
        name=row.name,
        stage=row.stage,
        boarding=row.boarding,
        eligible_groups=tuple(row.eligible_groups or ()),
        amounts=amounts_from_json(row.amount_rule or {}),
        aliases=tuple(row.aliases or ()),
        family=row.family,
        letter_text=row.letter_text,
        for_leavers=bool(row.for_leavers),
    )


def load_catalogue(session: Session) -> Catalogue:
    """The catalogue as the database holds it (two small queries)."""
    groups = {
        g.code: GroupSpec(g.code, g.name, g.priority, g.description)
        for g in session.scalars(select(PriorityGroup).order_by(PriorityGroup.sort_order, PriorityGroup.code))
    }
    families = {
        f.code: FamilySpec(f.code, f.name, tuple(f.aliases or ()))
        for f in session.scalars(select(PolicyFamily))
    }
    rows = list(session.scalars(select(Policy).order_by(Policy.id)))
    return Catalogue(
        groups,
        {r.code: spec_of(r) for r in rows},
        families,
        policy_ids={r.code: r.id for r in rows},
    )


@dataclass
class CatalogueChanges:
    """What a sync changed, in the clerk's words."""

    lines: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.lines)


def _describe_amounts(amounts: tuple[AmountSpec, ...]) -> str:
    parts = []
    for a in amounts:
        if a.kind == "per_day":
            value = f"每天 {a.per_day} 元"
        elif a.kind == "tiered":
            value = "、".join(f"{k} {v} 元" for k, v in a.tiers) + "/年"
        elif a.kind == "waiver":
            value = "免除"
        else:
            value = f"{a.annual} 元/年"
        parts.append(f"{_span(a)}：{value}")
    return "；".join(parts)


def sync_catalogue(session: Session, catalogue: Catalogue | None = None) -> CatalogueChanges:
    """Make the database's catalogue what the files say: add what is new and update what changed
    (each change an audited update); nothing is deleted, since awards refer to their policy."""
    cat = catalogue or read_catalogue()
    changes = CatalogueChanges()
    note = session.info.get("audit_note")
    session.info["audit_note"] = "资助政策目录按文件更新"
    try:
        have_groups = {g.code: g for g in session.scalars(select(PriorityGroup))}
        for order, g in enumerate(cat.groups.values()):
            row = have_groups.get(g.code)
            if row is None:
                session.add(
                    PriorityGroup(
                        code=g.code,
                        name=g.name,
                        priority=g.priority,
                        sort_order=order,
                        description=g.description,
                    )
                )
                changes.lines.append(f"新增重点群体：{g.name}")
                continue
            for attr, value in (
                ("name", g.name),
                ("priority", g.priority),
                ("sort_order", order),
                ("description", g.description),
            ):
                if getattr(row, attr) != value:
                    setattr(row, attr, value)
                    if attr != "sort_order":
                        changes.lines.append(f"重点群体“{g.name}”已更新")
        session.flush()
        have_families = {f.code: f for f in session.scalars(select(PolicyFamily))}
        for f in cat.families.values():
            row = have_families.get(f.code)
            if row is None:
                session.add(PolicyFamily(code=f.code, name=f.name, aliases=list(f.aliases)))
                changes.lines.append(f"新增项目族：{f.name}")
            elif (row.name, list(row.aliases or ())) != (f.name, list(f.aliases)):
                row.name, row.aliases = f.name, list(f.aliases)
                changes.lines.append(f"项目族“{f.name}”已更新")
        session.flush()
        have = {p.code: p for p in session.scalars(select(Policy))}
        for p in cat.policies.values():
            values = {
                "name": p.name,
                "stage": p.stage,
                "boarding": p.boarding,
                "eligible_groups": list(p.eligible_groups),
                "amount_rule": amounts_to_json(p.amounts),
                "letter_text": p.letter_text,
                "for_leavers": p.for_leavers,
                "aliases": list(p.aliases),
                "family": p.family,
            }
            row = have.get(p.code)
            if row is None:
                session.add(Policy(code=p.code, **values))
                changes.lines.append(f"新增资助项目：{p.name}（{_describe_amounts(p.amounts)}）")
                continue
            old_amounts = amounts_from_json(row.amount_rule or {})
            changed = [k for k, v in values.items() if getattr(row, k) != v]
            for k in changed:
                setattr(row, k, values[k])
            if "amount_rule" in changed and old_amounts != p.amounts:
                changes.lines.append(
                    f"资助标准变更：{p.name}，现为 {_describe_amounts(p.amounts)}（已发放的记录保持原金额）"
                )
            elif changed:
                changes.lines.append(f"资助项目“{p.name}”已更新")
        session.flush()
    finally:
        session.info["audit_note"] = note
    return changes
