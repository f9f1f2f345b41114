"""The one wrapper every tool call goes through: validate, guard, call, audit.

Policy wraps the tool instead of branching inside it: the ERP and storage code know
nothing about guards or the audit log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import StructuredTool
from pydantic import BaseModel

from wardflow.errors import GuardViolation, WardflowError
from wardflow.observability.audit import AuditLog, digest
from wardflow.observability.redact import redact

__all__ = ["ToolGuard", "governed_tool"]


class ToolGuard(Protocol):
    """Checks a tool call before it runs; raises :class:`GuardViolation` to block it."""

    def check(self, tool: str, args: BaseModel, metadata: Mapping[str, Any]) -> None: ...


def _context(config: RunnableConfig) -> tuple[str | None, str]:
    configurable = config.get("configurable") or {}
    metadata = config.get("metadata") or {}
    thread_id = configurable.get("thread_id") or metadata.get("thread_id")
    node = metadata.get("langgraph_node")
    return thread_id, f"wardflow/{node}" if node else "wardflow"


def governed_tool(
    name: str,
    description: str,
    args_schema: type[BaseModel],
    func: Callable[[BaseModel], Any],
    *,
    audit: AuditLog,
    guards: Sequence[ToolGuard] = (),
    audit_args: Callable[[BaseModel], Mapping[str, Any]] | None = None,
) -> StructuredTool:
    """Build a langchain-core tool whose every call is guarded and audited.

    Args:
        name: the tool's name, as a model sees it.
        args_schema: the typed arguments; a model's tool call is validated against it.
        func: the implementation, called with the validated arguments model.
        audit: where each call (arguments digest, redacted arguments, result or error)
            is recorded.
        guards: checks run before the call, in order.
        audit_args: what of the arguments to record (default: all, redacted); use it to
            leave out bulky payloads such as file contents.
    """

    def run(config: RunnableConfig, **kwargs: Any) -> Any:
        args = args_schema.model_validate(kwargs)
        thread_id, actor = _context(config)
        metadata = config.get("metadata") or {}
        recorded = dict(audit_args(args)) if audit_args else args.model_dump(mode="json")
        entry: dict[str, Any] = {"tool": name, "args_digest": digest(recorded),
                                 "args": redact(recorded)}
        started = time.perf_counter()
        try:
            for guard in guards:
                guard.check(name, args, metadata)
            result = func(args)
        except GuardViolation as err:
            entry.update(outcome="blocked", validator=err.validator, error=str(err))
            audit.append(f"tool.{name}", entry, actor=actor, thread_id=thread_id)
            raise
        except WardflowError as err:
            entry.update(outcome="error", error=str(err))
            audit.append(f"tool.{name}", entry, actor=actor, thread_id=thread_id)
            raise
        entry.update(
            outcome="ok",
            ms=round((time.perf_counter() - started) * 1000, 3),
            result=redact(result) if isinstance(result, (dict, list, str)) else None,
        )
        audit.append(f"tool.{name}", entry, actor=actor, thread_id=thread_id)
        return result

    return StructuredTool.from_function(
        func=run, name=name, description=description, args_schema=args_schema
    )
