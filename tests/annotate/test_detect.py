"""Tests for helpers.annotate.detect: rules on tiny inline German texts, invariants on the real corpus."""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.annotate import detect
from helpers.annotate.annotations import ANNOTATION_COLUMNS, LAYERS, UNATTRIBUTED, load_codebook
from helpers.annotate.detect import (
    detect_actors,
    detect_all,
    detect_facts,
    detect_frames,
    detect_labels,
    detect_quotes,
    scan,
)
from helpers.annotate.detect.engine import Article
from helpers.annotate.detect.rules import CUES, OTHERS_VIEW_FINDER, SELF_VIEW_FINDER, rules_of
from helpers.text.patterns import PatternTimeout, time_limit
from helpers.text.segment import split_sentences

FIXTURE_CODEBOOK = Path(__file__).parent.parent / "fixtures" / "second_case" / "codebook.yaml"


@pytest.fixture(scope="module")
def codebook():
    """The project's codebook, loaded once."""
    return load_codebook()


@pytest.fixture(scope="module")
def texts(articles):
    """The real corpus as {article_id: clean text}."""
    return dict(zip(articles["article_id"], articles["clean_text"], strict=True))


@pytest.fixture(scope="module")
def detected(texts, codebook):
    """Everything the detectors find in the real corpus."""
    return detect_all(texts, codebook)


def spans(table: pd.DataFrame, code: str | None = None) -> list[str]:
    """Return the spans of a table (of one code), in text order."""
    rows = table if code is None else table[table["code"] == code]
    return list(rows["span"])


def one(text: str, detector, codebook) -> pd.DataFrame:
    """Run one detector on a single inline text."""
    return detector({"t": text}, codebook)


# Actors


def test_actor_hyphen_compound_ends_the_name(codebook):
    found = one("Parler-Chef John Matze sprach über die AWS-Cloud und Trump-Anhänger.", detect_actors, codebook)
    assert list(zip(found["code"], found["span"], strict=True)) == [
        ("parler", "Parler"), ("john_matze", "John Matze"), ("amazon", "AWS"), ("donald_trump", "Trump")]
    assert not found["is_variant"].any()


def test_longest_mention_wins(codebook):
    found = one("John Matze und Matze sind eine Person.", detect_actors, codebook)
    assert spans(found) == ["John Matze", "Matze"]


def test_genitive_belongs_to_the_name(codebook):
    found = one("Parlers Plan und Bidens Amtseinführung.", detect_actors, codebook)
    assert spans(found) == ["Parlers", "Bidens"]


def test_inflected_form_named_in_exclude_note_is_not_a_mention(codebook):
    # The codebook excludes "Gabs" (posts on Gab) but not "Gab" or the Gab-Plattform.
    found = one("Die Gab-Plattform erlaubt Gabs mit 300 Zeichen.", detect_actors, codebook)
    assert spans(found) == ["Gab"]


def test_closed_compound_spelling_gives_the_name(codebook):
    found = one("Trumps Twitterkonto ist gesperrt.", detect_actors, codebook)
    assert spans(found) == ["Trumps", "Twitter"]


def test_misspelled_full_name_is_a_variant(codebook):
    found = one("John Mazte, CEO von Parler, sprach.", detect_actors, codebook)
    rows = found.set_index("span")
    assert rows.loc["John Mazte", "code"] == "john_matze"
    assert rows.loc["John Mazte", "is_variant"]
    assert not rows.loc["Parler", "is_variant"]
    assert "Mazte" not in rows.index  # nested in the longer mention


@pytest.mark.parametrize("text, span", [
    ("Das schreibt Matzke.", "Matzke"),
    ("Das schreibt Mazte.", "Mazte"),
    ("So sieht es Matzkes Team.", "Matzkes"),
])
def test_misspelled_surname_is_a_variant(codebook, text, span):
    found = one(text, detect_actors, codebook)
    assert list(zip(found["code"], found["span"], found["is_variant"], strict=True)) == [("john_matze", span, True)]


def test_two_word_variant_covers_an_exact_surname(codebook):
    found = one("Das findet Martin Schulte.", detect_actors, codebook)
    assert list(zip(found["code"], found["span"], found["is_variant"], strict=True)) == [
        ("martina_schulte", "Martin Schulte", True)]


