"""The model times out or answers garbage: the run ends in review (``model_failed``)
and nothing is posted. The model is a server on 127.0.0.1 speaking the OpenAI
chat-completions protocol, called through litellm like any hosted model."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import INBOX
from tests.faults.conftest import CLEAN, cli_status
from wardflow.runtime.workspace import Workspace

pytestmark = pytest.mark.slow  # litellm is imported and called through HTTP


class ChatServer:
    """``POST /v1/chat/completions``: answers ``content`` after ``delay_s``."""

    def __init__(self) -> None:
        self.content = "{}"
        self.delay_s = 0.0
        self.calls = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.calls += 1
                time.sleep(server.delay_s)
                body = json.dumps({
                    "id": f"chatcmpl-{server.calls}", "object": "chat.completion",
                    "created": int(time.time()), "model": request["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": server.content}}],
                    "usage": {"prompt_tokens": 50, "completion_tokens": 9, "total_tokens": 59},
                }).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    return  # the client gave up (timeout)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server = ChatServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _router(tmp_path: Path, chat: ChatServer) -> Path:
    path = tmp_path / "router.json"
    path.write_text(json.dumps({"model_list": [{"model_name": "default", "litellm_params": {
        "model": "openai/fake-invoice-reader", "api_base": chat.url, "api_key": "sk-test",
        "timeout": 0.5}}], "num_retries": 1}))
    return path


def _model_settings(tmp_path: Path, chat: ChatServer) -> dict[str, Any]:
    return {"model": "openai/fake-invoice-reader", "llm_router_config": _router(tmp_path, chat),
            "llm_max_repairs": 1, "memory": "none",
            # Asked on every document: these tests are about the model's failures.
            "model_reads": "always"}


@pytest.mark.parametrize("answer", ["Sorry, I cannot read invoices.",
                                    '{"invoice_number": ["not", "a", "string"]}'])
def test_garbage_answer_ends_in_review_and_never_posts(
    chat: ChatServer, tmp_path: Path, open_workspace: Callable[..., Workspace], home: Path,
    answer: str,
) -> None:
    chat.content = answer
    with open_workspace(**_model_settings(tmp_path, chat)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        model = ws.state(run.thread_id).values["extraction"]["model"]
        assert ws.erp.postings() == []
    assert run.status == "awaiting_review" and "model_failed" in run.reasons
    assert model["status"] == "invalid_output" and answer in model["output"]
    assert chat.calls == 2  # the answer and one repair
    [shown] = cli_status(home)
    assert shown["status"] == "awaiting_review" and "model_failed" in shown["reasons"]


def test_model_timeout_ends_in_review_and_never_posts(
    chat: ChatServer, tmp_path: Path, open_workspace: Callable[..., Workspace], home: Path,
) -> None:
    chat.delay_s = 2.0  # past the 0.5 s timeout, on every call
    chat.content = '{"invoice_number": "NLS-INV-2026-0412"}'
    with open_workspace(**_model_settings(tmp_path, chat)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        model = ws.state(run.thread_id).values["extraction"]["model"]
        assert ws.erp.postings() == []
    assert run.status == "awaiting_review" and "model_failed" in run.reasons
    assert model["status"] == "unavailable" and "Timeout" in model["detail"]
    assert chat.calls == 2  # the call and the Router's one retry, then review
    [shown] = cli_status(home)
    assert shown["status"] == "awaiting_review" and "model_failed" in shown["reasons"]
