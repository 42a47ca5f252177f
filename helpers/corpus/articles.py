"""Find, check and load the corpus: raw articles (immutable, checked by sha256) and their metadata.

Every problem names its file, and the CSV line where there is one. `check_corpus` collects all
problems; `load_articles` refuses to load a corpus with any.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from helpers.corpus.readers import Table, read_table
from helpers.errors import CorpusError, text_problem
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
CONFIDENCES = ("high", "medium", "low", "unknown")  # outlet_confidence, and date_confidence before its ": reason"
SOURCE_KINDS = ("report", "article", "primary")  # events.csv: public reporting, a span in this corpus, a document
_LANGUAGE_RE = re.compile(r"[a-z]{2}")  # ISO 639-1
EVENT_COLUMNS = ["event_id", "date", "date_precision", "actor", "event", "source_kind", "source",
                 "source_quote", "note"]
DATE_FORMATS = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}
# Per precision: the shape of the date, and what completes it to a day (so "2021-02-30" is refused too).
DATE_SHAPES = {"day": (r"\d{4}-\d{2}-\d{2}", ""), "month": (r"\d{4}-\d{2}", "-01"), "year": (r"\d{4}", "-01-01")}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The largest article the kit supports: far above any news article (the longest in the corpus is ~6 KB), and
# small enough that detection and every notebook finish in seconds (detection grows faster than the text).
MAX_ARTICLE_BYTES = 500_000


def corpus_dir(path: str | Path | None = None) -> Path:
    """Return the corpus folder: `path`, else $PARLER_CORPUS, else the project's `corpus/`.

    The project's `corpus/` sits beside `helpers/` in a checkout (or an editable install). A copy installed by
    `pip install .` lives in site-packages, far from it: then it is the nearest `corpus/` holding articles.csv in
    the current folder or above (a kernel runs in `notebooks/`), else `./corpus`, so an error names a likely path.
    """
    if path is not None:
        return Path(path)
    if os.environ.get(CORPUS_ENV):
        return Path(os.environ[CORPUS_ENV])
    beside_package = Path(__file__).resolve().parents[2] / "corpus"
    if beside_package.is_dir():
        return beside_package
    here = Path.cwd()
    found = (folder / "corpus" for folder in (here, *here.parents) if (folder / "corpus" / "articles.csv").is_file())
    return next(found, here / "corpus")


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content_key(data: bytes) -> str:
    """Return a fingerprint of a text that ignores line endings, trailing blanks and a BOM (for duplicates)."""
    text = unicodedata.normalize("NFC", data.decode("utf-8", errors="replace").removeprefix("\ufeff"))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return hashlib.sha256("\n".join(lines).strip("\n").encode("utf-8")).hexdigest()


def inside(folder: Path, name: str, what: str) -> str | None:
    """Say why `name` (a file name taken from data) is not a plain file name inside `folder`, or None when it is.

    A name from a CSV must never reach outside its folder: no separators, no `..`, no absolute path.
    """
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\0" in name or Path(name).is_absolute():
        return (f"{what} {name!r} must be a plain file name inside {folder}/ (no folders, no '..', no absolute "
                "path)")
    return None


def parse_day(value: str) -> dt.date:
    """Return the day a strict YYYY-MM-DD string names; raise ValueError for anything else (20210116, 2021-W02-1)."""
    if not ISO_DAY.fullmatch(value):
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real day") from None


def _check_date(value: str, where: str, column: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_day(value)
    except ValueError as exc:
        problems.append(f"{where}: {column} {exc}")
        return None


def _value_problems(row: dict[str, str]) -> list[str]:
    """Say which metadata values are outside their fixed lists (confidences, language, sha256's form)."""
    problems = []
    if row["outlet_confidence"] and row["outlet_confidence"] not in CONFIDENCES:
        problems.append(f"outlet_confidence {row['outlet_confidence']!r} must be one of {', '.join(CONFIDENCES)}")
    level = row["date_confidence"].split(":")[0].strip()
    if row["date_confidence"] and level not in CONFIDENCES:
        problems.append(f"date_confidence {row['date_confidence'][:40]!r} must start with one of "
                        f"{', '.join(CONFIDENCES)} (a reason may follow a colon)")
    if row["language"] and not _LANGUAGE_RE.fullmatch(row["language"]):
        problems.append(f"language {row['language']!r} must be a two-letter ISO 639-1 code such as 'de'")
    if row["sha256"] and not re.fullmatch(r"[0-9a-f]{64}", row["sha256"]):
        problems.append(f"sha256 {row['sha256'][:70]!r} must be 64 lowercase hexadecimal digits")
    return problems


def read_metadata(root: Path) -> Table:
    """Read articles.csv strictly (exact columns, ids unique ignoring case, required values present)."""
    return read_table(root / "articles.csv", METADATA_COLUMNS, required=REQUIRED_VALUES,
                      unique=["article_id", "raw_file"], what="metadata file")


def check_articles(root: Path) -> list[str]:
    """Return every problem with articles.csv and the raw files (empty list: all good)."""
    meta, raw_dir = root / "articles.csv", root / "raw"
    table = read_metadata(root)
    if table.problems and not table.rows:
        return table.problems
    problems = list(table.problems)
    seen_texts: dict[str, tuple[int, str]] = {}
    for line, row in table.rows:
        where = f"{meta} line {line}"
        problems += [f"{where}: {problem}" for problem in _value_problems(row)]
        earliest = _check_date(row["published_earliest"], where, "published_earliest", problems)
        latest = _check_date(row["published_latest"], where, "published_latest", problems)
        if earliest and latest and earliest > latest:
            problems.append(f"{where}: published_earliest {earliest} is after published_latest {latest}")
        raw_name = row["raw_file"]
        if (problem := inside(raw_dir, raw_name, "raw_file")) is not None:
            problems.append(f"{where}: {problem}")
            continue
        path = raw_dir / raw_name
        if not path.is_file():
            problems.append(f"{where}: raw file {raw_name!r} not found in {raw_dir}/")
            continue
        data = path.read_bytes()
        if not data.strip():
            problems.append(f"{path}: file is empty ({where})")
            continue
        if (problem := text_problem(path, data, MAX_ARTICLE_BYTES)) is not None:
            problems.append(f"{problem}; an article must be UTF-8 text without BOM or control characters, at most "
                            f"{MAX_ARTICLE_BYTES // 1000} KB ({where}; fix a copy and update its sha256)")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != row["sha256"] and digest != row["sha256"].lower():
            problems.append(f"{path}: sha256 mismatch: {where} records {row['sha256']}, the file has {digest} "
                            "(raw files must never be edited)")
        key = content_key(data)
        if key in seen_texts:
            first_line, first_name = seen_texts[key]
            same = "same bytes" if sha256_of(raw_dir / first_name) == digest else (
                "same text (ignoring line endings and trailing blanks)")
            problems.append(f"{path}: {same} as the raw file on {meta} line {first_line} (duplicate article)")
        seen_texts.setdefault(key, (line, raw_name))

    if raw_dir.is_dir() and table.complete:  # with a half-read table every later file would look unlisted
        for path in sorted(raw_dir.iterdir()):
            if path.name.startswith("."):
                continue
            if not path.is_file() or path.is_symlink():
                problems.append(f"{path}: not a regular file (a folder, link or device); raw/ holds only the article "
                                "files")
            elif path.name not in {row["raw_file"] for row in table.listed}:
                problems.append(f"{path}: no row in {meta} (add one with its sha256)")
    elif not raw_dir.is_dir():
        problems.append(f"{raw_dir}: raw folder not found")
    return problems


def read_events(root: Path) -> Table:
    """Read events.csv strictly (exact columns, event ids present and unique ignoring case)."""
    return read_table(root / "events.csv", EVENT_COLUMNS, required=["event_id", "date", "source", "source_quote"],
                      unique=["event_id"], what="events file")


def check_events(root: Path) -> list[str]:
    """Return every problem with events.csv (a missing file is not a problem)."""
    path = root / "events.csv"
    if not path.exists():
        return []
    table = read_events(root)
    problems = list(table.problems)
    articles = {row["article_id"] for row in read_metadata(root).listed} if (root / "articles.csv").is_file() else set()
    for line, row in table.rows:
        where = f"{path} line {line}"
        if row["source_kind"] not in SOURCE_KINDS:
            problems.append(f"{where}: source_kind {row['source_kind']!r} must be one of {', '.join(SOURCE_KINDS)}")
        elif row["source_kind"] == "article" and row["source"] not in articles:
            problems.append(f"{where}: source {row['source']!r} must be an article_id of articles.csv (source_kind "
                            "is 'article')")
        shape = DATE_SHAPES.get(row["date_precision"])
        if shape is None:
            problems.append(f"{where}: date_precision must be one of {', '.join(DATE_SHAPES)}")
        elif not re.fullmatch(shape[0], row["date"]):
            problems.append(f"{where}: date {row['date']!r} does not match precision {row['date_precision']!r} "
                            f"({DATE_FORMATS[row['date_precision']]})")
        else:
            try:
                parse_day(row["date"] + shape[1])
            except ValueError:
                problems.append(f"{where}: date {row['date']!r} is not a real {row['date_precision']}")
    return problems


def rules_path(root: Path) -> Path:
    """Return the corpus's cleaning rules, or the project's when the corpus has none of its own."""
    own = root / "cleaning_rules.yaml"
    return own if own.exists() else corpus_dir() / "cleaning_rules.yaml"  # a folder there is named by the reader


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
    """Return articles.csv as a DataFrame of strings (read strictly; the raw files are not checked here)."""
    rows = read_metadata(corpus_dir(path)).values()
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
    rows = read_events(root).values()
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).astype("string")


