"""Writes docs/cli.md, the command reference, from the argument parser itself (so it cannot drift):
the hand-written conventions in docs/cli-intro.md, then every command with its usage and options.

    python docs/make_cli_md.py          # rewrite docs/cli.md
    python docs/make_cli_md.py --check  # exit 1 if docs/cli.md is stale (tests/unit/test_cli_doc.py)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aidoffice.cli.parser import build_parser  # noqa: E402

OUT = ROOT / "docs" / "cli.md"
INTRO = ROOT / "docs" / "cli-intro.md"


def _subparsers(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                found.append((name, helps.get(name, ""), sub))
    return found


def _options(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(
            action, argparse._HelpAction | argparse._SubParsersAction | argparse._VersionAction
        ):
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                name += " " + (action.metavar or action.dest.upper())
        else:
            name = action.metavar or action.dest
            if action.choices:
                name = "|".join(map(str, action.choices))
        text = (action.help or "").replace("|", "\\|").replace("\n", " ")
        if action.required and action.option_strings:
            text = ("（必填）" + text).strip()
        rows.append(f"| `{name}` | {text} |")
    return rows


def _usage(parser: argparse.ArgumentParser) -> str:
    return " ".join(parser.format_usage().replace("usage:", "").split())


def _section(path: str, help_text: str, parser: argparse.ArgumentParser, level: int) -> list[str]:
    lines = [f"{'#' * level} `{path}`", ""]
    if help_text:
        lines += [help_text, ""]
    lines += ["```", _usage(parser), "```", ""]
    options = _options(parser)
    if options:
        lines += ["| 参数 | 说明 |", "|---|---|", *options, ""]
    for name, sub_help, sub in _subparsers(parser):
        lines += _section(f"{path} {name}", sub_help, sub, min(level + 1, 4))
    return lines


def render() -> str:
    os.environ["COLUMNS"] = (
        "100"  # argparse wraps usage lines to the terminal: the same width on every machine
    )
    parser = build_parser()
    lines = [
        "# 命令行参考",
        "",
        "<!-- 由 docs/make_cli_md.py 从程序的参数定义生成，请勿手改；约定部分改 docs/cli-intro.md -->",
        "",
        INTRO.read_text(encoding="utf-8").strip(),
        "",
        "## 全局参数",
        "",
        "```",
        _usage(parser),
        "```",
        "",
        "| 参数 | 说明 |",
        "|---|---|",
        *_options(parser),
        "",
    ]
    for name, help_text, sub in _subparsers(parser):
        lines += _section(f"aidoffice {name}", help_text, sub, 2)
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/cli.md 已过期：请运行 python docs/make_cli_md.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"已写入 {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
