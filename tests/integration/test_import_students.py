"""Importing a 学籍 export as the office receives it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from aidoffice.db.models import AuditEntry, GroupMembership, SourceKind, Student, StudentStatus
from aidoffice.errors import InputRefused
from aidoffice.importing.report import Action
from aidoffice.importing.service import ImportOptions, plan_import, run_import
from tests.sheets import (
    ENROLLMENT_HEADER,
    POVERTY_HEADER,
    enrollment_rows,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

CODE = "3130624999"
TODAY = date(2026, 11, 22)
H = {name: i for i, name in enumerate(ENROLLMENT_HEADER)}


def rows(n: int = 10, seed: int = 7) -> list[list]:
    return enrollment_rows(n, seed=seed, school_code=CODE)


def do_import(db, path, dry_run=False, **kw):
    with db.unit_of_work(actor="资助专干") as s:
        return run_import(s, path, ImportOptions(kind="students", today=TODAY, **kw), dry_run=dry_run)


def count(db, model=Student) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_dirty_export_is_read_with_excel_row_numbers_and_reasons(school_db, tmp_path):
    """Real exports carry titles, repeated headers and bad cells; each refusal must cite the Excel row and why."""
    data = rows(12)
    data[1][H["身份证件号"]] = float(data[1][H["身份证件号"]][:15] + "000")  # mangled, 学籍号 carries the ID
    good_id = data[1][H["全国学籍号"]][1:]
    data[2][H["身份证件号"]] = float(data[2][H["身份证件号"]][:15] + "000")  # mangled, no way back
    data[2][H["全国学籍号"]] = ""
    bad = data[3][H["身份证件号"]]
    data[3][H["身份证件号"]] = bad[:17] + ("1" if bad[17] != "1" else "2")  # wrong check digit
    data[4][H["出生日期"]] = "2000-01-01"  # disagrees with the ID
    data[5][H["性别"]] = "女" if data[5][H["性别"]] == "男" else "男"
    data[6][H["身份证件号"]], data[6][H["全国学籍号"]] = data[0][H["身份证件号"]], data[0][H["全国学籍号"]]
    data[6][H["出生日期"]], data[6][H["性别"]] = data[0][H["出生日期"]], data[0][H["性别"]]
    clean7 = data[7][H["身份证件号"]]
    data[7][H["身份证件号"]] = (
        " " + data[7][H["身份证件号"]].lower().replace("1", "１", 1) + " "
    )  # full-width, spaces
    data[8][H["性别"]] = ""  # sex from the ID
    data[9][H["出生日期"]] = data[9][H["出生日期"]].replace("-", "")  # 20120503
    data[10][H["年级"]] = "初二"
    sheet = [
        ["阜平县城关中学学生名单"],
        ["导出时间：2026-11-20"],
        ENROLLMENT_HEADER,
        *data[:6],
        [None] * 5,
        ENROLLMENT_HEADER,
        *data[6:],
        [None, None, "合计", "12人"],
        ["制表人：王老师", None, None, "审核人："],
    ]
    path = write_xlsx(tmp_path / "学籍.xlsx", sheet)

    report = do_import(school_db, path, dry_run=True)
    by_row = {o.row: o for o in report.outcomes}
    # rows 4..9 are data[0..5]; row 10 blank, row 11 a repeated header, rows 12.. data[6..]
    assert sorted(by_row) == [4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17]
    assert by_row[5].action is Action.NEW
    assert any("已按全国学籍号恢复为 " + good_id in w.reason for w in report.warnings if w.row == 5)
    assert "Excel 存成了数字" in by_row[6].detail and "无法恢复" in by_row[6].detail
    assert "校验位" in by_row[7].detail
    assert "出生日期" in by_row[8].detail and "不一致" in by_row[8].detail
    assert "性别" in by_row[9].detail
    assert "出现了 2 次（第 4、12 行）" in by_row[4].detail and "第 4、12 行" in by_row[12].detail
    for row in (13, 14, 15, 16):
        assert by_row[row].action is Action.NEW, by_row[row].detail
    assert count(school_db) == 0  # a dry run writes nothing

    report = do_import(school_db, path)
    assert report.count(Action.NEW) == 6 and len(report.rejected) == 6
    assert report.layout.header_rows == (2,)
    with school_db.reading() as s:
        s7 = s.scalars(select(Student).where(Student.id_number == clean7)).one()
        assert s7.name == data[7][H["姓名"]]
        s8 = s.scalars(select(Student).where(Student.id_number == data[8][H["身份证件号"]])).one()
        assert s8.sex == ("男" if int(s8.id_number[16]) % 2 else "女")
        s9 = s.scalars(select(Student).where(Student.id_number == data[9][H["身份证件号"]])).one()
        assert (
            s9.birth_date.isoformat()
            == data[0 + 9][H["出生日期"]][:4]
            + "-"
            + data[9][H["出生日期"]][4:6]
            + "-"
            + data[9][H["出生日期"]][6:]
        )
        s10 = s.scalars(select(Student).where(Student.id_number == data[10][H["身份证件号"]])).one()
        assert (s10.grade, s10.stage) == (8, "junior")
        assert s.scalar(select(Student.id).where(Student.id_number == good_id)) is not None


def test_reimporting_the_same_file_changes_nothing(school_db, tmp_path):
    """Clerks import the same file twice; the second time must add no student, flag or audit entry but its own."""
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *rows(30)])
    first = do_import(school_db, path)
    assert first.count(Action.NEW) == 30
    with school_db.reading() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))
        flags_before = s.scalar(select(func.count()).select_from(GroupMembership))
    again = do_import(school_db, path)
    assert again.count(Action.UNCHANGED) == 30 and again.count(Action.NEW) == again.count(Action.UPDATED) == 0
    assert again.missing == []
    with school_db.reading() as s:
        # only the import event itself is recorded
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audit_before + 1
        assert s.scalar(select(func.count()).select_from(GroupMembership)) == flags_before


def test_changes_are_updated_one_by_one_in_the_audit_trail_and_missing_students_are_listed(
    school_db, tmp_path
):
    """A new export updates what changed field by field, never erases with a blank, and lists leavers, never deletes."""
    data = rows(6)
    do_import(school_db, write_xlsx(tmp_path / "秋.xlsx", [ENROLLMENT_HEADER, *data]))
    moved = data[0]
    moved[H["年级"]], moved[H["班级"]] = "八年级", "3班"
    data[1][H["是否留守儿童"]] = "是" if data[1][H["是否留守儿童"]] == "否" else "否"
    data[2][H["监护人联系电话"]] = ""  # a blank never erases
    gone = data.pop(5)
    report = do_import(school_db, write_xlsx(tmp_path / "春.xlsx", [ENROLLMENT_HEADER, *data]))
    by_row = {o.row: o for o in report.outcomes}
    assert by_row[2].action is Action.UPDATED
    assert any(c.startswith("年级：") and "八年级" in c for c in by_row[2].changes)
    assert any(c.startswith("班级：") and "3班" in c for c in by_row[2].changes)
    assert by_row[3].action is Action.UPDATED and "是否留守儿童" in by_row[3].changes[0]
    assert by_row[4].action is Action.UNCHANGED
    assert [m.name for m in report.missing] == [gone[H["姓名"]]]
    with school_db.reading() as s:
        student = s.scalars(select(Student).where(Student.id_number == moved[H["身份证件号"]])).one()
        assert (student.grade, student.class_name) == (8, "3班")
        assert s.scalars(
            select(Student.guardian_phone).where(Student.id_number == data[2][H["身份证件号"]])
        ).one()
        still = s.scalars(select(Student).where(Student.id_number == gone[H["身份证件号"]])).one()
        assert still.status is StudentStatus.ENROLLED  # listed, never deleted
        updates = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.entity == "student")
        ).all()
        assert any(e.before.get("grade") == 7 and e.after.get("grade") == 8 for e in updates)
        assert all(e.actor == "资助专干" for e in updates)
        flagged = s.scalar(
            select(func.count())
            .select_from(GroupMembership)
            .where(
                GroupMembership.person_key == data[1][H["身份证件号"]],
                GroupMembership.group_code == "left_behind",
                GroupMembership.source_kind == SourceKind.ROSTER,
            )
        )
        assert flagged == (1 if data[1][H["是否留守儿童"]] == "是" else 0)


def test_two_level_merged_header_and_synonyms(school_db, tmp_path):
    """A school's own roster with a merged two-level header must import, the guardian never taken for the student."""
    header1 = ["序号", "学生信息", None, None, None, "监护人", None, "学籍信息", None, None]
    header2 = [
        None,
        "学生姓名",
        "性别",
        "公民身份号码",
        "出生年月日",
        "姓名",
        "手机号",
        "年级",
        "班",
        "是否寄宿生",
    ]
    data = rows(3)
    body = [
        [
            i + 1,
            r[H["姓名"]],
            r[H["性别"]],
            r[H["身份证件号"]],
            r[H["出生日期"]],
            "李四",
            "13900001111",
            "7",
            "2",
            "√",
        ]
        for i, r in enumerate(data)
    ]
    path = write_xlsx(
        tmp_path / "两级表头.xlsx",
        [["某某学校在校生花名册"], header1, header2, *body],
        merges=["A1:J1", "A2:A3", "B2:E2", "F2:G2", "H2:J2"],
    )
    report = do_import(school_db, path)
    assert report.count(Action.NEW) == 3, [o.detail for o in report.outcomes]
    with school_db.reading() as s:
        st = s.scalars(select(Student).where(Student.id_number == data[0][H["身份证件号"]])).one()
        assert (st.guardian_name, st.guardian_phone, st.grade, st.class_name, st.boarding) == (
            "李四", "13900001111", 7, "2班", True,
        )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv-gb18030", "csv-utf8-bom", "xls", "ods"])
