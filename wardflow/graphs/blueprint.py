"""Blueprints: YAML workflows in the form enterprises write them, validated with lines.

::

    trigger:
      event: "document_uploaded"
      source: "s3-bucket"
    steps:
      - name: classify_document
        type: "llm-inference"
        model: "vertical-llm-legal-v2"
      - name: human_review
        type: "approval_task"
        required_if: "confidence < 0.9"
      - name: archive
        type: "storage"
        destination: "archive-bucket"

:func:`load_blueprint` reports every problem at once, each with its line and reason,
as a :class:`BlueprintError`. Model names are aliases resolved through
``Settings.model_aliases`` (a name with a ``/`` is taken as a litellm model string);
sources and destinations are storage locations from ``Settings.storage_locations``.
Conditions use :mod:`wardflow.graphs.expressions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from wardflow.agents.overrides import PolicyOverride, loosenings
from wardflow.config import COMPLIANCE_PACKS, Settings
from wardflow.errors import WardflowError
from wardflow.graphs.cron import CronError, check_timezone, parse_cron
from wardflow.graphs.expressions import Condition, ExpressionError, compile_condition

__all__ = [
    "STEP_TYPES",
    "Blueprint",
    "BlueprintError",
    "Problem",
    "Step",
    "Trigger",
    "load_blueprint",
    "parse_blueprint",
]

StepType = Literal["llm-inference", "approval_task", "storage", "tool", "agent"]
STEP_TYPES: tuple[str, ...] = ("llm-inference", "approval_task", "storage", "tool", "agent")
EVENTS = ("document_uploaded",)
AGENTS = ("invoice",)
TASKS = ("classify",)
TOOLS = ("erp_lookup_vendor", "erp_find_invoices")
_STEP_KEYS = {
    "llm-inference": {"model", "task"},
    "approval_task": {"role", "approvers"},
    "storage": {"destination"},
    "tool": {"tool", "args"},
    "agent": {"agent"},
}
_COMMON_KEYS = {"name", "type", "required_if", "retries", "timeout"}
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAILDIR = "maildir:"
REDIS_STREAM = "redis-stream:"
NATS = "nats:"
# A NATS subject: dot-separated tokens, ``*`` for one token, ``>`` for the rest.
_NATS_TOKEN = re.compile(r"^(?:[^\s.*>]+|\*)$")
_SCHEDULE_KEYS = ("timezone", "missed")


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class BlueprintError(WardflowError):
    """A blueprint that does not validate; ``problems`` lists every one of them."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  {path}:{p.line}: {p.reason}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s)\n{listed}")


@dataclass(frozen=True)
class Trigger:
    """How runs start. ``source`` is a storage location, ``maildir:<path>``,
    ``redis-stream:<stream>`` or ``nats:<subject>``;
    ``timezone`` and ``missed`` belong to schedules (see :mod:`wardflow.runtime.schedule`)."""

    kind: Literal["event", "schedule", "api"]
    event: str | None = None
    source: str | None = None
    schedule: str | None = None
    timezone: str = "UTC"
    missed: Literal["skip", "run_once"] = "skip"

    @property
    def stream(self) -> tuple[Literal["redis", "nats"], str] | None:
        """``("redis", stream)`` or ``("nats", subject)`` of a message stream source."""
        if self.source is not None and self.source.startswith(REDIS_STREAM):
            return "redis", self.source[len(REDIS_STREAM):]
        if self.source is not None and self.source.startswith(NATS):
            return "nats", self.source[len(NATS):]
        return None

    @property
    def maildir(self) -> Path | None:
        """The maildir of a ``maildir:<path>`` source (relative to the working folder)."""
        if self.source is None or not self.source.startswith(MAILDIR):
            return None
        return Path(self.source[len(MAILDIR):]).expanduser()


@dataclass(frozen=True)
class Step:
    name: str
    type: StepType
    line: int
    required_if: Condition | None = None
    retries: int = 0
    timeout_s: float | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Blueprint:
    name: str
    trigger: Trigger
    steps: tuple[Step, ...]
    source: str
    # The compliance packs (``compliance: [sox, gdpr, pci]``); None: the settings' own.
    compliance: tuple[str, ...] | None = None
    # Cases whose decision needs a comment (``comment_required_for: [flagged]``), added
    # to the settings' own; None: the settings' own.
    comment_required_for: tuple[str, ...] | None = None


