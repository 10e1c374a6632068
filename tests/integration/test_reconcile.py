"""The two-way comparison on a school with every kind of finding planted: everything planted is found,
nothing else is, each finding says why, and nothing it prints carries a full ID number."""

from __future__ import annotations

from datetime import date

import pytest

from aidoffice.privacy import find_sensitive
from aidoffice.reconcile.compare import compare
from aidoffice.reconcile.findings import side_text
from aidoffice.reconcile.kinds import KINDS
from aidoffice.reconcile.statistics import term_statistics
from tests.reconcile_world import EXPECTED, TERM, TODAY, plant

# the planted world is dated 2026-11-22 (tests/reconcile_world.py): compare as of that day
pytestmark = pytest.mark.today("2026-11-22")


@pytest.fixture
def world(school_db, tmp_path):
    return school_db, plant(school_db, tmp_path)


def run(db, term=TERM, today=TODAY):
    with db.unit_of_work(actor="资助专干") as s:
        return compare(s, term, today=today)


def test_every_planted_case_is_found_and_nothing_is_invented(world):
    """False findings cost the clerk as much as missed ones: the set must be exact."""
    db, _w = world
    found = {(f.kind, f.name) for f in run(db).findings}
    assert found - EXPECTED == set(), "invented"
    assert EXPECTED - found == set(), "missed"
    # the kinds that come from returned slips are planted in tests/integration/test_slips.py
    assert {k for k, _ in EXPECTED} == set(KINDS) - {"AID_OBJECTION", "ASSESSMENT_PENDING", "VISIT_NEED"}, (
        "every kind is planted"
    )


NEAR_MISSES = {
    "钱七": "a 监测对象 whose risk is 已消除 does not qualify by that group",
    "孙八": "a 低保 fact learned after the comparison date does not count yet",
    "蒋二": "last school year's assessment does not carry into this year",
    "马超": "same name, IDs one digit apart, but born on other days in other villages",
    "王芳": "王方 sounds the same and was born the same day, but the IDs are unrelated",
    "王方": "verified as studying elsewhere: accounted for",
    "外县孩子": "a child of a village the school does not serve",
    "何大姐": "21 years old: not of school age",
    "褚十四": "left during the term, after its start: the aid was due",
    "尤三": "the imported assessment qualifies the boarding subsidy",
    "李娜": "two students of one name and birthday, IDs one digit apart: two children, not a slip",
    "赵大勇": "two members of the household ledger alike in the same way: two people",
}


def test_the_near_misses_are_not_findings(world):
    """Each of these looks like a finding at first sight and is not one (the reason beside each)."""
    db, _w = world
    findings = run(db).findings
    wrongly = {name: why for name, why in NEAR_MISSES.items() if any(f.name == name for f in findings)}
    assert wrongly == {}


def test_ranks_put_likely_typos_and_priority_groups_first(world):
    """张晓红/张小红 (same pinyin) is a slip; 刘洋/王刚 may be a wrong ID: the slip is ranked first.
    A priority group's missed aid comes before a school-assessed student's."""
    db, _w = world
    ranks = {(f.kind, f.name): f.rank for f in run(db).findings}
    assert ranks[("NAME_MISMATCH", "张晓红")] == 1
    assert ranks[("NAME_MISMATCH", "刘洋")] == 2
    assert ranks[("MISSED_AID", "张小明")] == 1
    assert ranks[("MISSED_AID", "陈十三")] == 2


def test_each_finding_says_why(world):
    """The clerk must see the group, its source and date, the award and its batch, and which ID passes."""
    db, w = world
    by = {(f.kind, f.name): f for f in run(db).findings}
    missed = by[("MISSED_AID", "张小明")]
    assert "脱贫家庭（外部名单“阜平县乡村振兴局”，继续享受政策，2026-09-15）" in missed.detail
    assert missed.evidence["facts"][0]["known_on"] == "2026-09-15"
    assessed = by[("MISSED_AID", "陈十三")]
    assert "比较困难（学校认定“家庭经济困难认定（2026-2027学年）”" in assessed.detail
    unsupported = by[("UNSUPPORTED_AID", "赵六")]
    assert "监测对象（风险已消除）" in unsupported.detail
    assert unsupported.evidence["awards"][0]["batch"] == "2026秋-1"
    assert unsupported.evidence["awards"][0]["file"] == "2026秋季生活补助发放名单.xlsx"
    typo = by[("ID_TYPO_SUSPECT", "孔明")]
    columns = {c[0]: c[1] for c in typo.evidence["columns"]}
    assert (columns["证件号甲"], columns["甲校验位"]) == (w.ids["孔明"], "校验位正确")
    assert (columns["证件号乙"], columns["乙校验位"]) == (w.ids["孔明′"], "校验位错误")
    assert "只有第18位校验位不同" in typo.detail
    swap = by[("ID_TYPO_SUSPECT", "林晓东")]
    assert "第16、17位颠倒" in swap.detail and "同音" in swap.detail
    variant = by[("WRONG_VARIANT", "周九")]
    assert (
        "只面向寄宿生，该生是走读生" in variant.detail
        and "应为义务教育家庭经济困难非寄宿生生活补助（初中）" in variant.detail
    )
    left = by[("AID_AFTER_LEAVING", "郑十一")]
    assert "2026-07-01" in left.detail and "石家庄市第四中学" in left.detail


