"""Annotate the five layers automatically: rules, lemmas and fuzzy name matching; no model, no download.

Every detector takes {article_id: clean text} and returns a table with exactly ANNOTATION_COLUMNS
(coder "detector", offsets into the given text, span == text[start:end]), so it can be measured row for row
against the hand coding (helpers.annotate.annotations, .measure). The rules come from the codebook where they
are about codes (spellings, `cues`) and from this module where they are about German news language
(reporting verbs, role nouns, quotation marks).

- actors: codebook spellings on word boundaries (a hyphen ends a name: "Parler-Chef" -> "Parler"; genitive -s
  belongs to it), plus misspelled names found with rapidfuzz and reported as variants (`is_variant`).
- quotes: text inside „…“, "…", »…« or “…” of at least QUOTE_MIN_WORDS words that is not a quoted label of
  Parler; the speaker comes from a reporting cue near the quote (same, adjacent or reported-speech sentence).
- labels: label `cues` (regular expressions) whose phrase refers to Parler, with `attributed_to`.
- frames: frame `cues` on lemmas and stems, one row per sentence and frame.
- facts: fact `cues` (regular expressions); the span is the clause that states the fact.

Speed: everything is compiled once per codebook; words are judged once per process (lemmas, dictionary look-ups,
fuzzy scores); case-insensitive cue patterns run only in the sentences that one keyword pass over the lowercased
text marks as candidates (see _Finder and _Scanner). 1,000 articles take a few seconds on one core.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz.distance import OSA

from helpers.annotate.annotations import (
    ANNOTATION_COLUMNS,
    LAYERS,
    UNATTRIBUTED,
    Codebook,
    codebook_path,
    load_codebook,
)
from helpers.text import german
from helpers.text.segment import Span, split_paragraphs, split_sentences

try:  # CPython's regex parser (3.11+), used only to speed up the pre-scan; without it every pattern is scanned.
    import re._parser as _sre_parser
    from re._constants import BRANCH, IN, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN
except ImportError:  # pragma: no cover
    _sre_parser = None

CODER = "detector"
# Labels characterise this actor (the codebook's labels layer is about how articles name Parler).
LABEL_TARGET = "parler"
# Quoted stretches shorter than this are scare quotes or cited terms („98 Posts“, "Parler"), not speech.
QUOTE_MIN_WORDS = 4
# A quoted stretch mostly covered by a label of Parler is a quoted label, not a quote.
QUOTED_LABEL_SHARE = 0.6

# Fuzzy names: normalised optimal-string-alignment similarity (an adjacent transposition is one edit).
# 0.8 allows one edit in a 5-9 letter name ("Mazte", "Matzke" ~ "Matze") and nothing more; a two-word name
# needs 0.85 and at least one word spelled exactly ("Martin Schulte" ~ "Martina Schulte").
FUZZY_THRESHOLD = 0.8
FUZZY_PAIR_THRESHOLD = 0.85
FUZZY_MIN_LENGTH = 5
FUZZY_KINDS = frozenset({"person", "company", "outlet", "platform", "movement", "party"})
# Speed: a cue pattern whose matches all start with a literal keyword this long is pre-scanned by keyword.
KEYWORD_MIN_LENGTH = 4

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
# Reporting verbs, finite forms. A verb right after a comma or a closing quote has its speaker after it
# („…“, sagt X); elsewhere the speaker is the subject before it (X sagt: „…“).
REPORTING_VERBS = (
    "sagt sagte sagten sagen erklärt erklärte erklärten erklären betont betonte betonten betonen schreibt schrieb "
    "schrieben schreiben berichtet berichtete berichten berichteten bezeichnet bezeichnete bezeichnen bezeichneten "
    "argumentiert argumentierte argumentieren argumentierten warnt warnte warnen beklagt "
    "beklagte beklagen behauptet behauptete behaupten begründet begründete begründen begründeten kritisiert "
    "kritisierte kritisieren ergänzt ergänzte versichert versicherte erläutert erläuterte beschreibt beschrieb "
    "beschreiben twittert twitterte fordert forderte "
    # separable verbs in a subordinate clause ("wie Twitter mitteilte")
    "mitteilt mitteilte mitteilten ankündigte ankündigten zugab einräumte hinzufügte"
).split()
# Verbs that report only in the inverted position („…“, findet X): elsewhere they mean something else.
INVERTED_ONLY_VERBS = "findet fand finden meint meinte".split()
# Separable reporting verbs: the finite part, then the particle at the end of the clause.
SEPARABLE_VERBS = {
    "zu": "gibt gab gaben", "ein": "räumt räumte räumten", "mit": "teilt teilte teilten",
    "an": "führt führte führten kündigt kündigte kündigten gibt gab", "zurück": "weist wies wiesen",
    "vor": "wirft warf warfen", "hinzu": "fügt fügte",
}
# Konjunktiv forms that mark a sentence as reported speech continuing an earlier attribution.
KONJUNKTIV = (
    "sei seien habe hätte hätten müsse müssten könne könnten werde würde würden wolle solle dürfe gebe ginge "
    "wäre wären"
).split()
# fmt: on

OPENING_MARKS = "„“\"»«"
CLOSING_MARKS = "“”\"«»"
_QUOTE_RE = re.compile(
    r"„(?P<low>[^„“”\n]+)[“”]|»(?P<guillemet>[^»«\n]+)«|«(?P<swiss>[^«»\n]+)»|“(?P<english>[^“”„\n]+)”"
    r"|\"(?P<straight>[^\"\n]+)\""
)
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_CAPITALISED_RE = re.compile(r"(?<![\w])[A-ZÄÖÜ][^\W\d_]+")
# Two capitalised words in a row. Only the initial is consumed, so overlapping pairs are all found; starting
# with a character class lets `re` skip ahead fast.
_CAPITALISED_PAIR_RE = re.compile(
    r"[A-ZÄÖÜ](?<![\w][A-ZÄÖÜ])(?=(?P<rest>[^\W\d_]+) (?P<second>[A-ZÄÖÜ][^\W\d_]+)(?![\w]))"
)
_CLAUSE_BREAK_RE = re.compile(r",\s|;|:\s|\s[–—-]\s|\(|\)")
_CLAUSE_DELIMITERS = ",;:.!?()" + OPENING_MARKS + CLOSING_MARKS
# Searched in the lowercased text: the head of a role noun; the word is then extended back to its start.
_ROLE_HEAD_RE = re.compile(
    "(?:" + "|".join(sorted((r.lower() for r in ROLE_NOUNS), key=len, reverse=True)) + r")(?![\w])"
)
_SEPARABLE_ALTERNATIVES = "|".join(
    rf"(?P<v{i}>\b(?:{'|'.join(verbs.split())})\b)[^,.;:!?„“”\"»«]{{0,60}}?\s{particle}(?=\s*(?:[,.;:!?]|$))"
    for i, (particle, verbs) in enumerate(SEPARABLE_VERBS.items())
)
# (cue regex, flags, kind, pre-scan regex). Kinds say where the speaker is: "verb" (after it when the verb comes
# first in its clause, else the subject before it), "inverted" (only „…“, findet X), "after" (laut X), "before"
# (X zufolge), "so" („…“, so X), "impersonal" (heißt es: only a source named in its own clause), "subject"
# (nach eigenen Angaben: the clause's first actor).
_CUE_SPECS = [
    (r"(?<![\w])(?:" + "|".join(REPORTING_VERBS) + r")(?![\w])", re.IGNORECASE, "verb", None),
    (r"(?<![\w])(?:" + "|".join(INVERTED_ONLY_VERBS) + r")(?![\w])", re.IGNORECASE, "inverted", None),
    (_SEPARABLE_ALTERNATIVES, re.IGNORECASE, "verb",
     "(?:" + "|".join(sorted({v for verbs in SEPARABLE_VERBS.values() for v in verbs.split()})) + ")"),
    (r"(?<![\w])laut(?![\w])", re.IGNORECASE, "after", None),
    (r"(?<![\w])zufolge(?![\w])", re.IGNORECASE, "before", None),
    (r",\s*(?P<vso>so)(?=\s+(?:der|die|das|ein|eine|unser\w*|[A-ZÄÖÜ]))", 0, "so", None),
    (r"(?<![\w])(?:heißt|hieß) es(?![\w])", re.IGNORECASE, "impersonal", None),
    (r"nach eigenen Angaben", re.IGNORECASE, "subject", None),
    (r"nach Angaben(?: von)?(?= )", re.IGNORECASE, "after", None),
]
_KONJUNKTIV_RE = re.compile(r"(?<![\w])(?:" + "|".join(KONJUNKTIV) + r")(?![\w])", re.IGNORECASE)
# A label marked as others' view without a name ("gilt als", "wird … als … definiert"): unattributed.
_OTHERS_VIEW = (
    r"(?<![\w])(?:gilt|galt|gelten|galten)\s+(?:[\w-]+\s+){0,3}?als\s"
    r"|(?<![\w])(?:wird|wurde|werden|wurden)\s+(?:[\w-]+\s+){0,4}?als\s"
    r"|(?<![\w])als\s[^,.;:]{0,80}?(?:bezeichnet|definiert|beschrieben|angesehen|gesehen|eingestuft|betrachtet)\s+"
    r"(?:wird|wurde|werden|wurden)"
)
# A label marked as Parler's self-description ("versteht sich als", "selbsternannt"): attributed to Parler.
_SELF_VIEW = (
    r"(?<![\w])(?:versteht|sieht|bezeichnet|nennt|präsentiert|beschreibt|inszeniert|vermarktet|positioniert)\s+sich"
    r"|(?<![\w])sich\s+(?:selbst\s+)?[^,.;:]{0,80}?\s(?:präsentiert|versteht|bezeichnet|nennt|inszeniert|sieht|"
    r"positioniert|vermarktet)(?![\w])"
    r"|selbst(?:ernannt|erklärt|bezeichnet)\w*|Selbstbild|Selbstbeschreibung|nach\s+eigene[rnm]\s+(?:Darstellung|"
    r"Beschreibung)"
)


def _lowercase_pattern(pattern: str) -> str:
    """Return a looser regex for the lowercased text: it matches wherever `pattern` matches case-insensitively.

    Literals and classes are lowercased, escapes (\\w, \\s, \\.) kept; lookarounds and \\b are dropped (a looser
    pattern finds a superset, and one that starts with a literal lets `re` scan fast).
    """
    out, i, depth_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if pattern[i + 1] != "b":
                out.append(pattern[i:i + 2])
            i += 2
        elif depth_class:
            out.append(char.lower())
            depth_class = char != "]"
            i += 1
        elif char == "[":
            out.append(char)
            depth_class = True
            i += 1
            if pattern[i] == "^":
                out.append("^")
                i += 1
            if pattern[i] == "]":  # a literal "]" first in a class
                out.append("]")
                i += 1
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i)
        elif pattern.startswith("(?P", i):  # group names keep their case
            close = pattern.index(">" if pattern.startswith("(?P<", i) else ")", i)
            out.append(pattern[i:close + 1])
            i = close + 1
        else:
            out.append(char.lower())
            i += 1
    loose = "".join(out)
    # A leading optional group ("(?:die\\s+)?erste …") only widens the match to the left: drop it too.
    while loose.startswith("(?:"):
        end = _group_end(loose, 0)
        if loose[end:end + 1] != "?" or loose[end + 1:end + 2] in ("?", "+"):
            break
        loose = loose[end + 1:]
    return loose


def _group_end(pattern: str, start: int) -> int:
    """Return the index just after the group that opens at pattern[start]."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced group in regex {pattern!r}")


