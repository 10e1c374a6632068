"""Importing a 学籍 system export into the student ledger.

Students are matched by ID number, else by 全国学籍号. New ones are created, changed ones updated
(each change goes through the ORM, so the audit trail holds every before/after), unchanged ones are
left alone, and enrolled students the file no longer lists are reported as 可能已转出, never deleted.
A blank cell never erases what the ledger knows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice.db.audit import record
from aidoffice.db.bulk import insert_many
from aidoffice.db.models import (
    STATUS_NAMES,
    GroupMembership,
    HouseholdMember,
    SourceKind,
    Student,
    StudentStatus,
)
from aidoffice.domain.grades import make_grade
from aidoffice.domain.idnumber import (
    id_from_student_no,
    is_first_generation,
    normalize_student_no,
    same_person_15_18,
)
from aidoffice.domain.pinyin import initials_key, name_keys, pinyin_key, sort_key
from aidoffice.domain.text import shorten
from aidoffice.errors import SchoolCodeMismatch
from aidoffice.importing.report import Action, ImportReport, Missing, Outcome, Repeats
from aidoffice.importing.rows import DataRow
from aidoffice.ledgers.places import Placer, VillageFinder, guess_county
from aidoffice.ledgers.school import require_school
from aidoffice.ledgers.students import (
    ROSTER_LABEL,
    check_student_values,
    rekey_student,
    roster_membership,
)
from aidoffice.messages import id_recovered_from_student_no, id_stored_as_number, id_upgraded_from_student_no
from aidoffice.sheets.cleaning import (
    CleaningError,
    parse_boarding,
    parse_date,
    parse_month,
    parse_sex,
    parse_yes_no,
    read_id_cell,
    text,
    zeros_hint,
)
from aidoffice.sheets.headers import field_label

FLAG_GROUPS = {"left_behind": "left_behind", "migrant": "migrant", "orphan": "orphan", "disabled": "disabled"}
# Problems that do not keep a student out of the ledger: the value is dropped with a warning.
_SOFT = {"监护人联系电话": "guardian_phone", "银行卡号": "bank_account", "入学年月": "enrolled_on"}
_STATUS_WORDS = [
    (("休学",), StudentStatus.SUSPENDED),
    (("转出", "转学", "转走"), StudentStatus.TRANSFERRED_OUT),
    (("辍学", "流失", "失学"), StudentStatus.DROPPED_OUT),
    (("毕业", "结业"), StudentStatus.GRADUATED),
    (("在读", "在校", "在籍", "正常", "复学"), StudentStatus.ENROLLED),
]
COMPARED = (
    "name", "id_type", "id_number", "student_no", "sex", "birth_date", "ethnicity", "grade", "stage",
    "class_name", "boarding", "enrolled_on", "hukou_address", "hukou_township", "hukou_village",
    "current_address", "guardian_name", "guardian_relation", "guardian_phone", "bank_name", "bank_account",
    "notes", "status",
)  # fmt: skip
_LABELS = {"stage": "学段", "status": "学生状态", "id_type": "身份证件类型"}


@dataclass
class _Row:
    outcome: Outcome
    values: dict[str, Any]
    flags: dict[str, bool]  # group code → yes/no, only for flag columns present
    match_id: int | None = None
    school_code: str = ""  # 学校标识码 as the row gives it


@dataclass
class StudentsPlan:
    """What importing a 学籍 export writes."""

    today: date
    new: list[dict[str, Any]] = field(default_factory=list)
    new_flags: list[tuple[str, str]] = field(default_factory=list)  # (person_key, group)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)  # student id → column → new value
    flag_changes: dict[int, dict[str, bool]] = field(default_factory=dict)
    old_keys: dict[int, str] = field(default_factory=dict)  # student id → person_key before the import
    # where each student is registered: person_key (new) / student id (existing) → (乡镇, 村) of the
    # school's county, or None (another county, or a place that could not be split)
    new_places: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    places: dict[int, tuple[str, str] | None] = field(default_factory=dict)


def _parse_status(value: Any) -> StudentStatus | None:
    s = text(value)
    if not s:
        return None
    for words, status in _STATUS_WORDS:
        if any(w in s for w in words):
            return status
    raise CleaningError(f"“{shorten(s)}”不是可识别的学生状态（在读、休学、转出、辍学、毕业）")


def _show(name: str, value: Any) -> str:
    if value is None or value == "":
        return "空"
    if name == "grade":
        return make_grade(value).name if value <= 12 else str(value)
    if name == "boarding":
        return "住校" if value else "走读"
    if name == "status":
        return STATUS_NAMES[value]
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _label(name: str) -> str:
    return _LABELS.get(name) or field_label(name)


def _id_type(value: Any) -> str:
    s = text(value)
    return "居民身份证" if s in ("", "身份证", "居民身份证", "二代身份证", "居民身份证号") else s


class _Memo(dict):
    """Clean each distinct cell value once: a 学籍 export repeats its grades, classes, dates and
    addresses thousands of times. A value that cannot be read is kept as its CleaningError."""

    def __init__(self, fn):  # type: ignore[no-untyped-def]
        super().__init__()
        self.fn = fn

    def __missing__(self, value: Any) -> Any:
        try:
            result = self.fn(value)
        except CleaningError as exc:
            result = exc
        self[value] = result
        return result


# cells taken as text, blank → None
_TEXT_FIELDS = (
    "name", "ethnicity", "grade", "class_name", "hukou_address", "hukou_township", "hukou_village",
    "current_address", "guardian_name", "guardian_relation", "guardian_phone", "bank_name", "bank_account", "notes",
)  # fmt: skip


class _Reader:
    """Reads the rows of one file into student values, sharing the cleaning of repeated values."""

    def __init__(self, report: ImportReport, school_code: str | None, today: date):
        self.report, self.school_code, self.today = report, school_code, today
        present = report.layout.fields
        self.text_fields = [f for f in _TEXT_FIELDS if f in present]
        self.flag_columns = [(f, g) for f, g in FLAG_GROUPS.items() if f in present]
        self.text = _Memo(text)
        self.parsers = {
            "sex": _Memo(parse_sex),
            "birth_date": _Memo(parse_date),
            "id_type": _Memo(_id_type),
            "boarding": _Memo(parse_boarding),
            "enrolled_on": _Memo(parse_month),
            "status": _Memo(_parse_status),
        }
        self.flag = _Memo(lambda v: parse_yes_no(v) if text(v) else None)

    def soft(self, row: int, fname: str, memo: _Memo, value: Any) -> Any:
        result = memo[value]
        if result.__class__ is CleaningError:
            self.report.warn(row, field_label(fname), f"{result}，本项未导入")
            return None
        return result

    def read(self, row: DataRow) -> _Row:
        c = row.cells
        t = self.text
        soft = self.soft
        number = row.number
        v: dict[str, Any] = dict.fromkeys(_TEXT_FIELDS)
        for f in self.text_fields:
            v[f] = t[c[f]] or None
        out = row.outcome()
        out.name = v["name"] or ""
        id_number, mangled = read_id_cell(c.get("id_number"))
        student_no = normalize_student_no(c.get("student_no")) or None
        # the ID a G + ID 学籍号 carries, worked out only when the ID cell needs it (parsing every
        # row's twice would cost a fifth of a 学籍 import)
        needed = student_no and (mangled or not id_number or len(id_number) == 15)
        carried = id_from_student_no(student_no) if needed else None
        if mangled:
            if carried:
                self.report.warn(number, "身份证件号", id_recovered_from_student_no(id_number, carried))
                id_number = carried
            else:
                out.refuse(id_stored_as_number(id_number))
                id_number = ""
        elif (
            id_number and carried and is_first_generation(id_number) and same_person_15_18(id_number, carried)
        ):
            self.report.warn(number, "身份证件号", id_upgraded_from_student_no(id_number, carried))
            id_number = carried
        elif not id_number and student_no and not row.problems:
            if carried:
                self.report.warn(
                    number, "身份证件号", f"身份证件号为空，已按全国学籍号 {student_no} 记为 {carried}"
                )
            else:
                self.report.warn(
                    number,
                    "身份证件号",
                    f"身份证件号为空，以全国学籍号 {shorten(student_no)} 作为此学生的标识；"
                    "此学生无法按证件号与其他名单比对，请在学籍系统中补全证件号",
                )
        flags: dict[str, bool] = {}
        for column, group in self.flag_columns:
            value = soft(number, column, self.flag, c[column])
            if value is not None:
                flags[group] = value
        birth = self.parsers["birth_date"][c.get("birth_date")]
        if isinstance(birth, CleaningError):
            out.refuse(f"出生日期：{birth}")
            birth = None
        v["id_number"] = id_number or None
        v["student_no"] = student_no
        v["id_type"] = self.parsers["id_type"][c.get("id_type")]
        v["sex"] = self.parsers["sex"][c.get("sex")]
        v["birth_date"] = birth
        v["boarding"] = soft(number, "boarding", self.parsers["boarding"], c.get("boarding"))
        v["enrolled_on"] = soft(number, "enrolled_on", self.parsers["enrolled_on"], c.get("enrolled_on"))
        problems = check_student_values(v, False, self.today)
        v["status"] = soft(number, "status", self.parsers["status"], c.get("status"))
        for p in problems:
            if p.field in row.named and p.message.startswith("不能为空"):
                continue  # the cell held an Excel error, named already: it is not empty
            if p.field in _SOFT:
                self.report.warn(number, p.field, f"{p.message}，本项未导入")
                v[_SOFT[p.field]] = None
            elif not mangled or p.field != "身份证件号":
                hint = zeros_hint(v.get("id_number") or "") if p.field == "身份证件号" else ""
                out.refuse(f"{p.field}：{p.message}{hint}")
        code = t[c["school_code"]] if "school_code" in c else ""
        values = v
        out.key = values.get("person_key") or ""
        out.name = values.get("name") or out.name
        return _Row(out, values, flags, school_code=code)


def _check_school_code(report: ImportReport, parsed: list[_Row], own: str | None) -> None:
    """No row carries the school's code and most rows carry another: the whole file is another
    school's, or the school's code is set wrong — one message for the file, not a refusal on each row.
    Otherwise the rows of other schools mixed in are refused one by one."""
    if not own:
        return
    codes = Counter(p.school_code for p in parsed if p.school_code)
    if not codes:
        return
    if own not in codes and sum(codes.values()) * 2 >= len(parsed):  # most rows: the file's, not a stray row
        found, rows = codes.most_common(1)[0]
        others = f"等 {len(codes)} 个标识码" if len(codes) > 1 else ""
        raise SchoolCodeMismatch(
            f"文件中的学校标识码是 {shorten(found)}{others}（{rows} 行），与本校设置的学校标识码 {own} 不同，"
            "没有导入任何一行。如果本校的学校标识码填错了，请在“设置”中改正后再导入；"
            "如果这是别的学校的学籍导出，请换用本校的文件。",
            found=found,
            expected=own,
            cli_hint="命令行可用“aidoffice init --school-code "
            f"{found if found.isdigit() and len(found) == 10 else '10位标识码'}”改正本校的学校标识码。",
            file=report.file,
            sheet=report.sheet,
        )
    strays = [p for p in parsed if p.school_code and p.school_code != own]
    for p in strays:
        p.outcome.refuse(f"学校标识码为 {shorten(p.school_code)}，不是本校（{own}）的学生")
    if strays:  # one line for the file as well: what the rows are, and what to do
        others = Counter(p.school_code for p in strays)
        named = "、".join(shorten(c) for c, _n in others.most_common(3)) + (" 等" if len(others) > 3 else "")
        rows = "、".join(str(p.outcome.row) for p in strays[:10]) + (" 等" if len(strays) > 10 else "")
        report.notes.append(
            f"{len(strays)} 行的学校标识码（{named}）不是本校的 {own}，这些行未导入（第 {rows} 行）："
            "多为转出学生留在导出中的记录，或别校的行混入了文件；本校学生请在学籍系统中核对其学校标识码。"
        )


_LEAVING = (StudentStatus.TRANSFERRED_OUT, StudentStatus.DROPPED_OUT, StudentStatus.GRADUATED)


def _mark_duplicates(report: ImportReport, rows: list[_Row], ledger_class: dict[str, tuple]) -> None:
    """The same ID (or student number) on several rows of one file — a transfer left two records in
    the 学籍 system: the child is kept. The row still in school wins, then the row in the class the
    ledger has, then the later one; the others are left out and the kept row warns, naming them all."""
    by_id = Repeats("身份证件号", reasons=("学生状态为在读", "与台账中的班级相符"))
    by_no = Repeats("全国学籍号", reasons=("学生状态为在读", "与台账中的班级相符"))
    ranks: dict[int, tuple[bool, bool]] = {}
    for r in rows:
        v = r.values
        id_number = v.get("id_number")
        where = ledger_class.get(id_number or "") or ledger_class.get(v.get("student_no") or "")
        ranks[id(r)] = (
            v.get("status") not in _LEAVING,
            where is not None and where == (v.get("grade"), v.get("class_name")),
        )
        if id_number is not None:
            by_id.add(id_number, r.outcome, r, matches=ranks[id(r)])
    by_id.settle(report, "身份证件号")
    repeated = {key for key, entries in by_id.rows.items() if len(entries) > 1}  # settled already
    for r in rows:
        id_number, student_no = r.values.get("id_number"), r.values.get("student_no")
        if student_no is None or id_number in repeated:
            continue
        if id_number is None or not id_number.startswith(student_no[1:]):
            by_no.add(student_no, r.outcome, r, matches=ranks[id(r)])
    by_no.settle(report, "全国学籍号")


def plan_students(session: Session, report: ImportReport, rows: Iterable[DataRow], today: date) -> None:
    school = require_school(session)
    present = set(report.layout.fields)
    reader = _Reader(report, school.code, today)
    parsed = [reader.read(r) for r in rows]
    _check_school_code(report, parsed, school.code)

    cols = [getattr(Student, n) for n in COMPARED]
    existing: dict[int, dict[str, Any]] = {}
    by_id: dict[str, int] = {}
    by_no: dict[str, int] = {}
    by_key: dict[str, int] = {}
    session.flush()
    names = ["id", "person_key", "village_id", *COMPARED]
    # read as plain rows on the session's connection: the ORM's loading adds a third to 20,000 rows
    for values in session.connection().execute(
        select(Student.id, Student.person_key, Student.village_id, *cols)
    ):
        rec = existing[values[0]] = dict(zip(names, values, strict=True))
        if rec["id_number"]:
            by_id[rec["id_number"]] = rec["id"]
        if rec["student_no"]:
            by_no[rec["student_no"]] = rec["id"]
        by_key[rec["person_key"]] = rec["id"]
    ledger_class = {
        key: (rec["grade"], rec["class_name"])
        for rec in existing.values()
        for key in (rec["id_number"], rec["student_no"])
        if key
    }
    _mark_duplicates(report, [p for p in parsed if p.values.get("person_key")], ledger_class)
    flags_now: dict[str, set[str]] = {}
    flag_columns = {FLAG_GROUPS[f] for f in FLAG_GROUPS if f in present}
    if flag_columns:
        for key, group in session.execute(
            select(GroupMembership.person_key, GroupMembership.group_code).where(
                GroupMembership.source_kind == SourceKind.ROSTER, GroupMembership.group_code.in_(flag_columns)
            )
        ):
            flags_now.setdefault(key, set()).add(group)

    compared = [n for n in COMPARED if n in present] + ["id_number", "student_no"]
    if "grade" in present:
        compared.append("stage")
    payload = StudentsPlan(today)
    placing = _Placing(session, report, school.county, parsed, present)
    if placing.active:
        compared += [n for n in ("hukou_township", "hukou_village") if n not in compared]
    matched: dict[int, int] = {}  # student id → file row
    school_id = school.id
    for r in parsed:
        v, out = r.values, r.outcome
        m1 = by_id.get(v.get("id_number") or "")
        m2 = by_no.get(v.get("student_no") or "")
        if m1 and m2 and m1 != m2:
            out.refuse(
                f"证件号属于台账中的“{existing[m1]['name']}”，学籍号却属于“{existing[m2]['name']}”，请核对"
            )
        match = m1 or m2 or by_key.get(v.get("person_key") or "")
        if match is not None and out.action is not Action.REFUSED:
            if match in matched:
                out.refuse(f"与第 {matched[match]} 行对应台账中的同一名学生，请删去重复的一行")
            matched.setdefault(match, out.row)
        if out.action is Action.REFUSED:
            continue
        place = placing.place(out.row, v) if placing.active else None
        if match is None:
            if placing.active:
                payload.new_places[v["person_key"]] = place
            row = v  # the values read become the row inserted: no second dict per new student
            for n in COMPARED:
                row.setdefault(n, None)
            row.update(
                school_id=school_id,
                person_key=v["person_key"],
                boarding=bool(v.get("boarding")),
                status=v.get("status") or StudentStatus.ENROLLED,
                id_type=v.get("id_type") or "居民身份证",
            )
            payload.new.append(row)
            payload.new_flags.extend((v["person_key"], g) for g, yes in r.flags.items() if yes)
            continue
        old = existing[match]
        changes = {}
        for n in compared:
            new = v.get(n)
            if new is not None and new != old[n]:
                changes[n] = new
        for n in ("birth_date", "sex"):
            if n not in compared and old[n] is None and v.get(n) is not None:
                changes[n] = v[n]
        if "id_number" in changes or "student_no" in changes:
            changes["person_key"] = v["person_key"]
        if placing.active and match not in placing.in_households:
            known = placing.finder.find(*place) if place is not None else None
            if (place is not None and known is None) or known != old["village_id"]:
                payload.places[match] = place
        old_flags = flags_now.get(old["person_key"], set())
        flag_changes = {g: yes for g, yes in r.flags.items() if yes != (g in old_flags)}
        if not changes and not flag_changes:
            out.action = Action.UNCHANGED
            continue
        out.action = Action.UPDATED
        out.changes = [
            f"{_label(n)}：{_show(n, old[n])} → {_show(n, new)}"
            for n, new in changes.items()
            if n != "person_key"
        ]
        out.changes += [
            f"{field_label(_flag_field(g))}：{'否 → 是' if yes else '是 → 否'}"
            for g, yes in flag_changes.items()
        ]
        if changes:
            payload.updates[match] = changes
        if flag_changes:
            payload.flag_changes[match] = flag_changes
        if old["status"] is not StudentStatus.ENROLLED and "status" not in present:
            report.warn(
                out.row, "学生状态", f"台账中为“{STATUS_NAMES[old['status']]}”，但仍在本次学籍导出中，请核实"
            )
    placing.finish()
    report.outcomes = [p.outcome for p in parsed]
    payload.old_keys = {i: existing[i]["person_key"] for i in payload.updates}
    report.plan = payload
    _find_missing(report, parsed, existing, set(matched))


class _Placing:
    """Where each row's student is registered: 户籍乡镇 + 户籍村 when the file has them, else the
    户口所在地 split into 乡镇 and 村 of the school's county. What cannot be placed is reported by row;
    a place in another county is kept as text and counted as 外县户籍."""

    def __init__(
        self,
        session: Session,
        report: ImportReport,
        county: str | None,
        parsed: list[_Row],
        present: set[str],
    ):
        self.report = report
        self.columns = "hukou_township" in present and "hukou_village" in present
        self.active = self.columns or "hukou_address" in present
        self.foreign: list[tuple[int, str]] = []
        self.in_households: set[int] = set()
        if not self.active:
            return
        if not county:
            county = guess_county(p.values.get("hukou_address") for p in parsed)
            if county:
                report.notes.append(
                    f"学校尚未设置所在县，暂按户口所在地中最多的“{county}”划分本县各村；请在“设置”中填写所在县"
                )
        self.placer = Placer(session, county)
        self.finder = VillageFinder(session)
        self.in_households = set(
            session.scalars(select(HouseholdMember.student_id).where(HouseholdMember.student_id.is_not(None)))
        )

    def place(self, row: int, v: dict[str, Any]) -> tuple[str, str] | None:
        town, village, address = v.get("hukou_township"), v.get("hukou_village"), v.get("hukou_address")
        if town and village:
            place = self.placer.columns(town, village)
            where = "户籍乡镇、户籍村"
        else:
            place = self.placer.place(address or town or village)
            where = "户口所在地"
        if place.inside:
            v["hukou_township"] = v.get("hukou_township") or place.township
            v["hukou_village"] = v.get("hukou_village") or place.village
            return (place.township, place.village)  # type: ignore[return-value]
        if place.foreign:
            self.foreign.append((row, place.county or ""))
        elif place.text:
            self.report.warn(
                row,
                where,
                f"{place.why_not()}；此学生暂不计入任何村。请在学籍系统中补全，或在学生信息中填写户籍乡镇、户籍村",
            )
        return None

    def finish(self) -> None:
        if self.foreign:
            rows = "、".join(str(r) for r, _ in self.foreign[:20]) + ("等" if len(self.foreign) > 20 else "")
            counties = "、".join(dict.fromkeys(c for _, c in self.foreign if c))
            self.report.notes.append(
                f"{len(self.foreign)} 名学生户籍在外县（{counties}；第 {rows} 行），按外县户籍（随迁）保留户口所在地原文，"
                "不计入本县任何村"
            )


def _flag_field(group: str) -> str:
    return next(f for f, g in FLAG_GROUPS.items() if g == group)


def _find_missing(
    report: ImportReport, parsed: list[_Row], existing: dict[int, dict], matched: set[int]
) -> None:
    grades = {p.values["grade"] for p in parsed if isinstance(p.values.get("grade"), int)}
    if not grades:
        return
    enrolled = [s for i, s in existing.items() if i not in matched and s["status"] is StudentStatus.ENROLLED]
    ledger_grades = {s["grade"] for s in existing.values() if s["status"] is StudentStatus.ENROLLED}
    if ledger_grades - grades and len(grades) < len(ledger_grades):
        names = "、".join(make_grade(g).name for g in sorted(grades))
        report.notes.append(f"本文件只包含{names}，只在这些年级中查找“可能已转出”的学生")
        enrolled = [s for s in enrolled if s["grade"] in grades]
    for s in sorted(enrolled, key=lambda s: (s["grade"], s["class_name"], s["name"])):
        report.missing.append(
            Missing(
                key=s["person_key"],
                name=s["name"],
                where=f"{make_grade(s['grade'], s['stage'] == 'vocational').name}{s['class_name']}",
                note="台账中在读，但本次学籍导出中没有；如已转出，请在学籍台账中办理转出",
            )
        )


def apply_students(session: Session, report: ImportReport[StudentsPlan], batch_id: int | None) -> None:
    payload = report.plan
    assert payload is not None
    today, old_keys = payload.today, payload.old_keys
    finder = VillageFinder(session) if payload.new_places or payload.places else None

    def village_of(pair: tuple[str, str] | None) -> int | None:
        return finder.get_or_create(*pair) if pair is not None and finder is not None else None

    if payload.new:
        keys: dict[str, tuple[str, str, str]] = {}  # name → its pinyin keys, read once per distinct name
        villages: dict[tuple[str, str] | None, int | None] = {}
        new_places = payload.new_places
        for row in payload.new:
            place = new_places.get(row["person_key"])
            village_id = villages.get(place, -1)
            if village_id == -1:
                village_id = villages[place] = village_of(place)
            row["village_id"] = village_id
            name = row["name"]
            name_keys_ = keys.get(name)
            if name_keys_ is None:
                name_keys_ = keys[name] = name_keys(name)
            row["name_pinyin"], row["name_initials"], row["name_sort"] = name_keys_
            row["batch_id"] = batch_id
        # the ORM's bulk path costs three times as much at 20,000 rows; the audit entry its hook would
        # write is written here instead
        insert_many(session, Student.__table__, payload.new)
        record(
            session,
            "bulk_insert",
            "student",
            f"{report.kind_label}新增 {len(payload.new)} 名学生：{report.file}",
            {"rows": len(payload.new)},
        )
    if payload.new_flags:
        # past the ORM's bulk path too (a third of a second for 7,000 flags); the entry its hook
        # would write (one bulk_insert, the import's note) is written here
        insert_many(
            session,
            GroupMembership.__table__,
            [
                {
                    "person_key": key,
                    "group_code": group,
                    "source_kind": SourceKind.ROSTER,
                    "source_label": ROSTER_LABEL,
                    "known_on": today,
                    "status": None,
                    "active": True,
                    "batch_id": batch_id,
                }
                for key, group in payload.new_flags
            ],
        )
        record(
            session,
            "bulk_insert",
            GroupMembership.__tablename__,
            session.info.get("audit_note") or f"{len(payload.new_flags)} 条",
            {"rows": len(payload.new_flags)},
        )
    ids = sorted(set(payload.updates) | set(payload.flag_changes) | set(payload.places))
    for chunk in _chunks(ids, 500):
        for student in session.scalars(select(Student).where(Student.id.in_(chunk))):
            if student.id in payload.places:
                village_id = village_of(payload.places[student.id])
                if student.village_id != village_id:
                    student.village_id = village_id
            changes = payload.updates.get(student.id, {})
            for name, value in changes.items():
                setattr(student, name, value)
            if "name" in changes:
                student.name_pinyin = pinyin_key(student.name)
                student.name_initials = initials_key(student.name)
                student.name_sort = sort_key(student.name)
            if "person_key" in changes:
                rekey_student(session, student, old_keys[student.id])
            for group, yes in payload.flag_changes.get(student.id, {}).items():
                _set_flag(session, student.person_key, group, yes, today, batch_id)
    session.flush()


def _set_flag(session: Session, key: str, group: str, yes: bool, today: date, batch_id: int | None) -> None:
    current = session.scalars(
        select(GroupMembership).where(
            GroupMembership.person_key == key,
            GroupMembership.group_code == group,
            GroupMembership.source_kind == SourceKind.ROSTER,
        )
    ).first()
    if yes and current is None:
        membership = roster_membership(key, group, today)
        membership.batch_id = batch_id
        session.add(membership)
    elif not yes and current is not None:
        session.delete(current)


def _chunks(items: list, size: int):  # type: ignore[no-untyped-def]
    for i in range(0, len(items), size):
        yield items[i : i + size]
