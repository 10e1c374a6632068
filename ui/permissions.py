"""What the signed-in role may not do is not offered: a page the role cannot use at all is marked in the
navigation and shows why instead of its content; a button for an action it may not take is greyed out
with the reason as its tooltip. This is for the user's sake only — the services check every call."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from aidoffice.access.checks import Principal
from aidoffice.access.roles import role_book

# the page's attribute on the main window → the permission without which the page is of no use
PAGE_RIGHTS = {
    "students": "students.view",
    "villages": "villages.view",
    "imports": "import.run",
    "problems": "reconcile.run",  # the problem list; its buttons are the page's own (closing needs problems.close)
    "statistics": "students.view",
    "publicity": "letters.print",
    "slips": "slips.register",
    "roster": "export.roster",
    "consolidation": "export.consolidate",
    "users": "users.manage",
    "audit": "audit.view",
    "visits_page": "visits.record",
}

# page attribute → {widget attribute: permission}
WIDGET_RIGHTS = {
    "students": {
        "add_btn": "students.edit",
        "edit_btn": "students.edit",
        "transfer_btn": "students.edit",
        "dropout_btn": "students.edit",
        "reinstate_btn": "students.edit",
        "export_btn": "export.ledger",
        "show_full": "students.view_full_ids",
    },
    "villages": {"export_btn": "export.ledger"},
    "publicity": {
        "template_save": "publicity.setup",
        "template_restore": "publicity.setup",
        "contacts_save": "publicity.setup",
    },
    "settings_page": {"save_btn": "school.setup"},
    "problems": {"corrections_btn": "problems.close"},  # 请更正表 and marking them as sent
    "visits_page": {
        "assign_btn": "casework.edit",
        "handover_btn": "casework.edit",
        "end_btn": "casework.edit",
        "rule_save": "casework.edit",
    },
}

# page attribute → widgets a head teacher may not use: they reach the whole school
WHOLE_SCHOOL = {"publicity": ("notice_btn", "pack_btn")}
# pages about the whole school only (a head teacher sees their own classes)
WHOLE_SCHOOL_PAGES = {"statistics": "全校统计"}


class NoAccessPage(QWidget):
    """Stands in the window for a page the role may not use."""

    available = True

    def __init__(self, title: str, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(QLabel(f"<h2>{title}</h2>"))
        badge = QLabel(reason)
        badge.setObjectName("noAccess")
        badge.setWordWrap(True)
        badge.setStyleSheet("background:#f3f4f6;color:#374151;padding:8px 10px;border-radius:4px")
        layout.addWidget(badge)


def why_not(user: Principal | None, permission: str) -> str:
    who = user.label if user is not None else ""
    return f"您的账户{who}没有“{role_book().label(permission)}”的权限。如需办理，请联系管理员。"


def page_refusal(user: Principal | None, may: Callable[[str], bool], name: str) -> str | None:
    """Why the role may not use the page `name` (an attribute of the main window), or None."""
    permission = PAGE_RIGHTS.get(name)
    if permission is not None and not may(permission):
        return why_not(user, permission)
    if name in WHOLE_SCHOOL_PAGES and user is not None and user.role.own_classes_only:
        return f"您的账户{user.label}只能查看本班学生；{WHOLE_SCHOOL_PAGES[name]}涉及全校学生。"
    return None


def apply_to_widgets(window: object, user: Principal | None, may: Callable[[str], bool]) -> None:
    """Grey out the buttons of the pages the role may use in part."""
    for page_name, widgets in WIDGET_RIGHTS.items():
        page = getattr(window, page_name, None)
        if page is None:
            continue
        for name, permission in widgets.items():
            w = getattr(page, name, None)
            if w is not None and not may(permission):
                w.setEnabled(False)
                w.setToolTip(why_not(user, permission))
    if user is not None and user.role.own_classes_only:
        for page_name, names in WHOLE_SCHOOL.items():
            page = getattr(window, page_name, None)
            for name in names:
                w = getattr(page, name, None)
                if w is not None:
                    w.setEnabled(False)
                    w.setToolTip(f"您的账户{user.label}只能处理本班学生，这份材料涉及全校学生。")
        publicity = getattr(window, "publicity", None)
        if publicity is not None:
            publicity.class_only = True
