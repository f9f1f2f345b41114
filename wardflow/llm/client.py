"""The one door to models: a litellm Router per settings, structured output, usage.

Every agent names itself (``extractor``, ``explainer``...) and gets its model from the
settings (``WARDFLOW_MODEL``, ``WARDFLOW_AGENT_MODELS``), with the fallbacks, retries,
timeouts and rate limits of the Router. :meth:`LLM.structured` returns a validated
pydantic object or raises :class:`~wardflow.errors.ModelOutputError`; it never
returns a silent default.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from wardflow.config import Settings
from wardflow.errors import ConfigError, ModelError, ModelOutputError, ModelUnavailable
from wardflow.observability.tracing import DISABLED, Telemetry, llm_span

__all__ = ["LLM", "Structured", "Usage"]

T = TypeVar("T", bound=BaseModel)
Messages = Sequence[Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Usage:
    """One model call, as recorded in the run's state and trace."""

    agent: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    cost: float
    cache_hit: bool
    ok: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Structured:
    """A validated object and the calls (repairs included) it took."""

    value: BaseModel
    usage: list[Usage]
    raw: str


class LLM:
    """Model access for one configuration.

    Args:
        settings: models, fallbacks, retries, timeouts, rate limits, local GGUF path.
    """

    def __init__(self, settings: Settings, *, telemetry: Telemetry = DISABLED) -> None:
        self.settings = settings
        self.telemetry = telemetry
        self._router: Any = None
        self._aliases: dict[str, str] = {}

    # Setup -----------------------------------------------------------------------
    def _ensure(self) -> Any:
        if self._router is not None:
            return self._router
        from wardflow.llm._litellm import offline_litellm

        litellm = offline_litellm()
        if self.settings.llm_router_config is not None:
            config = _load_router_config(self.settings.llm_router_config)
            self._aliases = {m["model_name"]: m["litellm_params"]["model"]
                             for m in config["model_list"]}
            self._register_local_models(set(self._aliases.values()))
            self._router = litellm.Router(**config)
            return self._router
        self._register_local_models({self.settings.model, *self.settings.agent_models.values(),
                                     *self.settings.model_fallbacks})
        model_list: list[dict[str, Any]] = []
        fallbacks: list[dict[str, list[str]]] = []
        agents = {"default": self.settings.model, **self.settings.agent_models}
        for agent, model in agents.items():
            chain = [model, *self.settings.model_fallbacks]
            names = [agent if i == 0 else f"{agent}~fallback{i}" for i in range(len(chain))]
            for name, litellm_model in zip(names, chain, strict=True):
                params: dict[str, Any] = {"model": litellm_model,
                                          "timeout": self.settings.llm_timeout_s}
                if self.settings.llm_rpm:
                    params["rpm"] = self.settings.llm_rpm
                if self.settings.llm_tpm:
                    params["tpm"] = self.settings.llm_tpm
                model_list.append({"model_name": name, "litellm_params": params})
                self._aliases[name] = litellm_model
            if len(names) > 1:
                fallbacks.append({names[0]: names[1:]})
        self._router = litellm.Router(
            model_list=model_list,
            fallbacks=fallbacks,
            num_retries=self.settings.llm_retries,
            timeout=self.settings.llm_timeout_s,
            retry_after=0,
        )
        return self._router

    def _register_local_models(self, models: set[str]) -> None:
        from wardflow.llm.local import (
            LOCAL_PROVIDER,
            LocalModelSpec,
            bundled_gguf,
            local_handler,
        )

        for model in models:
            if not model.startswith(f"{LOCAL_PROVIDER}/"):
                continue
            path = self.settings.local_model_path or bundled_gguf(self.settings.models_dir)
            local_handler().register(model.split("/", 1)[1], LocalModelSpec(
                path=path, n_ctx=self.settings.local_n_ctx,
                n_threads=self.settings.local_n_threads,
            ))

    def prepare(self) -> list[str]:
        """Import litellm and load the local models now (start-up), not inside the first
        call; returns what was prepared."""
        self._ensure()
        from wardflow.llm.local import LOCAL_PROVIDER, local_handler

        loaded = []
        for model in sorted(set(self._aliases.values())):
            if model.startswith(f"{LOCAL_PROVIDER}/"):
                local_handler().model(model.split("/", 1)[1])
                loaded.append(model)
        return ["litellm", *loaded]

    def alias(self, agent: str) -> str:
        """The Router name an agent's calls go to: its own, else ``default``."""
        return agent if agent in self._aliases else "default"

    # Calls -----------------------------------------------------------------------
    def complete(
        self,
        agent: str,
        messages: Messages,
        *,
        response_format: Mapping[str, Any] | None = None,
        max_tokens: int = 512,
        **extra: Any,
    ) -> tuple[str, Usage]:
        """One chat completion; returns the text and its usage record."""
        router = self._ensure()
        name = self.alias(agent)
        started = time.perf_counter()
        kwargs: dict[str, Any] = {"temperature": 0.0, "max_tokens": max_tokens,
                                  "seed": self.settings.llm_seed, **extra}
        if response_format is not None:
            kwargs["response_format"] = dict(response_format)
        with llm_span(self.telemetry, agent=agent, model=self._aliases.get(name, name),
                      temperature=0.0, max_tokens=max_tokens, seed=self.settings.llm_seed) as span:
            try:
                response = router.completion(model=name, messages=list(messages), **kwargs)
            except ModelError:
                raise
            except Exception as err:  # litellm raises many types; none reaches interrupt()
                raise ModelUnavailable(self._aliases.get(name, name),
                                       f"{type(err).__name__}: {err}", retryable=True) from err
            latency = round((time.perf_counter() - started) * 1000, 1)
            text = response.choices[0].message.content or ""
            usage = getattr(response, "usage", None)
            hidden = getattr(response, "_hidden_params", {}) or {}
            record = Usage(
                agent=agent,
                model=str(response.model or self._aliases.get(name, name)),
                prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
                latency_ms=latency,
                cost=_cost(response),
                cache_hit=bool(hidden.get("cache_hit")),
            )
            span.llm_usage(record.to_dict())
        return text, record

    def structured(self, agent: str, messages: Messages, schema: type[T]) -> Structured:
        """A validated ``schema`` instance from the model.

        Constrained decoding where the provider supports it (llama.cpp grammar for the
        local model, ``response_format`` JSON schema elsewhere), then pydantic
        validation, then up to ``llm_max_repairs`` repair rounds that show the model
        its error.

        Raises:
            ModelOutputError: still invalid after the repairs.
            ModelUnavailable: the model (and its fallbacks) could not be called.
        """
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema(),
                            "strict": True},
        }
        conversation = [dict(m) for m in messages]
        usages: list[Usage] = []
        error = ""
        text = ""
        for _ in range(self.settings.llm_max_repairs + 1):
            text, usage = self.complete(agent, conversation, response_format=response_format)
            try:
                value = schema.model_validate_json(_strip_fences(text))
            except ValidationError as err:
                error = _short_error(err)
                usages.append(_failed(usage))
            else:
                usages.append(usage)
                return Structured(value, usages, text)
            conversation += [
                {"role": "assistant", "content": text},
                {"role": "user", "content": f"That reply was not valid: {error}. Reply again"
                 " with only a JSON object that matches the schema."},
            ]
        raise ModelOutputError(
            usages[-1].model if usages else agent,
            f"output invalid after {len(usages)} attempt(s): {error}", output=text,
            usage=[u.to_dict() for u in usages],
        )


