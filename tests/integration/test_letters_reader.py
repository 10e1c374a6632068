"""The 1222 letters and the notice as a parent and an inspector read them: sections numbered as printed,
each stage's letter naming only its own next stage's policies, the school's seal and a named contact."""

from __future__ import annotations

import re

import pytest

from aidoffice.ledgers.students import add_student
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.notice import produce_notice
from aidoffice.publicity.settings import write_settings
from tests.factories import student
from tests.letters_world import LETTER_DAY, build_school, needs_poppler, pdf_pages

pytestmark = needs_poppler

HEADING = re.compile(r"^([一二三四五六七八九十]+)、", re.M)


@pytest.fixture
def stages(school_db):
    """One class in each grade a letter differs by: 七年级, 九年级 (leaving), 高一, 高三 (leaving)."""
    with school_db.unit_of_work(actor="测试员") as s:
        write_settings(
            s,
            contact_name="王丽",
            contact_phone="13912345678",
            aid_office_phone="0312-7251234",
            county_centre_phone="0312-7255678",
            complaint_phone="0312-7259999",
        )
        for name, grade in (("张七", "七年级"), ("李九", "九年级"), ("王十", "高一"), ("赵十二", "高三")):
            add_student(s, 1, student(name, grade, "1班"))


def letter_text(db, tmp_path, grade: str) -> str:
    with db.unit_of_work(actor="资助专干") as s:
        made = produce_letters(
            s, "policy", tmp_path / f"{grade}.pdf", grade=grade, letter_date=LETTER_DAY, covers=False
        )
    return "".join(pdf_pages(made.path))


@pytest.mark.parametrize("grade", ["七年级", "九年级", "高一", "高三"])
def test_sections_are_numbered_in_the_order_they_are_printed(school_db, stages, tmp_path, grade):
    """A non-leaving grade's letter has no next-stage section: it reads 一、二、三、四, never 一、二、四、五."""
    numbers = HEADING.findall(letter_text(school_db, tmp_path, grade))
    assert numbers == ["一", "二", "三", "四", "五"][: len(numbers)] and len(numbers) >= 4


def test_the_ninth_grade_letter_names_senior_school_policies_not_the_university_grant(
    school_db, stages, tmp_path
):
    """九年级 families read what awaits in 高中/中职; the university freshman grant is for 高三."""
    text = letter_text(school_db, tmp_path, "九年级")
    assert "升入高中（中职）后的资助政策" in text and "普通高中国家助学金" in text
    assert "新生入学资助" not in text and "省外" not in text


def test_the_university_grant_is_only_on_the_leaving_senior_letter(school_db, stages, tmp_path):
    """高一 families are not told of a grant for university freshmen among their own stage's policies;
    高三 families are, under going to university."""
    first = letter_text(school_db, tmp_path, "高一")
    last = letter_text(school_db, tmp_path, "高三")
    assert "新生入学资助" not in first and "普通高中国家助学金" in first
    assert "升入大学后的资助政策" in last and "新生入学资助" in last


def test_letters_and_the_notice_carry_the_seal_line_and_the_named_contact(school_db, tmp_path):
    """A parent knows whom to call (the 资助专干 by name and phone); the school stamps its seal."""
    build_school(school_db, rare_names=False)
    with school_db.unit_of_work(actor="资助专干") as s:
        write_settings(s, contact_name="王丽", contact_phone="13912345678")
        policy = produce_letters(s, "policy", tmp_path / "p.pdf", letter_date=LETTER_DAY, covers=False)
        aid = produce_letters(s, "aid", tmp_path / "a.pdf", letter_date=LETTER_DAY, covers=False)
        notice = produce_notice(s, tmp_path / "n.pdf", starts=LETTER_DAY)
    for path, letters in ((policy.path, policy.letters), (aid.path, aid.letters), (notice.path, 1)):
        text = "".join(pdf_pages(path)).replace(" ", "")
        assert text.count("学校（盖章）") == letters, path.name
        assert text.count("王丽") >= letters and "13912345678" in text, path.name


