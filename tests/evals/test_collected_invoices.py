"""A floor under extraction on the collected invoice set (data/invoices).

The parsers read every text-layer PDF of the set (the page images and the scan need OCR,
which is too slow for this test; ``wardflow eval data/invoices`` measures them) and
each core field must stay at least as right as measured when the set was labelled,
less one document per field: a rule that breaks a field on several documents fails
here. Raise the floors when the extraction gets better.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.evals._compare import same
from wardflow.evals._labels import load_labels
from wardflow.tools.documents import read_document

DATASET = Path(__file__).resolve().parents[2] / "data" / "invoices"
# Right out of the 21 text-layer PDFs when measured (vendor 21, invoice number 21,
# invoice date 21, total 21, subtotal 21, tax 21), less one document of slack each.
FLOORS = {"vendor": 20, "invoice_number": 20, "invoice_date": 20, "total": 20, "subtotal": 20,
          "tax": 20}


def test_core_fields_on_the_collected_set_stay_above_their_floor() -> None:
    rows = [json.loads(line) for line in (DATASET / "labels.jsonl").read_text().splitlines()]
    text_layer = {row["file"] for row in rows if row["format"] == "pdf_text_layer"}
    labels = [label for label in load_labels(DATASET) if label.file in text_layer]
    right = dict.fromkeys(FLOORS, 0)
    misses: list[str] = []
    read = 0
    for label in labels:
        doc = read_document(label.path.read_bytes(), label.path.name)
        assert doc.method == "pdf-text", label.file
        read += 1
        fields = extract_invoice(doc, [], ExtractionPolicy(today=date(2026, 12, 1)))["fields"]
        for name in FLOORS:
            if same(name, fields[name]["value"], label.fields.get(name)):
                right[name] += 1
            else:
                misses.append(f"{label.file} {name}: {label.fields.get(name)!r} -> "
                              f"{fields[name]['value']!r}")
    assert read == 21
    assert all(right[name] >= floor for name, floor in FLOORS.items()), (right, misses)
