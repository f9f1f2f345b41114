"""The collaborators a data home needs, wired in one place.

:func:`build_services` opens every store the settings name (checkpointer, ERP, storage,
audit log, token vault, guards, principals, kill switch, telemetry, model, memory) and
hands them back as one frozen :class:`Services`; the graphs, the workspace, replay,
shadow, the scheduler, the CLI and the web app take it instead of opening their own.
Pass a collaborator to use it instead of the default: the caller keeps owning it, and
:meth:`Services.close` closes only what the factory opened::

    with build_services(settings, erp=my_erp) as services:
        graph = build_invoice_graph(services=services)

Stores that only some commands use (API tokens, credentials, Slack users, schedules,
the event ledger, the rate limiter) are :class:`Lazy` handles: opened on first
:meth:`Lazy.get`, once, and closed with the rest.

This module imports the stores only inside the functions that open them, so importing
it is cheap and every room may depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from wardflow._lazy import Lazy, close_value
from wardflow.config import Settings
from wardflow.errors import ConfigError

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from wardflow.guardrails.killswitch import KillSwitches
    from wardflow.guardrails.pipeline import GuardPipeline
    from wardflow.guardrails.ratelimit import RateLimits
    from wardflow.guardrails.vault import Vault
    from wardflow.llm.client import LLM
    from wardflow.observability.audit import AuditSink
    from wardflow.observability.drift import DriftMonitor
    from wardflow.observability.tracing import Telemetry
    from wardflow.review.principals import PrincipalDirectory
    from wardflow.review.tokens import ApiTokens
    from wardflow.runtime._schedule_store import ScheduleStore
    from wardflow.runtime.events import EventLedger
    from wardflow.runtime.jobs import JobStore
    from wardflow.tools.erp import EmbeddedErp, ErpAdapter
    from wardflow.tools.memory import InvoiceMemory
    from wardflow.tools.storage import Storage
    from wardflow.web.auth import Credentials
    from wardflow.web.slack import SlackLinks

__all__ = [
    "Clock", "Lazy", "Services", "build_services", "database_url", "default_erp",
    "default_guards", "open_audit_log", "open_erp", "open_event_ledger", "open_vault",
    "services_for",
]

Clock = Callable[[], datetime]
_T = TypeVar("_T")


def _now() -> datetime:
    return datetime.now(UTC)


# The collaborators, in the order they are closed (the last opened first).
_NAMES = ("jobs", "tokens", "credentials", "slack_users", "schedules", "events",
          "rate_limiter", "memory", "llm", "drift", "guards", "principals", "switch", "audit", "vault", "erp",
          "storage", "checkpointer", "telemetry")


@dataclass(frozen=True)
class Services:
    """Everything a data home's runs use, built by :func:`build_services`.

    Each collaborator is opened on first use (so a command that only needs the
    principals opens only them) and then shared. Use it as a context manager, or call
    :meth:`close`: the connections the factory opened are closed; collaborators passed
    to the factory are left to their owner.

    Attributes:
        settings: what the collaborators are opened from.
        clock: the time source (injected by tests).
    """

    settings: Settings
    clock: Clock
    handles: Mapping[str, Lazy[Any]] = field(repr=False)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def with_(self, **changes: Any) -> Services:
        """A copy with ``changes`` in place (``clock`` or collaborators by name), which
        stay their caller's; the other collaborators are shared with this one."""
        clock = changes.pop("clock", self.clock)
        unknown = set(changes) - set(_NAMES)
        if unknown:
            raise TypeError(f"Services has no collaborator {', '.join(sorted(unknown))}")
        handles = {**self.handles, **{k: Lazy.of(v) for k, v in changes.items()}}
        return Services(self.settings, clock, handles)

    def open_all(self) -> None:
        """Open every collaborator now (creating the data home's files and tables), as
        a process does before others share the home."""
        for name in reversed(_NAMES):
            self.handles[name].get()

    def opened(self, name: str) -> bool:
        """Whether the collaborator ``name`` has been opened."""
        return self.handles[name].opened

    def close(self) -> None:
        """Close what the factory opened (safe to call twice)."""
        for name in _NAMES:
            self.handles[name].close()

    def _get(self, name: str) -> Any:
        return self.handles[name].get()

    @property
    def checkpointer(self) -> BaseCheckpointSaver[str]:
        """LangGraph's checkpoint saver (SQLite in the home, or Postgres)."""
        return cast("BaseCheckpointSaver[str]", self._get("checkpointer"))

    @property
    def erp(self) -> ErpAdapter:
        """The REST ERP at ``erp_url``, else the embedded one."""
        return cast("ErpAdapter", self._get("erp"))

    @property
    def storage(self) -> Storage:
        """The document store: S3 at ``storage_url``, else local files under
        ``storage_root``."""
        return cast("Storage", self._get("storage"))

    @property
    def audit(self) -> AuditSink:
        """The hash-chained audit log."""
        return cast("AuditSink", self._get("audit"))

    @property
    def vault(self) -> Vault:
        """The token vault personal data is tokenized into (the guards' vault)."""
        return cast("Vault", self._get("vault"))

    @property
    def guards(self) -> GuardPipeline:
        """The guard pipeline at every boundary."""
        return cast("GuardPipeline", self._get("guards"))

    @property
    def principals(self) -> PrincipalDirectory:
        """Reviewers and their roles (``review.sqlite``, or tables at ``database_url``)."""
        return cast("PrincipalDirectory", self._get("principals"))

    @property
    def switch(self) -> KillSwitches:
        """The kill switch checked before every side effect (``control.sqlite``, or a
        table at ``database_url``)."""
        return cast("KillSwitches", self._get("switch"))

    @property
    def telemetry(self) -> Telemetry:
        """Where spans go."""
        return cast("Telemetry", self._get("telemetry"))

    @property
    def drift(self) -> DriftMonitor:
        """The drift monitor observing each run."""
        return cast("DriftMonitor", self._get("drift"))

    @property
    def llm(self) -> LLM | None:
        """The model layer (it loads the model on its first call), or ``None`` when
        ``settings.model`` is ``"none"``."""
        return cast("LLM | None", self._get("llm"))

    @property
    def memory(self) -> InvoiceMemory | None:
        """The invoice memory (Chroma, connected on first use), or ``None``."""
        return cast("InvoiceMemory | None", self._get("memory"))

    @property
    def tokens(self) -> ApiTokens:
        """API tokens (``review.sqlite``, or a table at ``database_url``)."""
        return cast("ApiTokens", self._get("tokens"))

    @property
    def credentials(self) -> Credentials:
        """Web passwords (``review.sqlite``, or a table at ``database_url``)."""
        return cast("Credentials", self._get("credentials"))

    @property
    def slack_users(self) -> SlackLinks:
        """Slack user links (``review.sqlite``, or a table at ``database_url``)."""
        return cast("SlackLinks", self._get("slack_users"))

    @property
    def schedules(self) -> ScheduleStore:
        """The scheduler's slots (``control.sqlite``, or tables at ``database_url``)."""
        return cast("ScheduleStore", self._get("schedules"))

    @property
    def events(self) -> EventLedger:
        """The event ledger (``control.sqlite``, or a table at ``database_url``)."""
        return cast("EventLedger", self._get("events"))

    @property
    def jobs(self) -> JobStore:
        """The runs API's jobs (``control.sqlite``, or a table at ``database_url``)."""
        return cast("JobStore", self._get("jobs"))

    @property
    def rate_limiter(self) -> RateLimits:
        """Run-submission limits (``ratelimit.sqlite``, or a table at ``database_url``)."""
        return cast("RateLimits", self._get("rate_limiter"))


