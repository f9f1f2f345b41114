"""GDPR erasure on request: a data subject's personal data out of every store, the audit
trail kept by redaction (``wardflow gdpr erase SUBJECT``).

A subject is a string that identifies a person (a name, an email, an IBAN). Every
invoice run whose text, fields or document name mention it is erased:

- its checkpoints are deleted (they hold the document text and every field), last,
  once every other place is clean;
- its objects in storage are deleted: the raw document kept at ingest
  (``incoming/``), the archived copy and summary (``archive/``), a parked copy and
  its reason (``failed/``);
- its record in the invoice memory (Chroma, embedded or a server) is deleted;
- its drift observations (``drift.sqlite`` and the saved baseline) are deleted;
- its spans are removed from ``traces.jsonl``, with every span that mentions the
  subject (spans already sent to an OTLP collector must be erased there: the report
  says so);
- its tokens in the PII vault are deleted;
- in its audit records, the subject and all personal data are replaced by
  ``[erased]`` through :meth:`~wardflow.observability.audit.AuditLog.redact`, so the
  hash chain still verifies (``wardflow audit verify``); other records that mention the
  subject have it replaced the same way.

:func:`erase_expired` does the same, for all personal data, to the runs finished more
than ``Settings.gdpr_retention_days`` ago (``wardflow gdpr erase --expired``).

ERP postings are kept: an invoice is an accounting record the law requires to be
retained (GDPR Art. 17(3)(b)); the report lists them. One ``gdpr.erasure`` audit
record (without the subject) says who erased what and why, with the count per place.

Every place is reached through its interface (:class:`~wardflow.tools.storage.Storage`,
:class:`~wardflow.tools.memory.InvoiceMemory`, the checkpointer, the audit log), so the
same erasure works on S3 and Postgres. A place that fails does not stop the others: it
is listed in ``not_erased`` (and the command exits non-zero), and running the erasure
again finishes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from wardflow.errors import ConfigError, StorageError, ToolError
from wardflow.guardrails.pii import find_pii
from wardflow.runstate import Extraction, Posting

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["ErasureReport", "erase_expired", "erase_subject"]

ERASED = "[erased]"
_FINISHED = frozenset({"posted", "rejected", "failed"})


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did (or, dry, would do): the runs, and the count per place.

    ``storage_keys`` are the objects deleted; ``not_erased`` the places that could
    not be cleaned (a store down: the runs are kept, so that running the erasure
    again finds and finishes them); ``elsewhere`` what must be erased outside the
    data home (spans already sent to an OTLP collector).
    """

    threads: list[str]
    redacted_records: int
    storage_keys: list[str]
    vault_tokens: int
    retained_postings: list[str] = field(default_factory=list)
    memory_records: int = 0
    drift_samples: int = 0
    trace_spans: int = 0
    not_erased: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

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
    documents: list[str] = []
    missed: list[str] = []
    for thread in threads:
        values = ws.state(thread).values
        posting = Posting.of(values.get("posting")).posting_id
        if posting:
            postings.append(str(posting))
        if (values.get("document") or {}).get("id"):
            documents.append(str(values["document"]["id"]))
        keys += _stored_keys(ws, values, missed)
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
                             vault_tokens=0, retained_postings=postings, not_erased=missed)
    elsewhere: list[str] = []
    tokens = _forget_tokens(ws, threads)
    deleted = _delete_objects(ws, keys, missed)
    memory = _forget_memory(ws, documents, missed)
    if memory and ws.settings.chroma_url:
        elsewhere.append(f"invoice memory: the Chroma server at {ws.settings.chroma_url} may"
                         " keep the deleted records in free pages of its data file until"
                         " its operator runs `chroma vacuum --path DATA` (server stopped)")
    drift = ws.monitor.forget(threads)
    spans = _forget_spans(ws, threads, pattern, missed, elsewhere)
    if not missed:  # else kept, so that the erasure run again finds these runs
        for thread in threads:
            ws.checkpointer.delete_thread(thread)
    key = f"gdpr.erasure:{erased_at}:{','.join(threads)}"
    if redacted:
        ws.audit.redact(redacted, reason=f"gdpr erasure: {reason}", actor=f"user:{by}",
                        key=f"{key}:redaction")
    report = ErasureReport(threads=threads, redacted_records=len(redacted),
                           storage_keys=deleted, vault_tokens=tokens,
                           retained_postings=postings, memory_records=memory,
                           drift_samples=drift, trace_spans=spans, not_erased=missed,
                           elsewhere=elsewhere)
    # Keys name documents, and a document's name may name the subject.
    ws.audit.append("gdpr.erasure", {**_scrub(report.to_dict(), pattern, True),
                                     "reason": reason,
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


# Where a run keeps objects, under its document id (graphs/invoice.py: ingest, archive,
# fail).
_FOLDERS = ("incoming", "archive/posted", "archive/rejected", "failed")


def _stored_keys(ws: Workspace, values: Mapping[str, Any], missed: list[str]) -> list[str]:
    """The run's objects in storage: the keys its state names, and every key in the
    folders named after its document."""
    doc = values.get("document") or {}
    candidates = [values.get("archive_key"), doc.get("storage_key")]
    archive = values.get("archive_key")
    if archive and "/" in str(archive):
        candidates.append(str(archive).rsplit("/", 1)[0] + "/summary.json")
    try:
        if doc.get("id"):
            for folder in _FOLDERS:
                prefix = f"{folder}/{doc['id']}"
                candidates += [k for k in ws.storage.list(prefix)
                               if k == prefix or k.startswith(prefix + "/")]
        return [k for k in dict.fromkeys(str(c) for c in candidates if c)
                if ws.storage.exists(k)]
    except StorageError as err:
        missed.append(str(err))
        return []


def _delete_objects(ws: Workspace, keys: list[str], missed: list[str]) -> list[str]:
    """Delete ``keys``; in a versioned S3 bucket every version of each (``purge``)."""
    deleted = []
    # An S3 storage (a fault-injecting wrapper's too) purges the object's versions.
    purge = getattr(ws.storage, "purge", None) or getattr(getattr(ws.storage, "inner", None),
                                                          "purge", None)
    for key in keys:
        try:
            ws.storage.delete(key)
            if purge is not None:
                purge(key)
            deleted.append(key)
        except StorageError as err:
            missed.append(str(err))
    return deleted


def _forget_memory(ws: Workspace, documents: list[str], missed: list[str]) -> int:
    memory = ws.services.memory
    if memory is None or not documents:
        return 0
    try:
        return memory.delete(documents)
    except ToolError as err:
        missed.append(str(err))
        return 0


def _forget_spans(ws: Workspace, threads: list[str], pattern: re.Pattern[str] | None,
                  missed: list[str], elsewhere: list[str]) -> int:
    from wardflow.observability.tracing import forget_spans, trace_id_for

    settings = ws.settings
    ws.telemetry.force_flush()  # spans of these runs still in the exporter's queue
    if settings.otlp_endpoint:
        elsewhere.append(f"traces: spans sent to the OTLP collector at {settings.otlp_endpoint}"
                      f" must be erased there (trace ids: "
                      f"{', '.join(trace_id_for(t) for t in threads)})")
    try:
        return forget_spans(settings.traces_path, thread_ids=threads,
                            trace_ids=[trace_id_for(t) for t in threads], pattern=pattern)
    except OSError as err:
        missed.append(f"traces: cannot rewrite {settings.traces_path}: {err}")
        return 0


def _forget_tokens(ws: Workspace, threads: list[str]) -> int:
    """Delete the runs' tokens from the PII vault (its scope is the thread id)."""
    return ws.services.vault.forget(threads) if threads else 0
