"""The evaluation sets (corpus/evaluation/): read strictly, kept out of the study, scored three ways."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.annotate import heldout
from helpers.annotate.heldout import DEV, IN_SAMPLE, TEST
from helpers.errors import CorpusError

ROOT = Path(__file__).resolve().parents[2]

# The targets on the test set (held out): they hold today; a change that breaks them fails here.
TEST_FLOORS = {"facts_f1_article": 0.90, "speaker_accuracy": 0.90}


@pytest.fixture(scope="module")
def quality(study):
    return study.detector_quality


@pytest.fixture()
def evaluation_copy(tmp_path):
    """A copy of the evaluation folder beside the study's codebook, to break."""
    folder = tmp_path / "evaluation"
    shutil.copytree(ROOT / "corpus" / "evaluation", folder)
    return folder


def test_the_study_has_a_dev_and_a_test_set_kept_out_of_its_articles(study):
    sets = study.evaluation
    assert list(sets) == [DEV, TEST]
    assert len(sets[DEV].texts) >= 8 and len(sets[TEST].texts) >= 8
    written = set(sets[DEV].texts) | set(sets[TEST].texts)
    assert not written & set(study.texts) and not written & set(study.coding["article_id"])
    assert not set(sets[DEV].texts) & set(sets[TEST].texts)
    for found in sets.values():  # coded by reading in four layers, every article
        assert set(found.hand["layer"]) == set(heldout.CODED_LAYERS)
        assert set(found.hand["article_id"]) == set(found.texts)


def test_the_scores_are_given_per_set_and_layer(quality):
    table = quality.table()
    assert list(table.columns[:2]) == ["layer", "measure"]
    assert [c.split(" (")[0] for c in table.columns[2:]] == [IN_SAMPLE, DEV, TEST]
    frames = table[table["layer"] == "frames"]
    assert (frames.iloc[:, 3:] == "not coded").all().all()  # the written articles have no frame coding
    assert "speaker accuracy" in set(table["measure"]) and "name variants flagged" in set(table["measure"])


def test_the_targets_hold_on_the_test_set(quality):
    test = quality.summary().set_index("set").loc[TEST]
    for measure, floor in TEST_FLOORS.items():
        assert test[measure] >= floor, f"{measure} {test[measure]:.3f} < {floor}"
    assert test["variants_noticed"] == test["variants"] > 0


def test_no_drop_in_sample(quality):
    sample = quality.summary().set_index("set").loc[IN_SAMPLE]
    # before the detectors were generalised: facts 44/0/1 per article, quotes 15/0/2, labels 65/2/11
    assert sample["facts_f1_article"] >= 88 / 89 and sample["quotes_f1"] >= 30 / 32
    assert sample["labels_f1"] >= 130 / 143 and sample["speaker_accuracy"] == 1.0


def test_an_edited_raw_file_is_named_with_its_line(study, evaluation_copy):
    raw = sorted((evaluation_copy / TEST / "raw").iterdir())[0]
    raw.write_text(raw.read_text(encoding="utf-8") + "\nEin Zusatz.\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        heldout.load_set(evaluation_copy / TEST, study.codebook)
    assert any(f"{evaluation_copy / TEST / 'articles.csv'} line 2: " in p and "sha256" in p
               for p in info.value.problems)


def test_a_coding_row_off_its_text_is_named_with_its_line(study, evaluation_copy):
    path = evaluation_copy / DEV / "coding" / "facts.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = lines[1].split(",")
    row[3], row[4] = str(int(row[3]) + 1), str(int(row[4]) + 1)
    path.write_text(lines[0] + ",".join(row) + "".join(lines[2:]), encoding="utf-8")
    problems = heldout.check_evaluation(evaluation_copy.parent, study.codebook)
    assert any(p.startswith(f"{path} line 2: span ") for p in problems), problems


def test_a_missing_coding_file_is_named(study, evaluation_copy):
    (evaluation_copy / TEST / "coding" / "quotes.csv").unlink()
    problems = heldout.check_evaluation(evaluation_copy.parent, study.codebook)
    assert problems == [f"{evaluation_copy / TEST / 'coding' / 'quotes.csv'}: coding file not found (each set is "
                        "coded in actors, facts, labels, quotes)"]


def test_validate_checks_the_evaluation_sets(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    command = [sys.executable, "-m", "helpers", "validate", "--corpus", str(corpus)]
    ok = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "Evaluation sets (written to test the detectors, not part of the study)" in ok.stdout
    (corpus / "evaluation" / DEV / "coding" / "labels.csv").write_text("article_id,layer\n", encoding="utf-8")
    broken = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert broken.returncode == 1 and f"{corpus / 'evaluation' / DEV / 'coding' / 'labels.csv'} line 1" in broken.stderr


def test_a_corpus_without_evaluation_sets_scores_in_sample_only(tmp_path, study):
    assert heldout.load_evaluation(tmp_path, study.codebook) == {}


def test_bad_bytes_and_paths_outside_the_set_are_named_not_raised(study, evaluation_copy):
    raw = sorted((evaluation_copy / TEST / "raw").iterdir())[0]
    raw.write_bytes(b"Parler \xff\xfe offline\n")
    table = evaluation_copy / TEST / "articles.csv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(lines[2].split(",")[0] + ".txt", "../../articles.csv", 1)
    table.write_text("".join(lines), encoding="utf-8")
    problems = heldout.check_evaluation(evaluation_copy.parent, study.codebook)
    assert any(p.startswith(f"{raw}: ") and "UTF-8" in p for p in problems), problems
    assert any(p.startswith(f"{table} line 3: ") and "raw_file" in p for p in problems), problems
