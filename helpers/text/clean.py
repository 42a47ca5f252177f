"""Remove what is not the article (ads, prompts, teasers, credits) and keep a map back to raw offsets.

Line rules live in ``corpus/cleaning_rules.yaml`` (data, not code). Two structural rules are built in:
``duplicate_line`` drops a line that repeats an earlier kept line (a doubled headline), and
``kicker_split`` separates a kicker glued to the headline ("Rechtes NetzwerkAmazon will …") when the
metadata title tells where the headline starts. Every removal is recorded with its raw line number.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import CorpusError, read_yaml

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Rule:
    """One boilerplate rule: a regex matched against a whole stripped line (or a line's start)."""

    id: str
    description: str
    pattern: re.Pattern[str]
    scope: str = "line"  # "line" removes whole lines, "prefix" removes the start of a line


@dataclass(frozen=True)
class Removal:
    """One audited change: which raw line, which rule, what text, where in the raw file."""

    line: int
    rule: str
    text: str
    raw_start: int
    raw_end: int
    action: str = "removed"  # or "split" (text kept, separated from what follows)


@dataclass
class CleanText:
    """Clean text plus the pieces that map each clean offset back to the raw text."""

    text: str
    pieces: list[tuple[int, int, int]] = field(default_factory=list)  # (clean_start, raw_start, length)
    removals: list[Removal] = field(default_factory=list)

    def to_raw(self, offset: int) -> int:
        """Return the raw offset of a clean offset (separators map to the end of the piece before)."""
        if not 0 <= offset <= len(self.text):
            raise IndexError(f"offset {offset} outside clean text of length {len(self.text)}")
        if not self.pieces:
            return 0
        starts = [p[0] for p in self.pieces]
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        clean_start, raw_start, length = self.pieces[i]
        return raw_start + min(offset - clean_start, length)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Return the raw (start, end) of a clean span."""
        return self.to_raw(start), self.to_raw(end)


def load_rules(path: str | Path) -> list[Rule]:
    """Read and compile the cleaning rules file; a bad rule is an error naming file and rule."""
    path = Path(path)
    data = read_yaml(path, "cleaning rules file")
    rules, problems = [], []
    for n, item in enumerate(data.get("rules") or [], start=1):
        rule_id = (item or {}).get("id") or f"#{n}"
        try:
            pattern = re.compile(item["pattern"])
            scope = item.get("scope", "line")
            if scope not in {"line", "prefix"}:
                raise ValueError(f"scope must be 'line' or 'prefix', not {scope!r}")
            rules.append(Rule(rule_id, item.get("description", ""), pattern, scope))
        except (KeyError, TypeError):
            problems.append(f"{path}: rule {rule_id}: needs an 'id' and a 'pattern'")
        except (re.error, ValueError) as exc:
            problems.append(f"{path}: rule {rule_id}: {exc}")
    if problems:
        raise CorpusError(problems)
    return rules


def _lines(raw: str) -> list[tuple[int, int, int]]:
    """Return (line_number, start, end) of each line's content, newline excluded."""
    out, pos = [], 0
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        content = line.rstrip("\r\n")
        out.append((number, pos, pos + len(content)))
        pos += len(line)
    return out


def _strip(raw: str, start: int, end: int) -> tuple[int, int]:
    """Return the span without surrounding whitespace."""
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    return start, end


def clean_text(raw: str, title: str, rules: Sequence[Rule]) -> CleanText:
    """Drop boilerplate lines from `raw` by `rules` (load_rules); paragraphs (kept lines) join by a blank line."""
    line_rules = [r for r in rules if r.scope == "line"]
    prefix_rules = [r for r in rules if r.scope == "prefix"]
    kept: list[tuple[int, int]] = []
    kept_texts: set[str] = set()
    removals: list[Removal] = []

    for number, start, end in _lines(raw):
        for rule in prefix_rules:
            match = rule.pattern.match(raw, start, end)
            if match and match.end() > start:
                removals.append(Removal(number, rule.id, match.group(), start, match.end()))
                start = match.end()
        start, end = _strip(raw, start, end)
        if start == end:
            continue
        line = raw[start:end]
        rule = next((r for r in line_rules if r.pattern.fullmatch(line)), None)
        if rule is not None:
            removals.append(Removal(number, rule.id, line, start, end))
            continue
        if line in kept_texts:
            removals.append(Removal(number, "duplicate_line", line, start, end))
            continue
        if not kept and title and line != title and line.endswith(title):
            split = end - len(title)
            kicker_end = _strip(raw, start, split)[1]
            removals.append(Removal(number, "kicker_split", raw[start:kicker_end], start, kicker_end, "split"))
            kept.append((start, kicker_end))
            start = split
        kept.append((start, end))
        kept_texts.add(line)

    parts, pieces, pos = [], [], 0
    for i, (start, end) in enumerate(kept):
        if i:
            parts.append(PARAGRAPH_SEPARATOR)
            pos += len(PARAGRAPH_SEPARATOR)
        pieces.append((pos, start, end - start))
        parts.append(raw[start:end])
        pos += end - start
    return CleanText("".join(parts), pieces, removals)

