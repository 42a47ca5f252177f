"""Tests for helpers.text.segment: rules on tiny inline texts, invariants on the real corpus files."""

import bisect
import dataclasses
from pathlib import Path

import pytest

from helpers.text.segment import (
    ABBREVIATIONS,
    COLUMNS,
    Span,
    sentences_frame,
    split_paragraphs,
    split_sentences,
)

CORPUS_RAW = Path(__file__).resolve().parents[2] / "corpus" / "raw"

# Regression pin, checked by reading every sentence once; corpus/raw/ is immutable.
SENTENCES_PER_FILE = {
    "000-kein-hoster.txt": 97,
    "001-server-ab.txt": 28,
    "002-clouddienst.txt": 32,
    "003-ausschliessen.txt": 21,
    "004-mails-november.txt": 74,
}


def sentence_texts(text: str) -> list[str]:
    """Return the sentence strings of text."""
    return [span.text for span in split_sentences(text)]


def read_raw(name: str) -> str:
    """Return one corpus file's text."""
    return (CORPUS_RAW / name).read_text(encoding="utf-8")


# Paragraphs


def test_each_non_blank_line_is_a_paragraph():
    text = "Anzeige\nAnzeige\n\nTitel\n \u00a0\t\n  Text mit Rand.  "
    assert split_paragraphs(text) == [
        Span(0, 7, "Anzeige"),
        Span(8, 15, "Anzeige"),
        Span(17, 22, "Titel"),
        Span(29, 43, "Text mit Rand."),
    ]


def test_paragraphs_split_on_crlf_and_cr():
    assert [p.text for p in split_paragraphs("Eins\r\nZwei\rDrei\n")] == ["Eins", "Zwei", "Drei"]


def test_byte_order_mark_and_zero_width_space_count_as_blank():
    assert [p.text for p in split_paragraphs("\ufeffTitel\n\u200b\nText.")] == ["Titel", "Text."]


def test_empty_text_has_no_paragraphs_or_sentences():
    assert split_paragraphs("") == []
    assert split_sentences(" \n\n\t") == []


def test_span_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Span(0, 1, "a").start = 2  # type: ignore[misc]


# Sentences: basic boundaries


def test_period_before_capital_splits():
    assert sentence_texts("Er kam um 3 Uhr. Dann ging er.") == ["Er kam um 3 Uhr.", "Dann ging er."]


def test_question_and_exclamation_marks_split_once_per_run():
    assert sentence_texts("Was?! Das kann nicht sein! Oder?") == ["Was?!", "Das kann nicht sein!", "Oder?"]


def test_lowercase_after_period_does_not_split():
    assert sentence_texts("Er besuchte t3n.de. danach nichts.") == ["Er besuchte t3n.de. danach nichts."]


def test_digit_after_period_splits():
    assert sentence_texts("Es war spät. 300 Server fehlten.") == ["Es war spät.", "300 Server fehlten."]


def test_opening_bracket_after_period_splits():
    text = "Parler: Apps weg, Website offline. (Bild: Viewimage / Shutterstock.com)"
    assert sentence_texts(text) == ["Parler: Apps weg, Website offline.", "(Bild: Viewimage / Shutterstock.com)"]


def test_sentence_offsets_point_into_the_whole_text():
    text = "  Titel  \n\n\u00a0\nErster Satz. Zweiter Satz.\r\nDritter."
    assert split_sentences(text) == [
        Span(2, 7, "Titel"),
        Span(13, 25, "Erster Satz."),
        Span(26, 39, "Zweiter Satz."),
        Span(41, 49, "Dritter."),
    ]


# Sentences: paragraphs and headings


def test_heading_without_punctuation_is_one_sentence():
    text = "Das ist Parler\nParler ist ein Netzwerk. Es wächst."
    assert sentence_texts(text) == ["Das ist Parler", "Parler ist ein Netzwerk.", "Es wächst."]


def test_sentence_never_crosses_a_line_break():
    assert sentence_texts("Satz ohne Ende\nnoch klein geschrieben.") == [
        "Satz ohne Ende",
        "noch klein geschrieben.",
    ]


# Sentences: abbreviations


def test_title_before_name_does_not_split():
    assert sentence_texts("Dr. Müller sagt.") == ["Dr. Müller sagt."]
    assert sentence_texts("Dr. Müller sagt. Prof. Meier schweigt.") == ["Dr. Müller sagt.", "Prof. Meier schweigt."]


@pytest.mark.parametrize("abbreviation", ABBREVIATIONS)
def test_abbreviation_before_capital_does_not_split(abbreviation):
    text = f"Laut Bericht {abbreviation} Amazon hat reagiert."
    assert sentence_texts(text) == [text]


@pytest.mark.parametrize("abbreviation", ["z. B.", "u. a.", "d. h.", "z.B.", "u.a."])
def test_abbreviation_with_or_without_inner_space_does_not_split(abbreviation):
    text = f"Konzerne wie {abbreviation} Amazon reagierten."
    assert sentence_texts(text) == [text]


def test_capitalised_abbreviation_opens_a_sentence():
    assert sentence_texts("Er ging. Z. B. Amazon blieb.") == ["Er ging.", "Z. B. Amazon blieb."]


