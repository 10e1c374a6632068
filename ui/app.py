"""Starting the GUI: logging; the database file claimed for this copy of the program (a second copy on
the same file is told who has it, and quits); the database opened and migrated before the first window,
off the GUI thread while a start-up window shows the step (ui/startup.py);
the first-run dialogs (the school, then the administrator or single-clerk mode); signing in; the main
window; locking it after idle time and signing out; restarting after a restore; and a last line of
defence that turns an unexpected error into a message instead of a crash."""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QLibraryInfo, QObject, QProcess, QSize, Qt, QTimer, QTranslator, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QProgressDialog, QWidget
from sqlalchemy import make_url

from aidoffice.access.checks import accounts_exist, bind_user
from aidoffice.db.engine import Database, normalize_url
from aidoffice.errors import AidofficeError
from aidoffice.logs import setup_logging
from aidoffice.office import OpenedOffice, open_office
from aidoffice.paths import configured_db_url, resources_dir, use_private_temp
from aidoffice.progress import Progress
from aidoffice.safety import accounts
from aidoffice.safety.locks import DatabaseInUse, InstanceLock, instance_lock
from ui.i18n import tr
from ui.operations import AppContext, Changes
from ui.operations import security as ops
from ui.operations.security import SignedIn
from ui.startup import StartupWindow, run_starting
from ui.tasks import collect_on_gui_thread

log = logging.getLogger("aidoffice.ui")


