"""The pattern rules of the injection detector: name, weight, regular expression.

Weights are calibrated so that one strong signal (an instruction override, a request
to leak secrets, chat markup) reaches the default threshold of 0.5 on its own, while a
weak one (an urgent payment request, a note addressed to "the assistant") needs a
second signal. Honest invoices say "please pay immediately" and "note to the accounts
team"; they rarely also tell a reader to skip its review.

English, German and French are covered. Business phrases that look like overrides
("ignore the previous invoice", "disregard our previous payment instructions") are
excluded by the nouns the rules require and by :data:`BENIGN_OBJECT`.
"""

from __future__ import annotations

import re

__all__ = ["BENIGN_FOLLOWER", "BENIGN_OBJECT", "ESCALATION_RULES", "RULES", "Rule"]

Rule = tuple[str, float, re.Pattern[str]]

_AI = (
    r"(?:A\.?I\.?|KI|IA|LLMs?|GPT(?:-?\d\w*)?|ChatGPT|Claude|Gemini|Copilot|Llama"
    r"|(?:AI|KI|IA)[- ]?(?:assistant|assistent(?:in)?|agent|model|modell|modèle|system|système"
    r"|reviewer|bot|tool)s?|(?:large )?language models?|sprachmodell|modèle de langage"
    r"|(?:virtual|digital) assistant|assistant (?:IA|virtuel)|chatbot|automated (?:\w+ )?"
    r"(?:system|processor|reviewer|agent|assistant|parser|pipeline|workflow|tool)s?)"
)
_AI_OR_ROLE = rf"(?:{_AI}|assistant|agent|model|bot|machine)"
_RULES_NOUN = (
    r"(?:instructions?|prompts?|rules?|guidelines?|directives?|directions?|polic(?:y|ies)"
    r"|constraints?|guardrails?|context|programming|commands?"
    r"|restrictions?|safeguards?|system message)"
)


def _rules(*specs: tuple[str, float, str]) -> tuple[Rule, ...]:
    return tuple(
        (name, weight, re.compile(pattern, re.IGNORECASE | re.MULTILINE))
        for name, weight, pattern in specs
    )


_BUSINESS = (
    r"(?:payment|paiement|zahlungs?|delivery|livraison|liefer\w*|shipping|exp[ée]dition"
    r"|versand\w*|bank(?:ing)?|bancaires?|wire|remittance|packing|installation|montage"
    r"|assembly|care|washing|cleaning|booking|travel|invoicing|billing|ordering|bestell\w*)"
)
# Around an override match, these words make it a business instruction ("disregard
# our previous payment instructions", "les instructions de paiement précédentes"),
# not an attack on a model: checked on the words before the noun and right after it.
BENIGN_OBJECT = re.compile(rf"\b{_BUSINESS}\b(?:\s+[\w-]+)?\s*$", re.IGNORECASE)
BENIGN_FOLLOWER = re.compile(
    rf"^\s*(?:(?:for|regarding|about|on|concerning|re:?)\s+(?:the\s+|our\s+|your\s+|any\s+)?"
    rf"(?:\w+\s+)?{_BUSINESS}|(?:de|d'|pour la|pour le)\s*{_BUSINESS}|bancaires)\b",
    re.IGNORECASE,
)