@pytest.mark.parametrize("word", ["Mitte", "Matte", "Trumpf", "Telegramm", "Partner", "Amazonas", "Mazda"])
def test_german_words_and_distant_names_are_not_actors(codebook, word):
    assert one(f"In der {word} liegt es.", detect_actors, codebook).empty


# Quotes


def test_quote_with_reporting_verb_after_it(codebook):
    found = one("„Wir werden zu einem neuen Anbieter wechseln“, sagt Matze.", detect_quotes, codebook)
    assert spans(found) == ["Wir werden zu einem neuen Anbieter wechseln"]
    assert found["speaker"].tolist() == ["john_matze"]
    assert "sagt" in found["note"].iloc[0]


def test_quote_with_subject_before_the_verb(codebook):
    found = one('Amazon betont: "Wir unterstützen das gesamte politische Spektrum."', detect_quotes, codebook)
    assert found["speaker"].tolist() == ["amazon"]


@pytest.mark.parametrize("text, speaker", [
    ("Wie Twitter mitteilte, „wird das Konto dauerhaft gesperrt bleiben“.", "twitter"),
    ("Nach Angaben von Amazon „verstoßen diese Inhalte klar gegen die Regeln“.", "amazon"),
    ("Google zufolge „ist die App nicht mehr im Store verfügbar“.", "google"),
    ("Ein Amazon-Sprecher sagte: „Wir kommentieren das nicht weiter.“", "amazon"),
    ("»Das werden wir nicht hinnehmen, niemals«, twitterte Trump.", "donald_trump"),
])
def test_other_reporting_cues(codebook, text, speaker):
    assert one(text, detect_quotes, codebook)["speaker"].tolist() == [speaker]


@pytest.mark.parametrize("text", ["Er hat dabei „98 Posts“ gefunden.", 'Das Netzwerk "Parler" wächst.',
                                  "Es gab »einen Besuch abzustatten«."])
def test_short_quoted_stretches_are_not_quotes(codebook, text):
    assert one(text, detect_quotes, codebook).empty


def test_role_noun_resolves_to_the_person_named_with_it(codebook):
    text = ("John Mazte, CEO von Parler, bleibt gelassen. „Wir haben uns auf solche Ereignisse vorbereitet“, "
            "sagte der CEO.")
    found = one(text, detect_quotes, codebook)
    assert found["speaker"].tolist() == ["john_matze"]
    assert "CEO" in found["note"].iloc[0]


def test_role_noun_resolves_to_the_organisation_compounded_with_it(codebook):
    text = "Die AWS-Anwälte widersprechen. „Es gibt keine Rechtsgrundlage für diese Forderung“, so die Anwälte."
    assert one(text, detect_quotes, codebook)["speaker"].tolist() == ["amazon"]


def test_unresolved_role_noun_and_no_cue_leave_the_quote_unattributed(codebook):
    text = "Trump war schon gesperrt. „Das ist ein sehr langer Satz ohne jede Quelle.“ Danach kam nichts."
    found = one(text, detect_quotes, codebook)
    assert found["speaker"].tolist() == [UNATTRIBUTED]


def test_reported_speech_carries_the_speaker_forward(codebook):
    text = ("Amazon betont, man unterstütze alle Kunden. Es sei jedoch nicht möglich, Parler zu halten. "
            "So müsse Parler als „sehr reale Gefahr für die Sicherheit“ gelten.")
    assert one(text, detect_quotes, codebook)["speaker"].tolist() == ["amazon"]


def test_quoted_label_is_not_a_quote(codebook):
    text = "Parler wird seit langem als „das Netzwerk der extremen Rechten“ definiert."
    assert one(text, detect_quotes, codebook).empty
    labels = one(text, detect_labels, codebook)
    assert labels["code"].tolist() == ["far_right_refuge"]
    assert labels["attributed_to"].tolist() == [UNATTRIBUTED]


# Labels


def test_label_attached_to_the_name(codebook):
    found = one("Das soziale Netzwerk Parler ist offline.", detect_labels, codebook)
    assert list(zip(found["code"], found["span"], strict=True)) == [("social_network", "soziale Netzwerk")]
    assert found["attributed_to"].tolist() == [""]


