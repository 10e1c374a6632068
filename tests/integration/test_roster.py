"""The term's roster: proposed by the one eligibility rule (priority groups first and in full, then the
assessed levels, within a quota), reviewed with reasons, confirmed into audited awards, checked before
writing, and written into the county's template with who exported the full numbers recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import AuditEntry, Award, ImportBatch, School, Student
from aidoffice.errors import InputRefused
from aidoffice.exporting import roster, roster_export
from aidoffice.exporting.samples import Shape, build
from aidoffice.ledgers.school import ensure_term
from aidoffice.ledgers.students import transfer_out
from aidoffice.privacy import find_sensitive
from tests.factories import LIVING, TERM, TODAY, roster_school


@pytest.fixture
def school(school_db):
    """Six junior boarders and one primary day student of various standing."""
    return school_db, roster_school(school_db)


def names(lines) -> list[str]:
    return [line.name[:-1] for line in lines]


def test_priority_groups_come_first_then_the_assessed_levels(school):
    """The groups policy guarantees come first, each at its own stage's standard, so none of them is missed."""
    db, _ = school
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
    assert names(p.included) == ["脱贫走读生", "低保生", "特别困难生", "比较困难生", "一般困难生"]
    amounts = {line.name[:-1]: line.amount for line in p.included}
    assert amounts["低保生"] == Decimal("750.00")  # junior boarder: 1,500 a year, half a term
    assert amounts["脱贫走读生"] == Decimal("312.50")  # primary day student: 625 a year
    assert p.total == Decimal("750.00") * 4 + Decimal("312.50")
    assert {line.policy_code for line in p.included} == {
        "compulsory_living_junior_boarding", "compulsory_living_primary_day"}  # fmt: skip


def test_a_quota_never_cuts_the_priority_groups(school):
    """应助尽助: priority students are in whatever the quota; assessed ones fill what is left, best first."""
    db, _ = school
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, quota=3, today=TODAY)
    assert names(p.included) == ["脱贫走读生", "低保生", "特别困难生"]
    assert names(x for x in p.lines if x.over_quota) == ["比较困难生", "一般困难生"]
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, quota=1, today=TODAY)
    assert names(p.included) == ["脱贫走读生", "低保生"]
    assert any("重点群体应助尽助" in n for n in p.notes)


@pytest.mark.parametrize(
    ("name", "count"),
    [("compulsory_living_junior_boarding", 1), ("义务教育家庭经济困难寄宿生生活补助（初中）", 1), ("一补", 4),
     (LIVING, 4), ("寄宿生生活补助", 2)],
)  # fmt: skip
def test_policy_may_be_a_code_a_name_an_alias_or_a_family(school, name, count):
    """Clerks name a policy by code, official name, local nickname or family; each must select the right policies."""
    db, _ = school
    with db.unit_of_work() as s:
        assert len(roster.propose(s, name, TERM, today=TODAY).policies) == count


def test_an_unknown_policy_is_refused_with_the_names_there_are(school):
    """A policy name that matches nothing is refused listing real names, not turned into an empty roster."""
    db, _ = school
    with db.unit_of_work() as s, pytest.raises(InputRefused, match="营养改善计划"):
        roster.propose(s, "奖学金大礼包", TERM, today=TODAY)


def test_a_per_day_policy_needs_the_school_days(school):
    """Meal aid is paid per school day; without the day count the amount would be a guess, so it is asked for."""
    db, _ = school
    with db.unit_of_work() as s:
        with pytest.raises(InputRefused, match="在校天数"):
            roster.propose(s, "营养餐", TERM, today=TODAY)
        p = roster.propose(s, "营养餐", TERM, days=95, today=TODAY)
        assert len(p.included) == 6 and {x.amount for x in p.included} == {Decimal("475.00")}
        school_row = s.scalars(select(School)).one()
        school_row.settings = {**school_row.settings, "school_days": {TERM: 100}}
        s.flush()
        assert roster.propose(s, "营养餐", TERM, today=TODAY).included[0].amount == Decimal("500.00")


