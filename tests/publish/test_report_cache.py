"""Tests for publish.cache and the report's rebuilds: only what changed runs again, on every core."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.corpus import corpus_dir
from helpers.publish import cache, report
from helpers.publish.outputs import MARKER

NAMES = ("01-add-numbers.ipynb", "02-join-words.ipynb")
NOTEBOOKS = {
    NAMES[0]: new_notebook(cells=[new_markdown_cell("# Adds\n\nAdds two numbers."),
                                  new_markdown_cell("### Finding: two"), new_code_cell("print(1 + 1)")]),
    NAMES[1]: new_notebook(cells=[new_markdown_cell("# Joins\n\nJoins two words."),
                                  new_code_cell("print('-'.join(['a', 'b']))")]),
}


@dataclass
class Study:
    """A tiny notebooks folder, a copy of the corpus and of helpers/, and a notebook cache, all in one folder."""

    root: Path
    notebooks: Path
    corpus: Path
    helpers: Path
    cache: Path


def copy_study(source: Study, root: Path) -> Study:
    """Copy a study (its cache too) into root."""
    shutil.copytree(source.root, root, dirs_exist_ok=True)
    return Study(root, root / "notebooks", root / "corpus", root / "helpers", root / "cache")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Study, str]:
    """Build the two notebooks once (two kernels) with a cold cache; return the study and the progress printed."""
    root = tmp_path_factory.mktemp("cached")
    for name, notebook in NOTEBOOKS.items():
        (root / "notebooks").mkdir(exist_ok=True)
        nbformat.write(notebook, root / "notebooks" / name)
    shutil.copytree(corpus_dir(), root / "corpus", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(cache.HELPERS_DIR, root / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    study = Study(root, root / "notebooks", root / "corpus", root / "helpers", root / "cache")
    output = build(study, root / "first", jobs=2)
    return study, output


def build(study: Study, out: Path, jobs: int = 2, cache_dir: Path | None | str = "same") -> str:
    """Build the study's report into out; return what it printed."""
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setenv("PARLER_CORPUS", str(study.corpus))
        patch.setattr(cache, "HELPERS_DIR", study.helpers)
        report.build_report(study.notebooks, out, jobs=jobs,
                            cache_dir=study.cache if cache_dir == "same" else cache_dir)
    return printed.getvalue()


def ran(output: str) -> list[str]:
    """Return the notebooks the progress says ran."""
    return re.findall(r"^\[\d/\d\] (\S+) ran in [0-9.]+ s$", output, re.MULTILINE)


def reused(output: str) -> list[str]:
    """Return the notebooks the progress says were reused."""
    return re.findall(r"^\[\d/\d\] (\S+) reused \(cached\)$", output, re.MULTILINE)


