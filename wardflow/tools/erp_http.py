"""A REST ERP adapter: the production seam for a cloud ERP.

:class:`HttpErp` speaks a small JSON protocol that an ERP (or a thin gateway in front
of one) implements; ``Settings.erp_url`` selects it. Every request may carry
``Authorization: Bearer <token>`` (``Settings.erp_token``).

=====================================  ====================================================
request                                answer
=====================================  ====================================================
``GET /vendors``                       200 ``{"vendors": [vendor, ...]}``
``GET /vendors?tax_id=&name=&iban=``   200 ``{"vendors": [...]}``: the ERP's own match,
                                       zero or one vendor
``GET /purchase-orders/{po_number}``   200 purchase order, or 404
``GET /postings?vendor_id=&``          200 ``{"postings": [posting, ...]}``, filtered by
``invoice_number=&document_sha256=&``  the given fields (``key``: the idempotency key)
``key=``
``POST /postings``                     201 the new posting; 409 the posting that key
(header ``Idempotency-Key``, body: a   made before (nothing posted again); 400/422 a
:class:`~wardflow.tools.erp.PostInvoice`  refused posting
as JSON)
=====================================  ====================================================

Errors come as ``{"error": "..."}``. 5xx, 408, 429, timeouts and dropped connections are
retryable :class:`~wardflow.errors.ErpError`\\ s (the graph's retry policy calls again);
other 4xx are not. When a post's answer is lost (timeout, dropped connection) the
adapter asks for the posting by its idempotency key before reporting a failure, so "did
it post?" is answered by the ERP, and a retried post is answered with the first one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from wardflow.errors import ErpError
from wardflow.tools.erp import InvoicePosting, PostInvoice, PurchaseOrder, Vendor

__all__ = ["HttpErp"]

_RETRYABLE_STATUS = frozenset({408, 425, 429})


class HttpErp:
    """An :class:`~wardflow.tools.erp.ErpAdapter` over HTTP (see the module docstring).

    Args:
        base_url: the ERP's API root, e.g. ``https://erp.example.com/api/v1``.
        token: a bearer token, if the ERP asks for one (never logged).
        timeout_s: the limit for one request (connect, read, write).
        transport: an httpx transport; tests and proxies may pass their own.
    """

    def __init__(self, base_url: str, *, token: str | None = None, timeout_s: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, headers=headers,
                                    timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._client.close()

    # Master data -------------------------------------------------------------------
    def vendors(self) -> list[Vendor]:
        return [_vendor(v) for v in self._get("erp_vendors", "/vendors")["vendors"]]

    def find_vendor(
        self, *, name: str | None = None, tax_id: str | None = None, iban: str | None = None
    ) -> Vendor | None:
        params = {k: v for k, v in (("name", name), ("tax_id", tax_id), ("iban", iban)) if v}
        if not params:
            return None
        found = self._get("erp_lookup_vendor", "/vendors", params)["vendors"]
        return _vendor(found[0]) if found else None

    def purchase_order(self, po_number: str) -> PurchaseOrder | None:
        data = self._get("erp_purchase_order", f"/purchase-orders/{po_number}",
                         missing_ok=True)
        if data is None:
            return None
        return PurchaseOrder(data["po_number"], data["vendor_id"], Decimal(str(data["amount"])),
                             data["currency"])

    # Invoices ----------------------------------------------------------------------
    def postings(self, *, vendor_id: str | None = None) -> list[InvoicePosting]:
        params = {"vendor_id": vendor_id} if vendor_id else {}
        return [_posting(p, created=False)
                for p in self._get("erp_postings", "/postings", params)["postings"]]

    def find_posting(
        self, *, vendor_id: str | None = None, invoice_number: str | None = None,
        document_sha256: str | None = None,
    ) -> list[InvoicePosting]:
        params = {k: v for k, v in (("vendor_id", vendor_id), ("invoice_number", invoice_number),
                                    ("document_sha256", document_sha256)) if v is not None}
        if not params:
            return []
        return [_posting(p, created=False)
                for p in self._get("erp_find_invoices", "/postings", params)["postings"]]

    def posting_by_key(self, key: str) -> InvoicePosting | None:
        """The posting an idempotency key made, if the ERP has one."""
        found = self._get("erp_post_invoice", "/postings", {"key": key})["postings"]
        return _posting(found[0], created=False) if found else None

    def post_invoice(self, args: PostInvoice) -> InvoicePosting:
        """Post once: 201 is a new posting, 409 the one this key made before."""
        tool = "erp_post_invoice"
        try:
            response = self._client.post("/postings", json=args.model_dump(mode="json"),
                                         headers={"Idempotency-Key": args.idempotency_key})
        except httpx.TransportError as err:
            # The answer is lost, not necessarily the posting: ask the ERP.
            found = self.posting_by_key(args.idempotency_key)
            if found is not None:
                return found
            raise ErpError(tool, f"no answer from {self.base_url} ({type(err).__name__});"
                           " nothing was posted", retryable=True) from err
        if response.status_code in (200, 201, 409):
            return _posting(_json(tool, response), created=response.status_code != 409)
        raise _status_error(tool, response)

    # Transport ---------------------------------------------------------------------
    def _get(self, tool: str, path: str, params: dict[str, str] | None = None, *,
             missing_ok: bool = False) -> Any:
        try:
            response = self._client.get(path, params=params)
        except httpx.TransportError as err:
            raise ErpError(tool, f"no answer from {self.base_url}{path}"
                           f" ({type(err).__name__})", retryable=True) from err
        if missing_ok and response.status_code == 404:
            return None
        if response.status_code != 200:
            raise _status_error(tool, response)
        return _json(tool, response)


def _json(tool: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as err:
        raise ErpError(tool, f"HTTP {response.status_code}: the answer is not JSON",
                       retryable=True) from err


def _status_error(tool: str, response: httpx.Response) -> ErpError:
    try:
        detail = str(response.json().get("error", ""))
    except (ValueError, AttributeError):
        detail = response.text[:200]
    retryable = response.status_code >= 500 or response.status_code in _RETRYABLE_STATUS
    hint = "; the retry policy will call again" if retryable else ""
    return ErpError(tool, f"HTTP {response.status_code} from {response.request.url.path}:"
                    f" {detail or response.reason_phrase}{hint}", retryable=retryable)


def _vendor(data: dict[str, Any]) -> Vendor:
    return Vendor(str(data["id"]), str(data["name"]), data.get("tax_id"), data.get("iban"),
                  data.get("bic"), data.get("country"), data.get("currency"), data.get("email"))


def _posting(data: dict[str, Any], *, created: bool) -> InvoicePosting:
    return InvoicePosting(
        posting_id=data["posting_id"], idempotency_key=data["idempotency_key"],
        vendor_id=data["vendor_id"], invoice_number=data["invoice_number"],
        invoice_date=data["invoice_date"], currency=data["currency"],
        total=Decimal(str(data["total"])), iban=data.get("iban"),
        document_sha256=data["document_sha256"], approved_by=data["approved_by"],
        posted_at=data["posted_at"], created=created,
    )
