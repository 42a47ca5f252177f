"""A researcher's pattern runs under a time limit and matches exactly as Python's `re` does on ordinary patterns."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.text import patterns
from helpers.text.patterns import PatternError, PatternTimeout, UserPattern, time_limit

RUNAWAY = "(a|aa)+$"  # a repeat inside a repeat: exponential on a run of a's that does not end the text
RUNAWAY_TEXT = "a" * 60 + "b"


def test_a_runaway_pattern_is_stopped_with_an_error_that_says_what_to_do():
    pattern = UserPattern(RUNAWAY, "corpus/x.yaml: rule runaway")
    with pytest.raises(PatternTimeout) as info, time_limit(0.2, doing="cleaning the corpus"):
        pattern.search(RUNAWAY_TEXT)
    message = str(info.value)
    assert message.startswith("corpus/x.yaml: rule runaway: the pattern '(a|aa)+$' was stopped after 0.2 s "
                              "cleaning the corpus.")
    assert "(a+)+" in message and "(a|aa)+" in message
    assert isinstance(info.value, ValueError)
    assert "at raw/a.txt line 4" in str(info.value.at("raw/a.txt line 4"))


def test_one_call_outside_any_block_is_limited_too(monkeypatch):
    monkeypatch.setattr(patterns, "CALL_SECONDS", 0.2)
    with pytest.raises(PatternTimeout, match="on one match"):
        UserPattern(RUNAWAY, "a test").fullmatch(RUNAWAY_TEXT)


@pytest.mark.parametrize("method", ["search", "match", "fullmatch", "finditer"])
def test_every_method_runs_under_the_limit(method):
    pattern = UserPattern(RUNAWAY, "a test")
    with pytest.raises(PatternTimeout), time_limit(0.1, doing="testing"):
        list(pattern.finditer(RUNAWAY_TEXT)) if method == "finditer" else getattr(pattern, method)(RUNAWAY_TEXT)


def test_a_shared_limit_stops_many_slow_calls_that_each_finish():
    pattern = UserPattern("(a|aa)+c", "a test")  # a few ms on each line: slow, not stuck
    line = "a" * 20 + "b"
    calls = 0
    with pytest.raises(PatternTimeout, match="after 0.3 s checking lines"), time_limit(0.3, doing="checking lines"):
        for calls in range(1, 10_000):  # noqa: B007 - counted for the assertion
            assert pattern.search(line) is None
    assert calls > 1  # several calls each finished; the shared limit stopped the run


def test_each_pattern_has_its_own_account_in_a_block():
    slow, quick = UserPattern("(a|aa)+c", "slow"), UserPattern("a", "quick")
    with time_limit(0.2, doing="testing"):
        with pytest.raises(PatternTimeout) as info:
            for _ in range(10_000):
                slow.search("a" * 20 + "b")
        assert info.value.source == "slow"
        assert quick.search("a") is not None  # the slow pattern spent its own time, not the quick one's


def test_nested_blocks_the_tightest_limit_holds():
    pattern = UserPattern(RUNAWAY, "a test")
    with pytest.raises(PatternTimeout, match="after 0.1 s inner"), time_limit(30, doing="outer"):
        with time_limit(0.1, doing="inner"):
            pattern.search(RUNAWAY_TEXT)


def test_time_between_matches_does_not_count():
    pattern = UserPattern("x", "a test")
    with time_limit(0.05, doing="testing"):
        for _ in range(3):
            time.sleep(0.03)
            assert pattern.search("axb").span() == (1, 2)
        assert [m.span() for m in pattern.finditer("xx")] == [(0, 1), (1, 2)]


def test_a_long_text_gets_more_time_in_proportion():
    pattern = UserPattern("ab", "a test")
    with time_limit(0.0, doing="testing"):  # nothing but the time per character
        assert pattern.search("a" * 2_000_000 + "b").start() == 1_999_999


def test_an_invalid_pattern_names_its_source():
    with pytest.raises(PatternError, match=r"^study.yaml: searches: kwic: '\(unclosed' is not a valid regular "
                                           r"expression \(missing \) at position 9\)$"):
        UserPattern("(unclosed", "study.yaml: searches: kwic")


def test_positions_work_as_in_re():
    text = "Klage, Klagen und klage"
    ours, theirs = UserPattern(r"\bklage\b", "a test", ignore_case=True), re.compile(r"\bklage\b", re.IGNORECASE)
    for pos, endpos in [(0, None), (1, None), (7, 12), (18, 23), (18, 100), (30, None)]:
        args = (text, pos) if endpos is None else (text, pos, endpos)
        assert [m.span() for m in ours.finditer(*args)] == [m.span() for m in theirs.finditer(*args)]
        for method in ("search", "match", "fullmatch"):
            mine, other = getattr(ours, method)(*args), getattr(theirs, method)(*args)
            assert (mine and mine.span()) == (other and other.span())


# Ordinary patterns match exactly as `re` does: \w, \b, lookarounds, named groups, IGNORECASE on German text.
# (The committed cleaning rules and codebook cues are compared on the real corpus in test_clean and test_detect.)
PATTERNS = [
    r"\w+",
    r"\b[A-ZÄÖÜ][\w-]*\b",
    r"(?<![\w-])Klage(?:n)?(?![\w-])",
    r"(?P<zahl>\d+)\s*(?:Min\.|Minuten)",
    r"(?<!vor )(?:etwa|rund)\s+(?P<wie>\w+)\s+(?:Tage?n?|Wochen?)\b",
    r"Stra(?:ß|ss)e\w*",
    r"[^\W\d_]+ung(?:en)?",
    r"(?:zehn|10)\s*(?:Millionen|Mio\.?)\s+(?:[\w-]+\s+){0,3}?Nutzer\w*",
    r"„[^“]{1,40}“",
    r"\s+",
]
# Short German strings: letters either side of the umlauts and ß, digits, blanks, punctuation and a few words.
PIECES = [*"aAbBeEgGkKlLnNrRsStTuUzZäÄöÖüÜßẞ019 -.,„“\n_", "Klage", "Tage", "etwa ", "vor ", "Mio. ", "Nutzer"]
GERMAN = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("ignore_case", [False, True])
@settings(max_examples=150, deadline=None)
@given(text=GERMAN)
def test_matches_like_re_on_random_german_text(pattern, ignore_case, text):
    ours = UserPattern(pattern, "a test", ignore_case=ignore_case)
    theirs = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    assert [(m.span(), m.groups(), m.groupdict()) for m in ours.finditer(text)] == [
        (m.span(), m.groups(), m.groupdict()) for m in theirs.finditer(text)]
    full, other = ours.fullmatch(text), theirs.fullmatch(text)
    assert (full and full.span()) == (other and other.span())


def test_the_corpus_has_no_character_on_which_regex_and_re_disagree(articles):
    # Where they differ (\w on "²", "½" or combining marks, \s on \x1c-\x1f, case of the dotless "ı"), a new
    # article would make a cue or rule match differently than it did under `re`: this test says which character.
    texts = [*articles["raw_text"], *articles["clean_text"]]
    characters = sorted(set("".join(texts)))
    for character in characters:
        for cls in (r"\w", r"\s", r"\d", r"\b."):
            ours = UserPattern(cls, "a test").fullmatch(character) is not None
            assert ours == (re.fullmatch(cls, character) is not None), (cls, character)
        ours = UserPattern(re.escape(character), "a test", ignore_case=True)
        theirs = re.compile(re.escape(character), re.IGNORECASE)
        assert [ours.fullmatch(c) is not None for c in characters] == [
            theirs.fullmatch(c) is not None for c in characters], character
