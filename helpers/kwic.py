"""Keyword in context: every hit of a pattern in the articles, with the words around it.

`kwic` is the Python search a notebook prints and tests check. `kwic_chart` is the same idea for the
shared HTML page, where no kernel runs: the corpus's sentences are embedded once and a search box
filters them in the browser with JavaScript regular expressions (`test(regexp(kwic_query, 'i'), …)`).
Both ignore case by default; the chart always does. Python's `re` and JavaScript agree on ordinary
patterns (words, `|`, classes, `?`, `*`, `{m,n}`) but not on every construct.
"""

from __future__ import annotations

import bisect
import json
import re

import altair as alt
import pandas as pd

from helpers.charts import outlet_scale, source_params
from helpers.segment import split_sentences
from helpers.widgets import outlets_of

COLUMNS = ["article_id", "outlet", "start", "end", "left", "hit", "right", "sentence"]
SENTENCE_COLUMNS = ["article_id", "outlet", "sentence"]

QUERY_PARAM = "kwic_query"
DEFAULT_QUERY = "Parler"
MAX_ROWS = 40  # rows the chart shows; more would make the shared page long without helping to read

# Layout of the chart's text table, in a monospace font so that the columns line up.
FONT_SIZE = 11
CHAR_PX = 0.602 * FONT_SIZE  # advance of one character of DejaVu Sans Mono or Liberation Mono
ID_COLUMN_PX = 130
ROW_PX = 16
HIT_ROOM = 20  # characters the chart keeps for the hit, beyond the right context

_WHITESPACE_RE = re.compile(r"\s+")
# Marks around the hit inside the browser: private-use characters, which no article contains.
_OPEN, _CLOSE = "\ue000", "\ue001"


def compile_pattern(pattern: str, regex: bool = True, case: bool = False) -> re.Pattern[str]:
    """Compile a search pattern; an invalid regular expression raises a ValueError that names it."""
    flags = 0 if case else re.IGNORECASE
    try:
        return re.compile(pattern if regex else re.escape(pattern), flags)
    except re.error as err:
        raise ValueError(f"kwic: {pattern!r} is not a valid regular expression: {err}. "
                         "Escape special characters such as ( [ + ? * with a backslash, "
                         "or pass regex=False to search for the text as written.") from None


def _flat(text: str) -> str:
    """Show a stretch of text on one line: every run of whitespace (newlines too) becomes one space."""
    return _WHITESPACE_RE.sub(" ", text)


def kwic(articles: pd.DataFrame, pattern: str, width: int = 60, regex: bool = True,
         case: bool = False) -> pd.DataFrame:
    """Return every hit of pattern in each article's clean text, with `width` characters of context.

    Columns: article_id, outlet, start, end (offsets into clean_text, so `clean_text[start:end] == hit`),
    left, hit, right (context on one line, at most `width` characters) and sentence (the sentence the hit
    starts in, "" if it starts between sentences). Empty matches are skipped, so an empty pattern, or
    one such as "x*", finds nothing rather than every position.
    """
    if width < 0:
        raise ValueError(f"kwic: width must be 0 or more characters, not {width}")
    rows: list[tuple] = []
    if pattern:
        compiled = compile_pattern(pattern, regex=regex, case=case)
        for article_id, outlet, text in zip(articles["article_id"], articles["outlet"], articles["clean_text"],
                                            strict=True):
            text = "" if pd.isna(text) else str(text)
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
                rows.append((str(article_id), str(outlet), start, end, left, match.group(), right, sentence))
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


def _query_filter(source_kept: str) -> str:
    """Return the Vega expression that keeps sentences of ticked outlets that match the search box."""
    return f"({source_kept}) && {QUERY_PARAM} !== '' && test(regexp({QUERY_PARAM}, 'i'), datum.sentence)"


def _marked_sentence() -> str:
    """Return the Vega expression for datum.sentence with every non-empty hit wrapped in _OPEN … _CLOSE."""
    every = f"replace(datum.sentence, regexp({QUERY_PARAM}, 'gi'), {json.dumps(_OPEN + '$&' + _CLOSE)})"
    # Empty matches ("x*" matches nothing before every letter) are no hits, as in kwic().
    return f"replace({every}, regexp({json.dumps(_OPEN + _CLOSE)}, 'g'), '')"


def _hit_count(marked: str) -> str:
    """Return the Vega expression counting the hits marked in a string."""
    return f"length(split({marked}, {json.dumps(_OPEN)})) - 1"


