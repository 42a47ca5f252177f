"""The fast pre-scan: regexes run only in the sentences where one keyword pass says they may match.

Python's `re` scans several times faster without IGNORECASE and fastest for plain keywords: each pattern is
loosened (lowercased, lookarounds dropped) and, where possible, reduced to the literal keywords its matches
start with. A Scanner finds every finder's keywords in one pass; the exact patterns then run only in the
sentences where a keyword (or a loose pattern without keywords) matched — a superset of their matches.

The keywords come from a small reader of the loose pattern (`keywords`), written for the syntax the codebook's
cues use; anything it does not know (backreferences, conditionals, a class with a range) makes it give up,
and the pattern is then scanned as a regex: slower, never wrong.

The exact patterns and the loose ones scanned as regexes are researchers' patterns (helpers.text.patterns):
they run under a time limit and one that backtracks for ever raises PatternTimeout naming its source. The
keyword pass stays on `re`, which scans it several times faster: it is built by the kit from escaped literals
(`trie_pattern`), alternatives and optional parts without a single repeat, so at each position it can only
walk down the tree, at most one keyword's length, and never backtracks badly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from helpers.text.patterns import Match, UserPattern
from helpers.text.segment import Span

# A cue pattern whose matches all start with a literal keyword this long is pre-scanned by keyword.
KEYWORD_MIN_LENGTH = 4
# More alternative keywords than this and a pattern is cheaper to scan as a regex.
MAX_KEYWORDS = 400


class Document(Protocol):
    """What a finder searches: a text, its sentences, and which sentences each pattern may match in."""

    text: str
    lower: str | None  # the text lowercased, None when lowercasing changes its length
    sentences: list[Span]

    def sentence_at(self, position: int) -> int:
        """Return the index of the sentence holding `position`."""

    def candidates(self, finder: Finder) -> list[list[int]]:
        """Return, per pattern of a finder, the indices of the sentences where it may match."""


def lowercase_pattern(pattern: str) -> str:
    """Return a looser regex for the lowercased text: it matches wherever `pattern` matches case-insensitively.

    Literals and classes are lowercased, escapes (\\w, \\s, \\.) kept; lookarounds and \\b are dropped (a looser
    pattern finds a superset, and one that starts with a literal lets `re` scan fast).
    """
    out, i, depth_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if pattern[i + 1] != "b":
                out.append(pattern[i:i + 2])
            i += 2
        elif depth_class:
            out.append(char.lower())
            depth_class = char != "]"
            i += 1
        elif char == "[":
            out.append(char)
            depth_class = True
            i += 1
            if pattern[i] == "^":
                out.append("^")
                i += 1
            if pattern[i] == "]":  # a literal "]" first in a class
                out.append("]")
                i += 1
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i)
        elif pattern.startswith("(?P", i):  # group names keep their case
            close = pattern.index(">" if pattern.startswith("(?P<", i) else ")", i)
            out.append(pattern[i:close + 1])
            i = close + 1
        else:
            out.append(char.lower())
            i += 1
    loose = "".join(out)
    # A leading optional group ("(?:die\\s+)?erste …") only widens the match to the left: drop it too.
    while loose.startswith("(?:"):
        end = _group_end(loose, 0)
        if loose[end:end + 1] != "?" or loose[end + 1:end + 2] in ("?", "+"):
            break
        loose = loose[end + 1:]
    return loose


def _group_end(pattern: str, start: int) -> int:
    """Return the index just after the group that opens at pattern[start]."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced group in regex {pattern!r}")




class _Unsupported(ValueError):
    """Raised by the keyword reader for syntax it does not read (the pattern is then scanned as a regex)."""


# A node of a parsed loose pattern: ("lit", chars) one of these characters, ("group", [[node, ...], ...])
# alternatives, ("repeat", node, minimum), ("other",) anything that is not a literal.
_GROUP_OPENING = re.compile(r"\((?:\?(?:P<\w+>|[aiLmsux-]*:))?")
_QUANTIFIER = re.compile(r"[?*+]|\{(\d*)(?:,(\d*))?\}")


