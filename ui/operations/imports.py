"""The import page's use cases: choices, preview (a read), import (a write), the report workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from aidoffice.importing.choices import ImportChoices, import_choices
from aidoffice.importing.report import ImportReport
from aidoffice.importing.service import ImportOptions, plan_import, run_import
from ui.operations import AppContext, Changes, core
from ui.tasks import Task

CHANGES = {
    "students": Changes(students=True, groups=True),
    "households": Changes(households=True, students=True),
    "list": Changes(lists=True, groups=True),
    "awards": Changes(awards=True),
    "assessments": Changes(students=True, groups=True),
}


def load_choices(ctx: AppContext, parent: QWidget, success: Callable[[ImportChoices], None]) -> Task:
    return ctx.query(parent, lambda s, _p: import_choices(s), success)


def preview(
    ctx: AppContext,
    parent: QWidget,
    path: str,
    options: ImportOptions,
    success: Callable[[ImportReport], None],
    failure: Callable[[BaseException], None],
) -> Task:
    return ctx.query(
        parent,
        lambda s, p: plan_import(s, path, options, p),
        success,
        label=parent.tr("正在读取并核对文件…"),
        failure=failure,
    )


def run(
    ctx: AppContext,
    parent: QWidget,
    path: str,
    options: ImportOptions,
    success: Callable[[ImportReport], None],
) -> Task:
    return ctx.write(
        parent,
        lambda s, p: run_import(s, path, options, progress=p),
        success,
        changes=CHANGES.get(options.kind, Changes.everything()),
        label=parent.tr("正在导入…"),
        note=f"import {options.kind}",
        batch="import",
    )


def save_report(
    ctx: AppContext, parent: QWidget, report: ImportReport, target: str, success: Callable[[Path], None]
) -> Task:
    return ctx.background(
        parent,
        lambda _p: core("aidoffice.importing.workbook").write_report(report, target),
        success,
        label=parent.tr("正在保存报告…"),
    )
