"""Pattern rules for an operator's prompt, in the seven languages wardflow reads (EN, DE,
FR, NL, ES, IT, PL).

At the prompt boundary the author is the reader's principal: "ignore the duplicate",
"forget the draft", "reply in German" and "flag every invoice over 10,000 EUR" are
ordinary requests. What an operator may not do is change the agent's own rules, role
or controls by typing: these rules are written as structures, a verb of overriding,
revealing or loosening with the object it acts on, never as whole sentences.

Injection families (:data:`OPERATOR_RULES`, checked with the other prompt rules):

* ``instruction_override``: a verb of overriding ("ignore", "negeer", "zignoruj", "stop
  following", "set ... aside") with the agent's rules, instructions, policy, guidance
  or restrictions as its object, qualified as the agent's ("your", "previous", "the
  company", "system"): "ignore the duplicate" or "ignore the rounding rules" have
  another object. Also "the old policy no longer applies", rules put "on hold", and
  "forget everything you were told".
* ``prompt_disclosure``: a verb of showing with the system prompt, the agent's own
  instructions or configuration, its API keys or credentials as object; "what
  instructions were you given", "what are your instructions" (per language), "repeat
  everything above this line".
* ``role_override``: an agent, assistant or bot without rules, restrictions or limits
  ("un agente sin restricciones", "asystent bez żadnych ograniczeń"), role-play as an
  unrestricted one, "from now on you are" in the informal second person.
* ``mode_switch``: switching into a developer, debug, admin or maintenance mode, and a
  prompt that opens with ``sudo``.
* ``quoted_execution``: an order to carry out what a quoted or pasted text says, or
  "the embedded command" (weak: "read the note and do what it says" may be honest; it
  adds to another signal).
* ``blanket_approval``: "approve everything"; "approve / pay all invoices" is weak
  (a clerk may mean the ones he checked) and adds to another signal.

Escalation families (:data:`OPERATOR_ESCALATION_RULES`, checked with the escalation
rules): turning off or going around a check, control or approval per language, or
saying they are suspended; "you don't need approval", "nothing needs review"; no
second approver, co-signer or four-eyes rule any more, or paying without one (unless
negated: "never pay without a second approver" tightens); raising or removing an
approval limit
(lowering it tightens the policy and stays allowed); approving everything pending;
"new policy:" announced in a prompt (weak: it needs a loosening signal with it).
"""

from __future__ import annotations

from wardflow.guardrails._rule import Rule, _rule

__all__ = ["OPERATOR_ESCALATION_RULES", "OPERATOR_RULES"]

