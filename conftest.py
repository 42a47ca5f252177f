"""Run on every core: the order pytest-xdist hands out test files (at the root: notebooks/ is collected too)."""

from __future__ import annotations

import pytest

# pyproject.toml runs pytest with `-n auto --dist loadfile --no-loadscope-reorder`: each worker takes whole files, in
# the order collected, so a module's fixtures (a report build, a Chromium, a JupyterLab server) are set up once and
# nbval's cells of one notebook run in order in one kernel. The files that take longest are collected first, the
# fresh-venv test (marked slow) first of all, so they run alongside the many short ones and none starts last.
# (`--dist loadgroup` could give that test a worker of its own, but its xdist_group marks do not group with pytest 9.2
# and pytest-xdist 3.8.) `pytest -n 0` runs everything in one process, in the usual order.
LONG_FIRST = (
    "tests/test_packaging.py",  # holds the fresh-venv test, 80-175 s
    "tests/publish/test_browser.py",
    "tests/test_grow.py",
    "tests/publish/test_lab.py",
    "tests/test_attacks.py",
    "tests/test_second_case.py",
    "tests/publish/test_report.py",
    "tests/analyse/test_claims.py",
)


def _place(item: pytest.Item) -> tuple[int, bool]:
    """Return where the item's file stands in LONG_FIRST (the rest after them), slow tests first within a file."""
    file = item.nodeid.split("::")[0]
    rank = LONG_FIRST.index(file) if file in LONG_FIRST else len(LONG_FIRST)
    return rank, item.get_closest_marker("slow") is None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Collect the long files first, in LONG_FIRST's order; the rest keep theirs (in xdist's workers only)."""
    if hasattr(config, "workerinput"):
        items.sort(key=_place)  # stable
