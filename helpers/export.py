"""Write tidy CSV tables for R and Excel users (UTF-8 with a byte-order mark, so Excel reads umlauts)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.corpus import METADATA_COLUMNS, load_articles, removals

CSV_ENCODING = "utf-8-sig"


def article_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Return the metadata with word counts before and after cleaning (no text)."""
    table = articles[METADATA_COLUMNS + ["words_raw", "words_clean"]].copy()
    for column in ("published_earliest", "published_latest"):
        table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table


def export_tables(out_dir: str | Path, corpus: str | Path | None = None) -> list[Path]:
    """Write articles.csv and cleaning_removals.csv to `out_dir`; return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    articles = load_articles(corpus)
    tables = {
        "articles.csv": article_table(articles),
        "cleaning_removals.csv": removals(articles),
    }
    written = []
    for name, table in tables.items():
        path = out / name
        table.to_csv(path, index=False, encoding=CSV_ENCODING, lineterminator="\n")
        written.append(path)
    return written
