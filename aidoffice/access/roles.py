"""Roles and permissions as data: `resources/security/roles.toml` (or the office's own copy in the data
folder's `security/`), read strictly once. Code names a permission by its code (`students.edit`); the
file says which role holds it, so an office can adjust a role without a new release."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from aidoffice.errors import AidofficeError
from aidoffice.paths import data_dir, resources_dir

ALL = "*"
OWN_CLASSES = "own_classes"
_ROLE_KEYS = {"name", "description", "permissions", "scope"}


class RolesFileError(AidofficeError):
    def __init__(self, path: Path, message: str):
        super().__init__(f"角色与权限文件「{path}」：{message}。请改正后重新打开程序。")


@dataclass(frozen=True)
class Role:
    code: str  # admin / clerk / head_teacher / county_viewer …
    name: str  # 管理员 …
    description: str
    permissions: frozenset[str]
    own_classes_only: bool  # 班主任: sees and handles only the classes on their account

    def allows(self, permission: str) -> bool:
        return ALL in self.permissions or permission in self.permissions


@dataclass(frozen=True)
class RoleBook:
    permissions: dict[str, str]  # code → what it lets one do (Chinese)
    roles: dict[str, Role]

    def role(self, code: str) -> Role:
        try:
            return self.roles[code]
        except KeyError:
            raise AidofficeError(f"角色“{code}”不存在（可用的有：{'、'.join(self.names())}）。") from None

    def names(self) -> list[str]:
        return [f"{r.code}（{r.name}）" for r in self.roles.values()]

    def find(self, text: str) -> Role:
        """A role by its code or its Chinese name (the CLI accepts either)."""
        text = text.strip()
        for role in self.roles.values():
            if text in (role.code, role.name):
                return role
        raise AidofficeError(f"没有叫“{text}”的角色。可用的有：{'、'.join(self.names())}。")

    def least_privileged(self) -> Role:
        """The role a new account gets unless another is chosen: one limited to its own classes (it sees
        the fewest children), then the fewest rights (an “all rights” role last)."""
        return min(
            self.roles.values(),
            key=lambda r: (ALL in r.permissions, not r.own_classes_only, len(r.permissions)),
        )

    def label(self, permission: str) -> str:
        return self.permissions.get(permission, permission)


_SHARED = {"on": False}


def shared_database(on: bool) -> None:
    """A database on a server is shared by every PC: the rights must be the same on all of them, so a
    roles file a user put in their own data folder is not read (it would let anyone grant themselves
    any right on their own PC)."""
    if _SHARED["on"] != on:
        _SHARED["on"] = on
        role_book.cache_clear()


def local_roles_file() -> Path:
    return data_dir() / "security" / "roles.toml"


def roles_file() -> Path:
    own = local_roles_file()
    if own.is_file() and not _SHARED["on"]:
        return own
    return resources_dir() / "security" / "roles.toml"


def read_roles(path: Path) -> RoleBook:
    """Read and check a roles file; a misspelt permission would silently take a right away (or give
    one), so every code must be declared in [permissions]."""
    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RolesFileError(path, f"无法读取（{exc}）") from None
    unknown = set(data) - {"permissions", "roles"}
    if unknown:
        raise RolesFileError(path, f"不认识的表“{'、'.join(sorted(unknown))}”")
    perms = data.get("permissions")
    if not isinstance(perms, dict) or not all(isinstance(v, str) for v in perms.values()):
        raise RolesFileError(path, '[permissions] 应写作 "students.view" = "查看学生台账"')
    roles: dict[str, Role] = {}
    raw_roles = data.get("roles")
    if not isinstance(raw_roles, dict) or not raw_roles:
        raise RolesFileError(path, "至少要有一个角色，写作 [roles.admin]")
    for code, item in raw_roles.items():
        if not isinstance(item, dict):
            raise RolesFileError(path, f"角色“{code}”应写作 [roles.{code}]")
        bad = set(item) - _ROLE_KEYS
        if bad:
            raise RolesFileError(path, f"角色“{code}”中不认识的项“{'、'.join(sorted(bad))}”")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise RolesFileError(path, f"角色“{code}”缺少 name")
        granted = item.get("permissions", [])
        if not isinstance(granted, list) or not all(isinstance(p, str) for p in granted):
            raise RolesFileError(path, f"角色“{code}”的 permissions 应是权限代码的列表")
        undeclared = [p for p in granted if p != ALL and p not in perms]
        if undeclared:
            raise RolesFileError(
                path, f"角色“{code}”中的权限“{'、'.join(undeclared)}”未在 [permissions] 中列出"
            )
        scope = item.get("scope")
        if scope not in (None, OWN_CLASSES):
            raise RolesFileError(path, f"角色“{code}”的 scope 只能是 “{OWN_CLASSES}”")
        roles[code] = Role(
            code, name.strip(), str(item.get("description", "")), frozenset(granted), scope == OWN_CLASSES
        )
    if "admin" not in roles or not roles["admin"].allows("users.manage"):
        raise RolesFileError(path, "必须有能管理账户（users.manage）的 admin 角色")
    return RoleBook(dict(perms), roles)


@functools.cache
def role_book() -> RoleBook:
    return read_roles(roles_file())
