"""The corpus: paths, strict readers, load, check and add articles; metadata helpers; the glossary.

The functions notebooks use are re-exported here (`from helpers import corpus; corpus.load_articles()`).
"""

from helpers.corpus.articles import (
    EVENT_COLUMNS,
    METADATA_COLUMNS,
    corpus_dir,
    date_window,
    display_title,
    filter_articles,
    load_articles,
    load_events,
    load_metadata,
    outlets_of,
    removals,
    short_names,
)

__all__ = ["EVENT_COLUMNS", "METADATA_COLUMNS", "corpus_dir", "date_window", "display_title",
           "filter_articles", "load_articles", "load_events", "load_metadata", "outlets_of", "removals", "short_names"]
