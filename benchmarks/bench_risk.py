"""Benchmark: near-duplicate detection by the risk agent, and its cost with a full memory.

Measured in one run:

1. **Detection quality** on a generated set of invoices (default 500, of which 50 are
   planted near duplicates of earlier ones: the number re-written or suffixed, the date
   moved by a few days, the total or the line wording slightly changed, the vendor name
   spelled differently). Invoices are assessed in date order as the risk node does
   it: nearest remembered invoices of the same vendor, ``assess_risk``, then the
   invoice is stored. Recall and precision of the ``near_duplicate`` signal for the
   MiniLM embedding, the lexical fallback, and, as the baseline without vector search,
   the same rule over the vendor's whole history (facts only, no text similarity).
   The set is hard on purpose: vendors bill the same services every month, often for
   the same amount, under consecutive numbers.
2. **Time per invoice** of the risk step (memory search, ``assess_risk``, store) with
   10,000 earlier invoices in memory, against ``assess_risk`` alone (the agent without
   vector search) on the same invoices. The lexical store is filled with 10,000
   generated invoices; the MiniLM store with the detection set's 500 real MiniLM
   vectors plus 9,500 perturbed copies of them (embedding 10,000 texts with MiniLM
   would take longer than the whole benchmark), which keeps the search cost real.

Runs on one pinned CPU core with one BLAS thread (as the other benchmarks; on a
shared machine OpenBLAS threads make MiniLM's small matrix products several times
slower). Prints a summary and writes JSON to ``benchmarks/results/bench_risk.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Before numpy is imported (by wardflow): one BLAS thread for the pinned core.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(_REPO))

from wardflow.agents.risk import RiskPolicy, assess_risk  # noqa: E402
from wardflow.tools.embedding import Embedder, LexicalEmbedding, MiniLmEmbedding  # noqa: E402
from wardflow.tools.erp import Vendor  # noqa: E402
from wardflow.tools.memory import (  # noqa: E402
    ChromaMemory,
    InvoiceRecord,
    SimilarInvoice,
    record_from_extraction,
)

DEFAULT_OUT = _REPO / "benchmarks/results/bench_risk.json"

_SECTORS = {
    "software": ["Cloud workflow plan, {n} seats, {m}", "Premium support add-on, {m}",
                 "Onboarding workshop (remote), hours", "API usage overage, {m}"],
    "logistics": ["Warehousing, pallet spaces, {m}", "Outbound handling per order line",
                  "Road freight Rotterdam - Hamburg, full truck load", "Fuel surcharge, {m}"],
    "office": ["Copy paper A4, 80 g, 500 sheets", "Lever arch files A4, 80 mm, blue",
               "Toner black, compatible 59A", "Ballpoint pens, blue, pack of 50"],
    "cleaning": ["Office cleaning, {m}", "Window cleaning, both sides",
                 "Carpet cleaning, meeting rooms", "Consumables (soap, paper towels)"],
    "consulting": ["Finance process review, workshop days", "Controls assessment report",
                   "Travel expenses, rail", "Project management, hours, {m}"],
    "hosting": ["Dedicated server, {m}", "Managed backup, 2 TB, {m}",
                "Additional IPv4 addresses", "DDoS protection, {m}"],
}
_NAMES = ["Nordlicht", "Kessler", "Brandt", "Hansen", "Van der Berg", "Lumiere", "Harrow",
          "Alpenglanz", "Elbufer", "Cobalt Ridge", "Datenhafen", "Sternberg", "Greifenstein",
          "Osterholz", "Falkenrath", "Mirabel", "Westmark", "Kranich", "Solvik", "Tamsin"]
_FORMS = [("GmbH", "DE", "19"), ("AG", "AT", "20"), ("B.V.", "NL", "21"), ("SAS", "FR", "20"),
          ("Ltd", "GB", "20")]


@dataclass
class Invoice:
    extraction: dict[str, Any]
    document: dict[str, str]
    vendor: Vendor
    planted_from: str | None = None  # the document id this one duplicates


def _vendors(rng: random.Random, count: int) -> list[tuple[Vendor, str, list[str]]]:
    out = []
    for i in range(count):
        form, country, _ = _FORMS[i % len(_FORMS)]
        name = f"{_NAMES[i % len(_NAMES)]} {list(_SECTORS)[i % len(_SECTORS)].title()} {form}"
        if i >= len(_NAMES):
            name = f"{_NAMES[i % len(_NAMES)]} & {_NAMES[(i * 7) % len(_NAMES)]} {form}"
        vendor = Vendor(f"V{i:03d}", name, f"{country}{rng.randrange(10**8, 10**9)}",
                        country=country)
        sector = list(_SECTORS)[i % len(_SECTORS)]
        prefix = "".join(w[0] for w in name.split()[:2]).upper() + rng.choice(["-", "/", ""])
        out.append((vendor, prefix, _SECTORS[sector]))
    return out


def _invoice(rng: random.Random, vendor: Vendor, number: str, day: date, lines: list[str],
             fixed: Decimal | None, doc_id: str) -> Invoice:
    month = day.strftime("%b %Y")
    items = []
    for text in rng.sample(lines, k=rng.randint(2, len(lines))):
        qty = Decimal(rng.choice([1, 1, 2, 4, 5, 10, 25, 40]))
        items.append({"description": text.format(n=int(qty), m=month), "quantity": str(qty),
                      "amount": str(qty * Decimal(rng.randrange(500, 90000)) / 100)})
    subtotal = fixed if fixed is not None else sum(
        (Decimal(i["amount"]) for i in items), Decimal(0)).quantize(Decimal("0.01"))
    total = (subtotal * Decimal("1.19")).quantize(Decimal("0.01"))
    fields = {"vendor": vendor.name, "vendor_id": vendor.id, "vendor_tax_id": vendor.tax_id,
              "invoice_number": number, "invoice_date": day.isoformat(),
              "due_date": (day + timedelta(days=30)).isoformat(), "currency": "EUR",
              "total": str(total), "subtotal": str(subtotal), "tax_rate": None,
              "iban": None, "po_number": None}
    extraction = {"fields": {k: {"value": v} for k, v in fields.items()}, "line_items": items,
                  "checks": []}
    return Invoice(extraction, {"id": doc_id, "sha256": doc_id.ljust(64, "0")}, vendor)


def _perturb(rng: random.Random, original: Invoice, doc_id: str) -> Invoice:
    """A near duplicate of ``original``: what a re-sent or re-keyed invoice looks like."""
    ex = json.loads(json.dumps(original.extraction))
    f = ex["fields"]
    number = f["invoice_number"]["value"]
    kind = rng.choice(["suffix", "reformat", "redate", "retotal"])
    if kind == "suffix":
        f["invoice_number"]["value"] = number + rng.choice(["-R", "/1", " COPY", "-2"])
    elif kind == "reformat":
        f["invoice_number"]["value"] = number.replace("-", "").replace("/", "").lower()
    elif kind == "redate":
        moved = date.fromisoformat(f["invoice_date"]["value"]) + timedelta(rng.randint(1, 6))
        f["invoice_date"]["value"] = moved.isoformat()
        f["invoice_number"]["value"] = number[:-2] + number[-1] + number[-2]  # typo
    else:
        total = Decimal(f["total"]["value"])
        f["total"]["value"] = str((total * Decimal(rng.choice(["1.005", "0.99", "1.01"])))
                                  .quantize(Decimal("0.01")))
    if rng.random() < 0.5:
        f["vendor"]["value"] = f["vendor"]["value"].upper().replace(".", "")
    if rng.random() < 0.5:
        rng.shuffle(ex["line_items"])
    for item in ex["line_items"]:
        if rng.random() < 0.3:
            item["description"] = item["description"].replace(",", "").lower()
    dup = Invoice(ex, {"id": doc_id, "sha256": doc_id.ljust(64, "0")}, original.vendor,
                  planted_from=original.document["id"])
    return dup


def generate(n: int, planted: int, seed: int = 7) -> list[Invoice]:
    """``n`` invoices in date order, ``planted`` of them near duplicates."""
    rng = random.Random(seed)
    vendors = _vendors(rng, max(8, (n - planted) // 12))
    originals: list[Invoice] = []
    start = date(2026, 1, 5)
    per_vendor = (n - planted) // len(vendors) + 1
    for vi, (vendor, prefix, lines) in enumerate(vendors):
        # Every third vendor bills a fixed monthly fee: same total every month.
        fixed = Decimal(rng.randrange(20000, 400000)) / 100 if vi % 3 == 0 else None
        seq = rng.randrange(10, 5000)
        day = start + timedelta(days=rng.randrange(0, 20))
        for _ in range(per_vendor):
            if len(originals) >= n - planted:
                break
            number = f"{prefix}2026-{seq:04d}"
            originals.append(_invoice(rng, vendor, number, day, lines, fixed,
                                      f"doc-{len(originals):05d}"))
            seq += 1
            day += timedelta(days=rng.choice([7, 14, 30, 30, 31]))
    everything = list(originals)
    for k in range(planted):
        source = rng.choice(originals)
        everything.append(_perturb(rng, source, f"dup-{k:05d}"))
    everything.sort(key=lambda inv: (inv.extraction["fields"]["invoice_date"]["value"],
                                     inv.planted_from is not None))
    return everything


def _assess(inv: Invoice, similar: list[SimilarInvoice], policy: RiskPolicy) -> bool:
    report = assess_risk(inv.extraction, document_sha256=inv.document["sha256"],
                         vendor=inv.vendor, same_document=[], same_number=[],
                         vendor_history=[], purchase_order=None, similar=similar, policy=policy)
    return any(r["code"] == "near_duplicate" for r in report["reasons"])


def _score(flags: list[tuple[Invoice, bool]]) -> dict[str, Any]:
    tp = sum(1 for inv, hit in flags if hit and inv.planted_from)
    fp = sum(1 for inv, hit in flags if hit and not inv.planted_from)
    fn = sum(1 for inv, hit in flags if not hit and inv.planted_from)
    return {"true_positives": tp, "false_positives": fp, "false_negatives": fn,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None}


def detect_with_memory(invoices: list[Invoice], embedder: Embedder, folder: Path,
                       policy: RiskPolicy) -> tuple[dict[str, Any], ChromaMemory]:
    memory = ChromaMemory(embedder, path=folder)
    flags = []
    t0 = time.perf_counter()
    for inv in invoices:
        record = record_from_extraction(inv.document, inv.extraction)
        similar = memory.similar(record.text, k=5, exclude_id=record.id,
                                 where={"vendor_id": inv.vendor.id})
        flags.append((inv, _assess(inv, similar, policy)))
        memory.upsert(record)
    result = _score(flags)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    return result, memory


def detect_facts_only(invoices: list[Invoice], policy: RiskPolicy) -> dict[str, Any]:
    """The baseline without vector search: every earlier invoice of the vendor is a
    candidate (similarity taken as 1), so only the facts decide."""
    history: dict[str, list[InvoiceRecord]] = {}
    flags = []
    for inv in invoices:
        record = record_from_extraction(inv.document, inv.extraction)
        prior = [SimilarInvoice(r, 1.0) for r in history.get(inv.vendor.id, [])]
        flags.append((inv, _assess(inv, prior, policy)))
        history.setdefault(inv.vendor.id, []).append(record)
    return _score(flags)


def _timing(memory: ChromaMemory, queries: list[Invoice], policy: RiskPolicy
            ) -> dict[str, Any]:
    with_memory, alone, search = [], [], []
    for inv in queries:
        t0 = time.perf_counter()
        record = record_from_extraction(inv.document, inv.extraction)
        similar = memory.similar(record.text, k=5, exclude_id=record.id,
                                 where={"vendor_id": inv.vendor.id})
        t1 = time.perf_counter()
        _assess(inv, similar, policy)
        memory.upsert(record)
        with_memory.append(time.perf_counter() - t0)
        search.append(t1 - t0)
        t2 = time.perf_counter()
        _assess(inv, [], policy)
        alone.append(time.perf_counter() - t2)
    med = statistics.median
    return {"invoices": len(queries), "memory_size": memory.count() - len(queries),
            "risk_step_ms_median": round(med(with_memory) * 1000, 2),
            "risk_step_ms_p95": round(sorted(with_memory)[int(0.95 * len(with_memory))] * 1000, 2),
            "search_ms_median": round(med(search) * 1000, 2),
            "assess_only_ms_median": round(med(alone) * 1000, 3),
            "ratio_vs_assess_only": round(med(with_memory) / med(alone), 1)}


def _fill(memory: ChromaMemory, records: list[InvoiceRecord],
          vectors: list[list[float]] | None = None) -> None:
    collection = memory._open()  # bulk load: Chroma's own batch API
    for i in range(0, len(records), 1000):
        chunk = records[i:i + 1000]
        kwargs: dict[str, Any] = {"ids": [r.id for r in chunk],
                                  "documents": [r.text for r in chunk],
                                  "metadatas": [r.metadata() for r in chunk]}
        if vectors is not None:
            kwargs["embeddings"] = vectors[i:i + 1000]
        collection.upsert(**kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 invoices, 1,000 in memory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-minilm", action="store_true", help="lexical embedding only")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU core")
    args = parser.parse_args()
    cpu = None
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    n, planted, prior, queries = (60, 6, 1000, 20) if args.quick else (500, 50, 10_000, 100)
    policy = RiskPolicy()
    invoices = generate(n, planted)
    tmp = Path(tempfile.mkdtemp(prefix="bench-risk-"))
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "pinned_cpu": cpu,
                    "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                    "load_avg_at_start": os.getloadavg()},
        "set": {"invoices": n, "planted_near_duplicates": planted},
        "policy": {"similarity": policy.near_duplicate_similarity,
                   "amount_tolerance": policy.near_duplicate_amount_tolerance,
                   "days": policy.near_duplicate_days},
        "detection": {}, "timing": {},
    }
    try:
        embedders: list[Embedder] = [LexicalEmbedding()]
        if not args.no_minilm:
            embedders.insert(0, MiniLmEmbedding())
        stores: dict[str, ChromaMemory] = {}
        report["detection"]["facts_only_baseline"] = detect_facts_only(invoices, policy)
        for emb in embedders:
            result, stores[emb.name] = detect_with_memory(invoices, emb, tmp / emb.name, policy)
            report["detection"][emb.name] = result
            print(f"detection {emb.name:<18} {result}", flush=True)
        print(f"detection facts only         {report['detection']['facts_only_baseline']}")

        # Timing with `prior` invoices in memory.
        rng = random.Random(11)
        history = generate(prior, 0, seed=3)
        fresh = [inv for inv in generate(queries * 2, 0, seed=5)][:queries]
        for k, inv in enumerate(fresh):
            inv.document = {"id": f"query-{k:05d}", "sha256": f"q{k:05d}".ljust(64, "0")}
            inv.vendor = history[k % len(history)].vendor
            inv.extraction["fields"]["vendor_id"]["value"] = inv.vendor.id
        records = [record_from_extraction({"id": f"hist-{i:06d}", "sha256": "0" * 64},
                                          inv.extraction) for i, inv in enumerate(history)]
        lexical = ChromaMemory(LexicalEmbedding(), path=tmp / "timing-lexical")
        t0 = time.perf_counter()
        _fill(lexical, records)
        fill_s = time.perf_counter() - t0
        report["timing"]["lexical"] = {**_timing(lexical, fresh, policy),
                                       "fill_seconds": round(fill_s, 1)}
        print(f"timing lexical {report['timing']['lexical']}", flush=True)
        if not args.no_minilm:
            base = stores["all-minilm-l6-v2"]._open().get(include=["embeddings"])
            vectors = [list(map(float, v)) for v in base["embeddings"]]
            filled: list[list[float]] = []
            while len(filled) < prior:
                v = [x + rng.gauss(0, 0.02) for x in vectors[len(filled) % len(vectors)]]
                norm = sum(x * x for x in v) ** 0.5
                filled.append([x / norm for x in v])
            minilm = ChromaMemory(MiniLmEmbedding(), path=tmp / "timing-minilm")
            _fill(minilm, records[:prior], filled)
            report["timing"]["all-minilm-l6-v2"] = _timing(minilm, fresh, policy)
            print(f"timing minilm  {report['timing']['all-minilm-l6-v2']}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report["machine"]["load_avg_at_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
