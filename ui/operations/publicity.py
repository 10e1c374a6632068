"""The 1222 publicity's use cases for the pages 1222宣传材料 and 回执登记: each a short function that runs
the core service off the GUI thread."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from aidoffice.publicity import templates as tpl
from aidoffice.publicity.choices import BatchRow, LetterChoices, letter_choices, recent_batches
from aidoffice.publicity.common import MATERIAL_NAMES
from aidoffice.publicity.settings import PublicitySettings, write_settings
from ui.operations import AppContext, Changes, core
from ui.tasks import Task

# The modules that draw PDFs (letters, notice, poster, the pack) and the slip desk (which reaches the
# letters) load reportlab: each use case imports its own inside its background operation (`core`), not
# before the first window nor on the GUI thread.
if TYPE_CHECKING:
    from aidoffice.publicity import slips as slip_service
    from aidoffice.publicity.letters import LetterBatch, LetterPlan

Choices = LetterChoices  # the page's name for it


def load_choices(ctx: AppContext, parent: QWidget, success: Callable[[Choices], None]) -> Task:
    return ctx.query(parent, lambda s, _p: letter_choices(s), success)


def plan(
    ctx: AppContext, parent: QWidget, kind: str, options: dict[str, Any], success: Callable[[LetterPlan], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    """Count the batch before making it: pages, and the children whose aid is in question."""
    keys = ("term", "grade", "class_name", "letter_date", "duplex", "covers")
    return ctx.query(
        parent, lambda s, _p: core("aidoffice.publicity.letters").plan_letters(s, kind, **{k: options[k] for k in keys if k in options}), success,
        label=parent.tr("正在统计页数…"), failure=failure,
    )  # fmt: skip


def held_for_notice(
    ctx: AppContext, parent: QWidget, term: str, success: Callable[[list[Any]], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    return ctx.query(
        parent,
        lambda s, _p: core("aidoffice.publicity.notice").notice_held(s, term),
        success,
        failure=failure,
    )


def make_letters(
    ctx: AppContext, parent: QWidget, kind: str, out: str, options: dict[str, Any], success: Callable[[LetterBatch], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    return ctx.write(
        parent,
        lambda s, p: core("aidoffice.publicity.letters").produce_letters(s, kind, out, progress=p, **options),
        success,
        changes=Changes(publicity=True, slips=True),
        label=parent.tr("正在生成告知书…"),
        note=f"生成{MATERIAL_NAMES[kind]}",
        failure=failure,
        batch="letters",
        out=out,
    )


def load_batches(ctx: AppContext, parent: QWidget, success: Callable[[list[BatchRow]], None]) -> Task:
    return ctx.query(parent, lambda s, _p: recent_batches(s), success)


def remake(
    ctx: AppContext, parent: QWidget, batch_id: int, out: str, success: Callable[[LetterBatch], None]
) -> Task:
    return ctx.write(
        parent,
        lambda s, p: core("aidoffice.publicity.letters").remake_batch(s, batch_id, out, progress=p),
        success,
        changes=Changes(publicity=True),
        label=parent.tr("正在重新生成…"),
        note=f"重新生成批次 {batch_id}",
    )


def preview_image(pdf: Path, width_px: int = 1200) -> Path | None:
    """The first page as a PNG beside the PDF, drawn by pdfium inside the program (no outside tool)."""
    from aidoffice.publicity.pdf import render_page

    png = pdf.with_suffix(".png")
    render_page(pdf, 1, width_px).save(png)
    return png


@dataclass(frozen=True)
class Preview:
    pdf: Path
    image: Path | None


def preview(
    ctx: AppContext, parent: QWidget, kind: str, student_id: int, text: str | None, success: Callable[[Preview], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    """One real student's letter with `text` as the template being edited (nothing is saved)."""

    def op(s, _p):  # type: ignore[no-untyped-def]
        folder = Path(tempfile.mkdtemp(prefix="aidoffice-preview-"))
        pdf = core("aidoffice.publicity.letters").preview_letter(
            s, kind, student_id, folder / "预览.pdf", text=text
        )
        return Preview(pdf, preview_image(pdf))

    return ctx.query(parent, op, success, failure=failure)


def save_template(ctx: AppContext, parent: QWidget, name: str, text: str, success: Callable[[Any], None],
                  failure: Callable[[BaseException], None] | None = None) -> Task:  # fmt: skip
    return ctx.background(parent, lambda _p: tpl.save_template(name, text), success, failure=failure)


def restore_template(ctx: AppContext, parent: QWidget, name: str, success: Callable[[str], None]) -> Task:
    return ctx.background(parent, lambda _p: tpl.restore_default(name).text, success)


def save_settings(ctx: AppContext, parent: QWidget, values: dict[str, Any], success: Callable[[PublicitySettings], None],
                  failure: Callable[[BaseException], None] | None = None) -> Task:  # fmt: skip
    return ctx.write(
        parent, lambda s, _p: write_settings(s, **values), success, changes=Changes(settings=True),
        note="修改宣传材料设置", failure=failure,
    )  # fmt: skip


