"""Hostile text is shown as text everywhere: markup in an article, title or outlet never becomes markup.

The fixture corpus tests/fixtures/hostile/ holds one made-up article whose text, title and outlet carry
script tags, an <img> with an onerror handler, a closing </textarea> and template braces. Every view that
produces HTML must escape them, and every chart must carry them as data that cannot close its <script>.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from helpers.analyse.kwic import kwic
from helpers.annotate.annotations import ANNOTATION_COLUMNS
from helpers.annotate.detect import detect_all
from helpers.corpus import load_articles, outlets_of, removals
from helpers.present import charts, widgets
from helpers.present.charts import kwic_chart
from helpers.present.highlight import highlight_html

HOSTILE_DIR = Path(__file__).parent / "fixtures" / "hostile"
# Tags the fixture smuggles in; none of the views ever writes them itself.
SMUGGLED_TAGS = {"script", "img", "textarea", "i", "svg"}
IN_TEXT = ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", "</textarea>", "{{ template }}"]
IN_TITLE = "<b>bold</b>"
IN_OUTLET = "<i>Outlet</i>"


class Page(HTMLParser):
    """Collect the tags a browser would build and the text it would show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    return page


def assert_shown_as_text(markup: str, *shown: str) -> None:
    """Assert no smuggled tag is built and each of `shown` reaches the reader as text."""
    page = parse(markup)
    assert not SMUGGLED_TAGS & set(page.tags), f"markup from the data became tags: {SMUGGLED_TAGS & set(page.tags)}"
    lowered = markup.lower()
    for raw in ("<script", "<img", "</textarea", "<i>", IN_TITLE, "</script"):
        assert raw not in lowered, f"{raw!r} reached the HTML unescaped"
    visible = "".join(page.text)
    for text in shown:
        assert text in visible, f"{text!r} is not shown as text"


@pytest.fixture(scope="module")
def hostile() -> pd.DataFrame:
    return load_articles(HOSTILE_DIR)


@pytest.fixture(scope="module")
def hostile_text(hostile) -> str:
    return hostile["clean_text"].iloc[0]


@pytest.fixture(scope="module")
def outlets(hostile) -> list[str]:
    return outlets_of(hostile)


def test_fixture_carries_the_hostile_strings(hostile, hostile_text):
    raw = (HOSTILE_DIR / "raw" / "hostile.txt").read_text(encoding="utf-8")
    assert raw.startswith("FIXTURE")
    assert "Parler" in hostile_text and "abgeschaltet" in hostile_text
    for text in IN_TEXT:
        assert text in hostile_text  # cleaning keeps them: they are article text
    assert IN_TITLE in hostile["display_title"].iloc[0]
    assert IN_OUTLET in hostile["outlet"].iloc[0]


def test_reader_escapes_title_text_and_meta(hostile, hostile_text):
    row = hostile.iloc[0]
    markup = widgets.reader_html(row["display_title"], hostile_text, f"{row['outlet']} · 2021-01-10")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup and "&lt;b&gt;bold&lt;/b&gt;" in markup
    assert_shown_as_text(markup, *IN_TEXT, IN_TITLE, IN_OUTLET)


def test_overview_tables_escape(hostile):
    table = widgets.overview_table(hostile, removals(hostile))
    for markup in (widgets.table_html(table), widgets.text_table(table).data):
        assert "&lt;b&gt;bold&lt;/b&gt;" in markup and "&lt;i&gt;Outlet&lt;/i&gt;" in markup
        assert_shown_as_text(markup, IN_TITLE, IN_OUTLET)


def test_text_table_of_the_article_text_escapes(hostile):
    markup = widgets.text_table(hostile[["article_id", "title", "clean_text"]]).data
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert_shown_as_text(markup, *IN_TEXT, IN_TITLE)


