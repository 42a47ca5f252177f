"""The general rules clean a newcomer's page with no new rule, keep every sentence, and stay short and fast."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.corpus.articles import corpus_dir
from helpers.text.clean import PARAGRAPH_SEPARATOR, _first_rule, _line_rules, clean_text, load_rules
from helpers.text.patterns import CLEANING_SECONDS, time_limit

PAGES = Path(__file__).parent.parent / "fixtures" / "cleaning"
NAMES = sorted(p.stem for p in PAGES.glob("*.txt") if not p.name.endswith(".clean.txt") and p.stem != "README")
RULES = load_rules(corpus_dir() / "cleaning_rules.yaml")
GENERAL = [r for r in RULES if r.id.startswith("general_")]
GENERAL_RULES = _line_rules(tuple(GENERAL))
MAX_WORDS = 20  # no general rule removes a line of more than this many words (split at whitespace)

# Sentences of the kind an article holds that name a word the rules look for: every one must be kept.
KEYWORD_SENTENCES = [
    "Der Datenschutz bei Parler war umstritten.",
    "Ein Foto zeigt den Sturm aufs Kapitol.",
    "Das zeigt ein Foto: Menschen stehen auf den Stufen des Kapitols.",
    "Das zeigt ein Foto: Menschen stürmen das Kapitol, berichtet dpa.",
    "Das Foto stammt von der Nachrichtenagentur dpa.",
    "Datenschutz spielte bei Parler kaum eine Rolle.",
    "Datenschutz und Moderation",
    "Das Impressum von Parler nannte eine Adresse in Nevada.",
    "Impressum und Datenschutzerklärung fehlten zeitweise.",
    "Parler verschickte einen Newsletter an seine Nutzer.",
    "Der Newsletter der Plattform warb für die Umzugspläne.",
    "Die Kommentare unter vielen Beiträgen wurden kaum moderiert.",
    "Kommentar",
    "Wer sich bei Parler anmelden wollte, musste eine Telefonnummer angeben.",
    "Jetzt anmelden können sich neue Nutzer nicht mehr.",
    "Melden konnten Nutzer gewalttätige Beiträge kaum.",
    "Werbung spielte für Parler kaum eine Rolle.",
    "Anzeige erstattet hat bislang niemand.",
    "Auch interessant ist, dass Parler nur wenige Moderatoren hatte.",
    "Passend dazu kündigte auch Twitter Schritte gegen Konten an.",
    "Mehr zu dem Thema wollte AWS nicht sagen.",
    "Weitere Meldungen deuten darauf hin, dass Parler Daten gesichert hat.",
    "Weitere Meldungen aus Washington folgen.",
    "Mehr aus Sicherheit als aus Überzeugung handelte der Konzern.",
    "Teilen wollte Amazon die Verantwortung nicht.",
    "Die Startseite von Parler zeigte eine Fehlermeldung.",
    "Quellen im Unternehmen bestätigten die Kündigung.",
    "Die Quelle: ein Schreiben von AWS an Parler.",
    "Alle Rechte an den Inhalten behielten die Nutzer, hieß es in den Regeln.",
    "Copyrightverletzungen spielten in dem Streit keine Rolle.",
    "Ein Abo bei AWS ist für Parler nicht mehr möglich.",
    "Das Abo-Modell von Parler setzte auf Spenden.",
    "Die Lesezeit der Gerichtsakten beträgt Stunden.",
    "Drucken ließ Parler seine Nutzungsbedingungen nie.",
    "Cookies setzt auch Parler ein.",
    "Wir verwenden den Begriff Plattform für Parler.",
    "Sie können die Entscheidung von Amazon anfechten, sagte ein Anwalt.",
    "Mit Klick auf einen Link gelangten Nutzer zu den Beiträgen.",
    "Suche nach einem neuen Anbieter",
    "Klage gegen Amazon",
    "Nutzungsbedingungen",
    "Twitter",
    "Facebook",
    "Telegram",
    "Twitter, Facebook und Telegram",
    "Stand: 11.01.2021 09:30 Uhr",
    "14:32 Uhr",
    "Rechtes Netzwerk",
    "FIXTURE — kein echter Artikel, nur für Tests geschrieben.",
]


def page(name: str) -> tuple[str, str]:
    """Return a fixture page's raw text and its hand-written clean text."""
    raw = (PAGES / f"{name}.txt").read_text(encoding="utf-8")
    return raw, (PAGES / f"{name}.clean.txt").read_text(encoding="utf-8").rstrip("\n")


def test_there_are_at_least_five_pages_each_with_its_clean_text():
    assert len(NAMES) >= 5
    for name in NAMES:
        assert (PAGES / f"{name}.clean.txt").exists(), name
    assert len(GENERAL) >= 10 and all(r.scope == "line" for r in GENERAL)


