"""Packaging tells the truth: `pip install .` alone runs the kit, and every import is declared."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Declared without being imported: nbclient starts the notebooks' `python3` kernel, which is ipykernel's.
RUN_TIME_ONLY = {"ipykernel"}
# The report's notebooks run on the installed package too; the corpus folder holds data only.
CODE_FOLDERS = ("helpers", "corpus")
NETWORK_TROUBLE = re.compile(r"Could not find a version|NewConnectionError|Temporary failure in name resolution|"
                             r"Network is unreachable|Max retries exceeded")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def declared_dependencies() -> set[str]:
    """Return the distribution names of pyproject.toml's `dependencies` (no extras)."""
    return {_canonical(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in _project()["dependencies"]}


def _imports_of(source: str) -> set[str]:
    """Return the top-level modules `source` imports absolutely."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def _notebook_code(path: Path) -> str:
    """Return a notebook's code cells as one Python source, IPython magics and shell lines left out."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = [line for cell in cells if cell["cell_type"] == "code"
             for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def third_party_imports() -> dict[str, set[str]]:
    """Return each third-party module imported by helpers/, corpus/*.py or a notebook, with where."""
    sources = [(p, p.read_text(encoding="utf-8")) for folder in CODE_FOLDERS for p in (ROOT / folder).rglob("*.py")]
    sources += [(p, _notebook_code(p)) for p in (ROOT / "notebooks").glob("*.ipynb")]
    found: dict[str, set[str]] = {}
    for path, source in sources:
        for module in _imports_of(source) - set(sys.stdlib_module_names) - {"helpers", "__future__"}:
            found.setdefault(module, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_is_a_declared_dependency():
    declared = declared_dependencies()
    module2dists = importlib.metadata.packages_distributions()
    undeclared = {}
    for module, where in third_party_imports().items():
        dists = {_canonical(d) for d in module2dists.get(module, [])}
        if not dists & declared:
            undeclared[module] = (sorted(dists) or ["(not installed)"], sorted(where))
    assert undeclared == {}, f"imported but not in pyproject.toml dependencies: {undeclared}"


def test_every_dependency_is_imported_or_needed_at_run_time():
    module2dists = importlib.metadata.packages_distributions()
    imported = {_canonical(d) for module in third_party_imports() for d in module2dists.get(module, [])}
    unused = declared_dependencies() - imported - RUN_TIME_ONLY
    assert unused == set(), f"declared but never imported (drop them, or say in RUN_TIME_ONLY why they stay): {unused}"


def test_the_import_scan_finds_what_it_should():
    """A sanity check of the scan itself: a package the helpers are known to import, and a lazy import."""
    found = third_party_imports()
    assert "helpers/publish/report.py" in found["nbclient"]
    assert {"pandas", "yaml", "vl_convert", "IPython"} <= found.keys()
    assert _imports_of("def f():\n    import tqdm.auto\n    from a.b import c\nfrom . import d") == {"tqdm", "a"}


def test_no_cache_path_is_built_by_hand():
    """Caches go where platformdirs says (which honours $XDG_CACHE_HOME on Linux), never to a hand-built ~/.cache."""
    by_hand = re.compile(r"""environ\S*XDG_CACHE_HOME|Path\.home\(\)|expanduser|["']\.cache["']""")
    built = {str(path.relative_to(ROOT)): by_hand.findall(path.read_text(encoding="utf-8"))
             for path in (ROOT / "helpers").rglob("*.py")}
    assert {path: found for path, found in built.items() if found} == {}
    assert by_hand.findall('Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")') == [
        'environ.get("XDG_CACHE_HOME', "Path.home()", '".cache"']


def test_the_cache_folder_follows_xdg_cache_home(tmp_path, monkeypatch):
    from helpers.present import offline
    from helpers.text import german

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(offline.vl_convert, "javascript_bundle", lambda: "/* bundle */")
    assert offline._vega_embed_bundle() == "/* bundle */"
    assert [p.name for p in (tmp_path / "parler-coverage").iterdir()] == [
        f"vega-embed-bundle-{importlib.metadata.version('vl-convert-python')}.js"]
    assert german.cache_path().parent == tmp_path / "parler-coverage"


def test_the_console_script_is_the_command_line():
    from helpers.__main__ import main

    assert _project()["scripts"] == {"parler-coverage": "helpers.__main__:main"}
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0


def test_an_installed_copy_finds_the_corpus_from_the_project_or_a_folder_in_it(tmp_path, monkeypatch):
    """Installed in site-packages, the package looks for `corpus/` in the current folder or above (kernels run in
    notebooks/); in a checkout it keeps using the corpus beside helpers/."""
    from helpers.corpus import articles

    monkeypatch.delenv("PARLER_CORPUS", raising=False)
    assert articles.corpus_dir() == ROOT / "corpus"
    monkeypatch.setattr(articles, "__file__", str(tmp_path / "site-packages" / "helpers" / "corpus" / "articles.py"))
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(project / "notebooks")
    assert articles.corpus_dir() == project / "notebooks" / "corpus", "no corpus yet: the error names ./corpus"
    (project / "corpus").mkdir()
    (project / "corpus" / "articles.csv").write_text("", encoding="utf-8")
    assert articles.corpus_dir() == project / "corpus"
    monkeypatch.setenv("PARLER_CORPUS", str(tmp_path / "elsewhere"))
    assert articles.corpus_dir() == tmp_path / "elsewhere"


def _run(args: list, *, cwd: Path, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_pip_install_dot_alone_runs_the_report(tmp_path):
    """A fresh venv with `pip install .` (no extras) imports every module, validates and builds the report.

    The package is installed from a copy of what it ships (helpers/, pyproject.toml, README.md); the report runs in a
    copy of the project that holds no helpers/, so the installed package is what runs, in the notebooks' kernels too.
    Takes about 80 s, most of it pip (it downloads from the package index unless pip's cache holds the wheels).
    """
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    source, project, env_dir = tmp_path / "source", tmp_path / "project", tmp_path / "venv"
    shutil.copytree(ROOT / "helpers", source / "helpers", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("corpus", "notebooks"):
        shutil.copytree(ROOT / name, project / name, ignore=ignore)
    env = {key: value for key, value in os.environ.items()
           if key not in {"PARLER_CORPUS", "PYTHONPATH", "VIRTUAL_ENV"} and not key.startswith("JUPYTER")}
    # Only the venv's own kernels: a python3 kernel registered in the user's folder must not stand in for it.
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"

    installed = _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", source],
                     cwd=tmp_path, env=env, timeout=900)
    if installed.returncode and NETWORK_TROUBLE.search(installed.stdout + installed.stderr):
        pytest.skip(f"no package index reachable: {installed.stderr.strip().splitlines()[-1]}")
    assert installed.returncode == 0, installed.stderr
    listed = _run([python, "-m", "pip", "list", "--format", "freeze"], cwd=tmp_path, env=env, timeout=60).stdout
    assert "jupyterlab" not in {line.split("==")[0].lower() for line in listed.splitlines()}, "an extra came along"

    every_module = ("import importlib, pkgutil, helpers\n"
                    "assert 'site-packages' in helpers.__file__, helpers.__file__\n"
                    "for m in pkgutil.walk_packages(helpers.__path__, 'helpers.'): importlib.import_module(m.name)\n")
    imported = _run([python, "-c", every_module], cwd=tmp_path, env=env, timeout=120)
    assert imported.returncode == 0, imported.stderr

    validated = _run([env_dir / "bin" / "parler-coverage", "validate"], cwd=project, env=env, timeout=120)
    assert validated.returncode == 0, validated.stderr
    assert f"OK: {project / 'corpus'} holds" in validated.stdout

    cache = tmp_path / "cache"
    report = _run([python, "-m", "helpers", "report", "--out", tmp_path / "report"], cwd=project,
                  env={**env, "XDG_CACHE_HOME": str(cache)}, timeout=600)
    assert report.returncode == 0, report.stdout + report.stderr
    pages = sorted(p.name for p in (tmp_path / "report").glob("*.html"))
    notebooks = sorted((project / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert pages == sorted(["index.html", *(f"{notebook.stem}.html" for notebook in notebooks)])
    assert list((cache / "parler-coverage").glob("vega-embed-bundle-*.js")), "the chart bundle was not cached"
