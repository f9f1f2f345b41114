"""The pattern rules of the injection detector: name, weight, pre-check, expression.

Weights are calibrated so that one strong signal (an instruction override, a request
to leak secrets, chat markup) reaches the default threshold of 0.5 on its own, while a
weak one (an urgent payment request, a note addressed to "the assistant") needs a
second signal. Honest invoices say "please pay immediately" and "note to the accounts
team"; they rarely also tell a reader to skip its review.

English, German and French are covered here; the rules for instructions to the
reader about its own output or process (:mod:`wardflow.guardrails._reader_rules`)
cover Dutch, Spanish, Italian and Polish too, and read documents only. Business
phrases that look like overrides ("ignore the previous invoice", "disregard our
previous payment instructions") are
excluded by the nouns the rules require and by :data:`BENIGN_OBJECT`. Several rules
may share a name (one per phrasing family, each with its own cheap pre-check); the
score counts a name once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wardflow.guardrails._agent_rules import AGENT_RULES
from wardflow.guardrails._operator_rules import OPERATOR_ESCALATION_RULES, OPERATOR_RULES
from wardflow.guardrails._processor_rules import PROCESSOR_RULES
from wardflow.guardrails._reader_rules import READER_RULES
from wardflow.guardrails._rule import Rule, _rule

__all__ = [
    "BENIGN_FOLLOWER",
    "BENIGN_OBJECT",
    "ESCALATION_RULES",
    "OPERATOR_PREFIXES",
    "PREFIXES",
    "PROMPT_RULES",
    "RULES",
    "VOCABULARY",
    "VOCABULARY_PREFIXES",
    "Rule",
]


def _prefix_pattern(rules: Iterable[Rule]) -> re.Pattern[str]:
    entries = sorted({e[:-1] for r in rules for g in r.groups for e in g if e.endswith("*")},
                     key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, entries)) + ")")


_AI = (
    r"(?:a\.?i\.?|ki|ia|llms?|gpt(?:-?\d\w*)?|chatgpt|claude|gemini|copilot|llama"
    r"|(?:ai|ki|ia)[- ]?(?:assistant|assistent(?:in)?|agent|model|modell|modèle|system|système"
    r"|reviewer|bot|tool)s?|(?:large )?language models?|sprachmodell|modèle de langage"
    r"|(?:virtual|digital) assistant|assistant (?:ia|virtuel)|chatbot|automated (?:\w+ )?"
    r"(?:system|processor|reviewer|agent|assistant|parser|pipeline|workflow|tool)s?)"
)
_AI_WORDS = ("ai ki ia llm llms gpt chatgpt claude gemini copilot llama assistant assista* agent"
             " agents model models modell modèle bot chatbot machine language sprachmodell"
             " automated virtual digital")
_AI_OR_ROLE = rf"(?:{_AI}|assistant|agent|model|bot|machine)"
_RULES_NOUN = (
    r"(?:instructions?|prompts?|rules?|guidelines?|directives?|directions?|polic(?:y|ies)"
    r"|constraints?|guardrails?|context|programming|commands?|restrictions?|safeguards?"
    r"|system message)"
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

RULES: tuple[Rule, ...] = (
    # -- overriding the model's instructions --------------------------------------
    _rule("instruction_override", 0.9,
          "ignore disregard forget override overrule bypass discard abandon neglect drop",
          r"\b(?:ignore|disregard|forget|override|overrule|bypass|discard|abandon|neglect"
          r"|drop)\b(?:\s+[\w'-]+){0,4}?\s+(?:previous|prior|above|earlier|preceding|original"
          r"|initial|all|any|your|the|system|other|existing|these|those)\b"
          rf"(?:\s+[\w'-]+){{0,3}}?\s+{_RULES_NOUN}\b(?!\s*(?:numbers?|no\b|nr\b|holders?))"
          r"|\bforget (?:everything|all(?: of)? (?:that|this|the above))\b"),
    _rule("instruction_override", 0.9,
          "ignorier* vergiss vergessen missacht* übergeh*",
          r"\b(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte(?:n)?|übergeh(?:e|en))\b"
          r"(?:\s+\S+){0,4}?\s+(?:alle[nrs]?|deine[nrs]?|ihre[nrs]?|die|sämtliche)?\s*"
          r"(?:\S+\s+){0,2}?(?:anweisungen|anordnungen|instruktionen|regeln|vorgaben"
          r"|richtlinien|befehle|prüfregeln|systemanweisungen)\b"),
    _rule("instruction_override", 0.9,
          "ignorer ignorez ignore oublie oublier oubliez tiens tenez fais faites",
          r"\b(?:ignore[rz]?|oublie[rz]?|ne tiens? pas compte d\w*|ne tenez pas compte d\w*"
          r"|fais abstraction d\w*|faites abstraction d\w*)\b(?:\s+\S+){0,3}?\s*(?:les|des|tes"
          r"|vos|toutes les|tous les)\s+(?:\S+\s+){0,2}?(?:instructions|consignes|règles"
          r"|directives|ordres|contrôles)\b"),
    # -- text that speaks to a model ----------------------------------------------
    _rule("addressed_to_ai", 0.45,
          "dear hey hi hello attention attn note notice message memo reminder instruction"
          " instructions hinweis nachricht anweisung cher chère liebe lieber liebes"
          f" | {_AI_WORDS}",
          r"\b(?:dear|hey|hi|hello|attention|attn\.?|note to|notice to|message to|memo to"
          r"|reminder (?:to|for)|instructions? (?:to|for)|hinweis (?:an|für)|nachricht an"
          r"|anweisung an|à l'attention d[eu]|note (?:pour|à)|message (?:pour|à)|cher|chère"
          r"|liebe[rs]?)\s+(?:the |any |all |every |our |your |das |die |den |der |l'|la |le"
          rf" |les )?{_AI_OR_ROLE}\b"),
    _rule("addressed_to_ai", 0.45, _AI_WORDS, rf"^[\s>*#-]*{_AI}\s*[:,]", "a.i"),
    _rule("ai_conditional", 0.6,
          "if wenn si | ai llm model language automated bot machine assistant chatbot ki"
          " sprachmodell ia intelligence modèle assistent",
          r"\bif you(?:'re| are) (?:an? |the )?(?:ai|a\.i\.|llm|(?:large )?language model"
          r"|automated|bot|machine|model|assistant|chatbot)"
          r"|\bwenn (?:du|sie) (?:eine? )?(?:ki|sprachmodell|bot|assistent)"
          r"|\bsi (?:tu es|vous êtes) (?:une? )?(?:ia|intelligence artificielle|modèle|bot"
          r"|assistant)"),
    _rule("ai_reader", 0.55,
          "reading processing parsing reviewing analysing analyzing handling summarising"
          " summarizing",
          rf"\b(?:any|all|every|each) {_AI_OR_ROLE} (?:that is |which is )?(?:reading"
          r"|processing|parsing|reviewing|analy[sz]ing|handling|summari[sz]ing)\b"
          r"|\b(?:system|model|assistant|agent|tool|software|program|pipeline|processor|llm|ai)"
          r" (?:that is |which is )?(?:reading|processing|parsing|reviewing|analy[sz]ing"
          r"|handling|summari[sz]ing) (?:this|these) (?:document|invoice|e-?mail|message|file"
          r"|text|pdf)s?\b"),
    # -- new roles and tasks ------------------------------------------------------
    _rule("role_override", 0.7,
          "now pretend instruction instructions prompt task role rules directive goal"
          " objective job",
          r"\byou are now\b|\bfrom now on,? you\b|\byou (?:will|must|shall) now (?:act|behave"
          r"|respond|answer|follow)|\bpretend (?:to be|you are|that you)\b"
          r"|\bnew (?:system )?(?:instructions?|prompt|rules|task|role|directive)s?\s*:"
          r"|\byour (?:new|real|actual|true) (?:task|role|instructions?|goal|objective|job)"
          r" (?:is|are)\b"),
    _rule("role_override", 0.7,
          "jetzt sofort nun anweisung anweisungen aufgabe verhalte",
          r"\bdu bist (?:jetzt|ab sofort|nun|ab jetzt)\b|\bab (?:jetzt|sofort) (?:bist du"
          r"|wirst du|musst du)\b|\bneue (?:system)?anweisungen?\s*:|\bdeine (?:neue"
          r"|eigentliche) aufgabe\b|\bverhalte dich (?:wie|als)\b"),
    _rule("role_override", 0.7,
          "maintenant désormais nouvelles nouvelle tâche mission semblant",
          r"\btu es (?:maintenant|désormais)\b|\bvous êtes (?:maintenant|désormais)\b"
          r"|\bà partir de maintenant,? (?:tu|vous)\b|\bnouvelles? (?:instructions?"
          r"|consignes?)\s*:|\b(?:ta|votre) (?:nouvelle|vraie) (?:tâche|mission)\b"
          r"|\bfais semblant\b|\bfaites semblant\b"),
    _rule("jailbreak", 0.8,
          "developer jailbreak jailbroken dan anything unrestricted unfiltered uncensored"
          " restrictions filters safety",
          r"\bdeveloper mode\b|\bjailbr(?:eak|oken)\b|\bdan mode\b|\bdo anything now\b"
          r"|\b(?:act|behave|respond) as (?:an? )?(?:unrestricted|unfiltered|uncensored"
          r"|jailbroken)|\bwithout (?:any )?(?:restrictions|filters|safety)\b"),
    _rule("act_as_privileged", 0.4,
          "act behave respond operate agis agir handle | admin administrator approver"
          " controller system root superuser cfo auditor administrateur approbateur"
          " contrôleur genehmiger",
          r"\b(?:act|behave|respond|operate) as (?:if you were )?(?:an? |the )?(?:admin"
          r"(?:istrator)?|approver|controller|system|root|superuser|cfo|auditor)\b"
          r"|\bagis? (?:en tant qu|comme)(?:e |')?(?:administrateur|approbateur|contrôleur)"
          r"|\bhandle (?:als|wie) (?:der |ein )?(?:administrator|genehmiger|controller)"),
    _rule("chat_markup", 0.7, "",
          r"<\|?(?:system|im_start|im_end|endoftext|user|assistant)\|?>|\[/?(?:system|inst)\]"
          r"|<</?sys>>|^#{2,}\s*(?:system|instruction|new instructions)\b"
          r"|\bbegin (?:system )?prompt\b|\bend of (?:document|invoice|user input)\b"
          r"|^#{2,}\s*\(system[_ ]?message\)|<<<\s*document|document\s*>>>"
          r"|</?(?:document|system|instructions?|user_input"
          r"|prompt)>",
          "<| [inst [/inst [system [/system <<sys <</sys ## begin~ end~of <<< >>> </"
          " <document <system <instruction <user_input <prompt (system_message)"
          " (system~message)"),
    _rule("chat_role_label", 0.3, "system assistant user developer",
          r"^\s*(?:system|assistant|user|developer)\s*:"),
    # -- pushing the workflow: approve, mark as paid, skip review -----------------
    _rule("approval_demand", 0.4,
          "approve authorise authorize release pay process post book accept clear"
          " | immediately right once without automatically immediate",
          r"\b(?:approve|authori[sz]e|release|pay|process|post|book|accept|clear)\b"
          r"[^.\n]{0,40}?\b(?:immediately|right away|at once|without (?:any |further"
          r" |additional )?(?:review|approval|checks?|verification|validation|questions?)"
          r"|automatically|for immediate payment)\b"),
    _rule("approval_demand", 0.4,
          "mark treat classify route | approved paid verified validated legitimate safe"
          " trusted low compliant benign payment posting auto",
          r"\bmark (?:this|it|the (?:invoice|document|payment)) as (?:approved|paid|verified"
          r"|validated|legitimate|safe|trusted|low[- ]risk|compliant)\b"
          r"|\bclassify (?:this|it) as (?:benign|safe|legitimate|low[- ]risk|approved)\b"
          r"|\btreat (?:this|it|the (?:invoice|document)) as (?:approved|verified|trusted"
          r"|legitimate|safe)\b"
          r"|\broute (?:this|it) (?:directly )?to (?:payment|posting|auto-?approval)\b"),
    _rule("approval_demand", 0.4,
          "preapproved pre approved preverified verified whitelisted allowlisted allow"
          " listed",
          r"\b(?:is|was|has been) (?:already )?(?:pre-?approved|pre-?verified|whitelisted"
          r"|allow-?listed)\b"),
    _rule("approval_demand", 0.4,
          "set change update lower | risk confidence fraud trust",
          r"\b(?:set|change|update|lower) (?:the |its )?(?:risk|confidence|fraud|trust)"
          r"(?: score| level| rating)? (?:to|=)"),
    _rule("approval_demand", 0.4,
          "genehmig* freigeb* buch* zahl* markiere bereits",
          r"\b(?:genehmig\w*|freigeb\w*|buch\w*|zahl\w*)\b[^.\n]{0,40}?\bohne (?:weitere )?"
          r"(?:prüfung|freigabe|kontrolle|rückfrage)\b"
          r"|\bmarkiere (?:diese|die) rechnung als (?:genehmigt|bezahlt|geprüft|freigegeben)\b"
          r"|\bist bereits (?:vor)?genehmigt\b"),
    _rule("approval_demand", 0.4,
          "approuve* valide* paye* autorise* marque* pré préapprouvée",
          r"\b(?:approuve[rz]?|valide[rz]?|paye[rz]?|autorise[rz]?)\b[^.\n]{0,40}?\bsans"
          r" (?:vérification|contrôle|validation|examen|revue)\b"
          r"|\bmarque[rz]? (?:cette|la) facture comme (?:approuvée|payée|validée)\b"
          r"|\best (?:déjà )?pré-?approuvée?\b"),
    _rule("review_suppression", 0.55,
          "not don never no must should shouldn | flag flagged escalate escalated review"
          " reviewed question questioned report reported send route routed",
          r"\b(?:do not|don't|never|no need to|must not|should not|shouldn't)\s+(?:be\s+)?"
          r"(?:flag(?:ged)?|escalat\w*|review(?:ed)?|question(?:ed)?|report(?:ed)? (?:this"
          r"|it)|send (?:this|it) (?:for|to) (?:review|a human)|route[d]? (?:this|it) to"
          r" (?:a )?(?:human|review))\b"),
    _rule("review_suppression", 0.55,
          "skip skipping bypass bypassing override circumvent without disable turn deactivate"
          " switch",
          r"\bskip(?:ping)? (?:the |any |all )?(?:manual |human )?(?:review|approval"
          r"|verification|validation|checks?|fraud checks?)\b"
          r"|\b(?:bypass(?:ing)?|override|circumvent) (?:the |any |all |its |your )?"
          r"(?:approval|review|verification|checks?|controls?|guard(?:rail)?s?|filters?"
          r"|workflow|approval limits?|spending limits?|payment limits?|limits?)\b"
          r"|\bwithout (?:human|manual) (?:review|approval|oversight|intervention)\b"
          r"|\b(?:disable|turn off|deactivate|switch off) (?:the |all |any )?(?:guard(?:rail)?s?"
          r"|filters?|safety|checks?|review|audit(?: log)?|logging|monitoring)\b"),
    _rule("review_suppression", 0.55,
          "nicht keinesfalls überspring* umgeh* ohne",
          r"\b(?:nicht|keinesfalls) (?:zur prüfung )?(?:markieren|melden|eskalieren"
          r"|beanstanden)\b"
          r"|\b(?:überspring\w*|umgeh\w*) (?:die |den |alle )?(?:prüfung|freigabe|kontrolle"
          r"|genehmigung)\w*\b"
          r"|\bohne (?:manuelle |menschliche )(?:prüfung|freigabe|kontrolle)\b"),
    _rule("review_suppression", 0.55,
          "ne sans contourner contournez contourne",
          r"\bne (?:la |le |les )?(?:signale[rz]?|escalade[rz]?|examine[rz]?)(?: pas| jamais)\b"
          r"|\bne pas (?:signaler|escalader|examiner|vérifier)\b"
          r"|\bsans (?:vérification|contrôle|validation|examen|revue) (?:manuelle|humaine)\b"
          r"|\bcontourne[rz]? (?:la |le |les )?(?:validation|contrôles?|vérifications?"
          r"|approbation)\b"),
    _rule("review_not_needed", 0.35,
          "needed necessary required nötig notwendig erforderlich nécessaire requise",
          r"\bno (?:manual |human )?(?:review|approval|verification) (?:is )?(?:needed"
          r"|necessary|required)\b|\bkeine (?:prüfung|freigabe) (?:nötig|notwendig"
          r"|erforderlich)\b|\baucune (?:vérification|validation) (?:n'est )?(?:nécessaire"
          r"|requise)\b"),
    # -- leaking data, calling tools, steering the output -------------------------
    _rule("exfiltration", 0.7,
          "reveal print repeat output show display disclose leak send email mail forward post"
          " upload include return list dump exfiltrate | prompt instructions configuration api"
          " keys key password passwords credentials secret secrets tokens token data details"
          " records information master contents dump",
          r"\b(?:reveal|print|repeat|output|show|display|disclose|leak|send|e-?mail|forward"
          r"|post|upload|include|return|list|dump|exfiltrate)\b[^.\n]{0,40}?\b(?:(?:your|the)"
          r" (?:system |initial |original |hidden |secret )?(?:prompt|instructions"
          r"|configuration)|api[ _-]?keys?|passwords?(?!\s*(?:polic|rules?\b|reset))"
          r"|(?:login |admin |system )?credentials"
          r"|secrets?|access tokens?|all (?:vendor|bank|customer|supplier|employee|payment)"
          r" (?:data|details|records|information)|(?:the )?vendor master(?: data)?|(?:the )?"
          r"(?:database|erp) (?:contents|records|dump))\b"),
    _rule("exfiltration", 0.7, "",
          r"!\[[^\]]*\]\(https?://[^)\s]*[?&][^)\s]*\)", "!["),
    _rule("exfiltration", 0.7,
          "gib zeige zeig verrate sende schicke révèle révéler révélez affiche afficher"
          " affichez envoie envoyer envoyez donne donner donnez",
          r"\b(?:gib|zeige?|verrate|sende|schicke)\b[^.\n]{0,40}?\b(?:deine[nr]? (?:system-?)?"
          r"(?:prompt|anweisungen)|passw(?:o|ö)rter?|zugangsdaten|api-?schlüssel)\b"
          r"|\b(?:révèle[rz]?|affiche[rz]?|envoie[rz]?|envoye[rz]|donne[rz]?)\b[^.\n]{0,40}?"
          r"\b(?:(?:ton|votre) (?:prompt|invite)|tes instructions|vos instructions|mots? de"
          r" passe|identifiants|clés? api)\b"),
    _rule("payment_redirect", 0.35,
          "change set replace update overwrite switch | iban account beneficiary payee"
          " recipient amount total",
          r"\b(?:change|set|replace|update|overwrite|switch)\b[^.\n]{0,20}?\b(?:iban|bank"
          r" account|account number|beneficiary|payee|recipient|amount|total)(?: field"
          r"| value| in (?:the |our |your )?[\w -]{0,20}?(?:master|record|file|system|erp))?"
          r"\s+(?:to|with|=)\s"),
    _rule("tool_invocation", 0.7,
          "call invoke execute trigger run eval | erp storage tool function code command"
          " script sql query",
          r"\b(?:call|invoke|execute|trigger)\s+(?:the\s+)?`?(?:erp_post_invoice"
          r"|erp_lookup_vendor|erp_find_invoices|storage_put|storage_get|storage_archive"
          r"|[\w-]+ (?:tool|function))`?"
          r"|\b(?:execute|run|eval) (?:the following|this) (?:code|command|script|sql|query)\b"),
    _rule("tool_invocation", 0.7, "",
          r"\b(?:erp_post_invoice|storage_put|storage_archive|erp_lookup_vendor)\s*\("
          r"|\bfunction_call\b|\"tool_calls?\"\s*:",
          "erp_post_invoice( storage_put( storage_archive( erp_lookup_vendor( function_call"
          " tool_call"),
    _rule("output_manipulation", 0.4,
          "respond reply answer output return | only just exactly word",
          r"\b(?:respond|reply|answer|output|return) (?:only |just |exactly )(?:with )?"
          r"|\b(?:respond|reply|answer) with (?:only|just|exactly|the word)\b"),
    _rule("output_manipulation", 0.4,
          "your | output summary json extraction analysis classification assessment",
          r"\bin your (?:output|summary|json|extraction|analysis|classification|assessment)\b"),
    _rule("output_manipulation", 0.4,
          "report extract record enter output set | total amount vendor iban number due",
          r"\b(?:report|extract|record|enter|output|set) the (?:total|amount|vendor|iban"
          r"|invoice number|due date)(?: field)? as\b"),
    _rule("decode_and_follow", 0.6,
          "decode base64 decrypt unscramble reverse",
          r"\b(?:decode|base64-?decode|decrypt|unscramble|reverse)\b[^.\n]{0,50}?\b(?:follow"
          r"|execute|obey|do what it says|apply|carry out|act on)\b"),
)

# Checked on user prompts only: asking the system to lower its own controls.
ESCALATION_RULES: tuple[Rule, ...] = (
    _rule("control_bypass", 0.6,
          "skip bypass disable turn switch ignore circumvent override deactivate remove"
          " suspend",
          r"\b(?:skip|bypass|disable|turn off|switch off|ignore|circumvent|override|deactivate"
          r"|remove|suspend)\b[^.\n]{0,25}?\b(?:review|reviews|approvals?|guard(?:rail)?s?"
          r"|checks?|controls?|audit(?:ing| log| trail)?|logging|compliance|limits?"
          r"|segregation of duties|four-eyes|4-eyes|verification|rate limits?|policy"
          r"|policies)\b(?!\s*(?:numbers?|no\b|nr\b|holders?))"),
    _rule("control_bypass", 0.6, "without ohne sans",
          r"\bwithout (?:any )?(?:review|approval|checks?|verification|controls?|oversight)\b"
          r"|\bohne (?:prüfung|freigabe|kontrolle|genehmigung)\b"
          r"|\bsans (?:vérification|validation|contrôle|approbation)\b"),
    _rule("claimed_authority", 0.5,
          "am as | admin administrator controller cfo ceo auditor approver superuser root owner",
          r"\b(?:i am|i'm|as) (?:the |an? )?(?:admin(?:istrator)?|controller|cfo|ceo|auditor"
          r"|approver|superuser|root|owner)\b[^.\n]{0,40}?\b(?:approve|authori[sz]e|grant"
          r"|allow|override|permit|tell you|order you|instruct)"),
    _rule("privilege_change", 0.6,
          "grant give raise increase change set lift delete erase purge truncate rewrite"
          " edit approve post pay mark",
          r"\b(?:grant|give) (?:me|my account|user \w+) (?:admin|controller|approver|root|full"
          r"|elevated)"
          r"|\b(?:raise|increase|change|set|lift) (?:my |the )?approval limits?\b"
          r"|\b(?:delete|erase|purge|truncate|rewrite|edit) (?:the |all )?(?:audit|logs?"
          r"|trail|records?|history)\b"
          r"|\b(?:approve|post|pay) (?:all|every|everything|any)\b[^.\n]{0,30}?\b(?:automatically"
          r"|without|regardless)\b"
          r"|\bmark (?:all|every|everything)\b[^.\n]{0,40}\b(?:approved|paid|verified)\b"),
)

# An operator's attempts to change the agent's rules, role or controls, in all seven
# languages (:mod:`wardflow.guardrails._operator_rules`).
ESCALATION_RULES = (*ESCALATION_RULES, *OPERATOR_ESCALATION_RULES)

# Instructions about the reader's own output or process, and the families above in all
# seven languages (their own modules, for size).
RULES = (*RULES, *READER_RULES, *AGENT_RULES, *PROCESSOR_RULES)
# A prompt's author is the reader's principal: asking for a translation, a poem or the
# list of tools there is an ordinary request, so those rules read documents only.
PROMPT_RULES: tuple[Rule, ...] = tuple(r for r in RULES
                                       if r not in READER_RULES and r not in AGENT_RULES
                                       and r not in PROCESSOR_RULES) + OPERATOR_RULES

_ALL_RULES = (*RULES, *OPERATOR_RULES, *ESCALATION_RULES)
_OPERATOR = (*OPERATOR_RULES, *OPERATOR_ESCALATION_RULES)
# One pass finds which prefix entries (``ignorier*``) a text contains; a prefix found
# inside a word only makes a rule run, it decides nothing. The operator rules' entries
# are found by a pass of their own, on prompts only (a document need not pay for them).
PREFIXES = _prefix_pattern(r for r in _ALL_RULES if r not in _OPERATOR)
OPERATOR_PREFIXES = _prefix_pattern(_OPERATOR)
# Every pre-check entry: a disguised word must read as one of these (or start with one
# of the prefixes) to be worth a second look.
VOCABULARY = frozenset(e for r in _ALL_RULES for g in r.groups for e in g if not e.endswith("*"))
VOCABULARY_PREFIXES = tuple(sorted({e[:-1] for r in _ALL_RULES for g in r.groups for e in g
                                    if e.endswith("*")}))
