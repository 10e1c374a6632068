"""`reconcile`: the comparison and the problem list."""

from __future__ import annotations

import argparse
from typing import Any

from aidoffice.cli.common import (
    ProgressBar,
    UsageError,
    open_db,
)


def cmd_reconcile(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.reconcile.service import run_reconcile

    if args.full_ids and not (args.out or args.json or args.corrections_dir):
        raise UsageError("--full-ids 只用于 --out、--corrections-dir 写出的工作簿或 --json 输出")
    if args.mark_sent and not args.corrections_dir:
        raise UsageError("--mark-sent 要与 --corrections-dir 一起用：先生成请更正表，再标记为已发部门")
    db = open_db(args)
    corrections: dict[str, Any] | None = None
    with db.unit_of_work(note="reconcile") as s:
        res = run_reconcile(s, args.term, out=args.out, full_ids=args.full_ids, progress=ProgressBar())
        if args.corrections_dir:
            from aidoffice.reconcile.corrections import corrections_due, mark_sent, write_corrections

            files = write_corrections(s, args.corrections_dir, full_ids=args.full_ids)
            due = corrections_due(s)
            marked = mark_sent(s) if args.mark_sent else []
            corrections = {
                "files": {k: str(v) for k, v in files.items()},
                "rows": len(due),
                "marked_sent": len(marked),
            }
        if args.json and args.full_ids:
            from aidoffice.db.audit import record

            record(
                s,
                "export",
                "problem",
                "双向比对结果以完整证件号输出（--json --full-ids）",
                {"full_id_numbers": True},
            )
    result = res.as_json(full_ids=args.full_ids)
    result["message"] = _reconcile_message(res)
    if corrections is not None:
        result["corrections"] = corrections
        if corrections["files"]:
            lines = [f"请更正表 {len(corrections['files'])} 份（共 {corrections['rows']} 行）："]
            lines += [f"  {k}：{v}" for k, v in corrections["files"].items()]
            if args.mark_sent:
                lines.append(
                    f"已标记为已发部门更正：{corrections['marked_sent']} 个问题（更正前两条记录按同一名学生计）"
                )
        else:
            lines = ["没有需要部门更正证件号的名单行，未生成请更正表。"]
        result["message"] += "\n" + "\n".join(lines)
    return result


def _reconcile_message(res) -> str:  # type: ignore[no-untyped-def]
    from aidoffice.reconcile.kinds import KINDS

    c = res.comparison
    lines = [
        f"双向比对（{c.term.label}，比对日期 {c.term.on_date:%Y-%m-%d}）：共发现 {len(c.findings)} 个问题"
    ]
    by_kind = c.by_kind()
    for code, info in KINDS.items():
        found = by_kind.get(code, [])
        if not found:
            continue
        lines.append(f"【{info.label}】{len(found)} 个")
        lines += [f"  {f.detail}" for f in found[:10]]  # details carry masked ID numbers only
        if len(found) > 10:
            lines.append(f"  ……另有 {len(found) - 10} 个")
    sync = res.sync
    lines.append(
        f"问题清单：新增 {sync.new}，仍待处理 {sync.kept}，重新打开 {sync.reopened}，"
        f"数据已更正自动销号 {sync.closed_by_data}，已销号但仍存在 {sync.still_present}"
    )
    if res.out:
        lines.append(
            f"问题清单工作簿已保存：{res.out}" + ("（含完整证件号，已记入留痕）" if res.full_ids else "")
        )
    return "\n".join(lines)
