"""One use case: run the comparison for a term, bring the problem list in line, and write the
workbook — inside the caller's unit of work.

The order is honest about failures: the problem list is changed in the session (flushed, so the
workbook can name each problem by its number and show its status); the workbook is written to a
temporary file beside the target; the export is recorded in the audit trail (who, which file, whether
with full ID numbers); and the file is renamed into place only when the caller's transaction commits
(`files.publish_on_commit`). A workbook that cannot be written (disk full) raises before the commit:
the problem list stays as it was and no file appears. A database that refuses the commit leaves no
workbook behind either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aidoffice import clock
from aidoffice.access.checks import require
from aidoffice.db.audit import actor_of, record
from aidoffice.files import check_target, publish_on_commit, temp_beside
from aidoffice.privacy import Field, Level, show
from aidoffice.progress import Progress, no_progress
from aidoffice.reconcile.compare import Comparison, compare, gc_paused
from aidoffice.reconcile.kinds import KINDS
from aidoffice.reconcile.problems import SyncResult, scopes_for, sync_problems
from aidoffice.reconcile.statistics import TermStatistics, statistics_from
from aidoffice.reconcile.workbook import write_problem_workbook


@dataclass
class ReconcileResult:
    comparison: Comparison
    sync: SyncResult
    statistics: TermStatistics
    out: Path | None = None
    full_ids: bool = False

    def counts(self) -> dict[str, int]:
        by_kind = self.comparison.by_kind()
        return {k: len(by_kind.get(k, ())) for k in KINDS} | {"total": len(self.comparison.findings)}

    def as_json(self, full_ids: bool = False) -> dict[str, Any]:
        """The `reconcile --json` contract: findings with kind, id_number, name, detail (and more).
        ID numbers are masked unless `full_ids` (which the caller records in the audit trail)."""
        ids = self.sync.ids
        level = Level.FULL if full_ids else Level.MASKED
        return {
            "term": self.comparison.term.code,
            "on_date": self.comparison.term.on_date.isoformat(),
            "findings": [
                {
                    "kind": f.kind,
                    "id_number": show(Field.ID_NUMBER, f.id_number, level),
                    "name": f.name,
                    "detail": f.detail,
                    "rank": f.rank,
                    "student_id": f.student_id,
                    "problem_id": ids.get(f.identity),
                    "policy": f.policy_code,
                    "scope": f.scope,
                }
                for f in self.comparison.findings
            ],
            "counts": self.counts(),
            "problems": self.sync.as_json(),
            "compared": self.comparison.counts,
            "out": str(self.out) if self.out else None,
        }


def run_reconcile(
    session: Session,
    term: str | None = None,
    *,
    out: str | Path | None = None,
    full_ids: bool = False,
    today: date | None = None,
    progress: Progress = no_progress,
) -> ReconcileResult:
    today = today or clock.today()
    require(session, "reconcile.run")
    if full_ids:
        require(session, "export.full_ids")
    if out is not None:
        check_target(out, (".xlsx",))  # refused before any work
    with gc_paused():
        return _run(session, term, out, full_ids, today, progress)


def _run(
    session: Session,
    term: str | None,
    out: str | Path | None,
    full_ids: bool,
    today: date,
    progress: Progress,
) -> ReconcileResult:
    comparison = compare(session, term, today=today, progress=progress)
    progress(4, 6, "正在更新问题清单")
    note = session.info.get("audit_note")
    session.info["audit_note"] = f"双向比对（{comparison.term.code}）"
    try:
        sync = sync_problems(
            session,
            comparison.findings,
            scopes_for(comparison.term.code),
            today=today,
            label_text=comparison.term.code,
            served=_served_names(session),
        )
    finally:
        session.info["audit_note"] = note
    stats = statistics_from(session, comparison)
    result = ReconcileResult(comparison, sync, stats, full_ids=full_ids)
    if out is not None:
        progress(5, 6, "正在写入问题清单工作簿")
        target = check_target(out, (".xlsx",))
        actor = actor_of(session)
        record(
            session,
            "export",
            "problem",
            f"导出问题清单到 {target.name}" + ("（含完整证件号）" if full_ids else ""),
            {"file": str(target), "term": comparison.term.code, "findings": len(comparison.findings),
             "full_id_numbers": full_ids},
        )  # fmt: skip
        session.flush()  # a database that cannot record the export refuses it before any file exists
        tmp = temp_beside(target)
        try:
            write_problem_workbook(session, tmp, comparison, sync, stats, full_ids=full_ids, actor=actor)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        publish_on_commit(session, tmp, target)
        result.out = target
    progress(6, 6, "完成")
    return result


def _served_names(session: Session) -> set[str] | None:
    """The names of the served villages once the clerk has confirmed them (None before: the proposal
    follows the data, so nothing is closed for leaving it)."""
    from aidoffice.db.models import Village
    from aidoffice.ledgers.places import served_confirmed, served_village_ids

    if not served_confirmed(session):
        return None
    ids = served_village_ids(session)
    return set(session.scalars(select(Village.name).where(Village.id.in_(ids)))) if ids else set()
