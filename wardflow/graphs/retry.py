"""Retry policies per node type, and the dead-letter record of a run that ran out of them.

Three kinds of node, three policies (LangGraph ``RetryPolicy``, exponential backoff with
jitter, bounded by ``Settings.retry_*``):

========  =====================================  ===========================================
kind      nodes                                  retried on
========  =====================================  ===========================================
io        ingest, risk, post_to_erp, archive,    a retryable tool error (ERP 5xx, 429,
          fail                                   timeout, dropped connection; storage
                                                 ``OSError``), ``TimeoutError``,
                                                 ``ConnectionError``
model     extract                                a retryable model error (timeout, rate
                                                 limit) or ``RateLimited``; also the
                                                 node's vendor-master read, as io
pure      guard, compliance, route, review       never: the same input gives the same error
========  =====================================  ===========================================

A run whose error is not retryable, or is still failing after the last attempt, is
parked in the dead letter (:func:`dead_letter_record`): it stays at its last
checkpoint, with the failed stage, the reason and the attempts in its ``error``, and
``wardflow process`` (or ``wardflow resume THREAD --retry``) runs the failed step again
once the fault is gone. Posting is idempotent, so a retried post never posts twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from langgraph.types import RetryPolicy

from wardflow.config import Settings
from wardflow.errors import ErpError, ModelError, RateLimited, StorageError, ToolError

__all__ = [
    "NODE_KINDS",
    "NodeKind",
    "dead_letter_record",
    "is_dead_letter",
    "node_retry_policy",
    "retry_io",
    "retry_model",
]

NodeKind = Literal["io", "model", "pure"]

NODE_KINDS: Mapping[str, NodeKind] = {
    "ingest": "io", "risk": "io", "post_to_erp": "io", "archive": "io", "fail": "io",
    "extract": "model",
    "guard": "pure", "compliance": "pure", "route": "pure", "review": "pure",
}


def retry_io(err: BaseException) -> bool:
    """Whether an I/O step may succeed if called again."""
    if isinstance(err, ToolError):
        return err.retryable
    return isinstance(err, (TimeoutError, ConnectionError))


def retry_model(err: BaseException) -> bool:
    """Whether a model step may succeed if called again (timeouts, rate limits)."""
    if isinstance(err, ModelError):
        return err.retryable
    return isinstance(err, RateLimited) or retry_io(err)


_RETRY_ON: Mapping[NodeKind, Callable[[BaseException], bool]] = {
    "io": retry_io, "model": retry_model,
}


def node_retry_policy(settings: Settings, node: str) -> RetryPolicy | None:
    """The retry policy of ``node`` (None: not retried). Unknown nodes count as io."""
    kind = NODE_KINDS.get(node, "io")
    if kind == "pure":
        return None
    attempts = settings.retry_io_attempts if kind == "io" else settings.retry_model_attempts
    return RetryPolicy(
        initial_interval=settings.retry_initial_s,
        backoff_factor=settings.retry_backoff,
        max_interval=settings.retry_max_interval_s,
        max_attempts=attempts,
        jitter=settings.retry_jitter,
        retry_on=_RETRY_ON[kind],
    )


def is_dead_letter(error: Mapping[str, Any] | None) -> bool:
    """Whether a run's ``error`` is a dead-letter record."""
    return bool(error) and bool((error or {}).get("dead_letter"))


def dead_letter_record(settings: Settings, stage: str, err: BaseException, at: str
                       ) -> dict[str, Any]:
    """The ``error`` of a run parked after ``stage`` failed with ``err``.

    ``attempts`` is what the stage's policy allowed: all of them for a retryable error
    (it was still failing), one for an error no retry can help.
    """
    policy = node_retry_policy(settings, stage)
    retryable = policy is not None and _RETRY_ON[NODE_KINDS.get(stage, "io")](err)
    return {
        "dead_letter": True,
        "stage": stage,
        "reason": _reason(err),
        "detail": str(err),
        "retryable": retryable,
        "attempts": policy.max_attempts if policy is not None and retryable else 1,
        "at": at,
    }


def _reason(err: BaseException) -> str:
    """A short reason code for the status table and the audit record."""
    if isinstance(err, ErpError):
        return "erp_unavailable" if err.retryable else "erp_refused"
    if isinstance(err, StorageError):
        return "storage_unavailable" if err.retryable else "storage_error"
    if isinstance(err, ModelError):
        return "model_unavailable"
    if isinstance(err, ToolError):
        return "tool_unavailable" if err.retryable else "tool_error"
    return type(err).__name__