def outlets_of(articles: pd.DataFrame) -> list[str]:
    """Return the outlets in corpus order (first appearance), never hard-coded."""
    return list(dict.fromkeys(articles["outlet"]))


def filter_articles(articles: pd.DataFrame, outlets: Sequence[str]) -> pd.DataFrame:
    """Keep the articles whose outlet is in `outlets`."""
    return articles[articles["outlet"].isin(list(outlets))]


def short_names(articles: pd.DataFrame) -> dict[str, str]:
    """Return {article_id: a short name a reader recognises}: the outlet and the publication window.

    "t3n, 10 Jan 2021", "heise online, 9–11 Jan 2021"; an outlet with several articles in one window gets
    "(2)", "(3)" … in corpus order.
    """
    names: dict[str, str] = {}
    taken: dict[str, int] = {}
    for article_id, outlet, earliest, latest in zip(articles["article_id"], articles["outlet"],
                                                    articles["published_earliest"], articles["published_latest"],
                                                    strict=True):
        name = f"{outlet}, {_short_window(earliest, latest)}"
        taken[name] = taken.get(name, 0) + 1
        names[str(article_id)] = name if taken[name] == 1 else f"{name} ({taken[name]})"
    return names


def _short_window(earliest: pd.Timestamp, latest: pd.Timestamp) -> str:
    """Write a publication window for a reader: "10 Jan 2021", "9–11 Jan 2021", "16 Jan–14 Feb 2021"."""
    if pd.isna(earliest) or pd.isna(latest):
        return "date unknown"
    first, last = pd.Timestamp(earliest), pd.Timestamp(latest)
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b}–{last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y}–{last.day} {last:%b %Y}"


def date_window(earliest: pd.Timestamp, latest: pd.Timestamp) -> str:
    """Format a publication window ('2021-01-09' or '2021-01-09 – 2021-01-11')."""
    if pd.isna(earliest) or pd.isna(latest):
        return "unknown"
    first, last = earliest.strftime("%Y-%m-%d"), latest.strftime("%Y-%m-%d")
    return first if first == last else f"{first} – {last}"
