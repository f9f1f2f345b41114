"""Running one rule of a conformance suite (``wardflow.testing``) outside pytest's
collection: how the suites are shown to fail a store that breaks that rule."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any


def run_rule(suite: object, rule: str, fixtures: Mapping[str, Any],
             opened: Mapping[str, Callable[[], Any]]) -> None:
    """Run ``suite``'s test ``rule`` with its fixtures, as pytest would: those in
    ``fixtures`` as they are, and each of ``opened`` made (and closed after) only when the
    test asks for it."""
    test = getattr(suite, rule)
    names = inspect.signature(test).parameters
    given = dict(fixtures)
    stores = []
    try:
        for name, open_ in opened.items():
            if name in names:
                given[name] = open_()
                stores.append(given[name])
        test(**{name: given[name] for name in names})
    finally:
        for store in stores:
            store.close()
