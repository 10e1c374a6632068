"""The console entry point `aidoffice` (and `python -m aidoffice`): no command opens the GUI, a command
runs headless through `aidoffice.cli.main`. It lives outside the core, which never imports `ui`."""

from __future__ import annotations

from collections.abc import Sequence


def open_gui(db_url: str | None) -> int:
    from ui.app import run_gui

    return run_gui(db_url=db_url)


def main(argv: Sequence[str] | None = None) -> int:
    from aidoffice.cli import main as run

    return run(argv, open_gui=open_gui)


if __name__ == "__main__":
    raise SystemExit(main())
