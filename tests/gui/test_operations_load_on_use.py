"""The page operations that import their PDF or workbook module only when they run (so the first
window comes sooner: tests/gui/test_launch.py) each run for real from the operation the page calls, and
leave their file: a wrong module path or a name left behind would otherwise only fail when a clerk
clicks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from aidoffice import clock
from aidoffice.db.models import DropoutCase, Slip, Student, StudentStatus
from tests.gui.helpers import finish, idle


def _run(qtbot, task, got: list):  # type: ignore[no-untyped-def]
    finish(qtbot, task, timeout=120_000)
    assert got, f"the operation did not succeed: {task.label}"
    return got.pop()


def _pdf(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:5] == b"%PDF-"


def test_the_1222_operations_make_their_files_when_asked(qtbot, ctx, tmp_path):
    from ui.operations import publicity as ops

    parent = QWidget()
    qtbot.addWidget(parent)
    got: list = []
    plan = _run(qtbot, ops.plan(ctx, parent, "policy", {"grade": "七年级"}, got.append), got)
    assert plan.letters > 0
    batch = _run(qtbot, ops.make_letters(ctx, parent, "policy", str(tmp_path / "l.pdf"), {"grade": "七年级"}, got.append), got)  # fmt: skip
    assert _pdf(tmp_path / "l.pdf") and batch.letters == plan.letters
    _run(qtbot, ops.remake(ctx, parent, batch.batch_id, str(tmp_path / "r.pdf"), got.append), got)
    assert _pdf(tmp_path / "r.pdf")
    with ctx.db.reading() as s:
        kid = s.scalars(select(Student.id).where(Student.status == StudentStatus.ENROLLED)).first()
        code = s.scalars(select(Slip.code).where(Slip.kind == "policy")).first()
    preview = _run(qtbot, ops.preview(ctx, parent, "policy", kid, None, got.append), got)
    assert _pdf(preview.pdf) and preview.image is not None and preview.image.stat().st_size > 0
    _run(qtbot, ops.make_poster(ctx, parent, str(tmp_path / "p.pdf"), "A3", got.append), got)
    assert _pdf(tmp_path / "p.pdf")
    _run(qtbot, ops.held_for_notice(ctx, parent, None, got.append), got)
    _run(qtbot, ops.make_notice(ctx, parent, str(tmp_path / "n.pdf"), None, clock.today(), got.append), got)
    assert _pdf(tmp_path / "n.pdf")
    _run(qtbot, ops.make_pack_zip(ctx, parent, str(tmp_path / "pack.zip"), None, got.append), got)
    assert (tmp_path / "pack.zip").stat().st_size > 0
    receipt = _run(qtbot, ops.receive(ctx, parent, code, "apply", None, got.append), got)
    assert receipt.code == code
    status = _run(qtbot, ops.load_status(ctx, parent, None, "policy", got.append), got)
    assert sum(c.returned for c in status.classes) == 1
    missing = _run(qtbot, ops.load_outstanding(ctx, parent, None, "policy", got.append), got)
    assert sum(len(v) for v in missing.values()) == batch.letters - 1
    _run(
        qtbot, ops.export_outstanding(ctx, parent, str(tmp_path / "o.xlsx"), None, "policy", got.append), got
    )
    assert (tmp_path / "o.xlsx").stat().st_size > 0
    idle(qtbot, ctx)


def test_the_case_audit_and_check_operations_make_their_files_when_asked(qtbot, ctx, tmp_path):
    from aidoffice.casework import cases as service
    from aidoffice.safety.auditlog import AuditFilter
    from ui.operations import cases as case_ops
    from ui.operations import roster as roster_ops
    from ui.operations import security as security_ops

    parent = QWidget()
    qtbot.addWidget(parent)
    with ctx.db.unit_of_work(actor="资助专干") as s:
        kid = s.scalars(select(Student.id).where(Student.status == StudentStatus.ENROLLED)).first()
        service.mark_dropout(s, kid, clock.today(), "外出务工")
        case_id = s.scalars(select(DropoutCase.id)).one()
    got: list = []
    _run(qtbot, case_ops.export_ledgers(ctx, parent, str(tmp_path / "d.xlsx"), None, got.append), got)
    assert (tmp_path / "d.xlsx").stat().st_size > 0
    deadline = clock.today() + timedelta(days=10)
    _run(qtbot, case_ops.produce_notice(ctx, parent, case_id, "persuade", str(tmp_path / "c.pdf"), deadline, None, got.append), got)  # fmt: skip
    assert _pdf(tmp_path / "c.pdf")
    _run(qtbot, security_ops.export_audit(ctx, parent, AuditFilter(), str(tmp_path / "a.xlsx"), False, got.append), got)  # fmt: skip
    assert (tmp_path / "a.xlsx").stat().st_size > 0
    _run(qtbot, roster_ops.save_report(ctx, parent, [], str(tmp_path / "k.xlsx"), "检查", got.append), got)
    assert (tmp_path / "k.xlsx").stat().st_size > 0
    idle(qtbot, ctx)
