"""Shared fixtures: the real corpus (loaded once) and the tiny fixture corpora."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.annotate.annotations import load_codebook
from helpers.annotate.study import load_study
from helpers.corpus import load_articles
from helpers.corpus.articles import CORPUS_ENV

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def articles():
    """The project's corpus, loaded once per test session."""
    return load_articles()


@pytest.fixture()
def fixtures_dir() -> Path:
    """The folder of tiny test corpora."""
    return FIXTURES


@pytest.fixture(scope="session")
def codebook():
    """The project's codebook."""
    return load_codebook()


@pytest.fixture(scope="session")
def study():
    """The project's study: corpus, codebook, both coders' files and their consensus."""
    return load_study()


@pytest.fixture(scope="session")
def hand(study):
    """The coding the findings use: the consensus of the two hand coders."""
    return study.coding


@pytest.fixture(autouse=True)
def corpus_env_restored() -> Iterator[None]:
    """Put $PARLER_CORPUS back after each test: the command line, called in-process, sets it for its kernels.

    Without this, a test that runs `main([..., "--corpus", copy])` points every later test of its worker (or
    session) at that copy; with tests on several cores the order of files varies, so it would bite at random.
    """
    before = os.environ.get(CORPUS_ENV)
    yield
    if before is None:
        os.environ.pop(CORPUS_ENV, None)
    else:
        os.environ[CORPUS_ENV] = before
