"""The metrics of an eval report: which way each is better, the headline ones, how
each is read out of a report and shown to people (see :mod:`wardflow.evals.report`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Direction = Literal["higher", "lower"]
Report = Mapping[str, Any]

# Last path segments whose smaller value is the better one; every other metric is better higher.
_LOWER = frozenset({"ece", "false_positive_rate", "fp", "fn", "p50", "p95", "mean", "usd",
                    "llm_calls", "llm_tokens"})


def direction(path: str) -> Direction:
    """Whether a metric (a dotted path such as ``calibration.field.ece``) is better
    ``higher`` or ``lower``."""
    return "lower" if path.rsplit(".", 1)[-1] in _LOWER else "higher"


HEADLINE: tuple[tuple[str, Direction], ...] = tuple((path, direction(path)) for path in (
    "fields.vendor.exact_match", "fields.invoice_number.exact_match",
    "fields.invoice_date.exact_match", "fields.currency.exact_match",
    "fields.subtotal.exact_match", "fields.total.exact_match",
    "line_items.precision", "line_items.recall",
    "routing.precision", "routing.recall", "routing.accuracy", "reasons.recall",
    "guard.recall", "guard.false_positive_rate",
    "explanation.grounded", "explanation.faithful", "explanation.coverage",
    "calibration.field.ece", "calibration.document.ece",
    "calibration.cross_validated.field.ece", "calibration.cross_validated.document.ece",
    "latency_ms.p50", "latency_ms.p95", "cost.llm_tokens", "cost.usd",
))
"""The metrics a comparison (and a CI gate) looks at first, with the better direction."""


def lookup(report: Report, path: str) -> Any:
    """The value at a dotted path of a report (``fields.total.exact_match``), or None."""
    value: Any = report
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


# Numbers -------------------------------------------------------------------------------
def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _delta(path: str, before: Any, after: Any) -> tuple[float | None, bool | None]:
    """``after - before`` and whether that is an improvement (None: no change or unknown)."""
    if not (_number(before) and _number(after)):
        return None, None
    delta = round(float(after) - float(before), 6)
    if delta == 0:
        return 0.0, None
    return delta, (delta > 0) == (direction(path) == "higher")


def _kind(path: str, value: Any) -> str:
    last = path.rsplit(".", 1)[-1]
    if last in ("ece", "usd", "confidence"):
        return last
    if isinstance(value, int):
        return "count"
    return "ms" if path.startswith("latency_ms") or last == "latency_ms" else "ratio"


def _fmt(path: str, value: Any, sample: Any = None, sign: str = "") -> str:
    """A metric as people read it: ratios in per cent, ECE to 4 places, ms, dollars.
    A delta passes ``sign="+"`` and the metric's value as ``sample`` (for its kind)."""
    if value is None:
        return "–"
    if not _number(value):
        return str(value)
    kind = _kind(path, value if sample is None else sample)
    pattern = {"ece": "{:S.4f}", "confidence": "{:S.2f}", "ms": "{:S,.1f} ms",
               "usd": "${:S.6f}", "count": "{:S,.0f}"}.get(kind)
    if pattern is None:
        return f"{value * 100:{sign}.1f} {'pp' if sign else '%'}"
    return pattern.replace("S", sign).format(value)


def _fmt_delta(path: str, delta: float | None, sample: Any) -> str:
    if delta is None:
        return ""
    return "±0" if delta == 0 else _fmt(path, delta, sample, "+")
