"""The explore views: pure filtering logic, escaping, empty states, and the widgets' wiring."""

from __future__ import annotations

import html
import re

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
    assert table.loc[table["article_id"] == "ausschliessen", "published"].item() == "2021-01-09 – 2021-01-20"


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


def test_article_length_chart_filters_by_the_pages_source_param(articles):
    outlets = corpus.outlets_of(articles)
    spec = charts.article_lengths(widgets.overview_table(articles), outlets).to_dict()
    params = spec["params"]
    # One unbound param that the page's source filter sets: no checkboxes of the chart's own.
    assert params == [{"name": charts.SOURCES_PARAM, "value": outlets}]
    bars = spec["layer"][0]
    assert bars["encoding"]["color"]["scale"]["domain"] == outlets
    assert bars["transform"][0]["filter"] == f"indexof({charts.SOURCES_PARAM}, datum.outlet) >= 0"


def test_source_params_carry_outlet_names_as_data_not_code():
    params, expression = charts.source_params(['Say "hi" \\ outlet'])
    assert params[0].param.to_dict() == {"name": charts.SOURCES_PARAM, "value": ['Say "hi" \\ outlet']}
    assert expression == f"indexof({charts.SOURCES_PARAM}, datum.outlet) >= 0"
    assert charts.source_params([])[0][0].param.to_dict()["value"] == []


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


def test_evidence_is_headed_by_the_code_name(articles, hand, codebook):
    outlets = corpus.outlets_of(articles)
    name = codebook.name_of("facts", "apps_removed")
    assert name != "apps_removed"
    page = widgets.evidence_html(hand, articles, "facts", "apps_removed", outlets, name=name)
    assert page.startswith(f"<p><b>{name}</b>: ") and "apps_removed" not in page.split("</p>")[0]
    assert widgets.evidence_html(hand, articles, "facts", "apps_removed", outlets).startswith(
        "<p><b>apps_removed</b>: ")  # no name given: the id, as before
    assert widgets.evidence_html(hand, articles, "facts", "no_such_code", outlets, name="A & B").endswith(
        "carries A &amp; B.</em></p>")


def test_evidence_picker_lists_names_with_ids_as_values(articles, hand, codebook):
    names = codebook.names("facts")
    picker = widgets.evidence_picker(hand, articles, names, "facts", widgets.source_filter(articles))
    dropdown, view = picker.children
    assert list(dropdown.options) == [(name, code) for code, name in names.items()]
    assert dropdown.value == next(iter(names)) and dropdown.label == names[dropdown.value]
    last = list(names)[-1]
    dropdown.value = last
    assert view.value == widgets.evidence_html(hand, articles, "facts", last, corpus.outlets_of(articles),
                                               name=names[last])
    # The notebooks' older call, a list of ids, still builds (listing the ids).
    old = widgets.evidence_picker(hand, articles, codebook.ids("facts"), "facts", widgets.source_filter(articles))
    assert list(old.children[0].options) == [(code, code) for code in codebook.ids("facts")]


def _html_table(page: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the (one) table in `page`, cell text unescaped."""
    header = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", page)]
    body = page.split("<tbody>", 1)[1]
    rows = [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]
    return header, rows


def test_kwic_view_names_articles_not_ids(articles):
    outlets = corpus.outlets_of(articles)
    header, rows = _html_table(widgets.kwic_html(articles, "Parler", outlets))
    assert header == ["article", "outlet", "left", "hit", "right"]
    names = corpus.short_names(articles)
    shown = {row[0] for row in rows}
    assert rows and shown <= set(names.values()) and not shown & set(names)
    # Names are numbered over the whole corpus, so an article keeps its name whichever outlets are ticked.
    last = outlets[-1]
    _header, one = _html_table(widgets.kwic_html(articles, "Parler", [last]))
    ids = articles.loc[articles["outlet"] == last, "article_id"]
    assert one and {row[0] for row in one} <= {names[a] for a in ids}


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
    page = widgets.kwic_html(articles, "(a|aa)+$", ["Outlet"])
    assert page.startswith("<p><em>kwic search: the pattern &#x27;(a|aa)+$&#x27; was stopped after 0.2 s")
    box = widgets.kwic_box(articles, widgets.source_filter(articles), pattern="(a|aa)+$")  # builds, no traceback
    assert "was stopped after 0.2 s" in box.children[1].value


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
    assert "<th>article</th>" in page and "<th>article_id</th>" not in page
    slider = widgets.timeline_slider(events, articles, widgets.source_filter(articles))
    assert slider.children[0].value[0] <= day <= slider.children[0].value[1]


def test_timeline_slider_writes_the_whole_range_out():
    """The slider's own readout is cut at ~150 px ("01 Nov 2020 – 15 Fe"): the range is a line of text instead."""
    from helpers.corpus import load_events

    articles = corpus.load_articles()
    slider, chosen, view = widgets.timeline_slider(load_events(), articles, widgets.source_filter(articles)).children
    assert slider.readout is False
    first, last = slider.options[0][1], slider.options[-1][1]
    assert chosen.value == widgets.date_range_html(first, last)
    assert f"{first:%d %b %Y} – {last:%d %b %Y}" in chosen.value
    slider.index = (3, 3)
    day = slider.options[3][1]
    assert chosen.value == f"<p><b>{day:%d %b %Y} – {day:%d %b %Y}</b> (1 day)</p>"
    assert view.value == widgets.timeline_view_html(load_events(), articles, day, day, corpus.outlets_of(articles))
    assert widgets.date_range_html(pd.Timestamp("2020-11-09"), pd.Timestamp("2021-01-11")) == \
        "<p><b>09 Nov 2020 – 11 Jan 2021</b> (64 days)</p>"
