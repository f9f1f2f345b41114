"""Document events from message streams, against a real redis-server and nats-server
(JetStream): a message starts one run; a redelivered one starts none more; consumers of
one group share the messages; a bad message is parked and acknowledged."""

from __future__ import annotations

import base64
import json
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX, add_reviewers, wardflow_cli
from tests.streams.conftest import Bus
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.graphs.blueprint import Blueprint, BlueprintError, load_blueprint, parse_blueprint
from wardflow.runtime.streams import (
    StreamError,
    StreamMessage,
    StreamSource,
    group_name,
    open_stream_source,
)
from wardflow.runtime.workspace import Workspace

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OTHER = "2026-10-02_alpenglanz_Rechnung_2026-3318.pdf"
THIRD = "2026-09-03_brandt-buerobedarf_Rechnung_RE-2026-10873.pdf"
GROUP = group_name("streamed")
BLUEPRINT = """\
name: streamed
trigger:
  event: document_uploaded
  source: "{source}"
steps:
  - name: process_invoice
    type: agent
    agent: invoice
"""


def _pdf(name: str) -> bytes:
    return (INBOX / name).read_bytes()


@pytest.fixture
def open_workspace(tmp_path: Path, clock: Callable[[], datetime],
                   bus: Bus) -> Iterator[Callable[..., tuple[Workspace, Blueprint]]]:
    """A workspace reading ``bus`` (short waits: a read waits 1 s for a message, and a
    dead consumer's message is taken over after 1 s), and the blueprint it triggers."""
    from wardflow.tools.erp import load_master

    opened: list[Workspace] = []

    def make(**changes: Any) -> tuple[Workspace, Blueprint]:
        settings = Settings(home=tmp_path / "home", model="none", stream_wait_s=1.0,
                            stream_claim_idle_s=1.0, **bus.settings(), **changes)
        ws = Workspace(settings, clock=clock)
        opened.append(ws)
        if not ws.erp.vendors():
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
            add_reviewers(ws.principals)
        return ws, parse_blueprint(BLUEPRINT.format(source=bus.source), settings)

    yield make
    for ws in opened:
        ws.close()


class LosesAcks:
    """The real consumer, but its acknowledgements never arrive: what the server sees
    when the process dies after the run is recorded and before the ack."""

    def __init__(self, inner: StreamSource) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    def read(self) -> list[StreamMessage]:
        return self.inner.read()

    def ack(self, message: StreamMessage) -> None:
        return None

    def release(self, message: StreamMessage) -> None:
        self.inner.release(message)

    def extend(self, message: StreamMessage) -> None:
        self.inner.extend(message)

    def close(self) -> None:
        self.inner.close()


def _consumer(ws: Workspace, blueprint: Blueprint, name: str) -> StreamSource:
    settings = ws.settings.model_copy(update={"stream_consumer": name})
    assert blueprint.trigger.source is not None
    return open_stream_source(settings, blueprint.trigger.source, blueprint.name)


def test_a_message_starts_one_run(open_workspace: Callable[..., tuple[Workspace, Blueprint]],
                                  bus: Bus) -> None:
    ws, blueprint = open_workspace()
    ws.storage.put("incoming/a.pdf", _pdf(CLEAN))
    inline = base64.b64encode(_pdf(OTHER)).decode()
    bus.publish({"key": "incoming/a.pdf"},
                {"content": inline, "name": "b.pdf", "document_id": "erp-upload-4711",
                 "content_type": "application/pdf"})

    results = ws.watch_once(blueprint)

    assert [r["outputs"]["process_invoice"]["status"] for r in results] == ["posted"] * 2
    assert sorted(p.invoice_number for p in ws.erp.postings()) == [
        "2026-3318", "NLS-INV-2026-0412"]
    entries = ws.services.events.entries("streamed")
    assert {e.state for e in entries} == {"done"}
    keys = sorted(e.document_id for e in entries)
    assert keys[0] == "erp-upload-4711"  # the publisher's document id
    assert keys[1].startswith(f"{bus.source}#")  # else the stream's message id
    assert [k for k in ws.storage.list() if k.endswith("/b.pdf")]  # the inline one, saved
    assert bus.outstanding(GROUP) == 0
    assert ws.watch_once(blueprint) == []
    assert len(ws.erp.postings()) == 2


