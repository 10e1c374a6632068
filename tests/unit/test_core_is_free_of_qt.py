import subprocess
import sys


def test_importing_every_core_module_loads_no_qt():
    """The core must run headless on a county server: no module of aidoffice may pull in Qt."""
    code = (
        "import pkgutil, importlib, sys, aidoffice\n"
        "for m in pkgutil.walk_packages(aidoffice.__path__, 'aidoffice.'):\n"
        "    if '.migrations' in m.name or m.name == 'aidoffice.__main__': continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = [n for n in sys.modules if n.startswith(('PySide6', 'shiboken6', 'ui'))]\n"
        "print(len(sys.modules)); assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
