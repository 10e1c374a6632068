"""The problem-list workbook, opened as the clerk (and the county) would: every sheet in the standard
layout, the evidence side by side, masked IDs unless full ones were asked for (and recorded), and
the file and the problem list written both or neither."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from aidoffice.db.models import AuditEntry, Problem
from aidoffice.privacy import find_sensitive
from aidoffice.reconcile import service
from aidoffice.reconcile.kinds import KINDS
from aidoffice.reconcile.service import run_reconcile
from tests.reconcile_world import EXPECTED, TERM, TODAY, plant

# the planted world is dated 2026-11-22 (tests/reconcile_world.py): compare as of that day
pytestmark = pytest.mark.today("2026-11-22")


@pytest.fixture
def world(school_db, tmp_path):
    return school_db, plant(school_db, tmp_path)


def write(db, path, full_ids=False):
    with db.unit_of_work(actor="资助专干") as s:
        return run_reconcile(s, TERM, out=path, full_ids=full_ids, today=TODAY)


def rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_workbook_has_a_summary_a_sheet_per_kind_and_the_statistics(world, tmp_path):
    """The clerk and the county read this on screen and on paper: summary, a sheet per kind, statistics, one layout."""
    db, _w = world
    out = tmp_path / "问题清单.xlsx"
    result = write(db, out)
    wb = load_workbook(out)
    labels = [KINDS[k].label for k in KINDS if any(kind == k for kind, _ in EXPECTED)]  # kinds found only
    assert wb.sheetnames == ["汇总", "问题清单", *labels, "统计", "问题统计", "各村学龄儿童", "本次已消除"]
    for ws in wb:
        assert ws.freeze_panes == "A3", ws.title
        assert ws.print_title_rows == "$1:$2", ws.title
        assert ws.auto_filter.ref.startswith("A2:"), ws.title
        assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9), ws.title
    summary = rows(wb["汇总"])
    assert summary[0][0].startswith(
        "测试县第一中学双向比对问题清单（2026-2027学年第一学期，比对日期 2026-11-22）"
    )
    found = {r[0]: r[2] for r in summary[2 : 2 + len(KINDS)]}
    expected = {KINDS[k].label: sum(1 for kind, _ in EXPECTED if kind == k) for k in KINDS}
    assert found == expected
    missed = rows(wb["漏助"])
    header = missed[1]
    assert header[:8] == ["序号", "问题编号", "优先", "姓名", "身份证件号", "年级", "班级", "村"]
    first = dict(zip(header, missed[2], strict=True))
    assert header[-3:] == ["学校一方", "另一方", "状态"]
    assert (first["姓名"], first["优先"], first["资助项目"], first["本学期标准"], first["状态"]) == (
        "张小明",
        "优先",
        "义务教育家庭经济困难非寄宿生生活补助（初中）",
        375.0,
        "待处理",
    )
    assert first["问题编号"] == result.sync.ids[result.comparison.findings[0].identity]
    assert first["学校一方"].startswith("学籍台账 七年级1班：张小明，130624********")
    assert "外部名单「阜平县乡村振兴局」" in first["另一方"]
    listing = rows(wb["问题清单"])
    assert len(listing) == 2 + len(EXPECTED)
    assert listing[2][1:4] == ["漏助", "优先", "张小明"] and "没有发放" in listing[2][8]
    rates = {(r[0], r[1]): r[2:] for r in rows(wb["统计"])[2:]}
    assert rates[("按重点群体", "脱贫家庭")] == [4, 3, 1, 0.75]


def test_a_masked_workbook_has_no_full_id_number_anywhere(world, tmp_path):
    """The default workbook goes around the office and to the county: no cell may carry a full ID."""
    db, w = world
    out = tmp_path / "问题清单.xlsx"
    write(db, out)
    wb = load_workbook(out)
    leaks = [
        (ws.title, c.coordinate, c.value)
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and find_sensitive(c.value)
    ]
    assert leaks == []
    typo = rows(wb["证件号疑似抄错"])
    header = typo[1]
    kong = next(dict(zip(header, r, strict=True)) for r in typo[2:] if r[3] == "孔明")
    assert kong["证件号甲"] == w.ids["孔明"][:6] + "********" + w.ids["孔明"][-4:]
    assert (kong["甲校验位"], kong["乙校验位"]) == ("校验位正确", "校验位错误")


def test_full_ids_are_written_as_text_and_the_export_is_recorded(world, tmp_path):
    """Full IDs, when asked for, must survive Excel intact, and the trail must show who took them out."""
    db, w = world
    out = tmp_path / "问题清单（完整证件号）.xlsx"
    write(db, out, full_ids=True)
    ws = load_workbook(out)["漏助"]
    header = [c.value for c in ws[2]]
    cell = ws.cell(row=3, column=header.index("身份证件号") + 1)
    assert (cell.value, cell.data_type, cell.number_format) == (w.ids["张小明"], "s", "@")
    with db.reading() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.entity == "problem")
        ).one()
        assert entry.actor == "资助专干" and entry.after["full_id_numbers"] is True
        assert "含完整证件号" in entry.note


def test_a_workbook_that_cannot_be_written_leaves_the_problem_list_as_it_was(world, tmp_path, monkeypatch):
    """Disk full while writing: no file appears and the problem list is not half-updated."""
    db, _w = world

    def fail(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service, "write_problem_workbook", fail)
    out = tmp_path / "问题清单.xlsx"
    with pytest.raises(OSError):
        write(db, out)
    assert not out.exists() and list(tmp_path.glob(".~*")) == []
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Problem)) == 0


def test_a_rolled_back_run_publishes_no_workbook(world, tmp_path):
    """The file appears only when the problem list it shows is committed."""
    db, _w = world
    out = tmp_path / "问题清单.xlsx"
    with pytest.raises(RuntimeError), db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s, TERM, out=out, today=TODAY)
        assert not out.exists()
        raise RuntimeError("the commit never happens")
    assert not out.exists()


def test_the_latest_note_column_shows_the_clerks_words_not_the_reruns(world, tmp_path):
    """The printed list is ticked off by hand: 最近备注 must be what the clerk wrote, however often the
    comparison ran since."""
    from aidoffice.reconcile.problem_actions import add_note, close_problem

    db, _w = world
    write(db, tmp_path / "first.xlsx")
    with db.unit_of_work(actor="资助专干") as s:
        pid = s.scalar(select(Problem.id).where(Problem.name == "张小明", Problem.kind == "MISSED_AID"))
        add_note(s, pid, "已电话联系家长，周五交材料")
        close_problem(s, pid, "经核实不符合条件", "家长放弃申请，已签字")
    out = tmp_path / "again.xlsx"
    write(db, out)
    listing = rows(load_workbook(out)["问题清单"])
    header = listing[1]
    row = next(dict(zip(header, r, strict=True)) for r in listing[2:] if r[0] == pid)
    assert row["状态"] == "已销号（仍存在）"  # the rerun said so in its own note
    assert row["最近备注"] == "销号：经核实不符合条件。家长放弃申请，已签字"
