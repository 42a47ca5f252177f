"""The one error type a researcher sees when the corpus or its annotations are broken."""

from __future__ import annotations

from pathlib import Path

import yaml


class CorpusError(ValueError):
    """Bad corpus input; `problems` lists every problem, each naming its file (and line)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the corpus:"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


def read_yaml(path: Path, what: str) -> dict:
    """Read a YAML mapping; a missing or malformed file is a CorpusError naming it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CorpusError([f"{path}: {what} not found"]) from None
    except yaml.YAMLError as exc:
        raise CorpusError([f"{path}: not valid YAML ({exc})"]) from None
    if not isinstance(data, dict):
        raise CorpusError([f"{path}: {what} must be a YAML mapping"])
    return data
