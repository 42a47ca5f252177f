"""Tests for helpers.present.names: what a reader sees of a table's ids."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from helpers.annotate.study import load_study
from helpers.corpus import short_names
from helpers.present.names import by_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def study():
    return load_study()


def test_article_ids_become_short_names_in_columns_index_and_headers(study):
    ids = list(study.articles["article_id"])
    names = short_names(study.articles)
    table = pd.DataFrame({"article_id": ids, "words": range(len(ids))})
    shown = by_name(table, study)
    assert list(shown.columns) == ["article", "words"]
    assert list(shown["article"]) == [names[i] for i in ids]
    assert list(table["article_id"]) == ids  # the table itself is left as it is

    matrix = pd.DataFrame(0.5, index=ids, columns=ids)
    shown = by_name(matrix, study)
    assert list(shown.index) == list(shown.columns) == [names[i] for i in ids]

    pairs = by_name(pd.DataFrame({"article_a": ids[:1], "article_b": ids[1:2]}), study)
    assert (pairs.iloc[0]["article_a"], pairs.iloc[0]["article_b"]) == (names[ids[0]], names[ids[1]])


def test_a_table_with_both_id_and_name_keeps_one_article_column(study):
    ids = list(study.articles["article_id"])
    shown = by_name(pd.DataFrame({"article_id": ids, "article": ["x"] * len(ids)}), study)
    assert list(shown.columns) == ["article"] and shown["article"].iloc[0] == short_names(study.articles)[ids[0]]


def test_codes_become_their_codebook_names_by_layer(study):
    codebook = study.codebook
    fact, frame = codebook.ids("facts")[0], codebook.ids("frames")[0]
    table = pd.DataFrame({"layer": ["facts", "frames", "nonsense"], "code": [fact, frame, "kept_as_is"],
                          "value_a": [fact, frame, ""], "value_b": ["1", "0", ""]})
    shown = by_name(table, study)
    assert list(shown["code"]) == [codebook.name_of("facts", fact), codebook.name_of("frames", frame), "kept_as_is"]
    assert list(shown["value_a"])[:2] == list(shown["code"])[:2]
    assert list(shown["value_b"]) == ["1", "0", ""]

    listing = by_name(codebook.codes["frames"][["id", "kind"]], study, layer="frames")
    assert list(listing.columns) == ["name", "kind"] and listing["name"].iloc[0] == codebook.name_of("frames", frame)
    assert not listing["kind"].str.contains("_").any()

    reach = by_name(pd.DataFrame({"fact_id": [fact]}), study)
    assert list(reach.columns) == ["fact"] and reach["fact"].iloc[0] == codebook.name_of("facts", fact)

    by_column = by_name(pd.DataFrame({frame: [1]}), study, layer="frames")
    assert list(by_column.columns) == [codebook.name_of("frames", frame)]


def test_actors_and_events_by_name(study):
    actors = study.codebook.actor_names()
    actor = next(iter(actors))
    shown = by_name(pd.DataFrame({"actor_id": [actor], "speaker": [actor], "attributed_to": [None]}), study)
    assert list(shown.columns) == ["actor", "speaker", "attributed_to"]
    assert shown.iloc[0]["actor"] == shown.iloc[0]["speaker"] == actors[actor]
    event = study.events["event_id"].iloc[0]
    known = by_name(pd.DataFrame({"x": [1]}, index=pd.Index([event], name="event_id")), study)
    assert known.index.name == "event" and known.index[0] != event and study.events["date"].iloc[0] in known.index[0]


class _Tables(HTMLParser):
    """Collect (column header, cell text) for every body cell of every HTML table fed to it."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self._headers: list[str] = []
        self._row: list[str] = []
        self._text: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "thead":
            self._in_head, self._headers = True, []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._text is not None:
            self._row.append("".join(self._text).strip())
            self._text = None
        elif tag == "tr":
            if self._in_head:
                self._headers = self._row
            else:
                self.cells += [(self._headers[n] if n < len(self._headers) else "", text)
                               for n, text in enumerate(self._row)]
        elif tag == "thead":
            self._in_head = False


# Words of the texts, their glosses, and label categories shown as words ("victim" is a category and a code).
WORD_COLUMNS = {"english", "title_english", "lemma", "category"}


def _table_cells(notebook: Path) -> list[tuple[int, str]]:
    found = []
    for number, cell in enumerate(json.loads(notebook.read_text("utf-8"))["cells"]):
        if "lab-only" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            tables = _Tables()
            tables.feed("".join(output.get("data", {}).get("text/html", "")))
            found += [(number, text) for column, text in tables.cells if column not in WORD_COLUMNS]
    return found


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")), ids=lambda p: p.stem)
def test_no_table_in_a_notebook_shows_an_article_or_a_named_code_by_its_id(study, notebook: Path):
    """Tables name articles and codes as a reader knows them; an id stays only where the code has no name."""
    articles = set(study.articles["article_id"])
    named = {code for layer in ("facts", "frames", "labels", "quotes") for code, name in
             study.codebook.names(layer).items() if name != code}
    named |= {actor for actor, name in study.codebook.actor_names().items() if name != actor}
    shown = [(number, text) for number, text in _table_cells(notebook) if text in articles | named]
    assert shown == [], f"{notebook.name}: table cells (cell number, text) that show ids: {shown[:10]}"
