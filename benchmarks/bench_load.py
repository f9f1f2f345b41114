"""Benchmark: throughput of the full invoice graph on many documents, one process and Ray.

What is measured, in one run, on generated invoices (``--count``, default 2,000):

* **Invoices.** Variants of the example inbox's clean PDF invoices
  (``examples/make_invoices.py``: same vendors and layouts, a new invoice number, date
  and quantities for each), rendered once into ``benchmarks/results/load-invoices/``
  and reused. Deterministic extraction: ``model="none"`` (parsers only), no invoice
  memory, traces off; everything else is the product path (guards, risk, compliance,
  audit log, ERP posting, archive).
* **Variants**, each on a fresh data home with the example vendor master:

  - ``langgraph_chain``: bare LangGraph, a chain of no-op nodes with the invoice
    graph's node names, on the same SQLite checkpointer (``durability="sync"``): the
    floor that the engine and checkpointing cost per invoice;
  - ``langgraph_invoke``: the invoice graph (``build_invoice_graph``) invoked directly
    with ``graph.invoke``, one thread per invoice, one process;
  - ``sqlite_1proc``: ``Workspace.process_item`` per invoice (what ``wardflow process``
    does), one process, SQLite;
  - ``ray_sqlite``: ``wardflow process --workers N`` (:class:`RayExecutor`): N Ray
    actors on one machine sharing the SQLite files (WAL);
  - ``ray_postgres``: the same with the Postgres checkpointer and stores
    (``--postgres URL``, or ``auto``: a throwaway server from Debian's binaries when
    they are installed, as the tests start it; the variant is skipped otherwise);
  - ``ray_second_home``: the deployment of ``docs/deploy.md`` in small: the vendor
    master is imported through one data home, and the Ray workers run on a *second*,
    empty data home that shares only the Postgres database and the document store
    (S3: ``--s3 URL``, or ``auto``: moto's S3 server on 127.0.0.1; local files of the
    first home with ``--s3 off``). Nothing of the first home's folder is read by the
    workers: what they need comes from the shared services.

* **Numbers per variant**: invoices/s over the batch (wall clock, Ray start-up
  excluded), p50/p95 per-invoice latency (first to last checkpoint of each run, read
  back from the checkpointer, so the same measure for every variant), checkpoints
  written per second, the routes taken, and ERP postings (the posted runs plus the
  untimed warm-up document: each variant runs one document before the clock starts).
  Ratios against ``sqlite_1proc`` and ``langgraph_invoke`` of the same run.

JSON (with machine info) goes to ``benchmarks/results/bench_load.json`` unless ``--out``
says otherwise. ``--count 20`` is the smoke test. Exit status is non-zero only on error.

Usage::

    python benchmarks/bench_load.py [--count N] [--workers N] [--postgres URL|auto|off]
        [--s3 URL|auto|off]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

_REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_REPO))
sys.path.insert(0, str(_REPO / "examples"))

from wardflow.config import Settings  # noqa: E402

RESULTS = _REPO / "benchmarks" / "results"
NODES = ("ingest", "guard", "extract", "risk", "compliance", "route", "post_to_erp", "archive")


# Invoices ------------------------------------------------------------------------------
def generate(count: int, folder: Path) -> list[Path]:
    """``count`` PDF invoices in ``folder`` (kept between runs; only missing ones made)."""
    import make_invoices as mk

    base = [inv for inv in mk.invoices()
            if inv.file_name.endswith(".pdf") and inv.expected_route == "post"]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        inv = base[n % len(base)]
        path = folder / f"{n:05d}_{inv.file_name}"
        paths.append(path)
        if path.exists():
            continue
        day = inv.issue_date - timedelta(days=n % 90)
        lines = [replace(line, quantity=line.quantity + (n % 3)) for line in inv.lines]
        number = inv.number[:max(2, len(inv.number) - 6)] + f"L{n:05d}"  # fits the layout
        variant = replace(inv, number=number, issue_date=day, due_date=day + timedelta(days=14),
                          lines=lines, po_number=None)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(mk.render_pdf(variant))
        tmp.replace(path)
    return paths


# Homes ---------------------------------------------------------------------------------
def settings_for(home: Path, **extra: Any) -> Settings:
    return Settings(home=home, model="none", memory="none", tracing=False,
                    max_invoice_age_days=36500, guard_alert=False, **extra)


def prepare(settings: Settings) -> None:
    from wardflow.services import open_erp
    from wardflow.tools.erp import load_master

    settings.home.mkdir(parents=True, exist_ok=True)
    erp = open_erp(settings)
    try:
        erp.import_master(load_master(_REPO / "examples" / "erp.json"))
    finally:
        erp.close()


def read_back(settings: Settings, threads: list[str]) -> tuple[list[float], int]:
    """Per-thread seconds from first to last checkpoint, and the checkpoints written."""
    from wardflow.runtime.checkpoint import open_checkpointer

    saver = open_checkpointer(settings)
    latencies, written = [], 0
    try:
        for thread in threads:
            stamps = [datetime.fromisoformat(c.checkpoint["ts"])
                      for c in saver.list({"configurable": {"thread_id": thread}})]
            written += len(stamps)
            if len(stamps) > 1:
                latencies.append((max(stamps) - min(stamps)).total_seconds())
    finally:
        conn = getattr(saver, "conn", None)
        if conn is not None:
            conn.close()
    return latencies, written


def summarize(name: str, settings: Settings, elapsed: float, threads: list[str],
              routes: Counter[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    latencies, written = read_back(settings, threads)
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [0.0] * 19
    postings = None
    if name != "langgraph_chain":
        from wardflow.services import open_erp

        erp = open_erp(settings)
        postings = len(erp.postings())
        erp.close()
    row = {
        "variant": name, "invoices": len(threads), "seconds": round(elapsed, 2),
        "invoices_per_s": round(len(threads) / elapsed, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(q[18] * 1000, 1),
        "checkpoints": written, "checkpoint_writes_per_s": round(written / elapsed, 1),
        "routes": dict(routes), "erp_postings": postings, **(extra or {}),
    }
    print(f"{name:17s} {row['invoices_per_s']:8.2f} inv/s  p50 {row['p50_ms']} ms  p95"
          f" {row['p95_ms']} ms  {row['checkpoint_writes_per_s']:8.1f} ckpt/s  {dict(routes)}",
          flush=True)
    return row


# Variants ------------------------------------------------------------------------------
def run_chain(home: Path, docs: list[Path]) -> dict[str, Any]:
    from langgraph.graph import END, START, StateGraph

    from wardflow.runtime.checkpoint import open_checkpointer

    class State(TypedDict, total=False):
        path: str
        status: str

    settings = settings_for(home)
    home.mkdir(parents=True, exist_ok=True)
    builder = StateGraph(State)
    previous = START
    for node in NODES:
        builder.add_node(node, lambda state, node=node: {"status": node})
        builder.add_edge(previous, node)
        previous = node
    builder.add_edge(previous, END)
    saver = open_checkpointer(settings)
    graph = builder.compile(checkpointer=saver)
    threads = [f"chain-{n}" for n in range(len(docs))]
    started = 0.0
    for n, (thread, doc) in enumerate(zip(threads, docs, strict=True)):
        started = started or (time.perf_counter() if n == 1 else 0.0)  # first one warms up
        graph.invoke({"path": str(doc)}, {"configurable": {"thread_id": thread}},
                     durability="sync")
    elapsed = time.perf_counter() - started
    threads = threads[1:]
    saver.conn.close()  # type: ignore[attr-defined]
    return summarize("langgraph_chain", settings, elapsed, threads, Counter(done=len(threads)))


def run_invoke(home: Path, docs: list[Path]) -> dict[str, Any]:
    from wardflow.graphs.invoice import build_invoice_graph
    from wardflow.runtime.workspace import Workspace

    settings = settings_for(home)
    prepare(settings)
    with Workspace(settings) as ws:  # opened only for its collaborators
        graph = build_invoice_graph(settings, checkpointer=ws.checkpointer, erp=ws.erp,
                                    storage=ws.storage, audit=ws.audit,
                                    principals=ws.principals, switch=ws.switch,
                                    telemetry=ws.telemetry)
        items = ws.items(docs)
        routes: Counter[str] = Counter()
        started = 0.0
        for n, item in enumerate(items):
            started = started or (time.perf_counter() if n == 1 else 0.0)  # warm-up
            out = graph.invoke(item.graph_input(),
                               {"configurable": {"thread_id": item.document_id}},
                               durability="sync")
            if n:
                routes["awaiting_review" if "__interrupt__" in out else out["status"]] += 1
        elapsed = time.perf_counter() - started
    return summarize("langgraph_invoke", settings, elapsed,
                     [i.document_id for i in items[1:]], routes)


def run_workspace(home: Path, docs: list[Path]) -> dict[str, Any]:
    from wardflow.runtime.workspace import Workspace

    settings = settings_for(home)
    prepare(settings)
    with Workspace(settings) as ws:
        items = ws.items(docs)
        ws.process_item(items[0])  # warm-up, not timed (as the Ray variants)
        started = time.perf_counter()
        runs = [ws.process_item(item) for item in items[1:]]
        elapsed = time.perf_counter() - started
    return summarize("sqlite_1proc", settings, elapsed, [r.thread_id for r in runs],
                     Counter(r.status for r in runs))


def run_ray(name: str, settings: Settings, docs: list[Path], workers: int, *,
            prepared: bool = False) -> dict[str, Any]:
    from wardflow.runtime.workers import RayExecutor

    if not prepared:
        prepare(settings)
    with RayExecutor(settings, workers=workers) as executor:
        # Start the cluster and the actors outside the timed region: one document.
        list(executor.process(docs[:1]))
        started = time.perf_counter()
        runs = list(executor.process(docs[1:]))
        elapsed = time.perf_counter() - started
    per_worker = len(runs) / elapsed / workers
    return summarize(name, settings, elapsed, [r.thread_id for r in runs],
                     Counter(r.status for r in runs),
                     {"workers": workers, "invoices_per_s_per_worker": round(per_worker, 2)})


@contextlib.contextmanager
def postgres(choice: str) -> Iterator[tuple[str | None, str, Callable[[str], str] | None]]:
    """A database URL for the Postgres variant, where it came from (or why none), and
    how to make another empty database (only on a throwaway server)."""
    if choice == "off":
        yield None, "off (--postgres off)", None
        return
    if choice != "auto":
        yield choice, "given (--postgres URL)", None
        return
    try:
        from tests.postgres.server import PostgresServer

        server = PostgresServer().start()
    except (ImportError, RuntimeError, OSError) as err:
        yield None, f"skipped: no PostgreSQL server ({err})", None
        return
    try:
        yield (server.create_database("bench_load"),
               "throwaway server from Debian's binaries, fsync=off (tests/postgres/server.py)",
               server.create_database)
    finally:
        server.close()


@contextlib.contextmanager
def s3(choice: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Storage settings of the second-home variant, and where they came from."""
    if choice == "off":
        yield {}, "off (--s3 off): the first home's storage folder"
        return
    if choice != "auto":
        yield {"storage_url": choice}, "given (--s3 URL; endpoint and keys from WARDFLOW_*)"
        return
    try:
        from tests.s3.server import S3Server

        server = S3Server().__enter__()
    except (ImportError, RuntimeError, OSError) as err:
        yield {}, f"local storage: no S3 server ({err})"
        return
    try:
        bucket = server.bucket()
        env = server.env(bucket, "bench")
        yield ({k.removeprefix("WARDFLOW_").lower(): v for k, v in env.items()},
               "moto's S3 server on 127.0.0.1 (tests/s3/server.py)")
    finally:
        server.__exit__(None, None, None)


