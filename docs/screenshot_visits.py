"""Screenshots of the 三包与家访 page for the manual (docs/manual/visits.md), from the real window over
a demo school: a few teachers given villages, a month of contacts, the 本月未联系 tab and the record
dialog.

    xvfb-run -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb python docs/screenshot_visits.py

(QT_QPA_PLATFORM=offscreen works too.) Without --db it makes a demo database in a temporary folder."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from aidoffice import clock
from aidoffice.casework import duties, visits
from aidoffice.db.models import Household, Student
from aidoffice.demo import generate
from aidoffice.ledgers.places import served_village_ids
from aidoffice.ledgers.school import setup_school
from aidoffice.ledgers.student_rules import StudentInput
from aidoffice.ledgers.students import add_student
from aidoffice.office import open_office
from ui.main_window import MainWindow
from ui.operations import AppContext

TEACHERS = ("王丽", "李建国", "张敏", "刘海", "陈静")
WAYS = ("家访", "电话", "微信", "到校面谈")
SAID = (
    "宣传了义务教育阶段资助政策和营养餐",
    "讲解寄宿生生活补助的申请",
    "了解孩子在家学习情况，家长在外务工",
)


def fill(db) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(17)
    with db.unit_of_work(actor="资助专干") as s:
        setup_school(s, "阜平县城关中学", "3130624999", "阜平县")
        generate(s, 600, today=clock.today())
    with db.unit_of_work(actor="资助专干") as s:
        villages = sorted(served_village_ids(s))
        for i, v_id in enumerate(villages[: len(TEACHERS) * 3]):
            duties.assign(s, TEACHERS[i % len(TEACHERS)], village_id=v_id, starts_on=date(2026, 9, 1))
        households = list(s.scalars(select(Household.id)))
        for h_id in households[:3]:
            duties.assign(s, "王丽", household_id=h_id, starts_on=date(2026, 9, 15), note="留守儿童家庭")
        # 包人: two children whose household is not in the ledger (each one more family for 王丽 to reach)
        school_id = s.scalars(select(Student.school_id).limit(1)).one()
        for name, number, phone in (("孙小雨", "130624201203040023", "13833120417"),
                                    ("马天宇", "13062420110615001X", "")):  # fmt: skip
            kid = add_student(s, school_id, StudentInput(name=name, id_number=number, grade="八年级", class_name="1班",
                                                         guardian_phone=phone or None))  # fmt: skip
            duties.assign(s, "王丽", student_id=kid.id, starts_on=date(2026, 9, 1))
        duties.reassign(s, "陈静", "周红", on=date(2026, 11, 1), reason="调离")
        today = clock.today()
        for h_id in rng.sample(households, len(households) * 2 // 3):
            day = today - timedelta(days=rng.randrange(0, 80))
            visits.record_visit(
                s, household_id=h_id, visited_on=day, way=rng.choice(WAYS), said=rng.choice(SAID)
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--out", default=str(Path(__file__).parent / "manual" / "images"))
    args = parser.parse_args()
    clock.pin(date(2026, 11, 22))
    db_path = args.db or str(Path(tempfile.mkdtemp()) / "演示库.db")
    office = open_office(db_path)
    if not args.db:
        fill(office.db)
    app = QApplication(sys.argv)
    window = MainWindow(AppContext(office.db, actor="资助专干"))
    window.resize(1366, 768)
    window.show()
    out = Path(args.out)
    page = window.visits_page

    def grab(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        widget.grab().save(str(out / name))
        print("saved", out / name)

    def due() -> None:
        window.nav.setCurrentRow(window.page_titles().index("三包与家访"))
        page.tabs.setCurrentWidget(page.due)
        QTimer.singleShot(2500, one_teacher)

    def one_teacher() -> None:  # 王丽's list: her households and the 包人 children with no household listed
        page.due.teacher.setCurrentIndex(page.due.teacher.findText("王丽"))
        page.due.reload()
        QTimer.singleShot(2000, lambda: (grab(window, "visits-due.png"), duties_tab()))

    def duties_tab() -> None:
        page.tabs.setCurrentWidget(page.duties)
        page.duties.history.setChecked(True)
        QTimer.singleShot(1500, lambda: (grab(window, "visits-duties.png"), record()))

    def record() -> None:
        page.tabs.setCurrentWidget(page.due)
        QTimer.singleShot(1500, open_dialog)

    def open_dialog() -> None:
        rows = page.due.report.rows if page.due.report else []
        page.due.table.selectRow(next((i for i, r in enumerate(rows) if r.household_id is not None), 0))
        dlg = page.due.record_selected()
        if dlg is None:
            app.quit()
            return
        dlg.said.setPlainText("宣传了寄宿生生活补助和营养餐政策，了解到孩子父母在外务工，由爷爷照看")
        dlg.needs.setPlainText("想申请生活补助，不清楚要带什么材料")
        dlg.follow_up.setPlainText("下周带申请表再去一次")
        dlg.to_problem.setChecked(True)
        QTimer.singleShot(800, lambda: (grab(dlg, "visits-record.png"), dlg.reject(), app.quit()))

    QTimer.singleShot(800, due)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
