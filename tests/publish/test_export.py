"""CSV export: article tables unchanged, hand-coding tables from a tiny fixture corpus with a coder folder, the tables
behind every view and the datapackage.json describing them (validated with frictionless)."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from frictionless import Package

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
from helpers.publish.datapackage import DATAPACKAGE_NAME
from helpers.publish.export import QUOTE_WIDTH, export_tables, export_without_text
from helpers.publish.outputs import MARKER

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
    assert claims.empty and list(claims.columns)[:4] == ["claim_id", "page", "finding", "verdict"]


@pytest.mark.parametrize("surface, variant", [
    ("Parler", False), ("Parlers", False), ("Parler-App", False), ("Parler-Chef", False),
    ("Anti-Parler", False), ("Parler-App-Nutzer", False), ("Mazte", True), ("parler", True),
    ("Parlerchef", True), ("Parlerss", True), ("AWS-Cloud", False), ("Amazon Web Services", False),
])
def test_is_variant(surface: str, variant: bool):
    spellings = ["Parler", "Parler-App", "AWS", "Amazon Web Services", "Matze"]
    assert is_variant(surface, spellings) is variant


# --- the tables behind every view, and the datapackage.json describing them ---------------------------------

EMOJI_TEXT = ("FIXTURE - kein echter Artikel, nur für Tests geschrieben.\nRaketenstart für Testnetz\n\n"
              "Der Testdienst startet 🚀 neu. Testnetz ist wieder online, sagt Dr. Beispiel. Testnetz bleibt.\n")
EVENTS = (
    "event_id,date,date_precision,actor,event,source_kind,source,source_quote,note\n"
    "offline,2021-01-06,day,Testnetz,Testnetz goes offline,article,fix-a,"
    "Der Testdienst ist seit dem 6. Januar nicht erreichbar.,\n"
    "report,2021-01,month,Someone,A report on it,report,https://example.org/report,ein Bericht aus dem Januar,month\n")
STUDY = """\
title: Fixture study
searches:
  kwic: Test*
  names: Testnetz|Testdienst
"""
NEW_TABLES = {  # file -> its columns, as documented in datapackage.json and README.md
    "events.csv": ["event_id", "date", "date_precision", "actor", "event", "source_kind", "source", "source_quote",
                   "note"],
    "sentences.csv": ["article_id", "paragraph", "sentence", "start", "end", "text"],
    "detections.csv": ["article_id", "coder", "layer", "code", "start", "end", "span", "speaker", "attributed_to",
                       "voice", "is_variant", "note"],
    "detector_scores.csv": ["reference", "set", "layer", "level", "tp", "fp", "fn", "precision", "recall", "f1",
                            "attribution_field", "attribution_checked", "attribution_agreed", "attribution_accuracy"],
    "lemma_counts.csv": ["article_id", "lemma", "count"],
    "keyness.csv": ["outlet", "lemma", "count_group", "count_rest", "delta", "z", "g2", "log_ratio", "low_count",
                    "warning"],
    "kwic.csv": ["search", "query", "article_id", "outlet", "start", "end", "left", "hit", "right", "sentence"],
}


@pytest.fixture()
def study_corpus(corpus: Path, tmp_path: Path) -> Path:
    """The fixture corpus with a third article from a second outlet (an emoji in its clean text), events, a
    study file with default searches, and two coders' coding."""
    from helpers.corpus.addition import add_article

    source = tmp_path / "emoji.txt"
    source.write_text(EMOJI_TEXT, encoding="utf-8")
    add_article(source, outlet="Second Outlet", title="Raketenstart für Testnetz", published_earliest="2021-01-13",
                published_latest="2021-01-14", article_id="fix-c", corpus=corpus)
    (corpus / "events.csv").write_text(EVENTS, encoding="utf-8")
    (corpus / "study.yaml").write_text(STUDY, encoding="utf-8")
    texts = dict(zip(*[load_articles(corpus)[c] for c in ("article_id", "clean_text")], strict=True))
    write_coding(corpus, "coder_a", CODER_A, texts)
    write_coding(corpus, "coder_b", [row for row in CODER_A if row[0] != "labels"], texts)
    return corpus


