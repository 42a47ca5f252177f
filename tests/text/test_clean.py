"""Cleaning keeps every sentence of each article, drops boilerplate, and maps back to raw offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.corpus import corpus_dir, removals
from helpers.errors import CorpusError
from helpers.text.clean import PARAGRAPH_SEPARATOR, Rule, _first_rule, _line_rules, clean_text, load_rules
from helpers.text.patterns import PatternTimeout, UserPattern, time_limit

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
    rules = [Rule("ad", "ad", UserPattern("Anzeige", "test rule ad"))]
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


# Rules are researchers' patterns: run under a time limit, matching exactly as Python's `re` did

BACKTRACKING = Path(__file__).parent.parent / "fixtures" / "backtracking"


def test_a_runaway_rule_is_stopped_naming_the_rules_file_the_rule_and_the_raw_line():
    rules_file = BACKTRACKING / "cleaning_rules.yaml"
    raw = (BACKTRACKING / "raw" / "a.txt").read_text(encoding="utf-8")
    with pytest.raises(PatternTimeout) as info, time_limit(0.2, doing="cleaning a test"):
        clean_text(raw, "", load_rules(rules_file), where="raw/a.txt")
    assert str(info.value).startswith(f"{rules_file}: rule runaway: the pattern '(a|aa)+$' was stopped after 0.2 s "
                                      f"cleaning a test, at raw/a.txt line 4: 'aaaaaaaa")


def test_a_rule_slow_on_every_line_is_stopped_when_its_time_for_the_whole_text_is_spent():
    rules = [Rule("ad", "", UserPattern("Anzeige", "rules.yaml: rule ad")),
             Rule("slow", "", UserPattern("(a|aa)+c", "rules.yaml: rule slow")),  # a few ms on each line below
             Rule("tag", "", UserPattern(r"\([a-z]{2,4}\)", "rules.yaml: rule tag"))]
    raw = ("a" * 22 + "b\n") * 2000
    with pytest.raises(PatternTimeout) as info, time_limit(0.2, doing="cleaning a test"):
        clean_text(raw, "", rules, where="raw/slow.txt")
    assert str(info.value).startswith("rules.yaml: rule slow: the pattern '(a|aa)+c' was stopped after 0.2 s "
                                      "cleaning a test, at raw/slow.txt line ")


def first_rule_by_re(line: str, rules: list[Rule]) -> str | None:
    """Return the id of the first line rule that Python's `re` matches with the whole line (as before `regex`)."""
    flags = [re.IGNORECASE if r.pattern.ignore_case else 0 for r in rules]
    return next((r.id for r, f in zip(rules, flags, strict=True) if re.fullmatch(r.pattern.pattern, line, f)), None)


def test_every_committed_rule_matches_the_real_lines_as_re_did(articles):
    rules = load_rules(corpus_dir() / "cleaning_rules.yaml")
    line_rules = [r for r in rules if r.scope == "line"]
    joined = _line_rules(tuple(line_rules))
    assert joined.joined is not None and not joined.alone  # every committed rule is joined
    lines = [line.strip() for raw in articles["raw_text"] for line in raw.splitlines() if line.strip()]
    assert len(lines) > 100
    hits = 0
    for line in lines:
        expected = first_rule_by_re(line, line_rules)
        found = _first_rule(line, joined)
        assert (found and found.id) == expected, line
        hits += expected is not None
        for rule in rules:  # each rule alone, every match in the line
            ours = [(m.span(), m.groups()) for m in rule.pattern.finditer(line)]
            assert ours == [(m.span(), m.groups()) for m in re.finditer(rule.pattern.pattern, line)], (rule.id, line)
    assert hits > 20


def test_rules_that_cannot_be_joined_keep_their_place_in_the_order():
    rules = [Rule("flagged", "", UserPattern("(?i)werbung", "t")), Rule("ad", "", UserPattern("Anzeige", "t")),
             Rule("double", "", UserPattern(r"(\w)\1", "t")), Rule("two", "", UserPattern(r"\w\w", "t")),
             Rule("grouped", "", UserPattern(r"(x)(y)z", "t")), Rule("after", "", UserPattern(r"xyz|q", "t"))]
    joined = _line_rules(tuple(rules))
    assert [r.id for _, r in joined.alone] == ["flagged", "double"]
    for line in ["ANZEIGE", "WERBUNG", "Anzeige", "zz", "zy", "xyz", "q", "qq", ""]:
        found = _first_rule(line, joined)
        assert (found and found.id) == first_rule_by_re(line, rules), line


LINE_PIECES = ["Anzeige", "Werbung", "News", " ", "3", "12", " Min.", " Lesezeit", "(Foto: dpa)", "(Bild: x)", "(tiw)",
               "Mehr zum Thema", "Lies mehr", "Auf X teilen", "oder", "Dein t3n-Team", "Text", ".", "!", "?", "a"]


@settings(max_examples=300, deadline=None)
@given(line=st.lists(st.sampled_from(LINE_PIECES), max_size=6).map("".join))
def test_joined_rules_pick_the_rule_re_picks(line):
    rules = [r for r in load_rules(corpus_dir() / "cleaning_rules.yaml") if r.scope == "line"]
    found = _first_rule(line, _line_rules(tuple(rules)))
    assert (found and found.id) == first_rule_by_re(line, rules)
