"""Tool guards for the governed tools: the pipeline's tool boundary, and the run's plan.

:class:`~wardflow.tools.toolset.Toolset` runs every guard in its ``guards`` before a
call, and records a blocked call in the audit log with the guard's reason. Passing
``PipelineToolGuard(pipeline)`` there puts the tool boundary of the one guard
pipeline in front of every tool, whichever way it is called (a node, or a model's
tool call). ``PlanToolGuard(plan)`` holds every call made inside a graph run to the
tools its plan gives the step that makes it: the steps that read untrusted text
(``guard``, ``extract``) call no tool at all, so an instruction a document smuggles
past the detector into a model's answer cannot turn into a tool call.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from pydantic import BaseModel

from wardflow.errors import GuardViolation
from wardflow.guardrails.pipeline import GuardPipeline

__all__ = ["INVOICE_PLAN", "PipelineToolGuard", "PlanToolGuard"]

# The invoice reference graph's plan: the tools each step may call.
INVOICE_PLAN: Mapping[str, frozenset[str]] = {
    "ingest": frozenset({"storage_put"}),
    "guard": frozenset(),
    "extract": frozenset(),
    "risk": frozenset({"erp_find_invoices", "erp_lookup_vendor"}),
    "compliance": frozenset(),
    "route": frozenset(),
    "review": frozenset(),
    "post_to_erp": frozenset({"erp_post_invoice"}),
    "archive": frozenset({"storage_archive", "storage_put"}),
    "fail": frozenset({"storage_archive", "storage_put"}),
}


def _current_step() -> str | None:
    try:
        from langgraph.config import get_config

        config = get_config()
    except RuntimeError:  # called outside a graph run
        return None
    node = (config.get("metadata") or {}).get("langgraph_node")
    return str(node) if node else None


class PlanToolGuard:
    """A ``ToolGuard`` that blocks a call its run's plan does not give the calling step.

    Calls outside a graph run (a script using the tools directly) are not a plan's
    business and pass.

    Args:
        plan: step name -> the tools that step may call; a step not listed may call
            none.
    """

    def __init__(self, plan: Mapping[str, Collection[str]]) -> None:
        self.plan = {step: frozenset(tools) for step, tools in plan.items()}

    def check(self, tool: str, args: BaseModel, metadata: Mapping[str, Any]) -> None:
        """Raise :class:`GuardViolation` when the current step may not call ``tool``."""
        step = _current_step()
        if step is None or tool in self.plan.get(step, frozenset()):
            return
        allowed = ", ".join(sorted(self.plan.get(step, ()))) or "no tool"
        raise GuardViolation("plan", f"step {step!r} may call {allowed}, not {tool}",
                             evidence=f"{step}:{tool}")


class PipelineToolGuard:
    """A ``ToolGuard`` (``check(tool, args, metadata)``) backed by
    :meth:`GuardPipeline.check_tool_args`.

    Args:
        pipeline: the run's guard pipeline.
        record: optional callback that receives every call's decisions (JSON-safe
            dicts), e.g. to put them in a trace; blocked calls are audited by the
            governed tool itself.
    """

    def __init__(
        self, pipeline: GuardPipeline,
        record: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.record = record

    def check(self, tool: str, args: BaseModel, metadata: Mapping[str, Any]) -> None:
        """Run the tool boundary on the call's arguments.

        Raises:
            GuardViolation: a validator blocked the call (its name, reason, evidence).
        """
        result = self.pipeline.check_tool_args(
            tool, args, approved_args_hash=metadata.get("approved_args_hash"))
        if self.record is not None:
            self.record(result.to_dicts())
        result.raise_if_blocked()