def test_labels_in_apposition_and_predicate(codebook):
    text = ("Amazon hat die umstrittene Twitter-Alternative Parler abgeschaltet. "
            "Parler ist ein junges soziales Netzwerk.")
    found = one(text, detect_labels, codebook)
    assert sorted(zip(found["code"], found["span"], strict=True)) == [
        ("controversial", "umstrittene Twitter-Alternative"), ("social_network", "soziales Netzwerk"),
        ("twitter_alternative", "Twitter-Alternative")]


def test_label_of_another_platform_is_not_a_label_of_parler(codebook):
    text = "Parler ist offline. Viele gehen auf die Gab-Plattform, ein bekanntes soziales Netzwerk."
    assert one(text, detect_labels, codebook).empty
    assert one("Das soziale Netzwerk Facebook wächst.", detect_labels, codebook).empty


def test_plural_and_compound_nouns_are_not_labels(codebook):
    text = "Parler ist offline. Nutzer wechseln in andere Netzwerke und auf Kommunikationsplattformen."
    assert one(text, detect_labels, codebook).empty


def test_rich_label_absorbs_the_neutral_one_inside_it(codebook):
    found = one("Parler gilt als Plattform für QAnon-Anhänger und Ultrarechte.", detect_labels, codebook)
    assert list(zip(found["code"], found["span"], strict=True)) == [
        ("far_right_refuge", "Plattform für QAnon-Anhänger und Ultrarechte")]
    assert found["attributed_to"].tolist() == [UNATTRIBUTED]


@pytest.mark.parametrize("text, attributed_to", [
    ("Parler versteht sich als „Netzwerk für freie Rede“.", "parler"),
    ("Parler gilt als eine Art Anti-Twitter.", UNATTRIBUTED),
    ("Parler ist offline. Laut Matze könnte das Netzwerk bald zurück sein.", "john_matze"),
    ("Parler ist offline. Das Netzwerk sucht einen Hoster.", ""),
])
def test_label_attribution(codebook, text, attributed_to):
    found = one(text, detect_labels, codebook)
    assert len(found) == 1
    assert found["attributed_to"].iloc[0] == attributed_to


def test_quoted_label_keeps_its_marks(codebook):
    found = one('Das selbsternannte "Netzwerk für freie Rede" Parler ist offline.', detect_labels, codebook)
    assert spans(found) == ['"Netzwerk für freie Rede"']


# Frames


def test_frames_on_lemmas_stems_and_phrases(codebook):
    text = "Amazon begründet die Kündigung mit Gewaltaufrufen. Matze warf dem Anbieter Zensur vor."
    found = one(text, detect_frames, codebook)
    first, second = split_sentences(text)
    assert set(found.loc[found["start"] == first.start, "code"]) == {"responsibility", "public_safety_violence"}
    assert set(found.loc[found["start"] == second.start, "code"]) >= {
        "conflict", "free_speech_censorship", "economic_consequences", "technical_infrastructure"}
    assert set(found["span"]) == {first.text, second.text}
    assert "wirft vor" in found.loc[found["code"] == "conflict", "note"].iloc[0]


def test_short_cue_does_not_match_as_a_prefix(codebook):
    # "weil" is a responsibility cue; "Weile" is a different word.
    assert "responsibility" not in set(one("Das dauert eine Weile.", detect_frames, codebook)["code"])


def test_sentence_without_cues_has_no_frame(codebook):
    assert one("Heute scheint die Sonne.", detect_frames, codebook).empty


# Facts


def test_fact_span_is_the_clause(codebook):
    text = "Nachdem Apple und Google die App aus ihren Stores entfernt haben, sucht Parler einen Hoster."
    found = one(text, detect_facts, codebook)
    assert list(zip(found["code"], found["span"], strict=True)) == [
        ("apps_removed", "Nachdem Apple und Google die App aus ihren Stores entfernt haben")]


def test_fact_requirement_must_occur_in_the_sentence(codebook):
    assert spans(one("Schon im November 2020 hatte AWS gewarnt.", detect_facts, codebook), "nov2020_emails")
    assert one("Schon im November 2020 regnete es.", detect_facts, codebook).empty


