"""The same child on two rows of one file (a transfer left two records in the 学籍 system, a department
sent a child twice): the child is kept — never both rows refused — by one shared rule for every kind of
file: the row that matches the ledger (in school, the ledger's class), else the later one; the kept row
warns, naming both rows. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from aidoffice.db.models import Award, ListEntry, Student, StudentStatus
from aidoffice.importing.report import Action
from aidoffice.importing.service import ImportOptions, run_import
from tests.sheets import ENROLLMENT_HEADER, POVERTY_HEADER, enrollment_rows, write_xlsx

CODE = "3130624999"
TODAY = date(2026, 11, 22)
H = {name: i for i, name in enumerate(ENROLLMENT_HEADER)}


def do_import(db, path, kind="students", **kw):
    with db.unit_of_work(actor="资助专干") as s:
        return run_import(s, path, ImportOptions(kind=kind, today=TODAY, **kw))


def _students(db) -> dict[str, Student]:
    with db.reading() as s:
        return {st.id_number: st for st in s.scalars(select(Student))}


def _transfer(data: list[list], moved: int, grade: str, class_name: str) -> list:
    """A second record of the same child in another class (the old record the transfer left)."""
    twin = list(data[moved])
    twin[H["年级"]], twin[H["班级"]] = grade, class_name
    return twin


def test_a_transfer_left_two_records_the_child_is_kept_in_the_ledgers_class(school_db, tmp_path):
    data = enrollment_rows(4, school_code=CODE)
    data[1][H["年级"]], data[1][H["班级"]] = "七年级", "3班"
    do_import(school_db, write_xlsx(tmp_path / "秋季.xlsx", [ENROLLMENT_HEADER, *data]))
    child = data[1][H["身份证件号"]]
    # the next export lists the child twice: the ledger's class (row 3) and, lower, the old record
    again = [*data, _transfer(data, 1, "七年级", "5班")]
    report = do_import(school_db, write_xlsx(tmp_path / "春季.xlsx", [ENROLLMENT_HEADER, *again]))
    by_row = {o.row: o for o in report.outcomes}
    assert by_row[3].action is Action.UNCHANGED
    assert by_row[6].action is Action.REFUSED and "已按第 3 行导入（与台账中的班级相符）" in by_row[6].detail
    (warning,) = [w for w in report.warnings_by_row[3] if "出现了 2 次" in w.reason]
    assert "第 3、6 行" in warning.reason and "第 6 行未导入" in warning.reason
    students = _students(school_db)
    assert students[child].class_name == "3班" and students[child].status is StudentStatus.ENROLLED
    assert not any(m.key == child for m in report.missing)


def test_without_a_ledger_the_later_row_is_taken_and_a_leaving_record_loses(school_db, tmp_path):
    data = enrollment_rows(3, school_code=CODE)
    later = _transfer(data, 0, "八年级", "2班")
    leaving = _transfer(data, 1, "九年级", "4班")
    leaving[H["学生状态"]] = "转出"  # the old school's record, lower in the file, says the child left
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data, later, leaving])
    report = do_import(school_db, path)
    by_row = {o.row: o for o in report.outcomes}
    assert report.count(Action.NEW) == 3 and [o.row for o in report.rejected] == [2, 6]
    assert "已按第 5 行导入（取位置靠后的一行）" in by_row[2].detail
    assert "已按第 3 行导入（学生状态为在读）" in by_row[6].detail
    students = _students(school_db)
    assert (students[data[0][H["身份证件号"]]].grade, students[data[0][H["身份证件号"]]].class_name) == (
        8,
        "2班",
    )
    assert students[data[1][H["身份证件号"]]].status is StudentStatus.ENROLLED


def test_one_number_with_two_names_is_not_one_child_twice(school_db, tmp_path):
    data = enrollment_rows(3, school_code=CODE)
    other = list(data[2])
    other[H["身份证件号"]], other[H["全国学籍号"]] = data[0][H["身份证件号"]], data[0][H["全国学籍号"]]
    other[H["出生日期"]], other[H["性别"]] = data[0][H["出生日期"]], data[0][H["性别"]]
    other[H["姓名"]] = data[0][H["姓名"]] + "某"
    path = write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data, other])
    report = do_import(school_db, path)
    assert [o.row for o in report.rejected] == [2, 5]
    assert all("姓名却不同" in o.detail for o in report.rejected)


def test_a_list_with_a_child_twice_keeps_the_later_row(school_db, tmp_path):
    child = enrollment_rows(1, school_code=CODE)[0][H["身份证件号"]]
    row = [
        "阜平县",
        "龙泉关镇",
        "黑崖沟村",
        "001",
        "张大山",
        "之子",
        "张小明",
        child,
        "男",
        "2014-03-09",
        "脱贫户",
    ]
    first = [*row, "继续享受政策", "", ""]
    second = [*row, "标注消除", "", ""]
    path = write_xlsx(tmp_path / "脱贫户.xlsx", [POVERTY_HEADER, first, second])
    report = do_import(school_db, path, kind="list", list_kind="poverty")
    assert report.count(Action.NEW) == 1 and [o.row for o in report.rejected] == [2]
    assert any("第 2 行未导入" in w.reason for w in report.warnings_by_row[3])
    with school_db.reading() as s:
        (entry,) = s.scalars(select(ListEntry).where(ListEntry.id_number == child))
        assert entry.status == "标注消除"


def test_an_award_list_with_a_child_twice_keeps_the_row_of_the_ledgers_class(school_db, tmp_path):
    data = enrollment_rows(2, school_code=CODE)
    data[0][H["年级"]], data[0][H["班级"]] = "七年级", "2班"
    do_import(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]))
    header = ["姓名", "身份证件号", "年级", "班级", "资助项目", "学年学期", "金额"]
    name, idn = data[0][H["姓名"]], data[0][H["身份证件号"]]
    body = [
        [name, idn, "七年级", "2班", "营养餐", "2026-2027-1", "400"],
        [name, idn, "七年级", "6班", "营养餐", "2026-2027-1", "500"],  # the old record's row, lower down
    ]
    report = do_import(school_db, write_xlsx(tmp_path / "发放.xlsx", [header, *body]), kind="awards")
    by_row = {o.row: o for o in report.outcomes}
    assert by_row[2].action is Action.NEW
    assert "已按第 2 行导入（与台账中的班级相符）" in by_row[3].detail
    with school_db.reading() as s:
        (award,) = s.scalars(select(Award))
        assert award.amount == 400


def test_a_household_roster_with_a_member_twice_keeps_the_later_row(school_db, tmp_path):
    from aidoffice.db.models import HouseholdMember

    header = ["乡镇", "村", "户编号", "户主姓名", "与户主关系", "姓名", "身份证号", "性别", "出生日期"]
    child = enrollment_rows(1, school_code=CODE)[0][H["身份证件号"]]
    rows = [
        ["龙泉关镇", "黑崖沟村", "001", "张大山", "之子", "张小明", child, "", ""],
        ["龙泉关镇", "黑崖沟村", "002", "张二山", "之侄", "张小明", child, "", ""],  # moved to his uncle's
    ]
    report = do_import(school_db, write_xlsx(tmp_path / "花名册.xlsx", [header, *rows]), kind="households")
    assert [o.row for o in report.rejected] == [2] and "已按第 3 行导入" in report.rejected[0].detail
    assert any("第 2 行未导入" in w.reason for w in report.warnings_by_row[3])
    with school_db.reading() as s:
        (member,) = s.scalars(select(HouseholdMember).where(HouseholdMember.id_number == child))
        assert member.relation == "之侄"


def test_three_rows_of_one_child_keep_the_one_in_the_ledgers_class_even_in_the_middle(school_db, tmp_path):
    data = enrollment_rows(2, school_code=CODE)
    data[0][H["班级"]] = "4班"
    do_import(school_db, write_xlsx(tmp_path / "秋.xlsx", [ENROLLMENT_HEADER, *data]))
    rows = [
        _transfer(data, 0, data[0][H["年级"]], "1班"),
        data[0],
        _transfer(data, 0, data[0][H["年级"]], "6班"),
    ]
    report = do_import(school_db, write_xlsx(tmp_path / "春.xlsx", [ENROLLMENT_HEADER, *rows, data[1]]))
    assert [o.row for o in report.rejected] == [2, 4]
    assert all("已按第 3 行导入（与台账中的班级相符）" in o.detail for o in report.rejected)


def test_a_child_twice_by_id_and_student_number_is_reported_once(school_db, tmp_path):
    data = enrollment_rows(2, school_code=CODE)
    data[0][H["全国学籍号"]] = "L2013000000123"  # a 学籍号 that is not G + the ID
    twin = _transfer(data, 0, data[0][H["年级"]], "5班")
    report = do_import(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data, twin]))
    assert [o.row for o in report.rejected] == [2]
    assert len([w for w in report.warnings_by_row[4] if "出现了 2 次" in w.reason]) == 1
    assert report.rejected[0].detail.count("出现了 2 次") == 1
