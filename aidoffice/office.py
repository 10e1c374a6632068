"""Opening the office's database the way both the CLI and the GUI do: migrate it to the current schema,
then bring the policy catalogue in step with its files (an amount the office edited reaches the
database here, recorded in the audit trail)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aidoffice.access.roles import local_roles_file, shared_database
from aidoffice.catalogue import sync_catalogue
from aidoffice.db.engine import Database, head_revision, schema_revision
from aidoffice.ledgers.school import get_school
from aidoffice.paths import configured_db_url
from aidoffice.progress import Progress, no_progress
from aidoffice.safety.backup import auto_backup, backup_before_upgrade, clear_stale_restores, sqlite_path
from aidoffice.safety.locks import exclusive


@dataclass
class OpenedOffice:
    db: Database
    has_school: bool
    catalogue_changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def open_office(
    url: str | None = None,
    *,
    migrate: bool = True,
    actor: str | None = None,
    progress: Progress = no_progress,
) -> OpenedOffice:
    """`progress` hears each step in words (the GUI's start-up window shows them)."""
    url = configured_db_url(url)
    progress(0, 4, "正在打开数据库…")
    db = Database(url, migrate=False)
    if migrate and (revision := schema_revision(db.engine)) != head_revision():
        progress(1, 4, "正在建立数据库…" if revision is None else "正在升级数据库…")
        db.dispose()
        # an existing database is backed up before it is upgraded
        db = Database(url, migrate=True, before_upgrade=backup_before_upgrade)
    shared_database(db.dialect != "sqlite")
    # a restore killed half-way left a decrypted copy beside the database, or in the private temp folder
    clear_stale_restores(Path(tempfile.gettempdir()))
    if (path := sqlite_path(db)) is not None:
        clear_stale_restores(path.parent)
        progress(2, 4, "正在备份…")
    auto_backup(db, "start")  # at most one a day
    progress(3, 4, "正在同步资助政策目录…")
    changes: list[str] = []
    warnings = []
    if db.dialect != "sqlite" and local_roles_file().is_file():
        warnings.append(
            f"本机的角色文件 {local_roles_file()} 在服务器数据库上不生效（各台电脑的权限必须一致）"
        )
    with db.unit_of_work(actor=actor, note="启动时同步资助政策目录") as session:
        school = get_school(session)
        if school is not None:
            changes = sync_catalogue(session).lines
    return OpenedOffice(db, school is not None, changes, warnings)


@contextlib.contextmanager
def batch_operation(db: Database, operation: str) -> Iterator[None]:
    """Around an import or a batch write (letters, a confirmed roster): a backup of the embedded
    database first, and one such operation at a time (“另一项导入正在进行（谁，自何时起）”)."""
    with exclusive(db, operation):
        auto_backup(db, "import" if operation == "import" else "batch")
        yield
