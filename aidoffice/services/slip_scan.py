"""A scanned stack of returned slips (扫描回执): every slip read (publicity/omr.py), the certain ones
registered through the slip service like a typed code, the doubtful ones queued with the reason and
the straightened picture for the clerk to decide. The same stack scanned again changes nothing: each
slip read is remembered by the page's pixels and its place on the page."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import PermissionDenied, class_scope, require, require_student
from aidoffice.db.audit import actor_of
from aidoffice.db.models import Slip, SlipScan, SlipScanImage
from aidoffice.domain import slipcode
from aidoffice.errors import InputRefused
from aidoffice.ledgers.school import resolve_term
from aidoffice.privacy import free_text
from aidoffice.progress import Progress, Throttled, no_progress
from aidoffice.publicity import omr, slips
from aidoffice.publicity.common import MATERIAL_NAMES
from aidoffice.publicity.omr import REASON_NAMES, Reason
from aidoffice.publicity.words import ANSWER_NAMES, ANSWERS
from aidoffice.services import slip_desk

QUEUED, REGISTERED, RESOLVED, SKIPPED, DUPLICATE = "queued", "registered", "resolved", "skipped", "duplicate"
NOTE_WRITTEN = "家长勾选“有异议”并在回执上手写了内容，请在“回执登记 → 有异议”中选中这张回执，看家长手写的内容后联系家长核实"


@dataclass
class QueuedSlip:
    """A slip the clerk decides by looking at its picture."""

    id: int
    code: str | None
    reason: Reason
    source: str
    page: int
    kind: str | None = None
    student: str | None = None
    class_label: str | None = None
    read_answer: str | None = None
    registered_answer: str | None = None
    note_ink: bool = False

    @property
    def message(self) -> str:
        what = f"{self.class_label} {self.student} " if self.student else ""
        code = slipcode.display(self.code) if self.code else "编号未读出"
        return f"{self.source} 第 {self.page} 页：{code} {what}— {REASON_NAMES[self.reason]}"

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The answers the clerk may pick (both kinds' when the code is not known)."""
        kinds = [self.kind] if self.kind else ["aid", "policy"]
        return [(a, ANSWER_NAMES[a]) for k in kinds for a in ANSWERS[k]]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "code": self.code,
            "reason": self.reason.value,
            "reason_text": REASON_NAMES[self.reason],
            "source": self.source,
            "page": self.page,
            "kind": self.kind,
            "student": self.student,
            "class": self.class_label,
            "read_answer": self.read_answer,
            "message": self.message,
        }


@dataclass
class ScanReport:
    files: list[str]
    term: str
    pages: int = 0
    slips: int = 0  # slips found on the pages
    registered: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    already: int = 0  # registered before, with the same answer (or a doubtful reading): nothing to do
    seen_before: int = 0  # read from these very pages before
    not_mine: int = 0  # another class's slips in a head teacher's stack: neither registered nor queued
    blank: int = 0  # pages with no code and (almost) no ink: blank backs, separator sheets; skipped
    queued: list[QueuedSlip] = field(default_factory=list)  # queued by this scan
    queue_size: int = 0  # the whole open queue after the scan
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "term": self.term,
            "pages": self.pages,
            "blank_pages": self.blank,
            "slips": self.slips,
            "registered": self.registered,
            "answers": self.answers,
            "already_registered": self.already,
            "seen_before": self.seen_before,
            "not_your_class": self.not_mine,
            "queued": [q.as_json() for q in self.queued],
            "queue_size": self.queue_size,
            "pages_per_second": round(self.pages / self.seconds, 1) if self.seconds else None,
        }

    def summary(self) -> str:
        answers = "，".join(f"{ANSWER_NAMES[a]} {n}" for a, n in sorted(self.answers.items())) or "无"
        blank = f"；空白页 {self.blank} 张，已跳过" if self.blank else ""
        lines = [
            f"已读 {self.pages} 页，找到回执 {self.slips} 张（{self.term}）{blank}。",
            f"已登记 {self.registered} 张：{answers}。",
        ]
        if self.already:
            lines.append(f"{self.already} 张此前已登记，未改动。")
        if self.not_mine:
            lines.append(f"{self.not_mine} 张不是您所带班级的回执，未登记，请交给资助办。")
        if self.seen_before:
            lines.append(f"{self.seen_before} 张在以前的扫描中已读过（同一扫描件），未改动。")
        lines.append(f"本次转入待核对 {len(self.queued)} 张，待核对共 {self.queue_size} 张。")
        lines += [f"  {q.message}" for q in self.queued]
        if self.queued:
            lines.append("请在“回执登记”页点“待核对”，看图选择。")
        return "\n".join(lines)