def build_services(
    settings: Settings | None = None,
    *,
    scratch: bool = False,
    clock: Clock | None = None,
    checkpointer: BaseCheckpointSaver[str] | None = None,
    erp: ErpAdapter | None = None,
    storage: Storage | None = None,
    audit: AuditSink | None = None,
    vault: Vault | None = None,
    guards: GuardPipeline | None = None,
    principals: PrincipalDirectory | None = None,
    switch: KillSwitches | None = None,
    telemetry: Telemetry | None = None,
    llm: LLM | None = None,
    memory: InvoiceMemory | None = None,
) -> Services:
    """The collaborators ``settings`` name, each opened on first use; one passed here
    is used instead (and left open: it is the caller's).

    Args:
        settings: configuration; ``Settings()`` (environment, ``wardflow.toml``) if None.
        scratch: the stateful stores in memory (checkpointer, ERP, audit log, vault,
            principals, kill switch; no telemetry, no memory): a replay or a shadow run
            writes nothing to the data home's stores.
        clock: the time source; the wall clock if None.
        checkpointer: defaults to the one ``settings.checkpointer`` names.
        erp: defaults to the REST ERP at ``settings.erp_url``, else the embedded one.
        storage: defaults to S3 at ``storage_url``, else files in ``storage_root``.
        audit: defaults to the audit log in the home (or at ``database_url``).
        vault: defaults to the vault of ``guards``, else :func:`open_vault`'s.
        guards: defaults to the pipeline ``settings`` describe, over ``vault``.
        principals: defaults to ``review.sqlite`` in the home (or ``database_url``).
        switch: defaults to ``control.sqlite`` in the home (or ``database_url``).
        telemetry: defaults to what ``settings`` ask for.
        llm: defaults to ``LLM(settings)`` unless ``settings.model`` is ``"none"``.
        memory: defaults to what ``settings.memory`` asks for (or none).

    Returns:
        The services; close them (or use ``with``) when done.
    """
    settings = settings or Settings()
    now = clock or _now
    if vault is None and guards is not None:
        vault = guards.vault  # the caller's pipeline, with its vault
    given: dict[str, Any] = {"checkpointer": checkpointer, "erp": erp, "storage": storage,
                             "audit": audit, "vault": vault, "guards": guards,
                             "principals": principals, "switch": switch,
                             "telemetry": telemetry, "llm": llm, "memory": memory}
    handles: dict[str, Lazy[Any]] = {}
    openers = _openers(settings, now, scratch, lambda name: handles[name].get())
    closers: dict[str, Callable[[Any], None]] = {
        "checkpointer": lambda saver: close_value(getattr(saver, "conn", None)),
        "telemetry": lambda telemetry: telemetry.shutdown(),
    }
    for name in _NAMES:
        value = given.get(name)
        handles[name] = (Lazy.of(value) if value is not None
                         else Lazy(openers[name], closer=closers.get(name, close_value)))
    return Services(settings, now, handles)


