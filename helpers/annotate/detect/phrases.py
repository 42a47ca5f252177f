"""Phrase cues: words matched on lemmas and compound parts, in any order within one sentence, with slots.

A fact's `phrases` in the codebook say a fact in words rather than as a regular expression, so that one phrase
covers its inflections, compounds and word orders. Each phrase is words separated by blanks; every word must
occur in the same sentence, at most WINDOW words from the others, in any order. A word is written as

- ``Gericht``: a text word whose lowercase form or lemma is the same ("Gerichts", "Gerichte");
- ``klag*``: a text word that starts with it ("klagte", "Klageschrift"); ``*klage``: one that ends with it, the
  head of a compound ("Sammelklage", "Kartellklage"); each part of a hyphenated word counts ("US-Kapitol");
- ``a|b|c``: any of these;
- ``{actor}``: a mention of that codebook actor (any spelling, a misspelling, or a role noun that stands for it:
  "der Konzern", "die Firma");
- ``{number}`` or ``{number:10-20}``: a number in digits or words ("12", "zwölf", "12,5"), within the range.

A phrase does not match a sentence in which a negation ("nicht", "kein", "nie") stands among or just before
its words, unless the phrase holds that word itself. A fact's `undone_by` phrases mark a state the article says
has ended ("wieder online"): in an article where one matches, the fact is not read as the current state.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from helpers.text import german
from helpers.text.segment import Span
from helpers.text.tokens import WORD_RE

WINDOW = 14  # the most words a phrase's matched words may lie apart
NEGATIONS = frozenset({"nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "nichts",
                       "weder"})
NEGATION_REACH = 3  # words before the first matched word a negation still reaches
NUMBER_WORDS = {"ein": 1, "eine": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8,
                "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
                "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19, "zwanzig": 20, "dreissig": 30,
                "dreißig": 30, "vierzig": 40, "fünfzig": 50, "hundert": 100, "tausend": 1000}
NUMBER_FORMS = frozenset(NUMBER_WORDS) | {w.capitalize() for w in NUMBER_WORDS}
_SLOT_RE = re.compile(r"\{(?P<kind>[\w-]+)(?::(?P<low>\d+(?:[.,]\d+)?)-(?P<high>\d+(?:[.,]\d+)?))?\}")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")
_DECIMAL_RE = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Word:
    """One position of a phrase, its alternatives sorted by kind: forms (a word or its lemma), actor ids, number
    ranges, and the prefixes and suffixes as one pattern a whole form must match."""

    text: str
    forms: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    numbers: tuple[tuple[float, float], ...] = ()
    affixes: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Phrase:
    """A phrase cue compiled: its words, and the plain words a sentence must hold (a fast first test)."""

    text: str
    words: tuple[Word, ...]
    needs_negation: bool


class PhraseError(ValueError):
    """A phrase cue that cannot be read (an unknown slot, an empty word)."""


def parse(phrase: str, actors: set[str], where: str) -> Phrase:
    """Compile one phrase cue; raise PhraseError naming `where` for a slot or word that cannot be read."""
    words = []
    for token in phrase.split():
        forms: set[str] = set()
        prefixes, suffixes, named, numbers = [], [], set(), []
        for part in token.split("|"):
            slot = _SLOT_RE.fullmatch(part)
            if slot and slot["kind"] == "number":
                low = float(slot["low"].replace(",", ".")) if slot["low"] else float("-inf")
                high = float(slot["high"].replace(",", ".")) if slot["high"] else float("inf")
                numbers.append((low, high))
            elif slot:
                if slot["kind"] not in actors:
                    raise PhraseError(f"{where}: phrase {phrase!r}: {{{slot['kind']}}} is neither an actor id of the "
                                      "codebook nor {number}")
                named.add(slot["kind"])
            elif part.startswith("*") and len(part) > 3 and "*" not in part[1:]:
                suffixes.append(part[1:].lower())
            elif part.endswith("*") and len(part) > 3 and "*" not in part[:-1]:
                prefixes.append(part[:-1].lower())
            elif part and "*" not in part and "{" not in part:
                forms |= {part.lower(), german.lemma(part)}
            else:
                raise PhraseError(f"{where}: phrase {phrase!r}: cannot read the word {part!r} (a word, word*, "
                                  "*word of 3+ letters, {actor id} or {number:low-high})")
        affixes = [f"{re.escape(a)}.*" for a in prefixes] + [f".*{re.escape(a)}" for a in suffixes]
        pattern = re.compile("|".join(affixes), re.DOTALL) if affixes else None
        words.append(Word(token, frozenset(forms), frozenset(named), tuple(numbers), pattern))
    if not words:
        raise PhraseError(f"{where}: an empty phrase")
    return Phrase(phrase, tuple(words), any(word.forms & NEGATIONS for word in words))


def number_value(word: str) -> float | None:
    """Return the value of a number written in digits ("12", "12,5", "10.000") or as a German word, else None."""
    if not word[0].isdigit():
        return float(NUMBER_WORDS[word.lower()]) if word.lower() in NUMBER_WORDS else None
    lower = word.lower()
    if lower in NUMBER_WORDS:
        return float(NUMBER_WORDS[lower])
    if _THOUSANDS_RE.fullmatch(word):  # "10.000", "1.000.000"
        return float(word.replace(".", ""))
    if _DECIMAL_RE.fullmatch(word):  # "12", "12,5", "23.59"
        return float(word.replace(",", "."))
    return None  # dates ("15.02.2021") and other digit strings are not numbers here


@dataclass
class Index:
    """A text's words (by index), and where each form, actor and number occurs among them (built once per text).

    A word's forms are its lowercase form, its lemma and, for a hyphenated compound, each part ("us-kapitol",
    "kapitol").
    """

    text: str
    starts: list[int]
    ends: list[int]
    sentence_of: list[int]  # per word: the index of its sentence
    by_actor: dict[str, list[int]]
    numbers: list[tuple[float, int]]
    fitted: dict[int, list[int]]  # per phrase word (by id): the text words that fit its forms, prefixes or suffixes
    found: dict[int, list[int]] = field(default_factory=dict)  # positions per phrase word (by id), computed once

    def sentence(self, i: int) -> int:
        """Return the sentence index of word i."""
        return self.sentence_of[i]

    def lower(self, i: int) -> str:
        """Return word i in lowercase."""
        return self.text[self.starts[i]:self.ends[i]].lower()

    def positions(self, word: Word) -> list[int]:
        """Return the sorted indices of the words that fit a phrase word."""
        key = id(word)
        if key not in self.found:
            hits = set(self.fitted.get(key, ()))
            for actor in word.actors:
                hits.update(self.by_actor.get(actor, ()))
            for value, i in self.numbers:
                if any(low <= value <= high for low, high in word.numbers):
                    hits.add(i)
            self.found[key] = sorted(hits)
        return self.found[key]


def _forms(word: str) -> frozenset[str]:
    """Return the forms a phrase word may match in a text word (remembered per process)."""
    found = _FORMS.get(word)
    if found is None:
        lower = word.lower()
        parts = [part for part in word.split("-") if part] if "-" in word else []
        found = frozenset({lower, german.lemma(word) if word.isalpha() else lower,
                           *(part.lower() for part in parts), *(german.lemma(p) for p in parts if p.isalpha())})
        _FORMS[word] = found
    return found


_FORMS: dict[str, frozenset[str]] = {}


class PhraseBook:
    """Every phrase of a codebook, and which phrase words each text word fits (judged once per distinct word)."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.words = [word for phrase in phrases for word in phrase.words]
        self.known: dict[str, tuple[int, ...]] = {}  # text word -> the ids of the phrase words it fits

    def fitted(self, word: str) -> tuple[int, ...]:
        """Return the ids of the phrase words a text word fits by its forms, prefixes or suffixes."""
        found = self.known.get(word)
        if found is None:
            forms = _forms(word)
            found = self.known[word] = tuple(id(w) for w in self.words if forms & w.forms or (
                w.affixes is not None and any(w.affixes.fullmatch(form) for form in forms)))
        return found


