"""Properties that must hold for any text: cleaning keeps its map to raw, spans match their text, HTML round-trips.

Hypothesis draws arbitrary Unicode (newlines, \\r, NUL, quotes, combining marks, emoji) and German-looking text
built from news words and punctuation, since most branches of the segmenter and detectors only wake up on those.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers.analyse.kwic import kwic
from helpers.annotate.annotations import ANNOTATION_COLUMNS, load_codebook
from helpers.annotate.detect import detect_all
from helpers.corpus.articles import corpus_dir, rules_path
from helpers.present.highlight import highlight_html
from helpers.text.clean import clean_text, load_rules
from helpers.text.segment import split_paragraphs, split_sentences

RULES = load_rules(rules_path(corpus_dir()))
CODEBOOK = load_codebook()

# fmt: off
# Characters that mean something to a cleaner, a segmenter, a quote finder or an HTML page.
TRICKY_CHARS = (
    "\n", "\r", "\r\n", "\n\n", "\t", " ", "\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\u00a0",
    "\ufeff", "\u200b", ".", "...", "…", "!", "?", ",", ":", ";", "-", "–", "(", ")", "[", "]",
    "„", "“", "”", '"', "'", "‘", "’", "‚", "»", "«", "<", ">", "&", "&amp;", "</script>", "<b>",
    "0", "1", "6.", "21.", "2021", "a\u0301", "e\u0308", "\u0301", "ß", "ẞ", "İ", "ﬁ", "😀", "👩‍💻", "🇩🇪",
)
GERMAN_WORDS = (
    "Parler", "Amazon", "AWS", "Apple", "Google", "Twitter", "John", "Matze", "Mazte", "Matzke", "Trump",
    "der", "die", "das", "den", "dem", "am", "im", "zum", "Dr.", "z.B.", "z. B.", "bzw.", "usw.", "F.",
    "Januar", "Jan.", "Server", "Plattform", "Netzwerk", "soziale", "rechte", "Hassrede", "Gewalt",
    "sagt", "sagte", "erklärte", "teilte", "mit", "so", "CEO", "Chef", "Sprecher", "Anwälte",
    "schaltet", "ab", "abgeschaltet", "Kapitol", "Sturm", "Anzeige", "News", "Artikel merken", "(tiw)",
    "date 2021-01-10", "3 Min. Lesezeit", "(Foto: dpa)", "sei", "habe", "würde", "Parler-Chef", "AWS-Anwälte",
    # phrases the label and fact cues of the codebook look for
    "soziale Netzwerk", "rechte Plattform", "Twitter-Alternative", "umstrittene", "Plattform für Rechtsextreme",
    "98 Posts", "zehn Millionen Nutzer", "Sturm auf das Kapitol", "aus dem App Store entfernt", "gesperrt",
    "um Mitternacht", "Rechenzentren", "Monopol über die freie Rede", "seit Monaten", "im November 2020",
    "BuzzFeed News berichtete", "Rebekah Mercer finanziert", "300 bis 500 Server", "Nutzungsbedingungen verletzt",
)
# Every spelling and plain frame cue of the project's codebook, so the detectors' own vocabulary turns up.
CODEBOOK_WORDS = tuple(sorted(
    {spelling for spellings in CODEBOOK.actor_spellings().values() for spelling in spellings}
    | {cue for cues in CODEBOOK.codes["frames"]["cues"] for cue in cues}
))
# fmt: on

PUNCTUATION = (" ", " ", " ", ". ", ", ", ": ", "! ", "? ", " „", "“ ", ' "', '" ', " »", "« ", "\n", "\n\n", "\r\n")

german_text = st.lists(st.sampled_from(GERMAN_WORDS + CODEBOOK_WORDS + PUNCTUATION + TRICKY_CHARS),
                       max_size=60).map("".join)



@pytest.fixture(autouse=True)
def _no_word_cache_writes(monkeypatch):
    """Keep generated nonsense words out of the user's simplemma answer cache."""
    from helpers.text import german

    monkeypatch.setattr(german, "save", lambda: None)

@st.composite
def german_sentence(draw) -> str:
    """Draw a sentence: words, a terminator, sometimes quoted speech with a reporting verb around it."""
    words = draw(st.lists(st.sampled_from(GERMAN_WORDS + CODEBOOK_WORDS), min_size=1, max_size=12))
    body = " ".join(words)
    body = body[:1].upper() + body[1:]
    end = draw(st.sampled_from([".", "!", "?", "…", "...", ""]))
    opening, closing = draw(st.sampled_from([("", ""), ("„", "“"), ("»", "«"), ('"', '"'), ("“", "”")]))
    speaker = draw(st.sampled_from(["", ", sagte Matze.", ", so der Sprecher.", " erklärte AWS."]))
    if opening and draw(st.booleans()):
        return f"{draw(st.sampled_from(['Matze sagte: ', 'Amazon erklärte: ', '']))}{opening}{body}{end}{closing}"
    return f"{opening}{body}{end}{closing}{speaker}"


german_article = st.lists(st.tuples(german_sentence(), st.sampled_from([" ", " ", "\n\n", "\n", "  "])),
                          max_size=10).map(lambda parts: "".join(s + sep for s, sep in parts))
tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY_CHARS), st.text(max_size=3)), max_size=40).map("".join)
any_text = st.one_of(st.text(), tricky_text, german_text, german_article)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_spans(text, spans) -> None:
    """Assert spans are non-empty, inside text, sorted, non-overlapping and carry their own text."""
    previous_end = 0
    for span in spans:
        assert previous_end <= span.start < span.end <= len(text), (span, previous_end, len(text))
        assert span.text == text[span.start:span.end]
        previous_end = span.end


