"""Starting the GUI: logging, the database (opened and migrated before the first window, as a program
loads its document), the first-run dialog, the main window, and a last line of defence that turns an
unexpected error into a message instead of a crash."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtWidgets import QApplication, QMessageBox

from aidoffice.errors import AidofficeError
from aidoffice.logs import setup_logging
from aidoffice.office import open_office
from aidoffice.paths import use_private_temp
from ui.i18n import tr

log = logging.getLogger("aidoffice.ui")


def install_excepthook() -> None:
    """An unexpected error shows what failed and where the log is; the app keeps running."""

    def hook(exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        from ui.tasks import show_error

        if QApplication.instance() is not None:
            show_error(QApplication.activeWindow(), exc, tr("操作"))

    sys.excepthook = hook


def run_gui(db_url: str | None = None) -> int:
    setup_logging()
    use_private_temp()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("aidoffice")
    app.setApplicationDisplayName(tr("学校资助办助手"))
    install_excepthook()
    try:
        office = open_office(db_url)
    except AidofficeError as exc:
        QMessageBox.critical(None, tr("无法打开数据库"), str(exc))
        return 1
    from ui.operations import AppContext

    ctx = AppContext(office.db)
    if not office.has_school:
        from ui.dialogs.first_run import FirstRunDialog

        if not FirstRunDialog(ctx).exec():
            return 0
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    window.show()
    if office.catalogue_changes:
        QMessageBox.information(
            window, tr("资助政策目录已更新"), tr("按目录文件更新了：\n") + "\n".join(office.catalogue_changes)
        )
    return app.exec()
