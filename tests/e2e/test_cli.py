"""The `aidoffice` command run as a user or a county script runs it. Most calls run in-process
(`tests/e2e/cli.py`); the script scenario, a refusal and a usage error start a real process, so the
exit statuses are checked as the shell sees them."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.e2e.cli import last_json, run, run_process


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "office.db")
    return request.getfixturevalue("pg_cli_url")


def test_init_demo_and_export_as_a_script_would(tmp_path, db_url):
    """County staff script the command: init, demo and both exports must succeed with JSON a script can read."""
    r = run_process(
        "--json",
        "init",
        "--school",
        "阜平县实验学校",
        "--school-code",
        "3130624002",
        "--county",
        "阜平县",
        home=tmp_path,
        db=db_url,
    )
    assert r.returncode == 0, r.stderr
    info = last_json(r)
    assert (info["school"], info["policies"], info["groups"]) == ("阜平县实验学校", 11, 13)

    r = run("--json", "demo", "--students", "250", home=tmp_path, db=db_url)
    assert r.returncode == 0, r.stderr
    assert last_json(r)["students"] == 250

    out = tmp_path / "学籍台账.xlsx"
    r = run("--json", "export", "ledger", "school", "--out", str(out), home=tmp_path, db=db_url)
    assert r.returncode == 0, r.stderr
    assert last_json(r)["rows"] == 250
    ws = load_workbook(out).active
    assert ws.cell(row=1, column=1).value.startswith("阜平县实验学校")
    assert ws.max_row == 252

    out = tmp_path / "户籍台账.xlsx"
    r = run_process("export", "ledger", "village", "--out", str(out), home=tmp_path, db=db_url)
    assert r.returncode == 0 and "已导出户籍台账" in r.stdout
    assert load_workbook(out).sheetnames == ["村汇总", "学龄儿童"]


def test_the_default_database_lives_in_the_data_folder(tmp_path):
    """Without --db the data must go to the user's data folder, not wherever the command happened to be run."""
    r = run("init", "--school", "测试学校", home=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "aidoffice.db").exists()
    assert "测试学校" in r.stdout


def test_refused_input_exits_1_with_a_chinese_message_and_json(tmp_path):
    """A script must tell refused input (exit 1) from a crash, and the clerk must read why in Chinese."""
    run("demo", "--students", "5", home=tmp_path)
    r = run_process("--json", "demo", "--students", "5", home=tmp_path)
    assert r.returncode == 1
    assert "已有 5 名学生" in r.stderr
    assert "已有 5 名学生" in last_json(r)["error"]


def test_export_into_a_missing_folder_exits_1(tmp_path):
    """A mistyped output folder is the user's mistake: exit 1 with the reason, not a crash."""
    run("init", "--school", "测试学校", home=tmp_path)
    r = run("export", "ledger", "school", "--out", str(tmp_path / "no" / "x.xlsx"), home=tmp_path)
    assert r.returncode == 1 and "不存在" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["export", "ledger", "towns", "--out", "x.xlsx"],
        ["demo", "--students", "many"],
        ["frobnicate"],
        ["export", "ledger", "school"],
    ],
)
def test_wrong_usage_exits_2(tmp_path, args):
    """A mistyped command or option is a usage error (exit 2), so a script can tell a wrong call from bad data."""
    r = run(*args, home=tmp_path)
    assert r.returncode == 2
    assert "用法错误" in r.stderr


def test_first_init_without_a_school_name_says_what_is_missing(tmp_path):
    """A first init without a school name must name the option that is missing."""
    r = run_process("init", home=tmp_path)
    assert r.returncode == 2 and "--school" in r.stderr


def test_an_unreachable_database_is_refused_not_a_traceback(tmp_path):
    """A server that is down is a normal situation: the clerk sees a Chinese reason, not a Python traceback."""
    r = run("init", "--school", "x", home=tmp_path, db="postgresql://nobody:x@127.0.0.1:1/none")
    assert r.returncode == 1
    assert "无法打开数据库" in r.stderr and "Traceback" not in r.stderr


def test_import_students_dry_run_then_for_real_with_a_report_workbook(tmp_path, db_url):
    """A clerk previews, imports with a report marking refused rows, and can import the report itself again."""
    from tests.sheets import ENROLLMENT_HEADER, enrollment_rows, write_xlsx

    home = tmp_path / "home"
    assert (
        run(
            "init", "--school", "阜平县城关中学", "--school-code", "3113006241", home=home, db=db_url
        ).returncode
        == 0
    )
    data = enrollment_rows(8)
    data[2][9] = float(data[2][9][:15] + "000")
    data[2][10] = ""
    path = write_xlsx(tmp_path / "学籍导出.xlsx", [["学生名单"], ENROLLMENT_HEADER, *data])

    r = run("--json", "import", "students", str(path), "--dry-run", home=home, db=db_url)
    assert r.returncode == 0, r.stderr
    preview = last_json(r)
    assert (preview["rows_read"], preview["created"], preview["dry_run"]) == (8, 7, True)
    assert preview["rejected"][0]["row"] == 5 and "Excel" in preview["rejected"][0]["reason"]

    out = tmp_path / "导入结果.xlsx"
    r = run("--json", "import", "students", str(path), "--report", str(out), home=home, db=db_url)
    done = last_json(r)
    assert (done["created"], done["updated"], done["unchanged"], done["dry_run"]) == (7, 0, 0, False)
    ws = load_workbook(out)["逐行结果"]
    assert ws["A2"].value == "学校标识码" and ws.cell(2, 23).value == "导入结果"
    assert ws.cell(5, 23).value == "未导入" and "Excel" in ws.cell(5, 24).value
    assert ws.cell(5, 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(3, 23).value == "新增" and ws.cell(3, 10).number_format == "@"

    # the report itself, fixed, imports again: its two added columns are ignored
    again = run("--json", "import", "students", str(out), "--dry-run", home=home, db=db_url)
    assert last_json(again)["unchanged"] == 7

    r = run("import", "students", str(path), home=home, db=db_url)
    assert r.returncode == 0 and "无变化 7" in r.stdout


def test_import_refusals_exit_1_with_a_chinese_reason(tmp_path):
    """A PDF or a missing file ends with a Chinese reason and exit 1, a malformed --map with exit 2."""
    home, db = tmp_path / "home", str(tmp_path / "o.db")
    run("init", "--school", "测试学校", home=home, db=db)
    pdf = tmp_path / "名单.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n...")
    r = run("--json", "import", "list", str(pdf), "--kind", "civil", home=home, db=db)
    assert r.returncode == 1
    assert "PDF" in last_json(r)["error"] and "名单.xlsx" in r.stderr
    r = run("import", "students", str(tmp_path / "不存在.xlsx"), home=home, db=db)
    assert r.returncode == 1 and "不存在" in r.stderr
    r = run("import", "students", str(pdf), "--map", "没有等号", home=home, db=db)
    assert r.returncode == 2
