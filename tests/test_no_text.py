"""Export without text and restore: no article sentence leaves; the texts come back only if their bytes match."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.annotate.annotations import ANNOTATION_FILE_COLUMNS, locate
from helpers.corpus.addition import add_article
from helpers.corpus.articles import METADATA_COLUMNS, check_corpus, corpus_dir, load_articles, rules_path
from helpers.errors import CorpusError
from helpers.publish.export import QUOTE_WIDTH, export_tables, export_without_text, restore_corpus, shorten
from helpers.publish.outputs import MARKER
from helpers.text.segment import split_sentences

NEW_ARTICLE = Path(__file__).parent / "fixtures" / "new_article" / "parler-aws-fixture.txt"
MATZE_QUOTE = ("Wir werden vermutlich eine Woche lang offline sein, während wir alles von Grund auf neu "
               "aufbauen")
CODEBOOK = """\
# FIXTURE codebook for tests/test_no_text.py.
actor_kinds: [person, platform]
label_categories: {neutral_technical: neutral}
frame_kinds: {issue: issue}
actors:
- {id: matze, name: John Matze, kind: person, spellings: [John Matze, Matze], definition: d,
   example: {article_id: parler, span: John Matze}}
facts:
- {id: offline, definition: d, include: i, exclude: e, example: {article_id: fix-a, span: nicht erreichbar}}
labels:
- {id: alternative, category: neutral_technical, definition: d, include: i, exclude: e,
   example: {article_id: parler, span: Twitter-Alternative}}
frames:
- {id: technical, kind: issue, definition: d, cues: [offline], include: i, exclude: e,
   example: {article_id: parler, span: Der Onlinedienst Parler ist seit Montag nicht mehr erreichbar.}}
quotes:
- {id: direct_quote, definition: d, include: i, exclude: e, example: {article_id: parler, span: Wir werden}}
"""
# (layer, article, code, span, speaker)
CODING = [
    ("actors", "parler", "matze", "John Matze", ""),
    ("facts", "fix-a", "offline", "Der Testdienst ist seit dem 6. Januar nicht erreichbar.", ""),
    ("facts", "parler", "offline", "Der Onlinedienst Parler ist seit Montag nicht mehr erreichbar.", ""),
    ("labels", "parler", "alternative", "Twitter-Alternative", ""),
    ("frames", "parler", "technical", "Der Onlinedienst Parler ist seit Montag nicht mehr erreichbar.", ""),
    ("quotes", "parler", "direct_quote", MATZE_QUOTE, "matze"),
]
# Boilerplate only this corpus's own rules remove: the restored corpus must bring them along.
EXTRA_RULE = """\
  - id: fixture_disclaimer
    description: closing line of the test fixture
    pattern: 'Dieser Text wurde für die automatischen Tests .*'
