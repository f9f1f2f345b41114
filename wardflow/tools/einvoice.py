"""E-invoices read as what they are: CII and UBL XML, standalone or inside a PDF.

A ZUGFeRD / Factur-X / XRechnung PDF carries its invoice as XML (UN/CEFACT Cross
Industry Invoice, CII); XRechnung and Peppol BIS 3 also travel as plain UBL 2.1 XML.
The XML is the invoice's machine-readable truth, so it is read directly instead of
guessing from the printed page:

* :func:`xml_syntax` tells a CII or UBL document by its root element (never by the
  file name);
* :func:`read_einvoice_xml` parses one into an :class:`EInvoice`: typed values, each
  with the path of the XML element it came from;
* :func:`embedded_einvoice` finds the XML attached to a PDF (with the maintained
  ``factur-x`` package) and reads it.

Parsing is hardened: no DTD (a document that declares one is refused, which also
rules out entity expansion), no external entities, no network access, and size caps
on the XML and on the number of lines.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from wardflow.errors import ConfigError, CorruptDocument, DocumentTooLarge, UnsupportedDocument
from wardflow.tools._xml_reader import _compact, _date, _decimal, _Reader, _text_view

__all__ = [
    "CREDIT_NOTE_CODES",
    "EInvoice",
    "EInvoiceLine",
    "MAX_LINES",
    "MAX_XML_BYTES",
    "Syntax",
    "TaxBreakdown",
    "embedded_einvoice",
    "looks_like_xml",
    "read_einvoice_xml",
    "xml_syntax",
]

log = logging.getLogger(__name__)

Syntax = Literal["CII", "UBL"]

# An EN 16931 invoice with thousands of lines stays under a few MB.
MAX_XML_BYTES = 10 * 1024 * 1024
MAX_LINES = 10_000
# UNTDID 1001 document types that are credit notes (EN 16931 code list, BT-3).
CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420",
                               "458", "532"})

_ROOTS: Mapping[str, Syntax] = {
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice": "CII",
    # ZUGFeRD 1.0 (CII D13B under its own namespace).
    "{urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument": "CII",
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "UBL",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "UBL",
}
# The names factur-x looks for, plus XRechnung's, in the PDF's embedded files.
_ATTACHMENTS = ["factur-x.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml",
                "order-x.xml"]
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class EInvoiceLine:
    """One invoice line. ``parent_line_id`` is set on sub-lines (ZUGFeRD 2.4 groups),
    whose amounts are already inside their parent's and are not added again."""

    description: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal | None
    path: str
    line_id: str | None = None
    parent_line_id: str | None = None


@dataclass(frozen=True, slots=True)
class TaxBreakdown:
    """One VAT category and rate of the document's tax breakdown."""

    rate: Decimal | None
    basis: Decimal | None
    amount: Decimal | None
    category: str | None
    path: str


