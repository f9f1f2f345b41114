"""Two machines in one test: ``wardflow serve`` and ``wardflow worker`` as separate
processes with separate data homes, sharing only Postgres, an S3 server and a Chroma
server (the production layout of docs/deploy.md, in small).

A document announced to the server by an S3 notification is run by the worker; its
review is decided through the server's web API by a principal created on the worker's
machine; it posts once. The kill switch set on one machine stops the other.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest

from tests.conftest import EXAMPLES, INBOX, ROOT, wardflow_cli
from tests.s3.server import S3Server

pytestmark = pytest.mark.slow

NOTIFIER_TOKEN = "s3-notifier-secret-for-the-two-machines"
PASSWORD = "a long password for dan"
CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"  # posts straight through
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"  # an approver decides
LATER = "2026-10-31_cobalt-ridge_invoice-CR-100482.pdf"  # held while the switch is on


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(what: str, ready: Callable[[], Any], *, timeout_s: float = 120,
          alive: subprocess.Popen[bytes] | None = None) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = ready()
        if value:
            return value
        assert alive is None or alive.poll() is None, f"{what}: the process exited"
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s} s"
        time.sleep(0.25)


class Machine:
    """A data home of its own and the shared services' settings in its environment."""

    def __init__(self, name: str, home: Path, env: dict[str, str]) -> None:
        self.name, self.home, self.env = name, home, env
        self.processes: list[subprocess.Popen[bytes]] = []

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        if stdin is None:
            done = wardflow_cli(self.home, *args, **self.env)
        else:  # wardflow_cli has no input: the same call with the password on stdin
            exe = Path(sys.executable).with_name("wardflow")
            done = subprocess.run([str(exe), *args], input=stdin, capture_output=True,
                                  text=True, timeout=300, env=self._environ())
        assert done.returncode == 0, f"{self.name}: wardflow {' '.join(args)}: {done.stderr}"
        return done

    def _environ(self) -> dict[str, str]:
        return {**os.environ, "WARDFLOW_HOME": str(self.home), "PYTHONPATH": str(ROOT),
                **self.env}

    def start(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        exe = Path(sys.executable).with_name("wardflow")
        with log.open("wb") as out:
            process = subprocess.Popen([str(exe), *args], stdout=out, stderr=subprocess.STDOUT,
                                       env=self._environ())
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def machines(tmp_path: Path, postgres_url: str, s3_server: S3Server, chroma_url: str
             ) -> Iterator[tuple[Machine, Machine, S3Server, str]]:
    bucket = s3_server.bucket(versioned=True)
    shared = {
        "WARDFLOW_DATABASE_URL": postgres_url, "WARDFLOW_CHECKPOINTER": postgres_url,
        **{f"WARDFLOW_{k.upper()}": v for k, v in s3_server.env(bucket, "docs").items()},
        "WARDFLOW_CHROMA_URL": chroma_url, "WARDFLOW_MEMORY": "chroma",
        "WARDFLOW_EMBEDDING": "lexical",
        "WARDFLOW_WEB_SECRET": "the-same-signing-key-on-every-replica",
        "WARDFLOW_S3_EVENTS_TOKEN": NOTIFIER_TOKEN, "WARDFLOW_EVENT_RUNS": "workers",
        "WARDFLOW_MODEL": "none", "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500",
        "WARDFLOW_TRACING": "false", "RAY_USAGE_STATS_ENABLED": "0",
    }
    server = Machine("server", tmp_path / "home-a", shared)
    worker = Machine("worker", tmp_path / "home-b", shared)
    try:
        yield server, worker, s3_server, bucket
    finally:
        server.stop()
        worker.stop()


def _upload(s3: S3Server, bucket: str, name: str) -> dict[str, Any]:
    """Put an example invoice in the shared bucket's inbox; its S3 notification record."""
    key = f"docs/inbox/{name}"
    put = s3.client().put_object(Bucket=bucket, Key=key, Body=(INBOX / name).read_bytes())
    return {"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": bucket},
                   "object": {"key": quote_plus(key), "eTag": put["ETag"].strip('"'),
                              "versionId": put["VersionId"]}}}


