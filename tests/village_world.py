"""The village world: a school of 阜平县 whose 学籍 export places each student by the 户口所在地
column, and the two departments' lists (脱贫户, 低保) with children in no ledger, one of another county
and an adult. Used by tests/integration/test_village_places.py, the village GUI tests and the
command-line ledgers test."""

from __future__ import annotations

from datetime import date

from aidoffice.domain.idnumber import make_id
from aidoffice.importing.service import ImportOptions, run_import
from tests.sheets import ENROLLMENT_HEADER, POVERTY_HEADER, enrollment_rows, write_csv, write_xlsx

CODE = "3130624999"
TODAY = date(2026, 11, 22)
H = {name: i for i, name in enumerate(ENROLLMENT_HEADER)}
ADDRESSES = [
    "河北省保定市阜平县龙泉关镇黑崖沟村",  # row 2
    "阜平县龙泉关镇黑崖沟村3组",  # row 3
    "城南庄镇大岸底村",  # row 4: only 乡镇 + 村
    "保定市阜平县城南庄镇大岸底村委会",  # row 5
    "河北省保定市曲阳县灵山镇东村",  # row 6: another county (随迁)
    "阜平县城南庄镇",  # row 7: no village
    "河北省 保定市 阜平县 龙泉关镇 黑崖沟村 二组",  # row 8
    "阜平县阜平镇城北社区居委会",  # row 9
]
NOT_IN_SCHOOL = make_id("130624", date(2016, 5, 5), 71)  # 10, on the poverty list, in no ledger
NOT_IN_SCHOOL_2 = make_id("130624", date(2017, 2, 2), 82)  # 9, on the 低保 list, in no ledger
FOREIGN_CHILD = make_id("130627", date(2015, 1, 1), 93)  # on the poverty list, another county
ADULT = make_id("130624", date(1980, 1, 1), 15)


def imp(db, path, kind, **kw):
    with db.unit_of_work(actor="资助专干") as s:
        return run_import(s, path, ImportOptions(kind=kind, today=TODAY, **kw))


def students_file(tmp_path):
    rows = enrollment_rows(len(ADDRESSES), seed=11, school_code=CODE)
    for row, address in zip(rows, ADDRESSES, strict=True):
        row[H["户口所在地"]] = address
    return write_xlsx(tmp_path / "学籍.xlsx", [ENROLLMENT_HEADER, *rows]), rows


def poverty_file(tmp_path, students):
    enrolled = students[0][H["身份证件号"]]
    rows = [
        ["阜平县", "龙泉关镇", "黑崖沟村", "0001", "王大山", "户主", "王大山", ADULT, "男", "1980-01-01",
         "脱贫户", "继续享受政策", "", ""],
        [None, None, None, None, None, "之子", students[0][H["姓名"]], enrolled, students[0][H["性别"]],
         students[0][H["出生日期"]], "脱贫户", "继续享受政策", "在校生", "阜平县城关中学"],
        [None, None, None, None, None, "之女", "王小梅", NOT_IN_SCHOOL, "女", "2016-05-05", "脱贫户",
         "继续享受政策", "", ""],
        ["曲阳县", "灵山镇", "东村", "0009", "赵外", "之子", "赵外县", FOREIGN_CHILD, "男", "2015-01-01", "脱贫户",
         "继续享受政策", "", ""],
    ]  # fmt: skip
    return write_xlsx(tmp_path / "脱贫户.xlsx", [["阜平县脱贫人口名单"], POVERTY_HEADER, *rows])


def civil_file(tmp_path):
    rows = [
        ["乡镇", "村(居)", "姓名", "身份证号码", "保障类别", "保障人数", "月保障金额"],
        ["城南庄", "大岸底村委会", "李小雨", NOT_IN_SCHOOL_2, "农村低保", "3", "900"],  # written loosely
        ["", "", "孙无址", make_id("130624", date(2015, 3, 3), 44), "农村低保", "1", "300"],
    ]
    return write_csv(tmp_path / "低保.csv", rows, "gb18030")