def _open_queue_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SlipScan).where(SlipScan.status == QUEUED)) or 0


def scan_stack(
    session: Session,
    paths: Sequence[str | Path],
    *,
    term: str | None = None,
    progress: Progress = no_progress,
) -> ScanReport:
    """Read every page of `paths` (PDFs and images), register the certain slips for `term` (default:
    the current term) and queue the rest. Nothing is written for a file that cannot be read: every
    file is opened before the first slip is registered (and the caller's unit of work is one
    transaction)."""
    require(session, "slips.register")
    if not paths:
        raise InputRefused("请选择扫描件（PDF 或图片）。")
    term_row = resolve_term(session, term)
    total = omr.page_count(paths)
    for path in paths:  # refuse a wrong file before reading a single page
        next(iter(omr.pages_of([path])), None)
    report = ScanReport([Path(p).name for p in paths], term_row.code)
    tick = Throttled(progress, total or None, step=5, message="正在读取扫描件")
    geometry = omr.letter_geometry()
    orders: dict[Any, Any] = {}  # (batch, template) → the answers the two boxes mean
    t0 = time.perf_counter()
    for page in omr.pages_of(paths):
        report.pages += 1
        _scan_page(session, page, geometry, term_row, report, orders)
        tick(report.pages, total or None)
    report.seconds = time.perf_counter() - t0
    session.flush()
    report.queue_size = _open_queue_count(session)
    return report


def _known(session: Session, fingerprint: str) -> bool:
    return session.scalar(select(SlipScan.id).where(SlipScan.fingerprint == fingerprint)) is not None


def _record(
    session: Session,
    page: omr.Page,
    fingerprint: str,
    status: str,
    *,
    code: str | None = None,
    slip: Slip | None = None,
    reason: Reason | None = None,
    read_answer: str | None = None,
    answer: str | None = None,
    reading: omr.SlipReading | None = None,
    image: bytes | None = None,
) -> SlipScan:
    now = clock.now()
    row = SlipScan(
        fingerprint=fingerprint,
        code=code,
        slip_id=slip.id if slip is not None else None,
        source=page.source[:255],
        page=page.number,
        status=status,
        reason=reason.value if reason else None,
        read_answer=read_answer,
        answer=answer,
        note_ink=bool(reading and reading.note_ink),
        scanned_at=now,
        scanned_by=actor_of(session),
        resolved_at=now if status == REGISTERED else None,
        resolved_by=actor_of(session) if status == REGISTERED else None,
    )
    session.add(row)
    session.flush()
    keep_note = reading is not None and reading.note is not None and (slip is None or slip.kind == "aid")
    if status == QUEUED or (keep_note and answer == "object"):
        crop = image if image is not None else omr.png_bytes(reading.crop if reading else None)
        note = omr.png_bytes(reading.note) if keep_note and reading is not None else None
        session.add(SlipScanImage(scan_id=row.id, image=crop, note=note))
    return row


def _queue(
    session: Session, page: omr.Page, fingerprint: str, reason: Reason, report: ScanReport, **kw: Any
) -> None:
    row = _record(session, page, fingerprint, QUEUED, reason=reason, **kw)
    slip = kw.get("slip")
    report.queued.append(_queued(row, slip))


