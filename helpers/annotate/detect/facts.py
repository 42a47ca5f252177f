"""Facts: the codebook's fact `cues` (regular expressions); the span is the clause that states the fact.

"A && B": A gives the span, B must also occur in the same sentence. Overlapping matches of one fact merge.
"""

from __future__ import annotations

import re

from helpers.annotate.detect.engine import Article, row
from helpers.text.segment import Span
from helpers.text.tokens import strip_blanks

_CLAUSE_BREAK_RE = re.compile(r",\s|;|:\s|\s[–—-]\s|\(|\)")


def _clause(article: Article, sentence: Span, start: int, end: int) -> tuple[int, int]:
    """Return the clause(s) of `sentence` that hold text[start:end], without surrounding blanks."""
    breaks = [(m.start(), m.end()) for m in _CLAUSE_BREAK_RE.finditer(article.text, sentence.start, sentence.end)]
    lo = max((b_end for b_start, b_end in breaks if b_end <= start), default=sentence.start)
    hi = min((b_start for b_start, b_end in breaks if b_start >= end), default=sentence.end)
    return strip_blanks(article.text, lo, hi)


def rows(article: Article) -> list[dict]:
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
    facts = []
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
