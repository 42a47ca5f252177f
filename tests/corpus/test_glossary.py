"""helpers.corpus.glossary: English glosses beside German spans; a broken glossary names its file and line."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analyse import coverage, framing, vocabulary
from helpers.corpus import corpus_dir, glossary
from helpers.corpus.settings import load_settings
from helpers.errors import CorpusError

HEADER = "german,english,note\n"


def write(tmp_path, text: str | bytes):
    path = tmp_path / "glossary.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_no_glossary_glosses_nothing(tmp_path):
    assert glossary.check_glossary(tmp_path) == []
    assert glossary.load_glossary(tmp_path) == {}
    assert glossary.gloss("Netzwerk", {}) == "" and glossary.glossed("Netzwerk", {}) == "Netzwerk"


@pytest.mark.parametrize(("content", "expected"), [
    (HEADER + "Netzwerk,network,\nDienst,,\n", "line 3: every entry needs both a german span and its english gloss"),
    (HEADER + "Netzwerk,network,\n„Netzwerk“,the network,\n",
     "line 3: '„Netzwerk“' is glossed twice (first on line 2)"),
    ("deutsch,english\nNetzwerk,network\n", "line 1: missing column(s) german"),
    (HEADER.encode() + b"Gr\xfc\xdfe,greetings,\n", "not valid UTF-8 (byte 0xfc at byte offset 22, line 2)"),
])
def test_broken_glossary_names_file_and_line(tmp_path, content, expected):
    path = write(tmp_path, content)
    assert glossary.check_glossary(tmp_path) == [f"{path}{' ' if expected.startswith('line') else ': '}{expected}"]
    with pytest.raises(CorpusError, match="glossary.csv"):
        glossary.load_glossary(tmp_path)


def test_lookup_ignores_quotation_marks_and_spacing(tmp_path):
    write(tmp_path, HEADER + '"„koordinierten Angriff der Tech-Giganten“",coordinated attack by the tech giants,\n'
                             "Netzwerk,network,\n")
    glosses = glossary.load_glossary(tmp_path)
    spaced = "koordinierten  Angriff der\nTech-Giganten"
    assert glossary.gloss(spaced, glosses) == "coordinated attack by the tech giants"
    assert glossary.gloss('"Netzwerk"', glosses) == "network"
    # Joined cells are glossed span by span; a span without a gloss stays bare.
    assert glossary.glossed("Netzwerk | Plattform", glosses) == "Netzwerk [network] | Plattform"
    assert glossary.gloss("Plattform | Netzwerk", glosses) == " | network"
    assert glossary.gloss("Plattform", glosses) == "" and glossary.gloss(pd.NA, glosses) == ""


def test_add_glosses_puts_english_beside_the_span():
    table = pd.DataFrame({"article_id": ["a", "b"], "span": ["Netzwerk", "Plattform"], "words": [1, 1]})
    glossed = glossary.add_glosses(table, "span", {"Netzwerk": "network"})
    assert list(glossed.columns) == ["article_id", "span", "english", "words"]
    assert list(glossed["english"]) == ["network", ""]
    assert "english" not in table.columns  # the input is left as it was
    assert list(glossary.add_glosses(table, "span", {}, name="span_english").columns)[2] == "span_english"
    with pytest.raises(KeyError, match="no column 'text'"):
        glossary.add_glosses(table, "text", {})


def test_headline_labels_carry_their_gloss(articles, hand, codebook):
    labels = framing.label_table(hand, articles, codebook)
    plain = framing.headline_labels(labels, articles).set_index("article_id")["headline_labels"]
    glossed = framing.headline_labels(labels, articles, {"Twitter-Alternative": "Twitter alternative"})
    glossed = glossed.set_index("article_id")["headline_labels"]
    assert plain["kein-hoster"] == "Twitter-Alternative [platform_comparison]"
    assert glossed["kein-hoster"] == 'Twitter-Alternative ("Twitter alternative") [platform_comparison]'


def test_every_german_span_and_lemma_the_notebooks_tabulate_has_a_gloss(articles, hand, codebook):
    glosses = glossary.load_glossary()
    shown = [hand.loc[hand["layer"].isin(["quotes", "labels"]), "span"], articles["title"].replace("", pd.NA)]
    settings = load_settings(corpus_dir())  # notebook 03's table of each account, span by span
    table = coverage.account_spans(hand, articles, codebook, settings.evidence, settings.acting_side)
    for column in ("claim", "earlier_evidence", "stated_reasons"):
        shown.append(table[column].str.split(coverage.SEPARATOR, regex=False).explode().replace("", pd.NA))
    shown.append(vocabulary.distinctive_terms(articles, by="outlet", n=5)["lemma"])  # notebook 01
    missing = glossary.unglossed(pd.concat(shown, ignore_index=True), glosses)
    assert missing == [], f"add an English gloss for each of these to corpus/glossary.csv: {missing}"
