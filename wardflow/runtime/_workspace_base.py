"""What the parts of :class:`~wardflow.runtime.workspace.Workspace` share: the
collaborators it holds and the few methods each part calls, declared for the type
checker (the workspace sets and defines them; nothing here runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
    from langgraph.graph.state import CompiledStateGraph
    from langgraph.types import StateSnapshot

    from wardflow.config import Settings
    from wardflow.guardrails.killswitch import KillSwitches
    from wardflow.observability.audit import AuditSink
    from wardflow.review.principals import PrincipalDirectory
    from wardflow.services import Services
    from wardflow.tools.erp import ErpAdapter
    from wardflow.tools.inbox import InboxItem
    from wardflow.tools.storage import Storage


class WorkspaceBase:
    """The attributes and methods of a workspace that its parts use."""

    settings: Settings
    services: Services
    graph: CompiledStateGraph[Any, Any, Any, Any]
    erp: ErpAdapter
    storage: Storage
    audit: AuditSink
    principals: PrincipalDirectory
    switch: KillSwitches
    _clock: Callable[[], datetime]

    if TYPE_CHECKING:
        def _config(self, thread_id: str) -> RunnableConfig: ...

        def items(self, paths: Iterable[str | Path]) -> list[InboxItem]: ...

        def state(self, thread_id: str) -> StateSnapshot: ...

        def threads(self) -> list[str]: ...

        def rate_limit(self, principal: str, workflow: str) -> None: ...
