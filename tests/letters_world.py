"""Builders shared by the 1222 publicity tests (no tests here): a school with named classes, rare
characters and a long name, awards of the current term, and helpers that read a PDF back the way a
person or an inspector would (pdftotext, pdffonts)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from aidoffice.catalogue import load_catalogue
from aidoffice.db.models import Award, GroupMembership, SourceKind, Student
from aidoffice.ledgers.school import ensure_current_term
from aidoffice.ledgers.students import add_student
from aidoffice.publicity.settings import write_settings
from tests.factories import student

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdffonts"),
    reason="poppler-utils（pdftotext、pdffonts）未安装：apt-get install poppler-utils",
)

LONG_NAME = "阿卜杜热合曼·买买提依明·艾力江"
ACCOUNT = "6217000012345678901"
LETTER_DAY = date(2026, 9, 1)


@dataclass
class School:
    ids: dict[str, int]  # name → student id
    id_numbers: dict[str, str]


def build_school(db, *, rare_names: bool = True) -> School:  # type: ignore[no-untyped-def]
    """七年级2班 (张三, 李四, a long name, 王𠮷), 七年级10班 (赵䶮, 钱堃), 六年级1班 (孙小明, a leaving
    class), with contacts set and aid this term for 张三 (two items) and 孙小明."""
    ids, numbers = {}, {}
    with db.unit_of_work(actor="测试员") as s:
        write_settings(
            s,
            aid_office_phone="0312-7251234",
            county_centre_phone="0312-7255678",
            complaint_phone="0312-7259999",
            apply_deadline="9月20日",
        )
        people = [
            ("张三", "七年级", "2班", True),
            ("李四", "七年级", "2班", False),
            ("阿卜杜热合曼买买提依明艾力江", "七年级", "2班", False),
            ("王吉", "七年级", "2班", False),
            ("赵岩", "七年级", "10班", True),
            ("钱堃", "七年级", "10班", False),
            ("孙小明", "六年级", "1班", True),
        ]
        for name, grade, class_name, boarding in people:
            st = add_student(
                s,
                1,
                student(
                    name,
                    grade,
                    class_name,
                    boarding=boarding,
                    bank_name="中国农业银行",
                    bank_account=ACCOUNT,
                    guardian_phone="13812345678",
                ),
            )
            ids[name], numbers[name] = st.id, st.id_number
        s.flush()
        # Names a 学籍 export carries that the ledger's form does not accept yet (CJK Ext-B): set
        # directly, as the letters must print whatever name the ledger holds.
        renames = {"阿卜杜热合曼买买提依明艾力江": LONG_NAME}
        if rare_names:
            renames |= {"王吉": "王𠮷", "赵岩": "赵䶮"}
        for old, new in renames.items():
            s.get(Student, ids[old]).name = new
            ids[new] = ids.pop(old)
            numbers[new] = numbers.pop(old)
        cat = load_catalogue(s)
        term = ensure_current_term(s)
        zhang = s.get(Student, ids["张三"])
        s.add(
            GroupMembership(
                person_key=zhang.person_key,
                group_code="dibao",
                source_kind=SourceKind.ROSTER,
                source_label="学籍登记",
                known_on=date(2026, 1, 1),
            )
        )
        for name, code, amount in (
            ("张三", "compulsory_living_junior_boarding", "750"),
            ("张三", "compulsory_nutrition", "500"),
            ("孙小明", "compulsory_living_primary_boarding", "625"),
        ):
            s.add(
                Award(
                    student_id=ids[name],
                    policy_id=cat.policy_ids[code],
                    term_id=term.id,
                    amount=Decimal(amount),
                    paid_on=date(2026, 10, 15),
                )
            )
    return School(ids, numbers)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, as a search in a PDF reader finds it."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    pages = out.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type [type2] encoding emb sub uni object-id 0
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def word_boxes(path: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) of every word, from pdftotext -bbox."""
    import re

    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    boxes = []
    page = 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            boxes.append((page, *(float(m[i]) for i in range(1, 5)), m[5]))
    return boxes


def slip_count(db) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    from aidoffice.db.models import Slip

    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Slip)) or 0


def print_letters(db, folder: Path):  # type: ignore[no-untyped-def]
    """`build_school` (without rare names) with this term's policy and aid letters printed into
    `folder`: slips issued. The two letters' results."""
    from aidoffice.publicity.letters import produce_letters

    build_school(db, rare_names=False)
    with db.unit_of_work(actor="资助专干") as s:
        policy = produce_letters(s, "policy", folder / "p.pdf", letter_date=LETTER_DAY)
        aid = produce_letters(s, "aid", folder / "a.pdf", letter_date=LETTER_DAY)
    return policy, aid