def _literal_prefixes(items: list) -> tuple[set[str], bool]:
    """Return (strings one of which starts every match of a parsed regex sequence, whether they are whole matches)."""
    prefixes, complete = {""}, True
    for op, av in items:
        if op is LITERAL:
            found, whole = {chr(av)}, True
        elif op is IN and av and all(kind is LITERAL for kind, _ in av):
            found, whole = {chr(value) for _, value in av}, True
        elif op is SUBPATTERN:
            found, whole = _literal_prefixes(av[3].data)
        elif op is BRANCH:
            found, whole = set(), True
            for branch in av[1]:
                sub, sub_whole = _literal_prefixes(branch)
                found |= sub
                whole = whole and sub_whole
        elif op in (MAX_REPEAT, MIN_REPEAT) and av[0] >= 1:
            found, whole = _literal_prefixes(av[2].data if hasattr(av[2], "data") else av[2])[0], False
        else:
            found, whole = {""}, False
        prefixes = {p + f for p in prefixes for f in found}
        if not whole or len(prefixes) > 400:
            return prefixes, False
    return prefixes, complete


def _keywords(loose: str) -> set[str] | None:
    """Return literal keywords one of which starts every match of a lowercase regex, or None if it has none."""
    if _sre_parser is None:
        return None
    try:
        prefixes, _ = _literal_prefixes(list(_sre_parser.parse(loose).data))
    except (re.error, RecursionError, AttributeError, TypeError, ValueError):
        return None
    # Short keywords ("ist", "für") hit everywhere; such patterns are cheaper to scan as regexes.
    if not prefixes or min(map(len, prefixes)) < KEYWORD_MIN_LENGTH or len(prefixes) > 400:
        return None
    return prefixes


class _Finder:
    """Regexes searched only in the sentences that a fast pre-scan of the lowercased text marks as candidates.

    Python's `re` scans several times faster without IGNORECASE and fastest for plain keywords: each pattern is
    loosened (lowercased, lookarounds dropped) and, where possible, reduced to the literal keywords its matches
    start with. A _Scanner finds every finder's keywords in one pass; the exact patterns then run only in the
    sentences where a keyword (or a loose pattern without keywords) matched — a superset of their matches.
    """

    def __init__(self, patterns: Sequence[str], flags: Sequence[int] | None = None,
                 quick: Sequence[str | None] | None = None) -> None:
        flags = flags or [re.IGNORECASE] * len(patterns)
        quick = quick or [None] * len(patterns)
        self.exact = [re.compile(p, f) for p, f in zip(patterns, flags, strict=True)]
        # Group names are dropped: the loose patterns are combined, and names must stay unique.
        self.loose = [re.sub(r"\(\?P<\w+>", "(?:", q or _lowercase_pattern(p))
                      for p, q in zip(patterns, quick, strict=True)]
        for loose in self.loose:
            re.compile(loose)

    def finditer(self, article: _Article) -> Iterator[tuple[int, re.Match[str]]]:
        """Yield (pattern index, match) for every exact match that lies within one sentence."""
        text, sentences = article.text, article.sentences
        for number, (pattern, candidates) in enumerate(zip(self.exact, article.candidates(self), strict=True)):
            for index in candidates:
                sentence = sentences[index]
                for match in pattern.finditer(text, sentence.start, sentence.end):
                    yield number, match