# What the agent's rules are called, per language.
_RULES_NOUN = (
    r"(?:instructions?|rules|guidelines?|guidance|polic(?:y|ies)|restrictions?|constraints?"
    r"|guardrails?|safeguards?|directives?|system prompt|programming|configuration"
    r"|anweisungen|regeln|vorgaben|richtlinien?|einschränkungen|beschränkungen|systemprompt"
    r"|consignes|règles|directives|politiques?|restrictions|limites"
    r"|instructies|regels|richtlijnen|beleid|opdrachten|beperkingen|systeemprompt"
    r"|instrucciones|reglas|normas|directrices|pol[ií]ticas?|restricciones|indicaciones"
    r"|istruzioni|regole|direttive|linee guida|politiche|restrizioni|vincoli"
    r"|instrukcj\w*|zasad\w*|reguł\w*|polityk\w*|ograniczeń|wytycznych|poleceń)"
    # "the policy number", "le istruzioni di consegna": an object of business
    r"(?!\s*(?:numbers?|no\b|nr\b|holders?|periods?|documents?|references?|ids?\b|#)"
    r"|\s+(?:of|for|on|di|de|del|della|dei|van|voor|für|zur|zum|dla|do|para|per|pour)\s+"
    r"(?:la |le |il |el |de |het |die |der |the |l')?(?:consegna|entrega|livraison|levering"
    r"|lieferung|dostawy|delivery|pagamento|pago|paiement|betaling|zahlung|płatności|payment"
    r"|spedizione|envío|expédition|verzending|versand|wysyłki|shipping|installazione"
    r"|instalación|installation|montage|montażu|lavaggio|lavado|lavage|wassen|pranie))"
)
# What makes the object the agent's own: a possessive, "previous", "system", "company".
_OWN = (
    r"(?:your|all|any|the|these|those|of|previous|prior|earlier|above|original|initial"
    r"|system|existing|current|old|company|standard|default|internal|safety|security"
    r"|approval|compliance|deine[nrs]?|ihre[nrs]?|alle[nrs]?|die|bisherigen|vorherigen"
    r"|tes|vos|les|toutes|précédentes|je|jouw|al|alle|de|eerdere|vorige|bestaande|huidige"
    r"|tus|sus|las|los|todas|anteriores|le|tue|sue|tutte|precedenti|swoje|twoje|wszystkie"
    r"|poprzednie|dotychczasowe|wcześniejsze)"
)
_OVERRIDE_VERB = (
    r"(?:ignore|disregard|forget|override|overrule|bypass|discard|abandon|drop|set aside"
    r"|put aside|stop following|stop obeying|stop applying|no longer follow|do not follow"
    r"|don't follow|ignoriere|vergiss|missachte|befolge nicht|oublie[rz]?|ne suis plus"
    r"|ne respecte plus|negeer|vergeet|omzeil|volg niet|ignora|olvida|omite|no sigas"
    r"|deja de seguir|dimentica|trascura|non seguire|smetti di seguire|zignoruj|ignoruj"
    r"|zapomnij|pomiń|nie przestrzegaj|przestań przestrzegać)"
)
_OVERRIDE_WORDS = (
    "ignore disregard forget override overrule bypass discard abandon drop set put stop"
    " no do don ignoriere vergiss missachte befolge oublie oublier oubliez suis respecte"
    " negeer vergeet omzeil volg ignora olvida omite sigas deja dimentica trascura seguire"
    " smetti zignoruj ignoruj zapomnij pomiń przestrzegaj przestań"
)
_MACHINE = (
    r"(?:you|du|tu|vous|jij|tú|ty|assistant|agent|bot|chatbot|ai|model|version of you"
    r"|assistent\w*|ki|modell"
    r"|ia|modèle|asistente|agente|modelo|assistente|modello|asystent\w*|agent\w*|model\w*)"
)
_UNRESTRICTED = (
    r"(?:unrestricted|unfiltered|uncensored|with no (?:rules|restrictions|limits|filters)"
    r"|without (?:any )?(?:rules|restrictions|limits|limitations|filters|guardrails"
    r"|oversight)|(?:that|who) never refuses|ohne (?:jegliche |alle )?(?:regeln"
    r"|einschränkungen|beschränkungen|grenzen|filter)|uneingeschränkt\w*|sans (?:aucune? )?"
    r"(?:règles?|restrictions?|limites?|filtres?)|zonder (?:regels|beperkingen|grenzen"
    r"|filters)|onbeperkt\w*|sin (?:ninguna )?(?:reglas?|restricciones|restricción"
    r"|límites|filtros)|senza (?:alcuna )?(?:regole|regola|restrizioni|limiti|filtri)"
    r"|bez (?:żadnych )?(?:zasad|reguł|ograniczeń|limitów|filtrów))"
)
_UNRESTRICTED_WORDS = (
    "unrestricted unfiltered uncensored no without never ohne uneingeschränkt"
    " uneingeschränkter uneingeschränkten sans zonder onbeperkt onbeperkte sin senza bez"
)
_SHOW_VERB = (
    r"(?:reveal|print|repeat|output|show|display|disclose|dump|paste|recite|share|spell out|list"
    r"|write out|tell me|give me|read me|read back|zeig\w*|gib|nenne|verrate|drucke|wiederhole"
    r"|affiche\w*|montre\w*|donne\w*|révèle\w*|répète\w*|imprime\w*|laat|toon|geef|herhaal"
    r"|noem|muestra\w*|muéstra\w*|dime|dame|revela\w*|repite\w*|mostra\w*|dimmi|dammi"
    r"|rivela\w*|ripeti\w*|stampa|pokaż|podaj|wypisz|ujawnij|powtórz|wyświetl)"
)
_SHOW_WORDS = (
    "reveal print repeat output show display disclose dump paste recite share spell write list"
    " tell give read zeig* gib nenne verrate drucke wiederhole affiche* montre* donne*"
    " révèle* répète* imprime* laat toon geef herhaal noem muestra* muéstra* dime dame"
    " revela* repite* mostra* dimmi dammi rivela* ripeti* stampa pokaż podaj wypisz ujawnij"
    " powtórz wyświetl"
)
# The system prompt, the agent's own instructions, its keys and credentials.
_SECRET_NOUN = (
    r"(?:system[- ]?prompt|system message|systeemprompt|prompt (?:système|de sistema"
    r"|del sistema|di sistema|systemowy)|(?:your|its|the|deine[nrs]?|ihre[nrs]?|ton|tes|vos"
    r"|votre|je|jouw|tus|tu|le tue|il tuo|la tua|swoje|swój|twoje|twój)\s+(?:\w+\s+)?"
    r"(?:instructions|initial prompt|original prompt|prompt|configuration|config|hidden rules"
    r"|anweisungen|konfiguration|consignes|instructies|configuratie|instrucciones"
    r"|configuración|istruzioni|configurazione|instrukcje|konfiguracj\w+)"
    r"|api[ _-]?(?:keys?|schlüssel|sleutels?)|(?:clés?|claves|chiavi|klucze) api"
    r"|(?:your|its|deine[nrs]?|ihre[nrs]?|tes|vos|je|jouw|tus|le tue|swoje|twoje|the|die|les"
    r"|de|las|le|erp|admin|system|database|stored)\s+(?:\w+\s+)?(?:credentials|passwords?"
    r"|zugangsdaten|passwörter|identifiants|mots de passe|inloggegevens|wachtwoorden"
    r"|credenciales|contraseñas|credenziali|dane logowania|hasła)"
    r"(?!\s*(?:polic|rule|reset|requirement|expir|change|strength|richtlinie|politique)))"
)
_SECRET_WORDS = (
    "prompt systemprompt systeemprompt instructions configuration config rules anweisungen"
    " konfiguration consignes instructies configuratie instrucciones configuración istruzioni"
    " configurazione instrukcje konfiguracji konfiguracja api credentials password passwords"
    " zugangsdaten passwörter identifiants mots inloggegevens wachtwoorden credenciales"
    " contraseñas credenziali logowania hasła message"
)
_MODE = (
    r"(?:(?:developer|debug|dev|admin|administrator|god|maintenance|sudo|root|unrestricted"
    r"|jailbreak) mode|entwicklermodus|debug-?modus|admin-?modus|administratormodus"
    r"|wartungsmodus|mode (?:développeur|débogage|debug|admin|administrateur|maintenance|dieu)"
    r"|ontwikkelaarsmodus|debugmodus|beheerdersmodus|onderhoudsmodus"
    r"|modo (?:desarrollador|depuración|debug|administrador|dios|mantenimiento)"
    r"|modalità (?:sviluppatore|debug|amministratore|manutenzione|dio)"
    r"|tryb (?:deweloperski|dewelopera|debugowania|administratora|serwisowy|boga))"
)
_MODE_WORDS = (
    "mode entwicklermodus debugmodus debug admin administratormodus wartungsmodus"
    " ontwikkelaarsmodus beheerdersmodus onderhoudsmodus modo modalità tryb"
)
_MODE_VERB = (
    r"(?:enable|activate|turn on|switch|enter|go|start|unlock|boot|aktiviere|schalte|wechsle"
    r"|starte|active[rz]?|passe[rz]?|bascule[rz]?|entre[rz]?|activeer|zet|ga|schakel"
    r"|activa|entra|cambia|pasa|attiva|passa|włącz|aktywuj|przejdź|uruchom)"
)

