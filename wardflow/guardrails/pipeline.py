"""One guard pipeline for every boundary of a run.

=============  ==============================================================  ==========
boundary       validators, in order (on-fail action)                           on failure
=============  ==============================================================  ==========
prompt         secrets (fix), pii (fix), prompt_injection (exception),          blocked
               escalation (exception), invisible_text (fix)
document       prompt_injection (fix: marker), invisible_text (fix),            flagged
               secrets (fix), pii (fix)
model_output   output_schema (exception), values_in_source (noop),              flagged
               arithmetic (noop)
tool_args      storage_key, approved_posting, tool_arg_secrets,                 blocked
               unrevealed_tokens (all exception)
=============  ==============================================================  ==========

``prompt_injection`` runs the pattern rules, then the embedded sentence classifier
(:mod:`wardflow.guardrails.injection_model`; ``injection_model=None`` turns it off),
then the optional model classifier.

Each boundary is one ``guardrails.Guard`` holding its validators (one ``validate``
call per check; guardrails-ai is imported on the first check, not before). Every
check returns a :class:`GuardResult`: the text a model may see, and one
:class:`GuardDecision` per validator that ran (pass, fixed, flagged or blocked, with
its score, evidence and time) as plain JSON-safe data for the run's state, trace and
audit log. A sanitizing validator's failure is a fix (``fixed``); a flagged document
goes to review with the reason; a blocked prompt or tool call stops
(:meth:`GuardResult.raise_if_blocked`).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from wardflow.errors import GuardViolation
from wardflow.guardrails.injection_model import SentenceScorer, default_model
from wardflow.guardrails.tool_args import args_json
from wardflow.guardrails.vault import TokenVault, Vault

if TYPE_CHECKING:
    from wardflow.config import Settings
    from wardflow.guardrails.validators import Verdict

__all__ = ["Boundary", "GuardDecision", "GuardPipeline", "GuardResult", "Outcome"]

Boundary = Literal["prompt", "document", "model_output", "tool_args"]
Outcome = Literal["pass", "fixed", "flagged", "blocked"]
Engine = Literal["guard", "direct"]
_SEVERITY: dict[str, int] = {"pass": 0, "fixed": 1, "flagged": 2, "blocked": 3}


@dataclass(frozen=True)
class GuardDecision:
    """What one validator decided at one boundary.

    Attributes:
        boundary: ``prompt``, ``document``, ``model_output`` or ``tool_args``.
        validator: the validator's name (``prompt_injection``, ``pii``...).
        outcome: ``pass``; ``fixed`` (the text was sanitized); ``flagged`` (a human
            must look: the document goes to review); ``blocked`` (it must not go on).
        score: the validator's score (0..1), where it has one.
        evidence: what matched, already redacted: no personal data, no credentials.
        detail: one line for a reviewer.
        ms: the validator's time in milliseconds.
    """

    boundary: Boundary
    validator: str
    outcome: Outcome
    score: float | None
    evidence: list[dict[str, Any]]
    detail: str
    ms: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy, for state, trace and audit."""
        return {
            "boundary": self.boundary, "validator": self.validator, "outcome": self.outcome,
            "score": self.score, "evidence": copy.deepcopy(self.evidence),
            "detail": self.detail, "ms": self.ms,
        }