def install_excepthook() -> None:
    """An unexpected error shows what failed and where the log is; the app keeps running."""

    def hook(exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        from ui.tasks import show_error

        if QApplication.instance() is not None:
            show_error(QApplication.activeWindow(), exc, tr("操作"))

    sys.excepthook = hook


def claim_database(url: str) -> InstanceLock:
    """Claim an SQLite file for this copy of the program before anything touches it (a migration run
    by two copies at once would be the worst case); DatabaseInUse names who has it. A server database
    is shared by design."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return InstanceLock(None)
    probe = Database(url, migrate=False)
    try:
        return instance_lock(probe)
    finally:
        probe.dispose()


def restart_command() -> tuple[str, list[str]]:
    """The program as it was started (a frozen build is its own executable)."""
    if getattr(sys, "frozen", False):
        return sys.executable, sys.argv[1:]
    return sys.executable, ["-m", "aidoffice", *sys.argv[1:]]


def restart_program() -> None:
    program, args = restart_command()
    QProcess.startDetached(program, args)


class IdleWatch(QObject):
    """An application-wide event filter: a key, a click, the wheel or the mouse moving restarts the
    timer; when it runs out, `idle` is emitted."""

    idle = Signal()
    ACTIVITY = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
        }
    )

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        app.installEventFilter(self)

    def start(self, msecs: int) -> None:
        self.timer.start(msecs)

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in self.ACTIVITY and self.timer.isActive():
            self.timer.start()  # the same interval, from now
        return False


def open_dialogs(window: QWidget | None) -> list[QDialog]:
    """The dialogs open over `window` (a student form, a backup): what closing it would lose."""

    def under(w: QWidget) -> bool:
        parent = w.parentWidget()
        while parent is not None:
            if parent is window:
                return True
            parent = parent.parentWidget()
        return False

    if window is None:
        return []
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QDialog) and not isinstance(w, QProgressDialog) and w.isVisible() and under(w)
    ]


class Shell(QObject):
    """The program's life after the database is open: who is signed in, the window, the idle lock,
    signing out, and the restart after a restore. `idle_ms` (tests) overrides the idle setting;
    `restart` replaces starting a new process and `exit_app` ending the event loop."""

    window_opened = Signal(object)  # MainWindow
    quit_requested = Signal()

    def __init__(
        self,
        db: Database,
        *,
        has_school: bool = True,
        catalogue_changes: Sequence[str] = (),
        holder: InstanceLock | None = None,
        idle_ms: int | None = None,
        restart: Callable[[], None] = restart_program,
        exit_app: Callable[[], None] | None = None,
    ):
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        super().__init__(app)
        self.db = db
        self.has_school = has_school
        self.catalogue_changes = list(catalogue_changes)
        self.holder = holder
        self.idle_ms = idle_ms
        self.restart = restart
        self.exit_app = exit_app or QApplication.quit
        self.boot = AppContext(db)  # runs the dialogs that come before a window
        self.boot.setParent(self)
        self.window = None  # type: ignore[var-annotated]
        self.signed: SignedIn | None = None
        self.single_clerk = False
        self.lock_dialog = None  # type: ignore[var-annotated]
        self.sign_in_dialog = None  # type: ignore[var-annotated]
        self.school_name = ""
        self.overlays: list[QLabel] = []
        self.watch = IdleWatch(app)
        self.watch.idle.connect(self.lock)

    # ---- start ------------------------------------------------------------------------------------

    def start(self) -> bool:
        """The dialogs before the first window; False when the user closed them (quit)."""
        first_run = not self.has_school
        if first_run:
            from ui.dialogs.first_run import FirstRunDialog

            if not FirstRunDialog(self.boot).exec():
                return False
        from aidoffice.ledgers.school import get_school

        with self.db.reading() as s:  # opening the database: the one place the GUI thread may query
            has_accounts = accounts_exist(s)
            school = get_school(s)
            self.school_name = school.name if school else ""
        if not has_accounts:
            if first_run:
                from ui.dialogs.first_admin import FirstAdminDialog

                dialog = FirstAdminDialog(self.boot)
                if not dialog.exec():
                    return False
                if dialog.signed is not None:
                    self.open_window(dialog.signed)
                    return True
            self.open_window(None)
            return True
        user = accounts.auto_sign_in(self.db)
        if user is not None:
            with self.db.reading() as s:
                minutes = accounts.idle_minutes(s)
            self.open_window(SignedIn(user, False, minutes), single_clerk=True)
            return True
        from ui.dialogs.sign_in import SignInDialog

        dialog = SignInDialog(self.boot, school=self.school_name)
        if not dialog.exec() or dialog.signed is None:
            return False
        self.open_window(dialog.signed)
        return True

    # ---- the window -------------------------------------------------------------------------------

    def open_window(self, signed: SignedIn | None, *, single_clerk: bool = False):  # type: ignore[no-untyped-def]
        """A new window for `signed`; an old one closes after it (so the program never has no window
        and Qt does not take that for the end)."""
        from ui.main_window import MainWindow

        old = self.window
        self.signed, self.single_clerk = signed, single_clerk
        user = signed.user if signed else None
        bind_user(self.db, user)
        ctx = AppContext(self.db, actor=user.login if user else None)
        window = MainWindow(ctx, user, single_clerk=single_clerk)
        window.sign_out_requested.connect(self.sign_out)
        window.lock_requested.connect(self.lock)
        window.restart_requested.connect(self.restart_now)
        window.accounts_started.connect(self._accounts_started)
        ctx.data_changed.connect(self._data_changed)
        self.window = window
        window.show()
        self._close(old)
        self._arm(signed.idle_minutes if signed else 0)
        if self.catalogue_changes:
            changes, self.catalogue_changes = self.catalogue_changes, []
            QMessageBox.information(
                window, tr("资助政策目录已更新"), tr("按目录文件更新了：\n") + "\n".join(changes)
            )
        self.window_opened.emit(window)
        return window

    def _arm(self, minutes: int) -> None:
        """Idle lock for a signed-in user (not open mode, not single-clerk mode: nobody to ask)."""
        if self.signed is None or self.single_clerk or not (minutes or self.idle_ms):
            self.watch.stop()
            return
        self.watch.start(self.idle_ms or minutes * 60_000)

    def _data_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.settings and self.window is not None and self.signed is not None:
            ops.load_idle_minutes(self.window.ctx, self._arm)

    def _close_window(self, then: Callable[[], None] | None = None) -> None:
        """Close the current window and the dialogs open over it; `then` runs when it has closed."""
        window, self.window = self.window, None
        self.watch.stop()
        self._remove_overlays()
        self._close(window, then)

    def _close(self, window, then: Callable[[], None] | None = None) -> None:  # type: ignore[no-untyped-def]
        """Its reads dropped; a write still being saved finishes first (“正在完成保存…”)."""
        if window is None:
            if then is not None:
                then()
            return
        for dialog in open_dialogs(window):
            dialog.reject()

        def closed() -> None:
            window.close()
            window.deleteLater()
            if then is not None:
                then()

        window.ctx.close_then(window, closed)

    def _accounts_started(self, signed: SignedIn) -> None:
        """The first administrator was made from the users page: from now on everybody signs in."""
        self.open_window(signed)

    # ---- signing out ------------------------------------------------------------------------------

    def _confirm_losing(self, what: str) -> bool:
        dialogs = open_dialogs(self.window)
        if not dialogs:
            return True
        names = "、".join(f"“{d.windowTitle()}”" for d in dialogs)
        answer = QMessageBox.question(
            self.window,
            what,
            tr("还有打开的窗口：{names}。{what}后其中未保存的内容会丢失。确定吗？").format(
                names=names, what=what
            ),
        )
        return answer == QMessageBox.StandardButton.Yes

    def sign_out(self) -> None:
        if self.signed is None or not self._confirm_losing(tr("退出登录")):
            return
        ops.record_leaving(self.boot, self.signed.user, "sign_out")
        self.ask_sign_in()  # shown before the window closes: the program is never without a window
        self._close_window()
        bind_user(self.db, None)
        self.signed = None

    def ask_sign_in(self):  # type: ignore[no-untyped-def]
        """After signing out: the sign-in dialog (never the single-clerk automatic one: who signed out
        wants to choose)."""
        from ui.dialogs.sign_in import SignInDialog

        dialog = SignInDialog(
            self.boot, reason=tr("已退出登录。请用自己的账户重新登录。"), school=self.school_name
        )
        self.sign_in_dialog = dialog
        dialog.finished.connect(lambda result: self._signed_in_again(dialog, result))
        dialog.show()
        return dialog

    def _signed_in_again(self, dialog, result: int) -> None:  # type: ignore[no-untyped-def]
        self.sign_in_dialog = None
        if result and dialog.signed is not None:
            self.open_window(dialog.signed)
        else:
            self.quit()

    # ---- the idle lock ----------------------------------------------------------------------------

    def lock(self):  # type: ignore[no-untyped-def]
        """Cover every window (open dialogs keep what was typed) and ask for the password again."""
        if self.signed is None or self.lock_dialog is not None or self.window is None:
            return None
        from ui.dialogs.sign_in import SignInDialog

        self.watch.stop()
        user = self.signed.user
        minutes = self.signed.idle_minutes
        ops.record_leaving(self.boot, user, "lock", f"“{user.login}”的窗口已锁定（空闲或手动锁定）")
        self._cover()
        kept = [d.windowTitle() for d in open_dialogs(self.window)]
        reason = tr("空闲 {m} 分钟，窗口已锁定。").format(m=minutes) if minutes else tr("窗口已锁定。")
        reason += tr("{who}请输入密码继续").format(who=user.label)
        reason += (
            tr("；打开的窗口（{k}）和其中未保存的内容都还在。").format(k="、".join(kept))
            if kept
            else tr("。")
        )
        dialog = SignInDialog(self.boot, locked=user, reason=reason)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.before_switch = lambda: self._confirm_losing(tr("换一个账户登录"))
        dialog.finished.connect(lambda result: self._unlocked(dialog, result))
        self.lock_dialog = dialog
        dialog.show()
        dialog.raise_()
        return dialog

    def _cover(self) -> None:
        for w in QApplication.topLevelWidgets():
            if not w.isVisible() or isinstance(w, QProgressDialog):
                continue
            cover = QLabel(tr("已锁定"), w)
            cover.setObjectName("lockCover")
            cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cover.setAutoFillBackground(True)
            cover.setStyleSheet("background:#e5e7eb;color:#6b7280;font-size:28px")
            cover.setGeometry(w.rect())
            cover.raise_()
            cover.show()
            self.overlays.append(cover)

    def _remove_overlays(self) -> None:
        for cover in self.overlays:
            cover.hide()
            cover.deleteLater()
        self.overlays = []

    def _unlocked(self, dialog, result: int) -> None:  # type: ignore[no-untyped-def]
        self.lock_dialog = None
        signed = dialog.signed
        if not result or signed is None:
            if self._confirm_losing(tr("退出程序")):
                self.quit()
            else:
                self.lock()
            return
        if self.signed is not None and signed.user.login == self.signed.user.login:
            self.signed = signed
            bind_user(self.db, signed.user)
            self._remove_overlays()
            self._arm(signed.idle_minutes)
            return
        # another account: its window starts afresh (what was open was confirmed lost before)
        self._remove_overlays()
        self.open_window(signed)

    # ---- leaving ------------------------------------------------------------------------------------

    def restart_now(self, why: str = "") -> None:
        """After a restore: the database was replaced under this window; start again on it."""
        log.info("restarting: %s", why)
        self._close_window(then=self._restart_closed)

    def _restart_closed(self) -> None:
        bind_user(self.db, None)
        self.db.dispose()
        if self.holder is not None:
            self.holder.release()  # the new copy claims the file
        self.restart()
        self.quit()

    def dispose(self) -> None:
        """Stop watching the application's events (tests make many shells in one application)."""
        self.watch.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.watch)
        self.deleteLater()

    def quit(self) -> None:
        """Close the window (a write still being saved finishes first), then end the program."""
        self.watch.stop()
        self._close_window(then=self._quit_closed)

    def _quit_closed(self) -> None:
        self.quit_requested.emit()
        self.exit_app()


