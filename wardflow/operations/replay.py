"""Replay: run a past invoice run again from one of its checkpoints with other settings,
touching nothing, and say what would have changed.

This is how a model or rule change is judged on real history before it is rolled out.
The real run is never touched: the chosen checkpoint is copied into an in-memory
checkpointer, and the graph that continues from it is built on

- a :class:`~wardflow.tools.dryrun.DryRunErp`: vendor lookups and duplicate checks
  read the real ERP, a posting is only recorded (the run's own posting is hidden from
  the duplicate checks, or a posted run would find itself);
- a :class:`~wardflow.tools.dryrun.DryRunStorage`: reads from the real storage,
  writes kept in memory;
- an in-memory audit log, token vault, kill switch and reviewer store, and no
  telemetry (a replay's spans would join the real run's trace).

A review interrupt ends the replay: it is reported as "would go to review" with the
reasons. The real audit log gets exactly one record, ``replay.run``, written before
the replay starts: a replay reads the document and the vendor master and may show
them to another model (possibly a hosted one), so who did that, to which run, with
which settings, belongs on the record; the replayed steps do not, because they never
happened.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from wardflow.config import Settings
from wardflow.errors import ConfigError, RunNotFound, WardflowError
from wardflow.operations._replay_report import (
    CheckpointInfo,
    Outcome,
    ReplayResult,
    Row,
    compare,
    outcome,
)
from wardflow.runstate import DocumentInfo, Posting
from wardflow.runtime.workspace import Workspace
from wardflow.services import build_services

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

__all__ = [
    "CheckpointInfo", "CheckpointNotFound", "Outcome", "ReplayResult", "Row", "checkpoints",
    "replay", "replay_settings",
]

# Where the run lives: a replay always reads it from the data home it was run in.
_FIXED = frozenset({"home", "checkpointer"})


class CheckpointNotFound(RunNotFound):
    """The run has no checkpoint matching what was asked for."""

    def __init__(self, thread_id: str, wanted: str, detail: str) -> None:
        self.thread_id = thread_id
        self.wanted = wanted
        WardflowError.__init__(
            self, f"{thread_id}: {detail}; `wardflow replay {thread_id} --list` lists its"
                  " checkpoints")


def replay_settings(
    base: Settings, *, model: str | None = None, config_file: Path | None = None,
    review_threshold: float | None = None,
) -> Settings:
    """``base`` with a settings file (TOML, the keys of ``wardflow.toml``), then a model
    and a review threshold, laid over it.

    Raises:
        ConfigError: the file cannot be read, names unknown settings or the data home,
            or a value is invalid.
    """
    values: dict[str, Any] = dict(_read_config(config_file)) if config_file else {}
    if model is not None:
        values["model"] = model
    if review_threshold is not None:
        values["review_threshold"] = review_threshold
    try:
        return Settings.model_validate({**base.model_dump(), **values})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"replay settings: {where}: {first['msg']}") from err


def _read_config(path: Path) -> Mapping[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read the settings file {path}: {err}") from err
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    fixed = sorted(set(data) & _FIXED)
    if fixed:
        raise ConfigError(f"{path}: {', '.join(fixed)} cannot change in a replay (it reads the"
                          " run where it lives); use --home")
    return data


def checkpoints(source: Workspace | Settings, thread_id: str) -> list[CheckpointInfo]:
    """A run's checkpoints, oldest first.

    Raises:
        RunNotFound: no run has this thread id.
    """
    with _opened(source) as ws:
        return _history(ws, thread_id)


def replay(
    source: Workspace | Settings,
    thread_id: str,
    from_checkpoint: str | None = None,
    *,
    settings: Settings | None = None,
    by: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ReplayResult:
    """Run ``thread_id`` again from one of its checkpoints, with no side effect.

    Args:
        source: the workspace (or the settings of the data home) the run lives in.
        from_checkpoint: a checkpoint id (or a unique prefix of one), a step number, or
            a node name (the first checkpoint before that node runs). Default: the
            checkpoint after ingest, so that everything but reading the document runs
            again.
        settings: the settings to replay with (see :func:`replay_settings`); default:
            the workspace's own, which shows whether the run is reproducible.
        by: who replays (recorded in the audit log).
        clock: the time the replay sees; default: when the chosen checkpoint was
            written, so that date checks judge the invoice as the original run did.

    Raises:
        RunNotFound: no run has this thread id.
        CheckpointNotFound: ``from_checkpoint`` names no checkpoint of the run.
    """
    with _opened(source) as ws:
        history = _history(ws, thread_id)
        chosen, why = _choose(thread_id, history, from_checkpoint)
        return _run(ws, thread_id, chosen, why, settings or ws.settings, by, clock)


@contextmanager
def _opened(source: Workspace | Settings) -> Iterator[Workspace]:
    if isinstance(source, Workspace):
        yield source
        return
    with Workspace(source) as ws:
        yield ws


def _config(thread_id: str, checkpoint_id: str | None = None) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ""}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _history(ws: Workspace, thread_id: str) -> list[CheckpointInfo]:
    snapshots = list(ws.graph.get_state_history(_config(thread_id)))[::-1]
    if not snapshots:
        raise RunNotFound(thread_id)
    _check_invoice_run(ws, thread_id)
    nexts = {s.config["configurable"]["checkpoint_id"]: s.next for s in snapshots}
    infos = []
    for snap in snapshots:
        parent = ((snap.parent_config or {}).get("configurable") or {}).get("checkpoint_id")
        source = (snap.metadata or {}).get("source", "")
        wrote = "input" if source == "input" else ", ".join(nexts.get(parent, ())) or source
        infos.append(CheckpointInfo(
            checkpoint_id=snap.config["configurable"]["checkpoint_id"],
            step=int((snap.metadata or {}).get("step", -1)), written_by=wrote,
            next=tuple(snap.next), created_at=snap.created_at or ""))
    return infos


def _check_invoice_run(ws: Workspace, thread_id: str) -> None:
    """A blueprint run shares the checkpointer but not the graph: its steps are not ours."""
    latest = ws.checkpointer.get_tuple(_config(thread_id))
    if latest is None:
        return
    seen = set(latest.checkpoint["versions_seen"]) | {
        c.removeprefix("branch:to:") for c in latest.checkpoint["channel_versions"]
        if c.startswith("branch:to:")}
    foreign = {n for n in seen if not n.startswith("__")} - set(ws.graph.nodes)
    if foreign:
        raise WardflowError(f"{thread_id} is not an invoice run (it has steps"
                            f" {', '.join(sorted(foreign))}); replay covers the invoice graph")


def _choose(thread_id: str, history: Sequence[CheckpointInfo], wanted: str | None
            ) -> tuple[CheckpointInfo, str]:
    if wanted is None:
        for info in history:
            if info.written_by == "ingest":
                return info, "the first checkpoint after ingest (default)"
        raise CheckpointNotFound(thread_id, "", "the run has no checkpoint after ingest; choose"
                                 " one with --from")
    exact = [i for i in history if i.checkpoint_id == wanted]
    by_prefix = [i for i in history if i.checkpoint_id.startswith(wanted)]
    by_step = [i for i in history if re.fullmatch(r"-?\d+", wanted) and i.step == int(wanted)]
    by_node = [i for i in history if wanted in i.next]
    for found, how in ((exact, "checkpoint"), (by_step, "step"), (by_prefix, "checkpoint"),
                       (by_node, "before node")):
        if len(found) == 1 or (found and how == "before node"):
            return found[0], f"{how} {wanted}"
        if found:
            raise CheckpointNotFound(thread_id, wanted, f"{wanted!r} matches {len(found)}"
                                     " checkpoints; give more of the id")
    raise CheckpointNotFound(thread_id, wanted, f"no checkpoint {wanted!r} (an id, a step"
                             " number, or the node to replay from)")


def _run(ws: Workspace, thread_id: str, chosen: CheckpointInfo, why: str, settings: Settings,
         by: str | None, clock: Callable[[], datetime] | None) -> ReplayResult:
    from langgraph.checkpoint.memory import InMemorySaver

    from wardflow.graphs.invoice import build_invoice_graph
    from wardflow.observability.redact import redact
    from wardflow.tools.dryrun import DryRunErp, DryRunStorage, dry_memory

    real = ws.graph.get_state(_config(thread_id))
    original = real.values
    saved = ws.checkpointer.get_tuple(_config(thread_id, chosen.checkpoint_id))
    if saved is None:  # listed a moment ago: the run was deleted in between
        raise CheckpointNotFound(thread_id, chosen.checkpoint_id, "the checkpoint is gone")
    memory = InMemorySaver()
    # The checkpoint alone, without its pending writes: everything after it runs again
    # (a reviewer's answer stored as a pending write is not replayed).
    memory.put(_config(thread_id), saved.checkpoint, saved.metadata,
               saved.checkpoint["channel_versions"])
    at = datetime.fromisoformat(chosen.created_at)
    when = clock or (lambda: at)
    own = Posting.of(original.get("posting")).posting_id
    erp = DryRunErp(ws.erp, hidden=[own] if own else [], clock=when)
    storage = DryRunStorage(ws.storage, aliases=_aliases(original))
    changed = _settings_changed(ws.settings, settings)
    ws.audit.append("replay.run", redact({
        "from_checkpoint": chosen.checkpoint_id, "step": chosen.step, "chosen": why,
        "model": settings.model, "settings_changed": changed,
    }), actor=f"user:{by}" if by else "wardflow/replay", thread_id=thread_id,
        checkpoint_id=chosen.checkpoint_id)
    # Scratch stores in memory: the replay writes nothing to the data home.
    with build_services(settings, scratch=True, clock=when, checkpointer=memory, erp=erp,
                        storage=storage, memory=dry_memory(settings)) as services:
        graph = build_invoice_graph(settings, services=services)
        graph.invoke(None, _config(thread_id), durability="exit")
        after = graph.get_state(_config(thread_id))
    posted = [w.detail for w in erp.writes if w.op == "post"]
    before = outcome(original, waiting=bool(real.interrupts), next_=real.next,
                      posting=original.get("posting"))
    replayed = outcome(after.values, waiting=bool(after.interrupts), next_=after.next,
                        posting=posted[0] if posted else None)
    review = list(after.interrupts[0].value.get("reasons", [])) if after.interrupts else []
    return ReplayResult(
        thread_id=thread_id, checkpoint=chosen, chosen=why, settings_changed=changed,
        original=before, replay=replayed, rows=compare(before, replayed), review=review,
        would_do=[w.to_dict() for w in erp.writes + storage.writes],
        notes=_notes(original, chosen, own, posted),
    )


def _aliases(original: Mapping[str, Any]) -> dict[str, str]:
    """The stored document's first key -> where the original run left it."""
    key = DocumentInfo.of(original.get("document")).storage_key
    moved = original.get("archive_key")
    if key and moved and not str(moved).endswith("/reason.json"):
        return {key: moved}
    return {}


def _settings_changed(base: Settings, new: Settings) -> dict[str, list[Any]]:
    # JSON mode: secrets come out masked, paths and amounts as text.
    old, now = base.model_dump(mode="json"), new.model_dump(mode="json")
    return {k: [old[k], now[k]] for k in now if old.get(k) != now[k]}


def _notes(original: Mapping[str, Any], chosen: CheckpointInfo, own: str | None,
           posted: Sequence[Mapping[str, Any]]) -> list[str]:
    notes = []
    if own:
        notes.append(f"the run's own posting {own} was hidden from the replay's duplicate checks")
    for post in posted:
        if post.get("already_posted_as"):
            notes.append(f"the real ERP already holds this posting ({post['already_posted_as']});"
                         " posting it again would have been a no-op")
    editors = original.get("editors") or []
    if editors and chosen.written_by not in ("review", "post_to_erp", "archive"):
        notes.append(f"the original values include corrections by {', '.join(editors)},"
                     " made after this checkpoint; the replay stops before any review")
    return notes


