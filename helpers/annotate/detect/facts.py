"""Facts: the codebook's fact `cues` (regular expressions) and `phrases`; the span is the clause stating the fact.

Cues: "A && B": A gives the span, B must also occur in the same sentence. Phrases: words matched on lemmas and
compound parts in any order, with slots for actors and numbers (helpers.annotate.detect.phrases). A match with
a negation just before it ("nicht", "kein") does not state the fact; nor does any match of a fact whose
`undone_by` phrases say, somewhere in the article, that the state has ended ("wieder online").
Overlapping matches of one fact merge.
"""

from __future__ import annotations

import re

from helpers.annotate.detect import phrases
from helpers.annotate.detect.engine import Article, provides, row
from helpers.text.segment import Span
from helpers.text.tokens import WORD_RE, strip_blanks

_CLAUSE_BREAK_RE = re.compile(r",\s|;|:\s|\s[–—-]\s|\(|\)")
NEGATION_CHARS = 40  # how far back a negation before a cue's match is looked for


def _clause(article: Article, sentence: Span, start: int, end: int) -> tuple[int, int]:
    """Return the clause(s) of `sentence` that hold text[start:end], without surrounding blanks."""
    breaks = [(m.start(), m.end()) for m in _CLAUSE_BREAK_RE.finditer(article.text, sentence.start, sentence.end)]
    lo = max((b_end for b_start, b_end in breaks if b_end <= start), default=sentence.start)
    hi = min((b_start for b_start, b_end in breaks if b_start >= end), default=sentence.end)
    return strip_blanks(article.text, lo, hi)


@provides("phrase index")
def phrase_index(article: Article) -> phrases.Index:
    """Return the article's words as the phrase cues read them (lemmas, numbers, the actors they mention)."""
    spans = sorted([(m.start, m.end, m.actor) for m in article.get("mentions")]
                   + [(r.start, r.end, r.actor) for r in article.get("roles") if r.actor])
    return phrases.index(article.text, article.sentences, spans, article.rules.phrase_book)


def _negated(article: Article, sentence: Span, start: int) -> bool:
    """Tell whether a negation stands among the few words before `start` in its clause ("nicht verklagt")."""
    before = article.text[max(sentence.start, start - NEGATION_CHARS):start]
    clause = _CLAUSE_BREAK_RE.split(before)[-1]
    return any(word.lower() in phrases.NEGATIONS for word in WORD_RE.findall(clause)[-phrases.NEGATION_REACH:])


def _phrase_matches(article: Article) -> list[tuple[str, int, int, str]]:
    """Return (fact, start, end, phrase) for every sentence a fact's phrase occurs in."""
    found, index = [], article.get("phrase index")
    for code, cues in article.rules.fact_phrases:
        sentences: set[int] = set()
        for cue in cues:
            for lo, hi in phrases.matches(cue, index):
                if index.sentence(lo) not in sentences:
                    sentences.add(index.sentence(lo))
                    found.append((code, index.starts[lo], index.ends[hi], cue.text))
    return found


def _undone(article: Article) -> set[str]:
    """Return the facts whose state the article says has ended (an `undone_by` phrase occurs in it)."""
    undone = article.rules.fact_undone
    if not undone:
        return set()
    index = article.get("phrase index")
    return {code for code, cues in undone.items() if any(phrases.matches(cue, index) for cue in cues)}


def rows(article: Article) -> list[dict]:
    """Return one row per clause that states a fact (overlapping matches of a fact merged)."""
    text = article.text
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for code, start, end, cue in _phrase_matches(article) if article.rules.fact_phrases else ():
        sentence = article.sentences[article.sentence_at(start)]
        spans.setdefault(code, []).append((*_clause(article, sentence, start, end), cue))
    for code, finder, requirements in article.rules.facts:
        for number, match in finder.finditer(article):
            sentence = article.sentences[article.sentence_at(match.start())]
            if _negated(article, sentence, match.start()):
                continue
            required = requirements[number]
            need = required.search(text, sentence.start, sentence.end) if required else None
            if required and need is None:
                continue
            lo, hi = match.start(), max(match.end(), match.start() + 1)
            if need:
                lo, hi = min(lo, need.start()), max(hi, need.end())
            start, end = _clause(article, sentence, lo, hi)
            spans.setdefault(code, []).append((start, end, " ".join(match.group().split())))
    facts = []
    for code in _undone(article):
        spans.pop(code, None)
    for code, found in spans.items():
        merged: list[list] = []
        for start, end, cue in sorted(found):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
                if cue not in merged[-1][2]:
                    merged[-1][2].append(cue)
            else:
                merged.append([start, end, [cue]])
        facts += [row(article, "facts", code, s, e, note="cue: " + "; ".join(c)) for s, e, c in merged]
    return facts
