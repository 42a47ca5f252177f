"""environment.yml (conda) and pyproject.toml (pip) list the same packages, list by list; `make setup` sets Lab up."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_ONLY = {"python", "pip"}
GROUP_COMMENT = re.compile(r"^\s*# pyproject: (?P<group>[\w-]+)")
ENTRY = re.compile(r"^\s*- (?P<requirement>[A-Za-z0-9][^#:]*?)\s*(#.*)?$")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _normal(requirement: str) -> str:
    """Return a requirement without spaces and with its name normalised, for comparing the two files."""
    name = _name(requirement)
    return name + requirement.strip().replace(" ", "")[len(name):]


def pyproject() -> dict:
    """Return pyproject.toml's [project] table."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def conda_groups() -> dict[str, set[str]]:
    """Return environment.yml's conda packages grouped by the `# pyproject: <list>` comment above them."""
    groups: dict[str, set[str]] = {}
    group = None
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    for line in lines[lines.index("dependencies:") + 1:]:
        if found := GROUP_COMMENT.match(line):
            group = found["group"]
        elif (entry := ENTRY.match(line)) and _name(entry["requirement"]) not in CONDA_ONLY:
            assert group is not None, f"environment.yml: {line.strip()!r} comes before any '# pyproject: …' comment"
            groups.setdefault(group, set()).add(_normal(entry["requirement"]))
    return groups


def pip_groups() -> dict[str, set[str]]:
    """Return pyproject.toml's requirements by list (dependencies, then each extra but those naming the project)."""
    project = pyproject()
    groups = {"dependencies": {_normal(r) for r in project["dependencies"]}}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        own = {_normal(r) for r in requirements if _name(r) != project["name"]}
        if own:
            groups[extra] = own
    return groups


def conda_packages() -> set[str]:
    """Return the package names environment.yml installs, with conda or its pip list (besides python, pip, `-e .`)."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    pip = [d for entry in env["dependencies"] if isinstance(entry, dict) for d in entry.get("pip", [])]
    names |= {_name(d) for d in pip if not d.startswith("-")}  # pip-only packages; not `-e .`
    return names - CONDA_ONLY


def test_environment_and_pyproject_agree_list_by_list():
    conda, pip = conda_groups(), pip_groups()
    assert conda.keys() == pip.keys(), f"environment.yml groups {sorted(conda)}, pyproject.toml lists {sorted(pip)}"
    for group, requirements in pip.items():
        assert conda[group] - requirements == set(), f"{group}: only in environment.yml: {conda[group] - requirements}"
        assert requirements - conda[group] == set(), f"{group}: only in pyproject.toml: {requirements - conda[group]}"


def test_the_grouped_reading_sees_every_conda_package():
    """The comment-based grouping above must not miss a line YAML reads (e.g. one written in another style)."""
    grouped = {_name(r) for group in conda_groups().values() for r in group}
    assert grouped == conda_packages()


def test_dev_is_every_extra():
    """`pip install -e '.[dev]'` (what make setup ran before the split) still installs the whole kit."""
    project = pyproject()
    extras = project["optional-dependencies"]
    others = sorted(extra for extra in extras if extra != "dev")
    assert extras["dev"] == [f"{project['name']}[{','.join(others)}]"]


def test_make_setup_installs_the_extras_environment_yml_lists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installed = re.search(r"pip install [^\n]*-e '\.\[(?P<extras>[\w,-]+)\]'", makefile)
    assert installed, "the Makefile no longer installs the package with extras"
    assert set(installed["extras"].split(",")) == set(conda_groups()) - {"dependencies"}


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip_section


def test_make_setup_installs_the_lab_settings_overrides(tmp_path, monkeypatch):
    """`make setup` copies lab/overrides.json to the settings dir JupyterLab reads in the venv (no news pop-up)."""
    from jupyterlab.commands import get_app_dir

    overrides = json.loads((ROOT / "lab" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    venv = tmp_path / "venv"
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    plan = subprocess.run(["make", "--dry-run", "setup", f"VENV={venv}"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True).stdout
    target = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert f"cp lab/overrides.json {target}" in plan.splitlines(), plan
    # ... which is where LabApp looks by default: <sys.prefix>/share/jupyter/lab/settings.
    monkeypatch.delenv("JUPYTERLAB_DIR", raising=False)
    lab_settings = (Path(get_app_dir()) / "settings").relative_to(sys.prefix)
    assert target.parent.relative_to(venv) == lab_settings
    assert not venv.exists(), "a dry run must not create anything"


def test_make_lab_registers_the_named_kernel_inside_the_venv(tmp_path):
    """`make lab` registers the `parler-coverage` kernel under the venv's prefix; only `make kernel` writes to ~."""
    from jupyter_core.paths import jupyter_path

    venv = tmp_path / "venv"
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}

    def plan(target: str) -> list[str]:
        return subprocess.run(["make", "--dry-run", target, f"VENV={venv}"], cwd=ROOT, env=env, capture_output=True,
                              text=True, check=True).stdout.splitlines()

    register = f"{venv}/bin/python -m ipykernel install --{{}} --name parler-coverage --display-name " \
               '"Python (parler-coverage)"'
    assert register.format("sys-prefix") in plan("lab")
    assert not [line for line in plan("lab") if "--user" in line]
    assert register.format("user") in plan("kernel")
    # --sys-prefix writes to <prefix>/share/jupyter/kernels/, a folder Jupyter searches when run from that prefix.
    assert Path(sys.prefix) / "share" / "jupyter" in map(Path, jupyter_path())
    assert not venv.exists(), "a dry run must not create anything"
