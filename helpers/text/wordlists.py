"""German news language the detectors read: function words, role nouns, reporting verbs and cues, Konjunktiv.

These are about German, not about any one case: a new case study reuses them as they are. What is about the
case (names, spellings, label, frame and fact cues) is in the corpus's codebook.
"""

from __future__ import annotations

import re

# fmt: off
DETERMINERS = frozenset(
    "der die das den dem des ein eine einen einem einer eines unser unsere unseren unserem unserer sein seine "
    "seinen seinem seiner ihr ihre ihren ihrem ihrer dieser diese diesen diesem dieses jener jene".split()
)
PREPOSITIONS = frozenset(
    "von vom bei beim mit für gegen auf über an am zu zum zur aus nach vor in im seit durch ohne um unter "
    "zwischen wegen neben hinter gegenüber".split()
)
# Sentence adverbs that may stand between a verb and its subject ("teilte nun auch der Cloudanbieter … mit").
ADVERBS = frozenset(
    "nun auch jetzt zudem außerdem ebenfalls bereits gestern heute dann daraufhin inzwischen jedoch aber "
    "allerdings noch schon weiter erneut damals zuletzt später bisher nämlich".split()
)
# A clause opened by one of these is subordinate: a verb after it and a comma starts the main clause.
SUBORDINATORS = frozenset("nachdem weil als wenn da obwohl während bevor seit seitdem sobald dass ob falls".split())
# Nouns that stand for a person or group already named ("sagte der CEO", "so die Anwälte"); the head of a
# compound counts ("Netzreporterin", "AWS-Anwälte").
ROLE_NOUNS = (
    "CEO", "Chef", "Chefin", "Gründer", "Gründerin", "Mitgründer", "Mitgründerin", "Geschäftsführer",
    "Geschäftsführerin", "Reporter", "Reporterin", "Korrespondent", "Korrespondentin", "Sprecher", "Sprecherin",
    "Anwalt", "Anwältin", "Anwälte", "Anwälten", "Präsident", "Präsidentin", "Manager", "Managerin", "Betreiber",
    "Experte", "Expertin", "Analyst", "Analystin",
)
# Documents words are quoted from ("heißt es in der Mail"): the head of a compound counts ("Klageschrift",
# "AWS-Mail", "Gerichtsdokumente"). The words belong to whoever wrote the document named earlier.
DOCUMENT_NOUNS = (
    "Mail", "Mails", "Schreiben", "Brief", "Briefs", "Briefe", "Klage", "Klageschrift", "Schriftsatz",
    "Schriftsätze", "Mitteilung", "Erklärung", "Stellungnahme", "Dokument", "Dokumente", "Dokumenten", "Antrag",
    "Eingabe", "Nachricht", "Nachrichten", "Memo", "Warnung", "Kündigung", "Blogeintrag", "Blogpost", "Post",
    "Tweet", "Akten", "Unterlagen", "Korrespondenz",
)
# Role nouns that stand for the head of an organisation: "der Firmenchef" after "Gründer John Matze" is the same
# person, though the nouns differ.
LEADER_NOUNS = frozenset(
    "CEO Chef Chefin Gründer Gründerin Mitgründer Mitgründerin Geschäftsführer Geschäftsführerin".split()
)
# Nouns that, after a definite article, stand for an organisation named before ("das Unternehmen", "der Konzern").
ORGANISATION_NOUNS = frozenset("Unternehmen Firma Konzern Plattform Netzwerk Dienst Onlinedienst Anbieter".split())
# Nouns for an organisation's people: a name right before one is not the speaker ("ein Parler Benutzer sagte").
MEMBER_NOUNS = frozenset(
    "Nutzer Nutzerin Nutzern Nutzerinnen Benutzer Benutzerin User Userin Anhänger Anhängerin Mitglied Mitglieder "
    "Kunde Kunden Kundin Mitarbeiter Mitarbeiterin Mitarbeitende Mitarbeitenden Fan Fans Abonnent Abonnenten".split()
)
# Reporting verbs, finite forms. A verb right after a comma or a closing quote has its speaker after it
# („…“, sagt X); elsewhere the speaker is the subject before it (X sagt: „…“).
REPORTING_VERBS = (
    "sagt sagte sagten sagen erklärt erklärte erklärten erklären betont betonte betonten betonen schreibt schrieb "
    "schrieben schreiben berichtet berichtete berichten berichteten bezeichnet bezeichnete bezeichnen bezeichneten "
    "argumentiert argumentierte argumentieren argumentierten warnt warnte warnen beklagt "
    "beklagte beklagen behauptet behauptete behaupten begründet begründete begründen begründeten kritisiert "
    "kritisierte kritisieren ergänzt ergänzte versichert versicherte erläutert erläuterte beschreibt beschrieb "
    "beschreiben twittert twitterte fordert forderte sprach spricht sprachen schätzt schätzte schätzen klagt klagte "
    "klagten "
    # separable verbs in a subordinate clause ("wie Twitter mitteilte")
    "mitteilt mitteilte mitteilten ankündigte ankündigten zugab einräumte hinzufügte"
).split()
# Verbs that report only in the inverted position („…“, findet X): elsewhere they mean something else.
INVERTED_ONLY_VERBS = "findet fand finden meint meinte".split()
# Separable reporting verbs: the finite part, then the particle at the end of the clause.
SEPARABLE_VERBS = {
    "zu": "gibt gab gaben", "ein": "räumt räumte räumten", "mit": "teilt teilte teilten",
    "an": "führt führte führten kündigt kündigte kündigten gibt gab", "zurück": "weist wies wiesen",
    "vor": "wirft warf warfen rechnet rechnete", "hinzu": "fügt fügte",
}
# Konjunktiv forms that mark a sentence as reported speech continuing an earlier attribution.
KONJUNKTIV = (
    "sei seien habe hätte hätten müsse müssten könne könnten werde würde würden wolle solle dürfe gebe ginge "
    "wäre wären"
).split()
# fmt: on


