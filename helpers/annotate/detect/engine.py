"""The detectors' engine: one Article per text holds the sentences and the results the layers share.

A layer module registers what it finds with ``@provides(name)`` (mentions, roles, cues, labels, quotes); any
layer asks for it with ``article.get(name)`` and gets it computed once per article, without importing the
module that finds it. Each layer's ``rows(article)`` returns its annotation rows (``row``).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helpers.annotate.detect.rules import Rules
from helpers.annotate.detect.scan import Finder
from helpers.text.segment import Span, split_paragraphs, split_sentences

CODER = "detector"

_PROVIDERS: dict[str, Callable[[Article], Any]] = {}


def provides(name: str) -> Callable:
    """Register a function as the one that finds `name` for an article (see Article.get)."""
    def register(find: Callable[[Article], Any]) -> Callable[[Article], Any]:
        _PROVIDERS[name] = find
        return find
    return register


@dataclass
class Article:
    """One text with its sentences and the intermediate results the layers share."""

    article_id: str
    text: str
    rules: Rules
    sentences: list[Span] = field(init=False)
    starts: list[int] = field(init=False)
    paragraph_of: list[int] = field(init=False)
    paragraphs: list[Span] = field(init=False)
    lower: str | None = field(init=False)
    _cache: dict = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        lower = self.text.lower()
        # Offsets carry over only when lowercasing keeps the length (it does for German; not for e.g. "İ").
        self.lower = lower if len(lower) == len(self.text) else None
        self.sentences = split_sentences(self.text)
        self.starts = [s.start for s in self.sentences]
        self.paragraphs = split_paragraphs(self.text)
        paragraph_starts = [p.start for p in self.paragraphs]
        self.paragraph_of = [bisect.bisect_right(paragraph_starts, s.start) - 1 for s in self.sentences]

    def sentence_at(self, position: int) -> int:
        """Return the index of the sentence holding `position` (the nearest one before it, between sentences)."""
        return max(0, bisect.bisect_right(self.starts, position) - 1)

    def candidates(self, finder: Finder) -> list[list[int]]:
        """Return, per pattern of a finder, the sentences where it may match (one keyword pass per article)."""
        scanner = self.rules.scanner
        per_slot = self.cached("candidates", lambda: scanner.candidates(self))
        return [per_slot[slot] for slot in scanner.slots[id(finder)]]

    def cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """Return a shared intermediate result, computing it once."""
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    def get(self, name: str) -> Any:
        """Return what the provider registered as `name` finds in this article (computed once)."""
        return self.cached(name, lambda: _PROVIDERS[name](self))

    def inside_quote(self, start: int, end: int) -> tuple[int, int, int, int] | None:
        """Return the quoted stretch (marks included) that holds [start, end), if any."""
        for quote in self.get("raw quotes"):
            if quote[0] <= start and end <= quote[1]:
                return quote
        return None


def row(article: Article, layer: str, code: str, start: int, end: int, *, speaker: str = "",
        attributed_to: str = "", note: str = "", is_variant: bool = False) -> dict:
    """Return one annotation row."""
    return {"article_id": article.article_id, "layer": layer, "code": code, "start": start, "end": end,
            "span": article.text[start:end], "speaker": speaker, "attributed_to": attributed_to, "note": note,
            "coder": CODER, "is_variant": is_variant, "voice": ""}
