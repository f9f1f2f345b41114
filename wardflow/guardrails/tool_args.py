"""Checks on a tool call's arguments before the call.

The storage-key and approved-posting rules live with the tools
(:class:`~wardflow.tools.toolset.StorageKeyGuard`,
:class:`~wardflow.tools.toolset.ApprovedPostingGuard`); this module calls the same
code, so the pipeline's tool boundary and the governed tools can never disagree. It
adds two checks of its own: no credentials in arguments, and no vault token
(``<IBAN_1>``) left in what reaches the ERP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from wardflow.errors import GuardViolation, StorageError
from wardflow.guardrails.secrets import find_secrets
from wardflow.guardrails.vault import TOKEN_PATTERN

__all__ = [
    "ToolIssue",
    "args_json",
    "check_approved_posting",
    "check_arg_secrets",
    "check_storage_keys",
    "check_unrevealed_tokens",
]

_KEY_ARGS = ("key", "src", "dst")


@dataclass(frozen=True, slots=True)
class ToolIssue:
    """Why a tool call is blocked.

    Attributes:
        check: the check that failed.
        detail: what is wrong.
        evidence: the offending argument (redacted), for the audit.
    """

    check: str
    detail: str
    evidence: str = ""


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def args_json(args: Mapping[str, Any]) -> str:
    """The arguments as canonical JSON; bytes are shown by size, never by content."""

    def default(value: Any) -> Any:
        if isinstance(value, (bytes, bytearray)):
            return f"<{len(value)} bytes>"
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        return str(value)

    return json.dumps(dict(args), sort_keys=True, default=default, ensure_ascii=False)


def check_storage_keys(tool: str, args: Mapping[str, Any]) -> list[ToolIssue]:
    """Storage keys (``key``, ``src``, ``dst``) must stay inside the storage root, by
    :func:`wardflow.tools.storage.check_key`, as ``StorageKeyGuard`` checks them."""
    from wardflow.tools.storage import check_key

    issues = []
    for name in _KEY_ARGS:
        key = args.get(name)
        if key is None:
            continue
        try:
            check_key(str(key))
        except StorageError as err:
            issues.append(ToolIssue("storage_key", str(err), f"{name}={str(key)[:80]}"))
    return issues


def check_approved_posting(
    tool: str, args: Mapping[str, Any] | BaseModel, approved_args_hash: str | None
) -> list[ToolIssue]:
    """An ERP posting must carry exactly the approved arguments: the digest of the
    arguments without ``approved_by`` must equal ``approved_args_hash``. Runs
    :class:`~wardflow.tools.toolset.ApprovedPostingGuard` itself."""
    if tool != "erp_post_invoice":
        return []
    from wardflow.tools.erp import PostInvoice
    from wardflow.tools.toolset import ApprovedPostingGuard

    try:
        parsed = args if isinstance(args, PostInvoice) else PostInvoice.model_validate(
            args.model_dump() if isinstance(args, BaseModel) else dict(args))
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return [ToolIssue("approved_posting", f"invalid posting arguments: {where}: {first['msg']}")]
    try:
        ApprovedPostingGuard().check(tool, parsed, {"approved_args_hash": approved_args_hash})
    except GuardViolation as err:
        return [ToolIssue("approved_posting", str(err), err.evidence)]
    return []


def check_arg_secrets(args: Mapping[str, Any]) -> list[ToolIssue]:
    """No credential (API key, password, private key...) in any string argument."""
    issues = []
    for path, value in _strings(dict(args)):
        found = find_secrets(value)
        if found:
            kinds = sorted({s.kind for s in found})
            issues.append(ToolIssue("tool_arg_secrets",
                                    f"argument {path} contains a credential ({', '.join(kinds)})",
                                    path))
    return issues


def check_unrevealed_tokens(tool: str, args: Mapping[str, Any]) -> list[ToolIssue]:
    """The ERP must get real values: a vault token in an ``erp_*`` call means the
    caller forgot to reveal it (``TokenVault.reveal_data(..., role="erp")``)."""
    if not tool.startswith("erp_"):
        return []
    issues = []
    for path, value in _strings(dict(args)):
        token = TOKEN_PATTERN.search(value)
        if token is not None:
            issues.append(ToolIssue(
                "unrevealed_tokens",
                f"argument {path} holds the vault token {token.group(0)}; reveal it for"
                " role 'erp' before the call", path))
    return issues
