"""The pipeline's tool boundary in front of the real governed tools."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wardflow.errors import GuardViolation
from wardflow.guardrails import GuardPipeline, PipelineToolGuard
from wardflow.observability.audit import AuditLog
from wardflow.tools.erp import SqliteErp
from wardflow.tools.storage import LocalStorage
from wardflow.tools.toolset import Toolset


@pytest.fixture
def toolset(tmp_path: Path) -> Iterator[tuple[Toolset, AuditLog, list[list[dict[str, Any]]]]]:
    erp, audit = SqliteErp(tmp_path / "erp.sqlite"), AuditLog(tmp_path / "audit.sqlite")
    seen: list[list[dict[str, Any]]] = []
    guard = PipelineToolGuard(GuardPipeline(), record=seen.append)
    yield Toolset(erp, LocalStorage(tmp_path / "storage"), audit, guards=[guard]), audit, seen
    erp.close()
    audit.close()


def test_allowed_calls_pass_and_their_decisions_are_recorded(
    toolset: tuple[Toolset, AuditLog, list[list[dict[str, Any]]]],
) -> None:
    tools, _, seen = toolset
    pdf = b"%PDF-1.7\n\xff\xfe binary"
    assert tools.storage_put.call({"key": "incoming/a.pdf", "data": pdf})["size"] == len(pdf)
    assert [d["outcome"] for d in seen[-1]] == ["pass"] * 4
    assert seen[-1][0]["boundary"] == "tool_args"


def test_a_credential_in_arguments_blocks_the_call_and_is_audited(
    toolset: tuple[Toolset, AuditLog, list[list[dict[str, Any]]]],
) -> None:
    tools, audit, _ = toolset
    with pytest.raises(GuardViolation) as caught:
        tools.erp_lookup_vendor.call({"name": "api_key=9f8e7d6c5b4a39281706abcd"})
    assert caught.value.validator == "tool_arg_secrets"
    assert "9f8e7d6c5b4a" not in str(caught.value) + caught.value.evidence
    [record] = [r for r in audit.records() if r.action == "tool.erp_lookup_vendor"]
    assert record.payload["outcome"] == "blocked"
    assert record.payload["validator"] == "tool_arg_secrets"
