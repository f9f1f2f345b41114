"""A live server for the security tests: a clerk logged in over 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime

import httpx
import pytest

from tests.web.conftest import PASSWORDS, SECRET, start_server
from wardflow.runtime.workspace import Workspace
from wardflow.web import CredentialStore, create_app


@pytest.fixture
def client(workspace: Workspace, clock: Callable[[], datetime]) -> Iterator[httpx.Client]:
    """A live server over ``workspace``'s data home; cleo, a clerk, is logged in."""
    credentials = CredentialStore(workspace.settings.review_path)
    credentials.set_password(workspace.principals, "cleo", PASSWORDS["cleo"])
    credentials.close()
    settings = workspace.settings.model_copy(update={"max_invoice_age_days": 36500})
    app = create_app(settings, secret=SECRET,
                     workspace_factory=lambda: Workspace(settings, clock=clock))
    server, thread, port = start_server(app)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        login = http.post("/api/login", json={"principal": "cleo", "password": PASSWORDS["cleo"]})
        assert login.status_code == 200, login.text
        http.headers["Authorization"] = f"Bearer {login.json()['token']}"
        yield http
        jobs = app.state.runs
        while jobs.active():  # let queued runs finish before the data home goes away
            time.sleep(0.05)
    server.should_exit = True
    thread.join(timeout=30)
