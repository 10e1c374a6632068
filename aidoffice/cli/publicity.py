"""The 1222 materials: `letters`, `poster`, `notice`, `slips`, `contacts`, `classes`, `pack`."""

from __future__ import annotations

import argparse
from typing import Any

from aidoffice.cli.common import (
    ProgressBar,
    UsageError,
    date_arg,
    open_db,
)


def cmd_letters(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.files import check_target
    from aidoffice.publicity.letters import produce_letters, remake_batch

    check_target(args.out, (".pdf",))
    day = date_arg(args.date, "--date")
    db = open_db(args)
    from aidoffice.office import batch_operation

    with batch_operation(db, "letters"), db.unit_of_work(note=f"letters {args.which}") as s:
        if args.which == "remake":
            if args.batch is None:
                raise UsageError("letters remake 需要 --batch 批次号")
            res = remake_batch(s, args.batch, args.out, progress=ProgressBar())
        else:
            include = None
            if args.include_flagged is not None and args.which != "aid":
                raise UsageError("--include-flagged 只用于受助情况告知书（letters aid）")
            if args.include_flagged and args.which == "aid":
                from aidoffice.publicity.letters import plan_letters

                plan = plan_letters(s, "aid", term=args.term, grade=args.grade, class_name=args.class_name)
                include = {h.student_id: args.include_flagged for h in plan.held}
            res = produce_letters(
                s,
                args.which,
                args.out,
                term=args.term,
                grade=args.grade,
                class_name=args.class_name,
                letter_date=day,
                duplex=args.duplex,
                covers=not args.no_cover,
                include=include,
                progress=ProgressBar(),
            )
    return {**res.as_json(), "message": res.summary()}


def cmd_poster(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity.poster import produce_poster

    day = date_arg(args.date, "--date")
    db = open_db(args)
    with db.unit_of_work(note="poster") as s:
        res = produce_poster(s, args.out, size=args.size, term=args.term, poster_date=day)
    lines = [f"已生成宣传栏海报（{res.size}，正文 {res.body_pt:.0f} 磅）：{res.path}"] + [
        f"注意：{w}" for w in res.warnings
    ]
    return {**res.as_json(), "message": "\n".join(lines)}


def cmd_notice(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity.notice import notice_held, produce_notice

    day = date_arg(args.start, "--start")
    db = open_db(args)
    with db.unit_of_work(note="notice") as s:
        include = None
        if args.include_flagged:
            include = {h.student_id: args.include_flagged for h in notice_held(s, args.term)}
        res = produce_notice(
            s,
            args.out,
            term=args.term,
            starts=day,
            days=args.days,
            show_level=True if args.level else None,
            include=include,
        )
    lines = [
        f"已生成受助学生公示：{res.path}（{res.students} 人，{res.pages} 页）",
        f"公示期：{res.starts} 至 {res.ends}",
    ] + [f"注意：{w}" for w in res.warnings]
    return {**res.as_json(), "message": "\n".join(lines)}


def cmd_slips(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity import slips
    from aidoffice.services import slip_desk

    if args.what == "scan":
        return _scan(args)
    db = open_db(args)
    if args.what == "receive":
        with db.unit_of_work(note="slips receive") as s:
            receipts = [
                slip_desk.receive(s, code, args.answer, args.objection, term=args.term)
                for code in args.codes
                if code.strip()
            ]
        out: dict[str, Any] = {
            o.value: [r.code or r.typed for r in receipts if r.outcome is o] for o in slips.Outcome
        }
        out["results"] = [r.as_json() for r in receipts]
        out["message"] = "\n".join(r.message for r in receipts)
        refused = (slips.Outcome.UNKNOWN, slips.Outcome.MISTYPED, slips.Outcome.OTHER_TERM)
        if any(r.outcome in refused for r in receipts):
            out["_exit"] = 1  # a script learns that a code was not registered (the others were)
        return out
    if args.out:
        from aidoffice.files import check_target

        check_target(args.out, (".xlsx",))
    with db.reading() as s:
        status = slips.slip_status(
            s, term=args.term, kind=args.kind, grade=args.grade, class_name=args.class_name
        )
        result = status.as_json()
        lines = [
            f"{status.scope} {status.term}：应交 {status.total} 张，已交 {status.returned} 张，未交 {status.total - status.returned} 张"
        ]
        lines += [f"  {c.label}：{c.returned}/{c.total}" for c in status.classes]
        if args.out:
            path, rows = slips.export_outstanding(
                s, args.out, term=args.term, kind=args.kind, grade=args.grade, class_name=args.class_name
            )
            result["out"] = str(path)
            lines.append(f"各班情况和未交名单（{rows} 人）已保存：{path}")
    result["message"] = "\n".join(lines)
    return result


def cmd_contacts(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity.settings import LABELS, write_settings

    changes = {
        "contact_name": args.contact_name,
        "contact_phone": args.contact_phone,
        "aid_office_phone": args.aid_office_phone,
        "county_centre_phone": args.county_phone,
        "complaint_phone": args.complaint_phone,
        "apply_deadline": args.deadline,
        "issuer": args.issuer,
        "notice_days": args.notice_days,
        "slip_days": args.slip_days,
    }
    db = open_db(args)
    with db.unit_of_work(note="contacts") as s:
        settings = write_settings(s, **{k: v for k, v in changes.items() if v is not None})
    values = settings.as_dict()
    values["message"] = "\n".join(
        f"{LABELS[k]}：{v if v not in ('', None) else '（未设置）'}" for k, v in values.items()
    )
    return values


def cmd_classes(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity import sessions

    db = open_db(args)
    if args.what == "add":
        with db.unit_of_work(note="classes add") as s:
            row = sessions.record_session(
                s,
                held_on=date_arg(args.date, "--date"),
                grade=args.grade,
                class_name=args.class_name,
                kind=args.kind,
                teacher=args.teacher,
                topic=args.topic,
                attendance=args.attendance,
                term=args.term,
                notes=args.notes,
            )
            return {
                "id": row.id,
                "message": f"已记录{sessions.SESSION_NAMES[row.kind]}（{row.held_on}，到课 {row.attendance}/{row.enrolled} 人）",
            }
    if args.what in ("list", "missing"):
        with db.reading() as s:
            if args.what == "list":
                rows = sessions.list_sessions(s, args.term, whole_year=True)
                return {
                    "sessions": [r.as_json() for r in rows],
                    "message": "\n".join(
                        f"{r.held_on} {r.class_label} {sessions.SESSION_NAMES[r.kind]} {r.teacher}《{r.topic}》 {r.attendance}人"
                        for r in rows
                    )
                    or "本学年还没有宣讲课记录。",
                }
            missing = sessions.missing_sessions(s, args.term)
            return {
                "missing": [m.as_json() for m in missing],
                "message": "\n".join(
                    f"{m.class_label}：尚未上{sessions.SESSION_NAMES[m.kind]}" for m in missing
                )
                or "应上宣讲课的班级都已上过。",
            }
    day = date_arg(args.date, "--date")
    with db.unit_of_work(note=f"classes {args.what}") as s:
        if args.what == "handout":
            path, pages = sessions.produce_handout(
                s,
                args.out,
                grade=args.grade,
                class_name=args.class_name,
                kind=args.kind,
                term=args.term,
                handout_date=day,
            )
        else:
            path, pages = sessions.produce_signin(
                s, args.out, grade=args.grade, class_name=args.class_name, term=args.term, held_on=day
            )
    return {"out": str(path), "pages": pages, "message": f"已生成：{path}（{pages} 页）"}


def cmd_pack(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity.pack import make_pack

    day = date_arg(args.date, "--date")
    db = open_db(args)
    with db.unit_of_work(note="pack") as s:
        res = make_pack(s, args.out, term=args.term, on=day, progress=ProgressBar())
    lines = [
        f"已生成迎检材料包：{res.path}",
        *(f"  {f}" for f in res.files),
        *(f"未收集：{w}" for w in res.skipped),
        *(f"文件有变：{w}" for w in res.changed),
    ]
    return {**res.as_json(), "message": "\n".join(lines)}


def _scan(args: argparse.Namespace) -> dict[str, Any]:
    """`slips scan FILE.pdf|IMAGES…`: a scanned stack registered, the doubtful slips queued."""
    from aidoffice.services.slip_scan import scan_stack

    db = open_db(args)
    with db.unit_of_work(note="slips scan") as s:
        report = scan_stack(s, args.files, term=args.term, progress=ProgressBar())
    return {**report.as_json(), "message": report.summary()}
