"""Benchmark: the guard pipeline's latency, its share of an invoice, and its accuracy.

What is measured, in one run, on one pinned CPU core:

1. **Input pipeline latency.** :meth:`GuardPipeline.check_document` on the text of the
   2-page example invoice (``RE-2026-10873``, 3,100 characters): injection patterns,
   invisible characters, credentials and PII tokenization into a file-backed token
   vault (SQLite, WAL), with a new scope (thread) per call, as a run would. Two
   engines, interleaved: ``guard`` (the validators inside one ``guardrails.Guard``,
   the default) and ``direct`` (the same validators called in order without the
   Guard), so the Guard's own cost is visible; plus the validators' own time (sum
   of the decisions' ``ms``). p50/p95 in ms. Target: p50 < 5 ms (guard engine),
   embedded classifier included with its sentence cache cleared before every call;
   a third pipeline without the classifier (patterns only) and the classifier
   alone (cold and warm cache) show the classifier's own cost.
   Context: a one-validator no-op ``Guard.validate`` (guardrails-ai's fixed cost),
   :func:`find_hidden_text` on the PDF (hidden text objects, for the ingest node),
   and the cold start (a fresh process up to its first check, which imports
   guardrails-ai).
2. **Share of an invoice.** The reference graph's per-invoice time on the same PDF
   (``model="none"``, sync/NORMAL, fresh data home per run, measured exactly as
   ``bench_graph.py`` does by reusing its helpers), and the pipeline's share of the
   invoice once it runs inside it: ``pipeline / (invoice + pipeline)`` (the graph
   does not call the pipeline yet; its guard node runs the bare pattern detector).
3. **Accuracy** on the labelled corpus ``wardflow/evals/data/injections.jsonl``
   (:func:`wardflow.evals.guardrails.evaluate_guardrails`): recall and
   false-positive rate overall and per split (``dev``: the styles the rules cover;
   ``heldout``: styles written unlike them). Targets: recall >= 0.95 and
   FPR <= 0.03 on the whole corpus.

Each target prints PASS or MISS; the exit status is non-zero only on an error. JSON
(with machine info) goes to ``benchmarks/results/bench_guardrails.json`` unless
``--out`` says otherwise. ``--quick`` runs a few iterations only (a smoke test).

Usage::

    python benchmarks/bench_guardrails.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_REPO = Path(__file__).resolve().parents[1]
for _path in (_REPO, _REPO / "benchmarks"):
    if str(_path) not in sys.path:  # run as a script from a checkout without installing
        sys.path.insert(0, str(_path))

import bench_graph  # noqa: E402

from wardflow.config import Settings  # noqa: E402
from wardflow.evals.guardrails import evaluate_guardrails  # noqa: E402
from wardflow.guardrails import GuardPipeline, TokenVault  # noqa: E402
from wardflow.guardrails.hidden import find_hidden_text  # noqa: E402
from wardflow.guardrails.injection_model import _cached_score, default_model  # noqa: E402
from wardflow.guardrails.minilm_head import injection_model_from_settings  # noqa: E402
from wardflow.tools.documents import read_document  # noqa: E402
from wardflow.tools.erp import load_master  # noqa: E402

PDF = bench_graph.PDF
DEFAULT_OUT = _REPO / "benchmarks/results/bench_guardrails.json"
PIPELINE_P50_TARGET_MS = 5.0
RECALL_TARGET = 0.95
FPR_TARGET = 0.03


@dataclass(frozen=True)
class Plan:
    """How many iterations each part runs."""

    warmup: int
    runs: int
    invoice_warmup: int
    invoice_runs: int


FULL_PLAN = Plan(warmup=50, runs=1000, invoice_warmup=3, invoice_runs=30)
QUICK_PLAN = Plan(warmup=5, runs=50, invoice_warmup=1, invoice_runs=3)


@dataclass(frozen=True)
class Latency:
    """Timing samples summarised, in milliseconds."""

    n: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    min_ms: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Latency:
        ordered = sorted(samples_ms)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(len(ordered), round(statistics.median(ordered), 4), round(p95, 4),
                   round(statistics.fmean(ordered), 4), round(ordered[0], 4))


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - started) / 1e6


def bench_pipeline(text: str, plan: Plan, home: Path) -> dict[str, Latency]:
    """check_document through the Guard, directly, and without the embedded classifier
    (patterns only), interleaved; validator time. The classifier's sentence cache is
    cleared before every call, so each check pays for scoring every sentence, as a
    new document would."""
    engines = ("guard", "direct", "patterns_only")
    vaults = {e: TokenVault(home / f"vault-{e}.sqlite") for e in engines}
    # The embedded classifier as a default install runs it: with its MiniLM head on the
    # uncertain band when the MiniLM package is installed.
    model = injection_model_from_settings(Settings())
    pipelines = {"guard": GuardPipeline(vault=vaults["guard"], engine="guard",
                                        injection_model=model),
                 "direct": GuardPipeline(vault=vaults["direct"], engine="direct",
                                         injection_model=model),
                 "patterns_only": GuardPipeline(vault=vaults["patterns_only"], engine="guard",
                                                injection_model=None)}
    samples: dict[str, list[float]] = ({e: [] for e in engines} | {"validators": []}
                                       | {f"{e}_cpu": [] for e in engines})
    try:
        for engine, pipeline in pipelines.items():  # imports, first Guard, vault schema
            pipeline.check_document(text, scope=f"warm-{engine}")
        gc.collect()
        gc.disable()
        for i in range(plan.warmup + plan.runs):
            for engine in (engines if i % 2 == 0 else engines[::-1]):
                pipeline = pipelines[engine]
                scope = f"{engine}-{i}"
                _cached_score.cache_clear()
                cpu_started = time.process_time_ns()
                started = time.perf_counter_ns()
                result = pipeline.check_document(text, scope=scope)
                elapsed = (time.perf_counter_ns() - started) / 1e6
                cpu = (time.process_time_ns() - cpu_started) / 1e6
                if i >= plan.warmup:
                    samples[engine].append(elapsed)
                    # CPU time too: on a shared machine wall time counts other processes.
                    samples[f"{engine}_cpu"].append(cpu)
                    if engine == "guard":
                        samples["validators"].append(sum(d.ms for d in result.decisions))
    finally:
        gc.enable()
        for vault in vaults.values():
            vault.close()
    return {name: Latency.of(values) for name, values in samples.items()}


def bench_classifier(text: str, plan: Plan) -> dict[str, Any]:
    """The embedded classifier alone on the document: every sentence scored (cache
    cleared: a new document), and again with its sentence cache warm (the same
    vendor's boilerplate)."""
    model = default_model()
    units = len(model.scan(text))

    def cold() -> None:
        _cached_score.cache_clear()
        model.scan(text)

    for _ in range(plan.warmup):
        cold()
    cold_samples = []
    for _ in range(plan.runs):
        _cached_score.cache_clear()
        cold_samples.append(_timed(lambda: model.scan(text)))
    warm_samples = [_timed(lambda: model.scan(text)) for _ in range(plan.runs)]
    return {"sentences": units, "features": len(model.weights), "model": model.version,
            "cold": Latency.of(cold_samples), "warm": Latency.of(warm_samples)}


def bench_bare_guard(plan: Plan) -> Latency:
    """guardrails-ai's fixed cost: one no-op validator in a Guard, same configuration."""
    from wardflow.guardrails._runtime import new_guard, offline_guardrails

    guardrails = offline_guardrails()
    from guardrails.validator_base import PassResult  # type: ignore[import-untyped]

    @guardrails.register_validator(name="wardflow-bench/noop", data_type="string")
    class Noop(guardrails.Validator):  # type: ignore[misc,name-defined]
        def _validate(self, value: Any, metadata: dict[str, Any]) -> Any:
            return PassResult()

    guard = new_guard([lambda: Noop(on_fail=guardrails.OnFailAction.NOOP)], name="bench-noop")
    for _ in range(plan.warmup):
        guard.validate("x")
    return Latency.of([_timed(lambda: guard.validate("Total due EUR 10.00")) for _ in range(plan.runs)])


def bench_cold_start() -> float:
    """Seconds from a fresh interpreter to the end of its first check_document."""
    code = ("import time; t = time.perf_counter(); from wardflow.guardrails import GuardPipeline;"
            " GuardPipeline().check_document('Total due EUR 10.00', scope='s');"
            " print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=_REPO)
    return round(float(done.stdout.strip()), 3)


def bench_invoice(plan: Plan) -> Latency:
    """The reference graph per invoice (sync/NORMAL, parsers only), as bench_graph does."""
    master = load_master(bench_graph.ERP_MASTER)
    samples = []
    for i in range(plan.invoice_warmup + plan.invoice_runs):
        home = bench_graph.InvoiceHome.fresh(master, durability="sync", sqlite_synchronous="NORMAL")
        try:
            with bench_graph.gc_paused():
                elapsed = bench_graph._time_invoice(home) / 1e6
        finally:
            home.close()
        if i >= plan.invoice_warmup:
            samples.append(elapsed)
    return Latency.of(samples)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few iterations (smoke test)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args(argv)
    plan = QUICK_PLAN if args.quick else FULL_PLAN
    cpu = bench_graph.pin_to_one_core()
    started = time.perf_counter()
    info = bench_graph.machine_info(cpu)
    data = PDF.read_bytes()
    text = read_document(data, PDF.name).text
    home = Path(tempfile.mkdtemp(prefix="wf-bench-guard-"))
    try:
        cold_s = bench_cold_start()
        pipeline = bench_pipeline(text, plan, home)
        classifier = bench_classifier(text, plan)
        bare = bench_bare_guard(plan)
        hidden = Latency.of([_timed(lambda: find_hidden_text(data)) for _ in range(max(20, plan.runs // 10))])
        invoice = bench_invoice(plan)
        report = evaluate_guardrails()
    finally:
        shutil.rmtree(home, ignore_errors=True)

    guard, direct, own = pipeline["guard"], pipeline["direct"], pipeline["validators"]
    patterns_only = pipeline["patterns_only"]
    share = guard.p50_ms / (invoice.p50_ms + guard.p50_ms)
    overall = report["overall"]
    p50_ok = guard.p50_ms < PIPELINE_P50_TARGET_MS
    recall_ok = overall["recall"] is not None and overall["recall"] >= RECALL_TARGET
    fpr_ok = overall["false_positive_rate"] is not None and overall["false_positive_rate"] <= FPR_TARGET
    print(f"wardflow bench_guardrails  python {info['python']}  cpus {info['cpu_count']}"
          f"  pinned CPU {info['pinned_cpu']}")
    print(f"\n1. check_document on {PDF.name} ({len(text)} chars), {plan.runs} runs per engine,"
          " new scope each, file vault")
    print(f"   {'':<30}{'p50 ms':>9}{'p95 ms':>9}{'mean':>9}")
    for label, lat in (("through guardrails.Guard", guard), ("validators called directly", direct),
                       ("validators' own time (Guard)", own),
                       ("Guard, patterns only (no model)", patterns_only),
                       ("Guard, CPU time", pipeline["guard_cpu"]),
                       ("Guard, patterns only, CPU time", pipeline["patterns_only_cpu"]),
                       ("classifier alone, cold cache", classifier["cold"]),
                       ("classifier alone, warm cache", classifier["warm"]),
                       ("bare Guard, 1 no-op validator", bare),
                       ("find_hidden_text (PDF)", hidden)):
        print(f"   {label:<30}{lat.p50_ms:9.3f}{lat.p95_ms:9.3f}{lat.mean_ms:9.3f}")
    print(f"   classifier: {classifier['sentences']} sentences scored,"
          f" {classifier['features']} weights; its cost in the pipeline (p50):"
          f" {guard.p50_ms - patterns_only.p50_ms:+.3f} ms")
    print(f"   Guard overhead vs direct: {guard.p50_ms - direct.p50_ms:+.3f} ms (p50);"
          f" cold start to first check: {cold_s:.2f} s (guardrails-ai import)")
    print(f"   target: p50 (Guard) < {PIPELINE_P50_TARGET_MS:.0f} ms: {guard.p50_ms:.3f} ms"
          f" {_verdict(p50_ok)}")
    print(f"\n2. reference graph per invoice (model=none, sync/NORMAL, {plan.invoice_runs} runs):"
          f" p50 {invoice.p50_ms:.2f} ms, p95 {invoice.p95_ms:.2f} ms")
    print(f"   pipeline share once inside it: {guard.p50_ms:.2f} / ({invoice.p50_ms:.2f} +"
          f" {guard.p50_ms:.2f}) = {share:.1%}")
    print(f"\n3. corpus {Path(report['dataset']).name}: {overall['items']} items,"
          f" threshold {report['threshold']:.2f}")
    for name, row in report["by_split"].items():
        fpr = row["false_positive_rate"]
        print(f"   {name:<8} injections {row['injections']:>3}  benign {row['benign']:>3}"
              f"  recall {row['recall'] if row['recall'] is not None else '-'}"
              f"  FPR {fpr if fpr is not None else '-'}")
    print(f"   target: recall >= {RECALL_TARGET:.2f}: {overall['recall']:.3f} {_verdict(recall_ok)}")
    print(f"   target: FPR <= {FPR_TARGET:.2f}: {overall['false_positive_rate']:.3f}"
          f" {_verdict(fpr_ok)}")
    results = {
        "machine": info,
        "plan": asdict(plan),
        "document": {"name": PDF.name, "chars": len(text)},
        "targets": {
            "pipeline_p50_ms": {"max": PIPELINE_P50_TARGET_MS, "value": guard.p50_ms, "pass": p50_ok},
            "recall": {"min": RECALL_TARGET, "value": overall["recall"], "pass": recall_ok},
            "false_positive_rate": {"max": FPR_TARGET, "value": overall["false_positive_rate"],
                                    "pass": fpr_ok},
        },
        "pipeline": {k: asdict(v) for k, v in pipeline.items()},
        "classifier": {k: asdict(v) if isinstance(v, Latency) else v
                       for k, v in classifier.items()},
        "bare_guard": asdict(bare),
        "find_hidden_text": asdict(hidden),
        "cold_start_s": cold_s,
        "invoice": asdict(invoice),
        "pipeline_share_of_invoice": round(share, 4),
        "accuracy": {k: report[k] for k in ("overall", "by_split", "by_style", "validators",
                                            "missed", "false_positives")},
        "wall_s": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} ({results['wall_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
