"""Annotate the five layers automatically: rules, lemmas and fuzzy name matching; no model, no download.

Every detector takes {article_id: clean text} and the codebook, and returns a table with exactly
ANNOTATION_COLUMNS (coder "detector", offsets into the given text, span == text[start:end]), so it can be
measured row for row against the hand coding (helpers.annotate.measure). The rules come from the codebook
where they are about codes (spellings, `cues`, the label target) and from helpers.text.wordlists where they
are about German news language (reporting verbs, role nouns, quotation marks).

One module per layer, each with ``rows(article) -> list[dict]``: actors, quotes, labels, frames, facts.
``speakers`` finds who says what (shared by quotes and labels); ``engine`` holds the Article the layers share;
``rules`` compiles a codebook once; ``scan`` is the keyword pre-scan that keeps regex cues fast.

Codebook cues are researchers' regular expressions: they run under a time limit (CUE_SECONDS per cue and run,
helpers.text.patterns), and one that backtracks for ever stops the run with PatternTimeout, a ValueError naming
the codebook, the code and the article.

Speed: everything is compiled once per codebook; words are judged once per process (lemmas, dictionary look-ups,
fuzzy scores); case-insensitive cue patterns run only in the sentences that one keyword pass over the lowercased
text marks as candidates. 1,000 articles take a few seconds on one core.
"""

from __future__ import annotations

import multiprocessing
import operator
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from helpers.annotate.annotations import ANNOTATION_COLUMNS, LAYERS, Codebook
from helpers.annotate.detect import actors, facts, frames, labels, quotes
from helpers.annotate.detect.engine import CODER, Article
from helpers.annotate.detect.rules import rules_of
from helpers.text import german
from helpers.text.patterns import CUE_SECONDS, PatternTimeout, time_limit

__all__ = ["CODER", "detect_actors", "detect_all", "detect_facts", "detect_frames", "detect_labels",
           "detect_quotes"]

PARALLEL_ARTICLES_MIN = 50  # articles per process below which a corpus is detected in one process
CHUNKS_PER_JOB = 4  # runs of articles per process, so one slow run does not leave the other cores idle


def usable_cores() -> int:
    """Return the number of cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


LAYER_ROWS: dict[str, Callable[[Article], list[dict]]] = {
    "actors": actors.rows, "quotes": quotes.rows, "labels": labels.rows, "frames": frames.rows, "facts": facts.rows,
}


def _rows(texts: Mapping[str, str], codebook: Codebook, layers: list[str]) -> list[tuple]:
    """Run the detectors of `layers` on every text; return their rows as tuples in ANNOTATION_COLUMNS order."""
    rules = rules_of(codebook)
    rows: list[tuple] = []
    as_tuple = operator.itemgetter(*ANNOTATION_COLUMNS)
    with time_limit(CUE_SECONDS, doing=f"detecting {', '.join(layers)}"):
        for article_id, text in texts.items():
            article = Article(str(article_id), text, rules)
            try:
                for layer in layers:
                    # Tuples, not the detectors' dicts: a quarter of the memory, so a large corpus stays linear.
                    rows += map(as_tuple, LAYER_ROWS[layer](article))
            except PatternTimeout as exc:
                raise exc.at(f"article {article_id!r}") from None
    return rows


_SHARED: tuple[Codebook, list[str]] | None = None  # what forked workers detect with (set around a parallel run)


def _shared_rows(texts: Mapping[str, str]) -> list[tuple]:
    """Run the detectors a parallel run shares (_SHARED, inherited by fork) on some texts."""
    assert _SHARED is not None, "_shared_rows runs only in a worker forked by _detect"
    return _rows(texts, *_SHARED)


def _chunks(texts: Mapping[str, str], count: int) -> list[dict[str, str]]:
    """Split texts into `count` runs of consecutive articles of about equal total length, in corpus order."""
    total, chunks, current, size = sum(map(len, texts.values())) or 1, [], {}, 0
    for article_id, text in texts.items():
        current[article_id] = text
        size += len(text)
        if size >= total * (len(chunks) + 1) / count and len(chunks) < count - 1:
            chunks.append(current)
            current = {}
    return [*chunks, current] if current else chunks


def _detect(texts: Mapping[str, str], codebook: Codebook, layers: Iterable[str], jobs: int = 1) -> pd.DataFrame:
    """Run the detectors of `layers` on every text (on `jobs` processes); return one table in a stable order."""
    layers = list(layers)
    jobs = max(1, min(jobs, len(texts) // PARALLEL_ARTICLES_MIN))
    if "fork" not in multiprocessing.get_all_start_methods():  # workers must inherit the compiled rules
        jobs = 1
    if jobs == 1:
        rows = _rows(texts, codebook, layers)
    else:  # each process takes a run of consecutive articles; the rows come back in corpus order
        global _SHARED
        rules_of(codebook)  # compiled here once; forked workers inherit the rules and the word caches
        _SHARED = (codebook, layers)
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                rows = [row for part in pool.map(_shared_rows, _chunks(texts, jobs * CHUNKS_PER_JOB)) for row in part]
        finally:
            _SHARED = None
    table = pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)
    table = table.astype({"start": "int64", "end": "int64", "is_variant": "bool"})
    order = {str(article_id): i for i, article_id in enumerate(texts.keys())}
    layer_order = {layer: i for i, layer in enumerate(LAYERS)}
    table = table.assign(_a=table["article_id"].map(order), _l=table["layer"].map(layer_order))
    table = table.sort_values(["_a", "_l", "start", "end", "code"], kind="stable").drop(columns=["_a", "_l"])
    table = table.drop_duplicates(["article_id", "layer", "code", "start", "end"])
    return table.reset_index(drop=True)


def detect_actors(texts: Mapping[str, str], codebook: Codebook) -> pd.DataFrame:
    """Find every mention of every codebook actor, misspelled names as variants (is_variant True)."""
    return _detect(texts, codebook, ["actors"])


def detect_quotes(texts: Mapping[str, str], codebook: Codebook) -> pd.DataFrame:
    """Find direct quotes (text inside quotation marks, 4+ words) and attribute each to a speaker."""
    return _detect(texts, codebook, ["quotes"])


def detect_labels(texts: Mapping[str, str], codebook: Codebook) -> pd.DataFrame:
    """Find the phrases that name or characterise the codebook's label target, with whom each is attributed to."""
    return _detect(texts, codebook, ["labels"])


def detect_frames(texts: Mapping[str, str], codebook: Codebook) -> pd.DataFrame:
    """Mark each sentence with every frame whose cues occur in it."""
    return _detect(texts, codebook, ["frames"])


def detect_facts(texts: Mapping[str, str], codebook: Codebook) -> pd.DataFrame:
    """Find the clauses that state a codebook fact."""
    return _detect(texts, codebook, ["facts"])


def detect_all(texts: Mapping[str, str], codebook: Codebook, jobs: int | None = None) -> pd.DataFrame:
    """Run all five detectors; return their rows in one table (the same rows on any number of `jobs`).

    `jobs` processes share the articles (None: one per usable core); a corpus of fewer than
    2 × PARALLEL_ARTICLES_MIN articles runs in this process, where starting workers would cost more than it saves.
    """
    found = _detect(texts, codebook, LAYERS, usable_cores() if jobs is None else jobs)
    german.save()
    return found