def _parse_alternatives(pattern: str, i: int) -> tuple[tuple, int]:
    """Read alternatives up to a closing parenthesis or the end; return ("group", branches) and the position."""
    branches: list[list[tuple]] = [[]]
    while i < len(pattern) and pattern[i] != ")":
        if pattern[i] == "|":
            branches.append([])
            i += 1
            continue
        node, i = _parse_atom(pattern, i)
        quantifier = _QUANTIFIER.match(pattern, i)
        if quantifier:
            text = quantifier.group()
            minimum = 1 if text == "+" else 0 if text in "?*" else int(quantifier[1] or 0)
            node, i = ("repeat", node, minimum), quantifier.end()
            if pattern.startswith("?", i):  # lazy
                i += 1
        branches[-1].append(node)
    return ("group", branches), i


def _parse_atom(pattern: str, i: int) -> tuple[tuple, int]:
    """Read one atom (group, class, escape or character); return its node and the position after it."""
    char = pattern[i]
    if char == "(":
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            return ("other",), _group_end(pattern, i)
        opening = _GROUP_OPENING.match(pattern, i)
        if opening is None or (pattern.startswith("(?", i) and opening.end() == i + 1):
            raise _Unsupported(pattern[i:i + 4])
        node, end = _parse_alternatives(pattern, opening.end())
        if end >= len(pattern):
            raise _Unsupported("unclosed group")
        return node, end + 1
    if char == "[":
        end = pattern.index("]", i + 2 if pattern.startswith(("[]", "[^]"), i) else i + 1)
        body = pattern[i + 1:end]
        literal = not body.startswith("^") and "\\" not in body and "-" not in body.strip("-")
        return (("lit", frozenset(body)) if literal and body else ("other",)), end + 1
    if char == "\\":
        escaped = pattern[i + 1]
        return (("other",) if escaped.isalnum() else ("lit", frozenset(escaped))), i + 2
    if char in ".^$":
        return ("other",), i + 1
    if char in "*+?{|)":
        raise _Unsupported(char)
    return ("lit", frozenset(char)), i + 1


def _prefixes(nodes: list[tuple]) -> tuple[set[str], bool]:
    """Return (strings one of which starts every match of a node sequence, whether they are whole matches)."""
    prefixes, complete = {""}, True
    for node in nodes:
        if node[0] == "lit":
            found, whole = set(node[1]), True
        elif node[0] == "group":
            found, whole = set(), True
            for branch in node[1]:
                sub, sub_whole = _prefixes(branch)
                found |= sub
                whole = whole and sub_whole
        elif node[0] == "repeat" and node[2] >= 1:
            found, whole = _prefixes([node[1]])[0], False
        else:
            found, whole = {""}, False
        prefixes = {p + f for p in prefixes for f in found}
        if not whole or len(prefixes) > MAX_KEYWORDS:
            return prefixes, False
    return prefixes, complete


def keywords(loose: str) -> set[str] | None:
    """Return literal keywords one of which starts every match of a lowercase regex, or None if it has none."""
    try:
        tree, end = _parse_alternatives(loose, 0)
        if end != len(loose):
            return None
        prefixes, complete = _prefixes([tree])
    except (_Unsupported, ValueError, IndexError, RecursionError):
        return None
    if not prefixes or "" in prefixes or len(prefixes) > MAX_KEYWORDS:
        return None
    # Short keywords ("ist", "für") hit everywhere; such patterns are cheaper to scan as regexes. Not so a list
    # of words ("gab|telegram"): the keywords are then all it matches, and the regex would mark the same sentences.
    if min(map(len, prefixes)) < KEYWORD_MIN_LENGTH and not complete:
        return None
    return prefixes


# Escapes and classes whose case lowercasing the pattern cannot fix (\p{Lu}, \N{…}, \x41, [[:upper:]]): the loose
# form of a pattern with one is scanned ignoring case.
_CASED_SYNTAX = re.compile(r"\\[pPNxuU0-7]|\[:\^?[a-z]+:\]")


def _loosen(pattern: str) -> str:
    """Return the loose form of an exact pattern (`lowercase_pattern`, ignoring case where that cannot fix it)."""
    loose = lowercase_pattern(pattern)
    return "(?i)" + loose if _CASED_SYNTAX.search(pattern) else loose


