"""S3 objects as run triggers, against a real S3-protocol server (moto's, 127.0.0.1):
``POST /events/s3`` and the polling source start one run per object version."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.conftest import INBOX, add_reviewers
from tests.s3.server import S3Server
from wardflow.config import Settings
from wardflow.graphs.blueprint import load_blueprint
from wardflow.review.tokens import TokenStore
from wardflow.runtime.s3events import NotificationError, ObjectEvent, parse_notification
from wardflow.runtime.workspace import Workspace
from wardflow.services import open_event_ledger
from wardflow.web import create_app

TOKEN = "s3-notifier-shared-secret-for-tests"
PREFIX = "wardflow"
BLUEPRINT = """
name: s3-archive
trigger:
  event: "document_uploaded"
  source: "s3-bucket"
steps:
  - name: archive
    type: "storage"
    destination: "archive-bucket"
"""
FIRST = INBOX / "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
SECOND = INBOX / "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"


class Bucket:
    """A versioned bucket, the settings of a data home on it, and a way to upload."""

    def __init__(self, server: S3Server, tmp_path: Path) -> None:
        self.server = server
        self.name = server.bucket(versioned=True)
        self.client = server.client()
        blueprints = tmp_path / "blueprints"
        blueprints.mkdir()
        (blueprints / "s3-archive.yaml").write_text(BLUEPRINT)
        self.settings = Settings(home=tmp_path / "home", model="none", blueprints_dir=blueprints,
                                 s3_events_token=TOKEN, max_invoice_age_days=36500,
                                 **server.env(self.name, PREFIX))

    def upload(self, key: str, path: Path) -> dict[str, Any]:
        """Put ``path`` at storage key ``key``; the S3 notification record announcing it."""
        name = f"{PREFIX}/{key}"
        put = self.client.put_object(Bucket=self.name, Key=name, Body=path.read_bytes())
        return {"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": self.name},
                       "object": {"key": quote_plus(name), "size": path.stat().st_size,
                                  "eTag": put["ETag"].strip('"'), "versionId": put["VersionId"],
                                  "sequencer": "0055AED6DCD90281E5"}}}

    def ledger(self) -> list[Any]:
        ledger = open_event_ledger(self.settings)
        try:
            return ledger.entries("s3-archive")
        finally:
            ledger.close()

    def keys(self, under: str) -> list[str]:
        found = self.client.list_objects_v2(Bucket=self.name, Prefix=f"{PREFIX}/{under}")
        return [o["Key"] for o in found.get("Contents", [])]


@pytest.fixture
def bucket(s3_server: S3Server, tmp_path: Path) -> Bucket:
    return Bucket(s3_server, tmp_path)


@pytest.fixture
def app(bucket: Bucket) -> Iterator[TestClient]:
    with TestClient(create_app(bucket.settings, secret="k" * 32)) as client:
        yield client
        _wait_idle(client)


def _wait_idle(client: TestClient, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while client.app.state.runs.active():  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "runs still active"
        time.sleep(0.05)


def _notify(client: TestClient, *records: dict[str, Any], token: str = TOKEN) -> Any:
    return client.post("/events/s3", content=json.dumps({"Records": list(records)}),
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": "application/json"})


def test_a_notification_starts_one_run_and_a_repeat_none(bucket: Bucket, app: TestClient
                                                          ) -> None:
    record = bucket.upload("inbox/my invoice.pdf", FIRST)
    first = _notify(app, record)
    assert first.status_code == 202, first.text
    [run] = first.json()["runs"]
    assert run["workflow"] == "s3-archive" and run["id"].startswith("s3-archive:doc-")
    _wait_idle(app)
    again = _notify(app, record)
    assert again.status_code == 200 and again.json()["runs"] == []
    assert [d["object"] for d in again.json()["duplicates"]] == [run["object"]]
    [entry] = bucket.ledger()
    assert entry.state == "done" and entry.thread_id == run["id"]
    # The announced version was copied in and archived by the blueprint's storage step.
    assert bucket.keys("archive/") and not bucket.keys("incoming/")
    assert bucket.keys("inbox/") == [f"{PREFIX}/inbox/my invoice.pdf"]
    with Workspace(bucket.settings) as ws:
        received = [r for r in ws.audit.records() if r.action == "event.received"]
    assert [(r.actor, r.thread_id) for r in received] == [("s3-notifier", run["id"])]


def test_a_second_server_on_the_same_ledger_starts_nothing(bucket: Bucket, app: TestClient
                                                           ) -> None:
    record = bucket.upload("inbox/a.pdf", FIRST)
    assert _notify(app, record).status_code == 202
    with TestClient(create_app(bucket.settings, secret="k" * 32)) as other:
        answer = _notify(other, record)
        assert answer.status_code == 200 and answer.json()["runs"] == []
        assert len(answer.json()["duplicates"]) == 1
    _wait_idle(app)
    assert len(bucket.ledger()) == 1


def test_polling_after_a_notification_starts_none_and_a_new_version_one_more(
        bucket: Bucket, app: TestClient) -> None:
    assert _notify(app, bucket.upload("inbox/a.pdf", FIRST)).status_code == 202
    _wait_idle(app)
    blueprint = load_blueprint(bucket.settings.blueprints_path / "s3-archive.yaml",
                               bucket.settings)
    with Workspace(bucket.settings) as ws:
        assert ws.watch_once(blueprint) == []
    # A new version of the same name is a new event, from a notification ...
    newer = bucket.upload("inbox/a.pdf", SECOND)
    answer = _notify(app, newer)
    assert answer.status_code == 202 and len(answer.json()["runs"]) == 1
    _wait_idle(app)
    # ... or from a poll, where no notification came; then the notification is a repeat.
    unannounced = bucket.upload("inbox/b.pdf", FIRST)
    with Workspace(bucket.settings) as ws:
        polled = ws.watch_once(blueprint)
        assert [r["object"] for r in polled] == [ObjectEvent(
            bucket.name, f"{PREFIX}/inbox/b.pdf", unannounced["s3"]["object"]["versionId"],
            "").key]
        assert ws.watch_once(blueprint) == []
    late = _notify(app, unannounced)
    assert late.json()["runs"] == [] and len(late.json()["duplicates"]) == 1
    assert [e.state for e in bucket.ledger()] == ["done", "done", "done"]


def test_notifications_are_authenticated(bucket: Bucket, app: TestClient) -> None:
    record = bucket.upload("inbox/a.pdf", FIRST)
    assert app.post("/events/s3", json={"Records": [record]}).status_code == 401
    assert _notify(app, record, token="wrong").status_code == 401
    with Workspace(bucket.settings) as ws:
        add_reviewers(ws.principals)
        tokens = TokenStore(bucket.settings.review_path)
        auditor, clerk = (tokens.create(ws.principals, name, name="t", expires_days=1,
                                        by="admin", audit=ws.audit)[0] for name in ("ada", "cleo"))
        tokens.close()
    assert _notify(app, record, token=auditor).status_code == 403
    assert len(bucket.ledger()) == 0
    started = _notify(app, record, token=clerk)
    assert started.status_code == 202
    _wait_idle(app)
    [run] = started.json()["runs"]
    assert run["id"].startswith("s3-archive:")
    assert [e.state for e in bucket.ledger()] == ["done"]


def test_bad_or_foreign_notifications_are_answered_not_run(bucket: Bucket, app: TestClient
                                                           ) -> None:
    bad = app.post("/events/s3", content=b"{not json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 400 and "not JSON" in bad.json()["detail"]
    assert _notify(app, {"eventName": "ObjectCreated:Put", "s3": {}}).status_code == 400
    record = bucket.upload("inbox/a.pdf", FIRST)
    foreign = json.loads(json.dumps(record))
    foreign["s3"]["bucket"]["name"] = "someone-elses-bucket"
    outside = bucket.upload("elsewhere/a.pdf", FIRST)
    removed = {**record, "eventName": "ObjectRemoved:Delete"}
    answer = _notify(app, foreign, outside, removed)
    assert answer.status_code == 200 and answer.json()["runs"] == []
    reasons = " | ".join(i["reason"] for i in answer.json()["ignored"])
    assert "only ObjectCreated" in reasons and f"under s3://{bucket.name}/{PREFIX}" in reasons
    assert "watches" in reasons
    test = app.post("/events/s3", json={"Service": "Amazon S3", "Event": "s3:TestEvent"},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert test.status_code == 200 and "TestEvent" in test.json()["ignored"][0]["reason"]
    assert bucket.ledger() == []


def test_notification_parsing_follows_what_aws_and_minio_send() -> None:
    body = {"Records": [
        {"eventName": "s3:ObjectCreated:Put",  # MinIO
         "s3": {"bucket": {"name": "b"}, "object": {"key": "in/a+b%C3%A9.pdf", "eTag": "e1"}}},
        {"eventName": "ObjectCreated:CompleteMultipartUpload",
         "s3": {"bucket": {"name": "b"}, "object": {"key": "in/c.pdf", "versionId": "null",
                                                    "eTag": '"e2"'}}}]}
    events, ignored = parse_notification(json.dumps(body).encode())
    assert [(e.name, e.version_id, e.etag) for e in events] == [
        ("in/a bé.pdf", None, "e1"), ("in/c.pdf", None, "e2")]
    assert events[0].key == "s3://b/in/a bé.pdf#etag=e1" and not ignored
    assert ObjectEvent.from_key(events[0].key) is not None
    for bad in (b"[]", b'{"Records": {}}', json.dumps({"Records": [
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"},
                                                      "object": {"key": "k"}}}]}).encode()):
        with pytest.raises(NotificationError):
            parse_notification(bad)


def test_a_poll_takes_over_an_event_left_unfinished_past_the_lease(bucket: Bucket) -> None:
    """A server claimed a version and died before its run: a poll runs it once the lease
    is over, not before (while it may still be running there)."""
    from datetime import UTC, datetime, timedelta

    from wardflow.runtime.s3events import S3EventSource, Target, s3_storage

    blueprint = load_blueprint(bucket.settings.blueprints_path / "s3-archive.yaml",
                               bucket.settings)
    record = bucket.upload("inbox/a.pdf", FIRST)
    [event], _ = parse_notification(json.dumps({"Records": [record]}).encode())
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    lease = bucket.settings.worker_lease_s
    with Workspace(bucket.settings, clock=lambda: start) as ws:
        storage = s3_storage(ws.storage)
        assert storage is not None
        claimed = S3EventSource(storage, ws.services.events, max_bytes=10**8).claim(
            event, Target("s3-archive", "inbox", blueprint))
        assert not isinstance(claimed, str)  # claimed; the "server" dies here
    soon = start + timedelta(seconds=lease / 2)
    with Workspace(bucket.settings, clock=lambda: soon) as ws:
        assert ws.watch_once(blueprint) == []
    later = start + timedelta(seconds=lease + 1)
    with Workspace(bucket.settings, clock=lambda: later) as ws:
        [run] = ws.watch_once(blueprint)
        assert run["object"] == event.key
        assert ws.watch_once(blueprint) == []
    assert [e.state for e in bucket.ledger()] == ["done"]


def test_without_a_blueprint_the_inbox_starts_the_invoice_flow(bucket: Bucket) -> None:
    for file in bucket.settings.blueprints_path.iterdir():
        file.unlink()
    with TestClient(create_app(bucket.settings, secret="k" * 32)) as client:
        answer = _notify(client, bucket.upload("inbox/a.pdf", FIRST))
        assert answer.status_code == 202, answer.text
        [run] = answer.json()["runs"]
        assert run["workflow"] == "invoice" and run["id"].startswith("doc-")
        _wait_idle(client)
        status = client.get(f"/runs/{run['id']}", headers={"Authorization": "Bearer x"})
        assert status.status_code == 401  # the run exists; reading it needs a token
    with Workspace(bucket.settings) as ws:
        [entry] = ws.services.events.entries("invoice")
        assert entry.state in ("done", "waiting") and entry.thread_id == run["id"]
        assert ws.graph.get_state({"configurable": {"thread_id": run["id"]}}).values


def test_two_servers_with_their_own_homes_share_the_postgres_ledger(
        bucket: Bucket, tmp_path: Path, postgres_url: str) -> None:
    """Two machines: separate data homes, one Postgres ledger, one bucket."""
    first = bucket.settings.model_copy(update={"database_url": SecretStr(postgres_url)})
    second = first.model_copy(update={"home": tmp_path / "second-home"})
    record = bucket.upload("inbox/a.pdf", FIRST)
    answers = []
    for settings in (first, second, first):
        with TestClient(create_app(settings, secret="k" * 32)) as client:
            answers.append(_notify(client, record))
            _wait_idle(client)
    assert [a.status_code for a in answers] == [202, 200, 200], [a.text for a in answers]
    assert all(len(a.json()["duplicates"]) == 1 for a in answers[1:])
    with Workspace(second) as ws:
        assert [e.state for e in ws.services.events.entries("s3-archive")] == ["done"]


def test_while_the_kill_switch_is_on_nothing_is_claimed(bucket: Bucket, app: TestClient) -> None:
    record = bucket.upload("inbox/a.pdf", FIRST)
    with Workspace(bucket.settings) as ws:
        ws.switch.engage("incident", by="dan")
    held = _notify(app, record)
    assert held.status_code == 423 and held.json()["held"][0]["reason"]
    assert bucket.ledger() == []
    with Workspace(bucket.settings) as ws:
        ws.switch.release()
    assert _notify(app, record).status_code == 202  # the notifier's retry runs it


def test_a_version_too_large_is_recorded_with_its_reason_not_run(bucket: Bucket) -> None:
    settings = bucket.settings.model_copy(update={"max_document_bytes": 1024})
    record = bucket.upload("inbox/big.pdf", FIRST)
    with TestClient(create_app(settings, secret="k" * 32)) as client:
        answer = _notify(client, record)
        assert answer.status_code == 200 and answer.json()["runs"] == []
        assert "too large" in answer.json()["ignored"][0]["reason"]
        assert _notify(client, record).json()["duplicates"]  # decided once, not re-read
    [entry] = bucket.ledger()
    assert entry.state == "done" and "too large" in str(entry.result)
    assert bucket.keys("inbox/") and not bucket.keys("incoming/")
    with Workspace(settings) as ws:
        assert [r.action for r in ws.audit.records() if r.action == "event.parked"] == [
            "event.parked"]


def test_a_scheduled_blueprint_on_s3_runs_each_object_once(bucket: Bucket) -> None:
    from datetime import UTC, datetime

    from tests.conftest import EXAMPLES
    from wardflow.graphs.blueprint import parse_blueprint
    from wardflow.runtime.schedule import Scheduler

    text = (EXAMPLES / "blueprints" / "nightly-archive.yaml").read_text()
    blueprint = parse_blueprint(text.replace('"0 2 * * *"', '"*/10 * * * *"').replace(
        '"Europe/Berlin"', '"UTC"'), bucket.settings, name="nightly-archive")
    bucket.upload("inbox/a.pdf", FIRST)
    scheduler = Scheduler(bucket.settings, [blueprint])
    scheduler.tick(datetime(2026, 11, 25, 9, 55, tzinfo=UTC))
    assert [f.runs for f in scheduler.tick(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))] == [1]
    assert [f.runs for f in scheduler.tick(datetime(2026, 11, 25, 10, 10, tzinfo=UTC))] == [0]
    assert len([k for k in bucket.keys("archive/") if k.endswith(".pdf")]) == 1


def test_any_body_is_read_or_refused_with_a_reason() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["Records", "eventName", "s3", "bucket", "name", "object", "key",
                         "versionId", "eTag", "Event"]), inner, max_size=4), max_leaves=12)

    @settings(max_examples=150, deadline=None)
    @given(body=values.map(json.dumps).map(str.encode) | st.binary(max_size=50))
    def read(body: bytes) -> None:
        try:
            events, ignored = parse_notification(body)
        except NotificationError as err:
            assert str(err)
            return
        for event in events:
            assert event.bucket and event.name and (event.version_id or event.etag)
            assert ObjectEvent.from_key(event.key) is not None
        assert all(i["reason"] for i in ignored)

    read()


def test_a_taken_over_event_whose_version_is_gone_is_closed(bucket: Bucket) -> None:
    from datetime import UTC, datetime, timedelta

    from wardflow.runtime.s3events import S3EventSource, Target, s3_storage

    blueprint = load_blueprint(bucket.settings.blueprints_path / "s3-archive.yaml",
                               bucket.settings)
    record = bucket.upload("inbox/a.pdf", FIRST)
    [event], _ = parse_notification(json.dumps({"Records": [record]}).encode())
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    with Workspace(bucket.settings, clock=lambda: start) as ws:
        storage = s3_storage(ws.storage)
        assert storage is not None
        assert not isinstance(S3EventSource(storage, ws.services.events, max_bytes=10**8).claim(
            event, Target("s3-archive", "inbox", blueprint)), str)
    bucket.client.delete_object(Bucket=bucket.name, Key=event.name, VersionId=event.version_id)
    later = start + timedelta(seconds=bucket.settings.worker_lease_s + 1)
    with Workspace(bucket.settings, clock=lambda: later) as ws:
        assert ws.watch_once(blueprint) == []
    [entry] = bucket.ledger()
    assert entry.state == "done" and str(entry.result).startswith("gone")


def test_with_event_runs_workers_the_server_queues_and_one_worker_takes_each(
    bucket: Bucket, tmp_path: Path
) -> None:
    from wardflow.runtime.events import SqliteEventLedger
    from wardflow.runtime.s3events import (
        S3EventSource,
        event_targets,
        finish_queued,
        load_event_blueprints,
        s3_storage,
        take_queued,
    )
    from wardflow.services import build_services

    settings = bucket.settings.model_copy(update={"event_runs": "workers"})
    with TestClient(create_app(settings, secret="k" * 32)) as client:
        answer = _notify(client, bucket.upload("inbox/a.pdf", FIRST),
                         bucket.upload("inbox/b.pdf", SECOND))
        assert answer.status_code == 202, answer.text
        assert {r["status"] for r in answer.json()["runs"]} == {"queued"}
        assert not client.app.state.runs.active()  # type: ignore[attr-defined]
    entries = bucket.ledger()
    assert [(e.state, e.result) for e in entries] == [("queued", "queued by s3-notifier")] * 2

    # Two workers on other data homes sharing the ledger (SQLite here; Postgres across
    # machines): each event is taken once, and the run it starts is the notified one.
    homes = [settings.model_copy(update={"home": tmp_path / f"worker-{n}"}) for n in (1, 2)]
    ledger_path = settings.control_path
    taken = []
    opened = [build_services(h) for h in homes]
    try:
        sources = []
        for services in opened:
            storage = s3_storage(services.storage)
            assert storage is not None
            # Both workers read the server's ledger file (one machine's stand-in for
            # the shared Postgres ledger).
            sources.append(S3EventSource(storage, SqliteEventLedger(ledger_path),
                                         max_bytes=settings.max_document_bytes,
                                         audit=services.audit))
        targets = event_targets(settings, load_event_blueprints(settings))
        for source, services in zip(sources, opened, strict=True):
            taken.append(take_queued(source, targets, switch=services.switch, limit=10))
        assert [len(t) for t in taken] == [2, 0]
        runs = taken[0]
        assert {r.submitted_by for r in runs} == {"s3-notifier"}
        assert sorted(r.item.name for r in runs) == ["a.pdf", "b.pdf"]
        with Workspace(homes[0], services=opened[0]) as ws:
            for run in runs:
                done = sources[0].run(ws, run.target, run.event, run.item, run.submitted_by)
                finish_queued(sources[0], run, done["status"], waiting=done["waiting"])
        assert {e.state for e in bucket.ledger()} == {"done"}
        # Nothing is left to take, by either worker.
        assert all(take_queued(s, targets, switch=o.switch, limit=10) == []
                   for s, o in zip(sources, opened, strict=True))
        for source in sources:
            source.ledger.close()
    finally:
        for services in opened:
            services.close()


def test_a_worker_that_cannot_read_the_storage_queues_what_it_took_again(
    bucket: Bucket,
) -> None:
    from wardflow.errors import StorageError
    from wardflow.runtime.events import SqliteEventLedger
    from wardflow.runtime.s3events import (
        S3EventSource,
        event_targets,
        load_event_blueprints,
        take_queued,
    )
    from wardflow.tools.s3storage import S3Storage

    settings = bucket.settings.model_copy(update={"event_runs": "workers"})
    with TestClient(create_app(settings, secret="k" * 32)) as client:
        queued = _notify(client, bucket.upload("inbox/a.pdf", FIRST))
        assert queued.status_code == 202, queued.text
    # The worker's S3 endpoint does not answer (an outage between it and the bucket).
    unreachable = S3Storage(bucket.name, PREFIX, endpoint_url="http://127.0.0.1:9",
                            region="us-east-1", access_key_id="k", secret_access_key="s",
                            timeout_s=1)
    ledger = SqliteEventLedger(settings.control_path)
    try:
        source = S3EventSource(unreachable, ledger, max_bytes=settings.max_document_bytes)
        targets = event_targets(settings, load_event_blueprints(settings))
        with Workspace(settings) as ws, pytest.raises(StorageError):
            take_queued(source, targets, switch=ws.switch, limit=10)
        assert [(e.state, e.result) for e in ledger.entries("s3-archive")] == [
            ("queued", "queued by s3-notifier")]  # another worker (or this one) takes it
    finally:
        ledger.close()


def test_wardflow_worker_runs_a_queued_blueprint_event_once(bucket: Bucket) -> None:
    from wardflow.runtime.workers import RayExecutor

    settings = bucket.settings.model_copy(update={"event_runs": "workers"})
    with TestClient(create_app(settings, secret="k" * 32)) as client:
        queued = _notify(client, bucket.upload("inbox/a.pdf", FIRST))
        assert queued.status_code == 202, queued.text
        [thread] = [r["id"] for r in queued.json()["runs"]]
    # A blueprint's event runs in the worker's own process: no Ray actor is started.
    with RayExecutor(settings, workers=1) as executor:
        [summary] = list(executor.run_queued())
        assert (summary.thread_id, summary.status) == (thread, "completed")
        assert list(executor.run_queued()) == []  # taken once
    assert [(e.state, e.thread_id) for e in bucket.ledger()] == [("done", thread)]
    assert any(key.startswith(f"{PREFIX}/archive/") for key in bucket.keys("archive/"))