def test_minutes_of_reading_time_stay_together():
    assert sentence_texts("3 Min. Lesezeit") == ["3 Min. Lesezeit"]


def test_number_after_abbreviation_does_not_split():
    assert sentence_texts("Es kostet ca. 300 Euro. Siehe Nr. 5 im Anhang.") == [
        "Es kostet ca. 300 Euro.",
        "Siehe Nr. 5 im Anhang.",
    ]


def test_us_is_not_an_abbreviation():
    assert sentence_texts("Parler sitzt in den US. Dann kam Amazon.") == ["Parler sitzt in den US.", "Dann kam Amazon."]


def test_abbreviation_inside_a_longer_word_still_splits():
    assert sentence_texts("Er sah einen Orca. Dann tauchte er.") == ["Er sah einen Orca.", "Dann tauchte er."]


def test_closing_quote_after_abbreviation_splits():
    text = "„Wir bieten Hosting, Speicher usw.“ Danach schwieg er."
    assert sentence_texts(text) == ["„Wir bieten Hosting, Speicher usw.“", "Danach schwieg er."]


def test_initial_does_not_split():
    assert sentence_texts("John F. Kennedy war Präsident. Er starb 1963.") == [
        "John F. Kennedy war Präsident.",
        "Er starb 1963.",
    ]


# Sentences: ordinal numbers


@pytest.mark.parametrize(
    "text",
    [
        "Der Angriff am 6. Januar war geplant.",
        "Ein Marsch am 19. Januar – der Tag vor der Amtseinführung.",
        "Das geschah am 6. Jan. 2021 in Washington.",
        "Sie kamen am 6. und 7. Januar.",
        "Wir leben im 21. Jahrhundert.",
        "Er scheiterte zum 2. Mal.",
    ],
)
def test_ordinal_number_does_not_split(text):
    assert sentence_texts(text) == [text]


def test_year_at_sentence_end_splits():
    assert sentence_texts("Das war im Jahr 2020. Danach kam 2021.") == ["Das war im Jahr 2020.", "Danach kam 2021."]


def test_small_number_at_sentence_end_splits():
    assert sentence_texts("Die Zahl stieg auf 3. Dann fiel sie.") == ["Die Zahl stieg auf 3.", "Dann fiel sie."]


# Sentences: quotes and ellipses


def test_quote_marks_alone_do_not_split():
    text = "Amazon hat dabei „98 Posts“ gefunden, die „klar zu Gewalt aufrufen“."
    assert sentence_texts(text) == [text]


def test_sentence_ending_inside_quote_splits_after_closing_quote():
    text = "Das sei „nicht möglich, Gewalt zu fördern oder anstacheln.“ So müsse Parler handeln."
    assert sentence_texts(text) == [
        "Das sei „nicht möglich, Gewalt zu fördern oder anstacheln.“",
        "So müsse Parler handeln.",
    ]


@pytest.mark.parametrize("text", ["„Hallo!“, sagte er.", "„Warum?“ fragte er.", "„Wir gehen.“ so Matze."])
def test_quoted_exclamation_followed_by_attribution_does_not_split(text):
    assert sentence_texts(text) == [text]


def test_opening_quote_after_period_splits():
    assert sentence_texts('Er sagte "Nein." "Ja", sagte sie.') == ['Er sagte "Nein."', '"Ja", sagte sie.']
    assert sentence_texts("Er ging. “Hallo”, sagte sie.") == ["Er ging.", "“Hallo”, sagte sie."]
    assert sentence_texts("Er ging. „Hallo“, sagte sie.") == ["Er ging.", "„Hallo“, sagte sie."]


def test_ellipsis_before_capital_splits():
    assert sentence_texts("Er zögerte... Dann ging er.") == ["Er zögerte...", "Dann ging er."]
    assert sentence_texts("Er zögerte … Dann ging er.") == ["Er zögerte …", "Dann ging er."]


def test_ellipsis_before_lowercase_does_not_split():
    assert sentence_texts("Er zögerte … dann ging er.") == ["Er zögerte … dann ging er."]


def test_omission_mark_in_quote_does_not_split():
    text = "„Wir werden […] Server bereitstellen“, sagte er."
    assert sentence_texts(text) == [text]


# The real corpus


@pytest.fixture(params=sorted(SENTENCES_PER_FILE), name="raw_name")
def fixture_raw_name(request):
    return request.param


def test_corpus_file_has_pinned_sentence_count(raw_name):
    assert len(split_sentences(read_raw(raw_name))) == SENTENCES_PER_FILE[raw_name]


def test_corpus_paragraphs_are_the_stripped_non_blank_lines(raw_name):
    text = read_raw(raw_name)
    expected = [line.strip() for line in text.splitlines() if line.strip()]
    assert [p.text for p in split_paragraphs(text)] == expected


def test_corpus_spans_are_exact_sorted_disjoint_and_stripped(raw_name):
    text = read_raw(raw_name)
    for spans in (split_paragraphs(text), split_sentences(text)):
        assert spans
        for span in spans:
            assert text[span.start : span.end] == span.text
            assert span.text and span.text == span.text.strip()
        for before, after in zip(spans, spans[1:], strict=False):
            assert before.end < after.start


