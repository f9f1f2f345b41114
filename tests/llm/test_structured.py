"""Structured output and failure paths through a real litellm Router.

Providers other than the local model are truly external here, so these tests use
litellm's own ``mock_response`` / ``mock_timeout`` (a real response object, no
network) through a Router configuration file, the way a user configures wardflow.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from wardflow.config import Settings
from wardflow.errors import ConfigError, ModelOutputError, ModelUnavailable
from wardflow.llm import LLM

MESSAGES = [{"role": "user", "content": "Give the invoice number of: Invoice No. A-17"}]


class Answer(BaseModel):
    invoice_number: str


def _llm(tmp_path: Path, models: list[dict[str, Any]], **extra: Any) -> LLM:
    config = tmp_path / "router.yaml"
    config.write_text(json.dumps({"model_list": models, **extra}))
    return LLM(Settings(home=tmp_path / "home", llm_router_config=config, llm_max_repairs=1))


def _model(name: str, **params: Any) -> dict[str, Any]:
    return {"model_name": name, "litellm_params": {"model": "openai/gpt-4o-mini",
                                                   "api_key": "sk-test", **params}}


def test_valid_output_is_validated_and_usage_recorded(tmp_path: Path) -> None:
    llm = _llm(tmp_path, [_model("default", mock_response='{"invoice_number": "A-17"}')])
    result = llm.structured("extractor", MESSAGES, Answer)
    assert result.value == Answer(invoice_number="A-17")
    [usage] = result.usage
    assert usage.agent == "extractor" and usage.ok
    assert usage.completion_tokens > 0 and usage.latency_ms >= 0


def test_invalid_json_is_repaired_then_raises_a_typed_error(tmp_path: Path) -> None:
    llm = _llm(tmp_path, [_model("default", mock_response="Sure! The number is A-17.")])
    with pytest.raises(ModelOutputError, match="after 2 attempt") as caught:
        llm.structured("extractor", MESSAGES, Answer)
    assert caught.value.output == "Sure! The number is A-17."
    assert [u["ok"] for u in caught.value.usage] == [False, False]


def test_wrong_shape_is_a_validation_failure(tmp_path: Path) -> None:
    llm = _llm(tmp_path, [_model("default", mock_response='{"number": 17}')])
    with pytest.raises(ModelOutputError, match="invoice_number"):
        llm.structured("extractor", MESSAGES, Answer)


def test_timeout_falls_back_to_the_second_model(tmp_path: Path) -> None:
    llm = _llm(
        tmp_path,
        [_model("default", mock_timeout=True, timeout=0.01),
         _model("backup", mock_response='{"invoice_number": "A-17"}')],
        fallbacks=[{"default": ["backup"]}], num_retries=0,
    )
    result = llm.structured("extractor", MESSAGES, Answer)
    assert result.value.invoice_number == "A-17"


def test_timeout_without_fallback_is_model_unavailable(tmp_path: Path) -> None:
    llm = _llm(tmp_path, [_model("default", mock_timeout=True, timeout=0.01)], num_retries=0)
    with pytest.raises(ModelUnavailable) as caught:
        llm.structured("extractor", MESSAGES, Answer)
    assert caught.value.retryable


def test_agent_specific_model_is_used(tmp_path: Path) -> None:
    llm = _llm(tmp_path, [_model("default", mock_response='{"invoice_number": "default"}'),
                          _model("extractor", mock_response='{"invoice_number": "own"}')])
    assert llm.structured("extractor", MESSAGES, Answer).value.invoice_number == "own"
    assert llm.structured("explainer", MESSAGES, Answer).value.invoice_number == "default"


def test_malformed_router_config_is_a_clear_error(tmp_path: Path) -> None:
    llm = _llm(tmp_path, [{"model_name": "x"}])
    with pytest.raises(ConfigError, match="litellm_params.model"):
        llm.structured("extractor", MESSAGES, Answer)


def test_tests_cannot_reach_the_network() -> None:
    # pytest-socket is active for the whole suite: any test that tried to reach a
    # provider (or a telemetry endpoint) would fail the same way.
    with pytest.raises(Exception, match="(?i)socket|blocked|host"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