def _load_router_config(path: Path) -> dict[str, Any]:
    import yaml

    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"cannot read the router configuration {path}: {err}") from err
    models = config.get("model_list") if isinstance(config, dict) else None
    if not isinstance(models, list) or not all(
        isinstance(m, dict) and "model_name" in m and "model" in (m.get("litellm_params") or {})
        for m in models
    ):
        raise ConfigError(
            f"{path}: expected a mapping with 'model_list', each entry with 'model_name' and"
            " 'litellm_params.model' (litellm Router format)"
        )
    if not any(m["model_name"] == "default" for m in models):
        raise ConfigError(f"{path}: one model_list entry must be named 'default'")
    return dict(config)


def _failed(usage: Usage) -> Usage:
    return Usage(usage.agent, usage.model, usage.prompt_tokens, usage.completion_tokens,
                 usage.latency_ms, usage.cost, usage.cache_hit, ok=False)


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[-1].rsplit("```", 1)[0]
    return text


def _short_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "output"
    return f"{where}: {first.get('msg', 'invalid')}"


def _cost(response: Any) -> float:
    from wardflow.llm._litellm import offline_litellm

    if str(getattr(response, "model", "")).startswith("local/"):
        return 0.0
    try:
        return float(offline_litellm().completion_cost(completion_response=response) or 0.0)
    except Exception:  # unknown price: cost stays unknown rather than failing the call
        return 0.0
