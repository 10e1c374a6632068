"""What household lists and outside lists share: one row per person, keyed by the ID number, often
with the household's cells (乡镇, 村, 户编号, 户主) written only on the household's first row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from aidoffice.domain.idnumber import IdProblem, InvalidIdNumber, parse_id
from aidoffice.importing.report import ImportReport, Outcome
from aidoffice.importing.rows import DataRow
from aidoffice.messages import id_problem, id_stored_as_number
from aidoffice.sheets.cleaning import CleaningError, parse_date, parse_sex, read_id_cell, text, zeros_hint

HOUSEHOLD_FIELDS = ("county", "township", "village", "household_no", "head_name", "head_id_number")


def fill_down_households(rows: Iterable[DataRow]) -> Iterator[DataRow]:
    """A row naming neither a household number nor a head belongs to the household above it."""
    last: dict[str, Any] = {}
    for r in rows:
        c = r.cells
        if not any(text(c.get(f)) for f in ("household_no", "head_name")) and last:
            for f in HOUSEHOLD_FIELDS:
                if f in c and not text(c.get(f)):
                    c[f] = last.get(f)
        else:
            last = {f: c.get(f) for f in HOUSEHOLD_FIELDS if f in c}
        yield r


@dataclass
class Person:
    id_number: str
    name: str
    sex: str | None
    birth_date: date | None


def read_person(
    row: DataRow, report: ImportReport, out: Outcome, today: date, *, keep_bad_check: bool = False
) -> Person | None:
    """The person a row names, with their ID checked; None (and the row refused) when it cannot be
    keyed. Disagreements of the sex or birth-date column with the ID are warnings: the list is the
    other office's and the ID decides. `keep_bad_check` (another office's list): a number whose only
    fault is its check character is kept as written, with a warning, so the comparison can set it
    beside the student it was meant for (疑似证件号抄错) instead of the child silently losing the list."""
    c = row.cells
    name = "".join(text(c.get("name")).split())
    out.name = name
    number, mangled = read_id_cell(c.get("id_number"))
    if not name:
        out.refuse("姓名为空")
    if mangled:
        out.refuse(id_stored_as_number(number))
        return None
    if not number:
        if not row.problems:  # an Excel error in the cell was named already
            out.refuse("证件号为空，无法与台账比对")
        return None
    out.key = number
    try:
        info = parse_id(number, today=today)
    except InvalidIdNumber as exc:
        if not (keep_bad_check and exc.problem is IdProblem.CHECK_DIGIT):
            out.refuse(f"证件号{id_problem(exc)}{zeros_hint(number)}")
            return None
        info = parse_id(number, today=today, check=False)
        report.warn(
            row.number,
            "证件号",
            f"{id_problem(exc)}。已按原样导入：比对时会找号码相近的学生，列为“疑似证件号抄错”；请向名单来源核实",
        )
    sex = parse_sex(c.get("sex"))
    if sex and sex != info.sex:
        report.warn(
            row.number, "性别", f"填写的“{sex}”与证件号表示的“{info.sex}”不一致，按证件号记为“{info.sex}”"
        )
    try:
        born = parse_date(c.get("birth_date"))
    except CleaningError as exc:
        report.warn(row.number, "出生日期", f"{exc}，按证件号记为 {info.birth_date:%Y-%m-%d}")
        born = None
    if born and born != info.birth_date:
        report.warn(
            row.number,
            "出生日期",
            f"填写的 {born:%Y-%m-%d} 与证件号中的 {info.birth_date:%Y-%m-%d} 不一致，按证件号记录",
        )
    if not name:
        return None
    return Person(info.number, name, info.sex, info.birth_date)