def test_every_format_the_office_receives(school_db, tmp_path, fmt):
    """The office gets CSV in two encodings, old .xls and WPS .ods; each must import the same students."""
    data = [ENROLLMENT_HEADER, *rows(5)]
    if fmt == "csv-gb18030":
        path = write_csv(tmp_path / "学籍.csv", data, "gb18030")
    elif fmt == "csv-utf8-bom":
        path = write_csv(tmp_path / "学籍.csv", data, "utf-8-sig")
    elif fmt == "xls":
        path = write_xls(tmp_path / "学籍.xls", data)
    else:
        path = write_ods(tmp_path / "学籍.ods", data)
    report = do_import(school_db, path)
    assert report.count(Action.NEW) == 5, [o.detail for o in report.outcomes]
    with school_db.reading() as s:
        names = set(s.scalars(select(Student.name)))
    assert names == {r[H["姓名"]] for r in data[1:]}


def test_formula_cells_are_read_by_their_cached_values(school_db, tmp_path):
    """Lists are often assembled with formulas (=CONCATENATE, =TEXT(…), =VLOOKUP): what the cells
    show is what is imported, in the columns that are imported."""
    data = [["序号", *ENROLLMENT_HEADER], *[[i + 1, *r] for i, r in enumerate(rows(3))]]
    name_col, id_col, grade_col = 1 + H["姓名"], 1 + H["身份证件号"], 1 + H["年级"]
    formulas = {}
    for r in range(1, 4):
        row = data[r]
        surname, given = row[name_col][0], row[name_col][1:]
        formulas[(r, 0)] = (f"[.A{r}]+1", r)
        formulas[(r, name_col)] = (f'CONCATENATE("{surname}";"{given}")', row[name_col])
        formulas[(r, id_col)] = (f'TEXT({row[id_col][:17]};"0")&"{row[id_col][17]}"', row[id_col])
        formulas[(r, grade_col)] = ("VLOOKUP(1;$Sheet2.A1:B3;2;0)", row[grade_col])
    path = write_ods(tmp_path / "公式.ods", data, formulas=formulas)
    report = do_import(school_db, path)
    assert report.count(Action.NEW) == 3, [o.detail for o in report.outcomes]
    with school_db.reading() as s:
        stored = {(x.name, x.id_number, x.grade) for x in s.scalars(select(Student))}
    grades = {"七年级": 7, "八年级": 8, "九年级": 9}
    assert stored == {(r[name_col], r[id_col], grades[r[grade_col]]) for r in data[1:]}


