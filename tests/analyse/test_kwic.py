"""Tests for helpers.analyse.kwic: the Python keyword-in-context search and the offline search chart."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.analyse import kwic as kwic_module
from helpers.analyse.kwic import COLUMNS, kwic, sentence_table, words_pattern
from helpers.corpus import outlets_of, short_names
from helpers.present.charts import (
    MAX_ROWS,
    PAGE_PARAM,
    QUERY_PARAM,
    SOURCES_PARAM,
    bundle_html,
    kwic_chart,
    source_params,
)
from helpers.text.patterns import PatternTimeout, time_limit
from helpers.text.segment import split_sentences

NAME_VARIANTS = "Matze|Mazte|Matzke"  # the corpus spells the Parler CEO's name three ways
RUNAWAY = r"(\w+\s?)*!"  # as a regular expression it backtracks for ever on a long sentence without "!"


def tiny_articles(texts: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Build an articles frame from {article_id: (outlet, clean_text)}."""
    return pd.DataFrame(
        [(article_id, outlet, text) for article_id, (outlet, text) in texts.items()],
        columns=["article_id", "outlet", "clean_text"],
    )


# --- kwic() ------------------------------------------------------------------------------------------------

def test_kwic_finds_every_spelling_of_the_ceo_with_exact_offsets(articles):
    hits = kwic(articles, NAME_VARIANTS)
    assert list(hits.columns) == COLUMNS
    expected = [
        (article_id, match.start(), match.group())
        for article_id, text in zip(articles["article_id"], articles["clean_text"], strict=True)
        for match in re.finditer(NAME_VARIANTS, str(text), re.IGNORECASE)
    ]
    assert len(expected) >= 3
    assert list(zip(hits["article_id"], hits["start"], hits["hit"], strict=True)) == expected
    texts = dict(zip(articles["article_id"], articles["clean_text"].astype(str), strict=True))
    outlets = dict(zip(articles["article_id"], articles["outlet"].astype(str), strict=True))
    for hit in hits.itertuples():
        text = texts[hit.article_id]
        assert text[hit.start:hit.end] == hit.hit
        assert hit.outlet == outlets[hit.article_id]
        assert hit.hit in hit.sentence and hit.sentence in text
        assert hit.sentence in {sentence.text for sentence in split_sentences(text)}
        for context in (hit.left, hit.right):
            assert len(context) <= 60 and "\n" not in context


def test_kwic_context_is_trimmed_to_width_and_shown_on_one_line():
    articles = tiny_articles({"a": ("A", "Erster Absatz endet hier.\n\nAmazon schaltet Parler ab. Danach nichts.")})
    (hit,) = kwic(articles, "parler", width=20).itertuples()
    assert (hit.left, hit.hit, hit.right) == ("er. Amazon schaltet ", "Parler", " ab. Danach nichts.")
    (hit,) = kwic(articles, "parler", width=10).itertuples()
    assert (hit.left, hit.right) == (" schaltet ", " ab. Danac")
    assert hit.sentence == "Amazon schaltet Parler ab."


def test_kwic_ignores_case_unless_asked_and_can_search_literally():
    articles = tiny_articles({"a": ("A", "AWS (Amazon Web Services) und aws. A.W.S.")})
    assert list(kwic(articles, "aws")["hit"]) == ["AWS", "aws"]
    assert list(kwic(articles, "aws", case=True)["hit"]) == ["aws"]
    assert list(kwic(articles, "(Amazon Web Services)", regex=False)["hit"]) == ["(Amazon Web Services)"]
    assert list(kwic(articles, "A.W.S.", regex=False)["hit"]) == ["A.W.S."]


def test_kwic_rejects_an_invalid_regex_by_name():
    articles = tiny_articles({"a": ("A", "Matze")})
    with pytest.raises(ValueError, match=r"'Matz\(' is not a valid regular expression: missing \)"):
        kwic(articles, "Matz(")
    assert list(kwic(articles, "Matz(", regex=False).columns) == COLUMNS  # literally: fine, no hit


def test_kwic_with_an_empty_pattern_finds_nothing():
    articles = tiny_articles({"a": ("A", "Parler")})
    empty = kwic(articles, "")
    assert empty.empty and list(empty.columns) == COLUMNS
    # A pattern that can match nothing finds only its non-empty matches, not every position.
    assert list(kwic(articles, "x*")["hit"]) == []
    assert list(kwic(articles, "r*")["hit"]) == ["r", "r"]


