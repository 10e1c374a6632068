"""The headless commands (the **contract** of ../shared/DESIGN.md), one module per area, each imported only
when its command runs. The console entry point that opens the GUI when no command is given lives outside
the core (`ui/launch.py`); `main` here runs commands only.

Exit status: 0 done; 1 the input was refused (the message says why, nothing was written); 2 wrong
usage; 3 an unexpected error (details in the log file)."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from aidoffice.cli.common import EXIT_INTERNAL, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, UsageError, log
from aidoffice.cli.parser import build_parser

__all__ = ["COMMANDS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "build_parser", "main"]


def _command(area: str, name: str) -> Callable[[argparse.Namespace], dict[str, Any]]:
    """The command `name` of the module `aidoffice.cli.<area>`, imported when the command runs."""

    def run(args: argparse.Namespace) -> dict[str, Any]:
        return getattr(importlib.import_module(f"aidoffice.cli.{area}"), name)(args)

    run.__name__ = name
    return run


COMMANDS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "init": _command("setup", "cmd_init"),
    "demo": _command("setup", "cmd_demo"),
    "villages": _command("setup", "cmd_villages"),
    "import": _command("imports", "cmd_import"),
    "export": _command("exports", "cmd_export"),
    "consolidate": _command("exports", "cmd_consolidate"),
    "recoveries": _command("exports", "cmd_recoveries"),
    "reconcile": _command("reconcile", "cmd_reconcile"),
    **{
        name: _command("publicity", f"cmd_{name}")
        for name in ("letters", "poster", "notice", "slips", "contacts", "classes", "pack")
    },
    **{name: _command("safety", "run") for name in ("backup", "restore", "check", "users", "audit")},
    "cases": _command("cases", "cmd_cases"),
    "dropout": _command("cases", "cmd_dropout"),
    "visits": _command("visits", "cmd_visits"),
}


def main(argv: Sequence[str] | None = None, open_gui: Callable[[str | None], int] | None = None) -> int:
    """Run the command in `argv`. With no command, `open_gui(db_url)` (given by the entry point that
    chooses between GUI and CLI); without one, the usage is shown."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if open_gui is None:
            parser.print_help()
            return EXIT_USAGE
        return open_gui(args.db)

    from aidoffice.files import os_problem
    from aidoffice.logs import setup_logging
    from aidoffice.paths import use_private_temp

    safe_console()
    try:
        return _main(args, os_problem, setup_logging, use_private_temp)
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_OK


def _main(
    args: argparse.Namespace, os_problem: Callable, setup_logging: Callable, use_private_temp: Callable
) -> int:
    from aidoffice.domain.text import printable
    from aidoffice.errors import AidofficeError
    from aidoffice.privacy import scrub

    log_path = setup_logging()
    use_private_temp()
    try:
        result = COMMANDS[args.command](args)
    except BrokenPipeError:
        raise  # the reader of our output went away (`| head`): nothing to tell anyone
    except OSError as exc:
        # a read-only, full or vanished folder: the same Chinese message the GUI shows, exit 1
        log.warning("command %s: %s", args.command, exc)
        _fail(args, str(os_problem(exc)), "refused")
        return EXIT_REFUSED
    except UsageError as exc:
        _fail(args, str(exc), "usage")
        return EXIT_USAGE
    except AidofficeError as exc:
        # a refusal worded for the GUI (the kind's name in 文件种类, the 设置 page) adds the command to use
        hint = getattr(exc, "cli_hint", None)
        _fail(args, f"{exc}{hint or ''}", "refused", getattr(exc, "details", None))
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _fail(args, "已中断，没有写入任何数据。", "refused")
        return EXIT_REFUSED
    except Exception as exc:
        log.exception("command %s failed", args.command)
        _fail(
            args,
            f"发生意外错误（{type(exc).__name__}: {scrub(str(exc))[:300]}）。详细信息已记录在日志：{log_path}",
            "internal",
        )
        return EXIT_INTERNAL
    message = result.pop("message", None)
    status = result.pop("_exit", EXIT_OK)
    if args.json:
        print(_json_line(result))
    elif message:
        print(printable(message))
    sys.stdout.flush()
    return status


def safe_console() -> None:
    """Never crash on output: a console that cannot show a character (a Chinese Windows console in
    GBK and a rare name like 𠮷, or U+FFFD) shows “?” in its place instead of raising after the work
    is done. Streams already in UTF-8 are left alone."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="replace")


def _json_line(result: dict[str, Any]) -> str:
    """The JSON object, with characters the console's encoding lacks written as \\u escapes: still
    the same JSON for a script, never a “?” in a name."""
    line = json.dumps(result, ensure_ascii=False, default=str)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        line.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        line = json.dumps(result, ensure_ascii=True, default=str)
    return line


def _stdout_gone() -> None:
    """After a broken pipe, point stdout at nowhere so Python's final flush prints no traceback."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _fail(args: argparse.Namespace, message: str, kind: str, details: dict[str, Any] | None = None) -> None:
    from aidoffice.domain.text import printable

    message = printable(message)
    print(f"错误：{message}", file=sys.stderr)
    if getattr(args, "json", False):
        print(_json_line({**(details or {}), "error": message, "kind": kind}))
