"""Find, check and load the corpus: raw articles (immutable, checked by sha256) and their metadata.

Every problem names its file, and the CSV line where there is one. `check_corpus` collects all
problems; `load_articles` refuses to load a corpus with any.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from helpers.errors import CorpusError, utf8_problem
from helpers.text.clean import CleanText, Rule, clean_text, load_rules
from helpers.text.patterns import CLEANING_SECONDS, PatternTimeout, time_limit
from helpers.text.tokens import count_words

CORPUS_ENV = "PARLER_CORPUS"
METADATA_COLUMNS = [
    "article_id", "raw_file", "sha256", "original_file", "outlet", "outlet_basis", "outlet_confidence",
    "title", "published_earliest", "published_latest", "date_basis", "date_confidence", "language",
    "url", "url_basis", "notes",
]
REQUIRED_VALUES = ["article_id", "raw_file", "sha256", "outlet", "language"]
EVENT_COLUMNS = ["event_id", "date", "date_precision", "actor", "event", "source_kind", "source",
                 "source_quote", "note"]
DATE_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def corpus_dir(path: str | Path | None = None) -> Path:
    """Return the corpus folder: `path`, else $PARLER_CORPUS, else the project's `corpus/`."""
    if path is not None:
        return Path(path)
    if os.environ.get(CORPUS_ENV):
        return Path(os.environ[CORPUS_ENV])
    return Path(__file__).resolve().parents[2] / "corpus"


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the row starts, row) for each data row of a UTF-8 CSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        _ = reader.fieldnames  # read the header now, so line_num counts it
        start = reader.line_num + 1
        for row in reader:
            yield start, {k: (v or "").strip() for k, v in row.items() if k is not None}
            start = reader.line_num + 1


def csv_header(path: Path) -> list[str]:
    """Return the column names on a CSV file's first line."""
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh), [])


def encoding_problem(path: Path) -> str | None:
    """Say where a text file stops being UTF-8, naming it and the line (None when it is UTF-8)."""
    problem = utf8_problem(path.read_bytes())
    return None if problem is None else f"{path}: {problem}"


def _decode_problem(path: Path, data: bytes) -> str | None:
    """Describe why `data` is not UTF-8 text (or None if it is)."""
    problem = utf8_problem(data)
    return None if problem is None else f"{path}: {problem}; convert it to UTF-8 and update its sha256"


def _check_date(value: str, where: str, column: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}: {column} {value!r} is not a date (YYYY-MM-DD)")
        return None


def check_articles(root: Path) -> list[str]:
    """Return every problem with articles.csv and the raw files (empty list: all good)."""
    meta, raw_dir = root / "articles.csv", root / "raw"
    if not meta.is_file():
        return [f"{meta}: metadata file not found"]
    problems: list[str] = []
    if (problem := encoding_problem(meta)) is not None:
        return [problem]
    missing = [c for c in METADATA_COLUMNS if c not in csv_header(meta)]
    if missing:
        return [f"{meta} line 1: missing column(s) {', '.join(missing)}"]
    rows = list(read_csv_rows(meta))

    seen_ids: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    seen_hashes: dict[str, int] = {}
    for line, row in rows:
        where = f"{meta} line {line}"
        for column in REQUIRED_VALUES:
            if not row.get(column):
                problems.append(f"{where}: {column} is empty")
        article_id, raw_name = row.get("article_id", ""), row.get("raw_file", "")
        if article_id:
            if article_id in seen_ids:
                problems.append(f"{where}: duplicate article_id {article_id!r} (first on line {seen_ids[article_id]})")
            seen_ids.setdefault(article_id, line)
        earliest = _check_date(row.get("published_earliest", ""), where, "published_earliest", problems)
        latest = _check_date(row.get("published_latest", ""), where, "published_latest", problems)
        if earliest and latest and earliest > latest:
            problems.append(f"{where}: published_earliest {earliest} is after published_latest {latest}")
        if not raw_name:
            continue
        if raw_name in seen_files:
            problems.append(f"{where}: raw file {raw_name!r} is already listed on line {seen_files[raw_name]}")
            continue
        seen_files[raw_name] = line
        path = raw_dir / raw_name
        if not path.is_file():
            problems.append(f"{where}: raw file {raw_name!r} not found in {raw_dir}/")
            continue
        data = path.read_bytes()
        if not data.strip():
            problems.append(f"{path}: file is empty ({where})")
            continue
        decode_problem = _decode_problem(path, data)
        if decode_problem:
            problems.append(f"{decode_problem} ({where})")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if row.get("sha256") and digest != row["sha256"]:
            problems.append(f"{path}: sha256 mismatch: {where} records {row['sha256']}, the file has {digest} "
                            "(raw files must never be edited)")
        if digest in seen_hashes:
            problems.append(f"{path}: same bytes as the raw file on {meta} line {seen_hashes[digest]} "
                            "(duplicate article)")
        seen_hashes.setdefault(digest, line)

    if raw_dir.is_dir():
        for path in sorted(raw_dir.iterdir()):
            if path.is_file() and not path.name.startswith(".") and path.name not in seen_files:
                problems.append(f"{path}: no row in {meta} (add one with its sha256)")
    else:
        problems.append(f"{raw_dir}: raw folder not found")
    return problems


