"""The `.aidbak` container: a small versioned header, then the database file in compressed chunks,
optionally encrypted with a password (AES-256-GCM, key from scrypt with a random salt; the header is
authenticated with every chunk and the last chunk is marked, so a truncated or edited file is refused).

File layout (format 1): b"AIDOBAK\\0", a 4-byte big-endian header length, the header (UTF-8 JSON),
then chunks, each a 4-byte big-endian length and the zlib-compressed (and, if encrypted, sealed)
bytes of up to `chunk` bytes of the database file; an unencrypted file ends with the SHA-256 of its
header (the database's own SHA-256 is in the header)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aidoffice.errors import InputRefused
from aidoffice.progress import Progress

MAGIC = b"AIDOBAK\x00"
SQLITE_MAGIC = b"SQLite format 3\x00"
FORMAT = 1
CHUNK = 1 << 20
SUFFIX = ".aidbak"
MAX_HEADER = 64 * 1024
MAX_CHUNK = 16 << 20
MAX_SIZE = 64 << 30  # a database file larger than this is not ours
SCRYPT = {"n": 1 << 15, "r": 8, "p": 1}


class BackupRefused(InputRefused):
    """A backup file that cannot be restored, with the reason (never a traceback)."""


class PasswordNeeded(BackupRefused):
    def __init__(self, file: str):
        super().__init__("这个备份文件已加密，请提供备份时设置的密码（命令行加 --password）。", file=file)


class WrongPassword(BackupRefused):
    def __init__(self, file: str):
        super().__init__("密码不正确，无法打开这个加密备份。请确认密码（区分大小写）后重试。", file=file)


@dataclass
class BackupHeader:
    """What a backup says about itself (readable without the password)."""

    created: str
    app: str
    schema: str
    source: str  # sqlite / postgresql
    school: str | None
    counts: dict[str, int]
    size: int
    chunk: int
    encrypted: bool
    sha256: str | None = None  # of the database file; absent when encrypted (the cipher authenticates)
    kdf: dict[str, Any] | None = None
    nonce: str | None = None
    key_check: str | None = None
    audit_head: dict[str, Any] | None = None
    raw: bytes = field(default=b"", repr=False)

    def describe(self) -> str:
        students = self.counts.get("student")
        return (
            f"{self.school or '（未登记学校）'}，{self.created[:16].replace('T', ' ')} 备份"
            + (f"，{students} 名学生" if students is not None else "")
            + ("，已加密" if self.encrypted else "")
        )


# ---- the .aidbak container ----------------------------------------------------------------------------


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, str]:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(password.encode("utf-8"))
    # the second half only tells a wrong password from a damaged file
    return material[:32], hashlib.sha256(material[32:]).hexdigest()[:32]


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def pack(plain: Path, out: Path, header: dict[str, Any], password: str | None, progress: Progress) -> int:
    """Write `plain` (an SQLite file) as an .aidbak to `out`; the bytes written."""
    size = plain.stat().st_size
    header = dict(header, format=FORMAT, size=size, chunk=CHUNK, compression="zlib")
    aead = None
    if password:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, prefix = os.urandom(16), os.urandom(7)
        key, check = _derive(password, salt, **SCRYPT)
        aead = AESGCM(key)
        header["encryption"] = {"cipher": "AES-256-GCM", "kdf": "scrypt", **SCRYPT, "salt": salt.hex()}
        header["nonce"] = prefix.hex()
        header["key_check"] = check
    else:
        header["sha256"] = _sha256(plain)
    raw = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    chunks = max(1, -(-size // CHUNK))
    written = 0
    with open(plain, "rb") as src, open(out, "wb") as dst:
        dst.write(MAGIC + struct.pack(">I", len(raw)) + raw)
        for index in range(chunks):
            data = zlib.compress(src.read(CHUNK), 1)
            if aead is not None:
                data = aead.encrypt(_nonce(prefix, index, index == chunks - 1), data, raw)
            dst.write(struct.pack(">I", len(data)) + data)
            written += len(data)
            progress(index + 1, chunks, "写入备份文件")
        if aead is None:  # the cipher authenticates the header of an encrypted file; this, a plain one's
            dst.write(hashlib.sha256(raw).digest())
            written += 32
        dst.flush()
        os.fsync(dst.fileno())
    return len(MAGIC) + 4 + len(raw) + 4 * chunks + written


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _refuse(file: Path, message: str) -> BackupRefused:
    return BackupRefused(message, file=str(file))


def read_header(path: Path) -> BackupHeader | None:
    """The header of an .aidbak file; None for a plain SQLite file; BackupRefused for anything else."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(len(SQLITE_MAGIC))
            if start == SQLITE_MAGIC:
                return None
            if not start.startswith(MAGIC):
                raise _refuse(
                    path,
                    "这不是本程序的备份文件（也不是 SQLite 数据库文件）。请选择 .aidbak 备份或自动备份的 .db 文件。",
                )
            fh.seek(len(MAGIC))
            length_bytes = fh.read(4)
            if len(length_bytes) < 4:
                raise _refuse(path, "备份文件不完整（文件头被截断），可能复制时中断了。")
            (length,) = struct.unpack(">I", length_bytes)
            if not 2 <= length <= MAX_HEADER:
                raise _refuse(path, "备份文件头已损坏。")
            raw = fh.read(length)
    except OSError as exc:
        raise _refuse(path, f"无法读取文件（{exc.strerror or exc}）。") from None
    if len(raw) < length:
        raise _refuse(path, "备份文件不完整（文件头被截断），可能复制时中断了。")
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError
        fmt = data["format"]
        if not isinstance(fmt, int):
            raise ValueError
        if fmt > FORMAT:
            raise _refuse(path, f"这个备份由更新版本的程序制作（格式 {fmt}），请先升级程序再恢复。")
        enc = data.get("encryption")
        header = BackupHeader(
            created=str(data["created"]),
            app=str(data.get("app", "")),
            schema=str(data["schema"]),
            source=str(data.get("source", "")),
            school=data.get("school") if isinstance(data.get("school"), str) else None,
            counts={str(k): int(v) for k, v in (data.get("counts") or {}).items()},
            size=int(data["size"]),
            chunk=int(data["chunk"]),
            encrypted=enc is not None,
            sha256=data.get("sha256"),
            kdf=enc,
            nonce=data.get("nonce"),
            key_check=data.get("key_check"),
            audit_head=data.get("audit_head") if isinstance(data.get("audit_head"), dict) else None,
            raw=raw,
        )
    except BackupRefused:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        raise _refuse(path, "备份文件头已损坏，无法识别。") from None
    if (
        data.get("compression") != "zlib"
        or not 0 <= header.size <= MAX_SIZE
        or not 1 <= header.chunk <= MAX_CHUNK
    ):
        raise _refuse(path, "备份文件头已损坏（大小或压缩方式不对）。")
    if header.encrypted:
        kdf = header.kdf or {}
        ok = (
            isinstance(kdf, dict)
            and kdf.get("cipher") == "AES-256-GCM"
            and kdf.get("kdf") == "scrypt"
            and kdf.get("n") in {1 << k for k in range(14, 18)}  # at most 128 MiB of memory to derive
            and kdf.get("r") in range(1, 9)
            and kdf.get("p") in range(1, 5)
            and isinstance(kdf.get("salt"), str)
            and isinstance(header.nonce, str)
            and len(header.nonce) == 14
        )
        if not ok:
            raise _refuse(path, "备份文件头已损坏（加密参数不对）。")
    elif not isinstance(header.sha256, str):
        raise _refuse(path, "备份文件头已损坏（缺少校验值）。")
    return header


