"""Running the command line as a clerk's script or a county batch does: its own settings folder, no
terminal to prompt on, the last line of stdout as JSON.

Two modes, one contract (the same arguments, a `subprocess.CompletedProcess` back):
- `run(...)` calls `aidoffice.cli.main(argv)` in this process: the same parser, commands, exit codes
  and output, without ~1 s of interpreter start-up and imports per command. What a command changes in
  the process is put back afterwards: the environment, the clock, stdin/stdout/stderr, the log
  handler, the temporary folder, and the database engines it opened are closed.
- `run_process(...)` starts `python -m aidoffice` as a separate process: for what only a real process
  shows (exit codes as the shell sees them, being killed half-way, the console's encoding, a crash's
  traceback). AIDOFFICE_E2E_SUBPROCESS=1 sends every `run` there too (the slow, fully separate run).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, event

SECRETS = ("AIDOFFICE_PASSWORD", "AIDOFFICE_NEW_PASSWORD", "AIDOFFICE_BACKUP_PASSWORD")
ALL_IN_SUBPROCESSES = os.environ.get("AIDOFFICE_E2E_SUBPROCESS", "") not in ("", "0")


def _argv(args: tuple[str, ...], db: str | Path | None) -> list[str]:
    return [*(["--db", str(db)] if db else []), *args]


def _environment(home: Path, password: str | None, env: dict[str, str]) -> dict[str, str]:
    e = {**os.environ, "AIDOFFICE_HOME": str(home), "PYTHONIOENCODING": "utf-8", **env}
    for key in SECRETS:
        if key not in env:
            e.pop(key, None)
    if password:
        e["AIDOFFICE_PASSWORD"] = password
    return e


def run_process(
    *args: str, home: Path, db: str | Path | None = None, password: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """`aidoffice [--db DB] ARGS…` as a separate process with AIDOFFICE_HOME=home; passwords only from
    `password` / `env` (never inherited), and no terminal to prompt on."""
    cmd = [sys.executable, "-m", "aidoffice", *_argv(args, db)]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=_environment(home, password, env),
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def run(
    *args: str, home: Path, db: str | Path | None = None, password: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """`aidoffice [--db DB] ARGS…` with AIDOFFICE_HOME=home, in this process (see the module's note);
    passwords only from `password` / `env` (never inherited), and no terminal to prompt on."""
    if ALL_IN_SUBPROCESSES:
        return run_process(*args, home=home, db=db, password=password, **env)
    from aidoffice.cli import main

    argv = _argv(args, db)
    out, err = io.StringIO(), io.StringIO()
    with _as_a_fresh_process(_environment(home, password, env), out, err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse (usage, --help, --version) and the commands' own exits
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:  # what the interpreter would print before exiting with 1
            traceback.print_exc(file=sys.stderr)
            code = 1
    return subprocess.CompletedProcess(
        ["aidoffice", *argv], code, _as_text_mode(out.getvalue()), _as_text_mode(err.getvalue())
    )


def _as_text_mode(text: str) -> str:
    """What `subprocess.run(text=True)` hands back: universal newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _as_a_fresh_process(environ: dict[str, str], out: io.StringIO, err: io.StringIO) -> Iterator[None]:
    """The process state a command reads or changes, set as a new process would see it and put back."""
    from aidoffice import clock, logs
    from aidoffice.access import roles

    saved_environ = dict(os.environ)
    saved_day = clock.pinned()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_tempdir = tempfile.tempdir
    root = logging.getLogger()
    saved_handlers, saved_level, saved_configured = list(root.handlers), root.level, logs._configured
    saved_shared = roles._SHARED["on"]
    engines: list[Engine] = []

    def opened(conn, *_: object) -> None:  # type: ignore[no-untyped-def]
        if conn.engine not in engines:
            engines.append(conn.engine)

    os.environ.clear()
    os.environ.update(environ)
    day = environ.get(clock.ENV, "").strip()
    clock.pin(clock.parse_day(day) if day else None)  # read at start-up, as aidoffice.clock does
    logs._configured = False  # a new process opens its own log file (in its own AIDOFFICE_HOME)
    roles._SHARED["on"] = False  # and reads the roles file of its own data folder
    roles.role_book.cache_clear()
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err  # stdin as /dev/null: no terminal
    event.listen(Engine, "engine_connect", opened)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", opened)
        for engine in engines:  # the process would have ended: no connection or open file stays
            engine.dispose()
        for handler in root.handlers[:]:
            if handler not in saved_handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(saved_level)
        roles._SHARED["on"] = saved_shared
        roles.role_book.cache_clear()
        logs._configured = saved_configured
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        tempfile.tempdir = saved_tempdir
        clock.pin(saved_day)
        os.environ.clear()
        os.environ.update(saved_environ)


def last_json(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])
