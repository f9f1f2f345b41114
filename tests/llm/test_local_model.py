"""The embedded local model, for real: Gemma 3 270M on llama.cpp, offline.

pytest-socket blocks every non-loopback connection during these tests, so each of
them also shows that running the model opens no network socket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tests.conftest import EXAMPLES, INBOX, NOW
from wardflow.config import Settings
from wardflow.llm import LLM
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master

pytestmark = pytest.mark.slow

CLEAN = "2026-10-14_harrow-finch_INV-004127.pdf"
INJECTED = "2026-11-05_sternberg-it_SIT-2026-0661.pdf"
UNKNOWN_VENDOR = "2026-11-10_greifenstein-eventtechnik_GE-2026-0093.pdf"


@pytest.fixture(scope="session")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wardflow.llm.local import bundled_gguf

    return bundled_gguf(tmp_path_factory.mktemp("models"))


@pytest.fixture
def local_settings(tmp_path: Path, gguf: Path) -> Settings:
    # The model reads every document here, settled or not, so that its path is tested.
    return Settings(home=tmp_path / "home", local_model_path=gguf, model_reads="always")


class Number(BaseModel):
    invoice_number: str


def test_litellm_completion_reaches_the_local_model(local_settings: Settings) -> None:
    from wardflow.llm._litellm import offline_litellm
    from wardflow.llm.local import local_handler

    LLM(local_settings)._ensure()  # registers local/gemma-3-270m
    response = offline_litellm().completion(
        model="local/gemma-3-270m", messages=[{"role": "user", "content": "Say OK."}],
        max_tokens=8, temperature=0,
    )
    assert response.model == "local/gemma-3-270m"
    assert response.usage.completion_tokens > 0
    first = local_handler().model("gemma-3-270m")
    offline_litellm().completion(model="local/gemma-3-270m",
                                 messages=[{"role": "user", "content": "Again."}], max_tokens=4)
    assert local_handler().model("gemma-3-270m") is first  # loaded once, reused


def test_structured_output_from_the_local_model(local_settings: Settings) -> None:
    llm = LLM(local_settings)
    messages = [{"role": "user", "content": "Invoice No. NLS-INV-2026-0412\nTotal due EUR 2,146.76"
                 "\nWhat is the invoice number? Answer in JSON."}]
    result = llm.structured("extractor", messages, Number)
    assert result.value == Number(invoice_number="NLS-INV-2026-0412")
    [usage] = result.usage
    assert usage.model == "local/gemma-3-270m" and usage.cost == 0.0
    assert usage.prompt_tokens > 10 and usage.completion_tokens > 0
    again = llm.structured("extractor", messages, Number)
    assert again.raw == result.raw  # temperature 0, fixed seed


def _workspace(settings: Settings) -> Workspace:
    ws = Workspace(settings, clock=lambda: NOW)
    ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
    return ws


def test_full_run_with_the_local_model_posts_and_accounts_usage(local_settings: Settings) -> None:
    with _workspace(local_settings) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        assert run.status == "posted", run
        assert run.llm_calls >= 1 and run.llm_tokens > 100 and run.llm_cost == 0.0
        state = ws.state(run.thread_id).values
        extraction = state["extraction"]
        assert extraction["model"]["status"] == "ok"
        assert extraction["model"]["prompt"] == "extract-invoice/2"
        assert all(u["model"] == "local/gemma-3-270m" for u in state["llm_usage"])
        for field in extraction["fields"].values():
            assert "model_value" in field or field["method"] != "model"


def test_model_is_not_asked_when_the_parsers_settled_every_field(tmp_path: Path) -> None:
    # A router whose every answer is invalid: had the model been asked, the run would
    # end in review with model_failed.
    settings = Settings(home=tmp_path / "home",
                        llm_router_config=_router(tmp_path, "not JSON"), llm_max_repairs=0)
    with _workspace(settings) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        state = ws.state(run.thread_id).values
        assert state["extraction"]["model"]["status"] == "skipped"
        assert state["llm_usage"] == [] and run.llm_calls == 0
        assert run.status == "posted", run.reasons
        [unknown] = list(ws.process([INBOX / UNKNOWN_VENDOR]))
        model = ws.state(unknown.thread_id).values["extraction"]["model"]
        assert model["status"] == "invalid_output"  # an open field: the model was asked
        assert unknown.llm_calls == 1


def test_guard_flagged_document_is_not_shown_to_the_model(local_settings: Settings) -> None:
    with _workspace(local_settings) as ws:
        [run] = list(ws.process([INBOX / INJECTED]))
        state = ws.state(run.thread_id).values
        assert state["extraction"]["model"]["status"] == "skipped"
        assert state["llm_usage"] == []
        assert run.status == "awaiting_review"


def _router(tmp_path: Path, response: str) -> Path:
    config = tmp_path / "router.json"
    config.write_text(json.dumps({"model_list": [{
        "model_name": "default",
        "litellm_params": {"model": "openai/gpt-4o-mini", "api_key": "sk-test",
                           "mock_response": response},
    }]}))
    return config


@pytest.mark.parametrize("answer", ["I cannot help with that.", '{"vendor_name": 42}'])
def test_model_returning_garbage_parks_the_run_in_review(tmp_path: Path, answer: str) -> None:
    settings = Settings(home=tmp_path / "home", llm_router_config=_router(tmp_path, answer),
                        llm_max_repairs=1, model_reads="always")
    with _workspace(settings) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        assert run.status == "awaiting_review"
        assert "model_failed" in run.reasons
        assert run.llm_calls == 2  # the first answer and one repair
        model = ws.state(run.thread_id).values["extraction"]["model"]
        assert model["status"] == "invalid_output" and answer in model["output"]
        assert ws.erp.postings() == []


def test_status_cli_shows_model_usage(tmp_path: Path, gguf: Path) -> None:
    from tests.conftest import wardflow_cli

    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    env: dict[str, Any] = {"WARDFLOW_MODEL": "local/gemma-3-270m",
                           "WARDFLOW_LOCAL_MODEL_PATH": str(gguf),
                           "WARDFLOW_MODEL_READS": "always"}
    [run] = json.loads(wardflow_cli(home, "process", str(INBOX / CLEAN), "--json", check=True,
                                    **env).stdout)
    table = wardflow_cli(home, "status", run["thread_id"], check=True, **env).stdout
    assert "call(s)" in table and "tok" in table and "$0.0000" in table


def test_invented_model_values_are_set_aside_not_sent_to_review(tmp_path: Path) -> None:
    invented = json.dumps({"vendor_name": "Invented Holdings plc", "invoice_number": None,
                           "invoice_date": None, "currency": "EUR",
                           "total_amount": "99,999.99"})
    settings = Settings(home=tmp_path / "home", llm_router_config=_router(tmp_path, invented),
                        model_reads="always")
    with _workspace(settings) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        assert run.status == "posted", run.reasons
        guard = ws.state(run.thread_id).values["guard"]
        [output] = [d for d in guard if d["boundary"] == "model_output"
                    and d["validator"] == "values_in_source"]
        assert output["outcome"] == "fixed" and "set aside" in output["detail"]
        assert str(ws.erp.postings()[0].total) == "6521.52"