@pytest.mark.parametrize("text, code", [
    ("Parler hat etwa zehn Millionen Nutzer.", "users_10m"),
    ("Der Dienst braucht 300 bis 500 Server.", "servers_300_500"),
    ("Bei dem Sturm auf das Kapitol kamen fünf Menschen ums Leben.", "capitol_deaths"),
    ("Man werde das Konto zu Sonntag Mitternacht sperren.", "suspension_deadline"),
    ("Parler-Nutzer wandern zu Telegram ab.", "alt_platforms"),
    ("Parler ist seit Sonntag offline.", "parler_offline"),
])
def test_fact_cues(codebook, text, code):
    assert code in set(one(text, detect_facts, codebook)["code"])


@pytest.mark.parametrize("text", ["Parler wird offline gehen.", "Trump-Anhänger wechselten zu Parler.",
                                  "Andere Plattformen werteten das als Verstoß gegen die Nutzungsbedingungen."])
def test_fact_exclusions(codebook, text):
    assert one(text, detect_facts, codebook).empty


def test_past_duration_is_not_a_downtime_estimate(codebook):
    assert "downtime_estimate" not in set(one("Amazon kündigte das vor circa 10 Tagen an.", detect_facts, codebook)[
        "code"])


# Invariants on the real corpus


def test_columns_and_types(detected):
    assert list(detected.columns) == ANNOTATION_COLUMNS
    assert detected["start"].dtype == "int64" and detected["end"].dtype == "int64"
    assert detected["is_variant"].dtype == bool
    assert (detected["coder"] == "detector").all()
    assert set(detected["layer"]) == set(LAYERS)


def test_spans_are_the_text_at_their_offsets(detected, texts):
    for row in detected.itertuples():
        assert 0 <= row.start < row.end <= len(texts[row.article_id])
        assert texts[row.article_id][row.start:row.end] == row.span


def test_no_duplicate_or_overlapping_rows_of_one_code(detected):
    assert not detected.duplicated(["article_id", "layer", "code", "start", "end"]).any()
    for _, group in detected[detected["layer"] != "frames"].groupby(["article_id", "layer", "code"]):
        ordered = group.sort_values("start")
        assert (ordered["start"].to_numpy()[1:] >= ordered["end"].to_numpy()[:-1]).all()


def test_codes_speakers_and_attributions_are_in_the_codebook(detected, codebook):
    for layer in LAYERS:
        assert set(detected.loc[detected["layer"] == layer, "code"]) <= set(codebook.ids(layer))
    actors = set(codebook.ids("actors")) | {UNATTRIBUTED}
    quotes = detected[detected["layer"] == "quotes"]
    assert set(quotes["speaker"]) <= actors
    assert set(detected.loc[detected["layer"] == "labels", "attributed_to"]) <= actors | {""}
    assert not detected.loc[detected["layer"] != "actors", "is_variant"].any()


def test_frames_span_whole_sentences(detected, texts):
    for article_id, text in texts.items():
        sentences = {(s.start, s.end) for s in split_sentences(text)}
        frames = detected[(detected["layer"] == "frames") & (detected["article_id"] == article_id)]
        assert set(zip(frames["start"], frames["end"], strict=True)) <= sentences


def test_variants_found_in_the_corpus(detected):
    # Regression pin, checked by reading the articles: the misspellings of Matze and Schulte.
    variants = detected[detected["is_variant"]]
    assert sorted(set(zip(variants["code"], variants["span"], strict=True))) == [
        ("john_matze", "John Matzke"), ("john_matze", "John Mazte"), ("john_matze", "Matzke"),
        ("john_matze", "Mazte"), ("martina_schulte", "Martin Schulte")]


def test_every_detector_matches_its_slice_of_detect_all(detected, texts, codebook):
    for layer, detector in [("actors", detect_actors), ("quotes", detect_quotes), ("labels", detect_labels),
                            ("frames", detect_frames), ("facts", detect_facts)]:
        expected = detected[detected["layer"] == layer].reset_index(drop=True)
        pd.testing.assert_frame_equal(detector(texts, codebook), expected)


