"""Matching people across the sources: by normalized ID number first, then the disagreements.

- NAME_MISMATCH: one ID with two different names (same pinyin or one character apart ranks first).
- ID_TYPO_SUSPECT: records that agree on name (or a homophone) and birth date, or on name and
  village, whose IDs differ by one digit, by two swapped adjacent digits, or only in the check
  character. Records are grouped by blocking keys (pinyin of the name + birth date, pinyin of the
  name + village) and only IDs inside one block are compared: never all pairs. Two IDs that are both
  in the school ledger, or both in the household ledger, are two people, not a slip: each ledger
  holds a person once (the 学籍 system also checks IDs against household registration); a slip shows
  between sources.
- DUPLICATE_ID: one ID on two students, on two members of the household ledger, or on two
  households of one list.
- NO_ID_NUMBER: students with no ID number (J/L 学籍号), whom the comparison cannot match by ID.

Pure: works on the tuples of `sources`, reads no database."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any, NamedTuple

from aidoffice.db.models import StudentStatus
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import CHECK_CHARS, WEIGHTS
from aidoffice.domain.pinyin import pinyin_key
from aidoffice.privacy import mask_id, mask_student_no
from aidoffice.reconcile.findings import Finding, column, side
from aidoffice.reconcile.sources import Sources, StudentRec, VillageIndex, village_key

MAX_BLOCK = 400  # IDs in one block; a block this large is a data problem, not a name


class Rec(NamedTuple):
    """One person as one source records them. The words (label, info) are made only when a finding
    needs them: most of the 200,000 records of a district never appear in one."""

    source: str  # student / household / list
    ref: int
    id_number: str | None
    name: str
    birth_date: date | None
    village: str  # village_key of the place, "" when unknown
    student_id: int | None
    row: Any  # the source's own tuple (StudentRec, MemberRec, EntryRec)
    src: Any  # the Sources it came from (villages, snapshots)

    @property
    def label(self) -> str:
        """学籍台账 七年级1班 / 户籍台账 龙泉关镇黑崖沟村 户 00012（户主 …） / 外部名单「…」第 12 行"""
        r = self.row
        if self.source == "student":
            return f"学籍台账 {grade_label(r.grade, r.stage)}{r.class_name}"
        if self.source == "household":
            v = self.src.villages.get(r.village_id)
            place = f"{v.township}{v.name}" if v else ""
            return (
                f"户籍台账 {place} 户{f' {r.household_no}' if r.household_no else ''}（户主 {r.head_name}）"
            )
        return f"外部名单「{self.src.snapshots[r.snapshot_id].source_label}」第 {r.row} 行"

    @property
    def info(self) -> str:
        """What the source says besides: 脱贫户 继续享受政策 / 在校生，就读学校 …"""
        r = self.row
        if self.source == "household":
            return "，".join(
                x for x in (r.schooling, f"就读学校 {r.school_name}" if r.school_name else None) if x
            )
        if self.source == "list":
            return " ".join(x for x in (r.category, r.status, "（已不符合）" if not r.active else None) if x)
        return ""


SOURCE_ORDER = {"student": 0, "household": 1, "list": 2}


@functools.lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """Names compared without spaces, with one kind of middle dot (买买提·艾力)."""
    return "".join(name.split()).replace("•", "·").replace("．", "·").replace(".", "·")


@functools.lru_cache(maxsize=1 << 18)
def sound_key(name: str) -> str:
    return pinyin_key(name_key(name))


def passes_check(id_number: str) -> bool:
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(id_number[:17], WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11] == id_number[17]


def typo_relation(a: str, b: str) -> str | None:
    """How two 18-character IDs differ when one looks like a slip of the other, in words; None when
    they differ otherwise. The first 17 characters decide; the check character may differ too (a
    system that accepts only valid numbers recomputes it)."""
    if len(a) != 18 or len(b) != 18 or a == b:
        return None
    body_a, body_b = a[:17], b[:17]
    if body_a == body_b:
        return f"只有第18位校验位不同（{a[17]} / {b[17]}）"
    diffs = [i for i in range(17) if body_a[i] != body_b[i]]
    if len(diffs) == 1:
        i = diffs[0]
        return f"第{i + 1}位不同" + _digits(i, 1, body_a, body_b)
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
        i = diffs[0]
        if body_a[i] == body_b[i + 1] and body_a[i + 1] == body_b[i]:
            return f"第{i + 1}、{i + 2}位颠倒" + _digits(i, 2, body_a, body_b)
    return None


def _digits(i: int, n: int, a: str, b: str) -> str:
    """The differing digits in words, unless they are birth-date digits (7th–14th), which a masked ID
    hides: the words go into a finding's text, printed beside masked IDs."""
    if i + n > 6 and i < 14:
        return "（出生日期部分）"
    return f"（{a[i : i + n]} / {b[i : i + n]}）"


