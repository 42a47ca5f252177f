"""English glosses for the German quotes and spans the notebooks show (corpus/glossary.csv, written by reading).

German stays German; a gloss stands beside it. Glosses are looked up by the span's text with surrounding
quotation marks and blanks ignored, so „koordinierten Angriff der Tech-Giganten“ and the bare phrase share one
entry. A corpus without a glossary is fine (nothing is glossed); a malformed one is a CorpusError naming the line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.corpus.articles import corpus_dir
from helpers.corpus.readers import read_table
from helpers.errors import CorpusError
from helpers.text.tokens import QUOTE_MARKS

GLOSSARY_FILE = "glossary.csv"
GLOSSARY_COLUMNS = ["german", "english", "note"]
GLOSS_COLUMN = "english"  # the column add_glosses puts beside the German one
SEPARATOR = " | "  # how the coverage tables join several spans in one cell


def glossary_path(root: str | Path | None = None) -> Path:
    """Return the glossary file of a corpus folder."""
    return corpus_dir(root) / GLOSSARY_FILE


def gloss_key(text: str) -> str:
    """Return the lookup key of a span: without surrounding blanks and quotation marks, inner blanks single."""
    return " ".join(str(text).split()).strip(QUOTE_MARKS + " ")


def _read_glossary(root: str | Path | None) -> tuple[dict[str, str], list[str]]:
    """Read the glossary once: its entries by lookup key, and every problem, each naming the file and line."""
    path = glossary_path(root)
    if not path.exists():
        return {}, []
    table = read_table(path, GLOSSARY_COLUMNS[:2], optional=GLOSSARY_COLUMNS[2:], what="glossary")
    glosses: dict[str, str] = {}
    problems: list[str] = list(table.problems)
    first_line: dict[str, int] = {}
    for line, row in table.rows:
        where = f"{path} line {line}"
        german, english = row.get("german", ""), row.get("english", "")
        if not german or not english:
            problems.append(f"{where}: every entry needs both a german span and its english gloss")
            continue
        key = gloss_key(german)
        if key in first_line:
            problems.append(f"{where}: {german!r} is glossed twice (first on line {first_line[key]})")
            continue
        first_line[key], glosses[key] = line, english
    return glosses, problems


def check_glossary(root: str | Path | None = None) -> list[str]:
    """Return every problem of the glossary (none when the corpus has no glossary)."""
    return _read_glossary(root)[1]


def load_glossary(root: str | Path | None = None) -> dict[str, str]:
    """Return {lookup key: English gloss}; empty when the corpus has no glossary.csv."""
    glosses, problems = _read_glossary(root)
    if problems:
        raise CorpusError(problems)
    return glosses


def gloss(text: str, glossary: dict[str, str]) -> str:
    """Return the English gloss of a span, or of each " | "-joined span in turn ("" where there is none)."""
    if not isinstance(text, str) or not text:
        return ""
    glosses = [glossary.get(gloss_key(piece), "") for piece in text.split(SEPARATOR)]
    return SEPARATOR.join(glosses) if any(glosses) else ""


def glossed(text: str, glossary: dict[str, str]) -> str:
    """Return the span with its gloss in square brackets after it, span by span: 'Netzwerk [network]'."""
    if not isinstance(text, str) or not text:
        return text if isinstance(text, str) else ""
    pieces = []
    for piece in text.split(SEPARATOR):
        english = glossary.get(gloss_key(piece))
        pieces.append(f"{piece} [{english}]" if english else piece)
    return SEPARATOR.join(pieces)


def add_glosses(table: pd.DataFrame, column: str, glossary: dict[str, str], name: str = GLOSS_COLUMN) -> pd.DataFrame:
    """Return the table with a column `name` right after `column`, glossing each of its spans."""
    if column not in table.columns:
        raise KeyError(f"add_glosses: no column {column!r} in {list(table.columns)}")
    glossed_table = table.copy()
    glossed_table.insert(glossed_table.columns.get_loc(column) + 1, name,
                         [gloss(text, glossary) for text in table[column]])
    return glossed_table


def unglossed(spans: pd.Series, glossary: dict[str, str]) -> list[str]:
    """Return the distinct spans (each piece of a joined cell) that have no gloss, in first-seen order."""
    missing: dict[str, None] = {}
    for text in spans.dropna():
        for piece in str(text).split(SEPARATOR):
            if piece and gloss_key(piece) not in glossary:
                missing.setdefault(piece)
    return list(missing)
