"""Calibrated confidence: map the extractor's raw scores to the chance a value is right.

The extractor's confidence is earned (how a field was found, which checks it passed),
but a score of 0.95 only means "95 % of such values are right" once it has been
checked against labelled documents. A :class:`Calibration` is fitted on labelled runs
(``wardflow eval DATASET --fit-calibration``) by isotonic regression (pool adjacent
violators: monotone, no shape assumed) or Platt scaling (a logistic curve: smoother,
for small sets), and stored as JSON with a version derived from its content. The graph
applies it after extraction (:func:`apply_calibration`); each field keeps its raw score
in ``raw_confidence`` and the extraction records the calibration's version, so an
audit can tell which mapping a decision used. Without a map of the user's, the graph
applies the one shipped in the package (:func:`default_calibration`), fitted on the
project's labelled invoice sets (``wardflow eval calibrate``,
``scripts/refit_calibration.sh``); ``calibration = "off"`` keeps the raw scores.

A calibration only ever moves scores monotonically: a field the extractor trusted more
never ends up trusted less than one it trusted less.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from wardflow.errors import ConfigError

if TYPE_CHECKING:
    from wardflow.config import Settings

__all__ = ["DEFAULT_CALIBRATION", "Calibration", "Method", "apply_calibration",
           "default_calibration", "expected_calibration_error", "fit_isotonic", "fit_platt",
           "load_calibration", "reliability"]

Method = Literal["isotonic", "platt"]
Pair = tuple[float, bool]
_FORMAT = "wardflow-calibration/1"
# The map applied when the user has none (package data).
DEFAULT_CALIBRATION = Path(__file__).parent / "data" / "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """A monotone map from raw confidence to calibrated confidence.

    Attributes:
        method: ``isotonic`` (``points``: raw score -> calibrated, interpolated
            linearly between points, flat beyond the ends) or ``platt``
            (``coef``: ``1 / (1 + exp(-(a * raw + b)))``).
        points: the isotonic knots, ascending in raw score.
        coef: Platt's ``(a, b)``.
        fitted_on: what it was fitted on (dataset, document and pair counts, date).
    """

    method: Method
    points: tuple[tuple[float, float], ...] = ()
    coef: tuple[float, float] = (1.0, 0.0)
    fitted_on: Mapping[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """``<method>-<12 hex digits of the content's SHA-256>``: same map, same version."""
        body = json.dumps({"method": self.method, "points": self.points, "coef": self.coef},
                          sort_keys=True)
        return f"{self.method}-{hashlib.sha256(body.encode()).hexdigest()[:12]}"

    def __call__(self, raw: float) -> float:
        """The calibrated confidence of a raw score, in [0, 1], rounded to 4 places."""
        if self.method == "platt":
            a, b = self.coef
            z = a * raw + b
            value = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        else:
            value = _interpolate(self.points, raw)
        return round(min(1.0, max(0.0, value)), 4)

    def to_dict(self) -> dict[str, Any]:
        """The stored form, with its version."""
        return {"format": _FORMAT, "version": self.version, "method": self.method,
                "points": [list(p) for p in self.points], "coef": list(self.coef),
                "fitted_on": dict(self.fitted_on)}

    def save(self, path: Path | str) -> Path:
        """Write the calibration as JSON (atomically) and return the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(target)
        return target

    @classmethod
    def load(cls, path: Path | str) -> Calibration:
        """Read a stored calibration.

        Raises:
            ConfigError: unreadable, not a calibration, or its version does not match
                its content (edited by hand).
        """
        source = Path(path)
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except OSError as err:
            raise ConfigError(f"cannot read the calibration {source}: {err.strerror}") from err
        except json.JSONDecodeError as err:
            raise ConfigError(f"{source} is not JSON: {err.msg} (line {err.lineno})") from err
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ConfigError(f"{source} is not a wardflow calibration ({_FORMAT})")
        try:
            made = cls(method=data["method"],
                       points=tuple((float(x), float(y)) for x, y in data.get("points", [])),
                       coef=(float(data["coef"][0]), float(data["coef"][1])),
                       fitted_on=data.get("fitted_on") or {})
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise ConfigError(f"{source}: malformed calibration ({err})") from err
        if made.method not in ("isotonic", "platt") or (made.method == "isotonic"
                                                        and not made.points):
            raise ConfigError(f"{source}: unknown method or no points")
        if data.get("version") != made.version:
            raise ConfigError(f"{source}: version {data.get('version')} does not match its"
                              f" content ({made.version}); refit it instead of editing it")
        return made


def load_calibration(settings: Settings) -> Calibration | None:
    """The calibration the graph applies: none when ``settings.calibration`` is
    ``off``; else the file the settings name, or ``home/calibration.json`` if there is
    one (the user's own map wins), else the map shipped in the package
    (:func:`default_calibration`).

    Raises:
        ConfigError: ``calibration_file`` is set but missing or invalid, or the user's
            file is invalid.
    """
    if settings.calibration == "off":
        return None
    path = settings.calibration_path
    if settings.calibration_file is None and not path.exists():
        return default_calibration()
    return Calibration.load(path)


@functools.cache
def default_calibration() -> Calibration:
    """The map shipped in the package (``wardflow/agents/data/calibration.json``), fitted
    on the project's labelled invoice sets; its ``fitted_on`` names them. Refit it with
    ``wardflow eval calibrate`` (see the README)."""
    return Calibration.load(DEFAULT_CALIBRATION)


def _interpolate(points: Sequence[tuple[float, float]], raw: float) -> float:
    if raw <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if raw <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)
    return points[-1][1]


def fit_isotonic(pairs: Sequence[Pair], *, fitted_on: Mapping[str, Any] | None = None,
                 prior: float = 1.0) -> Calibration:
    """Isotonic regression of correctness on raw score (pool adjacent violators).

    Each distinct raw score becomes one knot at the (pooled) share of right values,
    smoothed by ``prior`` pseudo-observations at the raw score itself, so a score seen
    twice is not mapped to exactly 0 or 1.

    Raises:
        ValueError: no pairs.
    """
    if not pairs:
        raise ValueError("no labelled values to fit a calibration on")
    groups: dict[float, list[float]] = {}
    for raw, right in pairs:
        groups.setdefault(round(float(raw), 4), []).append(1.0 if right else 0.0)
    # Blocks: [sum of targets, weight, first raw, last raw], merged while decreasing.
    blocks: list[list[float]] = []
    for raw in sorted(groups):
        hits = groups[raw]
        blocks.append([sum(hits) + prior * raw, len(hits) + prior, raw, raw])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            merged = blocks.pop()
            blocks[-1][0] += merged[0]
            blocks[-1][1] += merged[1]
            blocks[-1][3] = merged[3]
    points: list[tuple[float, float]] = []
    for total, weight, first, last in blocks:
        value = round(total / weight, 4)
        points.append((first, value))
        if last != first:
            points.append((last, value))
    return Calibration("isotonic", tuple(points), fitted_on=dict(fitted_on or {}))


def fit_platt(pairs: Sequence[Pair], *, fitted_on: Mapping[str, Any] | None = None,
              steps: int = 200) -> Calibration:
    """Platt scaling: a logistic curve fitted by Newton's method, with Platt's target
    smoothing (``(n+ + 1) / (n+ + 2)`` and ``1 / (n- + 2)``) against overfitting.

    Raises:
        ValueError: no pairs.
    """
    if not pairs:
        raise ValueError("no labelled values to fit a calibration on")
    positives = sum(1 for _, right in pairs if right)
    negatives = len(pairs) - positives
    hi, lo = (positives + 1) / (positives + 2), 1 / (negatives + 2)
    xs = [float(raw) for raw, _ in pairs]
    ts = [hi if right else lo for _, right in pairs]
    a, b = 1.0, 0.0
    for _ in range(steps):
        g_a = g_b = h_aa = h_ab = h_bb = 0.0
        for x, t in zip(xs, ts, strict=True):
            z = a * x + b
            p = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
            w = max(p * (1 - p), 1e-12)
            g_a += (p - t) * x
            g_b += p - t
            h_aa += w * x * x
            h_ab += w * x
            h_bb += w
        h_aa += 1e-9
        h_bb += 1e-9
        det = h_aa * h_bb - h_ab * h_ab
        if abs(det) < 1e-18:
            break
        da = (h_bb * g_a - h_ab * g_b) / det
        db = (h_aa * g_b - h_ab * g_a) / det
        a, b = a - da, b - db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return Calibration("platt", coef=(round(a, 6), round(b, 6)), fitted_on=dict(fitted_on or {}))


def reliability(pairs: Sequence[Pair], bins: int = 10) -> list[dict[str, Any]]:
    """The reliability diagram's bins: equal-width on [0, 1], each with its count, mean
    confidence and share of right values (``None`` for an empty bin)."""
    rows: list[dict[str, Any]] = []
    for index in range(bins):
        lo, hi = index / bins, (index + 1) / bins
        inside = [(c, r) for c, r in pairs
                  if lo <= c < hi or (index == bins - 1 and c == 1.0)]
        rows.append({
            "lo": round(lo, 4), "hi": round(hi, 4), "count": len(inside),
            "confidence": round(sum(c for c, _ in inside) / len(inside), 4) if inside else None,
            "accuracy": round(sum(1 for _, r in inside if r) / len(inside), 4) if inside else None,
        })
    return rows


def expected_calibration_error(pairs: Sequence[Pair], bins: int = 10) -> float | None:
    """``sum over bins of (n_bin / n) * |accuracy - mean confidence|``; None when empty."""
    if not pairs:
        return None
    total = len(pairs)
    error: float = sum(row["count"] / total * abs(row["accuracy"] - row["confidence"])
                for row in reliability(pairs, bins) if row["count"])
    return round(error, 4)


# The note of a vendor found by pattern whose name the seller's own identifiers vouch for.
CORROBORATED = "corroborated by"


def apply_calibration(extraction: dict[str, Any], calibration: Calibration,
                      required: Sequence[str], threshold: float) -> dict[str, Any]:
    """Replace each found field's confidence by its calibrated value (keeping the raw
    score in ``raw_confidence``), recompute the document's confidence (the lowest
    required field) and its low-confidence list, and record the calibration's version.
    A field of a document read by OCR stays under the review threshold, as the
    extractor's OCR cap keeps it: such fields never reach auto-approval on their own,
    however often such scores were right on the calibration's data.
    Returns ``extraction`` (changed in place)."""
    fields = extraction.get("fields") or {}
    ocr = extraction.get("method") == "ocr"
    under = round(threshold - 0.01, 4)
    for name, spec in fields.items():
        if spec.get("value") is None or spec.get("method") == "reviewer":
            continue
        raw = float(spec.get("raw_confidence", spec["confidence"]))
        spec["raw_confidence"] = raw
        spec["confidence"] = min(calibration(raw), under) if ocr else calibration(raw)
        if name == "vendor" and spec.get("method") == "pattern" and raw < threshold \
                and not any(str(n).startswith(CORROBORATED) for n in spec.get("notes") or ()):
            # a seller found by pattern alone goes to a reviewer, however well names of
            # its score were right on the calibration's data
            spec["confidence"] = min(spec["confidence"], under)
    scores = {name: float((fields.get(name) or {}).get("confidence", 0.0)) for name in required}
    extraction["raw_confidence"] = extraction.get("raw_confidence", extraction.get("confidence"))
    extraction["confidence"] = round(min(scores.values()), 4) if scores else 0.0
    extraction["low_confidence"] = sorted(n for n, c in scores.items() if c < threshold)
    extraction["calibration"] = {"version": calibration.version, "method": calibration.method,
                                 "fitted_at": calibration.fitted_on.get("fitted_at")}
    return extraction
