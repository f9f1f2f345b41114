"""A real review server on 127.0.0.1 over a data home with cases waiting for review."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import INBOX
from wardflow.config import Settings
from wardflow.runtime.workspace import Workspace
from wardflow.web import CredentialStore, create_app

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
COPY = "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf"
BANK = "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"

SECRET = "test-signing-key-0123456789abcdef"
SLACK_SECRET = "slack-signing-secret-for-tests"
PASSWORDS = {
    "dan": "dan-controller-password",
    "carla": "carla-approver-password",
    "cleo": "cleo-clerk-password",
    "ada": "ada-auditor-password",
}


@dataclass
class Cases:
    """The thread ids of the paused runs, by document."""

    copy: str
    bank: str


@pytest.fixture
def cases(workspace: Workspace) -> Cases:
    """Three documents submitted by sam: one posts, two wait for review.

    The re-sent copy is a duplicate (risk 0.90, an approver may decide); the
    Vanderberg invoice changes the bank account (a controller must decide).
    """
    runs = {r.document.rsplit("/", 1)[-1]: r for r in workspace.process(
        [INBOX / CLEAN, INBOX / COPY, INBOX / BANK], submitted_by="sam")}
    assert runs[CLEAN].status == "posted"
    assert runs[COPY].waiting_for_review and runs[BANK].waiting_for_review
    credentials = CredentialStore(workspace.settings.review_path)
    for name, password in PASSWORDS.items():
        credentials.set_password(workspace.principals, name, password)
    credentials.close()
    return Cases(copy=runs[COPY].thread_id, bank=runs[BANK].thread_id)


@dataclass
class LiveServer:
    """A uvicorn server in a thread, and an httpx client pointed at it."""

    url: str
    client: httpx.Client

    def token(self, name: str, password: str | None = None) -> str:
        response = self.client.post("/api/login", json={
            "principal": name, "password": password or PASSWORDS[name]})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def auth(self, name: str) -> dict[str, str]:
        """Headers of a request by ``name``, logged in with their password."""
        return {"Authorization": f"Bearer {self.token(name)}"}

    def decide(self, name: str, thread: str, **body: Any) -> httpx.Response:
        return self.client.post(f"/api/cases/{thread}/decision", json=body,
                                headers=self.auth(name))


def start_server(app: Any) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Serve ``app`` on a free port of 127.0.0.1; returns when it accepts connections."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the review server did not start")
        time.sleep(0.02)
    return server, thread, port


@pytest.fixture
def server(
    settings: Settings, cases: Cases, clock: Callable[[], datetime]
) -> Iterator[LiveServer]:
    app = create_app(settings, workspace_factory=lambda: Workspace(settings, clock=clock),
                     secret=SECRET, slack_signing_secret=SLACK_SECRET)
    uv, thread, port = start_server(app)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=60) as client:
        yield LiveServer(url, client)
    uv.should_exit = True
    thread.join(timeout=30)
