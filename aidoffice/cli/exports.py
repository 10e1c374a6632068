"""`export ledger|roster`, `recoveries` and `consolidate`."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from aidoffice.cli.common import (
    ProgressBar,
    UsageError,
    date_arg,
    open_db,
    pairs,
)


def cmd_export(args: argparse.Namespace) -> dict[str, Any]:
    if args.what == "roster":
        return cmd_export_roster(args)
    from aidoffice.exporting.ledger import export_school_ledger, export_village_ledger

    db = open_db(args)
    fn = export_school_ledger if args.which == "school" else export_village_ledger
    with db.unit_of_work(note=f"export ledger {args.which}") as s:
        res = fn(s, args.out, mask=args.mask, purpose=args.purpose, progress=ProgressBar())
    name = "学籍台账" if args.which == "school" else "户籍台账"
    note = ""
    if res.masked_for_role:
        note = "。您的账户没有导出完整证件号的权限，已按打码导出（证件号只显示前6位和后4位，学籍号、电话同样打码）"
    elif res.masked:
        note = "（证件号已打码）"
    return {
        "out": res.path,
        "rows": res.rows,
        "masked": res.masked,
        "masked_for_role": res.masked_for_role,
        "message": f"已导出{name}：{res.path}（{res.rows} 行）{note}",
    }


def cmd_export_roster(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.exporting import roster, roster_export

    adds = pairs(args.add, "--add", False)
    removes = pairs(args.remove, "--remove", True)
    amounts = []
    for key, value in pairs(args.amount, "--amount", True):
        amount, sep, reason = value.partition(":")
        if not sep:
            amount, sep, reason = value.partition("：")
        amounts.append((key, amount.strip(), reason.strip()))
    mapping = dict(pairs(args.map, "--map", False))
    edits = bool(adds or removes or amounts)
    if edits and not (args.confirm or args.dry_run):
        raise UsageError("调整名单（--add/--remove/--amount）后请加 --confirm 确认，或加 --dry-run 先预览")
    if not args.out and not args.dry_run:
        raise UsageError("请用 --out 给出保存的文件名（只预览请加 --dry-run）")
    if args.template and args.profile:
        raise UsageError("--template 与 --profile 只能选一个")
    db = open_db(args)
    from aidoffice.office import batch_operation

    with (
        batch_operation(db, "roster") if args.confirm else contextlib.nullcontext(),
        db.unit_of_work(note=f"export roster {args.policy} {args.term}") as s,
    ):
        if args.confirm or args.dry_run:
            proposal = roster.propose(s, args.policy, args.term, quota=args.quota, days=args.days)
            for key, reason in adds:
                roster.add(s, proposal, key, reason)
            for key, reason in removes:
                roster.remove(proposal, key, reason)
            for key, amount, reason in amounts:
                roster.change_amount(proposal, key, amount, reason)
        else:
            proposal = roster.recorded_roster(s, args.policy, args.term)
            if not proposal.lines:
                ahead = roster.propose(s, args.policy, args.term, quota=args.quota, days=args.days)
                raise roster_export.RosterRefused(
                    f"{ahead.term.label}{ahead.title}还没有发放记录。按资格规则提出的名单有 {len(ahead.included)} 人"
                    f"（合计 {ahead.total} 元）。请先预览（--dry-run），审核后加 --confirm 确认并导出；"
                    "或先在“导入名单”中导入县里下发的资助名单。",
                    {"proposal": ahead.summary()},
                )
        confirmed = None
        outcome = roster_export.export_roster(
            s, proposal, None if args.dry_run else args.out, template=args.template, sheet=args.sheet,
            mapping=mapping, force_map=args.force_map, profile=args.profile, anyway=args.anyway, report=args.report,
            progress=ProgressBar(),
        )  # fmt: skip
        if args.confirm and not args.dry_run:
            confirmed = roster.confirm(s, proposal)
        if args.dry_run:
            s.rollback()
    result = outcome.as_json()
    result["proposal"] = proposal.summary()
    result["dry_run"] = bool(args.dry_run)
    if confirmed is not None:
        result["confirmed"] = {"batch_id": confirmed.batch_id, "created": confirmed.created,
                               "updated": confirmed.updated, "deleted": confirmed.deleted,
                               "recovered": confirmed.recovered}  # fmt: skip
    result["message"] = _roster_message(proposal, outcome, args.dry_run, confirmed)
    return result


def _roster_message(proposal, outcome, dry_run: bool, confirmed) -> str:  # type: ignore[no-untyped-def]
    from aidoffice.domain.money import format_amount

    head = f"{proposal.term.label}{proposal.title}：{outcome.rows} 人，合计 {format_amount(outcome.total)} 元"
    lines = [head]
    lines += [f"说明：{n}" for n in outcome.notes]
    for f in outcome.findings[:30]:
        lines.append(("  问题 " if f.blocking else "  提示 ") + f.describe())
    if len(outcome.findings) > 30:
        lines.append(f"  ……另有 {len(outcome.findings) - 30} 条")
    for c in outcome.cell_problems[:30]:
        lines.append("  上传会被拒绝：" + c.describe())
    if outcome.report:
        lines.append(f"检查结果已保存：{outcome.report}")
    if dry_run:
        for line in proposal.lines[:50]:
            mark = "" if line.included else f"（未列入：{line.removed_reason or '超出名额'}）"
            lines.append(f"  {line.name} {line.grade_name}{line.class_name} {line.shown_id} {line.category or line.level or ''} "
                         f"{format_amount(line.amount)} 元{mark}")  # fmt: skip
        if len(proposal.lines) > 50:
            lines.append(f"  ……共 {len(proposal.lines)} 人")
        lines.append("这是预览（--dry-run），没有写入任何数据。确认请加 --confirm 并用 --out 给出文件名。")
    else:
        if confirmed is not None:
            lines.append(
                f"已确认为本学期发放记录：新增 {confirmed.created} 条，改金额 {confirmed.updated} 条，去掉 {confirmed.deleted} 条"
                + (
                    f"；已发放的 {confirmed.recovered} 条没有删除，登记为待收回（aidoffice recoveries list）"
                    if confirmed.recovered
                    else ""
                )
            )
        if outcome.anyway:
            lines.append(f"检查有问题，已按“{outcome.anyway}”照样导出（已记入留痕）")
        total = f"合计在第 {outcome.total_row} 行" if outcome.total_row else "模板没有合计行"
        lines.append(f"已保存：{outcome.path}（第 {outcome.first_row} 行起，{total}）")
    return "\n".join(lines)


def cmd_recoveries(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.exporting import recoveries

    db = open_db(args)
    if args.what == "done":
        day = date_arg(args.date, "--date")
        with db.unit_of_work(note="recoveries done") as s:
            recoveries.mark_done(s, args.id, day, args.how, args.note)
    cancelled = None
    if args.what == "cancel":
        with db.unit_of_work(note="recoveries cancel") as s:
            rec = recoveries.cancel(s, args.id, args.reason)
            cancelled = f"{rec.name} {rec.policy_name} {rec.amount} 元"
    with db.reading() as s:
        term = args.term if args.what == "list" else None
        rows = recoveries.list_recoveries(s, term, pending_only=args.what == "list" and args.pending)
        total = recoveries.summary(s, term)
    result: dict[str, Any] = {"recoveries": [r.as_json() for r in rows], "summary": total.as_json()}
    if args.what == "done":
        done = next(r for r in rows if r.id == args.id)
        result["done"] = done.as_json()
        result["message"] = f"已登记收回：{done.describe()}\n{total.describe()}"
    elif args.what == "cancel":
        result["cancelled"] = args.id
        result["message"] = f"已撤销收回：{cancelled}（资助仍然有效）\n{total.describe()}"
    else:
        result["message"] = "\n".join([r.describe() for r in rows] + [total.describe()])
    return result


def cmd_consolidate(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.exporting.consolidate import consolidate

    db = open_db(args)
    with db.unit_of_work(note="consolidate") as s:
        res = consolidate(args.files, args.out, sheet=args.sheet, session=s, progress=ProgressBar())
    result = res.as_json()
    result["message"] = res.message()
    return result
