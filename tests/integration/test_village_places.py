"""Both ledgers from the files a clerk really has: the 学籍 export's 户口所在地 places each student in a
village of the school's county, the departments' lists place their children the same way, the served
villages are a setting, and every total of the village ledger is the sum of its rows (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aidoffice.db.models import AuditEntry, School, Student
from aidoffice.domain.idnumber import make_id
from aidoffice.ledgers.places import served_villages, set_served_villages
from aidoffice.ledgers.school import ensure_current_term, setup_school
from aidoffice.ledgers.student_queries import StudentFilter, fetch_page
from aidoffice.ledgers.student_rules import StudentInput
from aidoffice.ledgers.students import add_student, update_student
from aidoffice.ledgers.villages import LISTED, STUDENTS, households_of, village_tree
from aidoffice.reconcile.service import run_reconcile
from tests.reconcile_world import make_current
from tests.sheets import POVERTY_HEADER, write_csv, write_xlsx
from tests.village_world import (
    ADDRESSES,
    ADULT,
    CODE,
    TODAY,
    H,
    civil_file,
    imp,
    poverty_file,
    students_file,
)


@pytest.fixture
def county_db(db):
    with db.unit_of_work(actor="测试员") as s:
        setup_school(s, "阜平县城关中学", CODE, "阜平县")
    make_current(db)
    return db


def village_of(db, id_number):
    with db.reading() as s:
        st = s.scalars(select(Student).where(Student.id_number == id_number)).one()
        return (st.village.township.name, st.village.name) if st.village else None


def test_the_hukou_address_places_each_student_and_the_report_names_what_could_not_be_placed(
    county_db, tmp_path
):
    path, rows = students_file(tmp_path)
    report = imp(county_db, path, "students")
    ids = [r[H["身份证件号"]] for r in rows]
    assert village_of(county_db, ids[0]) == ("龙泉关镇", "黑崖沟村")
    assert village_of(county_db, ids[1]) == ("龙泉关镇", "黑崖沟村")
    assert village_of(county_db, ids[2]) == ("城南庄镇", "大岸底村")
    assert village_of(county_db, ids[3]) == ("城南庄镇", "大岸底村")  # 村委会 is the same village
    assert village_of(county_db, ids[4]) is None  # another county: kept as text
    assert village_of(county_db, ids[5]) is None
    assert village_of(county_db, ids[6]) == ("龙泉关镇", "黑崖沟村")
    assert village_of(county_db, ids[7]) == ("阜平镇", "城北社区")
    warned = report.warnings_by_row
    assert sorted(warned) == [7]  # the one place that could not be split, by its Excel row
    assert "村（社区）" in warned[7][0].reason and "户籍乡镇、户籍村" in warned[7][0].reason
    [note] = [n for n in report.notes if "外县" in n]
    assert "曲阳县" in note and "第 6 行" in note
    with county_db.reading() as s:
        foreign = s.scalars(select(Student).where(Student.id_number == ids[4])).one()
        assert foreign.hukou_address == ADDRESSES[4] and foreign.hukou_township is None
        # the table shows the village of each student
        shown = {r.id_number: (r.township, r.village) for r in fetch_page(s, StudentFilter(), 0, 50)}
        assert shown[ids[2]] == ("城南庄镇", "大岸底村")


def test_with_only_the_students_export_and_two_lists_both_ledgers_are_filled(county_db, tmp_path):
    path, rows = students_file(tmp_path)
    imp(county_db, path, "students")
    poverty = imp(county_db, poverty_file(tmp_path, rows), "list", list_kind="poverty", source="乡村振兴局")
    assert any("曲阳县" not in n and "不在本县" in n for n in poverty.notes)
    civil = imp(county_db, civil_file(tmp_path), "list", list_kind="civil", source="民政局低保")
    assert "乡镇和村都为空" in civil.warnings_by_row[3][0].reason
    with county_db.reading() as s:
        term = ensure_current_term(s)
        tree = village_tree(s, term)
        villages = {(t.name, v.name): v for t in tree for v in t.villages}
        assert set(villages) == {("龙泉关镇", "黑崖沟村"), ("城南庄镇", "大岸底村"), ("阜平镇", "城北社区")}
        hei = villages[("龙泉关镇", "黑崖沟村")]
        # 3 students + the listed girl; the student on the poverty list counted once
        assert (hei.children, hei.in_school, hei.priority) == (4, 3, 2)
        da = villages[("城南庄镇", "大岸底村")]
        assert (da.children, da.in_school, da.priority) == (3, 2, 1)
        for t in tree:  # every total is the sum of its rows
            for v in t.villages:
                rows_ = households_of(s, v.id, term)
                for attr in ("children", "in_school", "priority", "aided"):
                    assert getattr(v, attr) == sum(getattr(r, attr) for r in rows_), (v.name, attr)
            for attr in ("children", "in_school", "priority", "aided"):
                assert t.total(attr) == sum(getattr(v, attr) for v in t.villages)
        kinds = {r.kind for r in households_of(s, hei.id, term)}
        assert kinds == {STUDENTS, LISTED}
    with county_db.unit_of_work(actor="资助专干") as s:
        result = run_reconcile(s, today=TODAY)
    missing = {f.name: f for f in result.comparison.findings if f.kind == "NOT_ENROLLED"}
    assert set(missing) == {"王小梅", "李小雨"}  # the child of another county is no one's to find
    assert missing["王小梅"].village == "黑崖沟村" and missing["李小雨"].village == "大岸底村"
    by_village = {r.label: r for r in result.statistics.by_village}
    assert "（未登记村）" not in by_village
    assert by_village["龙泉关镇黑崖沟村"].eligible == 1  # the 脱贫 student of 黑崖沟村


def test_served_villages_are_proposed_confirmed_and_listed_before_any_village_roster(county_db, tmp_path):
    path, rows = students_file(tmp_path)
    imp(county_db, path, "students")
    imp(county_db, poverty_file(tmp_path, rows), "list", list_kind="poverty", source="乡村振兴局")
    with county_db.reading() as s:
        served = served_villages(s)
        assert not served.confirmed
        assert {v.name for v in served.villages if v.served} == {"黑崖沟村", "大岸底村", "城北社区"}
        hei = next(v.id for v in served.villages if v.name == "黑崖沟村")
    with county_db.unit_of_work(actor="资助专干") as s:
        set_served_villages(s, [hei], [("龙泉关镇", "骆驼湾村")])
    with county_db.reading() as s:
        served = served_villages(s)
        assert served.confirmed
        assert {v.name for v in served.villages if v.served} == {"黑崖沟村", "骆驼湾村"}
        tree = village_tree(s, ensure_current_term(s))
        assert {v.name for t in tree for v in t.villages} == {"黑崖沟村", "骆驼湾村"}  # listed though empty
        school = s.scalars(select(School)).one()
        assert len(school.settings["served_villages"]) == 2
        assert s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "school", AuditEntry.action == "update")
        ).all()
    with county_db.unit_of_work(actor="资助专干") as s:
        result = run_reconcile(s, today=TODAY)
    # 大岸底村 is no longer served: its listed child is not looked for
    assert {f.name for f in result.comparison.findings if f.kind == "NOT_ENROLLED"} == {"王小梅"}


def test_the_student_form_saves_the_hukou_village_and_the_table_shows_it(county_db):
    with county_db.unit_of_work(actor="资助专干") as s:
        school = s.scalars(select(School)).one()
        st = add_student(
            s,
            school.id,
            StudentInput(
                name="王小明",
                id_number=make_id("130624", date(2013, 3, 1), 1),
                grade="七年级",
                class_name="1班",
                hukou_township="城南庄",
                hukou_village="大岸底村委会",
            ),
            today=TODAY,
        )
        sid = st.id
    with county_db.reading() as s:
        [row] = fetch_page(s, StudentFilter(), 0, 10)
        assert (row.township, row.village) == ("城南庄", "大岸底村")
    with county_db.unit_of_work(actor="资助专干") as s:
        data = StudentInput.from_student(s.get(Student, sid))
        data.hukou_township, data.hukou_village = "龙泉关镇", "黑崖沟村"
        update_student(s, sid, data, today=TODAY)
    with county_db.reading() as s:
        [row] = fetch_page(s, StudentFilter(), 0, 10)
        assert (row.township, row.village) == ("龙泉关镇", "黑崖沟村")
        tree = village_tree(s, ensure_current_term(s))
        counts = {v.name: v.in_school for t in tree for v in t.villages}
        assert counts["黑崖沟村"] == 1 and counts.get("大岸底村委会", 0) == 0


def test_after_a_village_roster_the_village_counts_its_children_in_school(county_db, tmp_path):
    """The roster's households take the children the 学籍 export placed; the village still counts them."""
    path, rows = students_file(tmp_path)
    imp(county_db, path, "students")
    imp(county_db, poverty_file(tmp_path, rows), "households")
    with county_db.reading() as s:
        term = ensure_current_term(s)
        hei = next(v for t in village_tree(s, term) for v in t.villages if v.name == "黑崖沟村")
        assert (hei.households, hei.children, hei.in_school) == (1, 4, 3)  # not 在本校 0
        rows_ = households_of(s, hei.id, term)
        household = next(r for r in rows_ if r.kind == "household")
        assert (household.head_name, household.in_school, household.children) == ("王大山", 1, 2)
        assert [r.kind for r in rows_] == ["household", STUDENTS]  # the linked student is counted once
        assert hei.in_school == sum(r.in_school for r in rows_)
        assert hei.children == sum(r.children for r in rows_)
        enrolled = s.scalars(select(Student).where(Student.id_number == rows[0][H["身份证件号"]])).one()
        assert enrolled.village_id == hei.id