def one_character_apart(a: str, b: str) -> bool:
    """Same length and one character differs, or one character more or less."""
    if a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def grade_label(grade: int, stage: str) -> str:
    try:
        return make_grade(grade, stage == "vocational").name
    except ValueError:
        return str(grade)


def build_records(src: Sources) -> list[Rec]:
    recs: list[Rec] = []
    add = recs.append
    villages = src.villages
    for s in src.students:
        v = villages.get(s.village_id) if s.village_id else None
        vkey = village_key(v.name if v else s.hukou_village)
        add(Rec("student", s.id, s.id_number, s.name, s.birth_date, vkey, s.id, s, src))
    for m in src.members:
        v = villages.get(m.village_id)
        add(
            Rec(
                "household",
                m.id,
                m.id_number,
                m.name,
                m.birth_date,
                village_key(v.name) if v else "",
                m.student_id,
                m,
                src,
            )
        )
    for e in src.entries:
        add(Rec("list", e.id, e.id_number, e.name, e.birth_date, village_key(e.village), None, e, src))
    return recs


@dataclass
class Matching:
    records: list[Rec]
    by_id: dict[str, list[Rec]]
    ledger_ids: set[str]  # IDs in the school or household ledger
    typo_links: dict[str, set[str]] = field(default_factory=dict)  # ID → IDs it may be a slip of
    on_students: set[str] = field(default_factory=set)
    on_households: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def rec_side(rec: Rec) -> dict:
    """One record as one side of the evidence."""
    return side(
        rec.label,
        rec.name,
        rec.id_number,
        rec.info,
        birth=rec.birth_date,
    )


def match(src: Sources, villages: VillageIndex | None = None) -> Matching:
    records = build_records(src)
    by_id: dict[str, list[Rec]] = {}
    on_students: set[str] = set()
    on_households: set[str] = set()
    for r in records:
        number = r.id_number
        if number:
            held = by_id.get(number)
            if held is None:
                by_id[number] = [r]
            else:
                held.append(r)
            if r.source == "student":
                on_students.add(number)
            elif r.source == "household":
                on_households.add(number)
    result = Matching(
        records, by_id, on_students | on_households, on_students=on_students, on_households=on_households
    )
    _name_mismatches(result)
    _typos(result)
    _duplicates(src, result, villages or VillageIndex(src.villages, src.county))
    _without_id(src, result)
    return result


def _name_mismatches(m: Matching) -> None:
    for number, recs in m.by_id.items():
        if len(recs) < 2 or number not in m.ledger_ids:
            continue
        first = recs[0].name
        if all(r.name == first for r in recs):
            continue
        names = {name_key(r.name) for r in recs}
        if len(names) < 2:
            continue
        recs = sorted(recs, key=lambda r: SOURCE_ORDER[r.source])
        ref = recs[0]
        ref_name = name_key(ref.name)
        others: dict[str, Rec] = {}
        for r in recs[1:]:
            n = name_key(r.name)
            if n != ref_name and n not in others:
                others[n] = r
        likeness = {}
        for n in others:
            if sound_key(n) == sound_key(ref_name):
                likeness[n] = "同音"
            elif one_character_apart(n, ref_name):
                likeness[n] = "差一个字"
            else:
                likeness[n] = "完全不同"
        similar = all(v != "完全不同" for v in likeness.values())
        student = next((r for r in recs if r.source == "student"), None)
        parts = [f"{r.label}为“{r.name}”（{likeness[n]}）" for n, r in others.items()]
        m.findings.append(
            Finding(
                kind="NAME_MISMATCH",
                person_key=number,
                name=ref.name,
                id_number=number,
                student_id=student.student_id if student else ref.student_id,
                rank=1 if similar else 2,
                detail=f"证件号 {mask_id(number)}：{ref.label}为“{ref.name}”，" + "；".join(parts),
                evidence={
                    "left": rec_side(ref),
                    "right": [rec_side(r) for r in others.values()],
                    "columns": [
                        column("另一方姓名", "、".join(r.name for r in others.values())),
                        column("相似", "、".join(dict.fromkeys(likeness.values()))),
                    ],
                },
            )
        )