def test_kwic_reports_a_hit_between_sentences_with_no_sentence():
    articles = tiny_articles({"a": ("A", "Eins.\n\nZwei.")})
    hits = kwic(articles, r"\n\n")
    assert list(hits["sentence"]) == [""]
    hits = kwic(articles, r"\.\s+Z")  # starts in the first sentence, ends in the second
    assert list(hits["sentence"]) == ["Eins."]


# --- searches that backtrack --------------------------------------------------------------------------------

def test_kwic_stops_a_runaway_search_with_an_error_naming_pattern_and_article():
    articles = tiny_articles({"short": ("A", "Parler."), "long": ("B", "a" * 3000 + "b")})
    with pytest.raises(ValueError) as info, time_limit(0.2, doing="searching a test"):
        kwic(articles, "(a|aa)+$")
    assert str(info.value).startswith("kwic search: the pattern '(a|aa)+$' was stopped after 0.2 s searching a test, "
                                      "at article 'long'. A repeat inside a repeat")


def test_kwic_limits_itself_to_search_seconds(monkeypatch):
    monkeypatch.setattr(kwic_module, "SEARCH_SECONDS", 0.2)
    articles = tiny_articles({"long": ("B", "a" * 3000 + "b")})
    with pytest.raises(PatternTimeout, match=r"after 0\.2 s searching 1 article\(s\), at article 'long'"):
        kwic(articles, "(a|aa)+$")


def test_kwic_answers_a_search_that_hangs_python_re_or_stops_it_in_time():
    # (\w+\s?)*! never ends in `re` on a long text without "!"; `regex` fails it fast.
    articles = tiny_articles({"long": ("A", "Parler ist eine Plattform " * 200)})
    try:
        with time_limit(0.5, doing="searching a test"):
            hits = kwic(articles, r"(\w+\s?)*!")
    except PatternTimeout as stopped:
        assert "(\\w+\\s?)*!" in str(stopped)
    else:
        assert hits.empty


# --- kwic_chart() ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chart_spec(articles) -> dict:
    return kwic_chart(articles, "Parler").to_dict()  # to_dict() validates against the Vega-Lite schema


def test_chart_embeds_one_row_per_sentence_and_nothing_else(articles, chart_spec):
    (rows,) = chart_spec["datasets"].values()
    n_sentences = sum(len(split_sentences(str(text))) for text in articles["clean_text"])
    assert len(rows) == n_sentences == len(sentence_table(articles))
    assert all(set(row) == {"article_id", "article", "outlet", "sentence", "kwic_order"} for row in rows)
    names = short_names(articles)
    assert all(row["article"] == names[row["article_id"]] for row in rows)  # shown by outlet and date, not id
    assert [row["kwic_order"] for row in rows] == list(range(len(rows)))  # rows are numbered in corpus order
    assert {row["article_id"] for row in rows} == set(articles["article_id"])


