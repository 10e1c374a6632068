"""The program's life after sign-in: the window locks after idle time without losing what is open,
another account may take over, signing out brings the sign-in back, single-clerk mode says so, and a
restore restarts the program cleanly."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from aidoffice.access.checks import act_as, bind_user
from aidoffice.db.models import AuditEntry
from aidoffice.safety import accounts
from tests.gui.helpers import finish, idle
from tests.gui.security_data import ADMIN_PW, PW, make_office
from ui.app import Shell
from ui.operations.security import SignedIn, signed_in


@pytest.fixture
def office(qtbot, school_ctx):
    o = make_office(school_ctx.db)
    yield school_ctx.db, o
    bind_user(school_ctx.db, None)


@pytest.fixture
def shell(qtbot, office):
    """The shell with a 300 ms idle lock, no real restart and no real exit."""
    db, _ = office
    events: list[str] = []
    sh = Shell(
        db, idle_ms=300, restart=lambda: events.append("restart"), exit_app=lambda: events.append("exit")
    )
    sh.events = events  # type: ignore[attr-defined]
    yield sh
    for ctx in (sh.window.ctx if sh.window else None, sh.boot):
        if ctx is not None:
            idle(qtbot, ctx)
    for dialog in (sh.lock_dialog, sh.sign_in_dialog):
        if dialog is not None:
            dialog.done(0)
    if sh.window is not None:
        sh._close_window()
    sh.dispose()


def _covers() -> list[QLabel]:
    from PySide6.QtWidgets import QApplication

    return [
        c
        for w in QApplication.topLevelWidgets()
        for c in w.findChildren(QLabel, "lockCover")
        if c.isVisible()
    ]


def _unlock(qtbot, dialog, password: str, login: str | None = None) -> None:
    if login is not None:
        dialog.login.setText(login)
    dialog.password.setText(password)
    dialog.accept()
    finish(qtbot, dialog.last_task)
    if dialog.last_task is not None:
        idle(qtbot, dialog.ctx)


def test_idle_time_locks_the_window_and_the_same_user_continues_where_they_were(qtbot, shell, office):
    """A clerk who leaves the PC must not leave the children's data open; coming back, the form they
    were typing in is still there."""
    db, o = office
    window = shell.open_window(SignedIn(o.clerk, False, 15))
    assert "当前用户：李专干（clerk，资助专干）" in window.user_label.text()
    form = window.change_password()
    form.old.setText("half-typed")
    qtbot.waitUntil(lambda: shell.lock_dialog is not None, timeout=5_000)
    lock = shell.lock_dialog
    assert lock.isVisible() and lock.login.text() == "clerk" and lock.login.isReadOnly()
    assert "窗口已锁定" in lock.intro.text() and "打开的窗口（修改密码）" in lock.intro.text()
    covered = {c.parentWidget() for c in _covers()}
    assert window in covered and form in covered  # the data under the dialog is hidden too
    _unlock(qtbot, lock, "wrong-pass-1")
    assert shell.lock_dialog is None or lock.isVisible()
    assert "登录名或密码不正确" in lock.error.text() and _covers()
    _unlock(qtbot, lock, PW)
    assert shell.lock_dialog is None and not _covers()
    assert shell.window is window and form.isVisible() and form.old.text() == "half-typed"
    assert shell.watch.timer.isActive()  # counting again
    with db.reading() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.actor == "clerk")))
    assert "lock" in actions and actions.count("sign_in") >= 2


def test_another_account_takes_over_a_locked_window_after_saying_what_is_lost(
    qtbot, shell, office, monkeypatch
):
    """The head teacher who sits down at a locked PC gets their own window, never the clerk's; what
    the clerk had open is named before it is closed."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(
        QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text) or answer[0]
    )
    _, o = office
    window = shell.open_window(SignedIn(o.clerk, False, 15))
    form = window.change_password()
    lock = shell.lock()
    lock.switch_account()
    assert "“修改密码”" in asked[0] and "未保存的内容会丢失" in asked[0]
    assert lock.login.isReadOnly() and lock.login.text() == "clerk"  # said no: still the clerk's lock
    answer[0] = QMessageBox.StandardButton.Yes
    lock.switch_account()
    assert not lock.login.isReadOnly() and lock.login.text() == ""
    _unlock(qtbot, lock, PW, login="wang")
    qtbot.waitUntil(lambda: shell.window is not window, timeout=5_000)
    assert shell.window.user is not None and shell.window.user.login == "wang"
    assert not form.isVisible() and not _covers()
    assert signed_in(shell.window.ctx).login == "wang"
    assert "（无权限）" in " ".join(shell.window.page_titles())