def test_leaving_a_village_out_of_the_served_ones_does_not_pass_its_children_off_as_corrected(
    county_db, tmp_path
):
    """Review finding: narrowing the served villages closed the 需核实去向 problems of the villages left
    out as “数据已更正” — nothing about those children had changed. They are closed saying why, and open
    again when the village is served again."""
    from aidoffice.db.models import Problem, ProblemStatus

    path, rows = students_file(tmp_path)
    imp(county_db, path, "students")
    imp(county_db, poverty_file(tmp_path, rows), "list", list_kind="poverty", source="乡村振兴局")
    imp(county_db, civil_file(tmp_path), "list", list_kind="civil", source="民政局低保")
    with county_db.reading() as s:
        ids = {v.name: v.id for v in served_villages(s).villages}
    with county_db.unit_of_work(actor="资助专干") as s:
        set_served_villages(s, [ids["黑崖沟村"], ids["大岸底村"], ids["城北社区"]])
        run_reconcile(s, today=TODAY)

    def state(name):
        with county_db.reading() as s:
            p = s.scalars(select(Problem).where(Problem.kind == "NOT_ENROLLED", Problem.name == name)).one()
            return p.status, p.resolution

    assert state("李小雨") == (ProblemStatus.OPEN, None)
    with county_db.unit_of_work(actor="资助专干") as s:
        set_served_villages(s, [ids["黑崖沟村"], ids["城北社区"]])  # 大岸底村 left out
        run_reconcile(s, today=TODAY)
    assert state("李小雨") == (ProblemStatus.CLOSED, "已不在本校服务村")
    assert state("王小梅") == (ProblemStatus.OPEN, None)
    with county_db.unit_of_work(actor="资助专干") as s:
        set_served_villages(s, [ids["黑崖沟村"], ids["大岸底村"], ids["城北社区"]])
        run_reconcile(s, today=TODAY)
    assert state("李小雨") == (ProblemStatus.OPEN, None)


