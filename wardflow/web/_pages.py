"""The web pages, rendered from Jinja templates once and served as they are.

The pages in ``templates/`` extend ``base.html`` (head, top bar, sign-in form) and carry
no per-request data: each is rendered once, when the app is built, and the routes serve
the same text. Their scripts and styles load from ``/static``; the Content-Security-Policy
allows nothing inline.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from wardflow.errors import ConfigError

try:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ConfigError("the web review needs the web extra: pip install 'wardflow[web]'") from err

__all__ = ["Page", "page_html"]

TEMPLATES = Path(__file__).parent / "templates"

Page = Literal["index.html", "audit.html", "audit-run.html", "runs.html"]


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@cache
def page_html(name: Page) -> str:
    """Render one page of the web app (once; later calls return the same text).

    Args:
        name: The page's template in ``wardflow/web/templates/``.

    Returns:
        The page's HTML.
    """
    return _environment().get_template(name).render()
