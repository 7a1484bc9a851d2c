"""The shape of the code, checked statically: every .py file of the repository is parsed with ast, nothing
is imported, so a check names the module that breaks it even when that module would not import.

An import counts wherever it stands: at the top, inside a function (a deferred import is still an arrow;
it only moves the moment it runs) or under `if TYPE_CHECKING:` (an arrow for the reader and the type
checker). `from pkg import name` is an arrow to the submodule pkg.name when there is one, else to pkg.
Importing a.b.c is not counted as an arrow to a and a.b: every submodule would then reach its package's
__init__, and a package that re-exports its submodules would be a cycle with each of them."""

from __future__ import annotations

import ast
import importlib.util
import itertools
from collections import deque
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("privwatch", "crawlers", "nlp", "storage", "config", "benchmarks", "tests")
# the packages of the product, whose imports must form no cycle (tests/ may import anything)
PROJECT = ("privwatch", "crawlers", "nlp", "storage", "config", "benchmarks")
# the ground floor and the packages on it: none of them may reach the application
BELOW_APPLICATION = ("crawlers", "nlp", "storage", "config")
MAX_LINES = 600
CLI_PACKAGE = "privwatch.cli"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {
    _module_name(path): path
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
    if "__pycache__" not in path.parts
}


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))


def _in_package(module: str, packages: tuple[str, ...]) -> bool:
    return module.split(".")[0] in packages


def _imported_names(module: str) -> list[tuple[str, int]]:
    """Every module name this module imports (absolute, submodules resolved), with its line."""
    is_package = MODULES[module].name == "__init__.py"
    names = []
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # a relative import counts from the module's package (the module itself when a package)
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                names.append((submodule if submodule in MODULES else base, node.lineno))
    return names


@cache
def _graph() -> dict[str, dict[str, int]]:
    """module -> {project module it imports: line of the first such import}."""
    graph: dict[str, dict[str, int]] = {}
    for module in MODULES:
        edges: dict[str, int] = {}
        for name, line in _imported_names(module):
            if name in MODULES and name != module:
                edges.setdefault(name, line)
        graph[module] = edges
    return graph


def _path(start: str, reached, within: tuple[str, ...] = PACKAGES) -> list[str] | None:
    """The shortest import chain from start to a module for which reached(module) holds, through modules
    of the given packages only; None when there is none."""
    graph = _graph()
    came_from: dict[str, str | None] = {}
    queue = deque()
    for successor in graph[start]:
        if _in_package(successor, within) and successor not in came_from:
            came_from[successor] = start
            queue.append(successor)
    while queue:
        module = queue.popleft()
        if reached(module):
            chain = [module]
            while chain[-1] != start or len(chain) == 1:
                chain.append(came_from[chain[-1]])
            return chain[::-1]
        for successor in graph[module]:
            if _in_package(successor, within) and successor not in came_from:
                came_from[successor] = module
                queue.append(successor)
    return None


def _describe(chain: list[str]) -> str:
    graph = _graph()
    return (
        " -> ".join(
            f"{module} (line {graph[module][successor]})" for module, successor in itertools.pairwise(chain)
        )
        + f" -> {chain[-1]}"
    )


LOWER_MODULES = [m for m in MODULES if _in_package(m, BELOW_APPLICATION)]
PROJECT_MODULES = [m for m in MODULES if _in_package(m, PROJECT)]


@pytest.mark.parametrize("module", LOWER_MODULES)
def test_module_below_the_application_never_reaches_privwatch(module):
    chain = _path(module, lambda m: _in_package(m, ("privwatch",)))
    assert chain is None, f"{module} reaches the application: {_describe(chain)}"


@pytest.mark.parametrize("module", PROJECT_MODULES)
def test_module_is_in_no_import_cycle(module):
    cycle = _path(module, lambda m: m == module, within=PROJECT)
    assert cycle is None, f"import cycle: {_describe(cycle)}"


def _line_count(module: str) -> int:
    return len(MODULES[module].read_text(encoding="utf-8").splitlines())


SIZED_MODULES = [
    m for m in PROJECT_MODULES if m != "storage.migrations" and not m.startswith("storage.migrations.")
]


@pytest.mark.parametrize("module", SIZED_MODULES)
def test_module_fits_in_one_reading(module):
    assert _line_count(module) <= MAX_LINES, (
        f"{MODULES[module].relative_to(ROOT)} has {_line_count(module)} lines (at most {MAX_LINES}): "
        "split it by job"
    )


