"""Actors: codebook spellings on word boundaries, plus misspelled names found by fuzzy matching.

A hyphen ends a name ("Parler-Chef" -> "Parler"), a genitive -s belongs to it; a capitalised word (or pair)
the German dictionary does not know, one edit from a codebook name, is a variant (`is_variant`). A person's
surname (spelled right or one edit off) after a word like its first name is that person, the two words one
variant mention ("Jon Matze", "Jhon Mazte", "Rebecca Mercer"); a misspelled surname met that way is that
person wherever it stands alone later in the article. A name of three or more words whose last word is one edit
off is a variant ("Amazon Web Service"); so is a dictionary word one edit from an organisation the article also
names rightly ("Amazone").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from helpers.annotate.detect.engine import Article, provides, row
from helpers.annotate.detect.rules import (
    FIRST_NAME_THRESHOLD,
    FUZZY_MIN_LENGTH,
    FUZZY_PAIR_THRESHOLD,
    FUZZY_THRESHOLD,
    Rules,
)
from helpers.text import german
from helpers.text.tokens import CAPITALISED_RE

# Two capitalised words in a row. Only the initial is consumed, so overlapping pairs are all found; starting
# with a character class lets `re` skip ahead fast.
_CAPITALISED_PAIR_RE = re.compile(
    r"[A-ZÄÖÜ](?<![\w][A-ZÄÖÜ])(?=(?P<rest>[^\W\d_]+) (?P<second>[A-ZÄÖÜ][^\W\d_]+)(?![\w]))"
)


ORGANISATION_KINDS = frozenset({"company", "platform", "outlet"})


@dataclass(frozen=True)
class Mention:
    """One actor mention."""

    start: int
    end: int
    actor: str
    is_variant: bool = False
    note: str = ""



def _fuzzy_word(rules: Rules, word: str, known: bool = False) -> tuple[str, str, float] | None:
    """Return (actor, spelling, similarity) when a capitalised word is a misspelled name, else None.

    A word the German dictionary knows is no name, unless `known` (see _known_variants).
    """
    key = (word, known) if known else word
    if key in rules.fuzzy_cache:
        return rules.fuzzy_cache[key]
    found = None
    bases = {word, word[:-1]} if word.endswith("s") else {word}
    if (len(word) >= FUZZY_MIN_LENGTH and not bases & rules.exact_words
            and known == any(german.is_known(b) for b in bases)):
        best = (0.0, "", "")
        for spelling, actor in rules.fuzzy_words:
            if spelling[0] != word[0]:
                continue  # misspellings keep the initial; this also skips most false friends
            score = max(OSA.normalized_similarity(b, spelling) for b in bases)
            if score > best[0]:
                best = (score, spelling, actor)
        if best[0] >= FUZZY_THRESHOLD:
            found = (best[2], best[1], best[0])
    rules.fuzzy_cache[key] = found
    return found


def _known_variants(rules: Rules, text: str, words: set[str], exact: list[Mention]) -> list[Mention]:
    """Return dictionary words one edit from the name of an organisation, in an article that names that one or
    another of its kind rightly.

    "Amazone" and "Telegramm" are German words, but in a text that names Amazon, or Parler and other platforms,
    they are the companies misspelled. Persons are left out: a word like a surname ("Trumpf") is more often the word.
    """
    named = {m.actor for m in exact if rules.kinds[m.actor] in ORGANISATION_KINDS}
    kinds = {rules.kinds[actor] for actor in named}
    found = []
    for word in words if named else ():
        hit = _fuzzy_word(rules, word, known=True)
        if hit and (hit[0] in named or rules.kinds[hit[0]] in kinds):
            note = _variant_note(hit) + "; a German word, but the article names the actor or others of its kind"
            found += [Mention(m.start(), m.end(), hit[0], True, note)
                      for m in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", text)]
    return found


def _fuzzy_pair(rules: Rules, first: str, second: str) -> tuple[str, str, float] | None:
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
        unknown = not german.is_known(first) and not german.is_known(second)
        if same == 0 and not unknown:
            continue
        score = OSA.normalized_similarity(pair, spelling)
        if score >= FUZZY_PAIR_THRESHOLD and score > best:
            found, best = (actor, spelling, score), score
    rules.pair_cache[pair] = found
    return found


def _person_pair(rules: Rules, first: str, second: str) -> tuple[str, str, float] | None:
    """Return (actor, spelling, similarity) when `first second` is a person's name with a misspelled part."""
    exact = rules.forms.get(second)
    fuzzy = None if exact else _fuzzy_word(rules, second)
    actor = exact[0] if exact else fuzzy[0] if fuzzy else None
    # Beside a misspelled surname, the first name must be no German word either; beside a right one it may be
    # ("Rebecca", "Jon" are in the dictionary as names).
    if actor is None or actor not in rules.first_names or (fuzzy and german.is_known(first)):
        return None
    for name in rules.first_names[actor]:
        if first == name and exact:
            return None  # spelled right: an exact mention
        score = OSA.normalized_similarity(first, name)
        if first[0] == name[0] and score >= FIRST_NAME_THRESHOLD:
            return actor, f"{name} {second if exact else fuzzy[1]}", score  # type: ignore[index]
    return None


def _surnames_again(text: str, found: list[Mention]) -> list[Mention]:
    """Return the later lone occurrences of a misspelled surname first met beside its first name."""
    surnames = {}
    for mention in found:
        if mention.is_variant and " " in text[mention.start:mention.end]:
            surname = text[mention.start:mention.end].split()[-1]
            surnames.setdefault(surname, (mention.actor, mention.end, text[mention.start:mention.end]))
    again = []
    for surname, (actor, after, full) in surnames.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text[after:]):
            again.append(Mention(after + match.start(), after + match.end(), actor, True,
                                 f"surname of {full!r} named before"))
    return again


@provides("mentions")
def mentions(article: Article) -> list[Mention]:
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
    capitalised = set(CAPITALISED_RE.findall(text))  # each distinct word judged once (cached across articles)
    variants = {w for w in capitalised if _fuzzy_word(rules, w)}
    for match in CAPITALISED_RE.finditer(text) if variants else ():
        if match.group() in variants:
            found = _fuzzy_word(rules, match.group())
            candidates.append(Mention(match.start(), match.end(), found[0], True, _variant_note(found)))
    for match in _CAPITALISED_PAIR_RE.finditer(text):
        first, second = match.group() + match["rest"], match["second"]
        if (first[0], second[0]) in rules.pair_initials:
            found = _fuzzy_pair(rules, first, second) or _person_pair(rules, first, second)
            if found:
                candidates.append(Mention(match.start(), match.start() + len(first) + 1 + len(second), found[0], True,
                                          _variant_note(found)))
    for pattern, spelling, actor in rules.long_names:
        last = spelling.rsplit(maxsplit=1)[1]
        for match in pattern.finditer(text):
            score = OSA.normalized_similarity(match["last"], last)
            if match["last"] != last and score >= FUZZY_THRESHOLD:
                note = _variant_note((actor, spelling, score))
                candidates.append(Mention(match.start(), match.end(), actor, True, note))
    found = _longest_first(candidates)
    exact = [m for m in found if not m.is_variant]
    more = _surnames_again(text, found) + _known_variants(rules, text, capitalised, exact)
    return _longest_first(found + more) if more else found


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


def rows(article: Article) -> list[dict]:
    """Return one row per actor mention."""
    return [row(article, "actors", m.actor, m.start, m.end, note=m.note, is_variant=m.is_variant)
            for m in article.get("mentions")]
