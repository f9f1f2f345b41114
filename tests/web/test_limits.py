"""Request bodies are capped while they stream in: a real ``serve()`` process on
127.0.0.1 gets bodies far over the limit (chunked, and declared up front) and answers
413 without buffering them (its peak memory, VmHWM, barely moves)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from wardflow.review.principals import PrincipalStore
from wardflow.web.auth import CredentialStore

SLACK_SECRET = "slack-signing-secret-for-tests"
CHUNK = b"x" * (256 * 1024)
HUGE = 96 * 1024 * 1024  # what a client sends; the server must not hold it
MAX_DOCUMENT = 512 * 1024
PASSWORD = "cleo-clerk-password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def _chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield CHUNK
        sent += len(CHUNK)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``serve()`` in its own process (as ``wardflow serve`` runs it): (url, pid)."""
    home = tmp_path_factory.mktemp("limits") / "home"
    home.mkdir()
    principals = PrincipalStore(home / "review.sqlite")
    principals.add("cleo", "clerk")
    credentials = CredentialStore(home / "review.sqlite")
    credentials.set_password(principals, "cleo", PASSWORD)
    credentials.close()
    principals.close()
    port = _free_port()
    code = ("import sys; from wardflow.config import Settings; from wardflow.web import serve; "
            "serve(Settings(home=sys.argv[1], model='none', max_document_bytes=int(sys.argv[3])),"
            " port=int(sys.argv[2]))")
    env = {**os.environ, "WARDFLOW_WEB_SECRET": "limits-test-secret-0123456789",
           "WARDFLOW_SLACK_SIGNING_SECRET": SLACK_SECRET, "PYTHONPATH": str(ROOT)}
    log = (home.parent / "serve.log").open("w+")
    process = subprocess.Popen([sys.executable, "-c", code, str(home), str(port),
                                str(MAX_DOCUMENT)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
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
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _post(url: str, path: str, content: object, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=60) as client:
        return client.post(path, content=content, headers=headers)  # type: ignore[arg-type]


def _token(url: str) -> str:
    login = httpx.post(url + "/api/login", json={"principal": "cleo", "password": PASSWORD})
    assert login.status_code == 200, login.text
    return str(login.json()["token"])


@pytest.mark.parametrize("path", ["/api/login", "/api/slack/actions",
                                  "/api/cases/doc-1/decision", "/runs"])
def test_a_chunked_body_over_the_limit_is_413_before_it_is_buffered(
    live: tuple[str, int], path: str
) -> None:
    url, pid = live
    headers = {"Content-Type": "application/json"}
    if path == "/runs":  # it authenticates before it reads a body
        headers = {"Content-Type": "multipart/form-data; boundary=x",
                   "Authorization": f"Bearer {_token(url)}"}
    # Warm up the route's code (imports, first request) before taking the baseline.
    _post(url, path, b"{}", **headers)
    before = _peak_rss_kib(pid)
    response = _post(url, path, _chunks(HUGE), **headers)
    grown_mib = (_peak_rss_kib(pid) - before) / 1024
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    limit = MAX_DOCUMENT + 64 * 1024 if path == "/runs" else 64 * 1024
    assert f"accepts at most {limit} bytes" in detail
    assert ("WARDFLOW_MAX_DOCUMENT_BYTES" if path == "/runs"
            else "WARDFLOW_MAX_REQUEST_BYTES") in detail
    # 96 MiB sent; buffering even a third of it would show.
    assert grown_mib < 24, f"server peak memory grew {grown_mib:.0f} MiB"


def test_a_declared_length_over_the_limit_is_refused_before_any_body(
    live: tuple[str, int]
) -> None:
    url, _ = live
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        # Headers only: the answer must come without the body ever being sent.
        sock.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 300000000\r\n\r\n")
        answer = b""
        while data := sock.recv(65536):  # the server closes after its answer
            answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"declares 300000000 bytes" in answer


def test_bodies_within_the_limits_still_pass(live: tuple[str, int]) -> None:
    url, _ = live
    # A login body of fine size reaches the login check (401/422, not 413).
    small = _post(url, "/api/login", b'{"principal": "nobody", "password": "x"}',
                  **{"Content-Type": "application/json"})
    assert small.status_code != 413
    # The upload route takes more than the default 64 KiB (a document up to
    # max_document_bytes): 200 KiB, chunked, reaches the form parser.
    upload = _post(url, "/runs", _chunks(200 * 1024), Authorization=f"Bearer {_token(url)}",
                   **{"Content-Type": "multipart/form-data; boundary=x"})
    assert upload.status_code == 400 and "multipart" in upload.text, upload.text
