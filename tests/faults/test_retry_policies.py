"""Retry policies per node type, as configured and as compiled into the invoice graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.types import RetryPolicy

from wardflow.config import Settings
from wardflow.errors import ErpError, ModelOutputError, ModelUnavailable, RateLimited, StorageError
from wardflow.graphs.invoice import build_invoice_graph
from wardflow.graphs.retry import NODE_KINDS, dead_letter_record, node_retry_policy


def test_io_nodes_retry_transient_tool_errors_only(tmp_path: Path) -> None:
    policy = node_retry_policy(Settings(home=tmp_path, retry_io_attempts=5), "post_to_erp")
    assert policy is not None and policy.max_attempts == 5 and policy.jitter
    assert policy.backoff_factor == 2.0 and policy.max_interval == 8.0
    retry_on = policy.retry_on
    assert callable(retry_on)
    assert retry_on(ErpError("erp_post_invoice", "HTTP 503", retryable=True))
    assert retry_on(StorageError("storage", "disk full", retryable=True))
    assert retry_on(TimeoutError()) and retry_on(ConnectionResetError())
    assert not retry_on(ErpError("erp_post_invoice", "HTTP 422: bad total"))
    assert not retry_on(ValueError("a bug is not retried"))
    assert not retry_on(ModelUnavailable("m", "timeout", retryable=True))


def test_model_node_retries_timeouts_and_rate_limits(tmp_path: Path) -> None:
    policy = node_retry_policy(Settings(home=tmp_path), "extract")
    assert policy is not None and policy.max_attempts == 2
    retry_on = policy.retry_on
    assert callable(retry_on)
    assert retry_on(ModelUnavailable("m", "Timeout", retryable=True))
    assert retry_on(RateLimited("workflow:invoice", 10, 60.0, 3.0))
    assert not retry_on(ModelOutputError("m", "invalid JSON"))


@pytest.mark.parametrize("node", ["guard", "compliance", "route", "review"])
def test_pure_nodes_are_not_retried(tmp_path: Path, node: str) -> None:
    assert node_retry_policy(Settings(home=tmp_path), node) is None


def test_the_compiled_graph_carries_each_nodes_policy(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, model="none", memory="none", retry_io_attempts=7)
    graph = build_invoice_graph(settings)
    specs = graph.builder.nodes
    assert set(NODE_KINDS) == set(specs)
    for name, spec in specs.items():
        policy = spec.retry_policy
        expected = node_retry_policy(settings, name)
        assert policy == expected, name
    post = specs["post_to_erp"].retry_policy
    assert isinstance(post, RetryPolicy) and post.max_attempts == 7


def test_dead_letter_record_says_stage_reason_and_attempts(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    down = dead_letter_record(settings, "post_to_erp",
                              ErpError("erp_post_invoice", "HTTP 502", retryable=True), "t0")
    assert (down["stage"], down["reason"], down["attempts"], down["retryable"]) == (
        "post_to_erp", "erp_unavailable", 4, True)
    refused = dead_letter_record(settings, "post_to_erp",
                                 ErpError("erp_post_invoice", "HTTP 422"), "t0")
    assert (refused["reason"], refused["attempts"], refused["retryable"]) == (
        "erp_refused", 1, False)
