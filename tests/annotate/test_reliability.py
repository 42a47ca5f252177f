"""Reliability between two coders: alpha with a bootstrap interval, units per layer, disagreements, consensus."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.annotate import consensus, reliability
from helpers.annotate.annotations import ANNOTATION_COLUMNS, load_annotations, load_codebook, locate
from helpers.annotate.measure import krippendorff_alpha_nominal
from helpers.corpus import load_articles
from helpers.errors import CorpusError
from helpers.text.segment import split_sentences


def test_two_coder_alpha_matches_the_reference_implementation():
    rng = random.Random(7)
    for _ in range(20):
        a = [rng.choice("xyz") for _ in range(30)]
        b = [v if rng.random() < 0.7 else rng.choice("xyz") for v in a]
        assert reliability.alpha_interval(a, b).alpha == pytest.approx(krippendorff_alpha_nominal([a, b]))


def test_interval_is_seeded_and_brackets_alpha():
    a = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1] * 4
    b = [1, 0, 1, 0, 0, 0, 1, 1, 1, 1] * 4
    first, again = reliability.alpha_interval(a, b), reliability.alpha_interval(a, b)
    assert first == again and first.used == reliability.RESAMPLES
    assert first.low <= first.alpha <= first.high and first.high - first.low > 0.05
    assert reliability.alpha_interval(a, b, seed=1) != first  # another seed, other resamples


def test_no_variation_is_undefined_not_perfect():
    interval = reliability.alpha_interval([1, 1, 1], [1, 1, 1])
    assert pd.isna(interval.alpha) and reliability.reading(interval.alpha).startswith("undefined")


@pytest.mark.parametrize(("alpha", "expected"), [(0.85, "reliable"), (0.80, "reliable"), (0.7, "tentative"),
                                                 (0.5, "not used for conclusions")])
def test_krippendorff_readings(alpha, expected):
    assert reliability.reading(alpha) == expected


@pytest.mark.parametrize(("alpha", "low", "expected"), [(0.85, 0.70, "reliable"), (0.85, 0.0, "uncertain"),
                                                        (0.70, 0.667, "tentative"), (0.70, 0.60, "uncertain"),
                                                        (0.5, 0.2, "not used for conclusions")])
def test_a_reading_needs_the_interval_above_the_bar(alpha, low, expected):
    assert reliability.reading(alpha, low).startswith(expected)


def test_span_clusters_merge_chains_of_overlaps():
    assert reliability.span_clusters([(10, 20), (0, 5), (15, 30), (30, 35), (4, 6)]) == [(0, 6), (10, 30), (30, 35)]


def row(coder, article, layer, code, text, span, **extra):
    start, end = locate(text, span)
    values = {"article_id": article, "layer": layer, "code": code, "start": start, "end": end, "span": span,
              "speaker": "", "attributed_to": "", "note": "", "coder": coder, "is_variant": False, "voice": ""}
    return values | extra


TEXT = "Parler ist offline. Amazon sagt, Parler sei eine Gefahr. „Wir kommen zurück“, sagt Matze."


@pytest.fixture()
def two_coders(codebook):
    sentence = split_sentences(TEXT)[1]
    rows = [
        row("coder_a", "a", "facts", "parler_offline", TEXT, "Parler ist offline"),
        row("coder_b", "a", "facts", "parler_offline", TEXT, "ist offline"),
        row("coder_a", "a", "facts", "public_safety_risk", TEXT, "eine Gefahr"),
        row("coder_a", "a", "frames", "public_safety_violence", TEXT, sentence.text, voice="reported",
            attributed_to="amazon"),
        row("coder_b", "a", "frames", "public_safety_violence", TEXT, sentence.text, voice="own"),
        row("coder_a", "a", "labels", "danger_public_safety", TEXT, "eine Gefahr", voice="reported",
            attributed_to="amazon"),
        row("coder_b", "a", "labels", "danger_public_safety", TEXT, "Gefahr", voice="reported",
            attributed_to="amazon"),
        row("coder_a", "a", "quotes", "direct_quote", TEXT, "Wir kommen zurück", speaker="john_matze"),
        row("coder_b", "a", "quotes", "direct_quote", TEXT, "Wir kommen zurück", speaker="parler"),
    ]
    return pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)


def test_units_fit_each_layer_and_disagreements_are_listed(two_coders, codebook):
    units = reliability.reliability_units(two_coders, {"a": TEXT}, codebook)
    facts = units[units["layer"] == "facts"]
    assert len(facts) == len(codebook.ids("facts"))  # article × fact
    assert len(units[(units["layer"] == "frames") & (units["measure"] == "presence")]) == 3 * len(
        codebook.ids("frames"))  # sentence × frame
    differ = reliability.disagreements(units)
    found = {(r.layer, r.measure, r.code) for r in differ.itertuples()}
    assert found == {("facts", "presence", "public_safety_risk"), ("frames", "voice", "public_safety_violence"),
                     ("quotes", "speaker", "direct_quote")}
    # A shorter span of the same fact and the same label is agreement, not a disagreement.
    labels = units[(units["layer"] == "labels") & (units["measure"] == "code")]
    assert list(labels["value_a"]) == list(labels["value_b"]) == ["danger_public_safety"]


def test_agreement_table_has_layers_then_codes(two_coders, codebook):
    table = reliability.agreement_table(reliability.reliability_units(two_coders, {"a": TEXT}, codebook), codebook)
    assert list(table.columns) == reliability.AGREEMENT_COLUMNS
    layers = table[table["code"] == ""]
    assert {"facts", "frames", "quotes", "labels", "actors"} >= set(layers["layer"])
    assert (table[table["code"] != ""]["layer"].isin(["facts", "frames", "labels", "actors"])).all()


def test_reliability_needs_both_coders(two_coders, codebook):
    with pytest.raises(ValueError, match="coder_b"):
        reliability.reliability_units(two_coders[two_coders["coder"] == "coder_a"], {"a": TEXT}, codebook)


def test_consensus_applies_each_decision(two_coders, codebook):
    units = reliability.disagreements(reliability.reliability_units(two_coders, {"a": TEXT}, codebook))
    key = {u["layer"]: consensus._key(u) for u in units.to_dict("records")}
    decided = {key["facts"]: "neither", key["frames"]: "coder_b"}  # quotes: pending, coder_a's reading stays
    agreed = consensus.build_consensus(two_coders, decided, units)
    assert set(agreed["coder"]) == {"consensus"}
    assert "public_safety_risk" not in set(agreed["code"])
    frame = agreed[agreed["layer"] == "frames"].iloc[0]
    assert (frame["voice"], frame["attributed_to"]) == ("own", "")
    assert agreed.loc[agreed["layer"] == "quotes", "speaker"].tolist() == ["john_matze"]
    assert len(consensus.pending(units, decided)) == 1
    # Agreed units keep coder_a's rows: the longer fact span.
    assert agreed.loc[agreed["code"] == "parler_offline", "span"].tolist() == ["Parler ist offline"]


def adjudication_corpus(tmp_path: Path, fixtures_dir: Path) -> tuple[Path, dict[str, str]]:
    """The two-article fixture corpus coded by two coders who disagree on one fact."""
    root = tmp_path / "corpus"
    shutil.copytree(fixtures_dir / "corpus_ok", root)
    shutil.copy(fixtures_dir / "annotations" / "codebook.yaml", root / "codebook.yaml")
    articles = load_articles(root)
    texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
    for coder, spans in (("coder_a", ["nicht erreichbar"]), ("coder_b", [])):
        folder = root / "annotations" / coder
        folder.mkdir(parents=True)
        with (folder / "facts.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["article_id", "layer", "code", "start", "end", "span", "speaker", "attributed_to",
                             "note"])
            for span in spans:
                writer.writerow(["fix-a", "facts", "offline", *locate(texts["fix-a"], span), span, "", "", ""])
            writer.writerow(["fix-b", "facts", "offline", *locate(texts["fix-b"], "98 Posts"), "98 Posts", "", "",
                             ""])
        with (folder / "actors.csv").open("w", encoding="utf-8", newline="") as fh:  # both coded fix-a
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["article_id", "layer", "code", "start", "end", "span", "speaker", "attributed_to",
                             "note"])
            writer.writerow(["fix-a", "actors", "testdienst", *locate(texts["fix-a"], "Testdienst"), "Testdienst",
                             "", "", ""])
    return root, texts


def write_adjudication(root: Path, decision: str, value_b: str = "0") -> Path:
    path = consensus.adjudication_path(root)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(consensus.ADJUDICATION_COLUMNS)
        writer.writerow(["facts", "presence", "fix-a", "", "", "offline", "1", value_b, decision, "read it"])
    return path


def test_adjudication_decides_the_study_coding(tmp_path, fixtures_dir):
    root, texts = adjudication_corpus(tmp_path, fixtures_dir)
    codebook = load_codebook(root / "codebook.yaml")
    hand = load_annotations(texts, root, codebook)
    assert consensus.check_adjudication(hand, texts, codebook, root) == ([], 1)  # one pending
    write_adjudication(root, "coder_b")
    agreed = consensus.study_coding(hand, texts, codebook, root)
    assert agreed[agreed["code"] == "offline"]["article_id"].tolist() == ["fix-b"]
    assert consensus.check_adjudication(hand, texts, codebook, root) == ([], 0)


@pytest.mark.parametrize(("decision", "value_b", "message"), [
    ("maybe", "0", "decision 'maybe' must be one of coder_a, coder_b, neither"),
    ("coder_a", "1", "the coders' values are now '1' / '0', not '1' / '1': adjudicate it again"),
])
def test_bad_or_stale_adjudication_names_file_and_line(tmp_path, fixtures_dir, decision, value_b, message):
    root, texts = adjudication_corpus(tmp_path, fixtures_dir)
    codebook = load_codebook(root / "codebook.yaml")
    hand = load_annotations(texts, root, codebook)
    path = write_adjudication(root, decision, value_b)
    problems, _ = consensus.check_adjudication(hand, texts, codebook, root)
    assert problems == [f"{path} line 2: {message}"]
    with pytest.raises(CorpusError):
        consensus.study_coding(hand, texts, codebook, root)


def test_real_study_has_every_disagreement_adjudicated(study):
    problems, waiting = consensus.check_adjudication(study.hand, study.texts, study.codebook, study.root)
    assert problems == [] and waiting == 0
    assert set(study.hand["coder"]) == {"coder_a", "coder_b"}
    assert set(study.coding["coder"]) == {"consensus"}


def test_real_study_coders_agree_where_the_findings_need_it(study):
    table = reliability.agreement_table(reliability.reliability_units(study.hand, study.texts, study.codebook),
                                        study.codebook, resamples=200)
    layers = table[table["code"] == ""].set_index(["layer", "measure"])
    assert (layers["alpha"] >= reliability.TENTATIVE).all(), layers["alpha"]


@pytest.mark.parametrize(("content", "expected"), [
    (b"layer,measure,article_id\n", "line 1: missing column(s) start, end, code, value_a, value_b, decision, reason"),
    (b"layer,measure,article_id,start,end,code,value_a,value_b,decision,reason\nfacts,presence,fix-a,,,offline,1,0,"
     b"coder_a,gel\xf6st\n", "not valid UTF-8"),
])
def test_malformed_adjudication_file_is_named(tmp_path, fixtures_dir, content, expected):
    root, texts = adjudication_corpus(tmp_path, fixtures_dir)
    codebook = load_codebook(root / "codebook.yaml")
    hand = load_annotations(texts, root, codebook)
    path = consensus.adjudication_path(root)
    path.write_bytes(content)
    problems, _ = consensus.check_adjudication(hand, texts, codebook, root)
    assert len(problems) == 1 and problems[0].startswith(str(path)) and expected in problems[0]


def test_the_same_unit_adjudicated_twice_is_named(tmp_path, fixtures_dir):
    root, texts = adjudication_corpus(tmp_path, fixtures_dir)
    codebook = load_codebook(root / "codebook.yaml")
    hand = load_annotations(texts, root, codebook)
    path = write_adjudication(root, "coder_a")
    with path.open("a", encoding="utf-8") as fh:
        fh.write("facts,presence,fix-a,,,offline,1,0,coder_b,read it again\n")
    problems, _ = consensus.check_adjudication(hand, texts, codebook, root)
    assert problems == [f"{path} line 3: this unit is adjudicated twice"]
