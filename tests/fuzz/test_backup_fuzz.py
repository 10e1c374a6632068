"""Hostile files the program opens itself: backups (truncated, flipped, garbage, bombs, wrong passwords)
and the catalogue and roles files (mangled TOML). Never a crash or a hang; always a Chinese reason.
The counts are printed (run with -s to see them) for the issue's measured figures."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidoffice.access.roles import RolesFileError, read_roles, roles_file
from aidoffice.catalogue import CatalogueError, catalogue_files, read_catalogue
from aidoffice.db.engine import Database
from aidoffice.errors import AidofficeError
from aidoffice.safety import aidbak
from aidoffice.safety import backup as bk

pytestmark = pytest.mark.slow

TALLY = {"tried": 0, "crashes": 0}
CJK = "\u4e00\u9fff\U00020000"  # includes a rare character outside the BMP


@pytest.fixture(scope="module")
def good_backups(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "office.db"
    shutil.copy(sqlite_template, path)
    db = Database(str(path))
    from aidoffice.demo import generate

    with db.unit_of_work() as s:
        generate(s, 30, seed=1)
    plain = bk.write_backup(db, folder / "plain.aidbak").path.read_bytes()
    sealed = bk.write_backup(db, folder / "sealed.aidbak", password="fuzz-pass-1").path.read_bytes()
    db.dispose()
    backups = Backups((plain, sealed))
    with bk.opened_backup(folder / "plain.aidbak") as (file, _header, _revision):
        backups.database = hashlib.sha256(file.read_bytes()).hexdigest()
    return backups


class Backups(tuple):
    database: str = ""

    def __repr__(self) -> str:  # a failing example must not print a whole database
        return f"<two backups of {len(self[0])} and {len(self[1])} bytes>"


def _restore_refuses(tmp_path: Path, data: bytes, password: str | None = None) -> str:
    """Opening `data` as a backup either works (the SHA-256 of the database it gives) or refuses with
    a Chinese message; anything else is a crash."""
    TALLY["tried"] += 1
    path = tmp_path / "input.aidbak"
    path.write_bytes(data)
    try:
        with bk.opened_backup(path, password, workdir=tmp_path) as (plain, _header, _revision):
            return hashlib.sha256(plain.read_bytes()).hexdigest()
    except AidofficeError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)), str(exc)
        raise
    except Exception:
        TALLY["crashes"] += 1
        raise


SETTINGS = settings(
    max_examples=int(os.environ.get("AIDOFFICE_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(cut=st.floats(0, 1, exclude_max=True))
def test_a_truncated_backup_is_refused(good_backups, tmp_path, cut):
    """A backup cut short by a full stick or a pulled cable must be refused, never restored as part of a database."""
    plain, sealed = good_backups
    for data, pw in ((plain, None), (sealed, "fuzz-pass-1")):
        n = int(len(data) * cut)
        with pytest.raises(AidofficeError):
            _restore_refuses(tmp_path, data[:n], pw)


@SETTINGS
@given(where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_a_flipped_bit_anywhere_is_caught(good_backups, tmp_path, where, bit):
    """A bad USB stick flips a bit: the checksum or the cipher must notice, never restore damaged data."""
    plain, sealed = good_backups
    for data, pw in ((plain, None), (sealed, "fuzz-pass-1")):
        i = int(len(data) * where)
        damaged = bytearray(data)
        damaged[i] ^= 1 << bit
        try:
            got = _restore_refuses(tmp_path, bytes(damaged), pw)
        except AidofficeError:
            continue
        # a few bits of compressed data change nothing (padding, unused code lengths): then the
        # database that comes out must be the very same one
        assert got == good_backups.database


@SETTINGS
@given(data=st.binary(max_size=4096))
def test_garbage_and_near_miss_headers_are_refused(tmp_path, data):
    """Any file chosen by mistake, even one that starts like a backup or a database, is refused with a reason."""
    with pytest.raises(AidofficeError):
        _restore_refuses(tmp_path, data)
    with pytest.raises(AidofficeError):
        _restore_refuses(tmp_path, aidbak.MAGIC + data)
    with pytest.raises(AidofficeError):
        _restore_refuses(tmp_path, aidbak.SQLITE_MAGIC + data)


def _forged(header: dict, chunks: list[bytes]) -> bytes:
    raw = json.dumps(header).encode()
    body = b"".join(struct.pack(">I", len(c)) + c for c in chunks)
    return aidbak.MAGIC + struct.pack(">I", len(raw)) + raw + body


BASE = {
    "format": 1,
    "created": "2026-11-27T00:00:00",
    "schema": "0007",
    "compression": "zlib",
    "chunk": aidbak.CHUNK,
}


def test_a_decompression_bomb_is_stopped_at_the_declared_size(tmp_path):
    """1 GiB of zeros compresses to about 1 MB; the reader must stop at one chunk's worth."""
    bomb = zlib.compress(b"\0" * (64 << 20), 9)
    data = _forged(dict(BASE, size=100, sha256="0" * 64), [bomb])
    with pytest.raises(aidbak.BackupRefused, match="已损坏"):
        _restore_refuses(tmp_path, data)
    assert not list(tmp_path.glob("**/restored.db"))


