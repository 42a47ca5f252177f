"""CSV export: article tables unchanged, hand-coding tables from a tiny fixture corpus with a coder folder."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.analyse.tables import (
    COVERAGE_COLUMNS,
    FRAME_COLUMNS,
    LABEL_COLUMNS,
    MENTION_COLUMNS,
    QUOTE_COLUMNS,
    is_variant,
)
from helpers.annotate.annotations import ANNOTATION_FILE_COLUMNS, locate
from helpers.corpus import load_articles
from helpers.publish.export import export_tables

CODEBOOK = """\
actor_kinds: [platform, person]
label_categories:
  neutral_technical: a neutral description
frame_kinds:
  issue: case frames
actors:
- {id: testnetz, name: Testnetz, kind: platform, spellings: [Testnetz, Testdienst], definition: d,
   example: {article_id: fix-a, span: Testnetz}}
- {id: beispiel, name: Dr. Beispiel, kind: person, spellings: [Beispiel], definition: d,
   example: {article_id: fix-a, span: Beispiel}}
facts:
- {id: offline, definition: d, include: i, exclude: e, example: {article_id: fix-a, span: nicht erreichbar}}
- {id: date_6jan, definition: d, include: i, exclude: e, example: {article_id: fix-a, span: 6. Januar}}
- {id: posts_98, definition: d, include: i, exclude: e, example: {article_id: fix-b, span: 98 Posts}}
labels:
- {id: network, category: neutral_technical, definition: d, include: i, exclude: e,
   example: {article_id: fix-a, span: Testnetz}}
frames:
- {id: technical, kind: issue, definition: d, cues: [offline], include: i, exclude: e,
   example: {article_id: fix-a, span: Testnetz geht offline}}
