"""Quotes: text inside quotation marks of at least QUOTE_MIN_WORDS words, with the speaker a cue names.

Scare quotes and cited terms („98 Posts“) are too short to be speech; a quoted stretch mostly covered by a
label of the codebook's label target is a quoted label (the labels layer codes it), not a quote.
"""

from __future__ import annotations

from helpers.annotate.detect.engine import Article, provides, row
from helpers.annotate.detect.speakers import quote_speaker
from helpers.text.tokens import WORD_RE

# Quoted stretches shorter than this are scare quotes or cited terms („98 Posts“, "Parler"), not speech.
QUOTE_MIN_WORDS = 4
# A quoted stretch mostly covered by a label is a quoted label, not a quote.
QUOTED_LABEL_SHARE = 0.6


@provides("quotes")
def quotes(article: Article) -> list[dict]:
    """Return the direct quotes with their speakers (scare quotes and quoted labels left out)."""
    found = []
    labelled = [(label["start"], label["end"]) for label in article.get("labels")]
    for quote in article.get("raw quotes"):
        start, end = quote[2], quote[3]
        content = article.text[start:end]
        if len(WORD_RE.findall(content)) < QUOTE_MIN_WORDS:
            continue
        covered = sum(max(0, min(end, e) - max(start, s)) for s, e in labelled)
        if covered >= QUOTED_LABEL_SHARE * len(content):
            continue
        speaker, note = quote_speaker(article, quote)
        found.append(row(article, "quotes", "direct_quote", start, end, speaker=speaker, note=note))
    return found


def rows(article: Article) -> list[dict]:
    """Return one row per direct quote, with its speaker."""
    return article.get("quotes")
