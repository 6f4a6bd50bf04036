"""The house's rules, checked on the source: layers, import cycles and module size.

Imports are read with :mod:`ast` from every module under ``src/``, including imports
inside functions, so a lazy import cannot hide a cycle or a wrong-way arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGES = ("glocal", "glocal_api", "glocal_cli")

#: Inside the core, each layer may import only the layers listed after it
#: (report -> analysis, views, data -> store, canned -> dataset -> formats -> namespaces).
#: A module outside any subpackage is its own layer, named after the module.
CORE_LAYERS: dict[str, set[str]] = {
    "report": {"analysis", "views", "data", "store", "canned", "dataset", "formats"},
    "analysis": {"store", "canned", "dataset", "formats"},
    "views": {"store", "canned", "dataset", "formats"},
    "data": {"store", "canned", "dataset", "formats"},
    "store": {"dataset", "formats"},
    "canned": {"dataset", "formats"},
    "dataset": {"formats"},
    "formats": set(),
}
#: Imported by every layer: the prefixes, the shipped files' paths, the version.
CORE_SHARED = {"namespaces", "resources", ""}

#: The longest a module may be without saying why in its docstring.
MAX_LINES = 400
#: The words a longer module's docstring uses to say why.
REASON_MARKER = "Longer than"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((SRC / package).rglob("*.py"))
    }


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that ``name`` imports, resolved to module names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            # The longest known module that the dotted name starts with.
            parts = target.split(".")
            for end in range(len(parts), 0, -1):
                candidate = ".".join(parts[:end])
                if candidate in known:
                    if candidate != name:
                        found.add(candidate)
                    break
    return found


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    modules = _modules()
    known = set(modules)
    G = nx.DiGraph()
    G.add_nodes_from(known)
    for name, path in modules.items():
        for target in _imports(name, path, known):
            # A package's __init__ re-exporting its own modules is not an arrow
            # between layers; a module importing its package's __init__ is.
            if target.startswith(name + "."):
                continue
            G.add_edge(name, target)
    return G


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_import_graph_sees_the_packages(graph: nx.DiGraph) -> None:
    assert {"glocal.store.embedded", "glocal_api.app", "glocal_cli.main"} <= set(graph)
    assert graph.has_edge("glocal_cli.main", "glocal_cli.loading")


def test_the_core_imports_neither_the_api_nor_the_command_line(graph: nx.DiGraph) -> None:
    wrong = [
        (a, b)
        for a, b in graph.edges
        if a.split(".")[0] == "glocal" and b.split(".")[0] in ("glocal_api", "glocal_cli")
    ]
    assert not wrong, f"the core imports an outer layer: {wrong}"


def test_the_api_does_not_import_the_command_line(graph: nx.DiGraph) -> None:
    wrong = [
        (a, b) for a, b in graph.edges if a.startswith("glocal_api") and b.startswith("glocal_cli")
    ]
    assert not wrong, f"the API imports the command line: {wrong}"


def test_no_import_cycles(graph: nx.DiGraph) -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"modules that import each other: {cycles}"


def test_core_layers_point_one_way(graph: nx.DiGraph) -> None:
    wrong = []
    for a, b in graph.edges:
        if not (a.startswith("glocal.") and b.startswith("glocal.")):
            continue
        source, target = _layer(a), _layer(b)
        if source == target or target in CORE_SHARED or source in CORE_SHARED:
            continue
        if target not in CORE_LAYERS.get(source, set()):
            wrong.append(f"{a} -> {b}")
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)


def test_every_layer_is_known() -> None:
    layers = {_layer(m) for m in _modules() if m.startswith("glocal.")}
    assert layers <= set(CORE_LAYERS) | CORE_SHARED | {"analysis"}, layers - set(CORE_LAYERS)


def test_modules_are_small_or_say_why() -> None:
    long = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > MAX_LINES and REASON_MARKER not in docstring:
            long.append(f"{name}: {lines} lines")
    assert not long, (
        f"modules over {MAX_LINES} lines whose docstring does not say why "
        f"(a sentence starting {REASON_MARKER!r}):\n" + "\n".join(long)
    )


def test_every_package_and_module_has_a_docstring() -> None:
    missing = [
        name
        for name, path in _modules().items()
        if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not missing, f"no docstring: {missing}"


def test_media_types_are_spelled_only_in_glocal_formats() -> None:
    """Every other module names a media type through glocal.formats' constants."""
    wrong = []
    for name, path in _modules().items():
        if name == "glocal.formats":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and node.value.startswith(("text/", "application/"))
            ):
                wrong.append(f"{name}:{node.lineno}: {node.value!r}")
    assert not wrong, "media types spelled outside glocal.formats:\n" + "\n".join(wrong)
