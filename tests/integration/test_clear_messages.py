"""Messages that say what happened (issue 20 §4), each on SQLite and PostgreSQL: the right password
during a lock-out, a county viewer's ledger export, a name that is only too long, and a --map that
contradicts a recognised header (and a remembered one that fills 姓名 with ID numbers)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from aidoffice.access.checks import act_as
from aidoffice.db.models import School, User
from aidoffice.errors import ValidationError
from aidoffice.exporting import roster, roster_export
from aidoffice.exporting import template as tpl
from aidoffice.exporting.ledger import export_school_ledger
from aidoffice.exporting.samples import Shape, build
from aidoffice.ledgers.school import require_school
from aidoffice.ledgers.students import add_student
from aidoffice.privacy import find_sensitive
from aidoffice.safety import accounts
from aidoffice.safety.accounts import AccountLocked, SignInFailed, authenticate, create_user, sign_in
from tests import factories
from tests.factories import LIVING, TERM, TODAY, student

pytestmark = pytest.mark.today("2026-09-20")

PW = "Mountain-2026"


@pytest.fixture
def roster_school(school_db):
    """The roster school: six students of various standing (tests/factories.py)."""
    return school_db, factories.roster_school(school_db)


def test_the_right_password_during_a_lock_out_says_locked_and_for_how_long(db):
    """“登录名或密码不正确” for the right password sent clerks to reset passwords that were fine. The
    right password now hears that the account is locked and how long is left; a wrong one still gets
    the one message for all (nobody learns more than they knew)."""
    with db.unit_of_work() as s:
        create_user(s, "zhang", "张主任", PW, "admin", must_change_password=False)
    now = datetime(2026, 11, 27, 10, 0)
    for _ in range(accounts.LOCK_AFTER):
        with db.sessions() as s, pytest.raises(SignInFailed):
            try:
                authenticate(s, "zhang", "wrong-password1", now=now)
            finally:
                s.commit()
    with db.sessions() as s:
        with pytest.raises(AccountLocked) as locked:
            authenticate(s, "zhang", PW, now=now + timedelta(seconds=10))
        with pytest.raises(SignInFailed) as wrong:
            authenticate(s, "zhang", "wrong-password2", now=now + timedelta(seconds=11))
        s.rollback()
    text = str(locked.value)
    assert "已被锁定" in text and "还需等待20 秒" in text and "登录名或密码不正确" not in text
    assert "users unlock zhang" in text and locked.value.seconds == 20
    assert not isinstance(wrong.value, AccountLocked) and "登录名或密码不正确" in str(wrong.value)
    with db.sessions() as s:
        user = s.scalars(select(User).where(User.login == "zhang")).one()
        user.failed_attempts, user.locked_until = 9, now + timedelta(minutes=16)
        s.commit()
        with pytest.raises(AccountLocked, match="约 16 分钟"):
            authenticate(s, "zhang", PW, now=now)


def test_a_county_viewers_plain_ledger_export_is_masked_and_says_so(school_db, tmp_path):
    """The manual: accounts without the right to full numbers (县级查看) export the masked ledger. Before,
    a plain export was refused without a word about --mask."""
    with school_db.unit_of_work() as s:
        add_student(s, require_school(s).id, student("王小明"), today=TODAY)
        create_user(s, "admin", "管理员", PW, "admin", must_change_password=False)
    admin = sign_in(school_db, "admin", PW)
    with school_db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "county", "县中心", PW, "county_viewer", must_change_password=False)
    county = sign_in(school_db, "county", PW)
    out = tmp_path / "台账.xlsx"
    with school_db.unit_of_work() as s:
        act_as(s, county)
        res = export_school_ledger(s, out)
    assert res.masked and res.masked_for_role and res.rows == 1
    cells = [str(v) for row in load_workbook(out).active.iter_rows(values_only=True) for v in row if v]
    assert not [c for c in cells if find_sensitive(c)] and any("********" in c for c in cells)
    with school_db.unit_of_work() as s:
        act_as(s, admin)
        full = export_school_ledger(s, tmp_path / "全.xlsx", purpose="核对")
    assert not full.masked and not full.masked_for_role


def test_a_name_that_is_only_too_long_says_so_and_the_limit(school_db):
    """31 characters of a real name were refused as “含有数字或符号”: say it is too long, and the limit."""
    long_name = "阿" * 31
    with school_db.unit_of_work() as s, pytest.raises(ValidationError) as err:
        add_student(s, require_school(s).id, student(long_name), today=TODAY)
    text = str(err.value)
    assert "太长" in text and "31 个字" in text and "最多 30 个字" in text and "数字或符号" not in text
    with school_db.unit_of_work() as s, pytest.raises(ValidationError, match="含有数字或符号"):
        add_student(s, require_school(s).id, student("王小明2"), today=TODAY)
    with school_db.unit_of_work() as s:
        assert add_student(s, require_school(s).id, student("阿" * 30), today=TODAY).name == "阿" * 30


def test_a_map_against_a_recognised_header_is_refused_unless_confirmed(roster_school, tmp_path):
    """--map "姓名=身份证件号" was accepted and remembered, so every later export filled 姓名 with ID
    numbers. Now: refused, saying which column and what its header means; with --force-map the
    check of every filled column against its header still refuses IDs in a 姓名 column, and a
    compatible re-target (a phone column to the guardian's phone) goes through."""
    db, _ = roster_school
    template = tmp_path / "县模板.xlsx"
    build(Shape()).save(template)
    out = tmp_path / "花名册.xlsx"
    with db.unit_of_work() as s:
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        roster.confirm(s, p)
    with db.unit_of_work() as s:
        p = roster.recorded_roster(s, LIVING, TERM)
        with pytest.raises(tpl.MappingContradicts) as err:
            roster_export.export_roster(
                s, p, out, template=template, mapping={"姓名": "身份证件号"}, today=TODAY
            )
        assert "「姓名」列（B 列）" in str(err.value) and "--force-map" in str(err.value)
        with pytest.raises(roster_export.RosterRefused) as forced:
            roster_export.export_roster(
                s, p, out, template=template, mapping={"姓名": "身份证件号"}, force_map=True, today=TODAY
            )
        assert "「姓名」列（B 列）按列名应是“姓名”" in str(forced.value) and "不像姓名" in str(forced.value)
        assert not find_sensitive(str(forced.value))  # the example shown is masked
    assert not out.exists()
    with db.reading() as s:
        assert not (s.scalars(select(School)).one().settings or {}).get("template_mappings")


def test_a_remembered_mapping_that_fills_names_with_ids_is_caught_before_export(roster_school, tmp_path):
    """A template remembered with 姓名 → 身份证件号 (by an older version) must not fill a roster: the
    check of each column's content against its header refuses it, with the way to fix it."""
    db, _ = roster_school
    template = tmp_path / "县模板.xlsx"
    wb = Workbook()
    wb.active.title = "花名册"
    wb.active.append(["序号", "姓名", "身份证号", "金额"])  # a bare header: the remembered placement holds
    wb.save(template)
    layout = tpl.analyse_workbook(tpl.open_template(template))
    name_key = next(c.key for c in layout.columns if c.field == "name")
    with db.unit_of_work() as s:
        school = require_school(s)
        school.settings = {
            **(school.settings or {}),
            "template_mappings": {layout.fingerprint: {name_key: "id_number"}},
        }
        p = roster.propose(s, LIVING, TERM, today=TODAY)
        roster.confirm(s, p)
    out = tmp_path / "花名册.xlsx"
    with db.unit_of_work() as s:
        p = roster.recorded_roster(s, LIVING, TERM)
        with pytest.raises(roster_export.RosterRefused, match="不像姓名") as err:
            roster_export.export_roster(s, p, out, template=template, today=TODAY)
        assert "--map" in str(err.value)
        res = roster_export.export_roster(s, p, out, template=template, mapping={"姓名": "姓名"}, today=TODAY)
    assert load_workbook(out)["花名册"].cell(row=res.first_row, column=2).value.endswith("甲")
    with db.reading() as s:  # the corrected placement is what the template remembers now
        assert s.scalars(select(School)).one().settings["template_mappings"][layout.fingerprint] == {
            name_key: "name"
        }


def test_a_forced_map_against_its_header_is_for_that_export_only(roster_school, tmp_path):
    """Review finding: --map "姓名=监护人姓名" --force-map went into the template's remembered mapping,
    and every later roster silently filled 姓名 with the parents' names (still names: no check can
    tell). A placement against a recognised header is used once and never remembered."""
    db, _ = roster_school
    template = tmp_path / "县模板.xlsx"
    build(Shape()).save(template)
    with db.unit_of_work() as s:
        roster.confirm(s, roster.propose(s, LIVING, TERM, today=TODAY))
    with db.unit_of_work() as s:
        p = roster.recorded_roster(s, LIVING, TERM)
        roster_export.export_roster(s, p, tmp_path / "a.xlsx", template=template, mapping={"姓名": "监护人姓名"},
                             force_map=True, today=TODAY)  # fmt: skip
    with db.reading() as s:
        remembered = (s.scalars(select(School)).one().settings or {}).get("template_mappings") or {}
        assert not any("guardian_name" in m.values() for m in remembered.values())
    with db.unit_of_work() as s:
        p = roster.recorded_roster(s, LIVING, TERM)
        roster_export.export_roster(s, p, tmp_path / "b.xlsx", template=template, today=TODAY)
    first = [c.value for c in load_workbook(tmp_path / "a.xlsx")["花名册"]["B"]]
    second = [c.value for c in load_workbook(tmp_path / "b.xlsx")["花名册"]["B"]]
    assert first != second and set(p_.name for p_ in p.lines if p_.included) <= set(second)
