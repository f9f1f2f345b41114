"""Synthetic e-invoices for the tests: EN 16931 CII and UBL XML written from a few
values, and Factur-X PDFs (a page drawn with fpdf2, the XML attached with factur-x).

The seller is a vendor of examples/erp.json; every amount is computed here, so a test
can change one value (the page's total, the XML's IBAN) and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Sample:
    seller: str = "Müller & Söhne Catering GmbH"
    vat_id: str = "DE199276040"
    iban: str = "DE71200505501238801177"
    buyer: str = "Wardflow Demo AG"
    number: str = "MSC-2026-1187"
    issued: str = "2026-11-10"
    due: str = "2026-12-10"
    currency: str = "EUR"
    rate: Decimal = Decimal("19")
    lines: tuple[tuple[str, Decimal, Decimal], ...] = (
        ("Buffet Konferenz, pro Person", Decimal("24"), Decimal("18.50")),
        ("Getränkepauschale", Decimal("1"), Decimal("86.00")),
    )
    type_code: str = "380"
    # Values written into the XML as they are, whatever the lines say (to break sums).
    overrides: dict[str, str] = field(default_factory=dict)

    def amounts(self) -> dict[str, Decimal]:
        line_amounts = [(q * p).quantize(CENT, ROUND_HALF_UP) for _, q, p in self.lines]
        net = sum(line_amounts, Decimal(0))
        tax = (net * self.rate / 100).quantize(CENT, ROUND_HALF_UP)
        return {"net": net, "tax": tax, "total": net + tax}

    def with_(self, **changes: Any) -> Sample:
        return replace(self, **changes)


def cii_xml(s: Sample = Sample()) -> bytes:
    """A Factur-X / ZUGFeRD 2 (EN 16931 profile) CII invoice."""
    a = s.amounts()
    o = {"total": str(a["total"]), "net": str(a["net"]), "tax": str(a["tax"]), **s.overrides}
    lines = "".join(f"""
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>{n}</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>{escape(d)}</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>{p}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{q}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{s.rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{(q * p).quantize(CENT, ROUND_HALF_UP)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>""" for n, (d, q, p) in enumerate(s.lines, 1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{escape(s.number)}</ram:ID>
    <ram:TypeCode>{s.type_code}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{s.issued.replace("-", "")}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>{lines}
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{escape(s.seller)}</ram:Name>
        <ram:PostalTradeAddress><ram:CountryID>DE</ram:CountryID></ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{s.vat_id}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>{escape(s.buyer)}</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{s.currency}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{s.iban}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>{a["tax"]}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{a["net"]}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>{s.rate}</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms>
        <ram:DueDateDateTime><udt:DateTimeString format="102">{s.due.replace("-", "")}</udt:DateTimeString></ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{a["net"]}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{o["net"]}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{s.currency}">{o["tax"]}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{o["total"]}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{o["total"]}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()


def ubl_xml(s: Sample = Sample(), *, credit_note: bool = False) -> bytes:
    """A Peppol BIS Billing 3.0 (UBL 2.1) Invoice or CreditNote."""
    a = s.amounts()
    kind = "CreditNote" if credit_note else "Invoice"
    qty_tag = "CreditedQuantity" if credit_note else "InvoicedQuantity"
    type_code = s.type_code if not credit_note or s.type_code != "380" else "381"
    due = ("" if credit_note else f"<cbc:DueDate>{s.due}</cbc:DueDate>")
    pay_due = f"<cbc:PaymentDueDate>{s.due}</cbc:PaymentDueDate>" if credit_note else ""
    lines = "".join(f"""
  <cac:{kind}Line>
    <cbc:ID>{n}</cbc:ID>
    <cbc:{qty_tag} unitCode="C62">{q}</cbc:{qty_tag}>
    <cbc:LineExtensionAmount currencyID="{s.currency}">{(q * p).quantize(CENT, ROUND_HALF_UP)}</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>{escape(d)}</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{s.rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="{s.currency}">{p}</cbc:PriceAmount></cac:Price>
  </cac:{kind}Line>""" for n, (d, q, p) in enumerate(s.lines, 1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{kind} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{kind}-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{escape(s.number)}</cbc:ID>
  <cbc:IssueDate>{s.issued}</cbc:IssueDate>
  {due}
  <cbc:{kind}TypeCode>{type_code}</cbc:{kind}TypeCode>
  <cbc:DocumentCurrencyCode>{s.currency}</cbc:DocumentCurrencyCode>
  <cac:OrderReference><cbc:ID>PO-77</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>MSC Catering</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>{s.vat_id}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>{escape(s.seller)}</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyLegalEntity><cbc:RegistrationName>{escape(s.buyer)}</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans>
    <cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>{pay_due}
    <cac:PayeeFinancialAccount><cbc:ID>{s.iban}</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="{s.currency}">{a["tax"]}</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="{s.currency}">{a["net"]}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="{s.currency}">{a["tax"]}</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{s.rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{s.currency}">{a["net"]}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{s.currency}">{a["net"]}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{s.currency}">{a["total"]}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{s.currency}">{a["total"]}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{lines}
</{kind}>
""".encode()


def _de(amount: Decimal) -> str:
    """German style: 1.234,56."""
    whole, cents = f"{amount:,.2f}".split(".")
    return f"{whole.replace(',', '.')},{cents}"


def page_pdf(s: Sample = Sample(), *, shown_total: Decimal | None = None,
             shown_iban: str | None = None, shown_seller: str | None = None) -> bytes:
    """The visible invoice page of ``s`` (what a human sees), optionally showing another
    total, IBAN or seller than the sample's."""
    from fpdf import FPDF

    a = s.amounts()
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    seller = shown_seller or s.seller
    text = [
        seller, "Hafenstraße 12, 20457 Hamburg", f"USt-IdNr.: {s.vat_id}", "",
        f"Rechnung an: {s.buyer}", "",
        f"Rechnung Nr. {s.number}", f"Rechnungsdatum: {s.issued[8:10]}.{s.issued[5:7]}.{s.issued[:4]}",
        f"Fällig am: {s.due[8:10]}.{s.due[5:7]}.{s.due[:4]}", "",
    ]
    for d, q, p in s.lines:
        text.append(f"{d}   {q} x {_de(p)} EUR   {_de((q * p).quantize(CENT, ROUND_HALF_UP))} EUR")
    text += ["", f"Nettobetrag: {_de(a['net'])} EUR",
             f"USt {s.rate} %: {_de(a['tax'])} EUR",
             f"Gesamtbetrag: {_de(shown_total if shown_total is not None else a['total'])} EUR",
             "", f"Bitte überweisen Sie an IBAN {_spaced(shown_iban or s.iban)}"]
    for line in text:
        pdf.cell(0, 7, line.encode("latin-1", "replace").decode("latin-1"),
                 new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _spaced(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def facturx_pdf(page: bytes, xml: bytes) -> bytes:
    """``page`` with ``xml`` attached as factur-x.xml (Factur-X EN 16931)."""
    from facturx import generate_from_binary

    return bytes(generate_from_binary(page, xml, flavor="factur-x", level="en16931",
                                      check_xsd=False))
