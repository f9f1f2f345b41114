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
* ``agentdojo.json``: from ethz-spylab/agentdojo's PyPI wheel (MIT): the goals of
  its injection tasks, its fixed attack templates, and the benign texts of its
  environments (e-mails, files, calendar entries, messages, reviews) with every
  injection slot set to its benign default.
* ``pyrit.json``: from Azure/PyRIT's PyPI wheel (MIT): its jailbreak templates (its own
  and those of the TrustAIRLab in-the-wild study, MIT; those it took from sites,
  papers and people whose licence is not stated are left out), the objectives of
  its own AI Red Team seed sets and the prompt-extraction seeds it took from
  prompt-security/ps-fuzz (MIT).
* ``langkit.json``: the jailbreak prompts of whylabs/langkit's ``langkit/themes.json``
  (Apache-2.0), the reference set its jailbreak similarity metric compares with.

Usage::

    python scripts/injection_sources.py --garak /path/to/garak/checkout \\
        --invoices ../shared/data/invoices [--examples examples]
    pip download agentdojo==0.1.35 --no-deps -d /tmp/dl
    python scripts/injection_sources.py --agentdojo /tmp/dl/agentdojo-0.1.35-py3-none-any.whl
    pip download pyrit==1.1.0 --no-deps -d /tmp/dl
    python scripts/injection_sources.py --pyrit /tmp/dl/pyrit-1.1.0-py3-none-any.whl
    python scripts/injection_sources.py --langkit /path/to/langkit/checkout

Each option writes its own file; the ones not given are left as they are.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
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


# --- ethz-spylab/agentdojo (MIT), read from its PyPI wheel -------------------------

def _fstring(node: ast.AST, names: dict[str, str]) -> str | None:
    """The value of a string constant or an f-string over known string constants."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif (isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name)
                  and value.value.id in names):
                parts.append(names[value.value.id])
            else:
                return None
        return "".join(parts)
    return None


def _goals(source: str, attribute: str = "GOAL") -> list[str]:
    """The ``GOAL`` strings of the injection tasks of one agentdojo suite module (or
    another class attribute: the ``PROMPT`` of its user tasks)."""
    tree = ast.parse(source)
    names: dict[str, str] = {}
    goals: list[str] = []

    def constants(body: list[ast.stmt], scope: dict[str, str]) -> None:
        for stmt in body:
            if (isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                value = _fstring(stmt.value, scope)
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        scope[target.id] = value

    constants(tree.body, names)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            scope = dict(names)
            constants(node.body, scope)
            if attribute in scope:
                goals.append(scope[attribute])
    return goals


def _yaml_strings(value: Any, keys: frozenset[str]) -> list[str]:
    """Every string under one of ``keys`` in a parsed YAML tree."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                found.append(item)
            else:
                found += _yaml_strings(item, keys)
    elif isinstance(value, list):
        for item in value:
            found += _yaml_strings(item, keys)
    return found


