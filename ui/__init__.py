"""The PySide6 front end: a thin shell over the services of `aidoffice`. No business rules here."""
