"""Annotated article HTML: escaping, overlapping marks, offsets, legend."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pandas as pd
import pytest

from helpers.present.highlight import PALETTE, code_colours, highlight_html

VOID_TAGS = {"br", "hr", "img", "meta", "input", "wbr"}


class Reader(HTMLParser):
    """Check that tags balance; collect the article's visible text and the text inside each mark, by title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.text_depth: int | None = None
        self.visible: list[str] = []
        self.marked: dict[str, str] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in VOID_TAGS:
            return
        attrs = dict(attrs)
        self.stack.append((tag, attrs))
        if "pc-text" in (attrs.get("class") or "").split():
            self.text_depth = len(self.stack)

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        opened, _ = self.stack.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if self.text_depth is not None and len(self.stack) < self.text_depth:
            self.text_depth = None

    def handle_data(self, data):
        if self.text_depth is None:
            return
        self.visible.append(data)
        for tag, attrs in self.stack:
            if tag == "mark":
                self.marked[attrs["title"]] = self.marked.get(attrs["title"], "") + data


def read(markup: str) -> Reader:
    reader = Reader()
    reader.feed(markup)
    reader.close()
    assert not reader.stack, f"unclosed tags: {reader.stack}"
    return reader


def spans(*rows: tuple[int, int, str], **columns) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["start", "end", "code"])
    return table.assign(**columns)


TEXT = "Amazon schaltet Parler ab\n\nDer Hoster sagt: „Wir beenden das.“ Parler-Chef John Matze widerspricht."


def test_article_text_is_escaped():
    text = "Titel\n\nDer Text enthält <script>alert(1)</script> & „Zitat“."
    start = text.index("Text")
    markup = highlight_html(text, spans((start, start + 4, "x")), title="<b>Titel</b>")
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in markup
    assert "&lt;b&gt;Titel&lt;/b&gt;" in markup
    assert "".join(read(markup).visible) == text


def test_codes_and_titles_are_escaped_in_attributes():
    markup = highlight_html("abc def", spans((0, 3, 'x" onmouseover="alert(1)')))
    assert 'onmouseover="alert' not in markup
    assert read(markup).marked == {'x" onmouseover="alert(1)': "abc"}


def test_without_spans_the_text_is_plain_paragraphs():
    markup = highlight_html(TEXT, spans())
    assert "<mark" not in markup and "pc-legend" not in markup
    assert markup.count("<p") == 2
    assert "".join(read(markup).visible) == TEXT


def test_marks_cover_exactly_their_offsets():
    matze = TEXT.index("John Matze")
    table = spans((16, 22, "parler"), (0, 6, "amazon"), (matze, matze + 10, "john_matze"))
    reader = read(highlight_html(TEXT, table))
    assert reader.marked == {"parler": "Parler", "amazon": "Amazon", "john_matze": "John Matze"}
    assert "".join(reader.visible) == TEXT


@pytest.mark.parametrize("rows", [
    [(0, 15, "a"), (7, 22, "b")],                       # crossing
    [(0, 25, "outer"), (7, 15, "inner")],               # nested
    [(0, 25, "one"), (0, 25, "two")],                   # identical
    [(0, 6, "a"), (0, 15, "b"), (7, 22, "c"), (16, 25, "d")],  # chains
    [(10, 40, "across"), (20, 30, "inside")],           # crosses the paragraph break
])
def test_overlapping_spans_give_balanced_tags_and_the_original_text(rows):
    markup = highlight_html(TEXT, spans(*rows))
    reader = read(markup)  # asserts every tag is closed in order
    assert "".join(reader.visible) == TEXT
    for start, end, code in rows:
        expected = TEXT[start:end].replace("\n\n", "")  # the paragraph gap sits outside the marks
        assert reader.marked[code] == expected


def test_titles_carry_speaker_and_attribution():
    quote = spans((44, 60, "direct_quote"), speaker="amazon", layer="quotes")
    assert "direct_quote (speaker: amazon)" in read(highlight_html(TEXT, quote)).marked
    labels = spans((16, 22, "social_network"), (63, 69, "platform"), attributed_to=["", "john_matze"],
                   layer="labels")
    assert set(read(highlight_html(TEXT, labels)).marked) == {
        "social_network (asserted by the outlet)", "platform (attributed to: john_matze)"}


def test_coder_shows_in_the_title_when_spans_come_from_several_coders():
    table = spans((0, 6, "amazon"), (0, 6, "amazon"), coder=["coder_a", "detector"])
    assert set(read(highlight_html(TEXT, table)).marked) == {"amazon (coder: coder_a)", "amazon (coder: detector)"}


def test_label_column_chooses_the_label():
    table = spans((0, 6, "amazon")).assign(kind="company")
    markup = highlight_html(TEXT, table, label_column="kind")
    assert set(read(markup).marked) == {"company"}
    assert 'class="pc-company"' in markup


def test_legend_lists_each_code_once_in_order_of_appearance():
    markup = highlight_html(TEXT, spans((16, 22, "parler"), (0, 6, "amazon"), (61, 67, "parler")))
    legend = markup[markup.index("pc-legend"):markup.index("pc-text")]
    assert legend.index(">amazon</mark> 1") < legend.index(">parler</mark> 2")
    assert legend.count("parler") == 3  # class, title and text of its one entry


def test_colours_follow_the_given_code_order_in_every_article():
    colours = code_colours(["parler", "amazon", "apple"])
    assert colours == {"parler": PALETTE[0], "amazon": PALETTE[1], "apple": PALETTE[2]}
    first = highlight_html(TEXT, spans((0, 6, "amazon")), colours=colours)
    second = highlight_html("Apple und Amazon", spans((10, 16, "amazon"), (0, 5, "apple")), colours=colours)
    for markup in (first, second):
        assert f"border-bottom:3px solid {PALETTE[1]}" in markup
        assert PALETTE[0] not in markup  # parler is not in view
    assert f"solid {PALETTE[2]}" in second


def test_codes_in_view_get_distinct_colours_by_default():
    markup = highlight_html(TEXT, spans(*((i, i + 2, f"code{i:02d}") for i in range(0, 24, 2))))
    assert all(colour in markup for colour in PALETTE[:12])


def test_nested_marks_stack_their_underlines():
    markup = highlight_html(TEXT, spans((0, 25, "outer"), (7, 15, "inner")))
    inner = markup.index(">schalte")
    segment = markup[markup.rindex("</mark>", 0, inner) + len("</mark>"):inner]  # the marks opened for "schalte"
    assert segment.count("<mark") == 2
    assert "padding:0 0 3px 0" in segment and "padding:0 0 0px 0" in segment


@pytest.mark.parametrize("start, end", [(-1, 3), (5, 5), (10, 4), (0, len(TEXT) + 1)])
def test_offsets_outside_the_text_are_refused(start, end):
    with pytest.raises(ValueError, match="not inside the text"):
        highlight_html(TEXT, spans((start, end, "x")))


def test_unescaped_visible_text_round_trips_with_a_plain_regex():
    import re
    markup = highlight_html(TEXT + " <i>&amp;</i>", spans((0, 6, "a"), (3, 20, "b")))
    body = markup[markup.index('<div class="pc-text"'):]
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == TEXT + " <i>&amp;</i>"
