"""What every command module shares: exit statuses, usage errors, the progress bar, opening the
database (signed in as --user), and ID-masked JSON."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any, NoReturn

log = logging.getLogger("aidoffice.cli")


EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}\n运行“aidoffice --help”查看全部命令。", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class ProgressBar:
    """A text progress bar on stderr, drawn only on a terminal so scripts and --json stay clean."""

    def __init__(self, stream=None):  # type: ignore[no-untyped-def]
        stream = stream if stream is not None else sys.stderr  # the stderr of now, not of the import
        self.stream = stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and not (total and done >= total):
            return
        self._last = now
        if total:
            filled = int(30 * min(done, total) / total)
            text = f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{total} {message}"
        else:
            text = f"\r{done} {message}"
        self.stream.write(text[:100].ljust(100))
        if total and done >= total:
            self.stream.write("\n")
        self.stream.flush()


def open_db(args: argparse.Namespace, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    """The database, migrated, with the catalogue in step with its files."""
    from aidoffice.office import open_office

    office = open_office(args.db, migrate=migrate)
    for line in office.catalogue_changes:
        print(f"资助政策目录已更新：{line}", file=sys.stderr)
    for line in office.warnings:
        print(f"注意：{line}", file=sys.stderr)
    from aidoffice.cli.safety import sign_in_for_cli

    sign_in_for_cli(args, office.db)
    return office.db


def masked_json(value: Any) -> Any:
    """Every text inside a JSON result with its ID, phone and account numbers masked."""
    from aidoffice.privacy import scrub

    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [masked_json(v) for v in value]
    if isinstance(value, dict):
        return {k: masked_json(v) for k, v in value.items()}
    return value


def pairs(items: list[str], option: str, need_value: bool) -> list[tuple[str, str]]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not key.strip() or (need_value and not (sep and value.strip())):
            raise UsageError(f"{option} 应写作“证件号=…”，而不是“{item}”")
        out.append((key.strip(), value.strip()))
    return out


def date_arg(value: str | None, option: str):  # type: ignore[no-untyped-def]
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} 应写作 2026-09-01，而不是“{value}”") from None