@pytest.mark.parametrize(
    ("town", "village", "said"),
    [
        ("=1+1", "=2+2", "应以汉字开头"),
        ("城南庄镇", "a\x1b[2Jb", "控制字符"),
        ("城南庄镇", "大\x1b[2J村", "控制字符"),
        ("城南庄镇", "村" * 31, "最多 30 个字"),
    ],
)
def test_a_served_village_typed_by_hand_must_be_a_place_name(county_db, town, village, said):
    from aidoffice.errors import ValidationError

    with county_db.unit_of_work(actor="资助专干") as s, pytest.raises(ValidationError) as err:
        set_served_villages(s, [], [(town, village)])
    assert said in str(err.value)
    with county_db.reading() as s:
        assert not served_villages(s).confirmed  # nothing half-written


def test_a_list_row_whose_place_is_no_place_is_reported_by_row(county_db, tmp_path):
    """Review finding: rows whose 乡镇/村 were formula text or a bare “村” vanished from the ledgers with
    no word; each is now named by its row, and the child is still on the list."""
    rows = [
        ["乡镇", "村(居)", "姓名", "身份证号码", "保障类别"],
        ["=1+1", "=2+2", "公式甲", make_id("130624", date(2015, 3, 3), 52), "农村低保"],
        ["城南庄镇", "村", "空村乙", make_id("130624", date(2015, 3, 4), 54), "农村低保"],
        ["城南庄镇", "@SUM(A1)", "公式丙", make_id("130624", date(2015, 3, 5), 56), "农村低保"],
        ["城南庄镇", "大岸底村", "正常丁", make_id("130624", date(2015, 3, 6), 58), "农村低保"],
    ]
    report = imp(county_db, write_csv(tmp_path / "低保.csv", rows, "gb18030"), "list", list_kind="civil",
                 source="民政局低保")  # fmt: skip
    said = {row: " ".join(w.reason for w in ws) for row, ws in report.warnings_by_row.items()}
    assert "应以汉字开头" in said[2] and "没有村名" in said[3] and "应以汉字开头" in said[4]
    assert 5 not in said
    assert report.rows_read == 4 and report.rejected == []  # still on the list, only not placed


