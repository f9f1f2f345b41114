"""Build the labelled prompt-injection corpus ``wardflow/evals/data/injections.jsonl``.

Deterministic (a fixed seed; no network, no model): rerunning it writes the same
bytes. Each line is a JSON object with ``id``, ``text``, ``label`` (``injection`` or
``benign``), ``lang``, ``kind`` (``benign``, ``direct`` or ``indirect``), ``style``,
``split`` (``dev`` or ``heldout``) and ``boundary`` (``prompt`` for a user's prompt,
``document`` otherwise).

About half the items are benign business text (emails, notes, invoice snippets in
English, German and French, with hard cases such as "please ignore the previous
invoice"); the other half are direct and indirect injections built from templates
with many fillers and disguises, plus a held-out section written unlike the
detector's patterns (see :mod:`wardflow.evals._corpus_attacks`).

Usage::

    python -m wardflow.evals.make_injections [--out FILE] [--check]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from wardflow.evals._corpus_attacks import (
    CARRIERS,
    CLOSERS,
    DIRECT,
    HELD_OUT,
    INSTRUCTIONS,
    OPENERS,
)
from wardflow.evals._corpus_benign import BENIGN, FILLERS

__all__ = ["DEFAULT_PATH", "build_corpus", "main"]

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "injections.jsonl"
SEED = 20261125
BENIGN_ITEMS = 130
INDIRECT_ITEMS = 90
_FIELD = re.compile(r"\{(\w+)\}")
_CYRILLIC = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і",
                           "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С"})
_DIGITS = {"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7"}


def _fill(template: str, rng: random.Random) -> str:
    text = _FIELD.sub(lambda m: rng.choice(FILLERS[m.group(1)]), template)
    return text.replace("{{", "{").replace("}}", "}")


# Disguises ---------------------------------------------------------------------------
def _zero_width(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 4 and rng.random() < 0.6:
            cut = rng.randrange(1, len(word) - 1)
            words[i] = word[:cut] + rng.choice("\u200b\u200c\u200d\u2060") + word[cut:]
    return " ".join(words)


def _homoglyphs(text: str, rng: random.Random) -> str:
    return "".join(c.translate(_CYRILLIC) if rng.random() < 0.5 else c for c in text)


def _base64(text: str, rng: random.Random) -> str:
    label = rng.choice(("ref: ", "Reference data: ", "X-Meta: ", ""))
    return label + base64.b64encode(text.encode()).decode()


def _spaced(text: str, rng: random.Random) -> str:
    head = " ".join(text.split()[: rng.randint(4, 6)])
    return "  ".join(" ".join(word) for word in head.split()) + " " + " ".join(
        text.split()[len(head.split()):])


def _digits(text: str, rng: random.Random) -> str:
    return "".join(_DIGITS.get(c, c) if rng.random() < 0.6 else c for c in text)


def _html_comment(text: str, rng: random.Random) -> str:
    return f"<!-- {text} -->"


def _chat_markup(text: str, rng: random.Random) -> str:
    return rng.choice(("<|im_start|>system\n{}\n<|im_end|>", "[INST] {} [/INST]",
                       "### System\n{}")).format(text)


def _delimiter(text: str, rng: random.Random) -> str:
    return f"DOCUMENT>>>\n{text}\n<<<DOCUMENT"


def _upper(text: str, rng: random.Random) -> str:
    return text.upper()


def _plain(text: str, rng: random.Random) -> str:
    return text


DISGUISES: tuple[tuple[str, Callable[[str, random.Random], str], int], ...] = (
    ("plain", _plain, 10), ("zero_width", _zero_width, 2), ("homoglyphs", _homoglyphs, 2),
    ("base64", _base64, 2), ("spaced_letters", _spaced, 1), ("digits_for_letters", _digits, 2),
    ("html_comment", _html_comment, 2), ("chat_markup", _chat_markup, 2),
    ("delimiter", _delimiter, 1), ("upper_case", _upper, 1),
)


# Items --------------------------------------------------------------------------------
def _benign(rng: random.Random) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    order = list(range(len(BENIGN)))
    while len(items) < BENIGN_ITEMS:
        rng.shuffle(order)
        for index in order:
            lang, style, template = BENIGN[index]
            text = _fill(template, rng)
            if text in seen:
                continue
            seen.add(text)
            items.append({"text": text, "label": "benign", "lang": lang, "kind": "benign",
                          "style": style, "split": "dev", "boundary": "document"})
            if len(items) == BENIGN_ITEMS:
                break
    return items


def _payload(rng: random.Random) -> tuple[str, str]:
    lang, instruction = rng.choice(INSTRUCTIONS)
    openers = [o for lg, o in OPENERS if lg == lang or not o]
    opener = rng.choice(openers)
    closer = rng.choice(CLOSERS) if lang == "en" else ""
    if not opener:
        instruction = instruction[0].upper() + instruction[1:]
    text = f"{opener}{instruction} {closer}".strip()
    return lang, _fill(text, rng)


def _indirect(rng: random.Random) -> list[dict[str, Any]]:
    names = [d[0] for d in DISGUISES]
    weights = [d[2] for d in DISGUISES]
    disguises = {d[0]: d[1] for d in DISGUISES}
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(items) < INDIRECT_ITEMS:
        lang, payload = _payload(rng)
        style = rng.choices(names, weights)[0]
        carrier = rng.choice(CARRIERS)
        text = _fill(carrier.replace("{payload}", "\x00"), rng).replace(
            "\x00", disguises[style](payload, rng))
        if text in seen:
            continue
        seen.add(text)
        items.append({"text": text, "label": "injection", "lang": lang, "kind": "indirect",
                      "style": style, "split": "dev", "boundary": "document"})
    return items


def _direct(rng: random.Random) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for lang, template in DIRECT:
        items.append({"text": _fill(template, rng), "label": "injection", "lang": lang,
                      "kind": "direct", "style": "prompt", "split": "dev", "boundary": "prompt"})
    # The same requests in other words: prefixes and casing a user might add.
    prefixes = ("Please ", "ok, ", "Quick one: ", "URGENT: ")
    for lang, template in rng.sample(DIRECT, 8):
        text = rng.choice(prefixes) + template[0].lower() + template[1:]
        items.append({"text": _fill(text, rng), "label": "injection", "lang": lang,
                      "kind": "direct", "style": "prompt", "split": "dev", "boundary": "prompt"})
    return items


def _held_out(rng: random.Random) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for lang, style, template in HELD_OUT:
        text = _fill(template, rng)
        if rng.random() < 0.5:
            text = _fill(rng.choice(CARRIERS).replace("{payload}", "\x00"), rng).replace("\x00", text)
        items.append({"text": text, "label": "injection", "lang": lang, "kind": "indirect",
                      "style": style, "split": "heldout", "boundary": "document"})
    return items


def build_corpus(seed: int = SEED) -> list[dict[str, Any]]:
    """The corpus, in a stable order, with ids."""
    rng = random.Random(seed)
    benign = _benign(rng)
    attacks = [*_indirect(rng), *_direct(rng), *_held_out(rng)]
    items = []
    for prefix, group in (("ben", benign), ("inj", attacks)):
        for number, item in enumerate(group, 1):
            items.append({"id": f"{prefix}-{number:04d}", **item})
    return items


def dumps(items: Sequence[dict[str, Any]]) -> str:
    """JSON lines, keys sorted, UTF-8 text as is."""
    return "".join(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n" for item in items)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the corpus (or, with ``--check``, verify the file is up to date)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH, help="where to write")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the file differs from what would be written")
    args = parser.parse_args(argv)
    content = dumps(build_corpus())
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != content:
            sys.stderr.write(f"{args.out} is out of date; run python -m wardflow.evals."
                             "make_injections\n")
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(content, encoding="utf-8")
    counts: dict[str, int] = {}
    for item in build_corpus():
        key = f"{item['label']}/{item['split']}"
        counts[key] = counts.get(key, 0) + 1
    sys.stdout.write(f"wrote {args.out}: {sum(counts.values())} items "
                     + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
