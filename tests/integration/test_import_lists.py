"""Outside lists as dated snapshots, household lists into the village ledger, and award lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from aidoffice.db.models import (
    Award,
    GroupMembership,
    Household,
    HouseholdMember,
    ListSnapshot,
    Policy,
    SourceKind,
    Student,
    Term,
)
from aidoffice.domain.idnumber import make_id
from aidoffice.errors import InputRefused
from aidoffice.importing.report import Action
from aidoffice.importing.service import ImportOptions, run_import
from tests.sheets import (
    CHILD,
    ENROLLMENT_HEADER,
    HEAD,
    OTHER,
    SISTER,
    enrollment_rows,
    poverty_file,
    write_csv,
    write_xlsx,
)

TODAY = date(2026, 11, 22)


def imp(db, path, kind, dry_run=False, **kw):
    with db.unit_of_work(actor="资助专干") as s:
        return run_import(s, path, ImportOptions(kind=kind, today=TODAY, **kw), dry_run=dry_run)


def memberships(db, source):
    with db.reading() as s:
        return {
            (m.person_key, m.group_code): (m.status, m.active)
            for m in s.scalars(
                select(GroupMembership).where(
                    GroupMembership.source_kind == SourceKind.LIST, GroupMembership.source_label == source
                )
            )
        }


def test_a_poverty_list_becomes_a_snapshot_and_memberships_follow_the_latest(school_db, tmp_path):
    """Lists are resent and arrive late; the newest decides group membership, and an identical resend adds nothing."""
    source = "阜平县乡村振兴局"
    report = imp(school_db, poverty_file(tmp_path), "list", list_kind="poverty", source=source)
    assert report.count(Action.NEW) == 4 and not report.rejected
    assert memberships(school_db, source) == {
        (HEAD, "poverty_exited"): ("继续享受政策", True),
        (CHILD, "poverty_exited"): ("继续享受政策", True),
        (SISTER, "poverty_exited"): ("继续享受政策", True),
        (OTHER, "monitored"): ("风险未消除", True),
    }
    with school_db.reading() as s:
        snap = s.scalars(select(ListSnapshot)).one()
        # the merged 户编号 reaches every member of the household
        assert {e.household_no for e in snap.entries if e.person_key in (CHILD, SISTER)} == {"1306240001"}

    again = imp(
        school_db,
        poverty_file(tmp_path, "脱贫户（再次发来）.xlsx"),
        "list",
        list_kind="poverty",
        source=source,
    )
    assert again.count(Action.UNCHANGED) == 4
    assert "内容完全相同" in again.notes[-1]
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ListSnapshot)) == 1

    later = poverty_file(tmp_path, "脱贫户12月.xlsx", child_status="不享受政策", with_other=False)
    report = imp(school_db, later, "list", list_kind="poverty", source=source, known_on=date(2026, 12, 20))
    by_row = {o.row: o for o in report.outcomes}
    assert by_row[4].action is Action.UPDATED and "不享受政策" in by_row[4].changes[0]
    assert [m.name for m in report.missing] == ["李小四"]
    now = memberships(school_db, source)
    assert now[(CHILD, "poverty_exited")] == ("不享受政策", False)
    assert (OTHER, "monitored") not in now

    # an older list arriving late is kept but does not overrule the newer one
    imp(school_db, poverty_file(tmp_path, "脱贫户10月.xlsx"), "list", list_kind="poverty", source=source,
        known_on=date(2026, 10, 1))  # fmt: skip
    assert memberships(school_db, source) == now
    with school_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ListSnapshot)) == 3


def test_a_civil_affairs_csv_in_gb18030(school_db, tmp_path):
    """Civil-affairs CSVs come in GB18030 with a 合计 row; members are read, bad IDs named, the total row skipped."""
    rows = [
        ["乡镇", "村(居)", "姓名", "身份证号码", "保障类别", "保障人数", "月保障金额"],
        ["龙泉关镇", "黑崖沟村", "张小明", CHILD, "农村低保", "4", "1260"],
        [
            "龙泉关镇",
            "黑崖沟村",
            "王五",
            HEAD[:17] + ("0" if HEAD[17] != "0" else "1"),
            "农村低保",
            "1",
            "400",
        ],
        ["城南庄镇", "后堡村", "李小四", OTHER, "分散供养特困", "1", "800"],
        ["城南庄镇", "后堡村", "赵六", "", "农村低保", "1", "400"],
        ["合计", "", "", "", "", "7", "2860"],
    ]
    path = write_csv(tmp_path / "民政低保特困.csv", rows, "gb18030")
    report = imp(school_db, path, "list", list_kind="civil", source="阜平县民政局")
    by_row = {o.row: o for o in report.outcomes}
    assert sorted(by_row) == [2, 3, 4, 5]
    assert "证件号为空" in by_row[5].detail
    # a wrong check character is another office's slip: kept as written, said so, for the comparison
    [warned] = report.warnings_by_row[3]
    assert "校验位不对" in warned.reason and "疑似证件号抄错" in warned.reason
    bad = HEAD[:17] + ("0" if HEAD[17] != "0" else "1")
    assert memberships(school_db, "阜平县民政局") == {
        (CHILD, "dibao"): (None, True),
        (bad, "dibao"): (None, True),
        (OTHER, "tekun"): (None, True),
    }


def test_a_list_without_a_category_needs_a_group(school_db, tmp_path):
    """A list with no category column does not say which group it grants; the clerk must name one."""
    path = write_xlsx(tmp_path / "名单.xlsx", [["姓名", "身份证号"], ["张小明", CHILD]])
    with pytest.raises(InputRefused, match="名单上的人属于") as exc:
        imp(school_db, path, "list", list_kind="other")
    assert "--group" in exc.value.cli_hint  # the command line is told its flag
    imp(school_db, path, "list", list_kind="other", group="孤儿", source="民政孤儿名单")
    assert memberships(school_db, "民政孤儿名单") == {(CHILD, "orphan"): (None, True)}


def test_a_household_list_fills_the_village_ledger_and_links_students(school_db, tmp_path):
    """The village ledger comes from household lists; a child on it must be linked to their student record."""
    student_row = [*enrollment_rows(1, school_code="3130624999")[0]]
    student_row[9], student_row[10], student_row[6] = CHILD, "G" + CHILD, "2014-03-09"
    student_row[5] = "男"
    imp(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, student_row]), "students")
    report = imp(school_db, poverty_file(tmp_path), "households")
    assert report.count(Action.NEW) == 4 and not report.rejected
    with school_db.reading() as s:
        households = s.scalars(select(Household).order_by(Household.household_no)).all()
        assert [(h.household_no, h.head_name, len(h.members)) for h in households] == [
            ("1306240001", "张大山", 3),
            ("1306240002", "李四", 1),
        ]
        assert households[0].head_id_number == HEAD
        child = s.scalars(select(HouseholdMember).where(HouseholdMember.id_number == CHILD)).one()
        assert child.student_id == s.scalar(select(Student.id).where(Student.id_number == CHILD))
    again = imp(school_db, poverty_file(tmp_path), "households")
    assert again.count(Action.UNCHANGED) == 4


def test_awards_name_their_policy_and_term_in_any_notation(school_db, tmp_path):
    """Award lists name policies and terms their own way; each row lands on the right policy or is refused with why."""
    data = enrollment_rows(3, school_code="3130624999")
    imp(school_db, write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *data]), "students")
    header = ["序号", "姓名", "身份证号", "资助项目", "学年学期", "金额（元）"]
    rows = [
        [
            1,
            data[0][4],
            data[0][9],
            "义务教育家庭经济困难寄宿生生活补助（初中）",
            "2026-2027学年第一学期",
            750,
        ],
        [2, data[1][4], data[1][9], "compulsory_nutrition", "2026-2027-1", "500.00"],
        [3, data[2][4], data[2][9], "助学贷款", "2026年秋季学期", 500],
        [4, "查无此人", make_id("130624", date(2013, 1, 1), 1), "中职国家助学金", "2026-2027-1", 1150],
        [5, data[1][4], data[1][9], "国家助学金", "2026-2027-1", 750],
        [6, data[2][4], data[2][9], "营养餐", "2026年秋季学期", 500],
        [7, data[2][4], data[2][9], "生活补助", "2026-2027-1", None],
        ["合计", None, None, None, None, 3650],
    ]
    report = imp(school_db, write_xlsx(tmp_path / "发放名单.xlsx", [header, *rows]), "awards")
    by_row = {o.row: o for o in report.outcomes}
    assert by_row[2].action is Action.NEW and by_row[3].action is Action.NEW
    assert "不在资助项目目录中" in by_row[4].detail
    assert "学籍台账中没有" in by_row[5].detail
    assert "可能是" in by_row[6].detail  # 国家助学金 is a senior or a vocational grant, not a junior one
    # 营养餐 is an alias; 生活补助 is settled by the student's stage and boarding, its amount by the catalogue
    boards = data[2][13] == "住校"
    living = "compulsory_living_junior_" + ("boarding" if boards else "day")
    with school_db.reading() as s:
        awards = s.execute(
            select(Policy.code, Award.amount, Term.code)
            .join(Term, Award.term_id == Term.id)
            .join(Policy, Award.policy_id == Policy.id)
        ).all()
    assert sorted(awards) == sorted(
        [
            ("compulsory_living_junior_boarding", Decimal("750.00"), "2026-2027-1"),
            ("compulsory_nutrition", Decimal("500.00"), "2026-2027-1"),
            ("compulsory_nutrition", Decimal("500.00"), "2026-2027-1"),
            (living, Decimal("750.00") if boards else Decimal("375.00"), "2026-2027-1"),
        ]
    )
    assert any("按" in w.reason and "标准" in w.reason for w in report.warnings if w.row == 8)
    again = imp(school_db, write_xlsx(tmp_path / "发放名单.xlsx", [header, *rows]), "awards")
    assert again.count(Action.UNCHANGED) == 4 and again.count(Action.NEW) == 0


def test_a_list_id_with_one_digit_mistyped_reaches_the_comparison_as_a_suspected_slip(school_db, tmp_path):
    """The other office typed one digit wrong (so the check character fails): the row is kept and the
    comparison sets it beside the student, instead of the child silently losing the poverty list."""
    from aidoffice.ledgers.students import add_student
    from aidoffice.reconcile.compare import compare
    from tests.factories import student

    with school_db.unit_of_work() as s:
        kid = add_student(s, 1, student("王杰天", "七年级", "1班", birth=date(2013, 11, 24)))
    right = kid.id_number
    typo = right[:14] + ("8" if right[14] != "8" else "7") + right[15:]
    path = write_xlsx(tmp_path / "脱贫户.xlsx", [["姓名", "身份证号", "户类型"], ["王杰天", typo, "脱贫户"]])
    report = imp(school_db, path, "list", list_kind="poverty", source="县乡村振兴局")
    assert report.count(Action.NEW) == 1 and "校验位不对" in report.warnings[0].reason
    with school_db.unit_of_work() as s:
        found = [
            f for f in compare(s, "2026-2027-1", today=date(2026, 11, 22)).findings if f.name == "王杰天"
        ]
    assert [f.kind for f in found] == ["ID_TYPO_SUSPECT"]
    assert "校验位错误" in found[0].detail and "第15位" in found[0].detail