def _trie_pattern(words: Iterable[str]) -> str:
    """Return a regex for a set of keywords shaped as a prefix tree, which `re` searches far faster than a flat
    alternation; at each position it matches the longest keyword."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            body = f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    return build(trie)


class _Scanner:
    """Find the candidate sentences of many finders with one keyword pass over an article's lowercased text."""

    def __init__(self, finders: Iterable[_Finder]) -> None:
        finders = list(dict.fromkeys(finders))
        # One slot per pattern; a finder's slots are consecutive.
        self.slots: dict[int, range] = {}
        self.size = 0
        for finder in finders:
            self.slots[id(finder)] = range(self.size, self.size + len(finder.loose))
            self.size += len(finder.loose)
        owners: dict[str, set[int]] = {}
        slow: list[tuple[int, str]] = []
        for finder in finders:
            for slot, loose in zip(self.slots[id(finder)], finder.loose, strict=True):
                words = _keywords(loose)
                if words is None:
                    slow.append((slot, loose))
                for word in words or ():
                    owners.setdefault(word, set()).add(slot)
        words = sorted(owners, key=lambda w: (-len(w), w))
        self.keyword_re = re.compile(_trie_pattern(words)) if words else None
        # The longest keyword at a position wins the match: it also stands for the keywords that are its prefixes.
        self.owners = {w: frozenset().union(*(owners[v] for v in owners if w.startswith(v))) for w in words}
        self.slow = [(slot, re.compile(loose)) for slot, loose in slow]

    def candidates(self, article: _Article) -> list[list[int]]:
        """Return, per pattern slot, the sorted indices of the sentences where the pattern may match."""
        found: list[set[int]] = [set() for _ in range(self.size)]
        lower, at = article.lower, article.sentence_at
        if lower is None or not article.sentences:
            return [list(range(len(article.sentences))) for _ in range(self.size)]

        def mark(slots: Iterable[int], start: int, end: int) -> None:
            sentences = {at(start), at(max(start, end - 1))}
            for slot in slots:
                found[slot] |= sentences

        position, search = 0, self.keyword_re.search if self.keyword_re else None
        # Resume one character after each hit, so that keywords overlapping a hit are found too.
        while search and (match := search(lower, position)):
            mark(self.owners[match.group()], match.start(), match.end())
            position = match.start() + 1
        for slot, pattern in self.slow:
            for match in pattern.finditer(lower):
                mark((slot,), match.start(), match.end())
        return [sorted(s) for s in found]


_CUES = _Finder([spec[0] for spec in _CUE_SPECS], [spec[1] for spec in _CUE_SPECS], [spec[3] for spec in _CUE_SPECS])
_CUE_KINDS = [spec[2] for spec in _CUE_SPECS]
_OTHERS_VIEW_FINDER = _Finder([_OTHERS_VIEW])
_SELF_VIEW_FINDER = _Finder([_SELF_VIEW])


@dataclass(frozen=True)
class Mention:
    """One actor mention."""

    start: int
    end: int
    actor: str
    is_variant: bool = False
    note: str = ""


@dataclass(frozen=True)
class Role:
    """A role noun and the actor it stands for (None when unknown)."""

    start: int
    end: int
    noun: str
    actor: str | None


@dataclass(frozen=True)
class Speaker:
    """Who a reporting cue attributes words to, and how that was found."""

    actor: str
    how: str
    direction: str
    inverted: bool
    mention_start: int
    mention_end: int


# ---------------------------------------------------------------------------------------------------- rules


# Per-process caches by word: the same words recur across articles.
_LEMMAS: dict[str, str] = {}
_KNOWN: dict[str, bool] = {}


def _lemma(word: str) -> str:
    """Return the lowercase simplemma lemma of a German word (cached)."""
    lemma = _LEMMAS.get(word)
    if lemma is None:
        lemma = _LEMMAS[word] = german.lemmatize(word).lower()
    return lemma


def _is_german_word(word: str) -> bool:
    """Tell whether simplemma's German dictionary knows a word (cached)."""
    known = _KNOWN.get(word)
    if known is None:
        known = _KNOWN[word] = german.is_known(word)
    return known


def _looks_like_name(spelling: str) -> bool:
    """Tell whether a spelling can occur in running text (not a description such as "Amazon / AWS (…)")."""
    return re.fullmatch(r"[\w][\w .'’&-]*", spelling) is not None


@dataclass
class _Rules:
    """Everything compiled from one codebook."""

    codebook: Codebook
    kinds: dict[str, str]
    actor_re: re.Pattern[str]
    forms: dict[str, tuple[str, int]]
    folded_forms: dict[str, tuple[str, int]]
    blocked: frozenset[str]
    exact_words: frozenset[str]
    fuzzy_words: list[tuple[str, str]]
    fuzzy_pairs: list[tuple[str, str]]
    pair_initials: frozenset[tuple[str, str]]
    frame_forms: dict[str, set[str]]
    frame_lemmas: dict[str, set[str]]
    frame_prefix_re: re.Pattern[str] | None
    frame_suffix_re: re.Pattern[str] | None
    frame_prefix: dict[str, set[str]]
    frame_suffix: dict[str, set[str]]
    frame_phrases: list[tuple[str, str, tuple[str, ...], frozenset[str]]]
    scanner: _Scanner
    labels: list[tuple[str, str, _Finder]]
    facts: list[tuple[str, _Finder, list[re.Pattern[str] | None]]]
    word_frames: dict[str, tuple[frozenset[str], frozenset[str]] | None] = field(default_factory=dict)
    fuzzy_cache: dict[str, tuple[str, str, float] | None] = field(default_factory=dict)
    pair_cache: dict[str, tuple[str, str, float] | None] = field(default_factory=dict)


def _actor_rules(codebook: Codebook) -> dict:
    """Compile the actor spellings: one regex, the form -> (actor, name length) lookups, fuzzy targets."""
    actors = codebook.codes["actors"]
    kinds = dict(zip(actors["id"], actors["kind"], strict=True))
    excludes = dict(zip(actors["id"], actors["exclude"].astype(str), strict=True))
    forms: dict[str, tuple[str, int]] = {}
    folded: dict[str, tuple[str, int]] = {}
    blocked: set[str] = set()
    alternatives: list[str] = []
    fuzzy_words: list[tuple[str, str]] = []
    fuzzy_pairs: list[tuple[str, str]] = []
    exact_words: set[str] = set()
    for actor, spellings in codebook.actor_spellings().items():
        spellings = [s.strip() for s in spellings if _looks_like_name(s.strip())]
        for spelling in spellings:
            shorter = [p for p in spellings if len(p) < len(spelling) and spelling.startswith(p)]
            stem = max(shorter, key=len, default="")
            rest = spelling[len(stem):]
            # An inflected form the actor's exclude note names ("Gabs (posts on Gab)") is not a mention.
            if stem and re.search(rf"(?<![\w]){re.escape(spelling)}(?![\w])", excludes[actor]):
                blocked.add(spelling)
                continue
            if any(spelling[len(p)] == "-" for p in shorter):
                continue  # "Trump-Anhänger(in)": the hyphen already ends the name "Trump"
            name_length = len(stem) if stem and len(rest) >= 3 and rest[0].islower() else len(spelling)
            if spelling.islower():
                folded[spelling.lower()] = (actor, name_length)
                alternatives.append(f"(?i:{re.escape(spelling)})")
            else:
                forms[spelling] = (actor, name_length)
                alternatives.append(re.escape(spelling))
            words = spelling.split()
            exact_words.update(words)
            if kinds[actor] in FUZZY_KINDS and all(w[:1].isupper() for w in words) and "-" not in spelling:
                if len(words) == 1 and len(spelling) >= FUZZY_MIN_LENGTH:
                    fuzzy_words.append((spelling, actor))
                elif len(words) == 2:
                    fuzzy_pairs.append((spelling, actor))
    alternatives.sort(key=len, reverse=True)
    actor_re = re.compile(r"(?<![\w])(?P<name>" + "|".join(alternatives) + r")(?P<genitive>s)?(?![\w])")
    return {"kinds": kinds, "actor_re": actor_re, "forms": forms, "folded_forms": folded, "blocked": frozenset(blocked),
            "exact_words": frozenset(exact_words), "fuzzy_words": fuzzy_words, "fuzzy_pairs": fuzzy_pairs,
            "pair_initials": frozenset((a[0], b[0]) for a, b in (p.split() for p, _ in fuzzy_pairs))}


