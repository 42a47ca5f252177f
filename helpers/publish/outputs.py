"""Write an output folder (a report, an export) without ever losing what the kit did not write.

The folder is built beside its target and swapped in at the end, so a failed run leaves the old one as it was.
The swap only replaces an empty folder or one the kit made: its marker file lists every file the kit wrote with
its sha256, and the folder must hold exactly those, unchanged. Anything else (a folder with the user's notes, a
page the user edited, a file such as `thesis.txt`, the corpus itself) is refused before any work starts, with a
message saying what to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from helpers.errors import CorpusError

MARKER = ".parler-coverage-output"


class OutputError(CorpusError):
    """An output folder the kit refuses to write (it would overwrite or delete what the kit did not write)."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.args = ("\n".join(self.problems),)

    def __str__(self) -> str:
        return "\n".join(self.problems)


def mark(folder: Path, kind: str) -> None:
    """Write the kit's marker into `folder`: every file in it (one level) with its sha256."""
    lines = [f"# Written by parler-coverage ({kind}); the next run replaces this folder only while it holds "
             "exactly these files, unchanged."]
    lines += [f"{_digest(path)}  {path.name}" for path in sorted(folder.iterdir()) if path.name != MARKER]
    (folder / MARKER).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"


def _not_ours(folder: Path, kind: str) -> list[str]:
    """Return what in `folder` the kit did not write as a `kind`, or changed since (all of it without a marker)."""
    names = sorted(path.name for path in folder.iterdir())
    marker = folder / MARKER
    if not marker.is_file():
        return names
    lines = marker.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith(f"# Written by parler-coverage ({kind})"):
        article = "an" if kind[0] in "aeiou" else "a"
        return [f"{MARKER} (this folder holds another kind of output, not {article} {kind})"]
    written = dict(reversed(line.split("  ", 1)) for line in lines
                   if line and not line.startswith("#") and "  " in line)
    return [name if name not in written else f"{name} (changed)" for name in names
            if name != MARKER and written.get(name) != _digest(folder / name)]


def check_output(out: Path, kind: str, protect: Iterable[Path] = ()) -> None:
    """Refuse `out` unless it is new, empty, or a folder the kit made (OutputError says why and what to do).

    `protect` lists folders (the corpus) that an output may neither be, nor sit inside, nor contain.
    """
    out = Path(out)
    target = out.resolve()
    for folder in protect:
        folder = Path(folder).resolve()
        if target == folder or folder in target.parents or target in folder.parents:
            raise OutputError([f"{out}: is or overlaps the corpus folder {folder}; write the {kind} somewhere "
                               "else (e.g. build/)"])
    if out.is_symlink() or out.exists() and not out.is_dir():
        raise OutputError([f"{out}: is a file, not a folder; nothing was written (choose a folder name for the "
                           f"{kind})"])
    if out.is_dir() and (strangers := _not_ours(out, kind)):
        shown = ", ".join(strangers[:5]) + (" …" if len(strangers) > 5 else "")
        raise OutputError([f"{out}: holds files the kit did not write ({shown}); nothing was written or deleted. "
                           f"Choose a new or empty folder for the {kind}, or move those files away (an older output "
                           f"of this kit, without its {MARKER} file, you may remove yourself: `make clean`)"])
    parent = _existing_parent(out)
    if not parent.is_dir():
        raise OutputError([f"{out}: {parent} is a file, so no folder can be made inside it; choose another folder"])
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError([f"{out}: cannot write in {parent} (no permission); choose another folder"])


@contextlib.contextmanager
def output_folder(out: Path, kind: str, protect: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield an empty folder to write the `kind` into; on success it replaces `out`, on failure it is removed.

    `out` is checked first (`check_output`); the finished folder carries the kit's marker file.
    """
    out = Path(out)
    check_output(out, kind, protect)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        building = _fresh_dir(out, "building")
    except OSError as exc:
        raise OutputError([f"{out}: cannot create the {kind} folder ({exc.strerror})"]) from None
    try:
        yield building
        mark(building, kind)
        _swap_in(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _existing_parent(path: Path) -> Path:
    """Return the nearest folder of `path` (itself or an ancestor) that exists."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _fresh_dir(out: Path, purpose: str) -> Path:
    """Create an empty hidden folder next to `out`, e.g. build/.report-building-4242."""
    # Not tempfile.mkdtemp: its 0700 mode would carry over to the published report.
    path = out.parent / f".{out.name}-{purpose}-{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)  # left over by a killed run that had this pid
    path.mkdir()
    return path


def _swap_in(building: Path, out: Path) -> None:
    """Replace `out` by `building` with two renames, keeping the old folder until the new one is in."""
    if not out.exists():
        building.rename(out)
        return
    old = _fresh_dir(out, "old")
    old.rmdir()
    out.rename(old)
    try:
        building.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