def check_events(root: Path) -> list[str]:
    """Return every problem with events.csv (a missing file is not a problem)."""
    path = root / "events.csv"
    if not path.is_file():
        return []
    if (problem := encoding_problem(path)) is not None:
        return [problem]
    missing = [c for c in EVENT_COLUMNS if c not in csv_header(path)]
    if missing:
        return [f"{path} line 1: missing column(s) {', '.join(missing)}"]
    problems, seen = [], {}
    for line, row in read_csv_rows(path):
        where = f"{path} line {line}"
        if row["event_id"] in seen:
            problems.append(f"{where}: duplicate event_id {row['event_id']!r} (first on line {seen[row['event_id']]})")
        seen.setdefault(row["event_id"], line)
        fmt = DATE_FORMATS.get(row["date_precision"])
        if fmt is None:
            problems.append(f"{where}: date_precision must be one of {', '.join(DATE_FORMATS)}")
        else:
            try:
                dt.datetime.strptime(row["date"], fmt)
            except ValueError:
                problems.append(f"{where}: date {row['date']!r} does not match precision {row['date_precision']!r}")
        if not row["source"] or not row["source_quote"]:
            problems.append(f"{where}: every event needs a source and a short source_quote")
    return problems


def rules_path(root: Path) -> Path:
    """Return the corpus's cleaning rules, or the project's when the corpus has none of its own."""
    own = root / "cleaning_rules.yaml"
    return own if own.is_file() else corpus_dir() / "cleaning_rules.yaml"


def check_corpus(path: str | Path | None = None) -> list[str]:
    """Return every problem in the corpus folder: metadata, raw files, cleaning rules (and their run), events."""
    return _survey(corpus_dir(path))[0]


def _survey(root: Path) -> tuple[list[str], tuple[pd.DataFrame, list[str], list[CleanText]] | None]:
    """Return every problem in a corpus folder and, when it has none, its metadata, raw and cleaned texts.

    The cleaning rules run here, once, so that a rule stopped at its time limit is a problem like any other.
    """
    problems = check_articles(root)
    cleaned = None
    try:
        rules = load_rules(rules_path(root))
        if not problems:  # the rules can only run on sound raw files
            cleaned = _clean_corpus(root, rules)
    except CorpusError as exc:
        problems.extend(exc.problems)
    problems += check_events(root)
    return problems, (None if problems else cleaned)


