"""Each page declares the rights its controls need (its RIGHTS); the window greys out what the signed-in
role may not use and hides a page it may not use at all."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from aidoffice.access.checks import Principal
from aidoffice.access.roles import role_book
from tests.gui.helpers import idle
from ui.main_window import MainWindow
from ui.permissions import NoAccessPage, Rights, control, rights_of

# the main window's pages (its attributes)
PAGES = ("students", "villages", "imports", "problems", "statistics", "roster", "consolidation",
         "publicity", "slips", "users", "audit", "settings_page")  # fmt: skip


def test_every_page_declares_its_rights_and_every_declared_control_exists(qtbot, school_ctx):
    window = MainWindow(school_ctx)  # open mode: everything allowed
    qtbot.addWidget(window)
    idle(qtbot, school_ctx)
    declared = 0
    for name in PAGES:
        page = getattr(window, name)
        assert isinstance(type(page).RIGHTS, Rights), f"{type(page).__name__} declares no RIGHTS"
        for control_name in rights_of(page).names():
            w = control(page, control_name)  # raises when the name is no control of the page
            assert w.isEnabled() or "权限" not in w.toolTip()
            declared += 1
    assert declared >= 14  # the buttons the roles tell apart


def test_a_declared_name_that_is_no_control_is_said_at_once(qtbot):
    class Page(QWidget):
        RIGHTS = Rights(controls={"students.edit": ("save_btn",)})

    page = Page()
    qtbot.addWidget(page)
    with pytest.raises(LookupError, match="save_btn"):
        control(page, "save_btn")


@pytest.mark.parametrize("role", sorted(role_book().roles))
def test_a_role_without_a_right_sees_its_controls_greyed_and_its_pages_replaced(qtbot, school_ctx, role):
    user = Principal(1, "tester", "测试", role, frozenset({(7, "1班")}))
    window = MainWindow(school_ctx, user)
    qtbot.addWidget(window)
    idle(qtbot, school_ctx)
    shown = {window.stack.widget(i) for i in range(window.stack.count())}
    refused_somewhere = False
    for name in PAGES:
        page = getattr(window, name)
        rights = rights_of(page)
        usable = (rights.page is None or user.allows(rights.page)) and not (
            rights.whole_school_page and user.role.own_classes_only
        )
        assert (page in shown) == usable, (role, name)
        for permission, names in rights.controls.items():
            if user.allows(permission):
                continue
            refused_somewhere = True
            for control_name in names:
                w = control(page, control_name)
                assert not w.isEnabled(), (role, name, control_name)
                assert "没有" in w.toolTip() and "权限" in w.toolTip()
        if user.role.own_classes_only:
            for control_name in rights.whole_school:
                assert not control(page, control_name).isEnabled(), (role, name, control_name)
    no_access = [w for w in shown if isinstance(w, NoAccessPage)]
    assert refused_somewhere or no_access or role == "admin"