def test_confirming_writes_the_terms_awards_in_one_audited_batch(school):
    """Confirmed awards trace to one batch saying who confirmed, and why anyone was removed or paid otherwise."""
    db, ids = school
    with db.unit_of_work(actor="资助专干") as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        roster.remove(p, ids["一般困难生"], "已转学")
        roster.change_amount(p, "比较困难生甲", "500", "按县通知本学期只发一半")
        with pytest.raises(InputRefused, match="原因"):
            roster.remove(p, ids["低保生"], "")
        result = roster.confirm(s, p)
    with db.reading() as s:
        awards = s.scalars(select(Award)).all()
        assert len(awards) == 4 == result.created
        assert {a.batch_id for a in awards} == {result.batch_id}
        batch = s.get(ImportBatch, result.batch_id)
        assert (batch.kind, batch.rows, batch.actor) == ("roster", 4, "资助专干")
        changed = next(a for a in awards if a.amount == Decimal("500.00"))
        assert changed.note == "按县通知本学期只发一半"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "confirm")).one()
        assert entry.actor == "资助专干" and "4 人" in entry.note
        assert {"name": "一般困难生甲", "reason": "已转学"}.items() <= entry.after["left_out"][0].items()


def test_recorded_awards_join_the_proposal_and_a_removal_becomes_a_recovery_with_the_reason(school):
    """An imported award list and the proposal meet in the same awards."""
    db, ids = school
    with db.unit_of_work() as s:
        from aidoffice.catalogue import load_catalogue

        cat = load_catalogue(s)
        plain = s.scalars(select(Student).where(Student.id_number == ids["普通生"])).one()
        dibao = s.scalars(select(Student).where(Student.id_number == ids["低保生"])).one()
        term = ensure_term(s, roster.parse_term(TERM))
        pid = cat.policy_ids["compulsory_living_junior_boarding"]
        s.add_all([Award(student_id=plain.id, policy_id=pid, term_id=term.id, amount=Decimal("750")),
                   Award(student_id=dibao.id, policy_id=pid, term_id=term.id, amount=Decimal("700"))])  # fmt: skip
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        lines = {x.name[:-1]: x for x in p.lines}
        assert lines["普通生"].source == "recorded" and not lines["普通生"].eligible
        assert lines["低保生"].amount == Decimal("700.00") and lines["低保生"].standard == Decimal("750.00")
        roster.remove(p, ids["普通生"], "无认定材料，误助")
        result = roster.confirm(s, p)
        assert (result.created, result.deleted, result.recovered) == (4, 0, 1)
    with db.reading() as s:  # an award entered by hand may have been paid: kept, a recovery to do
        assert (
            s.scalars(
                select(AuditEntry).where(AuditEntry.action == "delete", AuditEntry.entity == "award")
            ).all()
            == []
        )
        kept = s.scalars(select(AuditEntry).where(AuditEntry.entity == "recovery")).one()
        assert "无认定材料，误助" in kept.note and "普通生甲" in kept.note


def test_exporting_what_was_paid_names_the_eligible_children_left_out(school, tmp_path):
    """Without review the file holds the recorded awards; a child the rule would add (missed aid) must
    not drop out of the county's roster without a word."""
    db, ids = school
    with db.unit_of_work() as s:
        cat = load_catalogue(s)
        dibao = s.scalars(select(Student).where(Student.id_number == ids["低保生"])).one()
        term = ensure_term(s, roster.parse_term(TERM))
        pid = cat.policy_ids["compulsory_living_junior_boarding"]
        s.add(Award(student_id=dibao.id, policy_id=pid, term_id=term.id, amount=Decimal("750")))
    with db.unit_of_work() as s:
        p = roster.recorded_roster(s, LIVING, TERM, today=TODAY)
        assert names(p.included) == ["低保生"]
        assert sorted(names(p.not_recorded)) == ["一般困难生", "比较困难生", "特别困难生", "脱贫走读生"]
        out = roster_export.export_roster(s, p, tmp_path / "已发放.xlsx", today=TODAY, open_problems=None)
    note = next(n for n in out.notes if "没有发放记录" in n)
    assert "特别困难生甲（九年级1班）" in note and "共 4 人" in note and "--confirm" in note
    assert out.as_json()["rows"] == 1 and p.summary()["not_recorded"] == 4


