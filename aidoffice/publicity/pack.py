"""The inspection pack (迎检材料包): one zip with a term's 1222 evidence for the province's checks. It
COLLECTS what was produced this term — every recorded batch of letters, the poster, the public notice,
the class handouts and sign-in sheets, each file as it was made (checked against the SHA-256 its batch
recorded) — and adds two reports of records (the slip-status workbook and the policy-class records).
It never makes a letter or issues a slip code itself: a pack made before any letter was printed says
what is missing instead. The list names every file with its SHA-256 and every batch of the term, and
the batches whose file was moved or changed since (to make again from 生成记录)."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require_whole_school
from aidoffice.db.models import PublicityBatch
from aidoffice.files import atomic_path, check_target, fingerprint
from aidoffice.ledgers.school import require_school, resolve_term
from aidoffice.progress import Progress, no_progress
from aidoffice.publicity.common import MATERIAL_NAMES, close_batch, open_batch, term_label
from aidoffice.publicity.fonts import FontSet
from aidoffice.publicity.sessions import export_sessions
from aidoffice.publicity.slips import export_outstanding

# what the pack collects, in the order an inspector reads it (kind → what to say when there is none)
COLLECTED = {
    "policy": "本学期还没有生成资助政策告知书",
    "aid": "本学期还没有生成受助情况告知书",
    "poster": "本学期还没有生成宣传栏海报",
    "notice": "本学期还没有生成受助学生公示",
    "handout": None,  # optional: the class records say which classes had their class
    "signin": None,
}
_UNSAFE = str.maketrans({c: "_" for c in '\\/:*?"<>| '})


@dataclass
class PackResult:
    path: Path
    term: str
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # kinds not produced this term
    changed: list[str] = field(default_factory=list)  # batches whose file was moved or changed since
    fingerprint: str = ""

    def as_json(self) -> dict:
        return {
            "out": str(self.path),
            "term": self.term,
            "files": self.files,
            "skipped": self.skipped,
            "changed": self.changed,
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
    result = PackResult(out, term_row.code)
    batches = session.scalars(
        select(PublicityBatch).where(PublicityBatch.term_code == term_row.code).order_by(PublicityBatch.id)
    ).all()
    steps = len(batches) + 3
    with tempfile.TemporaryDirectory(prefix="aidoffice-pack-") as tmp:
        folder = Path(tmp)
        made: list[Path] = []
        collected: list[tuple[str, Path]] = []  # (name in the zip, the file as produced)
        changed: list[str] = []
        n = 0
        for kind, none_said in COLLECTED.items():
            seen: set[str] = set()
            for b in (b for b in batches if b.kind == kind and b.fingerprint):
                progress(n, steps, f"收集{MATERIAL_NAMES[kind]}")
                n += 1
                if b.fingerprint in seen:
                    continue  # the same file made again
                source = Path(b.file_name)
                if not source.is_file() or fingerprint(source) != b.fingerprint:
                    changed.append(
                        f"#{b.id} {MATERIAL_NAMES[kind]}（{b.scope}）：{source} "
                        + ("已不在原处" if not source.is_file() else "已被改动")
                        + "，请在“生成记录”中按批次重新生成后再打包"
                    )
                    continue
                seen.add(b.fingerprint)
                index = len(collected) + 1
                name = f"{index:02d}_{MATERIAL_NAMES[kind]}_{b.scope}_批次{b.id}{source.suffix}".translate(
                    _UNSAFE
                )
                collected.append((name, source))
            if not seen and none_said:
                result.skipped.append(f"{MATERIAL_NAMES[kind]}：{none_said}（迎检材料包只收集已生成的材料）")
        progress(n, steps, "回执收回情况")
        path = folder / "回执收回情况.xlsx"
        export_outstanding(session, path, term=term_row.code)
        made.append(path)
        progress(n + 1, steps, "宣讲课记录")
        path = folder / "宣讲课记录.xlsx"
        export_sessions(session, path, term=term_row.code)
        made.append(path)
        entries = [*collected, *((f"{len(collected) + i:02d}_{p.name}", p) for i, p in enumerate(made, 1))]
        lines = [
            f"{school.name} {term_label(term_row)} “1222”宣传材料迎检包",
            f"生成日期：{day.isoformat()}",
            "",
            "文件（SHA-256）：",
            *(f"  {name}  {fingerprint(p)}" for name, p in entries),
            *(f"  未收集：{s}" for s in result.skipped),
            *(f"  文件有变：{c}" for c in changed),
            "",
            "本学期生成过的宣传材料（批次号、种类、范围、操作人、时间、页数、文件 SHA-256）：",
            *(
                f"  #{b.id} {MATERIAL_NAMES.get(b.kind, b.kind)} {b.scope} {b.actor} {b.at:%Y-%m-%d %H:%M} "
                f"{b.pages}页 {b.fingerprint}"
                for b in batches
                if b.fingerprint
            ),
        ]
        listing = folder / "00_清单.txt"
        listing.write_text("\n".join(lines) + "\n", "utf-8")
        batch = open_batch(session, "pack", term_row.code, "全校", {"date": day.isoformat()}, out)
        with atomic_path(out) as target, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, p in [(listing.name, listing), *entries]:
                # a fixed timestamp: the zip's bytes depend on its contents only
                info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, p.read_bytes())
        result.files = [listing.name, *(name for name, _p in entries)]
        result.changed = changed
        progress(steps, steps, "完成")
    result.fingerprint = close_batch(session, batch, out, 0, len(result.files))
    return result