def test_aid_to_a_child_who_left_on_the_terms_first_day_is_aid_after_leaving(world):
    """Left mid-term, the term's aid is due; left on its first day, the child was never there."""
    from sqlalchemy import update

    from aidoffice.db.models import Student
    from aidoffice.domain.terms import Term

    db, w = world
    assert ("AID_AFTER_LEAVING", "褚十四") not in {(f.kind, f.name) for f in run(db).findings}  # left 10-10
    first_day = Term.parse(TERM).starts_on
    with db.unit_of_work() as s:
        s.execute(
            update(Student).where(Student.id == w.students["褚十四"]).values(status_changed_on=first_day)
        )
    left = [f for f in run(db).findings if (f.kind, f.name) == ("AID_AFTER_LEAVING", "褚十四")]
    assert len(left) == 1 and f"{first_day:%Y-%m-%d}" in left[0].detail


def test_the_list_row_stands_beside_the_student_record(world):
    """A problem opens with the school's record and the other source's row side by side."""
    db, _w = world
    f = next(f for f in run(db).findings if (f.kind, f.name) == ("MISSED_AID", "张小明"))
    assert f.evidence["left"]["source"].startswith("学籍台账")
    sources = [r["source"] for r in f.evidence["right"]]
    assert any(s.startswith("外部名单「阜平县乡村振兴局」") for s in sources)
    assert any(s.startswith("户籍台账") for s in sources)


def test_no_text_of_a_finding_carries_a_full_id_number(world):
    """Details and sides are printed on screen and in masked workbooks: IDs in them are masked."""
    db, _w = world
    for f in run(db).findings:
        texts = [f.detail] + [
            side_text(x) for x in [f.evidence.get("left") or {"source": ""}, *f.evidence.get("right", [])]
        ]
        for text in texts:
            assert find_sensitive(text) == [], (f.kind, text)


def test_a_past_term_reads_the_grade_the_student_had_then(world):
    """Compared a year later, a student now in 八年级 was in 七年级: no stage mismatch is invented."""
    db, _w = world
    later = run(db, "2025-2026-2", today=date(2026, 11, 22))
    assert later.term.years_back == 1
    assert later.term.on_date == date(2026, 8, 31)  # a term that is over: its last day
    assert not [f for f in later.findings if f.kind in ("WRONG_VARIANT", "AMOUNT_OFF_STANDARD")]


def test_statistics_count_each_priority_student_once(world):
    """应助尽助率 per group and per grade, from the same eligibility the findings use."""
    db, _w = world
    with db.unit_of_work() as s:
        stats = term_statistics(s, TERM, today=TODAY)
    groups = {r.key: (r.eligible, r.aided) for r in stats.by_group}
    # 张小明 (missed), 周九 and 冯十二 (aided, if by the wrong variant), 刘洋 (through the list's 王刚 row)
    assert groups["poverty_exited"] == (4, 3)
    assert groups["dibao"] == (2, 2)  # 李四, 吴十; 孙八's list came after the comparison date
    assert (stats.total.eligible, stats.total.aided) == (6, 5)
    grades = {r.label: (r.eligible, r.aided) for r in stats.by_grade}
    assert grades == {"三年级": (1, 1), "七年级": (3, 2), "八年级": (1, 1), "九年级": (1, 1)}
    villages = {v.village: (v.children, v.in_school, v.elsewhere, v.unaccounted) for v in stats.villages}
    assert villages["白庄村"] == (1, 0, 0, 1)  # 邓丽; 何平 counts once, in the first household listing him
    assert villages["黑崖沟村"][2] == 1  # 王方, verified as studying elsewhere
