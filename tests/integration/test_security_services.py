"""Permissions in the services that arrived after the accounts: the 1222 letters, slips, classes, notice,
poster and pack; the roster and its confirmation; the county consolidation. The services refuse, not
only the buttons: the command line and any script meet the same checks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from aidoffice.access import checks as access
from aidoffice.access.checks import PermissionDenied, Principal, act_as
from aidoffice.access.roles import Role, RoleBook, role_book
from aidoffice.db.models import Award, PublicityBatch, Slip, Student
from aidoffice.exporting import roster, roster_export
from aidoffice.exporting.consolidate import consolidate
from aidoffice.publicity import slips
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.notice import produce_notice
from aidoffice.publicity.pack import make_pack
from aidoffice.publicity.poster import produce_poster
from aidoffice.publicity.sessions import missing_sessions, produce_signin, record_session
from aidoffice.publicity.settings import write_settings
from aidoffice.safety.accounts import create_user, sign_in
from aidoffice.services import slip_desk
from tests.factories import an_id
from tests.letters_world import LETTER_DAY, build_school
from tests.sheets import school_file

ADMIN_PW = "Mountain-2026"
PW = "River-2026x"
LIVING = "义务教育家庭经济困难学生生活补助"


def _accounts(db) -> dict[str, Principal]:
    """An administrator, a clerk, the head teacher of 七年级2班 and a county viewer, signed in."""
    with db.unit_of_work() as s:
        create_user(s, "admin", "管理员", ADMIN_PW, "admin")
    admin = sign_in(db, "admin", ADMIN_PW)
    with db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "clerk", "资助专干", PW, "clerk", must_change_password=False)
        create_user(s, "wang", "王老师", PW, "head_teacher", [(7, "2班")], must_change_password=False)
        create_user(s, "county", "县中心", PW, "county_viewer", must_change_password=False)
    return {"admin": admin} | {login: sign_in(db, login, PW) for login in ("clerk", "wang", "county")}


@pytest.fixture
def office(school_db):
    """The letters school (七年级2班, 七年级10班, 六年级1班) with its four kinds of account."""
    build_school(school_db, rare_names=False)
    return school_db, _accounts(school_db)


def _batches(db) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(PublicityBatch))


def test_a_head_teacher_prints_letters_for_their_own_class_only(office, tmp_path):
    """Another class, a whole grade or the whole school would put other teachers' children in their
    hands: refused with the reason, no batch recorded, no file written."""
    db, who = office
    with db.unit_of_work() as s:
        act_as(s, who["wang"])
        batch = produce_letters(s, "policy", tmp_path / "mine.pdf", grade="七年级", class_name="2班",
                                letter_date=LETTER_DAY)  # fmt: skip
    assert batch.letters == 4
    before = _batches(db)
    for grade, class_name, reason in (
        ("七年级", "10班", "七年级10班不是您登记的班级"),
        ("七年级", None, "不能按全校或整个年级生成"),
        (None, None, "您登记的班级：七年级2班"),
    ):
        out = tmp_path / f"{grade}{class_name}.pdf"
        with pytest.raises(PermissionDenied, match=reason), db.unit_of_work() as s:
            act_as(s, who["wang"])
            produce_letters(s, "aid", out, grade=grade, class_name=class_name, letter_date=LETTER_DAY)
        assert not out.exists()
    assert _batches(db) == before


def test_a_head_teacher_may_not_make_the_whole_schools_notice_or_pack_but_may_print_the_poster(
    office, tmp_path
):
    """The public notice and the inspection pack list every aided child of the school; the poster has
    the policies only."""
    db, who = office
    for make, what in (
        (lambda s: produce_notice(s, tmp_path / "公示.pdf", starts=LETTER_DAY), "受助学生公示涉及全校学生"),
        (lambda s: make_pack(s, tmp_path / "包.zip", on=LETTER_DAY), "迎检材料包涉及全校学生"),
    ):
        with pytest.raises(PermissionDenied, match=what), db.unit_of_work() as s:
            act_as(s, who["wang"])
            make(s)
    with db.unit_of_work() as s:
        act_as(s, who["wang"])
        assert produce_poster(s, tmp_path / "海报.pdf", poster_date=LETTER_DAY).pages >= 1
    with pytest.raises(PermissionDenied, match="打印告知书"), db.unit_of_work() as s:
        act_as(s, who["county"])
        produce_poster(s, tmp_path / "县.pdf", poster_date=LETTER_DAY)


def test_a_head_teacher_registers_and_counts_their_own_classes_slips(office, tmp_path):
    """A code from another class is refused (nothing registered); the counts show their class only."""
    db, who = office
    with db.unit_of_work() as s:
        act_as(s, who["clerk"])
        produce_letters(s, "policy", tmp_path / "all.pdf", letter_date=LETTER_DAY)
    with db.reading() as s:
        codes = dict(s.execute(select(Slip.code, Slip.student_id).where(Slip.kind == "policy")).all())
        classes = dict(s.execute(select(Student.id, Student.class_name)).all())
    mine = next(c for c, sid in codes.items() if classes[sid] == "2班")
    other = next(c for c, sid in codes.items() if classes[sid] == "10班")
    with db.unit_of_work() as s:
        act_as(s, who["wang"])
        assert slip_desk.receive(s, mine, "apply").outcome is slips.Outcome.RECEIVED
    with pytest.raises(PermissionDenied, match="七年级10班不是您登记的班级"), db.unit_of_work() as s:
        act_as(s, who["wang"])
        slip_desk.receive(s, other, "apply")
    with db.reading() as s:
        assert s.scalar(select(Slip.received_at).where(Slip.code == other)) is None
        act_as(s, who["wang"])
        status = slips.slip_status(s)
        assert [c.label for c in status.classes] == ["七年级2班"]
        assert (status.total, status.returned) == (4, 1)
        assert set(slips.outstanding(s)) == {"七年级2班"}
        assert status.scope == "本人所带班级：七年级2班"  # not 全校
        for grade, class_name in (("七年级", "10班"), ("七年级", None)):  # refused, not an empty list
            with pytest.raises(PermissionDenied):
                slips.slip_status(s, grade=grade, class_name=class_name)
        act_as(s, who["clerk"])
        assert len(slips.slip_status(s).classes) == 3
    from aidoffice.access.checks import bind_user
    from aidoffice.safety.check import check_database

    bind_user(db, who["wang"])  # check's findings name students of every class
    try:
        with pytest.raises(PermissionDenied, match="数据库检查涉及全校学生"):
            check_database(db)
    finally:
        bind_user(db, None)


def test_a_head_teacher_records_and_prints_the_policy_class_of_their_own_class_only(office, tmp_path):
    """A head teacher keeps the record and the sign-in sheet of their own class's policy session, not another's."""
    db, who = office
    with db.unit_of_work() as s:
        act_as(s, who["wang"])
        record_session(s, held_on=date(2026, 9, 10), grade="七年级", class_name="2班", kind="entry",
                       teacher="王老师", topic="资助政策", attendance=4)  # fmt: skip
        produce_signin(s, tmp_path / "签到.pdf", grade="七年级", class_name="2班")
        assert {m.class_label for m in missing_sessions(s)} <= {"七年级2班"}
    with pytest.raises(PermissionDenied, match="七年级10班"), db.unit_of_work() as s:
        act_as(s, who["wang"])
        record_session(s, held_on=date(2026, 9, 10), grade="七年级", class_name="10班", kind="entry",
                       teacher="王老师", topic="资助政策", attendance=2)  # fmt: skip


def test_only_who_may_set_up_the_publicity_changes_the_phones_on_every_letter(office):
    """The phones print on every family's letter: a head teacher or the county may not change them."""
    db, who = office
    for login in ("wang", "county"):
        with pytest.raises(PermissionDenied, match="宣传材料设置"), db.unit_of_work() as s:
            act_as(s, who[login])
            write_settings(s, complaint_phone="0312-0000000")
    with db.unit_of_work() as s:
        act_as(s, who["clerk"])
        assert write_settings(s, complaint_phone="0312-7250000").complaint_phone == "0312-7250000"


