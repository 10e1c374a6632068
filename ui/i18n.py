"""tr() for code outside a QObject; widgets and models use their own self.tr()."""

from PySide6.QtCore import QCoreApplication


def tr(text: str, context: str = "aidoffice") -> str:
    return QCoreApplication.translate(context, text)
