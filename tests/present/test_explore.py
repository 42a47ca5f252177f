"""The offline Explore views: every article, code and layer has its fold, with the same content as the lab widgets."""

from __future__ import annotations

import html
import re

from helpers.annotate import consensus
from helpers.corpus import outlets_of
from helpers.present import explore, widgets


def summaries(markup: str) -> list[str]:
    """Return the visible text of each fold's summary."""
    found = re.findall(r"<summary[^>]*>(.*?)</summary>", markup, re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", summary)) for summary in found]


def test_the_reader_has_one_fold_per_article_named_for_a_reader(articles):
    markup = explore.article_reader_html(articles)
    folds = summaries(markup)
    assert len(folds) == len(articles)
    for fold, row in zip(folds, articles.itertuples(), strict=True):
        assert fold.startswith(f"{row.outlet}: ") and f"({row.words_clean} words)" in fold
        assert row.article_id not in fold  # the id is the hover text, not the name
    assert markup.count("data-outlet=") == len(articles)


def test_the_evidence_browser_has_every_code_of_the_layer_with_the_lab_pickers_spans(study):
    articles, hand, codebook = study.articles, study.coding, study.codebook
    for layer in ("facts", "frames", "labels"):
        markup = explore.evidence_browser_html(hand, articles, codebook, layer)
        folds = summaries(markup)
        assert len(folds) == len(codebook.ids(layer))
        for fold, code in zip(folds, codebook.ids(layer), strict=True):
            rows = widgets.evidence_rows(hand, articles, layer, code, outlets_of(articles))
            assert f"({len(rows)} span" in fold, (layer, code, fold)
            assert fold.startswith(codebook.name_of(layer, code) + " (")  # named by its definition
            assert "_" not in code or code not in fold  # a snake_case id is the hover text, not the name
        spans = hand[hand["layer"] == layer]
        assert markup.count("<mark") >= len(spans)  # every coded span is highlighted somewhere


def test_the_disagreements_fold_per_layer_lists_each_disagreement(study):
    settled = consensus.adjudicated(study.units, study.root)
    markup = explore.disagreements_html(settled)
    folds = summaries(markup)
    layers = list(dict.fromkeys(settled["layer"]))
    assert [fold.split(" (")[0] for fold in folds] == layers
    for fold, layer in zip(folds, layers, strict=True):
        assert f"({(settled['layer'] == layer).sum()} disagreement" in fold
    assert explore.disagreements_html(settled.iloc[0:0]).startswith("<p><em>The two coders agree everywhere")


def test_hovering_a_span_shows_the_code_name_who_says_it_and_the_gloss(study):
    from helpers.corpus.glossary import gloss, load_glossary

    articles, hand, codebook = study.articles, study.coding, study.codebook
    glosses = load_glossary(study.root)
    markup = explore.evidence_browser_html(hand, articles, codebook, "labels")
    titles = set(re.findall(r'<mark[^>]*title="([^"]*)"', markup))
    labels = hand[hand["layer"] == "labels"]
    actors = dict(zip(codebook.codes["actors"]["id"], codebook.codes["actors"]["name"], strict=True))
    attributed = labels[labels["attributed_to"].isin(list(actors))].iloc[0]
    english = gloss(attributed["span"], glosses)
    assert english  # the glossary covers every coded label
    name, speaker = codebook.name_of("labels", attributed["code"]), actors[attributed["attributed_to"]]
    assert f"{name} (attributed to: {speaker}; English: {english})" in {html.unescape(t) for t in titles}
    assert not any(code in html.unescape(t) for t in titles for code in codebook.ids("labels") if "_" in code)
