"""A scanned stack of a whole school's returned slips, read back.

The policy letters of a 1,000-pupil school are made, each slip page rendered at 200 dpi as a copier
scans it, the boxes ticked at random the way families tick them (a pen tick mostly; a faint pencil
tick, a tick crossed out and the other ticked, two ticks, none, a smudge, a blacked box), the page
turned 2–5°, sometimes upside down, speckled or thresholded to black and white, and the pages packed
into one PDF of JPEG pages like a copier's. Then `scan_stack` reads it into the database. Printed:

  * clean slips (one pen tick; a stapled, torn one counted apart) registered with the right answer: goal ≥ 99 %
  * wrong answers registered (anything other than what the family meant, or a doubtful slip
    registered at all): goal 0
  * pages per second of the scan itself (reading, deciding, registering): goal ≥ 20
  * with --blank-backs F, a blank page (white, grey with sensor noise, or fed skewed with the lid's
    shadow) follows a share F of the slip pages, as a duplex scan's blank backs: every one skipped as
    blank, none queued (goal)

    .venv/bin/python bench/bench_scan.py --students 1000 --keep /tmp/stack
    .venv/bin/python bench/bench_scan.py --reuse /tmp/stack     # the scan alone again (a quieter moment)
    .venv/bin/python bench/bench_scan.py --students 300 --blank-backs 0.5
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WEIGHTS = {
    "pen": 75,
    "stapled": 3,
    "pencil": 6,
    "crossed": 4,
    "double": 4,
    "none": 4,
    "smudge": 2,
    "filled": 2,
}


def _make_db(folder: Path, students: int):  # type: ignore[no-untyped-def]
    from aidoffice.db.engine import Database
    from aidoffice.demo import generate
    from aidoffice.ledgers.school import setup_school
    from aidoffice.publicity.settings import write_settings

    db = Database(str(folder / "bench_scan.db"))
    with db.unit_of_work(actor="bench") as s:
        setup_school(s, "基准测试县第一中学", None, "基准测试县")
        generate(s, students, seed=7)
        write_settings(s, aid_office_phone="0312-7251234", county_centre_phone="0312-7255678",
                       complaint_phone="0312-7259999")  # fmt: skip
    return db


class JpegPdf:
    """A PDF of full-page JPEG images written page by page (memory stays flat over 1,000 pages)."""

    def __init__(self, path: Path, dpi: int):
        self.f = path.open("wb")
        self.dpi = dpi
        self.offsets: list[int] = []
        self.pages: list[int] = []
        self.f.write(b"%PDF-1.4\n")

    def _obj(self, body: bytes) -> int:
        self.offsets.append(self.f.tell())
        n = len(self.offsets) + 2  # 1: catalog, 2: pages (written at the end)
        self.f.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
        return n

    def add(self, image, quality: int = 80) -> None:  # type: ignore[no-untyped-def]
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality)
        data = buf.getvalue()
        w, h = image.size
        img = self._obj(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
            % (w, h, len(data))
            + data
            + b"\nendstream"
        )
        pw, ph = w * 72 / self.dpi, h * 72 / self.dpi
        content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)
        c = self._obj(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        page = self._obj(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (pw, ph, img, c)
        )
        self.pages.append(page)

    def close(self) -> None:
        f = self.f
        fixed = []
        fixed.append(f.tell())
        f.write(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
        fixed.append(f.tell())
        kids = b" ".join(b"%d 0 R" % p for p in self.pages)
        f.write(b"2 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n" % (kids, len(self.pages)))
        xref = f.tell()
        total = len(self.offsets) + 3
        f.write(b"xref\n0 %d\n0000000000 65535 f \n" % total)
        for off in fixed + self.offsets:
            f.write(b"%010d 00000 n \n" % off)
        f.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (total, xref))
        f.close()


def _slip_page_numbers(pdf: Path, codes: list[str]) -> dict[int, str]:
    """Which page carries which slip (found by the code's printed text)."""
    import pypdfium2 as pdfium

    from aidoffice.domain import slipcode

    shown = {slipcode.display(c): c for c in codes}
    out = {}
    doc = pdfium.PdfDocument(str(pdf))
    for n in range(len(doc)):
        text = doc[n].get_textpage().get_text_range()
        if "回执编号" in text:
            found = [c for d, c in shown.items() if d in text]
            if len(found) == 1:
                out[n] = found[0]
    doc.close()
    return out


def _make_stack(folder: Path, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    from aidoffice.publicity.letters import produce_letters
    from tests.scans import Marked, as_scanned, blank_page, mark_slip, staple

    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    db = _make_db(folder, args.students)
    with db.unit_of_work(actor="bench") as s:
        batch = produce_letters(
            s, "policy", folder / "letters.pdf", letter_date=date(2026, 9, 1), covers=False
        )
    print(f"{batch.letters} 封告知书，{batch.pages} 页（{time.perf_counter() - t:.0f} s）")

    t = time.perf_counter()
    rng = random.Random(args.seed)
    kinds, weights = zip(*WEIGHTS.items(), strict=True)
    marked: list[Marked] = []
    blanks = 0
    stack = JpegPdf(folder / "stack.pdf", args.dpi)
    doc = pdfium.PdfDocument(str(folder / "letters.pdf"))
    for n, code in sorted(_slip_page_numbers(folder / "letters.pdf", batch.slips).items()):
        page = doc[n].render(scale=args.dpi / 72, grayscale=True).to_pil().convert("L")
        tick = rng.choices(kinds, weights)[0]
        choice = rng.randint(0, 1)
        meant = mark_slip(page, "pen" if tick == "stapled" else tick, choice, rng, args.dpi)
        if tick == "stapled":  # the big code stapled through and its corner torn: the small one is read
            staple(page, args.dpi)
        angle = rng.choice((-1, 1)) * rng.uniform(2, 5) if rng.random() < 0.7 else rng.uniform(-1, 1)
        page = as_scanned(
            page,
            rng,
            angle=angle,
            upside_down=rng.random() < 0.15,
            noise=rng.choice((0, 0, 15, 25)),
            bw=rng.random() < 0.1,
            shear=rng.uniform(-0.01, 0.01),
        )
        stack.add(page)
        marked.append(Marked(code, meant, tick))
        if rng.random() < args.blank_backs:
            kind = rng.choice(("white", "grey", "shadow"))
            back = blank_page(kind, rng, page.size)
            stack.add(as_scanned(back, rng, angle=rng.uniform(-3, 3)) if kind != "shadow" else back)
            blanks += 1
    stack.close()
    doc.close()
    size = (folder / "stack.pdf").stat().st_size / 1e6
    print(
        f"扫描件：{len(marked) + blanks} 页（空白页 {blanks}），{size:.0f} MB（生成 {time.perf_counter() - t:.0f} s）"
    )

    db.dispose()
    shutil.copy(folder / "bench_scan.db", folder / "before_scan.db")
    truth = [[m.code, m.choice, m.tick] for m in marked]
    (folder / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    (folder / "blanks.txt").write_text(str(blanks), encoding="utf-8")
    from aidoffice.db.engine import Database

    return Database(str(folder / "bench_scan.db")), marked, blanks


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, default=1000)
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--keep", metavar="DIR", help="keep the database and the stack here")
    p.add_argument("--reuse", metavar="DIR", help="scan again the stack kept by an earlier --keep run")
    p.add_argument(
        "--blank-backs", type=float, default=0.0, metavar="F", help="a blank page after this share of slips"
    )
    args = p.parse_args()

    from aidoffice import clock

    clock.pin(date(2026, 9, 1))
    from sqlalchemy import select

    from aidoffice.db.models import Slip
    from aidoffice.services.slip_scan import scan_stack
    from tests.scans import Marked

    if args.reuse:  # the stack of an earlier run scanned again into the database as it was before
        folder = Path(args.reuse)
        shutil.copy(folder / "before_scan.db", folder / "bench_scan.db")
        from aidoffice.db.engine import Database

        db = Database(str(folder / "bench_scan.db"))
        marked = [Marked(*row) for row in json.loads((folder / "truth.json").read_text(encoding="utf-8"))]
        blanks_file = folder / "blanks.txt"
        blanks = int(blanks_file.read_text(encoding="utf-8")) if blanks_file.exists() else 0
        print(f"扫描件：{len(marked) + blanks} 页（空白页 {blanks}；沿用 {folder}）")
    else:
        folder = Path(args.keep or tempfile.mkdtemp(prefix="bench_scan_"))
        db, marked, blanks = _make_stack(folder, args)

    t, cpu = time.perf_counter(), time.process_time()
    with db.unit_of_work(actor="bench") as s:
        report = scan_stack(s, [folder / "stack.pdf"])
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    with db.reading() as s:
        got = {c: a for c, a, r in s.execute(select(Slip.code, Slip.answer, Slip.received_at)) if r}
    from aidoffice.publicity.words import ANSWERS

    by_tick: dict[str, list[int]] = {}
    wrong = 0
    for m in marked:
        meant = (
            ANSWERS["policy"][m.choice]
            if m.choice is not None and m.tick in ("pen", "pencil", "stapled")
            else None
        )
        registered = got.get(m.code)
        if registered is not None and registered != meant:
            wrong += 1
        row = by_tick.setdefault(m.tick, [0, 0])
        row[0] += 1
        row[1] += registered is not None and registered == meant
    clean_total, clean_ok = by_tick.get("pen", [0, 0])
    load = os.getloadavg()[0]
    print(
        f"读取：{report.pages} 页，{seconds:.1f} s，每秒 {report.pages / seconds:.1f} 页（目标 ≥ 20）；"
        f"CPU {cpu:.1f} s，每 CPU 秒 {report.pages / cpu:.1f} 页（本机负载 {load:.1f}，{os.cpu_count()} 核）"
    )
    print(
        f"干净回执（一个钢笔勾）正确登记：{clean_ok}/{clean_total} = {clean_ok / max(1, clean_total):.2%}（目标 ≥ 99%）"
    )
    print(f"登记错的答案：{wrong}（目标 0）")
    for tick, (total, ok) in sorted(by_tick.items()):
        print(f"  {tick:8s} {total:5d} 张，自动登记 {ok:5d}，转入待核对 {total - ok:5d}")
    reasons: dict[str, int] = {}
    for q in report.queued:
        reasons[q.reason.value] = reasons.get(q.reason.value, 0) + 1
    print(f"待核对 {report.queue_size} 张：{reasons}")
    no_code = reasons.get("no_code", 0)
    if blanks:
        print(
            f"空白页：放入 {blanks} 张，认作空白跳过 {report.blank} 张，编号读不出转入待核对 {no_code} 张（目标 {blanks}、0）"
        )
    ok = clean_ok / max(1, clean_total) >= 0.99 and wrong == 0 and report.pages / seconds >= 20
    ok = ok and report.blank == blanks and no_code == 0
    print("达标" if ok else "未达标")


if __name__ == "__main__":
    main()
