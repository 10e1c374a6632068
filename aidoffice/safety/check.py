"""`check`: is the database sound? SQLite's own integrity and foreign-key checks, the schema revision,
the program's consistency rules, and the audit chain. Each problem is printed with what it means; the
command exits 1 if there is any."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from aidoffice.access.checks import require_whole_school
from aidoffice.db.engine import Database, head_revision, schema_is_current
from aidoffice.db.models import (
    Award,
    GroupMembership,
    Household,
    HouseholdMember,
    Policy,
    PriorityGroup,
    Student,
    Term,
    Village,
)
from aidoffice.domain.idnumber import person_key
from aidoffice.privacy import mask_id
from aidoffice.progress import Progress, no_progress
from aidoffice.safety.chain import verify_chain
from aidoffice.safety.sealed import all_problems

MAX_EACH = 20  # problems of one kind listed before “… and N more”


@dataclass(frozen=True)
class Problem:
    kind: str  # integrity / foreign_key / schema / rule / audit / accounts
    message: str  # Chinese

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


def _capped(kind: str, messages: list[str]) -> list[Problem]:
    out = [Problem(kind, m) for m in messages[:MAX_EACH]]
    if len(messages) > MAX_EACH:
        out.append(Problem(kind, f"……同类问题另有 {len(messages) - MAX_EACH} 处"))
    return out


def check_database(db: Database, progress: Progress = no_progress) -> list[Problem]:
    problems: list[Problem] = []
    steps = 4
    progress(0, steps, "检查数据库文件")
    if db.dialect == "sqlite":
        problems += sqlite_checks(db)
    if not schema_is_current(db.engine):
        problems.append(Problem("schema", f"数据库结构不是最新版本（应为 {head_revision()}）"))
        return problems
    progress(1, steps, "检查台账数据")
    with db.reading() as s:
        # its findings name students of every class: not for a head teacher
        require_whole_school(s, "students.view", "数据库检查")
        problems += rule_checks(s)
        progress(2, steps, "检查操作记录")
        problems += [Problem("audit", p.message) for p in verify_chain(s)]
        progress(3, steps, "检查账户与安全设置")
        problems += _capped("accounts", [p.message for p in all_problems(s)])
    problems += anchor_checks(db)
    progress(steps, steps, "检查完毕")
    return problems


def anchor_checks(db: Database) -> list[Problem]:
    """The chain alone cannot tell a trail rewritten and re-hashed from end to end. The automatic
    backups kept outside the database remember where the chain stood when each was taken: an entry
    that hashes differently now than it did then was rewritten since. Backups of another database
    (another file of the same name) start another chain and are passed over; a restore sets aside the
    backups of the history it abandons (nothing in the database itself decides what to skip)."""
    import sqlite3

    from aidoffice.db.audit_chain import HEAD_KEY
    from aidoffice.safety.backup import list_auto_backups

    if db.dialect != "sqlite":
        return []
    with db.engine.connect() as conn:

        def live(seq: int) -> str | None:
            return conn.exec_driver_sql(
                "SELECT chain_hash FROM audit_entry WHERE chain_seq = ?", (seq,)
            ).scalar()

        origin = live(1)
        if origin is None:
            return []
        for path in list_auto_backups(db):  # newest first
            try:
                con = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
                try:
                    first = con.execute("SELECT chain_hash FROM audit_entry WHERE chain_seq = 1").fetchone()
                    raw = con.execute("SELECT value FROM app_setting WHERE key = ?", (HEAD_KEY,)).fetchone()
                finally:
                    con.close()
            except sqlite3.Error:
                continue
            if not first or first[0] != origin or not raw:
                continue
            try:
                head = json.loads(raw[0]) if isinstance(raw[0], str) else None
                seq, digest = int(head["seq"]), str(head["hash"])
            except (TypeError, ValueError, KeyError):
                continue
            now = live(seq)
            if now is None:
                # the entry this backup saw is gone: entries were deleted from inside the part the
                # backup covers and the chain head rewritten to hide it
                return [
                    Problem(
                        "audit",
                        f"操作记录第 {seq} 条在自动备份“{path.name}”中存在，现在却没有了：在那次备份之后，"
                        "有人在程序之外删除了操作记录（并改写了封存记录）",
                    )
                ]
            if now != digest:
                return [
                    Problem(
                        "audit",
                        f"操作记录第 {seq} 条与自动备份“{path.name}”中记下的不一致：在那次备份之后，"
                        "有人在程序之外改写了操作记录（并重新计算了封存值）。只有当这份数据库是另一份同名数据库的"
                        "复制品、两份分别使用过时，才会无害地出现这一提示",
                    )
                ]
    return []


def sqlite_checks(db: Database) -> list[Problem]:
    out: list[Problem] = []
    with db.engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            out += _capped("integrity", [f"数据库文件损坏：{r}" for r in rows])
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        out += _capped(
            "foreign_key",
            [f"表 {r[0]} 第 {r[1]} 行引用的 {r[2]} 记录不存在" for r in fk],
        )
    return out


def rule_checks(session: Session) -> list[Problem]:
    """The program's own rules, each of which a write through the services keeps."""
    out: list[Problem] = []
    wrong_key = []
    for sid, name, key, id_number, student_no in session.execute(
        select(Student.id, Student.name, Student.person_key, Student.id_number, Student.student_no)
    ):
        expected = person_key(id_number, student_no)
        if key != expected:
            wrong_key.append(
                f"学生“{name}”（编号 {sid}）的身份标识 {mask_id(key)} 与证件号/学籍号 {mask_id(expected)} 不一致"
            )
    out += _capped("rule", wrong_key)

    def orphans(label: str, query: Any) -> None:
        rows = session.execute(query.limit(MAX_EACH + 1)).all()
        out.extend(_capped("rule", [label.format(*r) for r in rows]))

    orphans(
        "重点群体记录（编号 {0}）引用的群体“{1}”不存在",
        select(GroupMembership.id, GroupMembership.group_code)
        .outerjoin(PriorityGroup, PriorityGroup.code == GroupMembership.group_code)
        .where(PriorityGroup.code.is_(None)),
    )
    orphans(
        "资助记录（编号 {0}）的金额 {1} 不是正数",
        select(Award.id, Award.amount).where(Award.amount <= 0),
    )
    orphans(
        "资助记录（编号 {0}）引用的学生、资助项目或学期不存在",
        select(Award.id)
        .outerjoin(Student, Student.id == Award.student_id)
        .outerjoin(Policy, Policy.id == Award.policy_id)
        .outerjoin(Term, Term.id == Award.term_id)
        .where((Student.id.is_(None)) | (Policy.id.is_(None)) | (Term.id.is_(None))),
    )
    orphans(
        "户成员（编号 {0}）所属的户不存在",
        select(HouseholdMember.id)
        .outerjoin(Household, Household.id == HouseholdMember.household_id)
        .where(Household.id.is_(None)),
    )
    orphans(
        "户（编号 {0}）所属的村不存在",
        select(Household.id)
        .outerjoin(Village, Village.id == Household.village_id)
        .where(Village.id.is_(None)),
    )
    orphans(
        "户成员（编号 {0}）关联的学生（编号 {1}）与其证件号不符",
        select(HouseholdMember.id, HouseholdMember.student_id)
        .join(Student, Student.id == HouseholdMember.student_id)
        .where(
            and_(
                HouseholdMember.person_key.is_not(None),
                HouseholdMember.person_key != Student.person_key,
            )
        ),
    )
    current = session.scalar(select(func.count()).select_from(Term).where(Term.is_current.is_(True)))
    if current and current > 1:
        out.append(Problem("rule", f"有 {current} 个学期同时被标为当前学期"))
    return out
