"""Who says what: role nouns bound to actors, reporting cues, and the speaker a cue or a quote points to.

Shared by the quotes layer (the speaker of a quote) and the labels layer (whom a label is attributed to).
A reporting cue ("sagte", "laut", "so", "heißt es", "nach eigenen Angaben") says where its speaker stands;
reported speech (Konjunktiv) goes on attributing to the last named speaker of its paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.annotate.annotations import UNATTRIBUTED
from helpers.annotate.detect.actors import ORGANISATION_KINDS
from helpers.annotate.detect.engine import Article, provides
from helpers.annotate.detect.rules import CUE_KINDS, CUES
from helpers.text import german
from helpers.text.segment import Span
from helpers.text.tokens import CAPITALISED_RE, CLOSING_QUOTES, OPENING_QUOTES, WORD_RE, quoted_stretches, strip_blanks
from helpers.text.wordlists import (
    ADVERBS,
    DETERMINERS,
    DOCUMENT_NOUNS,
    KONJUNKTIV_RE,
    LEADER_NOUNS,
    MEMBER_NOUNS,
    ORGANISATION_NOUNS,
    PREPOSITIONS,
    ROLE_NOUNS,
    SUBORDINATORS,
)

# Searched in the lowercased text: the head of a role noun; the word is then extended back to its start.
_ROLE_HEAD_RE = re.compile(
    "(?:" + "|".join(sorted((r.lower() for r in ROLE_NOUNS), key=len, reverse=True)) + r")(?![\w])"
)
_CLAUSE_DELIMITERS = ",;:.!?()" + OPENING_QUOTES + CLOSING_QUOTES
# "er" stands for the person named last ("sagte er"); "sie" may as well be a company or many people.
_PRONOUN_RE = re.compile(r"(?<![\w])(?:er|Er)(?![\w])")
_ORGANISATION_RE = re.compile(
    r"(?<![\w])(?:das|die|der|dem|den|des)\s+(?P<noun>" + "|".join(sorted(ORGANISATION_NOUNS)) + r")(?![\w-])"
)
_NEXT_WORD_RE = re.compile(r"[\s-]([A-ZÄÖÜ][^\W\d_]*)")
# Searched in the lowercased text: the head of a document noun; the word is then extended back to its start.
_DOCUMENT_HEAD_RE = re.compile(
    "(?:" + "|".join(sorted({d.lower() for d in DOCUMENT_NOUNS}, key=len, reverse=True)) + r")(?![\w])"
)
_LEADER = "\0leader"  # the bindings' key for the latest actor a leader noun was bound to
_INDEFINITE = frozenset("ein eine einen einem einer eines".split())
_AUTHOR_AFTER_RE = re.compile(r"\s+(?:von|vom|des|der|aus)\s+(?:[\w-]+\s+){0,2}?$")


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
    role noun later in the text ("sagte der CEO") takes the latest binding of the same noun; a leader noun
    ("der Firmenchef") with none takes the latest leader bound by another noun ("Gründer John Matze"), else the
    person named last before it.
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
        leader = head.upper() == "CEO" or head.capitalize() in LEADER_NOUNS
        if actor is not None:
            bindings[noun] = actor
            if leader:
                bindings[_LEADER] = actor
        else:
            actor = bindings.get(noun)
        if actor is None and leader:
            earlier = [p.actor for p in persons if p.end <= start]
            actor = bindings.get(_LEADER) or (earlier[-1] if earlier else None)
        roles.append(Role(start, end, noun, actor))
    return roles


@provides("organisation roles")
def organisation_roles(article: Article) -> list[Role]:
    """Find "das Unternehmen", "der Konzern" … and bind each to the organisation named last before it (within the
    paragraph or the one before): a company is referred back to by what it is."""
    kinds, found = article.rules.kinds, []
    organisations = [m for m in article.get("mentions") if kinds[m.actor] in ORGANISATION_KINDS]
    for match in _ORGANISATION_RE.finditer(article.text):
        paragraph = article.paragraph_of[article.sentence_at(match.start())]
        earlier = [m for m in organisations if m.end <= match.start()
                   and article.paragraph_of[article.sentence_at(m.start)] >= paragraph - 1]
        if earlier:
            found.append(Role(match.start("noun"), match.end("noun"), match["noun"], earlier[-1].actor))
    return found


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
    text = article.text
    found = [(m.start, m.end, m.actor, "") for m in article.get("mentions") if lo <= m.start and m.end <= hi
             and not _before_member_noun(text, m.end)]
    found += [(r.start, r.end, r.actor, f"role noun {text[r.start:r.end]!r}")
              for r in article.get("roles") + article.get("organisation roles") if r.actor and lo <= r.start
              and r.end <= hi]
    for pronoun in _PRONOUN_RE.finditer(text, lo, hi):
        earlier = [m for m in article.get("mentions") if m.end <= pronoun.start()
                   and article.rules.kinds[m.actor] == "person" and article.inside_quote(m.start, m.end) is None]
        other = _name_between(article, earlier[-1].end if earlier else 0, pronoun.start())
        if other:  # someone named since, not in the codebook ("Beat Imhof … sagt er")
            found.append((pronoun.start(), pronoun.end(), UNATTRIBUTED, f"{pronoun.group()!r} for {other!r}"))
        elif earlier:
            found.append((pronoun.start(), pronoun.end(), earlier[-1].actor,
                          f"{pronoun.group()!r} for {text[earlier[-1].start:earlier[-1].end]!r}"))
    return sorted(c for c in found if article.inside_quote(c[0], c[1]) is None)


def _name_between(article: Article, lo: int, hi: int) -> str | None:
    """Return the last name in text[lo:hi] (outside quotes) that is no codebook actor: a capitalised word the
    dictionary does not know, not opening its sentence ("Brinkmann", "Imhof")."""
    mentions = article.get("mentions")
    for match in reversed(list(CAPITALISED_RE.finditer(article.text, lo, hi))):
        start, word = match.start(), match.group()
        if (german.is_known(word) or article.inside_quote(start, match.end()) is not None
                or article.sentences[article.sentence_at(start)].start == start
                or any(m.start <= start < m.end for m in mentions)):
            continue
        return word
    return None


def _before_member_noun(text: str, end: int) -> bool:
    """Tell whether a name is followed by a noun for its people ("Parler Benutzer", "Amazon-Mitarbeiter")."""
    following = _NEXT_WORD_RE.match(text, end)
    return following is not None and following.group(1) in MEMBER_NOUNS


def _pick(article: Article, candidates: list[tuple[int, int, str, str]], nearest_last: bool):
    """Prefer a person; among equals the nearest (last when looking back, first when looking ahead)."""
    if not candidates:
        return None
    ordered = list(reversed(candidates)) if nearest_last else candidates
    persons = [c for c in ordered if article.rules.kinds.get(c[2]) == "person" or c[2] == UNATTRIBUTED]
    return (persons or ordered)[0]


def _after(article: Article, position: int, limit: int):
    """Return the speaker named right after a cue: determiners, adjectives and capitalised words, at most five.

    A name there that is no codebook actor ("sagt Regula Imhof") is someone else: the speaker is UNATTRIBUTED,
    and the search for a speaker stops.
    """
    text = article.text
    clause_end = position
    while clause_end < limit and text[clause_end] not in _CLAUSE_DELIMITERS:
        clause_end += 1
    walked_end, named_end, after_determiner = position, position, False
    for count, word in enumerate(WORD_RE.finditer(text, position, clause_end)):
        token = word.group()
        if count >= 6:
            break
        if token.lower() in DETERMINERS:
            after_determiner = True
        elif token.lower() in ADVERBS:
            pass
        elif token == "er":  # "„…“, sagte er"
            walked_end = word.end()
            break
        elif token[0].isupper() or token[0].isdigit():
            after_determiner = False
        elif not (after_determiner and re.search(r"(?:e|en|er|es|em)$", token)):
            break
        walked_end = word.end()
        # A capitalised word the dictionary does not know is a name ("Imhof"), not a noun ("die Möglichkeit").
        named_end = word.end() if token[0].isupper() and not german.is_known(token) else named_end
    found = _pick(article, _candidates(article, position, walked_end), nearest_last=False)
    if found is None and named_end > position:  # "sagt Regula Imhof": someone not in the codebook
        start = WORD_RE.search(text, position, named_end)
        name = " ".join(text[start.start() if start else position:named_end].split())
        return (position, named_end, UNATTRIBUTED, f"{name!r}, not a codebook actor")
    return found


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


@provides("documents")
def documents(article: Article) -> list[tuple[int, int, str]]:
    """Return every document noun outside quotes as (start, end, family): "Mail", "AWS-Mail", "Klageschrift"."""
    text, found = article.text, []
    lower = article.lower if article.lower is not None else ""
    for match in _DOCUMENT_HEAD_RE.finditer(lower):
        start = match.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
            start -= 1
        if text[start].isupper() and article.inside_quote(start, match.end()) is None:
            found.append((start, match.end(), match.group()[:5]))
    return found


def _author(article: Article, start: int, end: int) -> tuple[int, int, str, str] | None:
    """Return who wrote the document named at text[start:end]: an actor in the word or right after it, else the
    subject of its sentence before it."""
    sentence = article.sentences[article.sentence_at(start)]
    named = [c for c in _candidates(article, start, min(sentence.end, end + 40))
             if c[1] <= end or _AUTHOR_AFTER_RE.fullmatch(article.text[end:c[0]] + " ")]
    if named:
        return named[0]
    return _before(article, start, sentence, leftmost=True)


def document_speaker(article: Article, lo: int, hi: int) -> tuple[tuple[int, int, str, str], str] | None:
    """Return (author, document word) for a document named in text[lo:hi] ("heißt es in der Mail").

    The author named with it, else, for a document referred back to ("in dem Schreiben", not "in einem
    Schreiben"), the author of the latest earlier document of the same kind, or of any kind when there is none
    ("eine E-Mail" … "in dem Schreiben").
    """
    named = [d for d in article.get("documents") if lo <= d[0] and d[1] <= hi]
    for start, end, family in named:
        word = article.text[start:end]
        if author := _author(article, start, end):
            return author, word
        before = WORD_RE.findall(article.text, max(lo, start - 40), start)
        if any(w.lower() in _INDEFINITE for w in before[-4:]):
            return None  # a document named for the first time: its author is not known from earlier text
        earlier = [d for d in article.get("documents") if d[1] <= lo]
        same = [d for d in reversed(earlier) if d[2] == family]
        for document in same or list(reversed(earlier)):
            if author := _author(article, document[0], document[1]):
                return author, word
            if same:
                return None
    return None


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
    if kind in ("impersonal", "after"):  # "heißt es in dem Schreiben", "laut der Mail": the document's author
        clause_end = verb_end
        while clause_end < sentence.end and text[clause_end] not in _CLAUSE_DELIMITERS:
            clause_end += 1
        lo = sentence.start if kind == "impersonal" else start
        if document := document_speaker(article, lo, clause_end):
            author, word = document
            how = f"{words} … {word} (its author{', ' + author[3] if author[3] else ''})"
            return Speaker(author[2], how, "document", inverted, author[0], author[1])
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