def _openers(settings: Settings, now: Clock, scratch: bool, get: Callable[[str], Any]
             ) -> dict[str, Callable[[], Any]]:
    """How each collaborator is opened; ``get`` opens (once) the ones it depends on."""
    return {
        "checkpointer": (_memory_saver if scratch else lambda: _checkpointer(settings)),
        "erp": (lambda: _scratch_erp(now)) if scratch else (lambda: default_erp(settings)),
        "storage": lambda: _storage(settings),
        "audit": lambda: _audit(settings, now, scratch=scratch),
        "vault": lambda: _vault(settings, scratch=scratch),
        "guards": lambda: _guards(settings, get("vault")),
        "principals": lambda: _principals(settings, scratch=scratch),
        "switch": lambda: _switch(settings, now, scratch=scratch),
        "telemetry": _disabled if scratch else lambda: _telemetry(settings),
        "drift": lambda: _drift(settings, get("audit"), get("switch"), now),
        "llm": lambda: _llm(settings, get("telemetry")),
        "memory": (lambda: None) if scratch else lambda: _memory(settings),
        "tokens": lambda: _tokens(settings),
        "credentials": lambda: _credentials(settings),
        "slack_users": lambda: _slack_users(settings),
        "schedules": lambda: _schedules(settings),
        "jobs": lambda: _jobs(settings, now, scratch=scratch),
        "events": lambda: open_event_ledger(settings, clock=now),
        "rate_limiter": lambda: _rate_limiter(settings),
    }


def services_for(settings: Settings | None, services: Services | None, **given: Any
                 ) -> Services:
    """``services`` with the collaborators ``given`` (those not None) in their place,
    or, without ``services``, new ones from ``settings`` and them (what a graph builder
    does with its arguments)."""
    chosen = {name: value for name, value in given.items() if value is not None}
    if services is None:
        return build_services(settings, **chosen)
    return services.with_(**chosen) if chosen else services


# The openers: the one place each store is constructed from settings. -----------------
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


