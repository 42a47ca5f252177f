"""Remove what is not the article (ads, prompts, teasers, credits) and keep a map back to raw offsets.

Line rules live in ``corpus/cleaning_rules.yaml`` (data, not code). Two structural rules are built in:
``duplicate_line`` drops a line that repeats an earlier kept line (a doubled headline), and
``kicker_split`` separates a kicker glued to the headline ("Rechtes NetzwerkAmazon will …") when the
metadata title tells where the headline starts. Every removal is recorded with its raw line number.

The rules are researchers' regular expressions: they run under a time limit (helpers.text.patterns), and one
that backtracks for ever raises PatternTimeout naming the rules file, the rule and the raw line.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from helpers.errors import CorpusError, expect, read_yaml
from helpers.text.patterns import PatternError, PatternTimeout, UserPattern, time_limit

PARAGRAPH_SEPARATOR = "\n\n"
# A rule that refers to its groups by number or name, or sets flags for the whole pattern, is not joined with
# the others into one alternation (`_first_rule`): there its numbers and flags would mean something else.
_UNJOINABLE = re.compile(r"\\[1-9g]|\(\?(?:\(|\||P[=>]|&|R|[+-]?\d|P?<(?![=!])|[a-zA-Z-]*\))")
# When the joined rules run over their time limit on a line, each rule is tried alone on it for at most this long.
_BLAME_SECONDS = 0.5


@dataclass(frozen=True)
class Rule:
    """One boilerplate rule: a regex matched against a whole stripped line (or a line's start), under a time limit."""

    id: str
    description: str
    pattern: UserPattern
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
    if (problem := expect(data.get("rules") or [], list, f"{path}: rules")) is not None:
        raise CorpusError([problem])
    rules, problems = [], []
    for n, item in enumerate(data.get("rules") or [], start=1):
        if (problem := expect(item, dict, f"{path}: rule #{n}")) is not None:
            problems.append(problem)
            continue
        rule_id = str(item.get("id") or f"#{n}")
        if (problem := expect(item.get("pattern"), str, f"{path}: rule {rule_id}: pattern")) is not None:
            problems.append(problem if "pattern" in item else f"{path}: rule {rule_id}: needs an 'id' and a 'pattern'")
            continue
        try:
            pattern = UserPattern(item["pattern"], f"{path}: rule {rule_id}")
            scope = item.get("scope", "line")
            if scope not in {"line", "prefix"}:
                raise ValueError(f"scope must be 'line' or 'prefix', not {scope!r}")
            rules.append(Rule(rule_id, item.get("description", ""), pattern, scope))
        except (KeyError, TypeError):
            problems.append(f"{path}: rule {rule_id}: needs an 'id' and a 'pattern'")
        except PatternError as exc:
            problems.append(str(exc))
        except ValueError as exc:
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


@dataclass(frozen=True)
class _LineRules:
    """The line rules, the joinable ones also as one alternation with each rule's branch in a group of its own."""

    joined: UserPattern | None
    branches: tuple[tuple[int, int, Rule], ...]  # (group number of the branch, position in the rules, rule)
    alone: tuple[tuple[int, Rule], ...]  # (position, rule) of the rules matched one by one


@functools.lru_cache(maxsize=8)
def _line_rules(rules: tuple[Rule, ...]) -> _LineRules:
    """Join the line rules that can be joined (most lines match no rule: one call says so, not one per rule)."""
    joinable = [(n, r) for n, r in enumerate(rules)
                if not r.pattern.ignore_case and not _UNJOINABLE.search(r.pattern.pattern)]
    if len(joinable) < 2:
        return _LineRules(None, (), tuple(enumerate(rules)))
    branches, group = [], 1
    for position, rule in joinable:
        branches.append((group, position, rule))
        group += 1 + rule.pattern.compiled.groups
    joined = UserPattern("|".join(f"({r.pattern.pattern})" for _, r in joinable), "the cleaning rules, joined")
    alone = tuple((n, r) for n, r in enumerate(rules) if (n, r) not in joinable)
    return _LineRules(joined, tuple(branches), alone)


def _first_rule(line: str, rules: _LineRules) -> Rule | None:
    """Return the first rule whose pattern matches the whole line, or None.

    An alternation tries its branches in order, so the branch the joined pattern matches with is the first
    joinable rule that matches the line; a rule matched alone that comes before it goes first.
    """
    first, position = None, len(rules.branches) + len(rules.alone)
    if rules.joined is not None:
        try:
            match = rules.joined.fullmatch(line)
        except PatternTimeout as exc:
            raise _culprit(line, tuple(rule for _, _, rule in rules.branches), exc) from None
        if match is not None:
            position, first = next((n, rule) for group, n, rule in rules.branches if match.start(group) != -1)
    return next((rule for n, rule in rules.alone if n < position and rule.pattern.fullmatch(line)), first)


def _culprit(line: str, rules: tuple[Rule, ...], stopped: PatternTimeout) -> PatternTimeout:
    """Return the error naming the rule that made the joined rules run over their time on `line`."""
    slowest, most = rules[0], -1.0
    with time_limit(_BLAME_SECONDS, doing=stopped.doing):
        for rule in rules:
            start = perf_counter()
            try:
                rule.pattern.fullmatch(line)
            except PatternTimeout:
                slowest = rule
                break
            elapsed = perf_counter() - start
            if elapsed > most:
                slowest, most = rule, elapsed
    return PatternTimeout(slowest.pattern.pattern, slowest.pattern.source, stopped.seconds, stopped.doing)


def _excerpt(text: str, width: int = 60) -> str:
    """Quote a line for an error message, cut to `width` characters."""
    return repr(text if len(text) <= width else text[:width] + "…")


def clean_text(raw: str, title: str, rules: Sequence[Rule], where: str = "the raw text") -> CleanText:
    """Drop boilerplate lines from `raw` by `rules` (load_rules); paragraphs (kept lines) join by a blank line.

    A rule that runs over its time limit (helpers.text.patterns) raises PatternTimeout naming `where` (the raw
    file) and the line.
    """
    line_rules = _line_rules(tuple(r for r in rules if r.scope == "line"))
    prefix_rules = [r for r in rules if r.scope == "prefix"]
    kept: list[tuple[int, int]] = []
    kept_texts: set[str] = set()
    removals: list[Removal] = []

    lines = _lines(raw)
    number = 0
    try:
        for number, start, end in lines:
            for rule in prefix_rules:
                match = rule.pattern.match(raw, start, end)
                if match and match.end() > start:
                    removals.append(Removal(number, rule.id, match.group(), start, match.end()))
                    start = match.end()
            start, end = _strip(raw, start, end)
            if start == end:
                continue
            line = raw[start:end]
            rule = _first_rule(line, line_rules)
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
    except PatternTimeout as exc:
        _, start, end = lines[number - 1]
        raise exc.at(f"{where} line {number}: {_excerpt(raw[start:end])}") from None

    parts, pieces, pos = [], [], 0
    for i, (start, end) in enumerate(kept):
        if i:
            parts.append(PARAGRAPH_SEPARATOR)
            pos += len(PARAGRAPH_SEPARATOR)
        pieces.append((pos, start, end - start))
        parts.append(raw[start:end])
        pos += end - start
    return CleanText("".join(parts), pieces, removals)