def hand_made_annotations(text: str) -> pd.DataFrame:
    """Two spans over the markup, with a speaker and a code that are markup too."""
    rows = []
    for needle, code in ((IN_TEXT[0], "direct_quote"), (IN_TEXT[1], "direct_quote"), ("Parler", "parler")):
        start = text.index(needle)
        rows.append({"article_id": "hostile", "layer": "quotes", "code": code, "start": start,
                     "end": start + len(needle), "span": needle, "speaker": '<svg onload=alert(3)>"',
                     "attributed_to": "", "note": "", "coder": "coder_a", "is_variant": False})
    return pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)


def test_evidence_html_escapes_text_spans_and_titles(hostile, hostile_text, outlets):
    annotations = hand_made_annotations(hostile_text)
    markup = widgets.evidence_html(annotations, hostile, "quotes", "direct_quote", outlets)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in markup
    assert 'title="direct_quote (speaker: &lt;svg onload=alert(3)&gt;&quot;)"' in markup
    assert_shown_as_text(markup, *IN_TEXT, IN_TITLE, IN_OUTLET)
    assert markup.count("<mark") >= 2  # the spans are highlighted, not lost


def test_evidence_html_of_a_hostile_code_escapes_it(hostile, hostile_text, outlets):
    annotations = hand_made_annotations(hostile_text).assign(code="<img src=x onerror=alert(4)>")
    markup = widgets.evidence_html(annotations, hostile, "quotes", "<img src=x onerror=alert(4)>", outlets)
    assert_shown_as_text(markup, "<img src=x onerror=alert(4)>", *IN_TEXT)
    missing = widgets.evidence_html(annotations.iloc[0:0], hostile, "quotes", "<img src=x onerror=alert(5)>", outlets)
    assert_shown_as_text(missing, "<img src=x onerror=alert(5)>")


def test_detector_spans_highlight_escaped(hostile, hostile_text, codebook):
    found = detect_all({"hostile": hostile_text}, codebook)
    assert not found.empty  # Parler, Amazon Web Services and the quote give the detectors something to find
    markup = highlight_html(hostile_text, found, title=hostile["display_title"].iloc[0])
    assert_shown_as_text(markup, *IN_TEXT, IN_TITLE)


def test_highlight_html_escapes(hostile, hostile_text):
    spans = hand_made_annotations(hostile_text)
    markup = highlight_html(hostile_text, spans, title=hostile["display_title"].iloc[0])
    assert "<h3>Parler-Test &lt;b&gt;bold&lt;/b&gt;" in markup
    assert_shown_as_text(markup, *IN_TEXT, IN_TITLE)


def test_kwic_html_escapes_hits_and_context(hostile, hostile_text, outlets):
    hits = kwic(hostile, "alert")
    assert len(hits) == 4  # title, script, img handler, ${alert(2)}
    assert all(hostile_text[row.start:row.end] == row.hit for row in hits.itertuples())
    markup = widgets.kwic_html(hostile, "alert", outlets)
    assert "&lt;img src=x onerror=" in markup
    assert_shown_as_text(markup, "<img src=x onerror=", "<script>", IN_OUTLET)


@pytest.mark.parametrize("pattern, shown", [
    ("<img src=x", "<img src=x"),                                # a hit
    ("<script>(", "'<script>(' is not a valid regular expression"),  # an invalid regex, named in the message
    ("<svg onload=alert(1)>", "No hits for <svg onload=alert(1)>"),  # no hit
])
def test_kwic_html_escapes_the_pattern(hostile, outlets, pattern, shown):
    markup = widgets.kwic_html(hostile, pattern, outlets)
    assert_shown_as_text(markup, shown)
    assert "<svg" not in markup


def test_explorer_widgets_show_markup_as_text(hostile, outlets):
    explorer = widgets.corpus_explorer(hostile, removals(hostile))
    sources, right = explorer.children
    for box, outlet in zip(sources.checkboxes, outlets, strict=True):
        assert box.description == outlet and not box.description_allow_html  # the label is shown as text
    table, _picker, reader = right.children
    assert_shown_as_text(table.value, IN_TITLE, IN_OUTLET)
    assert_shown_as_text(reader.value, *IN_TEXT, IN_TITLE, IN_OUTLET)
    box = widgets.kwic_box(hostile, sources, pattern="onerror")
    assert_shown_as_text(box.children[1].value, "<img src=x", "=alert(1)> und ein Formular endet hier </textarea>")