# --- helpers.text.clean -----------------------------------------------------------------------------------------

def check_clean(raw: str, title: str):
    """Assert the cleaning map: pieces copy raw, to_raw stays in bounds and never goes back, removals are raw."""
    cleaned = clean_text(raw, title, RULES)
    text = cleaned.text
    for clean_start, raw_start, length in cleaned.pieces:
        assert length > 0
        assert text[clean_start:clean_start + length] == raw[raw_start:raw_start + length]
    positions = [cleaned.to_raw(i) for i in range(len(text) + 1)]
    assert all(0 <= p <= len(raw) for p in positions)
    assert positions == sorted(positions), "to_raw must never go backwards"
    for removal in cleaned.removals:
        assert raw[removal.raw_start:removal.raw_end] == removal.text
    with pytest.raises(IndexError):
        cleaned.to_raw(len(text) + 1)
    return cleaned


@PROPERTY_SETTINGS
@given(raw=any_text, title=st.one_of(st.just(""), any_text, st.sampled_from(["Parler", "Amazon schaltet Parler ab"])))
def test_clean_text_maps_every_offset_back_to_raw(raw, title):
    check_clean(raw, title)


@PROPERTY_SETTINGS
@given(kicker=st.one_of(german_text, st.text(max_size=5)), title=st.one_of(german_text, st.text(min_size=1)),
       rest=any_text)
def test_clean_text_maps_a_kicker_glued_to_the_headline(kicker, title, rest):
    cleaned = check_clean(f"{kicker}{title}\n{rest}", title)
    for removal in cleaned.removals:
        if removal.rule == "kicker_split":  # the kicker is kept, separated from the headline
            assert removal.action == "split" and removal.text in cleaned.text


# --- helpers.text.segment ---------------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(text=any_text)
def test_paragraphs_and_sentences_are_ordered_spans_of_the_text(text):
    paragraphs = split_paragraphs(text)
    sentences = split_sentences(text)
    check_spans(text, paragraphs)
    check_spans(text, sentences)
    for sentence in sentences:  # a sentence never crosses a paragraph boundary
        assert any(p.start <= sentence.start and sentence.end <= p.end for p in paragraphs)


# --- helpers.annotate.detect ----------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text)
def test_detectors_return_spans_of_the_text(text):
    found = detect_all({"x": text}, CODEBOOK)
    assert list(found.columns) == ANNOTATION_COLUMNS
    for row in found.itertuples():
        assert 0 <= row.start < row.end <= len(text), row
        assert row.span == text[row.start:row.end], row


# --- helpers.analyse.kwic ------------------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(text=any_text, needle=st.one_of(st.text(min_size=1, max_size=5), st.sampled_from(GERMAN_WORDS)),
       case=st.booleans())
def test_kwic_hits_are_the_text_at_their_offsets(text, needle, case):
    articles = pd.DataFrame({"article_id": ["x"], "outlet": ["o"], "clean_text": [text]})
    hits = kwic(articles, re.escape(needle), width=20, case=case)
    for row in hits.itertuples():
        assert text[row.start:row.end] == row.hit
        assert len(row.left) <= 20 and len(row.right) <= 20
    if case:
        assert len(hits) == len(re.findall(re.escape(needle), text))


@PROPERTY_SETTINGS
@given(text=german_text, needle=st.sampled_from(GERMAN_WORDS))
def test_kwic_finds_words_that_occur(text, needle):
    text = f"{text} {needle} {text}"
    hits = kwic(pd.DataFrame({"article_id": ["x"], "outlet": ["o"], "clean_text": [text]}), re.escape(needle))
    assert len(hits) >= 1
    assert all(text[row.start:row.end] == row.hit for row in hits.itertuples())


# --- helpers.present.highlight -------------------------------------------------------------------------------------

class _Balance(HTMLParser):
    """Check that tags balance and collect the data inside the text block."""

    VOID = {"br", "hr", "img", "meta", "input", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"</{tag}> does not close the last open tag"


@st.composite
def text_and_spans(draw):
    """Draw a text and 0-6 spans with 0 <= start < end <= len(text), labels arbitrary."""
    text = draw(any_text.filter(bool))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        rows.append((start, end, draw(st.one_of(st.sampled_from(["parler", "amazon"]), st.text(max_size=8)))))
    return text, pd.DataFrame(rows, columns=["start", "end", "code"])


@PROPERTY_SETTINGS
@given(case=text_and_spans(), title=st.one_of(st.just(""), any_text))
# Found by hypothesis in a fresh clone: a label that is the kit's own closing tag, on a span nested in another.
@example(case=("0", pd.DataFrame({"start": [0, 0], "end": [1, 1], "code": ["parler", "</mark>"]})), title="")
def test_highlight_html_strips_back_to_the_text(case, title):
    text, spans = case
    markup = highlight_html(text, spans, title=title)
    # The property of the module's docstring: strip the tags from the text block, unescape, get the text.
    body = markup[markup.index('<div class="pc-text"'):]
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text
    parser = _Balance()
    parser.feed(markup)
    parser.close()
    assert not parser.stack, f"unclosed tags: {parser.stack}"
    for label in spans["code"]:  # labels only reach the page escaped, in the legend (">label</mark>")
        if "<" in label:  # (the label "</mark>" itself may sit beside nested marks' own closing tags)
            assert f">{label}</mark>" not in markup
            assert any(f">{shown}</mark>" in markup for shown in (html.escape(label), html.escape(label, quote=False)))
