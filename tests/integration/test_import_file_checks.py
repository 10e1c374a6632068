"""Whole-file refusals a clerk can act on: a 学籍 export whose school code is not the school's (one
message, not one refusal per row), and a file of another kind (named as the 文件种类 list names it).
Core on SQLite and PostgreSQL; the command line keeps naming its command."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from aidoffice.db.models import Student
from aidoffice.errors import SchoolCodeMismatch, WrongFileKind
from aidoffice.importing.report import Action
from aidoffice.importing.service import ImportOptions, plan_import, run_import
from aidoffice.sheets.kinds import KINDS
from tests.e2e.cli import last_json, run
from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_xlsx

CODE = "3130624999"  # the school_db fixture's school code
TODAY = date(2026, 11, 22)
H = {name: i for i, name in enumerate(ENROLLMENT_HEADER)}
AWARD_HEADER = ["姓名", "身份证件号", "年级", "班级", "资助项目", "学年学期", "金额", "发放日期", "批次"]


def _plan(db, path, kind="students"):
    with db.reading() as s:
        return plan_import(s, path, ImportOptions(kind=kind, today=TODAY))


def test_a_file_of_another_schools_code_is_one_message_naming_both_codes(school_db, tmp_path):
    path = write_xlsx(
        tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *enrollment_rows(30, school_code="3113006241")]
    )
    with pytest.raises(SchoolCodeMismatch) as exc:
        _plan(school_db, path)
    message = str(exc.value)
    assert "3113006241" in message and CODE in message and "（30 行）" in message
    assert "“设置”中改正" in message and "aidoffice" not in message
    assert (exc.value.found, exc.value.expected) == ("3113006241", CODE)
    with school_db.unit_of_work() as s, pytest.raises(SchoolCodeMismatch):
        run_import(s, path, ImportOptions(kind="students", today=TODAY))
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Student)) == 0


def test_rows_of_another_school_mixed_into_the_schools_file_are_refused_row_by_row(school_db, tmp_path):
    data = enrollment_rows(5, school_code=CODE)
    data[2][H["学校标识码"]] = "3113006241"
    report = _plan(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]))
    assert [o.row for o in report.rejected] == [4] and "不是本校" in report.rejected[0].detail
    assert report.count(Action.NEW) == 4


def test_an_award_list_chosen_as_the_student_export_says_its_kind_in_the_guis_words(school_db, tmp_path):
    body = [
        [
            "张三",
            "130624201305030012",
            "七年级",
            "1班",
            "营养餐",
            "2026-2027-1",
            "400",
            "2026-11-01",
            "第一批",
        ]
    ]
    path = write_xlsx(tmp_path / "发放.xlsx", [AWARD_HEADER, *body])
    with pytest.raises(WrongFileKind) as exc:
        _plan(school_db, path)
    message = str(exc.value)
    label = KINDS["awards"].label
    assert f"这个文件像是“{label}”" in message and f"请在“文件种类”中选择“{label}”" in message
    assert "aidoffice" not in message and "命令" not in message
    assert exc.value.looks_like == "awards" and "aidoffice import awards" in exc.value.cli_hint


def test_the_command_line_says_the_school_code_once_and_names_its_commands(tmp_path):
    db = str(tmp_path / "a.db")
    assert (
        run("init", "--school", "测试县第一中学", "--school-code", CODE, home=tmp_path, db=db).returncode == 0
    )
    other = write_xlsx(
        tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *enrollment_rows(40, school_code="3113006241")]
    )
    r = run("--json", "import", "students", str(other), home=tmp_path, db=db)
    assert r.returncode == 1, r.stderr
    result = last_json(r)
    assert result["school_code_in_file"] == "3113006241" and result["school_code"] == CODE
    assert result["error"].count("3113006241") == 2  # the message and the command that corrects it
    assert "aidoffice init --school-code 3113006241" in result["error"]
    awards = write_xlsx(tmp_path / "发放.xlsx", [AWARD_HEADER, ["张三", "130624201305030012", "七年级", "1班",
                                                               "营养餐", "2026-2027-1", "400", "", ""]])  # fmt: skip
    r = run("--json", "import", "students", str(awards), home=tmp_path, db=db)
    assert r.returncode == 1 and "aidoffice import awards" in last_json(r)["error"]
    assert last_json(r)["looks_like"] == "awards"


def test_refusals_the_clerk_settles_on_the_page_speak_its_words_and_keep_the_flag_for_the_cli(
    school_db, tmp_path
):
    from aidoffice.errors import InputRefused

    no_group = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张三", "130624201305030012"]])
    with pytest.raises(InputRefused) as exc, school_db.reading() as s:
        plan_import(s, no_group, ImportOptions(kind="list", today=TODAY))
    assert "“名单上的人属于”" in str(exc.value) and "--" not in str(exc.value)
    assert "--group" in exc.value.cli_hint
    no_policy = write_xlsx(
        tmp_path / "发放.xlsx", [["姓名", "身份证件号", "金额"], ["张三", "130624201305030012", "400"]]
    )
    with pytest.raises(InputRefused) as exc:
        _plan(school_db, no_policy, kind="awards")
    assert "“资助项目”中选择" in str(exc.value) and "--" not in str(exc.value)
    assert "--policy" in exc.value.cli_hint


def test_one_stray_code_in_a_file_of_blank_codes_is_refused_on_its_row_only(school_db, tmp_path):
    data = enrollment_rows(6, school_code="")
    data[3][H["学校标识码"]] = "3113006241"
    report = _plan(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]))
    assert [o.row for o in report.rejected] == [5] and report.count(Action.NEW) == 5


def test_a_few_rows_of_other_schools_are_refused_and_named_once_for_the_file(school_db, tmp_path):
    """Three rows of a file of the school's own carry other schools' codes: each is refused on its row,
    and one line for the file says how many, which codes and which rows, so the clerk need not read
    the refusals row by row."""
    data = enrollment_rows(8, school_code=CODE)
    for i, code in ((1, "3113006241"), (4, "3113006241"), (6, "3113009999")):
        data[i][H["学校标识码"]] = code
    report = _plan(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]))
    assert [o.row for o in report.rejected] == [3, 6, 8] and report.count(Action.NEW) == 5
    [note] = [n for n in report.notes if "学校标识码" in n]
    assert note.startswith("3 行的学校标识码（3113006241、3113009999）不是本校的 ")
    assert "第 3、6、8 行" in note


def test_the_assessment_workbook_goes_through_the_import_door_with_the_clerks_column_mapping(
    school_db, tmp_path
):
    from aidoffice.db.models import HardshipAssessment

    data = enrollment_rows(2, school_code=CODE)
    with school_db.unit_of_work(actor="资助专干") as s:
        run_import(
            s, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]), ImportOptions(kind="students")
        )
    book = write_xlsx(
        tmp_path / "认定.xlsx",
        [["姓名", "身份证件号", "评议结论"], [data[0][H["姓名"]], data[0][H["身份证件号"]], "比较困难"]],
    )
    options = ImportOptions(
        kind="assessments", today=TODAY, school_year="2026-2027", mapping={"评议结论": "认定级别"}
    )
    with school_db.unit_of_work(actor="资助专干") as s:
        report = run_import(s, book, options)
    assert report.applied and report.count(Action.NEW) == 1
    with school_db.reading() as s:
        assert s.scalars(select(HardshipAssessment.level)).all() == ["relative"]
    again = ImportOptions(kind="assessments", today=TODAY, school_year="2026-2027")  # remembered
    with school_db.reading() as s:
        assert plan_import(s, book, again).count(Action.UNCHANGED) == 1
