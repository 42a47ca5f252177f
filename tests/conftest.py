"""Shared fixtures: the real corpus (loaded once) and the tiny fixture corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.annotations import load_annotations, load_codebook
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
def hand(articles):
    """The project's hand coding, loaded against the clean texts."""
    return load_annotations(dict(zip(articles["article_id"], articles["clean_text"], strict=True)))
