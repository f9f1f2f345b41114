"""Credentials in free text: API keys, tokens, private keys, passwords.

Secrets are never tokenized for later use: they are replaced by ``[REDACTED:<kind>]``
wherever they appear, in a document, a prompt or a tool's arguments. Two families of
patterns: provider key formats that identify themselves (``AKIA...``, ``ghp_...``,
``sk-...``, JWTs, PEM blocks), and values assigned to a secret-sounding label
(``password: hunter2``, ``api_key=...``), where only the value is redacted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SecretMatch", "find_secrets", "redact_secrets"]

# (kind, pattern, group holding the secret). Every pattern opens with a literal or a
# small character class so that ``re`` scans fast.
_PATTERNS: tuple[tuple[str, re.Pattern[str], int], ...] = tuple(
    (kind, re.compile(pattern), group)
    for kind, pattern, group in (
        ("private_key",
         r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----"
         r"|$)", 0),
        ("aws_access_key", r"(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])", 0),
        ("github_token", r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})", 0),
        ("api_key", r"sk-(?:proj-|ant-(?:api\d\d-)?|live-)?[A-Za-z0-9_\-]{20,}", 0),
        ("stripe_key", r"[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}", 0),
        ("slack_token", r"xox[abposr]-[A-Za-z0-9-]{10,}", 0),
        ("google_api_key", r"AIza[0-9A-Za-z_\-]{35}", 0),
        ("jwt", r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0),
        ("bearer_token", r"[Bb]earer[ \t]+([A-Za-z0-9\-._~+/]{20,}=*)", 1),
        ("url_credentials", r"[a-z][a-z0-9+.-]*://[^\s:/@]+:([^\s@/]{3,})@", 1),
    )
)
# "password: hunter2", "Passwort = ...", "api_key: ...". Matched on lower-cased text.
_ASSIGNED = re.compile(
    r"(pass(?:word|wort|wd)?|pwd|kennwort|mot de passe|mdp|passcode|pin|api[ _-]?key"
    r"|secret(?:[ _-]?key)?|client[ _-]?secret|access[ _-]?token|auth[ _-]?token|token"
    r"|private[ _-]?key)\b[ \t]*(?:[:=]|is|ist|est|lautet)[ \t]*[\"']?([^\s\"',;]{4,})"
)
_LABEL_KIND = {"pin": "pin", "token": "token"}


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """One credential.

    Attributes:
        kind: the format or label (``aws_access_key``, ``password``...).
        start: offset of the secret value in the text (a label is kept).
        end: end offset.
    """

    kind: str
    start: int
    end: int


def _label_kind(label: str) -> str:
    label = label.replace(" ", "_").replace("-", "_")
    if label in _LABEL_KIND:
        return _LABEL_KIND[label]
    if label.startswith(("pass", "pwd", "kennwort", "mot_de_passe", "mdp")):
        return "password"
    return label


def find_secrets(text: str) -> list[SecretMatch]:
    """Every credential in ``text``, in order, not overlapping."""
    found: list[SecretMatch] = []
    for kind, pattern, group in _PATTERNS:
        for m in pattern.finditer(text):
            if group == 0 and m.start() > 0 and text[m.start() - 1].isalnum():
                continue  # inside a longer word
            found.append(SecretMatch(kind, m.start(group), m.end(group)))
    lowered = text.lower()
    if len(lowered) == len(text):
        for m in _ASSIGNED.finditer(lowered):
            if m.start() > 0 and lowered[m.start() - 1].isalpha():
                continue
            value = m.group(2)
            # "PIN: see letter", "Password: ********": nothing to hide.
            if set(value) <= {"*", "x", "•", "."} or value in ("see", "siehe", "voir"):
                continue
            found.append(SecretMatch(_label_kind(m.group(1)), m.start(2), m.end(2)))
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[SecretMatch] = []
    for match in found:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


def redact_secrets(text: str) -> tuple[str, list[SecretMatch]]:
    """``text`` with every credential replaced by ``[REDACTED:<kind>]``."""
    matches = find_secrets(text)
    if not matches:
        return text, []
    out, cursor = [], 0
    for match in matches:
        out += [text[cursor:match.start], f"[REDACTED:{match.kind}]"]
        cursor = match.end
    out.append(text[cursor:])
    return "".join(out), matches