def test_corpus_sentences_tile_their_paragraphs(raw_name):
    text = read_raw(raw_name)
    paragraphs = split_paragraphs(text)
    starts = [p.start for p in paragraphs]
    by_paragraph: dict[int, list[Span]] = {}
    for sentence in split_sentences(text):
        index = bisect.bisect_right(starts, sentence.start) - 1
        paragraph = paragraphs[index]
        assert paragraph.start <= sentence.start < sentence.end <= paragraph.end
        by_paragraph.setdefault(index, []).append(sentence)
    assert sorted(by_paragraph) == list(range(len(paragraphs)))
    for index, sentences in by_paragraph.items():
        paragraph = paragraphs[index]
        assert sentences[0].start == paragraph.start and sentences[-1].end == paragraph.end
        for before, after in zip(sentences, sentences[1:], strict=False):
            assert text[before.end : after.start].isspace()
        non_blank = "".join(paragraph.text.split())
        assert "".join("".join(s.text.split()) for s in sentences) == non_blank


def test_corpus_date_ordinals_stay_inside_their_sentence():
    clouddienst = sentence_texts(read_raw("002-clouddienst.txt"))
    assert [s for s in clouddienst if "am 6. Januar" in s] == [
        "Der Angriff auf das US-Kapitol in Washington am 6. Januar sei auch über Apps wie Parler, Gab, "
        '"thedonald" oder 8kun organisiert worden, berichten US-amerikanische und internationale Medien.'
    ]
    ausschliessen = sentence_texts(read_raw("003-ausschliessen.txt"))
    (marsch,) = [s for s in ausschliessen if "am 19. Januar" in s]
    assert marsch.startswith("Sich selbst als")
    assert marsch.endswith("am 19. Januar an – der Tag vor der Amtseinführung des neu gewählten Präsidenten Joe Biden.")


def test_corpus_quotes_and_abbreviations_in_t3n_article():
    sentences = sentence_texts(read_raw("000-kein-hoster.txt"))
    assert "3 Min. Lesezeit" in sentences
    (posts,) = [s for s in sentences if "„98 Posts“" in s]
    assert posts.startswith("Offenbar hatte") and posts.endswith("„klar zu Gewalt aufrufen“.")
    end = next(i for i, s in enumerate(sentences) if s.endswith("fördern oder anstacheln.“"))
    assert sentences[end + 1].startswith("So müsse Parler als „sehr reale Gefahr")


def test_corpus_quote_of_two_sentences_splits_inside_the_quote():
    sentences = sentence_texts(read_raw("002-clouddienst.txt"))
    start = sentences.index('"Die großen Techfirmen haben bisher Repressalien gefürchtet seitens der Republikaner.')
    assert sentences[start + 1] == 'Und sie wollten auch die Verantwortung nicht übernehmen."'


# sentences_frame


def test_sentences_frame_numbers_paragraphs_and_sentences_per_article():
    frame = sentences_frame({"a": "Titel\n\nEins. Zwei.", "b": "Nur ein Satz."})
    assert list(frame.columns) == COLUMNS
    assert frame.to_dict("records") == [
        {"article_id": "a", "paragraph": 0, "sentence": 0, "start": 0, "end": 5, "text": "Titel"},
        {"article_id": "a", "paragraph": 1, "sentence": 1, "start": 7, "end": 12, "text": "Eins."},
        {"article_id": "a", "paragraph": 1, "sentence": 2, "start": 13, "end": 18, "text": "Zwei."},
        {"article_id": "b", "paragraph": 0, "sentence": 0, "start": 0, "end": 13, "text": "Nur ein Satz."},
    ]


def test_sentences_frame_of_nothing_has_the_columns():
    frame = sentences_frame({})
    assert list(frame.columns) == COLUMNS and frame.empty
    assert str(frame["start"].dtype) == "int64"


def test_sentences_frame_rows_match_split_sentences():
    text = read_raw("004-mails-november.txt")
    frame = sentences_frame({"004": text})
    assert list(frame["text"]) == sentence_texts(text)
    assert all(text[row.start : row.end] == row.text for row in frame.itertuples())


# Robustness (speed targets live in bench/, not in timed unit tests)


@pytest.mark.parametrize(
    "text",
    ["." * 200_000 + "x", "a. " * 100_000, "„" * 100_000, ".“" * 100_000 + " A", "x" + " " * 200_000 + "y"],
    ids=["dots", "short-sentences", "quotes", "closing-quotes", "spaces"],
)
def test_pathological_input_segments_without_error(text):
    spans = split_sentences(text)
    assert all(text[s.start : s.end] == s.text and s.text.strip() for s in spans)


def test_thousand_corpus_sized_articles_segment_alike():
    texts = [read_raw(name) for name in SENTENCES_PER_FILE]
    articles = {f"article-{i}": texts[i % len(texts)] for i in range(1000)}
    frame = sentences_frame(articles)
    assert len(frame) == 200 * sum(SENTENCES_PER_FILE.values())
