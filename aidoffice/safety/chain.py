"""Verifying the audit trail's hash chain (sealed at commit by `aidoffice.db.audit_chain`): an entry
edited or deleted behind the app's back breaks the chain at that point, and `check` names it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from aidoffice.db.audit_chain import CONTENT, GENESIS, entry_digest, shown_time, stored_head
from aidoffice.db.models import AuditEntry

_t = AuditEntry.__table__


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    seq: int | None
    message: str  # Chinese, for `check` and the 操作记录 page


def verify_chain(conn: Connection | Session, batch: int = 5000) -> list[ChainProblem]:
    """Recompute the chain; the problems found, the first broken link first. An entry whose content
    was changed, a gap (entries deleted), entries missing from the end, and entries nobody sealed."""
    problems: list[ChainProblem] = []
    expected_seq = 0
    prev: str | None = GENESIS
    first_break: ChainProblem | None = None
    for row in _sealed_rows(conn, batch):
        expected_seq += 1
        if row.chain_seq != expected_seq:
            problems.append(
                ChainProblem(
                    row.id,
                    row.chain_seq,
                    f"操作记录第 {expected_seq}—{row.chain_seq - 1} 条（按封存顺序）缺失：可能被人从数据库中删除",
                )
            )
            expected_seq = row.chain_seq
            prev = None  # the link to the missing entry cannot be checked; the gap is the finding
        digest = entry_digest(prev, row.chain_seq, row) if prev is not None else row.chain_hash
        if digest != row.chain_hash and first_break is None:
            first_break = ChainProblem(
                row.id,
                row.chain_seq,
                f"操作记录编号 {row.id}（{shown_time(row.at)}，{row.actor}，{row.action} {row.entity}）"
                "的内容与封存时不一致：可能在程序之外被修改",
            )
            problems.append(first_break)
        prev = row.chain_hash  # go on from the stored hash: one edit is reported once, not forever
    head = stored_head(conn)
    if head and 0 < head.get("seq", 0) < expected_seq:
        problems.append(
            ChainProblem(
                None,
                expected_seq,
                f"第 {head['seq']} 条之后的 {expected_seq - head['seq']} 条操作记录不是程序封存的：可能是在程序之外加进数据库的",
            )
        )
    if head and (head.get("seq", 0) > expected_seq):
        problems.append(
            ChainProblem(
                None,
                head.get("seq"),
                f"最后 {head['seq'] - expected_seq} 条操作记录缺失（记录应到第 {head['seq']} 条，现在只到第 {expected_seq} 条）",
            )
        )
    execute = conn.execute
    unsealed = execute(
        select(_t.c.id, _t.c.pending).where(_t.c.chain_seq.is_(None)).order_by(_t.c.id).limit(20)
    ).all()
    for row in unsealed:
        problems.append(
            ChainProblem(
                row.id,
                None,
                f"操作记录编号 {row.id} 未封存："
                + ("写入它的程序没有启用留痕封存" if row.pending else "可能是在程序之外直接写入数据库的"),
            )
        )
    return problems


def _sealed_rows(conn: Connection | Session, batch: int) -> Iterator[Any]:
    last = 0
    cols = (*CONTENT, _t.c.chain_seq, _t.c.chain_hash)
    while True:
        rows = conn.execute(
            select(*cols).where(_t.c.chain_seq > last).order_by(_t.c.chain_seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].chain_seq
