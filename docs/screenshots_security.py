"""The README's screenshots of accounts and the audit trail, from the real dialogs and window: run under
Xvfb. Builds (or reuses) a demo database with an administrator, a clerk and a head teacher, and a few
changes by the clerk.

xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshots_security.py --db 演示库.db
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from aidoffice.access.checks import act_as, bind_user
from aidoffice.db.engine import Database
from aidoffice.db.models import Student, StudentStatus, User
from aidoffice.demo import generate
from aidoffice.ledgers.school import setup_school
from aidoffice.ledgers.students import StudentInput, transfer_out, update_student
from aidoffice.safety.accounts import SignInFailed, create_user, sign_in

ADMIN_PW, PW = "Mountain-2026", "River-2026x"


def prepare(db: Database) -> None:
    with db.reading() as s:
        if s.scalar(select(func.count()).select_from(User)):
            return
        has_students = bool(s.scalar(select(func.count()).select_from(Student)))
    if not has_students:
        with db.unit_of_work() as s:
            setup_school(s, "阜平县城南庄镇中心学校", "3130624001", "阜平县")
        with db.unit_of_work() as s:
            generate(s, 300, today=date(2026, 11, 22))
    with db.unit_of_work() as s:
        create_user(s, "zhang", "张主任", ADMIN_PW, "admin")
    admin = sign_in(db, "zhang", ADMIN_PW)
    with db.reading() as s:
        grade, class_name = s.execute(select(Student.grade, Student.class_name).limit(1)).one()
    with db.unit_of_work() as s:
        act_as(s, admin)
        create_user(s, "li", "李专干", PW, "clerk", must_change_password=False)
        create_user(
            s, "wang", "王老师", PW, "head_teacher", [(grade, class_name)], must_change_password=False
        )
    clerk = sign_in(db, "li", PW)
    with db.unit_of_work() as s:
        act_as(s, clerk)
        students = s.scalars(
            select(Student).where(Student.status == StudentStatus.ENROLLED).order_by(Student.id).limit(3)
        ).all()
        for n, st in enumerate(students[:2]):
            data = StudentInput.from_student(st)
            data.guardian_phone = f"1391234567{n}"
            data.boarding = not st.boarding
            update_student(s, st.id, data)
        transfer_out(s, students[2].id, date(2026, 11, 20), "转入县城第二中学")
    for _ in range(2):
        with contextlib.suppress(SignInFailed):
            sign_in(db, "wang", "wrong-guess-1")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    args = parser.parse_args()
    app = QApplication(sys.argv)
    db = Database(args.db)
    prepare(db)
    out = Path(args.out)

    from ui.dialogs.sign_in import SignInDialog
    from ui.main_window import MainWindow
    from ui.operations import AppContext

    boot = AppContext(db)
    dialog = SignInDialog(boot, school="阜平县城南庄镇中心学校")
    dialog.show()
    dialog.login.setText("wang")
    dialog.password.setText("wrong-guess-2")
    window: list[MainWindow] = []

    def save(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        widget.grab().save(str(out / name))
        print("saved", out / name)

    def sign_in_shot() -> None:
        dialog.accept()
        dialog.last_task.done.connect(lambda: QTimer.singleShot(300, second_try))

    def second_try() -> None:
        dialog.password.setText("wrong-guess-3")
        dialog.accept()
        dialog.last_task.done.connect(lambda: QTimer.singleShot(300, after_sign_in))

    def after_sign_in() -> None:
        save(dialog, "sign-in.png")
        dialog.close()
        admin = sign_in(db, "zhang", ADMIN_PW)
        bind_user(db, admin)
        w = MainWindow(AppContext(db, actor=admin.login), admin)
        window.append(w)
        w.show()
        w.nav.setCurrentRow(w.page_titles().index("操作记录"))
        QTimer.singleShot(1500, audit_shot)

    def audit_shot() -> None:
        w = window[0]
        page = w.audit
        for row in range(page.model.rowCount()):
            r = page.model.row_at(row)
            if r is not None and r.action == "修改" and r.entity.startswith("学生"):
                page.table.selectRow(row)
                break
        QTimer.singleShot(500, lambda: (save(w, "audit-trail.png"), users_shot()))

    def users_shot() -> None:
        w = window[0]
        w.nav.setCurrentRow(w.page_titles().index("账户管理"))
        QTimer.singleShot(800, lambda: (save(w, "users.png"), teacher_shot()))

    def teacher_shot() -> None:
        w = window[0]
        w.close()
        teacher = sign_in(db, "wang", PW)
        bind_user(db, teacher)
        t = MainWindow(AppContext(db, actor=teacher.login), teacher)
        window.append(t)
        t.show()
        t.nav.setCurrentRow(0)
        QTimer.singleShot(1200, lambda: (save(t, "head-teacher.png"), app.quit()))

    QTimer.singleShot(500, sign_in_shot)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
