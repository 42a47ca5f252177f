"""Shared fixtures: the real corpus (loaded once) and the tiny fixture corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

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
