"""Re-fitting the risk weights from reviewer decisions (``wardflow risk fit``).

The risk score is a noisy-OR of signal weights (:mod:`wardflow.agents.risk`), so the
fit keeps that form and estimates each weight by maximum likelihood on labelled
decisions: ``P(must not pay | signals) = 1 - (1 - leak) * prod(1 - w_i)`` over the
signals a run raised, with ``leak`` the rate of rejections no signal explains (fitted,
not used for scoring). Each weight is a logistic parameter pulled towards its current
value (an L2 penalty on the log-odds), so a signal seen in few decisions barely moves
and one never seen keeps its weight. Plain numpy gradient descent: the problem has a
dozen parameters.

Every ``holdout``-th example (in decision order) is held back and the report compares
the current and the fitted weights on those: log loss, Brier score, and accuracy at
the review threshold. The fitted weights are saved with a version
(``home/risk-weights.json``); the risk node uses them when the file is there.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wardflow.config import Settings
from wardflow.errors import ConfigError

__all__ = ["FORMAT", "FitResult", "fit_weights", "load_weights", "save_weights"]

FORMAT = "wardflow-risk-weights/1"
_CLIP = 1e-4


@dataclass(frozen=True)
class FitResult:
    """Fitted weights, the weights they replace, and the held-back comparison."""

    weights: dict[str, float]
    prior: dict[str, float]
    leak: float
    train: int
    held_out: int
    before: dict[str, float | None]
    after: dict[str, float | None]
    version: str

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": self.version, "weights": self.weights,
                "prior": self.prior, "leak": self.leak, "train": self.train,
                "held_out": self.held_out, "before": self.before, "after": self.after}


def _logit(p: float) -> float:
    p = min(max(p, _CLIP), 1 - _CLIP)
    return math.log(p / (1 - p))


def fit_weights(
    examples: Sequence[tuple[Sequence[str], bool]],
    prior: Mapping[str, float],
    *,
    threshold: float = 0.5,
    holdout: int = 4,
    strength: float = 1.0,
    steps: int = 3000,
    clock: Any = None,
) -> FitResult:
    """Fit the weights on ``(signals raised, must not pay)`` examples.

    Args:
        prior: the current weights: the starting point and what the penalty pulls to.
        threshold: the risk threshold the accuracy is measured at.
        holdout: every ``holdout``-th example is held back (0: none; the report is
            then empty).
        strength: the L2 penalty on each weight's log-odds away from its prior.

    Raises:
        ConfigError: fewer than 8 training examples, or only one kind of label.
    """
    import numpy as np

    codes = sorted(prior)
    held = [e for i, e in enumerate(examples) if holdout and i % holdout == holdout - 1]
    train = [e for i, e in enumerate(examples) if not (holdout and i % holdout == holdout - 1)]
    labels = {bool(y) for _, y in train}
    if len(train) < 8 or len(labels) < 2:
        raise ConfigError(f"{len(train)} training decision(s) with labels {sorted(labels)}:"
                          " the fit needs at least 8, both approvals and rejections")
    x = np.array([[1.0 if c in set(s) else 0.0 for c in codes] for s, _ in train])
    y = np.array([1.0 if t else 0.0 for _, t in train])
    theta0 = np.array([_logit(prior[c]) for c in codes])
    theta = theta0.copy()
    leak_theta = _logit(max(float(y[x.sum(axis=1) == 0].mean()) if (x.sum(axis=1) == 0).any()
                            else 0.01, 0.01))
    rate = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-theta))
        leak = 1.0 / (1.0 + math.exp(-leak_theta))
        # log Q = log(1 - leak) + sum x_i log(1 - p_i): the chance nothing "fires".
        log_q = math.log(1 - leak) + x @ np.log1p(-np.clip(p, _CLIP, 1 - _CLIP))
        q = np.clip(np.exp(log_q), _CLIP, 1 - _CLIP)
        # d(-loglik)/d(log Q): y=1 -> q/(1-q); y=0 -> -1.
        g = np.where(y > 0, q / (1 - q), -1.0)
        grad = (x * p).T @ (-g) / len(y) + strength * (theta - theta0) / len(y)
        grad_leak = float(np.mean(-g) * leak)
        theta -= rate * grad
        leak_theta -= rate * grad_leak
    fitted = {c: round(float(1.0 / (1.0 + math.exp(-t))), 4) for c, t in zip(codes, theta, strict=True)}
    before = _report(held, prior, threshold)
    after = _report(held, fitted, threshold)
    now = (clock or (lambda: datetime.now(UTC)))()
    digest = hashlib.sha256(json.dumps(fitted, sort_keys=True).encode()).hexdigest()[:8]
    return FitResult(weights=fitted, prior=dict(prior),
                     leak=round(1.0 / (1.0 + math.exp(-leak_theta)), 4), train=len(train),
                     held_out=len(held), before=before, after=after,
                     version=f"rw-{now.strftime('%Y%m%dT%H%M%S')}-{digest}")


def _score(signals: Sequence[str], weights: Mapping[str, float]) -> float:
    from wardflow.agents.risk import combine

    return combine([weights[s] for s in signals if s in weights])


def _report(held: Sequence[tuple[Sequence[str], bool]], weights: Mapping[str, float],
            threshold: float) -> dict[str, float | None]:
    if not held:
        return {"log_loss": None, "brier": None, "accuracy": None}
    loss = brier = right = 0.0
    for signals, must_not_pay in held:
        p = min(max(_score(signals, weights), _CLIP), 1 - _CLIP)
        y = 1.0 if must_not_pay else 0.0
        loss -= y * math.log(p) + (1 - y) * math.log(1 - p)
        brier += (p - y) ** 2
        right += 1.0 if (p >= threshold) == must_not_pay else 0.0
    n = len(held)
    return {"log_loss": round(loss / n, 4), "brier": round(brier / n, 4),
            "accuracy": round(right / n, 4)}


def save_weights(result: FitResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def load_weights(settings: Settings) -> tuple[dict[str, float], str] | None:
    """The fitted weights and their version, if ``wardflow risk fit`` saved some.

    Raises:
        ConfigError: the file is there but not a weights file.
    """
    path = settings.risk_weights_path
    if not path.exists():
        if settings.risk_weights_file is not None:
            raise ConfigError(f"risk_weights_file {path} does not exist")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        if not all(0.0 <= v <= 1.0 for v in weights.values()):
            raise ValueError("weights must lie in [0, 1]")
        return weights, str(data["version"])
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as err:
        raise ConfigError(f"{path} is not a risk weights file ({err}); fit one with"
                          " `wardflow risk fit` or remove it") from err