def test_checks_find_what_the_county_would_send_back(school):
    """A missing or bad account, a bad ID or a student who left would be sent back; the school must see it first."""
    db, ids = school
    with db.unit_of_work() as s:
        a = s.scalars(select(Student).where(Student.id_number == ids["低保生"])).one()
        a.bank_account = None
        b = s.scalars(select(Student).where(Student.id_number == ids["特别困难生"])).one()
        b.bank_account = "6228-48"
        c = s.scalars(select(Student).where(Student.id_number == ids["比较困难生"])).one()
        c.id_number = c.id_number[:17] + ("0" if c.id_number[17] != "0" else "1")  # a typo in the check digit
        roster.confirm(s, roster.propose(s, LIVING, TERM, today=TODAY))
    with db.unit_of_work() as s:
        # the student left after the roster was confirmed
        transfer_out(
            s, s.scalars(select(Student).where(Student.id_number == ids["一般困难生"])).one().id, TODAY
        )
        p = roster.recorded_roster(s, LIVING, TERM, today=TODAY)
        out = roster_export.export_roster(s, p, None, today=TODAY)
    kinds = {(f.name[:-1], f.kind) for f in out.findings}
    assert ("低保生", "no_account") in kinds
    assert ("特别困难生", "bad_account") in kinds
    assert ("比较困难生", "invalid_id") in kinds
    assert ("一般困难生", "not_enrolled") in kinds
    assert all(f.blocking for f in out.findings)
    for f in out.findings:
        assert not find_sensitive(f.describe()), f.describe()


def test_an_amount_off_the_standard_blocks_unless_the_review_said_why(school):
    """An amount off the standard is likely a mistake unless the reviewer recorded why (a county top-up)."""
    db, ids = school
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        line = roster.find_line(p, ids["低保生"])
        line.amount = Decimal("800.00")
        found = roster_export.export_roster(s, p, None, today=TODAY).findings
        assert [(f.kind, f.blocking) for f in found] == [("amount_off_standard", True)]
        roster.change_amount(p, ids["低保生"], "800", "县里追加")
        found = roster_export.export_roster(s, p, None, today=TODAY).findings
        assert [(f.kind, f.blocking) for f in found] == [("amount_off_standard", False)]


def test_an_open_problem_from_the_problem_list_blocks_the_export(school):
    """A student with an unresolved doubt on the problem list must not be reported for payment unnoticed."""
    db, ids = school

    def problems(session, keys):
        return {k: ["疑似误助：户籍地乡村振兴局名单中已标注“不享受政策”"] for k in keys if k == ids["低保生"]}

    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        found = roster_export.export_roster(s, p, None, open_problems=problems, today=TODAY).findings
    assert [(f.name, f.kind) for f in found] == [("低保生甲", "open_problem")]


def test_the_problem_lists_open_problems_block_but_missed_aid_does_not(school):
    """By default the roster reads the real problem list; a 漏助 problem is what the roster itself
    settles, so it must not block the roster that pays the child."""
    from aidoffice.db.models import Student
    from aidoffice.reconcile.findings import Finding
    from aidoffice.reconcile.problems import record_finding

    db, _ids = school
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        first, second = p.included[0], p.included[1]
        for line, kind in ((first, "NAME_MISMATCH"), (second, "MISSED_AID")):
            st = s.get(Student, line.student_id)
            record_finding(
                s, Finding(kind, st.person_key, st.name, f"{kind} 的说明", st.id_number, st.id, scope=TERM)
            )
        found = roster_export.export_roster(s, p, None, today=TODAY).findings
    problems = [(f.name, f.kind, f.blocking) for f in found if f.kind == "open_problem"]
    assert problems == [(first.name, "open_problem", True)]


