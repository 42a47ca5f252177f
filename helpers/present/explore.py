"""Explore views that work on the shared pages with no kernel: every choice is precomputed into folds.

The JupyterLab widgets (helpers.present.widgets) pick one article, code or layer at a time and run Python on
each pick. A reader of the shared HTML has no Python, and the choices are few (a handful of articles, some 70
codes), so each view here renders every choice once, as a `<details>` fold that the reader opens: no script, so
nothing to trust, nothing that can break, and it prints. The widgets and these views share their pure functions
(`reader_html`, `evidence_html`, `table_html`), so both show the same thing.

Each article block carries `data-outlet`, so a page-level source filter can hide the outlets a reader unticks.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd
from IPython.display import HTML

from helpers.annotate.annotations import Codebook
from helpers.corpus.articles import date_window, outlets_of
from helpers.corpus.glossary import gloss, load_glossary
from helpers.present.widgets import DISAGREEMENT_COLUMNS, evidence_rows, reader_html, table_html

FOLD_STYLE = """<style>
.pc-folds details { border-left: 3px solid #ccc; margin: 0.3em 0; padding: 0.1em 0.6em; }
.pc-folds details[open] { border-left-color: #4c78a8; }
.pc-folds summary { cursor: pointer; }
.pc-folds summary .pc-count { color: #555; font-size: 90%; }
</style>"""


def article_label(outlet: str, title: str, earliest: pd.Timestamp, latest: pd.Timestamp) -> str:
    """Name an article for a reader: outlet, headline and publication window (never its id alone)."""
    return f"{outlet}: {title} ({date_window(earliest, latest)})"


def _fold(summary: str, body: str, *, title: str = "", outlet: str | None = None) -> str:
    """Render one fold: an escaped one-line summary (HTML allowed in `summary` only from the kit) and its body."""
    data = f' data-outlet="{html.escape(outlet)}"' if outlet is not None else ""
    hover = f' title="{html.escape(title)}"' if title else ""
    return f"<details{data}><summary{hover}>{summary}</summary>{body}</details>"


def _count(text: str) -> str:
    return f' <span class="pc-count">({html.escape(text)})</span>'


def article_reader_html(articles: pd.DataFrame) -> str:
    """Render every article as a fold holding its clean text (what the lab's article picker shows one at a time)."""
    folds = []
    for row in articles.itertuples():
        meta = f"{row.outlet} · published {date_window(row.published_earliest, row.published_latest)}"
        label = article_label(row.outlet, row.display_title, row.published_earliest, row.published_latest)
        folds.append(_fold(html.escape(label) + _count(f"{row.words_clean} words"),
                           reader_html(row.display_title, row.clean_text, meta),
                           title=str(row.article_id), outlet=str(row.outlet)))
    return f'{FOLD_STYLE}<div class="pc-folds">{"".join(folds)}</div>'


def reader_spans(spans: pd.DataFrame, codebook: Codebook, layer: str, glossary: Mapping[str, str]) -> pd.DataFrame:
    """Return spans ready for a reader's hover: the code's name (`label`), actors by name, the English gloss."""
    actors, glossary = codebook.actor_names(), dict(glossary)
    return spans.assign(
        label=[codebook.name_of(layer, code) for code in spans["code"]],
        speaker=[actors.get(value, value) for value in spans["speaker"].fillna("")],
        attributed_to=[actors.get(value, value) for value in spans["attributed_to"].fillna("")],
        gloss=[gloss(text, glossary) for text in spans["span"].fillna("")],
    )


def evidence_browser_html(annotations: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook, layer: str,
                          codes: Sequence[str] | None = None, glossary: Mapping[str, str] | None = None) -> str:
    """Render one fold per code of a layer: its definition, then each article that carries it, spans highlighted.

    What the lab's evidence picker shows for one code at a time (the same `evidence_rows` and highlighting).
    A code no article carries says so; its fold stays, so the list is the whole codebook layer. Hovering a span
    shows its code's name, who says it (by name) and its English gloss (`glossary`, by default the glossary of
    the codebook's corpus).
    """
    from helpers.present.highlight import highlight_html

    glossary = load_glossary(codebook.path.parent) if glossary is None else glossary
    codes = list(codes) if codes is not None else codebook.ids(layer)
    meta = articles.set_index("article_id")
    folds = []
    for code in codes:
        rows = evidence_rows(annotations, articles, layer, code, outlets_of(articles))
        definition = str(codebook.codes[layer].set_index("id").loc[code, "definition"])
        parts = [f"<p><em>{html.escape(definition)}</em></p>"]
        if rows.empty:
            parts.append("<p>No article carries it.</p>")
        for article_id, spans in rows.groupby("article_id", sort=False):
            row = meta.loc[article_id]
            label = article_label(row["outlet"], row["display_title"], row["published_earliest"],
                                  row["published_latest"])
            marked = highlight_html(row["clean_text"], reader_spans(spans, codebook, layer, glossary), title=label,
                                    label_column="label")
            parts.append(f'<div data-outlet="{html.escape(str(row["outlet"]))}">{marked}</div>')
        count = f"{len(rows)} span{'s' * (len(rows) != 1)} in {rows['article_id'].nunique()} article" + (
            "s" * (rows["article_id"].nunique() != 1))
        folds.append(_fold(html.escape(codebook.name_of(layer, code)) + _count(count), "".join(parts),
                           title=f"code id: {code}"))
    return f'{FOLD_STYLE}<div class="pc-folds">{"".join(folds)}</div>'


def disagreements_html(settled: pd.DataFrame, columns: Sequence[str] = DISAGREEMENT_COLUMNS) -> str:
    """Render one fold per layer listing the coders' disagreements there, with the decisions (the lab's picker)."""
    folds = []
    for layer, rows in settled.groupby("layer", sort=False):
        count = f"{len(rows)} disagreement{'s' * (len(rows) != 1)}"
        folds.append(_fold(html.escape(str(layer)) + _count(count), table_html(rows[list(columns)])))
    if not folds:
        return "<p><em>The two coders agree everywhere: nothing to adjudicate.</em></p>"
    return f'{FOLD_STYLE}<div class="pc-folds">{"".join(folds)}</div>'


def show(fragment: str) -> HTML:
    """Display an explore view in a notebook (and on the shared page)."""
    return HTML(fragment)
