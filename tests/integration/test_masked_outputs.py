"""No masked output gives an ID number away (issue 20 §1).

A masked ID shows its first 6 and last 4 characters; the 8 hidden digits are the birth date. Knowing
the child's grade, about a year of birth dates remains, and the check character keeps about one in
eleven: roughly 30 IDs. Each masked writer is fed generated students; for each child, everything the
file shows about them (every row or page that names them: visible ID characters, birth dates and
months, other IDs of the same person with their check characters) is turned into the IDs still
possible, and that count must never be below what the usual mask leaves for the grade alone."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from aidoffice.db.engine import Database
from aidoffice.db.models import ListEntry, ListSnapshot
from aidoffice.domain.idnumber import make_id
from aidoffice.exporting import roster, roster_export
from aidoffice.exporting.ledger import export_school_ledger
from aidoffice.importing.lists import derive_memberships
from aidoffice.ledgers.school import require_school, setup_school
from aidoffice.ledgers.students import StudentInput, add_student
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.notice import produce_notice
from aidoffice.publicity.pack import make_pack
from aidoffice.reconcile.service import run_reconcile
from aidoffice.safety.auditlog import AuditFilter, export_audit

TODAY = date(2026, 11, 22)
TERM = "2026-2027-1"
LIVING = "义务教育家庭经济困难学生生活补助"
NAMES = ["赵一鸣", "钱二宝", "孙三立", "李四海", "周五洲", "吴六合", "郑七星", "王八方"]
REGIONS = ["130624", "130681", "532128"]
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(body: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, _W, strict=True)) % 11]


def grade_window(grade: int) -> list[date]:
    """Birth dates of a child in `grade` (1–9) in the 2026–2027 school year: 1 Sep to 31 Aug."""
    first, last = date(2020 - grade, 9, 1), date(2021 - grade, 8, 31)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class Child:
    name: str
    grade: int
    birth: date
    region: str
    seq: int
    slip_in_birth: bool = False

    @property
    def slip(self) -> str:
        """The ID as an outside list mistyped it: the last birth digit or a sequence digit off."""
        if self.slip_in_birth:
            day = self.birth + timedelta(days=1 if self.birth.day % 10 != 9 else -1)
            return make_id(self.region, day, self.seq)
        return make_id(self.region, self.birth, (self.seq + 5) % 1000 or 7)

    @property
    def id_number(self) -> str:
        return make_id(self.region, self.birth, self.seq)


_TOKEN = re.compile(r"[0-9*]{17}[0-9Xx*]")
_DATES = (
    re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
)
_MONTHS = (re.compile(r"(\d{4})-(\d{2})(?!-\d)"), re.compile(r"(\d{4})年(\d{1,2})月(?!\d)"))


def possible_ids(child: Child, shown: str) -> int:
    """The IDs of a child of this grade consistent with `shown` (all the text naming the child)."""
    true = child.id_number
    window = grade_window(child.grade)
    tokens = [t.upper() for t in _TOKEN.findall(shown)]
    # the child's own ID, masked however (a typo of it differing in a shown digit adds nothing: its
    # check character follows from the child's); digits named in words: 第12位不同（3 / 8）
    mine = [
        t
        for t in tokens
        if t[:6] == true[:6] and all(a in "*" or a == b for a, b in zip(t, true, strict=True))
    ]
    named = [(int(p) - 1, x + y) for p, x, y in re.findall(r"第(\d+)位不同（(\d) / (\d)）", shown)]
    named += [(int(p) - 1, x) for p, x, _y in re.findall(r"第(\d+)、\d+位颠倒（(\d)\d / (\d)\d）", shown)]
    in_window = set(window)
    dates = set()
    for pattern in _DATES:
        for y, m, d in pattern.findall(shown):
            try:
                day = date(int(y), int(m), int(d))
            except ValueError:
                continue
            if day in in_window:
                dates.add(day)
    months = {(int(y), int(m)) for p in _MONTHS for y, m in p.findall(shown)}
    months &= {(d.year, d.month) for d in window}
    count = 0
    for day in window:
        body = true[:6] + f"{day:%Y%m%d}" + true[14:17]
        candidate = body + check_char(body)
        if any(any(a != "*" and a != b for a, b in zip(t, candidate, strict=True)) for t in mine):
            continue
        if dates and day not in dates:
            continue
        if months and (day.year, day.month) not in months:
            continue
        if any(candidate[i] not in digits for i, digits in named):
            continue
        count += 1
    return count


def usual_mask(child: Child) -> int:
    true = child.id_number
    return possible_ids(child, true[:6] + "*" * 8 + true[14:])


def records_of_workbook(path: Path) -> list[str]:
    return [
        " ".join(str(v) for v in row if v is not None)
        for ws in load_workbook(path)
        for row in ws.iter_rows(values_only=True)
    ]


def records_of_pdf(path: Path) -> list[str]:
    """Each page's text, as pdftotext reads it (a page per record: a letter names one child)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")


def assert_no_child_narrowed(
    children: list[Child], records: list[str], what: str, every: bool = False
) -> None:
    """`every`: each child must be in the output (so the check looked at something)."""
    for child in children:
        shown = "\n".join(r for r in records if child.name in r)
        assert shown or not every, f"{what}：没有 {child.name}"
        left, usual = possible_ids(child, shown), usual_mask(child)
        assert left >= usual, f"{what}：{child.name} 的证件号只剩 {left} 个可能（通常打码留 {usual} 个）"