def kwic_chart(articles: pd.DataFrame, width: int = 60) -> alt.VConcatChart:
    """Chart a keyword-in-context table that a search box and outlet checkboxes filter with no kernel.

    One row per matching sentence (its first hit, up to `width` characters either side, within the
    sentence), at most MAX_ROWS rows, in corpus order; a line above counts all hits. The search box takes
    a JavaScript regular expression and ignores case; an empty box shows nothing. While what is typed is
    not a valid expression (say "Matz(" on the way to "Matz(e|ke)"), the chart keeps its last results.
    """
    if width < 1:
        raise ValueError(f"kwic_chart: width must be 1 or more characters, not {width}")
    outlets = outlets_of(articles)
    data = sentence_table(articles)
    data = data.assign(kwic_order=range(len(data)))
    query = alt.param(name=QUERY_PARAM, value=DEFAULT_QUERY,
                      bind=alt.binding(input="search", name="Search (regex): ", placeholder="a regular expression"))
    outlet_params, source_kept = source_params(outlets)
    keep = _query_filter(source_kept)
    open_mark, close_mark = json.dumps(_OPEN), json.dumps(_CLOSE)

    # Columns in pixels. Vega trims blanks at the ends of a text, so the gaps around the hit are put back
    # as offsets, and the right context starts where the hit ends: one character per letter, in monospace.
    context_px = width * CHAR_PX
    hit_x = ID_COLUMN_PX + context_px + CHAR_PX
    right_chars = width + HIT_ROOM
    chart_width = round(hit_x + right_chars * CHAR_PX)
    y = alt.Y("kwic_row:O", axis=None)
    tooltip = [alt.Tooltip("article_id:N"), alt.Tooltip("outlet:N"), alt.Tooltip("sentence:N")]
    text = {"font": "monospace", "fontSize": FONT_SIZE, "baseline": "middle"}
    ids = alt.Chart().mark_text(align="left", limit=ID_COLUMN_PX - CHAR_PX, **text).encode(
        x=alt.value(0), y=y, text="article_id:N", tooltip=tooltip,
        color=alt.Color("outlet:N", scale=outlet_scale(outlets), title="Outlet",
                        legend=alt.Legend(orient="top", direction="horizontal")),
    )
    left = alt.Chart().mark_text(align="right", color="#333333", **text).encode(
        x=alt.X("kwic_left_x:Q", scale=None), y=y, text="kwic_left:N", tooltip=tooltip)
    hit = alt.Chart().mark_text(align="left", color="#b00020", fontWeight="bold", **text).encode(
        x=alt.value(hit_x), y=y, text="kwic_hit_shown:N", tooltip=tooltip)
    right = alt.Chart().mark_text(align="left", color="#333333", **text).encode(
        x=alt.X("kwic_right_x:Q", scale=None), y=y, text="kwic_right:N", tooltip=tooltip)
    table = alt.layer(ids, left, hit, right).transform_filter(keep).transform_calculate(
        kwic_marked=_marked_sentence(),
    ).transform_calculate(
        kwic_hits=_hit_count("datum.kwic_marked"),
        kwic_before=f"split(datum.kwic_marked, {open_mark})[0]",
        kwic_hit=f"split(split(datum.kwic_marked, {open_mark})[1], {close_mark})[0]",
    ).transform_filter(
        "datum.kwic_hits > 0"
    ).transform_calculate(
        kwic_left=f"slice(datum.kwic_before, -{width})",
        kwic_hit_shown=f"truncate(datum.kwic_hit, {width})",
        kwic_after=(f"replace(slice(datum.kwic_marked, length(datum.kwic_before) + length(datum.kwic_hit) + 2), "
                    f"regexp({json.dumps('[' + _OPEN + _CLOSE + ']')}, 'g'), '')"),
    ).transform_calculate(
        kwic_right=f"slice(datum.kwic_after, 0, {right_chars} - length(datum.kwic_hit_shown))",
        kwic_left_x=f"{hit_x} - (test(regexp('\\\\s$'), datum.kwic_before) ? {CHAR_PX} : 0)",
        kwic_right_x=(f"{hit_x} + length(datum.kwic_hit_shown) * {CHAR_PX} + "
                      f"(test(regexp('^\\\\s'), datum.kwic_after) ? {CHAR_PX} : 0)"),
    ).transform_window(
        # Number rows in corpus order: without a sort, Vega numbers them in the order it holds them, and a
        # re-ticked outlet's sentences come last (found by tests/test_browser.py).
        kwic_row="row_number()", sort=[alt.SortField("kwic_order")],
    ).transform_filter(
        f"datum.kwic_row <= {MAX_ROWS}"
    ).properties(width=chart_width, height=alt.Step(ROW_PX), view=alt.ViewBackground(stroke=None))

    summary = alt.Chart().transform_calculate(
        kwic_hits=f"({keep}) ? {_hit_count(_marked_sentence())} : 0",
    ).transform_calculate(
        kwic_matched="datum.kwic_hits > 0 ? 1 : 0",
    ).transform_aggregate(
        hits="sum(kwic_hits)", sentences="sum(kwic_matched)",
    ).transform_calculate(
        label=(f"{QUERY_PARAM} === '' ? 'Type a regular expression in the search box below.' : "
               "datum.hits + (datum.hits === 1 ? ' hit' : ' hits') + ' in ' + datum.sentences + "
               "(datum.sentences === 1 ? ' sentence' : ' sentences') + "
               f"(datum.sentences > {MAX_ROWS} ? ' (the first {MAX_ROWS} are shown)' : '')"),
    ).mark_text(align="left", baseline="top", fontSize=12, fontWeight="bold").encode(
        x=alt.value(0), y=alt.value(0), text="label:N",
    ).properties(width=chart_width, height=18, view=alt.ViewBackground(stroke=None))

    return alt.vconcat(summary, table, data=data, spacing=6).add_params(query, *outlet_params).properties(
        title=alt.TitleParams("Keyword in context: every sentence that matches the search",
                              subtitle="Each row shows a sentence's first hit, with up to "
                                       f"{width} characters before and after it in the same sentence.",
                              anchor="start"))
