"""两节课: the policy classes recorded, the classes still missing one, the handout and sign-in sheets.

A part of the 1222宣传材料 page (ui/pages/publicity): its methods run on the page, which builds every
tab and holds their widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.operations import publicity as ops
from ui.tasks import Task
from ui.widgets import error_label, pydate, today_qdate


class ClassesTab:
    # ---- 两节课 -------------------------------------------------------------------------------------

    def _classes_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        intro = QLabel(
            self.tr(
                "起始年级上入学教育课（本学段政策），毕业年级上毕业前政策课（下一学段政策），每学年一次。"
                "记录每节课，打印讲义和签到表；下方列出还没上课的班级。"
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.class_term = QComboBox()
        self.s_grade, self.s_class = QComboBox(), QComboBox()
        self.s_kind = QComboBox()
        self.s_kind.addItem(self.tr("入学教育课"), "entry")
        self.s_kind.addItem(self.tr("毕业前政策课"), "leaving")
        self.s_date = QDateEdit(today_qdate())
        self.s_date.setCalendarPopup(True)
        self.s_date.setDisplayFormat("yyyy-MM-dd")
        self.s_teacher, self.s_topic, self.s_notes = QLineEdit(), QLineEdit(), QLineEdit()
        self.s_topic.setPlaceholderText(self.tr("如：初中阶段学生资助政策宣讲"))
        self.s_attendance = QSpinBox()
        self.s_attendance.setRange(0, 200)
        self.s_attendance.setSuffix(self.tr(" 人"))
        row = QHBoxLayout()
        row.addWidget(self.s_grade)
        row.addWidget(self.s_class)
        row.addStretch()
        form.addRow(self.tr("学期"), self.class_term)
        form.addRow(self.tr("班级"), row)
        form.addRow(self.tr("课程"), self.s_kind)
        form.addRow(self.tr("日期"), self.s_date)
        form.addRow(self.tr("授课教师"), self.s_teacher)
        form.addRow(self.tr("主题"), self.s_topic)
        form.addRow(self.tr("到课人数"), self.s_attendance)
        form.addRow(self.tr("备注"), self.s_notes)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.s_record = QPushButton(self.tr("记录这节课"))
        self.s_handout = QPushButton(self.tr("打印讲义…"))
        self.s_signin = QPushButton(self.tr("打印签到表…"))
        for b in (self.s_record, self.s_handout, self.s_signin):
            buttons.addWidget(b)
        buttons.addStretch()
        layout.addLayout(buttons)
        self.s_error = error_label()
        layout.addWidget(self.s_error)
        self.s_result = QLabel()
        self.s_result.setWordWrap(True)
        layout.addWidget(self.s_result)
        split = QSplitter()
        self.s_rows = QStandardItemModel(0, 6, self)
        self.s_rows.setHorizontalHeaderLabels(
            [self.tr(t) for t in ("日期", "班级", "课程", "授课教师", "主题", "到课")]
        )
        self.s_rows_view = QTableView()
        self.s_rows_view.setModel(self.s_rows)
        self.s_rows_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.s_rows_view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.s_missing = QStandardItemModel(0, 2, self)
        self.s_missing.setHorizontalHeaderLabels([self.tr("还没上课的班级"), self.tr("应上的课")])
        self.s_missing_view = QTableView()
        self.s_missing_view.setModel(self.s_missing)
        self.s_missing_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.s_missing_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.s_missing_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.s_rows_view)
        split.addWidget(self.s_missing_view)
        split.setSizes([640, 320])
        layout.addWidget(split, 1)
        self.s_grade.currentIndexChanged.connect(self._class_grade_changed)
        self.s_class.currentIndexChanged.connect(self._class_chosen)
        self.class_term.currentIndexChanged.connect(lambda _i: self.refresh_sessions())
        self.s_record.clicked.connect(self.record_session)
        self.s_handout.clicked.connect(lambda: self._ask_class_sheet("handout"))
        self.s_signin.clicked.connect(lambda: self._ask_class_sheet("signin"))
        self.s_missing_view.doubleClicked.connect(self._missing_chosen)
        self._class_sizes: dict[tuple[str, str], int] = {}
        return w

    def _fill_class_choices(self, choices: ops.Choices) -> None:
        grade, class_ = self.s_grade.currentText(), self.s_class.currentText()
        self.s_grade.blockSignals(True)
        self.s_grade.clear()
        for name, classes in choices.grades:
            self.s_grade.addItem(name, classes)
        if grade and (index := self.s_grade.findText(grade)) >= 0:
            self.s_grade.setCurrentIndex(index)
        self.s_grade.blockSignals(False)
        self._class_grade_changed()
        if class_ and (index := self.s_class.findText(class_)) >= 0:
            self.s_class.setCurrentIndex(index)
        self.refresh_sessions()

    def _class_grade_changed(self) -> None:
        self.s_class.clear()
        for name in self.s_grade.currentData() or []:
            self.s_class.addItem(name, name)

    def _class_chosen(self) -> None:
        """A leaving grade's class suggests the leaving class, any other the entry class."""
        from aidoffice.domain.grades import InvalidGrade, parse_grade
        from aidoffice.publicity.content import is_leaving

        try:
            g = parse_grade(self.s_grade.currentText())
        except InvalidGrade:
            return
        leaving = is_leaving(g.stage, g.number)
        self.s_kind.setCurrentIndex(self.s_kind.findData("leaving" if leaving else "entry"))

    def _missing_chosen(self, index) -> None:  # type: ignore[no-untyped-def]
        item = self.s_missing.item(index.row(), 0)
        grade, class_name, kind = item.data(Qt.ItemDataRole.UserRole)
        if (i := self.s_grade.findText(grade)) >= 0:
            self.s_grade.setCurrentIndex(i)
        if (i := self.s_class.findText(class_name)) >= 0:
            self.s_class.setCurrentIndex(i)
        self.s_kind.setCurrentIndex(self.s_kind.findData(kind))
        self.s_teacher.setFocus()

    def refresh_sessions(self) -> Task:
        self.last_task = ops.load_sessions(
            self.ctx, self, self.class_term.currentText() or None, self._show_sessions
        )
        return self.last_task

    def _show_sessions(self, view: ops.SessionsView) -> None:
        from aidoffice.publicity.content import grade_name
        from aidoffice.publicity.words import SESSION_NAMES as SESSION_KINDS

        self.s_rows.removeRows(0, self.s_rows.rowCount())
        for r in view.sessions:
            attended = f"{r.attendance}/{r.enrolled}" if r.enrolled else str(r.attendance)
            values = (
                r.held_on.isoformat(),
                r.class_label,
                SESSION_KINDS[r.kind],
                r.teacher,
                r.topic,
                attended,
            )
            self.s_rows.appendRow([QStandardItem(v) for v in values])
        self.s_missing.removeRows(0, self.s_missing.rowCount())
        for m in view.missing:
            item = QStandardItem(m.class_label)
            item.setData((grade_name(m.stage, m.grade), m.class_name, m.kind), Qt.ItemDataRole.UserRole)
            self.s_missing.appendRow([item, QStandardItem(SESSION_KINDS[m.kind])])
        self.s_missing_view.setToolTip(self.tr("双击一行，填入该班级"))

    def session_values(self) -> dict:
        return {
            "held_on": pydate(self.s_date.date()),
            "grade": self.s_grade.currentText(),
            "class_name": self.s_class.currentData(),
            "kind": self.s_kind.currentData(),
            "teacher": self.s_teacher.text(),
            "topic": self.s_topic.text(),
            "attendance": self.s_attendance.value(),
            "notes": self.s_notes.text(),
        }

    def record_session(self) -> Task:
        self.s_error.clear()

        def done(r: tuple) -> None:
            _id, attended, enrolled = r
            self.s_result.setText(
                self.tr("已记录：{c} {k}（{d}，到课 {a}/{e} 人）").format(
                    c=self.s_grade.currentText() + (self.s_class.currentData() or ""),
                    k=self.s_kind.currentText(),
                    d=pydate(self.s_date.date()).isoformat(),
                    a=attended,
                    e=enrolled,
                )
            )
            self.refresh_sessions()

        self.last_task = ops.record_session(
            self.ctx, self, self.session_values(), done, lambda exc: self.s_error.setText(str(exc))
        )
        return self.last_task

    def _ask_class_sheet(self, what: str) -> None:
        name = self.tr("讲义") if what == "handout" else self.tr("签到表")
        scope = self.s_grade.currentText() + (self.s_class.currentData() or "")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存") + name, f"宣讲课{name}_{scope}.pdf", "PDF (*.pdf)"
        )
        if path:
            self.make_class_sheet(what, path)

    def make_class_sheet(self, what: str, path: str) -> Task:
        """The handout (the stage's or the next stage's policies) or the sign-in sheet of the chosen class."""
        self.s_error.clear()
        values: dict = {"grade": self.s_grade.currentText(), "class_name": self.s_class.currentData()}
        if what == "handout":
            values |= {"kind": self.s_kind.currentData(), "handout_date": pydate(self.s_date.date())}
        else:
            values |= {
                "held_on": pydate(self.s_date.date()),
                "teacher": self.s_teacher.text() or None,
                "topic": self.s_topic.text() or None,
            }
        self.last_task = ops.make_class_sheet(
            self.ctx, self, what, path, values,
            lambda r: self.s_result.setText(self.tr("已生成：{p}（{n} 页）").format(p=r[0], n=r[1])),
            lambda exc: self.s_error.setText(str(exc)),
        )  # fmt: skip
        return self.last_task
