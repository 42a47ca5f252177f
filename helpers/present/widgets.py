"""ipywidgets for exploring the corpus in JupyterLab. Callbacks are thin: the logic is in pure functions.

`source_filter` is the one shared source filter a notebook's explore views listen to (its `selected`
trait lists the ticked outlets). Every view shows a clear empty state when nothing is selected.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import pandas as pd
import traitlets
from IPython.display import HTML

from helpers.corpus.articles import date_window, filter_articles, outlets_of, short_names
from helpers.corpus.glossary import GLOSS_COLUMN
from helpers.present.limits import TABLE_ROWS_MAX, shown_note
from helpers.text.clean import PARAGRAPH_SEPARATOR

EMPTY_SELECTION = "No source selected: tick at least one outlet in the source filter."
TABLE_ELSEWHERE = "every row is in the lab (run the notebook) and in the CSV export (python -m helpers export)"
DISAGREEMENT_COLUMNS = ["article_id", "measure", "code", "text", "value_a", "value_b", "decision", "reason"]


def overview_table(articles: pd.DataFrame, removals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per article: id, short name, outlet, title, date window, words before/after cleaning, lines
    removed."""
    table = pd.DataFrame({
        "article_id": articles["article_id"],
        "article": articles["article_id"].map(short_names(articles)),
        "outlet": articles["outlet"],
        "title": articles["display_title"],
        "published": [date_window(first, last) for first, last in zip(articles["published_earliest"],
                                                         articles["published_latest"], strict=True)],
        "date_confidence": articles["date_confidence"].str.split(":").str[0],
        "words_raw": articles["words_raw"],
        "words_clean": articles["words_clean"],
    })
    if removals is not None:
        removed = removals[removals["action"] == "removed"].groupby("article_id").size()
        table["lines_removed"] = table["article_id"].map(removed).fillna(0).astype(int)
    return table.reset_index(drop=True)


