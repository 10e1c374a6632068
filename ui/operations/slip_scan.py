"""The scanned-stack use cases of 回执登记 (aidoffice.services.slip_scan), run in the background."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from aidoffice.publicity.slips import Receipt
from aidoffice.services import slip_scan as scan
from ui.operations import AppContext, Changes
from ui.tasks import Task


def scan_files(
    ctx: AppContext, parent: QWidget, paths: list[str], term: str | None,
    success: Callable[[scan.ScanReport], None], failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    """Read a scanned stack: the certain slips registered, the rest queued (one transaction)."""
    return ctx.write(
        parent,
        lambda s, p: scan.scan_stack(s, paths, term=term, progress=p),
        success,
        changes=Changes(slips=True, problems=True),
        label=parent.tr("正在读取扫描件…"),
        note="导入扫描的回执",
        failure=failure,
    )


def load_queue(ctx: AppContext, parent: QWidget, success: Callable[[list[scan.QueuedSlip]], None]) -> Task:
    return ctx.query(parent, lambda s, _p: scan.open_queue(s), success)


@dataclass(frozen=True)
class Pictures:
    scan_id: int
    slip: bytes | None
    note: bytes | None


def load_pictures(
    ctx: AppContext, parent: QWidget, scan_id: int, success: Callable[[Pictures], None]
) -> Task:
    return ctx.query(parent, lambda s, _p: Pictures(scan_id, *scan.scan_images(s, scan_id)), success)


def resolve(
    ctx: AppContext, parent: QWidget, scan_id: int, answer: str | None, code: str | None, skip: bool,
    term: str | None, success: Callable[[Receipt | None], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    return ctx.write(
        parent,
        lambda s, _p: scan.resolve(s, scan_id, answer, code=code, skip=skip, term=term),
        success,
        changes=Changes(slips=True, problems=True),
        note="核对扫描的回执",
        failure=failure,
    )


def load_objections(
    ctx: AppContext, parent: QWidget, term: str | None, success: Callable[[list[scan.ObjectionLine]], None]
) -> Task:
    """The 有异议 slips of the term (a head teacher's: their classes'), each saying if a picture was kept."""
    return ctx.query(parent, lambda s, _p: scan.objection_list(s, term), success)


@dataclass(frozen=True)
class NotePicture:
    code: str
    png: bytes | None  # the 有异议 line as scanned, nothing else of the slip


def load_note(
    ctx: AppContext, parent: QWidget, code: str, success: Callable[[NotePicture], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    return ctx.query(
        parent, lambda s, _p: NotePicture(code, scan.scanned_note(s, code)), success, failure=failure
    )
