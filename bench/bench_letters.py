"""Policy letters for a whole school, to a finished PDF, beside the floor measured in the same run: a
bare reportlab canvas drawing the same number of pages of Chinese text (about as many characters
as a letter page) with the same embedded fonts. Each figure comes from its own process, so peak RSS
is that job's alone; 1,000 and 3,000 letters show whether memory stays flat.

    .venv/bin/python bench/bench_letters.py --students 1000 3000

Where LibreOffice and docxtpl are installed, a Word-style mail merge of the same number of letters
(docxtpl, then soffice --convert-to pdf) is printed too, as the incumbent's figure."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_letters(db_path: str, out: str) -> dict:
    started = time.perf_counter()
    from aidoffice.db.engine import Database
    from aidoffice.publicity.letters import produce_letters

    db = Database(db_path)
    with db.unit_of_work(actor="bench") as s:
        res = produce_letters(s, "policy", out, letter_date=date(2026, 9, 1))
        s.rollback()  # leave the database as it was, so each run issues the same number of codes
    return {
        "seconds": time.perf_counter() - started,
        "pages": res.pages,
        "letters": res.letters,
        "rss_mb": _rss_mb(),
    }


LINE = "为了让每一位家长及时了解国家学生资助政策，做到不让一个学生因家庭经济困难而失学，现将政策告知如下"


def child_floor(pages: int, out: str) -> dict:
    started = time.perf_counter()
    from reportlab.pdfgen.canvas import Canvas

    from aidoffice.publicity.fonts import BODY, default_fonts

    fonts = default_fonts()
    name = fonts.main_name(BODY)
    c = Canvas(out, invariant=1, pageCompression=1, initialFontName=name)
    for p in range(pages):
        c.setFont(name, 10.5)
        y = 800.0
        for n in range(48):  # ~1,700 characters a page, as a one-page letter has
            text = LINE[(n + p) % 7 :][:36]
            c.drawString(51, y, text)
            y -= 15.75
        c.showPage()
    c.save()
    return {"seconds": time.perf_counter() - started, "pages": pages, "rss_mb": _rss_mb()}


def _child(args: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _make_db(folder: Path, students: int) -> str:
    from aidoffice.db.engine import Database
    from aidoffice.demo import generate
    from aidoffice.ledgers.school import setup_school
    from aidoffice.publicity.settings import write_settings

    path = str(folder / f"bench_{students}.db")
    db = Database(path)
    with db.unit_of_work(actor="bench") as s:
        setup_school(s, "基准测试县第一中学", None, "基准测试县")
        generate(s, students, seed=7)
        write_settings(
            s,
            aid_office_phone="0312-7251234",
            county_centre_phone="0312-7255678",
            complaint_phone="0312-7259999",
        )
    db.dispose()
    return path


def _mail_merge(letters: int, folder: Path) -> float | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    try:
        import docx  # noqa: F401
        import docxtpl  # noqa: F401
    except ImportError:
        return None
    if not soffice:
        return None
    from docx import Document
    from docxtpl import DocxTemplate

    template = folder / "letter.docx"
    doc = Document()
    doc.add_paragraph("尊敬的{{ name }}同学家长：")
    for _ in range(30):
        doc.add_paragraph(LINE)
    doc.save(template)
    started = time.perf_counter()
    merged = folder / "merge"
    merged.mkdir()
    for n in range(letters):
        tpl = DocxTemplate(template)
        tpl.render({"name": f"学生{n}"})
        tpl.save(merged / f"{n:05d}.docx")
    subprocess.run(
        [
            soffice,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(merged),
            *map(str, sorted(merged.glob("*.docx"))),
        ],
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--students", type=int, nargs="+", default=[1000, 3000])
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_letters(*rest) if kind == "letters" else child_floor(int(rest[0]), rest[1])
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="bench-letters-") as tmp:
        folder = Path(tmp)
        print(
            f"{'学生':>6} {'页数':>6} {'告知书 s':>9} {'裸画布 s':>9} {'倍数':>6} {'告知书峰值内存 MB':>16} {'裸画布峰值内存 MB':>16}"
        )
        for n in args.students:
            db = _make_db(folder, n)
            letters = _child(["letters", db, str(folder / f"letters_{n}.pdf")])
            floor = _child(["floor", str(letters["pages"]), str(folder / f"floor_{n}.pdf")])
            ratio = letters["seconds"] / floor["seconds"]
            print(
                f"{n:>6} {letters['pages']:>6} {letters['seconds']:>9.2f} {floor['seconds']:>9.2f} {ratio:>6.2f}"
                f" {letters['rss_mb']:>16.0f} {floor['rss_mb']:>16.0f}"
            )
        merge = _mail_merge(args.students[0], folder)
        if merge is None:
            print("LibreOffice 或 docxtpl 未安装：跳过 Word 邮件合并的对照数字。")
        else:
            print(f"Word 邮件合并（docxtpl + LibreOffice 转 PDF）{args.students[0]} 封：{merge:.1f} s")


if __name__ == "__main__":
    main()