def _frame_rules(codebook: Codebook) -> dict:
    """Compile the frame cues: word forms, lemmas, stems (prefix/suffix regexes) and phrases."""
    forms: dict[str, set[str]] = {}
    lemmas: dict[str, set[str]] = {}
    prefix: dict[str, set[str]] = {}
    suffix: dict[str, set[str]] = {}
    phrases: list[tuple[str, str, tuple[str, ...], frozenset[str]]] = []
    for frame in codebook.codes["frames"].itertuples():
        for cue in frame.cues:
            words = tuple(str(cue).split())
            if len(words) > 1:
                phrases.append((frame.id, str(cue), words, frozenset(w.lower() for w in words
                                                                       if w.lower() not in DETERMINERS)))
                continue
            word = words[0]
            forms.setdefault(word.lower(), set()).add(frame.id)
            lemmas.setdefault(_lemma(word), set()).add(frame.id)
            if len(word) >= 5:
                prefix.setdefault(word.lower(), set()).add(frame.id)
            if len(word) >= 7:
                suffix.setdefault(word.lower(), set()).add(frame.id)

    def alternation(stems: Iterable[str]) -> str:
        return "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))

    # Searched in the lowercased text (the stems are lowercase).
    prefix_re = re.compile(rf"(?<![^\W\d_])(?:{alternation(prefix)})") if prefix else None
    suffix_re = re.compile(rf"(?:{alternation(suffix)})(?![^\W\d_])") if suffix else None
    return {"frame_forms": forms, "frame_lemmas": lemmas, "frame_prefix_re": prefix_re, "frame_suffix_re": suffix_re,
            "frame_prefix": prefix, "frame_suffix": suffix, "frame_phrases": phrases}


def _compile_cues(where: str, cues: list[str]) -> tuple[_Finder, list[re.Pattern[str] | None]]:
    """Compile a code's cues into one finder ("A && B": A gives the span, B must occur in the same sentence)."""
    spans, required = [], []
    for cue in cues:
        parts = [p.strip() for p in cue.split(" && ")]
        try:
            re.compile(parts[0], re.IGNORECASE)  # as _Finder compiles it: its compile is then a cache hit
            required.append(re.compile(parts[1], re.IGNORECASE) if len(parts) > 1 else None)
        except re.error as exc:
            raise ValueError(f"{where}: cue {cue!r} is not a valid regular expression ({exc})") from None
        spans.append(parts[0])
    return _Finder(spans), required


def _cue_rules(codebook: Codebook) -> dict:
    """Compile the label and fact cues of the codebook (one finder per code)."""
    labels, facts = [], []
    for layer in ("labels", "facts"):
        for code in codebook.codes[layer].itertuples():
            cues = getattr(code, "cues", None)
            if not isinstance(cues, list) or not cues:
                continue
            finder, required = _compile_cues(f"{codebook.path}: {layer} {code.id}", [str(c) for c in cues])
            if layer == "labels":
                labels.append((code.id, code.category, finder))
            else:
                facts.append((code.id, finder, required))
    return {"labels": labels, "facts": facts}


# Compiled rules by codebook object; the default codebook is also remembered by file and modification time, so
# that calls without a codebook do not recompile.
_RULES_CACHE: dict[int, _Rules] = {}
_DEFAULT_CODEBOOKS: dict[tuple[str, int], Codebook] = {}


def _default_codebook() -> Codebook:
    """Return the project's codebook, read again only when the file changed."""
    path = codebook_path()
    key = (str(path), path.stat().st_mtime_ns if path.exists() else 0)
    if key not in _DEFAULT_CODEBOOKS:
        _DEFAULT_CODEBOOKS.clear()
        _DEFAULT_CODEBOOKS[key] = load_codebook(path)
    return _DEFAULT_CODEBOOKS[key]


def _rules(codebook: Codebook | None) -> _Rules:
    """Return the compiled rules of a codebook (compiled once per codebook object)."""
    codebook = codebook or _default_codebook()
    rules = _RULES_CACHE.get(id(codebook))
    if rules is None or rules.codebook is not codebook:
        cues = _cue_rules(codebook)
        finders = [_CUES, _OTHERS_VIEW_FINDER, _SELF_VIEW_FINDER] + [f for _, _, f in cues["labels"]] + [
            f for _, f, _ in cues["facts"]]
        rules = _Rules(codebook=codebook, scanner=_Scanner(finders), **_actor_rules(codebook),
                       **_frame_rules(codebook), **cues)
        if len(_RULES_CACHE) >= 8:
            _RULES_CACHE.pop(next(iter(_RULES_CACHE)))
        _RULES_CACHE[id(codebook)] = rules
    return rules


# ------------------------------------------------------------------------------------------------- articles


@dataclass
class _Article:
    """One text with its sentences and the intermediate results the layers share."""

    article_id: str
    text: str
    rules: _Rules
    sentences: list[Span] = field(init=False)
    starts: list[int] = field(init=False)
    paragraph_of: list[int] = field(init=False)
    paragraphs: list[Span] = field(init=False)
    lower: str | None = field(init=False)
    _cache: dict = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        lower = self.text.lower()
        # Offsets carry over only when lowercasing keeps the length (it does for German; not for e.g. "İ").
        self.lower = lower if len(lower) == len(self.text) else None
        self.sentences = split_sentences(self.text)
        self.starts = [s.start for s in self.sentences]
        self.paragraphs = split_paragraphs(self.text)
        paragraph_starts = [p.start for p in self.paragraphs]
        self.paragraph_of = [bisect.bisect_right(paragraph_starts, s.start) - 1 for s in self.sentences]

    def sentence_at(self, position: int) -> int:
        """Return the index of the sentence holding `position` (the nearest one before it, between sentences)."""
        return max(0, bisect.bisect_right(self.starts, position) - 1)

    def candidates(self, finder: _Finder) -> list[list[int]]:
        """Return, per pattern of a finder, the sentences where it may match (one keyword pass per article)."""
        scanner = self.rules.scanner
        per_slot = self.cached("candidates", lambda: scanner.candidates(self))
        return [per_slot[slot] for slot in scanner.slots[id(finder)]]

    def cached(self, name: str, compute):
        """Return a shared intermediate result, computing it once."""
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    @property
    def mentions(self) -> list[Mention]:
        """The actor mentions, in text order."""
        return self.cached("mentions", lambda: _find_mentions(self))

    @property
    def roles(self) -> list[Role]:
        """The role nouns, each bound to an actor where possible."""
        return self.cached("roles", lambda: _find_roles(self))

    @property
    def raw_quotes(self) -> list[tuple[int, int, int, int]]:
        """Every quoted stretch, scare quotes included: (mark start, mark end, content start, content end)."""
        return self.cached("raw_quotes", lambda: _find_raw_quotes(self.text))

    @property
    def labels(self) -> list[dict]:
        """The label rows (without attribution)."""
        return self.cached("labels", lambda: _find_labels(self))

    @property
    def quotes(self) -> list[dict]:
        """The quote rows with their speakers."""
        return self.cached("quotes", lambda: _find_quotes(self))

    def inside_quote(self, start: int, end: int) -> tuple[int, int, int, int] | None:
        """Return the raw quote (marks included) that holds [start, end), if any."""
        for quote in self.raw_quotes:
            if quote[0] <= start and end <= quote[1]:
                return quote
        return None


