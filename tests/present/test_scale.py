"""A large corpus: above the threshold charts aggregate by outlet (under Altair's row limit) and long views show a
stated part; below it nothing changes. A small synthetic corpus with a low threshold stands in for 1,000 articles."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import altair as alt
import pytest

from helpers import corpus
from helpers.analyse import coverage, framing
from helpers.annotate import detect
from helpers.annotate.study import load_study
from helpers.present import charts, explore, widgets

SYNTHETIC = Path(__file__).resolve().parents[2] / "bench" / "synthetic.py"
ARTICLES, THRESHOLD = 30, 10
ALTAIR_ROWS_MAX = 5000  # Altair raises MaxRowsError above this


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A study of 30 articles over 20 outlets (the five coded originals and 25 varied copies)."""
    spec = importlib.util.spec_from_file_location("synthetic", SYNTHETIC)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = module.build_corpus(corpus.corpus_dir(), tmp_path_factory.mktemp("large") / "corpus", ARTICLES)
    return load_study(root)


def rows_of(chart: alt.TopLevelMixin) -> int:
    """Return the rows the chart embeds (its datasets), raising Altair's MaxRowsError if they are too many."""
    spec = chart.to_dict()
    return sum(len(rows) for rows in spec.get("datasets", {}).values())


def test_coverage_heatmap_aggregates_by_outlet_above_the_threshold(large):
    matrix = coverage.coverage_matrix(large.coding, large.articles, large.codebook)
    detected = coverage.coverage_matrix(detect.detect_all(large.texts, large.codebook), large.articles,
                                        large.codebook)
    outlets = corpus.outlets_of(large.articles)
    per_article = charts.coverage_heatmap(matrix, outlets, detected, max_articles=ARTICLES)
    by_outlet = charts.coverage_heatmap(matrix, outlets, detected, max_articles=THRESHOLD)
    facts = matrix["fact_id"].nunique()
    assert rows_of(per_article) == ARTICLES * facts
    assert rows_of(by_outlet) == len(outlets) * facts < ARTICLES * facts
    assert by_outlet.to_dict()["encoding"]["x"]["field"] == "column"  # one column per outlet
    assert by_outlet.to_dict()["encoding"]["color"]["field"] == "share"


def test_per_article_charts_aggregate_and_stay_under_the_row_limit(large):
    articles, outlets = large.articles, corpus.outlets_of(large.articles)
    overview = widgets.overview_table(articles)
    quotes = coverage.quote_words_by_side(coverage.voices(large.coding, articles, large.codebook), articles)
    quotes.insert(1, "outlet", quotes["article_id"].map(articles.set_index("article_id")["outlet"]))
    frames = framing.frame_counts(large.coding, articles, large.codebook)
    built = {
        "lengths": lambda n: charts.article_lengths(overview, outlets, max_articles=n),
        "voices": lambda n: charts.voices_chart(quotes, outlets, max_articles=n),
        "frames": lambda n: charts.frame_chart(frames, articles, outlets, max_articles=n),
    }
    for name, build in built.items():
        small, aggregated = rows_of(build(ARTICLES)), rows_of(build(THRESHOLD))
        assert aggregated < small <= ALTAIR_ROWS_MAX, name
        assert aggregated <= len(outlets) * max(1, small // ARTICLES), name


def test_kwic_and_reader_show_the_first_articles_and_say_so(large):
    articles = large.articles
    kwic = charts.kwic_chart(articles, "Parler", max_articles=THRESHOLD).to_dict()
    searched = {row["article_id"] for rows in kwic["datasets"].values() for row in rows}
    assert searched == set(articles["article_id"].head(THRESHOLD))
    assert f"first {THRESHOLD} of {ARTICLES}" in " ".join(kwic["title"]["subtitle"] if isinstance(
        kwic["title"]["subtitle"], list) else [kwic["title"]["subtitle"]])
    reader = explore.article_reader_html(articles, max_articles=THRESHOLD)
    assert reader.count("<details") == THRESHOLD
    assert f"Showing the first {THRESHOLD} of {ARTICLES} articles" in reader
    assert explore.article_reader_html(articles, max_articles=ARTICLES).count("<details") == ARTICLES


def test_timeline_puts_windows_on_outlet_rows_above_the_threshold(large):
    articles, events = large.articles, large.events
    chart = charts.timeline_chart(events, articles, max_articles=THRESHOLD).to_dict()
    domain = next(layer["encoding"]["y"]["scale"]["domain"] for layer in chart["layer"] if "y" in layer["encoding"])
    outlets = corpus.outlets_of(articles)
    assert len(domain) == len(events) + len(outlets) < len(events) + ARTICLES
    assert all(any(row.startswith(outlet + " (") for row in domain) for outlet in outlets)


def test_text_table_shows_at_most_max_rows_and_counts_the_rest(large):
    overview = widgets.overview_table(large.articles)
    rendered = widgets.text_table_html(overview, max_rows=THRESHOLD)
    assert rendered.count("<tr") == THRESHOLD + 1  # header row
    assert f"first {THRESHOLD} of {ARTICLES} rows" in rendered
    assert "Showing" not in widgets.text_table_html(overview, max_rows=ARTICLES)


def test_detectors_in_parallel_give_the_same_rows_as_serial(large, monkeypatch):
    monkeypatch.setattr(detect, "PARALLEL_ARTICLES_MIN", 5)  # 30 articles: two processes, several runs each
    serial = detect.detect_all(large.texts, large.codebook, jobs=1)
    parallel = detect.detect_all(large.texts, large.codebook, jobs=2)
    assert len(serial) > 0
    assert parallel.equals(serial)


def test_chunks_keep_corpus_order_and_every_article():
    texts = {f"a{n}": "x" * (n + 1) for n in range(20)}
    chunks = detect._chunks(texts, 6)
    assert [a for chunk in chunks for a in chunk] == list(texts)
    assert 1 < len(chunks) <= 6
