"""What the runs API's jobs run, and how a restarted server starts them again (part of
:mod:`wardflow.web.runs`): a document's run from its stored item, a prompt's batch from
its stored plan (never planned again: the model may answer differently now)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from wardflow.agents.planner import DocumentFilter, Plan
from wardflow.errors import WardflowError
from wardflow.graphs.blueprint import Blueprint, BlueprintError, load_blueprint
from wardflow.tools.inbox import InboxItem
from wardflow.web._context import AppContext
from wardflow.web._run_jobs import Outcome, RunJobs

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["case_locks", "find_blueprint", "plan_from_dict", "resume_jobs", "run_item",
           "run_plan"]


# Blueprints --------------------------------------------------------------------------
def find_blueprint(ws: Workspace, ref: str) -> Blueprint:
    """The blueprint named ``ref`` (file name or ``name:``) in the blueprints folder.

    Raises:
        HTTPException: 422 when there is no such blueprint or it does not validate.
    """
    root = ws.settings.blueprints_path.resolve()
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")]) if root.is_dir() else []
    if ref.endswith((".yaml", ".yml")):
        candidate = (root / ref).resolve()
        matches = [candidate] if candidate.is_relative_to(root) and candidate.is_file() else []
    else:
        matches = [f for f in files if f.stem == ref]
    try:
        if matches:
            return load_blueprint(matches[0], ws.settings)
        for file in files:
            blueprint = load_blueprint(file, ws.settings)
            if blueprint.name == ref:
                return blueprint
    except BlueprintError as err:
        raise HTTPException(422, f"invalid blueprint: {err}") from err
    known = ", ".join(f.stem for f in files) or "none"
    raise HTTPException(422, f"unknown blueprint {ref!r}: not in {root} (known: {known})")



def run_item(ctx: AppContext, who: str, item: InboxItem, blueprint: Blueprint | None
             ) -> tuple[str | None, str]:
    """Run (or continue from its checkpoint) one document's run; (error, note)."""
    thread = f"{blueprint.name}:{item.document_id}" if blueprint else item.document_id
    with ctx.case_lock(thread), ctx.workspace() as ws:
        if blueprint is None:
            summary = ws.process_item(item, submitted_by=who)
            return summary.error, summary.note
        try:
            result = ws.run_blueprint_item(blueprint, item, submitted_by=who)
        except WardflowError as err:
            return str(err), ""
        return result["error"], ""


def _item_spec(item: InboxItem, blueprint: Blueprint | None) -> dict[str, Any]:
    return {"kind": "item", "item": asdict(item), "blueprint": blueprint.name if blueprint
            else None}


@contextmanager
def case_locks(ctx: AppContext, threads: list[str]) -> Iterator[None]:
    """The case locks of ``threads``, in a fixed order so that two batches sharing
    documents cannot deadlock."""
    with ExitStack() as stack:
        for thread in sorted(set(threads)):
            stack.enter_context(ctx.case_lock(thread))
        yield


def run_plan(ctx: AppContext, who: str, plan: Plan, threads: list[str]) -> Outcome:
    """Carry out a prompt's plan; (error, note) per thread it ran."""
    with case_locks(ctx, threads), ctx.workspace() as ws:
        result = ws.run_plan(plan, submitted_by=who)
    return {r["thread_id"]: (r["error"], r["note"]) for r in result["runs"]}


def _plan_spec(plan: Plan, threads: list[str]) -> dict[str, Any]:
    return {"kind": "plan", "plan": plan.to_dict(), "threads": threads}


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """The plan :meth:`Plan.to_dict` wrote (its usage and filter phrases aside)."""
    f = data.get("filters") or {}

    def day(key: str) -> date | None:
        return date.fromisoformat(f[key]) if f.get(key) else None

    def amount(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    filters = DocumentFilter(
        vendor_ids=tuple(f.get("vendor_ids", ())), vendor_names=tuple(f.get("vendor_names", ())),
        date_from=day("date_from"), date_to=day("date_to"), amount_min=amount(
            f.get("amount_min")), amount_max=amount(f.get("amount_max")),
        statuses=tuple(f.get("statuses", ())))
    return Plan(prompt=str(data["prompt"]), action=data["action"], source=data["source"],
                path=data.get("path"), approval_limit=amount(data.get("approval_limit")),
                currency=data.get("currency"), review_role=data.get("review_role"),
                refused=data.get("refused"), steps=list(data.get("steps") or ()),
                filters=filters)


def resume_jobs(ctx: AppContext, jobs: RunJobs) -> int:
    """Queue again the jobs this server left unfinished (see :meth:`RunJobs.resume`): a
    document's run continues from its checkpoint, under the same thread id; a prompt's
    plan runs again as it was planned, and skips what it had finished."""

    def rebuild(who: str, spec: Mapping[str, Any]) -> Callable[[], Outcome] | None:
        if spec.get("kind") == "plan":
            plan, threads = plan_from_dict(spec["plan"]), list(spec["threads"])
            return lambda: run_plan(ctx, who, plan, threads)
        if spec.get("kind") != "item":
            return None
        item = InboxItem(**spec["item"])
        thread = f"{spec['blueprint']}:{item.document_id}" if spec["blueprint"] else (
            item.document_id)

        def work() -> Outcome:
            blueprint = None
            if spec["blueprint"]:
                with ctx.workspace() as ws:
                    blueprint = find_blueprint(ws, str(spec["blueprint"]))
            return {thread: run_item(ctx, who, item, blueprint)}

        return work

    return jobs.resume(rebuild)
