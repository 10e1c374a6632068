"""The manual's 控辍保学 screenshots (docs/manual/dropout.md) from the real window over a demo database
with a few cases, made with the command line the way a clerk works:

    python -m aidoffice --db 演示库.db init --school 阜平县实验学校 && python -m aidoffice --db 演示库.db demo
    python -m aidoffice --db 演示库.db reconcile
    python docs/screenshot_dropout.py --db 演示库.db --cases      # opens a few cases from the findings
    QT_QPA_PLATFORM=offscreen python docs/screenshot_dropout.py --db 演示库.db   (or under xvfb-run)
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path


def make_cases(url: str) -> None:
    from sqlalchemy import select

    from aidoffice import clock
    from aidoffice.casework import cases
    from aidoffice.db.engine import Database
    from aidoffice.db.models import Problem, ProblemStatus, Student, StudentStatus

    db = Database(url)
    today = clock.today()
    people = (
        cases.PersonInput("班主任", "李红梅", "13903125566"),
        cases.PersonInput("村干部", "王建国", "13731240087"),
    )
    with db.unit_of_work(actor="资助专干") as s:
        found = s.scalars(
            select(Problem.id).where(Problem.kind == "NOT_ENROLLED", Problem.status != ProblemStatus.CLOSED)
        ).all()
        plans = [("外出务工", "随父母在浙江义乌，班主任每周电话，村干部联系家长"), ("厌学/学习困难", "安排结对帮扶，每周家访"),
                 ("家庭经济", "落实生活补助，村里协调低保")]  # fmt: skip
        opened = []
        for pid, (reason, plan) in zip(found[:3], plans, strict=False):
            data = cases.CaseInput(reason, plan=plan, people=people, left_on=today - timedelta(days=30))
            opened.append(cases.open_from_problem(s, pid, data, today=today - timedelta(days=20)).id)
        students = s.scalars(
            select(Student.id).where(Student.status == StudentStatus.ENROLLED, Student.grade == 8)
        ).all()
        cases.mark_dropout(s, students[0], today - timedelta(days=15), "疾病或残疾")
        if opened:
            cases.add_action(s, opened[0], way="家访", said="讲了义务教育法和生活补助政策", result="父亲答应月底送回",
                             who="李红梅", on=today - timedelta(days=10), next_due=today + timedelta(days=5))  # fmt: skip
            cases.add_action(s, opened[1], way="电话", said="家长说孩子不愿上学", result="约定周末上门",
                             who="李红梅", on=today - timedelta(days=12))  # fmt: skip
            cases.close_case(s, opened[2], outcome="复学", note="已回校上课", on=today - timedelta(days=2))
    db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--cases", action="store_true", help="open a few demo cases, then stop")
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    args = parser.parse_args()
    if args.cases:
        make_cases(args.db)
        return 0
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from aidoffice.db.engine import Database
    from ui.main_window import MainWindow
    from ui.operations import AppContext

    app = QApplication(sys.argv)
    ctx = AppContext(Database(args.db))
    window = MainWindow(ctx)
    window.resize(1366, 768)
    window.show()
    out = Path(args.out)
    page = window.dropout
    steps = [(0, "dropout-cases.png"), (1, "dropout-ledgers.png"), (2, "dropout-dashboard.png")]

    def when_idle(then) -> None:  # type: ignore[no-untyped-def]
        if ctx.readers.active or ctx.writer.active:
            QTimer.singleShot(200, lambda: when_idle(then))
        else:
            QTimer.singleShot(600, then)

    def step(i: int) -> None:
        if i == len(steps):
            app.quit()
            return
        tab, name = steps[i]
        page.tabs.setCurrentIndex(tab)
        if tab == 0 and page.cases.rows:  # the case with the most history: the first opened
            page.cases.select_case(min(r.id for r in page.cases.rows))

        def grab() -> None:
            window.grab().save(str(out / name))
            print("saved", out / name)
            step(i + 1)

        when_idle(grab)

    window.go_to(page)
    when_idle(lambda: step(0))
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