def _row(article: _Article, layer: str, code: str, start: int, end: int, *, speaker: str = "",
         attributed_to: str = "", note: str = "", is_variant: bool = False) -> dict:
    """Return one annotation row."""
    return {"article_id": article.article_id, "layer": layer, "code": code, "start": start, "end": end,
            "span": article.text[start:end], "speaker": speaker, "attributed_to": attributed_to, "note": note,
            "coder": CODER, "is_variant": is_variant, "voice": ""}


def _strip(text: str, start: int, end: int, chars: str = " \t\n") -> tuple[int, int]:
    """Return (start, end) without surrounding `chars`."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


# --------------------------------------------------------------------------------------------------- actors


def _fuzzy_word(rules: _Rules, word: str) -> tuple[str, str, float] | None:
    """Return (actor, spelling, similarity) when a capitalised word is a misspelled name, else None."""
    if word in rules.fuzzy_cache:
        return rules.fuzzy_cache[word]
    found = None
    bases = {word, word[:-1]} if word.endswith("s") else {word}
    if (len(word) >= FUZZY_MIN_LENGTH and not bases & rules.exact_words
            and not any(_is_german_word(b) for b in bases)):
        best = (0.0, "", "")
        for spelling, actor in rules.fuzzy_words:
            if spelling[0] != word[0]:
                continue  # misspellings keep the initial; this also skips most false friends
            score = max(OSA.normalized_similarity(b, spelling) for b in bases)
            if score > best[0]:
                best = (score, spelling, actor)
        if best[0] >= FUZZY_THRESHOLD:
            found = (best[2], best[1], best[0])
    rules.fuzzy_cache[word] = found
    return found


def _fuzzy_pair(rules: _Rules, first: str, second: str) -> tuple[str, str, float] | None:
    """Return (actor, spelling, similarity) when two capitalised words are a misspelled two-word name."""
    pair = f"{first} {second}"
    if pair in rules.pair_cache:
        return rules.pair_cache[pair]
    found, best = None, 0.0
    for spelling, actor in rules.fuzzy_pairs:
        if pair == spelling:
            continue
        words = spelling.split()
        if (first[0], second[0]) != (words[0][0], words[1][0]):
            continue
        same = (first == words[0]) + (second == words[1])
        unknown = not _is_german_word(first) and not _is_german_word(second)
        if same == 0 and not unknown:
            continue
        score = OSA.normalized_similarity(pair, spelling)
        if score >= FUZZY_PAIR_THRESHOLD and score > best:
            found, best = (actor, spelling, score), score
    rules.pair_cache[pair] = found
    return found


def _find_mentions(article: _Article) -> list[Mention]:
    """Find every actor mention: exact spellings, then misspelled variants; the longest mention wins."""
    rules, text = article.rules, article.text
    candidates: list[Mention] = []
    for match in rules.actor_re.finditer(text):
        name = match["name"]
        actor, length = rules.forms.get(name) or rules.folded_forms[name.lower()]
        if match["genitive"] and (name + "s" in rules.blocked or name[-1] in "sxzß"):
            continue
        end = match.start() + length if length < len(name) else match.end()
        candidates.append(Mention(match.start(), end, actor))
    # Variants: each distinct capitalised word is judged once (cached); only hits are then located.
    variants = {w for w in set(_CAPITALISED_RE.findall(text)) if _fuzzy_word(rules, w)}
    for match in _CAPITALISED_RE.finditer(text) if variants else ():
        if match.group() in variants:
            found = _fuzzy_word(rules, match.group())
            candidates.append(Mention(match.start(), match.end(), found[0], True, _variant_note(found)))
    for match in _CAPITALISED_PAIR_RE.finditer(text):
        first, second = match.group() + match["rest"], match["second"]
        if (first[0], second[0]) in rules.pair_initials:
            found = _fuzzy_pair(rules, first, second)
            if found:
                candidates.append(Mention(match.start(), match.start() + len(first) + 1 + len(second), found[0], True,
                                          _variant_note(found)))
    return _longest_first(candidates)


def _longest_first(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (exact before variant), in text order."""
    kept: list[Mention] = []
    starts: list[int] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.is_variant, m.start)):
        # Kept mentions never overlap, so only the neighbours in start order can overlap a new one.
        i = bisect.bisect_left(starts, mention.start)
        if (i > 0 and kept[i - 1].end > mention.start) or (i < len(kept) and kept[i].start < mention.end):
            continue
        starts.insert(i, mention.start)
        kept.insert(i, mention)
    return kept


def _variant_note(found: tuple[str, str, float]) -> str:
    """Describe a variant match for the note column."""
    return f"variant of {found[1]!r} (similarity {found[2]:.2f})"


def _actor_rows(article: _Article) -> list[dict]:
    """Return one row per actor mention."""
    return [_row(article, "actors", m.actor, m.start, m.end, note=m.note, is_variant=m.is_variant)
            for m in article.mentions]


# ---------------------------------------------------------------------------------------------------- roles


def _find_roles(article: _Article) -> list[Role]:
    """Find role nouns and bind each to the actor it stands for, reading in order.

    A role noun next to a person's name binds to that person ("Parler-Chef John Matze", "John Mazte, CEO");
    otherwise to an organisation it is compounded with or that follows with "von" ("AWS-Anwälte"). A bare
    role noun later in the text ("sagte der CEO") takes the latest binding of the same noun.
    """
    text, kinds = article.text, article.rules.kinds
    persons = [m for m in article.mentions if kinds[m.actor] == "person"]
    others = [m for m in article.mentions if kinds[m.actor] != "person"]
    bindings: dict[str, str] = {}
    roles: list[Role] = []
    lower = article.lower if article.lower is not None else text.lower()
    for match in _ROLE_HEAD_RE.finditer(lower) if len(lower) == len(text) else ():
        start, end = match.start(), match.end()
        head = text[start:end]
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
            start -= 1
        noun = _lemma(head if head.isupper() else head.capitalize())
        sentence = article.sentences[article.sentence_at(start)]
        actor = None
        for person in persons:
            follows = 0 <= person.start - end <= 30 and person.start < sentence.end and len(
                _WORD_RE.findall(text, end, person.start)) <= 4
            precedes = 0 <= start - person.end <= 2 and re.fullmatch(r",?\s*", text[person.end:start]) is not None
            if follows or precedes:
                actor = person.actor
                break
        if actor is None:
            for other in others:
                inside = start <= other.start and other.end <= end
                follows = 0 <= other.start - end <= 15 and re.fullmatch(
                    r"\s+(?:von|des|der|bei)\s+", text[end:other.start]) is not None
                if inside or follows:
                    actor = other.actor
                    break
        if actor is not None:
            bindings[noun] = actor
        else:
            actor = bindings.get(noun)
        roles.append(Role(start, end, noun, actor))
    return roles


# --------------------------------------------------------------------------------------------------- quotes


