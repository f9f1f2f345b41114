"""What the runs API's jobs run, and how a restarted server starts them again (part of
:mod:`wardflow.web.runs`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from wardflow.errors import WardflowError
from wardflow.graphs.blueprint import Blueprint, BlueprintError, load_blueprint
from wardflow.tools.inbox import InboxItem
from wardflow.web._context import AppContext
from wardflow.web._run_jobs import Outcome, RunJobs

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["find_blueprint", "resume_jobs", "run_item"]


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


def resume_jobs(ctx: AppContext, jobs: RunJobs) -> int:
    """Queue again the jobs this server left unfinished (see :meth:`RunJobs.resume`): a
    document's run continues from its checkpoint, under the same thread id. A prompt's
    batch is not planned again (the plan may differ now): its jobs fail, saying so; the
    documents it did run keep their runs."""

    def rebuild(who: str, spec: Mapping[str, Any]) -> Callable[[], Outcome] | None:
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
