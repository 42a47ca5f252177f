"""Who says what: role nouns bound to actors, reporting cues, and the speaker a cue or a quote points to.

Shared by the quotes layer (the speaker of a quote) and the labels layer (whom a label is attributed to).
A reporting cue ("sagte", "laut", "so", "heißt es", "nach eigenen Angaben") says where its speaker stands;
reported speech (Konjunktiv) goes on attributing to the last named speaker of its paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.annotate.annotations import UNATTRIBUTED
from helpers.annotate.detect.engine import Article, provides
from helpers.annotate.detect.rules import CUE_KINDS, CUES
from helpers.text import german
from helpers.text.segment import Span
from helpers.text.tokens import CLOSING_QUOTES, OPENING_QUOTES, WORD_RE, quoted_stretches, strip_blanks
from helpers.text.wordlists import ADVERBS, DETERMINERS, KONJUNKTIV_RE, PREPOSITIONS, ROLE_NOUNS, SUBORDINATORS

# Searched in the lowercased text: the head of a role noun; the word is then extended back to its start.
_ROLE_HEAD_RE = re.compile(
    "(?:" + "|".join(sorted((r.lower() for r in ROLE_NOUNS), key=len, reverse=True)) + r")(?![\w])"
)
_CLAUSE_DELIMITERS = ",;:.!?()" + OPENING_QUOTES + CLOSING_QUOTES


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


@provides("roles")
def roles(article: Article) -> list[Role]:
    """Find role nouns and bind each to the actor it stands for, reading in order.

    A role noun next to a person's name binds to that person ("Parler-Chef John Matze", "John Mazte, CEO");
    otherwise to an organisation it is compounded with or that follows with "von" ("AWS-Anwälte"). A bare
    role noun later in the text ("sagte der CEO") takes the latest binding of the same noun.
    """
    text, kinds = article.text, article.rules.kinds
    persons = [m for m in article.get("mentions") if kinds[m.actor] == "person"]
    others = [m for m in article.get("mentions") if kinds[m.actor] != "person"]
    bindings: dict[str, str] = {}
    roles: list[Role] = []
    lower = article.lower if article.lower is not None else text.lower()
    for match in _ROLE_HEAD_RE.finditer(lower) if len(lower) == len(text) else ():
        start, end = match.start(), match.end()
        head = text[start:end]
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
            start -= 1
        noun = german.lemma(head if head.isupper() else head.capitalize())
        sentence = article.sentences[article.sentence_at(start)]
        actor = None
        for person in persons:
            follows = 0 <= person.start - end <= 30 and person.start < sentence.end and len(
                WORD_RE.findall(text, end, person.start)) <= 4
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


@provides("raw quotes")
def raw_quotes(article: Article) -> list[tuple[int, int, int, int]]:
    """Every quoted stretch, scare quotes included: (mark start, mark end, content start, content end)."""
    return quoted_stretches(article.text)


def cues_in(article: Article, lo: int, hi: int) -> list[tuple[int, int, str, str, int]]:
    """Return the reporting cues that start in text[lo:hi] (outside quotation marks)."""
    return [cue for cue in article.get("cues") if lo <= cue[0] and cue[1] <= hi]


@provides("cues")
def cues(article: Article) -> list[tuple[int, int, str, str, int]]:
    """Return every reporting cue outside quotation marks.

    Each is (start, end, cue text, kind, verb end): for a separable verb ("führt Amazon an") the speaker
    may stand between the verb and its particle, so the search after the cue starts at the verb's end.
    """
    text, found = article.text, []
    for number, match in CUES.finditer(article):
        start, verb_end = match.start(), match.end()
        for name, value in match.groupdict().items():
            if value is not None and name.startswith("v"):
                start, verb_end = match.start(name), match.end(name)
        start, _ = strip_blanks(text, start, verb_end)
        if article.inside_quote(start, match.end()) is None:
            words = " ".join(text[start:match.end()].split())
            found.append((start, match.end(), words, CUE_KINDS[number], verb_end))
    return sorted(found)


def _candidates(article: Article, lo: int, hi: int) -> list[tuple[int, int, str, str]]:
    """Return the actors named in text[lo:hi] outside quotes, as (start, end, actor, via), roles included."""
    found = [(m.start, m.end, m.actor, "") for m in article.get("mentions") if lo <= m.start and m.end <= hi]
    found += [(r.start, r.end, r.actor, f"role noun {article.text[r.start:r.end]!r}")
              for r in article.get("roles") if r.actor and lo <= r.start and r.end <= hi]
    return sorted(c for c in found if article.inside_quote(c[0], c[1]) is None)


def _pick(article: Article, candidates: list[tuple[int, int, str, str]], nearest_last: bool):
    """Prefer a person; among equals the nearest (last when looking back, first when looking ahead)."""
    if not candidates:
        return None
    ordered = list(reversed(candidates)) if nearest_last else candidates
    persons = [c for c in ordered if article.rules.kinds[c[2]] == "person"]
    return (persons or ordered)[0]


def _after(article: Article, position: int, limit: int):
    """Return the speaker named right after a cue: determiners, adjectives and capitalised words, at most five."""
    text = article.text
    clause_end = position
    while clause_end < limit and text[clause_end] not in _CLAUSE_DELIMITERS:
        clause_end += 1
    walked_end, after_determiner = position, False
    for count, word in enumerate(WORD_RE.finditer(text, position, clause_end)):
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


def _is_subject(article: Article, start: int, sentence: Span) -> bool:
    """Tell whether a mention can be the subject: no preposition before it (determiners skipped)."""
    words = WORD_RE.findall(article.text, sentence.start, start)
    while words and words[-1].lower() in DETERMINERS:
        words.pop()
    return not words or words[-1].lower() not in PREPOSITIONS


def _before(article: Article, position: int, sentence: Span, leftmost: bool = False):
    """Return the subject before a cue in its sentence: the nearest person, else the nearest actor."""
    found = [c for c in _candidates(article, sentence.start, position) if _is_subject(article, c[0], sentence)]
    if leftmost:
        return found[0] if found else None
    return _pick(article, found, nearest_last=True)


def resolve_cue(article: Article, cue: tuple[int, int, str, str, int], sentence: Span) -> Speaker | None:
    """Return the speaker a reporting cue attributes words to, if it names one."""
    start, end, words, kind, verb_end = cue
    text = article.text
    before_cue = text[sentence.start:start].rstrip()
    verb_first = not before_cue or before_cue[-1] in ",:;" + CLOSING_QUOTES
    # "Nachdem …, teilte X mit": the verb opens the main clause; its subject follows, and so does what it reports.
    first_word = WORD_RE.search(re.split(r"[:;„“”\"»«]", before_cue)[-1])
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


def _speaker_in(article: Article, index: int, near: int) -> Speaker | None:
    """Return the first speaker named by a cue in sentence `index`, trying the cues nearest `near` first."""
    sentence = article.sentences[index]
    cues = cues_in(article, sentence.start, sentence.end)
    for cue in sorted(cues, key=lambda c: min(abs(c[0] - near), abs(c[1] - near))):
        speaker = resolve_cue(article, cue, sentence)
        if speaker:
            return speaker
    return None


def quote_speaker(article: Article, quote: tuple[int, int, int, int]) -> tuple[str, str]:
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
    while index > 0 and article.paragraph_of[index - 1] == paragraph and KONJUNKTIV_RE.search(
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