OPERATOR_RULES: tuple[Rule, ...] = (
    _rule(
        "instruction_override",
        0.9,
        _OVERRIDE_WORDS,
        rf"\b{_OVERRIDE_VERB}\s+(?:{_OWN}\s+){{1,4}}(?:[\w'-]+\s+)?{_RULES_NOUN}\b"
        rf"|\b(?:set|put|place|leg|metti|mets|deja|odłóż)\s+(?:{_OWN}\s+){{1,3}}(?:[\w'-]+\s+)?"
        rf"{_RULES_NOUN}\s+(?:aside|on hold|beiseite|auf eis|de côté|en suspens|opzij"
        r"|in de wacht|a un lado|en espera|da parte|in sospeso|na bok)\b",
    ),
    _rule(
        "instruction_override",
        0.9,
        "forget vergiss oublie vergeet olvida dimentica zapomnij | told said given gesagt dit"
        " verteld dijeron dicho detto powiedziano",
        r"\b(?:forget|vergiss|oublie[rz]?|vergeet|olvida|dimentica|zapomnij)\s+(?:about\s+)?"
        r"(?:everything|all|alles|tout|todo|tutto|o wszystkim|wszystko)\b[^.\n]{0,30}?"
        r"\b(?:you (?:were|have been|'ve been) (?:told|given|taught)|man dir gesagt|on t'a dit"
        r"|je is verteld|(?:te|le) (?:dijeron|han dicho)|ti è stato detto|ti hanno detto"
        r"|ci powiedziano)",
    ),
    _rule(
        "instruction_override",
        0.6,
        "old previous earlier original usual alte bisherige ancienne oude vieja vecchia stara",
        r"\b(?:the )?(?:old|previous|earlier|original|usual) (?:policy|rules|instructions"
        r"|guidelines|restrictions) (?:no longer appl(?:y|ies)|(?:is|are) (?:void|suspended"
        r"|cancelled|canceled|revoked|lifted|obsolete)|do(?:es)? not apply)\b"
        r"|\b(?:die )?(?:alten|bisherigen) (?:regeln|richtlinien|anweisungen) gelten nicht mehr\b"
        r"|\b(?:l'ancienne politique|les anciennes règles) ne s'appliquen?t plus\b"
        r"|\b(?:het oude beleid|de oude regels) (?:geldt|gelden) niet meer\b"
        r"|\b(?:la vieja política|las viejas reglas) ya no (?:se aplica|aplica|vale)n?\b"
        r"|\b(?:la vecchia policy|le vecchie regole) non (?:si applica|valgono|vale)(?:no)? più\b"
        r"|\b(?:stara polityka|stare zasady) (?:już )?nie obowiązuj\w*\b",
    ),
    _rule(
        "prompt_disclosure",
        0.7,
        f"{_SHOW_WORDS} | {_SECRET_WORDS}",
        rf"\b{_SHOW_VERB}\b[^.\n?!]{{0,60}}?\b{_SECRET_NOUN}\b",
    ),
    _rule(
        "prompt_disclosure",
        0.7,
        "instructions rules prompt guidelines | given told configured programmed are were",
        r"\b(?:instructions|rules|prompt|guidelines) (?:were you|have you been|did you get"
        r"|you were|you have been) (?:given|told|configured|programmed)\b"
        r"|\b(?:what|which) (?:are|were) (?:your|the (?:system|hidden|original|initial|secret))"
        r" (?:\w+ )?(?:instructions|system prompt|prompt|rules)\b",
    ),
    _rule(
        "prompt_disclosure",
        0.7,
        "sind lauten quelles zijn cuáles quali jakie what does given | anweisungen regeln"
        " instructions consignes règles instructies regels instrucciones reglas istruzioni"
        " regole instrukcje zasady prompt text words",
        r"\b(?:was sind|wie lauten) (?:deine|ihre) (?:\w+ )?(?:anweisungen|regeln|instruktionen)"
        r"|\bquelles sont (?:tes|vos) (?:\w+ )?(?:instructions|consignes|règles)"
        r"|\bwat zijn (?:je|jouw|uw) (?:\w+ )?(?:instructies|regels)"
        r"|\bcuáles son (?:tus|sus) (?:\w+ )?(?:instrucciones|reglas)"
        r"|\bquali sono le (?:tue|sue) (?:\w+ )?(?:istruzioni|regole)"
        r"|\bjakie (?:są|masz) (?:twoje |swoje )?(?:\w+ )?(?:instrukcje|zasady)"
        r"|\bwhat does your (?:system )?prompt say\b"
        r"|\b(?:text|words|message|instructions) (?:that (?:was|were) )?given to you (?:before"
        r"|at the start|earlier|first)\b",
    ),
    _rule(
        "prompt_disclosure",
        0.7,
        "repeat print output show paste copy | above before preceding",
        r"\b(?:repeat|print|output|show|paste|copy) (?:everything|all|the text|the words"
        r"|all the text|whatever (?:is|was) written) (?:above|before|preceding) (?:this|my)\b",
    ),
    _rule(
        "role_override",
        0.7,
        f"{_UNRESTRICTED_WORDS} | you du tu vous jij tú ty assistant agent bot chatbot ai"
        " model version assistent*"
        " ki modell ia modèle asistente agente modelo assistente modello asystent* agent*"
        " model*",
        rf"\b{_MACHINE}\b[^.\n]{{0,40}}?\b{_UNRESTRICTED}"
        rf"|\b(?:unrestricted|unfiltered|uncensored|uneingeschränkte[nrs]?|onbeperkte)"
        rf" (?:\w+ )?{_MACHINE}\b",
    ),
    _rule(
        "role_override",
        0.7,
        "role play roleplay pretend imagine | unrestricted unfiltered uncensored rules"
        " restrictions limits refuses rogue evil unethical corrupt never",
        r"\b(?:role-?play|play the role of|pretend (?:to be|you are|you're)|imagine you are)"
        r"\b[^.\n]{0,50}?\b(?:unrestricted|unfiltered|uncensored|no rules|no restrictions"
        r"|no limits|never refuses?|rogue|evil|unethical|corrupt|never (?:asks?|checks?"
        r"|waits?) for (?:approval|review|permission))\b",
    ),
    _rule("role_override", 0.7, "pretend", r"\bpretend (?:you're|you’re)\b"),
    _rule(
        "role_override",
        0.5,
        "vanaf ahora ora teraz | ben eres sei jesteś",
        r"\bvanaf nu ben je\b|\ba partir de ahora eres\b|\bda ora in poi sei\b"
        r"|\bod teraz jesteś\b|\bod tej chwili jesteś\b",
    ),
    _rule(
        "mode_switch",
        0.7,
        _MODE_WORDS,
        rf"\b{_MODE_VERB}\b[^.\n]{{0,25}}?\b{_MODE}",
    ),
    _rule("mode_switch", 0.6, "sudo", r"\A\s*sudo\s"),
    _rule(
        "blanket_approval",
        0.5,
        "approve pay post release genehmige bezahle approuve paie valide keur betaal aprueba"
        " paga approva zatwierdź zapłać | everything anything whatever alles tout todo tutto"
        " wszystko",
        r"\b(?:approve|genehmige|approuve|valide|keur|aprueba|approva|zatwierdź)\s+"
        r"(?:(?:just|simply|einfach)\s+)?(?:everything|anything|whatever|alles|tout|todo"
        r"|tutto|wszystko)\b",
    ),
    _rule(
        "blanket_approval",
        0.4,
        "approve pay post release genehmige bezahle approuve paie valide keur betaal aprueba"
        " paga approva zatwierdź zapłać | all every everything anything whatever alle jede"
        " tous toutes tout todas todo tutte tutto wszystkie wszystko",
        r"\b(?:approve|pay|post|release|genehmige|bezahle|approuve|paie|valide|keur|betaal"
        r"|aprueba|paga|approva|zatwierdź|zapłać)\s+(?:(?:just|simply|einfach)\s+)?"
        r"(?:everything|anything|whatever|alles|tout|todo|tutto|wszystko|(?:all|every|alle|jede"
        r"|tous|toutes|todas|tutte|wszystkie) (?:the )?(?:invoices?|rechnungen?|factures"
        r"|facturen|facturas|fatture|faktury|payments?|drafts?))\b",
    ),
    _rule(
        "quoted_execution",
        0.45,
        "do carry execute follow obey perform | says say request it instructions exactly"
        " command commands instruction order orders",
        r"\b(?:do|carry out|execute|follow|obey|perform)\b (?:what (?:it|this|the text|the"
        r" note) says|the (?:request|instructions?|orders?|commands?) in (?:it|this|that"
        r"|the (?:note|text|message|quote))|it exactly|them exactly|the (?:embedded|hidden"
        r"|following|enclosed|quoted|pasted) (?:command|instruction|order|request)s?)\b",
    ),
)