def test_refusals_write_nothing(school_db, tmp_path):
    """A wrong file (Word, no ID column, empty, a poverty list) is refused saying what it is, and writes no student."""
    docx = tmp_path / "学生名单.xlsx"
    import zipfile

    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    no_id = write_xlsx(tmp_path / "无证件号.xlsx", [["姓名", "年级", "班级"], ["张三", "七年级", "1班"]])
    empty = write_xlsx(tmp_path / "空表.xlsx", [[None]])
    poverty = write_xlsx(tmp_path / "脱贫户.xlsx", [POVERTY_HEADER, ["阜平县", "龙泉关镇", "黑崖沟村", "001", "张大山",
                                                                 "户主", "张大山", "130624198001010017", "男",
                                                                 "1980-01-01", "脱贫户", "继续享受政策", "", ""]])  # fmt: skip
    messages = {}
    for path in (docx, no_id, empty, poverty):
        with pytest.raises(InputRefused) as exc:
            do_import(school_db, path)
        messages[path.name] = str(exc.value)
    assert "Word" in messages["学生名单.xlsx"]
    assert "找不到身份证件号列" in messages["无证件号.xlsx"]
    assert "空" in messages["空表.xlsx"]
    # in the GUI's words: the kind's name as the 文件种类 list shows it, no command line
    assert (
        "像是“户籍（村）花名册”" in messages["脱贫户.xlsx"]
        and "不是“学籍系统导出”" in messages["脱贫户.xlsx"]
    )
    assert "在“文件种类”中选择“户籍（村）花名册”" in messages["脱贫户.xlsx"]
    assert "aidoffice" not in messages["脱贫户.xlsx"] and "--" not in messages["脱贫户.xlsx"]
    assert count(school_db) == 0