def _typos(m: Matching) -> None:
    # Blocks are filled from the two ledgers only; a list row is then looked up in them. A pair of two
    # list-only IDs is never wanted (someone in neither ledger), so those rows need no block of their
    # own. Most blocks hold one ID: it is kept as the bare string until a second one arrives.
    by_birth: dict[tuple[str, date], str | list[str]] = {}
    by_village: dict[tuple[str, str], str | list[str]] = {}
    sound_of = sound_key
    listed: list[Rec] = []
    for r in m.records:
        number, name = r.id_number, r.name
        if not number or not name:
            continue
        if r.source == "list":
            listed.append(r)
            continue
        sound = sound_of(name)
        if not sound:
            continue
        for blocks, part in ((by_birth, r.birth_date), (by_village, r.village)):
            if part:
                key = (sound, part)
                held = blocks.get(key)  # type: ignore[attr-defined]
                if held is None:
                    blocks[key] = number  # type: ignore[index]
                elif held != number:
                    if held.__class__ is str:
                        blocks[key] = [held, number]  # type: ignore[index]
                    elif number not in held:
                        held.append(number)
    pairs: dict[tuple[str, str], tuple[str, set[str]]] = {}
    on_students, on_households = m.on_students, m.on_households

    def consider(a: str, b: str, basis: str) -> None:
        # Two IDs in one ledger are two people: each ledger holds a person once (学籍 also checks IDs
        # against household registration). A slip shows between sources.
        if (a in on_students and b in on_students) or (a in on_households and b in on_households):
            return
        if a > b:
            a, b = b, a
        found = pairs.get((a, b))
        if found is None:
            relation = typo_relation(a, b)
            if relation is None:
                return
            pairs[(a, b)] = found = (relation, set())
        found[1].add(basis)

    for blocks, basis in ((by_birth, "出生日期相同"), (by_village, "同村")):
        for ids in blocks.values():  # type: ignore[attr-defined]
            if ids.__class__ is list and len(ids) <= MAX_BLOCK:
                for a, b in combinations(ids, 2):
                    consider(a, b, basis)
    for r in listed:
        sound = sound_of(r.name)
        if not sound:
            continue
        for blocks, part, basis in (
            (by_birth, r.birth_date, "出生日期相同"),
            (by_village, r.village, "同村"),
        ):
            held = blocks.get((sound, part)) if part else None  # type: ignore[attr-defined]
            if held is None:
                continue
            for other in (held,) if held.__class__ is str else held[:MAX_BLOCK]:
                if other != r.id_number:
                    consider(r.id_number, other, basis)  # type: ignore[arg-type]
    for (a, b), (relation, basis) in pairs.items():
        m.typo_links.setdefault(a, set()).add(b)
        m.typo_links.setdefault(b, set()).add(a)
        recs_a = sorted(m.by_id[a], key=lambda r: SOURCE_ORDER[r.source])
        recs_b = sorted(m.by_id[b], key=lambda r: SOURCE_ORDER[r.source])
        # the school's side first: the ID on a student record, else on the household ledger
        if SOURCE_ORDER[recs_b[0].source] < SOURCE_ORDER[recs_a[0].source]:
            a, b, recs_a, recs_b = b, a, recs_b, recs_a
            relation = typo_relation(a, b) or relation
        first, other = recs_a[0], recs_b[0]
        same_name = name_key(first.name) == name_key(other.name)
        check_a = "校验位正确" if passes_check(a) else "校验位错误"
        check_b = "校验位正确" if passes_check(b) else "校验位错误"
        student = next((r for r in (*recs_a, *recs_b) if r.student_id), None)
        crosses = first.source == "student" and other.source != "student"
        m.findings.append(
            Finding(
                kind="ID_TYPO_SUSPECT",
                person_key=a,
                key=f"{min(a, b)}~{max(a, b)}",
                name=first.name,
                id_number=a,
                student_id=student.student_id if student else None,
                rank=1 if crosses else 2,
                detail=(
                    f"“{first.name}”与“{other.name}”（{'同名' if same_name else '同音'}，{'、'.join(sorted(basis))}）"
                    f"的证件号 {mask_id(a)}（{check_a}）与 {mask_id(b)}（{check_b}）{relation}，疑似同一人、"
                    f"一处抄错：{first.label}；{other.label}"
                ),
                evidence={
                    "left": rec_side(first),
                    "right": [rec_side(r) for r in recs_b],
                    "also": [rec_side(r) for r in recs_a[1:]],
                    "columns": [
                        column("证件号甲", a, "id"),
                        column("甲校验位", check_a),
                        column("证件号乙", b, "id"),
                        column("乙校验位", check_b),
                        column("差异", relation),
                        column("相同之处", f"{'同名' if same_name else '同音'}，{'、'.join(sorted(basis))}"),
                    ],
                },
            )
        )


def _student_ids_of(number: str | None, student_no: str | None) -> Iterable[str]:
    if number:
        yield number
    if student_no and student_no[:1] == "G" and len(student_no) == 19:
        yield student_no[1:]