# Checks, controls and approvals per language: what an operator may not switch off.
_CHECK = (
    r"(?:checks?|controls?|reviews?|approvals?|verification|validation|prüfung\w*"
    r"|kontroll\w*|freigabe\w*|genehmigung\w*|contrôles?|vérifications?|validations?"
    r"|approbations?|revues?|controle\w*|goedkeuring\w*|verificatie\w*|control\w*"
    r"|verificaci\w+|revisi\w+|aprobaci\w+|validaci\w+|controll\w*|verific\w+|revision\w*"
    r"|approvazion\w*|validazion\w*|kontrol\w*|weryfikacj\w*|zatwierdz\w*|sprawdz\w*)"
)
_DISABLE = (
    r"(?:schalte|deaktivier\w*|umgeh\w*|überspring\w*|désactive\w*|contourne\w*|saute[rz]?"
    r"|coupe[rz]?|schakel|deactiveer|omzeil|desactiva\w*|omite|sáltate|evita|disattiva\w*"
    r"|salta|bypassa|aggira|wyłącz\w*|dezaktywuj|pomiń|omiń)"
)
_SECOND = (
    r"(?:second (?:approv\w+|signature|sign-off|signatory)|co-?sign\w*|four[- ]eyes\w*"
    r"|4[- ]eyes|dual"
    r" (?:approval|control|sign-off)|two-person|zweite[nr]? (?:freigabe|genehmigung"
    r"|unterschrift|prüf\w+)|vier-augen\w*|second (?:approbateur|validateur|signataire)"
    r"|double (?:validation|approbation|signature)|tweede (?:goedkeur\w*|handtekening"
    r"|controleur)|vier-ogen\w*|segund[oa] (?:aprobador\w*|aprobación|firma)|doble"
    r" (?:aprobación|firma|control)|second[oa] (?:approvator\w*|approvazione|firma)"
    r"|doppia (?:approvazione|firma)|drug\w* (?:zatwierdzając\w*|akceptując\w*|podpis\w*)"
    r"|podwójn\w* (?:akceptacj\w*|zatwierdz\w*)|zasad\w* czterech oczu)"
)
_SECOND_WORDS = (
    "second cosigner co signer cosign four eyes 4 dual two zweite zweiten zweiter vier augen"
    " double tweede ogen"
    " segundo segunda doble secondo seconda doppia drugi drugiego drugiej podwójn* czterech"
)
_NO_MORE = (
    r"(?:not (?:needed|required|necessary)|no longer|nicht mehr|nicht (?:nötig|erforderlich)"
    r"|entfällt|n'est plus|ne sont plus|plus nécessaire|niet meer|niet (?:nodig|vereist)"
    r"|ya no|no (?:es|hace) (?:necesari[oa]|falta)|non (?:è|serve) più|non (?:è )?necessari\w*"
    r"|nie jest (?:już )?(?:wymagany|wymagana|potrzebny|potrzebna)|już nie|is waived)"
)
# An approval or payment limit, per language (a bare "limit" may be a search filter's).
_LIMIT = (
    r"(?:(?:auto-?)?approv\w* (?:limits?|thresholds?|caps?|amount)|(?:spending|payment"
    r"|sign-?off|authori[sz]ation) limits?|\w*freigabe\w*(?:grenze|limit|schwelle)\w*"
    r"|genehmigungs\w*(?:grenze|limit)\w*|zahlungslimit\w*|(?:plafond|seuil|limite)s?"
    r" d(?:e |')(?:approbation|validation|autorisation|paiement)|goedkeurings(?:limiet|grens"
    r"|drempel)\w*|betaallimiet\w*|(?:límite|umbral)s? de (?:aprobación|autorización|pago)"
    r"|(?:limite|limiti|soglia|soglie) di (?:approvazione|autorizzazione|pagamento)"
    r"|(?:limit|próg|progu) (?:automatycznego )?(?:zatwierdzania|akceptacji|płatności))"
)
_RAISE = (
    r"(?:raise|increase|lift|double|triple|bump|remove|scrap|abolish|erhöh\w*|anheben"
    r"|aufheben|heb\w*|streich\w*|augmente\w*|relève\w*|supprime\w*|lève\w*|verhoog\w*"
    r"|verwijder\w*|hef|aument\w*|sube|elimin\w*|quit\w*|alza\w*|innalza\w*|rimuov\w*"
    r"|zwiększ\w*|podnieś\w*|podwyższ\w*|znieś\w*|usuń\w*)"
)
_UNLIMITED = (
    r"(?:unlimited|no limit|unbegrenzt|unbeschränkt|illimité\w*|sans limite|onbeperkt"
    r"|ilimitado|sin límite|illimitat\w*|senza limit\w*|nieograniczon\w*|bez limitu)"
)