RULES: tuple[Rule, ...] = _rules(
    ("instruction_override", 0.9,
     r"\b(?:ignore|disregard|forget|override|overrule|bypass|discard|abandon|neglect|drop)\b"
     r"(?:\s+[\w'-]+){0,4}?\s+(?:previous|prior|above|earlier|preceding|original|initial|all"
     r"|any|your|the|system|other|existing|these|those)\b(?:\s+[\w'-]+){0,3}?\s+"
     rf"{_RULES_NOUN}\b"
     r"|\bforget (?:everything|all(?: of)? (?:that|this|the above))\b"
     r"|\b(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte(?:n)?|übergeh(?:e|en))\b"
     r"(?:\s+\S+){0,4}?\s+(?:alle[nrs]?|deine[nrs]?|ihre[nrs]?|die|sämtliche)?\s*"
     r"(?:\S+\s+){0,2}?(?:anweisungen|anordnungen|instruktionen|regeln|vorgaben|richtlinien"
     r"|befehle|prüfregeln|systemanweisungen)\b"
     r"|\b(?:ignore[rz]?|oublie[rz]?|ne tiens? pas compte d\w*|ne tenez pas compte d\w*"
     r"|fais abstraction d\w*|faites abstraction d\w*)\b(?:\s+\S+){0,3}?\s*(?:les|des|tes|vos"
     r"|toutes les|tous les)\s+(?:\S+\s+){0,2}?(?:instructions|consignes|règles|directives"
     r"|ordres|contrôles)\b"),
    ("addressed_to_ai", 0.45,
     r"\b(?:dear|hey|hi|hello|attention|attn\.?|note to|notice to|message to|memo to|reminder"
     r" (?:to|for)|instructions? (?:to|for)|hinweis (?:an|für)|nachricht an|anweisung an"
     r"|à l'attention d[eu]|note (?:pour|à)|message (?:pour|à)|cher|chère|liebe[rs]?)\s+"
     r"(?:the |any |all |every |our |your |das |die |den |der |l'|la |le |les )?"
     rf"{_AI_OR_ROLE}\b"
     rf"|^[\s>*#-]*{_AI}\s*[:,]"),
    ("ai_conditional", 0.6,
     r"\bif you(?:'re| are) (?:an? |the )?(?:AI|A\.I\.|LLM|(?:large )?language model|automated"
     r"|bot|machine|model|assistant|chatbot)"
     r"|\bwenn (?:du|sie) (?:eine? )?(?:KI|sprachmodell|bot|assistent)"
     r"|\bsi (?:tu es|vous êtes) (?:une? )?(?:IA|intelligence artificielle|modèle|bot|assistant)"),
    ("ai_reader", 0.55,
     rf"\b(?:any|all|every|each) {_AI_OR_ROLE} (?:that is |which is )?(?:reading|processing"
     r"|parsing|reviewing|analy[sz]ing|handling|summari[sz]ing)\b"
     r"|\b(?:system|model|assistant|agent|tool|software|program|pipeline|processor|LLM|AI)"
     r" (?:that is |which is )?(?:reading|processing|parsing|reviewing|analy[sz]ing|handling"
     r"|summari[sz]ing) (?:this|these) (?:document|invoice|e-?mail|message|file|text|pdf)s?\b"),
    ("role_override", 0.7,
     r"\byou are now\b|\bfrom now on,? you\b|\byou (?:will|must|shall) now (?:act|behave|respond"
     r"|answer|follow)|\bpretend (?:to be|you are|that you)\b"
     r"|\bnew (?:system )?(?:instructions?|prompt|rules|task|role|directive)s?\s*:"
     r"|\byour (?:new|real|actual|true) (?:task|role|instructions?|goal|objective|job) (?:is|are)\b"
     r"|\bdu bist (?:jetzt|ab sofort|nun|ab jetzt)\b|\bab (?:jetzt|sofort) (?:bist du|wirst du"
     r"|musst du)\b|\bneue (?:system)?anweisungen?\s*:|\bdeine (?:neue|eigentliche) aufgabe\b"
     r"|\bverhalte dich (?:wie|als)\b|\btu es (?:maintenant|désormais)\b|\bvous êtes (?:maintenant"
     r"|désormais)\b|\bà partir de maintenant,? (?:tu|vous)\b"
     r"|\bnouvelles? (?:instructions?|consignes?)\s*:|\b(?:ta|votre) (?:nouvelle|vraie) (?:tâche"
     r"|mission)\b|\bfais semblant\b|\bfaites semblant\b"),
    ("jailbreak", 0.8,
     r"\bdeveloper mode\b|\bjailbr(?:eak|oken)\b|\bDAN mode\b|\bdo anything now\b"
     r"|\b(?:act|behave|respond) as (?:an? )?(?:unrestricted|unfiltered|uncensored|jailbroken)"
     r"|\bwithout (?:any )?(?:restrictions|filters|safety)\b"),
    ("act_as_privileged", 0.4,
     r"\b(?:act|behave|respond|operate) as (?:if you were )?(?:an? |the )?(?:admin(?:istrator)?"
     r"|approver|controller|system|root|superuser|cfo|auditor)\b"
     r"|\bagis? (?:en tant qu|comme)(?:e |')?(?:administrateur|approbateur|contrôleur)"
     r"|\bhandle (?:als|wie) (?:der |ein )?(?:administrator|genehmiger|controller)"),
    ("chat_markup", 0.7,
     r"<\|?(?:system|im_start|im_end|endoftext|user|assistant)\|?>|\[/?(?:SYSTEM|INST)\]"
     r"|<</?SYS>>|^#{2,}\s*(?:system|instruction|new instructions)\b|\bBEGIN (?:SYSTEM )?PROMPT\b"
     r"|\bEND OF (?:DOCUMENT|INVOICE|USER INPUT)\b|<<<\s*DOCUMENT|DOCUMENT\s*>>>"
     r"|</?(?:document|system|instructions?|user_input|prompt)>"),
    ("chat_role_label", 0.3,
     r"^\s*(?:system|assistant|user|developer)\s*:"),
    ("approval_demand", 0.4,
     r"\b(?:approve|authori[sz]e|release|pay|process|post|book|accept|clear)\b[^.\n]{0,40}?"
     r"\b(?:immediately|right away|at once|without (?:any |further |additional )?(?:review"
     r"|approval|checks?|verification|validation|questions?)|automatically|for immediate"
     r" payment)\b"
     r"|\bmark (?:this|it|the (?:invoice|document|payment)) as (?:approved|paid|verified"
     r"|validated|legitimate|safe|trusted|low[- ]risk|compliant)\b"
     r"|\b(?:is|was|has been) (?:already )?(?:pre-?approved|pre-?verified|whitelisted"
     r"|allow-?listed)\b"
     r"|\b(?:set|change|update|lower) (?:the |its )?(?:risk|confidence|fraud|trust)"
     r"(?: score| level| rating)? (?:to|=)"
     r"|\bclassify (?:this|it) as (?:benign|safe|legitimate|low[- ]risk|approved)\b"
     r"|\btreat (?:this|it|the (?:invoice|document)) as (?:approved|verified|trusted|legitimate"
     r"|safe)\b"
     r"|\broute (?:this|it) (?:directly )?to (?:payment|posting|auto-?approval)\b"
     r"|\b(?:genehmig\w*|freigeb\w*|buch\w*|zahl\w*)\b[^.\n]{0,40}?\bohne (?:weitere )?"
     r"(?:prüfung|freigabe|kontrolle|rückfrage)\b"
     r"|\bmarkiere (?:diese|die) rechnung als (?:genehmigt|bezahlt|geprüft|freigegeben)\b"
     r"|\bist bereits (?:vor)?genehmigt\b"
     r"|\b(?:approuve[rz]?|valide[rz]?|paye[rz]?|autorise[rz]?)\b[^.\n]{0,40}?\bsans"
     r" (?:vérification|contrôle|validation|examen|revue)\b"
     r"|\bmarque[rz]? (?:cette|la) facture comme (?:approuvée|payée|validée)\b"
     r"|\best (?:déjà )?pré-?approuvée?\b"),
    ("review_suppression", 0.55,
     r"\b(?:do not|don't|never|no need to|must not|should not|shouldn't)\s+(?:be\s+)?"
     r"(?:flag(?:ged)?|escalat\w*|review(?:ed)?|question(?:ed)?|report(?:ed)? (?:this|it)"
     r"|send (?:this|it) (?:for|to) (?:review|a human)|route[d]? (?:this|it) to (?:a )?"
     r"(?:human|review))\b"
     r"|\bskip(?:ping)? (?:the |any |all )?(?:manual |human )?(?:review|approval|verification"
     r"|validation|checks?|fraud checks?)\b"
     r"|\bbypass(?:ing)? (?:the |any |all )?(?:approval|review|verification|checks?|controls?"
     r"|guard(?:rail)?s?|filters?|workflow)\b"
     r"|\bwithout (?:human|manual) (?:review|approval|oversight|intervention)\b"
     r"|\b(?:disable|turn off|deactivate|switch off) (?:the |all |any )?(?:guard(?:rail)?s?"
     r"|filters?|safety|checks?|review|audit(?: log)?|logging|monitoring)\b"
     r"|\b(?:nicht|keinesfalls) (?:zur prüfung )?(?:markieren|melden|eskalieren|beanstanden)\b"
     r"|\b(?:überspring\w*|umgeh\w*) (?:die |den |alle )?(?:prüfung|freigabe|kontrolle"
     r"|genehmigung)\w*\b"
     r"|\bohne (?:manuelle |menschliche )(?:prüfung|freigabe|kontrolle)\b"
     r"|\bne (?:la |le |les )?(?:signale[rz]?|escalade[rz]?|examine[rz]?)(?: pas| jamais)\b"
     r"|\bne pas (?:signaler|escalader|examiner|vérifier)\b"
     r"|\bsans (?:vérification|contrôle|validation|examen|revue) (?:manuelle|humaine)\b"
     r"|\b(?:contourne[rz]?) (?:la |le |les )?(?:validation|contrôles?|vérifications?"
     r"|approbation)\b"),
    ("review_not_needed", 0.35,
     r"\bno (?:manual |human )?(?:review|approval|verification) (?:is )?(?:needed|necessary"
     r"|required)\b|\bkeine (?:prüfung|freigabe) (?:nötig|notwendig|erforderlich)\b"
     r"|\baucune (?:vérification|validation) (?:n'est )?(?:nécessaire|requise)\b"),
    ("exfiltration", 0.7,
     r"\b(?:reveal|print|repeat|output|show|display|disclose|leak|send|e-?mail|forward|post"
     r"|upload|include|return|list|dump|exfiltrate)\b[^.\n]{0,40}?\b(?:(?:your|the) (?:system"
     r" |initial |original |hidden |secret )?(?:prompt|instructions|configuration)"
     r"|api[ _-]?keys?|passwords?|(?:login |admin |system )?credentials|secrets?|access tokens?"
     r"|all (?:vendor|bank|customer|supplier|employee|payment) (?:data|details|records"
     r"|information)|(?:the )?vendor master(?: data)?|(?:the )?(?:database|erp) (?:contents"
     r"|records|dump))\b"
     r"|!\[[^\]]*\]\(https?://[^)\s]*[?&][^)\s]*\)"
     r"|\b(?:gib|zeige?|verrate|sende|schicke)\b[^.\n]{0,40}?\b(?:deine[nr]? (?:system-?)?"
     r"(?:prompt|anweisungen)|passw(?:o|ö)rter?|zugangsdaten|api-?schlüssel)\b"
     r"|\b(?:révèle[rz]?|affiche[rz]?|envoie[rz]?|donne[rz]?)\b[^.\n]{0,40}?\b(?:(?:ton|votre)"
     r" (?:prompt|invite)|tes instructions|vos instructions|mots? de passe|identifiants"
     r"|clés? api)\b"),
    ("payment_redirect", 0.35,
     r"\b(?:change|set|replace|update|overwrite|switch)\b[^.\n]{0,20}?\b(?:iban|bank account"
     r"|account number|beneficiary|payee|recipient|amount|total)(?: field| value)?\s+(?:to|with"
     r"|=)\s"),
    ("tool_invocation", 0.7,
     r"\b(?:call|invoke|execute|trigger)\s+(?:the\s+)?`?(?:erp_post_invoice|erp_lookup_vendor"
     r"|erp_find_invoices|storage_put|storage_get|storage_archive|[\w-]+ (?:tool|function))`?"
     r"|\b(?:erp_post_invoice|storage_put|storage_archive|erp_lookup_vendor)\s*\("
     r"|\b(?:execute|run|eval) (?:the following|this) (?:code|command|script|sql|query)\b"
     r"|\bfunction_call\b|\"tool_calls?\"\s*:"),
    ("output_manipulation", 0.4,
     r"\b(?:respond|reply|answer|output|return) (?:only |just |exactly )(?:with )?"
     r"|\b(?:respond|reply|answer) with (?:only|just|exactly|the word)\b"
     r"|\bin your (?:output|summary|json|extraction|analysis|classification|assessment)\b"
     r"|\b(?:report|extract|record|enter|output|set) the (?:total|amount|vendor|iban|invoice"
     r" number|due date)(?: field)? as\b"),
    ("decode_and_follow", 0.6,
     r"\b(?:decode|base64-?decode|decrypt|unscramble|reverse)\b[^.\n]{0,50}?\b(?:follow|execute"
     r"|obey|do what it says|apply|carry out|act on)\b"),
)

