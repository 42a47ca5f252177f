"""The one error type a researcher sees when the corpus or its annotations are broken."""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's parser (shipped in PyYAML's wheels) reads the codebook ~10x faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CorpusError(ValueError):
    """Bad corpus input; `problems` lists every problem, each naming its file (and line)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the corpus:"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


def utf8_problem(data: bytes) -> str | None:
    """Say where `data` stops being UTF-8: "not valid UTF-8 (byte 0xfc at byte offset 22, line 1)"; None if it is."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start}, line {line})"
    return None


def read_yaml(path: Path, what: str) -> dict:
    """Read a YAML mapping; a missing or malformed file is a CorpusError naming it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError([f"{path}: {what} not found"]) from None
    if (problem := utf8_problem(raw)) is not None:
        raise CorpusError([f"{path}: {problem}"])
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        raise CorpusError([f"{path}{_yaml_where(exc)}: not valid YAML ({_yaml_problem(exc)})"]) from None
    if not isinstance(data, dict):
        raise CorpusError([f"{path}: {what} must be a YAML mapping"])
    return data


def _yaml_where(exc: yaml.YAMLError) -> str:
    """Return " line L, column C" for a YAML error that knows where it happened (1-based), else ""."""
    mark = getattr(exc, "problem_mark", None)
    return f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Return the parser's own words for the problem, without its "<unicode string>" positions."""
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    words = "; ".join(part for part in parts if part)
    return words or str(exc)
