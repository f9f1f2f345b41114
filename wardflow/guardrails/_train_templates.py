"""Generated training text for the injection classifier (written for wardflow, not
copied): attack sentences aimed at whoever reads a document, and benign business
e-mail sentences, in English, German, French, Dutch, Spanish, Italian and Polish.

Attacks are what an invoice sender would slip into a genuine document: steer the
summary or the answer, add a link, switch the language, run another task first,
change a posted value, approve or pay, leak data, call a tool. Benign sentences
include the hard cases: requests between people ("please quote the invoice number",
"visit our portal", "ignore the previous reminder", "reply to confirm").

Templates use ``{name}`` fillers from :data:`FILLERS`.
"""

from __future__ import annotations

from wardflow.guardrails._train_attacks import ATTACKS, READER_ATTACKS, TASK_ATTACKS
from wardflow.guardrails._train_benign import (
    BENIGN,
    LETTERS,
    NOTICES,
    OPENERS,
    REQUESTS,
    USER_PROMPTS,
)

__all__ = ["ATTACKS", "BENIGN", "FILLERS", "LANGUAGES", "LETTERS", "MODEL_NAMES", "NOTICES",
           "OPENERS", "READER_ATTACKS", "REQUESTS", "TASK_ATTACKS", "USER_PROMPTS"]

LANGUAGES = ("en", "de", "fr", "nl", "es", "it", "pl")

FILLERS: dict[str, tuple[str, ...]] = {
    "url": ("https://pay-verify.example.net/inv", "http://secure-portal.example.org/login",
            "https://bit.example/x7Qa", "www.invoice-update.example.com", "https://acc0unts.example/confirm",
            "https://payments-check.example.io/?id=4471"),
    "email": ("billing-update@example.net", "finance.desk@example.org", "ap-team@example.com",
              "j.smith@example.biz"),
    "phone": ("+44 20 7946 0991", "+49 30 901820 44", "+33 1 84 88 00 12", "+31 20 794 1122"),
    "iban": ("DE89370400440532013000", "GB33BUKB20201555555555", "FR7630006000011234567890189",
             "NL91ABNA0417164300", "ES9121000418450200051332"),
    "amount": ("9,850.00", "12.400,00", "48 200,00", "1,999.99", "75.000,00"),
    "topic": ("the ocean", "autumn leaves", "our company", "a cat", "friendship", "spring",
              "the moon", "coffee"),
    "word": ("APPROVED", "OK", "PAID", "SAFE", "VERIFIED", "no issues found"),
    "vendor": ("Cobalt Ridge Ltd", "Nordlicht Software GmbH", "Atelier Mercier SARL",
               "Van der Berg Logistics B.V.", "Rossi Forniture S.r.l.", "Kowalski Sp. z o.o.",
               "Hernández Suministros S.L."),
    "name": ("Jana Lindqvist", "Markus Kessler", "Emily Harrow", "Camille Roux", "Pieter de Vries",
             "Giulia Bianchi", "Piotr Nowak", "Lucía Gómez"),
    "inv": ("INV-004131", "RE-2026-10911", "F2026-0931", "VDB-26-08902", "FT-2026-118",
            "FV/2026/0412", "FAC-2026-0077"),
    "date": ("14.10.2026", "31 October 2026", "2026-11-15", "15/11/2026", "3 December 2026"),
    "amt": ("1,245.00", "2.146,76", "389,90", "12,480.00", "918.45", "3 849,01"),
}

# Who agentdojo's attack templates name as the user and as the model.
MODEL_NAMES: tuple[str, ...] = ("GPT-4", "Claude", "AI assistant", "Llama", "AI model",
                                "Gemini", "assistant")
