"""Reviewing the roster as the clerk sees it: rows kept outside the rules (an award already recorded, a
student added with a reason) take their place in grade/class order, and a check names the row the
review table shows. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import Award
from aidoffice.exporting import roster
from aidoffice.exporting.checks import Finding
from aidoffice.ledgers.school import ensure_term, require_school
from aidoffice.ledgers.students import add_student
from tests.factories import student

TERM = "2026-2027-1"
TODAY = date(2026, 9, 15)
LIVING = "义务教育家庭经济困难学生生活补助"


def test_rows_outside_the_rules_sort_into_grade_and_class_order(school_db):
    places = [("九年级", "2班"), ("七年级", "10班"), ("八年级", "1班"), ("七年级", "2班")]
    with school_db.unit_of_work(actor="资助专干") as s:
        sid = require_school(s).id
        cat = load_catalogue(s)
        term = ensure_term(s, roster.parse_term(TERM))
        pid = cat.policy_ids["compulsory_living_junior_boarding"]
        kids = []
        for i, (grade, class_name) in enumerate(places):  # awards recorded in this (unsorted) order
            birth = date(2011 + ["九年级", "八年级", "七年级"].index(grade), 3, 1 + i)
            st = add_student(
                s,
                sid,
                student("王李张赵"[i] + "同学", grade, class_name, boarding=True, birth=birth),
                today=TODAY,
            )
            s.add(Award(student_id=st.id, policy_id=pid, term_id=term.id, amount=Decimal("750")))
            kids.append(st)
        extra = add_student(
            s, sid, student("补录生", "八年级", "3班", boarding=True, birth=date(2012, 6, 6)), today=TODAY
        )
    with school_db.unit_of_work(actor="资助专干") as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        kept = [(x.grade_name, x.class_name) for x in p.lines if x.rank == roster.RANK_RECORDED]
        assert kept == [("七年级", "2班"), ("七年级", "10班"), ("八年级", "1班"), ("九年级", "2班")]
        roster.add(s, p, extra.id_number, "县里核准补录")
        kept = [(x.grade_name, x.class_name) for x in p.lines if x.rank == roster.RANK_RECORDED]
        assert kept[3] == ("八年级", "3班")  # in its class's place, not at the bottom
        rows = roster.shown_rows(p)
        assert [rows[x.student_id] for x in p.lines] == list(range(1, len(p.lines) + 1))


def test_a_check_names_the_row_the_review_table_shows_and_the_sheet_row_after_it():
    f = Finding("no_account", True, "张三", "130624********0012", "没有登记银行卡号", row=7, student_id=3)
    assert f.describe(12).startswith("表中第 12 行（花名册第 7 行） 张三")
    assert f.describe().startswith("第 7 行 张三")