def test_the_roster_is_a_clerks_job_and_confirming_it_needs_its_own_right(office, tmp_path):
    """Head teachers and county viewers may not propose or export rosters; confirming awards is
    a permission of its own so an office can keep it from someone who only exports."""
    db, who = office
    for login, what in (("wang", "按县模板导出花名册"), ("county", "按县模板导出花名册")):
        with pytest.raises(PermissionDenied, match=what), db.unit_of_work() as s:
            act_as(s, who[login])
            roster.propose(s, LIVING, "2026-2027-1")
    with db.unit_of_work() as s:
        act_as(s, who["clerk"])
        proposal = roster.propose(s, LIVING, "2026-2027-1")
        roster.confirm(s, proposal)
        roster_export.export_roster(s, proposal, tmp_path / "花名册.xlsx", anyway="测试")
    assert (tmp_path / "花名册.xlsx").exists()


def test_a_payment_roster_with_full_numbers_needs_the_full_numbers_right(office, tmp_path, monkeypatch):
    """An office may give someone roster export without full numbers: the check runs, the file with
    ID and card numbers is refused."""
    db, _ = office
    book = role_book()
    exporter = Role("exporter", "花名册员", "", frozenset({"students.view", "export.roster"}), False)
    monkeypatch.setattr(
        access, "role_book", lambda: RoleBook(book.permissions, book.roles | {"exporter": exporter})
    )
    who = Principal(99, "exporter", "花名册员", "exporter")
    with db.unit_of_work() as s:
        act_as(s, who)
        proposal = roster.propose(s, LIVING, "2026-2027-1")
        assert roster_export.export_roster(s, proposal, None).rows == len(proposal.included)  # checking only
    out = tmp_path / "含证件号.xlsx"
    with pytest.raises(PermissionDenied, match="导出含完整证件号"), db.unit_of_work() as s:
        act_as(s, who)
        roster_export.export_roster(s, roster.propose(s, LIVING, "2026-2027-1"), out, anyway="测试")
    assert not out.exists()
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Award).where(Award.batch_id.is_not(None))) == 0


