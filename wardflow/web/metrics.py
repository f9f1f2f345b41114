"""``GET /metrics``: the data home's numbers in the Prometheus text format.

Runs happen in other processes and on other machines, so the numbers are read from the
shared, durable stores when Prometheus scrapes (``wardflow/web/_metrics_read.py`` says
how each store is read, incrementally), not counted in this process. One collection is
served for ``metrics_cache_s`` seconds (15 by default): a scrape storm reads the stores
once per window.

Metrics (all prefixed ``wardflow_``)::

    runs{status}                         gauge: runs by status (wardflow.status names)
    dead_letter_runs                     gauge: runs parked in the dead-letter state now
    dead_letters_total                   counter: run.dead_letter audit records
    review_queue_depth{status}           gauge: runs awaiting_review / awaiting_approval
    review_queue_oldest_age_seconds      gauge: how long the oldest waiting run has waited
    review_queue_age_seconds             gauge histogram: how long each waiting run has
    stage_duration_seconds{node}         histogram: each step's time (audit ``ms``)
    model_calls, model_tokens, model_cost
                                         gauges: model usage of the runs kept (a gauge:
                                         an erased run takes its usage with it)
    guard_flags_total{boundary,validator,outcome}
                                         counter: guard decisions other than ``pass``
    erp_posts_total                      counter: erp_post_invoice calls that posted
    erp_refusals_total{outcome}          counter: ... that were blocked or failed
    metrics_collect_seconds              gauge: how long the last collection took

Who may scrape: a bearer token equal to ``WARDFLOW_METRICS_TOKEN``, or an API or login
token of an auditor, controller or admin (the readers of the runs page); anyone else
401 (no or a bad token) or 403 (another role): the numbers show business volume.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

from wardflow.errors import ConfigError
from wardflow.web._context import AppContext
from wardflow.web._deps import authenticate
from wardflow.web._metrics_read import AGE_BUCKETS_S, AuditTally, Histogram, RunFacts, RunTally
from wardflow.web.operations import READERS

try:
    from fastapi import APIRouter, Header, HTTPException
    from fastapi.responses import Response
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.core import (
        CounterMetricFamily,
        GaugeHistogramMetricFamily,
        GaugeMetricFamily,
        HistogramMetricFamily,
        Metric,
    )
    from prometheus_client.registry import Collector
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ConfigError("/metrics needs the web extra: pip install 'wardflow[web]'") from err

if TYPE_CHECKING:
    from wardflow.observability.audit import AuditSink
    from wardflow.runtime.workspace import Workspace

__all__ = ["WardflowCollector", "metrics_router"]

log = logging.getLogger(__name__)

_QUEUE = ("awaiting_review", "awaiting_approval")


class WardflowCollector(Collector):
    """A ``prometheus_client`` collector over a data home's stores.

    Args:
        workspace: opens a workspace (its checkpointer lists the runs).
        audit: the audit log (read incrementally).
        ttl_s: how long one collection is served again.
        now: the wall clock (the age of waiting runs).
        monotonic: the clock of the cache.
    """

    def __init__(self, workspace: Callable[[], AbstractContextManager[Workspace]],
                 audit: Callable[[], AuditSink], *, ttl_s: float = 15.0,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._workspace = workspace
        self._audit = audit
        self._ttl_s = ttl_s
        self._now = now
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._audit_tally = AuditTally()
        self._run_tally = RunTally()
        self._families: list[Metric] = []
        self._at: float | None = None

    def describe(self) -> Iterator[Metric]:
        """Nothing up front: registering the collector must not read the stores."""
        return iter(())

    def collect(self) -> Iterator[Metric]:
        """The metrics, read now, or the last collection if younger than ``ttl_s``."""
        with self._lock:
            now = self._monotonic()
            if self._at is None or now - self._at >= self._ttl_s:
                self._families = self._read()
                self._at = self._monotonic()
            return iter(list(self._families))

    def _read(self) -> list[Metric]:
        started = time.perf_counter()
        self._audit_tally.read(self._audit())
        with self._workspace() as ws:
            runs = self._run_tally.read(ws)
        families = [*_run_families(runs), *self._queue_families(runs),
                    *_audit_families(self._audit_tally)]
        took = GaugeMetricFamily("wardflow_metrics_collect_seconds",
                                 "How long the last collection of these metrics took.")
        took.add_metric([], time.perf_counter() - started)
        return [*families, took]

    def _queue_families(self, runs: list[RunFacts]) -> list[Metric]:
        depth = GaugeMetricFamily("wardflow_review_queue_depth",
                                  "Runs waiting for a reviewer or an approver.",
                                  labels=["status"])
        for status in _QUEUE:
            depth.add_metric([status], sum(1 for r in runs if r.status == status))
        now = self._now()
        ages = [max(0.0, (now - _parsed(r.updated)).total_seconds()) for r in runs
                if r.status in _QUEUE and r.updated]
        oldest = GaugeMetricFamily("wardflow_review_queue_oldest_age_seconds",
                                   "Seconds the oldest waiting run has waited (0: none).")
        oldest.add_metric([], max(ages, default=0.0))
        histogram = Histogram(AGE_BUCKETS_S)
        for age in ages:
            histogram.observe(age)
        spread = GaugeHistogramMetricFamily("wardflow_review_queue_age_seconds",
                                            "How long each waiting run has waited.",
                                            buckets=histogram.cumulative(),
                                            gsum_value=histogram.total)
        return [depth, oldest, spread]


def _parsed(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _run_families(runs: list[RunFacts]) -> list[Metric]:
    from wardflow.status import RUN_STATUSES

    by_status = GaugeMetricFamily("wardflow_runs", "Runs by status.", labels=["status"])
    counts: dict[str, int] = {status: 0 for status in RUN_STATUSES}
    for run in runs:
        counts[run.status] = counts.get(run.status, 0) + 1
    for status, count in counts.items():
        by_status.add_metric([status], count)
    parked = GaugeMetricFamily("wardflow_dead_letter_runs", "Runs parked as dead letters now.")
    parked.add_metric([], counts["dead_letter"])
    usage = []
    for name, doc, value in (
        ("calls", "Model calls of the runs kept.", sum(r.llm_calls for r in runs)),
        ("tokens", "Model tokens (prompt and completion) of the runs kept.",
         sum(r.llm_tokens for r in runs)),
        ("cost", "Model cost of the runs kept (litellm's price, USD).",
         sum(r.llm_cost for r in runs)),
    ):
        # A gauge, not a counter: erasing a run removes its usage, and a counter must
        # never go down.
        family = GaugeMetricFamily(f"wardflow_model_{name}", doc)
        family.add_metric([], value)
        usage.append(family)
    return [by_status, parked, *usage]


def _audit_families(tally: AuditTally) -> list[Metric]:
    stages = HistogramMetricFamily("wardflow_stage_duration_seconds",
                                   "Time of each completed step, by node (audit records).",
                                   labels=["node"])
    for node, histogram in sorted(tally.stages.items()):
        stages.add_metric([node], histogram.cumulative(), sum_value=histogram.total)
    flags = CounterMetricFamily("wardflow_guard_flags", "Guard decisions other than pass.",
                                labels=["boundary", "validator", "outcome"])
    for (boundary, validator, outcome), count in sorted(tally.guard_flags.items()):
        flags.add_metric([boundary, validator, outcome], count)
    posts = CounterMetricFamily("wardflow_erp_posts", "Invoices posted to the ERP.")
    posts.add_metric([], tally.erp_posts)
    refusals = CounterMetricFamily("wardflow_erp_refusals",
                                   "ERP postings blocked by a guard or refused by the ERP.",
                                   labels=["outcome"])
    for outcome, count in sorted({"blocked": 0, "error": 0, **tally.erp_refusals}.items()):
        refusals.add_metric([outcome], count)
    parked = CounterMetricFamily("wardflow_dead_letters", "Runs ever parked as dead letters.")
    parked.add_metric([], tally.dead_letters)
    return [stages, flags, posts, refusals, parked]


def _allow(ctx: AppContext, authorization: str | None) -> None:
    """Let the scraper's token or a reader's API/login token through; else 401/403."""
    scheme, _, value = (authorization or "").partition(" ")
    token = ctx.settings.metrics_token.get_secret_value() if ctx.settings.metrics_token \
        else ""
    if token and scheme.lower() == "bearer" and secrets.compare_digest(
            value.strip().encode(), token.encode()):
        return
    caller = authenticate(ctx, authorization)  # AuthError: 401
    role = caller.principal.role
    if role not in READERS:
        raise HTTPException(403, f"{caller.principal.name} is {role}: metrics are for"
                                 " auditors, controllers and admins")


def metrics_router(ctx: AppContext) -> APIRouter:
    """``GET /metrics`` over the stores of ``ctx``."""
    router = APIRouter()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WardflowCollector(ctx.workspace, lambda: ctx.services.audit,
                                        ttl_s=ctx.settings.metrics_cache_s))

    @router.get("/metrics", include_in_schema=False)
    def metrics(authorization: Annotated[str | None, Header()] = None) -> Response:
        _allow(ctx, authorization)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
