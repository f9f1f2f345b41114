"""An optional model-based injection classifier, through the LLM layer.

Off by default: patterns are fast, deterministic and explainable; a model call costs
seconds with the embedded model and may be weak (a 270M base model). Turn it on with
``WARDFLOW_GUARD_CLASSIFIER=true`` (or pass ``GuardPipeline(classifier=
ModelClassifier(llm))``); the pipeline then takes the higher of the patterns' score and
the classifier's, and records both. A model failure never hides the patterns' verdict
(it is recorded as evidence).

:class:`OnnxClassifier` is the other layer on top: a local ONNX sequence classifier
the user points to (``WARDFLOW_INJECTION_ONNX``), run offline with onnxruntime.
:func:`classifier_from_settings` builds what the settings name, for every pipeline.

The classifier's prompt is versioned here, with the one agent that uses it (the
``guard`` agent: give it its own model with ``WARDFLOW_AGENT_MODELS``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from wardflow.errors import ConfigError, ModelError
from wardflow.prompts import CLASSIFY_INJECTION

if TYPE_CHECKING:
    from wardflow.config import Settings
    from wardflow.llm.client import LLM

__all__ = ["CLASSIFY_INJECTION", "HighestOf", "InjectionLabel", "ModelClassifier",
           "OnnxClassifier", "classifier_from_settings"]


class InjectionLabel(BaseModel):
    """The classifier's answer."""

    label: Literal["injection", "benign"]


class ModelClassifier:
    """``text -> probability of injection`` from a model, for
    :class:`~wardflow.guardrails.pipeline.GuardPipeline`.

    Args:
        llm: the LLM layer (``wardflow.llm.LLM(settings)``).
        agent: the agent name the calls go out as (its model comes from settings).
        chunk_chars: text is classified in chunks of this size (small models lose
            track of long inputs); the score is the highest chunk's.
        max_chunks: at most this many chunks per text (the first ones).
        injection_score: the score of an ``injection`` label (``benign`` scores 0).

    Attributes:
        last_usage: the usage records of the last call (for the run's ``llm_usage``).
    """

    def __init__(
        self, llm: LLM, *, agent: str = "guard", chunk_chars: int = 1500, max_chunks: int = 4,
        injection_score: float = 0.9,
    ) -> None:
        self.llm = llm
        self.agent = agent
        self.chunk_chars = chunk_chars
        self.max_chunks = max_chunks
        self.injection_score = injection_score
        self.last_usage: list[dict[str, Any]] = []

    def __call__(self, text: str) -> float:
        """The probability that ``text`` carries injected instructions.

        Raises:
            ModelError: the model failed (the pipeline records it and keeps the
                patterns' score).
        """
        self.last_usage = []
        chunks = [text[i:i + self.chunk_chars] for i in range(0, len(text), self.chunk_chars)]
        best = 0.0
        for chunk in chunks[: self.max_chunks]:
            result = self.llm.structured(self.agent, CLASSIFY_INJECTION.messages(text=chunk),
                                         InjectionLabel)
            self.last_usage += [u.to_dict() | {"prompt_version": CLASSIFY_INJECTION.version}
                                for u in result.usage]
            if isinstance(result.value, InjectionLabel) and result.value.label == "injection":
                best = self.injection_score
                break
        return best