SPEC_RE = re.compile(r"var spec = (?P<spec>.*?);\n  var options = (?P<options>.*?);\n", re.DOTALL)


def rendered_spec(chart) -> tuple[str, str, dict]:
    """Render a chart offline; return its HTML, the spec as written in the script, and the spec parsed."""
    markup = charts.render_offline(chart.to_dict())["text/html"]
    match = SPEC_RE.search(markup)
    assert match, "render_offline no longer writes 'var spec = …;'"
    return markup, match["spec"], json.loads(match["spec"])


def dataset_values(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def assert_script_cannot_be_closed(markup: str, spec_json: str) -> None:
    assert "<" not in spec_json, "'<' in the embedded spec could close the script element"
    assert "\\u003c" in spec_json  # the hostile strings are there, escaped
    lowered = markup.lower()
    assert lowered.count("</script") == 1 and lowered.rstrip().endswith("</script>")
    assert "<!--" not in markup
    assert not {"img", "textarea", "i", "b", "svg"} & set(parse(markup).tags)


def test_article_lengths_chart_carries_the_title_as_data(hostile, outlets):
    chart = charts.article_lengths(widgets.overview_table(hostile), outlets)
    markup, spec_json, spec = rendered_spec(chart)
    assert_script_cannot_be_closed(markup, spec_json)
    titles = {row["title"] for row in dataset_values(spec)}
    assert titles == {hostile["display_title"].iloc[0]}  # the exact title, as data, after JSON decoding
    assert "</script><script>" in titles.pop()


def test_kwic_chart_carries_the_article_text_as_data(hostile):
    markup, spec_json, spec = rendered_spec(kwic_chart(hostile))
    assert_script_cannot_be_closed(markup, spec_json)
    sentences = " ".join(row["sentence"] for row in dataset_values(spec))
    for text in IN_TEXT:
        assert text in sentences


def hostile_codebook(code: str):
    """A codebook whose quotes layer holds one code with markup in its id and definition."""
    from helpers.annotate.annotations import Codebook

    quotes = pd.DataFrame([{"id": code, "definition": "Quote <script>alert(6)</script>. More.", "include": "",
                            "exclude": "", "example": {}}])
    codes = {layer: pd.DataFrame(columns=["id", "definition"]) for layer in ("actors", "facts", "labels", "frames")}
    return Codebook({**codes, "quotes": quotes}, [], {}, {}, HOSTILE_DIR / "codebook.yaml")


def test_offline_explore_views_escape_text_titles_outlets_and_codes(hostile, hostile_text):
    from helpers.present import explore

    reader = explore.article_reader_html(hostile)
    assert reader.count(explore.READER_SCRIPT) == 1  # the kit's one script, which reads no data
    assert_shown_as_text(reader.replace(explore.READER_SCRIPT, ""), *IN_TEXT, IN_TITLE, IN_OUTLET)
    assert 'data-outlet="Fixture &lt;i&gt;Outlet&lt;/i&gt; &amp; Co"' in reader
    code = "<img src=x onerror=alert(4)>"
    annotations = hand_made_annotations(hostile_text).assign(code=code)
    evidence = explore.evidence_browser_html(annotations, hostile, hostile_codebook(code), "quotes")
    assert_shown_as_text(evidence, *IN_TEXT, IN_TITLE, IN_OUTLET, "Quote <script>alert(6)</script>")
    assert evidence.count("<mark") >= 2 and "(3 spans in 1 article)" in evidence
    settled = pd.DataFrame([{"layer": "<i>quotes</i>", "article_id": "hostile", "measure": "m", "code": code,
                             "text": IN_TEXT[0], "value_a": "1", "value_b": "0", "decision": "coder_a",
                             "reason": IN_TEXT[1]}])
    assert_shown_as_text(explore.disagreements_html(settled), *IN_TEXT[:2], "<i>quotes</i>")
