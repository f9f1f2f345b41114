"""wardflow: governed AI workflow automation.

``import wardflow`` is light: the graph machinery (LangGraph) and the heavy model and
guard libraries load only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wardflow.config import Settings
from wardflow.errors import WardflowError

if TYPE_CHECKING:
    from wardflow.graphs.invoice import build_invoice_graph
    from wardflow.review.payloads import ReviewDecision, ReviewRequest
    from wardflow.runstate import RunView
    from wardflow.runtime.workspace import Workspace, explain
    from wardflow.services import Services, build_services

__version__ = "0.1.0"

__all__ = [
    "ReviewDecision",
    "ReviewRequest",
    "RunView",
    "Services",
    "Settings",
    "WardflowError",
    "Workspace",
    "__version__",
    "build_invoice_graph",
    "build_services",
    "explain",
]

_LAZY = {
    "build_invoice_graph": "wardflow.graphs.invoice",
    "Workspace": "wardflow.runtime.workspace",
    "explain": "wardflow.runtime.workspace",
    "ReviewDecision": "wardflow.review.payloads",
    "ReviewRequest": "wardflow.review.payloads",
    "RunView": "wardflow.runstate",
    "Services": "wardflow.services",
    "build_services": "wardflow.services",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wardflow' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