def _queued(row: SlipScan, slip: Slip | None) -> QueuedSlip:
    q = QueuedSlip(row.id, row.code, Reason(row.reason), row.source, row.page, read_answer=row.read_answer)
    q.note_ink = row.note_ink
    if slip is not None:
        q.kind, q.student, q.class_label = slip.kind, slip.student.name, slips._label(slip.student)
        q.registered_answer = slip.answer if slip.received_at else None
    return q


NEGATIVE = {"policy": ("不申请", "不符合"), "aid": ("有异议",)}


def _printed_order(session: Session, slip: Slip, cache: dict[Any, Any]) -> tuple[str, ...] | None:
    """Which answer each box means on this slip as printed: the options of the template its batch was
    made with (a school may have edited the wording, or put the options the other way round). None
    when the two options cannot be told apart."""
    from aidoffice.db.models import PublicityBatch
    from aidoffice.publicity import templates as tpl

    name = tpl.STAGE_TEMPLATES[slip.student.stage] if slip.kind == "policy" else "aid"
    key = (slip.batch_id, name)
    if key not in cache:
        batch = session.get(PublicityBatch, slip.batch_id) if slip.batch_id else None
        text = ((batch.params or {}).get("texts") or {}).get(name) if batch is not None else None
        try:
            options = tpl.load(name, text).slip.options  # type: ignore[union-attr]
        except Exception:
            options = []
        first, second = ANSWERS[slip.kind]
        negative = [any(word in o for word in NEGATIVE[slip.kind]) for o in options]
        if negative == [False, True]:
            cache[key] = (first, second)
        elif negative == [True, False]:
            cache[key] = (second, first)
        else:
            cache[key] = None
    return cache[key]


def _scan_page(
    session: Session, page: omr.Page, geometry: Any, term_row: Any, report: ScanReport, orders: dict[Any, Any]
) -> None:
    digest = page.fingerprint
    readings = omr.read_page(page.image, geometry)
    if not readings:
        if omr.ink_of(page.image).blank:  # a blank back or a separator sheet: nothing to look at
            report.blank += 1
            return
        fingerprint = f"{digest}:-"
        if _known(session, fingerprint):
            report.seen_before += 1
            return
        thumb = page.image.copy()
        thumb.thumbnail((900, 1300))
        _queue(session, page, fingerprint, Reason.NO_CODE, report, image=omr.png_bytes(thumb))
        return
    for reading in readings:
        report.slips += 1
        fingerprint = f"{digest}:{reading.code or reading.position}"
        if _known(session, fingerprint):
            report.seen_before += 1
            continue
        if reading.code is None:
            _queue(session, page, fingerprint, Reason.NO_CODE, report, reading=reading)
            continue
        slip = session.scalars(select(Slip).where(Slip.code == reading.code)).first()
        if slip is None:
            _queue(session, page, fingerprint, Reason.UNKNOWN, report, code=reading.code, reading=reading)
            continue
        try:
            require_student(session, "slips.register", slip.student)
        except PermissionDenied:  # a head teacher's stack with another class's slip in it
            report.not_mine += 1
            continue
        order = _printed_order(session, slip, orders)
        if reading.certain and order is None:  # the printed options cannot be told apart: the clerk looks
            reading.choice, reading.reason = None, Reason.NO_MARKS
        read_answer = order[reading.choice] if reading.certain and order else None  # type: ignore[index]
        common = {"code": reading.code, "slip": slip, "reading": reading, "read_answer": read_answer}
        if slip.term_id != term_row.id:
            _queue(session, page, fingerprint, Reason.OTHER_TERM, report, **common)
            continue
        if slip.received_at is not None:
            if read_answer is not None and read_answer != slip.answer and not _open(session, slip):
                _queue(session, page, fingerprint, Reason.REPEATED, report, **common)
            else:
                report.already += 1
                _record(session, page, fingerprint, DUPLICATE, **common)
            continue
        if _open(session, slip):  # the same slip scanned twice in a stack, the first one queued
            report.already += 1
            _record(session, page, fingerprint, DUPLICATE, **common)
            continue
        if not reading.certain:
            _queue(session, page, fingerprint, reading.reason or Reason.UNCLEAR, report, **common)
            continue
        objection = NOTE_WRITTEN if read_answer == "object" and reading.note_ink else None
        receipt = slip_desk.receive(session, reading.code, read_answer, objection, term=term_row.code)
        if receipt.outcome is not slips.Outcome.RECEIVED:  # cannot happen after the checks above
            _queue(session, page, fingerprint, Reason.REPEATED, report, **common)
            continue
        _record(session, page, fingerprint, REGISTERED, answer=read_answer, **common)
        report.registered += 1
        report.answers[read_answer] = report.answers.get(read_answer, 0) + 1  # type: ignore[index]


