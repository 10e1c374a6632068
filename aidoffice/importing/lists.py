"""Outside lists (乡村振兴部门的脱贫户/监测对象名单, 民政的低保/特困名单, 残联名单 …) kept as dated
snapshots per source. The group memberships of a source always follow its latest snapshot, so a child
taken off the 低保 list stops counting as 低保 — and the report says who left the list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.db.audit import actor_of
from aidoffice.db.models import (
    GroupMembership,
    ListEntry,
    ListSnapshot,
    PriorityGroup,
    School,
    SourceKind,
)
from aidoffice.domain.address import same_county
from aidoffice.domain.text import without_control_characters
from aidoffice.errors import InputRefused
from aidoffice.importing.people import fill_down_households, read_person
from aidoffice.importing.report import Action, ImportReport, Missing, Repeats
from aidoffice.importing.rows import DataRow
from aidoffice.ledgers.places import Placer
from aidoffice.sheets.cleaning import text
from aidoffice.sheets.headers import field_label, synonyms
from aidoffice.sheets.kinds import LIST_KINDS

DEFAULT_GROUP = {"poverty": "poverty_exited", "disabled": "disabled"}
_EXTRA = (
    "people_count",
    "monthly_amount",
    "disability_type",
    "disability_level",
    "phone",
    "grade",
    "class_name",
)


@dataclass
class ListPlan:
    """What importing an outside list writes: one dated snapshot of the source."""

    source: str
    list_kind: str
    known_on: date
    entries: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: str = ""
    unchanged: bool = False


def resolve_group(session: Session, value: str) -> str:
    """A group given by code or by name (低保, 脱贫家庭 …)."""
    groups = {g.code: g.name for g in session.scalars(select(PriorityGroup))}
    if value in groups:
        return value
    for code, name in groups.items():
        if name == value:
            return code
    code = synonyms().group_of(value)
    if code in groups:
        return code
    raise InputRefused(f"“{value}”不是已知的重点群体。可用的有：{'、'.join(groups.values())}。")


def latest_snapshot(session: Session, source: str) -> ListSnapshot | None:
    return session.scalars(
        select(ListSnapshot)
        .where(ListSnapshot.source_label == source)
        .order_by(ListSnapshot.known_on.desc(), ListSnapshot.id.desc())
        .limit(1)
    ).first()


def plan_list(
    session: Session,
    report: ImportReport,
    rows: Iterable[DataRow],
    *,
    list_kind: str,
    source: str | None,
    group: str | None,
    known_on: date,
    today: date,
) -> None:
    if list_kind not in LIST_KINDS:
        raise InputRefused(f"名单类别应为 {'、'.join(LIST_KINDS)} 之一，而不是“{list_kind}”。")
    source = (source or "").strip() or LIST_KINDS[list_kind]
    default_group = resolve_group(session, group) if group else DEFAULT_GROUP.get(list_kind)
    fields = report.layout.fields
    category_field = (
        "household_type" if "household_type" in fields else "category" if "category" in fields else None
    )
    if category_field is None and default_group is None:
        raise InputRefused(
            "名单中没有“保障类别”或“户类型”列，无法知道名单上的人属于哪个重点群体。"
            "请在“名单上的人属于”中选择名单上的人属于哪个重点群体。",
            cli_hint="命令行用 --group 指定，例如 --group 低保。",
            file=report.file,
            sheet=report.sheet,
        )
    if "household_no" in fields or "head_name" in fields:
        rows = fill_down_households(rows)
    syn = synonyms()
    payload = ListPlan(source=source, list_kind=list_kind, known_on=known_on)
    repeats: Repeats[dict[str, Any]] = Repeats("证件号")
    counties: dict[int, str] = {}  # row → the 县 column
    for r in rows:
        out = r.outcome()
        report.outcomes.append(out)
        person = read_person(r, report, out, today, keep_bad_check=True)
        if person is None:
            continue
        c = r.cells
        category = text(c.get(category_field)) if category_field else ""
        code = syn.group_of(category) if category else default_group
        if category and code is None:
            code = default_group
            if code is None:
                report.warn(
                    r.number,
                    field_label(category_field or "category"),
                    f"“{category}”不对应任何重点群体，已存入名单，但不计入重点群体",
                )
        status = text(c.get("list_status")) or None
        if out.action is Action.REFUSED:
            continue  # screening found a cell it could not take
        counties[r.number] = text(c.get("county"))
        repeats.add(
            (person.id_number, code),
            out,
            {
                "row": r.number,
                "person_key": person.id_number,
                "id_number": person.id_number,
                "name": person.name,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "township": text(c.get("township")) or None,
                "village": text(c.get("village")) or None,
                "household_no": text(c.get("household_no")) or None,
                "head_name": text(c.get("head_name")) or None,
                "relation": text(c.get("relation")) or None,
                "group_code": code,
                "category": category or None,
                "status": status,
                "active": not (status and syn.is_inactive(status)),
                "school_name": text(c.get("school_name")) or None,
                "schooling": text(c.get("schooling")) or None,
                "extra": {f: text(c[f]) for f in _EXTRA if text(c.get(f))} or None,
            },
            shown=person.id_number,
        )
    # the same child twice: the later row is kept, the kept row names every row
    payload.entries = repeats.settle(report, "证件号")
    if "township" in fields or "village" in fields:
        _place_entries(session, report, payload.entries, counties)
    payload.fingerprint = _fingerprint(payload.entries)
    _compare_with_latest(session, report, payload)
    report.plan = payload


def _place_entries(
    session: Session, report: ImportReport, entries: list[dict[str, Any]], counties: dict[int, str]
) -> None:
    """The 乡镇/村 columns read as the 学籍 export's 户口所在地 is: written the county's way (城南庄 →
    城南庄镇, 大岸底村委会 → 大岸底村, the whole place in one column), so each row finds its village.
    A place in another county is kept as written; a row with no place it can be put in is reported."""
    school = session.scalars(select(School).order_by(School.id)).first()
    placer = Placer(session, school.county if school is not None else None)
    foreign: list[int] = []
    for e in entries:
        county = counties.get(e["row"])
        if county and placer.county and not same_county(county, placer.county):
            # another county's row: kept as written, the county before the township so that it is
            # never taken for a village of ours of the same name
            e["township"] = (county + (e["township"] or ""))[:50]
            foreign.append(e["row"])
            continue
        if not e["township"] and not e["village"]:
            report.warn(e["row"], "乡镇/村", "乡镇和村都为空，此人无法对应到任何村，户籍台账中不显示")
            continue
        place = placer.columns(e["township"], e["village"])
        bad = place.inside and _not_a_place(place.township, place.village)
        if bad:
            where = "/".join(filter(None, [e["township"], e["village"]]))
            report.warn(e["row"], "乡镇/村", f"“{where[:40]}”{bad}，此人无法对应到村，户籍台账中不显示")
            e["township"], e["village"] = None, None
        elif place.inside:
            e["township"], e["village"] = place.township, place.village
        elif place.foreign:
            foreign.append(e["row"])
        else:
            where = "".join(filter(None, [e["township"], e["village"]]))
            missing = "村" if place.township else "乡（镇）"
            report.warn(
                e["row"], "乡镇/村", f"“{where}”中找不到{missing}名称，此人无法对应到村，户籍台账中不显示"
            )
    if foreign:
        rows = "、".join(str(r) for r in foreign[:20]) + ("等" if len(foreign) > 20 else "")
        report.notes.append(f"{len(foreign)} 行的乡镇/村不在本县（第 {rows} 行），按原文保留，不计入本县各村")


def _not_a_place(township: str | None, village: str | None) -> str | None:
    """Why the columns name no place (formula text, control characters, a bare “村”), or None."""
    from aidoffice.ledgers.places import place_name_problem

    for name in (township, village):
        if name and (bad := place_name_problem(name)):
            return bad
    if village and village.strip() in ("村", "社区", "居委会", "村委会"):
        return "只写了“村”字，没有村名"
    return None


def _fingerprint(entries: list[dict[str, Any]]) -> str:
    keys = sorted(
        json.dumps(
            {k: v for k, v in e.items() if k != "row"}, ensure_ascii=False, sort_keys=True, default=str
        )
        for e in entries
    )
    return hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()


def _state(status: str | None, active: bool) -> str:
    return f"{status or '（未注明）'}{'' if active else '（不计入）'}"


def _compare_with_latest(session: Session, report: ImportReport, payload: ListPlan) -> None:
    latest = latest_snapshot(session, payload.source)
    by_row = {o.row: o for o in report.outcomes}
    if latest is None:
        return
    if latest.fingerprint == payload.fingerprint:
        payload.unchanged = True
        report.notes.append(
            f"与 {latest.known_on:%Y-%m-%d} 导入的「{payload.source}」内容完全相同，不再重复存档，什么也不会改变"
        )
        for e in payload.entries:
            by_row[e["row"]].action = Action.UNCHANGED
        return
    if payload.known_on < latest.known_on:
        report.notes.append(
            f"这份名单的日期（{payload.known_on:%Y-%m-%d}）早于已导入的 {latest.known_on:%Y-%m-%d} 名单："
            "会存档，但重点群体身份仍按较新的名单"
        )
    before = {
        (e.person_key, e.group_code): e
        for e in session.scalars(select(ListEntry).where(ListEntry.snapshot_id == latest.id))
    }
    now = set()
    for e in payload.entries:
        key = (e["person_key"], e["group_code"])
        now.add(key)
        old = before.get(key)
        out = by_row[e["row"]]
        if old is None:
            continue
        if (old.status, old.active) == (e["status"], e["active"]):
            out.action = Action.UNCHANGED
        else:
            out.action = Action.UPDATED
            out.changes.append(f"状态：{_state(old.status, old.active)} → {_state(e['status'], e['active'])}")
    names = {g.code: g.name for g in session.scalars(select(PriorityGroup))}
    report.missing_label = "不在新名单中"
    for key, old in before.items():
        if key not in now:
            report.missing.append(
                Missing(
                    key=old.person_key,
                    name=old.name,
                    where="".join(filter(None, [old.township, old.village])),
                    note=f"上一份名单（{latest.known_on:%Y-%m-%d}）中为“{names.get(old.group_code or '', old.category or '')}”，"
                    "新名单中没有；导入后不再计入该重点群体",
                )
            )


def apply_list(session: Session, report: ImportReport[ListPlan], batch_id: int | None) -> None:
    payload = report.plan
    assert payload is not None
    if payload.unchanged:
        return
    snapshot = ListSnapshot(
        source_label=payload.source,
        list_kind=payload.list_kind,
        file_name=without_control_characters(report.file)[:200],
        sheet=report.sheet and without_control_characters(report.sheet)[:100],
        known_on=payload.known_on,
        imported_at=clock.now(),
        actor=actor_of(session),
        rows=len(payload.entries),
        fingerprint=payload.fingerprint,
        batch_id=batch_id,
    )
    session.add(snapshot)
    session.flush()
    if payload.entries:
        session.execute(insert(ListEntry), [{**e, "snapshot_id": snapshot.id} for e in payload.entries])
    derive_memberships(session, payload.source, batch_id)


def derive_memberships(session: Session, source: str, batch_id: int | None = None) -> None:
    """Make the LIST memberships of `source` exactly what its latest snapshot says."""
    latest = latest_snapshot(session, source)
    desired: dict[tuple[str, str], tuple[str | None, bool]] = {}
    if latest is not None:
        for key, group, status, active in session.execute(
            select(ListEntry.person_key, ListEntry.group_code, ListEntry.status, ListEntry.active).where(
                ListEntry.snapshot_id == latest.id, ListEntry.group_code.is_not(None)
            )
        ):
            if (key, group) not in desired or active:
                desired[(key, group)] = (status, active)
    current = {
        (m.person_key, m.group_code): m
        for m in session.scalars(
            select(GroupMembership).where(
                GroupMembership.source_kind == SourceKind.LIST, GroupMembership.source_label == source
            )
        )
    }
    for key, m in current.items():
        if key not in desired:
            session.delete(m)  # one audit entry each: who stopped counting as 低保, and when
    for key, (status, active) in desired.items():
        m = current.get(key)
        if m is not None and (m.status, m.active) != (status, active):
            m.status, m.active, m.known_on = status, active, latest.known_on  # type: ignore[union-attr]
    new = [
        {
            "person_key": k,
            "group_code": g,
            "source_kind": SourceKind.LIST,
            "source_label": source,
            "known_on": latest.known_on,  # type: ignore[union-attr]
            "status": status,
            "active": active,
            "batch_id": batch_id,
        }
        for (k, g), (status, active) in desired.items()
        if (k, g) not in current
    ]
    if new:
        session.execute(insert(GroupMembership), new)
    session.flush()