def test_a_redelivered_message_starts_no_second_run(
    open_workspace: Callable[..., tuple[Workspace, Blueprint]], bus: Bus
) -> None:
    ws, blueprint = open_workspace()
    ws.storage.put("incoming/a.pdf", _pdf(CLEAN))
    bus.publish({"key": "incoming/a.pdf"})
    first = LosesAcks(_consumer(ws, blueprint, "first"))
    [result] = ws.watch_stream(blueprint, first)
    first.close()  # the consumer dies with the message unacknowledged
    assert result["outputs"]["process_invoice"]["status"] == "posted"
    assert bus.outstanding(GROUP) == 1

    time.sleep(1.2)  # past stream_claim_idle_s: the message is handed to another consumer
    second = _consumer(ws, blueprint, "second")
    try:
        assert ws.watch_stream(blueprint, second) == []
    finally:
        second.close()

    assert bus.outstanding(GROUP) == 0  # read again and acknowledged, not run
    assert len(ws.erp.postings()) == 1
    assert [e.state for e in ws.services.events.entries("streamed")] == ["done"]


def test_two_consumers_in_one_group_share_without_duplicate_runs(
    open_workspace: Callable[..., tuple[Workspace, Blueprint]], bus: Bus
) -> None:
    ws, blueprint = open_workspace(stream_batch=2)
    for key, name in (("incoming/a.pdf", CLEAN), ("incoming/b.pdf", OTHER),
                      ("incoming/c.pdf", THIRD)):
        ws.storage.put(key, _pdf(name))
    # The publisher sends the first document twice, with its own id both times.
    bus.publish({"key": "incoming/a.pdf", "document_id": "inv-1"}, {"key": "incoming/b.pdf"},
                {"key": "incoming/c.pdf"}, {"key": "incoming/a.pdf", "document_id": "inv-1"})
    one, two = _consumer(ws, blueprint, "one"), _consumer(ws, blueprint, "two")
    try:
        by_one = ws.watch_stream(blueprint, one)
        by_two = ws.watch_stream(blueprint, two)
        assert ws.watch_stream(blueprint, one) == [] and ws.watch_stream(blueprint, two) == []
    finally:
        one.close()
        two.close()

    assert len(by_one) == 2 and len(by_two) == 1  # the fourth is the first again: no run
    threads = [r["thread_id"] for r in by_one + by_two]
    assert len(set(threads)) == 3
    assert len(ws.services.events.entries("streamed")) == 3
    assert len({p.invoice_number for p in ws.erp.postings()}) == len(ws.erp.postings()) == 3
    assert bus.outstanding(GROUP) == 0


def test_two_machines_sharing_a_postgres_ledger_run_a_document_once(
    tmp_path: Path, clock: Callable[[], datetime], bus: Bus, postgres_url: str
) -> None:
    from wardflow.tools.erp import load_master

    # Two data homes (two machines) that share only Postgres and the stream; the
    # publisher sends the same document twice, and each machine reads one message.
    homes = []
    for name in ("one", "two"):
        settings = Settings(home=tmp_path / name, model="none", stream_wait_s=1.0,
                            stream_batch=1, stream_consumer=name,
                            database_url=postgres_url, **bus.settings())
        ws = Workspace(settings, clock=clock)
        ws.storage.put("incoming/a.pdf", _pdf(CLEAN))  # in production: one S3 bucket
        homes.append(ws)
    one, two = homes
    try:
        one.erp.import_master(load_master(EXAMPLES / "erp.json"))
        blueprint = parse_blueprint(BLUEPRINT.format(source=bus.source), one.settings)
        bus.publish(*[{"key": "incoming/a.pdf", "document_id": "inv-7"}] * 2)

        assert len(one.watch_once(blueprint)) == 1
        assert two.watch_once(blueprint) == []  # its message was run on the other machine

        assert bus.outstanding(GROUP) == 0
        assert [e.state for e in two.services.events.entries("streamed")] == ["done"]
        assert len(two.erp.postings()) == 1
    finally:
        one.close()
        two.close()


