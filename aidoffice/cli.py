"""The headless commands (the **contract** of ../shared/DESIGN.md). With no command, opens the GUI.

Exit status: 0 done; 1 the input was refused (the message says why, nothing was written); 2 wrong
usage; 3 an unexpected error (details in the log file)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from aidoffice import __version__
from aidoffice.domain.text import printable
from aidoffice.errors import AidofficeError
from aidoffice.privacy import Field, Level, scrub, show

log = logging.getLogger("aidoffice.cli")

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}\n运行“aidoffice --help”查看全部命令。", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class ProgressBar:
    """A text progress bar on stderr, drawn only on a terminal so scripts and --json stay clean."""

    def __init__(self, stream=sys.stderr):  # type: ignore[no-untyped-def]
        self.stream = stream
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and not (total and done >= total):
            return
        self._last = now
        if total:
            filled = int(30 * min(done, total) / total)
            text = f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{total} {message}"
        else:
            text = f"\r{done} {message}"
        self.stream.write(text[:100].ljust(100))
        if total and done >= total:
            self.stream.write("\n")
        self.stream.flush()


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="aidoffice", description="学校资助办助手：不带命令时打开图形界面，带命令时在命令行中运行。"
    )
    p.add_argument(
        "--db", metavar="URL", help="数据库：SQLite 文件路径或 postgresql+psycopg://用户:密码@主机/库名"
    )
    p.add_argument("--json", action="store_true", help="在标准输出最后一行输出一个 JSON 对象")
    p.add_argument(
        "--user",
        metavar="LOGIN",
        help="以此账户运行（数据库启用账户后需要）；密码在提示时输入，或放在环境变量 AIDOFFICE_PASSWORD 中",
    )
    p.add_argument("--version", action="version", version=f"aidoffice {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("init", help="建立或升级数据库，登记学校信息")
    s.add_argument("--school", metavar="NAME", help="学校名称")
    s.add_argument("--school-code", metavar="CODE", help="学校标识码（10位）")
    s.add_argument("--county", metavar="NAME", help="所在县（区）")

    s = sub.add_parser("demo", help="用逼真的模拟数据填充一个空数据库（演示、培训、测试）")
    s.add_argument("--students", type=int, default=2000, metavar="N", help="学生人数（默认 2000）")
    s.add_argument("--seed", type=int, default=20261122, help=argparse.SUPPRESS)

    s = sub.add_parser("export", help="导出工作簿")
    esub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    e = esub.add_parser("ledger", help="导出台账：school 学籍台账，village 户籍台账")
    e.add_argument("which", choices=["school", "village"])
    e.add_argument("--out", required=True, metavar="FILE.xlsx")
    e.add_argument("--mask", action="store_true", help="身份证件号打码（只显示前6位和后4位）")
    e.add_argument(
        "--purpose", metavar="TEXT", help="含完整证件号时写明用途（记入操作记录），如“报县资助中心核对”"
    )
    _roster_parser(esub)
    s = sub.add_parser(
        "villages", help="服务村：列出本校服务的村（不带参数时显示），--confirm 确认推荐，--set 指定服务村"
    )
    s.add_argument("--confirm", action="store_true", help="按显示的服务村（或推荐）确认")
    s.add_argument(
        "--set",
        action="append",
        metavar="乡镇/村",
        dest="serve",
        help="服务村，如 城南庄镇/大岸底村（可多次给出）",
    )
    s = sub.add_parser("import", help="导入学籍导出、户籍名册、外部名单、资助发放名单或困难学生认定表")
    isub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    helps = {
        "students": "学籍系统导出（按身份证件号或全国学籍号匹配）",
        "households": "户籍（村）花名册",
        "list": "外部名单：乡村振兴/农业农村、民政、残联等",
        "awards": "资助发放名单",
    }
    for what, text in helps.items():
        e = isub.add_parser(what, help=text)
        e.add_argument("file", metavar="FILE", help=".xlsx、.xls、.ods 或 .csv")
        e.add_argument("--dry-run", action="store_true", help="只检查并报告将会发生什么，不写入")
        e.add_argument("--sheet", metavar="NAME", help="工作表名称（默认第一个有数据的工作表）")
        e.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="列名=项目",
            help='指定认不出的列，如 --map "家长手机=监护人联系电话"；项目写“不导入”则跳过该列。会按文件种类记住',
        )
        e.add_argument(
            "--report", metavar="FILE.xlsx", help="把逐行结果保存为工作簿（有问题的行标红并写明原因）"
        )
        if what == "list":
            e.add_argument(
                "--kind", dest="list_kind", choices=["poverty", "civil", "disabled", "other"], default="other"
            )
            e.add_argument(
                "--source", metavar="LABEL", help="名单来源，如“阜平县乡村振兴局”；同一来源的新名单取代旧名单"
            )
            e.add_argument(
                "--group", metavar="GROUP", help="名单中没有类别列时，名单上的人属于哪个重点群体，如 低保"
            )
            e.add_argument("--date", metavar="YYYY-MM-DD", help="名单的日期（默认今天）")
        if what == "awards":
            e.add_argument("--term", metavar="TERM", help="学期，如 2026-2027-1（文件中没有学期列时使用）")
            e.add_argument("--policy", metavar="NAME_OR_CODE", help="资助项目（文件中没有项目列时使用）")
    _consolidate_parser(sub)
    add_publicity_parsers(sub)
    _add_safety_parsers(sub)
    e = isub.add_parser("assessments", help="家庭经济困难学生认定表（学校每年秋季评议的结果）")
    e.add_argument("file", metavar="FILE", help=".xlsx、.xls、.ods 或 .csv")
    e.add_argument(
        "--year", metavar="YYYY-YYYY", help="学年，如 2026-2027（文件中没有学年列时使用，默认本学年）"
    )
    e.add_argument("--date", metavar="YYYY-MM-DD", help="认定时间（文件中没有认定时间列时使用，默认今天）")
    e.add_argument(
        "--by", metavar="WHO", help="认定人（文件中没有认定人列时使用，默认“学校资助工作领导小组”）"
    )
    e.add_argument("--dry-run", action="store_true", help="只检查并报告将会发生什么，不写入")
    e.add_argument("--sheet", metavar="NAME", help="工作表名称（默认第一个有数据的工作表）")
    e.add_argument("--report", metavar="FILE.xlsx", help="把逐行结果保存为工作簿（有问题的行标红并写明原因）")

    s = sub.add_parser(
        "reconcile", help="双向比对：漏助、疑似误助、证件号和姓名不一致、需核实去向等，写入问题清单"
    )
    s.add_argument("--term", metavar="TERM", help="学期，如 2026-2027-1（默认当前学期）")
    s.add_argument("--out", metavar="FILE.xlsx", help="把问题清单写成工作簿（汇总、每类一张表、统计）")
    s.add_argument(
        "--full-ids", action="store_true", help="工作簿中显示完整证件号（默认打码；导出人记入操作留痕）"
    )
    s.add_argument(
        "--corrections-dir",
        metavar="DIR",
        help="部门名单中证件号疑似抄错的行：每个部门一份“请更正”工作簿，保存到此文件夹（证件号打码，只露出要改的位）",
    )
    s.add_argument(
        "--mark-sent",
        action="store_true",
        help="与 --corrections-dir 同用：把这些问题标记为“已发部门更正”，更正前两条记录按同一名学生计",
    )
    return p


def _roster_parser(esub) -> None:  # type: ignore[no-untyped-def]
    e = esub.add_parser("roster", help="本学期资助花名册：按资格提出名单、审核确认，按县里的模板导出")
    e.add_argument(
        "--policy", required=True, metavar="NAME_OR_CODE", help="资助项目：名称、简称、代码或项目族"
    )
    e.add_argument("--term", required=True, metavar="TERM", help="学期，如 2026-2027-1")
    e.add_argument("--out", metavar="FILE.xlsx", help="保存到（--dry-run 时可省略）")
    e.add_argument("--template", metavar="FILE.xlsx", help="县里的花名册模板（不给则用标准格式）")
    e.add_argument("--sheet", metavar="NAME", help="模板中的工作表（默认自动找表头）")
    e.add_argument(
        "--profile",
        metavar="NAME",
        help="全国学生资助管理信息系统的导入模板：资助名单、家庭经济信息、困难学生认定",
    )
    e.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="列名=项目",
        help='模板中认不出的列填什么，如 --map "持卡人=监护人姓名" 或 --map "签名=留空"；会按模板记住',
    )
    e.add_argument(
        "--force-map",
        action="store_true",
        help="确认 --map 与模板认出的列名不符时仍按 --map 填（如“联系电话=监护人联系电话”）",
    )
    e.add_argument("--quota", type=int, metavar="N", help="名额（重点群体不受名额限制）")
    e.add_argument("--days", type=int, metavar="N", help="按天计算的项目（营养餐）本学期的在校天数")
    e.add_argument(
        "--confirm", action="store_true", help="按资格提出名单（加上审核的改动）并确认为本学期的发放记录"
    )
    e.add_argument("--dry-run", action="store_true", help="只列出提出的名单和检查结果，不写入任何东西")
    e.add_argument("--add", action="append", default=[], metavar="证件号[=原因]", help="加入名单")
    e.add_argument(
        "--remove", action="append", default=[], metavar="证件号=原因", help="从名单中去掉，须写原因"
    )
    e.add_argument(
        "--amount", action="append", default=[], metavar="证件号=金额:原因", help="改金额，须写原因"
    )
    e.add_argument("--anyway", metavar="原因", help="检查有问题仍然导出，写明原因（记入留痕）")
    e.add_argument("--report", metavar="FILE.xlsx", help="把检查结果另存为工作簿")


def _consolidate_parser(sub) -> None:  # type: ignore[no-untyped-def]
    s = sub.add_parser(
        "recoveries",
        help="收回：花名册审核去掉的已发放资助。list 列出，done 登记已收回（日期、方式），cancel 撤销误登记的收回",
    )
    rsub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    e = rsub.add_parser("list", help="列出收回记录（待收回在前）")
    e.add_argument("--term", metavar="TERM", help="只列这个学期的（如 2026-2027-1）")
    e.add_argument("--pending", action="store_true", help="只列待收回的")
    e = rsub.add_parser("done", help="登记一笔收回已完成")
    e.add_argument("id", type=int, metavar="ID", help="收回记录的编号（list 中 # 后的数字）")
    e.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="收回的日期")
    e.add_argument("--how", required=True, choices=["退回", "抵扣", "其他"], help="收回方式")
    e.add_argument("--note", metavar="TEXT", help="说明（方式为“其他”时必填）")
    e = rsub.add_parser("cancel", help="撤销一笔待收回（审核时误删，资助仍然有效）")
    e.add_argument("id", type=int, metavar="ID", help="收回记录的编号（list 中 # 后的数字）")
    e.add_argument("--reason", required=True, metavar="TEXT", help="撤销的原因（记入操作记录）")

    s = sub.add_parser("consolidate", help="县级汇总：把各校按同一模板填好的花名册合成一个，查跨校重复资助")
    s.add_argument("files", nargs="+", metavar="FILE", help="各校的花名册（.xlsx/.xls/.ods）")
    s.add_argument("--out", required=True, metavar="FILE.xlsx")
    s.add_argument("--sheet", metavar="NAME", help="各校工作簿中的工作表（默认自动找表头）")


def _add_safety_parsers(sub) -> None:  # type: ignore[no-untyped-def]
    s = sub.add_parser("backup", help="备份数据库到一个 .aidbak 文件（可加密）")
    s.add_argument("--out", required=True, metavar="FILE.aidbak")
    s.add_argument(
        "--password",
        action="store_true",
        help="加密备份：密码在提示时输入两次，或放在环境变量 AIDOFFICE_BACKUP_PASSWORD 中"
        "（设置过备份密码后，或该环境变量有值时，默认就加密）",
    )
    s.add_argument("--no-password", action="store_true", help="不加密（即使设置过备份密码）")
    s = sub.add_parser("restore", help="从备份恢复数据库（先检查备份，当前数据库另存一份）")
    s.add_argument("file", metavar="FILE", help=".aidbak 备份或自动备份的 .db 文件")
    s.add_argument(
        "--password",
        action="store_true",
        help="加密备份的密码在提示时输入，或放在环境变量 AIDOFFICE_BACKUP_PASSWORD 中",
    )
    s.add_argument(
        "--anyway",
        action="store_true",
        help="备份的操作记录与封存时不一致（可能在程序之外被改过）时仍然恢复；会记入操作记录",
    )
    sub.add_parser("check", help="检查数据库：文件完整性、外键、台账规则、操作记录是否被改动")
    s = sub.add_parser("audit", help="导出操作记录（管理员）")
    s.add_argument("--out", required=True, metavar="FILE.xlsx")
    s.add_argument("--actor", metavar="LOGIN", help="只看此人的操作")
    s.add_argument("--entity", metavar="KIND", help="只看此类对象：student、award、app_user……")
    s.add_argument("--action", metavar="ACTION", help="只看此类操作：insert、update、delete、export……")
    s.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    s.add_argument("--full-ids", action="store_true", help="显示完整证件号（会记入操作记录）")

    s = sub.add_parser("users", help="账户管理：add、set、list、passwd、reset、lock、unlock、single-clerk")
    usub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    e = usub.add_parser(
        "add",
        help="建立账户（数据库的第一个账户必须是管理员）；密码在提示时输入或放在 AIDOFFICE_NEW_PASSWORD 中",
    )
    e.add_argument("login", metavar="LOGIN")
    e.add_argument("--name", metavar="NAME", help="姓名（显示用）")
    e.add_argument(
        "--role",
        metavar="ROLE",
        help="admin 管理员、clerk 资助专干、head_teacher 班主任、county_viewer 县级查看"
        "（不写时为权限最少的角色，按角色文件，默认是班主任，须写 --class）",
    )
    e.add_argument(
        "--class",
        dest="classes",
        action="append",
        default=[],
        metavar="七年级1班",
        help="班主任所带的班级，可写多次",
    )
    e = usub.add_parser(
        "set",
        help="管理员修改账户的角色或班级；不加选项时按现状确认（账户在程序之外被改动、登录被拒绝时用）",
    )
    e.add_argument("login", metavar="LOGIN")
    e.add_argument(
        "--role", metavar="ROLE", help="新角色：admin、clerk、head_teacher、county_viewer（或中文名）"
    )
    e.add_argument(
        "--class",
        dest="classes",
        action="append",
        default=None,
        metavar="七年级1班",
        help="班主任所带的班级，可写多次",
    )
    e.add_argument("--name", metavar="NAME", help="姓名（显示用）")
    usub.add_parser("list", help="列出全部账户")
    usub.add_parser("passwd", help="修改自己的密码（新密码在提示时输入或放在 AIDOFFICE_NEW_PASSWORD 中）")
    e = usub.add_parser("reset", help="管理员重置某人的密码（对方下次登录时须修改）")
    e.add_argument("login", metavar="LOGIN")
    e = usub.add_parser("lock", help="停用账户")
    e.add_argument("login", metavar="LOGIN")
    e = usub.add_parser("unlock", help="启用账户（也解除输错密码造成的锁定）")
    e.add_argument("login", metavar="LOGIN")
    e = usub.add_parser("single-clerk", help="单人模式：打开程序时自动以这个管理员登录；--off 关闭")
    e.add_argument("login", metavar="LOGIN", nargs="?")
    e.add_argument("--off", action="store_true")


def _open(args: argparse.Namespace, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    """The database, migrated, with the catalogue in step with its files."""
    from aidoffice.office import open_office

    office = open_office(args.db, migrate=migrate)
    for line in office.catalogue_changes:
        print(f"资助政策目录已更新：{line}", file=sys.stderr)
    for line in office.warnings:
        print(f"注意：{line}", file=sys.stderr)
    from aidoffice.cli.safety import sign_in_for_cli

    sign_in_for_cli(args, office.db)
    return office.db


def cmd_init(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select

    from aidoffice.db.models import Policy, PriorityGroup
    from aidoffice.ledgers.school import ensure_current_term as current_term, get_school, setup_school

    db = _open(args)
    with db.unit_of_work(note="init") as s:
        if get_school(s) is None and not args.school:
            raise UsageError(
                "首次建立数据库需要学校名称：aidoffice init --school 学校名称 [--school-code 10位标识码] [--county 县名]"
            )
        school = setup_school(s, args.school, args.school_code, args.county)
        term = current_term(s)
        result = {
            "database": db.display_url,
            "school": school.name,
            "school_code": school.code,
            "county": school.county,
            "term": term.code,
            "policies": s.scalar(select(func.count()).select_from(Policy)),
            "groups": s.scalar(select(func.count()).select_from(PriorityGroup)),
        }
    result["message"] = (
        f"数据库已就绪：{result['database']}\n学校：{result['school']}；当前学期：{result['term']}"
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
    db = _open(args)
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
    db = _open(args)
    started = time.monotonic()
    with db.unit_of_work(note="demo") as s:
        result = asdict(generate(s, args.students, seed=args.seed, progress=ProgressBar()))
    result["seconds"] = round(time.monotonic() - started, 2)
    result["message"] = (
        f"已生成演示数据：{result['students']} 名学生，{result['households']} 户，{result['villages']} 个村，"
        f"{result['awards']} 条本学期资助记录（用时 {result['seconds']} 秒）"
    )
    return result


def cmd_export(args: argparse.Namespace) -> dict[str, Any]:
    if args.what == "roster":
        return cmd_export_roster(args)
    from aidoffice.exporting.ledger import export_school_ledger, export_village_ledger

    db = _open(args)
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


def _same_file(a: str, b: str) -> bool:
    """Whether two names reach one file (another spelling, a symbolic or hard link, a case change on
    Windows)."""
    import os
    from pathlib import Path

    pa, pb = Path(a).expanduser(), Path(b).expanduser()
    try:
        if pa.exists() and pb.exists() and os.path.samefile(pa, pb):
            return True
    except OSError:
        pass
    return os.path.normcase(str(pa.resolve())) == os.path.normcase(str(pb.resolve()))


def cmd_import(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import date

    from aidoffice.errors import InputRefused

    if args.report:
        from aidoffice.files import check_target

        if _same_file(args.report, args.file):
            raise InputRefused(
                "--report 指定的报告文件就是要导入的文件本身，保存报告会覆盖原表。请给报告另起一个文件名。",
                file=args.report,
            )
        check_target(args.report, (".xlsx",))
    if args.what == "assessments":
        return cmd_import_assessments(args)

    from aidoffice.sheets.readers import read_ahead

    table = read_ahead(args.file, args.sheet)  # reads while the database layer loads

    from aidoffice.importing.service import ImportOptions, run_import

    mapping = {}
    for item in args.map:
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            raise UsageError(f"--map 应写作“列名=项目”，而不是“{item}”")
        mapping[header.strip()] = target.strip()
    known_on = None
    if getattr(args, "date", None):
        try:
            known_on = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date 应写作 2026-11-22，而不是“{args.date}”") from None
    options = ImportOptions(
        kind=args.what,
        sheet=args.sheet,
        list_kind=getattr(args, "list_kind", "other"),
        source=getattr(args, "source", None),
        group=getattr(args, "group", None),
        term=getattr(args, "term", None),
        policy=getattr(args, "policy", None),
        known_on=known_on,
        mapping=mapping,
    )
    db = _open(args)
    from aidoffice.office import batch_operation

    report_path: str | None = None
    try:
        # one import at a time (a second clerk is told who is importing and since when), after a backup
        with (
            contextlib.nullcontext() if args.dry_run else batch_operation(db, "import"),
            db.unit_of_work(note=f"import {args.what}") as s,
        ):
            report = run_import(
                s, args.file, options, dry_run=args.dry_run, progress=ProgressBar(), table=table.result()
            )
            if args.report:
                # written before the commit: a report that cannot be saved leaves the database as it was
                from aidoffice.importing.workbook import write_report

                report_path = str(write_report(report, args.report))
            if args.dry_run:
                s.rollback()
    except BaseException:
        if report_path is not None:  # the commit failed after the report was saved: it would lie
            import os

            with contextlib.suppress(OSError):
                os.unlink(report_path)
        raise
    # IDs in reasons, warnings and the missing list are masked on the terminal and in --json, as on
    # screen; the report workbook (a file the clerk fixes and imports again) keeps them whole
    result = masked_json(report.as_json())
    for m in result.get("missing", []):
        m["key"] = show(Field.ID_NUMBER, m.get("key"), Level.MASKED)
    if report_path:
        result["report"] = report_path
    result["message"] = printable(scrub(_import_message(report, report_path)))
    return result


def masked_json(value: Any) -> Any:
    """Every text inside a JSON result with its ID, phone and account numbers masked."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [masked_json(v) for v in value]
    if isinstance(value, dict):
        return {k: masked_json(v) for k, v in value.items()}
    return value


