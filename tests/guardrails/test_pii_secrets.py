"""Personal data and credentials: each detector on true and false cases."""

from __future__ import annotations

import pytest

from wardflow.guardrails.pii import find_pii, iban_is_valid, luhn_is_valid, mask_pii
from wardflow.guardrails.secrets import find_secrets, redact_secrets


@pytest.mark.parametrize("iban", ["DE29 1002 0400 0471 1820 35", "GB45TMBK40271631857264",
                                  "FR76 3014 8007 2100 0521 8340 713", "CH0708390000416274301"])
def test_valid_ibans(iban: str) -> None:
    assert iban_is_valid(iban)
    [match] = find_pii(f"IBAN: {iban}\nBIC: XYZ")
    assert match.kind == "IBAN" and match.value == iban.replace(" ", "")


@pytest.mark.parametrize("iban", ["DE29 1002 0400 0471 1820 36", "DE29 1002 0400 0471 1820",
                                  "XX00 0000 0000 0000 0000 00"])
def test_invalid_ibans_are_not_taken_for_accounts(iban: str) -> None:
    assert not iban_is_valid(iban)
    assert all(m.kind != "IBAN" for m in find_pii(f"IBAN: {iban}"))


def test_iban_glued_to_the_next_word_is_cut_at_its_length() -> None:
    [match] = find_pii("IBAN:DE73200505501236680042BIC")
    assert match.kind == "IBAN" and match.text == "DE73200505501236680042"


def test_cards_need_luhn_and_an_issuer_prefix() -> None:
    assert luhn_is_valid("4111111111111111") and not luhn_is_valid("4111111111111112")
    kinds = [m.kind for m in find_pii("Card: 4111 1111 1111 1111, order 4111 1111 1111 1112")]
    assert kinds == ["CARD"]


def test_emails_phones_and_addresses() -> None:
    text = ("Nordlicht Software GmbH, Torstraße 140, 10119 Berlin\n"
            "billing@nordlicht-software.example · +49 30 5557 2140 · Tel. 030 5557 2141\n"
            "14 Cowcross Street, London\n27 rue de la République · 69002 Lyon\n"
            "Karl-Liebknecht-Straße 88 / Königsbrücker Straße 96 / Am Holzhafen 7")
    found = {(m.kind, m.text) for m in find_pii(text)}
    assert ("EMAIL", "billing@nordlicht-software.example") in found
    assert ("PHONE", "+49 30 5557 2140") in found and ("PHONE", "030 5557 2141") in found
    for street in ("Torstraße 140", "14 Cowcross Street", "27 rue de la République",
                   "Karl-Liebknecht-Straße 88", "Königsbrücker Straße 96", "Am Holzhafen 7"):
        assert ("ADDRESS", street) in found, street


@pytest.mark.parametrize("text", [
    "SSN 123-45-6789", "NI number: AB 12 34 56 C", "Steuer-ID: 65929970489",
    "N° sécurité sociale : 1 85 05 78 006 084 91",
])
def test_national_ids_with_their_checks(text: str) -> None:
    assert [m.kind for m in find_pii(text)] == ["NATIONAL_ID"]


@pytest.mark.parametrize("text", [
    "SSN 000-45-6789", "Steuer-ID: 65929970480", "N° sécurité sociale : 1 85 05 78 006 084 92",
    "NI number: QQ 12 34 56 C",
    "Invoice No. NLS-INV-2026-0412", "Total due EUR 2,146.76", "VAT ID: DE274518364",
    "Rechnungsnummer RE-2026-10873 vom 03.09.2026", "Catering 12 Personen", "Arbeitsplatz 3",
    "ACH routing no. (ABA): 321274832", "Account no.: 4410 2287 9163", "KvK 24381057",
])
def test_business_numbers_are_not_personal_data(text: str) -> None:
    assert find_pii(text) == [], find_pii(text)


def test_mask_pii_keeps_the_kind_only() -> None:
    masked = mask_pii("pay DE29 1002 0400 0471 1820 35, ask billing@x.example")
    assert masked == "pay <IBAN>, ask <EMAIL>"


@pytest.mark.parametrize(("text", "kind"), [
    ("key AKIAIOSFODNN7EXAMPLE", "aws_access_key"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_token"),
    ("OPENAI_API_KEY sk-proj-abcdefghijklmnopqrstuvwxyz123456", "api_key"),
    ("sk_live_abcdefghijklmnop1234", "stripe_key"),
    ("xoxb-1234567890-abcdefghij", "slack_token"),
    ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "google_api_key"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0", "jwt"),
    ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz.12345", "bearer_token"),
    ("https://admin:s3cr3tpw@erp.example.com/api", "url_credentials"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----", "private_key"),
    ("password: hunter2!x", "password"), ("Passwort: Sommer2026", "password"),
    ("mot de passe : Soleil#2026", "password"), ("api_key=9f8e7d6c5b4a39281706", "api_key"),
])
def test_secrets_are_found_and_redacted(text: str, kind: str) -> None:
    redacted, found = redact_secrets(text)
    assert [s.kind for s in found] == [kind]
    assert f"[REDACTED:{kind}]" in redacted
    secret = text[found[0].start:found[0].end]
    assert secret not in redacted


@pytest.mark.parametrize("text", [
    "Password: ********", "The password reset link expires in 24 hours.", "Shipping: 12.00",
    "Payment reference: NLS-INV-2026-0412", "IBAN: DE29 1002 0400 0471 1820 35",
    "tokens: 3 (support tickets)",
])
def test_ordinary_text_has_no_secrets(text: str) -> None:
    assert find_secrets(text) == []


def test_a_document_scanned_again_gives_equal_matches_the_caller_may_change() -> None:
    from wardflow.guardrails.pii import find_pii

    text = ("Rechnung an Frau Erika Mustermann, Musterstraße 12, 10115 Berlin\n" * 10
            + "IBAN DE89 3704 0044 0532 0130 00, erika.mustermann@example.org\n")
    first = find_pii(text)
    first.clear()  # a caller's list is its own: the next scan is not affected
    again = find_pii(text)
    assert again == find_pii(text + " ")[:len(again)]
    assert {m.kind for m in again} >= {"IBAN", "EMAIL", "ADDRESS"}