def test_signing_out_closes_the_window_and_asks_who_signs_in_next(qtbot, shell, office):
    """At a shared PC the next person must not inherit the last one's window; the sign-out is recorded."""
    db, o = office
    window = shell.open_window(SignedIn(o.admin, False, 15))
    window.sign_out_btn.click()
    dialog = shell.sign_in_dialog
    assert dialog is not None and dialog.isVisible() and "已退出登录" in dialog.intro.text()
    assert shell.window is None and signed_in(shell.boot) is None
    _unlock(qtbot, dialog, ADMIN_PW, login="admin")
    qtbot.waitUntil(lambda: shell.window is not None, timeout=5_000)
    assert shell.window.user.login == "admin"
    with db.reading() as s:
        assert s.scalar(select(AuditEntry.note).where(AuditEntry.action == "sign_out")) == "“admin”退出登录"


def test_closing_the_sign_in_after_signing_out_ends_the_program(qtbot, shell, office):
    """Closing the sign-in after signing out means leaving, not a window left open for nobody."""
    _, o = office
    shell.open_window(SignedIn(o.admin, False, 15))
    shell.sign_out()
    shell.sign_in_dialog.reject()
    assert shell.events == ["exit"]


def test_single_clerk_mode_signs_in_by_itself_says_so_and_never_locks(qtbot, shell, office):
    """The office chose a PC for one person: no password at start, and the status bar keeps saying
    that anyone at this PC acts as the administrator."""
    db, o = office
    if db.dialect != "sqlite":
        pytest.skip(
            "单人模式只用于本机数据库（服务器上拒绝开启，见 tests/integration/test_security_accounts.py）"
        )
    with db.unit_of_work() as s:
        act_as(s, o.admin)
        accounts.set_single_clerk(s, "admin")
    assert shell.start()
    window = shell.window
    assert (
        window is not None
        and "单人模式：已自动以张主任（admin，管理员）登录，未询问密码" in window.user_label.text()
    )
    assert not shell.watch.timer.isActive()
    with db.reading() as s:
        notes = select(AuditEntry.note).where(AuditEntry.action == "sign_in").order_by(AuditEntry.id)
        assert s.scalars(notes).all()[-1] == ("“admin”自动登录（单人模式）")


def test_without_accounts_the_window_opens_for_anyone_and_says_so(qtbot, school_ctx):
    """An office without accounts keeps working as before, and the window says that anyone can use it."""
    sh = Shell(school_ctx.db, idle_ms=300, exit_app=lambda: None)
    try:
        assert sh.start()
        assert "未启用账户" in sh.window.user_label.text() and not sh.window.sign_out_btn.isVisible()
        assert not sh.watch.timer.isActive()
    finally:
        idle(qtbot, sh.window.ctx)
        sh._close_window()
        sh.dispose()


def test_a_restore_closes_the_window_releases_the_file_and_restarts(qtbot, office):
    """After a restore the pages would show the replaced data: the program starts again on it."""
    db, o = office

    class Holder:
        released = False

        def release(self) -> None:
            self.released = True

    events: list[str] = []
    holder = Holder()
    sh = Shell(
        db, holder=holder, restart=lambda: events.append("restart"), exit_app=lambda: events.append("exit")
    )  # type: ignore[arg-type]
    try:
        window = sh.open_window(SignedIn(o.admin, False, 15))
        idle(qtbot, window.ctx)
        window.settings_page.restart_requested.emit("已从备份恢复")
        assert events == ["restart", "exit"] and holder.released and sh.window is None
    finally:
        sh.dispose()
        bind_user(db, None)
