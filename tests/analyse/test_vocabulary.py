"""Tests for helpers.analyse.vocabulary: tokens, lemmas, counts, Fightin' Words log-odds, similarity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.analyse.vocabulary import (
    KEYNESS_COLUMNS,
    LOG_ODDS_COLUMNS,
    MIN_COUNT,
    STOPWORDS,
    keyness,
    lemma_counts,
    lemmas,
    log_likelihood,
    log_odds,
    log_ratio,
    shared_lemmas,
    similarity,
    tokens,
    top_terms,
)


def tiny_articles(texts: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Build an articles frame from {article_id: (outlet, clean_text)}."""
    return pd.DataFrame(
        [(article_id, outlet, text) for article_id, (outlet, text) in texts.items()],
        columns=["article_id", "outlet", "clean_text"],
    )


def tiny_counts(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Build long counts (group, lemma, count) from {group: {lemma: count}}."""
    rows = [(group, lemma, n) for group, lemmas_ in counts.items() for lemma, n in lemmas_.items()]
    return pd.DataFrame(rows, columns=["group", "lemma", "count"])


def row(table: pd.DataFrame, group: str, lemma: str) -> pd.Series:
    """Return the one row of a log-odds table for (group, lemma)."""
    found = table[(table["group"] == group) & (table["lemma"] == lemma)]
    assert len(found) == 1, (group, lemma, found)
    return found.iloc[0]


# --- tokens and lemmas -------------------------------------------------------------------------------------

def test_tokens_keep_hyphenated_compounds_and_drop_punctuation():
    assert tokens("Die AWS-Cloud (E-Commerce-Riese) löscht 98 Posts, „sofort“.") == [
        "Die", "AWS-Cloud", "E-Commerce-Riese", "löscht", "98", "Posts", "sofort"]


def test_lemmas_are_lowercase_dictionary_forms_without_numbers():
    assert lemmas("Amazon schaltet 2021 die Server ab.") == ["amazon", "schalten", "der", "server", "ab"]
    assert lemmas("Alle Posts wurden gelöscht") == ["alle", "post", "werden", "löschen"]


def test_lemmas_drop_stopwords_when_asked():
    text = "Die Plattform ist nicht mehr erreichbar, und Amazon hat sie abgeschaltet."
    assert lemmas(text, drop_stopwords=True) == ["plattform", "erreichbar", "amazon", "abschalten"]
    assert {"der", "sein", "haben", "und", "nicht"} <= set(lemmas(text))


def test_stopwords_are_lowercase_lemmas():
    assert STOPWORDS and all(word == word.lower() and " " not in word for word in STOPWORDS)
    # A stopword must be what lemmas() produces, or it would never match.
    assert all(lemmas(word) == [word] for word in ("der", "ein", "sein", "haben", "werden", "und", "mit"))


def test_genitive_of_a_name_counts_as_the_name_when_the_text_has_it():
    assert lemmas("Parler und Parlers Chef") == ["parler", "und", "parler", "chef"]
    assert lemmas("Amazon kritisiert Amazons Kunden") == ["amazon", "kritisieren", "amazon", "kunde"]
    # Without the bare name in the same text nothing says "Parlers" is a genitive: it stays.
    assert lemmas("Parlers Chef") == ["parlers", "chef"]


def test_lemmatising_a_thousand_articles_takes_seconds(articles):
    texts = list(articles["clean_text"].astype(str))
    big = pd.DataFrame({
        "article_id": [f"a{i}" for i in range(1000)],
        "outlet": [f"o{i % 7}" for i in range(1000)],
        # ~5 KB each, every one a different mix of the corpus's paragraphs.
        "clean_text": ["\n".join(texts[(i + k) % len(texts)] for k in range(2))[: 5000] + f" Wort{i}"
                       for i in range(1000)],
    })
    lemmas("Aufwärmen lädt simplemma's Wörterbuch.")  # the dictionary loads once per process
    counts = lemma_counts(big, by="article_id")  # speed is measured in bench/, not asserted here
    assert counts["article_id"].nunique() == 1000


# --- lemma_counts ------------------------------------------------------------------------------------------

def test_lemma_counts_by_outlet_and_by_article():
    articles = tiny_articles({
        "a1": ("Outlet A", "Der Server läuft. Server!"),
        "a2": ("Outlet A", "Ein Server."),
        "b1": ("Outlet B", "Die Plattform und der Server."),
    })
    by_outlet = lemma_counts(articles)
    assert list(by_outlet.columns) == ["outlet", "lemma", "count"]
    assert by_outlet.set_index(["outlet", "lemma"])["count"].to_dict() == {
        ("Outlet A", "server"): 3, ("Outlet A", "laufen"): 1,
        ("Outlet B", "plattform"): 1, ("Outlet B", "server"): 1,
    }
    by_article = lemma_counts(articles, by="article_id")
    assert by_article.groupby("article_id")["count"].sum().to_dict() == {"a1": 3, "a2": 1, "b1": 2}
    with_stopwords = lemma_counts(articles, by="article_id", drop_stopwords=False)
    assert with_stopwords.groupby("article_id")["count"].sum().to_dict() == {"a1": 4, "a2": 2, "b1": 5}


def test_lemma_counts_names_a_missing_column():
    articles = tiny_articles({"a1": ("A", "Text")})
    with pytest.raises(ValueError, match="no column 'section'"):
        lemma_counts(articles, by="section")


def test_lemma_counts_of_the_corpus_cover_every_outlet(articles):
    counts = lemma_counts(articles)
    assert list(dict.fromkeys(counts["outlet"])) == list(dict.fromkeys(articles["outlet"]))
    assert (counts["count"] > 0).all()
    assert not set(counts["lemma"]) & STOPWORDS


# --- log_odds ----------------------------------------------------------------------------------------------

# Group A uses x 3 times and y once (n_A = 4); group B uses y twice and z 4 times (n_B = 6).
# Corpus: x 3, y 3, z 4, N = 10.
HAND = {"A": {"x": 3, "y": 1}, "B": {"y": 2, "z": 4}}


def test_log_odds_matches_hand_computation_with_default_prior():
    table = log_odds(tiny_counts(HAND), "group")
    # alpha0 = N = 10, so a_w = 10 * (corpus count / 10): a_x = 3, a_y = 3, a_z = 4.
    # x for A against the rest (B): y_i = 3, n_i = 4, y_j = 0, n_j = 6.
    delta_x = math.log((3 + 3) / (4 + 10 - 3 - 3)) - math.log((0 + 3) / (6 + 10 - 0 - 3))
    var_x = 1 / (3 + 3) + 1 / (0 + 3)
    x = row(table, "A", "x")
    assert x["count_group"] == 3 and x["count_rest"] == 0
    assert x["delta"] == pytest.approx(delta_x) == pytest.approx(1.1786549963)
    assert x["z"] == pytest.approx(delta_x / math.sqrt(var_x)) == pytest.approx(1.6668699)
    # y for A: y_i = 1, y_j = 2, a_y = 3.
    delta_y = math.log((1 + 3) / (4 + 10 - 1 - 3)) - math.log((2 + 3) / (6 + 10 - 2 - 3))
    assert row(table, "A", "y")["z"] == pytest.approx(delta_y / math.sqrt(1 / (1 + 3) + 1 / (2 + 3)))


def test_log_odds_matches_hand_computation_with_explicit_alpha0():
    table = log_odds(tiny_counts(HAND), "group", alpha0=5)
    # a_x = 5 * 3 / 10 = 1.5
    delta = math.log((3 + 1.5) / (4 + 5 - 3 - 1.5)) - math.log((0 + 1.5) / (6 + 5 - 0 - 1.5))
    assert row(table, "A", "x")["delta"] == pytest.approx(delta) == pytest.approx(1.8458266905)
    assert row(table, "A", "x")["z"] == pytest.approx(delta / math.sqrt(1 / 4.5 + 1 / 1.5))


def test_log_odds_uniform_prior_spreads_alpha0_over_the_vocabulary():
    table = log_odds(tiny_counts(HAND), "group", prior="uniform", alpha0=3)
    # a_w = 3 / 3 lemmas = 1 for every lemma.
    delta = math.log((3 + 1) / (4 + 3 - 3 - 1)) - math.log((0 + 1) / (6 + 3 - 0 - 1))
    assert row(table, "A", "x")["z"] == pytest.approx(delta / math.sqrt(1 / 4 + 1 / 1))


def test_log_odds_is_symmetric_between_two_groups():
    table = log_odds(tiny_counts(HAND), "group")
    assert row(table, "A", "x")["z"] > 0  # x is only in A
    assert row(table, "B", "z")["z"] > 0  # z is only in B
    for lemma in ("x", "y", "z"):
        assert row(table, "B", lemma)["z"] == pytest.approx(-row(table, "A", lemma)["z"])
        assert row(table, "B", lemma)["delta"] == pytest.approx(-row(table, "A", lemma)["delta"])


def test_log_odds_compares_each_group_with_all_the_rest():
    counts = tiny_counts({"A": {"only_a": 5, "common": 5}, "B": {"common": 5, "b": 2}, "C": {"common": 5, "c": 2}})
    table = log_odds(counts, "group")
    assert len(table) == 3 * 4  # every group × every lemma
    assert row(table, "A", "only_a")["z"] > 0
    assert row(table, "B", "only_a")["z"] < 0 and row(table, "C", "only_a")["z"] < 0
    assert row(table, "B", "only_a")["count_rest"] == 5
    assert row(table, "A", "common")["count_rest"] == 10


def test_log_odds_flags_counts_too_small_to_mean_anything():
    table = log_odds(tiny_counts(HAND), "group")
    assert list(table.columns) == LOG_ODDS_COLUMNS
    assert MIN_COUNT == 3
    assert not row(table, "A", "x")["low_count"] and row(table, "A", "x")["warning"] == ""
    y = row(table, "A", "y")
    assert y["low_count"] and "only 1 use in A" in y["warning"]
    z = row(table, "A", "z")
    assert z["low_count"] and "not used in A" in z["warning"]


def test_log_odds_sorts_groups_in_order_then_by_z():
    table = log_odds(tiny_counts(HAND), "group")
    assert list(dict.fromkeys(table["group"])) == ["A", "B"]
    for _, group in table.groupby("group"):
        assert list(group["z"]) == sorted(group["z"], reverse=True)


def test_log_odds_refuses_what_it_cannot_compare():
    with pytest.raises(ValueError, match="at least two"):
        log_odds(tiny_counts({"A": {"x": 1}}), "group")
    with pytest.raises(ValueError, match="prior must be one of"):
        log_odds(tiny_counts(HAND), "group", prior="flat")
    with pytest.raises(ValueError, match="no column 'outlet'"):
        log_odds(tiny_counts(HAND), "outlet")


# --- keyness: log-likelihood G² and log ratio ---------------------------------------------------------------

def test_g2_matches_hand_computation_of_the_full_two_by_two_table():
    table = keyness(tiny_counts(HAND), "group")
    # x for A: 3 of A's 4 lemmas, 0 of B's 6. Cells (x, other) × (A, B): O = 3, 0, 1, 6; margins x 3, other 7,
    # A 4, B 6, N 10; E = 1.2, 1.8, 2.8, 4.2. G² = 2 (3 ln(3/1.2) + 0 + 1 ln(1/2.8) + 6 ln(6/4.2)).
    by_hand = 2 * (3 * math.log(3 / 1.2) + 1 * math.log(1 / 2.8) + 6 * math.log(6 / 4.2))
    assert row(table, "A", "x")["g2"] == pytest.approx(by_hand) == pytest.approx(7.7186053)
    # y for A: O = 1, 2, 3, 4 against E = 1.2, 1.8, 2.8, 4.2; A uses y less (1/4 < 2/6), so G² is negative.
    by_hand = 2 * (math.log(1 / 1.2) + 2 * math.log(2 / 1.8) + 3 * math.log(3 / 2.8) + 4 * math.log(4 / 4.2))
    assert row(table, "A", "y")["g2"] == pytest.approx(-by_hand) == pytest.approx(-0.0804352, abs=1e-6)
    # Two groups: B against A is A against B with the sign turned.
    assert row(table, "B", "x")["g2"] == pytest.approx(-7.7186053)


def test_log_ratio_matches_hand_computation_with_zero_counts_as_a_half():
    table = keyness(tiny_counts(HAND), "group")
    # x: A 3/4, B never (0 -> 0.5): log2((3/4) / (0.5/6)) = log2(9).
    assert row(table, "A", "x")["log_ratio"] == pytest.approx(math.log2(9)) == pytest.approx(3.169925)
    # y: A 1/4, B 2/6: log2(0.75), A uses it three quarters as often.
    assert row(table, "A", "y")["log_ratio"] == pytest.approx(math.log2(0.75)) == pytest.approx(-0.4150375)
    assert row(table, "B", "y")["log_ratio"] == pytest.approx(-math.log2(0.75))
    # z: A never (0 -> 0.5), B 4/6: log2((0.5/4) / (4/6)).
    assert row(table, "A", "z")["log_ratio"] == pytest.approx(math.log2((0.5 / 4) / (4 / 6)))


def test_keyness_keeps_the_log_odds_rows_and_adds_two_columns():
    table = keyness(tiny_counts(HAND), "group")
    assert list(table.columns) == KEYNESS_COLUMNS
    odds = log_odds(tiny_counts(HAND), "group")
    pd.testing.assert_frame_equal(table[LOG_ODDS_COLUMNS], odds)


def test_g2_and_log_ratio_of_three_groups_compare_each_with_all_the_rest():
    counts = tiny_counts({"A": {"x": 2, "y": 2}, "B": {"x": 1, "y": 3}, "C": {"y": 4}})
    table = keyness(counts, "group")
    # x for A against B + C: a = 2 of 4, b = 1 of 8.
    assert row(table, "A", "x")["log_ratio"] == pytest.approx(math.log2((2 / 4) / (1 / 8)))
    assert row(table, "A", "x")["g2"] == pytest.approx(log_likelihood(2, 1, 4, 8))


@pytest.mark.parametrize("a, b, n_a, n_b", [(5, 5, 10, 10), (0, 0, 10, 20), (3, 6, 10, 20)])
def test_equal_rates_score_zero(a: int, b: int, n_a: int, n_b: int):
    assert log_likelihood(a, b, n_a, n_b) == pytest.approx(0.0)
    if a and b:
        assert log_ratio(a, b, n_a, n_b) == pytest.approx(0.0)


def test_g2_grows_with_the_evidence_while_log_ratio_stays():
    small, large = log_likelihood(4, 1, 100, 100), log_likelihood(40, 10, 1000, 1000)
    assert 0 < small < large
    assert log_ratio(4, 1, 100, 100) == pytest.approx(log_ratio(40, 10, 1000, 1000)) == pytest.approx(2.0)


# --- top_terms ---------------------------------------------------------------------------------------------

def test_top_terms_keeps_the_n_highest_z_per_group_with_counts():
    table = log_odds(tiny_counts(HAND), "group")
    top = top_terms(table, n=1)
    assert list(top["group"]) == ["A", "B"]
    assert list(top["lemma"]) == ["x", "z"]
    assert list(top["rank"]) == [1, 1]
    assert {"count_group", "count_rest", "z", "low_count", "warning"} <= set(top.columns)
    assert len(top_terms(table, n=10)) == len(table)  # fewer lemmas than n: all of them


def test_top_terms_of_the_corpus_rank_within_each_outlet(articles):
    top = top_terms(log_odds(lemma_counts(articles), "outlet"), n=5)
    outlets = list(dict.fromkeys(articles["outlet"]))
    assert list(dict.fromkeys(top["group"])) == outlets
    assert top.groupby("group").size().to_dict() == dict.fromkeys(outlets, 5)
    for _, group in top.groupby("group"):
        assert list(group["rank"]) == [1, 2, 3, 4, 5]
        assert list(group["z"]) == sorted(group["z"], reverse=True)
        assert (group["z"] > 0).all() and (group["count_group"] > 0).all()


# --- similarity --------------------------------------------------------------------------------------------

def test_similarity_of_identical_disjoint_and_partly_shared_texts():
    articles = tiny_articles({
        "same1": ("A", "Amazon schaltet den Server ab."),
        "same2": ("B", "Amazon schaltet den Server ab."),
        "other": ("C", "Plattform Netzwerk Moderation."),
        "half": ("D", "Amazon Plattform."),
    })
    sim = similarity(articles)
    assert list(sim.index) == list(sim.columns) == ["same1", "same2", "other", "half"]
    assert sim.loc["same1", "same2"] == pytest.approx(1.0)
    assert sim.loc["same1", "other"] == 0.0
    # half = (amazon, plattform); same1 = (amazon, schalten, server, ab): cosine = 1 / (√2 · √4).
    assert sim.loc["half", "same1"] == pytest.approx(1 / (math.sqrt(2) * 2))
    assert np.allclose(sim.to_numpy(), sim.to_numpy().T)
    assert (np.diag(sim.to_numpy()) == 1.0).all()


def test_similarity_ignores_stopwords_and_marks_empty_articles():
    articles = tiny_articles({"a": ("A", "Der und die mit Server"), "b": ("B", "der und die mit Plattform"),
                              "empty": ("C", "und der")})
    sim = similarity(articles)
    assert sim.loc["a", "b"] == 0.0
    assert sim["empty"].isna().all()


def test_similarity_of_the_corpus(articles):
    sim = similarity(articles)
    ids = list(articles["article_id"])
    assert list(sim.index) == list(sim.columns) == ids
    values = sim.to_numpy()
    assert np.allclose(values, values.T)
    assert (np.diag(values) == 1.0).all()
    off_diagonal = values[~np.eye(len(ids), dtype=bool)]
    assert ((off_diagonal > 0) & (off_diagonal < 1)).all()


def test_shared_lemmas_lists_what_two_texts_have_in_common():
    shared = shared_lemmas("Amazon schaltet Server ab. Server, Server.", "Die Server von Amazon, Amazon.")
    assert list(shared.columns) == ["lemma", "count_a", "count_b"]
    assert shared.to_dict("records") == [
        {"lemma": "server", "count_a": 3, "count_b": 1},  # both used at least once; more uses in all first
        {"lemma": "amazon", "count_a": 1, "count_b": 2},
    ]
    assert shared_lemmas("Server", "Plattform").empty
