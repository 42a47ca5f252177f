"""Adding an article: the file is copied byte for byte with a complete row; every refusal changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.__main__ import main
from helpers.corpus import addition
from helpers.corpus.addition import add_article, slugify
from helpers.corpus.articles import METADATA_COLUMNS, check_corpus, load_articles, load_metadata, read_metadata
from helpers.errors import CorpusError

NEW_ARTICLE = Path(__file__).resolve().parents[1] / "fixtures" / "new_article" / "parler-aws-fixture.txt"
TITLE = "Twitter-Alternative ohne Server: Amazon wirft Parler aus der Cloud"
WINDOW = {"published_earliest": "2021-01-11", "published_latest": "2021-01-12"}


@pytest.fixture()
def corpus(tmp_path: Path, fixtures_dir: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(fixtures_dir / "corpus_ok", root)
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Return the sha256 of every file under root, by relative path."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_fixture_article_is_marked_and_fits_the_brief():
    text = NEW_ARTICLE.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("FIXTURE — kein echter Artikel")
    for needle in ["Parler", "Amazon", "AWS", "John Matze", "Twitter-Alternative", "„", "“", "sagt Matze"]:
        assert needle in text
    assert 120 <= len(text.split()) <= 180


def test_add_copies_bytes_and_appends_a_complete_row(corpus: Path):
    csv_before = (corpus / "articles.csv").read_bytes()
    article_id = add_article(NEW_ARTICLE, outlet="Fixture Outlet", title=TITLE, url="https://example.org/x",
                             date_basis="test fixture", corpus=corpus, **WINDOW)
    assert article_id == "twitter-alternative-ohne"
    copied = corpus / "raw" / "000-twitter-alternative-ohne.txt"
    assert copied.read_bytes() == NEW_ARTICLE.read_bytes()
    csv_after = (corpus / "articles.csv").read_bytes()
    assert csv_after.startswith(csv_before) and csv_after.count(b"\n") == csv_before.count(b"\n") + 1
    rows = read_metadata(corpus).values()
    assert [r["article_id"] for r in rows] == ["fix-a", "fix-b", article_id]
    assert set(rows[-1]) == set(METADATA_COLUMNS)
    assert rows[-1] == {
        "article_id": article_id, "raw_file": copied.name,
        "sha256": hashlib.sha256(NEW_ARTICLE.read_bytes()).hexdigest(), "original_file": NEW_ARTICLE.name,
        "outlet": "Fixture Outlet", "outlet_basis": "", "outlet_confidence": "unknown", "title": TITLE,
        "published_earliest": "2021-01-11", "published_latest": "2021-01-12", "date_basis": "test fixture",
        "date_confidence": "unknown", "language": "de", "url": "https://example.org/x", "url_basis": "", "notes": "",
    }
    assert check_corpus(corpus) == []
    articles = load_articles(corpus)
    assert "sagt Matze" in articles.set_index("article_id").loc[article_id, "clean_text"]


def test_given_id_names_the_file_and_prefixes_count_up(corpus: Path, tmp_path: Path):
    first = add_article(NEW_ARTICLE, outlet="O", title=TITLE, article_id="cloud-aus", corpus=corpus,
                        outlet_confidence="high", date_confidence="low: fixture", **WINDOW)
    other = write(tmp_path, "zweiter.txt", NEW_ARTICLE.read_bytes() + b"Ein weiterer Satz.\n")
    second = add_article(other, outlet="O", title="", article_id="zweiter", corpus=corpus, **WINDOW)
    metadata = load_metadata(corpus).set_index("article_id")
    assert (first, second) == ("cloud-aus", "zweiter")
    assert list(metadata.loc[["cloud-aus", "zweiter"], "raw_file"]) == ["000-cloud-aus.txt", "001-zweiter.txt"]
    assert list(metadata.loc["cloud-aus", ["outlet_confidence", "date_confidence"]]) == ["high", "low: fixture"]
    assert check_corpus(corpus) == []


def test_a_csv_without_final_newline_gets_one_before_the_row(corpus: Path):
    meta = corpus / "articles.csv"
    meta.write_bytes(meta.read_bytes().rstrip(b"\n"))
    add_article(NEW_ARTICLE, outlet="O", title=TITLE, corpus=corpus, **WINDOW)
    assert len(load_metadata(corpus)) == 3 and check_corpus(corpus) == []


@pytest.mark.parametrize("title, expected", [
    (TITLE, "twitter-alternative-ohne"),
    ("Kein Hoster will mit Parler zusammenarbeiten", "kein-hoster-will-mit-parler"),
    ("Amazon will Parler von Clouddienst ausschließen", "amazon-will-parler-von"),
    ("Über Größe", "ueber-groesse"),
    ("Café 2021!", "cafe-2021"),
    ("„…“", ""),
])
def test_slugify(title: str, expected: str):
    assert slugify(title) == expected
    assert len(slugify(title)) <= 30


# name: (file bytes or None for the new fixture article, add_article keywords, words the message must contain)
REFUSALS = {
    "same_bytes": (None, {}, "same bytes as article 'fix-a'"),
    "id_exists": (None, {"article_id": "fix-b"}, "article id 'fix-b' already exists"),
    "id_from_title_exists": (None, {"title": "Fix A"}, "article id 'fix-a' already exists"),
    "bad_id": (None, {"article_id": "Fix A"}, "must be lowercase letters"),
    "not_utf8": (b"Parler ist offline. Gr\xfc\xdfe\n", {}, "not valid UTF-8 (byte 0xfc at byte offset 22, line 1)"),
    "empty": (b"", {}, "file is empty"),
    "whitespace": (b" \n\t\r\n\xc2\xa0\n", {}, "file is empty or holds only whitespace"),
    "date_not_iso": (None, {"published_earliest": "11.01.2021"}, "published_earliest '11.01.2021' is not a date"),
    "date_month_only": (None, {"published_latest": "2021-01"}, "published_latest '2021-01' is not a date"),
    "date_compact": (None, {"published_latest": "20210112"}, "is not a date (YYYY-MM-DD)"),
    "date_not_a_day": (None, {"published_earliest": "2021-02-30"}, "'2021-02-30' is not a real day"),
    "window_reversed": (None, {"published_earliest": "2021-01-13"}, "2021-01-13 is after published_latest 2021-01-12"),
    "no_outlet": (None, {"outlet": " "}, "outlet is empty"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refusals_change_nothing(corpus: Path, tmp_path: Path, name: str):
    data, keywords, message = REFUSALS[name]
    if name == "same_bytes":
        source = write(tmp_path, "kopie.txt", (corpus / "raw" / "a.txt").read_bytes())
    else:
        source = NEW_ARTICLE if data is None else write(tmp_path, f"{name}.txt", data)
    before = snapshot(corpus)
    with pytest.raises(CorpusError) as info:
        add_article(source, corpus=corpus, **{"outlet": "O", "title": TITLE, **WINDOW, **keywords})
    assert any(message in problem for problem in info.value.problems), info.value.problems
    assert snapshot(corpus) == before


def test_missing_file_is_refused(corpus: Path, tmp_path: Path):
    before = snapshot(corpus)
    with pytest.raises(CorpusError, match="nirgends.txt: file not found"):
        add_article(tmp_path / "nirgends.txt", outlet="O", title=TITLE, corpus=corpus, **WINDOW)
    assert snapshot(corpus) == before


def test_a_broken_corpus_takes_no_new_article(tmp_path: Path, fixtures_dir: Path):
    root = tmp_path / "broken"
    shutil.copytree(fixtures_dir / "broken" / "unlisted_raw", root)
    before = snapshot(root)
    with pytest.raises(CorpusError, match="problem.s. already"):
        add_article(NEW_ARTICLE, outlet="O", title=TITLE, corpus=root, **WINDOW)
    assert snapshot(root) == before


def test_failed_validation_after_writing_rolls_back(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    calls = []

    def check_after_writing_fails(root):
        calls.append(snapshot(root))
        return ["something only visible after writing"] if len(calls) == 2 else []

    monkeypatch.setattr(addition, "check_corpus", check_after_writing_fails)
    before = snapshot(corpus)
    with pytest.raises(CorpusError, match="nothing was added: something only visible after writing"):
        add_article(NEW_ARTICLE, outlet="O", title=TITLE, corpus=corpus, **WINDOW)
    assert len(calls[1]) == len(before) + 1  # the file really was written, then removed
    assert snapshot(corpus) == before


def test_an_error_while_writing_rolls_back(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    def disk_full(*args):
        raise OSError("disk full")

    monkeypatch.setattr(addition, "_csv_row", disk_full)
    before = snapshot(corpus)
    with pytest.raises(OSError, match="disk full"):
        add_article(NEW_ARTICLE, outlet="O", title=TITLE, corpus=corpus, **WINDOW)
    assert snapshot(corpus) == before


def cli_args(corpus: Path, source: Path, *extra: str) -> list[str]:
    return ["add", str(source), "--corpus", str(corpus), "--outlet", "Fixture Outlet", "--title", TITLE,
            "--published-earliest", "2021-01-11", "--published-latest", "2021-01-12", *extra]


def test_cli_adds_and_says_where(corpus: Path, capsys: pytest.CaptureFixture[str]):
    code = main(cli_args(corpus, NEW_ARTICLE, "--id", "cloud-aus", "--url", "https://example.org/x",
                         "--date-basis", "fixture", "--outlet-basis", "fixture", "--outlet-confidence", "low"))
    out = capsys.readouterr().out
    assert code == 0
    assert "added 'cloud-aus'" in out and "000-cloud-aus.txt" in out
    row = load_metadata(corpus).set_index("article_id").loc["cloud-aus"]
    assert (row["url"], row["outlet_basis"], row["outlet_confidence"], row["date_confidence"]) == (
        "https://example.org/x", "fixture", "low", "unknown")


@pytest.mark.parametrize("extra, message", [
    (["--id", "fix-a"], "not added: article id 'fix-a' already exists in"),
    (["--published-earliest", "2021-01-20"], "not added: published_earliest 2021-01-20 is after published_latest"),
    (["--published-latest", "12.01.2021"], "not added: published_latest '12.01.2021' is not a date (YYYY-MM-DD)"),
])
def test_cli_refuses_with_one_line_and_exit_1(corpus: Path, capsys: pytest.CaptureFixture[str], extra, message):
    before = snapshot(corpus)
    code = main(cli_args(corpus, NEW_ARTICLE, *extra))
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines() == [err.strip()] and err.startswith(message), err
    assert snapshot(corpus) == before


def test_cli_in_a_subprocess_names_the_byte_offset(corpus: Path, tmp_path: Path):
    latin1 = write(tmp_path, "latin1.txt", "Parler: Größe\n".encode("latin-1"))
    before = snapshot(corpus)
    done = subprocess.run([sys.executable, "-m", "helpers", *cli_args(corpus, latin1)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"not added: {latin1}: not valid UTF-8 (byte 0xf6 at byte offset 10, line 1); "
                                   "convert it to UTF-8 first")
    assert snapshot(corpus) == before
