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
             "rapidocr_onnxruntime", "pypdfium2", "opentelemetry"]
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
