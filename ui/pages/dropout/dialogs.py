"""The 控辍保学 page's forms: opening a case (from a finding, or by hand for a child in no ledger), an
action, a notice, escalation, closing, and the roles of the people responsible. Each form only
collects values; the page runs the write in the background and shows a refusal in the form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from aidoffice import clock
from aidoffice.casework.cases import (
    OUTCOME_NEEDS,
    OUTCOMES,
    REASONS,
    WAYS,
    CaseInput,
    ChildInput,
    PersonInput,
)
from ui.widgets import FormDialog, pydate, qdate, today_qdate


def date_edit(value: date | None = None, *, future: bool = False) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(qdate(value or clock.today()))
    if future:
        edit.setMinimumDate(today_qdate().addDays(1))
    else:
        edit.setMaximumDate(today_qdate())
    return edit


def text_box(placeholder: str, height: int = 70) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setFixedHeight(height)
    return box


class Form(FormDialog):
    def __init__(self, title: str, intro: str, ok: str, parent: QWidget | None = None):
        super().__init__(title, intro, ok, parent, width=520)


class OpenCaseDialog(Form):
    """立案: the reason, the plan and the people responsible; for a child in no ledger also who and where."""

    def __init__(self, intro: str, roles: list[str], villages: list[tuple[int, str]] | None = None,
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(self.tr("控辍保学立案（一人一案）"), intro, self.tr("立案"), parent)
        self.by_hand = villages is not None
        if self.by_hand:
            self.name = QLineEdit()
            self.id_number = QLineEdit()
            self.id_number.setPlaceholderText(self.tr("18 位身份证号（不知道可以先空着）"))
            self.village = QComboBox()
            for vid, label in villages or []:
                self.village.addItem(label, vid)
            self.guardian = QLineEdit()
            self.guardian_phone = QLineEdit()
            self.form.addRow(self.tr("孩子姓名"), self.name)
            self.form.addRow(self.tr("身份证件号"), self.id_number)
            self.form.addRow(self.tr("户籍所在村（服务村）"), self.village)
            self.form.addRow(self.tr("监护人"), self.guardian)
            self.form.addRow(self.tr("监护人电话"), self.guardian_phone)
        self.reason = QComboBox()
        self.reason.addItems(list(REASONS))
        self.reason_note = QLineEdit()
        self.reason_note.setPlaceholderText(self.tr("如：随父母外出打工，在浙江义乌"))
        self.left_on = date_edit()
        self.plan = text_box(
            self.tr("劝返方案：谁、什么时候、怎么做（如：班主任每周电话，村干部上门，两周内复学）")
        )
        self.form.addRow(self.tr("辍学原因"), self.reason)
        self.form.addRow(self.tr("原因说明"), self.reason_note)
        self.form.addRow(self.tr("辍学日期"), self.left_on)
        self.form.addRow(self.tr("劝返方案"), self.plan)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("责任人身份")), 0, 0)
        grid.addWidget(QLabel(self.tr("姓名")), 0, 1)
        grid.addWidget(QLabel(self.tr("电话")), 0, 2)
        self.people: list[tuple[QComboBox, QLineEdit, QLineEdit]] = []
        for i in range(len(roles)):
            role = QComboBox()
            role.addItems(["", *roles])
            role.setCurrentIndex(i + 1)
            name, phone = QLineEdit(), QLineEdit()
            phone.setPlaceholderText(self.tr("手机号或 区号-号码"))
            grid.addWidget(role, i + 1, 0)
            grid.addWidget(name, i + 1, 1)
            grid.addWidget(phone, i + 1, 2)
            self.people.append((role, name, phone))
        self.extra.addWidget(QLabel(self.tr("包保责任人（姓名空着的行不保存）")))
        self.extra.addLayout(grid)

    def case_input(self) -> CaseInput:
        people = tuple(
            PersonInput(r.currentText(), n.text().strip(), p.text().strip() or None)
            for r, n, p in self.people
            if n.text().strip()
        )
        return CaseInput(
            reason=self.reason.currentText(), reason_note=self.reason_note.text().strip() or None,
            plan=self.plan.toPlainText().strip() or None, left_on=pydate(self.left_on.date()), people=people,
        )  # fmt: skip

    def child_input(self) -> ChildInput:
        return ChildInput(
            self.name.text().strip(), self.id_number.text().strip() or None, self.village.currentData() or 0,
            guardian_name=self.guardian.text().strip() or None,
            guardian_phone=self.guardian_phone.text().strip() or None,
        )  # fmt: skip


class ActionDialog(Form):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(
            self.tr("记录劝返"), self.tr("记录对“{n}”家庭的一次劝返：谁、怎么联系、谈了什么、结果如何。").format(n=name),
            self.tr("保存"), parent,
        )  # fmt: skip
        self.on = date_edit()
        self.way = QComboBox()
        self.way.addItems(list(WAYS))
        self.who = QLineEdit()
        self.who.setPlaceholderText(self.tr("如：李老师、王主任（空着：登录的账户）"))
        self.said = text_box(self.tr("谈了什么：讲了义务教育法和资助政策，了解到……"))
        self.outcome_text = QLineEdit()
        self.outcome_text.setPlaceholderText(self.tr("如：家长同意下周一送孩子回校"))
        self.next_due = date_edit(clock.today() + timedelta(days=7), future=True)
        self.form.addRow(self.tr("日期"), self.on)
        self.form.addRow(self.tr("方式"), self.way)
        self.form.addRow(self.tr("经办人"), self.who)
        self.form.addRow(self.tr("沟通内容"), self.said)
        self.form.addRow(self.tr("结果"), self.outcome_text)
        self.form.addRow(self.tr("下次跟进期限"), self.next_due)

    def values(self) -> dict[str, Any]:
        return {"on": pydate(self.on.date()), "way": self.way.currentText(), "who": self.who.text().strip() or None,
                "said": self.said.toPlainText().strip(), "result": self.outcome_text.text().strip() or None,
                "next_due": pydate(self.next_due.date())}  # fmt: skip


class NoticeDialog(Form):
    KINDS = (("return", "复学通知书"), ("persuade", "劝返告知书"))

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(
            self.tr("打印通知书"),
            self.tr("给“{n}”的家长打印通知书（文字可在“1222宣传材料 → 模板”中修改）。截止日期同时成为案件的下次跟进期限。").format(n=name),
            self.tr("生成 PDF…"), parent,
        )  # fmt: skip
        self.kind = QComboBox()
        for code, title in self.KINDS:
            self.kind.addItem(self.tr(title), code)
        self.deadline = date_edit(clock.today() + timedelta(days=7), future=True)
        self.place = QLineEdit()
        self.place.setPlaceholderText(self.tr("报到地点（空着：本校）"))
        self.form.addRow(self.tr("通知书"), self.kind)
        self.form.addRow(self.tr("到校截止日期"), self.deadline)
        self.form.addRow(self.tr("报到地点"), self.place)

    def values(self) -> tuple[str, date, str | None]:
        return self.kind.currentData(), pydate(self.deadline.date()), self.place.text().strip() or None


class EscalateDialog(Form):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(self.tr("上报"), self.tr("劝返无效：记录把“{n}”的情况报告乡镇政府和县教育局。").format(n=name),
                         self.tr("记录上报"), parent)  # fmt: skip
        self.to = QLineEdit(self.tr("乡镇人民政府、县教育局"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("如：书面报告一份，已由乡镇分管领导签收"))
        self.form.addRow(self.tr("报告给"), self.to)
        self.form.addRow(self.tr("说明"), self.note)

    def values(self) -> tuple[str, str | None]:
        return self.to.text().strip(), self.note.text().strip() or None


class CloseCaseDialog(Form):
    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(
            self.tr("结案"),
            self.tr("“{n}”的结果。选“复学”时学生台账中改为在读；转学须写接收学校及其回执，因病缓学须写诊断证明。").format(n=name),
            self.tr("结案"), parent,
        )  # fmt: skip
        self.outcome = QComboBox()
        self.outcome.addItems(list(OUTCOMES))
        self.note = QLineEdit()
        self.on = date_edit()
        self.form.addRow(self.tr("结果"), self.outcome)
        self.form.addRow(self.tr("说明"), self.note)
        self.form.addRow(self.tr("日期"), self.on)
        self.outcome.currentTextChanged.connect(self._hint)
        self._hint(self.outcome.currentText())

    def _hint(self, outcome: str) -> None:
        need = OUTCOME_NEEDS.get(outcome)
        self.note.setPlaceholderText(self.tr("须写明：") + need if need else self.tr("如：已回校上课"))

    def values(self) -> tuple[str, str | None, date]:
        return self.outcome.currentText(), self.note.text().strip() or None, pydate(self.on.date())


class RolesDialog(Form):
    def __init__(self, roles: list[str], parent: QWidget | None = None):
        super().__init__(self.tr("责任人身份"), self.tr("每行一种身份（如：班主任、校长、村干部、乡镇干部、家长）。"),
                         self.tr("保存"), parent)  # fmt: skip
        self.text = text_box("", 140)
        self.text.setPlainText("\n".join(roles))
        self.form.addRow(self.text)

    def values(self) -> list[str]:
        return [line.strip() for line in self.text.toPlainText().splitlines() if line.strip()]
