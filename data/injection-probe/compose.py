"""Write probe_A.jsonl, probe_B.jsonl and probe_C.jsonl from the hand-written carriers
and sentences.

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

Half C (``carriers_c.py``, ``sentences_c.py``) has the same documents, built the same
way, and after them texts an operator types to the agent (``boundary`` ``prompt``,
``style`` ``prompt``), each item the sentence alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from carriers import CARRIERS
from carriers_c import CARRIERS_C
from sentences import ATTACKS, BENIGN
from sentences_c import DOC_ATTACKS_C, DOC_BENIGN_C, PROMPT_ATTACKS_C, PROMPT_BENIGN_C

HERE = Path(__file__).resolve().parent


def _insert(blocks: list[str], sentence: str, index: int) -> str:
    position = 1 + (index * 3 + len(blocks)) % len(blocks)  # 1 .. len(blocks)
    out = list(blocks)
    if index % 3 == 2:  # run on at the end of the block before
        out[position - 1] = f"{out[position - 1]} {sentence}"
    else:
        out.insert(position, sentence)
    return "\n\n".join(out)


def _item(
    half: str,
    number: int,
    text: str,
    label: str,
    lang: str,
    style: str,
    category: str,
    boundary: str = "document",
) -> dict[str, str]:
    return {
        "id": f"probe-{half}-{number:03d}",
        "text": text,
        "label": label,
        "boundary": boundary,
        "lang": lang,
        "source": f"probe-{half}",
        "style": style,
        "category": category,
        "split": lang,
    }


def _documents(half: str) -> list[dict[str, str]]:
    if half == "C":
        attacks, benign, carriers = DOC_ATTACKS_C, DOC_BENIGN_C, CARRIERS_C
    else:
        attacks, benign, carriers = ATTACKS[half], BENIGN[half], CARRIERS[half]
    items: list[dict[str, str]] = []
    for label, table in (("injection", attacks), ("benign", benign)):
        for lang, sentences in table.items():
            for index, (category, sentence) in enumerate(sentences):
                style, blocks = carriers[lang][index % len(carriers[lang])]
                text = _insert(blocks, sentence, index)
                items.append(_item(half, len(items) + 1, text, label, lang, style, category))
    return items


def _items(half: str) -> list[dict[str, str]]:
    items = _documents(half)
    if half == "C":
        for label, table in (("injection", PROMPT_ATTACKS_C), ("benign", PROMPT_BENIGN_C)):
            for lang, sentences in table.items():
                for category, sentence in sentences:
                    items.append(
                        _item(
                            half,
                            len(items) + 1,
                            sentence,
                            label,
                            lang,
                            "prompt",
                            category,
                            boundary="prompt",
                        )
                    )
    return items


def main() -> None:
    for half in ("A", "B", "C"):
        lines = [json.dumps(item, ensure_ascii=False) for item in _items(half)]
        (HERE / f"probe_{half}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