"""


@pytest.fixture()
def corpus(tmp_path: Path, fixtures_dir: Path) -> Path:
    """corpus_ok plus the new fixture article, its own cleaning rules, a codebook and some hand coding."""
    root = tmp_path / "corpus"
    shutil.copytree(fixtures_dir / "corpus_ok", root)
    (root / "cleaning_rules.yaml").write_text(rules_path(corpus_dir()).read_text(encoding="utf-8") + EXTRA_RULE,
                                              encoding="utf-8")
    add_article(NEW_ARTICLE, outlet="Fixture Outlet", title="Twitter-Alternative ohne Server: Amazon wirft Parler "
                "aus der Cloud", published_earliest="2021-01-11", published_latest="2021-01-12", article_id="parler",
                corpus=root)
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    texts = clean_texts(root)
    folder = root / "annotations" / "coder_a"
    folder.mkdir(parents=True)
    for layer in sorted({row[0] for row in CODING}):
        with (folder / f"{layer}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, ANNOTATION_FILE_COLUMNS, restval="")
            writer.writeheader()
            for row_layer, article_id, code, span, speaker in CODING:
                if row_layer == layer:
                    start, end = locate(texts[article_id], span)
                    writer.writerow({"article_id": article_id, "layer": layer, "code": code, "start": start,
                                     "end": end, "span": span, "speaker": speaker})
    assert main(["validate", "--corpus", str(root)]) == 0
    return root


def clean_texts(root: Path) -> dict[str, str]:
    articles = load_articles(root)
    return dict(zip(articles["article_id"], articles["clean_text"], strict=True))


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)


def long_sentences(root: Path) -> list[str]:
    """Return every sentence of eight words or more in the raw and clean texts, headlines aside."""
    articles = load_articles(root)
    sentences = set()
    for _, article in articles.iterrows():
        for text in (article["raw_text"], article["clean_text"]):
            sentences |= {s.text for s in split_sentences(text)
                          if len(s.text.split()) >= 8 and s.text != article["title"]}
    return sorted(sentences)


def word_runs(root: Path, length: int = 8) -> list[str]:
    """Return every run of `length` consecutive words within a paragraph of the clean texts, headlines aside."""
    runs = set()
    for _, article in load_articles(root).iterrows():
        for paragraph in article["clean_text"].split("\n"):
            words = paragraph.split()
            if paragraph.strip() != article["title"]:
                runs |= {" ".join(words[i:i + length]) for i in range(len(words) - length + 1)}
    return sorted(runs)


def leaks(folder: Path, pieces: list[str]) -> dict[str, list[str]]:
    """Return, per file in `folder`, the pieces of article text it holds."""
    found = {}
    for path in sorted(folder.iterdir()):
        if zipfile.is_zipfile(path):  # a REFI-QDA project: read every member
            with zipfile.ZipFile(path) as archive:
                content = "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
        else:
            content = path.read_text(encoding="utf-8-sig")
        found[path.name] = [piece for piece in pieces if piece in content]
    return {name: pieces for name, pieces in found.items() if pieces}


def test_the_export_holds_no_article_sentence(corpus: Path, tmp_path: Path):
    out = tmp_path / "shared"
    written = export_without_text(out, corpus=corpus)
    assert sorted([MARKER, *(p.name for p in written)]) == sorted(p.name for p in out.iterdir())
    sentences, runs = long_sentences(corpus), word_runs(corpus)
    assert MATZE_QUOTE + "“, sagt Matze." in " ".join(sentences)  # the check has something to find
    assert len(sentences) >= 10 and len(runs) > 100
    assert leaks(out, sentences) == {}
    assert leaks(out, runs) == {}
    # The same checks find the texts in the full export, so they can fail.
    export_tables(tmp_path / "full", corpus=corpus)
    assert {"coverage.csv", "frames.csv"} <= set(leaks(tmp_path / "full", sentences))
    assert any(name.endswith(".qdpx") for name in leaks(tmp_path / "full", sentences))  # the project holds the texts
    assert {"coverage.csv", "frames.csv", "quotes.csv"} <= set(leaks(tmp_path / "full", runs))


def test_the_export_keeps_metadata_offsets_and_short_quotes(corpus: Path, tmp_path: Path):
    out = tmp_path / "shared"
    export_without_text(out, corpus=corpus)
    articles = read(out / "articles.csv")
    assert list(articles.columns) == METADATA_COLUMNS + ["words_raw", "words_clean"]
    assert not {"raw_text", "clean_text"} & set(articles.columns)
    assert list(articles["sha256"]) == list(load_articles(corpus)["sha256"])
    texts = clean_texts(corpus)
    spans = {"coverage.csv": "evidence_span", "mentions.csv": "surface", "quotes.csv": "quote",
             "labels.csv": "phrase", "frames.csv": "sentence"}
    cut = 0
    for name, column in spans.items():
        table = read(out / name)
        assert len(table) > 0, name
        for _, row in table[table["start"] != ""].iterrows():
            full = texts[row["article_id"]][int(row["start"]):int(row["end"])]
            short = row[column]
            assert len(short) <= QUOTE_WIDTH
            if full == short:
                continue
            cut += 1
            assert short.endswith("…") and full.startswith(short[:-1]), (full, short)
    assert cut >= 3  # the long fact, frame and quote were cut
    quote = read(out / "quotes.csv").iloc[0]
    assert (quote["quote"], quote["speaker_actor_id"]) == ("Wir werden vermutlich eine…", "matze")
    removals = read(out / "cleaning_removals.csv")
    assert "fixture_disclaimer" in set(removals["rule"]) and (removals["text"].str.len() <= QUOTE_WIDTH).all()
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "python -m helpers restore" in readme and f"at most\n{QUOTE_WIDTH} characters" in readme
    assert (out / "cleaning_rules.yaml").read_bytes() == (corpus / "cleaning_rules.yaml").read_bytes()
    assert not (out / "codebook.yaml").exists()


@pytest.mark.parametrize("text, expected", [
    ("98 Posts", "98 Posts"),
    ("x" * QUOTE_WIDTH, "x" * QUOTE_WIDTH),
    ("Der Onlinedienst Parler ist seit Montag nicht mehr erreichbar.", "Der Onlinedienst Parler ist…"),
    ("Twitter-Alternative-Netzwerk-Betreiberfirma", "Twitter-Alternative-Netzwerk-…"),  # no space: a hard cut
    ("Amazon kappt Parler die Cloud und mehr", "Amazon kappt Parler die Cloud…"),  # a word ends at the cut
    ("", ""),
])
def test_shorten(text: str, expected: str):
    assert shorten(text) == expected
    assert len(shorten(text)) <= QUOTE_WIDTH


def test_export_refuses_a_folder_with_other_files(corpus: Path, tmp_path: Path):
    out = tmp_path / "shared"
    export_tables(out, corpus=corpus)  # a full export: texts in quotes.csv …
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CorpusError, match="holds files the kit did not write \\(notes.txt\\)"):
        export_without_text(out, corpus=corpus)
    (out / "notes.txt").unlink()
    export_without_text(out, corpus=corpus)  # … the kit's own export is replaced as a whole, so it may reuse the folder
    assert "Wir werden vermutlich eine…" in (out / "quotes.csv").read_text(encoding="utf-8-sig")


def texts_folder(corpus: Path, folder: Path, by: str = "raw_file") -> Path:
    """Copy the corpus's raw files into `folder`, named by `by` (raw_file or original_file)."""
    folder.mkdir()
    for _, row in load_articles(corpus).iterrows():
        shutil.copyfile(corpus / "raw" / row["raw_file"], folder / row[by])
    return folder


