"""``serve()``: the app as ``wardflow serve`` runs it, in its own process, on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.web.conftest import PASSWORDS, Cases
from wardflow.config import Settings
from wardflow.web.auth import sign_token

pytestmark = pytest.mark.slow

ENV_SECRET = "secret-from-the-environment-0123"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_uses_the_environment_secret_and_the_real_workspace(
    settings: Settings, cases: Cases, tmp_path: Path
) -> None:
    port = _free_port()
    code = ("import sys; from wardflow.config import Settings; from wardflow.web import serve; "
            "serve(Settings(home=sys.argv[1], model='none', max_invoice_age_days=36500),"
            " port=int(sys.argv[2]))")
    env = {**os.environ, "WARDFLOW_WEB_SECRET": ENV_SECRET, "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen([sys.executable, "-c", code, str(settings.home), str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.1)
        login = httpx.post(url + "/api/login", json={"principal": "dan",
                                                     "password": PASSWORDS["dan"]})
        assert login.status_code == 200
        # Tokens are signed with the key from the environment.
        token = sign_token(ENV_SECRET.encode(), "ada", int(time.time()) + 60)
        inbox = httpx.get(url + "/api/inbox", headers={"Authorization": f"Bearer {token}"})
        assert [c["thread_id"] for c in inbox.json()["cases"]] == [cases.copy, cases.bank]
        assert "server" not in inbox.headers
    finally:
        process.terminate()
        process.wait(timeout=30)
    log.seek(0)
    output = log.read()
    log.close()
    # The access log shows requests, never the password or the token.
    assert "POST /api/login" in output
    assert PASSWORDS["dan"] not in output and ENV_SECRET not in output
    assert login.json()["token"] not in output and token not in output