def pages(folder: Path) -> dict[str, bytes]:
    """Return the report's files with their bytes (the marker too)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_first_build_runs_every_notebook_and_numbers_them(built: tuple[Study, str]) -> None:
    study, output = built
    assert sorted(ran(output)) == list(NAMES) and reused(output) == []
    assert "[1/2] 01-add-numbers.ipynb ran in" in output and "[2/2] 02-join-words.ipynb ran in" in output
    assert sorted(path.name for path in study.cache.iterdir()) == ["01-add-numbers.json", "02-join-words.json"]


def test_an_unchanged_build_reuses_every_notebook_and_writes_the_same_bytes(
        built: tuple[Study, str], tmp_path: Path) -> None:
    study = copy_study(built[0], tmp_path / "study")
    output = build(study, tmp_path / "second")
    assert ran(output) == [] and reused(output) == list(NAMES)
    assert "[1/2] 01-add-numbers.ipynb reused (cached)" in output
    assert pages(tmp_path / "second") == pages(built[0].root / "first")
    assert MARKER in pages(tmp_path / "second")


def test_a_changed_notebook_is_the_only_one_run_again(built: tuple[Study, str], tmp_path: Path) -> None:
    study = copy_study(built[0], tmp_path / "study")
    changed = nbformat.read(study.notebooks / NAMES[1], as_version=4)
    changed.cells.append(new_code_cell("print('changed')"))
    nbformat.write(changed, study.notebooks / NAMES[1])
    output = build(study, tmp_path / "out")
    assert ran(output) == [NAMES[1]] and reused(output) == [NAMES[0]]
    assert "changed" in (tmp_path / "out" / "02-join-words.html").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "01-add-numbers.html").read_bytes() == (
        built[0].root / "first" / "01-add-numbers.html").read_bytes()


@pytest.mark.parametrize("changed", ["corpus/README.md", "corpus/claims.yaml", "helpers/publish/templates",
                                     "helpers/text/tokens.py"])
def test_a_changed_corpus_or_helpers_file_runs_every_notebook(
        built: tuple[Study, str], tmp_path: Path, changed: str) -> None:
    study = copy_study(built[0], tmp_path / "study")
    target = study.root / changed
    if target.is_dir():  # a template: change the first file in it
        target = sorted(path for path in target.rglob("*") if path.is_file())[0]
    target.write_bytes(target.read_bytes() + b"\n")
    output = build(study, tmp_path / "out")
    assert sorted(ran(output)) == list(NAMES) and reused(output) == []


def test_python_bytecode_in_the_corpus_or_helpers_changes_nothing(built: tuple[Study, str], tmp_path: Path) -> None:
    study = copy_study(built[0], tmp_path / "study")
    for folder in (study.corpus, study.helpers):
        (folder / "__pycache__").mkdir(exist_ok=True)
        (folder / "__pycache__" / "claims.cpython-311.pyc").write_bytes(b"compiled")
    assert reused(build(study, tmp_path / "out")) == list(NAMES)


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"key": "x"}', b'{"notebook": 1, "key": "KEY"}'])
def test_a_corrupt_cache_entry_is_run_again_and_rewritten(
        built: tuple[Study, str], tmp_path: Path, damage: bytes) -> None:
    study = copy_study(built[0], tmp_path / "study")
    entry = study.cache / "01-add-numbers.json"
    key = json.loads(entry.read_text(encoding="utf-8"))["key"]
    entry.write_bytes(damage.replace(b"KEY", key.encode()))
    output = build(study, tmp_path / "out")
    assert ran(output) == [NAMES[0]] and reused(output) == [NAMES[1]]
    assert pages(tmp_path / "out") == pages(built[0].root / "first")
    assert reused(build(study, tmp_path / "again")) == list(NAMES)  # the entry was written again
    assert [path.name for path in study.cache.iterdir() if path.name.startswith(".")] == []  # no partial files


def test_a_removed_notebook_loses_its_entry(built: tuple[Study, str], tmp_path: Path) -> None:
    study = copy_study(built[0], tmp_path / "study")
    (study.notebooks / NAMES[1]).unlink()
    output = build(study, tmp_path / "out")
    assert reused(output) == [NAMES[0]]
    assert sorted(path.name for path in study.cache.iterdir()) == ["01-add-numbers.json"]


def test_a_serial_build_without_cache_gives_the_parallel_builds_pages(
        built: tuple[Study, str], tmp_path: Path) -> None:
    study = copy_study(built[0], tmp_path / "study")
    output = build(study, tmp_path / "serial", jobs=1, cache_dir=None)
    assert "2 to run on 1 kernel" in output
    assert ran(output) == list(NAMES)  # one at a time: in order
    assert pages(tmp_path / "serial") == pages(built[0].root / "first")
    assert [path.name for path in study.cache.iterdir()] != []  # the study's cache was not used, nor removed


def test_the_key_changes_with_the_notebook_the_shared_part_and_nothing_else(tmp_path: Path) -> None:
    notebook = tmp_path / "01-a.ipynb"
    notebook.write_bytes(b"one")
    key = cache.notebook_key(notebook, "shared")
    assert cache.notebook_key(notebook, "shared") == key
    assert cache.notebook_key(notebook, "other") != key
    notebook.write_bytes(b"two")
    assert cache.notebook_key(notebook, "shared") != key
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_bytes(b"1")
    before = cache.tree_digest(tmp_path / "a")
    (tmp_path / "a" / "x.csv").rename(tmp_path / "a" / "y.csv")  # same bytes, another name
    assert cache.tree_digest(tmp_path / "a") != before


def test_the_command_line_passes_jobs_and_no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from helpers.__main__ import main

    calls: list[dict] = []
    monkeypatch.setattr(report, "build_report", lambda notebooks, out, **options: calls.append(options))
    assert main(["report", "--out", str(tmp_path / "r"), "--jobs", "3", "--no-cache"]) == 0
    assert main(["report", "--out", str(tmp_path / "r")]) == 0
    assert calls == [{"jobs": 3, "cache_dir": None}, {"jobs": None, "cache_dir": "default"}]
    with pytest.raises(SystemExit):
        main(["report", "--jobs", "0"])