# Reporting cues as (regex, flags, kind, pre-scan regex or None). Kinds say where the speaker is: "verb"
# (after it when the verb comes first in its clause, else the subject before it), "inverted" (only „…“,
# findet X), "after" (laut X), "before" (X zufolge), "so" („…“, so X), "impersonal" (heißt es: only a source
# named in its own clause), "subject" (nach eigenen Angaben: the clause's first actor).
SEPARABLE_ALTERNATIVES = "|".join(
    rf"(?P<v{i}>\b(?:{'|'.join(verbs.split())})\b)[^,.;:!?„“”\"»«]{{0,60}}?\s{particle}(?=\s*(?:[,.;:!?]|$))"
    for i, (particle, verbs) in enumerate(SEPARABLE_VERBS.items())
)
REPORTING_CUES = [
    (r"(?<![\w])(?:" + "|".join(REPORTING_VERBS) + r")(?![\w])", re.IGNORECASE, "verb", None),
    (r"(?<![\w])(?:" + "|".join(INVERTED_ONLY_VERBS) + r")(?![\w])", re.IGNORECASE, "inverted", None),
    (SEPARABLE_ALTERNATIVES, re.IGNORECASE, "verb",
     "(?:" + "|".join(sorted({v for verbs in SEPARABLE_VERBS.values() for v in verbs.split()})) + ")"),
    (r"(?<![\w])laut(?![\w])", re.IGNORECASE, "after", None),
    (r"(?<![\w])zufolge(?![\w])", re.IGNORECASE, "before", None),
    (r",\s*(?P<vso>so)(?=\s+(?:der|die|das|ein|eine|unser\w*|[A-ZÄÖÜ]))", 0, "so", None),
    (r"(?<![\w])(?:heißt|hieß|steht|stand) es(?![\w])", re.IGNORECASE, "impersonal", None),
    # "In der Klageschrift steht: „…“", "„…“, steht in dem Brief": quoted from a document
    (r"(?<![\w])(?:heißt|hieß|steht|stand)(?=\s*:|\s+(?:in|im)\s)", re.IGNORECASE, "impersonal", None),
    (r"nach eigenen Angaben", re.IGNORECASE, "subject", None),
    (r"nach Angaben(?: von)?(?= )", re.IGNORECASE, "after", None),
]
KONJUNKTIV_RE = re.compile(r"(?<![\w])(?:" + "|".join(KONJUNKTIV) + r")(?![\w])", re.IGNORECASE)
# A label marked as others' view without a name ("gilt als", "wird … als … definiert"): unattributed.
OTHERS_VIEW = (
    r"(?<![\w])(?:gilt|galt|gelten|galten)\s+(?:[\w-]+\s+){0,3}?als\s"
    r"|(?<![\w])(?:wird|wurde|werden|wurden)\s+(?:[\w-]+\s+){0,4}?als\s"
    r"|(?<![\w])als\s[^,.;:]{0,80}?(?:bezeichnet|definiert|beschrieben|angesehen|gesehen|eingestuft|betrachtet)\s+"
    r"(?:wird|wurde|werden|wurden)"
)
# A label marked as the labelled actor's self-description ("versteht sich als", "selbsternannt"): its own words.
SELF_VIEW = (
    r"(?<![\w])(?:versteht|sieht|bezeichnet|nennt|präsentiert|beschreibt|inszeniert|vermarktet|positioniert)\s+sich"
    r"|(?<![\w])sich\s+(?:selbst\s+)?[^,.;:]{0,80}?\s(?:präsentiert|versteht|bezeichnet|nennt|inszeniert|sieht|"
    r"positioniert|vermarktet)(?![\w])"
    r"|selbst(?:ernannt|erklärt|bezeichnet)\w*|Selbstbild|Selbstbeschreibung|nach\s+eigene[rnm]\s+(?:Darstellung|"
    r"Beschreibung)"
)

