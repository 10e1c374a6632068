"""电话与设置: the phones, deadline and issuer every letter prints.

A part of the 1222宣传材料 page (ui/pages/publicity): its methods run on the page, which builds every
tab and holds their widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from aidoffice.publicity.settings import PublicitySettings
from ui.operations import publicity as ops
from ui.tasks import Task, show_error
from ui.widgets import error_label


class ContactsTab:
    # ---- 电话与设置 ---------------------------------------------------------------------------------

    def _contacts_tab(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        form = QFormLayout()
        self.f_contact, self.f_contact_phone = QLineEdit(), QLineEdit()
        self.f_contact.setPlaceholderText(self.tr("如：王丽"))
        self.f_contact_phone.setPlaceholderText(self.tr("不填则印学校资助办电话"))
        self.f_office, self.f_county, self.f_complaint = QLineEdit(), QLineEdit(), QLineEdit()
        self.f_deadline, self.f_issuer = QLineEdit(), QLineEdit()
        self.f_issuer.setPlaceholderText(self.tr("默认为学校名称"))
        self.f_days = QSpinBox()
        self.f_days.setRange(5, 30)
        self.f_slip_days = QSpinBox()
        self.f_slip_days.setRange(1, 30)
        self.f_slip_days.setSuffix(self.tr(" 天"))
        self.f_slip_days.setToolTip(self.tr("回执上印“于（告知书日期加这些天）前交回”"))
        form.addRow(self.tr("资助专干（联系人）"), self.f_contact)
        form.addRow(self.tr("资助专干电话"), self.f_contact_phone)
        form.addRow(self.tr("学校资助办电话"), self.f_office)
        form.addRow(self.tr("县学生资助管理中心电话"), self.f_county)
        form.addRow(self.tr("监督举报电话"), self.f_complaint)
        form.addRow(self.tr("申请截止"), self.f_deadline)
        form.addRow(self.tr("落款"), self.f_issuer)
        form.addRow(self.tr("公示天数（工作日）"), self.f_days)
        form.addRow(self.tr("回执交回期限"), self.f_slip_days)
        layout.addLayout(form)
        self.contacts_hint = error_label()
        layout.addWidget(self.contacts_hint)
        self.contacts_save = QPushButton(self.tr("保存"))
        layout.addWidget(self.contacts_save, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()
        self.contacts_save.clicked.connect(self.save_contacts)
        return w

    def save_contacts(self) -> Task:
        values = {
            "contact_name": self.f_contact.text(),
            "contact_phone": self.f_contact_phone.text(),
            "aid_office_phone": self.f_office.text(),
            "county_centre_phone": self.f_county.text(),
            "complaint_phone": self.f_complaint.text(),
            "apply_deadline": self.f_deadline.text(),
            "issuer": self.f_issuer.text(),
            "notice_days": self.f_days.value(),
            "slip_days": self.f_slip_days.value(),
        }

        def saved(st: PublicitySettings) -> None:
            self.contacts_hint.setText(
                ""
                if not st.missing_contacts()
                else self.tr("尚未设置：{m}。").format(m="、".join(st.missing_contacts()))
            )
            QMessageBox.information(self, self.tr("已保存"), self.tr("电话和设置已保存。"))

        self.last_task = ops.save_settings(
            self.ctx, self, values, saved, lambda exc: show_error(self, exc, self.tr("保存设置"))
        )
        return self.last_task
