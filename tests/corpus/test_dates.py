"""helpers.corpus.dates: windows computed from the clue table; a bad clue names its file and line."""

from __future__ import annotations

import shutil

import pytest

from helpers.corpus import corpus_dir, load_articles, load_events
from helpers.corpus.dates import CLUES_FILE, check_date_clues, firm_windows, load_date_clues, windows
from helpers.errors import CorpusError


@pytest.fixture()
def copy(tmp_path):
    """A copy of the corpus folder, to damage."""
    shutil.copytree(corpus_dir(), tmp_path / "corpus")
    return tmp_path / "corpus"


def problems(root):
    articles = load_articles(root)
    raw = dict(zip(articles["article_id"], articles["raw_text"], strict=True))
    return check_date_clues(root, articles, raw, set(load_events(root)["event_id"]))


def edit_line(path, number, change):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[number - 1] = change(lines[number - 1])
    path.write_text("".join(lines), encoding="utf-8")


def test_the_committed_clues_make_the_committed_windows():
    assert problems(corpus_dir()) == []


def test_a_firm_window_is_never_narrowed_by_a_soft_clue_that_contradicts_it():
    clues = load_date_clues(corpus_dir())
    firm, likely = firm_windows(clues).set_index("article_id"), windows(clues).set_index("article_id")
    assert (likely["earliest"] >= firm["earliest"]).all() and (likely["latest"] <= firm["latest"]).all()
    assert "S5 set aside" in likely.loc["server-ab", "bounded_by"]  # 'seit einigen Wochen' contradicts the firm end


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda line: line.replace(",firm,", ",sure,", 1), "strength 'sure' must be one of firm, soft"),
    (lambda line: line.replace(",earliest,", ",first,", 1), "bounds 'first' must be one of earliest, latest"),
    (lambda line: line.replace("2021-01-11", "2021-13-11", 1), "is not a real day"),
    (lambda line: line.replace("Amazon hat die", "Amazon hätte die", 1), "is not in the article's raw text"),
    (lambda line: line.replace("aws_suspension", "no_such_event", 1), "'no_such_event' is not an event id"),
    (lambda line: line.replace("kein-hoster", "no-such-article", 1), "'no-such-article' is not in articles.csv"),
])
def test_a_bad_clue_is_named_with_file_and_line(copy, damage, expected):
    edit_line(copy / CLUES_FILE, 2, damage)
    found = "\n".join(problems(copy))
    assert f"{copy / CLUES_FILE} line 2" in found and expected in found, found


def test_a_typed_window_that_differs_from_its_clues_is_named(copy):
    edit_line(copy / "articles.csv", 2, lambda line: line.replace("2021-01-11,2021-02-16", "2021-01-10,2021-01-15"))
    found = problems(copy)
    assert any("kein-hoster: published_earliest" in p and "firm date clues give 2021-01-11" in p for p in found)


def test_a_clue_file_with_a_wrong_header_or_bad_bytes_is_refused(copy):
    path = copy / CLUES_FILE
    path.write_bytes(b"article_id,clue\n\xff\xfe,x\n")
    with pytest.raises(CorpusError) as raised:
        load_date_clues(copy)
    assert str(path) in str(raised.value)