def test_chart_binds_a_search_box_and_a_page_number_and_follows_the_page_sources(articles, chart_spec):
    params = {param["name"]: param for param in chart_spec["params"]}
    outlets = outlets_of(articles)
    source, _ = source_params(outlets)
    assert set(params) == {QUERY_PARAM, PAGE_PARAM, *(param.name for param in source)}
    assert params[PAGE_PARAM]["bind"]["input"] == "number" and params[PAGE_PARAM]["value"] == 1
    assert "bind" not in params[SOURCES_PARAM]  # set by the page's one source filter
    assert params[QUERY_PARAM]["bind"]["input"] == "search"
    assert params[QUERY_PARAM]["value"] == "Parler"
    assert all(re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", name) for name in params)  # JS identifiers


def test_chart_filters_by_the_words_search_and_outlet_and_numbers_the_rows(articles, chart_spec):
    _, source_expression = source_params(outlets_of(articles))
    table = chart_spec["vconcat"][1]
    filters = [step["filter"] for step in table["transform"] if "filter" in step]
    assert f"test(regexp(replace(replace({QUERY_PARAM}, " in filters[0] and '"i"), datum.sentence)' in filters[0]
    assert source_expression in filters[0]
    assert any(step.get("window") == [{"op": "row_number", "field": "", "as": "kwic_row"}]
               for step in table["transform"])
    assert f"datum.kwic_row > datum.kwic_first && datum.kwic_row <= datum.kwic_first + {MAX_ROWS}" in filters
    colours = [layer["encoding"]["color"]["scale"]["domain"] for layer in table["layer"]
               if "color" in layer["encoding"]]
    assert colours == [outlets_of(articles)]  # pinned, so unticking an outlet keeps the colours


def test_chart_counts_hits_above_the_table(chart_spec):
    summary = chart_spec["vconcat"][0]
    assert summary["mark"]["type"] == "text"
    assert summary["encoding"]["text"]["field"] == "label"
    steps = json.dumps(summary["transform"])
    assert "regexp(replace(replace(kwic_query, " in steps and '"op": "sum"' in steps


# --- the chart in a browser, with no kernel and no network --------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
{bundle}
<div id="chart"></div><pre id="out"></pre>
<script>
const spec = {spec};
const steps = {steps};
const results = [];
function texts(cls) {{
  return [...document.querySelectorAll('#chart g.' + cls + ' text')].map(t => t.textContent);
}}
vegaEmbed('#chart', spec, {{renderer: 'svg', actions: false}}).then(async (res) => {{
  for (const [name, value] of steps) {{
    if (name !== null) {{
      try {{ res.view.signal(name, value); await res.view.runAsync(); }}
      catch (err) {{ results.push({{error: String(err)}}); continue; }}
    }}
    results.push({{summary: texts('concat_0_marks'), ids: texts('concat_1_layer_0_marks'),
                  left: texts('concat_1_layer_1_marks'), hits: texts('concat_1_layer_2_marks'),
                  right: texts('concat_1_layer_3_marks')}});
  }}
  document.getElementById('out').textContent = JSON.stringify(results);
}}).catch((err) => {{ document.getElementById('out').textContent = JSON.stringify({{embed: String(err)}}); }});
</script></body></html>"""


def test_chart_searches_in_a_browser_like_kwic(articles, chart_spec, tmp_path):
    assert CHROMIUM, "the browser tests need Debian's chromium: run `make test` as root, or `apt-get install chromium`"
    outlets = outlets_of(articles)
    steps = [
        [None, None],                    # 0: as the page opens, "Parler"
        [QUERY_PARAM, NAME_VARIANTS],    # 1
        [QUERY_PARAM, "Matz("],          # 2: a literal "(": no hit, no error
        [QUERY_PARAM, "Matzke"],         # 3
        [QUERY_PARAM, NAME_VARIANTS],    # 4
        [SOURCES_PARAM, outlets[1:]],    # 5: the page's source filter unticks the first outlet
        [QUERY_PARAM, ""],               # 6
        [QUERY_PARAM, RUNAWAY],          # 7: would backtrack for ever as a regex; as words it finds nothing, fast
        [QUERY_PARAM, "Matz*"],          # 8: any ending
        [SOURCES_PARAM, outlets],        # 9: every outlet again
        [QUERY_PARAM, "Parler"],         # 10: more sentences than a page holds
        [PAGE_PARAM, 2],                 # 11: the second page
        [PAGE_PARAM, 99],                # 12: past the last page: the last page
    ]
    page = tmp_path / "kwic.html"
    page.write_text(_PAGE.format(bundle=bundle_html(), spec=json.dumps(chart_spec).replace("<", "\\u003c"),
                                 steps=json.dumps(steps)), encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--virtual-time-budget=15000",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    results = json.loads(html.unescape(re.search(r'<pre id="out">(.*?)</pre>', dom, re.DOTALL)[1]))
    assert isinstance(results, list), results

    def expected_summary(pattern: str, kept: pd.DataFrame) -> str:
        found = kwic(kept, pattern)
        sentences = found.groupby(["article_id", "sentence"]).ngroups
        pages = -(-sentences // MAX_ROWS)
        shown = (f": rows 1–{MAX_ROWS} shown (page 1 of {pages})" if sentences > MAX_ROWS else "")
        return (f"{len(found)} hit{'s' * (len(found) != 1)} in {sentences} "
                f"sentence{'s' * (sentences != 1)}{shown}")

    opened, names, literal, matzke, _, unticked, empty, runaway, any_ending, _, _, second, past_last = results
    assert opened["summary"] == [expected_summary("Parler", articles)]
    assert len(opened["hits"]) == min(MAX_ROWS, kwic(articles, "Parler").groupby(["article_id", "sentence"]).ngroups)
    assert names["summary"] == [expected_summary(NAME_VARIANTS, articles)]
    assert sorted(names["hits"]) == sorted(kwic(articles, NAME_VARIANTS)["hit"])
    assert literal == {"summary": ["0 hits in 0 sentences"], "ids": [], "left": [], "hits": [], "right": []}
    assert matzke["hits"] == list(kwic(articles, "Matzke")["hit"])
    kept = articles[articles["outlet"] != outlets[0]]
    assert unticked["summary"] == [expected_summary(NAME_VARIANTS, kept)]
    short = short_names(articles)
    expected = {short[a] for a in kwic(kept, NAME_VARIANTS)["article_id"]}
    # Each row names its article by outlet and date; a long name is cut to the column, ending in "…".
    assert all(any(shown == name or shown.endswith("…") and name.startswith(shown[:-1]) for name in expected)
               for shown in unticked["ids"]), (unticked["ids"], expected)
    assert len(set(unticked["ids"])) == len(expected)
    assert len(unticked["hits"]) < len(names["hits"])
    assert empty["hits"] == [] and empty["summary"] == ["Type a word in the search box above."]
    assert runaway == literal
    kept_all = articles[articles["outlet"] != outlets[0]]
    assert any_ending["summary"] == [expected_summary(words_pattern("Matz*"), kept_all)]
    assert {"Matze", "Matzke"} <= set(any_ending["hits"])

    # Paging: every matching sentence is reachable, MAX_ROWS a page; a page past the last shows the last.
    sentences = kwic(articles, "Parler").groupby(["article_id", "sentence"]).ngroups
    assert sentences > MAX_ROWS, "the corpus should need two pages for 'Parler'"
    pages = -(-sentences // MAX_ROWS)
    assert len(second["hits"]) == min(MAX_ROWS, sentences - MAX_ROWS)
    assert second["summary"] == [f"{len(kwic(articles, 'Parler'))} hits in {sentences} sentences: rows "
                                 f"{MAX_ROWS + 1}–{min(2 * MAX_ROWS, sentences)} shown (page 2 of {pages})"]
    assert past_last["hits"] == second["hits"] if pages == 2 else len(past_last["hits"]) > 0

    # Context is cut at word boundaries, a cut marked with "…": whole words only, either side of the hit.
    words = set(" ".join(articles["clean_text"]).split())
    for step in (opened, second):
        for text in step["left"]:
            assert not text.startswith("…") or text[1:].split()[0] in words, text
        for text in step["right"]:
            assert not text.endswith(" …") or text[:-2].split()[-1] in words, text
        assert any(text.startswith("…") for text in step["left"]), "no left context was long enough to cut"


@pytest.mark.parametrize(("query", "pattern"), [
    ("Parler", "Parler"), ("Matze|Matzke", "Matze|Matzke"), ("Parler*", r"Parler\S*"), ("Matz(", r"Matz\("),
    ("a*b|c*", r"a\*b|c\S*"), (RUNAWAY, r"\(\\w\+\\s\?\)\*!"), ("3.5 $", r"3\.5 \$"),
])
def test_a_words_search_is_literal_but_for_or_and_any_ending(query: str, pattern: str):
    assert words_pattern(query) == pattern
    re.compile(pattern)


@given(st.text(alphabet=st.sampled_from(list("ab|*()+?.\\[]{}^$ ")), max_size=30))
def test_no_words_search_can_backtrack_badly(query: str):
    """Whatever is typed, the pattern is literal alternatives each ending in at most one \\S*: nothing can repeat
    inside a repeat, so it cannot backtrack badly (checked on its structure: a wall-time bound fails when busy)."""
    tokens = re.findall(r"\\.|.", words_pattern(query), re.DOTALL)  # an escaped character is one token
    alternatives: list[list[str]] = [[]]
    for token in tokens:
        alternatives.append([]) if token == "|" else alternatives[-1].append(token)
    for alternative in alternatives:
        if alternative[-2:] == ["\\S", "*"]:
            alternative = alternative[:-2]  # the one ending a star may add
        assert all(len(t) == 2 or t not in "|*+?()[]{}^$.\\" for t in alternative), (query, alternative)
