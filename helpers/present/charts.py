"""The study's charts (Altair): coverage, voices, labels, frames, reliability, and the Explore section's KWIC
search and timeline, which filter with no kernel (Vega parameters bound to a search box and selects, and one
`pc_sources` param per chart that the page's source filter sets).

Every chart carries its data, so a shared page draws it offline once `enable_offline()` (helpers.present.offline,
re-exported here for the notebooks' first cell) has put the bundled vega-embed on the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from helpers.analyse.kwic import ANY_ENDING, WORDS_SPECIAL, WORDS_STAR, sentence_table
from helpers.analyse.timeline import HALF_DAY, ONE_DAY, article_windows, event_table
from helpers.annotate.annotations import NOT_CODED
from helpers.corpus.articles import date_window, outlets_of, short_names
from helpers.present.limits import ARTICLES_SHOWN_MAX, is_large, shown_note

# Re-exported: a notebook's first cell calls charts.enable_offline(), and its drawn charts' scripts name it.
from helpers.present.offline import bundle_html, enable_offline, render_offline  # noqa: F401

# The outlets the page's source filter keeps (helpers.present.explore.page_controls_html sets it by this name).
SOURCES_PARAM = "pc_sources"


def source_params(outlets: Sequence[str]) -> tuple[list[alt.Parameter], str]:
    """Return the chart's sources param (every outlet kept) and the Vega expression that keeps those outlets.

    The param has no control of its own: the page's one source filter (explore.page_controls_html) sets it on
    every chart of the page, so unticking an outlet there filters every chart, fold and table at once.
    """
    return [alt.param(name=SOURCES_PARAM, value=list(outlets))], f"indexof({SOURCES_PARAM}, datum.outlet) >= 0"


def outlet_scale(outlets: Sequence[str]) -> alt.Scale:
    """Return a colour scale pinned to every outlet, so filtering never reassigns colours."""
    return alt.Scale(domain=list(outlets), scheme="tableau10")


def outlet_label(outlet: str, articles: int) -> str:
    """Name an outlet's row in a chart that aggregates by outlet: the outlet and its number of articles."""
    return f"{outlet} ({articles} article{'s' * (articles != 1)})"


def lengths_by_outlet(overview: pd.DataFrame) -> pd.DataFrame:
    """Return one row per outlet with the mean words before and after cleaning, shaped like the overview."""
    grouped = overview.groupby("outlet", sort=False)
    table = grouped.agg(articles=("article", "size"), words_raw=("words_raw", "mean"),
                        words_clean=("words_clean", "mean"), first=("published", "first")).reset_index()
    return pd.DataFrame({
        "article": [outlet_label(o, n) for o, n in zip(table["outlet"], table["articles"], strict=True)],
        "outlet": table["outlet"],
        "title": [f"mean of {n} articles" for n in table["articles"]],
        "published": [f"{n} articles" for n in table["articles"]],
        "words_raw": table["words_raw"].round(0).astype(int),
        "words_clean": table["words_clean"].round(0).astype(int),
    })