@dataclass(frozen=True)
class EInvoice:
    """An e-invoice read from its XML.

    Amounts are as the XML writes them (a credit note's are positive: its type code
    says what it is). ``paths`` maps each field name that was found to the XPath of
    its element; ``text`` is a plain-text view of the whole XML (one ``path: value``
    line per element), which is what guards and explanations see of a standalone XML.
    """

    syntax: Syntax
    root: str
    profile: str | None = None
    vendor: str | None = None
    vendor_tax_id: str | None = None
    iban: str | None = None
    bic: str | None = None
    invoice_number: str | None = None
    invoice_date: date | None = None
    due_date: date | None = None
    currency: str | None = None
    line_total: Decimal | None = None
    allowance_total: Decimal | None = None
    charge_total: Decimal | None = None
    subtotal: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal | None = None
    prepaid: Decimal | None = None
    rounding: Decimal | None = None
    amount_due: Decimal | None = None
    type_code: str | None = None
    po_number: str | None = None
    buyer: str | None = None
    line_items: tuple[EInvoiceLine, ...] = ()
    taxes: tuple[TaxBreakdown, ...] = ()
    # Currencies named by the document's amounts other than its invoice currency
    # (the tax total in an accounting currency is not counted).
    other_currencies: frozenset[str] = frozenset()
    paths: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    attachment: str | None = None

    @property
    def credit_note(self) -> bool:
        """Whether the type code is a credit note's (UNTDID 1001)."""
        return self.type_code in CREDIT_NOTE_CODES or self.root == "CreditNote"

    @property
    def tax_rate(self) -> Decimal | None:
        """The one VAT rate of the document, ``None`` when it has several or none."""
        rates = {t.rate for t in self.taxes if t.rate is not None}
        return rates.pop() if len(rates) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe summary (graph state holds plain data only); ``text`` left out."""

        def plain(value: Any) -> Any:
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, date):
                return value.isoformat()
            return value

        return {
            "syntax": self.syntax, "root": self.root, "profile": self.profile,
            "attachment": self.attachment, "type_code": self.type_code,
            "credit_note": self.credit_note,
            **{name: plain(getattr(self, name)) for name in (
                "vendor", "vendor_tax_id", "iban", "bic", "invoice_number", "invoice_date",
                "due_date", "currency", "line_total", "allowance_total", "charge_total",
                "subtotal", "tax", "total", "prepaid", "rounding", "amount_due", "po_number",
                "buyer", "tax_rate")},
            "other_currencies": sorted(self.other_currencies),
            "line_items": [
                {"description": i.description, "quantity": plain(i.quantity),
                 "unit_price": plain(i.unit_price), "amount": plain(i.amount),
                 "line_id": i.line_id, "parent_line_id": i.parent_line_id, "path": i.path}
                for i in self.line_items],
            "taxes": [{"rate": plain(t.rate), "basis": plain(t.basis), "amount": plain(t.amount),
                       "category": t.category, "path": t.path} for t in self.taxes],
            "paths": dict(self.paths),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EInvoice:
        """The invoice back from :meth:`to_dict` (``text`` is not kept)."""

        def num(value: Any) -> Decimal | None:
            return None if value is None else Decimal(str(value))

        def day(value: Any) -> date | None:
            return None if value is None else date.fromisoformat(str(value))

        syntax: Syntax = "UBL" if data.get("syntax") == "UBL" else "CII"
        texts: dict[str, Any] = {name: data.get(name) for name in (
            "vendor", "vendor_tax_id", "iban", "bic", "invoice_number", "currency", "po_number",
            "buyer", "profile", "attachment", "type_code")}
        amounts: dict[str, Any] = {name: num(data.get(name)) for name in (
            "line_total", "allowance_total", "charge_total", "subtotal", "tax", "total",
            "prepaid", "rounding", "amount_due")}
        return cls(
            syntax=syntax, root=str(data.get("root", "")),
            invoice_date=day(data.get("invoice_date")), due_date=day(data.get("due_date")),
            **texts, **amounts,
            other_currencies=frozenset(data.get("other_currencies") or ()),
            line_items=tuple(
                EInvoiceLine(description=i.get("description"), quantity=num(i.get("quantity")),
                             unit_price=num(i.get("unit_price")), amount=num(i.get("amount")),
                             path=str(i.get("path", "")), line_id=i.get("line_id"),
                             parent_line_id=i.get("parent_line_id"))
                for i in data.get("line_items") or ()),
            taxes=tuple(
                TaxBreakdown(rate=num(t.get("rate")), basis=num(t.get("basis")),
                             amount=num(t.get("amount")), category=t.get("category"),
                             path=str(t.get("path", "")))
                for t in data.get("taxes") or ()),
            paths=dict(data.get("paths") or {}),
        )


# Sniffing ------------------------------------------------------------------------------
def looks_like_xml(data: bytes) -> bool:
    """Whether the bytes start like an XML document (a declaration or an element)."""
    head = data[:256]
    for bom in _BOMS:
        if head.startswith(bom):
            return True
    head = head.lstrip(b"\r\n\t ")
    return head.startswith(b"<?xml") or bool(re.match(rb"<[A-Za-z_]", head))


def xml_syntax(data: bytes, name: str = "document") -> Syntax:
    """The e-invoice syntax of an XML document, told by its root element.

    Raises:
        UnsupportedDocument: XML, but not a CII or UBL invoice (the root is named).
        CorruptDocument, DocumentTooLarge: unreadable or oversized XML.
    """
    syntax, _ = _syntax_of(_parse(data, name), name)
    return syntax


# Reading -------------------------------------------------------------------------------
def read_einvoice_xml(data: bytes, name: str = "document", *, attachment: str | None = None,
                      max_bytes: int = MAX_XML_BYTES, max_lines: int = MAX_LINES) -> EInvoice:
    """Read a CII or UBL e-invoice.

    Args:
        data: the XML bytes.
        name: the document's name, for error messages.
        attachment: the name of the PDF attachment it came from, if any.
        max_bytes, max_lines: the size caps.

    Raises:
        UnsupportedDocument: not a CII or UBL invoice.
        CorruptDocument: not well-formed, or it declares a DTD.
        DocumentTooLarge: over ``max_bytes`` or ``max_lines``.
    """
    tree = _parse(data, name, max_bytes)
    syntax, local = _syntax_of(tree, name)
    reader = _Reader(tree)
    fields = _read_cii(reader) if syntax == "CII" else _read_ubl(reader, local)
    if len(fields["line_items"]) > max_lines:
        raise DocumentTooLarge(name, f"{len(fields['line_items'])} invoice lines (at most"
                                     f" {max_lines})")
    return EInvoice(syntax=syntax, root=local, paths=reader.paths,
                    text=_text_view(tree, reader.xpaths),
                    attachment=attachment, **fields)


def embedded_einvoice(pdf: bytes, name: str = "document") -> EInvoice | None:
    """The e-invoice XML a PDF carries (ZUGFeRD, Factur-X, XRechnung), read; ``None``
    when it carries none.

    Raises:
        CorruptDocument, UnsupportedDocument, DocumentTooLarge: the PDF has an
            e-invoice attachment that cannot be read (the caller decides whether the
            visible page still counts).
        ConfigError: the ``factur-x`` package is missing.
    """
    try:
        from facturx import get_xml_from_pdf
    except ImportError as err:  # pragma: no cover - a core dependency
        raise ConfigError("reading e-invoice PDFs needs the factur-x package:"
                          " pip install 'factur-x>=3.1'") from err
    # factur-x warns about every PDF without an e-invoice, the normal case here; what
    # matters is reported by wardflow itself (addFilter is idempotent).
    logging.getLogger("factur-x").addFilter(_QUIET)
    try:
        filename, xml = get_xml_from_pdf(pdf, check_xsd=False, filenames=_ATTACHMENTS)
    except Exception as err:  # noqa: BLE001 - pypdf raises many types on odd PDFs
        # factur-x wraps pypdf, whose errors on a damaged file are of many types; the
        # page reader reports a damaged PDF on its own, so here it only means "none".
        log.debug("%s: no readable e-invoice attachment (%s)", name, err)
        return None
    if not filename or not xml:
        return None
    return read_einvoice_xml(xml, f"{name}#{filename}", attachment=str(filename))


def _errors_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR


_QUIET = _errors_only


# XML plumbing --------------------------------------------------------------------------
def _parse(data: bytes, name: str, max_bytes: int = MAX_XML_BYTES) -> Any:
    from lxml import etree

    if len(data) > max_bytes:
        raise DocumentTooLarge(name, f"{len(data)} bytes of XML (at most {max_bytes})")
    # A DTD is refused outright: e-invoices never need one, and refusing it rules out
    # entity expansion ("billion laughs") and external entities (XXE) before parsing.
    for marker in (b"<!DOCTYPE", b"<!ENTITY"):
        if marker in data or marker.decode().encode("utf-16-le") in data \
                or marker.decode().encode("utf-16-be") in data:
            raise CorruptDocument(name, "the XML declares a DTD or entities, which e-invoices"
                                        " never need; refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as err:
        raise CorruptDocument(name, f"not well-formed XML ({err})") from err
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise CorruptDocument(name, "the XML declares a DTD; refused")
    return tree


def _syntax_of(tree: Any, name: str) -> tuple[Syntax, str]:
    from lxml import etree

    root = tree.getroot()
    syntax = _ROOTS.get(root.tag)
    if syntax is None:
        raise UnsupportedDocument(
            name, f"XML, but its root element {root.tag} is not an e-invoice; wardflow reads"
                  " CII (ZUGFeRD, Factur-X, XRechnung) and UBL 2.1 (XRechnung, Peppol BIS 3)"
                  " Invoice and CreditNote")
    return syntax, str(etree.QName(root).localname)


# CII ------------------------------------------------------------------------------------
# Element names of CII D16B (ZUGFeRD 2, Factur-X, XRechnung CII) | ZUGFeRD 1.0.
_DOC = "ExchangedDocument|HeaderExchangedDocument"
_TRADE = "SupplyChainTradeTransaction|SpecifiedSupplyChainTradeTransaction"
_AGREEMENT = "ApplicableHeaderTradeAgreement|ApplicableSupplyChainTradeAgreement"
_SETTLEMENT = "ApplicableHeaderTradeSettlement|ApplicableSupplyChainTradeSettlement"
_SUMMATION = ("SpecifiedTradeSettlementHeaderMonetarySummation"
              "|SpecifiedTradeSettlementMonetarySummation")
_LINE_DELIVERY = "SpecifiedLineTradeDelivery|SpecifiedSupplyChainTradeDelivery"
_LINE_SETTLEMENT = "SpecifiedLineTradeSettlement|SpecifiedSupplyChainTradeSettlement"
_LINE_AGREEMENT = "SpecifiedLineTradeAgreement|SpecifiedSupplyChainTradeAgreement"
_LINE_SUMMATION = ("SpecifiedTradeSettlementLineMonetarySummation"
                   "|SpecifiedTradeSettlementMonetarySummation")
# Field -> element of the CII header monetary summation.
_CII_TOTALS = (("line_total", "LineTotalAmount"), ("allowance_total", "AllowanceTotalAmount"),
               ("charge_total", "ChargeTotalAmount"), ("subtotal", "TaxBasisTotalAmount"),
               ("total", "GrandTotalAmount"), ("prepaid", "TotalPrepaidAmount"),
               ("rounding", "RoundingAmount"), ("amount_due", "DuePayableAmount"))


def _read_cii(r: _Reader) -> dict[str, Any]:
    root = r.root
    out: dict[str, Any] = {}
    out["profile"] = r.text(root, "ExchangedDocumentContext|SpecifiedExchangedDocumentContext"
                                  "/GuidelineSpecifiedDocumentContextParameter/ID")
    doc = r.one(root, _DOC)
    trade = r.one(root, _TRADE)
    if doc is None or trade is None:
        return {**out, "line_items": (), "taxes": ()}
    out["invoice_number"] = r.text(doc, "ID", "invoice_number")
    out["type_code"] = r.text(doc, "TypeCode", "type_code")
    out["invoice_date"] = _date(r.text(doc, "IssueDateTime/DateTimeString", "invoice_date"))
    agreement = r.one(trade, _AGREEMENT)
    settlement = r.one(trade, _SETTLEMENT)
    if agreement is not None:
        out.update(_cii_agreement(r, agreement))
    if settlement is None:
        return {**out, "line_items": _cii_lines(r, trade), "taxes": ()}
    out.update(_cii_settlement(r, settlement))
    out["line_items"] = _cii_lines(r, trade)
    return out


def _cii_agreement(r: _Reader, agreement: Any) -> dict[str, Any]:
    """Seller, buyer and order reference of a CII trade agreement."""
    out: dict[str, Any] = {}
    seller = r.one(agreement, "SellerTradeParty")
    if seller is not None:
        out["vendor"] = r.text(seller, "Name", "vendor")
        out["vendor_tax_id"] = _compact(r.text(
            seller, "SpecifiedTaxRegistration/ID", "vendor_tax_id",
            where=lambda e: e.get("schemeID") == "VA"))
    out["buyer"] = r.text(agreement, "BuyerTradeParty/Name", "buyer")
    out["po_number"] = r.text(agreement, "BuyerOrderReferencedDocument/IssuerAssignedID",
                              "po_number")
    return out


def _cii_settlement(r: _Reader, settlement: Any) -> dict[str, Any]:
    """Currency, payee account, due date, totals and tax breakdown of a CII trade
    settlement."""
    out: dict[str, Any] = {}
    currency = r.text(settlement, "InvoiceCurrencyCode", "currency")
    out["currency"] = currency.upper() if currency else None
    means = r.all(settlement, "SpecifiedTradeSettlementPaymentMeans")
    for m in means:
        iban = r.text(m, "PayeePartyCreditorFinancialAccount/IBANID", "iban")
        if iban:
            out["iban"] = _compact(iban)
            out["bic"] = _compact(r.text(m, "PayeeSpecifiedCreditorFinancialInstitution/BICID",
                                         "bic"))
            break
    out["due_date"] = _date(r.text(settlement,
                                   "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString",
                                   "due_date"))
    summation = r.one(settlement, _SUMMATION)
    if summation is not None:
        for name, tag in _CII_TOTALS:
            out[name] = r.amount(summation, tag, name)
        out["tax"] = r.amount(summation, "TaxTotalAmount", "tax", currency=out["currency"])
    out["taxes"] = tuple(
        TaxBreakdown(
            rate=_decimal(r.text(t, "RateApplicablePercent|ApplicablePercent", "tax_rate")),
            basis=_decimal(r.text(t, "BasisAmount")),
            amount=_decimal(r.text(t, "CalculatedAmount")),
            category=r.text(t, "CategoryCode"), path=r.path(t))
        for t in r.all(settlement, "ApplicableTradeTax"))
    out["other_currencies"] = _other_currencies(
        r.root.iter(), out["currency"], skip=r.all(summation, "TaxTotalAmount")
        if summation is not None else [])
    return out


def _cii_lines(r: _Reader, trade: Any) -> tuple[EInvoiceLine, ...]:
    lines = []
    for item in r.all(trade, "IncludedSupplyChainTradeLineItem"):
        lines.append(EInvoiceLine(
            description=r.text(item, "SpecifiedTradeProduct/Name"),
            quantity=_decimal(r.text(item, f"{_LINE_DELIVERY}/BilledQuantity")),
            unit_price=_decimal(r.text(item, f"{_LINE_AGREEMENT}/NetPriceProductTradePrice"
                                             "/ChargeAmount")),
            amount=_decimal(r.text(item, f"{_LINE_SETTLEMENT}/{_LINE_SUMMATION}"
                                         "/LineTotalAmount")),
            path=r.path(item),
            line_id=r.text(item, "AssociatedDocumentLineDocument/LineID"),
            parent_line_id=r.text(item, "AssociatedDocumentLineDocument/ParentLineID"),
        ))
    return tuple(lines)


def _other_currencies(elements: Iterable[Any], currency: str | None,
                      skip: Iterable[Any]) -> frozenset[str]:
    skipped = {id(e) for e in skip}
    found = {str(e.get("currencyID")).upper() for e in elements
             if isinstance(e.tag, str) and e.get("currencyID") and id(e) not in skipped}
    return frozenset(found - {currency}) if currency else frozenset()


# UBL ------------------------------------------------------------------------------------
# Field -> element of the UBL LegalMonetaryTotal.
_UBL_TOTALS = (("line_total", "LineExtensionAmount"), ("allowance_total", "AllowanceTotalAmount"),
               ("charge_total", "ChargeTotalAmount"), ("subtotal", "TaxExclusiveAmount"),
               ("total", "TaxInclusiveAmount"), ("prepaid", "PrepaidAmount"),
               ("rounding", "PayableRoundingAmount"), ("amount_due", "PayableAmount"))


def _read_ubl(r: _Reader, local: str) -> dict[str, Any]:
    root = r.root
    credit = local == "CreditNote"
    out: dict[str, Any] = {}
    out["profile"] = r.text(root, "CustomizationID")
    out["invoice_number"] = r.text(root, "ID", "invoice_number")
    out["type_code"] = r.text(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode",
                              "type_code")
    out["invoice_date"] = _date(r.text(root, "IssueDate", "invoice_date"))
    out["due_date"] = _date(r.text(root, "DueDate", "due_date")
                            or r.text(root, "PaymentMeans/PaymentDueDate", "due_date"))
    currency = r.text(root, "DocumentCurrencyCode", "currency")
    out["currency"] = currency.upper() if currency else None
    out["po_number"] = r.text(root, "OrderReference/ID", "po_number")
    out.update(_ubl_parties(r, root))
    for means in r.all(root, "PaymentMeans"):
        iban = r.text(means, "PayeeFinancialAccount/ID", "iban")
        if iban:
            out["iban"] = _compact(iban)
            out["bic"] = _compact(r.text(means, "PayeeFinancialAccount/FinancialInstitutionBranch"
                                                "/ID", "bic"))
            break
    totals = r.one(root, "LegalMonetaryTotal")
    if totals is not None:
        for name, tag in _UBL_TOTALS:
            out[name] = r.amount(totals, tag, name)
    out.update(_ubl_taxes(r, root, out["currency"]))
    out["line_items"] = _ubl_lines(r, root, credit)
    out.setdefault("taxes", ())
    return out


def _ubl_parties(r: _Reader, root: Any) -> dict[str, Any]:
    """Seller (name and VAT id) and buyer of a UBL document."""
    out: dict[str, Any] = {}
    party = r.one(root, "AccountingSupplierParty/Party")
    if party is not None:
        # BT-27, the seller's legal name, as in CII's SellerTradeParty/Name; the trading
        # name (BT-28) only when there is no legal one.
        out["vendor"] = (r.text(party, "PartyLegalEntity/RegistrationName", "vendor")
                         or r.text(party, "PartyName/Name", "vendor"))
        out["vendor_tax_id"] = _compact(r.text(
            party, "PartyTaxScheme/CompanyID", "vendor_tax_id",
            where=lambda e: (r.text(e.getparent(), "TaxScheme/ID") or "VAT").upper() == "VAT"))
    out["buyer"] = (r.text(root, "AccountingCustomerParty/Party/PartyLegalEntity"
                                 "/RegistrationName", "buyer")
                    or r.text(root, "AccountingCustomerParty/Party/PartyName/Name", "buyer"))
    return out


def _ubl_taxes(r: _Reader, root: Any, currency: str | None) -> dict[str, Any]:
    """Tax total and breakdown (of the TaxTotal in the document currency) and the other
    currencies the amounts name (the tax totals in other currencies not counted)."""
    out: dict[str, Any] = {}
    tax_totals = r.all(root, "TaxTotal")
    own = [t for t in tax_totals if r.one(t, "TaxAmount", lambda e: e.get("currencyID")
                                           in (None, currency)) is not None]
    main = own[0] if own else (tax_totals[0] if tax_totals else None)
    if main is not None:
        out["tax"] = r.amount(main, "TaxAmount", "tax")
        out["taxes"] = tuple(
            TaxBreakdown(rate=_decimal(r.text(s, "TaxCategory/Percent", "tax_rate")),
                         basis=_decimal(r.text(s, "TaxableAmount")),
                         amount=_decimal(r.text(s, "TaxAmount")),
                         category=r.text(s, "TaxCategory/ID"), path=r.path(s))
            for s in r.all(main, "TaxSubtotal"))
    skip = [a for t in tax_totals if t is not main for a in r.all(t, "TaxAmount")]
    out["other_currencies"] = _other_currencies(root.iter(), currency, skip)
    return out


def _ubl_lines(r: _Reader, root: Any, credit: bool) -> tuple[EInvoiceLine, ...]:
    line_tag = "CreditNoteLine" if credit else "InvoiceLine"
    quantity_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
    return tuple(
        EInvoiceLine(
            description=r.text(line, "Item/Name"),
            quantity=_decimal(r.text(line, quantity_tag)),
            unit_price=_decimal(r.text(line, "Price/PriceAmount")),
            amount=_decimal(r.text(line, "LineExtensionAmount")),
            path=r.path(line), line_id=r.text(line, "ID"))
        for line in r.all(root, line_tag))