def _notify(url: str, *records: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{url}/events/s3", json={"Records": list(records)}, timeout=60,
                      headers={"Authorization": f"Bearer {NOTIFIER_TOKEN}"})


def _worker_runs(log: Path) -> dict[str, str]:
    """thread id -> status, from the worker's ``--json`` lines."""
    runs = {}
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            run = json.loads(line)
            runs[run["thread_id"]] = run["status"]
    return runs


def test_serve_and_worker_share_only_postgres_s3_and_chroma(
    machines: tuple[Machine, Machine, S3Server, str], tmp_path: Path
) -> None:
    server, worker, s3, bucket = machines
    # On the worker's machine: the vendor master and a reviewer with a password.
    worker.cli("erp", "import", str(EXAMPLES / "erp.json"))
    worker.cli("principals", "add", "dan", "--role", "controller")
    worker.cli("principals", "password", "dan", "--password-stdin", stdin=PASSWORD + "\n")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    serve = server.start("serve", "--port", str(port), log=tmp_path / "serve.log")
    worker_log = tmp_path / "worker.log"
    work = worker.start("worker", "--workers", "1", "--interval", "0.5", "--json",
                        log=worker_log)

    def up() -> bool:
        try:
            return httpx.get(url + "/", timeout=1).status_code < 500
        except httpx.TransportError:
            return False

    _wait("serve answers", up, alive=serve)
    answer = _notify(url, _upload(s3, bucket, CLEAN), _upload(s3, bucket, OVER_LIMIT))
    assert answer.status_code == 202, answer.text
    queued = {r["id"]: r["status"] for r in answer.json()["runs"]}
    assert set(queued.values()) == {"queued"} and len(queued) == 2

    # The worker (the other machine) runs both: one posts, one waits for an approver.
    ran = _wait("the worker ran both documents",
                lambda: (runs := _worker_runs(worker_log)).keys() >= queued.keys() and runs,
                timeout_s=240, alive=work)
    assert sorted(ran[t] for t in queued) == ["awaiting_review", "posted"], ran
    [waiting] = [t for t in queued if ran[t] == "awaiting_review"]

    # Dan (a controller: over the approval limit), created on the worker's machine, logs
    # in on the server and approves.
    login = httpx.post(f"{url}/api/login", json={"principal": "dan", "password": PASSWORD})
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    case = httpx.get(f"{url}/api/cases/{waiting}", headers=auth, timeout=30)
    assert case.status_code == 200, case.text
    proposal = case.json()["request"]["proposed_action"]["args_hash"]
    decided = httpx.post(f"{url}/api/cases/{waiting}/decision", headers=auth, timeout=60,
                         json={"decision": "approve", "args_hash": proposal,
                               "comment": "over the limit; budget confirmed by the owner"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "posted"

    # The kill switch set on the worker's machine stops the server: a new object is held.
    worker.cli("kill-switch", "on", "--reason", "bank incident", "--as", "dan")
    later = _upload(s3, bucket, LATER)
    held = _notify(url, later)
    assert held.status_code == 423, held.text
    # ... and released on the server's machine, the worker runs it.
    server.cli("kill-switch", "off", "--as", "dan")
    again = _notify(url, later)
    assert again.status_code == 202, again.text
    [third] = [r["id"] for r in again.json()["runs"]]
    _wait("the worker ran the third document",
          lambda: _worker_runs(worker_log).get(third) == "posted", timeout_s=120, alive=work)

    # Each posted exactly once, in the one ERP both machines share.
    postings = json.loads(server.cli("erp", "list", "--json").stdout)
    assert sorted(p["invoice_number"] for p in postings) == [
        "CR-100482", "HM-2026-0077", "NLS-INV-2026-0412"]
    # Neither data home holds a store: everything shared lives in the shared services.
    for home in (server.home, worker.home):
        kept = {p.name for p in home.glob("*.sqlite")}
        assert not kept, f"{home.name} keeps {sorted(kept)}"
    assert not (server.home / "storage").exists()
