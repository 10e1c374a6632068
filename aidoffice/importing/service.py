"""One entry point for every import: read the file, find the header, place the columns (remembered
mappings first), clean and validate each row, plan what will change, and — unless it is a preview —
apply the plan in the caller's transaction, so an import is written whole or not at all."""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.audit import record, start_batch
from aidoffice.domain.text import without_control_characters
from aidoffice.errors import InputRefused
from aidoffice.files import fingerprint
from aidoffice.importing import assessments, awards, households, lists, students
from aidoffice.importing.report import Action, ImportReport
from aidoffice.importing.rows import data_rows, fill_merged
from aidoffice.importing.screening import screen_rows
from aidoffice.ledgers.school import require_school
from aidoffice.progress import Progress, no_progress
from aidoffice.sheets.headers import (
    IGNORE,
    Layout,
    check_kind,
    field_label,
    find_layout,
    header_key,
    synonyms,
)
from aidoffice.sheets.kinds import KINDS, LIST_KINDS, Kind
from aidoffice.sheets.readers import Table, read_table


@dataclass
class ImportOptions:
    kind: str  # students / households / list / awards / assessments
    sheet: str | None = None
    list_kind: str = "other"
    source: str | None = None
    group: str | None = None
    term: str | None = None
    policy: str | None = None
    known_on: date | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # header (any form) → field code or label
    remember: bool = True  # keep `mapping` for this kind of file
    today: date | None = None
    # 认定表 (assessments): what the file's missing columns default to
    school_year: str | None = None
    decided_on: date | None = None
    decided_by: str | None = None

    @property
    def memory_key(self) -> str:
        return f"list:{self.list_kind}" if self.kind == "list" else self.kind


def kind_of(options: ImportOptions) -> Kind:
    try:
        return KINDS[options.kind]
    except KeyError:
        raise InputRefused(f"导入种类应为 {'、'.join(KINDS)} 之一。") from None


def resolve_field(kind: Kind, value: str) -> str:
    """A field named by code, label or any synonym; '不导入'/'ignore' leaves the column out."""
    value = value.strip()
    if value in ("", IGNORE, "不导入", "忽略", "（不导入）"):
        return IGNORE
    if value in kind.fields:
        return value
    found = synonyms().fields_of(value, frozenset(kind.fields))
    if found:
        return found
    names = "、".join(field_label(f) for f in kind.fields)
    raise InputRefused(f"“{value}”不是「{kind.label}」能导入的项目。可以指定的有：{names}，或“不导入”。")


def remembered_mapping(session: Session, options: ImportOptions) -> dict[str, str]:
    school = require_school(session)
    return dict((school.settings or {}).get("import_mappings", {}).get(options.memory_key, {}))


def remember_mapping(session: Session, options: ImportOptions, mapping: dict[str, str]) -> None:
    """Keep the user's column choices for the next file of the same kind (stored with the school, so
    every clerk of a shared database benefits)."""
    school = require_school(session)
    settings = dict(school.settings or {})
    mappings = dict(settings.get("import_mappings", {}))
    mine = dict(mappings.get(options.memory_key, {}))
    mine.update(mapping)
    mappings[options.memory_key] = mine
    settings["import_mappings"] = mappings
    school.settings = settings
    session.flush()


def _user_mapping(kind: Kind, options: ImportOptions) -> dict[str, str]:
    return {header_key(h): resolve_field(kind, f) for h, f in options.mapping.items()}


def inspect_file(
    session: Session, path: str | Path, options: ImportOptions, table: Table | None = None
) -> tuple[Table, Layout]:
    """Read the file (unless `table` was read already) and place its columns, without judging the rows."""
    kind = kind_of(options)
    table = table if table is not None else read_table(path, options.sheet)
    known = remembered_mapping(session, options) | _user_mapping(kind, options)
    layout = find_layout(table, kind, known)
    return table, layout


def plan_import(
    session: Session,
    path: str | Path,
    options: ImportOptions,
    progress: Progress = no_progress,
    table: Table | None = None,
) -> ImportReport:
    """What the import would do; writes nothing. `table`: the file already read (see readers.read_ahead)."""
    require(session, "import.run")
    with _gc_paused():
        return _plan(session, path, options, progress, table)


