"""`aidoffice slips scan FILE.pdf|IMAGES…`: a scanned stack of returned slips registered, the doubtful
ones queued (publicity/scan.py). Registered into the `slips` group by aidoffice/cli.py."""

from __future__ import annotations

import argparse
from typing import Any


def register(slips_sub: Any) -> None:
    """Add `scan` to the `slips` subcommands."""
    e = slips_sub.add_parser("scan", help="读取扫描的回执（PDF 或图片），自动登记，看不准的转入待核对")
    e.add_argument("files", nargs="+", metavar="FILE", help="复印机扫描的 PDF，或 PNG/JPEG/TIFF 图片")
    e.add_argument("--term", metavar="TERM", help="登记到哪个学期（默认当前学期；别的学期的回执转入待核对）")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.cli.common import ProgressBar, open_db as _open
    from aidoffice.publicity.scan import scan_stack

    db = _open(args)
    with db.unit_of_work(note="slips scan") as s:
        report = scan_stack(s, args.files, term=args.term, progress=ProgressBar())
    return {**report.as_json(), "message": report.summary()}