def _open(session: Session, slip: Slip) -> bool:
    return (
        session.scalar(select(SlipScan.id).where(SlipScan.slip_id == slip.id, SlipScan.status == QUEUED))
        is not None
    )


# ---- the queue ----------------------------------------------------------------------------------------


def _visible(session: Session, row: SlipScan, slip: Slip | None) -> bool:
    """Whether the acting user may see this scanned slip and its pictures: everybody who registers
    slips for the whole school; a head teacher their own classes' slips, and the pages they scanned
    themselves whose code was not read (the paper was in their hands)."""
    scope = class_scope(session)
    if scope is None:
        return True
    if slip is not None:
        return (slip.student.grade, slip.student.class_name) in scope
    return row.scanned_by is not None and row.scanned_by == actor_of(session)


def _require_visible(session: Session, row: SlipScan) -> None:
    slip = session.get(Slip, row.slip_id) if row.slip_id else None
    if slip is not None:
        require_student(session, "slips.register", slip.student)
    elif not _visible(session, row, None):
        raise PermissionDenied(
            "这张扫描的回执不是您扫描的，编号也没有读出，请交资助办核对。", "slips.register"
        )


def open_queue(session: Session) -> list[QueuedSlip]:
    """The slips waiting for the clerk, in the order they were scanned (a head teacher: those of their
    own classes, and their own pages whose code was not read)."""
    require(session, "slips.register")
    rows = session.scalars(select(SlipScan).where(SlipScan.status == QUEUED).order_by(SlipScan.id)).all()
    slips_by_id = {
        s.id: s
        for s in session.scalars(select(Slip).where(Slip.id.in_([r.slip_id for r in rows if r.slip_id])))
    }
    return [
        _queued(r, slips_by_id.get(r.slip_id))  # type: ignore[arg-type]
        for r in rows
        if _visible(session, r, slips_by_id.get(r.slip_id))  # type: ignore[arg-type]
    ]


def scan_images(session: Session, scan_id: int) -> tuple[bytes | None, bytes | None]:
    """The slip's picture and its 有异议 line's (PNG), as scanned (PermissionDenied for a head
    teacher when the slip is another class's)."""
    require(session, "slips.register")
    scanned = session.get(SlipScan, scan_id)
    if scanned is not None:
        _require_visible(session, scanned)
    row = session.get(SlipScanImage, scan_id)
    return (row.image, row.note) if row is not None else (None, None)