# Checked on user prompts only: asking the system to lower its own controls.
ESCALATION_RULES: tuple[Rule, ...] = _rules(
    ("control_bypass", 0.6,
     r"\b(?:skip|bypass|disable|turn off|switch off|ignore|circumvent|override|deactivate"
     r"|remove|suspend)\b[^.\n]{0,25}?\b(?:review|reviews|approvals?|guard(?:rail)?s?|checks?"
     r"|controls?|audit(?:ing| log| trail)?|logging|compliance|limits?|segregation of duties"
     r"|four-eyes|4-eyes|verification|rate limits?|policy|policies)\b"
     r"|\bwithout (?:any )?(?:review|approval|checks?|verification|controls?|oversight)\b"
     r"|\bohne (?:prüfung|freigabe|kontrolle|genehmigung)\b"
     r"|\bsans (?:vérification|validation|contrôle|approbation)\b"),
    ("claimed_authority", 0.5,
     r"\b(?:i am|i'm|as) (?:the |an? )?(?:admin(?:istrator)?|controller|cfo|ceo|auditor|approver"
     r"|superuser|root|owner)\b[^.\n]{0,40}?\b(?:approve|authori[sz]e|grant|allow|override"
     r"|permit|tell you|order you|instruct)"),
    ("privilege_change", 0.6,
     r"\b(?:grant|give) (?:me|my account|user \w+) (?:admin|controller|approver|root|full|elevated)"
     r"|\b(?:raise|increase|change|set|lift) (?:my |the )?approval limits?\b"
     r"|\b(?:delete|erase|purge|truncate|rewrite|edit) (?:the |all )?(?:audit|logs?|trail|records?"
     r"|history)\b"
     r"|\b(?:approve|post|pay) (?:all|every|everything|any)\b[^.\n]{0,30}?\b(?:automatically"
     r"|without|regardless)\b"
     r"|\bmark (?:all|every|everything)\b[^.\n]{0,20}\b(?:approved|paid|verified)\b"),
)
