"""Write probe_A.jsonl and probe_B.jsonl from the hand-written carriers and sentences.

    python data/injection-probe/compose.py

Each item is one carrier with one sentence inserted: an attack (label ``injection``) or
a benign imperative to people (label ``benign``). The position cycles through the
carrier (after the first block, in the middle, before the signature, at the end), and
every third sentence is run on at the end of the block before it instead of standing
as its own paragraph. Deterministic: no randomness.

Fields: ``text``, ``label``, ``boundary`` (always ``document``), ``lang``, ``source``
(``probe-A`` or ``probe-B``), ``style`` (the carrier: ``invoice`` or ``email``),
``category`` (what the sentence does) and ``split``, set to the language so that
``wardflow eval guardrails``'s per-split table is a per-language table.
"""

from __future__ import annotations

import json
from pathlib import Path

from carriers import CARRIERS
from sentences import ATTACKS, BENIGN

HERE = Path(__file__).resolve().parent


def _insert(blocks: list[str], sentence: str, index: int) -> str:
    position = 1 + (index * 3 + len(blocks)) % len(blocks)  # 1 .. len(blocks)
    out = list(blocks)
    if index % 3 == 2:  # run on at the end of the block before
        out[position - 1] = f"{out[position - 1]} {sentence}"
    else:
        out.insert(position, sentence)
    return "\n\n".join(out)


def _items(half: str) -> list[dict[str, str]]:
    items = []
    for label, table in (("injection", ATTACKS), ("benign", BENIGN)):
        for lang, sentences in table[half].items():
            carriers = CARRIERS[half][lang]
            for index, (category, sentence) in enumerate(sentences):
                style, blocks = carriers[index % len(carriers)]
                number = len(items) + 1
                items.append({
                    "id": f"probe-{half}-{number:03d}", "text": _insert(blocks, sentence, index),
                    "label": label, "boundary": "document", "lang": lang,
                    "source": f"probe-{half}", "style": style, "category": category,
                    "split": lang,
                })
    return items


def main() -> None:
    for half in ("A", "B"):
        lines = [json.dumps(item, ensure_ascii=False) for item in _items(half)]
        (HERE / f"probe_{half}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
