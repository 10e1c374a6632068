"""The headless commands of 控辍保学: `aidoffice cases open|act|escalate|notice|close|list` and
`aidoffice dropout ledgers --out FILE.xlsx`. Their parsers are in aidoffice.cli.parser
(`add_case_parsers`); aidoffice.cli.COMMANDS names these handlers. Each handler returns the JSON object the
command prints with --json (and a "message" for people)."""

from __future__ import annotations

import argparse
from typing import Any


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
    from aidoffice.cli.common import UsageError
    from aidoffice.cli.common import date_arg as _date_arg
    from aidoffice.cli.common import open_db as _open
    from aidoffice.privacy import Level

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
    asked_full = getattr(args, "full_ids", False)
    with db.reading() as s:
        level = q.view_level(s, asked_full)
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
                lines = [f"{r.id:>4}  {r.name}  {r.class_label or r.place}  {r.reason}  {r.status}  劝返{r.attempts}次"
                         + ("  【逾期】" if r.overdue else "") + (f"  {r.outcome}" if r.outcome else "")
                         for r in rows]  # fmt: skip
                lines.append(
                    f"劝返中 {board.open} 件（逾期 {board.overdue} 件），本学期复学 {board.returned_this_term} 人"
                )
                result["message"] = "\n".join(lines)
    if asked_full:
        result["full_ids"] = level is Level.FULL
        whole = _whole_ids(result) if level is Level.FULL else 0
        if level is not Level.FULL:
            result["message"] = result.get("message", "") + "\n（你的角色不能查看完整证件号，证件号已打码）"
        elif whole:
            # whole ID numbers printed are numbers leaving the program: recorded, as an export is
            from aidoffice.db.audit import record

            shown = f"案件 {case_id}" if case_id is not None else "案件列表"
            with db.unit_of_work(note="控辍保学案件以完整证件号显示") as s:
                record(s, "export", "dropout_case", f"控辍保学{shown}以完整证件号输出（--full-ids）",
                       {"full_id_numbers": True, "ids": whole}, entity_id=case_id)  # fmt: skip
            result["message"] = result.get("message", "") + "\n（含完整证件号，已记入操作记录）"
    return result


def _whole_ids(result: dict[str, Any]) -> int:
    """How many whole ID numbers the command's output carries."""
    import json

    from aidoffice.privacy import find_sensitive

    return sum(
        1 for kind, _n in find_sensitive(json.dumps(result, ensure_ascii=False)) if kind == "id_number"
    )


def _describe(d: Any, what: str) -> str:
    r = d.row
    head = {"open": "已立案", "act": "已记录劝返", "escalate": "已记录上报", "notice": "已生成通知书",
            "close": "已结案"}.get(what, "案件")  # fmt: skip
    lines = [f"{head}：案件 {r.id} {r.name}（{r.class_label or r.place}）{r.reason}，{r.status}"
             + (f"，{r.outcome}" if r.outcome else "") + (f"，下次跟进 {r.next_due:%Y-%m-%d}" if r.next_due else "") + f"，已劝返 {r.attempts} 次"]  # fmt: skip
    if what == "list":
        lines += [f"  {a.on:%Y-%m-%d} {a.kind} {a.way} {a.who}：{a.said}" + (f" → {a.result}" if a.result else "")
                  for a in d.actions]  # fmt: skip
    return "\n".join(lines)


def cmd_dropout(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.cli.common import date_arg as _date_arg
    from aidoffice.cli.common import open_db as _open
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
