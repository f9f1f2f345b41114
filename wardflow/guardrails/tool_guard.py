"""The pipeline's tool boundary as a tool guard, for the governed tools.

:class:`~wardflow.tools.toolset.Toolset` runs every guard in its ``guards`` before a
call, and records a blocked call in the audit log with the guard's reason. Passing
``PipelineToolGuard(pipeline)`` there puts the tool boundary of the one guard
pipeline in front of every tool, whichever way it is called (a node, or a model's
tool call).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from wardflow.guardrails.pipeline import GuardPipeline

__all__ = ["PipelineToolGuard"]


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