def test_a_header_claiming_terabytes_is_refused_before_any_work(tmp_path):
    """A forged size is refused from the header alone, before the program checks disk space or reads any data."""
    data = _forged(dict(BASE, size=1 << 45, sha256="0" * 64), [])
    with pytest.raises(
        aidbak.BackupRefused, match="大小或压缩方式不对"
    ):  # the header, not a later disk check
        _restore_refuses(tmp_path, data)


def test_hostile_key_derivation_settings_are_refused(tmp_path):
    """A forged header must not make the program allocate gigabytes to derive a key."""
    enc = {"cipher": "AES-256-GCM", "kdf": "scrypt", "n": 1 << 24, "r": 8, "p": 1, "salt": "00" * 16}
    data = _forged(dict(BASE, size=10, encryption=enc, nonce="00" * 7), [b"x"])
    with pytest.raises(aidbak.BackupRefused, match="加密参数"):
        _restore_refuses(tmp_path, data, "pw-123456")


@SETTINGS
@given(password=st.text(min_size=1, max_size=40))
def test_wrong_passwords_are_refused_as_wrong_passwords(good_backups, tmp_path, password):
    """Any wrong password, whatever its characters, is reported as a wrong password, not as a damaged file."""
    _plain, sealed = good_backups
    if password == "fuzz-pass-1":
        return
    with pytest.raises(aidbak.WrongPassword):
        _restore_refuses(tmp_path, sealed, password)


def test_a_zip_file_is_not_mistaken_for_a_backup(tmp_path):
    """A zip archive chosen by mistake must be refused as not being one of our backup files."""
    import zipfile

    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.db", b"\0" * (8 << 20))
    with pytest.raises(aidbak.BackupRefused, match="不是本程序的备份文件"):
        _restore_refuses(tmp_path, z.read_bytes())


# ---- the TOML files the program reads --------------------------------------------------------------------


def _mangle(text: str, draw_ops: list[tuple[int, int, str]]) -> str:
    for where, length, insert in draw_ops:
        i = where % (len(text) + 1)
        text = text[:i] + insert + text[i + length :]
    return text


ops = st.lists(
    st.tuples(
        st.integers(0, 10**6),
        st.integers(0, 20),
        st.text(
            alphabet=st.sampled_from(list('[]="\n\t#.,{}0123456789-+@abcxyz' + CJK + "\x00\x1b")), max_size=12
        ),
    ),
    min_size=1,
    max_size=6,
)


@SETTINGS
@given(edits=ops)
def test_a_mangled_catalogue_is_refused_naming_the_file(tmp_path, edits):
    """An office edits the policy catalogue by hand; a slip must give a message, not a traceback."""
    files = catalogue_files()
    name = "catalogue.toml" if edits[0][0] % 2 else "groups.toml"
    mangled = dict(files)
    target = tmp_path / name
    target.write_text(_mangle(files[name].read_text("utf-8"), edits), "utf-8")
    mangled[name] = target
    TALLY["tried"] += 1
    try:
        read_catalogue(mangled)
    except CatalogueError as exc:
        assert "资助政策目录文件" in str(exc)
        assert any(f"「{path}」" in str(exc) for path in mangled.values()), str(exc)
    except Exception:
        TALLY["crashes"] += 1
        raise


@SETTINGS
@given(edits=ops)
def test_a_mangled_roles_file_is_refused_in_chinese(tmp_path, edits):
    """The school edits roles by hand; a slip in that file must give a Chinese message naming it, not a traceback."""
    target = tmp_path / "roles.toml"
    target.write_text(_mangle(roles_file().read_text("utf-8"), edits), "utf-8")
    TALLY["tried"] += 1
    try:
        read_roles(target)
    except RolesFileError as exc:
        assert "角色与权限文件" in str(exc)
    except Exception:
        TALLY["crashes"] += 1
        raise


def test_zz_report_the_fuzzing_tally():
    """The issue asks for the number of fuzzed inputs and crashes (must be 0) in the test output."""
    print(f"\n[fuzz] backups and TOML files: {TALLY['tried']} inputs tried, {TALLY['crashes']} crashes")
    assert TALLY["crashes"] == 0
