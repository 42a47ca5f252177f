"""Detectors against hand coding (matching, scores, disagreements) and Krippendorff's alpha."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from helpers.annotate.annotations import ANNOTATION_COLUMNS, Codebook
from helpers.annotate.measure import (
    DETECTOR_ONLY,
    MISSED,
    disagreements,
    krippendorff_alpha_nominal,
    match,
    scores,
)

NA = None


def annotations(rows: list[dict], coder: str) -> pd.DataFrame:
    """Build an annotation table from short dicts (article_id, layer, code, start, end, ...)."""
    full = [{"span": f"<{r['start']}-{r['end']}>", "speaker": "", "attributed_to": "", "note": "",
             "is_variant": False, "coder": coder, **r} for r in rows]
    return pd.DataFrame(full, columns=ANNOTATION_COLUMNS)


def hand(*rows: dict) -> pd.DataFrame:
    return annotations(list(rows), "coder_a")


def detected(*rows: dict) -> pd.DataFrame:
    return annotations(list(rows), "detector")


def span(article_id: str, layer: str, code: str, start: int, end: int, **extra) -> dict:
    return {"article_id": article_id, "layer": layer, "code": code, "start": start, "end": end, **extra}


def outcomes(pairs: pd.DataFrame) -> list[tuple]:
    """Return (outcome, hand start, detected start) per pair, None where a side is missing, sorted."""
    def value(v):
        return None if pd.isna(v) else int(v)
    rows = zip(pairs["outcome"], pairs["hand_start"], pairs["detected_start"], strict=True)
    return sorted(((outcome, value(h), value(d)) for outcome, h, d in rows), key=repr)


def test_overlap_on_same_code_is_a_true_positive():
    pairs = match(hand(span("a", "actors", "parler", 0, 6)), detected(span("a", "actors", "parler", 2, 9)), "actors")
    assert list(pairs["outcome"]) == ["tp"]
    assert pairs.loc[0, "overlap"] == 4
    assert (pairs.loc[0, "hand_span"], pairs.loc[0, "detected_span"]) == ("<0-6>", "<2-9>")


def test_touching_spans_different_code_or_article_do_not_match():
    pairs = match(
        hand(span("a", "actors", "parler", 0, 6), span("a", "actors", "amazon", 10, 16),
             span("a", "actors", "aws", 20, 23)),
        detected(span("a", "actors", "parler", 6, 9), span("a", "actors", "apple", 10, 16),
                 span("b", "actors", "aws", 20, 23)),
        "actors",
    )
    assert sorted(pairs["outcome"]) == ["fn", "fn", "fn", "fp", "fp", "fp"]


def test_matching_is_one_to_one_and_greedy_by_largest_overlap():
    # d1 overlaps h1 by 5 and h2 by 4; d2 overlaps h1 by 1 and h2 by 2; d3 only h2, by less.
    pairs = match(
        hand(span("a", "actors", "x", 0, 10), span("a", "actors", "x", 8, 20)),
        detected(span("a", "actors", "x", 5, 12), span("a", "actors", "x", 9, 11), span("a", "actors", "x", 10, 11)),
        "actors",
    )
    assert outcomes(pairs) == sorted([("tp", 0, 5), ("tp", 8, 9), ("fp", None, 10)], key=repr)


def test_quote_attribution_accuracy_counts_matched_quotes_with_the_same_speaker():
    h = hand(span("a", "quotes", "direct_quote", 0, 10, speaker="john_matze"),
             span("a", "quotes", "direct_quote", 20, 30, speaker="amazon"),
             span("a", "quotes", "direct_quote", 40, 50, speaker="amazon"))
    d = detected(span("a", "quotes", "direct_quote", 0, 10, speaker="john_matze"),
                 span("a", "quotes", "direct_quote", 21, 30, speaker="unattributed"))
    table = scores(h, d).set_index("layer").loc["quotes"]
    assert (table["tp"], table["fp"], table["fn"]) == (2, 0, 1)
    assert table["attribution_field"] == "speaker"
    assert (table["attribution_checked"], table["attribution_agreed"]) == (2, 1)
    assert table["attribution_accuracy"] == 0.5


def test_label_attribution_compares_attributed_to_with_empty_meaning_the_outlet():
    h = hand(span("a", "labels", "right_wing_network", 0, 10, attributed_to=""),
             span("a", "labels", "right_wing_network", 20, 30, attributed_to="unattributed"))
    d = detected(span("a", "labels", "right_wing_network", 0, 10, attributed_to=""),
                 span("a", "labels", "right_wing_network", 20, 30, attributed_to=""))
    pairs = match(h, d, "labels")
    assert list(pairs["attribution_agrees"]) == [True, False]
    labels = scores(h, d).set_index("layer").loc["labels"]
    assert labels["attribution_accuracy"] == 0.5


def test_facts_are_scored_at_article_and_span_level_separately():
    h = hand(span("a", "facts", "apps_removed", 0, 10), span("a", "facts", "apps_removed", 50, 60),
             span("b", "facts", "users_10m", 0, 10))
    d = detected(span("a", "facts", "apps_removed", 30, 40), span("b", "facts", "capitol_attack", 0, 10))
    table = scores(h, d).set_index(["layer", "level"])
    article = table.loc[("facts", "article")]
    assert (article["tp"], article["fp"], article["fn"]) == (1, 1, 1)
    spans = table.loc[("facts", "span")]
    assert (spans["tp"], spans["fp"], spans["fn"]) == (0, 2, 3)
    assert spans["precision"] == 0 and spans["f1"] == 0


def test_scores_list_every_layer_and_level():
    table = scores(hand(), detected())
    assert list(zip(table["layer"], table["level"], strict=True)) == [
        ("actors", "span"), ("facts", "span"), ("facts", "article"), ("labels", "span"),
        ("frames", "span"), ("frames", "article"), ("quotes", "span")]


def test_precision_is_nan_when_nothing_is_detected():
    table = scores(hand(span("a", "actors", "parler", 0, 6)), detected()).set_index("layer")
    actors = table.loc["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"]) == (0, 0, 1)
    assert math.isnan(actors["precision"])
    assert actors["recall"] == 0 and actors["f1"] == 0
    labels = table.loc["labels"]  # nothing on either side: nothing to say
    assert math.isnan(labels["precision"]) and math.isnan(labels["recall"]) and math.isnan(labels["f1"])


def test_recall_is_nan_when_hand_coding_is_empty():
    coded = hand(span("a", "facts", "users_10m", 20, 30))  # article a is coded, but has no actors
    actors = scores(coded, detected(span("a", "actors", "parler", 0, 6))).set_index("layer").loc["actors"]
    assert actors["precision"] == 0 and math.isnan(actors["recall"]) and actors["f1"] == 0


def test_detections_in_uncoded_articles_are_not_scored():
    coded = hand(span("a", "actors", "parler", 0, 6))
    found = detected(span("a", "actors", "parler", 0, 6), span("new", "actors", "parler", 0, 6))
    actors = scores(coded, found).set_index("layer").loc["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"]) == (1, 0, 0)


def test_precision_recall_f1_values():
    h = hand(*(span("a", "actors", "x", 10 * i, 10 * i + 5) for i in range(4)))
    d = detected(*(span("a", "actors", "x", 10 * i, 10 * i + 5) for i in (0, 1, 2, 7, 8, 9)))
    actors = scores(h, d).set_index("layer").loc["actors"]
    assert (actors["tp"], actors["fp"], actors["fn"]) == (3, 3, 1)
    assert actors["precision"] == pytest.approx(0.5)
    assert actors["recall"] == pytest.approx(0.75)
    assert actors["f1"] == pytest.approx(2 * 0.5 * 0.75 / 1.25)


def test_scores_by_article():
    h = hand(span("a", "actors", "x", 0, 5), span("b", "actors", "x", 0, 5))
    d = detected(span("a", "actors", "x", 0, 5))
    table = scores(h, d, by="article").set_index(["article_id", "layer", "level"])
    assert table.loc[("a", "actors", "span"), "recall"] == 1
    assert table.loc[("b", "actors", "span"), "recall"] == 0
    assert math.isnan(table.loc[("b", "actors", "span"), "precision"])
    with pytest.raises(ValueError, match="by must be"):
        scores(h, d, by="outlet")


def test_disagreements_list_misses_and_extras_with_their_spans():
    h = hand(span("a", "actors", "parler", 0, 6, span="Parler"), span("a", "facts", "users_10m", 10, 30, span="zehn"))
    d = detected(span("a", "actors", "parler", 0, 6, span="Parler"),
                 span("a", "actors", "amazon", 40, 46, span="Amazon"))
    table = disagreements(h, d)
    # Sorted by article, then layer in LAYERS order, then position.
    assert list(table["layer"]) == ["actors", "facts"]
    assert list(table["kind"]) == [DETECTOR_ONLY, MISSED]
    assert list(table["span"]) == ["Amazon", "zehn"]
    assert list(table["start"]) == [40, 10]
    assert list(table["code"]) == ["amazon", "users_10m"]


def test_several_hand_coders_must_be_split_first():
    both = pd.concat([hand(span("a", "actors", "x", 0, 5)), annotations([span("a", "actors", "x", 0, 5)], "coder_b")])
    with pytest.raises(ValueError, match="several coders"):
        match(both, detected(), "actors")


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units,
# nominal data with missing values; alpha_nominal = 0.743.
PAPER_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]


def test_alpha_reproduces_the_published_example():
    assert round(krippendorff_alpha_nominal(PAPER_EXAMPLE), 3) == 0.743


def test_alpha_accepts_a_dataframe_with_nan():
    table = pd.DataFrame(PAPER_EXAMPLE, dtype="float64")
    assert table.isna().sum().sum() == 7
    assert krippendorff_alpha_nominal(table) == pytest.approx(krippendorff_alpha_nominal(PAPER_EXAMPLE))


def test_alpha_reproduces_the_wikipedia_example():
    # en.wikipedia.org/wiki/Krippendorff's_alpha, "A computational example": 3 coders, 15 units, nominal 0.691.
    rows = ["* * * * * 3 4 1 2 1 1 3 3 * 3", "1 * 2 1 3 3 4 3 * * * * * * *", "* * 2 1 3 4 4 * 2 1 1 3 3 * 4"]
    data = [[None if v == "*" else int(v) for v in row.split()] for row in rows]
    assert round(krippendorff_alpha_nominal(data), 3) == 0.691


def test_alpha_is_one_for_perfect_agreement():
    assert krippendorff_alpha_nominal([["x", "y", "z", None], ["x", "y", "z", "z"]]) == 1.0


def test_alpha_is_below_zero_for_systematic_disagreement():
    assert krippendorff_alpha_nominal([[1, 0, 1, 0], [0, 1, 0, 1]]) < 0


def test_alpha_is_undefined_for_a_single_value():
    with pytest.raises(ValueError, match="undefined: every pairable value is 1"):
        krippendorff_alpha_nominal([[1, 1, 1], [1, 1, None]])


def test_alpha_is_undefined_without_pairable_units():
    with pytest.raises(ValueError, match="no unit has values from two"):
        krippendorff_alpha_nominal([[1, None], [None, 2]])


def tiny_codebook() -> Codebook:
    ids = {"actors": ["parler", "amazon"], "facts": ["f1", "f2"], "labels": ["net"], "frames": ["conflict"],
           "quotes": ["direct_quote"]}
    return Codebook({layer: pd.DataFrame({"id": codes}) for layer, codes in ids.items()}, [], {}, {}, Path("x"))


def test_article_level_disagreements_show_the_first_span_as_evidence():
    h = hand(span("a", "facts", "users_10m", 50, 60, span="later"),
             span("a", "facts", "users_10m", 10, 20, span="first"))
    d = detected(span("b", "frames", "conflict", 0, 9, span="Streit"))
    table = disagreements(h, d, level="article")
    assert list(zip(table["article_id"], table["code"], table["kind"], table["span"], strict=True)) == [
        ("a", "users_10m", MISSED, "first"), ("b", "conflict", DETECTOR_ONLY, "Streit")]
    with pytest.raises(ValueError, match="level must be"):
        disagreements(h, d, level="sentence")


def test_attribution_is_judged_on_true_positives_only():
    pairs = match(hand(span("a", "quotes", "direct_quote", 0, 10, speaker="amazon")),
                  detected(span("a", "quotes", "direct_quote", 30, 40, speaker="amazon")), "quotes")
    assert sorted(pairs["outcome"]) == ["fn", "fp"]
    assert pairs["attribution_agrees"].isna().all()
    quotes = scores(hand(span("a", "quotes", "direct_quote", 0, 10, speaker="amazon")),
                    detected()).set_index("layer").loc["quotes"]
    assert quotes["attribution_checked"] == 0 and math.isnan(quotes["attribution_accuracy"])


def test_unknown_layer_is_refused():
    with pytest.raises(ValueError, match="unknown layer 'actor'"):
        match(hand(), detected(), "actor")
