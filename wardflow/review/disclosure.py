"""What a reviewer's role may see of a case: real personal data, or the vault's tokens.

The vault (:mod:`wardflow.guardrails.vault`) decides who may see personal data in
clear: the roles in :data:`~wardflow.guardrails.vault.REVEAL_ROLES`. Every other role
(a clerk) sees a case, its extracted text, its fields and the chat's answers with
each IBAN, card number, email, phone number, national id and street address replaced
by the token the vault holds for it in the run's scope (``<IBAN_1>``), the same token
the model saw, so two accounts can still be told apart. The original document (the
PDF or image) cannot be tokenized and is withheld from those roles.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any

from wardflow.guardrails.pii import PiiMatch, find_pii
from wardflow.guardrails.vault import REVEAL_ROLES, Vault

__all__ = ["Redactor", "reveals"]

# Identifiers, never personal data: left as they are (a hash may hold a run of digits).
_IDENTIFIERS = frozenset({"args_hash", "thread_id", "sha256", "document_sha256",
                          "idempotency_key", "storage_key", "proposal_hash", "id",
                          "posting_id", "deadline"})


def reveals(role: str) -> bool:
    """Whether ``role`` may see personal data in clear (the vault's rule)."""
    return role in REVEAL_ROLES


class Redactor:
    """Personal data out of the text and data of one run, as the vault's tokens.

    Args:
        vault: the data home's vault; tokens are looked up (or, for a value the guard
            never saw, added) in ``scope``.
        scope: the run's thread id, the scope the guard tokenized the document in.
    """

    def __init__(self, vault: Vault, scope: str) -> None:
        self._vault = vault
        self._scope = scope

    def text(self, text: str) -> str:
        """``text`` with its personal data replaced by tokens."""
        return self.text_with_offsets(text)[0]

    def text_with_offsets(self, text: str) -> tuple[str, Callable[[int, bool], int]]:
        """``text`` tokenized, and a function from an offset in ``text`` to the offset
        in the result (``end=True``: an offset inside a replaced value maps to the end
        of its token, else to its start)."""
        matches = find_pii(text)
        if not matches:
            return text, lambda offset, end: offset
        out, mapping = self._vault.tokenize_matches(text, matches, scope=self._scope)
        token_of = {value: token for token, value in mapping.items()}
        return out, _offsets(matches, [token_of[m.value] for m in matches])

    def data(self, data: Any) -> Any:
        """A copy of ``data`` (dicts, lists, strings) with every string tokenized."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, Mapping):
            return {key: value if key in _IDENTIFIERS else self.data(value)
                    for key, value in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.data(value) for value in data]
        return data


def _offsets(matches: list[PiiMatch], tokens: list[str]) -> Callable[[int, bool], int]:
    starts = [m.start for m in matches]
    # new_starts[i]: where match i's token begins in the tokenized text.
    new_starts: list[int] = []
    shift = 0
    for match, token in zip(matches, tokens, strict=True):
        new_starts.append(match.start + shift)
        shift += len(token) - (match.end - match.start)

    def moved(offset: int, end: bool) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        match, new_start = matches[i], new_starts[i]
        if offset == match.start:
            return new_start
        if offset < match.end:  # inside a replaced value
            return new_start + len(tokens[i]) if end else new_start
        return new_start + len(tokens[i]) + (offset - match.end)

    return moved