def article_lengths(overview: pd.DataFrame, outlets: Sequence[str],
                    max_articles: int = ARTICLES_SHOWN_MAX) -> alt.LayerChart:
    """Chart each article's words after cleaning (bar) and before (tick), coloured by outlet.

    `overview` (widgets.overview_table) has article (its short name), outlet, title, published, words_raw and
    words_clean. The page's source filter filters it with no kernel. Above `max_articles` articles it charts each
    outlet's mean lengths instead (the overview table lists every article).
    """
    params, keep = source_params(outlets)
    data = overview[["article", "outlet", "title", "published", "words_raw", "words_clean"]]
    large = is_large(len(data), max_articles)
    if large:
        data = lengths_by_outlet(data)
    base = alt.Chart(data).transform_filter(keep).encode(
        y=alt.Y("article:N", title=None, sort=list(data["article"])),
        tooltip=[
            alt.Tooltip("outlet:N"), alt.Tooltip("title:N"), alt.Tooltip("published:N"),
            alt.Tooltip("words_raw:Q", title="words before cleaning"),
            alt.Tooltip("words_clean:Q", title="words after cleaning"),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("words_clean:Q", title=("mean " if large else "") + "words (bar: after cleaning · tick: before)",
                axis=alt.Axis(tickCount=5)),
        color=alt.Color("outlet:N", scale=outlet_scale(outlets), title="Outlet"),
    ).add_params(*params)
    ticks = base.mark_tick(color="black", thickness=2, size=18).encode(x="words_raw:Q")
    title = "Article length before and after cleaning" + (", mean per outlet" if large else "")
    return (bars + ticks).properties(width=420, title=title,
                                     description="Bar chart of each article's length in words after cleaning, with a "
                                                 "tick at its length before cleaning.")


def coverage_heatmap(matrix: pd.DataFrame, outlets: Sequence[str], detected: pd.DataFrame | None = None,
                     names: Mapping[str, str] | None = None,
                     article_names: Mapping[str, str] | None = None,
                     max_articles: int = ARTICLES_SHOWN_MAX) -> alt.Chart:
    """Chart facts × articles: filled where the hand coding finds the fact, evidence span on hover.

    `matrix` comes from helpers.analyse.coverage.coverage_matrix. With `detected` (the same matrix from detector
    output) a dot marks where the detectors find the fact, so agreement is visible cell by cell. The page's
    source filter filters its columns with no kernel. Facts and articles are shown by `names`
    (Codebook.names("facts")) and `article_names` (corpus.short_names) where given, not by their ids. Above
    `max_articles` articles it charts facts × outlets instead (coverage_by_outlet).
    """
    if is_large(matrix["article_id"].nunique(), max_articles):
        return coverage_by_outlet(matrix, outlets, detected, names)
    params, keep = source_params(outlets)
    data = matrix[["article_id", "outlet", "fact_id", "present", "statements", "evidence_span"]].copy()
    data["fact"] = _named(data["fact_id"], names)
    data["article"] = _named(data["article_id"], article_names)
    data["status"] = data["present"].map({1: "reported", 0: "not reported"}).fillna(NOT_CODED).astype(str)
    data["evidence_span"] = data["evidence_span"].str.slice(0, 160)
    if detected is not None:
        found = detected.set_index(["article_id", "fact_id"])["present"]
        data["detector"] = [bool(found.get((a, f), 0) == 1) for a, f in zip(data["article_id"], data["fact_id"],
                                                                            strict=True)]
    base = alt.Chart(data).transform_filter(keep).encode(
        x=alt.X("article:N", sort=list(dict.fromkeys(data["article"])), title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("fact:N", sort=list(dict.fromkeys(data["fact"])), title=None),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("status:N", title="Hand coding",
                        scale=alt.Scale(domain=["reported", "not reported", NOT_CODED],
                                        range=["#4c78a8", "#eeeeee", "#ffffff"])),
        tooltip=[alt.Tooltip("article:N"), alt.Tooltip("fact:N"),
                 alt.Tooltip("statements:Q", title="statements"), alt.Tooltip("evidence_span:N", title="evidence")],
    ).add_params(*params)
    layers = [cells]
    if detected is not None:
        layers.append(base.transform_filter("datum.detector").mark_circle(size=28, color="#f58518").encode(
            tooltip=[alt.Tooltip("fact:N"), alt.Tooltip("article:N")]))
    title = "Facts reported per article (blue: hand coding" + ("; orange dot: detectors)" if detected is not None
                                                               else ")")
    return alt.layer(*layers).properties(width=300, height=alt.Step(14), title=title,
                                         description="Grid of facts (rows) by article (columns): a filled cell "
                                                     "where the hand coding finds the fact in the article.")


def outlet_coverage(matrix: pd.DataFrame, detected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per outlet and fact: articles, coded articles, articles reporting it (hand, detectors)."""
    data = matrix[["article_id", "outlet", "fact_id", "present"]].copy()
    data["coded"] = data["present"].notna().astype(int)
    data["hand"] = data["present"].eq(1).fillna(False).astype(int)
    if detected is not None:
        found = detected.set_index(["article_id", "fact_id"])["present"]
        data["detectors"] = [int(found.get((a, f), 0) == 1) for a, f in zip(data["article_id"], data["fact_id"],
                                                                            strict=True)]
    table = data.groupby(["outlet", "fact_id"], sort=False).agg(
        articles=("article_id", "size"), coded=("coded", "sum"), hand=("hand", "sum"),
        **({"detectors": ("detectors", "sum")} if detected is not None else {})).reset_index()
    return table


def coverage_by_outlet(matrix: pd.DataFrame, outlets: Sequence[str], detected: pd.DataFrame | None = None,
                       names: Mapping[str, str] | None = None) -> alt.Chart:
    """Chart facts × outlets, shaded by the share of an outlet's articles that report the fact.

    The share is the detectors' (every article) where `detected` is given, else the hand coding's (coded articles
    only); the tooltip gives both counts. For corpora too large to chart article by article.
    """
    params, keep = source_params(outlets)
    data = outlet_coverage(matrix, detected)
    data["fact"] = _named(data["fact_id"], names)
    counts = dict(zip(*data.drop_duplicates("outlet")[["outlet", "articles"]].T.values, strict=True))
    data["column"] = [outlet_label(o, counts[o]) for o in data["outlet"]]
    by = "detectors" if detected is not None else "hand"
    base = data["articles"] if detected is not None else data["coded"]
    data["share"] = (data[by] / base.where(base > 0)).round(3)
    tooltip = [alt.Tooltip("column:N", title="outlet"), alt.Tooltip("fact:N"),
               alt.Tooltip("hand:Q", title="articles reporting it (hand coding)"),
               alt.Tooltip("coded:Q", title="articles coded")]
    if detected is not None:
        tooltip.append(alt.Tooltip("detectors:Q", title="articles reporting it (detectors)"))
    who = "detectors" if detected is not None else "hand coding, coded articles"
    return alt.Chart(data).transform_filter(keep).mark_rect(stroke="white").encode(
        x=alt.X("column:N", sort=list(dict.fromkeys(data["column"])), title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("fact:N", sort=list(dict.fromkeys(data["fact"])), title=None),
        color=alt.Color("share:Q", title=f"Share of articles ({who})", scale=alt.Scale(scheme="blues",
                                                                                        domain=[0, 1])),
        tooltip=tooltip,
    ).add_params(*params).properties(
        width=alt.Step(22), height=alt.Step(14), title=f"Facts reported per outlet (share of its articles: {who})",
        description="Grid of facts (rows) by outlet (columns), shaded by the share of the outlet's articles that "
                    "report the fact.")


def voices_chart(quote_words: pd.DataFrame, outlets: Sequence[str],
                 article_names: Mapping[str, str] | None = None, max_articles: int = ARTICLES_SHOWN_MAX) -> alt.Chart:
    """Chart quote words per article and speaker side (stacked bars); the page's source filter applies.

    Above `max_articles` articles, one bar per outlet sums its articles' quote words.
    """
    params, keep = source_params(outlets)
    long = quote_words.melt(id_vars=["article_id", "outlet"], var_name="side", value_name="words")
    long["article"] = _named(long["article_id"], article_names)
    if is_large(len(quote_words), max_articles):
        counts = quote_words.groupby("outlet", sort=False).size()
        long = long.groupby(["outlet", "side"], sort=False, as_index=False)["words"].sum()
        long["article"] = [outlet_label(o, int(counts[o])) for o in long["outlet"]]
    return alt.Chart(long).transform_filter(keep).mark_bar().encode(
        y=alt.Y("article:N", sort=list(dict.fromkeys(long["article"])), title=None),
        x=alt.X("words:Q", title="words inside direct quotes"),
        color=alt.Color("side:N", title="Speaker's side"),
        tooltip=["article:N", "side:N", "words:Q"],
    ).add_params(*params).properties(width=380, title="Who gets quoted, in words",
                                     description="Stacked bars per article: words inside direct quotes, by the "
                                                 "side the speaker speaks for.")


def readable(key: str) -> str:
    """Write a codebook key (a category, a frame kind) as words: "political_ideological" -> "political ideological"."""
    return str(key).replace("_", " ")


def _named(ids: pd.Series, names: Mapping[str, str] | None) -> pd.Series:
    """Return the names a reader sees for a column of ids (an id without a name stays as it is)."""
    return ids.map(lambda value: (names or {}).get(value, value)).astype(str)


def choice_param(name: str, options: Sequence[str], label: str) -> alt.Parameter:
    """Return a bound select param with an 'all' choice (null) followed by `options`."""
    return alt.param(name=name, value=None,
                     bind=alt.binding_select(options=[None, *options], labels=["all", *options], name=label))


VOICES = ("asserted by the outlet", "attributed")  # a label's voice, as the label chart says it


def label_chart(labels: pd.DataFrame, outlets: Sequence[str], categories: Sequence[str],
                target: str = "the focal actor") -> alt.Chart:
    """Chart the labels of `target` per outlet by category, asserted vs attributed, with a category select."""
    params, keep = source_params(outlets)
    categories = [readable(category) for category in categories]
    category = choice_param("label_category", categories, "Category ")
    data = labels.assign(how=labels["asserted"].map(dict(zip((True, False), VOICES, strict=True))),
                         category=labels["category"].map(readable))
    data = data.groupby(["outlet", "category", "how"], as_index=False).agg(labels=("span", "count"),
                                                                            examples=("span", lambda s: "; ".join(
                                                                                dict.fromkeys(s))[:200]))
    # Both axes are pinned (outlets, and counts up to the largest stack), so a category with few labels, or
    # none in the outlets shown, still draws its bars against a count axis.
    largest = int(data.groupby("outlet")["labels"].sum().max()) if not data.empty else 1
    return alt.Chart(data).transform_filter(keep).transform_filter(
        "label_category === null || datum.category === label_category"
    ).mark_bar().encode(
        y=alt.Y("outlet:N", sort=list(outlets), title=None, scale=alt.Scale(domain=list(outlets))),
        x=alt.X("labels:Q", title=f"labels of {target}", scale=alt.Scale(domain=[0, largest])),
        color=alt.Color("category:N", scale=alt.Scale(domain=list(categories)), title="Category"),
        opacity=alt.Opacity("how:O", sort=list(VOICES), scale=alt.Scale(domain=list(VOICES), range=[1.0, 0.45]),
                            title="Voice"),
        tooltip=["outlet:N", "category:N", "how:N", "labels:Q", alt.Tooltip("examples:N", title="phrases")],
    ).add_params(*params, category).properties(
        width=380, title=f"How each outlet names {target}",
        description=f"Stacked bars per outlet: labels of {target} by category, asserted by the outlet (solid) or "
                    "attributed to someone (pale).")


def frame_chart(frame_counts: pd.DataFrame, articles: pd.DataFrame, outlets: Sequence[str],
                names: Mapping[str, str] | None = None, max_articles: int = ARTICLES_SHOWN_MAX) -> alt.Chart:
    """Chart sentences per frame and article (heat cells) with a frame-kind select; the page's source
    filter applies.

    Frames are shown by `names` (Codebook.names("frames")) where given, articles by their short names. Above
    `max_articles` articles, one column per outlet sums its articles' sentences.
    """
    params, keep = source_params(outlets)
    ids = list(articles["article_id"])
    long = frame_counts.melt(id_vars=["frame", "kind"], value_vars=ids, var_name="article_id", value_name="sentences")
    long["outlet"] = long["article_id"].map(articles.set_index("article_id")["outlet"])
    long["frame_name"] = _named(long["frame"], names)
    long["article"] = _named(long["article_id"], short_names(articles))
    long["kind"] = long["kind"].map(readable)
    if is_large(len(ids), max_articles):
        counts = articles.groupby("outlet", sort=False).size()
        long = long.groupby(["outlet", "frame", "frame_name", "kind"], sort=False, as_index=False)["sentences"].sum()
        long["article"] = [outlet_label(o, int(counts[o])) for o in long["outlet"]]
    kind = choice_param("frame_kind", sorted(long["kind"].unique()), "Frame kind ")
    return alt.Chart(long).transform_filter(keep).transform_filter(
        "frame_kind === null || datum.kind === frame_kind"
    ).mark_rect(stroke="white").encode(
        x=alt.X("article:N", sort=list(dict.fromkeys(long["article"])), title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("frame_name:N", sort=list(dict.fromkeys(long["frame_name"])), title=None),
        color=alt.Color("sentences:Q", scale=alt.Scale(scheme="blues"), title="Sentences"),
        tooltip=["article:N", alt.Tooltip("frame_name:N", title="frame"), "kind:N", "sentences:Q"],
    ).add_params(*params, kind).properties(width=300, height=alt.Step(18), title="Sentences carrying each frame",
                                           description="Grid of frames (rows) by article (columns), shaded by the "
                                                       "number of sentences carrying the frame.")


def reliability_chart(agreement: pd.DataFrame) -> alt.LayerChart:
    """Chart alpha per layer and measure with its 95% interval, against Krippendorff's .667 and .800 lines."""
    data = agreement[agreement["code"] == ""].dropna(subset=["alpha"]).assign(
        unit=lambda t: t["layer"] + " (" + t["measure"] + ")")
    order = list(data["unit"])
    base = alt.Chart(data).encode(y=alt.Y("unit:N", sort=order, title=None))
    bars = base.mark_rule(strokeWidth=2).encode(x=alt.X("ci_low:Q", title="Krippendorff's alpha (95% interval)",
                                                        scale=alt.Scale(domain=[-0.2, 1]),
                                                        axis=alt.Axis(values=[-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1])),
                                 x2="ci_high:Q")
    points = base.mark_point(filled=True, size=60).encode(
        x="alpha:Q", color=alt.Color("reading:N", title="Reading"),
        tooltip=["layer:N", "measure:N", "units:Q", alt.Tooltip("alpha:Q", format=".3f"),
                 alt.Tooltip("ci_low:Q", format=".3f"), alt.Tooltip("ci_high:Q", format=".3f"),
                 alt.Tooltip("percent_agreement:Q", format=".1%"), "reading:N"])
    lines = alt.Chart(pd.DataFrame({"alpha": [0.667, 0.800]})).mark_rule(strokeDash=[4, 3], color="grey").encode(
        x="alpha:Q")
    return (bars + points + lines).properties(width=380, title="Agreement between the two coders, per layer",
                                              description="Krippendorff's alpha per coding layer with its 95% "
                                                          "interval, against the .667 and .800 lines.")


# ------------------------------------------------------------------------- keyword in context, offline

QUERY_PARAM = "kwic_query"
PAGE_PARAM = "kwic_page"
MAX_ROWS = 40  # rows a page of the chart shows; more would make the shared page long without helping to read

# Layout of the chart's text table, in a monospace font so that the columns line up.
FONT_SIZE = 11
CHAR_PX = 0.602 * FONT_SIZE  # advance of one character of DejaVu Sans Mono or Liberation Mono
ID_COLUMN_PX = 220  # the article column: outlet and date ("heise online, 9–11 Jan 2021"); longer ones end in …
ROW_PX = 16
HIT_ROOM = 20  # characters the chart keeps for the hit, beyond the right context

# Marks around the hit inside the browser: private-use characters, which no article contains.
_OPEN, _CLOSE = "\ue000", "\ue001"


def _query_regexp(flags: str) -> str:
    """Return the Vega expression of the search box's words search as a regexp (what kwic.words_pattern returns)."""
    escaped = f"replace({QUERY_PARAM}, regexp({json.dumps(WORDS_SPECIAL)}, 'g'), {json.dumps(chr(92) + '$&')})"
    pattern = f"replace({escaped}, regexp({json.dumps(WORDS_STAR)}, 'g'), {json.dumps(ANY_ENDING)})"
    return f"regexp({pattern}, {json.dumps(flags)})"


def _query_filter(source_kept: str) -> str:
    """Return the Vega expression that keeps sentences of ticked outlets that match the search box."""
    return f"({source_kept}) && {QUERY_PARAM} !== '' && test({_query_regexp('i')}, datum.sentence)"


def _marked_sentence() -> str:
    """Return the Vega expression for datum.sentence with every non-empty hit wrapped in _OPEN … _CLOSE."""
    every = f"replace(datum.sentence, {_query_regexp('gi')}, {json.dumps(_OPEN + '$&' + _CLOSE)})"
    # Empty matches ("x*" matches nothing before every letter) are no hits, as in kwic().
    return f"replace({every}, regexp({json.dumps(_OPEN + _CLOSE)}, 'g'), '')"


def _hit_count(marked: str) -> str:
    """Return the Vega expression counting the hits marked in a string."""
    return f"length(split({marked}, {json.dumps(_OPEN)})) - 1"


def kwic_chart(articles: pd.DataFrame, query: str = "", width: int = 60,
               max_articles: int = ARTICLES_SHOWN_MAX) -> alt.VConcatChart:
    """Chart a keyword-in-context table that a search box and the page's source filter filter with no
    kernel.

    One row per matching sentence (its first hit, up to `width` characters either side, within the
    sentence), at most MAX_ROWS rows, in corpus order; a line above counts all hits. The search box takes
    words (`kwic.words_pattern`: "Matze|Matzke", "Parler*"), ignores case, and starts with `query` (a study's
    default search, e.g. study.settings.search("kwic")); an empty box shows nothing. Whatever a reader types is a
    valid search that cannot hang the page. A corpus of more than `max_articles` articles is searched in its first
    `max_articles` (the articles the page's reader shows), and the subtitle says so; the lab's KWIC box searches all.
    """
    if width < 1:
        raise ValueError(f"kwic_chart: width must be 1 or more characters, not {width}")
    outlets = outlets_of(articles)
    part = ""
    if is_large(len(articles), max_articles):
        part = " " + shown_note(max_articles, len(articles), "articles (corpus order)",
                                "the lab's KWIC box (widgets.kwic_box) searches every one")
        articles = articles.head(max_articles)
    data = sentence_table(articles)
    data = data.assign(kwic_order=range(len(data)), article=_named(data["article_id"], short_names(articles)))
    search = alt.param(name=QUERY_PARAM, value=query,
                      bind=alt.binding(input="search", name="Search words (| for or, * for any ending): ",
                                       placeholder="e.g. Matze|Matzke or Parler*"))
    page = alt.param(name=PAGE_PARAM, value=1, bind=alt.binding(input="number", name=f"Page ({MAX_ROWS} rows each): "))
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
    text = {"font": "monospace", "fontSize": FONT_SIZE, "baseline": "middle", "cursor": "pointer"}
    ids = alt.Chart().mark_text(align="left", limit=ID_COLUMN_PX - CHAR_PX, **text).encode(
        x=alt.value(0), y=y, text="article:N", tooltip=tooltip,
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
        # Context is cut at a word boundary, and a cut says so with "…".
        kwic_left=(f"length(datum.kwic_before) > {width} ? "
                   f"'…' + replace(slice(datum.kwic_before, -{width}), regexp('^\\\\S*\\\\s+'), '') : "
                   "datum.kwic_before"),
        kwic_hit_shown=f"truncate(datum.kwic_hit, {width})",
        kwic_after=(f"replace(slice(datum.kwic_marked, length(datum.kwic_before) + length(datum.kwic_hit) + 2), "
                    f"regexp({json.dumps('[' + _OPEN + _CLOSE + ']')}, 'g'), '')"),
    ).transform_calculate(
        kwic_room=f"{right_chars} - length(datum.kwic_hit_shown)",
    ).transform_calculate(
        kwic_right=("length(datum.kwic_after) > datum.kwic_room ? "
                    "replace(slice(datum.kwic_after, 0, datum.kwic_room - 1), regexp('\\\\s+\\\\S*$'), '') + ' …' : "
                    "datum.kwic_after"),
        kwic_left_x=f"{hit_x} - (test(regexp('\\\\s$'), datum.kwic_before) ? {CHAR_PX} : 0)",
        kwic_right_x=(f"{hit_x} + length(datum.kwic_hit_shown) * {CHAR_PX} + "
                      f"(test(regexp('^\\\\s'), datum.kwic_after) ? {CHAR_PX} : 0)"),
    ).transform_window(
        # Number rows in corpus order: without a sort, Vega numbers them in the order it holds them, and a
        # re-ticked outlet's sentences come last (found by tests/test_browser.py).
        kwic_row="row_number()", sort=[alt.SortField("kwic_order")],
    ).transform_joinaggregate(
        kwic_total="count()",
    ).transform_calculate(
        kwic_first=f"({_page('datum.kwic_total')} - 1) * {MAX_ROWS}",
    ).transform_filter(
        f"datum.kwic_row > datum.kwic_first && datum.kwic_row <= datum.kwic_first + {MAX_ROWS}"
    ).properties(width=chart_width, height=alt.Step(ROW_PX), view=alt.ViewBackground(stroke=None))

    summary = alt.Chart().transform_calculate(
        kwic_hits=f"({keep}) ? {_hit_count(_marked_sentence())} : 0",
    ).transform_calculate(
        kwic_matched="datum.kwic_hits > 0 ? 1 : 0",
    ).transform_aggregate(
        hits="sum(kwic_hits)", sentences="sum(kwic_matched)",
    ).transform_calculate(
        page=_page("datum.sentences"),
        pages=f"max(1, ceil(datum.sentences / {MAX_ROWS}))",
    ).transform_calculate(
        label=(f"{QUERY_PARAM} === '' ? 'Type a word in the search box above.' : "
               "datum.hits + (datum.hits === 1 ? ' hit' : ' hits') + ' in ' + datum.sentences + "
               "(datum.sentences === 1 ? ' sentence' : ' sentences') + "
               f"(datum.sentences > {MAX_ROWS} ? ': rows ' + ((datum.page - 1) * {MAX_ROWS} + 1) + '–' + "
               f"min(datum.page * {MAX_ROWS}, datum.sentences) + ' shown (page ' + datum.page + ' of ' + "
               "datum.pages + ')' : '')"),
    ).mark_text(align="left", baseline="top", fontSize=12, fontWeight="bold").encode(
        x=alt.value(0), y=alt.value(0), text="label:N",
    ).properties(width=chart_width, height=18, view=alt.ViewBackground(stroke=None))

    return alt.vconcat(summary, table, data=data, spacing=6).add_params(search, page, *outlet_params).properties(
        title=alt.TitleParams("Keyword in context: every sentence that matches the search",
                              subtitle=f"Each row shows a sentence's first hit, with up to {width} characters before "
                                       f"and after it in the same sentence; {MAX_ROWS} rows a page. Click a row to "
                                       "read its article with the hit highlighted." + part,
                              anchor="start"),
        description=("Keyword-in-context table of the articles' sentences matching the search words, one row per "
                     "sentence: article, left context, hit, right context."))


def _page(rows: str) -> str:
    """Return the Vega expression of the page the reader asked for, kept between 1 and the last page of `rows`."""
    return f"clamp(floor({PAGE_PARAM} || 1), 1, max(1, ceil({rows} / {MAX_ROWS})))"


# ---------------------------------------------------------------------------------------- the timeline


def _day_numbers(days: pd.Series, first: pd.Timestamp) -> pd.Series:
    """Return whole days since `first` (what the date selects choose from)."""
    return (days - first).dt.days.astype(int)


def timeline_chart(events: pd.DataFrame, articles: pd.DataFrame,
                   max_articles: int = ARTICLES_SHOWN_MAX) -> alt.LayerChart:
    """Chart the events (rows on top) and each article's publication window (bars), with offline filters.

    Day events are points at midday of their day, with a faint rule across all rows; month- and
    year-precision events are bars over their whole interval, with a faint band across all rows. Article
    windows are bars from the start of the earliest to the end of the latest day, coloured by outlet. So a
    point inside a bar's first day is an "overlaps" of `known_by`, a point left of the bar a "before".
    Two date selects (`from_day`, `to_day`: days since the first date shown, in either order) keep what shares a
    day with the range and zoom the axis to it;
    the page's source filter filters the windows. The rows are pinned, so filtering never reorders them. Above
    `max_articles` articles the windows share one row per outlet (pale bars, darker where they overlap).
    """
    table = event_table(events)
    windows = article_windows(articles)
    windows["date_basis"] = list(articles["date_basis"].fillna("")) if "date_basis" in articles else ""
    outlets = outlets_of(articles)
    first = min(table["start"].min(), windows["earliest"].min())
    last = max(table["end"].max(), windows["latest"].max())
    span = (last - first).days

    windows = windows.sort_values(["earliest", "latest"], kind="stable")
    windows["name"] = windows["article_id"].map(short_names(articles))  # a window's row: outlet and dates, not id
    large = is_large(len(windows), max_articles)
    if large:
        counts = windows.groupby("outlet").size()
        windows["name"] = [outlet_label(o, int(counts[o])) for o in windows["outlet"]]
    rows = list(dict.fromkeys([*table.sort_values("start", kind="stable")["label"], *windows["name"]]))
    event_data = pd.DataFrame({
        "row": table["label"].astype(str),
        "event_id": table["event_id"].astype(str),
        "date": table["date"].astype(str),
        "date_precision": table["date_precision"].astype(str),
        "actor": table["actor"].astype(str),
        "event": table["event"].astype(str),
        "source": table["source"].astype(str),
        "start": table["start"],
        "end": table["end"] + ONE_DAY,  # exclusive: a bar or band covers its last day too
        "midday": table["start"] + HALF_DAY,
        "start_day": _day_numbers(table["start"], first),
        "end_day": _day_numbers(table["end"], first),
    })
    window_data = pd.DataFrame({
        "row": windows["name"].astype(str),
        "article_id": windows["article_id"].astype(str),
        "outlet": windows["outlet"].astype(str),
        "title": windows["title"].astype(str),
        "window": [date_window(a, b) for a, b in zip(windows["earliest"], windows["latest"], strict=True)],
        "window_days": windows["window_days"],
        "date_basis": windows["date_basis"].astype(str),
        "earliest": windows["earliest"],
        "latest": windows["latest"] + ONE_DAY,  # exclusive, as for events
        "earliest_day": _day_numbers(windows["earliest"], first),
        "latest_day": _day_numbers(windows["latest"], first),
    })

    # Two selects of dates (a day number each), in either order: the range is from the earlier to the later.
    days = [f"{first + pd.Timedelta(days=n):%d %b %Y}" for n in range(span + 1)]
    from_day = alt.param(name="from_day", value=0, bind=alt.binding_select(
        options=list(range(span + 1)), labels=days, name="From "))
    to_day = alt.param(name="to_day", value=span, bind=alt.binding_select(
        options=list(range(span + 1)), labels=days, name="to "))
    outlet_params, outlet_kept = source_params(outlets)
    low, high = "min(from_day, to_day)", "max(from_day, to_day)"
    in_range_events = f"datum.end_day >= {low} && datum.start_day <= {high}"
    in_range_windows = f"datum.latest_day >= {low} && datum.earliest_day <= {high}"
    is_day = "datum.date_precision === 'day'"

    # The axis zooms to the chosen days: from the start of the first to the end of the last (local time, like the data).
    day = f"datetime({first.year}, {first.month - 1}, {first.day} + {{}})"
    x_scale = alt.Scale(domain=alt.ExprRef(f"[{day.format(low)}, {day.format(high + ' + 1')}]"))
    x_axis = alt.Axis(title="date (events: US dates · article windows: German dates)", format="%d %b %Y", grid=False,
                      labelAngle=-30)
    y = alt.Y("row:N", title=None, scale=alt.Scale(domain=rows),
              axis=alt.Axis(labelLimit=320))
    event_tooltip = [
        alt.Tooltip("date:N"), alt.Tooltip("date_precision:N", title="precision"), alt.Tooltip("actor:N"),
        alt.Tooltip("event:N"), alt.Tooltip("source:N"), alt.Tooltip("event_id:N"),
    ]
    window_tooltip = [
        alt.Tooltip("title:N"), alt.Tooltip("outlet:N"), alt.Tooltip("article_id:N"),
        alt.Tooltip("window:N"), alt.Tooltip("window_days:Q", title="possible days"), alt.Tooltip("date_basis:N"),
    ]

    base_events = alt.Chart(event_data).transform_filter(in_range_events)
    guides = [
        base_events.transform_filter(f"!({is_day})").mark_rect(color="#999999", opacity=0.12, clip=True).encode(
            x=alt.X("start:T", scale=x_scale, axis=x_axis), x2="end:T", tooltip=event_tooltip),
        base_events.transform_filter(is_day).mark_rule(color="#999999", opacity=0.35, clip=True).encode(
            x=alt.X("midday:T", scale=x_scale, axis=x_axis), tooltip=event_tooltip),
    ]
    event_marks = [
        base_events.transform_filter(f"!({is_day})").mark_bar(color="#555555", height=8, clip=True).encode(
            x=alt.X("start:T", scale=x_scale, axis=x_axis), x2="end:T", y=y, tooltip=event_tooltip),
        base_events.transform_filter(is_day).mark_point(color="#222222", filled=True, size=60, clip=True).encode(
            x=alt.X("midday:T", scale=x_scale, axis=x_axis), y=y, tooltip=event_tooltip),
    ]
    window_bars = alt.Chart(window_data).transform_filter(f"({in_range_windows}) && ({outlet_kept})").mark_bar(
        height=12, clip=True, **({"opacity": 0.2} if large else {})).encode(
        x=alt.X("earliest:T", scale=x_scale, axis=x_axis), x2="latest:T", y=y,
        color=alt.Color("outlet:N", scale=outlet_scale(outlets), title="Outlet"),
        tooltip=window_tooltip,
    )
    # The title reads the range back as dates.
    shown = f"timeFormat({day}, '%d %b %Y')"
    title = alt.TitleParams(
        text=alt.ExprRef(f"{json.dumps('Events and article windows, ')} + {shown.format(low)} + ' – ' + "
                         f"{shown.format(high)}"),
        subtitle="Bars: possible publication days of each article; dots and grey bands: events of the case.",
        anchor="start",
    )
    return alt.layer(*guides, *event_marks, window_bars).add_params(from_day, to_day, *outlet_params).properties(
        width=620, height=alt.Step(18), title=title,
        description="Timeline of the case's events and of each article's possible publication days, by date.")
