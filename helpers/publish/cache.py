"""Keep each executed notebook (and its page) keyed by what it depends on, so an unchanged report is not rerun.

A notebook's key hashes its own bytes, every file of the `helpers/` package (code and templates), every file of
the corpus folder (its `claims.yaml` included) and the versions of Python and of every installed package.
Change any of them and the notebook runs again; change one notebook and only that one does. The cache keeps one
entry per notebook (the latest), written atomically; an entry that cannot be read is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import platformdirs
from nbformat import NotebookNode

CACHE_VERSION = 1  # bump when an entry's layout or what a page is made of changes
SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".git"}
HELPERS_DIR = Path(__file__).resolve().parents[1]  # the helpers package: code and templates


def default_cache_dir(notebooks_dir: Path) -> Path:
    """Return the cache folder of one notebooks folder, in the platform's cache folder (one per folder)."""
    folder = hashlib.sha256(str(Path(notebooks_dir).resolve()).encode()).hexdigest()[:16]
    return platformdirs.user_cache_path("parler-coverage", appauthor=False) / "report" / folder


def tree_digest(root: Path) -> str:
    """Return a sha256 over every file under root: its path relative to root and its bytes (caches left out)."""
    digest = hashlib.sha256()
    root = Path(root)
    files = sorted(path for path in root.rglob("*") if path.is_file() and not path.name.endswith((".pyc", ".pyo"))
                   and not SKIPPED_PARTS.intersection(path.relative_to(root).parts))
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def environment_digest() -> str:
    """Return a sha256 of the Python version and every installed package with its version."""
    packages = sorted({f"{dist.metadata['Name']}=={dist.version}".lower() for dist in importlib.metadata.distributions()
                       if dist.metadata["Name"]})
    return hashlib.sha256("\n".join([sys.version, sys.executable, *packages]).encode()).hexdigest()


def shared_digest(corpus: Path) -> str:
    """Return the part of every notebook's key they share: helpers, corpus, packages."""
    parts = [f"v{CACHE_VERSION}", tree_digest(HELPERS_DIR), tree_digest(corpus),
             environment_digest()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def notebook_key(notebook: Path, shared: str) -> str:
    """Return the key of one notebook: its bytes and the shared digest."""
    return hashlib.sha256(shared.encode() + b"\0" + Path(notebook).read_bytes()).hexdigest()


def page_key(key: str, extra: Any) -> str:
    """Return the key of a notebook's page: the notebook's key and what else the page shows (e.g. its links)."""
    return hashlib.sha256((key + "\0" + json.dumps(extra, sort_keys=True, default=str)).encode()).hexdigest()


@dataclass
class Entry:
    """A cached notebook: the key it was run under, the executed notebook, and its page if exported."""

    key: str
    notebook: NotebookNode
    page_key: str = ""
    page: str = ""


class NotebookCache:
    """One JSON file per notebook name in `folder`; `None` as folder caches nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder is not None else None

    def _path(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{Path(name).stem}.json"

    def get(self, name: str, key: str) -> Entry | None:
        """Return the entry of notebook `name` if it was made under `key`; a missing or unreadable one is None."""
        path = self._path(name)
        if path is None or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("key") != key:
                return None
            notebook = nbformat.from_dict(data["notebook"])
            nbformat.validate(notebook)
            return Entry(key=key, notebook=notebook, page_key=str(data.get("page_key", "")),
                         page=str(data.get("page", "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, nbformat.ValidationError):
            return None  # corrupt or half-written by an older kit: run the notebook again and overwrite it

    def put(self, name: str, entry: Entry) -> None:
        """Write the entry of notebook `name` atomically, replacing the previous one; a cache that fails is skipped."""
        path = self._path(name)
        if path is None:
            return
        data = {"key": entry.key, "page_key": entry.page_key, "page": entry.page, "notebook": entry.notebook}
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, path)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()

    def keep_only(self, names: Iterable[str]) -> None:
        """Delete the entries of notebooks no longer in the folder."""
        if self.folder is None or not self.folder.is_dir():
            return
        wanted = {f"{Path(name).stem}.json" for name in names}
        for path in self.folder.glob("*.json"):
            if path.name not in wanted:
                with contextlib.suppress(OSError):
                    path.unlink()