def _find_raw_quotes(text: str) -> list[tuple[int, int, int, int]]:
    """Return every quoted stretch as (mark start, mark end, content start, content end)."""
    quotes = []
    for match in _QUOTE_RE.finditer(text):
        group = next(name for name, value in match.groupdict().items() if value is not None)
        start, end = _strip(text, match.start(group), match.end(group))
        if start < end:
            quotes.append((match.start(), match.end(), start, end))
    return quotes


def _cues_in(article: _Article, lo: int, hi: int) -> list[tuple[int, int, str, str, int]]:
    """Return the reporting cues that start in text[lo:hi] (outside quotation marks)."""
    cues = article.cached("cues", lambda: _find_cues(article))
    return [cue for cue in cues if lo <= cue[0] and cue[1] <= hi]


def _find_cues(article: _Article) -> list[tuple[int, int, str, str, int]]:
    """Return every reporting cue outside quotation marks.

    Each is (start, end, cue text, kind, verb end): for a separable verb ("führt Amazon an") the speaker
    may stand between the verb and its particle, so the search after the cue starts at the verb's end.
    """
    text, found = article.text, []
    for number, match in _CUES.finditer(article):
        start, verb_end = match.start(), match.end()
        for name, value in match.groupdict().items():
            if value is not None and name.startswith("v"):
                start, verb_end = match.start(name), match.end(name)
        start, _ = _strip(text, start, verb_end)
        if article.inside_quote(start, match.end()) is None:
            words = " ".join(text[start:match.end()].split())
            found.append((start, match.end(), words, _CUE_KINDS[number], verb_end))
    return sorted(found)


def _candidates(article: _Article, lo: int, hi: int) -> list[tuple[int, int, str, str]]:
    """Return the actors named in text[lo:hi] outside quotes, as (start, end, actor, via), roles included."""
    found = [(m.start, m.end, m.actor, "") for m in article.mentions if lo <= m.start and m.end <= hi]
    found += [(r.start, r.end, r.actor, f"role noun {article.text[r.start:r.end]!r}")
              for r in article.roles if r.actor and lo <= r.start and r.end <= hi]
    return sorted(c for c in found if article.inside_quote(c[0], c[1]) is None)


def _pick(article: _Article, candidates: list[tuple[int, int, str, str]], nearest_last: bool):
    """Prefer a person; among equals the nearest (last when looking back, first when looking ahead)."""
    if not candidates:
        return None
    ordered = list(reversed(candidates)) if nearest_last else candidates
    persons = [c for c in ordered if article.rules.kinds[c[2]] == "person"]
    return (persons or ordered)[0]


def _after(article: _Article, position: int, limit: int):
    """Return the speaker named right after a cue: determiners, adjectives and capitalised words, at most five."""
    text = article.text
    clause_end = position
    while clause_end < limit and text[clause_end] not in _CLAUSE_DELIMITERS:
        clause_end += 1
    walked_end, after_determiner = position, False
    for count, word in enumerate(_WORD_RE.finditer(text, position, clause_end)):
        token = word.group()
        if count >= 6:
            break
        if token.lower() in DETERMINERS:
            after_determiner = True
        elif token.lower() in ADVERBS:
            pass
        elif token[0].isupper() or token[0].isdigit():
            after_determiner = False
        elif not (after_determiner and re.search(r"(?:e|en|er|es|em)$", token)):
            break
        walked_end = word.end()
    return _pick(article, _candidates(article, position, walked_end), nearest_last=False)


def _is_subject(article: _Article, start: int, sentence: Span) -> bool:
    """Tell whether a mention can be the subject: no preposition before it (determiners skipped)."""
    words = _WORD_RE.findall(article.text, sentence.start, start)
    while words and words[-1].lower() in DETERMINERS:
        words.pop()
    return not words or words[-1].lower() not in PREPOSITIONS


def _before(article: _Article, position: int, sentence: Span, leftmost: bool = False):
    """Return the subject before a cue in its sentence: the nearest person, else the nearest actor."""
    found = [c for c in _candidates(article, sentence.start, position) if _is_subject(article, c[0], sentence)]
    if leftmost:
        return found[0] if found else None
    return _pick(article, found, nearest_last=True)


def _resolve_cue(article: _Article, cue: tuple[int, int, str, str, int], sentence: Span) -> Speaker | None:
    """Return the speaker a reporting cue attributes words to, if it names one."""
    start, end, words, kind, verb_end = cue
    text = article.text
    before_cue = text[sentence.start:start].rstrip()
    verb_first = not before_cue or before_cue[-1] in ",:;" + CLOSING_MARKS
    # "Nachdem …, teilte X mit": the verb opens the main clause; its subject follows, and so does what it reports.
    first_word = _WORD_RE.search(re.split(r"[:;„“”\"»«]", before_cue)[-1])
    after_subordinate = verb_first and first_word is not None and first_word.group().lower() in SUBORDINATORS
    # Inverted: the reported words come before the cue („…“, sagt X; …, so X; …, heißt es).
    inverted = kind == "so" or (verb_first and not after_subordinate and kind in ("verb", "inverted", "impersonal"))
    if kind == "inverted" and not inverted:
        return None
    if kind in ("verb", "inverted"):
        order = ("after", "before") if inverted else ("after",) if after_subordinate else ("before", "after")
    else:
        order = {"after": ("after",), "so": ("after",), "before": ("before",), "impersonal": ("after",),
                 "subject": ("subject",)}[kind]
    for direction in order:
        if direction == "after":
            found = _after(article, verb_end, sentence.end)
        elif direction == "before":
            found = _before(article, start, sentence)
        else:
            found = _before(article, start, sentence, leftmost=True)
        if found:
            how = words + (f" ({found[3]})" if found[3] else "")
            return Speaker(found[2], how, direction, inverted, found[0], found[1])
    return None


def _speaker_in(article: _Article, index: int, near: int) -> Speaker | None:
    """Return the first speaker named by a cue in sentence `index`, trying the cues nearest `near` first."""
    sentence = article.sentences[index]
    cues = _cues_in(article, sentence.start, sentence.end)
    for cue in sorted(cues, key=lambda c: min(abs(c[0] - near), abs(c[1] - near))):
        speaker = _resolve_cue(article, cue, sentence)
        if speaker:
            return speaker
    return None


def _quote_speaker(article: _Article, quote: tuple[int, int, int, int]) -> tuple[str, str]:
    """Return (speaker, note) for a quote: cue in its sentence, an adjacent one, reported speech, or the
    previous paragraph when the quote is a paragraph of its own."""
    first, last = article.sentence_at(quote[0]), article.sentence_at(quote[1] - 1)
    paragraph = article.paragraph_of[first]

    def attempt(index: int, where: str) -> tuple[str, str] | None:
        if 0 <= index < len(article.sentences):
            speaker = _speaker_in(article, index, quote[0] if index <= first else quote[1])
            if speaker:
                return speaker.actor, f"cue: {speaker.how} ({where})"
        return None

    for index in range(first, last + 1):
        if found := attempt(index, "same sentence"):
            return found
    for index, where in ((first - 1, "previous sentence"), (last + 1, "next sentence")):
        if 0 <= index < len(article.sentences) and article.paragraph_of[index] == paragraph:
            if found := attempt(index, where):
                return found
    # Reported speech (Konjunktiv) goes on attributing to the last named speaker of the paragraph.
    index = first
    while index > 0 and article.paragraph_of[index - 1] == paragraph and _KONJUNKTIV_RE.search(
            article.sentences[index].text):
        index -= 1
        if found := attempt(index, "reported speech, earlier sentence"):
            return found
    whole = article.paragraphs[paragraph]
    if (quote[3] - quote[2]) >= 0.8 * (whole.end - whole.start) and paragraph > 0:
        earlier = [i for i, p in enumerate(article.paragraph_of) if p == paragraph - 1]
        for index in reversed(earlier):
            if found := attempt(index, "quote paragraph after its speaker's paragraph"):
                return found
    return UNATTRIBUTED, "no reporting cue found"


