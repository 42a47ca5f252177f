"""Keyword in context: every hit of a pattern in the articles, with the words around it.

`kwic` is the Python search a notebook prints and tests check. In Python the search is a researcher's regular
expression (helpers.text.patterns): one that backtracks for ever is stopped after SEARCH_SECONDS with a ValueError
saying so. `helpers.present.charts.kwic_chart` is the same idea for the shared HTML page, where no kernel runs:
the corpus's sentences are embedded once and a search box filters them in the browser. That box takes words, not
regular expressions (`words_pattern`): its readers have no Python, and nothing could stop a pattern that
backtracks for ever in their browser. Both ignore case by default; the chart always does.
"""

from __future__ import annotations

import bisect
import re

import pandas as pd

from helpers.text.patterns import SEARCH_SECONDS, PatternError, PatternTimeout, UserPattern, escape, time_limit
from helpers.text.segment import split_sentences

COLUMNS = ["article_id", "outlet", "start", "end", "left", "hit", "right", "sentence"]
SENTENCE_COLUMNS = ["article_id", "outlet", "sentence"]


_WHITESPACE_RE = re.compile(r"\s+")
# A words search (`words_pattern`): these characters are literal; `|` separates alternatives; a `*` that ends an
# alternative stands for any ending. The same two steps run in the browser (charts.kwic_chart), so both agree.
WORDS_SPECIAL = r"[.*+?^${}()[\]\\]"
WORDS_STAR = r"\\\*(?=\||$)"
ANY_ENDING = r"\S*"


def words_pattern(query: str) -> str:
    r"""Return the regular expression a words search stands for: "Matze|Matzke" as is, "Parler*" -> r"Parler\S*".

    Every other character is literal, so the pattern is a list of literal alternatives, each ending in at most
    one `\S*`: it cannot backtrack badly, whatever is typed.
    """
    escaped = re.sub(WORDS_SPECIAL, lambda match: "\\" + match.group(), query)
    return re.sub(WORDS_STAR.replace("$", r"\Z"), lambda _: ANY_ENDING, escaped)


def compile_pattern(pattern: str, regex: bool = True, case: bool = False) -> UserPattern:
    """Compile a search pattern; an invalid regular expression raises a ValueError that names it."""
    try:
        return UserPattern(pattern if regex else escape(pattern), "kwic search", ignore_case=not case)
    except PatternError as err:
        raise ValueError(f"kwic: {pattern!r} is not a valid regular expression: {err.reason}. "
                         "Escape special characters such as ( [ + ? * with a backslash, "
                         "or pass regex=False to search for the text as written.") from None


def _flat(text: str) -> str:
    """Show a stretch of text on one line: every run of whitespace (newlines too) becomes one space."""
    return _WHITESPACE_RE.sub(" ", text)


def _hits(compiled: UserPattern, article_id: str, outlet: str, text: str, width: int) -> list[tuple]:
    """Return the KWIC rows of one article's text (see kwic)."""
    rows = []
    sentences = split_sentences(text)
    ends = [sentence.end for sentence in sentences]
    # The left context is cut from a generous stretch, since collapsing whitespace shortens it.
    reach = 4 * width + 8
    for match in compiled.finditer(text):
        start, end = match.span()
        if start == end:
            continue
        left = _flat(text[max(0, start - reach):start])[-width:] if width else ""
        right = _flat(text[end:end + reach])[:width]
        index = bisect.bisect_right(ends, start)
        inside = index < len(sentences) and sentences[index].start <= start
        sentence = sentences[index].text if inside else ""
        rows.append((article_id, outlet, start, end, left, match.group(), right, sentence))
    return rows


def kwic(articles: pd.DataFrame, pattern: str, width: int = 60, regex: bool = True,
         case: bool = False) -> pd.DataFrame:
    """Return every hit of pattern in each article's clean text, with `width` characters of context.

    Columns: article_id, outlet, start, end (offsets into clean_text, so `clean_text[start:end] == hit`),
    left, hit, right (context on one line, at most `width` characters) and sentence (the sentence the hit
    starts in, "" if it starts between sentences). Empty matches are skipped, so an empty pattern, or
    one such as "x*", finds nothing rather than every position. A pattern that takes longer than
    SEARCH_SECONDS over all the articles is stopped: PatternTimeout, a ValueError naming it and the article.
    """
    if width < 0:
        raise ValueError(f"kwic: width must be 0 or more characters, not {width}")
    rows: list[tuple] = []
    if pattern:
        compiled = compile_pattern(pattern, regex=regex, case=case)
        with time_limit(SEARCH_SECONDS, doing=f"searching {len(articles)} article(s)"):
            for article_id, outlet, text in zip(articles["article_id"], articles["outlet"], articles["clean_text"],
                                                strict=True):
                try:
                    rows += _hits(compiled, str(article_id), str(outlet), "" if pd.isna(text) else str(text), width)
                except PatternTimeout as exc:
                    raise exc.at(f"article {article_id!r}") from None
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"start": "int64", "end": "int64", **{c: "str" for c in COLUMNS if c not in ("start", "end")}})


def sentence_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Return one row per sentence of the corpus: article_id, outlet, sentence, in corpus order."""
    rows = [
        (str(article_id), str(outlet), sentence.text)
        for article_id, outlet, text in zip(articles["article_id"], articles["outlet"], articles["clean_text"],
                                            strict=True)
        for sentence in split_sentences("" if pd.isna(text) else str(text))
    ]
    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS).astype(dict.fromkeys(SENTENCE_COLUMNS, "str"))