def _import_message(report, report_path: str | None) -> str:  # type: ignore[no-untyped-def]
    lines = [report.summary()]
    lines += [f"说明：{n}" for n in report.notes]
    for o in report.rejected[:20]:
        lines.append(f"  第 {o.row} 行未导入：{o.detail}")
    if len(report.rejected) > 20:
        lines.append(f"  ……另有 {len(report.rejected) - 20} 行未导入")
    for w in report.warnings[:20]:
        where = f"第 {w.row} 行" if w.row else "提示"
        lines.append(f"  {where}{f'「{w.field}」' if w.field else ''}：{w.reason}{w.cli_hint}")
    if len(report.warnings) > 20:
        lines.append(f"  ……另有 {len(report.warnings) - 20} 条提示")
    if report.missing:
        lines.append(f"{report.missing_label}：{len(report.missing)} 人")
        lines += [f"  {m.name}（{m.where}）" for m in report.missing[:20]]
    if report_path:
        lines.append(f"逐行结果已保存：{report_path}")
    elif report.rejected or report.warnings:
        lines.append("加上 --report 结果.xlsx 可保存逐行结果（有问题的行标红并写明原因）。")
    if not report.applied:
        lines.append("这是预览（--dry-run），没有写入任何数据。")
    return "\n".join(lines)