quotes:
- {id: direct_quote, definition: d, include: i, exclude: e, example: {article_id: fix-b, span: 98 Posts}}
"""
SENTENCE = "Der Testdienst ist seit dem 6. Januar nicht erreichbar."
# (layer, article, code, span, occurrence, speaker, attributed_to)
CODER_A = [
    ("actors", "fix-a", "testnetz", "Testnetz", 1, "", ""),
    ("actors", "fix-a", "testnetz", "Testdienst", 1, "", ""),
    ("actors", "fix-a", "beispiel", "Beispiel", 1, "", ""),
    ("actors", "fix-b", "testnetz", "Test", 2, "", ""),  # "Zweiter Test": not a spelling, so a variant
    ("facts", "fix-a", "offline", "nicht erreichbar", 1, "", ""),
    ("facts", "fix-a", "offline", "geht offline", 1, "", ""),  # earlier in the text: the evidence
    ("facts", "fix-b", "posts_98", "98 Posts", 1, "", ""),
    ("labels", "fix-a", "network", "Testnetz", 1, "", ""),
    ("labels", "fix-b", "network", "Text", 1, "", "unattributed"),
    ("frames", "fix-a", "technical", SENTENCE, 1, "", ""),
    ("quotes", "fix-a", "direct_quote", SENTENCE, 1, "beispiel", ""),
]


@pytest.fixture()
def corpus(tmp_path: Path, fixtures_dir: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(fixtures_dir / "corpus_ok", root)
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return root


@pytest.fixture()
def texts(corpus: Path) -> dict[str, str]:
    articles = load_articles(corpus)
    return dict(zip(articles["article_id"], articles["clean_text"], strict=True))


def write_coding(corpus: Path, coder: str, rows: list[tuple], texts: dict[str, str]) -> None:
    """Write rows as corpus/annotations/<coder>/<layer>.csv, with offsets found by `locate`."""
    folder = corpus / "annotations" / coder
    folder.mkdir(parents=True)
    for layer in sorted({row[0] for row in rows}):
        with (folder / f"{layer}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, ANNOTATION_FILE_COLUMNS)
            writer.writeheader()
            for row_layer, article_id, code, span, occurrence, speaker, attributed_to in rows:
                if row_layer == layer:
                    start, end = locate(texts[article_id], span, occurrence)
                    writer.writerow({"article_id": article_id, "layer": layer, "code": code, "start": start,
                                     "end": end, "span": span, "speaker": speaker, "attributed_to": attributed_to,
                                     "note": ""})


def read(out: Path, name: str) -> pd.DataFrame:
    path = out / name
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{name} lacks the UTF-8 byte-order mark"
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, dtype=str)


def test_article_tables_are_still_written(corpus: Path, tmp_path: Path):
    written = export_tables(tmp_path / "out", corpus=corpus)
    assert [p.name for p in written][:2] == ["articles.csv", "cleaning_removals.csv"]
    articles = read(tmp_path / "out", "articles.csv")
    assert list(articles["article_id"]) == ["fix-a", "fix-b"]
    assert "clean_text" not in articles.columns
    assert len(read(tmp_path / "out", "cleaning_removals.csv")) > 0


def test_without_hand_coding_the_tables_have_headers_only(corpus: Path, tmp_path: Path):
    out = tmp_path / "out"
    written = {p.name for p in export_tables(out, corpus=corpus)}
    for name, columns in [("coverage.csv", COVERAGE_COLUMNS), ("mentions.csv", MENTION_COLUMNS),
                          ("quotes.csv", QUOTE_COLUMNS), ("labels.csv", LABEL_COLUMNS),
                          ("frames.csv", FRAME_COLUMNS)]:
        assert name in written
        table = read(out, name)
        assert list(table.columns) == columns and table.empty


def test_coverage_has_one_row_per_article_and_fact(corpus: Path, texts: dict[str, str], tmp_path: Path):
    write_coding(corpus, "coder_a", CODER_A, texts)
    export_tables(tmp_path / "out", corpus=corpus)
    coverage = read(tmp_path / "out", "coverage.csv")
    assert list(coverage.columns) == COVERAGE_COLUMNS
    assert list(zip(coverage["article_id"], coverage["fact_id"], coverage["present"], strict=True)) == [
        ("fix-a", "offline", "1"), ("fix-a", "date_6jan", "0"), ("fix-a", "posts_98", "0"),
        ("fix-b", "offline", "0"), ("fix-b", "date_6jan", "0"), ("fix-b", "posts_98", "1"),
    ]
    offline = coverage.iloc[0]
    assert offline["evidence_span"] == "geht offline"
    assert (int(offline["start"]), int(offline["end"])) == locate(texts["fix-a"], "geht offline")
    absent = coverage.iloc[1]
    assert (absent["evidence_span"], absent["start"], absent["end"]) == ("", "", "")


def test_mentions_flag_variants(corpus: Path, texts: dict[str, str], tmp_path: Path):
    write_coding(corpus, "coder_a", CODER_A, texts)
    export_tables(tmp_path / "out", corpus=corpus)
    mentions = read(tmp_path / "out", "mentions.csv")
    assert list(mentions.columns) == MENTION_COLUMNS
    assert list(zip(mentions["actor_id"], mentions["surface"], mentions["is_variant"], strict=True)) == [
        ("testnetz", "Testnetz", "False"), ("testnetz", "Testdienst", "False"), ("beispiel", "Beispiel", "False"),
        ("testnetz", "Test", "True"),
    ]
    first = mentions.iloc[3]
    assert texts["fix-b"][int(first["start"]):int(first["end"])] == "Test"


def test_quotes_labels_and_frames(corpus: Path, texts: dict[str, str], tmp_path: Path):
    write_coding(corpus, "coder_a", CODER_A, texts)
    out = tmp_path / "out"
    export_tables(out, corpus=corpus)
    quotes = read(out, "quotes.csv")
    assert quotes.to_dict("records") == [{"article_id": "fix-a", "speaker_actor_id": "beispiel", "quote": SENTENCE,
                                          "start": str(texts["fix-a"].index(SENTENCE)),
                                          "end": str(texts["fix-a"].index(SENTENCE) + len(SENTENCE))}]
    labels = read(out, "labels.csv")
    assert list(labels.columns) == LABEL_COLUMNS
    assert list(zip(labels["label"], labels["category"], labels["attributed_to"], labels["phrase"], strict=True)) == [
        ("network", "neutral_technical", "", "Testnetz"), ("network", "neutral_technical", "unattributed", "Text")]
    frames = read(out, "frames.csv")
    assert list(frames.columns) == FRAME_COLUMNS
    assert list(zip(frames["frame"], frames["kind"], frames["sentence"], strict=True)) == [
        ("technical", "issue", SENTENCE)]


def test_several_coders_share_one_file_per_table_with_a_coder_column(corpus, texts, tmp_path: Path):
    write_coding(corpus, "coder_a", CODER_A, texts)
    write_coding(corpus, "coder_b", [("facts", "fix-a", "date_6jan", "6. Januar", 1, "", "")], texts)
    out = tmp_path / "out"
    export_tables(out, corpus=corpus)
    coverage = read(out, "coverage.csv")
    assert list(coverage.columns) == ["article_id", "coder", *COVERAGE_COLUMNS[1:]]
    # coder_b has coded fix-a only: its fix-b rows are missing, never "absent".
    # The consensus the findings use comes with them (coder_a's reading where nobody has adjudicated yet).
    assert coverage.groupby("coder").size().to_dict() == {"coder_a": 6, "coder_b": 3, "consensus": 6}
    b = coverage[coverage["coder"] == "coder_b"].set_index("fact_id")["present"].to_dict()
    assert b == {"offline": "0", "date_6jan": "1", "posts_98": "0"}
    mentions = read(out, "mentions.csv")
    assert set(mentions["coder"]) == {"coder_a", "consensus"}
    assert list(mentions.columns) == ["article_id", "coder", *MENTION_COLUMNS[1:]]
    agreement = read(out, "agreement.csv")
    assert {"alpha", "ci_low", "ci_high", "percent_agreement"} <= set(agreement.columns)
    disagreements = read(out, "disagreements.csv")
    assert set(disagreements["decision"]) <= {"pending"}  # nothing adjudicated in this fixture
    claims = read(out, "claims.csv")  # this fixture has no study file, so no claims: the table is there, empty
    assert claims.empty and list(claims.columns)[:4] == ["claim_id", "notebook", "finding", "verdict"]


@pytest.mark.parametrize("surface, variant", [
    ("Parler", False), ("Parlers", False), ("Parler-App", False), ("Parler-Chef", False),
    ("Anti-Parler", False), ("Parler-App-Nutzer", False), ("Mazte", True), ("parler", True),
    ("Parlerchef", True), ("Parlerss", True), ("AWS-Cloud", False), ("Amazon Web Services", False),
])
def test_is_variant(surface: str, variant: bool):
    spellings = ["Parler", "Parler-App", "AWS", "Amazon Web Services", "Matze"]
    assert is_variant(surface, spellings) is variant
