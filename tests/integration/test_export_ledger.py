from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.db.models import AuditEntry, Student
from aidoffice.demo import generate
from aidoffice.errors import InputRefused
from aidoffice.exporting.ledger import export_school_ledger, export_village_ledger
from aidoffice.ledgers.school import current_term
from aidoffice.ledgers.villages import village_tree


@pytest.fixture
def demo_db(school_db):
    with school_db.unit_of_work() as s:
        generate(s, 300, today=date(2026, 11, 22))
    return school_db


def test_school_ledger_has_every_student_with_full_ids_as_text(demo_db, tmp_path):
    out = tmp_path / "学籍台账.xlsx"
    with demo_db.unit_of_work(actor="王会计") as s:
        assert export_school_ledger(s, out).rows == 300
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


def test_masked_export_hides_the_middle_of_ids(demo_db, tmp_path):
    out = tmp_path / "masked.xlsx"
    with demo_db.unit_of_work() as s:
        export_school_ledger(s, out, mask=True)
    ws = load_workbook(out).active
    assert ws.cell(row=3, column=4).value[6:14] == "********"


def test_village_ledger_summary_matches_the_tree(demo_db, tmp_path):
    out = tmp_path / "户籍台账.xlsx"
    with demo_db.unit_of_work() as s:
        export_village_ledger(s, out)
        tree = village_tree(s, current_term(s))
    wb = load_workbook(out)
    assert wb.sheetnames == ["村汇总", "学龄儿童"]
    rows = list(wb["村汇总"].iter_rows(min_row=3, values_only=True))
    expected = [
        (t.name, v.name, v.households, v.children, v.in_school, v.priority, v.aided)
        for t in tree
        for v in t.villages
    ]
    assert rows == expected
    children = list(wb["学龄儿童"].iter_rows(min_row=3, values_only=True))
    assert len(children) == sum(v.children for t in tree for v in t.villages)


def test_export_to_a_missing_folder_is_refused_and_writes_nothing(demo_db, tmp_path):
    with pytest.raises(InputRefused, match="不存在"), demo_db.unit_of_work() as s:
        export_school_ledger(s, tmp_path / "nope" / "x.xlsx")
    assert list(tmp_path.rglob("*.xlsx")) == []