def test_site_rules_come_before_the_general_rules():
    """A seed line keeps the site rule's name in the audit: every general rule follows every site rule."""
    kinds = [r.id.startswith("general_") for r in RULES]
    assert kinds == sorted(kinds)


@pytest.mark.parametrize("name", NAMES)
def test_each_page_cleans_to_its_clean_text_with_the_shipped_rules(name):
    raw, expected = page(name)
    with time_limit(CLEANING_SECONDS, doing="cleaning a fixture page"):
        assert clean_text(raw, "", RULES).text == expected


@pytest.mark.parametrize("name", NAMES)
def test_the_general_rules_alone_clean_each_page_and_audit_every_removal(name):
    raw, expected = page(name)
    cleaned = clean_text(raw, "", GENERAL)
    assert cleaned.text == expected
    kept = set(expected.split(PARAGRAPH_SEPARATOR))
    by_line = {r.line: r for r in cleaned.removals}
    for number, line in enumerate(raw.splitlines(), start=1):
        line = line.strip()
        if line and line not in kept:
            assert number in by_line, f"{name} line {number} removed but not audited: {line!r}"
            assert by_line[number].rule.startswith("general_") and by_line[number].text == line
    # the shipped rules remove the same lines (a site rule listed first may name some of them)
    assert [r.line for r in clean_text(raw, "", RULES).removals] == sorted(by_line)


def test_every_general_rule_is_used_by_some_page():
    used = {r.rule for name in NAMES for r in clean_text(page(name)[0], "", GENERAL).removals}
    assert used == {r.id for r in GENERAL}


@pytest.mark.parametrize("sentence", KEYWORD_SENTENCES)
def test_a_sentence_naming_a_keyword_is_kept(sentence):
    assert _first_rule(sentence, GENERAL_RULES) is None
    assert clean_text(f"Titel\n{sentence}\n", "", RULES).text == f"Titel{PARAGRAPH_SEPARATOR}{sentence}"


def test_the_general_rules_match_as_re_does_on_every_page_line():
    lines = {line.strip() for name in NAMES for line in page(name)[0].splitlines() if line.strip()}
    for line in sorted(lines | set(KEYWORD_SENTENCES)):
        found = _first_rule(line, GENERAL_RULES)
        by_re = next((r.id for r in GENERAL if re.fullmatch(r.pattern.pattern, line)), None)
        assert (found and found.id) == by_re, line


# No general rule removes a long line

BODY_WORDS = ("Parler", "Amazon", "AWS", "Server", "die", "der", "Plattform", "hat", "am", "Montag", "gekündigt.",
              "sagt", "Nutzer", "und", "„Wir", "werden“", "Kapitol", "6.", "Januar", "2021", "–", ":", ",")
REMOVED_LINES = sorted({r.text for name in NAMES for r in clean_text(page(name)[0], "", GENERAL).removals})
RULE_WORDS = tuple(sorted({word for line in REMOVED_LINES for word in line.split()}))


def test_a_removed_line_padded_past_the_word_limit_is_kept():
    padding = " ".join(BODY_WORDS[i % len(BODY_WORDS)] for i in range(MAX_WORDS))
    for line in REMOVED_LINES:
        for long_line in (f"{line} {padding}", f"{padding} {line}"):
            assert len(long_line.split()) > MAX_WORDS
            assert _first_rule(long_line, GENERAL_RULES) is None, long_line


@settings(max_examples=400, deadline=None)
@given(words=st.lists(st.sampled_from(RULE_WORDS + BODY_WORDS), min_size=MAX_WORDS + 1, max_size=40),
       start=st.sampled_from(REMOVED_LINES))
def test_no_general_rule_removes_a_line_of_more_than_the_word_limit(words, start):
    line = " ".join([start, *words])
    assert _first_rule(line, GENERAL_RULES) is None, line


# Safe under the kit's time limits: lines built to make a careless pattern backtrack finish at once

HOSTILE_LINES = [
    "Startseite" + " > a b c" * 3000,
    "a > " * 5000 + "!",
    "©" + " a" * 20000,
    "Foto:" + " dpa" * 20000 + " x",
    "a. " * 10000 + "Foto: dpa/" + "b" * 10000,
    "Mit Klick auf " + "„a " * 5000,
    "Facebook " * 10000 + "x",
    "Impressum | " * 10000 + "x",
    "Lesen Sie auch:" + " a" * 20000,
    "Wir und unsere Partner" + " x" * 20000,
    "Melden Sie sich für unseren " + "Newsletter " * 5000 + "an",
    "a" * 50000,
    " ".join(["Quelle:"] * 10000),
]


@pytest.mark.parametrize("line", HOSTILE_LINES, ids=range(len(HOSTILE_LINES)))
def test_a_hostile_line_is_matched_well_within_the_time_limit(line):
    with time_limit(CLEANING_SECONDS, doing="cleaning a hostile line"):
        clean_text(line, "", RULES)