# No negation in the words before: "never pay without a second approver" tightens.
_NOT_NEGATED = (
    r"^(?![\s\S]*\b(?:never|not|don't|nie|niemals|nicht|jamais|pas|nooit|niet|nunca|no|mai"
    r"|non|nigdy)\b)[\s\S]*"
)

OPERATOR_ESCALATION_RULES: tuple[Rule, ...] = (
    _rule(
        "control_bypass",
        0.6,
        _SECOND_WORDS,
        rf"\b(?:without|ohne|sans|zonder|sin|senza|bez)\s+(?:a |any |eine |un |une |een |una"
        rf" )?{_SECOND}(?![^.\n]{{0,40}}\b(?:held|hold|reject\w*|block\w*|flag\w*|stop\w*"
        rf"|go to|goes to|must not|cannot|can't|may not|are not|is not|no|nicht|pas|niet|non"
        rf"|nie|never|nothing|nada|niente|nic|nichts|rien|niets)\b)",
        before=_NOT_NEGATED,
    ),
    _rule(
        "control_bypass",
        0.6,
        "safeguards guardrails rules policies controls checks regeln prüfungen kontrollen"
        " règles contrôles regels controles reglas controles regole controlli zasady kontrole"
        " | suspended disabled lifted paused waived off ausgesetzt deaktiviert aufgehoben"
        " suspendus suspendues désactivés désactivées levés levées opgeschort uitgeschakeld"
        " suspendidas suspendidos desactivadas desactivados sospese sospesi disattivate"
        " disattivati zawieszone wyłączone",
        r"\b(?:safeguards|guardrails|rules|policies|controls|checks|regeln|prüfungen|kontrollen"
        r"|règles|contrôles|regels|controles|reglas|regole|controlli|zasady|kontrole)\s+"
        r"(?:are|have been|sind|wurden|sont|zijn|están|quedan|sono|są|zostały)\s+(?:now\s+"
        r"|jetzt\s+|désormais\s+|nu\s+|ahora\s+|ora\s+|teraz\s+)?(?:suspended|disabled"
        r"|lifted|paused|waived|off|ausgesetzt|deaktiviert|aufgehoben|suspendu\w*"
        r"|désactivé\w*|levé\w*|opgeschort|uitgeschakeld|suspendid\w+|desactivad\w+"
        r"|sospes\w|disattivat\w|zawieszone|wyłączone)\b",
    ),
    _rule(
        "control_bypass",
        0.6,
        "need needs brauchst besoin hebt necesitas serve potrzebujesz nothing | approval"
        " review sign off freigabe genehmigung prüfung validation approbation goedkeuring"
        " controle aprobación revisión autorización approvazione revisione autorizzazione"
        " zgody zatwierdzenia akceptacji checked",
        r"\byou (?:don't|do not|no longer) need (?:\w+ )?(?:approval|sign-off|review)\b"
        r"|\bnothing (?:needs|requires|gets|goes to) (?:a )?(?:review|approval|checked"
        r"|a human)\b"
        r"|\bdu brauchst (?:keine|nicht mehr) (?:\w+ )?(?:freigabe|genehmigung|prüfung)"
        r"|\b(?:tu n'as )?plus besoin d(?:e |')(?:\w+ )?(?:validation|approbation)"
        r"|\bje hebt geen (?:\w+ )?(?:goedkeuring|controle) (?:meer )?nodig"
        r"|\bno necesitas (?:\w+ )?(?:aprobación|revisión|autorización)"
        r"|\bnon (?:ti )?serve (?:più )?(?:\w+ )?(?:approvazione|revisione|autorizzazione)"
        r"|\bnie potrzebujesz (?:już )?(?:\w+ )?(?:zgody|zatwierdzenia|akceptacji)",
    ),
    _rule(
        "control_bypass",
        0.6,
        "schalte deaktivier* umgeh* überspring* désactive* contourne* saute sauter sautez"
        " coupe couper coupez schakel deactiveer omzeil desactiva* omite sáltate evita"
        " disattiva* salta bypassa aggira wyłącz* dezaktywuj pomiń omiń",
        rf"\b{_DISABLE}\s+(?:\S+\s+){{0,2}}?{_CHECK}",
    ),
    _rule(
        "control_bypass",
        0.6,
        "regardless whatever without | checks check review guard controls rules policy"
        " question questions questioning asking",
        r"\b(?:regardless of|whatever) (?:what )?(?:the )?(?:checks?|review|guards?|controls?"
        r"|rules|policy) (?:says?|show|shows)?\b"
        r"|\bwithout (?:any )?(?:question|questions|questioning|asking)\b",
    ),
    _rule(
        "control_bypass",
        0.6,
        _SECOND_WORDS,
        rf"\b(?:no|remove|drop|skip|waive|disable|scrap|keine|kein|pas de|supprime[rz]?|geen"
        rf"|verwijder|elimina|quita|rimuovi|togli|usuń|nessun[oa]?)\s+(?:the |a |die |la |le"
        rf" |de |el |il )?{_SECOND}"
        rf"|\b{_SECOND}\b[^.\n]{{0,40}}?\b{_NO_MORE}"
        rf"|\b{_NO_MORE}\b[^.\n]{{0,25}}?\b{_SECOND}",
    ),
    _rule(
        "privilege_change",
        0.6,
        "raise increase lift double triple bump remove scrap abolish erhöh* anheben aufheben"
        " heb* streich* augmente* relève* supprime* lève* verhoog* verwijder* hef aument*"
        " sube elimin* quit* alza* innalza* rimuov* zwiększ* podnieś* podwyższ* znieś* usuń*",
        rf"\b{_RAISE}\b[^.\n]{{0,30}}?\b{_LIMIT}",
    ),
    _rule(
        "privilege_change",
        0.6,
        "unlimited limit unbegrenzt unbeschränkt illimité illimitée sans onbeperkt ilimitado"
        " sin illimitato illimitata senza nieograniczony nieograniczona bez",
        rf"\b{_LIMIT}\b[^.\n]{{0,40}}?\b{_UNLIMITED}\b",
    ),
    _rule(
        "privilege_change",
        0.3,
        "now jetzt passe wordt ahora ora teraz wynosi",
        rf"\b{_LIMIT}\b[^.\n]{{0,40}}?\b(?:is now|is set to|ist (?:jetzt|ab sofort)|passe à"
        r"|est désormais|wordt|is nu|es ahora|pasa a|è ora|passa a|wynosi (?:teraz|od teraz)"
        r"|jest teraz)\s+(?:de |di |a |à )?\d",
    ),
    _rule(
        "privilege_change",
        0.6,
        "approve genehmige gib valide validez approuve approuvez keur aprueba approva"
        " zatwierdź akceptuj | pending open outstanding queued queue waiting offenen offene"
        " attente openstaande pendientes sospeso attesa oczekujące",
        r"\b(?:approve|genehmige|gib|valide[rz]?|approuve[rz]?|keur|aprueba|approva|zatwierdź"
        r"|akceptuj)\s+(?:all|every|everything|alle|sämtliche|tous|toutes|todas|todos|tutte"
        r"|tutti|wszystkie)\b(?: the)?\s+(?:\w+\s+)?(?:pending|open|outstanding|queued"
        r"|waiting|in the queue|offenen|en attente|openstaande|pendientes|in sospeso|in attesa"
        r"|oczekujące)\b"
        r"|\b(?:approve|genehmige|gib|valide[rz]?|approuve[rz]?|keur|aprueba|approva|zatwierdź"
        r"|akceptuj)\s+(?:all|every|alle|toutes|todas|tutte|wszystkie)\s+(?:\w+\s+)?"
        r"(?:invoices?|rechnungen|factures|facturen|facturas|fatture|faktury)\b[^.\n]{0,40}?"
        r"\b(?:in (?:the|der|la|de) (?:queue|warteschlange|file|wachtrij|cola|coda|kolejce)"
        r"|pending|open|offen\w*|en attente|openstaand\w*|pendiente\w*|in sospeso|oczekując\w*)",
    ),
    _rule(
        "policy_announcement",
        0.35,
        "new updated revised neue nouvelle nieuw nieuwe nueva nuova nowa",
        r"(?:^|[.!?]\s+)(?:new|updated|revised) (?:policy|rule|rules|directive)\s*[:\-–]"
        r"|(?:^|[.!?]\s+)(?:neue (?:richtlinie|regel|policy)|nouvelle (?:politique|règle)"
        r"|nieuw beleid|nieuwe regel|nueva (?:política|regla)|nuova (?:policy|politica"
        r"|regola)|nowa (?:polityka|zasada|reguła))\s*[:\-–]",
    ),
)