def test_export_fills_the_template_and_records_who_exported_full_numbers(school, tmp_path):
    """The county's template comes back filled as the county reads it, and the trail shows who took full numbers out."""
    db, ids = school
    template = tmp_path / "县模板.xlsx"
    build(Shape(two_row_header=True)).save(template)
    out = tmp_path / "花名册.xlsx"
    with db.unit_of_work(actor="资助专干") as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        roster.confirm(s, p)
        res = roster_export.export_roster(s, p, out, template=template, today=TODAY)
    assert (res.rows, res.first_row, res.total_row, res.total) == (5, 5, 10, Decimal("3312.50"))
    ws = load_workbook(out)["花名册"]
    assert ws["B5"].value == "脱贫走读生甲" and ws["D5"].value == ids["脱贫走读生"]
    assert ws["D5"].data_type == "s" and ws["O5"].value.startswith("622848")
    assert ws["I5"].value == "否" and ws["I6"].value == "是"  # 是否寄宿
    assert ws["H6"].value == "低保" and ws["H7"].value == "特别困难"  # 困难类型
    assert ws["K10"].value == "=SUM(K5:K9)"
    assert ws["A2"].value == "学校（盖章）：测试县第一中学"
    with db.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.actor == "资助专干" and entry.after["full_numbers"] is True and entry.after["rows"] == 5


def test_a_total_too_wide_for_the_countys_amount_column_is_pointed_out(school, tmp_path):
    """A county template sized for one row's amount prints the school's total as ###; the clerk is told
    which column to widen before printing (the shipped sample is wide enough)."""
    db, _ids = school
    narrow, sample = tmp_path / "窄.xlsx", tmp_path / "样例.xlsx"
    wb = build(Shape())
    wb.active.column_dimensions["K"].width = 7
    wb.save(narrow)
    build(Shape()).save(sample)
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        tight = roster_export.export_roster(
            s, p, tmp_path / "a.xlsx", template=narrow, today=TODAY, anyway="测试"
        )
        roomy = roster_export.export_roster(
            s, p, tmp_path / "b.xlsx", template=sample, today=TODAY, anyway="测试"
        )
    assert any("合计 3,312.50" in n and "K 列" in n and "###" in n for n in tight.notes), tight.notes
    assert not any("###" in n for n in roomy.notes)


def test_problems_refuse_the_export_until_a_reason_is_given_and_the_reason_is_recorded(school, tmp_path):
    """A roster with problems goes out only with a stated reason, kept on record; the check report shows no full ID."""
    db, ids = school
    with db.unit_of_work() as s:
        s.scalars(select(Student).where(Student.id_number == ids["低保生"])).one().bank_account = None
    out, report = tmp_path / "花名册.xlsx", tmp_path / "检查结果.xlsx"
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        with pytest.raises(roster_export.RosterRefused, match="--anyway") as err:
            roster_export.export_roster(s, p, out, report=report, today=TODAY)
    assert not out.exists() and report.exists()
    assert err.value.details["checks"][0]["kind"] == "no_account"
    rep = load_workbook(report).active
    assert rep["D3"].value == "缺少银行卡号/社保卡号" and rep["B3"].value == "低保生甲"
    assert not find_sensitive(" ".join(str(c.value) for row in rep.iter_rows() for c in row if c.value))
    with db.unit_of_work(actor="资助专干") as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        res = roster_export.export_roster(s, p, out, anyway="家长正在办卡，县里同意先报", today=TODAY)
    assert out.exists() and res.anyway == "家长正在办卡，县里同意先报"
    with db.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert "家长正在办卡" in entry.note and entry.after["blocking_checks"] == 1


