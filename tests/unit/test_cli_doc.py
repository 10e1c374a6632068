"""docs/cli.md is the command reference county staff script against: it is generated from the parser,
and this test fails when a command or option changed without regenerating it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_reference_matches_the_program():
    r = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "make_cli_md.py"), "--check"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr + "\n(运行 python docs/make_cli_md.py 重新生成 docs/cli.md)"


def test_every_command_of_the_contract_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("init", "demo", "import students", "reconcile", "letters", "export roster", "consolidate",
                    "backup", "restore", "check", "users add", "slips receive", "classes add"):  # fmt: skip
        assert f"`aidoffice {command}`" in text, command