def reader_html(title: str, clean_text: str, meta: str = "") -> str:
    """Render one article's clean text as escaped HTML paragraphs (markup in the text shows as text)."""
    paragraphs = [p for p in clean_text.split(PARAGRAPH_SEPARATOR) if p.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    meta_html = f"<p style='color:#555'>{html.escape(meta)}</p>" if meta else ""
    return f"<h3>{html.escape(title)}</h3>{meta_html}<div lang='de'>{body}</div>"


def table_html(table: pd.DataFrame) -> str:
    """Render a table as escaped HTML, or the empty-selection message."""
    if table.empty:
        return f"<p><em>{EMPTY_SELECTION}</em></p>"
    return table.to_html(index=False, escape=True, border=0)


TEXT_TABLE_STYLE = ("<style>table.pc-text td, table.pc-text th {text-align: left !important; vertical-align: top;}"
                    "</style>")


def text_table(table: pd.DataFrame, max_rows: int = TABLE_ROWS_MAX) -> HTML:
    """Show a table of text in full, left-aligned and escaped (for quotes, clues and audits), up to `max_rows` rows."""
    return HTML(TEXT_TABLE_STYLE + text_table_html(table, max_rows))


def text_table_html(table: pd.DataFrame, max_rows: int = TABLE_ROWS_MAX) -> str:
    """Render a table of text as escaped HTML (web addresses as links); its English gloss column is marked for the
    page's glosses switch. A table longer than `max_rows` shows its first rows and says where the rest are."""
    note = ""
    if len(table) > max_rows:
        note = "<p><em>" + html.escape(shown_note(max_rows, len(table), "rows", TABLE_ELSEWHERE)) + "</em></p>"
        table = table.head(max_rows)
    rendered = table.to_html(index=False, escape=True, border=0, classes="pc-text", render_links=True)
    glossed = [n for n, column in enumerate(table.columns, start=1)
               if str(column) == GLOSS_COLUMN or str(column).endswith(f"_{GLOSS_COLUMN}")]
    if glossed:  # the switch hides column n (helpers.present.explore.page_controls_html)
        rendered = rendered.replace("<table ", f'<table data-gloss-column="{glossed[0]}" ', 1)
    return note + rendered


# On a page with the page's source filter (explore.page_controls_html), these checkboxes are hidden and follow it.
LAB_SOURCE_CLASS, LAB_SOURCES_CLASS = "pc-lab-source", "pc-lab-sources"


class SourceFilter(widgets.VBox):
    """One checkbox per outlet; `selected` lists the ticked outlets in corpus order.

    Where the notebook shows the page's source filter (explore.page_controls_html), that filter ticks these
    checkboxes for the reader and this one is hidden, so a page has one source filter for its charts, folds and
    Python views alike.
    """

    selected = traitlets.List(traitlets.Unicode())

    def __init__(self, outlets: Sequence[str], **kwargs):
        self.checkboxes = [widgets.Checkbox(value=True, description=o, indent=False) for o in outlets]
        for box in self.checkboxes:
            box.add_class(LAB_SOURCE_CLASS)
        super().__init__([widgets.HTML("<b>Sources</b>"), *self.checkboxes], **kwargs)
        self.add_class(LAB_SOURCES_CLASS)
        self.selected = list(outlets)
        for box in self.checkboxes:
            box.observe(self._sync, names="value")

    def _sync(self, _change=None) -> None:
        self.selected = [b.description for b in self.checkboxes if b.value]


def source_filter(articles: pd.DataFrame) -> SourceFilter:
    """Build the shared source filter for the outlets in `articles`."""
    return SourceFilter(outlets_of(articles))


def corpus_explorer(articles: pd.DataFrame, removals: pd.DataFrame | None = None,
                    sources: SourceFilter | None = None) -> widgets.Widget:
    """Build the explorer: source filter, filtered article table, and a reader for one article's clean text."""
    sources = sources or source_filter(articles)
    table = widgets.HTML()
    picker = widgets.Dropdown(description="Article", layout=widgets.Layout(width="60%"))
    reader = widgets.HTML()

    def show_article(_change=None) -> None:
        if picker.value is None:
            reader.value = f"<p><em>{EMPTY_SELECTION}</em></p>"
            return
        row = articles.set_index("article_id").loc[picker.value]
        meta = f"{row['outlet']} · published {date_window(row['published_earliest'], row['published_latest'])}"
        reader.value = reader_html(row["display_title"], row["clean_text"], meta)

    def update(_change=None) -> None:
        chosen = filter_articles(articles, sources.selected)
        table.value = table_html(overview_table(chosen, removals))
        picker.options = [(f"{r.outlet}: {r.display_title}", r.article_id) for r in chosen.itertuples()]
        picker.value = picker.options[0][1] if picker.options else None
        show_article()

    sources.observe(update, names="selected")
    picker.observe(show_article, names="value")
    update()
    return widgets.HBox([sources, widgets.VBox([table, picker, reader], layout=widgets.Layout(width="80%"))])


def evidence_rows(annotations: pd.DataFrame, articles: pd.DataFrame, layer: str, code: str,
                  outlets: Sequence[str]) -> pd.DataFrame:
    """Return the spans of one code in the chosen outlets' articles (the evidence a picker lists)."""
    chosen = list(filter_articles(articles, outlets)["article_id"])
    rows = annotations[(annotations["layer"] == layer) & (annotations["code"] == code)
                       & annotations["article_id"].isin(chosen)]
    order = {article_id: n for n, article_id in enumerate(chosen)}  # corpus order, as in the filter
    rows = rows.assign(_order=rows["article_id"].map(order)).sort_values(["_order", "start"], kind="stable")
    return rows.drop(columns="_order").reset_index(drop=True)


def evidence_html(annotations: pd.DataFrame, articles: pd.DataFrame, layer: str, code: str,
                  outlets: Sequence[str], name: str | None = None) -> str:
    """Render each chosen article that carries the code, spans highlighted, calling the code by `name` (else id)."""
    from helpers.present.highlight import highlight_html

    if not outlets:
        return f"<p><em>{EMPTY_SELECTION}</em></p>"
    shown = html.escape(name or code)
    rows = evidence_rows(annotations, articles, layer, code, outlets)
    if rows.empty:
        return f"<p><em>No article from the selected outlets carries {shown}.</em></p>"
    meta = articles.set_index("article_id")
    parts = [f"<p><b>{shown}</b>: {len(rows)} span(s) in {rows['article_id'].nunique()} article(s)</p>"]
    for article_id, spans in rows.groupby("article_id", sort=False):
        title = f"{meta.loc[article_id, 'outlet']}: {meta.loc[article_id, 'display_title']}"
        parts.append(highlight_html(meta.loc[article_id, "clean_text"], spans, title=title))
    return "\n".join(parts)


def code_options(codes: Sequence[str] | Mapping[str, str]) -> list[tuple[str, str]]:
    """Return a picker's (label, value) options: (name, id) from {id: name}, or (id, id) from a list of ids."""
    if isinstance(codes, Mapping):
        return [(str(name), str(code)) for code, name in codes.items()]
    return [(str(code), str(code)) for code in codes]


def evidence_picker(annotations: pd.DataFrame, articles: pd.DataFrame, codes: Sequence[str] | Mapping[str, str],
                    layer: str, sources: SourceFilter) -> widgets.Widget:
    """Build a picker of one layer's codes, listed by name given {id: name}, that shows their evidence spans."""
    options = code_options(codes)
    names = {code: name for name, code in options}
    picker = widgets.Dropdown(options=options, description=layer.rstrip("s").capitalize())
    view = widgets.HTML()

    def update(_change=None) -> None:
        code = picker.value
        view.value = evidence_html(annotations, articles, layer, code, sources.selected, name=names.get(code))

    picker.observe(update, names="value")
    sources.observe(update, names="selected")
    update()
    return widgets.VBox([picker, view])


def kwic_html(articles: pd.DataFrame, pattern: str, outlets: Sequence[str], limit: int = 50) -> str:
    """Render the KWIC concordance of `pattern` in the chosen outlets, or a clear message."""
    from helpers.analyse.kwic import kwic

    if not outlets:
        return f"<p><em>{EMPTY_SELECTION}</em></p>"
    try:
        hits = kwic(filter_articles(articles, outlets), pattern)
    except ValueError as exc:
        return f"<p><em>{html.escape(str(exc))}</em></p>"
    if hits.empty:
        return f"<p><em>No hits for {html.escape(pattern)!s}.</em></p>"
    # The reader's name of each article (outlet and window, numbered over the whole corpus), not its id.
    shown = hits.head(limit).assign(article=lambda frame: frame["article_id"].map(short_names(articles)))
    shown = shown[["article", "outlet", "left", "hit", "right"]]
    note = f"{len(hits)} hit(s)" + (f"; the first {limit} are shown" if len(hits) > limit else "")
    return f"<p>{note}</p>" + table_html(shown)


def kwic_box(articles: pd.DataFrame, sources: SourceFilter, pattern: str = "") -> widgets.Widget:
    """Build a KWIC search box (regex) whose hits follow the shared source filter."""
    box = widgets.Text(value=pattern, description="Search", placeholder="regular expression",
                       continuous_update=False)
    view = widgets.HTML()

    def update(_change=None) -> None:
        view.value = kwic_html(articles, box.value, sources.selected)

    box.observe(update, names="value")
    sources.observe(update, names="selected")
    update()
    return widgets.VBox([box, view])


def timeline_view_html(events: pd.DataFrame, articles: pd.DataFrame, start: object, end: object,
                       outlets: Sequence[str]) -> str:
    """Render the events and article windows within [start, end] for the chosen outlets."""
    from helpers.analyse.timeline import article_windows, event_table, timeline_filter

    if not outlets:
        return f"<p><em>{EMPTY_SELECTION}</em></p>"
    chosen_events, windows = timeline_filter(events, articles, start, end, outlets)
    if chosen_events.empty and windows.empty:
        return "<p><em>Nothing in this date range.</em></p>"
    event_rows = event_table(chosen_events)[["date", "date_precision", "actor", "event"]] if not chosen_events.empty \
        else pd.DataFrame()
    window_rows = windows if not windows.empty else article_windows(articles).iloc[0:0]
    window_rows = window_rows.assign(article_id=window_rows["article_id"].map(short_names(articles)))
    window_rows = window_rows.rename(columns={"article_id": "article"})
    return ("<p><b>Events</b></p>" + table_html(event_rows) + "<p><b>Article windows</b></p>"
            + table_html(window_rows.astype(str)))


DAY_FORMAT = "%d %b %Y"  # the slider's days, e.g. "09 Nov 2020"


def date_range_html(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Render a chosen date range in full, e.g. "09 Nov 2020 – 11 Jan 2021 (64 days)"."""
    days = (pd.Timestamp(end).normalize() - pd.Timestamp(start).normalize()).days + 1
    return f"<p><b>{start:{DAY_FORMAT}} – {end:{DAY_FORMAT}}</b> ({days} day{'s' if days != 1 else ''})</p>"


def timeline_slider(events: pd.DataFrame, articles: pd.DataFrame, sources: SourceFilter) -> widgets.Widget:
    """Build a date-range slider over the case's days, its range written out in full, and the events in range."""
    from helpers.analyse.timeline import article_windows, event_table

    table = event_table(events)
    windows = article_windows(articles)
    first = min(table["start"].min(), windows["earliest"].min())
    last = max(table["end"].max(), windows["latest"].max())
    days = list(pd.date_range(first, last, freq="D"))
    # The slider's own readout is capped at a short width by the widget CSS ("09 Nov 2020 – 11 Ja"), and no
    # style trait widens it: the range is written out in full in a line of HTML under the slider instead.
    slider = widgets.SelectionRangeSlider(options=[(d.strftime(DAY_FORMAT), d) for d in days],
                                          index=(0, len(days) - 1), description="Dates", readout=False,
                                          layout=widgets.Layout(width="90%"))
    chosen = widgets.HTML()
    view = widgets.HTML()

    def update(_change=None) -> None:
        start, end = slider.value
        chosen.value = date_range_html(start, end)
        view.value = timeline_view_html(events, articles, start, end, sources.selected)

    slider.observe(update, names="value")
    sources.observe(update, names="selected")
    update()
    return widgets.VBox([slider, chosen, view])


def folded_table(table: pd.DataFrame, summary: str, max_rows: int = TABLE_ROWS_MAX) -> HTML:
    """Show a long table of text folded away under a one-line summary (a <details> element)."""
    return HTML(f"{TEXT_TABLE_STYLE}<details><summary>{html.escape(summary)}</summary>"
                f"{text_table_html(table, max_rows)}"
                "</details>")


def disagreement_columns(settled: pd.DataFrame, columns: Sequence[str] = DISAGREEMENT_COLUMNS) -> list[str]:
    """Return the columns a disagreement table shows: `article` where it is shown by name (names.by_name)."""
    return [("article" if column == "article_id" and column not in settled.columns else column) for column in columns]


def disagreement_picker(settled: pd.DataFrame) -> widgets.Widget:
    """Build a layer picker that lists that layer's disagreements between the coders, with the decisions."""
    layers = list(dict.fromkeys(settled["layer"]))
    picker = widgets.Dropdown(options=layers, description="Layer")
    view = widgets.HTML()

    def update(_change=None) -> None:
        view.value = table_html(settled.loc[settled["layer"] == picker.value, disagreement_columns(settled)])

    picker.observe(update, names="value")
    update()
    return widgets.VBox([picker, view])