def index(text: str, spans: list[Span], actor_spans: list[tuple[int, int, str]], book: PhraseBook) -> Index:
    """Return the phrase index of a text: where each phrase word's text words, numbers and actors stand.

    `spans` are the sentences in text order; `actor_spans` (start, end, actor) are mentions of actors anywhere in
    the text, and each marks the words it overlaps. Words no phrase word fits are only counted.
    """
    starts, ends, fitted, numbers = [], [], {}, []
    known, fits = book.known, book.fitted
    for i, match in enumerate(WORD_RE.finditer(text)):
        word = match.group()
        starts.append(match.start())
        ends.append(match.end())
        keys = known.get(word)
        for key in fits(word) if keys is None else keys:
            fitted.setdefault(key, []).append(i)
        if (word[0].isdigit() or word in NUMBER_FORMS) and (value := number_value(word)) is not None:
            numbers.append((value, i))
    by_actor: dict[str, list[int]] = {}
    for start, end, actor in actor_spans:
        for i in range(max(0, bisect.bisect_right(starts, start) - 1), bisect.bisect_left(starts, end)):
            if ends[i] > start:
                by_actor.setdefault(actor, []).append(i)
    sentence_of, sentence, sentence_starts = [], 0, [span.start for span in spans]
    for start in starts:  # both in text order: one merge
        while sentence + 1 < len(sentence_starts) and sentence_starts[sentence + 1] <= start:
            sentence += 1
        sentence_of.append(sentence)
    return Index(text, starts, ends, sentence_of, by_actor, numbers, fitted)


def matches(phrase: Phrase, found: Index) -> list[tuple[int, int]]:
    """Return, per sentence the phrase occurs in, the (first, last) word index of its words: every word of the
    phrase in that sentence, at most WINDOW words apart (as close together as found), with no negation among or
    just before them unless the phrase holds one."""
    candidates = [found.positions(word) for word in phrase.words]
    if not all(candidates):
        return []
    sentence_of, best = found.sentence_of, {}
    for position in min(candidates, key=len):  # every match holds one of the rarest word's positions
        sentence = sentence_of[position]
        near = []
        for positions in candidates:
            same = [i for i in positions[bisect.bisect_left(positions, position - WINDOW):
                                          bisect.bisect_right(positions, position + WINDOW)]
                    if sentence_of[i] == sentence]
            if not same:
                break
            near.append(same)
        else:
            chosen = [min(same, key=lambda i, p=position: abs(i - p)) for same in near]
            for n, same in enumerate(near):  # then each word's closest to the others: the narrowest set
                others = chosen[:n] + chosen[n + 1:] + [position]
                lo, hi = min(others), max(others)
                chosen[n] = min(same, key=lambda i, lo=lo, hi=hi: max(hi, i) - min(lo, i))
            lo, hi = min(chosen), max(chosen)
            if hi - lo > WINDOW or (sentence in best and best[sentence][1] - best[sentence][0] <= hi - lo):
                continue
            if not phrase.needs_negation and any(
                    found.lower(i) in NEGATIONS and sentence_of[i] == sentence
                    for i in range(max(0, lo - NEGATION_REACH), hi + 1) if i not in chosen):
                continue
            best[sentence] = (lo, hi)
    return [best[sentence] for sentence in sorted(best)]
