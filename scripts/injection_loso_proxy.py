"""A cheaper proxy of ``wardflow eval guardrails --loso``: the classifier alone.

One model per held-out source (trained without it and without the items built on its
texts), every held-out item scored by its highest unit; one pooled threshold per
boundary at a 3 % false-positive rate on the held-out benign items of that boundary.
No rules, no nested threshold choice: a quick way to compare corpus and feature
variants, not the reported evaluation (see ``data/injection/LOSO.md``).

Usage::

    python scripts/injection_loso_proxy.py [--without SOURCE ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wardflow.guardrails import train_classifier as tc  # noqa: E402
from wardflow.guardrails._train_corpus import build_corpus  # noqa: E402


def proxy(items: list[dict[str, Any]], max_fpr: float = 0.03) -> dict[str, Any]:
    """Per boundary: the pooled cut, recall, and recall / FPR per held-out source."""
    scored: list[tuple[dict[str, Any], float]] = []
    for name in sorted({i["source"] for i in items}):
        model = tc.train([i for i in items if i["source"] != name and i["carrier"] != name])
        scored += [(i, tc._item_logit(model, i)) for i in items if i["source"] == name]
    out: dict[str, Any] = {}
    for boundary in ("document", "prompt"):
        benign = [z for i, z in scored if i["label"] == "benign" and i["boundary"] == boundary]
        cut = tc._cut(benign, max_fpr)
        hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
        for item, z in scored:
            if item["boundary"] == boundary:
                hits[(item["source"], item["label"])].append(z >= cut)
        attacks = [h for (_, label), v in hits.items() if label == "injection" for h in v]
        out[boundary] = {
            "cut": cut, "recall": round(sum(attacks) / max(1, len(attacks)), 4),
            "recall_by_source": {s: round(sum(v) / len(v), 3)
                                 for (s, label), v in sorted(hits.items()) if label == "injection"},
            "fpr_by_source": {s: round(sum(v) / len(v), 3)
                              for (s, label), v in sorted(hits.items()) if label == "benign"}}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--without", nargs="*", default=[], help="sources left out entirely")
    args = parser.parse_args(argv)
    started = time.process_time()
    items = [i for i in build_corpus() if i["source"] not in set(args.without)]
    report = proxy(items)
    report["cpu_s"] = round(time.process_time() - started, 1)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