def test_an_unplaced_column_is_refused_then_the_mapping_is_remembered_for_that_template(school, tmp_path):
    """An unknown column in the county's template is settled by the clerk once, then remembered for that template."""
    db, _ = school
    wb = build(Shape())
    wb["花名册"]["Q3"] = "持卡人"
    wb["花名册"]["R3"] = "领款签字栏位"
    template = tmp_path / "县模板.xlsx"
    wb.save(template)
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        with pytest.raises(roster_export.RosterRefused, match="领款签字栏位") as err:
            roster_export.export_roster(s, p, tmp_path / "a.xlsx", template=template, today=TODAY)
        assert err.value.details["unplaced"] == [{"column": "R", "header": "领款签字栏位"}]
        assert err.value.details["preview"][0][1] == "姓名"
        roster_export.export_roster(
            s, p, tmp_path / "a.xlsx", template=template, mapping={"领款签字栏位": "留空"}, today=TODAY
        )
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        res = roster_export.export_roster(s, p, tmp_path / "b.xlsx", template=template, today=TODAY)
        assert any("上次" in n for n in res.notes)
        saved = s.scalars(select(School)).one().settings["template_mappings"]
    assert list(saved.values()) == [{"领款签字栏位": ""}]
    ws = load_workbook(tmp_path / "b.xlsx")["花名册"]
    assert ws["Q4"].value is None and ws["R4"].value is None  # 持卡人 is a field we do not hold: blank


def test_the_standard_workbook_is_used_without_a_template(school, tmp_path):
    """Without a county template the office still gets a titled, printable roster with IDs as text and a total."""
    db, _ = school
    out = tmp_path / "花名册.xlsx"
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        roster_export.export_roster(s, p, out, today=TODAY)
    ws = load_workbook(out).active
    assert ws["A1"].value == "测试县第一中学2026-2027学年第一学期义务教育家庭经济困难学生生活补助发放花名册"
    assert ws["B3"].value == "脱贫走读生甲" and ws["D3"].number_format == "@"
    assert ws["A8"].value == "合计" and ws["L8"].value == 3312.5
    assert ws.print_title_rows == "$1:$2"


def test_the_national_family_profile_leaves_group_flags_blank_never_no(school, tmp_path):
    """The national system refuses 否 in a group flag; writing it would fail the school's upload."""
    db, _ids = school
    out = tmp_path / "家庭经济信息.xlsx"
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        res = roster_export.export_roster(s, p, out, profile="家庭经济信息", today=TODAY)
    assert res.cell_problems == []
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    dibao = header.index("是否低保家庭学生") + 1
    poverty = header.index("是否脱贫家庭学生") + 1
    values = {ws.cell(r, 1).value: (ws.cell(r, poverty).value, ws.cell(r, dibao).value) for r in range(2, 7)}
    assert values["低保生甲"] == (None, "是") and values["脱贫走读生甲"] == ("是", None)
    assert all(v != "否" for row in ws.iter_rows(min_row=2, values_only=True) for v in row)


def test_the_national_assessment_profile_writes_levels_and_dates_as_the_system_wants(school, tmp_path):
    """The national system takes only its own level words and yyyymmdd dates; anything else fails the upload."""
    db, _ = school
    out = tmp_path / "认定.xlsx"
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        for x in p.lines:
            if x.level is None:
                roster.remove(p, x.id_number, "不是认定的困难学生")
        res = roster_export.export_roster(s, p, out, profile="困难学生认定", today=TODAY)
    assert res.cell_problems == []
    rows = list(load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert [(r[3], r[4]) for r in rows] == [
        ("特别困难", "20260905"),
        ("比较困难", "20260905"),
        ("一般困难", "20260905"),
    ]
