"""`aidoffice reconcile --corrections-dir DIR [--mark-sent]`: the 请更正 workbooks from the command line."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from aidoffice.db.engine import Database
from aidoffice.importing.service import ImportOptions, run_import
from aidoffice.ledgers.students import add_student
from aidoffice.privacy import find_sensitive
from tests.e2e.cli import last_json, run
from tests.factories import student
from tests.sheets import write_xlsx


def test_reconcile_writes_a_workbook_per_department_and_marks_them_sent(tmp_path):
    db = str(tmp_path / "a.db")
    assert (
        run(
            "init", "--school", "测试县第一中学", "--school-code", "3130624999", home=tmp_path, db=db
        ).returncode
        == 0
    )
    database = Database(db)
    with database.unit_of_work(actor="资助专干") as s:
        right = add_student(s, 1, student("王杰天", "七年级", "1班", birth=date(2013, 11, 24))).id_number
    typo = right[:14] + ("8" if right[14] != "8" else "7") + right[15:]
    path = write_xlsx(tmp_path / "低保.xlsx", [["姓名", "身份证号", "户类型"], ["王杰天", typo, "脱贫户"]])
    with database.unit_of_work(actor="资助专干") as s:
        run_import(s, path, ImportOptions(kind="list", list_kind="poverty", source="县乡村振兴局"))
    database.dispose()

    r = run("reconcile", "--mark-sent", home=tmp_path, db=db)
    assert r.returncode == 2 and "--corrections-dir" in r.stderr
    out = tmp_path / "请更正"
    r = run("--json", "reconcile", "--corrections-dir", str(out), "--mark-sent", home=tmp_path, db=db)
    assert r.returncode == 0, r.stderr
    result = last_json(r)["corrections"]
    assert result["rows"] == 1 and result["marked_sent"] == 1
    (file,) = result["files"].values()
    cells = [
        c for row in load_workbook(file).active.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "王杰天" in cells and find_sensitive(" ".join(map(str, cells))) == []
    assert find_sensitive(r.stdout) == []
    r = run("reconcile", "--corrections-dir", str(out), home=tmp_path, db=db)
    assert r.returncode == 0 and "请更正表 1 份" in r.stdout