def open_erp(settings: Settings, *, clock: Clock = _now) -> EmbeddedErp:
    """The embedded ERP: SQLite in the home, or tables at ``database_url``."""
    from wardflow.tools.erp import PostgresErp, SqliteErp

    url = database_url(settings)
    if url is not None:
        return PostgresErp(url, clock=clock, retry_s=settings.database_retry_s)
    return SqliteErp(settings.erp_path, clock=clock, synchronous=settings.sqlite_synchronous,
                     busy_timeout_s=settings.sqlite_busy_timeout_s)


def default_erp(settings: Settings) -> ErpAdapter:
    """The ERP ``settings`` name: the REST ERP at ``erp_url``, else the embedded one."""
    if settings.erp_url:
        from wardflow.tools.erp_http import HttpErp

        token = settings.erp_token.get_secret_value() if settings.erp_token else None
        return HttpErp(settings.erp_url, token=token, timeout_s=settings.erp_timeout_s)
    return open_erp(settings)


def open_audit_log(settings: Settings, *, clock: Clock = _now) -> AuditSink:
    """The audit log: ``audit.sqlite`` in the home, or a table at ``database_url``."""
    from wardflow.observability.audit import AuditLog, PostgresAuditLog

    url = database_url(settings)
    if url is not None:
        return PostgresAuditLog(url, clock=clock, retry_s=settings.database_retry_s)
    return AuditLog(settings.audit_path, clock=clock, synchronous=settings.sqlite_synchronous,
                    busy_timeout_s=settings.sqlite_busy_timeout_s)


def open_event_ledger(settings: Settings, *, clock: Clock = _now) -> EventLedger:
    """The event ledger: in ``control.sqlite``, or a table at ``database_url``."""
    from wardflow.runtime.events import PostgresEventLedger, SqliteEventLedger

    url = database_url(settings)
    if url is not None:
        return PostgresEventLedger(url, clock=clock, retry_s=settings.database_retry_s)
    return SqliteEventLedger(settings.control_path, clock=clock)


def open_vault(settings: Settings) -> Vault:
    """The token vault sealed by the settings' keys: in the home, or at ``database_url``."""
    from wardflow._crypto import Keyring
    from wardflow.guardrails.vault import PostgresTokenVault, TokenVault

    if (url := database_url(settings)) is not None:
        return PostgresTokenVault(url, keyring=Keyring.from_settings(settings),
                                  retry_s=settings.database_retry_s)
    return TokenVault(settings.vault_path, synchronous=settings.sqlite_synchronous,
                      busy_timeout_s=settings.sqlite_busy_timeout_s,
                      keyring=Keyring.from_settings(settings))


def default_guards(settings: Settings) -> GuardPipeline:
    """The guard pipeline ``settings`` describe, its vault in the data home."""
    return _guards(settings, open_vault(settings))


def _storage(settings: Settings) -> Storage:
    if settings.storage_url:
        from wardflow.tools.s3storage import S3Storage

        return S3Storage.from_settings(settings)
    from wardflow.tools.storage import LocalStorage

    return LocalStorage(settings.storage_root)


def _llm(settings: Settings, telemetry: Telemetry) -> LLM | None:
    if settings.model.lower() == "none":
        return None
    from wardflow.llm.client import LLM

    return LLM(settings, telemetry=telemetry)


def _memory(settings: Settings) -> InvoiceMemory | None:
    from wardflow.tools.memory import open_memory

    return open_memory(settings)


def _scratch_erp(clock: Clock) -> ErpAdapter:
    from wardflow.tools.erp import SqliteErp

    return SqliteErp(":memory:", clock=clock)


def _checkpointer(settings: Settings) -> BaseCheckpointSaver[str]:
    from wardflow.runtime.checkpoint import open_checkpointer

    return open_checkpointer(settings)


def _memory_saver() -> BaseCheckpointSaver[str]:
    from langgraph.checkpoint.memory import InMemorySaver

    return InMemorySaver()


def _disabled() -> Telemetry:
    from wardflow.observability.tracing import DISABLED

    return DISABLED


def _telemetry(settings: Settings) -> Telemetry:
    from wardflow.observability.tracing import telemetry_for

    return telemetry_for(settings)


def _audit(settings: Settings, clock: Clock, *, scratch: bool) -> AuditSink:
    if scratch:
        from wardflow.observability.audit import AuditLog

        return AuditLog(":memory:", clock=clock)
    return open_audit_log(settings)


