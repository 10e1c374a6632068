"""Keeping the office safe: accounts, backups (the .aidbak container in `aidbak`), the consistency check,
the audit trail's export and chain verification, and locks against concurrent use."""