def _plan(
    session: Session, path: str | Path, options: ImportOptions, progress: Progress, table: Table | None
) -> ImportReport:
    kind = kind_of(options)
    today = options.today or clock.today()
    progress(0, 3, "正在读取文件")
    table, layout = inspect_file(session, path, options, table)
    check_kind(layout, kind, table)
    report = ImportReport(
        kind=kind.code,
        kind_label=kind.label if kind.code != "list" else LIST_KINDS.get(options.list_kind, kind.label),
        file=table.file,
        sheet=table.sheet,
        layout=layout,
        table=table,
    )
    report.notes.extend(layout.notes)
    for col in layout.unplaced:
        report.warn(
            None,
            col.header or None,
            f"{col.describe()}没有识别出是什么，未导入；如需导入，请点“列对应…”指定它是哪一项",
            f'（命令行：--map "{col.name}=项目名"）',
        )
    fill_merged(table, layout.data_start)
    progress(1, 3, "正在核对每一行")
    screened = screen_rows(data_rows(table, layout), report, kind.code)
    first = next(screened, None)
    if first is None:
        raise InputRefused(
            f"表头（第 {layout.header_row_numbers} 行）下面没有数据行。", file=table.file, sheet=table.sheet
        )
    # one row at a time from the sheet to the plan: the rows' cells are not all held at once
    rows = itertools.chain((first,), screened)
    if kind.code == "students":
        students.plan_students(session, report, rows, today)
    elif kind.code == "households":
        households.plan_households(session, report, rows, today)
    elif kind.code == "list":
        lists.plan_list(
            session,
            report,
            rows,
            list_kind=options.list_kind,
            source=options.source,
            group=options.group,
            known_on=options.known_on or today,
            today=today,
        )
    elif kind.code == "assessments":
        assessments.plan_assessments(
            session,
            report,
            rows,
            school_year=options.school_year,
            decided_on=options.decided_on,
            decided_by=options.decided_by,
            today=today,
        )
    else:
        awards.plan_awards(session, report, rows, term=options.term, policy=options.policy, today=today)
    report.outcomes.sort(key=lambda o: o.row)
    progress(2, 3, "核对完成")
    return report


_APPLY = {
    "students": students.apply_students,
    "households": households.apply_households,
    "list": lists.apply_list,
    "awards": awards.apply_awards,
    "assessments": assessments.apply_assessments,
}


def run_import(
    session: Session,
    path: str | Path,
    options: ImportOptions,
    *,
    dry_run: bool = False,
    progress: Progress = no_progress,
    table: Table | None = None,
) -> ImportReport:
    """Plan and, unless `dry_run`, apply inside the caller's unit of work (one transaction)."""
    require(session, "import.run")
    with _gc_paused():
        report = plan_import(session, path, options, progress, table)
        if not dry_run:
            _apply(session, path, options, report, progress)
    return report


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """An import allocates a few hundred thousand short-lived objects that form no cycles; the cyclic
    collector would walk them again and again (0.5 s of a 20,000-row import)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _apply(
    session: Session, path: str | Path, options: ImportOptions, report: ImportReport, progress: Progress
) -> None:
    kind = kind_of(options)
    progress(2, 3, "正在写入")
    session.info["audit_note"] = f"导入{report.kind_label}：{report.file}"[:200]
    # every row this import creates carries the batch, and every audit entry of the rows it changes
    # names it: the file (by name and SHA-256), the sheet, who and when
    batch = start_batch(
        session,
        kind.code,
        file_name=without_control_characters(report.file),
        fingerprint=fingerprint(path),
        sheet=report.sheet and without_control_characters(report.sheet),
        note=f"导入{report.kind_label}",
    )
    _APPLY[kind.code](session, report, batch.id)
    batch.rows = report.count(Action.NEW) + report.count(Action.UPDATED)
    if options.mapping and options.remember:
        remember_mapping(session, options, _user_mapping(kind, options))
    record(
        session,
        "import",
        kind.code,
        f"导入{report.kind_label}：{report.file}",
        {
            "file": report.file,
            "sheet": report.sheet,
            "rows_read": report.rows_read,
            "created": report.count(Action.NEW),
            "updated": report.count(Action.UPDATED),
            "rejected": len(report.rejected),
            "batch_id": batch.id,
        },
    )
    session.flush()
    report.applied = True
    progress(3, 3, "导入完成")