class Finder:
    """Regexes searched only in the sentences that a fast pre-scan of the lowercased text marks as candidates.

    Each pattern is loosened (`lowercase_pattern`) and, where possible, reduced to its keywords (`keywords`).
    `source` says where the patterns were written (a codebook code, a word list), for the errors.
    """

    def __init__(self, patterns: Sequence[str], flags: Sequence[int] | None = None,
                 quick: Sequence[str | None] | None = None, *, source: str) -> None:
        flags = flags or [re.IGNORECASE] * len(patterns)
        quick = quick or [None] * len(patterns)
        self.source = source
        self.exact = [UserPattern(p, source, ignore_case=bool(f & re.IGNORECASE))
                      for p, f in zip(patterns, flags, strict=True)]
        # Group names are dropped: the loose patterns are combined, and names must stay unique.
        self.loose = [re.sub(r"\(\?P<\w+>", "(?:", q or _loosen(p)) for p, q in zip(patterns, quick, strict=True)]
        for loose in self.loose:
            UserPattern(loose, f"{source} (pre-scan form)")

    def finditer(self, article: Document) -> Iterator[tuple[int, Match]]:
        """Yield (pattern index, match) for every exact match that lies within one sentence."""
        text, sentences = article.text, article.sentences
        for number, (pattern, candidates) in enumerate(zip(self.exact, article.candidates(self), strict=True)):
            for index in candidates:
                sentence = sentences[index]
                for match in pattern.finditer(text, sentence.start, sentence.end):
                    yield number, match


def trie_pattern(words: Iterable[str]) -> str:
    """Return a regex for a set of keywords shaped as a prefix tree, which `re` searches far faster than a flat
    alternation; at each position it matches the longest keyword."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            body = f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    return build(trie)


class Scanner:
    """Find the candidate sentences of many finders with one keyword pass over an article's lowercased text."""

    def __init__(self, finders: Iterable[Finder]) -> None:
        finders = list(dict.fromkeys(finders))
        # One slot per pattern; a finder's slots are consecutive.
        self.slots: dict[int, range] = {}
        self.size = 0
        for finder in finders:
            self.slots[id(finder)] = range(self.size, self.size + len(finder.loose))
            self.size += len(finder.loose)
        owners: dict[str, set[int]] = {}
        slow: list[tuple[int, UserPattern]] = []
        for finder in finders:
            for slot, loose in zip(self.slots[id(finder)], finder.loose, strict=True):
                words = keywords(loose)
                if words is None:
                    slow.append((slot, UserPattern(loose, f"{finder.source} (pre-scan form)")))
                for word in words or ():
                    owners.setdefault(word, set()).add(slot)
        words = sorted(owners, key=lambda w: (-len(w), w))
        self.keyword_re = re.compile(trie_pattern(words)) if words else None
        # The longest keyword at a position wins the match: it also stands for the keywords that are its prefixes.
        self.owners = {w: frozenset().union(*(owners[v] for v in owners if w.startswith(v))) for w in words}
        self.slow = slow

    def candidates(self, article: Document) -> list[list[int]]:
        """Return, per pattern slot, the sorted indices of the sentences where the pattern may match."""
        found: list[set[int]] = [set() for _ in range(self.size)]
        lower, at = article.lower, article.sentence_at
        if lower is None or not article.sentences:
            return [list(range(len(article.sentences))) for _ in range(self.size)]

        def mark(slots: Iterable[int], start: int, end: int) -> None:
            sentences = {at(start), at(max(start, end - 1))}
            for slot in slots:
                found[slot] |= sentences

        position, search = 0, self.keyword_re.search if self.keyword_re else None
        # Resume one character after each hit, so that keywords overlapping a hit are found too.
        while search and (match := search(lower, position)):
            mark(self.owners[match.group()], match.start(), match.end())
            position = match.start() + 1
        for slot, pattern in self.slow:
            for match in pattern.finditer(lower):
                mark((slot,), match.start(), match.end())
        return [sorted(s) for s in found]