def test_the_counting_itself_sees_a_birth_date_a_month_and_a_second_check_character():
    """The yardstick: the usual mask leaves about 30; beside the birth date 1, beside the month a few,
    beside a birth-date digit of a typo a few."""
    c = Child("赵一鸣", 7, date(2014, 3, 16), "130624", 123)
    masked = c.id_number[:6] + "*" * 8 + c.id_number[14:]
    assert 20 <= usual_mask(c) <= 45
    assert possible_ids(c, f"{masked} 出生 2014-03-16") == 1
    assert possible_ids(c, f"{masked} 2014-03") <= 6
    assert possible_ids(c, f"{masked} 第12位不同（3 / 8）") < usual_mask(c) / 2
    assert possible_ids(c, f"{masked} 第15位不同（1 / 6）") == usual_mask(c)  # a digit it shows anyway


children_strategy = st.lists(
    st.tuples(
        st.sampled_from(NAMES),
        st.integers(1, 9),
        st.integers(0, 364),
        st.sampled_from(REGIONS),
        st.integers(1, 899),
        st.booleans(),  # the list's slip: in the birth digits (True) or in the sequence
    ),
    min_size=2,
    max_size=4,
    unique_by=(lambda t: t[0], lambda t: (t[1], t[2], t[3], t[4])),  # one name, one ID per child
)


def _children(raw) -> list[Child]:
    out = []
    for name, grade, day, region, seq, in_birth in raw:
        window = grade_window(grade)
        out.append(Child(name, grade, window[min(day, len(window) - 1)], region, seq, in_birth))
    return out


def _plant(db: Database, children: list[Child]) -> None:
    with db.unit_of_work(actor="资助专干") as s:
        setup_school(s, "测试县第一中学", "3130624999", "测试县")
        school = require_school(s)
        for c in children:
            add_student(
                s,
                school.id,
                StudentInput(
                    name=c.name,
                    id_number=c.id_number,
                    grade=c.grade,
                    class_name="1班",
                    roster_groups={"poverty_exited"},  # aided this term: on the aid letters and notice
                    bank_name="农村信用社",
                    bank_account=f"62284800000{c.seq:08d}",
                ),
                today=TODAY,
            )
        # the poverty office lists each child with its birth date and an ID one digit off
        snap = ListSnapshot(source_label="乡村振兴局", list_kind="poverty", file_name="名单.xlsx",
                            known_on=date(2026, 9, 15), imported_at=datetime(2026, 10, 1), actor="资助专干",
                            rows=len(children), fingerprint="x")  # fmt: skip
        s.add(snap)
        s.flush()
        for n, c in enumerate(children, 3):
            slip = c.slip
            s.add(ListEntry(snapshot_id=snap.id, row=n, person_key=slip, id_number=slip, name=c.name,
                            birth_date=c.birth, group_code="poverty_exited", status="继续享受政策",
                            active=True))  # fmt: skip
        s.flush()
        derive_memberships(s, "乡村振兴局")


@pytest.mark.today("2026-11-22")
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=children_strategy)
def test_no_masked_writer_narrows_a_childs_id_below_the_usual_mask(raw, sqlite_template):
    children = _children(raw)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(sqlite_template, folder / "t.db")
        db = Database(str(folder / "t.db"))
        try:
            _plant(db, children)
            with db.unit_of_work(actor="资助专干") as s:
                export_school_ledger(s, folder / "ledger.xlsx", mask=True)
            assert_no_child_narrowed(
                children, records_of_workbook(folder / "ledger.xlsx"), "学籍台账（打码）"
            )
            with db.unit_of_work(actor="资助专干") as s:
                run_reconcile(s, TERM, out=folder / "problems.xlsx", today=TODAY)
            problems = records_of_workbook(folder / "problems.xlsx")
            assert any("疑似" in r or "抄错" in r for r in problems)  # the typo pairs are in it
            assert_no_child_narrowed(children, problems, "问题清单", True)
            with db.unit_of_work(actor="资助专干") as s:
                export_audit(s, AuditFilter(), folder / "audit.xlsx")
            assert_no_child_narrowed(
                children, records_of_workbook(folder / "audit.xlsx"), "操作记录导出", True
            )
            with db.unit_of_work(actor="资助专干") as s:
                proposal = roster.propose(s, LIVING, TERM, today=TODAY)
                roster.confirm(s, proposal)
                roster_export.export_roster(s, proposal, None, report=folder / "check.xlsx", today=TODAY)
            assert_no_child_narrowed(children, records_of_workbook(folder / "check.xlsx"), "花名册检查结果")
            if not shutil.which("pdftotext"):
                return  # the PDFs are read by tests/letters_world.py's tools (poppler-utils)
            with db.unit_of_work(actor="资助专干") as s:
                produce_letters(s, "policy", folder / "policy.pdf", term=TERM)
                produce_letters(s, "aid", folder / "aid.pdf", term=TERM)
                produce_notice(s, folder / "notice.pdf", term=TERM)
                make_pack(s, folder / "pack.zip", term=TERM)
            for name, what in (
                ("policy.pdf", "政策告知书"),
                ("aid.pdf", "受助告知书"),
                ("notice.pdf", "公示"),
            ):
                assert_no_child_narrowed(children, records_of_pdf(folder / name), what, True)
            with zipfile.ZipFile(folder / "pack.zip") as pack:
                for member in pack.namelist():
                    target = folder / "pack" / f"{len(member)}-{Path(member).name}"
                    target.parent.mkdir(exist_ok=True)
                    target.write_bytes(pack.read(member))
                    if target.suffix == ".pdf":
                        records = records_of_pdf(target)
                    elif target.suffix == ".xlsx":
                        records = records_of_workbook(target)
                    else:
                        records = target.read_text("utf-8", errors="replace").splitlines()
                    assert_no_child_narrowed(children, records, f"迎检材料包 {member}")
        finally:
            db.dispose()
