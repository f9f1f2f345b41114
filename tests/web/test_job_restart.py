"""A restart of ``wardflow serve`` loses no job: a real server process is killed while
its jobs are queued and running, a new one on the same data home resumes them, and
each finishes once (one ERP post per invoice)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.conftest import EXAMPLES, INBOX, ROOT, add_reviewers
from tests.web.conftest import CLEAN
from wardflow.config import Settings
from wardflow.review.tokens import TokenStore
from wardflow.runtime.jobs import SqliteJobStore
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master

DOCS = [CLEAN, "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf",
        "2026-09-03_brandt-buerobedarf_Rechnung_RE-2026-10873.pdf",
        "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf",
        "2026-10-14_harrow-finch_INV-004127.pdf",
        "2026-11-05_sternberg-it_SIT-2026-0661.pdf"]


def _serve(home: Path, log: IO[str]) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    exe = Path(sys.executable).with_name("wardflow")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "wardflow"]
    env = {**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MODEL": "none",
           "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500", "PYTHONPATH": str(ROOT),
           "WARDFLOW_WEB_SECRET": "x" * 32}
    process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{url}/", timeout=5)
            return process, url
        except httpx.TransportError:
            assert process.poll() is None and time.monotonic() < deadline, "not serving"
            time.sleep(0.1)


def _job_states(settings: Settings, threads: list[str]) -> dict[str, str | None]:
    store = SqliteJobStore(settings.control_path)
    try:
        return {t: (r.state if (r := store.get(t)) else None) for t in threads}
    finally:
        store.close()


@pytest.mark.slow
def test_a_killed_server_resumes_its_jobs_and_posts_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home, model="none", max_invoice_age_days=36500)
    with Workspace(settings) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(ws.principals)
        tokens = TokenStore(settings.review_path)
        token = tokens.create(ws.principals, "cleo", name="tests", expires_days=1, by="admin",
                              audit=ws.audit)[0]
        tokens.close()
    auth = {"Authorization": f"Bearer {token}"}
    log = (tmp_path / "serve.log").open("w+")
    first, url = _serve(home, log)
    threads: list[str] = []
    try:
        for name in DOCS:  # two workers: most of these wait in the queue
            answer = httpx.post(f"{url}/runs", headers=auth, timeout=60,
                                files={"document": (name, (INBOX / name).read_bytes(),
                                                    "application/pdf")})
            assert answer.status_code == 202, answer.text
            threads.append(answer.json()["id"])
    finally:
        first.send_signal(signal.SIGKILL)  # a crash: nothing is shut down cleanly
        first.wait(timeout=30)
    left = _job_states(settings, threads)
    assert set(left.values()) <= {"queued", "running", "finished", "failed"}
    unfinished = [t for t, state in left.items() if state in ("queued", "running")]
    assert unfinished, f"every job ended before the kill; nothing to resume: {left}"

    second, url = _serve(home, log)
    try:
        bodies: dict[str, Any] = {}
        deadline = time.monotonic() + 180
        for thread in threads:
            while True:
                body = httpx.get(f"{url}/runs/{thread}", headers=auth, timeout=60).json()
                if body.get("job") and body["job"]["state"] in ("finished", "failed"):
                    break
                assert second.poll() is None and time.monotonic() < deadline, body
                time.sleep(0.2)
            bodies[thread] = body
    finally:
        second.terminate()
        second.wait(timeout=60)
        log.seek(0)
        output = log.read()
        log.close()
    assert all(b["job"]["state"] == "finished" for b in bodies.values()), (bodies, output)
    assert all(b["job"]["error"] is None for b in bodies.values()), output
    assert all(b["job"]["note"] for t, b in bodies.items() if t in unfinished)
    with Workspace(settings) as ws:
        posted = Counter(p.invoice_number for p in ws.erp.postings())
    assert posted["NLS-INV-2026-0412"] == 1, (posted, output)  # the clean one, once
    assert all(n == 1 for n in posted.values()), posted
