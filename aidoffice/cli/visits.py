"""`aidoffice visits assign|add|due` (and `list`, `rule`): contact duties and home visits (三包与家访)
from the command line. aidoffice/cli.py only registers the parser and routes here."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select


def _household(session: Any, value: str, usage: type[Exception]) -> int:
    from aidoffice.db.models import Household
    from aidoffice.errors import NotFound
    from aidoffice.ledgers.places import find_village

    text = value.replace("／", "/").strip()
    if text.isdigit() and "/" not in text:
        if session.get(Household, int(text)) is None:
            raise NotFound(f"找不到编号为 {text} 的户。")
        return int(text)
    parts = [p.strip() for p in text.split("/")]
    if len(parts) != 3 or not all(parts):
        raise usage(f"“{value}”应写作 乡镇/村/户编号，如 龙泉关镇/黑崖沟村/0001")
    village = find_village(session, parts[0], parts[1])
    if village is None:
        raise NotFound(f"户籍台账中没有“{parts[0]}{parts[1]}”，请核对乡镇和村名。")
    h_id = session.scalars(
        select(Household.id).where(Household.village_id == village.id, Household.household_no == parts[2])
    ).first()
    if h_id is None:
        raise NotFound(f"{parts[0]}{parts[1]}没有户编号为“{parts[2]}”的户，请核对户籍台账。")
    return int(h_id)


def _student(session: Any, value: str) -> int:
    from aidoffice.db.models import Student
    from aidoffice.domain.text import strip_all_spaces
    from aidoffice.errors import NotFound
    from aidoffice.privacy import mask_id

    key = strip_all_spaces(value).upper()
    s_id = session.scalars(
        select(Student.id).where(or_(Student.id_number == key, Student.student_no == key))
    ).first()
    if s_id is None:
        raise NotFound(f"学籍台账中没有证件号或学籍号为 {mask_id(key)} 的学生。")
    return int(s_id)


def _village(session: Any, value: str, usage: type[Exception]) -> int:
    from aidoffice.errors import NotFound
    from aidoffice.ledgers.places import find_village

    town, _, name = value.replace("／", "/").partition("/")
    if not town.strip() or not name.strip():
        raise usage(f"“{value}”应写作 乡镇/村，如 龙泉关镇/黑崖沟村")
    village = find_village(session, town, name)
    if village is None:
        raise NotFound(f"户籍台账中没有“{town.strip()}{name.strip()}”，请核对乡镇和村名。")
    return village.id


def cmd_visits(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.cli.common import UsageError, date_arg, open_db

    db = open_db(args)
    usage = UsageError
    return {"assign": _assign, "add": _add, "due": _due, "list": _list, "rule": _rule}[args.what](
        args, db, usage, date_arg
    )


def _assign(args: argparse.Namespace, db: Any, usage: type[Exception], date_arg: Callable) -> dict[str, Any]:
    from aidoffice.casework import duties

    if args.list:
        with db.reading() as s:
            rows = duties.list_duties(s, teacher=args.teacher, include_ended=args.all)
        lines = [
            f"{r.teacher}　{r.kind_name}　{r.target}　{r.starts_on}起"
            + (f"，{r.ends_on}止（{r.end_reason}）" if r.ends_on else "")
            for r in rows
        ]
        return {"duties": [r.as_json() for r in rows], "message": "\n".join(lines) or "还没有安排包保教师。"}
    if args.from_teacher:
        if args.village or args.household or args.student:
            raise usage("--from-teacher 是整体移交，不能再指定 --village、--household 或 --student")
        with db.unit_of_work(note="visits assign") as s:
            n = duties.reassign(
                s, args.from_teacher, args.to, on=date_arg(args.starts_on, "--from"), reason=args.reason or ""
            )
        to = f"移交给{args.to}" if args.to else "已结束（尚未安排接手教师）"
        return {
            "moved": n,
            "from": args.from_teacher,
            "to": args.to,
            "message": f"{args.from_teacher}的 {n} 项包保{to}。",
        }
    if not args.teacher or not (args.village or args.household or args.student):
        raise usage(
            "请写明 --teacher 姓名，以及 --village 乡镇/村、--household 乡镇/村/户编号 或 --student 证件号 之一"
        )
    with db.unit_of_work(note="visits assign") as s:
        kw: dict[str, int] = {}
        if args.village:
            kw["village_id"] = _village(s, args.village, usage)
        elif args.household:
            kw["household_id"] = _household(s, args.household, usage)
        else:
            kw["student_id"] = _student(s, args.student)
        duty = duties.assign(
            s,
            args.teacher,
            login=args.login,
            starts_on=date_arg(args.starts_on, "--from"),
            note=args.note,
            **kw,
        )
        row = next(r for r in duties.list_duties(s, include_ended=True) if r.id == duty.id)
    return {
        "duty": row.as_json(),
        "message": f"已安排：{row.teacher} {row.kind_name} {row.target}（{row.starts_on}起）",
    }


def _add(args: argparse.Namespace, db: Any, usage: type[Exception], date_arg: Callable) -> dict[str, Any]:
    from aidoffice.casework import visits
    from aidoffice.services.visit_needs import raise_need

    with db.unit_of_work(note="visits add") as s:
        kw: dict[str, int] = {}
        if args.household:
            kw["household_id"] = _household(s, args.household, usage)
        else:
            kw["student_id"] = _student(s, args.student)
        visit = visits.record_visit(
            s,
            visited_on=date_arg(args.date, "--date"),
            teacher=args.teacher,
            way=args.way,
            said=args.said,
            needs=args.needs,
            follow_up=args.follow_up,
            **kw,
        )
        problem_id = raise_need(s, visit.id).id if args.to_problem else None
        out = {
            "id": visit.id,
            "household_id": visit.household_id,
            "visited_on": visit.visited_on.isoformat(),
            "teacher": visit.teacher,
            "way": visit.way,
            "problem_id": problem_id,
        }
    extra = f"；需求已转入问题清单（编号 {problem_id}）" if problem_id else ""
    return {
        **out,
        "message": f"已记录：{out['visited_on']} {out['teacher']}{out['way']}（{visit.family_name}家）{extra}",
    }


def _due(args: argparse.Namespace, db: Any, usage: type[Exception], date_arg: Callable) -> dict[str, Any]:
    from aidoffice.casework import visits

    with db.reading() as s:
        report = visits.due(s, args.month, teacher=args.teacher)
    alone = f"，含 {report.students_alone} 名户籍台账中没有其户的包人学生" if report.students_alone else ""
    lines = [
        f"{report.month:%Y年%m月}未联系：{len(report.rows)} 户（应联系 {report.households} 户{alone}，已联系 {report.contacted} 户）",
        f"规则：{report.rule_text}",
        "按包保教师：" + ("，".join(f"{t} {n} 户" for t, n in report.by_teacher.items()) or "无"),
        "按村：" + ("，".join(f"{v} {n} 户" for v, n in report.by_village.items()) or "无"),
    ]
    for r in report.rows:
        last = f"上次联系 {r.last_contact}" if r.last_contact else "从未联系"
        lines.append(
            f"  {r.teacher}　{r.township}{r.village} {r.household_no} {r.head_name}"
            f"{'（重点）' if r.poor else ''} {r.every}　{last}"
        )
    return {**report.as_json(), "message": "\n".join(lines)}


def _list(args: argparse.Namespace, db: Any, usage: type[Exception], date_arg: Callable) -> dict[str, Any]:
    from aidoffice.casework import visits

    with db.reading() as s:
        rows = visits.list_visits(s, month=args.month, teacher=args.teacher)
    lines = [f"{r.visited_on} {r.teacher}{r.way} {r.village} {r.family}：{r.said}" for r in rows]
    return {"visits": [r.as_json() for r in rows], "message": "\n".join(lines) or "没有联系记录。"}


def _rule(args: argparse.Namespace, db: Any, usage: type[Exception], date_arg: Callable) -> dict[str, Any]:
    from aidoffice.casework import visits

    def every(value: str | None, old: str, option: str) -> str:
        if value is None:
            return old
        text = value.strip()
        if text in visits.EVERY:
            return text
        if text in visits.EVERY_BY_NAME:
            return visits.EVERY_BY_NAME[text]
        raise usage(f"{option} 应为 每月、每学期 或 不要求，而不是“{value}”")

    changing = args.poor is not None or args.others is not None or args.groups is not None
    with db.unit_of_work(note="visits rule") if changing else db.reading() as s:
        rule = visits.read_rule(s)
        if changing:
            groups = (
                tuple(g.strip() for g in args.groups.replace("，", ",").split(",") if g.strip())
                if args.groups is not None
                else rule.poor_groups
            )
            rule = visits.save_rule(
                s,
                visits.VisitRule(
                    groups, every(args.poor, rule.poor, "--poor"), every(args.others, rule.others, "--others")
                ),
            )
        text = rule.describe(visits.group_names(s))
    return {"rule": rule.as_json(), "rule_text": text, "message": f"联系频次：{text}"}
