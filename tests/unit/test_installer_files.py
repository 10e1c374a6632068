"""The installer's recipes (installer/) name files that exist and keep the promises made to a clerk:
per-user install, the data kept on uninstall, Chinese names, one version number. Cheap: no build."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from aidoffice import __version__

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def test_the_version_is_written_in_one_place():
    """pyproject, the spec and the installers all read aidoffice.__version__; none writes its own."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "aidoffice.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    for name in ("aidoffice.nsi", "build_linux.sh", "build_windows.ps1", "aidoffice.spec"):
        text = (INSTALLER / name).read_text("utf-8")
        assert __version__ not in text, name
    assert "__version__" in (INSTALLER / "aidoffice.spec").read_text("utf-8")


def test_the_spec_collects_folders_that_exist():
    """A renamed folder (migrations, resources, the manual) would build a program that fails at start."""
    spec = (INSTALLER / "aidoffice.spec").read_text("utf-8")
    paths = re.findall(r'ROOT((?: / "[^"]+")+)', spec)
    assert len(paths) >= 6
    for path in paths:
        parts = re.findall(r'"([^"]+)"', path)
        if parts[-1].endswith((".txt", ".ico")) or (parts[0] == "installer" and parts[1] == "build"):
            continue  # written by the spec itself / only on Windows (checked below)
        assert ROOT.joinpath(*parts).exists(), parts
    for needed in ("migrations", "docs", "reportlab.graphics.barcode", "fonts/*", "zxingcpp", "pypdfium2"):
        assert needed in spec
    assert (ROOT / "resources" / "icons" / "aidoffice.ico").is_file()


def test_the_nsis_script_installs_per_user_and_keeps_the_data_unless_asked():
    nsi = (INSTALLER / "aidoffice.nsi").read_text("utf-8")
    assert "RequestExecutionLevel user" in nsi and "$LOCALAPPDATA\\Programs\\aidoffice" in nsi
    assert "HKLM" not in nsi  # no key a clerk without admin rights cannot write
    assert 'WriteRegStr HKCU "Software\\Classes\\.aidbak"' in nsi
    assert "$SMPROGRAMS" in nsi and "$DESKTOP" in nsi and 'MUI_LANGUAGE "SimpChinese"' in nsi
    data = re.search(r'Section /o "un\.[^"]*数据[^"]*"(.*?)SectionEnd', nsi, re.S)
    assert data and 'RMDir /r "$LOCALAPPDATA\\aidoffice"' in data.group(1)  # unticked by default
    assert nsi.count('RMDir /r "$LOCALAPPDATA\\aidoffice"') == 1
    icon = re.search(r'!define ICON "([^"]+)"', nsi).group(1).replace("\\", "/")
    assert (INSTALLER / icon).resolve().is_file()


@pytest.mark.skipif(not shutil.which("makensis"), reason="makensis 未安装（apt-get install nsis）")
def test_the_nsis_script_compiles(tmp_path):
    out = subprocess.run(
        ["bash", str(INSTALLER / "nsis_stub.sh")], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_desktop_entry_names_the_program_in_chinese_and_its_icon_exists():
    desktop = (INSTALLER / "aidoffice.desktop").read_text("utf-8")
    assert "Name[zh_CN]=学校资助办助手" in desktop and "Exec=/opt/aidoffice/aidoffice" in desktop
    icon = re.search(r"^Icon=(\S+)$", desktop, re.M).group(1)
    for size in (16, 32, 48, 256):
        assert (ROOT / "resources" / "icons" / f"{icon}-{size}.png").is_file()
    build = (INSTALLER / "build_linux.sh").read_text("utf-8")
    assert "ln -s /opt/aidoffice/aidoffice " in build
    for name in re.findall(r"installer/[\w./-]+", build):
        if name.rstrip("/") in ("installer/build", "installer/dist"):
            continue  # where the build writes, not a file of the recipe
        assert (ROOT / name).exists(), name


def test_the_icon_file_carries_every_size():
    from PIL import Image

    with Image.open(ROOT / "resources" / "icons" / "aidoffice.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])


@pytest.mark.skipif(sys.platform != "linux", reason="ELF and glibc: Linux only")
def test_glibc_floor_reads_the_highest_symbol_version_a_program_needs(capsys):
    """The check script must name a real GLIBC version, no newer than the glibc running it."""
    sys.path.insert(0, str(INSTALLER))
    try:
        import glibc_floor
    finally:
        sys.path.remove(str(INSTALLER))
    try:
        import elftools  # noqa: F401
    except ImportError:
        if not shutil.which("objdump"):
            pytest.skip("pyelftools 或 objdump 都没有")
    assert glibc_floor.main([os.path.realpath(sys.executable)]) == 0
    floor = capsys.readouterr().out.splitlines()[0]
    m = re.fullmatch(r"GLIBC_(\d+)\.(\d+)", floor)
    assert m, floor
    running = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]
    assert tuple(map(int, m.groups())) <= tuple(map(int, running.split(".")[:2]))
    assert glibc_floor.main([str(ROOT / "no-such-folder")]) == 1