def test_a_failure_while_writing_leaves_nothing_half_written(school_db, tmp_path, monkeypatch):
    """A crash mid-import must undo every row, or the next import would find half a school already there."""
    from aidoffice.importing import students

    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *rows(20)])

    def broken(session, report, batch_id):
        real(session, report, batch_id)
        raise RuntimeError("disk full")

    real = students.apply_students
    monkeypatch.setitem(
        __import__("aidoffice.importing.service", fromlist=["_APPLY"])._APPLY, "students", broken
    )
    with pytest.raises(RuntimeError):
        do_import(school_db, path)
    assert count(school_db) == 0


def test_unplaced_columns_are_shown_and_a_mapping_is_remembered(school_db, tmp_path):
    """An unknown column is shown to the clerk, and once mapped the next file of that shape is understood."""
    header = ["姓名", "身份证件号", "年级", "班级", "家长手机"]
    data = rows(2)
    body = [[r[H["姓名"]], r[H["身份证件号"]], r[H["年级"]], r[H["班级"]], "13700001111"] for r in data]
    path = write_xlsx(tmp_path / "自制表.xlsx", [header, *body])
    with school_db.reading() as s:
        preview = plan_import(s, path, ImportOptions(kind="students", today=TODAY))
    assert [c.header for c in preview.layout.unplaced] == ["家长手机"]
    assert any("家长手机" in w.reason for w in preview.warnings)
    do_import(school_db, path, mapping={"家长手机": "监护人联系电话"})
    # the next file of the same kind is understood without being told
    path2 = write_xlsx(tmp_path / "自制表2.xlsx", [header, *[[*b[:4], "13700002222"] for b in body]])
    with school_db.reading() as s:
        again = plan_import(s, path2, ImportOptions(kind="students", today=TODAY))
    assert again.layout.unplaced == []
    assert all(o.action is Action.UPDATED for o in again.outcomes)
    assert "13700002222" in again.outcomes[0].changes[0]


