"""The labels of a document dataset: its fields and how a label file is read.

The format of ``labels.jsonl`` is described in :mod:`wardflow.evals.documents`, which
re-exports the public names of this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wardflow.errors import ConfigError

FORMAT = "wardflow-eval/1"
FIELDS = ("vendor", "vendor_tax_id", "invoice_number", "invoice_date", "due_date", "currency",
          "subtotal", "tax", "tax_rate", "total", "iban", "po_number")
ALIASES = {"date": "invoice_date"}
AMOUNT_FIELDS = frozenset({"subtotal", "tax", "total"})
INJECTION_REASONS = frozenset({"prompt_injection", "invisible_text", "escalation"})
ROUTES = frozenset({"post", "review", "failed"})
# The fields an invoice cannot be booked without being right (issue 15's "core").
CORE_FIELDS = ("vendor", "invoice_number", "invoice_date", "total")
# A document at or above this confidence would go straight through on confidence alone.
STRAIGHT_THROUGH_CONFIDENCE = 0.90
UNLABELLED = "unlabelled"


@dataclass(frozen=True)
class Label:
    """One labelled document: where it is and what a perfect run would produce."""

    file: str
    path: Path
    fields: Mapping[str, Any]
    line_items: Sequence[Mapping[str, Any]] | None
    expected_route: str | None
    expected_reasons: tuple[str, ...]
    injection: bool | None
    language: str | None = None
    source: str | None = None


def load_labels(dataset: Path | str) -> list[Label]:
    """The labels of a dataset folder, each resolved to its document.

    Raises:
        ConfigError: no ``labels.jsonl``, a line that is not a JSON object with a
            ``file``, a file that is not there, or an unknown route; the message names
            the line.
    """
    folder = Path(dataset)
    source = folder / "labels.jsonl" if folder.is_dir() else folder
    folder = source.parent
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ConfigError(f"cannot read {source}: {err.strerror}; a dataset is a folder"
                          " with labels.jsonl (see wardflow/evals/documents.py)") from err
    labels = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as err:
            raise ConfigError(f"{where}: not JSON ({err.msg})") from err
        if not isinstance(raw, dict) or not isinstance(raw.get("file"), str):
            raise ConfigError(f"{where}: a label is an object with a string 'file'")
        path = _resolve(folder, raw["file"])
        if path is None:
            raise ConfigError(f"{where}: {raw['file']} is not in {folder} (nor inbox/, docs/)")
        route = raw.get("expected_route")
        if route is not None and route not in ROUTES:
            raise ConfigError(f"{where}: expected_route {route!r} is not one of"
                              f" {', '.join(sorted(ROUTES))}")
        fields = {ALIASES.get(str(k), str(k)): v for k, v in raw.items()
                  if ALIASES.get(str(k), str(k)) in FIELDS}
        reasons = tuple(str(r) for r in raw.get("expected_reasons") or ())
        injection = raw.get("injection")
        if injection is None and "expected_reasons" in raw:
            injection = bool(INJECTION_REASONS & set(reasons))
        labels.append(Label(raw["file"], path, fields, raw.get("line_items"), route, reasons,
                            injection, _optional_text(raw.get("language")),
                            _optional_text(raw.get("source")) or _repo(raw.get("source_repo"))))
    if not labels:
        raise ConfigError(f"{source} has no labels")
    return labels


def _optional_text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _repo(url: Any) -> str | None:
    """``owner/name`` of a repository URL (``https://github.com/owner/name``)."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = [p for p in re.sub(r"^[a-z]+://[^/]+/", "", url.strip()).split("/") if p]
    return "/".join(parts[:2]).removesuffix(".git") if parts else None


def _resolve(folder: Path, name: str) -> Path | None:
    for base in (folder, folder / "inbox", folder / "docs"):
        candidate = (base / name).resolve()
        if candidate.is_file() and candidate.is_relative_to(folder.resolve()):
            return candidate
    return None
