"""How much of a corpus a page embeds: above these sizes charts aggregate by outlet and long views show a part.

A chart or table embeds its data in the page, so one row per article stops being readable (and Altair refuses
more than 5,000 rows) long before a corpus of 1,000 articles. The five-article study is far below every limit,
so its pages are exactly what they were; the lab's widgets and the CSV export (`python -m helpers export`) reach
every article and row at any size.
"""

from __future__ import annotations

ARTICLES_SHOWN_MAX = 50  # more articles than this: charts aggregate by outlet, reader folds and KWIC cover this many
TABLE_ROWS_MAX = 200  # rows a text table shows (the study's longest has 96); the rest are counted, not shown


def is_large(articles: int, limit: int = ARTICLES_SHOWN_MAX) -> bool:
    """Return whether a corpus of `articles` articles is shown by outlet rather than article by article."""
    return articles > limit


def shown_note(shown: int, total: int, what: str, where: str) -> str:
    """Say in one sentence that a view shows `shown` of `total` items and where the rest are."""
    return f"Showing the first {shown:,} of {total:,} {what}; {where}."
