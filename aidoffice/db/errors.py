"""Database failures sorted by cause (after qutebrowser's misc/sql.py and Anki's errors.py): what the
user's machine or network did (a locked file, a full disk, a read-only folder, a broken file, a lost
server) becomes a typed error with Chinese advice; anything else stays a bug for the log.

No message ever carries a row's values: engines are created with `hide_parameters=True`, and these
messages are written from the cause alone."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from aidoffice.errors import AidofficeError


class DatabaseProblem(AidofficeError):
    """A database failure caused by the machine, the disk or the network; nothing was written."""

    cause = "database"
    advice = ""

    def __init__(self, where: str = "", detail: str = "", *, opening: bool = False):
        self.where, self.detail = where, detail
        text = self.advice
        if opening:
            text = f"无法打开数据库（{where}）：{text}"
        elif where:
            text = f"数据库（{where}）：{text}"
        super().__init__(text + (f"（{detail}）" if detail else ""))


class DatabaseBusy(DatabaseProblem):
    cause = "busy"
    advice = "数据库正被另一个程序或另一位同事占用，等了10秒仍未释放。没有写入任何数据。请关闭另一个正在导入或导出的窗口后重试。"


class DiskFull(DatabaseProblem):
    cause = "disk_full"
    advice = "磁盘空间已满，没有写入任何数据。请清理磁盘（删除不用的文件、清空回收站）后重试。"


class ReadOnlyDatabase(DatabaseProblem):
    cause = "read_only"
    advice = "数据库文件是只读的（或所在文件夹不允许写入），没有写入任何数据。请检查文件属性和文件夹权限，或把数据库放到可写的位置。"


class DiskIOError(DatabaseProblem):
    cause = "io_error"
    advice = "读写磁盘时出错（U盘被拔出、网络盘断开或磁盘故障），没有写入任何数据。请检查磁盘后重试；如反复出现，请先备份数据。"


class DatabaseCorrupt(DatabaseProblem):
    cause = "corrupt"
    advice = "数据库文件已损坏。请不要再写入，用“aidoffice check”检查，并从最近的备份恢复（aidoffice restore 备份文件）。"


class NotADatabase(DatabaseProblem):
    cause = "not_a_database"
    advice = "这个文件不是本程序的数据库（可能选错了文件，或文件已被别的程序改写）。请选择正确的数据库文件。"


class ConnectionLost(DatabaseProblem):
    cause = "connection_lost"
    advice = "与数据库服务器的连接中断了，没有写入任何数据。请检查网络和服务器是否开启，稍后重试。"


class CannotConnect(DatabaseProblem):
    cause = "cannot_connect"
    advice = "无法连接数据库服务器。请检查网络、服务器地址、用户名和密码。"


class NewerDatabase(DatabaseProblem):
    cause = "newer_schema"
    advice = "这个数据库是用更新版本的程序建立的，当前程序无法打开它。请升级程序后再打开（不要用旧版本写入，以免损坏数据）。"


class NotUtf8Database(DatabaseProblem):
    """A PostgreSQL database created in another encoding (SQL_ASCII, GBK…): Chinese cannot be stored."""

    cause = "not_utf8"

    def __init__(self, where: str, encoding: str, command: str):
        self.encoding, self.command = encoding, command
        self.advice = (
            f"这个数据库的编码是 {encoding}，不是 UTF8，无法正确保存中文，程序不会使用它。"
            f"请让管理员在服务器上建立一个 UTF8 编码的数据库：{command}"
            "（-T template0 是必需的），然后用 --db 或设置指向新数据库"
        )
        super().__init__(where, opening=True)


class WriteConflict(DatabaseProblem):
    cause = "conflict"
    advice = "保存时与别人同时写入的记录冲突（可能有人同时在导入或修改同样的数据），没有写入任何数据。请刷新后重试。"


_SQLITE = {
    "SQLITE_BUSY": DatabaseBusy,
    "SQLITE_LOCKED": DatabaseBusy,
    "SQLITE_FULL": DiskFull,
    "SQLITE_READONLY": ReadOnlyDatabase,
    "SQLITE_PERM": ReadOnlyDatabase,
    "SQLITE_CANTOPEN": ReadOnlyDatabase,
    "SQLITE_IOERR": DiskIOError,
    "SQLITE_CORRUPT": DatabaseCorrupt,
    "SQLITE_NOTADB": NotADatabase,
}

# PostgreSQL SQLSTATE classes and codes
_PG = {
    "53100": DiskFull,
    "25006": ReadOnlyDatabase,
    "57P01": ConnectionLost,
    "57P02": ConnectionLost,
    "57P03": CannotConnect,
    "55P03": DatabaseBusy,
    "40P01": DatabaseBusy,
    "40001": WriteConflict,
    "XX001": DatabaseCorrupt,
    "XX002": DatabaseCorrupt,
    "28P01": CannotConnect,
    "28000": CannotConnect,
    "3D000": CannotConnect,
}


def _sqlite_kind(orig: BaseException) -> type[DatabaseProblem] | None:
    name = getattr(orig, "sqlite_errorname", "") or ""
    for prefix, kind in _SQLITE.items():
        if name == prefix or name.startswith(prefix + "_"):
            return kind
    text = str(orig).lower()
    for words, kind in (
        (("database is locked", "database table is locked"), DatabaseBusy),
        (("database or disk is full",), DiskFull),
        (("readonly database", "read-only"), ReadOnlyDatabase),
        (("disk i/o error",), DiskIOError),
        (("malformed",), DatabaseCorrupt),
        (("file is not a database", "file is encrypted"), NotADatabase),
        (("unable to open database file",), ReadOnlyDatabase),
    ):
        if any(w in text for w in words):
            return kind
    return None


def _pg_kind(orig: BaseException, invalidated: bool) -> type[DatabaseProblem] | None:
    state = getattr(orig, "sqlstate", None) or ""
    if state in _PG:
        return _PG[state]
    if state.startswith("08"):
        return ConnectionLost
    if state.startswith("53"):
        return DiskFull
    if invalidated:
        return ConnectionLost
    text = str(orig).lower()
    if "connection" in text and any(w in text for w in ("closed", "terminat", "lost", "refused", "timeout")):
        return ConnectionLost if "refused" not in text else CannotConnect
    return None


def classify(error: BaseException) -> type[DatabaseProblem] | None:
    """The kind of problem `error` is, or None when it is not the machine's doing (a bug)."""
    if isinstance(error, DatabaseProblem):
        return type(error)
    if isinstance(error, sa_exc.IntegrityError):
        return WriteConflict
    orig = getattr(error, "orig", None) or error
    module = type(orig).__module__
    if module.startswith("sqlite3"):
        return _sqlite_kind(orig)
    if module.startswith("psycopg"):
        return _pg_kind(orig, bool(getattr(error, "connection_invalidated", False)))
    return None


def translate(error: BaseException, where: str = "", *, opening: bool = False) -> DatabaseProblem | None:
    kind = classify(error)
    if kind is None:
        return None
    if isinstance(error, DatabaseProblem):
        return error
    return kind(where, opening=opening)