def _find_quotes(article: _Article) -> list[dict]:
    """Return the direct quotes with their speakers (scare quotes and quoted labels left out)."""
    rows = []
    labelled = [(row["start"], row["end"]) for row in article.labels]
    for quote in article.raw_quotes:
        start, end = quote[2], quote[3]
        content = article.text[start:end]
        if len(_WORD_RE.findall(content)) < QUOTE_MIN_WORDS:
            continue
        covered = sum(max(0, min(end, e) - max(start, s)) for s, e in labelled)
        if covered >= QUOTED_LABEL_SHARE * len(content):
            continue
        speaker, note = _quote_speaker(article, quote)
        rows.append(_row(article, "quotes", "direct_quote", start, end, speaker=speaker, note=note))
    return rows


# --------------------------------------------------------------------------------------------------- labels


def _adjacent_actor(article: _Article, start: int, end: int, sentence: Span) -> str | None:
    """Return the actor a label phrase is attached to: name right after it, compound, apposition or predicate."""
    text = article.text
    for mention in article.mentions:
        if end <= mention.start <= end + 3 and re.fullmatch(r"[ „“\"»«]*", text[end:mention.start]):
            return mention.actor
    before = [m for m in article.mentions if sentence.start <= m.start and m.end <= start]
    for mention in reversed(before[-4:]):
        gap = text[mention.end:start]
        if gap in ("", "-"):
            return mention.actor
        if re.fullmatch(
            r"(?:-[\w-]+)?\s*,\s*(?:ein|eine|einer|einem|einen|der|die|das|dem|den)\s+(?:[\w-]+\s+){0,5}"  # apposition
            r"|(?:-[\w-]+)?\s+(?:ist|war|bleibt|gilt\s+als|sei|wäre)\s+(?:[\w-]+\s+){0,8}"  # predicate
            r"|\s*,\s*(?:der|die|das|welche[rs]?)\s+[^,.;:]*",  # relative clause
            gap,
        ):
            return mention.actor
    return None


def _label_referent(article: _Article, start: int, end: int) -> tuple[str | None, str]:
    """Return (actor, how) a label phrase refers to: an attached name, else Parler when the text is about it."""
    index = article.sentence_at(start)
    attached = _adjacent_actor(article, start, end, article.sentences[index])
    if attached:
        return attached, "attached name"
    lo = article.sentences[max(0, index - 4)].start
    hi = article.sentences[min(len(article.sentences) - 1, index + 1)].end
    if any(m.actor == LABEL_TARGET and lo <= m.start < hi for m in article.mentions):
        return LABEL_TARGET, "text about Parler nearby"
    return None, ""


def _in_sentence(article: _Article, name: str, finder: _Finder, sentence: Span) -> list[re.Match[str]]:
    """Return a finder's matches in one sentence (the whole text is searched once per article)."""
    matches = article.cached(name, lambda: [m for _, m in finder.finditer(article)])
    return [m for m in matches if sentence.start <= m.start() and m.end() <= sentence.end]


def _label_attribution(article: _Article, start: int, end: int) -> tuple[str, str]:
    """Return (attributed_to, why) for a label of Parler: self-description, others' view, quote, reported speech."""
    text = article.text
    index = article.sentence_at(start)
    sentence = article.sentences[index]
    for match in _in_sentence(article, "self view", _SELF_VIEW_FINDER, sentence):
        lo, hi = min(match.start(), start), max(match.end(), end)
        if hi - lo <= 120 and not re.search(r"[.;]", text[lo:hi].rstrip(".")):
            return LABEL_TARGET, f"self-description: {match.group()}"
    for match in _in_sentence(article, "others' view", _OTHERS_VIEW_FINDER, sentence):
        if match.start() < start and not re.search(r"[,;:]", text[match.end():start]) or (
                match.start() < start and end <= match.end()):
            return UNATTRIBUTED, f"others' view: {' '.join(match.group().split())}"
    quote = article.inside_quote(start, end)
    if quote:
        for row in article.quotes:
            if row["start"] == quote[2]:
                return row["speaker"], "inside a quote"
        speaker, note = _quote_speaker(article, quote)
        return speaker, f"quoted label; {note}"
    for cue in _cues_in(article, sentence.start, sentence.end):
        speaker = _resolve_cue(article, cue, sentence)
        if speaker is None:
            continue
        # What is reported: before an inverted cue ("…, sagt X"), after the speaker when the speaker follows
        # the cue ("In der E-Mail schreibt Amazon, …", "Laut X …"), after the cue when the subject precedes it.
        if speaker.inverted:
            reported = end <= cue[0]
        elif speaker.direction == "after":
            reported = start >= speaker.mention_end
        else:
            reported = start >= cue[1]
        if reported:
            return speaker.actor, f"reported speech: {speaker.how}"
    return "", ""


def _find_labels(article: _Article) -> list[dict]:
    """Return the labels of Parler: cue matches that refer to it; neutral labels inside richer ones dropped."""
    text, rules = article.text, article.rules
    found: dict[tuple[str, int, int], tuple[str, str]] = {}
    for code, category, finder in rules.labels:
        for _, match in finder.finditer(article):
            start, end = _strip(text, match.start(), match.end(), " \t\n,")
            if start >= end or article.sentence_at(start) != article.sentence_at(end - 1):
                continue
            if start > 0 and end < len(text) and text[start - 1] in OPENING_MARKS and text[end] in CLOSING_MARKS:
                start, end = start - 1, end + 1  # a label quoted as a whole keeps its marks
            found[(code, start, end)] = (category, "")
    rows = []
    spans = sorted(found, key=lambda k: (k[1], -k[2], k[0]))
    rich = [(s, e) for (code, s, e) in spans if found[(code, s, e)][0] != "neutral_technical"]
    kept: list[tuple[str, int, int]] = []
    for code, start, end in spans:
        if found[(code, start, end)][0] == "neutral_technical" and any(s <= start and end <= e for s, e in rich):
            continue
        if any(c == code and start < e and s < end for c, s, e in kept):
            continue  # one span per stretch and code: the earliest, longest match
        referent, how = _label_referent(article, start, end)
        if referent != LABEL_TARGET:
            continue
        kept.append((code, start, end))
        rows.append(_row(article, "labels", code, start, end, note=f"refers to Parler: {how}"))
    return rows


def _label_rows(article: _Article) -> list[dict]:
    """Return the label rows with whom each label is attributed to."""
    rows = []
    for row in article.labels:
        attributed_to, why = _label_attribution(article, row["start"], row["end"])
        note = row["note"] + (f"; {why}" if why else "")
        rows.append({**row, "attributed_to": attributed_to, "note": note})
    return rows


# --------------------------------------------------------------------------------------------------- frames


def _word_matches(word: str, cue_word: str) -> bool:
    """Tell whether a text word matches a word of a multi-word cue (articles match any article)."""
    lower, cue = word.lower(), cue_word.lower()
    if cue in DETERMINERS:
        return lower in DETERMINERS
    return lower == cue or _lemma(word) == _lemma(cue_word)


