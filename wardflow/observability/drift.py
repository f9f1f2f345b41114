"""Drift monitoring: are today's invoices (and our readings of them) like yesterday's?

Each routed or failed invoice run leaves one :class:`Observation` (confidence, amount,
risk, route, fields where the model and the parsers disagreed, guard flags) in
``home/drift.sqlite``, or in Postgres when ``WARDFLOW_DATABASE_URL`` is set (with the
saved baseline and the alerts: every machine compares against the same runs). The workspace records it right after the run, from the state
it already holds; ``wardflow drift`` first catches up on runs made elsewhere (one
state read per run not yet seen), so collection is incremental either way.

:func:`compare` sets a current window against a reference window: PSI on quantile
bins of the reference and a two-sample KS test for the distributions, the change of
share for the rates. An alert is logged, audited (``drift.alert`` or ``guard.alert``,
actor ``wardflow/drift``) and, when configured, engages the kill switch.

The guard alert is cheaper and automatic: after each run the guards flagged, the
monitor counts flagged documents in the recent window (see ``Settings.guard_alert_*``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from wardflow._sqlite import utc_now
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.observability._drift_stats import ks_2samp, psi
from wardflow.observability._drift_store import DriftStore
from wardflow.observability.audit import AuditSink
from wardflow.runstate import Extraction, RunState

if TYPE_CHECKING:
    from rich.table import Table

__all__ = [
    "ACTOR", "Alert", "DriftMonitor", "DriftReport", "GuardCheck", "MetricResult",
    "Observation", "compare", "observe",
]

log = logging.getLogger(__name__)

ACTOR = "wardflow/drift"
Status = Literal["ok", "warn", "alert", "n/a"]
_RANK: dict[str, int] = {"n/a": 0, "ok": 1, "warn": 2, "alert": 3}
_STOPS = ("flagged", "blocked")
_NUMERIC = ("confidence", "amount", "risk")


class Switch(Protocol):
    """What the monitor needs of :class:`wardflow.guardrails.killswitch.KillSwitch`."""

    def engage(self, reason: str, *, by: str, workflow: str = ...) -> object: ...


@dataclass(frozen=True, slots=True)
class Observation:
    """One run, as drift monitoring sees it."""

    thread_id: str
    ts: str
    status: str
    confidence: float | None = None
    # Total in the approval currency (as printed when the rate is unknown).
    amount: float | None = None
    risk: float | None = None
    route: str | None = None
    disagreements: tuple[str, ...] = ()
    guard_flags: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Observation:
        return cls(**{**data, "disagreements": tuple(data.get("disagreements", ())),
                      "guard_flags": tuple(data.get("guard_flags", ()))})


def observe(thread_id: str, values: Mapping[str, Any], ts: str) -> Observation | None:
    """The observation of a run's state; ``None`` until the run is routed or has failed."""
    status = str(values.get("status", ""))
    decision = values.get("decision") or {}
    if not decision and status != "failed":
        return None
    state = RunState.of(values)
    extraction = state.extraction or Extraction()
    return Observation(
        thread_id=thread_id,
        ts=_utc(ts),
        status=status,
        confidence=extraction.confidence,
        amount=_number(state.compliance.amount_in_approval_currency if state.compliance
                       else None) or _number(extraction.value("total")),
        risk=state.risk.score if state.risk else None,
        route=state.decision.route if state.decision else None,
        disagreements=tuple(sorted(n for n, f in extraction.fields.items()
                                   if f is not None and (f.model_extra or {}).get("disagreement"))),
        guard_flags=tuple(sorted({str(g.get("validator")) for g in values.get("guard") or []
                                  if g.get("outcome") in _STOPS})),
    )


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _utc(ts: str) -> str:
    # One format in the store, so that timestamps order correctly as text.
    parsed = datetime.fromisoformat(ts)
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return parsed.isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class MetricResult:
    """One metric, reference against current. ``reference``/``current`` are the median
    for a distribution and the share of runs for a rate."""

    name: str
    kind: Literal["distribution", "rate"]
    reference: float | None
    current: float | None
    n_reference: int
    n_current: int
    status: Status
    psi: float | None = None
    ks: float | None = None
    p_value: float | None = None


