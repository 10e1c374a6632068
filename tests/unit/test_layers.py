"""The core's layers (docs/dev/architecture.md): every import points down, lazy (function-level) imports
included, packages on one rung never import each other (so no two packages import each other), and
`aidoffice` never imports `ui`. No exceptions are listed: a new package must be given its rung here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# lowest first; a package may import only from rungs below its own
RUNGS: list[set[str]] = [
    {"__init__"},  # aidoffice/__init__.py: the version only
    {"clock"},  # below everything: domain may ask it for today
    {"domain"},
    {"errors", "progress", "paths", "messages", "privacy"},
    {"files", "logs"},
    {"db"},
    {"sheets"},
    {"access"},
    {"catalogue"},
    {"ledgers"},
    {"importing"},
    {"reconcile"},
    {"publicity", "exporting", "casework"},
    {"safety"},
    {"services"},
    {"office", "demo"},
    {"cli"},
    {"__main__"},
]
RANK = {name: i for i, rung in enumerate(RUNGS) for name in rung}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def part_of(dotted: str) -> str:
    """The top-level part of the core a dotted name belongs to (`aidoffice.db.models` → `db`)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, at any depth of the file (lazy imports too), as absolute names;
    `from aidoffice import x` names `aidoffice.x` when x is a module or package, else `aidoffice`."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == root.name:
                for alias in node.names:
                    sub = root / alias.name
                    is_module = sub.is_dir() or sub.with_suffix(".py").is_file()
                    found.append((node.lineno, f"{target}.{alias.name}" if is_module else target))
            else:
                found.append((node.lineno, target))
    return found


def violations(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        source = part_of(module_name(path, root)) if path.parent != root else path.stem
        if source not in RANK:
            out.append(f"{path}: {source} has no rung in tests/unit/test_layers.py")
            continue
        for line, target in imports_of(path, root):
            where = f"{path.relative_to(root.parent)}:{line}"
            if target == "ui" or target.startswith("ui."):
                out.append(f"{where}: the core imports {target}")
                continue
            if target != root.name and not target.startswith(root.name + "."):
                continue
            dest = part_of(target)
            if dest == source:
                continue
            if dest not in RANK:
                out.append(f"{where}: {target} has no rung")
            elif RANK[dest] == RANK[source]:
                out.append(f"{where}: {source} imports {target}, a package on its own rung")
            elif RANK[dest] > RANK[source]:
                out.append(f"{where}: {source} imports {target}, from a higher layer")
    return out


def package_cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of more than one package in the import graph."""
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        source = part_of(module_name(path, root)) if path.parent != root else path.stem
        for _line, target in imports_of(path, root):
            if target.startswith(root.name + ".") and part_of(target) != source:
                graph.setdefault(source, set()).add(part_of(target))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in list(graph):
        if v not in index:
            visit(v)
    return cycles


def test_every_import_of_the_core_points_down():
    found = violations(ROOT / "aidoffice")
    assert not found, "\n".join(found)


def test_no_two_packages_of_the_core_import_each_other():
    assert package_cycles(ROOT / "aidoffice") == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "aidoffice"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def test_the_walk_sees_lazy_relative_and_ui_imports(tmp_path):
    """The checker itself: an upward import inside a function, a relative one, and one of ui are found."""
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "db/__init__.py": "",
            "db/engine.py": "def open():\n    from aidoffice.safety.backup import auto_backup\n",
            "ledgers/__init__.py": "",
            "ledgers/x.py": "from ..importing import rows\n",
            "importing/__init__.py": "",
            "importing/rows.py": "from aidoffice.ledgers import x\n",
            "cli/__init__.py": "def main():\n    import ui.app\n",
            "safety/__init__.py": "",
            "safety/backup.py": "auto_backup = None\n",
        },
    )
    found = "\n".join(violations(root))
    assert "aidoffice/db/engine.py:2: db imports aidoffice.safety.backup, from a higher layer" in found
    assert "aidoffice/ledgers/x.py:1: ledgers imports aidoffice.importing" in found
    assert "aidoffice/cli/__init__.py:2: the core imports ui.app" in found
    assert package_cycles(root) == [["importing", "ledgers"]]


def test_same_rung_packages_and_new_packages_are_refused(tmp_path):
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "publicity/__init__.py": "from aidoffice.exporting import roster\n",
            "exporting/__init__.py": "",
            "exporting/roster.py": "",
            "gadgets/__init__.py": "",
        },
    )
    found = "\n".join(violations(root))
    assert "publicity imports aidoffice.exporting, a package on its own rung" in found
    assert "gadgets has no rung" in found
