"""The wrapper around every graph node: timing, audit record, fault injection.

Kept thin on purpose: the benchmark holds it to within 15% of a bare LangGraph node
on the same checkpointer.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.runnables import RunnableConfig

from wardflow.observability.audit import AuditLog, digest
from wardflow.observability.redact import redact

__all__ = ["NodeFn", "audited_node"]

NodeFn = Callable[[Mapping[str, Any], RunnableConfig], dict[str, Any]]

# State keys too bulky (or too sensitive) to copy into the audit log: a digest and a
# size stand in for them.
_DIGEST_ONLY = frozenset({"text"})


def _summary(update: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in update.items():
        if key in _DIGEST_ONLY and isinstance(value, str):
            out[key] = {"sha256": digest(value), "chars": len(value)}
        elif key != "steps":
            out[key] = value
    return redact(out)  # type: ignore[no-any-return]


def _die() -> None:
    # Fault injection for crash tests: no cleanup, no flush, exactly like a kill -9.
    os.kill(os.getpid(), signal.SIGKILL)


def audited_node(
    name: str, fn: NodeFn, *, audit: AuditLog, faults: frozenset[str] = frozenset()
) -> NodeFn:
    """Wrap ``fn`` so that each completed run of it is timed and audited.

    ``interrupt()`` inside ``fn`` propagates untouched: only completed steps are
    recorded, so a paused-then-resumed node is audited once.
    """
    before, after = f"before:{name}" in faults, f"after:{name}" in faults

    def run(state: Mapping[str, Any], config: RunnableConfig) -> dict[str, Any]:
        if before:
            _die()
        started = time.perf_counter()
        update = fn(state, config)
        ms = round((time.perf_counter() - started) * 1000, 3)
        configurable = config.get("configurable") or {}
        audit.append(
            f"node.{name}",
            _summary(update),
            actor=f"wardflow/{name}",
            thread_id=configurable.get("thread_id"),
            checkpoint_id=configurable.get("checkpoint_id"),
        )
        step: dict[str, Any] = {"node": name, "ms": ms}
        if "extraction" in update:
            step["confidence"] = update["extraction"].get("confidence")
        if "risk" in update:
            step["risk"] = update["risk"].get("score")
        update["steps"] = [step]
        if after:
            _die()
        return update

    run.__name__ = name
    return run