@dataclass(frozen=True)
class DriftReport:
    """The outcome of one comparison, for the table, ``--json`` and the audit record."""

    reference: str
    current: str
    metrics: tuple[MetricResult, ...]
    guard: GuardCheck | None = None

    @property
    def status(self) -> Status:
        statuses: list[Status] = [m.status for m in self.metrics]
        if self.guard is not None and self.guard.crossed:
            statuses.append("alert")
        return max(statuses, key=_RANK.__getitem__, default="n/a")

    def alerts(self) -> list[MetricResult]:
        return [m for m in self.metrics if m.status == "alert"]

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reference": self.reference, "current": self.current,
                "metrics": [asdict(m) for m in self.metrics],
                "guard": None if self.guard is None else asdict(self.guard)}

    def render(self) -> Table:
        from rich.table import Table

        table = Table(title=f"drift: {self.status}  (reference {self.reference}; current"
                            f" {self.current})", title_justify="left")
        for column in ("metric", "reference", "current", "PSI", "KS D (p)", "status"):
            table.add_column(column)
        style = {"alert": "red", "warn": "yellow", "ok": "green"}
        for m in self.metrics:
            ks = "" if m.ks is None else f"{m.ks:.2f} ({m.p_value:.3g})"
            table.add_row(m.name, _shown(m, m.reference, m.n_reference),
                          _shown(m, m.current, m.n_current),
                          "" if m.psi is None else f"{m.psi:.3f}", ks,
                          f"[{style.get(m.status, '')}]{m.status}[/]" if m.status in style
                          else m.status)
        if self.guard is not None:
            g = self.guard
            table.add_row("guard burst", f"limit {g.limit_count} in {g.window_s:g} s",
                          f"{g.flagged_recent} flagged", "", "",
                          "[red]alert[/]" if g.crossed else "[green]ok[/]")
        return table


def _shown(m: MetricResult, value: float | None, n: int) -> str:
    if value is None:
        return f"- (n={n})"
    if m.kind == "rate":
        return f"{value:.1%} (n={n})"
    return f"{value:,.0f} (n={n})" if abs(value) >= 1000 else f"{value:.3g} (n={n})"


@dataclass(frozen=True, slots=True)
class GuardCheck:
    """Guard-flagged documents in the recent window, against the configured limits."""

    flagged_recent: int
    window_s: float
    limit_count: int
    share: float | None
    runs: int
    limit_share: float
    crossed: bool
    since: str


@dataclass(frozen=True, slots=True)
class Alert:
    kind: Literal["drift", "guard"]
    reason: str
    ts: str
    kill_switch: bool
    payload: dict[str, Any] = field(default_factory=dict)


def compare(reference: Sequence[Observation], current: Sequence[Observation],
            settings: Settings) -> list[MetricResult]:
    """Every metric of ``current`` against ``reference``, with its status."""
    results = [_distribution(name, [getattr(o, name) for o in reference],
                             [getattr(o, name) for o in current], settings)
               for name in _NUMERIC]
    rates: dict[str, Callable[[Observation], bool]] = {
        "review": lambda o: o.route == "review",
        "failed": lambda o: o.status == "failed",
        "disagreement": lambda o: bool(o.disagreements),
        "guard_flag": lambda o: bool(o.guard_flags),
    }
    runs = (*reference, *current)
    for name in sorted({f for o in runs for f in o.disagreements}):
        rates[f"disagreement:{name}"] = _listed("disagreements", name)
    for name in sorted({f for o in runs for f in o.guard_flags}):
        rates[f"guard:{name}"] = _listed("guard_flags", name)
    results += [_rate(name, test, reference, current, settings) for name, test in rates.items()]
    return results


def _listed(attr: str, name: str) -> Callable[[Observation], bool]:
    return lambda o: name in getattr(o, attr)