class OnnxClassifier:
    """``text -> probability of injection`` from a local ONNX sequence classifier the
    user points to (for instance a fine-tuned DeBERTa or MiniLM exported with
    ``optimum``), for :class:`~wardflow.guardrails.pipeline.GuardPipeline`'s
    ``classifier``. Runs offline with onnxruntime (imported only here) and a
    Hugging Face ``tokenizer.json`` (the ``tokenizers`` library).

    The model's inputs are fed by name: ``input_ids`` and, when it has them,
    ``attention_mask`` and ``token_type_ids`` (int64, batch of one). Its first output
    is the logits: with two or more labels the probability is the softmax of
    ``injection_label``; with one, its sigmoid. Long text is classified in chunks
    (``chunk_chars``, at most ``max_chunks``); the score is the highest chunk's.

    Args:
        model_path: the ``.onnx`` file.
        tokenizer_path: the ``tokenizer.json`` (default: next to the model).
        injection_label: the index of the injection class in the logits.
        max_tokens: longer token sequences are cut to this length.
        chunk_chars: characters per chunk.
        max_chunks: at most this many chunks per text (the first ones).

    Raises:
        ConfigError: the model or tokenizer is missing or unreadable, or onnxruntime
            / tokenizers is not installed (``pip install 'wardflow[onnx]'``).
    """

    def __init__(
        self, model_path: Path | str, tokenizer_path: Path | str | None = None, *,
        injection_label: int = 1, max_tokens: int = 512, chunk_chars: int = 1500,
        max_chunks: int = 4,
    ) -> None:
        self.model_path = Path(model_path)
        self.tokenizer_path = (Path(tokenizer_path) if tokenizer_path is not None
                               else self.model_path.with_name("tokenizer.json"))
        self.injection_label = injection_label
        self.max_tokens = max_tokens
        self.chunk_chars = chunk_chars
        self.max_chunks = max_chunks
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as err:
            raise ConfigError(f"the ONNX injection classifier needs onnxruntime and tokenizers"
                              f" (pip install 'wardflow[onnx]'): {err}") from err
        for path in (self.model_path, self.tokenizer_path):
            if not path.is_file():
                raise ConfigError(f"the ONNX injection classifier's file {path} does not exist")
        try:
            self._session = onnxruntime.InferenceSession(
                str(self.model_path), providers=["CPUExecutionProvider"])
            self._tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        except Exception as err:  # onnxruntime and tokenizers raise their own types
            raise ConfigError(f"cannot load the ONNX injection classifier {self.model_path}:"
                              f" {str(err)[:300]}") from err
        self._inputs = {i.name for i in self._session.get_inputs()}
        if "input_ids" not in self._inputs:
            raise ConfigError(f"{self.model_path} has no 'input_ids' input"
                              f" (it has {', '.join(sorted(self._inputs))})")
        self.version = f"onnx:{self.model_path.name}"

    def _probability(self, chunk: str) -> float:
        import numpy as np

        encoding = self._tokenizer.encode(chunk)
        ids = encoding.ids[: self.max_tokens] or [0]
        feeds = {"input_ids": np.array([ids], dtype=np.int64)}
        if "attention_mask" in self._inputs:
            feeds["attention_mask"] = np.ones((1, len(ids)), dtype=np.int64)
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros((1, len(ids)), dtype=np.int64)
        try:
            logits = np.asarray(self._session.run(None, feeds)[0], dtype=np.float64).reshape(-1)
        except Exception as err:  # an onnxruntime failure is the model's, not the input's
            raise ModelError(self.version, f"inference failed: {str(err)[:300]}") from err
        if logits.size == 1:
            return float(1.0 / (1.0 + np.exp(-logits[0])))
        if not 0 <= self.injection_label < logits.size:
            raise ModelError(self.version, f"no label {self.injection_label} in {logits.size}"
                                           " logits")
        shifted = np.exp(logits - logits.max())
        return float(shifted[self.injection_label] / shifted.sum())

    def __call__(self, text: str) -> float:
        """The probability that ``text`` carries injected instructions.

        Raises:
            ModelError: inference failed (the pipeline records it and keeps the
                patterns' and the embedded classifier's score).
        """
        chunks = [text[i:i + self.chunk_chars]
                  for i in range(0, len(text), self.chunk_chars)][: self.max_chunks]
        return round(max((self._probability(c) for c in chunks if c.strip()), default=0.0), 4)


class HighestOf:
    """Several classifiers as one: the highest probability of them all.

    Raises:
        ModelError: from any layer (the pipeline records it and keeps the patterns'
            and the embedded classifier's score).
    """

    def __init__(self, layers: Sequence[Callable[[str], float]]) -> None:
        self.layers = tuple(layers)

    def __call__(self, text: str) -> float:
        return max(layer(text) for layer in self.layers)


def classifier_from_settings(settings: Settings) -> Callable[[str], float] | None:
    """The layers on top of the embedded classifier that the settings name: the local
    ONNX classifier of ``injection_onnx`` (tokenizer ``injection_onnx_tokenizer``, else
    ``tokenizer.json`` beside it) and, with ``guard_classifier``, the ``guard`` agent's
    model (never with ``WARDFLOW_MODEL=none``); ``None`` when neither is on.

    Raises:
        ConfigError: a named ONNX model cannot be loaded.
    """
    layers: list[Callable[[str], float]] = []
    if settings.injection_onnx is not None:
        layers.append(OnnxClassifier(settings.injection_onnx, settings.injection_onnx_tokenizer))
    if settings.guard_classifier and settings.model_for("guard").lower() != "none":
        from wardflow.llm.client import LLM

        layers.append(ModelClassifier(LLM(settings)))
    if not layers:
        return None
    return layers[0] if len(layers) == 1 else HighestOf(layers)
