"""Store factories: the embedded ERP, audit log and event ledger that the settings name.

With ``database_url`` unset each is a SQLite file in the data home; with a
``postgres://`` URL all three are tables in that database (which may be the
checkpointer's), so that workers on several machines share them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.graphs.events import EventLedger, PostgresEventLedger, SqliteEventLedger
from wardflow.observability.audit import AuditLog, AuditSink, PostgresAuditLog
from wardflow.tools.erp import EmbeddedErp, PostgresErp, SqliteErp

__all__ = ["database_url", "open_audit_log", "open_erp", "open_event_ledger"]


def _now() -> datetime:
    return datetime.now(UTC)


def database_url(settings: Settings) -> str | None:
    """The Postgres URL of the stores, or ``None`` for the SQLite files."""
    if settings.database_url is None:
        return None
    url = settings.database_url.get_secret_value()
    if not url:
        return None
    if not url.startswith(("postgres://", "postgresql://")):
        raise ConfigError("WARDFLOW_DATABASE_URL must be a postgres:// URL (unset it for"
                          " the SQLite files in the data home)")
    return url


def open_erp(settings: Settings, *, clock: Callable[[], datetime] = _now) -> EmbeddedErp:
    url = database_url(settings)
    if url is not None:
        return PostgresErp(url, clock=clock, retry_s=settings.database_retry_s)
    return SqliteErp(settings.erp_path, clock=clock, synchronous=settings.sqlite_synchronous,
                     busy_timeout_s=settings.sqlite_busy_timeout_s)


def open_audit_log(settings: Settings, *, clock: Callable[[], datetime] = _now) -> AuditSink:
    url = database_url(settings)
    if url is not None:
        return PostgresAuditLog(url, clock=clock, retry_s=settings.database_retry_s)
    return AuditLog(settings.audit_path, clock=clock, synchronous=settings.sqlite_synchronous,
                    busy_timeout_s=settings.sqlite_busy_timeout_s)


def open_event_ledger(settings: Settings, *, clock: Callable[[], datetime] = _now
                      ) -> EventLedger:
    url = database_url(settings)
    if url is not None:
        return PostgresEventLedger(url, clock=clock, retry_s=settings.database_retry_s)
    return SqliteEventLedger(settings.control_path, clock=clock)
