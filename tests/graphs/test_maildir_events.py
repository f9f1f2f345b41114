"""Maildir events: one run per attachment of each new message, exactly once (also across
a crash and a new ``wardflow`` process); bad messages parked with a reason; messages
never modified; the kill switch holds events until it is released."""

from __future__ import annotations

import email.message
import json
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.graphs.blueprint import Blueprint, BlueprintError, parse_blueprint
from wardflow.runtime.events import SqliteEventLedger
from wardflow.runtime.workspace import Workspace

EXAMPLE = EXAMPLES / "blueprints" / "mailed-invoices.yaml"
CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OTHER = "2026-10-02_alpenglanz_Rechnung_2026-3318.pdf"
THIRD = "2026-09-03_brandt-buerobedarf_Rechnung_RE-2026-10873.pdf"


def _message(message_id: str | None, files: dict[str, bytes]) -> bytes:
    msg = email.message.EmailMessage()
    msg["From"] = "billing@vendor.example"
    msg["Subject"] = "Invoices"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content("See attached.")
    for name, data in files.items():
        if name.endswith(".pdf"):
            msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
        else:
            msg.add_attachment(data.decode(), filename=name)
    return msg.as_bytes()


def _maildir(root: Path) -> Path:
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


def _blueprint_file(tmp_path: Path, maildir: Path) -> Path:
    file = tmp_path / "mailed-invoices.yaml"
    file.write_text(EXAMPLE.read_text().replace("maildir:~/Maildir/invoices", f"maildir:{maildir}"))
    return file


def _blueprint(settings: Settings, tmp_path: Path, maildir: Path) -> Blueprint:
    file = _blueprint_file(tmp_path, maildir)
    return parse_blueprint(file.read_text(), settings, path=str(file))


def _files(maildir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(maildir)): p.read_bytes() for p in maildir.rglob("*") if p.is_file()}


def _pdf(name: str) -> bytes:
    return (INBOX / name).read_bytes()


def test_each_attachment_runs_once_and_bad_messages_are_parked(
    workspace: Workspace, tmp_path: Path
) -> None:
    maildir = _maildir(tmp_path / "Maildir")
    two = _message("<a@vendor.example>", {"one.pdf": _pdf(CLEAN), "two.pdf": _pdf(OTHER),
                                          "notes.txt": b"hello"})
    (maildir / "new" / "1.M1.host").write_bytes(two)
    broken = _message("<b@vendor.example>", {"broken.pdf": _pdf(THIRD)})
    body = broken.split(b"\n\n", 2)[2]
    (maildir / "new" / "2.M2.host").write_bytes(broken.replace(body[400:440], b"!!" + body[402:440]))
    (maildir / "new" / "3.M3.host").write_bytes(_message("<c@vendor.example>", {"n.txt": b"hi"}))
    (maildir / "new" / "4.M4.host").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 not a message")
    (maildir / "new" / "5.M5.host").write_bytes(b"")
    # The first message delivered a second time, already seen by a mail reader.
    (maildir / "cur" / "6.M6.host:2,S").write_bytes(two)
    (maildir / "tmp" / "7.M7.host").write_bytes(_message("<d@x>", {"x.pdf": _pdf(THIRD)}))
    before = _files(maildir)
    blueprint = _blueprint(workspace.settings, tmp_path, maildir)

    results = workspace.watch_once(blueprint)

    assert sorted(r["outputs"]["process_invoice"]["status"] for r in results) == ["posted"] * 2
    assert sorted(p.invoice_number for p in workspace.erp.postings()) == [
        "2026-3318", "NLS-INV-2026-0412"]
    ledger = SqliteEventLedger(workspace.settings.control_path)
    entries = ledger.entries("mailed-invoices")
    assert [e.document_id.split("#")[0] for e in entries] == ["<a@vendor.example>"] * 2
    assert {e.state for e in entries} == {"done"}
    reasons = {m["message"]: m["reason"] for m in ledger.messages("mailed-invoices")}
    ledger.close()
    assert reasons["1.M1.host"] is None and reasons["6.M6.host"] is None
    assert reasons["2.M2.host"].startswith("corrupt attachment 'broken.pdf'")
    assert reasons["3.M3.host"].startswith("no attachment")
    assert reasons["4.M4.host"] == "not an email: no header block"
    assert reasons["5.M5.host"].startswith("empty")
    assert "7.M7.host" not in reasons  # tmp/ is still being delivered
    parked = [json.loads(p.read_text()) for p in
              workspace.storage.root.glob("failed/mail/*/reason.json")]
    assert sorted(p["message"] for p in parked) == ["2.M2.host", "3.M3.host", "4.M4.host", "5.M5.host"]
    assert len(list(workspace.storage.root.glob("failed/mail/*/message.eml"))) == 3
    audited = [r.payload["message"] for r in workspace.audit.records()
               if r.action == "event.parked"]
    assert sorted(audited) == ["2.M2.host", "3.M3.host", "4.M4.host", "5.M5.host"]
    assert _files(maildir) == before  # nothing moved, renamed or rewritten

    assert workspace.watch_once(blueprint) == []
    (maildir / "new" / "8.M8.host").write_bytes(_message(None, {"three.pdf": _pdf(THIRD)}))
    [third] = workspace.watch_once(blueprint)
    assert third["document"].endswith("8.M8.host#three.pdf")
    assert len(workspace.erp.postings()) == 3
    assert len([r for r in workspace.audit.records() if r.action == "event.parked"]) == 4