def extract_agentdojo(wheel: Path) -> dict[str, Any]:
    """Injection goals, attack templates and benign environment texts of agentdojo.

    ``wheel`` is the wheel (``pip download agentdojo --no-deps``) or an unpacked
    copy. Attack templates are the fixed ones of ``agentdojo/attacks`` (their
    ``{goal}``, ``{user}`` and ``{model}`` left as placeholders); the ``PROMPT`` of its
    user tasks (benign requests to an agent); benign texts are the
    e-mail bodies, files, calendar descriptions, messages and reviews of its
    environments, with each injection placeholder set to its benign default.
    """
    import re
    import zipfile

    import yaml

    if wheel.is_dir():
        files = {str(p.relative_to(wheel)): p.read_text(encoding="utf-8")
                 for p in wheel.rglob("*") if p.suffix in (".py", ".yaml")}
    else:
        with zipfile.ZipFile(wheel) as archive:
            files = {n: archive.read(n).decode("utf-8") for n in archive.namelist()
                     if n.endswith((".py", ".yaml"))}
    goals = sorted({g.strip() for name, text in files.items()
                    if name.endswith("injection_tasks.py") for g in _goals(text)})
    prompts = sorted({p.strip() for name, text in files.items()
                      if name.endswith("user_tasks.py") for p in _goals(text, "PROMPT")})
    templates: set[str] = set()
    for name, text in files.items():
        if not name.startswith("agentdojo/attacks/"):
            continue
        for node in ast.walk(ast.parse(text)):
            value = node.value if isinstance(node, ast.Constant) else None
            # attack strings, not docstrings (those quote code in backticks)
            if isinstance(value, str) and ("{goal}" in value or "{model}" in value) \
                    and "{tools}" not in value and "`" not in value \
                    and not value.startswith("The name"):
                templates.add(value)
    defaults: dict[str, str] = {}
    for name, text in files.items():
        if name.endswith("injection_vectors.yaml"):
            for key, spec in (yaml.safe_load(text) or {}).items():
                defaults[key] = str(spec.get("default") or "")
    keys = frozenset({"body", "content", "description", "message", "reviews", "subject"})
    benign: set[str] = set()
    placeholder = re.compile(r"\{(\w+)\}")
    for name, text in sorted(files.items()):
        if not (name.startswith("agentdojo/data/suites/") and name.endswith(".yaml")) \
                or name.endswith("injection_vectors.yaml"):
            continue
        filled = placeholder.sub(lambda m: defaults.get(m.group(1), m.group(0)), text)
        try:
            tree = yaml.safe_load(filled)
        except yaml.YAMLError:
            continue
        for value in _yaml_strings(tree, keys):
            value = value.strip()
            if len(value) >= 60 and not placeholder.search(value):
                benign.add(value)
    return {"repo": "ethz-spylab/agentdojo", "package": wheel.name,
            "license": "MIT", "goals": goals, "templates": sorted(templates), "prompts": prompts,
            "benign": sorted(benign)}


# --- Azure/PyRIT (MIT), read from its PyPI wheel ----------------------------------

_PYRIT_DATA = "pyrit/datasets/"
# Objective sets of PyRIT's own AI Red Team seeds used to fill the templates' slot.
_JINJA_TAG = re.compile(r"\{%-?\s*(?:raw|endraw)\s*-?%\}")
_PYRIT_OBJECTIVES = ("leakage", "scams", "malware", "illegal", "misinformation", "harms")


def _pyrit_files(wheel: Path) -> dict[str, str]:
    import zipfile

    if wheel.is_dir():
        return {str(p.relative_to(wheel)): p.read_text(encoding="utf-8")
                for p in wheel.rglob("*") if p.suffix in (".yaml", ".prompt")}
    with zipfile.ZipFile(wheel) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()
                if n.startswith(_PYRIT_DATA) and n.endswith((".yaml", ".prompt"))}


