"""The statistics behind drift monitoring: PSI on quantile bins and the two-sample KS test.

Pure Python on purpose: a few hundred values per window, and neither numpy nor scipy
needs to load for ``wardflow drift``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

__all__ = ["bin_edges", "bin_shares", "kolmogorov_sf", "ks_2samp", "psi", "quantile"]

def quantile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolated linearly (numpy's default)."""
    if not ordered:
        raise ValueError("quantile of no values")
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def bin_edges(reference: Sequence[float], bins: int = 10) -> list[float]:
    """Distinct inner quantiles of ``reference``: at 1/bins, ..., (bins-1)/bins."""
    ordered = sorted(reference)
    return sorted({quantile(ordered, i / bins) for i in range(1, bins)})


def bin_shares(values: Sequence[float], edges: Sequence[float]) -> list[float]:
    """Share of ``values`` per bin: ``(-inf, e0)``, ``{e0}``, ``(e0, e1)``, ``{e1}``, ...,
    ``{ek}``, ``(ek, inf)``.

    Each edge is a bin of its own because confidences and risk scores pile up on a few
    values (0.95, 0.0): merged into a neighbouring interval, such a point mass would hide
    a shift towards it.
    """
    counts = [0] * (2 * len(edges) + 1)
    for value in values:
        i = bisect_left(edges, value)
        counts[2 * i + 1 if i < len(edges) and edges[i] == value else 2 * i] += 1
    total = len(values) or 1
    return [c / total for c in counts]


def psi(reference: Sequence[float], current: Sequence[float], *, bins: int = 10,
        epsilon: float | None = None) -> float:
    """Population stability index of ``current`` against ``reference``.

    ``sum((c - r) * ln(c / r))`` over quantile bins of the reference: under 0.1 stable,
    0.1-0.2 a shift, over 0.2 a change. A bin empty on one side counts as ``epsilon``,
    by default half a run of that side: a fixed tiny epsilon (1e-4) makes one stray
    value in a window of 20 score 0.3, an "alert". Bins empty on both sides add nothing.
    """
    edges = bin_edges(reference, bins)
    ref = bin_shares(reference, edges)
    cur = bin_shares(current, edges)
    eps_ref = epsilon if epsilon is not None else 0.5 / max(len(reference), 1)
    eps_cur = epsilon if epsilon is not None else 0.5 / max(len(current), 1)
    total = 0.0
    for r, c in zip(ref, cur, strict=True):
        if r == 0 and c == 0:
            continue
        r, c = max(r, eps_ref), max(c, eps_cur)
        total += (c - r) * math.log(c / r)
    return total


def kolmogorov_sf(lam: float) -> float:
    """P(K > lam) for the Kolmogorov distribution: 2 * sum((-1)^(j-1) * exp(-2 j^2 lam^2))."""
    if lam < 0.2:
        return 1.0  # the series converges slowly here, and the value is 1 to 1e-9
    total, sign = 0.0, 1.0
    for j in range(1, 101):
        term = sign * math.exp(-2.0 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-12:
            break
        sign = -sign
    return min(1.0, max(0.0, 2.0 * total))


def ks_2samp(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic ``D`` and its asymptotic p-value.

    ``D`` is the largest gap between the two empirical CDFs (ties handled by evaluating
    both at every observed value). The p-value uses Stephens' small-sample correction
    (Numerical Recipes ``kstwo``): ``Q((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * D)`` with
    ``ne = n * m / (n + m)``; good from about ``ne >= 4``.
    """
    if not a or not b:
        raise ValueError("KS test needs values on both sides")
    xs, ys = sorted(a), sorted(b)
    n, m = len(xs), len(ys)
    d = max(abs(bisect_right(xs, v) / n - bisect_right(ys, v) / m) for v in (*xs, *ys))
    en = math.sqrt(n * m / (n + m))
    return d, kolmogorov_sf((en + 0.12 + 0.11 / en) * d)