def _pairs(items: list[str], option: str, need_value: bool) -> list[tuple[str, str]]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not key.strip() or (need_value and not (sep and value.strip())):
            raise UsageError(f"{option} 应写作“证件号=…”，而不是“{item}”")
        out.append((key.strip(), value.strip()))
    return out


def cmd_export_roster(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.exporting import roster

    adds = _pairs(args.add, "--add", False)
    removes = _pairs(args.remove, "--remove", True)
    amounts = []
    for key, value in _pairs(args.amount, "--amount", True):
        amount, sep, reason = value.partition(":")
        if not sep:
            amount, sep, reason = value.partition("：")
        amounts.append((key, amount.strip(), reason.strip()))
    mapping = dict(_pairs(args.map, "--map", False))
    edits = bool(adds or removes or amounts)
    if edits and not (args.confirm or args.dry_run):
        raise UsageError("调整名单（--add/--remove/--amount）后请加 --confirm 确认，或加 --dry-run 先预览")
    if not args.out and not args.dry_run:
        raise UsageError("请用 --out 给出保存的文件名（只预览请加 --dry-run）")
    if args.template and args.profile:
        raise UsageError("--template 与 --profile 只能选一个")
    db = _open(args)
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
                raise roster.RosterRefused(
                    f"{ahead.term.label}{ahead.title}还没有发放记录。按资格规则提出的名单有 {len(ahead.included)} 人"
                    f"（合计 {ahead.total} 元）。请先预览（--dry-run），审核后加 --confirm 确认并导出；"
                    "或先在“导入名单”中导入县里下发的资助名单。",
                    {"proposal": ahead.summary()},
                )
        confirmed = None
        outcome = roster.export_roster(
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

    db = _open(args)
    if args.what == "done":
        day = _date_arg(args.date, "--date")
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

    db = _open(args)
    with db.unit_of_work(note="consolidate") as s:
        res = consolidate(args.files, args.out, sheet=args.sheet, session=s, progress=ProgressBar())
    result = res.as_json()
    result["message"] = res.message()
    return result


# ---- the 1222 publicity (aidoffice.publicity) -------------------------------------------------------


def _date_arg(value: str | None, option: str):  # type: ignore[no-untyped-def]
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} 应写作 2026-09-01，而不是“{value}”") from None


def add_publicity_parsers(sub) -> None:  # type: ignore[no-untyped-def]
    def scope(e: argparse.ArgumentParser) -> None:
        e.add_argument("--term", metavar="TERM", help="学期，如 2026-2027-1（默认当前学期）")
        e.add_argument("--grade", metavar="G", help="年级：七年级、初一或 7")
        e.add_argument("--class", dest="class_name", metavar="C", help="班级：1班或 1（需同时给出年级）")

    s = sub.add_parser("letters", help="生成告知书：policy 资助政策告知书，aid 受助情况告知书（带回执）")
    s.add_argument("which", choices=["policy", "aid", "remake"], help="remake：按批次号重新生成（--batch）")
    scope(s)
    s.add_argument("--out", required=True, metavar="FILE.pdf")
    s.add_argument("--date", metavar="YYYY-MM-DD", help="告知书落款日期（默认今天；金额按这一天有效的标准）")
    s.add_argument("--duplex", action="store_true", help="双面打印：每封信补成偶数页，一张纸只印一个孩子的信")
    s.add_argument("--no-cover", action="store_true", help="不要每班前面的班主任回执登记表")
    s.add_argument("--batch", type=int, metavar="N", help="remake 时要重新生成的批次号")
    s.add_argument(
        "--include-flagged",
        metavar="REASON",
        help="列入有未处理的疑似误助/离校仍资助问题的学生，并写明理由（默认不列入）",
    )

    s = sub.add_parser("poster", help="宣传栏海报（一栏）")
    s.add_argument("--out", required=True, metavar="FILE.pdf")
    s.add_argument(
        "--size", default="A3", choices=["A3", "A4", "A2", "a3", "a4", "a2"], help="纸张（默认 A3）"
    )
    s.add_argument("--term", metavar="TERM")
    s.add_argument("--date", metavar="YYYY-MM-DD", help="海报日期（金额按这一天有效的标准）")

    s = sub.add_parser("notice", help="受助学生公示（姓名、年级班级、资助项目）")
    s.add_argument("--term", metavar="TERM")
    s.add_argument("--out", required=True, metavar="FILE.pdf")
    s.add_argument("--start", metavar="YYYY-MM-DD", help="公示开始日期（默认今天）")
    s.add_argument("--days", type=int, metavar="N", help="公示工作日数（不少于5，默认按设置）")
    s.add_argument("--level", action="store_true", help="列出资助档次（仅在县里要求时使用）")
    s.add_argument(
        "--include-flagged",
        metavar="REASON",
        help="列入有未处理的疑似误助/离校仍资助问题的学生，并写明理由（默认不列入）",
    )

    s = sub.add_parser("slips", help="回执：receive 登记收回的回执，scan 读取扫描件，status 收回情况")
    ssub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    e = ssub.add_parser("receive", help="登记回执编号（可一次多个）")
    e.add_argument("codes", nargs="+", metavar="CODE")
    e.add_argument("--answer", choices=["apply", "decline", "agree", "object"], help="家长勾选的选项")
    e.add_argument("--objection", metavar="TEXT", help="有异议时家长写的内容")
    e.add_argument("--term", metavar="TERM", help="登记到哪个学期（默认当前学期；别的学期的回执不计入）")
    e = ssub.add_parser("status", help="各班回执收回情况")
    scope(e)
    e.add_argument("--kind", choices=["policy", "aid"], help="只看一种告知书的回执")
    e.add_argument("--out", metavar="FILE.xlsx", help="把各班情况和未交名单保存为工作簿")
    from aidoffice import cli_scan

    cli_scan.register(ssub)

    s = sub.add_parser("contacts", help="告知书和海报上的电话、申请截止、落款（不带参数时显示）")
    s.add_argument("--contact-name", metavar="NAME", help="资助专干姓名（告知书和公示上的联系人）")
    s.add_argument("--contact-phone", metavar="PHONE", help="资助专干电话（默认同学校资助办电话）")
    s.add_argument("--aid-office-phone", metavar="PHONE", help="学校资助办电话")
    s.add_argument("--county-phone", metavar="PHONE", help="县学生资助管理中心电话")
    s.add_argument("--complaint-phone", metavar="PHONE", help="监督举报电话")
    s.add_argument("--deadline", metavar="TEXT", help="申请截止，如“9月20日”")
    s.add_argument("--issuer", metavar="TEXT", help="落款（默认学校名称）")
    s.add_argument("--notice-days", type=int, metavar="N", help="公示工作日数（不少于5）")
    s.add_argument("--slip-days", type=int, metavar="N", help="回执在告知书日期后几天内交回（默认7）")

    s = sub.add_parser(
        "classes",
        help="两节课：add 记录一节课，list 本学年记录，missing 尚未上课的班级，handout 讲义，signin 签到表",
    )
    csub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=_Parser)
    e = csub.add_parser("add", help="记录一节宣讲课")
    scope(e)
    e.add_argument(
        "--kind", required=True, choices=["entry", "leaving"], help="entry 入学教育课，leaving 毕业前政策课"
    )
    e.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    e.add_argument("--teacher", required=True)
    e.add_argument("--topic", required=True)
    e.add_argument("--attendance", required=True, type=int, help="到课人数")
    e.add_argument("--notes")
    e = csub.add_parser("list", help="本学年的宣讲课记录")
    e.add_argument("--term", metavar="TERM")
    e = csub.add_parser("missing", help="尚未上宣讲课的班级")
    e.add_argument("--term", metavar="TERM")
    for what, text in (("handout", "宣讲课讲义"), ("signin", "签到表")):
        e = csub.add_parser(what, help=text)
        scope(e)
        e.add_argument("--out", required=True, metavar="FILE.pdf")
        e.add_argument("--date", metavar="YYYY-MM-DD")
        if what == "handout":
            e.add_argument(
                "--kind", choices=["entry", "leaving"], help="默认：毕业年级为 leaving，其余为 entry"
            )

    s = sub.add_parser(
        "pack", help="迎检材料包：收集本学期已生成的告知书、海报、公示、讲义，加回执情况和宣讲课记录（zip）"
    )
    s.add_argument("--term", metavar="TERM")
    s.add_argument("--out", required=True, metavar="FILE.zip")
    s.add_argument("--date", metavar="YYYY-MM-DD", help="材料上的日期（默认今天）")


