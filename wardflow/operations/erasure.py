"""GDPR erasure on request: a data subject's personal data out of every store, the audit
trail kept by redaction (``wardflow gdpr erase SUBJECT``).

A subject is a string that identifies a person (a name, an email, an IBAN). Every
invoice run whose text, fields or document name mention it is erased:

- its checkpoints are deleted (they hold the document text and every field);
- its document and archive summary in storage are replaced by a short tombstone;
- its tokens in the PII vault are deleted;
- in its audit records, the subject and all personal data are replaced by
  ``[erased]`` through :meth:`~wardflow.observability.audit.AuditLog.redact`, so the
  hash chain still verifies (``wardflow audit verify``); other records that mention the
  subject have it replaced the same way.

:func:`erase_expired` does the same, for all personal data, to the runs finished more
than ``Settings.gdpr_retention_days`` ago (``wardflow gdpr erase --expired``).

ERP postings are kept: an invoice is an accounting record the law requires to be
retained (GDPR Art. 17(3)(b)); the report lists them. One ``gdpr.erasure`` audit
record (without the subject) says who erased what and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from wardflow.errors import ConfigError, StorageError
from wardflow.guardrails.pii import find_pii
from wardflow.runstate import Extraction, Posting

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["ErasureReport", "erase_expired", "erase_subject"]

ERASED = "[erased]"
_FINISHED = frozenset({"posted", "rejected", "failed"})


@dataclass(frozen=True)
class ErasureReport:
    threads: list[str]
    redacted_records: int
    storage_keys: list[str]
    vault_tokens: int
    retained_postings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def erase_subject(ws: Workspace, subject: str, *, by: str,
                  reason: str = "data subject request", dry_run: bool = False) -> ErasureReport:
    """Erase ``subject``'s personal data from the data home (see the module doc).

    With ``dry_run``, report what would be erased and change nothing.

    Raises:
        ConfigError: the subject is shorter than 3 characters (it would match too much).
    """
    needle = subject.strip()
    if len(needle) < 3:
        raise ConfigError("an erasure subject needs at least 3 characters (a name, an email,"
                          " an IBAN)")
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    threads = [t for t in ws.threads() if _mentions(ws, t, pattern)]
    return _erase(ws, threads, pattern, by=by, reason=reason, dry_run=dry_run)


def erase_expired(ws: Workspace, *, by: str, now: datetime | None = None,
                  dry_run: bool = False) -> ErasureReport:
    """Erase the runs finished more than ``gdpr_retention_days`` before ``now``: their
    personal data has been kept as long as the retention period allows."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=ws.settings.gdpr_retention_days)
    threads = []
    for thread in ws.threads():
        snapshot = ws.graph.get_state({"configurable": {"thread_id": thread}})
        finished = snapshot.values.get("status") in _FINISHED and not snapshot.next
        if finished and "document" in snapshot.values and snapshot.created_at and (
                datetime.fromisoformat(snapshot.created_at) < cutoff):
            threads.append(thread)
    return _erase(ws, threads, None, by=by, dry_run=dry_run,
                  reason=f"retention of {ws.settings.gdpr_retention_days} days ended")


def _erase(ws: Workspace, threads: list[str], pattern: re.Pattern[str] | None, *, by: str,
           reason: str, dry_run: bool) -> ErasureReport:
    erased_at = ws.audit.now()
    keys: list[str] = []
    postings: list[str] = []
    for thread in threads:
        values = ws.state(thread).values
        posting = Posting.of(values.get("posting")).posting_id
        if posting:
            postings.append(str(posting))
        keys += _tombstone(ws, values, erased_at, dry_run=dry_run)
    redacted: dict[int, Mapping[str, Any]] = {}
    for record in ws.audit.records():
        everything = record.thread_id in threads
        if "_redacted" in record.payload or (pattern is None and not everything):
            continue
        kept = _scrub(record.payload, pattern, everything)
        if kept != record.payload:
            redacted[record.seq] = kept
    if dry_run or not (threads or redacted):  # nothing to erase is nothing to record
        return ErasureReport(threads=threads, redacted_records=len(redacted), storage_keys=keys,
                             vault_tokens=0, retained_postings=postings)
    tokens = _forget_tokens(ws, threads)
    for thread in threads:
        ws.checkpointer.delete_thread(thread)
    key = f"gdpr.erasure:{erased_at}:{','.join(threads)}"
    if redacted:
        ws.audit.redact(redacted, reason=f"gdpr erasure: {reason}", actor=f"user:{by}",
                        key=f"{key}:redaction")
    report = ErasureReport(threads=threads, redacted_records=len(redacted), storage_keys=keys,
                           vault_tokens=tokens, retained_postings=postings)
    ws.audit.append("gdpr.erasure", {**report.to_dict(), "reason": reason,
                                     "retained_because": "accounting records (Art. 17(3)(b))"},
                    actor=f"user:{by}", key=key)
    return report


def _mentions(ws: Workspace, thread: str, pattern: re.Pattern[str]) -> bool:
    values = ws.graph.get_state({"configurable": {"thread_id": thread}}).values
    if not values or "document" not in values:
        return False
    fields = Extraction.of(values.get("extraction")).fields.values()
    haystack = [str(values.get("text", "")), str(values["document"].get("name", "")),
                *(str(f.value) for f in fields if f is not None and f.value is not None)]
    return any(pattern.search(h) for h in haystack)


def _scrub(value: Any, pattern: re.Pattern[str] | None, everything: bool) -> Any:
    """``value`` with the subject (and, for an erased run, all personal data) erased."""
    if isinstance(value, str):
        text = pattern.sub(ERASED, value) if pattern is not None else value
        if everything:
            for match in reversed(find_pii(text)):
                text = text[:match.start] + ERASED + text[match.end:]
        return text
    if isinstance(value, Mapping):
        return {k: _scrub(v, pattern, everything) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern, everything) for v in value]
    return value


def _tombstone(ws: Workspace, values: Mapping[str, Any], at: str, *,
               dry_run: bool = False) -> list[str]:
    """Replace the run's stored objects by a note saying they were erased."""
    doc = values.get("document") or {}
    candidates = [values.get("archive_key"), doc.get("storage_key")]
    archive = values.get("archive_key")
    if archive and "/" in str(archive):
        candidates.append(str(archive).rsplit("/", 1)[0] + "/summary.json")
    note = f"erased on request at {at}; see the gdpr.erasure audit record\n".encode()
    done = []
    for key in dict.fromkeys(str(k) for k in candidates if k):
        try:
            if ws.storage.exists(key):
                if not dry_run:
                    ws.storage.put(key, note)
                done.append(key)
        except StorageError:
            continue
    return done


def _forget_tokens(ws: Workspace, threads: list[str]) -> int:
    """Delete the runs' tokens from the PII vault (its scope is the thread id)."""
    from wardflow._sqlite import connect

    path = ws.settings.vault_path
    if not threads or not path.exists():
        return 0
    conn = connect(path, synchronous=ws.settings.sqlite_synchronous,
                   busy_timeout_s=ws.settings.sqlite_busy_timeout_s, schema="")
    try:
        with conn:
            marks = ",".join("?" * len(threads))
            cursor = conn.execute(f"DELETE FROM vault_tokens WHERE scope IN ({marks})",
                                  threads)
            return int(cursor.rowcount)
    finally:
        conn.close()
