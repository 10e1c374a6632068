"""Print the Debian packages a bundle needs from the system: every DT_NEEDED library of a bundled ELF
file that the bundle does not carry itself, found with `dpkg -S` on the build machine (libc6 left
out: its floor is glibc_floor.py's). Used by build_linux.sh for the .deb's Depends.

    python installer/deb_depends.py dist/aidoffice     → libdbus-1-3, libegl1, libfontconfig1, …"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from glibc_floor import elf_files

GLIBC_LIBS = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1"}
GLIBC_LIBS |= {"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libresolv.so.2", "libcrypt.so.1"}
# a plugin the desktop may lack (Wayland sessions): recommended, not required
OPTIONAL_PREFIXES = ("libwayland",)


def needed(path: Path) -> list[str]:
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    try:
        with path.open("rb") as f:
            for section in ELFFile(f).iter_sections():
                if isinstance(section, DynamicSection):
                    return [t.needed for t in section.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
    except (ELFError, OSError, ValueError):
        pass
    return []


def package_of(lib: str) -> str | None:
    out = subprocess.run(["dpkg", "-S", f"*/{lib}"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        pkg = line.split(":", 1)[0].strip()
        if pkg and "," not in pkg:
            return pkg
    return None


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    carried = {p.name for p in root.rglob("*")}
    missing: set[str] = set()
    for path in elf_files(root):
        missing |= {lib for lib in needed(path) if lib not in carried and lib not in GLIBC_LIBS}
    required, optional, unknown = set(), set(), []
    for lib in sorted(missing):
        pkg = package_of(lib)
        if pkg is None:
            unknown.append(lib)
        elif lib.startswith(OPTIONAL_PREFIXES):
            optional.add(pkg)
        else:
            required.add(pkg)
    print(", ".join(sorted(required)))
    print(", ".join(sorted(optional - required)))
    hard = [lib for lib in unknown if not lib.startswith(OPTIONAL_PREFIXES)]
    if unknown:
        print("不在任何已安装的软件包中：" + " ".join(unknown), file=sys.stderr)
    if hard:  # a Depends without them would install a program that cannot start
        print("install the packages that carry them on the build machine, then build again", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
