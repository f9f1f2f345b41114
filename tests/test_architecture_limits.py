"""Size limits: no module in wardflow/ over 600 lines, no function over 60.

The code that broke the limits before they were enforced is listed in
``KNOWN_OFFENDERS`` with its size then. The list may only shrink: a new offender, or
a listed one that grew, fails; so does a listed one that is back within the limits
(remove its entry, so that it cannot grow back unnoticed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wardflow"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60

# "path" for a module, "path::qualified.name" for a function -> lines when listed.
KNOWN_OFFENDERS: dict[str, int] = {}  # empty since every offender was split; keep it so


def sizes(name: str, source: str) -> dict[str, int]:
    """Lines of module ``name`` and of each function in it (``name::Class.method``;
    nested functions count inside their parent and on their own)."""
    found = {name: len(source.splitlines())}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qualified = f"{prefix}{child.name}"
                assert child.end_lineno is not None
                found[f"{name}::{qualified}"] = child.end_lineno - child.lineno + 1
                visit(child, f"{qualified}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(ast.parse(source), "")
    return found


def offenders(found: dict[str, int]) -> dict[str, int]:
    """The entries of ``found`` over their limit."""
    return {name: lines for name, lines in found.items()
            if lines > (MAX_FUNCTION_LINES if "::" in name else MAX_MODULE_LINES)}


def measure() -> dict[str, int]:
    """Every module of the package and every function in it, by size."""
    found: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        found.update(sizes(name, path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def measured() -> dict[str, int]:
    return measure()


def test_no_new_offender_and_none_grew(measured: dict[str, int]) -> None:
    problems = []
    for name, lines in sorted(offenders(measured).items()):
        known = KNOWN_OFFENDERS.get(name)
        if known is None:
            problems.append(f"{name}: {lines} lines (split it into well-named parts)")
        elif lines > known:
            problems.append(f"{name}: grew from {known} to {lines} lines (shrink it)")
    assert problems == [], "over the size limits:\n" + "\n".join(problems)


def test_the_allow_list_has_no_stale_entry(measured: dict[str, int]) -> None:
    current = offenders(measured)
    stale = sorted(name for name in KNOWN_OFFENDERS if name not in current)
    assert stale == [], ("within the limits now (or gone): remove from KNOWN_OFFENDERS:\n"
                         + "\n".join(stale))


def test_the_measure_finds_long_modules_and_functions() -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(60))
    source = (f"class A:\n    def long(self) -> None:\n{body}\n\n"
              "def short() -> None:\n    pass\n" + "\n" * 600)
    found = sizes("m.py", source)
    assert found["m.py::A.long"] == 61 and found["m.py::short"] == 2
    assert offenders(found) == {"m.py": len(source.splitlines()), "m.py::A.long": 61}
