"""What the signed-in role may not do is not offered: a page the role cannot use at all is marked in the
navigation and shows why instead of its content; a button for an action it may not take is greyed out
with the reason as its tooltip. This is for the user's sake only — the services check every call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from aidoffice.access.checks import Principal
from aidoffice.access.roles import role_book


@dataclass(frozen=True)
class Rights:
    """What a page declares about itself (its class attribute `RIGHTS`): the permission without which
    it is of no use, the permission each of its controls needs (permission → the names of the
    controls, attributes of the page), the controls a role that sees only its own classes may not use
    (they reach the whole school), and whether the page is about the whole school only (its name).
    tests/gui/test_page_rights.py builds every page and checks that each name is a control."""

    page: str | None = None
    controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    whole_school: tuple[str, ...] = ()
    whole_school_page: str | None = None

    def names(self) -> list[str]:
        return [n for names in self.controls.values() for n in names] + list(self.whole_school)


NO_RIGHTS = Rights()


def rights_of(page: object) -> Rights:
    rights = getattr(type(page), "RIGHTS", NO_RIGHTS)
    return rights if isinstance(rights, Rights) else NO_RIGHTS


def control(page: object, name: str) -> QWidget:
    """The control `name` of `page`; a declared name that is no control is a bug, said at once."""
    w = getattr(page, name, None)
    if not isinstance(w, QWidget):
        raise LookupError(f"{type(page).__name__}.RIGHTS names “{name}”, which is not one of its controls")
    return w


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


def page_refusal(user: Principal | None, may: Callable[[str], bool], page: object) -> str | None:
    """Why the role may not use `page` at all, or None."""
    rights = rights_of(page)
    if rights.page is not None and not may(rights.page):
        return why_not(user, rights.page)
    if rights.whole_school_page and user is not None and user.role.own_classes_only:
        return f"您的账户{user.label}只能查看本班学生；{rights.whole_school_page}涉及全校学生。"
    return None


def apply_rights(page: object, user: Principal | None, may: Callable[[str], bool]) -> None:
    """Grey out the page's controls the role may not use, each with the reason as its tooltip."""
    rights = rights_of(page)
    for permission, names in rights.controls.items():
        if may(permission):
            continue
        for name in names:
            w = control(page, name)
            w.setEnabled(False)
            w.setToolTip(why_not(user, permission))
    if user is not None and user.role.own_classes_only:
        for name in rights.whole_school:
            w = control(page, name)
            w.setEnabled(False)
            w.setToolTip(f"您的账户{user.label}只能处理本班学生，这份材料涉及全校学生。")
        if hasattr(page, "class_only"):
            page.class_only = True  # type: ignore[attr-defined]  # no 全校/全年级 choice