def test_the_kill_switch_holds_mail_events_until_released(
    workspace: Workspace, tmp_path: Path
) -> None:
    maildir = _maildir(tmp_path / "Maildir")
    (maildir / "new" / "1.M1.host").write_bytes(_message("<a@x>", {"a.pdf": _pdf(CLEAN)}))
    blueprint = _blueprint(workspace.settings, tmp_path, maildir)
    workspace.engage_kill_switch("bank details under review", by="dan",
                                 workflow="mailed-invoices")
    assert workspace.watch_once(blueprint) == []
    assert workspace.watch_once(blueprint) == []
    held = [r.payload for r in workspace.audit.records() if r.action == "event.held"]
    assert len(held) == 1 and "bank details under review" in held[0]["reason"]
    assert workspace.erp.postings() == []

    workspace.release_kill_switch(by="dan", workflow="mailed-invoices")
    [result] = workspace.watch_once(blueprint)
    assert result["outputs"]["process_invoice"]["status"] == "posted"
    assert workspace.watch_once(blueprint) == []


def test_maildir_sources_are_validated(settings: Settings, tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace("maildir:~/Maildir/invoices", "maildir:  ")
    with pytest.raises(BlueprintError, match=r"mailed-invoices.yaml:9: maildir: needs a path"):
        parse_blueprint(text, settings, path="mailed-invoices.yaml")
    blueprint = parse_blueprint(EXAMPLE.read_text(), settings)
    assert blueprint.trigger.maildir == Path("~/Maildir/invoices").expanduser()
    with Workspace(settings) as ws, pytest.raises(ConfigError, match="is not a maildir"):
        ws.watch_once(_blueprint(settings, tmp_path, tmp_path / "nothing-here"))


def _postings(home: Path) -> list[str]:
    with sqlite3.connect(home / "erp.sqlite") as conn:
        return sorted(r[0] for r in conn.execute("SELECT invoice_number FROM invoices"))


@pytest.mark.slow
def test_exactly_once_across_a_crash_and_a_new_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    maildir = _maildir(tmp_path / "Maildir")
    (maildir / "new" / "1.M1.host").write_bytes(_message("<a@x>", {"a.pdf": _pdf(CLEAN)}))
    file = _blueprint_file(tmp_path, maildir)

    crashed = wardflow_cli(home, "watch", str(file), "--once",
                           WARDFLOW_FAULT_INJECT='["after:post_to_erp"]')
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert _postings(home) == ["NLS-INV-2026-0412"]

    resumed = wardflow_cli(home, "watch", str(file), "--once", check=True)
    assert "1 document(s) started" in resumed.stdout
    assert _postings(home) == ["NLS-INV-2026-0412"]
    # A new message, and the first one delivered again under another file name.
    (maildir / "new" / "2.M2.host").write_bytes(_message("<b@x>", {"b.pdf": _pdf(OTHER)}))
    (maildir / "new" / "3.M3.host").write_bytes((maildir / "new" / "1.M1.host").read_bytes())
    again = wardflow_cli(home, "watch", str(file), "--once", check=True)
    assert "1 document(s) started" in again.stdout, again.stdout
    assert _postings(home) == ["2026-3318", "NLS-INV-2026-0412"]
    assert "0 document(s) started" in wardflow_cli(home, "watch", str(file), "--once",
                                                   check=True).stdout