def test_an_unset_contact_is_said_and_printed_as_a_blank(school_db, tmp_path):
    """Without a named contact the letter prints a blank to fill in, and the clerk is told."""
    build_school(school_db, rare_names=False)
    with school_db.unit_of_work(actor="资助专干") as s:
        made = produce_letters(s, "policy", tmp_path / "p.pdf", grade="六年级", letter_date=LETTER_DAY)
    assert any("资助专干姓名" in w for w in made.warnings)
    assert "资助专干__________" in "".join(pdf_pages(made.path)).replace(" ", "")


@pytest.fixture
def questioned(school_db):
    """build_school's world after the comparison: 孙小明's boarding subsidy has no basis on record
    (an open 疑似误助); 张三's is backed by the 低保 record."""
    from sqlalchemy import select

    from aidoffice.db.models import Problem
    from aidoffice.reconcile.service import run_reconcile

    school = build_school(school_db, rare_names=False)
    with school_db.unit_of_work(actor="资助专干") as s:
        run_reconcile(s)
        kinds = {
            (p.name, p.kind) for p in s.scalars(select(Problem).where(Problem.kind == "UNSUPPORTED_AID"))
        }
    assert ("孙小明", "UNSUPPORTED_AID") in kinds and ("张三", "UNSUPPORTED_AID") not in kinds
    return school


def test_aid_letters_and_the_notice_leave_out_a_child_whose_aid_is_in_question(
    school_db, questioned, tmp_path
):
    """A family must not be told of aid that may be recovered, nor the village shown it: the child is
    left out by default, and the clerk is told who and why."""
    from aidoffice.publicity.letters import plan_letters

    with school_db.unit_of_work(actor="资助专干") as s:
        plan = plan_letters(s, "aid")
        aid = produce_letters(s, "aid", tmp_path / "a.pdf", letter_date=LETTER_DAY, covers=False)
        notice = produce_notice(s, tmp_path / "n.pdf", starts=LETTER_DAY)
    assert [h.name for h in plan.held] == ["孙小明"] and "疑似误助" in plan.held[0].kinds
    for made in (aid, notice):
        text = "".join(pdf_pages(made.path))
        assert "孙小明" not in text and "张三" in text
        assert [h["name"] for h in made.held_back] == ["孙小明"]
        assert any("孙小明" in w and "疑似误助" in w for w in made.warnings)
    assert aid.letters == 1


def test_a_child_kept_with_a_reason_is_printed_and_the_reason_recorded(school_db, questioned, tmp_path):
    """The clerk who has checked the case keeps the child in, with a reason the audit trail keeps; a
    blank reason does not count."""
    from sqlalchemy import select

    from aidoffice.db.models import AuditEntry

    sun = questioned.ids["孙小明"]
    with school_db.unit_of_work(actor="资助专干") as s:
        blank = produce_letters(s, "aid", tmp_path / "b.pdf", include={sun: "  "}, covers=False)
        aid = produce_letters(
            s, "aid", tmp_path / "a.pdf", include={sun: "已核实：低保证明补交"}, covers=False
        )
        notice = produce_notice(s, tmp_path / "n.pdf", include={sun: "已核实：低保证明补交"})
    assert blank.letters == 1
    assert aid.letters == 2 and "孙小明" in "".join(pdf_pages(aid.path))
    assert "孙小明" in "".join(pdf_pages(notice.path))
    assert aid.included[0]["reason"] == "已核实：低保证明补交"
    with school_db.reading() as s:
        notes = [e.note for e in s.scalars(select(AuditEntry)) if "有未处理问题" in (e.note or "")]
    assert len(notes) == 2 and all("孙小明" in n and "低保证明补交" in n for n in notes)


@pytest.mark.parametrize("bad", ["{学生姓名}", "王丽\n李四", "王" * 21])
def test_a_contact_name_that_is_not_a_name_is_refused(school_db, bad):
    """A placeholder, a second line or a paragraph typed as the contact's name never reaches a letter."""
    from aidoffice.errors import ValidationError
    from aidoffice.publicity.settings import read_settings

    with pytest.raises(ValidationError, match="资助专干姓名"), school_db.unit_of_work() as s:
        write_settings(s, contact_name=bad)
    with school_db.reading() as s:
        assert read_settings(s).contact_name == ""
