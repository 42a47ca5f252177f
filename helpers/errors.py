"""The one error type a researcher sees when the corpus or its annotations are broken."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import yaml

# libyaml's parser (shipped in PyYAML's wheels) reads the codebook ~10x faster than the pure-Python one.
YAML_LOADER = _LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the one loader every YAML file is read with


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


# The largest table or YAML file a corpus may hold (the real ones are under 100 KB): a bigger one is a mistake.
MAX_DATA_BYTES = 20 * 2**20
BOM = b"\xef\xbb\xbf"
# Control characters never belong in text a person typed (tab, newline and carriage return do).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(path: Path, data: bytes, limit: int = MAX_DATA_BYTES) -> str | None:
    """Say why `data` (the bytes of `path`) is not plain UTF-8 text a person wrote: size, encoding, BOM, control bytes.

    Each answer names the file, and the line where there is one; None when the text is fine.
    """
    if len(data) > limit:
        return (f"{path}: {len(data) / 2**20:.1f} MB, more than the {limit / 2**20:g} MB this kind of file may be "
                "(is it the right file?)")
    if (problem := utf8_problem(data)) is not None:
        return f"{path}: {problem}"
    if data.startswith(BOM):
        return (f"{path} line 1: starts with a byte-order mark (BOM, bytes ef bb bf), which shifts every column name "
                "and offset; save it as UTF-8 without BOM")
    text = data.decode("utf-8")
    if (match := _CONTROL_RE.search(text)) is not None:
        line = text.count("\n", 0, match.start()) + 1
        char = match.group()
        name = unicodedata.name(char, "") or {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL"}.get(char, "control")
        return f"{path} line {line}: control character U+{ord(char):04X} ({name}); remove it"
    return None


def read_yaml(path: Path, what: str) -> dict:
    """Read a YAML mapping strictly; a missing, oversized, malformed or aliased file is a CorpusError naming it.

    Aliases (`*name`) are refused: they let a few lines expand to gigabytes ("billion laughs"), and nothing in a
    codebook, study or rules file needs them.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError([f"{path}: {what} not found"]) from None
    except IsADirectoryError:
        raise CorpusError([f"{path}: {what} is a folder, not a file"]) from None
    if (problem := text_problem(path, raw)) is not None:
        raise CorpusError([problem])
    text = raw.decode("utf-8")
    try:
        _check_events(path, yaml.parse(text, Loader=_LOADER))
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise CorpusError([f"{path}{_yaml_where(exc)}: not valid YAML ({_yaml_problem(exc)})"]) from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise CorpusError([f"{path}: {what} must be a YAML mapping (name: value lines), not a {_kind(data)}"])
    return data


def _check_events(path: Path, events: Iterable[yaml.Event]) -> None:
    """Refuse YAML aliases and keys given twice in one mapping (YAML keeps the last silently), naming the line."""
    stack: list[tuple[dict[str, int], list[bool]] | None] = []  # per open collection: a mapping's keys, or None
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            raise CorpusError([f"{path} line {event.start_mark.line + 1}: YAML alias *{event.anchor} is not "
                               "allowed in corpus files (write the value out)"])
        top = stack[-1] if stack else None
        is_key = top is not None and top[1][0]
        if top is not None and isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
            top[1][0] = not top[1][0]  # a mapping alternates key, value
        if is_key and isinstance(event, yaml.ScalarEvent):
            line = event.start_mark.line + 1
            if event.value in top[0]:
                raise CorpusError([f"{path} line {line}: key {event.value!r} is given twice in one mapping (first on "
                                   f"line {top[0][event.value]}); YAML would keep only the last"])
            top[0][event.value] = line
        if isinstance(event, yaml.MappingStartEvent):
            stack.append(({}, [True]))
        elif isinstance(event, yaml.SequenceStartEvent):
            stack.append(None)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            stack.pop()


def _kind(value: object) -> str:
    """Name a YAML value's kind as a reader would: mapping, list, text, number."""
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text"
    return "number" if isinstance(value, int | float) else type(value).__name__


def expect(value: object, kind: type, where: str) -> str | None:
    """Say that `value` should be a mapping/list/text (named at `where`), or None when it is one."""
    if isinstance(value, kind):
        return None
    wanted = {dict: "a mapping (name: value lines)", list: "a list (- item lines)", str: "text"}
    wanted = wanted.get(kind, kind.__name__)
    return f"{where}: must be {wanted}, not {_kind(value)} {str(value)[:60]!r}"


def _yaml_where(exc: yaml.YAMLError) -> str:
    """Return " line L, column C" for a YAML error that knows where it happened (1-based), else ""."""
    mark = getattr(exc, "problem_mark", None)
    return f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Return the parser's own words for the problem, without its "<unicode string>" positions."""
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    words = "; ".join(part for part in parts if part)
    return words or str(exc)
