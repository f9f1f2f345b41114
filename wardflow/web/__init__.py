"""The review web page and its JSON API (``wardflow serve``; needs the ``web`` extra).

``create_app`` and ``serve`` load FastAPI when first used, so that the CLI can import
:mod:`wardflow.web.auth` (to set passwords) without the ``web`` extra installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wardflow.web.auth import CredentialStore

if TYPE_CHECKING:
    from wardflow.web.app import create_app, serve

__all__ = ["CredentialStore", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name in ("create_app", "serve"):
        from wardflow.web import app

        value = getattr(app, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wardflow.web' has no attribute {name!r}")
