"""The web pages rendered from the Jinja templates in wardflow/web/templates/."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import get_args

import pytest

from wardflow.web._pages import TEMPLATES, Page, _environment, page_html

STATIC = TEMPLATES.parent / "static"
PAGES: tuple[Page, ...] = get_args(Page)


class _Elements(HTMLParser):
    """The ids, scripts, stylesheets and inline code of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "script":
            src = found.get("src")
            self.scripts.append(str(src)) if src else self.inline.append("<script>")
        if tag == "link" and found.get("rel") == "stylesheet":
            self.stylesheets.append(str(found["href"]))
        if tag == "style" or "style" in found or any(k.startswith("on") for k in found):
            self.inline.append(tag)
        if tag == "a" and found.get("aria-current") == "page":
            self.current.append(str(found["href"]))


def _parse(html: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(html)
    return parsed


def test_every_page_has_the_shared_frame_and_unique_ids() -> None:
    for name in PAGES:
        page = _parse(page_html(name))
        assert len(page.ids) == len(set(page.ids)), name
        frame = {"who", "who-name", "who-role", "logout", "login-view", "login-form",
                 "login-name", "login-password", "login-submit", "login-error", "app-view"}
        assert frame <= set(page.ids), name
        assert page.inline == [], name
        assert page.stylesheets[0] == "/static/app.css"
        for asset in page.scripts + page.stylesheets:
            assert (STATIC / asset.removeprefix("/static/")).is_file(), asset


def test_each_page_marks_its_own_nav_item() -> None:
    assert _parse(page_html("audit.html")).current == ["/audit"]
    assert _parse(page_html("runs.html")).current == ["/operations"]
    assert _parse(page_html("audit-run.html")).current == []
    assert 'class="nav"' not in page_html("index.html")  # the review page has no nav


def test_every_element_a_script_looks_up_is_on_a_page_that_loads_it() -> None:
    ids_by_script: dict[str, set[str]] = {}
    for name in PAGES:
        page = _parse(page_html(name))
        for script in page.scripts:
            ids_by_script.setdefault(script, set()).update(page.ids)
    assert set(ids_by_script) == {"/static/app.js", "/static/client.js", "/static/audit.js",
                                  "/static/runs.js"}
    for script, ids in ids_by_script.items():
        source = (STATIC / script.removeprefix("/static/")).read_text(encoding="utf-8")
        looked_up = set(re.findall(r'\$\("([\w-]+)"\)', source))
        assert looked_up, script
        assert looked_up <= ids, (script, sorted(looked_up - ids))


def test_templates_autoescape() -> None:
    rendered = _environment().from_string("<p>{{ text }}</p>", {"text": "<script>"}).render()
    assert rendered == "<p>&lt;script&gt;</p>"


@pytest.mark.parametrize("name", PAGES)
def test_a_page_is_rendered_once(name: Page) -> None:
    assert page_html(name) is page_html(name)
    assert Path(TEMPLATES / name).is_file()
