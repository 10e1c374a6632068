"""Print the highest GLIBC_x.y symbol version that any ELF file (executable or shared library) under
the given folders needs: the oldest glibc the bundle can run on.

    python installer/glibc_floor.py dist/aidoffice            → GLIBC_2.34
    python installer/glibc_floor.py --list dist/aidoffice     → also the files needing the most

Reads the version-needed sections with pyelftools when it is installed, else with `objdump -T`.
Prints `none` when no file needs a versioned glibc symbol. Exit 1 when a folder does not exist."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

GLIBC = re.compile(r"GLIBC_(\d+)\.(\d+)(?:\.(\d+))?")


def elf_files(root: Path) -> Iterator[Path]:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                with path.open("rb") as f:
                    if f.read(4) == b"\x7fELF":
                        yield path
            except OSError:
                continue


def _versions_elftools(path: Path) -> set[tuple[int, ...]]:
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    found: set[tuple[int, ...]] = set()
    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            for section in elf.iter_sections():
                if isinstance(section, GNUVerNeedSection):
                    for _verneed, aux in section.iter_versions():
                        for a in aux:
                            m = GLIBC.fullmatch(a.name)
                            if m:
                                found.add(tuple(int(g) for g in m.groups() if g is not None))
    except (ELFError, OSError, ValueError):
        pass
    return found


def _versions_objdump(path: Path) -> set[tuple[int, ...]]:
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=False).stdout
    found = set()
    for m in GLIBC.finditer(out):
        found.add(tuple(int(g) for g in m.groups() if g is not None))
    return found


def versions(path: Path) -> set[tuple[int, ...]]:
    try:
        import elftools  # noqa: F401
    except ImportError:
        if not shutil.which("objdump"):
            raise SystemExit("需要 pyelftools（pip install pyelftools）或 objdump（binutils）") from None
        return _versions_objdump(path)
    return _versions_elftools(path)


def label(v: tuple[int, ...] | None) -> str:
    return "none" if v is None else "GLIBC_" + ".".join(map(str, v))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument(
        "--list", action="store_true", help="also name the files that need the highest version"
    )
    args = parser.parse_args(argv)
    highest: tuple[int, ...] | None = None
    needs: dict[Path, tuple[int, ...]] = {}
    for folder in args.folders:
        if not folder.exists():
            print(f"没有这个文件夹：{folder}", file=sys.stderr)
            return 1
        for path in [folder] if folder.is_file() else elf_files(folder):
            vs = versions(path)
            if vs:
                top = max(vs)
                needs[path] = top
                highest = top if highest is None or top > highest else highest
    print(label(highest))
    if args.list and highest is not None:
        for path, v in sorted(needs.items(), key=lambda kv: kv[1], reverse=True)[:15]:
            print(f"  {label(v)}  {path}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # `| head`
        sys.stderr.close()
        raise SystemExit(0) from None