def extract_pyrit(wheel: Path) -> dict[str, Any]:
    """Jailbreak templates, red-team objectives and prompt-extraction seeds of PyRIT.

    Templates are the single-slot ones of ``pyrit/datasets/jailbreak/templates``
    (the slot written ``{prompt}``) whose origin has a known licence: the in-the-wild
    set (TrustAIRLab, verazuo/jailbreak_llms, MIT) and PyRIT's own ("AI Red Team");
    each keeps its ``source``.
    """
    import yaml

    files = _pyrit_files(wheel)
    templates: list[dict[str, str]] = []
    slot = re.compile(r"\{\{\s*prompt\s*\}\}")
    for name, text in sorted(files.items()):
        if not (name.startswith(_PYRIT_DATA + "jailbreak/templates/") and name.endswith(".yaml")):
            continue
        # only text whose licence is known: the in-the-wild set (TrustAIRLab's
        # verazuo/jailbreak_llms, MIT) and PyRIT's own AI Red Team templates
        if "/in_the_wild/" not in name and "/multi_parameter/" not in name \
                and "AI Red Team" not in text:
            continue
        if "/multi_parameter/" in name:
            continue
        try:
            spec = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        value = spec.get("value") if isinstance(spec, dict) else None
        if not isinstance(value, str) or spec.get("parameters") != ["prompt"] \
                or not slot.search(value):
            continue
        templates.append({"name": name.removeprefix(_PYRIT_DATA + "jailbreak/templates/"),
                          "source": str(spec.get("source") or ""),
                          "text": slot.sub("{prompt}", _JINJA_TAG.sub("", value).strip())})

    def seeds(path: str) -> list[str]:
        spec = yaml.safe_load(files[_PYRIT_DATA + path])
        return [str(s["value"]).strip() for s in spec.get("seeds", [])
                if isinstance(s, dict) and isinstance(s.get("value"), str)]

    objectives = sorted({v for group in _PYRIT_OBJECTIVES
                         for v in seeds(f"seed_datasets/local/airt/{group}.prompt")})
    steal = [re.sub(r"^\d+\.\s*", "", part.strip(" |\n"))
             for v in seeds("seed_datasets/local/psfuzz_steal_system.prompt")
             for part in re.split(r"\|\s*\n?\s*\d+\.\s", v) if len(part.strip(" |\n")) > 20]
    return {"repo": "Azure/PyRIT (PyPI pyrit)", "package": wheel.name, "license": "MIT",
            "templates": templates, "objectives": objectives, "steal_prompt": steal}


def extract_langkit(repo: Path) -> dict[str, Any]:
    """The jailbreak prompts of langkit's theme file."""
    themes = json.loads(_show(repo, "langkit/themes.json"))
    return {"repo": "whylabs/langkit", "commit": _git(repo, "rev-parse", "HEAD").strip(),
            "license": "Apache-2.0",
            "jailbreak": [t.strip() for t in themes.get("jailbreak", []) if isinstance(t, str)]}


def _write_json(name: str, data: object) -> None:
    (OUT / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                            encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Write the files of the sources given (see the module docstring)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--garak", type=Path, default=None)
    parser.add_argument("--invoices", type=Path, default=None)
    parser.add_argument("--examples", type=Path, default=_REPO / "examples")
    parser.add_argument("--agentdojo", type=Path, default=None,
                        help="the agentdojo wheel (pip download agentdojo --no-deps)")
    parser.add_argument("--langkit", type=Path, default=None,
                        help="a whylabs/langkit checkout or bare mirror")
    parser.add_argument("--pyrit", type=Path, default=None,
                        help="the pyrit wheel (pip download pyrit==1.1.0 --no-deps)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.agentdojo is not None:
        dojo = extract_agentdojo(args.agentdojo)
        _write_json("agentdojo.json", dojo)
        print(f"agentdojo {dojo['package']}: {len(dojo['goals'])} goals,"
              f" {len(dojo['templates'])} templates, {len(dojo['prompts'])} user prompts,"
              f" {len(dojo['benign'])} benign texts")
    if args.pyrit is not None:
        pyrit = extract_pyrit(args.pyrit)
        _write_json("pyrit.json", pyrit)
        print(f"pyrit {pyrit['package']}: {len(pyrit['templates'])} templates,"
              f" {len(pyrit['objectives'])} objectives, {len(pyrit['steal_prompt'])} extraction"
              " prompts")
    if args.langkit is not None:
        langkit = extract_langkit(args.langkit)
        _write_json("langkit.json", langkit)
        print(f"langkit {langkit['commit'][:10]}: {len(langkit['jailbreak'])} jailbreak prompts")
    if args.garak is not None:
        garak = extract_garak(args.garak)
        _write_json("garak.json", garak)
        print(f"garak {garak['commit'][:10]}: {len(garak['latent'])} latent probes,"
              f" {len(garak['dan'])} DAN prompts")
    if args.invoices is not None:
        rows = extract_carriers(args.invoices, args.examples)
        (OUT / "carriers.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{len(rows)} carrier documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
