"""Secrets: read from the environment, a dotenv secrets file or a secrets directory,
and never written to logs, traces, the audit log or any file of the data home."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.conftest import EXAMPLES, INBOX, add_reviewers, wardflow_cli
from wardflow._crypto import generate_key
from wardflow.config import Settings

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
HEADER_SECRET = "sk-live-0b7c9e2f41d84a6e"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("WARDFLOW_"):
            monkeypatch.delenv(name)
    # An empty secrets directory, so that a /run/secrets on this machine plays no part.
    (tmp_path / "no-secrets").mkdir()
    monkeypatch.setenv("WARDFLOW_SECRETS_DIR", str(tmp_path / "no-secrets"))
    return monkeypatch


def test_secrets_file_is_read_and_the_environment_wins(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    key, other = generate_key(), generate_key()
    secrets = tmp_path / "wardflow.secrets"
    secrets.write_text(f"WARDFLOW_ENCRYPTION_KEY={key}\nWARDFLOW_OTLP_HEADERS="
                       f'{{"authorization": "Bearer {HEADER_SECRET}"}}\n')
    secrets.chmod(0o600)
    clean_env.setenv("WARDFLOW_SECRETS_FILE", str(secrets))

    settings = Settings()
    assert settings.encryption_key is not None
    assert settings.encryption_key.get_secret_value() == key
    assert settings.otlp_headers["authorization"].get_secret_value() == f"Bearer {HEADER_SECRET}"
    assert not caplog.records  # chmod 600: no warning
    clean_env.setenv("WARDFLOW_ENCRYPTION_KEY", other)
    assert Settings().encryption_key.get_secret_value() == other  # type: ignore[union-attr]

    secrets.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="wardflow.config"):
        Settings()
    assert "readable by other users" in caplog.text and key not in caplog.text

    clean_env.setenv("WARDFLOW_SECRETS_FILE", str(tmp_path / "missing.env"))
    with pytest.raises(ValueError, match="missing.env is not a file"):
        Settings()


def test_secrets_directory_one_file_a_setting(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    key = generate_key()
    folder = tmp_path / "run-secrets"
    folder.mkdir()
    (folder / "wardflow_encryption_key").write_text(key + "\n")
    clean_env.setenv("WARDFLOW_SECRETS_DIR", str(folder))

    settings = Settings()
    assert settings.encryption_key is not None
    assert settings.encryption_key.get_secret_value() == key
    assert key not in repr(settings) and key not in settings.model_dump_json()


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that keeps each request's headers and body."""

    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    received: list[tuple[dict[str, str], bytes]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 type("Handler", (_Collector,), {"received": received}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def _files_containing(home: Path, needles: list[str]) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {n}" for n in needles if n.encode() in data]
    return found


@pytest.mark.slow
def test_secrets_never_reach_logs_traces_or_files(
    tmp_path: Path, clock: Callable[[], datetime], caplog: pytest.LogCaptureFixture,
    collector: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    endpoint, received = collector
    key = generate_key()
    settings = Settings(
        home=tmp_path / "home", model="none", max_invoice_age_days=36500,
        otlp_endpoint=endpoint, otlp_headers={"authorization": SecretStr(f"Bearer {HEADER_SECRET}")},
        encryption_key=SecretStr(key),
    )
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("wardflow").debug("settings: %r", settings)
        with Workspace(settings, clock=clock) as ws:
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
            add_reviewers(ws.principals)
            runs = list(ws.process([INBOX / CLEAN, INBOX / OVER_LIMIT]))
            assert [r.status for r in runs] == ["posted", "awaiting_review"]

    # The header did its job: the collector got it, with the spans.
    assert received
    assert all(h.get("authorization") == f"Bearer {HEADER_SECRET}" for h, _ in received)
    secrets = [HEADER_SECRET, key]
    logged = caplog.text + " ".join(repr(r.args) for r in caplog.records)
    assert not [s for s in secrets if s in logged]
    assert not [s for s in secrets for _, body in received if s.encode() in body]
    assert _files_containing(settings.home, secrets) == []


@pytest.mark.slow
def test_cli_keys_and_a_wrong_key_through_the_entry_point(tmp_path: Path) -> None:
    home = tmp_path / "home"
    generated = wardflow_cli(home, "keys", "generate", check=True).stdout.strip()
    assert len(generated) == 44
    key_a, key_b = generated, generate_key()
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    off = wardflow_cli(home, "keys", "status", check=True).stdout
    assert "encryption at rest: off" in off

    ran = wardflow_cli(home, "process", str(INBOX / OVER_LIMIT), "--json", check=True,
                       WARDFLOW_ENCRYPTION_KEY=key_a)
    [run] = json.loads(ran.stdout)
    wrong = wardflow_cli(home, "status", run["thread_id"], WARDFLOW_ENCRYPTION_KEY=key_b)
    assert wrong.returncode == 1 and "neither WARDFLOW_ENCRYPTION_KEY" in wrong.stderr
    assert key_a not in wrong.stderr + wrong.stdout and key_b not in wrong.stderr

    rotated = wardflow_cli(home, "keys", "rotate", "--json", check=True,
                           WARDFLOW_ENCRYPTION_KEY=key_b, WARDFLOW_ENCRYPTION_KEYS_OLD=key_a)
    assert json.loads(rotated.stdout)["checkpoint_blobs"] > 0
    status = json.loads(wardflow_cli(home, "keys", "status", "--json", check=True,
                                     WARDFLOW_ENCRYPTION_KEY=key_b).stdout)
    assert list(status["checkpoint_blobs"]) == [status["key_id"]]
    resumed = wardflow_cli(home, "status", run["thread_id"], "--json", check=True,
                           WARDFLOW_ENCRYPTION_KEY=key_b)
    assert json.loads(resumed.stdout)["status"] == "awaiting_review"
