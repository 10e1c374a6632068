"""One log file shared by the GUI and every CLI run (issue 20 §3): rotated only at start, under a lock,
never while another process holds it — no “Logging error” on Windows, no lost lines."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

from aidoffice import logs


def _big_log(folder: Path) -> Path:
    path = folder / "aidoffice.log"
    path.write_text("旧的一行\n" * 300_000, "utf-8")
    assert path.stat().st_size > logs.MAX_BYTES
    return path


def test_a_large_log_is_rotated_at_start(tmp_path):
    path = _big_log(tmp_path)
    (tmp_path / "aidoffice.log.1").write_text("更旧\n", "utf-8")
    assert logs.rotate_at_start(path)
    assert not path.exists()
    assert (tmp_path / "aidoffice.log.1").read_text("utf-8").startswith("旧的一行")
    assert (tmp_path / "aidoffice.log.2").read_text("utf-8") == "更旧\n"
    assert not logs.rotate_at_start(tmp_path / "aidoffice.log")  # nothing to rotate


def test_a_log_held_open_by_another_process_is_left_for_a_later_start(tmp_path, monkeypatch):
    """Windows refuses to rename a file another process has open: the log is simply not rotated."""
    path = _big_log(tmp_path)

    def held(src, dst):
        raise PermissionError(errno.EACCES, "另一个程序正在使用此文件，进程无法访问。", str(src))

    monkeypatch.setattr(os, "replace", held)
    assert logs.rotate_at_start(path) is False
    assert path.stat().st_size > logs.MAX_BYTES and not (tmp_path / "aidoffice.log.1").exists()


def test_a_rotation_under_way_in_another_process_is_not_repeated(tmp_path):
    path = _big_log(tmp_path)
    code = (
        "import fcntl, sys, time\n"
        "fh = open(sys.argv[1], 'a+b'); fcntl.flock(fh.fileno(), fcntl.LOCK_EX)\n"
        "print('locked', flush=True); time.sleep(5)\n"
    )
    if os.name != "posix":
        return
    holder = subprocess.Popen([sys.executable, "-c", code, f"{path}.lock"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert logs.rotate_at_start(path) is False
        assert path.exists()
    finally:
        holder.kill()
        holder.wait()
    assert logs.rotate_at_start(path) is True


def test_two_processes_logging_at_once_keep_every_line_and_print_no_logging_error(tmp_path):
    """The GUI and a CLI run write the same file while it is over the size limit, on a system that
    refuses to rename a file another process holds (Windows, simulated): nothing is renamed under
    them, every line of both arrives, and neither prints a “Logging error”."""
    code = (
        "import logging, os, sys\n"
        "def held(*a, **k): raise PermissionError(13, 'used by another process')\n"
        "os.rename = os.replace = held\n"
        "from aidoffice.logs import setup_logging\n"
        "setup_logging()\n"
        "log = logging.getLogger('t')\n"
        "for i in range(3000): log.info('%s 第%d行', sys.argv[1], i)\n"
    )
    env = {**os.environ, "AIDOFFICE_HOME": str(tmp_path)}
    home_logs = tmp_path / "logs"
    home_logs.mkdir(parents=True)
    (home_logs / "aidoffice.log").write_text("x" * (logs.MAX_BYTES + 10), "utf-8")
    procs = [
        subprocess.Popen([sys.executable, "-c", code, name], env=env, stderr=subprocess.PIPE, text=True)
        for name in ("图形界面", "命令行")
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    assert not any("Logging error" in e or "Traceback" in e for e in errors), errors
    text = "".join(f.read_text("utf-8") for f in home_logs.glob("aidoffice.log*"))
    for name in ("图形界面", "命令行"):
        assert sum(f"{name} 第" in line for line in text.splitlines()) == 3000
