"""Split German news text into paragraphs and sentences, keeping character offsets.

Pure Python and `re`: no model, no download. Every span satisfies `text[span.start:span.end] == span.text`.

A paragraph is one non-blank line (the corpus puts one paragraph per line). A sentence ends after
`.`, `!`, `?`, `…` or `...`, optionally followed by closing quotes or brackets, when whitespace and then an
uppercase letter, a digit or an opening quote or bracket follow. A bare period does not end a sentence
after an abbreviation from ABBREVIATIONS, after a single capital letter (an initial such as "John F.
Kennedy") or after an ordinal number ("am 6. Januar", "im 21. Jahrhundert").
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from helpers.text.tokens import OPENING_QUOTES

# fmt: off
# Written without inner spaces: "z.B.", "z. B." and "Z. B." all match "z.B.".
ABBREVIATIONS = (
    "z.B.", "d.h.", "u.a.", "bzw.", "ca.", "Dr.", "Prof.", "Nr.", "St.", "Mio.", "Mrd.", "Min.", "Std.",
    "Abs.", "Art.", "Hr.", "Fr.", "vgl.", "etc.", "usw.", "evtl.", "ggf.", "inkl.", "bspw.", "sog.", "Jh.",
    "Jan.", "Feb.", "Mär.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Okt.", "Nov.", "Dez.",
    "Mo.", "Di.", "Mi.", "Do.", "So.", "Co.", "Inc.", "Corp.", "Ltd.",
    # Also common in German news and never sentence-final in practice.
    "v.a.", "z.T.", "u.U.", "o.Ä.", "u.Ä.", "i.d.R.", "Hrsg.", "Tsd.", "Mr.", "Mrs.", "Ms.", "Jr.", "Sr.",
)

MONTHS = (
    "Januar", "Jänner", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
    "Jan", "Feb", "Mär", "Mrz", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Okt", "Nov", "Dez",
)

# Words that put an ordinal before a capitalised noun: "im 21. Jahrhundert", "zum 2. Mal".
ORDINAL_DETERMINERS = frozenset(
    "am im zum zur vom beim der die das den dem des ein eine einem einen einer eines "
    "sein seine seinem seinen seiner seines ihr ihre ihrem ihren ihrer ihres "
    "dieser diese diesem diesen dieses jeder jede jedem jeden jedes".split()
)
# fmt: on

CLOSING_MARKS = "“”\"'‘’«»)]"
# “ is not in the German set („…“) but opens quotes in English-style typography; after a sentence end
# and a space it cannot be a closing mark.
OPENING_MARKS = OPENING_QUOTES + "([‘‚"

COLUMNS = ["article_id", "paragraph", "sentence", "start", "end", "text"]

# Lines as str.splitlines() sees them.
_LINE_RE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# Byte-order marks and zero-width spaces come with web text; treat them as blank.
_CONTENT_RE = re.compile(r"[^\s\ufeff\u200b](?:.*[^\s\ufeff\u200b])?", re.DOTALL)
# A match starts only at the first mark of a run ("?!", "..."), and possessive quantifiers never backtrack,
# so a run of thousands of dots stays linear. Leading with a character class lets `re` scan ahead fast.
_CANDIDATE_RE = re.compile(
    r"(?P<terminator>[.!?…](?<![.!?…][.!?…])[.!?…]*+)"
    rf"(?P<closing>[{re.escape(CLOSING_MARKS)}]*+)(?P<space>\s++)"
)


def _abbreviation_pattern(abbreviation: str) -> str:
    """Return a regex for one abbreviation, with optional spaces after inner periods."""
    parts = abbreviation.replace(" ", "").rstrip(".").split(".")
    first = parts[0]
    if first[0].islower():
        parts[0] = f"[{first[0]}{first[0].upper()}]{re.escape(first[1:])}"
    else:
        parts[0] = re.escape(first)
    return r"\.\s?".join([parts[0], *map(re.escape, parts[1:])]) + r"\."


_ABBREVIATION_RE = re.compile(r"(?<!\w)(?:" + "|".join(sorted({_abbreviation_pattern(a) for a in ABBREVIATIONS})) + ")")
_ABBREVIATION_REACH = max(len(a) for a in ABBREVIATIONS) * 2
_MONTH_RE = re.compile("(?:" + "|".join(MONTHS) + r")\b")
_NUMBER_BEFORE_RE = re.compile(r"(?:(?<!\w)(?P<word>\w+)\s+)?(?<![\w.,])(?P<number>\d{1,3})\Z")


@dataclass(frozen=True)
class Span:
    """A stretch of a source text: `text == source[start:end]`."""

    start: int
    end: int
    text: str


def _stripped(text: str, start: int, end: int) -> Span | None:
    """Return the span of text[start:end] without surrounding blanks, or None if it is all blank."""
    match = _CONTENT_RE.search(text, start, end)
    if match is None:
        return None
    return Span(match.start(), match.end(), match.group())


def split_paragraphs(text: str) -> list[Span]:
    """Split text into paragraphs: one per non-blank line, stripped."""
    spans = (_stripped(text, line.start(), line.end()) for line in _LINE_RE.finditer(text))
    return [span for span in spans if span is not None]


def _inside_abbreviation(text: str, period: int) -> bool:
    """Tell whether the period at `period` belongs to an abbreviation."""
    lo = max(0, period - _ABBREVIATION_REACH)
    hi = min(len(text), period + _ABBREVIATION_REACH)
    return any(m.start() <= period < m.end() for m in _ABBREVIATION_RE.finditer(text, lo, hi))


def _after_initial(text: str, period: int) -> bool:
    """Tell whether the period at `period` follows a lone capital letter, as in "John F. Kennedy"."""
    letter = text[period - 1] if period >= 1 else ""
    return letter.isupper() and (period == 1 or not text[period - 2].isalnum())


def _ends_ordinal(text: str, period: int, next_word: int) -> bool:
    """Tell whether the period at `period` belongs to an ordinal number such as "6." in "am 6. Januar"."""
    before = _NUMBER_BEFORE_RE.search(text, max(0, period - 40), period)
    if before is None:
        return False
    if len(before["number"]) <= 2 and _MONTH_RE.match(text, next_word):
        return True
    return (before["word"] or "").lower() in ORDINAL_DETERMINERS


def _is_boundary(text: str, candidate: re.Match[str]) -> bool:
    """Tell whether a terminator matched by _CANDIDATE_RE ends a sentence."""
    next_char = text[candidate.end()]
    if not (next_char.isupper() or next_char.isdecimal() or next_char in OPENING_MARKS):
        return False
    terminator, closing = candidate["terminator"], candidate["closing"]
    start = candidate.start()
    if terminator in ("…", "...") and start > 0 and text[start - 1] in "[(":
        return False  # an omission mark, "[…]", inside a quotation
    if terminator != "." or closing:
        # A closing quote or bracket after the period marks a real end even after "usw." or "3.".
        return True
    return not (
        _inside_abbreviation(text, start) or _after_initial(text, start) or _ends_ordinal(text, start, candidate.end())
    )


def _sentences_in(text: str, paragraph: Span) -> Iterator[Span]:
    """Yield the sentences of one paragraph, with offsets into text."""
    start = paragraph.start
    for candidate in _CANDIDATE_RE.finditer(text, paragraph.start, paragraph.end):
        if _is_boundary(text, candidate):
            end = candidate.start("space")
            yield Span(start, end, text[start:end])
            start = candidate.end()
    yield Span(start, paragraph.end, text[start : paragraph.end])


def _iter_sentences(text: str) -> Iterator[tuple[int, Span]]:
    """Yield (paragraph index, sentence span) pairs for text."""
    for index, paragraph in enumerate(split_paragraphs(text)):
        for sentence in _sentences_in(text, paragraph):
            yield index, sentence


def split_sentences(text: str) -> list[Span]:
    """Split text into sentences that never cross a paragraph boundary, stripped."""
    return [sentence for _, sentence in _iter_sentences(text)]


def sentences_frame(texts: Mapping[str, str]) -> pd.DataFrame:
    """Return one row per sentence of each article: article_id, paragraph, sentence, start, end, text."""
    rows = [
        (article_id, paragraph, number, sentence.start, sentence.end, sentence.text)
        for article_id, text in texts.items()
        for number, (paragraph, sentence) in enumerate(_iter_sentences(text))
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"paragraph": "int64", "sentence": "int64", "start": "int64", "end": "int64"})
