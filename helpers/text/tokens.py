"""What a word is, which characters are quotation marks, and where quoted stretches are: defined once here.

Every module that counts words, splits tokens or looks for quotes uses these, so a word count in the corpus
table, a token in the vocabulary and a word in a detector rule are the same thing.
"""

from __future__ import annotations

import re

# A word: letters and digits, with inner hyphens, apostrophes or dots ("AWS-Cloud", "geht's", "t3n.de", "1.000").
WORD_RE = re.compile(r"[^\W_]+(?:[-‐‑'’.][^\W_]+)*")
# A run of letters only (no digits, no hyphen): what lemmas are looked up for.
LETTERS_RE = re.compile(r"[^\W\d_]+")
# A capitalised word (a name or a German noun).
CAPITALISED_RE = re.compile(r"(?<![\w])[A-ZÄÖÜ][^\W\d_]+")

# Double quotation marks: German „…“, guillemets »…« and «…», English “…”, straight "…".
OPENING_QUOTES = "„“\"»«"
CLOSING_QUOTES = "“”\"«»"
# Single marks (‚…‘, ’, '): apostrophes too, so they never delimit a quote, only get stripped around one.
SINGLE_QUOTES = "‚‘’'"
QUOTE_MARKS = "".join(dict.fromkeys(OPENING_QUOTES + CLOSING_QUOTES + SINGLE_QUOTES))
# A quoted stretch within one line; the named group that matched holds the words inside the marks.
QUOTE_RE = re.compile(
    r"„(?P<low>[^„“”\n]+)[“”]|»(?P<guillemet>[^»«\n]+)«|«(?P<swiss>[^«»\n]+)»|“(?P<english>[^“”„\n]+)”"
    r"|\"(?P<straight>[^\"\n]+)\""
)


def words(text: str) -> list[str]:
    """Return the words of a text, in order."""
    return WORD_RE.findall(text)


def count_words(text: str) -> int:
    """Return the number of words in a text."""
    return len(WORD_RE.findall(text))


def strip_blanks(text: str, start: int, end: int, chars: str = " \t\n") -> tuple[int, int]:
    """Return (start, end) of text[start:end] without the surrounding `chars`."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def quoted_stretches(text: str) -> list[tuple[int, int, int, int]]:
    """Return every quoted stretch as (mark start, mark end, words start, words end), blanks inside trimmed."""
    found = []
    for match in QUOTE_RE.finditer(text):
        group = next(name for name, value in match.groupdict().items() if value is not None)
        start, end = strip_blanks(text, match.start(group), match.end(group))
        if start < end:
            found.append((match.start(), match.end(), start, end))
    return found