def _clean_corpus(root: Path, rules: list[Rule]) -> tuple[pd.DataFrame, list[str], list[CleanText]]:
    """Read the metadata and raw texts and clean each text; a rule stopped at its time limit is a CorpusError."""
    articles = load_metadata(root)
    raw_dir = root / "raw"
    raw_texts = [(raw_dir / name).read_text(encoding="utf-8") for name in articles["raw_file"]]
    titles = articles["title"].fillna("")
    try:
        with time_limit(CLEANING_SECONDS, doing="cleaning the corpus"):
            cleaned = [clean_text(raw, title, rules, where=str(raw_dir / name))
                       for raw, title, name in zip(raw_texts, titles, articles["raw_file"], strict=True)]
    except PatternTimeout as exc:
        raise CorpusError([str(exc)]) from None
    return articles, raw_texts, cleaned


def load_metadata(path: str | Path | None = None) -> pd.DataFrame:
    """Return articles.csv as a DataFrame of strings (no checks; see `load_articles`)."""
    root = corpus_dir(path)
    rows = [row for _, row in read_csv_rows(root / "articles.csv")]
    return pd.DataFrame(rows, columns=METADATA_COLUMNS).astype("string")


def load_articles(path: str | Path | None = None) -> pd.DataFrame:
    """Check the corpus, then return one row per article: metadata, raw and clean text, word counts.

    Raises CorpusError listing every problem (missing, empty, non-UTF-8 or unlisted raw file, duplicate
    id or text, checksum mismatch, bad date window, a bad cleaning rule or one stopped at its time limit)
    when the corpus is not sound.
    """
    problems, corpus = _survey(corpus_dir(path))
    if problems or corpus is None:
        raise CorpusError(problems)
    articles, raw_texts, cleaned = corpus
    articles["raw_text"] = pd.array(raw_texts, dtype="string")
    articles["clean_text"] = pd.array([c.text for c in cleaned], dtype="string")
    articles["words_raw"] = [count_words(t) for t in raw_texts]
    articles["words_clean"] = [count_words(c.text) for c in cleaned]
    articles["display_title"] = [display_title(t, c.text) for t, c in zip(articles["title"], cleaned, strict=True)]
    articles["cleaned"] = pd.Series(cleaned, dtype="object")
    for column in ("published_earliest", "published_latest"):
        articles[column] = pd.to_datetime(articles[column], errors="raise")
    return articles


def display_title(title: str | None, clean: str, width: int = 60) -> str:
    """Return the title, or mark a missing headline with the text's opening words."""
    if title and not pd.isna(title):
        return title
    opening = " ".join(clean.split()[:8])
    return f"[no headline] {opening[:width]}…"


def removals(articles: pd.DataFrame) -> pd.DataFrame:
    """Return the cleaning audit: one row per removed (or split) piece of raw text."""
    rows = [
        {"article_id": aid, "line": r.line, "rule": r.rule, "action": r.action, "text": r.text,
         "raw_start": r.raw_start, "raw_end": r.raw_end}
        for aid, cleaned in zip(articles["article_id"], articles["cleaned"], strict=True)
        for r in cleaned.removals
    ]
    columns = ["article_id", "line", "rule", "action", "text", "raw_start", "raw_end"]
    return pd.DataFrame(rows, columns=columns)


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Return the case timeline (events.csv) after checking it."""
    root = corpus_dir(path)
    problems = check_events(root)
    if problems:
        raise CorpusError(problems)
    rows = [row for _, row in read_csv_rows(root / "events.csv")]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).astype("string")


def outlets_of(articles: pd.DataFrame) -> list[str]:
    """Return the outlets in corpus order (first appearance), never hard-coded."""
    return list(dict.fromkeys(articles["outlet"]))


def filter_articles(articles: pd.DataFrame, outlets: Sequence[str]) -> pd.DataFrame:
    """Keep the articles whose outlet is in `outlets`."""
    return articles[articles["outlet"].isin(list(outlets))]


def date_window(earliest: pd.Timestamp, latest: pd.Timestamp) -> str:
    """Format a publication window ('2021-01-09' or '2021-01-09 – 2021-01-11')."""
    if pd.isna(earliest) or pd.isna(latest):
        return "unknown"
    first, last = earliest.strftime("%Y-%m-%d"), latest.strftime("%Y-%m-%d")
    return first if first == last else f"{first} – {last}"
