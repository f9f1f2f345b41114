"""The package surface: exports, light import, no top-level shadowing packages."""

from __future__ import annotations

import subprocess
import sys

import wardflow
from tests.conftest import ROOT


def test_all_exports_exist_and_nothing_public_is_missing() -> None:
    for name in wardflow.__all__:
        assert getattr(wardflow, name) is not None, name
    public = {n for n in dir(wardflow) if not n.startswith("_")}
    assert set(wardflow.__all__) - {"__version__"} <= public


def test_import_is_light() -> None:
    heavy = ["litellm", "guardrails", "chromadb", "llama_cpp", "langgraph", "langchain_core",
             "rapidocr_onnxruntime", "pypdfium2", "opentelemetry", "boto3", "botocore"]
    code = (
        "import sys, wardflow; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == ""


def test_no_top_level_packages_that_shadow_others() -> None:
    for name in ("guardrails", "agents", "tools"):
        assert not (ROOT / name).exists(), name


def _exception_classes() -> dict[str, tuple[str, list[str]]]:
    """Every class defined in wardflow: name -> (module path, base names), read with ast
    (importing every module would pull in the optional dependencies)."""
    import ast

    classes: dict[str, tuple[str, list[str]]] = {}
    for path in sorted((ROOT / "wardflow").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "")
                         for b in node.bases]
                classes[node.name] = (str(path.relative_to(ROOT)), bases)
    return classes


def test_every_error_derives_from_wardflow_error_and_is_drawn_in_the_tree() -> None:
    import builtins
    import re

    from wardflow import errors

    classes = _exception_classes()

    def ancestry(name: str) -> set[str]:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            for base in classes.get(current, ("", []))[1]:
                if base not in seen:
                    seen.add(base)
                    todo.append(base)
        return seen

    builtin_errors = {n for n, v in vars(builtins).items()
                      if isinstance(v, type) and issubclass(v, BaseException)}
    raised = {name for name in classes
              if ancestry(name) & builtin_errors and not name.startswith("_")}
    assert len(raised) > 25  # the walk found the errors (a broken walk finds none)
    outside = sorted(f"{classes[n][0]}:{n}" for n in raised if n != "WardflowError"
                     and "WardflowError" not in ancestry(n))
    assert outside == []
    tree = errors.__doc__ or ""
    undrawn = sorted(n for n in raised if not re.search(rf"[─ ]{n}\b", tree))
    assert undrawn == []