def same_corpus(restored: Path, original: Path) -> None:
    columns = METADATA_COLUMNS + ["raw_text", "clean_text", "words_raw", "words_clean"]
    pd.testing.assert_frame_equal(load_articles(restored)[columns], load_articles(original)[columns])


@pytest.mark.parametrize("by", ["raw_file", "original_file"])
def test_round_trip_restores_the_same_corpus(corpus: Path, tmp_path: Path, by: str):
    export_without_text(tmp_path / "shared", corpus=corpus)
    texts = texts_folder(corpus, tmp_path / "my_texts", by)
    restored = restore_corpus(tmp_path / "shared", texts, tmp_path / "restored")
    assert check_corpus(restored) == []
    same_corpus(restored, corpus)
    assert "Dieser Text wurde" not in clean_texts(restored)["parler"]  # the corpus's own rule came along
    for name in ("articles.csv", "cleaning_rules.yaml"):
        assert (restored / name).read_bytes() == (corpus / name).read_bytes()


def test_restore_names_every_edited_or_missing_text_and_writes_nothing(corpus: Path, tmp_path: Path):
    export_without_text(tmp_path / "shared", corpus=corpus)
    texts = texts_folder(corpus, tmp_path / "my_texts")
    edited = texts / "000-parler.txt"
    edited.write_bytes(edited.read_bytes().replace(b"sagt Matze", b"sagte Matze"))
    (texts / "b.txt").unlink()
    with pytest.raises(CorpusError) as info:
        restore_corpus(tmp_path / "shared", texts, tmp_path / "restored")
    problems = info.value.problems
    assert len(problems) == 2
    assert problems[0].startswith(f"article 'fix-b': missing: no file named 'b.txt' in {texts}")
    assert problems[1].startswith(f"article 'parler': {edited} does not match the recorded sha256")
    assert not (tmp_path / "restored").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_restore_refuses_a_folder_in_use(corpus: Path, tmp_path: Path):
    export_without_text(tmp_path / "shared", corpus=corpus)
    texts = texts_folder(corpus, tmp_path / "my_texts")
    with pytest.raises(CorpusError, match="already exists and is not empty"):
        restore_corpus(tmp_path / "shared", texts, corpus)
    with pytest.raises(CorpusError, match="articles.csv: not found"):
        restore_corpus(tmp_path / "my_texts", texts, tmp_path / "restored")


def test_cli_export_no_text_and_restore(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    shared, restored = tmp_path / "shared", tmp_path / "restored"
    assert main(["export", "--no-text", "--out", str(shared), "--corpus", str(corpus)]) == 0
    assert "Wir werden vermutlich eine…" in (shared / "quotes.csv").read_text(encoding="utf-8-sig")
    texts = texts_folder(corpus, tmp_path / "my_texts", "original_file")
    (texts / "a.txt").write_bytes(b"FIXTURE - edited\n")
    assert main(["restore", str(shared), "--texts", str(texts), "--out", str(restored)]) == 1
    err = capsys.readouterr().err
    assert "article 'fix-a'" in err and "a.txt does not match the recorded sha256" in err
    shutil.copyfile(corpus / "raw" / "a.txt", texts / "a.txt")
    assert main(["restore", str(shared), "--texts", str(texts), "--out", str(restored)]) == 0
    assert "restored 3 articles" in capsys.readouterr().out
    same_corpus(restored, corpus)
