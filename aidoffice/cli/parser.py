"""The argument parser of every command (argparse only: `aidoffice --help` imports no command module)."""

from __future__ import annotations

import argparse

from aidoffice import __version__
from aidoffice.cli.common import Parser


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
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
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    s = sub.add_parser("init", help="建立或升级数据库，登记学校信息")
    s.add_argument("--school", metavar="NAME", help="学校名称")
    s.add_argument("--school-code", metavar="CODE", help="学校标识码（10位）")
    s.add_argument("--county", metavar="NAME", help="所在县（区）")
    s.add_argument(
        "--term", metavar="TERM",
        help="换到这个学期（如 2026-2027-2）：此后告知书、回执、比对、花名册默认都用它；不写则保持原来的当前学期",
    )  # fmt: skip

    s = sub.add_parser("demo", help="用逼真的模拟数据填充一个空数据库（演示、培训、测试）")
    s.add_argument("--students", type=int, default=2000, metavar="N", help="学生人数（默认 2000）")
    s.add_argument("--seed", type=int, default=20261122, help=argparse.SUPPRESS)

    s = sub.add_parser("export", help="导出工作簿")
    esub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
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
    isub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
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
    add_case_parsers(sub)
    add_visit_parsers(sub)
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
    rsub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
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
    usub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
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
    ssub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
    e = ssub.add_parser("receive", help="登记回执编号（可一次多个）")
    e.add_argument("codes", nargs="+", metavar="CODE")
    e.add_argument("--answer", choices=["apply", "decline", "agree", "object"], help="家长勾选的选项")
    e.add_argument("--objection", metavar="TEXT", help="有异议时家长写的内容")
    e.add_argument("--term", metavar="TERM", help="登记到哪个学期（默认当前学期；别的学期的回执不计入）")
    e = ssub.add_parser("status", help="各班回执收回情况")
    scope(e)
    e.add_argument("--kind", choices=["policy", "aid"], help="只看一种告知书的回执")
    e.add_argument("--out", metavar="FILE.xlsx", help="把各班情况和未交名单保存为工作簿")
    e = ssub.add_parser(
        "scan", help="读取扫描的回执（PDF 或图片），自动登记，看不准的转入待核对，空白页跳过并计数"
    )
    e.add_argument("files", nargs="+", metavar="FILE", help="复印机扫描的 PDF，或 PNG/JPEG/TIFF 图片")
    e.add_argument("--term", metavar="TERM", help="登记到哪个学期（默认当前学期；别的学期的回执转入待核对）")

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
    csub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
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


def add_case_parsers(sub) -> None:  # type: ignore[no-untyped-def]
    """控辍保学: `cases open|act|escalate|notice|close|list` and `dropout ledgers`."""
    from aidoffice.casework.words import OUTCOMES, REASONS, WAYS

    s = sub.add_parser(
        "cases", help="控辍保学一人一案：open 立案，act 记录劝返，notice 通知书，close 结案，list 列出"
    )
    csub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
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
    e.add_argument("--full-ids", action="store_true", help="显示完整证件号（需相应权限，记入操作记录）")

    s = sub.add_parser("dropout", help="控辍保学台账：ledgers 导出三本台账和月报")
    dsub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)
    e = dsub.add_parser("ledgers", help="适龄儿童花名册、疑似辍学、辍学学生三本台账和月报，按县模板导出")
    e.add_argument("--out", required=True, metavar="FILE.xlsx")
    e.add_argument("--template", metavar="FILE.xlsx", help="县里的模板（默认程序自带的样表）")
    e.add_argument("--date", metavar="DATE", help="统计日期（默认今天；月报按这一天所在的月份）")
    e.add_argument("--full-ids", action="store_true", help="完整证件号（需相应权限，记入操作记录）")
    e.add_argument("--purpose", metavar="TEXT", help="含完整证件号时写明用途")


WAY_HELP = "联系方式：家访、电话、微信、到校面谈（默认家访）"


def add_visit_parsers(sub) -> None:  # type: ignore[no-untyped-def]
    """三包与家访: `visits assign|add|due|list|rule`."""
    s = sub.add_parser(
        "visits", help="三包与家访：assign 安排包保教师，add 记录一次联系，due 本月未联系的家庭"
    )
    vsub = s.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=Parser)

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
