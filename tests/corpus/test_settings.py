"""The study file (study.yaml) is read strictly: every problem names the file and the key."""

from __future__ import annotations

import pytest

from helpers.corpus import corpus_dir
from helpers.corpus.settings import STUDY_FILE, load_settings
from helpers.errors import CorpusError


def write(tmp_path, text: str):
    (tmp_path / STUDY_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(CorpusError) as caught:
        load_settings(write(tmp_path, text))
    return caught.value.problems


def test_a_corpus_without_a_study_file_gets_neutral_settings(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.path is None and settings.sides == () and settings.search("kwic") == ""
    assert tmp_path.name in settings.title


def test_the_committed_study_file_reads():
    settings = load_settings(corpus_dir())
    assert settings.focal_side == "Parler" and settings.evidence.claim


def test_unknown_keys_and_wrong_types_are_named(tmp_path):
    found = problems(tmp_path, "title: T\nsidez: [a]\nsides: Parler\nevidence: {claim: 3}\n")
    assert any("unknown key 'sidez'" in p for p in found)
    assert any("'sides' must be a list of strings" in p for p in found)
    assert any("'claim' must be a str" in p for p in found)
    assert all(str(tmp_path / STUDY_FILE) in p for p in found)


def test_a_title_is_required(tmp_path):
    assert any("'title' is required" in p for p in problems(tmp_path, "question: Q\n"))


@pytest.mark.parametrize("claims", ["claims.py", "../elsewhere.py"])
def test_the_old_claims_key_is_refused_and_points_to_claims_yaml(tmp_path, claims):
    found = problems(tmp_path, f"title: T\nclaims: {claims}\n")
    assert any("'claims' is no longer a key" in p and "claims.yaml" in p for p in found)


def test_bad_yaml_names_the_line(tmp_path):
    found = problems(tmp_path, "title: T\nsides: [a\n")
    assert "line" in found[0] and STUDY_FILE in found[0]


def test_a_search_that_is_not_a_regular_expression_is_named(tmp_path):
    found = problems(tmp_path, "title: T\nsearches: {kwic: 'Parler', names: 'Matz(e'}\n")
    assert found == [f"{tmp_path / STUDY_FILE}: searches: names: 'Matz(e' is not a valid regular expression "
                     "(missing ) at position 6)"]