NON_CLI_MODULES = [m for m in PROJECT_MODULES if m != CLI_PACKAGE and not m.startswith(CLI_PACKAGE + ".")]


@pytest.mark.parametrize("module", NON_CLI_MODULES)
def test_click_is_imported_only_by_the_cli_package(module):
    lines = [line for name, line in _imported_names(module) if name.split(".")[0] == "click"]
    assert not lines, (
        f"{MODULES[module].relative_to(ROOT)} imports click (line {', '.join(map(str, lines))}): "
        f"command-line code belongs in {CLI_PACKAGE.replace('.', '/')}/"
    )


def _option_flags(call: ast.Call) -> list[str]:
    """The flags of a click option declaration, `click.option("--db", ...)` or `option("--db", ...)`."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
    if name != "option":
        return []
    return [arg.value for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]


def test_db_option_is_declared_once():
    declarations = [
        f"{MODULES[module].relative_to(ROOT)}:{node.lineno}"
        for module in PROJECT_MODULES
        for node in ast.walk(_tree(module))
        if isinstance(node, ast.Call) and "--db" in _option_flags(node)
    ]
    assert len(declarations) == 1, f"the --db option is declared {len(declarations)} times: {declarations}"


@cache
def _datasette_private_names() -> frozenset[str]:
    """Every _name the installed Datasette defines: its private functions, methods, class attributes and
    the attributes its code sets on objects (self._x = ...)."""
    spec = importlib.util.find_spec("datasette")
    names: set[str] = set()
    for folder in spec.submodule_search_locations:
        for path in Path(folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            scopes = [tree, *(node for node in ast.walk(tree) if isinstance(node, ast.ClassDef))]
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.add(node.name)
                elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                    names.add(node.attr)
            # module and class attributes; a function's local variables are nobody's attribute
            for scope in scopes:
                for statement in scope.body:
                    if isinstance(statement, ast.Assign):
                        targets = statement.targets
                    elif isinstance(statement, ast.AnnAssign):
                        targets = [statement.target]
                    else:
                        continue
                    names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return frozenset(n for n in names if n.startswith("_") and n != "_" and not n.startswith("__"))


def _imports_datasette(module: str) -> bool:
    return any(name.split(".")[0] == "datasette" for name, _ in _imported_names(module))


def _datasette_private_uses(module: str) -> list[str]:
    """Where the module touches a private name of Datasette: an attribute `x._name` (self, cls and super()
    included) of a name Datasette defines, unless on self/cls in a class of the module that derives from
    nothing of Datasette's; a method `_name` overriding one of Datasette's in a class deriving from it;
    `from datasette... import _name`."""
    private = _datasette_private_names()
    tree = _tree(module)
    from_datasette: set[str] = set()  # the names the module binds to something of Datasette's
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            from_datasette |= {
                alias.asname or "datasette" for alias in node.names if alias.name.split(".")[0] == "datasette"
            }
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "datasette":
            from_datasette |= {alias.asname or alias.name for alias in node.names}
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    derived: set[str] = set()
    for _ in classes:  # a class deriving from one that derives from Datasette's, to any depth
        for cls in classes:
            roots = {n.id for base in cls.bases for n in ast.walk(base) if isinstance(n, ast.Name)}
            if roots & (from_datasette | derived):
                derived.add(cls.name)
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "datasette":
            uses += [f"line {node.lineno}: imports {a.name}" for a in node.names if a.name in private]
    for cls in classes:
        for item in cls.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                if cls.name in derived and item.name in private:
                    uses.append(f"line {item.lineno}: {cls.name} overrides {item.name}")
    own_objects: dict[int, bool] = {}  # id of a self/cls Name node -> its class derives from Datasette's
    for cls in classes:
        for function in cls.body:
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and function.args.args:
                first = function.args.args[0].arg
                for n in ast.walk(function):
                    if isinstance(n, ast.Name) and n.id == first and first in ("self", "cls"):
                        own_objects[id(n)] = cls.name in derived
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in private:
            if own_objects.get(id(node.value)) is False:
                continue
            uses.append(f"line {node.lineno}: {ast.unparse(node)}")
    return uses


DATASETTE_MODULES = [m for m in PROJECT_MODULES if _imports_datasette(m)]


@pytest.mark.parametrize("module", DATASETTE_MODULES)
def test_datasette_is_used_through_its_public_api(module):
    uses = _datasette_private_uses(module)
    assert not uses, f"{MODULES[module].relative_to(ROOT)} uses Datasette's private names: {'; '.join(uses)}"