def make_poster(
    ctx: AppContext, parent: QWidget, out: str, size: str, success: Callable[[Any], None]
) -> Task:
    return ctx.write(
        parent, lambda s, _p: core("aidoffice.publicity.poster").produce_poster(s, out, size=size), success, changes=Changes(publicity=True),
        label=parent.tr("正在生成海报…"), note="生成宣传栏海报", out=out,
    )  # fmt: skip


def make_notice(
    ctx: AppContext, parent: QWidget, out: str, term: str, starts: date, success: Callable[[Any], None],
    include: dict[int, str] | None = None,
) -> Task:  # fmt: skip
    return ctx.write(
        parent, lambda s, _p: core("aidoffice.publicity.notice").produce_notice(s, out, term=term, starts=starts, include=include), success,
        changes=Changes(publicity=True), label=parent.tr("正在生成公示…"), note="生成受助学生公示", out=out,
    )  # fmt: skip


def make_pack_zip(
    ctx: AppContext, parent: QWidget, out: str, term: str, success: Callable[[Any], None]
) -> Task:
    return ctx.write(
        parent, lambda s, p: core("aidoffice.publicity.pack").make_pack(s, out, term=term, progress=p), success,
        changes=Changes(publicity=True), label=parent.tr("正在收集迎检材料包…"), note="生成迎检材料包", out=out,
    )  # fmt: skip


# ---- 回执登记 ----------------------------------------------------------------------------------------


def receive(
    ctx: AppContext, parent: QWidget, code: str, answer: str | None, objection: str | None,
    success: Callable[[slip_service.Receipt], None], failure: Callable[[BaseException], None] | None = None,
    term: str | None = None,
) -> Task:  # fmt: skip
    return ctx.write(
        parent, lambda s, _p: core("aidoffice.services.slip_desk").receive(s, code, answer, objection, term=term), success,
        changes=Changes(slips=True), note="登记回执", failure=failure,
    )  # fmt: skip


def load_status(ctx: AppContext, parent: QWidget, term: str | None, kind: str | None,
                success: Callable[[slip_service.SlipStatus], None]) -> Task:  # fmt: skip
    return ctx.query(
        parent, lambda s, _p: core("aidoffice.publicity.slips").slip_status(s, term=term, kind=kind), success
    )


def load_outstanding(ctx: AppContext, parent: QWidget, term: str | None, kind: str | None,
                     success: Callable[[dict[str, list[slip_service.SlipLine]]], None]) -> Task:  # fmt: skip
    return ctx.query(
        parent, lambda s, _p: core("aidoffice.publicity.slips").outstanding(s, term=term, kind=kind), success
    )


def export_outstanding(ctx: AppContext, parent: QWidget, out: str, term: str | None, kind: str | None,
                       success: Callable[[Any], None]) -> Task:  # fmt: skip
    return ctx.query(
        parent, lambda s, _p: core("aidoffice.publicity.slips").export_outstanding(s, out, term=term, kind=kind), success,
        label=parent.tr("正在保存未交名单…"),
    )  # fmt: skip


# ---- 两节课 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionsView:
    """The school year's policy classes and the classes still missing theirs."""

    sessions: list[Any]  # sessions.SessionRow
    missing: list[Any]  # sessions.MissingSession


def load_sessions(
    ctx: AppContext, parent: QWidget, term: str | None, success: Callable[[SessionsView], None]
) -> Task:
    def op(s, _p):  # type: ignore[no-untyped-def]
        return SessionsView(
            core("aidoffice.publicity.sessions").list_sessions(s, term, whole_year=True),
            core("aidoffice.publicity.sessions").missing_sessions(s, term),
        )

    return ctx.query(parent, op, success)


def record_session(
    ctx: AppContext, parent: QWidget, values: dict[str, Any], success: Callable[[Any], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    def op(s, _p):  # type: ignore[no-untyped-def]
        row = core("aidoffice.publicity.sessions").record_session(s, **values)
        return (row.id, row.attendance, row.enrolled)

    return ctx.write(parent, op, success, changes=Changes(publicity=True), note="记录宣讲课", failure=failure)


def make_class_sheet(
    ctx: AppContext, parent: QWidget, what: str, out: str, values: dict[str, Any], success: Callable[[Any], None],
    failure: Callable[[BaseException], None] | None = None,
) -> Task:  # fmt: skip
    """The handout (讲义) or the sign-in sheet (签到表) of one class."""

    def op(s, _p):  # type: ignore[no-untyped-def]
        if what == "handout":
            return core("aidoffice.publicity.sessions").produce_handout(s, out, **values)
        return core("aidoffice.publicity.sessions").produce_signin(s, out, **values)

    return ctx.write(
        parent, op, success, changes=Changes(publicity=True), label=parent.tr("正在生成…"),
        note="生成宣讲课讲义" if what == "handout" else "生成宣讲课签到表", failure=failure,
    )  # fmt: skip
