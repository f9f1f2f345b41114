"""Benchmark: what a node span costs on the caller's thread, batched against synchronous.

Every node of every run opens a span (:func:`wardflow.observability.tracing.node_span`)
and records its result. With the default ``batch`` file processor the caller's thread
only builds the span; serialization, redaction and the write happen on a background
thread. The baseline, in the same run, is the same span with the ``simple`` processor,
which exports each span on the caller's thread as it ends. Reported per span: the time
on the caller's thread for both, the background export time of the batched spans
(``force_flush``), and the ratio batched/simple on the caller's thread (target <= 0.5:
the batch path must keep most of the work off the run).

Runs on one pinned CPU core. Prints a summary and writes JSON to
``benchmarks/results/bench_tracing.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(_REPO))

from wardflow.observability.tracing import Telemetry, node_span, setup_tracing  # noqa: E402

DEFAULT_OUT = _REPO / "benchmarks/results/bench_tracing.json"
TARGET_RATIO = 0.5
_SUMMARY = {"status": "extracted", "extraction": {"confidence": 0.95, "failed_checks": []}}


def _per_span_us(telemetry: Telemetry, spans: int) -> float:
    started = time.perf_counter()
    for step in range(spans):
        with node_span(telemetry, "extract", thread_id="doc-1", step=step,
                       checkpoint_id="1f0c0e0e-0000-6000-8000-000000000000") as span:
            span.node_result(_SUMMARY)
    return (time.perf_counter() - started) / spans * 1e6


def _measure(kind: Literal["batch", "simple"], home: Path, spans: int,
             rounds: int) -> dict[str, float]:
    telemetry = setup_tracing(jsonl_path=home / f"{kind}.jsonl", file_processor=kind)
    try:
        _per_span_us(telemetry, spans // 10)  # warm-up
        telemetry.force_flush()
        on_path = []
        exported = []
        for _ in range(rounds):
            on_path.append(_per_span_us(telemetry, spans))
            started = time.perf_counter()
            telemetry.force_flush()
            exported.append((time.perf_counter() - started) / spans * 1e6)
    finally:
        telemetry.shutdown()
    return {"on_path_us": round(statistics.median(on_path), 2),
            "flush_us": round(statistics.median(exported), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="few spans, for a smoke test")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    spans, rounds = (200, 3) if args.quick else (2000, 7)
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    with tempfile.TemporaryDirectory(prefix="wf-bench-tracing-") as tmp:
        simple = _measure("simple", Path(tmp), spans, rounds)
        batch = _measure("batch", Path(tmp), spans, rounds)
    ratio = round(batch["on_path_us"] / simple["on_path_us"], 3)
    ok = ratio <= TARGET_RATIO
    print(f"wardflow bench_tracing  python {platform.python_version()}  pinned to CPU {cpu}")
    print(f"   simple (export on the caller's thread): {simple['on_path_us']:.1f} us per span")
    print(f"   batch (default): {batch['on_path_us']:.1f} us per span on the caller's thread,"
          f" {batch['flush_us']:.1f} us exported in the background")
    print(f"   ratio {ratio:.3f}  target <= {TARGET_RATIO}: {'PASS' if ok else 'MISS'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"simple": simple, "batch": batch, "ratio": ratio,
                                    "target": TARGET_RATIO, "pass": ok, "spans": spans,
                                    "python": platform.python_version()}, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
