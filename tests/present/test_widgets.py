"""The explore views: pure filtering logic, escaping, empty states, and the widgets' wiring."""

from __future__ import annotations

import time

import pandas as pd

from helpers import corpus
from helpers.analyse import kwic as kwic_module
from helpers.corpus import removals
from helpers.present import charts, widgets


def test_outlets_come_from_the_metadata(articles):
    outlets = corpus.outlets_of(articles)
    assert outlets == list(dict.fromkeys(articles["outlet"]))
    assert len(outlets) == articles["outlet"].nunique()


def test_filter_articles(articles):
    first = articles["outlet"].iloc[0]
    chosen = corpus.filter_articles(articles, [first])
    assert set(chosen["outlet"]) == {first}
    assert len(chosen) == (articles["outlet"] == first).sum()
    assert corpus.filter_articles(articles, []).empty


def test_overview_table_counts_removed_lines(articles):
    audit = removals(articles)
    table = widgets.overview_table(articles, audit)
    assert list(table["article_id"]) == list(articles["article_id"])
    removed = audit[audit["action"] == "removed"].groupby("article_id").size()
    for row in table.itertuples():
        assert row.lines_removed == removed.get(row.article_id, 0)
    assert table.loc[table["article_id"] == "ausschliessen", "published"].item() == "2021-01-09 – 2021-01-11"


def test_date_window():
    day = pd.Timestamp("2021-01-09")
    assert corpus.date_window(day, day) == "2021-01-09"
    assert corpus.date_window(day, pd.Timestamp("2021-01-11")) == "2021-01-09 – 2021-01-11"
    assert corpus.date_window(pd.NaT, day) == "unknown"


def test_reader_escapes_markup():
    page = widgets.reader_html("<b>Titel</b>", "Absatz <script>alert(1)</script>\n\nZweiter & letzter", "t3n")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Titel&lt;/b&gt;" in page
    assert page.count("<p>") == 2


def test_tables_escape_and_show_empty_state():
    hostile = pd.DataFrame({"text": ["<img src=x onerror=alert(1)>"]})
    assert "<img" not in widgets.table_html(hostile)
    assert "<img" not in widgets.text_table(hostile).data
    assert widgets.EMPTY_SELECTION in widgets.table_html(hostile.iloc[0:0])


def test_source_filter_tracks_checkboxes(articles):
    sources = widgets.source_filter(articles)
    outlets = corpus.outlets_of(articles)
    assert sources.selected == outlets
    sources.checkboxes[0].value = False
    assert sources.selected == outlets[1:]


def test_explorer_follows_the_source_filter(articles):
    sources = widgets.source_filter(articles)
    explorer = widgets.corpus_explorer(articles, removals(articles), sources)
    table, picker, reader = explorer.children[1].children
    assert len(picker.options) == len(articles)
    first_outlet = corpus.outlets_of(articles)[0]
    for box in sources.checkboxes:
        box.value = box.description == first_outlet
    assert len(picker.options) == (articles["outlet"] == first_outlet).sum()
    assert all(first_outlet in label for label, _ in picker.options)
    for box in sources.checkboxes:
        box.value = False
    assert picker.options == () and widgets.EMPTY_SELECTION in table.value and widgets.EMPTY_SELECTION in reader.value


def test_article_length_chart_filters_by_source_in_the_spec(articles):
    outlets = corpus.outlets_of(articles)
    spec = charts.article_lengths(widgets.overview_table(articles), outlets).to_dict()
    params = spec["params"]
    assert [p["name"] for p in params] == [f"source_{i}" for i in range(len(outlets))]
    assert all(p["bind"]["input"] == "checkbox" and p["value"] is True for p in params)
    bars = spec["layer"][0]
    assert bars["encoding"]["color"]["scale"]["domain"] == outlets
    expression = bars["transform"][0]["filter"]
    for i, outlet in enumerate(outlets):
        assert f'(datum.outlet === "{outlet}" && source_{i})' in expression


def test_source_params_quote_odd_outlet_names():
    params, expression = charts.source_params(['Say "hi" \\ outlet'])
    assert expression == '(datum.outlet === "Say \\"hi\\" \\\\ outlet" && source_0)'
    assert charts.source_params([])[1] == "false"


def test_evidence_views_follow_outlets(articles, hand):
    outlets = corpus.outlets_of(articles)
    rows = widgets.evidence_rows(hand, articles, "facts", "apps_removed", outlets)
    assert set(rows["article_id"]) == set(hand.loc[(hand["layer"] == "facts") & (hand["code"] == "apps_removed"),
                                                   "article_id"])
    one = widgets.evidence_rows(hand, articles, "facts", "apps_removed", outlets[:1])
    assert set(articles.set_index("article_id").loc[list(one["article_id"]), "outlet"]) == {outlets[0]}
    page = widgets.evidence_html(hand, articles, "facts", "apps_removed", outlets)
    assert page.count("<mark") >= len(rows)
    assert widgets.EMPTY_SELECTION in widgets.evidence_html(hand, articles, "facts", "apps_removed", [])
    assert "No article from the selected outlets carries" in widgets.evidence_html(
        hand, articles, "facts", "no_such_code", outlets)


def test_kwic_view_messages(articles):
    outlets = corpus.outlets_of(articles)
    assert "hit(s)" in widgets.kwic_html(articles, "Parler", outlets)
    assert "is not a valid regular expression" in widgets.kwic_html(articles, "Matz(", outlets)
    assert "No hits" in widgets.kwic_html(articles, "zzzqqq", outlets)
    assert widgets.EMPTY_SELECTION in widgets.kwic_html(articles, "Parler", [])
    assert "the first 2 are shown" in widgets.kwic_html(articles, "Parler", outlets, limit=2)


def test_kwic_view_shows_a_runaway_search_as_a_message(monkeypatch):
    monkeypatch.setattr(kwic_module, "SEARCH_SECONDS", 0.2)
    articles = pd.DataFrame({"article_id": ["long"], "outlet": ["Outlet"], "clean_text": ["a" * 3000 + "b"]})
    start = time.perf_counter()
    page = widgets.kwic_html(articles, "(a|aa)+$", ["Outlet"])
    assert page.startswith("<p><em>kwic search: the pattern &#x27;(a|aa)+$&#x27; was stopped after 0.2 s")
    box = widgets.kwic_box(articles, widgets.source_filter(articles), pattern="(a|aa)+$")  # builds, no traceback
    assert "was stopped after 0.2 s" in box.children[1].value
    assert time.perf_counter() - start < 3


def test_timeline_view_range_and_empty_states(articles):
    from helpers.corpus import load_events

    events = load_events()
    outlets = corpus.outlets_of(articles)
    day = pd.Timestamp("2021-01-12")
    page = widgets.timeline_view_html(events, articles, day, day, outlets)
    assert "AWS answers Parler's lawsuit in court" in page
    assert "Nothing in this date range" in widgets.timeline_view_html(
        events, articles, pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-02"), outlets)
    assert widgets.EMPTY_SELECTION in widgets.timeline_view_html(events, articles, day, day, [])
    slider = widgets.timeline_slider(events, articles, widgets.source_filter(articles))
    assert slider.children[0].value[0] <= day <= slider.children[0].value[1]
