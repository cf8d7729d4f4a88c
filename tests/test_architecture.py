"""The architecture in the tree: floors whose imports only go down, and no import circle.

``simlib`` is built in floors (DESIGN.md §2): ``files`` (where files are read and written)
→ ``inputs`` (what the model reads) → ``model`` → ``analysis`` → ``report`` (numbers, texts,
charts, exports) → ``ui`` (widgets and apps), with the command line on top. A module may
import from its own floor or below, never from above; imports inside functions count. No two
modules import each other, directly or round a circle. No file is over 600 lines and no
function over 150. The tests mirror the floors (``tests/<floor>/test_*.py``); the tests of
the whole package (architecture, command line, notebooks, the installed wheel) sit in
``tests/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simlib"
FLOORS = ("files", "inputs", "model", "analysis", "report", "ui")
TOP = len(FLOORS)  # simlib/__init__, __main__, cli, the shims of moved names
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 150


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(module: str) -> int:
    parts = module.split(".")
    return FLOORS.index(parts[1]) if len(parts) > 1 and parts[1] in FLOORS else TOP


#: simlib/_version.py is written by setuptools-scm (build, `make install`), not source: a
#: leaf without imports, left out here.
MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))
           if p != PACKAGE / "_version.py"}


def _imported(path: Path) -> set[str]:
    """Every simlib name ``path`` imports from (module or ``module.name``), at module level or
    inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "simlib":
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "simlib"}
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_import_names_a_module_that_exists(module):
    missing = sorted(m for m in _imported(MODULES[module])
                     if m not in MODULES and m != "simlib._version")  # written at build time
    assert not missing, f"{module} imports modules that do not exist: {missing}"


def _imports(path: Path) -> set[str]:
    """Every simlib module ``path`` imports, at module level or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "simlib":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "simlib"}
    return {m for m in found if m in MODULES}


GRAPH = {m: _imports(p) - {m} for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _floor(m) < TOP))
def test_imports_only_go_down(module):
    up = sorted(t for t in GRAPH[module] if _floor(t) > _floor(module))
    assert not up, f"{module} (floor {FLOORS[_floor(module)]}) imports from above: {up}"


def _cycles() -> list[list[str]]:
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    # the package's own __init__ (the public API, on top) is the one module every other
    # imports implicitly; it takes part in no circle because nothing below imports it
    assert not _cycles()
    below = [m for m in MODULES if _floor(m) < TOP and "simlib" in GRAPH[m]]
    assert not below, f"modules below the top that import the package itself: {below}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_giant_file_or_function(module):
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_FILE_LINES, f"{module}: {text.count(chr(10))} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1
            assert lines <= MAX_FUNCTION_LINES, f"{module}.{node.name}: {lines} lines"


def test_the_default_horizon_is_declared_once():
    """``years=10`` was written in 28 places; now the default horizon is
    ``model.structure.HORIZON_YEARS`` and nothing in simlib or a notebook spells it again (a
    notebook takes the default; a shorter run, such as the module checks' two years, is
    another quantity and may be written)."""
    import re

    from simlib.model.structure import HORIZON_YEARS

    default = re.compile(rf"years(?:: int)? ?= ?{HORIZON_YEARS}\b|\"--years\".*default={HORIZON_YEARS}\b")
    found = [f"{p.relative_to(PACKAGE.parent)}:{i}"
             for p in MODULES.values()
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if default.search(line)]
    notebooks = PACKAGE.parent / "notebooks"
    found += [str(p.relative_to(PACKAGE.parent)) for p in sorted(notebooks.glob("*.ipynb"))
              if re.search(rf"years={HORIZON_YEARS}\b", p.read_text(encoding="utf-8"))]
    assert not found, f"a number of years written as a default: {found}"


def test_the_tests_mirror_the_floors():
    tests = Path(__file__).resolve().parent
    folders = sorted(p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    assert set(folders) <= set(FLOORS), f"tests/ folders that are not floors: {folders}"
    for floor in folders:
        assert (PACKAGE / floor).is_dir()
        assert any((tests / floor).glob("test_*.py")), f"tests/{floor}/ has no tests"