def _duplicates(src: Sources, m: Matching, villages: VillageIndex) -> None:
    students: dict[str, dict[int, StudentRec]] = {}
    for s in src.students:
        for number in _student_ids_of(s.id_number, s.student_no):
            students.setdefault(number, {})[s.id] = s
    for number, found in students.items():
        if len(found) < 2:
            continue
        recs = list(found.values())
        lines = [
            f"学籍台账 {grade_label(s.grade, s.stage)}{s.class_name}“{s.name}”"
            + (f"（学籍号 {mask_student_no(s.student_no)}）" if s.student_no else "")
            for s in recs
        ]
        m.findings.append(
            Finding(
                kind="DUPLICATE_ID",
                person_key=number,
                name=recs[0].name,
                id_number=number,
                student_id=recs[0].id,
                what="student",
                rank=1,
                detail=f"证件号 {mask_id(number)} 登记在 {len(recs)} 名学生名下：" + "；".join(lines),
                evidence={
                    "left": side(lines[0], recs[0].name, number),
                    "right": [
                        side(line, s.name, number) for line, s in zip(lines[1:], recs[1:], strict=True)
                    ],
                    "columns": [column("登记在", "；".join(lines))],
                },
            )
        )
    members: dict[str, list] = {}
    for mem in src.members:
        if mem.id_number:
            members.setdefault(mem.id_number, []).append(mem)
    for number, found in members.items():
        if len(found) < 2:
            continue
        recs = [r for r in m.by_id[number] if r.source == "household"]
        m.findings.append(
            Finding(
                kind="DUPLICATE_ID",
                person_key=number,
                name=found[0].name,
                id_number=number,
                student_id=next((x.student_id for x in found if x.student_id), None),
                what="household",
                rank=2,
                detail=f"证件号 {mask_id(number)} 在户籍台账中登记了 {len(found)} 次："
                + "；".join(f"{r.label}“{r.name}”" for r in recs),
                evidence={
                    "left": rec_side(recs[0]),
                    "right": [rec_side(r) for r in recs[1:]],
                    "columns": [column("登记在", "；".join(r.label for r in recs))],
                },
            )
        )
    per_list: dict[tuple[int, str], list] = {}
    for e in src.entries:
        if e.id_number:
            per_list.setdefault((e.snapshot_id, e.id_number), []).append(e)
    for (snap_id, number), found in per_list.items():
        households = {(village_key(e.village), e.household_no) for e in found}
        if len(households) < 2:
            continue
        ours = number in m.ledger_ids or any(villages.find(e.township, e.village) for e in found)
        if not ours:
            continue
        snap = src.snapshots[snap_id]
        where = [
            f"第 {e.row} 行（{e.township or ''}{e.village or ''} 户 {e.household_no or '未注明'}）"
            for e in found
        ]
        m.findings.append(
            Finding(
                kind="DUPLICATE_ID",
                person_key=number,
                name=found[0].name,
                id_number=number,
                what=f"list:{snap.source_label}"[:80],
                rank=2,
                detail=f"证件号 {mask_id(number)} 在外部名单「{snap.source_label}」中属于 {len(households)} 个不同的户："
                + "；".join(where),
                evidence={
                    "left": side(f"外部名单「{snap.source_label}」{where[0]}", found[0].name, number),
                    "right": [
                        side(f"外部名单「{snap.source_label}」{w}", e.name, number)
                        for w, e in zip(where[1:], found[1:], strict=True)
                    ],
                    "columns": [column("登记在", "；".join(where))],
                },
            )
        )


def _without_id(src: Sources, m: Matching) -> None:
    if all(s.id_number for s in src.students):
        return
    by_birth: dict[tuple[str, date], list[Rec]] = {}
    for r in m.records:
        if r.id_number and r.birth_date and r.source != "student":
            by_birth.setdefault((sound_key(r.name), r.birth_date), []).append(r)
    for s in src.students:
        if s.id_number or s.status not in (StudentStatus.ENROLLED, StudentStatus.SUSPENDED):
            continue
        candidates = by_birth.get((sound_key(s.name), s.birth_date), []) if s.birth_date else []
        hint = (
            "；可能是：" + "；".join(f"{r.label}“{r.name}”（{mask_id(r.id_number)}）" for r in candidates[:5])
            if candidates
            else ""
        )
        label = f"学籍台账 {grade_label(s.grade, s.stage)}{s.class_name}"
        m.findings.append(
            Finding(
                kind="NO_ID_NUMBER",
                person_key=s.person_key,
                name=s.name,
                student_id=s.id,
                rank=1 if candidates else 2,
                grade=s.grade,
                class_name=s.class_name,
                detail=f"{label}“{s.name}”没有身份证件号（学籍号 {mask_student_no(s.student_no)}），"
                f"无法按证件号与户籍台账、外部名单比对{hint}",
                evidence={
                    "left": side(label, s.name, None, f"学籍号 {mask_student_no(s.student_no)}"),
                    "right": [rec_side(r) for r in candidates[:5]],
                    "columns": [
                        column("全国学籍号", s.student_no, "student_no"),
                        column("可能对应", "；".join(f"{r.label}“{r.name}”" for r in candidates[:5])),
                    ],
                },
            )
        )
