"""Benchmark: from a reviewer's decision to the run resumed and checkpointed at its next step.

Measured in one run, on one pinned core, both on the same checkpointer settings
(SQLite, WAL, ``synchronous=NORMAL``, ``durability="sync"``):

* **bare**: a 3-node LangGraph graph ``a -> b -> c`` where ``b`` calls ``interrupt()``;
  the time of ``stream(Command(resume=...))`` until ``b``'s update arrives (``b`` has
  completed and its step is checkpointed; the run is then stopped).
* **wardflow**: the invoice graph paused at ``review`` for an over-limit invoice; the
  time of the whole decision path: ``Workspace``-style authorization (principal, role,
  limit, segregation of duties, proposal hash), then ``stream(Command(resume=...))``
  until the ``review`` update arrives (the decision is authorized again inside the
  node, audited, and the step checkpointed).

Each decision resumes its own paused thread, prepared outside the timed region.
Target: wardflow within 3x of bare. Prints the ratio and writes JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypedDict

_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(_REPO))

from langchain_core.runnables import RunnableConfig  # noqa: E402
from langgraph.graph import END, START, StateGraph  # noqa: E402
from langgraph.types import Command, interrupt  # noqa: E402

from wardflow.config import Settings  # noqa: E402
from wardflow.review.authz import authorize  # noqa: E402
from wardflow.review.payloads import ReviewDecision  # noqa: E402
from wardflow.runtime.checkpoint import open_checkpointer  # noqa: E402
from wardflow.runtime.workspace import Workspace  # noqa: E402
from wardflow.tools.erp import load_master  # noqa: E402

DOC = _REPO / "examples/inbox/2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
DEFAULT_OUT = _REPO / "benchmarks/results/bench_review.json"
TARGET_RATIO = 3.0


class _State(TypedDict, total=False):
    n: int
    answer: str


def _bare_graph(settings: Settings) -> Any:
    def a(state: _State) -> _State:
        return {"n": 1}

    def b(state: _State) -> _State:
        return {"answer": str(interrupt({"ask": "approve?"}))}

    def c(state: _State) -> _State:
        return {"n": 3}

    graph: StateGraph[Any] = StateGraph(_State)
    graph.add_node("a", a)
    graph.add_node("b", b)
    graph.add_node("c", c)
    graph.add_edge(START, "a")
    graph.add_edge("a", "b")
    graph.add_edge("b", "c")
    graph.add_edge("c", END)
    return graph.compile(checkpointer=open_checkpointer(settings))


def _config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


def _time_bare(settings: Settings, runs: int) -> list[float]:
    graph = _bare_graph(settings)
    for i in range(runs):
        graph.invoke({"n": 0}, _config(f"bare-{i}"), durability="sync")
    times = []
    gc.disable()
    try:
        for i in range(runs):
            started = time.perf_counter_ns()
            for update in graph.stream(Command(resume="yes"), _config(f"bare-{i}"),
                                       stream_mode="updates", durability="sync"):
                if "b" in update:
                    break
            times.append((time.perf_counter_ns() - started) / 1e6)
    finally:
        gc.enable()
    return times


def _time_wardflow(settings: Settings, runs: int) -> list[float]:
    with Workspace(settings) as ws:
        ws.erp.import_master(load_master(_REPO / "examples/erp.json"))
        ws.principals.add("dan", "controller")
        ws.principals.add("carla", "approver", approval_limit=Decimal("50000"))
        for i in range(runs):
            ws.graph.invoke({"path": str(DOC), "name": DOC.name, "submitted_by": "sam"},
                            _config(f"wf-{i}"), durability="sync")
        requests = [ws.pending(f"wf-{i}") for i in range(runs)]
        times = []
        gc.disable()
        try:
            for i, request in enumerate(requests):
                started = time.perf_counter_ns()
                decision = ReviewDecision(decision="approve", by="dan",
                                          args_hash=request.proposed_action.args_hash,
                                          comment="over the limit; order confirmed")
                values = ws.state(f"wf-{i}").values
                amount = values["compliance"]["amount_in_approval_currency"]
                authorize(decision, request, ws.principals.get("dan"),
                          submitted_by=values.get("submitted_by"),
                          editors=values.get("editors", []),
                          amount=Decimal(amount) if amount else None)
                for update in ws.graph.stream(Command(resume=decision.model_dump()),
                                              _config(f"wf-{i}"), stream_mode="updates",
                                              durability="sync"):
                    if "review" in update:
                        assert update["review"]["status"] == "approved", update
                        break
                times.append((time.perf_counter_ns() - started) / 1e6)
        finally:
            gc.enable()
    return times


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 3),
            "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
            "runs": len(ordered)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="few runs, for a smoke test")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    runs = 5 if args.quick else 40
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    tmp = Path(tempfile.mkdtemp(prefix="wf-bench-review-"))
    try:
        bare = _stats(_time_bare(Settings(home=tmp / "bare", model="none"), runs))
        wardflow = _stats(_time_wardflow(Settings(home=tmp / "wf", model="none"), runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = round(wardflow["median_ms"] / bare["median_ms"], 2)
    ok = ratio <= TARGET_RATIO
    print(f"wardflow bench_review  python {platform.python_version()}  pinned to CPU {cpu}")
    print("decision -> resumed and checkpointed at the next step (SQLite WAL, NORMAL, sync)")
    print(f"   bare LangGraph 3-node interrupt/resume: median {bare['median_ms']:.2f} ms,"
          f" p90 {bare['p90_ms']:.2f} ms")
    print(f"   wardflow review (authz, hash check, audit, checkpoint): median"
          f" {wardflow['median_ms']:.2f} ms, p90 {wardflow['p90_ms']:.2f} ms")
    print(f"   ratio {ratio:.2f}  target <= {TARGET_RATIO:.1f}: {'PASS' if ok else 'MISS'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"bare": bare, "wardflow": wardflow, "ratio": ratio,
                                    "target": TARGET_RATIO, "pass": ok,
                                    "python": platform.python_version()}, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