def load_blueprint(path: Path | str, settings: Settings) -> Blueprint:
    """Read and validate a blueprint file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise BlueprintError(str(file), [Problem(0, f"cannot read: {err.strerror}")]) from err
    return parse_blueprint(text, settings, name=file.stem, path=str(file))


def parse_blueprint(
    text: str, settings: Settings, *, name: str = "blueprint", path: str = "<blueprint>"
) -> Blueprint:
    """Validate blueprint YAML ``text``; raise :class:`BlueprintError` listing every problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise BlueprintError(path, [Problem(line, f"not valid YAML: {err}")]) from err
    try:
        return _parse(root, text, settings, name, path)
    except yaml.YAMLError as err:  # a value YAML cannot construct (an unknown tag ...)
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise BlueprintError(path, [Problem(line, f"not a valid value: {err}")]) from err


def _parse(root: yaml.Node | None, text: str, settings: Settings, name: str,
           path: str) -> Blueprint:
    problems: list[Problem] = []
    if not isinstance(root, yaml.MappingNode):
        raise BlueprintError(path, [Problem(1, "a blueprint is a mapping with trigger and steps")])
    top = _mapping(root)
    for key, (key_node, _) in top.items():
        if key not in ("name", "trigger", "steps", "description", "compliance",
                       "comment_required_for"):
            problems.append(Problem(_line(key_node), f"unknown key {key!r}"))
    title = _scalar(top["name"][1]) if "name" in top else name
    trigger = _trigger(top.get("trigger"), settings, problems, _line(root))
    steps = _steps(top.get("steps"), settings, problems, _line(root))
    packs = (_compliance(top["compliance"][1], settings, problems) if "compliance" in top
             else None)
    comments = (_comment_conditions(top["comment_required_for"][1], settings, problems)
                if "comment_required_for" in top else None)
    if problems:
        raise BlueprintError(path, sorted(problems, key=lambda p: p.line))
    assert trigger is not None
    return Blueprint(str(title), trigger, tuple(steps), text, packs, comments)


def _comment_conditions(node: yaml.Node, settings: Settings,
                        problems: list[Problem]) -> tuple[str, ...] | None:
    value = _scalar(node)
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        problems.append(Problem(_line(node), "comment_required_for is a list of conditions,"
                                " e.g. [flagged, high_risk, over_limit]"))
        return None
    conditions = tuple(value)
    # Policy only tightens: the conditions add to the settings' (none is dropped).
    loose, _ = loosenings(settings, PolicyOverride(comment_required_for=conditions))
    problems.extend(Problem(_line(node), why) for why in loose)
    return conditions