def _phrase_in(words: list[str], cue_words: tuple[str, ...], max_gap: int = 8) -> bool:
    """Tell whether the cue's words occur in order, each at most `max_gap` words after the previous one."""
    for i, word in enumerate(words):
        if not _word_matches(word, cue_words[0]):
            continue
        position, ok = i, True
        for cue_word in cue_words[1:]:
            nxt = next((j for j in range(position + 1, min(len(words), position + 2 + max_gap))
                        if _word_matches(words[j], cue_word)), None)
            if nxt is None:
                ok = False
                break
            position = nxt
        if ok:
            return True
    return False


def _word_frames(rules: _Rules, word: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """Return (frames a word is a cue of by form or lemma, phrase-cue words it can stand for), or None if
    neither; cached by word."""
    lower, lemma = word.lower(), _lemma(word)
    frames = frozenset(rules.frame_forms.get(lower, set()) | rules.frame_lemmas.get(lemma, set()))
    phrase_words = frozenset(w.lower() for _, _, words, _ in rules.frame_phrases for w in words
                             if w.lower() not in DETERMINERS and (w.lower() == lower or _lemma(w) == lemma))
    found = (frames, phrase_words) if frames or phrase_words else None
    rules.word_frames[word] = found
    return found


def _frame_rows(article: _Article) -> list[dict]:
    """Return one row per sentence and frame whose cues occur in it."""
    rules, text, lower = article.rules, article.text, article.lower
    # Stems are found in one pass over the lowercased text, then handed to their sentences.
    stem_hits: dict[int, list[tuple[str, set[str]]]] = {}
    for pattern, table in ((rules.frame_prefix_re, rules.frame_prefix), (rules.frame_suffix_re, rules.frame_suffix)):
        for match in pattern.finditer(lower) if pattern and lower is not None else ():
            word = _word_at(text, match.start(), match.end())
            stem_hits.setdefault(article.sentence_at(match.start()), []).append((word, table[match.group()]))
    rows = []
    frame_order = {f: i for i, f in enumerate(rules.codebook.ids("frames"))}
    cache, missing = rules.word_frames, object()
    for index, sentence in enumerate(article.sentences):
        hits: dict[str, set[str]] = {}
        words = _LETTERS_RE.findall(text, sentence.start, sentence.end)
        phrase_words: set[str] = set()
        for word in words:
            found = cache.get(word, missing)
            if found is missing:
                found = _word_frames(rules, word)
            if found is not None:
                for frame in found[0]:
                    hits.setdefault(frame, set()).add(word)
                phrase_words |= found[1]
        for word, frames in stem_hits.get(index, ()):
            for frame in frames:
                hits.setdefault(frame, set()).add(word)
        for frame, cue, cue_words, needed in rules.frame_phrases if phrase_words else ():
            if needed <= phrase_words and _phrase_in(words, cue_words):
                hits.setdefault(frame, set()).add(cue)
        for frame in sorted(hits, key=frame_order.get):
            cues = ", ".join(sorted(hits[frame], key=str.lower))
            rows.append(_row(article, "frames", frame, sentence.start, sentence.end, note=f"cues: {cues}"))
    return rows


def _word_at(text: str, start: int, end: int) -> str:
    """Return the whole word around text[start:end]."""
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[start:end]


# ---------------------------------------------------------------------------------------------------- facts


def _clause(article: _Article, sentence: Span, start: int, end: int) -> tuple[int, int]:
    """Return the clause(s) of `sentence` that hold text[start:end], without surrounding blanks."""
    breaks = [(m.start(), m.end()) for m in _CLAUSE_BREAK_RE.finditer(article.text, sentence.start, sentence.end)]
    lo = max((b_end for b_start, b_end in breaks if b_end <= start), default=sentence.start)
    hi = min((b_start for b_start, b_end in breaks if b_start >= end), default=sentence.end)
    return _strip(article.text, lo, hi)


def _fact_rows(article: _Article) -> list[dict]:
    """Return one row per clause that states a fact (overlapping matches of a fact merged)."""
    text = article.text
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for code, finder, requirements in article.rules.facts:
        for number, match in finder.finditer(article):
            sentence = article.sentences[article.sentence_at(match.start())]
            required = requirements[number]
            need = required.search(text, sentence.start, sentence.end) if required else None
            if required and need is None:
                continue
            lo, hi = match.start(), max(match.end(), match.start() + 1)
            if need:
                lo, hi = min(lo, need.start()), max(hi, need.end())
            start, end = _clause(article, sentence, lo, hi)
            spans.setdefault(code, []).append((start, end, " ".join(match.group().split())))
    rows = []
    for code, found in spans.items():
        merged: list[list] = []
        for start, end, cue in sorted(found):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
                if cue not in merged[-1][2]:
                    merged[-1][2].append(cue)
            else:
                merged.append([start, end, [cue]])
        rows += [_row(article, "facts", code, s, e, note="cue: " + "; ".join(c)) for s, e, c in merged]
    return rows


# --------------------------------------------------------------------------------------------------- public

_LAYER_ROWS = {
    "actors": _actor_rows,
    "quotes": lambda article: article.quotes,
    "labels": _label_rows,
    "frames": _frame_rows,
    "facts": _fact_rows,
}


def _detect(texts: Mapping[str, str], codebook: Codebook | None, layers: Iterable[str]) -> pd.DataFrame:
    """Run the detectors of `layers` on every text; return one table in a stable order."""
    rules = _rules(codebook)
    layers = list(layers)
    rows: list[tuple] = []
    as_tuple = operator.itemgetter(*ANNOTATION_COLUMNS)
    for article_id, text in texts.items():
        article = _Article(str(article_id), text, rules)
        for layer in layers:
            # Tuples, not the detectors' dicts: a quarter of the memory, so a large corpus stays linear in time.
            rows += map(as_tuple, _LAYER_ROWS[layer](article))
    table = pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)
    table = table.astype({"start": "int64", "end": "int64", "is_variant": "bool"})
    order = {str(article_id): i for i, article_id in enumerate(texts.keys())}
    layer_order = {layer: i for i, layer in enumerate(LAYERS)}
    table = table.assign(_a=table["article_id"].map(order), _l=table["layer"].map(layer_order))
    table = table.sort_values(["_a", "_l", "start", "end", "code"], kind="stable").drop(columns=["_a", "_l"])
    table = table.drop_duplicates(["article_id", "layer", "code", "start", "end"])
    return table.reset_index(drop=True)


def detect_actors(texts: Mapping[str, str], codebook: Codebook | None = None) -> pd.DataFrame:
    """Find every mention of every codebook actor, misspelled names as variants (is_variant True)."""
    return _detect(texts, codebook, ["actors"])


def detect_quotes(texts: Mapping[str, str], codebook: Codebook | None = None) -> pd.DataFrame:
    """Find direct quotes (text inside quotation marks, 4+ words) and attribute each to a speaker."""
    return _detect(texts, codebook, ["quotes"])


def detect_labels(texts: Mapping[str, str], codebook: Codebook | None = None) -> pd.DataFrame:
    """Find the phrases that name or characterise Parler, with whom each label is attributed to."""
    return _detect(texts, codebook, ["labels"])


def detect_frames(texts: Mapping[str, str], codebook: Codebook | None = None) -> pd.DataFrame:
    """Mark each sentence with every frame whose cues occur in it."""
    return _detect(texts, codebook, ["frames"])


def detect_facts(texts: Mapping[str, str], codebook: Codebook | None = None) -> pd.DataFrame:
    """Find the clauses that state a codebook fact."""
    return _detect(texts, codebook, ["facts"])


def detect_all(texts: Mapping[str, str], codebook: Codebook | None = None) -> pd.DataFrame:
    """Run all five detectors; return their rows in one table."""
    found = _detect(texts, codebook, LAYERS)
    german.save()
    return found
