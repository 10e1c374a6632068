"""`import students|households|list|awards|assessments`."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from aidoffice.cli.common import (
    ProgressBar,
    UsageError,
    masked_json,
    open_db,
)
from aidoffice.domain.text import printable
from aidoffice.privacy import Field, Level, scrub, show


def _same_file(a: str, b: str) -> bool:
    """Whether two names reach one file (another spelling, a symbolic or hard link, a case change on
    Windows)."""
    import os
    from pathlib import Path

    pa, pb = Path(a).expanduser(), Path(b).expanduser()
    try:
        if pa.exists() and pb.exists() and os.path.samefile(pa, pb):
            return True
    except OSError:
        pass
    return os.path.normcase(str(pa.resolve())) == os.path.normcase(str(pb.resolve()))


def cmd_import(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import date

    from aidoffice.errors import InputRefused

    if args.report:
        from aidoffice.files import check_target

        if _same_file(args.report, args.file):
            raise InputRefused(
                "--report 指定的报告文件就是要导入的文件本身，保存报告会覆盖原表。请给报告另起一个文件名。",
                file=args.report,
            )
        check_target(args.report, (".xlsx",))
    if args.what == "assessments":
        return cmd_import_assessments(args)

    from aidoffice.sheets.readers import read_ahead

    table = read_ahead(args.file, args.sheet)  # reads while the database layer loads

    from aidoffice.importing.service import ImportOptions, run_import

    mapping = {}
    for item in args.map:
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            raise UsageError(f"--map 应写作“列名=项目”，而不是“{item}”")
        mapping[header.strip()] = target.strip()
    known_on = None
    if getattr(args, "date", None):
        try:
            known_on = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date 应写作 2026-11-22，而不是“{args.date}”") from None
    options = ImportOptions(
        kind=args.what,
        sheet=args.sheet,
        list_kind=getattr(args, "list_kind", "other"),
        source=getattr(args, "source", None),
        group=getattr(args, "group", None),
        term=getattr(args, "term", None),
        policy=getattr(args, "policy", None),
        known_on=known_on,
        mapping=mapping,
    )
    db = open_db(args)
    from aidoffice.office import batch_operation

    report_path: str | None = None
    try:
        # one import at a time (a second clerk is told who is importing and since when), after a backup
        with (
            contextlib.nullcontext() if args.dry_run else batch_operation(db, "import"),
            db.unit_of_work(note=f"import {args.what}") as s,
        ):
            report = run_import(
                s, args.file, options, dry_run=args.dry_run, progress=ProgressBar(), table=table.result()
            )
            if args.report:
                # written before the commit: a report that cannot be saved leaves the database as it was
                from aidoffice.importing.workbook import write_report

                report_path = str(write_report(report, args.report))
            if args.dry_run:
                s.rollback()
    except BaseException:
        if report_path is not None:  # the commit failed after the report was saved: it would lie
            import os

            with contextlib.suppress(OSError):
                os.unlink(report_path)
        raise
    # IDs in reasons, warnings and the missing list are masked on the terminal and in --json, as on
    # screen; the report workbook (a file the clerk fixes and imports again) keeps them whole
    result = masked_json(report.as_json())
    for m in result.get("missing", []):
        m["key"] = show(Field.ID_NUMBER, m.get("key"), Level.MASKED)
    if report_path:
        result["report"] = report_path
    result["message"] = printable(scrub(_import_message(report, report_path)))
    return result


def _import_message(report, report_path: str | None) -> str:  # type: ignore[no-untyped-def]
    lines = [report.summary()]
    lines += [f"说明：{n}" for n in report.notes]
    for o in report.rejected[:20]:
        lines.append(f"  第 {o.row} 行未导入：{o.detail}")
    if len(report.rejected) > 20:
        lines.append(f"  ……另有 {len(report.rejected) - 20} 行未导入")
    for w in report.warnings[:20]:
        where = f"第 {w.row} 行" if w.row else "提示"
        lines.append(f"  {where}{f'「{w.field}」' if w.field else ''}：{w.reason}{w.cli_hint}")
    if len(report.warnings) > 20:
        lines.append(f"  ……另有 {len(report.warnings) - 20} 条提示")
    if report.missing:
        lines.append(f"{report.missing_label}：{len(report.missing)} 人")
        lines += [f"  {m.name}（{m.where}）" for m in report.missing[:20]]
    if report_path:
        lines.append(f"逐行结果已保存：{report_path}")
    elif report.rejected or report.warnings:
        lines.append("加上 --report 结果.xlsx 可保存逐行结果（有问题的行标红并写明原因）。")
    if not report.applied:
        lines.append("这是预览（--dry-run），没有写入任何数据。")
    return "\n".join(lines)


def cmd_import_assessments(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import date

    from aidoffice.importing.assessments import import_assessments

    decided_on = None
    if args.date:
        try:
            decided_on = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date 应写作 2026-10-12，而不是“{args.date}”") from None
    if args.report:
        from aidoffice.files import check_target

        check_target(args.report, (".xlsx",))
    db = open_db(args)
    with db.unit_of_work(note="import assessments") as s:
        report = import_assessments(
            s,
            args.file,
            school_year=args.year,
            decided_on=decided_on,
            decided_by=args.by,
            sheet=args.sheet,
            dry_run=args.dry_run,
            progress=ProgressBar(),
        )
        if args.dry_run:
            s.rollback()
    result = masked_json(report.as_json())
    if args.report:
        from aidoffice.importing.workbook import write_report

        result["report"] = str(write_report(report, args.report))
    result["message"] = printable(scrub(_import_message(report, result.get("report"))))
    return result
