"""1222宣传材料 page: the two letters by school, grade or class; the batch history; the template editor
with a live preview of a real student's letter; the poster, the public notice and the inspection
pack; the phones every letter prints.

The preview is the first page of the PDF drawn as a picture by pdfium inside the program (no outside
tool, so the same on Windows); the preview PDF also opens in the system's PDF viewer."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.operations import AppContext, Changes
from ui.operations import publicity as ops
from ui.pages.publicity.board_tab import BoardTab
from ui.pages.publicity.classes_tab import ClassesTab
from ui.pages.publicity.contacts_tab import ContactsTab
from ui.pages.publicity.history_tab import HistoryTab
from ui.pages.publicity.letters_tab import LettersTab
from ui.pages.publicity.template_tab import TemplateTab
from ui.permissions import Rights
from ui.tasks import Task


class PublicityPage(LettersTab, HistoryTab, TemplateTab, BoardTab, ClassesTab, ContactsTab, QWidget):
    available = True
    RIGHTS = Rights(
        page="letters.print",
        controls={"publicity.setup": ("template_save", "template_restore", "contacts_save")},
        whole_school=("notice_btn", "pack_btn"),  # a head teacher prints for their own classes
    )
    class_only = False  # a head teacher: no 全校/全年级 choice (the service refuses them anyway)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.choices: ops.Choices | None = None
        self.last_task: Task | None = None
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.tabs.addTab(self._letters_tab(), self.tr("告知书"))
        self.tabs.addTab(self._history_tab(), self.tr("生成记录"))
        self.tabs.addTab(self._template_tab(), self.tr("模板"))
        self.tabs.addTab(self._board_tab(), self.tr("海报、公示与迎检"))
        self.tabs.addTab(self._classes_tab(), self.tr("两节课"))
        self.tabs.addTab(self._contacts_tab(), self.tr("电话与设置"))
        self._stale = True
        ctx.data_changed.connect(self._data_changed)

    # ---- loading ------------------------------------------------------------------------------------

    def activate(self) -> Task | None:
        if self._stale:
            return self.reload()
        return None

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.any_of("students", "settings", "publicity", "awards"):
            self._stale = True
            if self.isVisible():
                self.reload()

    def reload(self) -> Task:
        self._stale = False
        self.last_task = ops.load_choices(self.ctx, self, self._loaded)
        ops.load_batches(self.ctx, self, self._show_batches)
        return self.last_task

    def _loaded(self, choices: ops.Choices) -> None:
        self.choices = choices
        self._first_template_of_the_school(choices)
        for combo in (self.term, self.notice_term, self.pack_term, self.class_term):
            current = combo.currentText()
            combo.clear()
            combo.addItems(choices.terms)
            combo.setCurrentText(current if current in choices.terms else choices.current)
        # the grade and class chosen stay chosen when the data changes (a batch just made): falling
        # back to 全校 made the next click print the whole school
        grade, class_ = self.grade.currentText(), self.class_.currentText()
        self.grade.blockSignals(True)
        self.grade.clear()
        if not self.class_only:
            self.grade.addItem(self.tr("全校"), None)
        for name, classes in choices.grades:
            self.grade.addItem(name, classes)
        if grade and (index := self.grade.findText(grade)) >= 0:
            self.grade.setCurrentIndex(index)
        self.grade.blockSignals(False)
        self._grade_changed()
        if class_ and (index := self.class_.findText(class_)) >= 0:
            self.class_.setCurrentIndex(index)
        self._fill_class_choices(choices)
        st = choices.settings
        self.f_contact.setText(st.contact_name)
        self.f_contact_phone.setText(st.contact_phone)
        self.f_office.setText(st.aid_office_phone)
        self.f_county.setText(st.county_centre_phone)
        self.f_complaint.setText(st.complaint_phone)
        self.f_deadline.setText(st.apply_deadline)
        self.f_issuer.setText(st.issuer)
        self.f_days.setValue(st.notice_days)
        self.f_slip_days.setValue(st.slip_days)
        missing = st.missing_contacts()
        self.contacts_hint.setText(
            self.tr("尚未设置：{m}。告知书上会印成空白横线。").format(m="、".join(missing)) if missing else ""
        )
