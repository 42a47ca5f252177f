"""environment.yml (conda) and pyproject.toml (pip) must list the same packages; `make setup` sets JupyterLab up."""

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


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def conda_packages() -> set[str]:
    """Return the package names environment.yml installs (besides python, pip and `-e .`)."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    return names - CONDA_ONLY


def pip_packages() -> set[str]:
    """Return the package names pyproject.toml declares (runtime and dev)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {_name(r) for r in requirements}


def test_environment_and_pyproject_agree():
    conda, pip = conda_packages(), pip_packages()
    assert conda - pip == set(), f"only in environment.yml: {sorted(conda - pip)}"
    assert pip - conda == set(), f"only in pyproject.toml: {sorted(pip - conda)}"


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
