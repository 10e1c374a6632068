"""Safety: accounts and roles (`accounts`, `access`, `roles`), the audit trail's hash chain and its
queries (`chain`, `auditlog`), backups and restore (`backup`), the consistency check (`check`), and
locks against concurrent use (`locks`).

Importing this package registers the session listeners that seal the audit chain and name the
signed-in user as the actor; `aidoffice.db.engine` imports it so every database opened has them."""

from aidoffice.security import access as access
from aidoffice.security import chain as chain