def test_detect_all_is_deterministic(detected, texts):
    pd.testing.assert_frame_equal(detect_all(texts, load_codebook()), detected)
    reordered = dict(reversed(list(texts.items())))
    again = detect_all(reordered, load_codebook()).sort_values(["article_id", "layer", "start", "end", "code"])
    again = again.reset_index(drop=True)
    expected = detected.sort_values(["article_id", "layer", "start", "end", "code"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(again, expected)


def test_empty_input_gives_an_empty_table(codebook):
    for texts in ({}, {"empty": ""}, {"blank": "  \n\n "}):
        table = detect_all(texts, codebook)
        assert table.empty and list(table.columns) == ANNOTATION_COLUMNS


# The fast pre-scan must never lose a match


def test_prescan_finds_every_match_a_plain_search_finds(texts, codebook):
    rules = rules_of(codebook)
    finders = [CUES, OTHERS_VIEW_FINDER, SELF_VIEW_FINDER]
    finders += [f for _, _, f in rules.labels] + [f for _, f, _ in rules.facts]
    for article_id, text in texts.items():
        article = Article(article_id, text, rules)
        for finder in finders:
            fast = {(n, m.span()) for n, m in finder.finditer(article)}
            plain = {(n, m.span()) for s in article.sentences for n, p in enumerate(finder.exact)
                     for m in p.finditer(text, s.start, s.end)}
            assert fast == plain


@pytest.mark.parametrize("pattern, text", [
    (r"(?<![\w-])Plattform(?![\w-])", "Die PLATTFORM"),
    (r"(?:eine\s+Art\s+)?Anti-(?:Twitter|Facebook)", "Eine Art Anti-Twitter"),
    (r"umstritten(?:e[nmrs]?)?(?:\s+(?-i:[A-ZÄÖÜ])[\w-]+)?", "die umstrittene Twitter-Alternative"),
    (r"\bKlage\b", "Die Klage"),
])
def test_loose_pattern_matches_wherever_the_exact_one_does(pattern, text):
    # The loose pattern may drop a leading optional part, but it matches inside the exact match.
    exact = re.compile(pattern, re.IGNORECASE).search(text)
    loose = re.compile(scan.lowercase_pattern(pattern)).search(text.lower())
    assert exact and loose and exact.start() <= loose.start() < exact.end()


def test_keyword_tree_matches_the_longest_keyword():
    tree = re.compile(scan.trie_pattern(["netz", "netzwerk", "nach", "app", "apple"]))
    assert [m.group() for m in tree.finditer("netzwerk nachts apple app")] == ["netzwerk", "nach", "apple", "app"]


@pytest.mark.parametrize("loose, expected", [
    ("plattform", {"plattform"}),
    ("(?:rechts|links)extrem", {"rechtsextrem", "linksextrem"}),
    ("[dk]ienst\\w*", {"dienst", "kienst"}),
    ("anti-(?:twitter|facebook)", {"anti-twitter", "anti-facebook"}),
    ("gefahr(?:en)?", {"gefahr"}),
    ("netz+werk", {"netz"}),
    ("nach\\.richt", {"nach.richt"}),
    ("(?:gab|gab\\.ai|mewe)", {"gab", "gab.ai", "mewe"}),  # short, but a list of words: all it matches
])
def test_keywords_start_every_match(loose, expected):
    assert scan.keywords(loose) == expected


@pytest.mark.parametrize("loose", [
    "ist\\s+offline",         # starts with a word too short to be worth a keyword
    "\\w+ung",              # starts with a class escape
    "[a-z]+netz",             # a class with a range
    "(?:die\\s+)?plattform",  # an optional start
    "(a)\\1bc",             # a backreference: not read, scanned as a regex
    "(?(1)a|b)",              # a conditional: not read
])
def test_keywords_give_up_on_what_they_cannot_read(loose):
    assert scan.keywords(loose) is None


def test_every_keyword_starts_every_match_on_the_corpus(texts, codebook):
    # The property the pre-scan rests on, checked on every cue of the codebook against the real texts.
    rules = rules_of(codebook)
    finders = [CUES, OTHERS_VIEW_FINDER, SELF_VIEW_FINDER] + [f for _, _, f in rules.labels] + [
        f for _, f, _ in rules.facts]
    lowered = [text.lower() for text in texts.values()]
    checked = 0
    for finder in finders:
        for loose in finder.loose:
            words = scan.keywords(loose)
            if words is None:
                continue
            for lower in lowered:
                for match in re.finditer(loose, lower):
                    assert match.group().startswith(tuple(words)), (loose, match.group())
                    checked += 1
    assert checked > 50


# Cues are researchers' patterns: run under a time limit, matching exactly as Python's `re` did


def codebook_with_fact_cues(tmp_path, cues: list[str]):
    """Write the fixture codebook with one more fact, `runaway`, whose cues are `cues`; load it."""
    data = yaml.safe_load(FIXTURE_CODEBOOK.read_text(encoding="utf-8"))
    data["facts"].append({"id": "runaway", "definition": "A test.", "cues": cues, "include": "x", "exclude": "y",
                          "example": {"article_id": "fix-a", "span": "Testnetz"}})
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_codebook(path)


@pytest.mark.parametrize("cue, text, named", [
    # no keyword: the pre-scan runs the cue's loose form as a regex
    ("(a|aa)+$", "a" * 60 + "b.", "facts runaway (pre-scan form): the pattern '(a|aa)+$'"),
    # found by its keyword, then run in full in the sentence
    ("Klage(a|aa)+$", "Die Klage" + "a" * 60 + "b.", "facts runaway: the pattern 'Klage(a|aa)+$'"),
    # the part that must also occur in the sentence
    ("Klage && (a|aa)+$", "Die Klage " + "a" * 60 + "b.", "facts runaway: the pattern '(a|aa)+$'"),
])
def test_a_runaway_cue_is_stopped_naming_the_codebook_and_the_code(tmp_path, cue, text, named):
    codebook = codebook_with_fact_cues(tmp_path, [cue])
    with pytest.raises(PatternTimeout) as info, time_limit(0.2, doing="detecting in a test"):
        detect_facts({"t": text}, codebook)
    assert str(info.value).startswith(f"{tmp_path / 'codebook.yaml'}: {named} was stopped after 0.2 s detecting in "
                                      "a test, at article 't'. A repeat inside a repeat")


def test_detectors_limit_themselves_to_cue_seconds(tmp_path, monkeypatch):
    monkeypatch.setattr(detect, "CUE_SECONDS", 0.2)
    codebook = codebook_with_fact_cues(tmp_path, ["Klage(a|aa)+$"])
    with pytest.raises(PatternTimeout, match="after 0.2 s detecting facts, at article 't'"):
        detect_facts({"t": "Die Klage" + "a" * 60 + "b."}, codebook)


def test_every_cue_matches_the_real_texts_as_re_did(texts, codebook):
    rules = rules_of(codebook)
    finders = [CUES, OTHERS_VIEW_FINDER, SELF_VIEW_FINDER] + [f for _, _, f in rules.labels] + [
        f for _, f, _ in rules.facts]
    patterns = [p for finder in finders for p in finder.exact]
    patterns += [p for _, _, required in rules.facts for p in required if p is not None]
    assert len(patterns) > 60
    matched = 0
    for pattern in patterns:
        plain = re.compile(pattern.pattern, re.IGNORECASE if pattern.ignore_case else 0)
        for text in texts.values():
            ours = [(m.span(), m.groups(), m.groupdict()) for m in pattern.finditer(text)]
            assert ours == [(m.span(), m.groups(), m.groupdict()) for m in plain.finditer(text)], pattern
            matched += len(ours)
    for _, loose in rules.scanner.slow:  # the pre-scan forms run as regexes, on the lowercased texts
        for text in texts.values():
            ours = [m.span() for m in loose.finditer(text.lower())]
            assert ours == [m.span() for m in re.finditer(loose.pattern, text.lower())], loose
    assert matched > 200


def test_a_cue_with_syntax_lowercasing_cannot_fix_is_prescanned_ignoring_case(codebook):
    # \p{Lu} ignoring case matches "aws" too; its loose form must, on the lowercased text.
    finder = scan.Finder([r"\p{Lu}{3}-Server", r"\N{LATIN CAPITAL LETTER A}WS"], source="a test")
    text = "Die aws-Server. Die AWS-Server. Aws."
    article = Article("t", text, rules_of(codebook))
    plain = {(n, m.span()) for n, p in enumerate(finder.exact) for s in article.sentences
             for m in p.finditer(text, s.start, s.end)}
    assert len(plain) == 5
    scanner = scan.Scanner([finder])
    found = scanner.candidates(article)
    assert all(article.sentence_at(start) in found[n] for n, (start, _) in plain)