def _compliance(node: yaml.Node, settings: Settings,
                problems: list[Problem]) -> tuple[str, ...] | None:
    value = _scalar(node)
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        problems.append(Problem(_line(node), "compliance is a list of packs, e.g. [sox, gdpr, pci]"))
        return None
    unknown = [p for p in value if p.lower() not in COMPLIANCE_PACKS]
    if unknown:
        problems.append(Problem(_line(node), f"unknown compliance pack(s) {', '.join(unknown)};"
                                f" packs: {', '.join(COMPLIANCE_PACKS)}"))
    packs = tuple(dict.fromkeys(p.lower() for p in value))
    # Policy only tightens: a blueprint may add packs to the settings', not drop one.
    loose, _ = loosenings(settings, PolicyOverride(compliance_packs=packs))
    problems.extend(Problem(_line(node), f"policy only tightens: {why}") for why in loose)
    return packs


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {str(k.value): (k, v) for k, v in node.value}


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a node (scalars, and mappings such as tool args).

    Constructed from the node itself: re-serializing a node and loading the text again
    fails on some valid nodes (an empty plain scalar serializes to nothing).
    """
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _trigger(
    entry: tuple[yaml.Node, yaml.Node] | None, settings: Settings, problems: list[Problem],
    root_line: int,
) -> Trigger | None:
    if entry is None:
        problems.append(Problem(root_line, "missing 'trigger' (event, schedule or api)"))
        return None
    key_node, node = entry
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(_line(node), "'trigger' must be a mapping"))
        return None
    fields = _mapping(node)
    for key, (k, _) in fields.items():
        if key not in ("event", "source", "schedule", "api", *_SCHEDULE_KEYS):
            problems.append(Problem(_line(k), f"unknown trigger key {key!r}"))
    kinds = [k for k in ("event", "schedule", "api") if k in fields]
    if len(kinds) != 1:
        problems.append(Problem(_line(key_node),
                                "a trigger has exactly one of event, schedule or api"))
        return None
    kind = kinds[0]
    value = _scalar(fields[kind][1])
    line = _line(fields[kind][1])
    source = _source(fields, settings, problems)
    if kind != "schedule":
        for key in _SCHEDULE_KEYS:
            if key in fields:
                problems.append(Problem(_line(fields[key][0]), f"only schedule triggers take"
                                        f" {key!r}"))
    if kind == "event":
        if value not in EVENTS:
            problems.append(Problem(line, f"unknown event {value!r}; events: {', '.join(EVENTS)}"))
        return Trigger("event", event=str(value), source=source)
    if kind == "schedule":
        if source is not None and source.startswith((REDIS_STREAM, NATS)):
            problems.append(Problem(_line(fields["source"][1]), "a message stream source"
                                    " needs an event trigger (event: document_uploaded)"))
        return _schedule(str(value), line, fields, source, problems)
    if value is not True:
        problems.append(Problem(line, "api must be true"))
    return Trigger("api")


def _source(fields: dict[str, tuple[yaml.Node, yaml.Node]], settings: Settings,
            problems: list[Problem]) -> str | None:
    if "source" not in fields:
        return None
    node = fields["source"][1]
    source = _scalar(node)
    if isinstance(source, str) and source.startswith(MAILDIR):
        if not source[len(MAILDIR):].strip():
            problems.append(Problem(_line(node), "maildir: needs a path, e.g. 'maildir:~/Maildir'"))
        return source
    if isinstance(source, str) and source.startswith((REDIS_STREAM, NATS)):
        why = _stream_problem(source)
        if why:
            problems.append(Problem(_line(node), why))
        return source
    if source not in settings.storage_locations:
        problems.append(Problem(_line(node), f"unknown source {source!r}; map it in"
                                " storage_locations or use 'maildir:<path>',"
                                " 'redis-stream:<stream>' or 'nats:<subject>'"))
    return str(source)


def _stream_problem(source: str) -> str | None:
    """Why a ``redis-stream:``/``nats:`` source is unusable, or ``None``."""
    if source.startswith(REDIS_STREAM):
        name = source[len(REDIS_STREAM):]
        if not name or len(name) > 200 or any(c.isspace() or not c.isprintable() for c in name):
            return ("redis-stream: needs a stream name (up to 200 characters, no spaces),"
                    " e.g. 'redis-stream:invoices'")
        return None
    subject = source[len(NATS):]
    tokens = subject.split(".")
    if (not subject or len(subject) > 200 or not all(_NATS_TOKEN.match(t) or t == ">"
                                                     for t in tokens)
            or ">" in tokens[:-1]):
        return ("nats: needs a subject of dot-separated tokens (no spaces or empty tokens;"
                " '*' for one token, '>' only last), e.g. 'nats:invoices.uploaded'")
    return None


def _schedule(value: str, line: int, fields: dict[str, tuple[yaml.Node, yaml.Node]],
              source: str | None, problems: list[Problem]) -> Trigger:
    timezone = str(_scalar(fields["timezone"][1])) if "timezone" in fields else "UTC"
    missed = _scalar(fields["missed"][1]) if "missed" in fields else "skip"
    if missed not in ("skip", "run_once"):
        problems.append(Problem(_line(fields["missed"][1]), f"missed must be skip or run_once,"
                                f" not {missed!r}"))
        missed = "skip"
    try:
        parse_cron(value)
    except CronError as err:
        problems.append(Problem(line, f"schedule {value!r}: {err}"))
    try:
        check_timezone(timezone)
    except CronError as err:
        problems.append(Problem(_line(fields["timezone"][1]), str(err)))
    return Trigger("schedule", schedule=value, source=source, timezone=timezone,
                   missed="run_once" if missed == "run_once" else "skip")


def _steps(
    entry: tuple[yaml.Node, yaml.Node] | None, settings: Settings, problems: list[Problem],
    root_line: int,
) -> list[Step]:
    if entry is None:
        problems.append(Problem(root_line, "missing 'steps'"))
        return []
    _, node = entry
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problems.append(Problem(_line(node), "'steps' must be a non-empty list"))
        return []
    steps: list[Step] = []
    seen: set[str] = set()
    for item in node.value:
        step = _step(item, settings, problems, seen)
        if step is not None:
            steps.append(step)
    return steps


def _step(
    node: yaml.Node, settings: Settings, problems: list[Problem], seen: set[str]
) -> Step | None:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(line, "a step is a mapping with name and type"))
        return None
    fields = _mapping(node)
    values = {key: _scalar(value) for key, (_, value) in fields.items()}
    name, kind = values.get("name"), values.get("type")
    ok = True
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(Problem(line, f"step name {name!r} must be lower_snake_case"))
        ok = False
    elif name in seen:
        problems.append(Problem(_line(fields["name"][1]), f"duplicate step name {name!r}"))
        ok = False
    else:
        seen.add(name)
    if kind not in STEP_TYPES:
        where = _line(fields["type"][1]) if "type" in fields else line
        problems.append(Problem(where, f"step type {kind!r} is not one of {', '.join(STEP_TYPES)}"))
        return None
    allowed = _COMMON_KEYS | _STEP_KEYS[kind]
    for key, (k, _) in fields.items():
        if key not in allowed:
            problems.append(Problem(_line(k), f"{kind} steps take no {key!r}"))
            ok = False
    condition = None
    if "required_if" in values:
        try:
            condition = compile_condition(str(values["required_if"]))
        except ExpressionError as err:
            problems.append(Problem(_line(fields["required_if"][1]), str(err)))
            ok = False
    retries = values.get("retries", 0)
    if not isinstance(retries, int) or not 0 <= retries <= 10:
        problems.append(Problem(line, "retries must be an integer from 0 to 10"))
        ok = False
    timeout = values.get("timeout")
    if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
        problems.append(Problem(line, "timeout must be a positive number of seconds"))
        ok = False
    options = {k: v for k, v in values.items() if k in _STEP_KEYS[kind]}
    ok = _check_options(kind, options, fields, settings, problems, line) and ok
    if not ok:
        return None
    return Step(str(name), kind, line, condition, retries,
                float(timeout) if timeout is not None else None, options)


def _check_options(
    kind: str, options: dict[str, Any], fields: dict[str, tuple[yaml.Node, yaml.Node]],
    settings: Settings, problems: list[Problem], line: int,
) -> bool:
    def at(key: str) -> int:
        return _line(fields[key][1]) if key in fields else line

    before = len(problems)
    if kind == "llm-inference":
        model = options.get("model")
        if not isinstance(model, str) or not model:
            problems.append(Problem(at("model"), "llm-inference steps need a model"))
        elif "/" not in model and model not in settings.model_aliases and model != "default":
            problems.append(Problem(at("model"), f"unknown model {model!r}; map it in"
                                    " model_aliases or use a litellm model string"))
        if options.get("task", "classify") not in TASKS:
            problems.append(Problem(at("task"), f"unknown task; tasks: {', '.join(TASKS)}"))
    elif kind == "storage":
        destination = options.get("destination")
        if destination not in settings.storage_locations:
            problems.append(Problem(at("destination"), f"unknown destination {destination!r};"
                                    " map it in storage_locations"))
    elif kind == "agent":
        if options.get("agent") not in AGENTS:
            problems.append(Problem(at("agent"), f"unknown agent; agents: {', '.join(AGENTS)}"))
    elif kind == "tool":
        if options.get("tool") not in TOOLS:
            problems.append(Problem(at("tool"), f"unknown tool; tools: {', '.join(TOOLS)}"))
        if "args" in fields and not isinstance(fields["args"][1], yaml.MappingNode):
            problems.append(Problem(at("args"), "args must be a mapping"))
    elif kind == "approval_task":
        # A clerk may not approve (wardflow/review/authz.py): a blueprint cannot make
        # one an approver, since policy only tightens.
        if options.get("role", "approver") not in ("approver", "controller"):
            problems.append(Problem(at("role"), "role must be approver or controller (a clerk"
                                    " may not approve; policy only tightens)"))
        approvers = options.get("approvers", 1)
        if not isinstance(approvers, int) or isinstance(approvers, bool) or not 1 <= approvers <= 3:
            problems.append(Problem(at("approvers"), "approvers must be 1, 2 or 3 (different"
                                    " people, asked in parallel)"))
    return len(problems) == before