@pytest.fixture()
def exported(study_corpus: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    export_tables(out, corpus=study_corpus)
    return out


def package_of(folder: Path) -> dict:
    return json.loads((folder / DATAPACKAGE_NAME).read_text(encoding="utf-8"))


def test_every_new_table_is_written_with_its_documented_columns(exported: Path):
    package = {resource["path"]: resource for resource in package_of(exported)["resources"]}
    for name, columns in NEW_TABLES.items():
        table = read(exported, name)
        assert list(table.columns) == columns, name
        assert [field["name"] for field in package[name]["schema"]["fields"]] == columns, name
        assert len(table) > 0, f"{name} is empty: the fixture should give it rows"
    events = read(exported, "events.csv")
    assert list(events["date_precision"]) == ["day", "month"]


def test_the_datapackage_describes_every_file_and_validates(exported: Path):
    package = package_of(exported)
    written = sorted(p.name for p in exported.iterdir() if p.name not in (MARKER, DATAPACKAGE_NAME))
    assert sorted(resource["path"] for resource in package["resources"]) == written
    assert {"agreement.csv", "disagreements.csv", "claims.csv", "cleaning_removals.csv"} <= set(written)
    assert {Path(path).suffix for path in written} == {".csv", ".qdpx", ".qdc"}  # the REFI-QDA files too
    for resource in package["resources"]:
        if not resource["path"].endswith(".csv"):
            assert resource["description"] and resource["format"] in ("qdpx", "qdc"), resource
            continue
        assert resource["encoding"] == "utf-8-sig" and resource["description"]
        header = (exported / resource["path"]).read_text(encoding="utf-8-sig").splitlines()[0].split(",")
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == header
        assert all(field["description"] and field["type"] for field in fields)
    report = Package(str(exported / DATAPACKAGE_NAME)).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    # Typed as described: dates are dates, offsets integers, flags booleans.
    articles = Package(str(exported / DATAPACKAGE_NAME)).get_resource("articles").read_rows()
    assert str(articles[0]["published_earliest"]) == "2021-01-10"
    described = package["description"] + json.dumps(package["resources"])
    assert "Unicode code points" in described and "UTF-16" in described and "end exclusive" in described
    assert "fix-c (1)" in package["description"]  # the clean text holding an emoji is named
    sentences = next(r for r in package["resources"] if r["path"] == "sentences.csv")
    start = next(f for f in sentences["schema"]["fields"] if f["name"] == "start")
    assert "code points" in start["description"] and "clean text" in start["description"]


def test_foreign_keys_hold_and_a_broken_one_fails_validation(exported: Path, tmp_path: Path):
    ids = set(read(exported, "articles.csv")["article_id"])
    package = package_of(exported)
    keyed = [r["path"] for r in package["resources"] if r.get("schema", {}).get("foreignKeys")]
    assert set(NEW_TABLES) - {"events.csv", "keyness.csv", "detector_scores.csv"} <= set(keyed)
    for name in keyed:
        assert set(read(exported, name)["article_id"]) <= ids, name
    broken = tmp_path / "broken"
    shutil.copytree(exported, broken)
    path = broken / "sentences.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("\nfix-b,", "\nfix-x,", 1), encoding="utf-8-sig")
    report = Package(str(broken / DATAPACKAGE_NAME)).validate()
    assert not report.valid
    assert {error[0] for error in report.flatten(["type"])} == {"foreign-key"}


def test_offsets_from_sentences_slice_the_clean_text_in_code_points(exported: Path, study_corpus: Path):
    texts = dict(zip(*[load_articles(study_corpus)[c] for c in ("article_id", "clean_text")], strict=True))
    sentences = read(exported, "sentences.csv")
    for row in sentences.itertuples():
        assert texts[row.article_id][int(row.start):int(row.end)] == row.text
    after_emoji = sentences[sentences["text"].str.startswith("Testnetz ist wieder online")].iloc[0]
    start = int(after_emoji["start"])
    assert "🚀" in texts["fix-c"][:start]
    # A tool counting UTF-16 code units would put this sentence one unit later: the offsets are not those.
    utf16_start = len(texts["fix-c"][:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 1
    kwic_hits = read(exported, "kwic.csv")
    assert set(kwic_hits["search"]) == {"kwic", "names"}
    for row in kwic_hits.itertuples():
        assert texts[row.article_id][int(row.start):int(row.end)] == row.hit


def test_detections_and_scores_are_the_detectors_against_the_consensus(exported: Path, study_corpus: Path):
    from helpers.annotate import measure
    from helpers.annotate.detect import detect_all
    from helpers.annotate.study import load_study

    study = load_study(study_corpus)
    detected = detect_all(study.texts, study.codebook)
    detections = read(exported, "detections.csv")
    assert set(detections["coder"]) == {"detector"} and len(detections) == len(detected)
    assert set(detections["layer"]) >= {"actors", "frames"}
    scores = read(exported, "detector_scores.csv")
    in_sample = scores[scores["set"] == "in-sample"]
    expected = measure.scores(study.coding, detected)
    assert list(zip(in_sample["layer"], in_sample["level"], in_sample["tp"].astype(int), strict=True)) == list(
        zip(expected["layer"], expected["level"], expected["tp"], strict=True))
    assert set(in_sample["reference"]) == {"consensus"}
    assert set(scores["set"]) == {"in-sample"}  # the fixture corpus has no evaluation sets


def test_detector_scores_include_the_evaluation_sets_as_notebook_01_shows_them(study):
    from helpers.publish.export import DETECTOR_SCORES_NAME, detector_tables

    scores = detector_tables(study.texts, study.codebook, study.coding, study.evaluation)[DETECTOR_SCORES_NAME]
    quality = study.detector_quality.scores
    assert list(dict.fromkeys(scores["set"])) == ["in-sample", "dev", "test"]
    for name in ("in-sample", "dev", "test"):
        rows, want = scores[scores["set"] == name], quality[quality["set"] == name]
        assert list(zip(rows["layer"], rows["level"], rows["tp"], rows["fp"], rows["fn"], strict=True)) == list(
            zip(want["layer"], want["level"], want["tp"], want["fp"], want["fn"], strict=True))
    assert set(scores.loc[scores["set"] == "test", "reference"]) == {"corpus/evaluation/test"}
    assert "frames" not in set(scores.loc[scores["set"] == "test", "layer"])  # the written articles have none


def test_keyness_in_the_export_is_g2_and_log_ratio_of_the_lemma_counts(exported: Path):
    counts = read(exported, "lemma_counts.csv").astype({"count": int})
    outlets = read(exported, "articles.csv").set_index("article_id")["outlet"]
    counts["outlet"] = counts["article_id"].map(outlets)
    per_outlet = counts.groupby(["outlet", "lemma"])["count"].sum()
    sizes = counts.groupby("outlet")["count"].sum()
    keyness_table = read(exported, "keyness.csv")
    assert set(keyness_table["outlet"]) == {"Fixture Outlet", "Second Outlet"}
    row = keyness_table[(keyness_table["outlet"] == "Second Outlet") & (keyness_table["lemma"] == "testnetz")].iloc[0]
    a, b = per_outlet.get(("Second Outlet", "testnetz"), 0), per_outlet.get(("Fixture Outlet", "testnetz"), 0)
    n_a, n_b = sizes["Second Outlet"], sizes["Fixture Outlet"]
    assert (int(row["count_group"]), int(row["count_rest"])) == (a, b) and a > 0
    # By hand: the 2x2 table (testnetz, other lemmas) x (Second Outlet, Fixture Outlet).
    total = n_a + n_b
    cells = [(a, n_a * (a + b) / total), (b, n_b * (a + b) / total), (n_a - a, n_a * (total - a - b) / total),
             (n_b - b, n_b * (total - a - b) / total)]
    g2 = 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)
    sign = 1 if a / n_a > b / n_b else -1
    assert float(row["g2"]) == pytest.approx(sign * g2)
    assert float(row["log_ratio"]) == pytest.approx(math.log2((a / n_a) / (max(b, 0.5) / n_b)))


def test_the_export_without_text_cuts_the_new_tables_and_leaves_kwic_out(study_corpus: Path, tmp_path: Path):
    out = tmp_path / "shared"
    written = {p.name for p in export_without_text(out, corpus=study_corpus)}
    assert "kwic.csv" not in written and DATAPACKAGE_NAME in written
    assert "kwic.csv" in (out / "README.txt").read_text(encoding="utf-8")
    for name, columns in (("sentences.csv", ["text"]), ("detections.csv", ["span", "note"])):
        table = read(out, name)
        assert len(table) and all((table[c].str.len() <= QUOTE_WIDTH).all() for c in columns), name
    assert (read(out, "sentences.csv")["text"].str.endswith("…")).any()  # something was cut
    events = read(out, "events.csv").set_index("event_id")["source_quote"]
    assert events["offline"] == "Der Testdienst ist seit dem…"  # quotes an article: cut
    assert events["report"] == "ein Bericht aus dem Januar"  # quotes a report: kept
    package = package_of(out)
    assert {r["path"] for r in package["resources"]} == written - {DATAPACKAGE_NAME}
    assert "kwic.csv is left out" in package["description"]
    report = Package(str(out / DATAPACKAGE_NAME)).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
