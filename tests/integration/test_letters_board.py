"""The rest of the 1222 evidence: the poster, the public notice, the two classes and the inspection
pack, checked as an inspector would open them."""

from __future__ import annotations

import subprocess
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from aidoffice.db.models import Slip
from aidoffice.errors import InputRefused, ValidationError
from aidoffice.privacy import find_sensitive
from aidoffice.publicity import sessions
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.notice import add_working_days, produce_notice
from aidoffice.publicity.pack import make_pack
from aidoffice.publicity.poster import produce_poster
from aidoffice.publicity.slips import slip_status
from aidoffice.publicity.templates import restore_default, save_template, shipped_text, template_text
from tests.letters_world import (
    ACCOUNT,
    LETTER_DAY,
    build_school,
    needs_poppler,
    pdf_fonts,
    pdf_pages,
)

pytestmark = needs_poppler


@pytest.fixture
def school(school_db):
    return build_school(school_db)


def _page_size(path) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("Page size"))
    w, _, h = line.split(":")[1].split()[:3]
    return float(w), float(h)


@pytest.mark.parametrize(("size", "points"), [("A3", (297, 420)), ("A4", (210, 297)), ("A2", (420, 594))])
def test_the_poster_fills_its_paper_with_type_readable_from_two_metres(
    school_db, school, tmp_path, size, points
):
    """One sheet on the board, in type a parent reads from the corridor."""
    with school_db.unit_of_work() as s:
        res = produce_poster(s, tmp_path / "poster.pdf", size=size, poster_date=LETTER_DAY)
    assert res.pages == 1
    w, h = _page_size(res.path)
    assert (round(w * 25.4 / 72), round(h * 25.4 / 72)) == points  # millimetres
    # 18 pt on A3 is ~6.4 mm a character, the least for reading at two metres; scaled with the paper
    assert res.body_pt >= 18 * w / 841.9
    text = pdf_pages(res.path)[0]
    for needed in ("小学", "初中", "怎样申请", "0312-7251234", "0312-7255678", "0312-7259999", "防诈骗"):
        assert needed in text
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in pdf_fonts(res.path))


def test_the_public_notice_shows_name_class_and_item_and_nothing_private(school_db, school, tmp_path):
    """The notice hangs in public for a week: it names child, class and aid, never an ID, account, phone or 低保."""
    with school_db.unit_of_work() as s:
        res = produce_notice(s, tmp_path / "公示.pdf", starts=date(2026, 10, 9))
    text = "".join(pdf_pages(res.path))
    assert res.students == 2 and "张三" in text and "孙小明" in text and "李四" not in text
    assert "七年级" in text and "营养改善计划" in text
    assert not [f for f in find_sensitive(text) if f[0] in ("id_number", "account", "phone")]
    assert "低保" not in text and "档次" not in text
    assert "2026年10月9日至2026年10月15日" in text.replace("\n", "")  # Fri + 4 working days, weekend skipped
    assert "0312-7259999" in text


def test_a_notice_shorter_than_five_working_days_is_refused(school_db, school, tmp_path):
    """Aid must be publicly shown for at least five working days; a shorter notice would fail inspection."""
    with pytest.raises(InputRefused, match="不少于5个工作日"), school_db.unit_of_work() as s:
        produce_notice(s, tmp_path / "x.pdf", days=3)


def test_the_notice_period_counts_working_days():
    """A notice starting on a Friday runs to the next Thursday: weekends do not count as days of notice."""
    assert add_working_days(date(2026, 10, 9), 5) == date(2026, 10, 15)
    assert add_working_days(date(2026, 10, 12), 5) == date(2026, 10, 16)


def test_the_level_is_listed_only_when_asked(school_db, school, tmp_path):
    """Showing each child's hardship tier in public is the school's explicit choice, never the default."""
    with school_db.unit_of_work() as s:
        res = produce_notice(s, tmp_path / "x.pdf", show_level=True)
        plain = produce_notice(s, tmp_path / "y.pdf")
    assert "档次" in "".join(pdf_pages(res.path))
    assert "档次" not in "".join(pdf_pages(plain.path))


def test_classes_lacking_their_policy_class_are_listed_until_it_is_recorded(school_db, school, tmp_path):
    """七年级 needs its entry class this autumn; the record removes it from the list."""
    term = "2026-2027-1"
    with school_db.reading() as s:
        before = [m.class_label for m in sessions.missing_sessions(s, term)]
    assert before == ["七年级2班", "七年级10班"]
    with school_db.unit_of_work() as s:
        sessions.record_session(
            s, held_on=date(2026, 9, 10), grade="七年级", class_name="2班", kind="entry", teacher="王老师",
            topic="初中阶段资助政策", attendance=4, term=term,
        )  # fmt: skip
    with school_db.reading() as s:
        assert [m.class_label for m in sessions.missing_sessions(s, term)] == ["七年级10班"]
        spring = [(m.class_label, m.kind) for m in sessions.missing_sessions(s, "2026-2027-2")]
    assert ("六年级1班", "leaving") in spring and ("七年级2班", "entry") not in spring


def test_a_session_with_more_pupils_than_the_class_has_is_refused(school_db, school):
    """More pupils present than the class has is a typing error an inspector would read as a made-up record."""
    with pytest.raises(ValidationError, match="到课人数"), school_db.unit_of_work() as s:
        sessions.record_session(
            s, held_on=date(2026, 9, 10), grade=7, class_name=2, kind="entry", teacher="王老师", topic="政策",
            attendance=40, term="2026-2027-1",
        )  # fmt: skip