def _distribution(name: str, ref: Sequence[float | None], cur: Sequence[float | None],
                  settings: Settings) -> MetricResult:
    a = [v for v in ref if v is not None]
    b = [v for v in cur if v is not None]
    if min(len(a), len(b)) < settings.drift_min_runs:
        return MetricResult(name, "distribution", _median(a), _median(b), len(a), len(b), "n/a")
    # PSI's noise grows with bins / runs (about (bins - 1) * (1/n + 1/m) for equal
    # distributions): at least 20 runs per bin on the smaller side keeps it under 0.1.
    bins = max(2, min(settings.drift_bins, min(len(a), len(b)) // 20))
    index = psi(a, b, bins=bins)
    d, p = ks_2samp(a, b)
    status: Status = ("alert" if index >= settings.drift_psi_alert else
                      "warn" if index >= settings.drift_psi_warn or p < settings.drift_ks_alpha
                      else "ok")
    return MetricResult(name, "distribution", _median(a), _median(b), len(a), len(b), status,
                        psi=round(index, 6), ks=round(d, 6), p_value=p)


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _rate(name: str, test: Callable[[Observation], bool], reference: Sequence[Observation],
          current: Sequence[Observation], settings: Settings) -> MetricResult:
    n, m = len(reference), len(current)
    ref = sum(map(test, reference)) / n if n else None
    cur = sum(map(test, current)) / m if m else None
    status: Status = "n/a"
    if ref is not None and cur is not None and min(n, m) >= settings.drift_min_runs:
        change = abs(cur - ref)
        status = ("alert" if change >= settings.drift_rate_alert else
                  "warn" if change >= settings.drift_rate_warn else "ok")
    return MetricResult(name, "rate", ref, cur, n, m, status)


class DriftMonitor:
    """Observations in a :class:`~wardflow.observability._drift_store.DriftStore`, the
    comparisons, and the alerts.

    Args:
        store: where observations, alerts and the baseline are kept.
        audit: where alerts are recorded.
        switch: engaged on an alert when configured (``None``: never).
        clock: the time of observations made now and of alerts; injected by tests.
    """

    def __init__(self, settings: Settings, *, store: DriftStore, audit: AuditSink,
                 switch: Switch | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.store = store
        self.audit = audit
        self.switch = switch
        self._clock = clock

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # Observations ---------------------------------------------------------------------
    def add(self, observation: Observation) -> bool:
        """Store an observation; ``False`` if the run was observed before."""
        return self.store.add(observation.thread_id, observation.ts,
                              json.dumps(asdict(observation)), bool(observation.guard_flags))

    def forget(self, thread_ids: Sequence[str]) -> int:
        """Remove these runs' observations (an erasure), from the store and from the
        saved baseline; returns how many."""
        return self.store.forget(thread_ids) + self._forget_in_baseline(thread_ids)

    def _forget_in_baseline(self, thread_ids: Sequence[str]) -> int:
        ids = set(thread_ids)
        saved = self.store.get_baseline() if ids else None
        if saved is None:
            return 0
        data = json.loads(saved[1])
        kept = [o for o in data.get("observations", []) if o.get("thread_id") not in ids]
        gone = len(data.get("observations", [])) - len(kept)
        if gone:
            data["observations"] = kept
            self.store.put_baseline(json.dumps(data, indent=1))
        return gone

    def after_run(self, thread_id: str, values: Mapping[str, Any]) -> Alert | None:
        """Observe a run that just ran; check the guard alert when the guards flagged it.

        Costs one insert per run (and two small queries for a flagged one). A
        monitoring failure is logged and never fails the run.
        """
        observation = observe(thread_id, values, self._clock().isoformat())
        if observation is None:
            return None
        try:
            if not self.add(observation) or not observation.guard_flags:
                return None
            if not self.settings.guard_alert:
                return None
            return self.raise_guard_alert(self.check_guard())
        except sqlite3.Error as err:  # Postgres errors arrive as these too (_postgres)
            log.warning("drift monitor: cannot record %s (%s)", thread_id, err)
            return None

    def collect(self, threads: Iterable[str],
                read: Callable[[str], tuple[Mapping[str, Any], str | None]]) -> int:
        """Observe the runs among ``threads`` not seen yet; ``read`` gives a run's state
        values and last checkpoint time. Returns how many were added."""
        seen = self.store.thread_ids()
        added = 0
        for thread in threads:
            if thread in seen:
                continue
            values, ts = read(thread)
            observation = observe(thread, values, ts or self._clock().isoformat())
            if observation is not None and self.add(observation):
                added += 1
        return added

    def observations(self, *, last: int | None = None, since: str | None = None,
                     until: str | None = None) -> list[Observation]:
        """Stored observations, oldest first: all, the last ``last``, or a time range."""
        rows = self.store.rows(since=_utc(since) if since else None,
                               until=_utc(until) if until else None, last=last)
        return [Observation.from_dict(json.loads(row)) for row in rows]

    # Windows --------------------------------------------------------------------------
    def current(self, *, window: int | None = None, days: float | None = None
                ) -> tuple[str, list[Observation]]:
        """The current window: the last ``days`` days, else the last ``window`` runs."""
        if days is not None:
            since = (self._clock() - timedelta(days=days)).isoformat()
            return f"last {days:g} day(s)", self.observations(since=since)
        count = window or self.settings.drift_window
        return f"last {count} run(s)", self.observations(last=count)

    def reference(self, spec: str | None, *, exclude: Iterable[str] = ()
                  ) -> tuple[str, list[Observation]]:
        """The reference window named by ``spec``.

        ``None``/``"auto"``: the saved baseline if there is one, else the first
        ``drift_reference_runs`` runs; ``"baseline"``; ``"first:N"``; a date range
        ``"2026-01-01..2026-02-01"`` (either end may be left out); or a baseline file.
        Runs in ``exclude`` (the current window) never count as reference.
        """
        saved = self.store.get_baseline() if spec in (None, "auto", "baseline") else None
        if spec is None or spec == "auto":
            spec = "baseline" if saved else f"first:{self.settings.drift_reference_runs}"
        skip = set(exclude)
        if spec == "baseline":
            if saved is None:
                raise ConfigError("no drift baseline saved; save one with"
                                  " `wardflow drift --save-baseline`")
            return f"baseline {saved[0]}", parse_baseline(saved[1], saved[0])
        if Path(spec).suffix == ".json":
            return f"baseline {Path(spec).name}", load_baseline(Path(spec))
        if spec.startswith("first:") and spec[6:].isdigit():
            first = [o for o in self.observations() if o.thread_id not in skip][:int(spec[6:])]
            return f"first {len(first)} run(s)", first
        if ".." in spec:
            start, _, end = spec.partition("..")
            try:
                since, until = (date.fromisoformat(start) if start else None,
                                date.fromisoformat(end) if end else None)
            except ValueError as err:
                raise ConfigError(f"bad date range {spec!r}: {err}") from err
            found = self.observations(since=since.isoformat() if since else None,
                                      until=until.isoformat() if until else None)
            return spec, [o for o in found if o.thread_id not in skip]
        raise ConfigError(f"unknown reference {spec!r}: use 'baseline', 'first:N', a date range"
                          " 'YYYY-MM-DD..YYYY-MM-DD' or a baseline .json file")

    def report(self, *, window: int | None = None, days: float | None = None,
               reference: str | None = None) -> DriftReport:
        """Compare the current window with the reference, and check the guard rule."""
        current_label, current = self.current(window=window, days=days)
        ref_label, ref = self.reference(reference, exclude=(o.thread_id for o in current))
        return DriftReport(ref_label, current_label, tuple(compare(ref, current, self.settings)),
                           guard=self.check_guard())

    def check(self, *, window: int | None = None, days: float | None = None,
              reference: str | None = None, kill_switch: bool | None = None
              ) -> tuple[DriftReport, list[Alert]]:
        """What ``wardflow drift`` does after collecting: report, then raise the drift
        and guard alerts due (``kill_switch`` overrides the settings for both)."""
        report = self.report(window=window, days=days, reference=reference)
        alerts = [self.raise_drift_alert(report, kill_switch=kill_switch)]
        if report.guard is not None:
            alerts.append(self.raise_guard_alert(report.guard, kill_switch=kill_switch))
        return report, [a for a in alerts if a is not None]

    def save_baseline(self, observations: Sequence[Observation], path: Path | None = None
                      ) -> Path | str:
        """Save ``observations`` as the reference for later comparisons: in the store
        (the home's baseline file, or the database), or in the file ``path``; returns
        where."""
        data = json.dumps({"version": 1, "saved_at": self._clock().isoformat(),
                           "observations": [asdict(o) for o in observations]}, indent=1)
        if path is None:
            return self.store.put_baseline(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data)
        return path

    # Alerts ---------------------------------------------------------------------------
    def check_guard(self) -> GuardCheck:
        """Flagged documents within ``guard_alert_window_s``, and their share among the
        last ``guard_alert_runs`` runs (judged once that many runs exist)."""
        s = self.settings
        since = (self._clock() - timedelta(seconds=s.guard_alert_window_s)).isoformat()
        recent = self.store.flagged_since(_utc(since))
        rows = self.store.latest_flags(s.guard_alert_runs)
        share = sum(r[0] for r in rows) / len(rows) if len(rows) >= s.guard_alert_runs else None
        by_count = recent >= s.guard_alert_count
        by_share = share is not None and share >= s.guard_alert_share
        # The runs this verdict rests on start here; one alert covers them.
        start = _utc(since)
        if by_share and not by_count:
            start = rows[-1][1]
        elif by_share:
            start = min(start, rows[-1][1])
        return GuardCheck(recent, s.guard_alert_window_s, s.guard_alert_count, share,
                          len(rows), s.guard_alert_share, by_count or by_share, start)

    def raise_guard_alert(self, check: GuardCheck, *, kill_switch: bool | None = None
                          ) -> Alert | None:
        """Alert on a crossed guard limit, once per window (``None`` if not crossed or
        already raised for these runs)."""
        if not check.crossed:
            return None
        last = self.store.last_alert("guard")
        if last is not None and last >= check.since:
            return None
        share = "" if check.share is None else f"; {check.share:.0%} of the last {check.runs} runs"
        reason = (f"guard alert: {check.flagged_recent} flagged document(s) within"
                  f" {check.window_s:g} s{share}")
        return self.alert("guard", reason, asdict(check),
                          kill_switch=self.settings.guard_alert_kill_switch
                          if kill_switch is None else kill_switch)

    def raise_drift_alert(self, report: DriftReport, *, kill_switch: bool | None = None
                          ) -> Alert | None:
        """Alert when a metric crossed its alert threshold (``None`` otherwise)."""
        crossed = report.alerts()
        if not crossed:
            return None
        reason = "drift alert: " + ", ".join(
            f"{m.name} PSI {m.psi:.2f}" if m.psi is not None else
            f"{m.name} {m.reference or 0:.0%} -> {m.current or 0:.0%}" for m in crossed)
        payload = {"reference": report.reference, "current": report.current,
                   "metrics": [asdict(m) for m in crossed]}
        return self.alert("drift", reason, payload, kill_switch=self.settings.drift_kill_switch
                          if kill_switch is None else kill_switch)

    def alert(self, kind: Literal["drift", "guard"], reason: str, payload: Mapping[str, Any],
              *, kill_switch: bool) -> Alert:
        """Log, audit, remember, and engage the kill switch (for every workflow) if asked."""
        ts = self._clock().isoformat()
        engage = kill_switch and self.switch is not None
        log.warning("%s", reason)
        self.audit.append(f"{kind}.alert", {**payload, "reason": reason, "kill_switch": engage},
                          actor=ACTOR, ts=ts)
        self.store.add_alert(kind, _utc(ts), reason)
        if engage and self.switch is not None:
            self.switch.engage(reason, by=ACTOR, workflow="*")
            self.audit.append("control.kill_switch_on", {"workflow": "*", "reason": reason},
                              actor=ACTOR, ts=ts)
        return Alert(kind, reason, ts, engage, dict(payload))


def load_baseline(path: Path) -> list[Observation]:
    """The observations of a baseline file written by :meth:`DriftMonitor.save_baseline`."""
    try:
        text = path.read_text()
    except FileNotFoundError as err:
        raise ConfigError(f"no drift baseline at {path}; save one with"
                          " `wardflow drift --save-baseline`") from err
    except OSError as err:
        raise ConfigError(f"{path} is not a drift baseline ({err})") from err
    return parse_baseline(text, str(path))


def parse_baseline(text: str, name: str) -> list[Observation]:
    """The observations of a saved baseline's JSON (``name`` says where it came from)."""
    try:
        data = json.loads(text)
        return [Observation.from_dict(o) for o in data["observations"]]
    except (ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"{name} is not a drift baseline ({err})") from err
