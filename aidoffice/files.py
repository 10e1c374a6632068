"""Writing files safely: to a temporary file beside the target, renamed into place when complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from aidoffice.errors import InputRefused


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yields a temporary path; on success it replaces `target`, on failure it is removed."""
    target = Path(target)
    if not target.parent.exists():
        raise InputRefused(
            f"保存位置“{target.parent}”不存在，请先建立该文件夹或换一个位置。", file=str(target)
        )
    fd, tmp = tempfile.mkstemp(prefix=".~" + target.stem, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            os.replace(tmp_path, target)
        except PermissionError:
            raise InputRefused(
                "文件无法覆盖，可能正在 Excel 或 WPS 中打开，请关闭后重试。", file=str(target)
            ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
