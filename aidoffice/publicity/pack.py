"""The inspection pack (迎检材料包): one zip with a term's 1222 evidence for the province's checks —
the policy letters and the aid letters of the whole school, the slip-status workbook, the policy-class
records, the poster and the public notice — and a list of every file with its SHA-256 and of every
batch recorded this term (who made what, when)."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.db.models import PublicityBatch
from aidoffice.errors import InputRefused
from aidoffice.files import atomic_path, check_target, fingerprint
from aidoffice.ledgers.school import require_school
from aidoffice.progress import Progress, no_progress
from aidoffice.publicity.common import KIND_NAMES, close_batch, open_batch, resolve_term, term_label
from aidoffice.publicity.fonts import FontSet, default_fonts
from aidoffice.publicity.letters import produce_letters
from aidoffice.publicity.notice import produce_notice
from aidoffice.publicity.poster import produce_poster
from aidoffice.publicity.sessions import export_sessions
from aidoffice.publicity.slips import export_outstanding
from aidoffice.security.access import require_whole_school


@dataclass
class PackResult:
    path: Path
    term: str
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    fingerprint: str = ""

    def as_json(self) -> dict:
        return {
            "out": str(self.path),
            "term": self.term,
            "files": self.files,
            "skipped": self.skipped,
            "sha256": self.fingerprint,
        }


def make_pack(
    session: Session,
    out: str | Path,
    *,
    term: str | None = None,
    on: date | None = None,
    fonts: FontSet | None = None,
    progress: Progress = no_progress,
) -> PackResult:
    require_whole_school(session, "letters.print", "迎检材料包")
    out = check_target(out, (".zip",))
    school = require_school(session)
    term_row = resolve_term(session, term)
    day = on or clock.today()
    fonts = fonts or default_fonts()
    result = PackResult(out, term_row.code)
    steps = 6
    with tempfile.TemporaryDirectory(prefix="aidoffice-pack-") as tmp:
        folder = Path(tmp)
        made: list[Path] = []

        def step(n: int, message: str) -> None:
            progress(n, steps, message)

        step(0, "资助政策告知书")
        try:
            path = folder / "01_资助政策告知书_全校.pdf"
            produce_letters(session, "policy", path, term=term_row.code, letter_date=day, fonts=fonts)
            made.append(path)
        except InputRefused as exc:
            result.skipped.append(f"资助政策告知书：{exc}")
        step(1, "受助情况告知书")
        try:
            path = folder / "02_受助情况告知书_全校.pdf"
            produce_letters(session, "aid", path, term=term_row.code, letter_date=day, fonts=fonts)
            made.append(path)
        except InputRefused as exc:
            result.skipped.append(f"受助情况告知书：{exc}")
        step(2, "回执收回情况")
        path = folder / "03_回执收回情况.xlsx"
        export_outstanding(session, path, term=term_row.code)
        made.append(path)
        step(3, "宣讲课记录")
        path = folder / "04_宣讲课记录.xlsx"
        export_sessions(session, path, term=term_row.code)
        made.append(path)
        step(4, "宣传栏海报")
        path = folder / "05_宣传栏海报_A3.pdf"
        produce_poster(session, path, size="A3", term=term_row.code, poster_date=day, fonts=fonts)
        made.append(path)
        step(5, "受助学生公示")
        try:
            path = folder / "06_受助学生公示.pdf"
            produce_notice(session, path, term=term_row.code, starts=day, fonts=fonts)
            made.append(path)
        except InputRefused as exc:
            result.skipped.append(f"受助学生公示：{exc}")
        batches = session.scalars(
            select(PublicityBatch)
            .where(PublicityBatch.term_code == term_row.code)
            .order_by(PublicityBatch.id)
        ).all()
        lines = [
            f"{school.name} {term_label(term_row)} “1222”宣传材料迎检包",
            f"生成日期：{day.isoformat()}",
            "",
            "文件（SHA-256）：",
            *(f"  {p.name}  {fingerprint(p)}" for p in made),
            *(f"  未生成：{s}" for s in result.skipped),
            "",
            "本学期生成过的宣传材料（批次号、种类、范围、操作人、时间、页数、文件 SHA-256）：",
            *(
                f"  #{b.id} {KIND_NAMES.get(b.kind, b.kind)} {b.scope} {b.actor} {b.at:%Y-%m-%d %H:%M} "
                f"{b.pages}页 {b.fingerprint}"
                for b in batches
                if b.fingerprint
            ),
        ]
        listing = folder / "00_清单.txt"
        listing.write_text("\n".join(lines) + "\n", "utf-8")
        batch = open_batch(session, "pack", term_row.code, "全校", {"date": day.isoformat()}, out)
        with atomic_path(out) as target, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in [listing, *made]:
                # a fixed timestamp: the zip's bytes depend on its contents only
                info = zipfile.ZipInfo(p.name, date_time=(day.year, day.month, day.day, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, p.read_bytes())
        result.files = [p.name for p in [listing, *made]]
        step(6, "完成")
    result.fingerprint = close_batch(session, batch, out, 0, len(result.files))
    return result
