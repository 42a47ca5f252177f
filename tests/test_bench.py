"""The benchmark's own arithmetic: the order of the timed runs and the bracketed ratios it judges."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_large_run_sits_between_two_middle_runs(bench):
    calls = []
    runs = bench.run_scales(lambda scale: calls.append(scale) or [None] * scale, large_repeats=2)
    assert calls == [1, 1, 1, 20, 200, 20, 200, 20]
    assert [len(runs[scale]) for scale in bench.SCALES] == [3, 3, 2]
    assert all(rows == scale for scale in bench.SCALES for _, _, rows in runs[scale])


def test_one_large_run_still_gets_three_middle_runs(bench):
    calls = []
    bench.run_scales(lambda scale: calls.append(scale) or [], large_repeats=1)
    assert calls == [1, 1, 1, 20, 200, 20, 20]


def test_bracketed_ratios_use_the_neighbours_of_each_run(bench):
    middle = [(1.0, 0.5, 0), (3.0, 1.5, 0), (2.0, 1.0, 0)]
    large = [(20.0, 10.0, 0), (25.0, 12.5, 0)]
    walls, cpus = bench.bracketed_ratios(large, middle)
    assert walls == [pytest.approx(10.0), pytest.approx(10.0)]
    assert cpus == [pytest.approx(10.0), pytest.approx(10.0)]
    walls, _ = bench.bracketed_ratios([(30.0, 1.0, 0)], [(1.0, 1.0, 0), (5.0, 1.0, 0)])
    assert walls == [pytest.approx(10.0)]