def resolve(
    session: Session,
    scan_id: int,
    answer: str | None,
    *,
    code: str | None = None,
    skip: bool = False,
    term: str | None = None,
) -> slips.Receipt | None:
    """The clerk's decision on a queued slip: an answer (registered like a typed code; for a slip
    registered before with another answer, the registration is corrected), or skip (nothing
    registered, the slip leaves the queue). `code`: typed by the clerk when the scan had none."""
    require(session, "slips.register")
    row = session.get(SlipScan, scan_id)
    if row is None or row.status != QUEUED:
        raise InputRefused("这张回执已不在待核对中（可能已处理过），请刷新。")
    _require_visible(session, row)
    now, who = clock.now(), actor_of(session)
    if skip:
        row.status, row.resolved_at, row.resolved_by = SKIPPED, now, who
        session.flush()
        return None
    typed = code or row.code
    if not typed:
        raise InputRefused("扫描件上没有读出编号：请看图输入回执编号。")
    parsed = slipcode.parse(typed)
    slip = session.scalars(select(Slip).where(Slip.code == parsed.code)).first() if parsed.valid else None
    if slip is not None and answer is not None and answer not in ANSWERS[slip.kind]:
        allowed = "、".join(ANSWER_NAMES[a] for a in ANSWERS[slip.kind])
        raise InputRefused(
            f"回执 {slipcode.display(slip.code)} 是{MATERIAL_NAMES[slip.kind]}的回执，只能选 {allowed}。"
        )
    if (
        slip is not None
        and slip.received_at is not None
        and row.reason == Reason.REPEATED.value
        and answer not in (None, slip.answer)
    ):
        slip_desk.undo_receipt(session, slip.code)  # the clerk corrects what was registered before
    objection = NOTE_WRITTEN if answer == "object" and row.note_ink else None
    receipt = slip_desk.receive(session, typed, answer, objection, term=term)
    if receipt.outcome not in (slips.Outcome.RECEIVED, slips.Outcome.REPEATED):
        raise InputRefused(receipt.message)
    if receipt.outcome is slips.Outcome.REPEATED and not (slip and slip.answer == answer):
        raise InputRefused(receipt.message + "如要改登记的选项，请先撤销原登记。")
    row.status, row.resolved_at, row.resolved_by = RESOLVED, now, who
    row.answer, row.code = answer, parsed.code
    if slip is not None:
        row.slip_id = slip.id
    session.flush()
    return receipt


def scanned_note(session: Session, code: str) -> bytes | None:
    """The picture of the 有异议 line of the scanned slip registered as 有异议 (PNG): only that line,
    cut out by the slip's geometry (publicity/slipmarks.py), never the rest of the page. None when the
    objection was typed, not scanned. A head teacher sees their own classes' only (PermissionDenied)."""
    require(session, "slips.register")
    parsed = slipcode.parse(code)
    slip = session.scalars(select(Slip).where(Slip.code == parsed.code)).first() if parsed.valid else None
    if slip is None:
        return None
    require_student(session, "slips.register", slip.student)
    return session.scalar(
        select(SlipScanImage.note)
        .join(SlipScan, SlipScan.id == SlipScanImage.scan_id)
        .where(
            SlipScan.slip_id == slip.id,
            SlipScan.answer == "object",
            SlipScan.status.in_((REGISTERED, RESOLVED)),
            SlipScanImage.note.is_not(None),
        )
        .order_by(SlipScan.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class ObjectionLine:
    """An objection registered this term, as the 回执登记 page lists it (plain values)."""

    code: str
    class_label: str
    name: str
    text: str
    scanned: bool  # a picture of the 有异议 line was kept from the scan
    handwriting: bool  # and something is written on it


def objection_list(session: Session, term: str | None = None) -> list[ObjectionLine]:
    """The 有异议 slips of `term` (a head teacher's: their own classes), each saying whether the scan
    kept a picture of what the family wrote."""
    require(session, "slips.register")
    found = slips.objections(session, term)
    pictures: dict[str, bool] = {}
    if found:
        rows = session.execute(
            select(SlipScan.code, SlipScan.note_ink)
            .join(SlipScanImage, SlipScanImage.scan_id == SlipScan.id)
            .where(
                SlipScan.code.in_([o.slip_code for o in found]),
                SlipScan.answer == "object",
                SlipScan.status.in_((REGISTERED, RESOLVED)),
                SlipScanImage.note.is_not(None),
            )
            .order_by(SlipScan.id)
        )
        pictures = {c: bool(ink) for c, ink in rows}
    return [
        ObjectionLine(
            o.slip_code,
            o.class_label,
            o.name,
            free_text(o.text),  # typed from the slip: a number in it is masked like the fields
            o.slip_code in pictures,
            pictures.get(o.slip_code, False),
        )
        for o in found
    ]
