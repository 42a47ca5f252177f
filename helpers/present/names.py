"""Show a table's ids by the names a reader knows: articles by outlet and date, codes and actors by their codebook
names.

The analysis tables keep ids (they join on them, and the exported CSVs keep them too); what a notebook shows a
reader goes through `by_name` first, so no table on a shared page names a fact `apps_removed` or an article by its
file id.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.analyse.timeline import event_table
from helpers.annotate.annotations import Codebook
from helpers.annotate.study import Study
from helpers.corpus.articles import short_names
from helpers.present.charts import readable

ARTICLE_COLUMNS = {"article_id": "article", "article_a": "article_a", "article_b": "article_b"}
ACTOR_COLUMNS = ("speaker", "attributed_to", "actor")
CODE_COLUMNS = {"fact_id": ("facts", "fact"), "frame": ("frames", "frame")}


def by_name(table: pd.DataFrame, study: Study, layer: str | None = None) -> pd.DataFrame:
    """Return a copy of `table` with its ids shown as names: `study`'s article names and codebook names.

    Article ids (columns article_id, article_a, article_b, an event's `source`, an index of article ids, a column
    named by one) become short names ("heise online, 9–11 Jan 2021"); article_id is renamed `article` (and
    dropped if the table has one). Codes become their codebook names: fact_id (renamed `fact`), frame, `code` by
    the row's `layer` (or `layer` given here), the coders' value_a/value_b, and, with `layer` given, columns named
    by a code and an `id` column (a codebook listing, renamed `name`). Actor ids (actor_id, speaker, attributed_to,
    actor) become actor names, an index of event ids the events, and category and kind keys words. Anything else
    stays.
    """
    codebook = study.codebook
    categories = set(codebook.label_categories)
    article_names = short_names(study.articles)
    actors = codebook.actor_names()
    shown = table.copy()
    if "source" in shown.columns:  # an event's source: a URL, or an article of the corpus by its id
        shown["source"] = _named(shown["source"], article_names)
    for column, renamed in ARTICLE_COLUMNS.items():
        if column in shown.columns:
            shown[column] = _named(shown[column], article_names)
            if renamed != column:
                shown = shown.drop(columns=renamed) if renamed in shown.columns else shown
                shown = shown.rename(columns={column: renamed})
    for column, (code_layer, renamed) in CODE_COLUMNS.items():
        if column in shown.columns and code_layer in codebook.codes:
            shown[column] = _named(shown[column], codebook.names(code_layer))
            shown = shown.rename(columns={column: renamed})
    if "code" in shown.columns:
        layers = shown["layer"] if "layer" in shown.columns else pd.Series(layer, index=shown.index)
        shown["code"] = [_name_of(codebook, code_layer, code) for code_layer, code in zip(layers, shown["code"],
                                                                                          strict=True)]
    if layer is not None and "id" in shown.columns and layer in codebook.codes:
        shown["id"] = _named(shown["id"], codebook.names(layer))
        shown = shown.rename(columns={"id": "name"})
    if "actor_id" in shown.columns:
        shown = (shown.drop(columns="actor_id") if "actor" in shown.columns
                 else shown.assign(actor_id=_named(shown["actor_id"], actors)).rename(columns={"actor_id": "actor"}))
    for column in ACTOR_COLUMNS:
        if column in shown.columns:
            shown[column] = _named(shown[column], actors)
    if {"layer", "value_a", "value_b"} <= set(shown.columns):  # the two coders' values: codes, or categories
        for column in ("value_a", "value_b"):
            shown[column] = [_name_of(codebook, code_layer, value, readable_keys=categories)
                             for code_layer, value in zip(shown["layer"], shown[column], strict=True)]
    for column in ("category", "kind"):
        if column in shown.columns:
            shown[column] = shown[column].map(lambda value: readable(value) if isinstance(value, str) else value)
    codes = codebook.names(layer) if layer in codebook.codes else {}
    if len(shown.index) and all(isinstance(value, str) and value in article_names for value in shown.index):
        shown.index = [article_names[value] for value in shown.index]
    if shown.index.name == "event_id" and not study.events.empty:
        table = event_table(study.events)  # the timeline's row labels: date and the event, shortened
        events = dict(zip(table["event_id"], table["label"], strict=True))
        shown.index = pd.Index([events.get(value, value) for value in shown.index], name="event")
    shown.columns = [article_names.get(column, codes.get(column, column)) if isinstance(column, str) else column
                     for column in shown.columns]
    return shown


def _named(values: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """Return each value's name, or the value itself when it has none (or is not text)."""
    return values.map(lambda value: names.get(value, value) if isinstance(value, str) else value)


def _name_of(codebook: Codebook, layer: object, code: object, readable_keys: set[str] | None = None) -> object:
    """Return a code's name in its layer (a key in `readable_keys` as words); anything else as it is."""
    if isinstance(code, str) and code in (readable_keys or set()):
        return readable(code)
    if not isinstance(layer, str) or layer not in codebook.codes or not isinstance(code, str) or not code:
        return code
    return codebook.name_of(layer, code)