def install_qt_chinese(app: QApplication) -> bool:
    """Qt's own words (the OK/Cancel/Yes/No of message boxes, the file dialogs, the context menus) in
    Chinese, from the translations PySide6 ships; whatever the system's language is."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load("qtbase_zh_CN", folder):
        return False
    app.installTranslator(translator)
    app._qt_chinese = translator  # type: ignore[attr-defined]  # kept alive with the application
    return True


def program_icon() -> QIcon:
    """Our own icon (resources/icons: the SVG's renderings at 16, 32, 48 and 256 pixels), for every
    window of the program, the task bar and the Alt+Tab list."""
    icon = QIcon()
    for size in (16, 32, 48, 256):
        path = resources_dir() / "icons" / f"aidoffice-{size}.png"
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


def start_up(url: str, window: StartupWindow | None = None) -> tuple[InstanceLock, OpenedOffice]:
    """Claim the file and open the database (upgrade, the day's backup, the catalogue) off the GUI
    thread, with the start-up window saying which step it is on; failures are raised here."""

    def work(progress: Progress) -> tuple[InstanceLock, OpenedOffice]:
        progress(0, 0, tr("正在打开数据库…"))
        holder = claim_database(url)
        try:
            return holder, open_office(url, progress=progress)
        except BaseException:
            holder.release()
            raise

    window = window or StartupWindow()
    try:
        return run_starting(window, work)
    finally:
        window.close()
        window.deleteLater()


def _quit_after_first_window(shell: Shell) -> None:
    title = shell.window.windowTitle() if shell.window else ""
    # the wall-clock second it was shown: smoke.sh subtracts the second it started the program
    print(f"first window: {title} at {time.time():.3f}", file=sys.stderr, flush=True)
    QTimer.singleShot(0, shell.quit)


def run_gui(db_url: str | None = None) -> int:
    setup_logging()
    use_private_temp()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("aidoffice")
    app.setApplicationDisplayName(tr("学校资助办助手"))
    app.setWindowIcon(program_icon())
    app.setDesktopFileName("aidoffice")  # Wayland/X11 desktops match the window to aidoffice.desktop
    install_qt_chinese(app)
    install_excepthook()
    collect_on_gui_thread(app)  # never a Qt object freed by a background thread's collection
    url = configured_db_url(db_url)
    try:
        holder, office = start_up(url)
    except DatabaseInUse as exc:
        QMessageBox.critical(None, tr("数据库正在使用"), str(exc))
        return 1
    except AidofficeError as exc:
        QMessageBox.critical(None, tr("无法打开数据库"), str(exc))
        return 1
    try:
        shell = Shell(
            office.db, has_school=office.has_school, catalogue_changes=office.catalogue_changes, holder=holder
        )
        if os.environ.get("AIDOFFICE_QUIT_AFTER_FIRST_WINDOW"):  # installer/smoke.sh: time to first window
            shell.window_opened.connect(lambda _w: _quit_after_first_window(shell))
        if not shell.start():
            return 0
        return app.exec()
    finally:
        holder.release()
