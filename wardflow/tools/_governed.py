"""The one wrapper every tool call goes through: validate, guard, call, audit.

Policy wraps the tool instead of branching inside it: the ERP and storage code know
nothing about guards or the audit log. Nodes call :meth:`GovernedTool.call` directly;
a model gets the same tool through :meth:`GovernedTool.as_tool` (a langchain-core
``StructuredTool`` with the typed argument schema). Both paths run the same checks.

Audit timing: a tool with side effects (a posting, a stored file) is recorded before
the call returns, so the record exists even if the process dies right after. A
read-only call made inside a graph node is recorded with that node's step (see
:mod:`wardflow.graphs._node`), atomically with the step's checkpoint.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import StructuredTool
from pydantic import BaseModel

from wardflow.errors import GuardViolation, WardflowError
from wardflow.observability.audit import AuditSink, PendingRecord, digest
from wardflow.observability.redact import redact
from wardflow.observability.tracing import DISABLED, Telemetry, tool_span

__all__ = ["GovernedTool", "ToolGuard", "collect_read_records"]

# Set by the node wrapper while a node runs: read-only tool calls append here.
_read_records: contextvars.ContextVar[list[PendingRecord] | None] = contextvars.ContextVar(
    "wardflow_read_records", default=None
)


def collect_read_records() -> tuple[list[PendingRecord], contextvars.Token[Any]]:
    """Start collecting read-only tool records for the current node (see ``_node``)."""
    records: list[PendingRecord] = []
    return records, _read_records.set(records)


def stop_collecting(token: contextvars.Token[Any]) -> None:
    _read_records.reset(token)


class ToolGuard(Protocol):
    """Checks a tool call before it runs; raises :class:`GuardViolation` to block it."""

    def check(self, tool: str, args: BaseModel, metadata: Mapping[str, Any]) -> None: ...


def _graph_context() -> tuple[str | None, str]:
    try:
        from langgraph.config import get_config

        config = get_config()
    except RuntimeError:
        return None, "wardflow"
    thread_id = (config.get("configurable") or {}).get("thread_id")
    node = (config.get("metadata") or {}).get("langgraph_node")
    return thread_id, f"wardflow/{node}" if node else "wardflow"


class GovernedTool:
    """A tool whose every call is validated, guarded and audited.

    Args:
        name: the tool's name, as a model sees it.
        description: what it does, for a model.
        args_schema: the typed arguments.
        func: the implementation, called with the validated arguments model.
        audit: where each call (arguments digest, redacted arguments, result or error)
            is recorded.
        guards: checks run before the call, in order.
        side_effects: whether the call changes anything (then it is audited at once).
        audit_args: what of the arguments to record (default: all, redacted); use it
            to leave out bulky payloads such as file contents.
    """

    def __init__(
        self,
        name: str,
        description: str,
        args_schema: type[BaseModel],
        func: Callable[[BaseModel], Any],
        *,
        audit: AuditSink,
        guards: Sequence[ToolGuard] = (),
        side_effects: bool = True,
        audit_args: Callable[[BaseModel], Mapping[str, Any]] | None = None,
        telemetry: Telemetry = DISABLED,
    ) -> None:
        self._telemetry = telemetry
        self.name = name
        self.description = description
        self.args_schema = args_schema
        self._func = func
        self._audit = audit
        self._guards = tuple(guards)
        self.side_effects = side_effects
        self._audit_args = audit_args

    def call(
        self, args: Mapping[str, Any] | BaseModel, *, metadata: Mapping[str, Any] | None = None
    ) -> Any:
        """Validate ``args``, run the guards, call the tool, record the call.

        Args:
            args: the arguments, as a dict or an instance of ``args_schema``.
            metadata: facts for the guards (e.g. the approved arguments' digest).

        Raises:
            GuardViolation: a guard blocked the call (it is recorded as blocked).
            ToolError: the tool failed (recorded as an error).
        """
        parsed = args if isinstance(args, self.args_schema) else self.args_schema.model_validate(args)
        thread_id, actor = _graph_context()
        recorded = dict(self._audit_args(parsed)) if self._audit_args else parsed.model_dump(mode="json")
        entry: dict[str, Any] = {"tool": self.name, "args_digest": digest(recorded),
                                 "args": redact(recorded)}
        started = time.perf_counter()
        with tool_span(self._telemetry, self.name, side_effects=self.side_effects,
                       thread_id=thread_id, args_digest=entry["args_digest"]) as span:
            try:
                for guard in self._guards:
                    guard.check(self.name, parsed, metadata or {})
                result = self._func(parsed)
            except GuardViolation as err:
                entry.update(outcome="blocked", validator=err.validator, error=str(err))
                span.tool_result("blocked", str(err))
                self._record(entry, actor, thread_id, immediate=True)
                raise
            except WardflowError as err:
                entry.update(outcome="error", error=str(err))
                span.tool_result("error", str(err))
                self._record(entry, actor, thread_id, immediate=True)
                raise
            span.tool_result("ok")
        entry.update(
            outcome="ok",
            ms=round((time.perf_counter() - started) * 1000, 3),
            result=redact(result) if isinstance(result, (dict, list, str)) else None,
        )
        self._record(entry, actor, thread_id, immediate=self.side_effects)
        return result

    def _record(
        self, entry: dict[str, Any], actor: str, thread_id: str | None, *, immediate: bool
    ) -> None:
        pending = PendingRecord(f"tool.{self.name}", entry, actor, thread_id)
        buffer = _read_records.get()
        if immediate or buffer is None:
            self._audit.append_many([pending])
        else:
            buffer.append(pending)

    def as_tool(self) -> StructuredTool:
        """This tool for a model's tool calling (langchain-core ``StructuredTool``)."""

        def run(config: RunnableConfig, **kwargs: Any) -> Any:
            return self.call(kwargs, metadata=config.get("metadata"))

        return StructuredTool.from_function(
            func=run, name=self.name, description=self.description, args_schema=self.args_schema
        )
