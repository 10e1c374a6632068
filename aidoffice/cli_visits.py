"""`aidoffice visits assign|add|due` (and `list`, `rule`): contact duties and home visits (三包与家访)
from the command line. aidoffice/cli.py only registers the parser and routes here."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import or_, select

WAY_HELP = "联系方式：家访、电话、微信、到校面谈（默认家访）"


def register(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "visits", help="三包与家访：assign 安排包保教师，add 记录一次联系，due 本月未联系的家庭"
    )
    vsub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=parser_class)

    e = vsub.add_parser(
        "assign",
        help="安排包保教师（包村、包户、包人）；--from-teacher 整体移交（教师调离）；--list 查看谁包保谁",
    )
    e.add_argument("--teacher", metavar="NAME", help="包保教师姓名")
    e.add_argument("--login", metavar="LOGIN", help="教师的账户登录名（可不填）")
    target = e.add_mutually_exclusive_group()
    target.add_argument("--village", metavar="乡镇/村", help="包村：如 龙泉关镇/黑崖沟村")
    target.add_argument(
        "--household", metavar="乡镇/村/户编号", help="包户：如 龙泉关镇/黑崖沟村/0001，或户的编号"
    )
    target.add_argument("--student", metavar="证件号或学籍号", help="包人：学生的身份证件号或全国学籍号")
    e.add_argument("--from", dest="starts_on", metavar="DATE", help="开始日期（默认今天）")
    e.add_argument("--note", metavar="TEXT", help="备注")
    e.add_argument("--from-teacher", metavar="NAME", help="整体移交：此教师的全部包保结束")
    e.add_argument("--to", metavar="NAME", help="与 --from-teacher 同用：由此教师接手（不填则只结束）")
    e.add_argument("--reason", metavar="TEXT", help="与 --from-teacher 同用：原因，如 调离")
    e.add_argument("--list", action="store_true", help="列出当前的包保责任（可加 --teacher）")
    e.add_argument("--all", action="store_true", help="与 --list 同用：也列出已结束的（历史）")

    e = vsub.add_parser("add", help="记录一次家访或联系")
    target = e.add_mutually_exclusive_group(required=True)
    target.add_argument("--household", metavar="乡镇/村/户编号", help="联系的户，如 龙泉关镇/黑崖沟村/0001")
    target.add_argument("--student", metavar="证件号或学籍号", help="联系的学生家庭")
    e.add_argument("--date", metavar="DATE", help="联系日期（默认今天）")
    e.add_argument("--teacher", metavar="NAME", help="联系的教师（默认登录的账户）")
    e.add_argument("--way", default="家访", metavar="WAY", help=WAY_HELP)
    e.add_argument("--said", required=True, metavar="TEXT", help="交流内容（宣传了哪些政策、了解到的情况）")
    e.add_argument("--needs", metavar="TEXT", help="家庭反映的需求")
    e.add_argument("--follow-up", metavar="TEXT", help="后续跟进")
    e.add_argument("--to-problem", action="store_true", help="把反映的需求转入问题清单")

    e = vsub.add_parser("due", help="本月未联系：按包保教师、按村列出应联系而未联系的家庭")
    e.add_argument("--month", metavar="YYYY-MM", help="月份，如 2026-11（默认本月）")
    e.add_argument("--teacher", metavar="NAME", help="只看此教师")

    e = vsub.add_parser("list", help="联系记录（新的在前）")
    e.add_argument("--month", metavar="YYYY-MM", help="只看这个月")
    e.add_argument("--teacher", metavar="NAME", help="只看此教师")

    e = vsub.add_parser("rule", help="联系频次规则：重点家庭和其他家庭各多久联系一次（不带参数时显示）")
    e.add_argument("--poor", metavar="EVERY", help="重点家庭：每月、每学期 或 不要求")
    e.add_argument("--others", metavar="EVERY", help="其他家庭：每月、每学期 或 不要求")
    e.add_argument(
        "--groups",
        metavar="CODES",
        help="算作重点家庭的群体代码，逗号分隔，如 poverty_exited,monitored,dibao,tekun",
    )


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


def run(
    args: argparse.Namespace,
    open_db: Callable[[argparse.Namespace], Any],
    usage: type[Exception],
    date_arg: Callable[[str | None, str], date | None],
) -> dict[str, Any]:
    db = open_db(args)
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
    lines = [
        f"{report.month:%Y年%m月}未联系：{len(report.rows)} 户（应联系 {report.households} 户，已联系 {report.contacted} 户）",
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