def test_a_malformed_message_is_parked_and_acknowledged(
    open_workspace: Callable[..., tuple[Workspace, Blueprint]], bus: Bus
) -> None:
    ws, blueprint = open_workspace(stream_inline_max_bytes=2000, stream_batch=20)
    ws.storage.put("incoming/a.pdf", _pdf(CLEAN))
    bad: list[bytes | dict[str, Any]] = [
        b"{not json", b"[1, 2]", b"", {"name": "a.pdf"}, {"key": "incoming/missing.pdf"},
        {"key": "../outside.pdf"}, {"content": "@@ not base64 @@", "name": "x.pdf"},
        {"content": base64.b64encode(b"%PDF" + b"x" * 3000).decode()},
        {"key": "incoming/a.pdf", "document_id": "has spaces"}, {"key": 7},
    ]
    bus.publish(*bad, {"key": "incoming/a.pdf"})

    [result] = ws.watch_once(blueprint)

    assert result["outputs"]["process_invoice"]["status"] == "posted"
    reasons = sorted(json.loads(ws.storage.get(k))["reason"].split(":")[0]
                     for k in ws.storage.list("failed/stream") if k.endswith("reason.json"))
    assert reasons == sorted([
        "not JSON", "not a JSON object", "empty", "needs exactly one of key (a storage key of"
        " the document) or content (the document in base64)", "no document at key 'incoming/"
        "missing.pdf'", "no document at key '../outside.pdf'", "content is not base64",
        "too large inline", "document_id must be 1 to 128 letters, digits or ._",
        "key must be a string"])
    parked = [r for r in ws.audit.records() if r.action == "event.parked"]
    assert len(parked) == len(bad)
    assert bus.outstanding(GROUP) == 0  # acknowledged: they do not come back
    assert ws.watch_once(blueprint) == []
    assert len([r for r in ws.audit.records() if r.action == "event.parked"]) == len(bad)
    assert len(ws.erp.postings()) == 1


def test_the_kill_switch_holds_messages_until_released(
    open_workspace: Callable[..., tuple[Workspace, Blueprint]], bus: Bus
) -> None:
    ws, blueprint = open_workspace()
    ws.storage.put("incoming/a.pdf", _pdf(CLEAN))
    ws.switch.engage("incident 42", by="dan")
    bus.publish({"key": "incoming/a.pdf"})

    assert ws.watch_once(blueprint) == []
    assert bus.outstanding(GROUP) == 1
    assert [r.payload["reason"] for r in ws.audit.records() if r.action == "event.held"]
    ws.switch.release()
    [result] = ws.watch_once(blueprint)
    assert result["outputs"]["process_invoice"]["status"] == "posted"
    assert bus.outstanding(GROUP) == 0


def test_a_redis_entry_without_a_body_field_is_read_as_its_fields(
    tmp_path: Path, clock: Callable[[], datetime], redis_server: Any
) -> None:
    import redis

    from wardflow.tools.erp import load_master

    settings = Settings(home=tmp_path / "home", model="none", stream_wait_s=1.0,
                        stream_claim_idle_s=0.1, redis_url=redis_server.url)
    blueprint = parse_blueprint(BLUEPRINT.format(source="redis-stream:fields"), settings)
    with Workspace(settings, clock=clock) as ws, redis.Redis.from_url(redis_server.url) as r:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        ws.storage.put("incoming/a.pdf", _pdf(CLEAN))
        r.xadd("fields", {"key": "incoming/a.pdf", "document_id": "inv-9"})
        # A consumer that left the group long ago, holding nothing, is forgotten.
        r.xgroup_create("fields", GROUP, id="0")
        r.xgroup_createconsumer("fields", GROUP, "gone-4242")
        time.sleep(1.1)
        [result] = ws.watch_once(blueprint)
        assert [e.document_id for e in ws.services.events.entries("streamed")] == ["inv-9"]
        assert result["outputs"]["process_invoice"]["status"] == "posted"
        names = [c["name"].decode() for c in r.xinfo_consumers("fields", GROUP)]
        assert "gone-4242" not in names and len(names) == 1


def _postings(home: Path) -> list[str]:
    with sqlite3.connect(home / "erp.sqlite") as conn:
        return sorted(r[0] for r in conn.execute("SELECT invoice_number FROM invoices"))


