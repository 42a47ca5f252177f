"""Loading and validating the corpus: the real one loads; every broken fixture fails naming its file."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.corpus.articles import check_corpus, corpus_dir, load_articles, load_events, sha256_of
from helpers.corpus.articles import short_names as load_short_names
from helpers.errors import CorpusError
from helpers.text.patterns import time_limit

BROKEN = {
    # fixture folder: (file the message must name, words the message must contain)
    "missing_raw": ("articles.csv line 3", "'b.txt' not found"),
    "unlisted_raw": ("raw/c.txt", "no row in"),
    "empty_file": ("raw/b.txt", "file is empty"),
    "not_utf8": ("raw/b.txt", "not valid UTF-8"),
    "duplicate_id": ("articles.csv line 3", "duplicate article_id 'fix-a' (first on line 2)"),
    "checksum_mismatch": ("raw/b.txt", "sha256 mismatch"),
    "duplicate_text": ("raw/b.txt", "same bytes as the raw file on"),
    "bad_dates": ("articles.csv line 3", "is after published_latest"),
}


def test_real_corpus_loads_with_checksums(articles):
    assert articles["article_id"].is_unique
    assert len(articles) == len(list((corpus_dir() / "raw").glob("*.txt")))
    for _, row in articles.iterrows():
        assert sha256_of(corpus_dir() / "raw" / row.raw_file) == row.sha256
    assert (articles["words_clean"] > 0).all()
    assert (articles["published_earliest"] <= articles["published_latest"]).all()


def test_raw_files_are_the_seeds_byte_for_byte(articles):
    seeds = corpus_dir().parent.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for _, row in articles.iterrows():
        assert (seeds / row.original_file).read_bytes() == (corpus_dir() / "raw" / row.raw_file).read_bytes()


def test_fixture_corpus_loads(fixtures_dir):
    articles = load_articles(fixtures_dir / "corpus_ok")
    assert list(articles["article_id"]) == ["fix-a", "fix-b"]
    assert "Anzeige" not in articles.loc[0, "clean_text"]
    assert articles.loc[0, "words_clean"] < articles.loc[0, "words_raw"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_corpus_is_named(fixtures_dir, name):
    root = fixtures_dir / "broken" / name
    where, what = BROKEN[name]
    problems = check_corpus(root)
    assert len(problems) == 1, problems
    assert where in problems[0] and what in problems[0]
    with pytest.raises(CorpusError) as info:
        load_articles(root)
    assert where in str(info.value)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate_cli_fails_naming_the_file(fixtures_dir, name):
    root = fixtures_dir / "broken" / name
    result = subprocess.run([sys.executable, "-m", "helpers", "--corpus", str(root), "validate"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert BROKEN[name][0] in result.stderr


def test_validate_cli_passes_on_real_corpus():
    result = subprocess.run([sys.executable, "-m", "helpers", "validate"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK:")


def test_all_problems_are_listed_together(tmp_path, fixtures_dir):
    root = tmp_path / "corpus"
    shutil.copytree(fixtures_dir / "broken" / "missing_raw", root)
    (root / "raw" / "stray.txt").write_text("FIXTURE stray\n", encoding="utf-8")
    problems = check_corpus(root)
    assert len(problems) == 2
    assert any("'b.txt' not found" in p for p in problems) and any("stray.txt" in p for p in problems)


def test_missing_metadata_and_columns(tmp_path):
    assert "metadata file not found" in check_corpus(tmp_path)[0]
    (tmp_path / "articles.csv").write_text("article_id,raw_file\nx,x.txt\n", encoding="utf-8")
    problem = check_corpus(tmp_path)[0]
    assert "line 1: missing column(s)" in problem and "sha256" in problem


def test_events_have_sources_and_honest_precision():
    events = load_events()
    assert events["event_id"].is_unique
    assert (events["source_quote"].str.len() > 0).all()
    months = events[events["date_precision"] == "month"]
    assert (months["date"].str.len() == 7).all()
    dated = pd.to_datetime(events.loc[events["date_precision"] == "day", "date"], format="%Y-%m-%d")
    assert dated.is_monotonic_increasing


def test_bad_event_row_is_named(tmp_path):
    shutil.copy(corpus_dir() / "events.csv", tmp_path / "events.csv")
    text = (tmp_path / "events.csv").read_text(encoding="utf-8").replace("2020-11,month", "2020-11,day")
    (tmp_path / "events.csv").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"events.csv line 2: date '2020-11' does not match precision 'day'"):
        load_events(tmp_path)


def test_mis_encoded_events_file_is_named_with_its_line(tmp_path):
    data = (corpus_dir() / "events.csv").read_bytes()
    (tmp_path / "events.csv").write_bytes(data.replace(b"Trump", "Tr\xfcmp".encode("latin-1"), 1))
    line = data[: data.index(b"Trump")].count(b"\n") + 1
    with pytest.raises(CorpusError) as info:
        load_events(tmp_path)
    assert info.value.problems[0].startswith(f"{tmp_path / 'events.csv'}: not valid UTF-8 (byte 0xfc at byte offset")
    assert info.value.problems[0].endswith(f", line {line})")


# A clue quoted in single quotes: opened after a blank or "(", closed before a blank or punctuation, so the
# apostrophe of "Parler's" is not taken for a quote.
QUOTED_CLUE = re.compile(r"(?:^|(?<=[\s(]))'(?P<clue>[^']+?)'(?P<after>(?=[\s),;.:\]]|$)\s*(?:\[[^\]]+\])?)")


def test_quoted_clues_are_in_the_text_and_glossed(articles):
    """Provenance: every clue quoted in outlet_basis, date_basis or notes occurs in that article's raw text
    ("..." joins pieces that do), and a clue of three or more words has its English gloss in [brackets]."""
    problems, clues = [], 0
    for article in articles.itertuples():
        raw = " ".join(article.raw_text.split())
        for column in ("outlet_basis", "date_basis", "notes"):
            for match in QUOTED_CLUE.finditer(getattr(article, column) or ""):
                clue, clues = match["clue"], clues + 1
                pieces = [" ".join(piece.split()) for piece in clue.split("...") if piece.strip()]
                missing = [piece for piece in pieces if piece not in raw]
                if missing:
                    problems.append(f"{article.article_id} {column}: {missing} not in the raw text")
                if len(clue.split()) >= 3 and "[" not in match["after"]:
                    problems.append(f"{article.article_id} {column}: {clue!r} has no [English gloss] after it")
    assert clues >= 25, clues  # the pattern still finds the quotes
    assert problems == [], "\n".join(problems)


# A cleaning rule that backtracks for ever (tests/fixtures/backtracking: '(a|aa)+$' on a line of 60 a's and a b)
# is a corpus problem naming the rules file, the rule and the raw line. A tight time_limit keeps the tests fast.


def test_a_runaway_cleaning_rule_stops_loading_naming_rules_file_rule_and_line(fixtures_dir):
    root = fixtures_dir / "backtracking"
    with pytest.raises(CorpusError) as info, time_limit(0.2, doing="loading a test corpus"):
        load_articles(root)
    (problem,) = info.value.problems
    assert problem.startswith(f"{root / 'cleaning_rules.yaml'}: rule runaway: the pattern '(a|aa)+$' was stopped "
                              "after 0.2 s loading a test corpus, at ")
    assert f"{root / 'raw' / 'a.txt'} line 4: 'aaaaaaaa" in problem


def test_check_corpus_lists_a_runaway_cleaning_rule(fixtures_dir):
    with time_limit(0.2, doing="checking a test corpus"):
        problems = check_corpus(fixtures_dir / "backtracking")
    assert len(problems) == 1
    assert "cleaning_rules.yaml: rule runaway:" in problems[0] and "raw/a.txt line 4" in problems[0]


def test_validate_prints_a_runaway_cleaning_rule_and_exits_1(fixtures_dir, capsys):
    root = fixtures_dir / "backtracking"
    with time_limit(0.2, doing="validating a test corpus"):
        code = main(["--corpus", str(root), "validate"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"1 problem(s) in {root}:\n  - {root / 'cleaning_rules.yaml'}: rule runaway:")
    assert "Traceback" not in err


def test_short_names_name_each_article_by_outlet_and_window(articles):
    names = load_short_names(articles)
    assert list(names) == list(articles["article_id"]) and len(set(names.values())) == len(names)
    for row in articles.itertuples():
        assert names[row.article_id].startswith(f"{row.outlet}, ") and row.article_id not in names[row.article_id]
    same = pd.concat([articles.iloc[[0]], articles.iloc[[0]].assign(article_id="copy")])
    assert list(load_short_names(same).values())[1].endswith(" (2)")
    window = articles.iloc[[0]].assign(published_earliest=pd.Timestamp("2021-01-16"),
                                       published_latest=pd.Timestamp("2021-02-14"))
    assert load_short_names(window)[window["article_id"].iloc[0]].endswith(", 16 Jan–14 Feb 2021")
