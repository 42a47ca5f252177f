"""Shared fixtures: the real corpus (loaded once) and the tiny fixture corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.annotate.annotations import load_codebook
from helpers.annotate.study import load_study
from helpers.corpus import load_articles

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