def test_a_county_viewer_consolidates_school_rosters_and_a_head_teacher_may_not(office, tmp_path):
    """Consolidating reads the schools' files and changes nothing in the database, so the read-only
    county role may do it (recorded with who did it)."""
    db, who = office
    a = school_file(tmp_path / "甲校.xlsx", "甲校", [("王一", an_id(), 750, "6228480000000000011")])
    b = school_file(tmp_path / "乙校.xlsx", "乙校", [("李一", an_id(), 750, "6228480000000000021")])
    with db.unit_of_work() as s:
        act_as(s, who["county"])
        assert consolidate([a, b], tmp_path / "汇总.xlsx", session=s).rows == 2
    with pytest.raises(PermissionDenied, match="县级汇总"), db.unit_of_work() as s:
        act_as(s, who["wang"])
        consolidate([a, b], tmp_path / "汇总2.xlsx", session=s)
    assert not (tmp_path / "汇总2.xlsx").exists()


def test_the_whole_schools_statistics_are_not_for_a_head_teacher(office):
    """The term's statistics count every class; a county viewer may read them, a head teacher not."""
    from aidoffice.reconcile.statistics import term_statistics

    db, who = office
    with pytest.raises(PermissionDenied, match="全校统计涉及全校学生"), db.reading() as s:
        act_as(s, who["wang"])
        term_statistics(s)
    with db.reading() as s:
        act_as(s, who["county"])
        assert term_statistics(s) is not None


def test_a_head_teacher_cannot_open_another_class_student_by_number(office):
    """The window lists only their class; a script asking for another child by id is refused too."""
    from aidoffice.ledgers.students import get_student

    db, who = office
    with db.reading() as s:
        other = s.scalar(select(Student.id).where(Student.class_name == "10班").limit(1))
        mine = s.scalar(select(Student.id).where(Student.class_name == "2班").limit(1))
    with db.reading() as s:
        act_as(s, who["wang"])
        assert get_student(s, mine).id == mine
        with pytest.raises(PermissionDenied, match="七年级10班不是您登记的班级"):
            get_student(s, other)
