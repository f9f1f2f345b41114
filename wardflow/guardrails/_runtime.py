"""guardrails-ai, imported on first use and configured to stay offline and quiet.

Out of the box guardrails-ai exports OpenTelemetry spans about every validation to
its hub (``settings.rc.enable_metrics`` defaults to true without a ``~/.guardrailsrc``),
and ``Guard()`` reloads that rc file, so the setting must be switched off again after
``Guard.configure`` and before any validator is constructed (STACK-FACTS.md). Its own
tracing is switched off as well: those spans carry the validated text (documents with
IBANs) into whatever tracer provider the application set up. Nothing is fetched from
the hub: wardflow's validators are local classes.
"""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = ["guardrails_settings", "new_guard", "offline_guardrails"]


@functools.cache
def offline_guardrails() -> ModuleType:
    """The ``guardrails`` module with metrics and tracing off (once per process)."""
    # The default validator service runs validators concurrently on an asyncio loop
    # and merges their fixes; wardflow's validators build on each other's fixes
    # (markers, then redaction, then tokens) and the loop costs ~3 ms per call.
    os.environ["GUARDRAILS_RUN_SYNC"] = "true"
    with warnings.catch_warnings():
        # Its CLI (imported with the package) trips click/typer deprecations.
        warnings.simplefilter("ignore", DeprecationWarning)
        import guardrails  # type: ignore[import-untyped]  # ships no type hints

    _quiet()
    module: ModuleType = guardrails
    return module


def _quiet() -> None:
    from guardrails.settings import settings  # type: ignore[import-untyped]

    settings.rc.enable_metrics = False
    settings.disable_tracing = True
    settings.use_server = False


def guardrails_settings() -> Any:
    """guardrails-ai's settings singleton (for checks that metrics are off)."""
    offline_guardrails()
    from guardrails.settings import settings

    return settings


def new_guard(validators: Sequence[Callable[[], Any]], *, name: str) -> Any:
    """A ``guardrails.Guard`` running the validators the factories build, in order.

    Args:
        validators: factories, called only after metrics are switched off (a
            validator constructed while they are on starts a hub exporter).
        name: the guard's name (in guardrails-ai's own history).
    """
    guardrails = offline_guardrails()
    guard = guardrails.Guard(name=name, history_max_length=1)
    guard.configure(allow_metrics_collection=False)
    _quiet()  # configure() reloaded the rc file, which may switch metrics back on
    return guard.use(*(make() for make in validators))
