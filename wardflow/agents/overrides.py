"""Policy only tightens: the one place where a request's policy meets the settings.

A prompt's plan, a blueprint or an API body may ask for a stricter policy than the
settings: a lower approval limit, review at a higher confidence or a lower risk
score, a PO from a lower amount, more compliance packs. Never a looser one: the
settings (and the roles) are an administrator's decision, not something whoever types
a prompt can talk around.

:func:`tighten` is the only way an override becomes settings: it returns the settings
with the override applied, or raises :class:`~wardflow.errors.PolicyError` naming
every knob that would loosen. Callers audit the refusal
(:meth:`wardflow.runtime.workspace.Workspace.tightened`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from wardflow.config import COMMENT_CONDITIONS, Settings
from wardflow.errors import PolicyError

__all__ = ["PolicyOverride", "loosenings", "tighten"]

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class PolicyOverride:
    """What a request asks to change; ``None`` leaves the setting as it is.

    Attributes:
        approval_limit: totals above it need approval, in ``currency``.
        currency: the currency of ``approval_limit`` (default: the approval currency).
        review_threshold: confidence below which a document goes to review.
        risk_threshold: risk score from which a document goes to review.
        po_required_from: amount from which an invoice needs a purchase order.
        compliance_packs: the policy packs that judge each invoice.
        comment_required_for: conditions under which a decision needs a comment
            (added to the configured ones; dropping one would loosen).
    """

    approval_limit: Decimal | None = None
    currency: str | None = None
    review_threshold: float | None = None
    risk_threshold: float | None = None
    po_required_from: Decimal | None = None
    compliance_packs: tuple[str, ...] | None = None
    comment_required_for: tuple[str, ...] | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in self.__dict__.values())

    def to_dict(self) -> dict[str, Any]:
        """The knobs that are set, as JSON-friendly values (for the audit log)."""
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if value is None:
                continue
            out[name] = list(value) if isinstance(value, tuple) else (
                str(value) if isinstance(value, Decimal) else value)
        return out


def _limit(settings: Settings, override: PolicyOverride, updates: dict[str, Any],
           found: list[str]) -> None:
    if override.approval_limit is None:
        return
    base = settings.approval_currency
    currency = (override.currency or base).upper()
    limit = override.approval_limit
    converted = settings.to_approval_currency(limit, currency)
    if converted is None:
        found.append(f"an approval limit in {currency}, which has no exchange rate to"
                     f" {base} to compare with the configured {base} {settings.approval_limit}")
        return
    if currency != base:
        # Rounded down, so that the conversion itself never loosens the limit.
        converted = converted.quantize(_CENT, rounding=ROUND_DOWN)
    if converted > settings.approval_limit:
        shown = f"{currency} {limit}" + (f" ({base} {converted})" if currency != base else "")
        found.append(f"an approval limit of {shown}, above the configured"
                     f" {base} {settings.approval_limit}")
        return
    # The approval currency stays the settings' own: reviewers' limits are in it.
    updates["approval_limit"] = converted


def loosenings(settings: Settings, override: PolicyOverride) -> tuple[list[str], dict[str, Any]]:
    """Check ``override`` against ``settings``.

    Returns:
        One sentence per knob the override would loosen (empty: it only tightens),
        and the settings updates that apply it.
    """
    found: list[str] = []
    updates: dict[str, Any] = {}
    _limit(settings, override, updates, found)
    if override.review_threshold is not None:
        if override.review_threshold < settings.review_threshold:
            found.append(f"review only below confidence {override.review_threshold:g}, under"
                         f" the configured {settings.review_threshold:g}")
        else:
            updates["review_threshold"] = override.review_threshold
    if override.risk_threshold is not None:
        if override.risk_threshold > settings.risk_threshold:
            found.append(f"review only from risk {override.risk_threshold:g}, above the"
                         f" configured {settings.risk_threshold:g}")
        else:
            updates["risk_threshold"] = override.risk_threshold
    if override.po_required_from is not None:
        configured = settings.po_required_from
        if configured is not None and override.po_required_from > configured:
            found.append(f"a purchase order only from {override.po_required_from}, above the"
                         f" configured {configured}")
        else:
            updates["po_required_from"] = override.po_required_from
    if override.compliance_packs is not None:
        packs = tuple(dict.fromkeys(p.lower() for p in override.compliance_packs))
        dropped = [p for p in settings.compliance_packs if p not in packs]
        if dropped:
            found.append(f"the compliance packs {', '.join(packs) or 'none'} without the"
                         f" configured pack(s) {', '.join(dropped)}")
        else:
            updates["compliance_packs"] = packs
    _comments(settings, override, updates, found)
    return found, updates


def _comments(settings: Settings, override: PolicyOverride, updates: dict[str, Any],
              found: list[str]) -> None:
    """Comment conditions add to the configured ones; naming fewer is not a loosening
    (the configured ones still hold), an unknown one is refused."""
    if override.comment_required_for is None:
        return
    wanted = {c.strip().lower().replace("-", "_") for c in override.comment_required_for}
    unknown = sorted(wanted - set(COMMENT_CONDITIONS))
    if unknown:
        found.append(f"comments required for {', '.join(unknown)}, which is not a condition"
                     f" ({', '.join(COMMENT_CONDITIONS)})")
        return
    merged = tuple(c for c in COMMENT_CONDITIONS
                   if c in wanted or c in settings.comment_required_for)
    if merged != settings.comment_required_for:
        updates["comment_required_for"] = merged


def tighten(settings: Settings, override: PolicyOverride, *, source: str) -> Settings:
    """``settings`` with ``override`` applied, if it only makes review stricter.

    Args:
        source: what asked, for the message (``prompt``, ``blueprint invoice``).

    Raises:
        PolicyError: the override would loosen at least one knob; every such knob is
            named, and nothing is applied.
    """
    found, updates = loosenings(settings, override)
    if found:
        raise PolicyError(source, found)
    return settings.model_copy(update=updates) if updates else settings