def test_a_large_export_crosses_the_write_batches_and_reimports_unchanged(school_db, tmp_path):
    """A whole school is written in several batches; no student may be lost or doubled between them."""
    from tests.sheets import write_fast_xlsx

    path = write_fast_xlsx(
        tmp_path / "全校.xlsx", [["全校学生名单"], ENROLLMENT_HEADER, *rows(6000, seed=11)]
    )
    first = do_import(school_db, path)
    assert first.count(Action.NEW) == 6000 and not first.rejected
    assert count(school_db) == 6000
    again = do_import(school_db, path)
    assert again.count(Action.UNCHANGED) == 6000


def test_a_first_import_leaves_one_trail_entry_per_table_and_searchable_names(school_db, tmp_path):
    """Written in bulk, the import still says in the trail what it added where (students, the roster's
    flags), under its batch, and every new student is found by pinyin and initials and sorted by sound
    as one added through the form would be."""
    from aidoffice.db.models import ImportBatch
    from aidoffice.domain.pinyin import initials_key, pinyin_key, sort_key

    data = rows(40)
    data[1][H["姓名"]] = data[0][H["姓名"]]  # the same name twice: keys shared, not mixed up
    data[2][H["姓名"]] = "单田芳"  # a surname read its own way
    for r in data[:5]:
        r[H["是否留守儿童"]] = "是"
    report = do_import(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]))
    assert report.count(Action.NEW) == 40
    with school_db.reading() as s:
        batch = s.scalars(select(ImportBatch)).one()
        entries = s.scalars(select(AuditEntry).where(AuditEntry.batch_id == batch.id)).all()
        bulk = {e.entity: e for e in entries if e.action == "bulk_insert"}
        assert set(bulk) == {"student", "group_membership"}
        flags = s.scalar(select(func.count()).select_from(GroupMembership))
        assert bulk["student"].after == {"rows": 40} and bulk["group_membership"].after == {"rows": flags}
        assert flags >= 5 and "学籍.xlsx" in bulk["group_membership"].note
        assert all(e.actor == "资助专干" for e in entries)
        stored = s.execute(
            select(Student.name, Student.name_pinyin, Student.name_initials, Student.name_sort)
        )
        for name, full, initials, order in stored:
            assert (full, initials, order) == (pinyin_key(name), initials_key(name), sort_key(name))
        assert s.scalars(select(Student.name_initials).where(Student.name == "单田芳")).one() == "stf"


def test_each_distinct_name_is_read_into_pinyin_once(school_db, tmp_path, monkeypatch):
    """A school's export repeats names (two 张伟 in a grade): the reading is worked out once per name,
    not three times per row (it was a tenth of a 20,000-row import)."""
    from aidoffice.domain import pinyin

    read = []
    real = pinyin._syllables
    monkeypatch.setattr(pinyin, "_syllables", lambda name: read.append(name) or real(name))
    data = rows(60)
    for r in data[30:]:
        r[H["姓名"]] = data[0][H["姓名"]]
    do_import(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]))
    names = {r[H["姓名"]] for r in data}
    assert sorted(read) == sorted(names)


def test_a_row_the_database_refuses_in_a_bulk_write_fails_the_whole_write_as_an_insert_would(
    school_db, tmp_path
):
    """The bulk write (COPY on PostgreSQL, executemany on SQLite) is refused by the database the way a
    plain INSERT is: the same error reaches the clerk in words (a write conflict, nothing written), and
    nothing of the transaction stays."""
    from aidoffice.db.bulk import insert_many
    from aidoffice.db.errors import WriteConflict

    do_import(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *rows(5)]))
    with school_db.reading() as s:
        names = [c.key for c in Student.__table__.columns if c.key != "id"]
        taken = [dict(zip(names, r, strict=True)) for r in s.execute(select(*Student.__table__.c[*names]))]
    fresh = {**taken[0], "person_key": "G130624201001010000", "id_number": None, "student_no": None}
    with pytest.raises(WriteConflict, match="没有写入任何数据"), school_db.unit_of_work() as s:
        insert_many(s, Student.__table__, [fresh, taken[1]])  # the second is in the ledger already
    assert count(school_db) == 5
    with school_db.unit_of_work() as s:
        assert insert_many(s, Student.__table__, [fresh]) == 1
    assert count(school_db) == 6