def cmd_letters(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.files import check_target
    from aidoffice.publicity.letters import produce_letters, remake_batch

    check_target(args.out, (".pdf",))
    day = _date_arg(args.date, "--date")
    db = _open(args)
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

    day = _date_arg(args.date, "--date")
    db = _open(args)
    with db.unit_of_work(note="poster") as s:
        res = produce_poster(s, args.out, size=args.size, term=args.term, poster_date=day)
    lines = [f"已生成宣传栏海报（{res.size}，正文 {res.body_pt:.0f} 磅）：{res.path}"] + [
        f"注意：{w}" for w in res.warnings
    ]
    return {**res.as_json(), "message": "\n".join(lines)}


def cmd_notice(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity.notice import notice_held, produce_notice

    day = _date_arg(args.start, "--start")
    db = _open(args)
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

    if args.what == "scan":
        from aidoffice import cli_scan

        return cli_scan.run(args)
    db = _open(args)
    if args.what == "receive":
        with db.unit_of_work(note="slips receive") as s:
            receipts = [
                slips.receive(s, code, args.answer, args.objection, term=args.term)
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
    db = _open(args)
    with db.unit_of_work(note="contacts") as s:
        settings = write_settings(s, **{k: v for k, v in changes.items() if v is not None})
    values = settings.as_dict()
    values["message"] = "\n".join(
        f"{LABELS[k]}：{v if v not in ('', None) else '（未设置）'}" for k, v in values.items()
    )
    return values


def cmd_classes(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.publicity import sessions

    db = _open(args)
    if args.what == "add":
        with db.unit_of_work(note="classes add") as s:
            row = sessions.record_session(
                s,
                held_on=_date_arg(args.date, "--date"),
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
                "message": f"已记录{sessions.KIND_NAMES[row.kind]}（{row.held_on}，到课 {row.attendance}/{row.enrolled} 人）",
            }
    if args.what in ("list", "missing"):
        with db.reading() as s:
            if args.what == "list":
                rows = sessions.list_sessions(s, args.term, whole_year=True)
                return {
                    "sessions": [r.as_json() for r in rows],
                    "message": "\n".join(
                        f"{r.held_on} {r.class_label} {sessions.KIND_NAMES[r.kind]} {r.teacher}《{r.topic}》 {r.attendance}人"
                        for r in rows
                    )
                    or "本学年还没有宣讲课记录。",
                }
            missing = sessions.missing_sessions(s, args.term)
            return {
                "missing": [m.as_json() for m in missing],
                "message": "\n".join(f"{m.class_label}：尚未上{sessions.KIND_NAMES[m.kind]}" for m in missing)
                or "应上宣讲课的班级都已上过。",
            }
    day = _date_arg(args.date, "--date")
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

    day = _date_arg(args.date, "--date")
    db = _open(args)
    with db.unit_of_work(note="pack") as s:
        res = make_pack(s, args.out, term=args.term, on=day, progress=ProgressBar())
    lines = [
        f"已生成迎检材料包：{res.path}",
        *(f"  {f}" for f in res.files),
        *(f"未收集：{w}" for w in res.skipped),
        *(f"文件有变：{w}" for w in res.changed),
    ]
    return {**res.as_json(), "message": "\n".join(lines)}


PUBLICITY_COMMANDS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "letters": cmd_letters,
    "poster": cmd_poster,
    "notice": cmd_notice,
    "slips": cmd_slips,
    "contacts": cmd_contacts,
    "classes": cmd_classes,
    "pack": cmd_pack,
}


def cmd_import_assessments(args: argparse.Namespace) -> dict[str, Any]:
    from datetime import date

    from aidoffice.importing.assessments import import_assessments

    decided_on = None
    if args.date:
        try:
            decided_on = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date 应写作 2026-10-12，而不是“{args.date}”") from None
    if args.report:
        from aidoffice.files import check_target

        check_target(args.report, (".xlsx",))
    db = _open(args)
    with db.unit_of_work(note="import assessments") as s:
        report = import_assessments(
            s,
            args.file,
            school_year=args.year,
            decided_on=decided_on,
            decided_by=args.by,
            sheet=args.sheet,
            dry_run=args.dry_run,
            progress=ProgressBar(),
        )
        if args.dry_run:
            s.rollback()
    result = masked_json(report.as_json())
    if args.report:
        from aidoffice.importing.workbook import write_report

        result["report"] = str(write_report(report, args.report))
    result["message"] = printable(scrub(_import_message(report, result.get("report"))))
    return result


def cmd_reconcile(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.reconcile.service import run_reconcile

    if args.full_ids and not (args.out or args.json or args.corrections_dir):
        raise UsageError("--full-ids 只用于 --out、--corrections-dir 写出的工作簿或 --json 输出")
    if args.mark_sent and not args.corrections_dir:
        raise UsageError("--mark-sent 要与 --corrections-dir 一起用：先生成请更正表，再标记为已发部门")
    db = _open(args)
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


COMMANDS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "export": cmd_export,
    "import": cmd_import,
    "consolidate": cmd_consolidate,
    "recoveries": cmd_recoveries,
    "reconcile": cmd_reconcile,
    "villages": cmd_villages,
    **PUBLICITY_COMMANDS,
}


def _safety_command(args: argparse.Namespace) -> dict[str, Any]:
    from aidoffice.cli import safety as safety

    return safety.run(args, _open, ProgressBar, UsageError)


for _name in ("backup", "restore", "check", "users", "audit"):
    COMMANDS[_name] = _safety_command


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from ui.app import run_gui

        return run_gui(db_url=args.db)

    from aidoffice.files import os_problem
    from aidoffice.logs import setup_logging
    from aidoffice.paths import use_private_temp

    safe_console()
    try:
        return _main(args, os_problem, setup_logging, use_private_temp)
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_OK


def _main(
    args: argparse.Namespace, os_problem: Callable, setup_logging: Callable, use_private_temp: Callable
) -> int:
    log_path = setup_logging()
    use_private_temp()
    try:
        result = COMMANDS[args.command](args)
    except BrokenPipeError:
        raise  # the reader of our output went away (`| head`): nothing to tell anyone
    except OSError as exc:
        # a read-only, full or vanished folder: the same Chinese message the GUI shows, exit 1
        log.warning("command %s: %s", args.command, exc)
        _fail(args, str(os_problem(exc)), "refused")
        return EXIT_REFUSED
    except UsageError as exc:
        _fail(args, str(exc), "usage")
        return EXIT_USAGE
    except AidofficeError as exc:
        # a refusal worded for the GUI (the kind's name in 文件种类, the 设置 page) adds the command to use
        hint = getattr(exc, "cli_hint", None)
        _fail(args, f"{exc}{hint or ''}", "refused", getattr(exc, "details", None))
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _fail(args, "已中断，没有写入任何数据。", "refused")
        return EXIT_REFUSED
    except Exception as exc:
        log.exception("command %s failed", args.command)
        _fail(
            args,
            f"发生意外错误（{type(exc).__name__}: {scrub(str(exc))[:300]}）。详细信息已记录在日志：{log_path}",
            "internal",
        )
        return EXIT_INTERNAL
    message = result.pop("message", None)
    status = result.pop("_exit", EXIT_OK)
    if args.json:
        print(_json_line(result))
    elif message:
        print(printable(message))
    sys.stdout.flush()
    return status


def safe_console() -> None:
    """Never crash on output: a console that cannot show a character (a Chinese Windows console in
    GBK and a rare name like 𠮷, or U+FFFD) shows “?” in its place instead of raising after the work
    is done. Streams already in UTF-8 are left alone."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="replace")


def _json_line(result: dict[str, Any]) -> str:
    """The JSON object, with characters the console's encoding lacks written as \\u escapes: still
    the same JSON for a script, never a “?” in a name."""
    line = json.dumps(result, ensure_ascii=False, default=str)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        line.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        line = json.dumps(result, ensure_ascii=True, default=str)
    return line


def _stdout_gone() -> None:
    """After a broken pipe, point stdout at nowhere so Python's final flush prints no traceback."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _fail(args: argparse.Namespace, message: str, kind: str, details: dict[str, Any] | None = None) -> None:
    message = printable(message)
    print(f"错误：{message}", file=sys.stderr)
    if getattr(args, "json", False):
        print(_json_line({**(details or {}), "error": message, "kind": kind}))