def test_the_handout_and_sign_in_sheet_of_a_class(school_db, school, tmp_path):
    """A policy class needs its handout and a sign-in sheet of the class, or nothing shows it was held."""
    with school_db.unit_of_work() as s:
        handout, _ = sessions.produce_handout(
            s, tmp_path / "讲义.pdf", grade=6, class_name=1, handout_date=LETTER_DAY
        )
        signin, _ = sessions.produce_signin(s, tmp_path / "签到.pdf", grade=7, class_name=2)
    assert "初中阶段" in "".join(pdf_pages(handout))  # a leaving class learns the next stage's policies
    sign = "".join(pdf_pages(signin))
    assert "签到表" in sign and "张三" in sign and "应到 4 人" in sign


def test_the_office_edits_a_template_and_can_go_back_to_the_shipped_text(school_db, school, tmp_path):
    """The office may reword the poster and must be able to undo its edits back to the shipped text."""
    edited = shipped_text("poster").replace("不让一个学生因家庭经济困难而失学", "资助政策，温暖万家")
    save_template("poster", edited)
    assert template_text("poster") == edited
    with school_db.unit_of_work() as s:
        res = produce_poster(s, tmp_path / "p.pdf")
    assert "资助政策，温暖万家" in pdf_pages(res.path)[0]
    restore_default("poster")
    assert template_text("poster") == shipped_text("poster")


@pytest.mark.today("2026-10-09")  # the autumn term's materials, made and packed on 10-09
def test_the_inspection_pack_holds_every_piece_of_evidence_and_nothing_private(school_db, school, tmp_path):
    """Inspectors ask for the same evidence every year; the pack holds each piece as it was produced,
    and no ID or account number."""
    made = tmp_path / "made"
    made.mkdir()
    with school_db.unit_of_work() as s:
        policy = produce_letters(s, "policy", made / "政策.pdf", term="2026-2027-1", letter_date=LETTER_DAY)
        produce_letters(s, "aid", made / "受助.pdf", term="2026-2027-1", letter_date=LETTER_DAY)
        produce_poster(s, made / "海报.pdf", size="A3", term="2026-2027-1")
        produce_notice(s, made / "公示.pdf", term="2026-2027-1", starts=date(2026, 10, 9))
        res = make_pack(s, tmp_path / "迎检.zip", term="2026-2027-1", on=date(2026, 10, 9))
    with zipfile.ZipFile(res.path) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "pack")
    assert [n.split("_")[1] for n in names[1:]] == [
        "资助政策告知书", "受助情况告知书", "宣传栏海报", "受助学生公示", "回执收回情况.xlsx", "宣讲课记录.xlsx",
    ]  # fmt: skip
    assert names[0] == "00_清单.txt" and res.skipped == [] and res.changed == []
    assert (tmp_path / "pack" / names[1]).read_bytes() == policy.path.read_bytes()  # the file as printed
    for name in names:
        path = tmp_path / "pack" / name
        if name.endswith(".pdf"):
            text = "".join(pdf_pages(path))
            assert not [f for f in find_sensitive(text) if f[0] in ("id_number", "account")], name
            assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in pdf_fonts(path)), name
        elif name.endswith(".xlsx"):
            cells = [
                str(v) for ws in load_workbook(path) for row in ws.iter_rows(values_only=True) for v in row
            ]
            assert not [c for c in cells if find_sensitive(c)], name
        else:  # file names and SHA-256 digests, whose digit runs the generic scan would take for accounts
            text = path.read_text("utf-8")
            assert not [n for n in (*school.id_numbers.values(), ACCOUNT) if n in text], name
    listing = (tmp_path / "pack" / "00_清单.txt").read_text("utf-8")
    assert names[1] in listing and "受助学生公示" in listing
    assert load_workbook(tmp_path / "pack" / names[5]).sheetnames == ["各班回执", "未交回执"]


def test_the_pack_collects_what_was_produced_and_never_issues_slips(school_db, school, tmp_path):
    """The pack made after one class's letters holds that class's letters, issues no slip code to the rest
    of the school (回执登记 showed 应交 1051 after a pack), says what was not produced, and names a batch
    whose file was moved since."""
    with school_db.unit_of_work() as s:
        six = produce_letters(s, "policy", tmp_path / "六年级.pdf", grade="六年级", letter_date=LETTER_DAY)
        seven = produce_letters(s, "policy", tmp_path / "七年级.pdf", grade="七年级", letter_date=LETTER_DAY)
        issued = s.scalar(select(func.count()).select_from(Slip))
    seven.path.rename(tmp_path / "moved.pdf")
    with school_db.unit_of_work() as s:
        res = make_pack(s, tmp_path / "迎检.zip", on=date(2026, 10, 9))
        assert s.scalar(select(func.count()).select_from(Slip)) == issued
        assert slip_status(s).total == issued
    with zipfile.ZipFile(res.path) as zf:
        names = zf.namelist()
        assert zf.read(names[1]) == six.path.read_bytes()
    assert [n for n in names if n.endswith(".pdf")] == [names[1]]
    assert any("受助情况告知书" in w and "还没有生成" in w for w in res.skipped)
    assert any("公示" in w for w in res.skipped) and any("海报" in w for w in res.skipped)
    assert len(res.changed) == 1 and "已不在原处" in res.changed[0] and "七年级" in res.changed[0]
