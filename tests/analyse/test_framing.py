"""Labels, headlines, frames, side framing, cut-off agency and misspelling signals."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analyse import framing as fr
from helpers.annotate.annotations import ANNOTATION_COLUMNS


def one_article(text: str, title: str = "Titel") -> pd.DataFrame:
    return pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "clean_text": [text], "title": [title]})


def annotation(layer, code, text, span, attributed_to="", speaker=""):
    start = text.index(span)
    return dict(zip(ANNOTATION_COLUMNS, ["a", layer, code, start, start + len(span), span, speaker, attributed_to,
                                         "", "coder_a", False, ""], strict=True))


def test_labels_asserted_or_attributed(codebook):
    text = "Titel\n\nDie Twitter-Alternative Parler gilt als rechtes Netzwerk."
    hand = pd.DataFrame([annotation("labels", "twitter_alternative", text, "Twitter-Alternative"),
                         annotation("labels", "right_wing_network", text, "rechtes Netzwerk", "unattributed")])
    labels = fr.label_table(hand, one_article(text), codebook)
    assert list(labels["voice"]) == [fr.ASSERTED, "unattributed"]
    summary = fr.label_summary(labels, one_article(text)).set_index("category")
    assert summary.loc["platform_comparison", "asserted"] == 1
    assert summary.loc["political_ideological", "attributed"] == 1


def test_headline_block_includes_a_split_kicker():
    text = "Rechtes Netzwerk\n\nAmazon will Parler ausschließen\n\nText."
    assert fr.headline_end(text, "Amazon will Parler ausschließen") == text.index("\n\nText")
    assert fr.headline_end(text, "") == 0 and fr.headline_end(text, "Nicht da") == 0


def test_side_framing_counts_sentences_and_quote_words(codebook):
    text = "Titel\n\nEs geht um „freie Rede für alle“, sagt er. Gewalt ist das Thema."
    sentence = "Es geht um „freie Rede für alle“, sagt er."
    hand = pd.DataFrame([annotation("frames", "free_speech_censorship", text, sentence),
                         annotation("quotes", "direct_quote", text, "freie Rede für alle", speaker="john_matze")])
    table = fr.side_framing(hand, one_article(text), ["free_speech_censorship", "public_safety_violence"])
    row = table.set_index("frame")
    assert row.loc["free_speech_censorship", "sentences"] == 1 and row.loc["free_speech_censorship", "quote_words"] == 4
    assert row.loc["public_safety_violence", "sentences"] == 0
    assert row.loc["free_speech_censorship", "share"] == pytest.approx(1 / 3)


def test_cutoff_agency_reads_sentences(codebook):
    text = ("Titel\n\nAmazon hat Parler abgeschaltet. Parler habe Gewaltaufrufe nicht schnell genug gelöscht. "
            "Das Wetter war gut.")
    agency = fr.cutoff_agency(one_article(text), codebook, acting="Amazon/AWS", failing="Parler")
    assert list(agency["reading"]) == ["Amazon/AWS acts", "Parler failed"]
    assert all(text[r.start:r.end] == r.sentence for r in agency.itertuples())


def test_misspelling_candidates_need_a_close_known_word(codebook):
    articles = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "clean_text": [
        "Das Netzwerk ist groß. Ein anderes Netwerk auch.", "Parler und Gab.ai sind Netzwerke."]})
    found = fr.misspelling_candidates(articles, codebook)
    assert list(found["word"]) == ["Netwerk"] and found.loc[0, "close_to"] == "Netzwerk"


def test_real_corpus(hand, articles, codebook):
    labels = fr.label_table(hand, articles, codebook)
    assert labels["category"].notna().all()
    headlines = fr.headline_labels(labels, articles).set_index("article_id")
    no_title = articles.loc[articles["title"].fillna("") == "", "article_id"]
    for article_id in no_title:
        assert headlines.loc[article_id, "headline_labels"] == fr.HEADLINE_UNKNOWN
    counts = fr.frame_counts(hand, articles, codebook)
    assert list(counts.columns[:2]) == ["frame", "kind"] and counts.columns.name is None
    assert counts[list(articles["article_id"])].to_numpy().sum() == (hand["layer"] == "frames").sum()


def test_cutoff_agency_says_whose_words_from_the_coded_frames(codebook):
    text = "Titel\n\nAmazon hat Parler abgeschaltet. Parler gehe nicht schnell genug gegen Gewalt vor, so Amazon."
    article = one_article(text)
    frames = pd.DataFrame([annotation("frames", "content_moderation", text,
                                      "Parler gehe nicht schnell genug gegen Gewalt vor, so Amazon.", "amazon")
                           | {"voice": "reported"}])
    agency = fr.cutoff_agency(article, codebook, frames, acting="Amazon/AWS", failing="Parler").set_index("reading")
    assert agency.loc["Parler failed", "voice"] == "reported (amazon)"
    assert agency.loc["Amazon/AWS acts", "voice"] == "not coded"
    assert "voice" in fr.cutoff_agency(article, codebook, acting="Amazon/AWS", failing="Parler").columns
