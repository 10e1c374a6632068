"""`init`, `demo` and `villages`: creating the database and filling it."""

from __future__ import annotations

import argparse
import time
from typing import Any

from aidoffice.cli.common import (
    ProgressBar,
    UsageError,
    open_db,
)


def cmd_init(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select

    from aidoffice.db.models import Policy, PriorityGroup
    from aidoffice.domain.terms import Term as TermValue
    from aidoffice.ledgers.school import ensure_current_term, get_school, set_current_term, setup_school
    from aidoffice.ledgers.school_queries import school_info

    db = open_db(args)
    with db.unit_of_work(note="init") as s:
        if get_school(s) is None and not args.school:
            raise UsageError(
                "首次建立数据库需要学校名称：aidoffice init --school 学校名称 [--school-code 10位标识码] [--county 县名]"
            )
        school = setup_school(s, args.school, args.school_code, args.county)
        term = set_current_term(s, args.term) if args.term else ensure_current_term(s)
        info = school_info(s)
        result = {
            "database": db.display_url,
            "school": school.name,
            "school_code": school.code,
            "county": school.county,
            "term": term.code,
            "calendar_term": info.calendar_term if info else term.code,
            "policies": s.scalar(select(func.count()).select_from(Policy)),
            "groups": s.scalar(select(func.count()).select_from(PriorityGroup)),
        }
    result["message"] = (
        f"数据库已就绪：{result['database']}\n学校：{result['school']}；当前学期：{result['term']}"
    )
    if info is not None and info.behind:
        label = TermValue.parse(info.calendar_term).label
        result["message"] += (
            f"\n按日历今天已是{label}；本学期的工作做完后换学期：aidoffice init --term {info.calendar_term}"
        )
    return result


def cmd_villages(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.ledgers.places import served_villages, set_served_villages

    pairs = []
    for value in args.serve or []:
        town, _, village = value.replace("／", "/").partition("/")
        if not town.strip() or not village.strip():
            raise UsageError(f"“{value}”应写作 乡镇/村，如 城南庄镇/大岸底村")
        pairs.append((town.strip(), village.strip()))
    db = open_db(args)
    with db.unit_of_work(note="villages") as s:
        served = served_villages(s)
        if pairs:
            served = set_served_villages(s, [], pairs)
        elif args.confirm:
            served = set_served_villages(s, served.ids)
        rows = [
            {"id": v.id, "township": v.township, "village": v.name, "enrolled": v.enrolled,
             "households": v.households, "served": v.served}
            for v in served.villages
        ]  # fmt: skip
    lines = [f"服务村（{'已确认' if served.confirmed else '尚未确认，以下为按在校学生户籍推荐'}）："]
    lines += [
        f"{'√' if r['served'] else '　'} {r['township']}{r['village']}（在校学生 {r['enrolled']} 人，户籍花名册 {r['households']} 户）"
        for r in rows
    ]
    return {"confirmed": served.confirmed, "villages": rows, "message": "\n".join(lines)}


def cmd_demo(args: argparse.Namespace) -> dict[str, Any]:
    from dataclasses import asdict

    from aidoffice.demo import generate

    if args.students < 1 or args.students > 1_000_000:
        raise UsageError("--students 应在 1 到 1000000 之间")
    db = open_db(args)
    started = time.monotonic()
    with db.unit_of_work(note="demo") as s:
        result = asdict(generate(s, args.students, seed=args.seed, progress=ProgressBar()))
    result["seconds"] = round(time.monotonic() - started, 2)
    result["message"] = (
        f"已生成演示数据：{result['students']} 名学生，{result['households']} 户，{result['villages']} 个村，"
        f"{result['awards']} 条本学期资助记录（用时 {result['seconds']} 秒）"
    )
    return result