def _vault(settings: Settings, *, scratch: bool) -> Vault:
    if scratch:
        from wardflow.guardrails.vault import TokenVault

        return TokenVault()
    return open_vault(settings)


def _guards(settings: Settings, vault: Vault) -> GuardPipeline:
    from wardflow.guardrails.pipeline import GuardPipeline

    return GuardPipeline.from_settings(settings, vault=vault)


def _principals(settings: Settings, *, scratch: bool) -> PrincipalDirectory:
    from wardflow.review.principals import PostgresPrincipalStore, PrincipalStore

    if scratch:
        return PrincipalStore(":memory:")
    return _review_store(settings, PrincipalStore, PostgresPrincipalStore)


def _switch(settings: Settings, clock: Clock, *, scratch: bool) -> KillSwitches:
    from wardflow.guardrails.killswitch import KillSwitch, PostgresKillSwitch

    if scratch:
        return KillSwitch(":memory:", clock=clock)
    url = database_url(settings)
    if url is not None:
        return PostgresKillSwitch(url, clock=clock, retry_s=settings.database_retry_s)
    return KillSwitch(settings.control_path, clock=clock)


def _drift(settings: Settings, audit: AuditSink, switch: KillSwitches, clock: Clock
           ) -> DriftMonitor:
    from wardflow.observability._drift_store import PostgresDriftStore, SqliteDriftStore
    from wardflow.observability.drift import DriftMonitor

    url = database_url(settings)
    store = (PostgresDriftStore(url, retry_s=settings.database_retry_s, now=clock) if url
             else SqliteDriftStore(settings.drift_path, baseline=settings.drift_baseline_path,
                                   busy_timeout_s=settings.sqlite_busy_timeout_s, now=clock))
    return DriftMonitor(settings, store=store, audit=audit, switch=switch, clock=clock)


def _review_store(settings: Settings, sqlite: Callable[..., _T], postgres: Callable[..., _T]
                  ) -> _T:
    """A review store in ``review.sqlite``, or in Postgres at ``database_url``."""
    url = database_url(settings)
    if url is not None:
        return postgres(url, retry_s=settings.database_retry_s)
    return sqlite(settings.review_path, busy_timeout_s=settings.sqlite_busy_timeout_s)


def _tokens(settings: Settings) -> ApiTokens:
    from wardflow.review.tokens import PostgresTokenStore, TokenStore

    return _review_store(settings, TokenStore, PostgresTokenStore)


def _credentials(settings: Settings) -> Credentials:
    from wardflow.web.auth import CredentialStore, PostgresCredentialStore

    return _review_store(settings, CredentialStore, PostgresCredentialStore)


def _slack_users(settings: Settings) -> SlackLinks:
    from wardflow.web.slack import PostgresSlackUsers, SlackUsers

    return _review_store(settings, SlackUsers, PostgresSlackUsers)


def _schedules(settings: Settings) -> ScheduleStore:
    from wardflow.runtime._schedule_store import PostgresScheduleStore, SqliteScheduleStore

    if (url := database_url(settings)) is not None:
        return PostgresScheduleStore(url, retry_s=settings.database_retry_s)
    return SqliteScheduleStore(settings.control_path,
                               busy_timeout_s=settings.sqlite_busy_timeout_s)


def _jobs(settings: Settings, clock: Clock, *, scratch: bool) -> JobStore:
    from wardflow.runtime.jobs import PostgresJobStore, SqliteJobStore

    if (url := None if scratch else database_url(settings)) is not None:
        return PostgresJobStore(url, retry_s=settings.database_retry_s, clock=clock)
    return SqliteJobStore(":memory:" if scratch else settings.control_path, clock=clock,
                          busy_timeout_s=settings.sqlite_busy_timeout_s)


def _rate_limiter(settings: Settings) -> RateLimits:
    from wardflow._sqlite import private_dir
    from wardflow.guardrails.ratelimit import PostgresRateLimiter, RateLimiter

    url = database_url(settings)
    if url is not None:
        return PostgresRateLimiter(url, retry_s=settings.database_retry_s)
    private_dir(settings.home)
    return RateLimiter(settings.home / "ratelimit.sqlite",
                       busy_timeout_s=settings.sqlite_busy_timeout_s)
