"""The per-word cache of simplemma answers: same answers as simplemma, persisted, harmless when unwritable."""

from __future__ import annotations

import json

import pytest
import simplemma

from helpers.text import german


@pytest.fixture()
def fresh_cache(tmp_path, monkeypatch):
    """Point the cache at an empty folder and forget what this process has answered."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(german, "_memo", None)
    monkeypatch.setattr(german, "_unsaved", False)
    return tmp_path


def test_answers_equal_simplemma_and_are_saved(fresh_cache):
    words = ["Nutzerinnen", "gegründet", "Posts", "Netwerk", "Parler"]
    for word in words:
        assert german.lemmatize(word) == simplemma.lemmatize(word, lang="de")
        assert german.is_known(word) == bool(simplemma.is_known(word, lang="de"))
    german.save()
    saved = json.loads(german.cache_path().read_text(encoding="utf-8"))
    assert german.cache_path().is_relative_to(fresh_cache)
    assert set(words) <= set(saved) and saved["Nutzerinnen"][0] == simplemma.lemmatize("Nutzerinnen", lang="de")


def test_a_new_process_reads_the_saved_answers(fresh_cache, monkeypatch):
    expected = german.lemmatize("Gewaltaufrufe")
    german.save()
    monkeypatch.setattr(german, "_memo", None)  # as in a new kernel
    monkeypatch.setattr(german.simplemma, "lemmatize", lambda *a, **k: pytest.fail("the dictionary was consulted"))
    assert german.lemmatize("Gewaltaufrufe") == expected


def test_unwritable_cache_only_costs_speed(fresh_cache, monkeypatch):
    blocker = fresh_cache / "parler-coverage"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    assert german.lemmatize("Server") == simplemma.lemmatize("Server", lang="de")
    german.save()  # must not raise
    assert blocker.is_file()


def test_a_corrupt_cache_is_ignored(fresh_cache):
    german.cache_path().parent.mkdir(parents=True)
    german.cache_path().write_text("{not json", encoding="utf-8")
    assert german.is_known("Haus") == bool(simplemma.is_known("Haus", lang="de"))
