"""Cleaning keeps every sentence of each article, drops boilerplate, and maps back to raw offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.corpus import removals
from helpers.errors import CorpusError
from helpers.text.clean import PARAGRAPH_SEPARATOR, Rule, clean_text, load_rules

# First and last body sentence of each article, and sentences next to boilerplate, found by reading.
BODY = {
    "kein-hoster": [
        "Twitter-Alternative unter Druck: Kein Hoster will mit Parler zusammenarbeiten",
        "Amazon hat die umstrittene Twitter-Alternative Parler abgeschaltet.",
        "Das ist Parler",
        "Parler profitierte von diesem Wechselwillen in besonderem Maße.",
        "dass sich Verschwörungserzählungen und Desinformation auf Parler stark verbreiten.",
    ],
    "server-ab": [
        "Amazon schaltet Parler die Server ab",
        "Ist das Legal?",
        "Mal sehen ob diese Kanäle alle Parler Nutzer abwerben können.",
    ],
    "clouddienst": [
        "Rechtes Netzwerk",
        "Amazon will Parler von Clouddienst ausschließen",
        "aber nicht weniger gefährlich, so Martina Schulte.",
    ],
    "ausschliessen": [
        "Amazon hat angekündigt, die vor allem in rechten Kreisen",
        "mittlerweile ist Trumps Twitterkonto dauerhaft gesperrt.",
    ],
    "mails-november": [
        "Parler: Mails zeigen, dass Amazon die Moderation schon vor Monaten kritisiert hat",
        "Parler: Das steckt hinter dem rechten Netzwerk",
        "an dem Sturm des Kapitols beteiligt hatten.",
    ],
}
BOILERPLATE = ["Anzeige", "Artikel merken", "Lesezeit", "Shutterstock", "Fast fertig!", "Newsletter",
               "Community-Richtlinien", "Adblocker", "t3n-Team", "Mastodon", "Ebenfalls interessant",
               "Mehr zu diesem Thema", "Kommentar verfassen", "E-Mail-Adresse wird nicht", "(tiw)", "date 2021-01",
               "Hier anmelden"]


@pytest.mark.parametrize("article_id", sorted(BODY))
def test_body_is_kept(articles, article_id):
    clean = articles.set_index("article_id").loc[article_id, "clean_text"]
    for sentence in BODY[article_id]:
        assert sentence in clean


def test_boilerplate_is_gone(articles):
    for clean in articles["clean_text"]:
        for marker in BOILERPLATE:
            assert marker not in clean


def test_no_line_is_lost_silently(articles):
    """Every non-blank raw line is kept in the clean text or listed in the audit with its rule."""
    audit = removals(articles)
    for _, row in articles.iterrows():
        removed = audit[audit["article_id"] == row.article_id]
        removed_whole = set(removed.loc[removed["action"] == "removed", "text"])
        for line in row.raw_text.splitlines():
            line = re.sub(r"^\s*date \d{4}-\d{2}\s+", "", line).strip()
            if line:
                assert line in row.clean_text or line in removed_whole or any(
                    part in row.clean_text for part in removed.loc[removed["action"] == "split", "text"]
                ), line


def test_audit_spans_point_at_the_removed_raw_text(articles):
    audit = removals(articles)
    raw_by_id = dict(zip(articles["article_id"], articles["raw_text"], strict=True))
    for _, r in audit.iterrows():
        raw = raw_by_id[r.article_id]
        assert raw[r.raw_start:r.raw_end] == r.text
        assert raw[: r.raw_start].count("\n") + 1 == r.line


def test_clean_text_maps_back_to_raw(articles):
    for raw, cleaned in zip(articles["raw_text"], articles["cleaned"], strict=True):
        for clean_start, raw_start, length in cleaned.pieces:
            assert cleaned.text[clean_start:clean_start + length] == raw[raw_start:raw_start + length]
        # every word of the clean text sits at its raw offset
        for match in re.finditer(r"\w+", cleaned.text):
            start, end = cleaned.raw_span(match.start(), match.end())
            assert raw[start:end] == match.group()


def test_duplicate_headline_and_kicker(articles):
    audit = removals(articles)
    dup = audit[audit["rule"] == "duplicate_line"]
    assert list(dup["article_id"]) == ["server-ab"]
    kicker = audit[audit["rule"] == "kicker_split"]
    assert list(kicker["text"]) == ["Rechtes Netzwerk"]
    assert list(kicker["action"]) == ["split"]


def test_clean_text_of_small_input():
    rules = [Rule("ad", "ad", re.compile("Anzeige"))]
    raw = "Titel\r\nAnzeige\r\n\r\n  Satz eins.  \r\nTitel\r\n"
    cleaned = clean_text(raw, "Titel", rules)
    assert cleaned.text == "Titel" + PARAGRAPH_SEPARATOR + "Satz eins."
    assert [(r.line, r.rule) for r in cleaned.removals] == [(2, "ad"), (5, "duplicate_line")]
    assert cleaned.to_raw(len("Titel") + 1) == len("Titel")  # a separator maps to the end of its piece
    assert clean_text("", "", rules).text == ""


def test_bad_rules_file_is_named(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: broken\n    pattern: '(unclosed'\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="rule broken"):
        load_rules(path)
    path.write_text("rules:\n  - description: no id or pattern\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="needs an 'id' and a 'pattern'"):
        load_rules(path)
