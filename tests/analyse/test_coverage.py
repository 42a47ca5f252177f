"""Coverage, reach, similarity of fact sets, mentions, variants and voices, on synthetic and real coding."""

from __future__ import annotations

import pandas as pd

from helpers.analyse import coverage as cv
from helpers.annotate.annotations import ANNOTATION_COLUMNS


def rows(*items):
    """Build an annotation table from (article_id, layer, code, span, speaker) tuples."""
    records = [dict(zip(ANNOTATION_COLUMNS, [a, layer, code, 0, len(span), span, speaker, "", "", "coder_a", False, ""],
                        strict=True)) for a, layer, code, span, speaker in items]
    return pd.DataFrame(records, columns=ANNOTATION_COLUMNS)


def tiny_articles():
    return pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "Y", "Y"]})


def test_coverage_marks_present_absent_and_not_coded(codebook):
    hand = rows(("a", "facts", "apps_removed", "Apple entfernt die App", ""),
                ("a", "facts", "apps_removed", "Google auch", ""),
                ("b", "actors", "parler", "Parler", ""))
    matrix = cv.coverage_matrix(hand, tiny_articles(), codebook)
    cell = matrix.set_index(["article_id", "fact_id"])
    assert cell.loc[("a", "apps_removed"), "present"] == 1
    assert cell.loc[("a", "apps_removed"), "statements"] == 2
    assert cell.loc[("a", "apps_removed"), "evidence_span"] == "Apple entfernt die App"
    assert cell.loc[("b", "apps_removed"), "present"] == 0  # coded (an actors row), fact absent
    assert pd.isna(cell.loc[("c", "apps_removed"), "present"])  # never coded: not "absent"
    assert len(matrix) == 3 * len(codebook.ids("facts"))


def test_fact_reach_counts_outlets_not_articles(codebook):
    hand = rows(("a", "facts", "users_10m", "zehn Millionen", ""), ("b", "facts", "users_10m", "zehn Mio", ""),
                ("c", "facts", "users_10m", "zehn Millionen", ""), ("b", "facts", "founded_2018", "2018", ""),
                ("c", "facts", "founded_2018", "2018", ""))
    reach = cv.fact_reach(cv.coverage_matrix(hand, tiny_articles(), codebook)).set_index("fact_id")
    assert reach.loc["users_10m", "every_outlet"] and reach.loc["users_10m", "articles"] == 3
    assert reach.loc["founded_2018", "one_outlet_only"] and reach.loc["founded_2018", "outlets"] == 1
    assert reach.loc["founded_2018", "articles"] == 2
    assert reach.loc["aws_98_posts", "articles"] == 0 and not reach.loc["aws_98_posts", "one_outlet_only"]


def test_fact_reach_lists_outlets_in_corpus_order(codebook):
    articles = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "Y", "X"]})
    hand = rows(("a", "actors", "parler", "Parler", ""), ("b", "facts", "users_10m", "zehn Millionen", ""),
                ("c", "facts", "users_10m", "zehn Millionen", ""))
    reach = cv.fact_reach(cv.coverage_matrix(hand, articles, codebook)).set_index("fact_id")
    assert reach.loc["users_10m", "outlet_list"] == "X, Y"  # X comes first in the corpus, though b reports first


def test_shared_facts_is_symmetric_with_jaccard(codebook):
    hand = rows(("a", "facts", "users_10m", "x", ""), ("a", "facts", "founded_2018", "x", ""),
                ("b", "facts", "users_10m", "x", ""))
    shared = cv.shared_facts(cv.coverage_matrix(hand, tiny_articles().iloc[:2], codebook))
    pair = shared.set_index(["article_a", "article_b"])
    assert pair.loc[("a", "b"), "shared"] == 1 and pair.loc[("a", "b"), "jaccard"] == 0.5
    assert pair.loc[("b", "a"), "jaccard"] == 0.5 and pair.loc[("a", "a"), "jaccard"] == 1.0


def test_speaker_side_from_codebook_data(codebook):
    assert cv.speaker_side("unattributed", "X", codebook) == "unattributed"
    assert cv.speaker_side("", "X", codebook) == "unattributed"
    assert cv.speaker_side("no_such_actor", "X", codebook) == cv.THIRD_PARTY
    reporter = codebook.codes["actors"].set_index("id")
    if "affiliation" in reporter.columns:
        for actor_id, affiliation in reporter["affiliation"].dropna().items():
            outlet = reporter.loc[affiliation, "name"]
            assert cv.speaker_side(actor_id, outlet, codebook) == cv.OWN_REPORTER


def test_voices_count_quote_words(codebook):
    hand = rows(("a", "quotes", "direct_quote", "Wir werden versuchen zu wechseln", "john_matze"),
                ("a", "quotes", "direct_quote", "Besuch abstatten", "unattributed"))
    quotes = cv.voices(hand, tiny_articles(), codebook)
    assert list(quotes["words"]) == [5, 2]
    table = cv.quote_words_by_side(quotes, tiny_articles()).set_index("article_id")
    assert table.loc["a"].sum() == 7 and table.loc["c"].sum() == 0


def test_real_corpus_findings_are_consistent(hand, articles, codebook):
    matrix = cv.coverage_matrix(hand, articles, codebook)
    assert matrix["present"].notna().all()  # every article is hand-coded
    evidence = matrix[matrix["present"] == 1]
    texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
    for row in evidence.itertuples():
        assert texts[row.article_id][int(row.start):int(row.end)] == row.evidence_span
    mentions = cv.actor_mentions(hand, articles, codebook)
    assert mentions["total"].sum() == (hand["layer"] == "actors").sum()
    # A flat table: no axis name left over from the pivot (it would head the row numbers when displayed).
    assert list(mentions.columns[:2]) == ["actor_id", "actor"] and mentions.columns.name is None
    variants = cv.name_variants(hand, articles, codebook)
    assert set(variants["actor_id"]) <= set(codebook.ids("actors"))
    assert not variants.empty


def test_account_spans_show_every_span_the_accounts_count(study):
    """The table a reader sees (account_spans) and the answers the claim counts (accounts) come from one function:
    a reason given only as a frame in the acting side's reported words is shown, not only counted."""
    from helpers.analyse.coverage import account_spans, accounts

    args = (study.coding, study.articles, study.codebook, study.settings.evidence, study.settings.acting_side)
    spans, answers = account_spans(*args), accounts(*args)
    assert list(spans["article_id"]) == list(answers["article_id"])
    for column in ("claim", "earlier_evidence", "stated_reasons"):
        assert list(spans[column] != "") == list(answers[column]), column
    reasons = study.coding[(study.coding["layer"] == "facts")
                           & study.coding["code"].isin(list(study.settings.evidence.reasons))]
    with_facts = set(reasons["article_id"])
    by_frame_only = [a for a in answers.loc[answers["stated_reasons"], "article_id"] if a not in with_facts]
    assert by_frame_only, "no article gives reasons only as a frame: the test proves nothing"
    for article_id in by_frame_only:
        shown = spans.set_index("article_id").loc[article_id, "stated_reasons"]
        frames = study.coding[(study.coding["article_id"] == article_id) & (study.coding["layer"] == "frames")]
        assert any(span in shown for span in frames["span"]), article_id
