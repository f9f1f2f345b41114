"""Errors raised by wardflow.

Every error derives from :class:`WardflowError` and says what to do next. The common
ones are defined here; the others next to the code that raises them (module in
brackets)::

    WardflowError
     ├── ConfigError            settings or an optional dependency are missing
     │    └── UnencryptedData   a key is set but a stored blob is in clear (store, thread)
     ├── DocumentError          a document cannot be processed (path, reason)
     │    ├── UnsupportedDocument
     │    ├── EmptyDocument
     │    ├── DocumentTooLarge
     │    └── CorruptDocument
     ├── ToolError              a tool call failed (tool, retryable)
     │    ├── StorageError
     │    ├── ErpError
     │    └── StreamError       a message stream cannot be used [runtime.streams]
     ├── ModelError             a model call failed (model, retryable)
     │    ├── ModelUnavailable  not installed, unreachable, timed out after retries
     │    └── ModelOutputError  the output stayed invalid after the repair attempts
     ├── GuardViolation         a guard blocked an input, an output or a tool call
     ├── RateLimited            a principal or workflow exceeded its rate limit
     ├── KillSwitchEngaged      new runs and side effects are stopped (workflow, reason)
     ├── PlanRefused            a natural-language request was refused (reason)
     │    ├── PolicyError       it would loosen policy (policy only tightens)
     │    └── OutsideInboxRoots a path outside the allowed inbox roots
     ├── FilterError            a request's filter has an unusable value (also a ValueError)
     │                          [agents._plan_filters]
     ├── ReviewError            a review decision was refused (thread_id)
     │    ├── DecisionRefused   a rule refused the decision (rule, reason); run paused
     │    └── RunStateError     the run is not in a state for that (status)
     ├── RunCancelled           an operator cancelled the run; it never posts
     ├── RunNotFound            no run exists for a thread id
     │    └── CheckpointNotFound  no such checkpoint of the run [operations.replay]
     ├── UnreadableState        a checkpoint's state does not read as a run (thread_id,
     │                          where) [runstate]
     ├── BlueprintError         a blueprint has problems, each with its line [graphs.blueprint]
     ├── ExpressionError        a blueprint condition cannot be parsed or evaluated
     │                          [graphs.expressions]
     ├── CronError              a schedule's cron expression or timezone [graphs.cron]
     ├── AuthError              a login or web token was refused (401) [web.auth]
     ├── TokenError             an API token was refused [review.tokens]
     ├── SlackError             a Slack request was refused (signature, age) [web.slack]
     ├── NotificationError      an S3 event notification cannot be read (400)
     │                          [runtime.s3events]
     └── BodyTooLarge           a request body over its limit (413) [web._limits]
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CorruptDocument",
    "DecisionRefused",
    "DocumentError",
    "DocumentTooLarge",
    "EmptyDocument",
    "ErpError",
    "GuardViolation",
    "KillSwitchEngaged",
    "ModelError",
    "ModelOutputError",
    "ModelUnavailable",
    "OutsideInboxRoots",
    "PlanRefused",
    "PolicyError",
    "RateLimited",
    "ReviewError",
    "RunCancelled",
    "RunNotFound",
    "RunStateError",
    "StorageError",
    "ToolError",
    "UnencryptedData",
    "UnsupportedDocument",
    "WardflowError",
]


class WardflowError(Exception):
    """Root of every error wardflow raises on purpose."""


class ConfigError(WardflowError):
    """Settings are invalid, or an optional dependency is not installed."""


class UnencryptedData(ConfigError):
    """``WARDFLOW_ENCRYPTION_KEY`` is set, yet a stored blob is in clear.

    With a key, wardflow reads only data the key sealed: a clear blob may have been
    written by someone who can write the data home but has no key, to swap a run's
    state. Data from before the key was set is sealed by the one explicit migration,
    ``wardflow keys encrypt`` (audited).

    Attributes:
        store: ``checkpoints`` or ``vault``.
        thread_id: the run whose data it is (``None`` when unknown).
        checkpoint_id: the checkpoint holding it (``None`` when unknown).
    """

    def __init__(self, store: str, *, thread_id: str | None = None,
                 checkpoint_id: str | None = None) -> None:
        self.store = store
        self.thread_id = thread_id
        self.checkpoint_id = checkpoint_id
        where = "" if thread_id is None else f" of thread {thread_id!r}"
        if checkpoint_id is not None:
            where += f" (checkpoint {checkpoint_id})"
        super().__init__(
            f"{store} data{where} is stored in clear but WARDFLOW_ENCRYPTION_KEY is set, so"
            " it is refused: it may have been written without the key. If it predates the"
            " key, seal it with `wardflow keys encrypt`; if not, restore the data home from"
            " a backup (`wardflow keys status` lists the clear data)")


class DocumentError(WardflowError):
    """A document cannot be processed.

    Attributes:
        path: the document as the user named it.
        reason: a short machine-readable reason code (``empty``, ``corrupt``...).
    """

    reason = "invalid"

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}")


class UnsupportedDocument(DocumentError):
    reason = "unsupported_type"


class EmptyDocument(DocumentError):
    reason = "empty"


class DocumentTooLarge(DocumentError):
    reason = "too_large"


class CorruptDocument(DocumentError):
    reason = "corrupt"


class ToolError(WardflowError):
    """A tool call failed.

    Attributes:
        tool: the tool's registered name.
        retryable: whether calling again may succeed (a timeout, a lock).
    """

    def __init__(self, tool: str, detail: str, *, retryable: bool = False) -> None:
        self.tool = tool
        self.retryable = retryable
        super().__init__(f"{tool}: {detail}")


class StorageError(ToolError):
    """A storage operation failed or a key escaped its root."""


class ErpError(ToolError):
    """The ERP refused or failed a request."""


class ModelError(WardflowError):
    """A model call failed.

    Attributes:
        model: the model (or router alias) that was called.
        retryable: whether calling again may succeed.
    """

    def __init__(self, model: str, detail: str, *, retryable: bool = False) -> None:
        self.model = model
        self.retryable = retryable
        super().__init__(f"{model}: {detail}")


class ModelUnavailable(ModelError):
    """The model cannot be reached or loaded (missing extra, no server, timeout)."""


class ModelOutputError(ModelError):
    """The model's output did not validate, even after the repair attempts.

    Attributes:
        output: the last raw output (truncated), for the review screen.
    """

    def __init__(
        self, model: str, detail: str, *, output: str = "", usage: list[dict[str, object]] | None = None
    ) -> None:
        self.output = output[:2000]
        self.usage = usage or []
        super().__init__(model, detail)


class GuardViolation(WardflowError):
    """A guard blocked a value.

    Attributes:
        validator: the validator that blocked it.
        evidence: the matched text or the failing check, already redacted.
    """

    def __init__(self, validator: str, detail: str, *, evidence: str = "") -> None:
        self.validator = validator
        self.evidence = evidence
        super().__init__(f"{validator}: {detail}")


class RateLimited(WardflowError):
    """Too many requests for one principal or workflow.

    Attributes:
        key: what is limited (``principal:carla``, ``workflow:invoice``).
        limit: the allowed number of requests per ``per_s`` seconds.
        retry_after_s: when a new request will be accepted.
    """

    def __init__(self, key: str, limit: int, per_s: float, retry_after_s: float) -> None:
        self.key = key
        self.limit = limit
        self.per_s = per_s
        self.retry_after_s = retry_after_s
        super().__init__(
            f"{key}: rate limit of {limit} per {per_s:g} s exceeded; retry in"
            f" {retry_after_s:.1f} s"
        )


class KillSwitchEngaged(WardflowError):
    """The kill switch is on: no new run starts and no side effect happens.

    Runs stopped by it stay at their last checkpoint and continue when it is released
    (``wardflow kill-switch off``).
    """

    def __init__(self, workflow: str, reason: str, by: str) -> None:
        self.workflow = workflow
        self.reason = reason
        self.by = by
        super().__init__(f"kill switch on for {workflow} (by {by}): {reason}")


class PlanRefused(WardflowError):
    """A request that wardflow will not plan or run; the message says why."""


class PolicyError(PlanRefused):
    """A prompt, blueprint or API body asked for a looser policy than the settings.

    Policy only tightens: a request may lower the approval limit or add compliance
    packs, never the reverse (wardflow/agents/overrides.py). Nothing was run.

    Attributes:
        source: what asked (``prompt``, ``blueprint invoice``).
        violations: one sentence per knob that would have been loosened.
    """

    def __init__(self, source: str, violations: list[str]) -> None:
        self.source = source
        self.violations = list(violations)
        super().__init__(
            f"policy only tightens: the {source} asks for {'; '.join(violations)}; a request"
            " may make review stricter, never looser (the settings are changed by an"
            " administrator)"
        )


class OutsideInboxRoots(PlanRefused):
    """A path a prompt or API request named resolves outside the allowed inbox roots.

    Attributes:
        path: the path as it was given.
        roots: the allowed roots (``WARDFLOW_INBOX_ROOTS``), resolved.
    """

    def __init__(self, path: str, roots: list[str]) -> None:
        self.path = path
        self.roots = list(roots)
        super().__init__(
            f"{path!r} is outside the allowed inbox roots ({', '.join(roots) or 'none'});"
            " put the documents in an inbox root or ask an administrator to add one"
            " (WARDFLOW_INBOX_ROOTS)"
        )


class ReviewError(WardflowError):
    """A review decision cannot be applied; the run stays paused."""

    def __init__(self, thread_id: str, detail: str) -> None:
        self.thread_id = thread_id
        # "-": a refusal that concerns no run (a password, a role): just the reason.
        super().__init__(detail if thread_id == "-" else f"{thread_id}: {detail}")


class DecisionRefused(ReviewError):
    """A review decision was refused by a rule; the run stays paused, untouched.

    Raised by the public Python API (:meth:`Workspace.resume`,
    :meth:`Workspace.decide_blueprint`) instead of leaving the refusal in the next
    review request's ``refused`` field, which the graph still sets for callers that
    drive it directly.

    Attributes:
        rule: the rule that refused (``unknown-reviewer``, ``segregation-of-duties``,
            ``over-limit``, ``stale-proposal``...; ``refused`` when it gives none).
        reason: the whole reason, rule included, as the audit record has it.
        by: who tried to decide.
    """

    def __init__(self, thread_id: str, reason: str, *, by: str | None = None) -> None:
        rule, sep, _ = reason.partition(": ")
        self.rule = rule if sep and rule.replace("-", "").isalpha() else "refused"
        self.reason = reason
        self.by = by
        super().__init__(thread_id, f"decision refused: {reason}")


class RunStateError(ReviewError):
    """The run is not in a state where this action applies (retry a run that is not
    dead-lettered, cancel a finished run...); nothing was done.

    Attributes:
        status: the run's status.
    """

    def __init__(self, thread_id: str, status: str, detail: str) -> None:
        self.status = status
        super().__init__(thread_id, f"{detail} (status {status})")


class RunCancelled(WardflowError):
    """An operator cancelled this run; it never posts, whatever resumes it.

    Attributes:
        thread_id: the run.
        cancelled: who cancelled it, when and why (``{by, at, reason}``).
    """

    def __init__(self, thread_id: str, cancelled: dict[str, object]) -> None:
        self.thread_id = thread_id
        self.cancelled = dict(cancelled)
        super().__init__(
            f"{thread_id} was cancelled by {cancelled.get('by')} at {cancelled.get('at')}"
            f" ({cancelled.get('reason') or 'no reason given'}); it is never posted"
            f" (`wardflow audit show {thread_id}` has the record)")


class RunNotFound(WardflowError):
    """No run is recorded under this thread id."""

    def __init__(self, thread_id: str) -> None:
        self.thread_id = thread_id
        super().__init__(
            f"no run with thread id {thread_id!r}; `wardflow status` lists the known runs"
        )
