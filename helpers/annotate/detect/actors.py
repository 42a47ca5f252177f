"""Actors: codebook spellings on word boundaries, plus misspelled names found by fuzzy matching.

A hyphen ends a name ("Parler-Chef" -> "Parler"), a genitive -s belongs to it; a capitalised word (or pair)
the German dictionary does not know, one edit from a codebook name, is a variant (`is_variant`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from helpers.annotate.detect.engine import Article, provides, row
from helpers.annotate.detect.rules import FUZZY_MIN_LENGTH, FUZZY_PAIR_THRESHOLD, FUZZY_THRESHOLD, Rules
from helpers.text import german
from helpers.text.tokens import CAPITALISED_RE

# Two capitalised words in a row. Only the initial is consumed, so overlapping pairs are all found; starting
# with a character class lets `re` skip ahead fast.
_CAPITALISED_PAIR_RE = re.compile(
    r"[A-ZÄÖÜ](?<![\w][A-ZÄÖÜ])(?=(?P<rest>[^\W\d_]+) (?P<second>[A-ZÄÖÜ][^\W\d_]+)(?![\w]))"
)


@dataclass(frozen=True)
class Mention:
    """One actor mention."""

    start: int
    end: int
    actor: str
    is_variant: bool = False
    note: str = ""



def _fuzzy_word(rules: Rules, word: str) -> tuple[str, str, float] | None:
    """Return (actor, spelling, similarity) when a capitalised word is a misspelled name, else None."""
    if word in rules.fuzzy_cache:
        return rules.fuzzy_cache[word]
    found = None
    bases = {word, word[:-1]} if word.endswith("s") else {word}
    if (len(word) >= FUZZY_MIN_LENGTH and not bases & rules.exact_words
            and not any(german.is_known(b) for b in bases)):
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
    variants = {w for w in set(CAPITALISED_RE.findall(text)) if _fuzzy_word(rules, w)}
    for match in CAPITALISED_RE.finditer(text) if variants else ():
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


def rows(article: Article) -> list[dict]:
    """Return one row per actor mention."""
    return [row(article, "actors", m.actor, m.start, m.end, note=m.note, is_variant=m.is_variant)
            for m in article.get("mentions")]
