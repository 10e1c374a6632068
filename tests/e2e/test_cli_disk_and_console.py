"""Writing to a disk that refuses (a write-protected USB stick, a full disk, a folder without rights)
and printing to a console that cannot show every character: a Chinese message saying what, where and
how to fix it, exit 1, nothing half-written — and never a traceback after the work is done.

Tests run as root, who ignores file modes, so the refusal is simulated where the system would give it
(`os.replace` and `tempfile.mkstemp` raise the OSError a real disk raises)."""

from __future__ import annotations

import errno
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from aidoffice.cli import main
from tests.e2e.cli import last_json, run


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("office") / "o.db")
    assert main(["--db", db, "init", "--school", "测试中学"]) == 0
    assert main(["--db", db, "demo", "--students", "30"]) == 0
    return db


OUTPUTS = {
    "backup": ["backup", "--out", "备份.aidbak"],
    "audit": ["audit", "--out", "操作记录.xlsx"],
    "letters": ["letters", "policy", "--out", "告知书.pdf"],
    "reconcile": ["reconcile", "--out", "问题清单.xlsx"],
    "pack": ["pack", "--out", "迎检材料.zip"],
    "slips": ["slips", "status", "--out", "回执.xlsx"],
    "ledger": ["export", "ledger", "school", "--out", "学籍台账.xlsx"],
}
WORDS = {errno.EROFS: "只读", errno.ENOSPC: "磁盘已满", errno.EACCES: "没有权限", errno.ENOENT: "路径不存在"}


def _command(name: str, folder: Path) -> list[str]:
    *head, last = OUTPUTS[name]
    return [*head, str(folder / last)]


def _refused(capsys: pytest.CaptureFixture, folder: Path, word: str) -> None:
    captured = capsys.readouterr()
    error = json.loads(captured.out.strip().splitlines()[-1])
    assert error["kind"] == "refused", error
    assert word in error["error"] and str(folder) in error["error"], error["error"]
    assert (
        "意外错误" not in captured.err and "Traceback" not in captured.err and "OSError" not in captured.err
    )
    assert [p.name for p in folder.iterdir()] == [], "a half-written or temporary file was left behind"


@pytest.mark.parametrize("name", OUTPUTS)
def test_every_output_to_a_read_only_folder_is_refused_in_chinese(
    office, tmp_path, monkeypatch, capsys, name
):
    """The rename into place fails as on a write-protected stick: exit 1, the folder named, nothing left."""
    folder = tmp_path / "U盘"
    folder.mkdir()

    real = os.replace

    def read_only(src, dst, *a, **k):
        if Path(dst).parent == folder:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))
        return real(src, dst, *a, **k)  # the automatic backup in the data folder still works

    monkeypatch.setattr(os, "replace", read_only)
    capsys.readouterr()
    assert main(["--db", office, "--json", *_command(name, folder)]) == 1
    _refused(capsys, folder, "只读")


@pytest.mark.parametrize("code", list(WORDS))
@pytest.mark.parametrize("name", ["ledger", "backup", "letters"])
def test_a_folder_that_refuses_the_first_byte_says_why(office, tmp_path, monkeypatch, capsys, name, code):
    """Full, forbidden, read-only or vanished: each says what happened, exit 1, nothing written."""
    folder = tmp_path / "导出"
    folder.mkdir()
    real = tempfile.mkstemp

    def refuse(*args, dir=None, **kw):
        if dir is not None and Path(dir) == folder:
            raise OSError(code, os.strerror(code), str(Path(dir) / ".~tmp"))
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    capsys.readouterr()
    assert main(["--db", office, "--json", *_command(name, folder)]) == 1
    _refused(capsys, folder, WORDS[code])


def test_a_disk_that_fills_while_writing_leaves_nothing(office, tmp_path, monkeypatch, capsys):
    """The disk fills in the middle of writing the workbook: refused as 磁盘已满, the temporary file gone."""
    import openpyxl.workbook.workbook as wb

    folder = tmp_path / "满"
    folder.mkdir()

    def full(self, filename):
        Path(filename).write_bytes(b"PK half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(filename))

    monkeypatch.setattr(wb.Workbook, "save", full)
    capsys.readouterr()
    assert main(["--db", office, "--json", *_command("ledger", folder)]) == 1
    _refused(capsys, folder, "磁盘已满")


def test_a_real_read_only_mount_is_refused(office, tmp_path, capsys):
    """A real read-only bind mount (where the test machine lets us make one)."""
    folder = tmp_path / "只读盘"
    folder.mkdir()
    made = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("this machine does not allow a bind mount: " + made.stderr.decode(errors="replace")[:100])
    try:
        if os.access(folder, os.W_OK) and subprocess.run(["touch", str(folder / "x")]).returncode == 0:
            pytest.skip("the bind mount is not read-only here")
        capsys.readouterr()
        assert main(["--db", office, "--json", *_command("ledger", folder)]) == 1
        _refused(capsys, folder, "只读")
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


# ---- the console -------------------------------------------------------------------------------------


def _gbk(tmp_path: Path, db: str, *args: str) -> subprocess.CompletedProcess:
    """The command on a Chinese Windows console: stdout and stderr in GBK, read back strictly as GBK."""
    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path), "PYTHONIOENCODING": "gbk"}
    cmd = [sys.executable, "-m", "aidoffice", "--db", db, *args]
    return subprocess.run(
        cmd, capture_output=True, encoding="gbk", env=env, timeout=300, stdin=subprocess.DEVNULL
    )


def test_a_gbk_console_shows_a_name_outside_gbk_without_crashing(tmp_path):
    """𠮷 (outside GBK) and U+FFFD in a name: printed as “?” on a GBK console, whole in --json."""
    db = str(tmp_path / "g.db")
    plain = _gbk(tmp_path, db, "init", "--school", "𠮷祥中学\ufffd")
    assert plain.returncode == 0, plain.stderr
    assert "Traceback" not in plain.stderr and "祥中学" in plain.stdout
    as_json = _gbk(tmp_path, db, "--json", "init", "--school", "𠮷祥中学")
    assert as_json.returncode == 0, as_json.stderr
    assert "𠮷祥中学" in json.dumps(last_json(as_json), ensure_ascii=False)


def test_a_gbk_console_shows_an_error_naming_an_unusual_character(tmp_path):
    db = str(tmp_path / "g.db")
    assert _gbk(tmp_path, db, "init", "--school", "测试中学").returncode == 0
    r = _gbk(tmp_path, db, "--json", "export", "ledger", "school", "--out", str(tmp_path / "𠮷" / "x.xlsx"))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "𠮷" in last_json(r)["error"] and "不存在" in r.stderr


def test_piping_into_head_prints_no_broken_pipe(tmp_path):
    """`aidoffice users … | head -1`: the reader leaves early, the command says nothing about it."""
    db = str(tmp_path / "p.db")
    assert run("init", "--school", "测试中学", home=tmp_path, db=db).returncode == 0
    assert run("demo", "--students", "5", home=tmp_path, db=db).returncode == 0
    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    code = (
        "import sys, aidoffice.cli as cli\n"
        "def chatty(args): return {'message': '\\n'.join('第%d行' % i for i in range(200000))}\n"
        "cli.COMMANDS['init'] = chatty\n"
        "sys.exit(cli.main(['--db', sys.argv[1], 'init']))\n"
    )
    shell = f"{sys.executable} -c {shlex.quote(code)} {shlex.quote(db)} | head -1"
    r = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.stdout.strip() == "第0行"
    assert (
        "BrokenPipe" not in r.stderr and "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    )