def run_second_home(root: Path, url: str, storage: dict[str, Any], docs: list[Path],
                    workers: int) -> dict[str, Any]:
    """The vendor master imported through one home; the workers on a second one that
    shares only the database and the document store."""
    shared = {"checkpointer": url, "database_url": url, **storage}
    prepare(settings_for(root / "first", **shared))
    second = settings_for(root / "second", **shared)
    row = run_ray("ray_second_home", second, docs, workers, prepared=True)
    # What the workers kept in their own data home (nothing, if all is shared).
    second_home = root / "second"
    row["second_home_files"] = sorted(str(p.relative_to(second_home))
                                      for p in second_home.rglob("*") if p.is_file())
    return row


def machine() -> dict[str, Any]:
    from importlib import metadata

    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "load_avg": os.getloadavg(),
        "versions": {p: metadata.version(p) for p in ("langgraph", "ray", "psycopg")
                     if _installed(p)},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _installed(package: str) -> bool:
    from importlib import metadata

    try:
        metadata.version(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="invoices (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="Ray workers (default 2)")
    parser.add_argument("--postgres", default="auto", help="URL, auto (throwaway server) or off")
    parser.add_argument("--s3", default="auto",
                        help="storage of ray_second_home: s3:// URL, auto (moto) or off")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_load.json")
    parser.add_argument("--data", type=Path, default=RESULTS / "load-invoices",
                        help="where the generated invoices are kept")
    args = parser.parse_args(argv)

    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    started = time.perf_counter()
    docs = generate(args.count, args.data)
    print(f"{len(docs)} invoices in {args.data} ({time.perf_counter() - started:.1f} s)",
          flush=True)
    report: dict[str, Any] = {"count": len(docs), "workers": args.workers,
                              "machine": machine(), "variants": {}}
    variants = report["variants"]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        root = Path(tmp)
        variants["langgraph_chain"] = run_chain(root / "chain", docs)
        variants["langgraph_invoke"] = run_invoke(root / "invoke", docs)
        variants["sqlite_1proc"] = run_workspace(root / "one", docs)
        variants["ray_sqlite"] = run_ray("ray_sqlite", settings_for(root / "ray"), docs,
                                         args.workers)
        with postgres(args.postgres) as (url, where, new_database):
            report["postgres"] = where
            if url is not None:
                settings = settings_for(root / "ray-pg", checkpointer=url, database_url=url)
                variants["ray_postgres"] = run_ray("ray_postgres", settings, docs,
                                                   args.workers)
                with s3(args.s3) as (storage, s3_where):
                    report["s3"] = s3_where
                    if new_database is None or not storage:
                        print("ray_second_home   skipped: needs --postgres auto and S3")
                    else:
                        variants["ray_second_home"] = run_second_home(
                            root / "two-homes", new_database("bench_two_homes"), storage,
                            docs, args.workers)
            else:
                print(f"ray_postgres      {where}")
        try:
            import ray

            ray.shutdown()
        except ImportError:
            pass
        shutil.rmtree(root, ignore_errors=True)
    one = variants["sqlite_1proc"]["invoices_per_s"]
    direct = variants["langgraph_invoke"]["invoices_per_s"]
    report["ratios"] = {
        name: {"vs_sqlite_1proc": round(row["invoices_per_s"] / one, 2),
               "vs_langgraph_invoke": round(row["invoices_per_s"] / direct, 2)}
        for name, row in variants.items()
    }
    for name, ratio in report["ratios"].items():
        print(f"ratio {name:17s} x{ratio['vs_sqlite_1proc']:.2f} vs sqlite_1proc,"
              f" x{ratio['vs_langgraph_invoke']:.2f} vs langgraph_invoke")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {args.out} ({time.perf_counter() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