def test_the_comparisons_village_table_says_what_the_village_ledger_says(county_db, tmp_path):
    """Review finding: with only the 学籍 export and the lists, the comparison's 各村学龄儿童 counted
    only the children on the lists (后庄村 3/0 where the ledger said 12/9). Both count the same children."""
    path, rows = students_file(tmp_path)
    imp(county_db, path, "students")
    imp(county_db, poverty_file(tmp_path, rows), "list", list_kind="poverty", source="乡村振兴局")
    imp(county_db, civil_file(tmp_path), "list", list_kind="civil", source="民政局低保")
    with county_db.reading() as s:
        tree = village_tree(s, ensure_current_term(s))
        ledger = {(t.name, v.name): (v.children, v.in_school) for t in tree for v in t.villages}
    with county_db.unit_of_work(actor="资助专干") as s:
        result = run_reconcile(s, today=TODAY)
    compared = {(v.township, v.village): (v.children, v.in_school) for v in result.comparison.villages}
    assert compared == ledger
    assert sum(c for c, _ in compared.values()) > 0


def test_a_student_placed_only_by_a_list_is_counted_in_that_village_in_the_statistics(county_db, tmp_path):
    """Row 7's 户口所在地 names no village; the poverty list puts the boy in 黑崖沟村. The village ledger
    counts him there, and so must 统计 → 按村 (it put him under （未登记村）)."""
    path, rows = students_file(tmp_path)
    imp(county_db, path, "students")
    unplaced = rows[5]
    assert village_of(county_db, unplaced[H["身份证件号"]]) is None
    listed = [
        ["阜平县", "龙泉关镇", "黑崖沟村", "0002", "刘大林", "户主", "刘大林", ADULT, "男", "1980-01-01",
         "脱贫户", "继续享受政策", "", ""],
        [None, None, None, None, None, "之子", unplaced[H["姓名"]], unplaced[H["身份证件号"]], unplaced[H["性别"]],
         unplaced[H["出生日期"]], "脱贫户", "继续享受政策", "在校生", "阜平县城关中学"],
    ]  # fmt: skip
    list_path = write_xlsx(tmp_path / "脱贫户.xlsx", [["阜平县脱贫人口名单"], POVERTY_HEADER, *listed])
    imp(county_db, list_path, "list", list_kind="poverty", source="乡村振兴局")
    with county_db.unit_of_work(actor="资助专干") as s:
        result = run_reconcile(s, today=TODAY)
    by_village = {r.label: r for r in result.statistics.by_village}
    assert "（未登记村）" not in by_village
    assert by_village["龙泉关镇黑崖沟村"].eligible == 1
    assert result.statistics.total.eligible == sum(r.eligible for r in result.statistics.by_village)