@dataclass(frozen=True)
class GuardResult:
    """The outcome of one check.

    Attributes:
        text: what may go on: for ``prompt`` and ``document``, the sanitized text for
            a model (personal data tokenized, credentials redacted, injected
            instructions replaced by a marker); for ``model_output`` and
            ``tool_args``, the checked values as JSON; empty when blocked.
        decisions: one per validator that ran, in order.
    """

    text: str
    decisions: tuple[GuardDecision, ...]

    @property
    def blocked(self) -> bool:
        """Whether a validator blocked the value."""
        return any(d.outcome == "blocked" for d in self.decisions)

    @property
    def flagged(self) -> bool:
        """Whether a validator flagged the value for a human."""
        return any(d.outcome == "flagged" for d in self.decisions)

    @property
    def outcome(self) -> Outcome:
        """The most severe outcome of all decisions."""
        worst: Outcome = "pass"
        for d in self.decisions:
            if _SEVERITY[d.outcome] > _SEVERITY[worst]:
                worst = d.outcome
        return worst

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every decision as a JSON-safe dict."""
        return [d.to_dict() for d in self.decisions]

    def raise_if_blocked(self) -> None:
        """Refuse a blocked value.

        Raises:
            GuardViolation: with the blocking validator, its reason and its (redacted)
                evidence.
        """
        for d in self.decisions:
            if d.outcome == "blocked":
                evidence = "; ".join(str(e.get("text") or e.get("argument") or e.get("detail") or "")
                                     for e in d.evidence if isinstance(e, dict))
                raise GuardViolation(d.validator, d.detail or "blocked by the guard",
                                     evidence=evidence.strip("; ")[:300])


@dataclass(frozen=True)
class _Stage:
    """One validator of a boundary: how to build it, its on-fail action, and the
    outcome its failure means."""

    make: Callable[..., Any]
    on_fail: Literal["fix", "noop", "exception"]
    outcome: Outcome


class _Runner:
    """Runs one boundary's validators on a value, through a ``guardrails.Guard`` or
    (engine ``direct``) by calling them in order with the same on-fail semantics."""

    def __init__(self, boundary: Boundary, stages: Sequence[_Stage], engine: Engine) -> None:
        from wardflow.guardrails._runtime import new_guard, offline_guardrails

        self.boundary = boundary
        self.stages = stages
        self.engine = engine
        guardrails = offline_guardrails()
        action = {"fix": guardrails.OnFailAction.FIX, "noop": guardrails.OnFailAction.NOOP,
                  "exception": guardrails.OnFailAction.EXCEPTION}
        factories = [self._factory(s, action[s.on_fail]) for s in stages]
        self.outcomes: dict[str, Outcome] = {}
        self.validators: list[Any] = []
        if engine == "guard":
            self.guard = new_guard(factories, name=f"wardflow-{boundary}")
            self.validators = list(self.guard.get_validators("output"))
        else:
            new_guard([], name=f"wardflow-{boundary}")  # same offline configuration
            self.validators = [make() for make in factories]
        for stage, validator in zip(stages, self.validators, strict=True):
            self.outcomes[validator.short_name] = stage.outcome
        from guardrails.errors import ValidationError  # type: ignore[import-untyped]
        from guardrails.validator_base import FailResult  # type: ignore[import-untyped]

        self._validation_error: type[Exception] = ValidationError
        self._fail_result: type[Any] = FailResult
        self._lock = threading.Lock()

    @staticmethod
    def _factory(stage: _Stage, action: Any) -> Callable[[], Any]:
        return lambda: stage.make(on_fail=action)

    def run(self, value: str, metadata: dict[str, Any]) -> tuple[str, list[Verdict], bool]:
        """The final value, the verdicts, and whether a validator raised (blocked)."""
        from wardflow.guardrails.validators import SINK

        verdicts: list[Verdict] = []
        metadata[SINK] = verdicts
        if self.engine == "direct":
            return self._run_direct(value, metadata)
        with self._lock:  # a Guard keeps per-call state (history); one call at a time
            try:
                outcome = self.guard.validate(value, metadata=metadata)
            except self._validation_error:
                return "", verdicts, True
        final = outcome.validated_output
        return (final if isinstance(final, str) else value), verdicts, False

    def _run_direct(self, value: str, metadata: dict[str, Any]) -> tuple[str, list[Verdict], bool]:
        from wardflow.guardrails.validators import SINK

        verdicts: list[Verdict] = metadata[SINK]
        for stage, validator in zip(self.stages, self.validators, strict=True):
            result = validator.validate(value, metadata)
            if not isinstance(result, self._fail_result):
                continue
            if stage.on_fail == "exception":
                return "", verdicts, True
            if stage.on_fail == "fix" and isinstance(result.fix_value, str):
                value = result.fix_value
        return value, verdicts, False


class GuardPipeline:
    """The guards of every boundary, built on first use.

    Args:
        vault: where personal data goes when it is tokenized; a private in-memory
            vault if ``None`` (tokens then only resolve through this pipeline).
        classifier: optional ``text -> probability of injection`` on top (e.g.
            :class:`~wardflow.guardrails.classifier.ModelClassifier` or
            :class:`~wardflow.guardrails.classifier.OnnxClassifier`); ``None`` (the
            default): none. :meth:`from_settings` takes the ones the settings name.
        injection_model: the embedded sentence classifier
            (:class:`~wardflow.guardrails.injection_model.InjectionModel`, or the
            MiniLM cascade :class:`~wardflow.guardrails.minilm_head.CascadeModel`):
            ``"embedded"`` (the default) loads the bundled n-gram weights, ``None``
            turns it off (patterns only), or pass a model of your own.
        injection_threshold: the injection score at or above which a prompt is
            blocked and a document flagged.
        engine: ``guard`` (default) runs each boundary as one ``guardrails.Guard``;
            ``direct`` calls the same validators without it (for measuring the
            Guard's own cost; same decisions).
    """

    def __init__(
        self,
        *,
        vault: Vault | None = None,
        classifier: Callable[[str], float] | None = None,
        injection_model: SentenceScorer | Literal["embedded"] | None = "embedded",
        injection_threshold: float = 0.5,
        engine: Engine = "guard",
    ) -> None:
        self.vault: Vault = vault if vault is not None else TokenVault()
        self.classifier = classifier
        self.injection_model: SentenceScorer | None = (
            default_model() if injection_model == "embedded" else injection_model)
        self.injection_threshold = injection_threshold
        self.engine = engine
        self._runners: dict[Boundary, _Runner] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, vault: Vault | None = None) -> GuardPipeline:
        """The pipeline the settings describe: their injection threshold and the layers
        they name on top of the embedded classifier (``injection_onnx``,
        ``guard_classifier``; :func:`~wardflow.guardrails.classifier.
        classifier_from_settings`), and the embedded classifier with or without its
        MiniLM head (``injection_head``; :func:`~wardflow.guardrails.minilm_head.
        injection_model_from_settings`).

        Raises:
            ConfigError: a named ONNX model cannot be loaded, or ``injection_head`` is
                ``minilm`` without the MiniLM package.
        """
        from wardflow.guardrails.classifier import classifier_from_settings
        from wardflow.guardrails.minilm_head import injection_model_from_settings

        return cls(vault=vault, classifier=classifier_from_settings(settings),
                   injection_model=injection_model_from_settings(settings),
                   injection_threshold=settings.injection_threshold)

    # Boundaries ----------------------------------------------------------------------
    def check_prompt(self, text: str, *, principal: str) -> GuardResult:
        """A user's prompt: direct injection or a request to lower the controls is
        blocked (call :meth:`GuardResult.raise_if_blocked` to refuse it); credentials
        are redacted and personal data tokenized (scope ``principal:<name>``)."""
        metadata = {"wardflow.vault": self.vault, "wardflow.scope": f"principal:{principal}"}
        return self._check("prompt", text, metadata)

    def check_document(self, text: str, *, scope: str, hidden: Sequence[str] = ()) -> GuardResult:
        """Untrusted document text before a model sees it.

        Indirect injection is flagged (the document goes to review; never dropped)
        and each flagged passage replaced by an ``[UNTRUSTED TEXT REMOVED: ...]``
        marker; invisible characters are removed, credentials redacted and personal
        data tokenized with tokens stable within ``scope`` (the run's thread id).

        Args:
            text: the document's text.
            scope: the token scope (one per run/thread).
            hidden: text the rendered PDF does not show
                (:func:`wardflow.guardrails.hidden.find_hidden_text`), if known.
        """
        metadata = {"wardflow.vault": self.vault, "wardflow.scope": scope,
                    "wardflow.hidden": tuple(hidden)}
        return self._check("document", text, metadata)

    def check_model_output(
        self, fields: Mapping[str, str | None], *, source_text: str
    ) -> GuardResult:
        """A model's answer before it enters the state: plain string fields (else
        blocked), every value printed in ``source_text`` (amounts and dates in any
        format) and subtotal + tax = total (else flagged).

        Pass as ``source_text`` the text the model was shown (the sanitized text, so
        that tokens it copied count as present).
        """
        value = json.dumps(dict(fields), sort_keys=True, default=str, ensure_ascii=False)
        metadata = {"wardflow.fields": dict(fields), "wardflow.source": source_text}
        return self._check("model_output", value, metadata)

    def check_tool_args(
        self, tool: str, args: Mapping[str, Any] | BaseModel, *,
        approved_args_hash: str | None = None,
    ) -> GuardResult:
        """A tool call's arguments before the call: storage keys inside the root, an
        ERP posting equal to the approved one (``approved_args_hash``: the digest of
        the arguments without ``approved_by``), no credentials, no unrevealed vault
        token in an ERP call. Any failure blocks."""
        # Python mode: binary payloads (a PDF's bytes) have no JSON form.
        plain = args.model_dump() if isinstance(args, BaseModel) else dict(args)
        metadata = {"wardflow.tool": tool, "wardflow.args": plain,
                    "wardflow.approved_args_hash": approved_args_hash}
        return self._check("tool_args", args_json(plain), metadata)

    # Machinery -----------------------------------------------------------------------
    def _check(self, boundary: Boundary, value: str, metadata: dict[str, Any]) -> GuardResult:
        runner = self._runner(boundary)
        if not value:
            decisions = tuple(GuardDecision(boundary, v.short_name, "pass", None, [], "", 0.0)
                              for v in runner.validators)
            return GuardResult(value, decisions)
        final, verdicts, raised = runner.run(value, metadata)
        decisions = tuple(
            GuardDecision(boundary, v.validator,
                          runner.outcomes[v.validator] if v.failed else "pass",
                          v.score, v.evidence, v.detail, v.ms)
            for v in verdicts
        )
        blocked = raised or any(d.outcome == "blocked" for d in decisions)
        return GuardResult("" if blocked else final, decisions)

    def _runner(self, boundary: Boundary) -> _Runner:
        runner = self._runners.get(boundary)
        if runner is None:
            with self._lock:
                runner = self._runners.get(boundary)
                if runner is None:
                    runner = self._runners[boundary] = _Runner(boundary, self._stages(boundary),
                                                               self.engine)
        return runner

    def _stages(self, boundary: Boundary) -> list[_Stage]:
        from wardflow.guardrails._runtime import offline_guardrails

        offline_guardrails()  # configure guardrails-ai before its first import
        from wardflow.guardrails import validators as v

        threshold, classifier, model = self.injection_threshold, self.classifier, \
            self.injection_model

        def injection(**kw: Any) -> Any:
            return v.PromptInjectionValidator(threshold=threshold, classifier=classifier,
                                              model=model, boundary=boundary, **kw)

        def escalation(**kw: Any) -> Any:
            return v.EscalationValidator(threshold=threshold, **kw)

        if boundary == "prompt":
            return [_Stage(v.SecretsValidator, "fix", "fixed"), _Stage(v.PiiValidator, "fix", "fixed"),
                    _Stage(injection, "exception", "blocked"),
                    _Stage(escalation, "exception", "blocked"),
                    _Stage(v.InvisibleTextValidator, "fix", "fixed")]
        if boundary == "document":
            return [_Stage(injection, "fix", "flagged"),
                    _Stage(v.InvisibleTextValidator, "fix", "fixed"),
                    _Stage(v.SecretsValidator, "fix", "fixed"), _Stage(v.PiiValidator, "fix", "fixed")]
        if boundary == "model_output":
            return [_Stage(v.OutputSchemaValidator, "exception", "blocked"),
                    _Stage(v.ValuesInSourceValidator, "noop", "flagged"),
                    _Stage(v.ArithmeticValidator, "noop", "flagged")]
        return [_Stage(v.StorageKeyValidator, "exception", "blocked"),
                _Stage(v.ApprovedPostingValidator, "exception", "blocked"),
                _Stage(v.ToolArgSecretsValidator, "exception", "blocked"),
                _Stage(v.UnrevealedTokensValidator, "exception", "blocked")]