def unpack(path: Path, header: BackupHeader, password: str | None, out: Path, progress: Progress) -> None:
    """Decrypt, decompress and check an .aidbak into the SQLite file `out`; BackupRefused if anything
    is wrong: the password, a truncated or altered file, a decompression bomb."""
    aead = prefix = None
    if header.encrypted:
        if not password:
            raise PasswordNeeded(str(path))
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        kdf = header.kdf or {}
        try:
            salt, prefix = bytes.fromhex(kdf["salt"]), bytes.fromhex(header.nonce or "")
        except ValueError:
            raise _refuse(path, "备份文件头已损坏（加密参数不对）。") from None
        key, check = _derive(password, salt, kdf["n"], kdf["r"], kdf["p"])
        if header.key_check is not None and check != header.key_check:
            raise WrongPassword(str(path))
        aead = AESGCM(key)
    free = shutil.disk_usage(out.parent).free
    if header.size > free:
        raise _refuse(path, f"磁盘空间不足：恢复需要 {header.size / 1e6:.0f} MB，只剩 {free / 1e6:.0f} MB。")
    chunks = max(1, -(-header.size // header.chunk))
    digest = hashlib.sha256()
    written = 0
    limit = header.chunk * 2 + 1024  # a compressed or sealed chunk is never much bigger than the chunk
    damaged = "备份文件已损坏或不完整（可能复制时中断，或被改动过），无法恢复。请换一份备份。"
    with open(path, "rb") as src, open(out, "wb") as dst:
        src.seek(len(MAGIC) + 4 + len(header.raw))
        for index in range(chunks):
            length_bytes = src.read(4)
            if len(length_bytes) < 4:
                raise _refuse(path, damaged)
            (length,) = struct.unpack(">I", length_bytes)
            if length > limit:
                raise _refuse(path, damaged)
            data = src.read(length)
            if len(data) < length:
                raise _refuse(path, damaged)
            if aead is not None:
                from cryptography.exceptions import InvalidTag

                try:
                    data = aead.decrypt(_nonce(prefix or b"", index, index == chunks - 1), data, header.raw)
                except InvalidTag:
                    raise (
                        WrongPassword(str(path)) if header.key_check is None else _refuse(path, damaged)
                    ) from None
            try:
                inflater = zlib.decompressobj()
                block = inflater.decompress(data, header.chunk)
                if inflater.unconsumed_tail or not inflater.eof:
                    raise zlib.error("chunk larger than declared")
            except zlib.error:
                raise _refuse(path, damaged) from None
            written += len(block)
            if written > header.size or (index < chunks - 1 and len(block) != header.chunk):
                raise _refuse(path, damaged)
            digest.update(block)
            dst.write(block)
            progress(index + 1, chunks, "读取备份文件")
        if aead is None and src.read(32) != hashlib.sha256(header.raw).digest():
            raise _refuse(path, damaged)
        if src.read(1):
            raise _refuse(path, damaged)
    if written != header.size or (header.sha256 is not None and digest.hexdigest() != header.sha256):
        raise _refuse(path, damaged)
