"""Pattern rules for an instruction to an automated agent inside a document, in the
seven languages wardflow reads (EN, DE, FR, NL, ES, IT, PL).

The English, German and French rules of :mod:`wardflow.guardrails._injection_rules`
name the families; these carry the same families into all seven languages, in the
informal register an attacker uses for a machine (business letters say Sie, vous, u,
usted, Lei, Pan/Pani):

* ``addressed_to_ai``: a note or an instruction headed to the AI, the language model or
  the summary ("Hinweis an die Zusammenfassung:", "Nota para el resumen:"); a bracketed
  ``[assistant]`` tag or a vocative "KI-Assistent," at the start of a sentence is weaker.
* ``ai_conditional`` ("si eres una IA"), ``ai_duty`` ("L'IA doit ...", "De AI moet").
* ``reader_process``: the moment of a machine reader's work named as the moment to act:
  "when you read this", "after processing this document", "while summarising", "before
  you continue" (informal you only).
* ``reader_asked``: what to do when someone asks about the document ("if someone asks
  about this invoice, ...").
* ``approval_demand``: mark the invoice as approved or paid, classify the vendor as
  trusted, set the risk score or level.
* ``no_oversight``: "without asking anyone".
* ``review_suppression``: skip a named check.
* ``exfiltration``: list the tools it can call, show its system prompt.
* ``audit_tampering``: delete the audit entry or log.
* ``exfiltration`` also: copy the text into an e-mail, send the list of suppliers with
  their bank details; ``data_submission``: open a link and enter the vendor's data there;
  ``payment_redirect``: the payer's own payment file or run named in a document.
* ``reader_output``: answer only, or from now on, in a language.

Only ``addressed_to_ai`` (to a machine noun), ``ai_conditional``, ``exfiltration`` and
``reader_output`` reach the default threshold of 0.5 alone; the others need a second
signal. These rules read documents only: at the prompt the user is the principal.
"""

from __future__ import annotations

from wardflow.guardrails._rule import Rule, _rule

__all__ = ["AGENT_RULES"]

# A machine reader, per language (the model, the AI, the summary it writes).
_MACHINE = (
    r"(?:a\.?i\.?|ai|ki|ia|llm|ki-assistent(?:in)?|ai[- ]assistant|assistant ia"
    r"|language model|sprachmodell|modèle de langage|taalmodel|modelo de lenguaje"
    r"|modello (?:linguistico|di linguaggio)|model(?:u|owi)? językow(?:y|ego|emu)"
    r"|summary|summari[sz]er|zusammenfassung|résumé|samenvatting|resumen|riassunto"
    r"|podsumowani[ae]|streszczeni[ae])"
)
_NOTE = (
    r"(?:note|notice|message|instructions?|ps|p\.s\.|memo|hinweis|nachricht|anweisung"
    r"|notiz|p\.-s\.|remarque|consigne|instructions?|notitie|opmerking|bericht|instructie"
    r"|nota|instrucción|mensaje|istruzion[ei]|messaggio|uwaga|polecenie|instrukcja"
    r"|wiadomość|notatka)"
)
_TO = r"(?:to|for|an|für|pour|à|voor|aan|para|a|per|dla|do)"
_THE = (
    r"(?:the |die |das |den |der |l'|la |le |les |de |het |el |il |lo |al |alla |allo"
    r" |all'|del )?"
)
_MACHINE_WORDS = (
    "ai ki ia llm assistant assistent language model sprachmodell modèle"
    " taalmodel modelo modello modelu modelowi summary summarizer summariser"
    " zusammenfassung résumé samenvatting resumen riassunto podsumowania"
    " podsumowanie streszczenia"
)
_AI = r"(?:a\.?i\.?|ai|ki|ia|llm|un'ia|una ia|een ai|eine ki)"
_MODAL = (
    r"(?:must|should|shall|needs to|muss|soll|sollte|doit|devrait|moet|zou moeten"
    r"|debe|debería|deve|dovrebbe|musi|powinn[ao]|ma)"
)
_SKIP = r"(?:skip|überspringe?|saute[rz]?|sla|sáltate|salta|pomiń)"
_CHECK = (
    r"(?:\w*checks?|\w*prüfung|\w*kontrolle|vérification\w*|contrôle\w*|\w*controle"
    r"|comprobación\w*|controll[oi]\w*|kontrol[eęi]\w*|sprawdz\w*)"
)
_LANG = (
    r"(?:english|german|french|dutch|spanish|italian|polish|portuguese|russian|chinese"
    r"|englisch|deutsch|französisch|niederländisch|spanisch|italienisch|polnisch"
    r"|portugiesisch|anglais|allemand|français|néerlandais|espagnol|italien|polonais"
    r"|portugais|engels|duits|frans|nederlands|spaans|italiaans|pools|portugees"
    r"|inglés|alemán|francés|español|italiano|polaco|portugués|inglese|tedesco"
    r"|francese|olandese|spagnolo|polacco|portoghese|angielsk\w*|niemieck\w*"
    r"|francusk\w*|hiszpańsk\w*|włosk\w*|portugalsk\w*|polsk\w*)"
)

