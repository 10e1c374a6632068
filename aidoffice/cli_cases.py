"""The headless commands of 控辍保学: `aidoffice cases open|act|escalate|notice|close|list` and
`aidoffice dropout ledgers --out FILE.xlsx`. `register(subparsers)` adds them to the main parser and
`COMMANDS` names their handlers (aidoffice.cli hooks both in). Each handler returns the JSON object the
command prints with --json (and a "message" for people)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    from aidoffice.casework.cases import OUTCOMES, REASONS, WAYS
    from aidoffice.cli.common import Parser as _Parser

    s = sub.add_parser(
        "cases", help="控辍保学一人一案：open 立案，act 记录劝返，notice 通知书，close 结案，list 列出"
    )
    csub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    e = csub.add_parser(
        "open",
        help="立案：学生台账中的学生（同时标记辍学）、问题清单中的需核实去向，或服务村中不在台账的孩子",
    )
    who = e.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--student", metavar="ID", help="学生的身份证件号或全国学籍号（学生台账中改为辍学并立案）"
    )
    who.add_argument("--problem", type=int, metavar="N", help="问题清单中“需核实去向”问题的编号")
    who.add_argument(
        "--name", metavar="NAME", help="不在台账中的孩子的姓名（同时给出 --village，最好也给 --id-number）"
    )
    e.add_argument("--id-number", metavar="ID", help="与 --name 同用：孩子的身份证件号")
    e.add_argument(
        "--village", metavar="乡镇/村", help="与 --name 同用：户籍所在的服务村，如 龙泉关镇/黑崖沟村"
    )
    e.add_argument("--guardian", metavar="NAME", help="与 --name 同用：监护人姓名")
    e.add_argument("--reason", required=True, choices=REASONS, help="辍学原因")
    e.add_argument("--note", metavar="TEXT", help="原因说明")
    e.add_argument("--plan", metavar="TEXT", help="劝返方案（一人一案）")
    e.add_argument("--left-on", metavar="DATE", help="辍学日期，如 2026-11-02（默认今天）")
    e.add_argument("--due", metavar="DATE", help="第一次劝返的期限（默认一周后）")
    e.add_argument("--person", action="append", default=[], metavar="身份:姓名[:电话]",
                   help="责任人，可多次给出，如 --person 班主任:李老师:13900001111")  # fmt: skip
    e = csub.add_parser("act", help="记录一次劝返：家访、电话或约谈，谈了什么，结果")
    e.add_argument("case", type=int, metavar="CASE", help="案件编号")
    e.add_argument("--way", required=True, choices=WAYS)
    e.add_argument("--said", required=True, metavar="TEXT", help="沟通内容")
    e.add_argument("--result", metavar="TEXT", help="结果")
    e.add_argument("--who", metavar="NAME", help="经办人（默认登录的账户）")
    e.add_argument("--date", metavar="DATE", help="日期（默认今天）")
    e.add_argument("--next", metavar="DATE", help="下次跟进的期限（默认一周后）")
    e = csub.add_parser("escalate", help="劝返无效，报告乡镇政府和县教育局")
    e.add_argument("case", type=int, metavar="CASE")
    e.add_argument("--to", default="乡镇人民政府、县教育局", metavar="TEXT", help="报告给谁")
    e.add_argument("--note", metavar="TEXT")
    e.add_argument("--date", metavar="DATE")
    e = csub.add_parser("notice", help="打印复学通知书（return）或劝返告知书（persuade），写明截止日期")
    e.add_argument("case", type=int, metavar="CASE")
    e.add_argument("--kind", choices=["return", "persuade"], default="return")
    e.add_argument("--deadline", required=True, metavar="DATE", help="到校报到的截止日期")
    e.add_argument("--place", metavar="TEXT", help="报到地点（默认本校）")
    e.add_argument("--date", metavar="DATE", help="通知日期（默认今天）")
    e.add_argument("--out", required=True, metavar="FILE.pdf")
    e = csub.add_parser("close", help="结案：复学、送教上门、转学、因病缓学或其他")
    e.add_argument("case", type=int, metavar="CASE")
    e.add_argument("--outcome", required=True, choices=OUTCOMES)
    e.add_argument("--note", metavar="TEXT", help="转学写接收学校及其回执，因病缓学写诊断证明，其他写原因")
    e.add_argument("--date", metavar="DATE")
    e = csub.add_parser("list", help="列出案件（劝返中在前）；--case N 显示一个案件的全部记录")
    e.add_argument("--case", type=int, metavar="N", help="只显示这个案件及其处理记录")
    e.add_argument("--status", choices=["open", "closed", "all"], default="all")
    e.add_argument("--overdue", action="store_true", help="只列出劝返逾期的案件")
    e.add_argument("--full-ids", action="store_true", help="显示完整证件号（需相应权限）")

    s = sub.add_parser("dropout", help="控辍保学台账：ledgers 导出三本台账和月报")
    dsub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    e = dsub.add_parser("ledgers", help="适龄儿童花名册、疑似辍学、辍学学生三本台账和月报，按县模板导出")
    e.add_argument("--out", required=True, metavar="FILE.xlsx")
    e.add_argument("--template", metavar="FILE.xlsx", help="县里的模板（默认程序自带的样表）")
    e.add_argument("--date", metavar="DATE", help="统计日期（默认今天；月报按这一天所在的月份）")
    e.add_argument("--full-ids", action="store_true", help="完整证件号（需相应权限，记入操作记录）")
    e.add_argument("--purpose", metavar="TEXT", help="含完整证件号时写明用途")


def _person(text: str) -> Any:
    from aidoffice.casework.cases import PersonInput
    from aidoffice.cli.common import UsageError

    parts = [p.strip() for p in text.replace("：", ":").split(":")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise UsageError(f"--person 应写作 身份:姓名[:电话]，如 班主任:李老师:13900001111，而不是“{text}”")
    return PersonInput(parts[0], parts[1], parts[2] if len(parts) > 2 else None)


def _student_id(s: Any, text: str) -> int:
    from sqlalchemy import or_, select

    from aidoffice.db.models import Student
    from aidoffice.domain.idnumber import normalize_id
    from aidoffice.errors import NotFound

    key = normalize_id(text)
    sid = s.scalars(
        select(Student.id).where(
            or_(Student.id_number == key, Student.student_no == key, Student.person_key == key)
        )
    ).first()
    if sid is None:
        raise NotFound(f"学生台账中没有证件号或学籍号为“{text}”的学生。")
    return sid


def _village_id(s: Any, text: str) -> int:
    from aidoffice.errors import NotFound
    from aidoffice.ledgers.places import find_village

    town, _, village = text.replace("／", "/").partition("/")
    found = find_village(s, town.strip(), village.strip()) if village else None
    if found is None:
        raise NotFound(f"找不到村“{text}”：请写作 乡镇/村，如 龙泉关镇/黑崖沟村（须是户籍台账中已有的村）。")
    return found.id


def cmd_cases(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.casework import case_queries as q
    from aidoffice.casework import cases
    from aidoffice.cli.common import UsageError, date_arg as _date_arg, open_db as _open

    db = _open(args)
    what = args.what
    result: dict[str, Any] = {}
    case_id = getattr(args, "case", None)
    if what == "open":
        if args.name and not args.village:
            raise UsageError("--name 需要同时给出 --village 乡镇/村")
        data = cases.CaseInput(
            reason=args.reason, reason_note=args.note, plan=args.plan, left_on=_date_arg(args.left_on, "--left-on"),
            next_due=_date_arg(args.due, "--due"), people=[_person(p) for p in args.person],
        )  # fmt: skip
        with db.unit_of_work(note="控辍保学立案") as s:
            if args.student:
                case_id = cases.open_for_ledger_student(s, _student_id(s, args.student), data).id
            elif args.problem is not None:
                case_id = cases.open_from_problem(s, args.problem, data).id
            else:
                child = cases.ChildInput(args.name, args.id_number, _village_id(s, args.village),
                                         guardian_name=args.guardian)  # fmt: skip
                case_id = cases.open_by_hand(s, child, data).id
        result["opened"] = case_id
    elif what == "act":
        with db.unit_of_work(note="控辍保学劝返记录") as s:
            a = cases.add_action(s, args.case, way=args.way, said=args.said, result=args.result, who=args.who,
                                 on=_date_arg(args.date, "--date"), next_due=_date_arg(args.next, "--next"))  # fmt: skip
            result["action"] = a.id
    elif what == "escalate":
        with db.unit_of_work(note="控辍保学上报") as s:
            result["action"] = cases.escalate(s, args.case, to=args.to, note=args.note,
                                              on=_date_arg(args.date, "--date")).id  # fmt: skip
    elif what == "notice":
        from aidoffice.services.case_notices import produce_case_notice

        deadline = _date_arg(args.deadline, "--deadline")
        with db.unit_of_work(note="控辍保学通知书") as s:
            res = produce_case_notice(s, args.case, args.kind, args.out, deadline=deadline, place=args.place,
                                      notice_date=_date_arg(args.date, "--date"))  # fmt: skip
        result["notice"] = res.as_json()
    elif what == "close":
        with db.unit_of_work(note="控辍保学结案") as s:
            cases.close_case(
                s, args.case, outcome=args.outcome, note=args.note, on=_date_arg(args.date, "--date")
            )
        result["closed"] = args.case
    with db.reading() as s:
        level = q.view_level(s, getattr(args, "full_ids", False))
        if case_id is not None:
            detail = q.case_detail(s, case_id, level=level)
            result["case"] = detail.as_json()
            result.setdefault("message", _describe(detail, what))
        if what == "list":
            status = {"open": q.CaseStatus.OPEN, "closed": q.CaseStatus.CLOSED}.get(args.status)
            rows = q.list_cases(s, q.CaseFilter(status=status, overdue_only=args.overdue), level=level)
            result["cases"] = [r.as_json() for r in rows]
            board = q.dashboard(s)
            result["counts"] = {"open": board.open, "returned_this_term": board.returned_this_term,
                                "overdue": board.overdue}  # fmt: skip
            if case_id is None:
                lines = [f"{r.id:>4}  {r.name}  {r.class_label or r.place}  {r.reason}  {r.status}"
                         + ("  【逾期】" if r.overdue else "") + (f"  {r.outcome}" if r.outcome else "")
                         for r in rows]  # fmt: skip
                lines.append(
                    f"劝返中 {board.open} 件（逾期 {board.overdue} 件），本学期复学 {board.returned_this_term} 人"
                )
                result["message"] = "\n".join(lines)
    return result


def _describe(d: Any, what: str) -> str:
    r = d.row
    head = {"open": "已立案", "act": "已记录劝返", "escalate": "已记录上报", "notice": "已生成通知书",
            "close": "已结案"}.get(what, "案件")  # fmt: skip
    lines = [f"{head}：案件 {r.id} {r.name}（{r.class_label or r.place}）{r.reason}，{r.status}"
             + (f"，{r.outcome}" if r.outcome else "") + (f"，下次跟进 {r.next_due:%Y-%m-%d}" if r.next_due else "")]  # fmt: skip
    if what == "list":
        lines += [f"  {a.on:%Y-%m-%d} {a.kind} {a.way} {a.who}：{a.said}" + (f" → {a.result}" if a.result else "")
                  for a in d.actions]  # fmt: skip
    return "\n".join(lines)


def cmd_dropout(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.cli.common import date_arg as _date_arg, open_db as _open
    from aidoffice.services.dropout_export import export_dropout_ledgers

    db = _open(args)
    with db.unit_of_work(note="导出控辍保学台账") as s:
        res = export_dropout_ledgers(s, args.out, template=args.template, on=_date_arg(args.date, "--date"),
                                     full_ids=args.full_ids, purpose=args.purpose)  # fmt: skip
    out = res.as_json()
    n = res.rows
    out["message"] = "\n".join(
        [f"控辍保学台账已保存：{res.path}（{res.month}）",
         f"适龄儿童 {n.get('roll', 0)} 人，疑似辍学 {n.get('suspects', 0)} 人，辍学学生 {n.get('dropouts', 0)} 人",
         *res.notes]
    )  # fmt: skip
    return out


COMMANDS = {"cases": cmd_cases, "dropout": cmd_dropout}