@pytest.mark.slow
def test_a_consumer_killed_between_run_and_ack_runs_nothing_twice(
    tmp_path: Path, redis_server: Any
) -> None:
    # On Redis only (two processes are slow); NATS redelivery after a lost ack is
    # covered in-process above and by the conformance suite.
    bus = Bus("redis", redis_server.url, "killed")
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    for key, name in (("a.pdf", CLEAN), ("b.pdf", OTHER)):
        (home / "storage" / "incoming").mkdir(parents=True, exist_ok=True)
        (home / "storage" / "incoming" / key).write_bytes(_pdf(name))
    file = tmp_path / "streamed.yaml"
    file.write_text(BLUEPRINT.format(source=bus.source))
    env = {f"WARDFLOW_{k.upper()}": v for k, v in bus.settings().items()}
    env |= {"WARDFLOW_STREAM_CLAIM_IDLE_S": "1", "WARDFLOW_STREAM_WAIT_S": "1"}
    bus.publish({"key": "incoming/a.pdf"}, {"key": "incoming/b.pdf"})

    crashed = wardflow_cli(home, "watch", str(file), "--rounds", "1",
                           WARDFLOW_FAULT_INJECT='["stream:before-ack"]', **env)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert _postings(home) == ["NLS-INV-2026-0412"]  # ran and recorded, never acknowledged
    assert bus.outstanding(GROUP) == 2

    time.sleep(1.2)  # the dead consumer's messages are idle past stream_claim_idle_s
    resumed = wardflow_cli(home, "watch", str(file), "--rounds", "2", "--interval", "0.2",
                           check=True, **env)
    assert "1 document(s) started" in resumed.stdout, resumed.stdout + resumed.stderr
    assert _postings(home) == ["2026-3318", "NLS-INV-2026-0412"]
    assert bus.outstanding(GROUP) == 0


@pytest.mark.parametrize(("source", "reason"), [
    ("redis-stream:", "redis-stream: needs a stream name"),
    ("redis-stream:has space", "redis-stream: needs a stream name"),
    ("nats:", "nats: needs a subject"),
    ("nats:invoices..uploaded", "nats: needs a subject"),
    ("nats:>.uploaded", "nats: needs a subject"),
    ("kafka:invoices", "unknown source 'kafka:invoices'"),
])
def test_a_bad_stream_source_is_refused_with_its_line(source: str, reason: str,
                                                      settings: Settings) -> None:
    with pytest.raises(BlueprintError) as caught:
        parse_blueprint(BLUEPRINT.format(source=source), settings)
    [problem] = caught.value.problems
    assert problem.line == 4 and problem.reason.startswith(reason)


def test_the_example_blueprint_reads_a_redis_stream(settings: Settings) -> None:
    blueprint = load_blueprint(EXAMPLES / "blueprints" / "streamed-invoices.yaml", settings)
    assert blueprint.trigger.stream == ("redis", "invoices")
    nats = parse_blueprint(BLUEPRINT.format(source="nats:invoices.*"), settings)
    assert nats.trigger.stream == ("nats", "invoices.*")


def test_a_schedule_cannot_read_a_stream(settings: Settings) -> None:
    text = BLUEPRINT.replace("event: document_uploaded", 'schedule: "0 2 * * *"')
    with pytest.raises(BlueprintError) as caught:
        parse_blueprint(text.format(source="nats:invoices"), settings)
    assert [p.line for p in caught.value.problems] == [4]


def test_a_stream_needs_its_server_url(settings: Settings) -> None:
    blueprint = parse_blueprint(BLUEPRINT.format(source="redis-stream:x"), settings)
    with Workspace(settings) as ws, pytest.raises(ConfigError, match="WARDFLOW_REDIS_URL"):
        ws.watch_once(blueprint)


def test_core_nats_without_jetstream_is_refused(tmp_path: Path) -> None:
    from tests.streams.servers import NatsServer

    with NatsServer(jetstream=False) as server:
        settings = Settings(home=tmp_path / "home", model="none", nats_url=server.url)
        with pytest.raises(StreamError, match="no JetStream.*nats-server -js"):
            open_stream_source(settings, "nats:invoices", "streamed")


def test_an_unreachable_server_is_a_retryable_error(tmp_path: Path) -> None:
    from tests.streams.servers import _free_port

    settings = Settings(home=tmp_path / "home", model="none",
                        redis_url=f"redis://:hunter2@127.0.0.1:{_free_port()}/0")
    with pytest.raises(StreamError, match="cannot reach") as caught:
        open_stream_source(settings, "redis-stream:x", "streamed")
    assert caught.value.retryable
    assert "hunter2" not in str(caught.value)