_ANSWER = (
    r"(?:answer|respond|reply|antworte|réponds|antwoord|responde|contesta|rispondi"
    r"|odpowiadaj|odpowiedz)"
)
# "only" or "from now on" just before the imperative (or the sentence's opening words).
_ONLY = (
    r"(?:(?:only|nur|seulement|uniquement|alleen|solo|solamente|tylko|from now on"
    r"|ab jetzt|désormais|vanaf nu|a partir de ahora|d'ora in poi|od teraz),?)"
)
_ONLY_BEFORE = rf"{_ONLY}\s+(?:\S+\s+)?"
_ONLY_WORDS = (
    "only nur seulement uniquement alleen solo solamente tylko now jetzt désormais"
    " nu ahora ora teraz"
)
_IN_LANG = rf"(?:in|auf|en|op|po|w)\s+(?:het |el )?{_LANG}\b"

AGENT_RULES: tuple[Rule, ...] = (
    _rule("addressed_to_ai", 0.55, _MACHINE_WORDS, rf"\b{_NOTE}\s+{_TO}\s+{_THE}{_MACHINE}\s*:"),
    _rule(
        "addressed_to_ai",
        0.45,
        "",
        r"(?:^|[.!?:]\s+)\[(?:assistant|assistent|asistente|assistente|asystent|ai|ki|ia)\]",
        "[assistant] [assistent] [asistente] [assistente] [asystent] [ai] [ki] [ia]",
    ),
    _rule(
        "addressed_to_ai",
        0.45,
        _MACHINE_WORDS + " asystencie",
        r"(?:^|[.!?:]\s+)(?:ki-assistent(?:in)?|asistente de ia|assistente (?:ia|ai)"
        r"|asystencie (?:ai|si)|ai[- ]assistant|assistant ia)\s*[:,]",
    ),
    _rule(
        "ai_conditional",
        0.6,
        "si se als jeśli jeżeli wenn if | ia ai ki sztuczną",
        r"\b(?:si eres|se sei|als je|jeśli jesteś|jeżeli jesteś) (?:una |un'|een |un )?"
        r"(?:ia|ai|ki|llm|sztuczną inteligencją|modelo de lenguaje|modello linguistico"
        r"|taalmodel|modelem językowym)\b",
    ),
    _rule(
        "ai_duty",
        0.45,
        "ai ki ia llm | must should shall needs muss soll sollte doit"
        " devrait moet zou debe debería deve dovrebbe musi powinna powinno ma",
        rf"\b(?:the |die |l'|la |de |el )?{_AI}\s+{_MODAL}\b",
    ),
    _rule(
        "reader_process",
        0.45,
        "read reading liest lis lisez leest leas lees leggi"
        " czytasz | this this das dies ceci dit esto questo to",
        r"\b(?:when|once|as soon as|after) you read this\b|\bwenn du (?:das|dies) liest\b"
        r"|\bquand tu lis ceci\b|\bals je dit leest\b|\bcuando leas esto\b"
        r"|\bquando leggi questo\b|\bkiedy to czytasz\b|\bnach dem lesen\b",
    ),
    _rule(
        "reader_process",
        0.45,
        "processing verarbeitung traité verwerken procesar"
        " elaborato przetworzeniu summarizing summarising zusammenfassen résumé samenvatten"
        " resumes riassumi streszczania weitermachst verdergaat przejdziesz",
        r"\b(?:after processing|nach der verarbeitung|après avoir traité|na het verwerken"
        r"|después de procesar|dopo aver elaborato|po przetworzeniu)"
        r" (?:this|dieses|ce|dit|este|questo|tego) (?:\w+)"
        r"|\b(?:while summari[sz]ing|pendant le résumé|tijdens het samenvatten"
        r"|mientras resumes|mentre riassumi|podczas streszczania)\b"
        r"|\b(?:bevor du weitermachst|voordat je verdergaat|zanim przejdziesz dalej)\b",
    ),
    _rule(
        "reader_asked",
        0.45,
        "asks fragt demande pose vraagt pregunta chiede zapyta",
        r"\b(?:if|falls|wenn|si|als|se|jeśli|jeżeli) (?:someone|anyone|jemand"
        r"|quelqu'un|iemand|alguien|qualcuno|ktoś|the user)\s+(?:\S+\s+){0,4}?(?:asks"
        r"|fragt|demande|pose une question|vraagt|pregunta|chiede|zapyta)\b",
    ),
    _rule(
        "reader_asked",
        0.45,
        "asked questioned gefragt demande interrogé gevraagd"
        " pregunten preguntan chiedono zapytany | respond reply answer say report state"
        " tell antworte sage réponds dis antwoord zeg responde di rispondi odpowiedz",
        r"\b(?:if|when) (?:you are |you're )?(?:asked|questioned)\b[^.\n]{0,80}?,\s*(?:simply |just "
        r"|then )?(?:respond|reply|answer|say|report|state|tell)\b",
    ),
    _rule(
        "harmful_task",
        0.55,
        "write compose generate schreibe écris escribe scrivi schrijf"
        " napisz | negative unfriendly offensive hateful insulting toxic racist mean rude"
        " negativen beleidigenden négative méchante insultante negativa ofensiva negativa"
        " offensiva negatieve beledigende negatywne obraźliwe",
        r"\b(?:write|compose|generate|schreibe?|écris|escribe|scrivi|schrijf|napisz)\s+"
        r"(?:\S+\s+)?(?:negative|unfriendly|offensive|hateful|insulting|toxic|racist|mean"
        r"|rude|negativen|beleidigenden|négative|méchante|insultante|negativa|ofensiva"
        r"|offensiva|negatieve|beledigende|negatywne|obraźliwe)\s+(?:\S+\s+)?"
        r"(?:sentences?|comments?|jokes?|texts?|tweets?|posts?|remarks?|statements?|satz"
        r"|kommentar|phrase|commentaire|frase|comentario|commento|zin|opmerking|zdanie"
        r"|komentarz)\s+(?:about|über|sur|sobre|su|sull\w*|over|o)\b",
    ),
    _rule(
        "approval_demand",
        0.4,
        "mark markiere marque markeer marca segna oznacz classify"
        " stufe classe deel clasifica classifica markeren markieren kennzeichnen einstufen"
        " | approved paid approuvée payée"
        " goedgekeurd betaald aprobada pagada approvata pagata"
        " trusted vertrauenswürdig fiable betrouwbaar affidabile zaufan* opłacon* zatwierdzon*"
        " genehmigt"
        " bezahlt",
        r"\b(?:mark|markiere|marque|markeer|marca|segna|oznacz|classify|stufe|classe"
        r"|deel|clasifica|classifica)\b[^.\n]{0,40}?\b(?:as|als|comme|como|come|jako)?"
        r"\s*(?:approved|paid|approuvée|payée|goedgekeurd|betaald|aprobada|pagada"
        r"|approvata|pagata|zatwierdzon\w+|opłacon\w+|trusted|vertrauenswürdig|fiable"
        r"|betrouwbaar|affidabile|zaufan\w+|genehmigt|bezahlt)\b"
        r"|\bals (?:goedgekeurd|betaald|betrouwbaar|genehmigt|bezahlt|vertrauenswürdig)"
        r" (?:markeren|markieren|kennzeichnen|einstufen)\b",
    ),
    _rule(
        "approval_demand",
        0.4,
        "risk risiko risikostufe risikobewertung risque risico"
        " risiconiveau risicoscore riesgo rischio ryzyka",
        r"\b(?:set|setze?|mets|zet|pon|imposta|ustaw)\b[^.\n]{0,40}?\b(?:risk|risiko\w*"
        r"|risque|risico\w*|riesgo|rischio|ryzyka)\b[^.\n]{0,30}?\b(?:to|auf|à|op|en|a|su"
        r"|na)\s+(?:0|low|niedrig|faible|laag|bajo|basso|niski)\b",
    ),
    _rule(
        "no_oversight",
        0.4,
        "asking fragen demander vragen preguntar chiedere pytając",
        r"\bwithout asking anyone\b|\bohne jemanden zu fragen\b|\bsans demander à personne\b"
        r"|\bzonder iemand te vragen\b|\bsin preguntar a nadie\b|\bsenza chiedere a nessuno\b"
        r"|\bnie pytając nikogo\b",
    ),
    _rule(
        "review_suppression",
        0.55,
        "skip überspringe überspring saute sautez sla sáltate salta pomiń omit",
        rf"\b{_SKIP}\s+(?:the |die |den |das |la |le |de |il |lo )?(?:\w+[- ])?{_CHECK}\b",
    ),
    _rule(
        "exfiltration",
        0.7,
        "tools werkzeuge outils herramientas strumenti narzędzia prompt systemprompt systeemprompt",
        r"\b(?:list|liste|enumera|elenca|wymień|wypisz|show|zeige|montre|toon|muestra|mostra"
        r"|pokaż|noem)\b[^.\n]{0,30}?\b(?:tools|werkzeuge|outils|herramientas|strumenti"
        r"|narzędzia)\b[^.\n]{0,20}?\b(?:call|use|aufrufen|nutzen|appeler|utiliser"
        r"|aanroepen|gebruiken|llamar|usar|chiamare|usare|wywołać|użyć)\b"
        r"|\b(?:your|deine[nr]?|ton|tes|je|tu|il tuo|swój|twój)\s+(?:system ?prompt"
        r"|systemprompt|systeemprompt|prompt (?:système|de sistema|di sistema|systemowy))\b",
    ),
    _rule(
        "exfiltration",
        0.6,
        "copy kopiere kopier copie copiez kopieer copia skopiuj | text texte tekst texto testo"
        " tekst | mail email e",
        r"\b(?:copy|kopiere|kopier|copie[rz]?|kopieer|copia|skopiuj)\s+(?:\S+\s+){0,3}?(?:text"
        r"|texte|tekst|texto|testo)\b[^.\n]{0,50}?\b(?:into|in|to|dans|naar|en|do|a)\s+"
        r"(?:an? |eine |un |een |una |uno )?(?:e-?mail|mail|correo|wiadomoś\w+)\b",
    ),
    _rule(
        "exfiltration",
        0.7,
        "list liste lijst lista listę elenco | bank bankdaten rib rekeningnummers bancarias"
        " bancari kont iban accounts",
        r"\b(?:list|liste|lijst|lista|listę|elenco)\s+(?:\S+\s+){0,3}?(?:suppliers|vendors"
        r"|lieferanten|fournisseurs|leveranciers|proveedores|fornitori|dostawców)\b"
        r"[^.\n]{0,30}?\b(?:bank\w*|rib|iban\w*|rekeningnummers|cuentas bancarias"
        r"|conti bancari|numerami kont)\b",
    ),
    _rule(
        "payment_redirect",
        0.4,
        "payment zahlungsdatei paiement betaalbestand pagos pagamento płatności",
        r"\b(?:payment file|payment run|zahlungsdatei|zahllauf|fichier de paiement"
        r"|betaalbestand|fichero de pagos|file di pagamento|pliku płatności)\b",
    ),
    _rule(
        "data_submission",
        0.45,
        "open öffne ouvre abre apri otwórz | vendor supplier lieferantendaten fournisseur"
        " leveranciersgegevens proveedor fornitore dostawcy",
        r"\b(?:open|öffne|ouvre|abre|apri|otwórz)\s+(?:\S+\s+){1,4}?(?:and|und|et|en|e|y|i)\s+"
        r"[^.\n]{0,40}?\b(?:vendor|supplier|lieferanten\w*|fournisseur|leveranciers\w*"
        r"|proveedor|fornitore|dostawcy)\b",
    ),
    _rule(
        "audit_tampering",
        0.6,
        "delete remove erase lösche entferne supprime efface"
        " verwijder borra elimina cancella usuń skasuj | audit audits",
        r"\b(?:delete|remove|erase|lösche|entferne|supprime|efface|verwijder|borra|elimina"
        r"|cancella|usuń|skasuj)\b[^.\n]{0,30}?\baudit\w*",
    ),
    _rule(
        "reader_output",
        0.55,
        _ONLY_WORDS,
        rf"\b{_ANSWER}\b(?:\s+\S+){{0,5}}?\s+{_IN_LANG}",
        before=_ONLY_BEFORE,
    ),
    _rule(
        "reader_output",
        0.55,
        _ONLY_WORDS,
        rf"\b{_ANSWER}\s+(?:\S+\s+){{0,2}}?{_ONLY}\s+(?:\S+\s+){{0,4}}?{_IN_LANG}",
    ),
)
