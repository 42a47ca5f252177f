"""German lemmas and dictionary lookups (simplemma), remembered per word in a small cache file.

simplemma loads its whole German dictionary (1.1 million entries, about 1 s) in every process that asks it
anything, and each notebook kernel is a new process. The notebooks ask about the same few thousand words every
time, so each answer is kept in a JSON file in the user's cache folder, keyed by simplemma's version. The dictionary
is loaded only when a word comes up that the file does not hold. The answers are those of simplemma itself: the
cache changes speed, never results.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import tempfile
from pathlib import Path

import platformdirs
import simplemma

LANGUAGE = "de"
_VERSION = importlib.metadata.version("simplemma")
_memo: dict[str, list] | None = None  # word -> [lemma, known]
_unsaved = False


def cache_path() -> Path:
    """Return the cache file, in the platform's user cache folder (on Linux $XDG_CACHE_HOME/parler-coverage)."""
    return platformdirs.user_cache_path("parler-coverage", appauthor=False) / f"simplemma-{LANGUAGE}-{_VERSION}.json"


def _answers() -> dict[str, list]:
    global _memo
    if _memo is None:
        try:
            _memo = json.loads(cache_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _memo = {}
    return _memo


def _answer(word: str) -> list:
    global _unsaved
    answers = _answers()
    found = answers.get(word)
    if found is None:
        found = answers[word] = [simplemma.lemmatize(word, lang=LANGUAGE),
                                 bool(simplemma.is_known(word, lang=LANGUAGE))]
        _unsaved = True
    return found


def lemmatize(word: str) -> str:
    """Return simplemma's German lemma of `word` (case as simplemma returns it)."""
    return _answer(word)[0]


@functools.lru_cache(maxsize=1 << 18)
def lemma(word: str) -> str:
    """Return the lowercase German lemma of `word`, remembered per process (the one lemma cache of the kit)."""
    return _answer(word)[0].lower()


def is_known(word: str) -> bool:
    """Tell whether simplemma's German dictionary knows `word`."""
    return _answer(word)[1]


def save() -> None:
    """Write new answers to the cache file (atomically; a read-only cache folder only costs speed)."""
    global _unsaved
    if not _unsaved:
        return
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            json.dump(_answers(), fh, ensure_ascii=False)
        os.replace(temporary, path)
        _unsaved = False
    except OSError:
        pass
