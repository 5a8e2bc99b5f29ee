"""The package's shape (docs/design.md): every module imports alone, the import graph has no cycle,
each outside library has one home, the pure core stays pure, and dependencies point one way.

The graph is read from the source with ``ast``: every import, including those inside functions
(they run too, only later), but not those under ``if TYPE_CHECKING:`` (they never run). Strings
naming a module (``"calmtune.cli.play:relax"`` in the lazy command table) count as imports.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

import calmtune

SRC = Path(calmtune.__file__).resolve().parent
PACKAGE = "calmtune"

# Outside library -> the one part of calmtune that may import it.
HOMES = {
    "mutagen": "calmtune.tags",
    "pygame": "calmtune.playback",
    "rich": "calmtune.ui",
    "click": "calmtune.cli",
    "sqlite3": "calmtune.library",
    # Whichever D-Bus binding desktop/ uses.
    **dict.fromkeys(("dbus", "dbus_next", "dbus_fast", "jeepney", "dasbus", "pydbus", "sdbus"),
                    "calmtune.desktop"),
}  # fmt: skip
CORE = ("calmtune.models", "calmtune.errors", "calmtune.mood")
# Only the modules of the first part may import those of the second (and each part itself).
TOP_LAYERS = {
    "calmtune.cli": ("calmtune.__main__",),
    "calmtune.ui": ("calmtune.cli",),
    "calmtune.desktop": ("calmtune.cli",),
}
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT)\b")
MODULE_STRING = re.compile(r"^calmtune(\.\w+)+(:\w+)?$")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(SRC.rglob("*.py"))
    }


def _within(name: str, part: str) -> bool:
    return name == part or name.startswith(part + ".")


def _owner(dotted: str) -> str:
    """The calmtune module a dotted name refers to: itself, or the module that defines it."""
    while dotted not in modules():
        dotted = dotted.rpartition(".")[0]
    return dotted


def _runtime_nodes(tree: ast.AST):
    """Every node, skipping the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


@cache
def imports() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """module -> (calmtune modules it imports, top-level outside packages it imports)."""
    graph = {}
    for name, tree in modules().items():
        ours, outside = set(), set()
        for node in _runtime_nodes(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's own package, up level - 1
                    package = name.split(".") if name in _packages() else name.split(".")[:-1]
                    package = package[: len(package) - node.level + 1]
                    base = ".".join([*package, base] if base else package)
                targets = [f"{base}.{alias.name}" for alias in node.names]
                if not base.startswith(PACKAGE):
                    targets = [base]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                targets = [node.value.split(":")[0]] if MODULE_STRING.match(node.value) else []
            else:
                continue
            for target in targets:
                top = target.split(".")[0]
                if top == PACKAGE:
                    ours.add(_owner(target))
                elif top != "__future__":
                    outside.add(top)
        ours.discard(name)
        graph[name] = (frozenset(ours), frozenset(outside))
    return graph


@cache
def _packages() -> frozenset[str]:
    return frozenset(_module_name(path) for path in SRC.rglob("__init__.py"))


def _cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_import_graph_sees_lazy_and_registry_imports():
    """The reader must see what the checks below rely on, or they could not fail."""
    ours, outside = imports()["calmtune.library.db"]
    assert "calmtune.library.migrations" in ours  # imported inside a function
    assert "sqlite3" in outside
    assert "calmtune.cli.play" in imports()["calmtune.cli.app"][0]  # a lazy command
    assert "click" not in imports()["calmtune.logs"][1]  # only under TYPE_CHECKING
    assert _cycles({"a": frozenset("b"), "b": frozenset("c"), "c": frozenset("a")}) == [
        ["a", "b", "c"]
    ]


def test_import_graph_has_no_cycle():
    graph = {name: ours for name, (ours, _outside) in imports().items()}
    assert _cycles(graph) == []


def test_each_outside_library_is_imported_only_in_its_home():
    strays = [
        f"{name} imports {library}"
        for name, (_ours, outside) in imports().items()
        for library, home in HOMES.items()
        if library in outside and not _within(name, home)
    ]
    assert strays == []


def test_sql_is_written_only_in_the_library_package():
    strays = [
        f"{name}:{node.lineno}"
        for name, tree in modules().items()
        if not _within(name, "calmtune.library")
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)
    ]
    assert strays == []


def test_the_pure_core_imports_only_the_core_and_the_standard_library():
    strays = []
    for name, (ours, outside) in imports().items():
        if not any(_within(name, part) for part in CORE):
            continue
        strays += [f"{name} imports {m}" for m in ours if not any(_within(m, p) for p in CORE)]
        strays += [f"{name} imports {m}" for m in outside if m not in sys.stdlib_module_names]
    assert strays == []


def test_cli_ui_and_desktop_are_imported_only_from_above():
    strays = [
        f"{name} imports {target}"
        for name, (ours, _outside) in imports().items()
        for target in ours
        for layer, allowed in TOP_LAYERS.items()
        if _within(target, layer)
        and not _within(name, layer)
        and not any(_within(name, a) for a in allowed)
    ]
    assert strays == []


def test_migrations_import_nothing_of_todays_code():
    tree = modules()["calmtune.library.migrations"]
    steps = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and re.match(r"m\d{3}_", node.name)
    ]
    assert len(steps) >= 3
    strays = [
        f"{step.name} imports {node.module if isinstance(node, ast.ImportFrom) else node.names[0].name}"
        for step in steps
        for node in ast.walk(step)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and (
            (isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(PACKAGE)))
            or (isinstance(node, ast.Import) and any(a.name.startswith(PACKAGE) for a in node.names))
        )
    ]  # fmt: skip
    assert strays == []
    top_level = imports()["calmtune.library.migrations"][0]
    assert top_level <= {"calmtune.errors"}  # migrate() raises LibraryError for a newer index


def test_every_module_imports_alone_in_a_fresh_interpreter():
    """One clean interpreter that never imports calmtune forks a child per module, so each module
    is imported with nothing of calmtune loaded before it (a hidden order dependency fails).

    The parent loads the heavy outside libraries once, to spare each child the time: that cannot
    hide a missing import in a calmtune module, whose own namespace still lacks the name."""
    names = sorted(name for name in modules() if name != "calmtune.__main__")
    script = textwrap.dedent(
        """
        import importlib, os, sys, traceback
        for heavy in ("numpy", "pygame", "mutagen", "rich.console", "click", "soundfile"):
            try:
                importlib.import_module(heavy)
            except ImportError:
                pass
        failed = []
        for name in sys.argv[1:]:
            pid = os.fork()
            if pid == 0:
                try:
                    importlib.import_module(name)
                except BaseException:
                    traceback.print_exc()
                    os._exit(1)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            if status != 0:
                failed.append(name)
        print("FAILED:" + ",".join(failed))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "FAILED:", done.stderr
    assert len(names) > 100
