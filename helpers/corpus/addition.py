"""Add one article to the corpus: copy its bytes into raw/, append its metadata row, validate — or change nothing.

Every check runs before anything is written; if the corpus does not validate after writing, the raw file is
removed and articles.csv gets its old bytes back, so a refused addition leaves the corpus byte-identical.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from helpers.corpus.articles import (
    MAX_ARTICLE_BYTES,
    METADATA_COLUMNS,
    check_corpus,
    content_key,
    corpus_dir,
    parse_day,
    read_metadata,
)
from helpers.errors import CorpusError, text_problem, utf8_problem

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None

UNKNOWN = "unknown"
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RAW_PREFIX = re.compile(r"(\d{3})-")
GERMAN_LETTERS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
SLUG_WIDTH = 30
LOCK_WAIT_SECONDS = 10.0


def slugify(text: str, width: int = SLUG_WIDTH) -> str:
    """Return a lowercase ASCII slug of `text` ("Kein Hoster will …" -> "kein-hoster-will"), cut at a word."""
    text = "".join(GERMAN_LETTERS.get(char, char) for char in text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > width:
            break
        slug = longer
    return slug or (words[0][:width] if words else "")


def next_raw_prefix(raw_dir: Path) -> str:
    """Return the next three-digit prefix after the highest `NNN-` in raw/ ("000" when there is none)."""
    names = [p.name for p in raw_dir.iterdir()] if raw_dir.is_dir() else []
    numbers = [int(m.group(1)) for name in names if (m := RAW_PREFIX.match(name))]
    return f"{max(numbers, default=-1) + 1:03d}"


def _date_problem(column: str, value: str) -> tuple[dt.date | None, str | None]:
    try:
        return parse_day(value), None
    except ValueError as exc:
        return None, f"{column} {exc}"


def _text_problem(source: Path, data: bytes) -> str | None:
    """Describe why the file cannot be an article (or None): empty, too large, not UTF-8, BOM, control bytes."""
    if (problem := utf8_problem(data)) is not None:
        return f"{source}: {problem}; convert it to UTF-8 first"
    if not data.decode("utf-8").strip():
        return f"{source}: file is empty or holds only whitespace"
    if (problem := text_problem(source, data, MAX_ARTICLE_BYTES)) is not None:
        return f"{problem} (an article must be UTF-8 text without BOM, at most {MAX_ARTICLE_BYTES // 1000} KB)"
    return None


@contextlib.contextmanager
def corpus_lock(root: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the corpus's write lock: a second writer waits up to `wait` seconds (LOCK_WAIT_SECONDS), then is refused.

    The lock is an OS advisory lock on articles.csv itself (no lock file is left behind), released when the
    holder ends, even by a crash, so it never goes stale. Where the OS has no `fcntl` (Windows) there is no lock.
    """
    meta = root / "articles.csv"
    if fcntl is None or not meta.is_file():  # pragma: no cover - Windows; a missing file is reported by the checks
        yield
        return
    with meta.open("rb") as handle:
        deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise CorpusError([f"{root}: another command is adding to this corpus (it holds the lock on "
                                       f"{meta}); nothing was changed: try again when it has finished"]) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _line_ending(data: bytes) -> str:
    return "\r\n" if b"\r\n" in data else "\n"


def _csv_row(header: list[str], row: dict[str, str], existing: bytes) -> bytes:
    """Return the bytes that append `row` to a CSV whose current bytes are `existing`."""
    ending = _line_ending(existing)
    buffer = io.StringIO()
    csv.DictWriter(buffer, header, restval="", lineterminator=ending).writerow(row)
    separator = "" if not existing or existing.endswith(b"\n") else ending
    return (separator + buffer.getvalue()).encode("utf-8")


def add_article(
    file: str | Path,
    *,
    outlet: str,
    title: str,
    published_earliest: str,
    published_latest: str,
    url: str = "",
    date_basis: str = "",
    outlet_basis: str = "",
    article_id: str | None = None,
    outlet_confidence: str = UNKNOWN,
    date_confidence: str = UNKNOWN,
    url_basis: str = "",
    notes: str = "",
    corpus: str | Path | None = None,
) -> str:
    """Copy `file` into the corpus with a complete metadata row; return the new article_id.

    Raises CorpusError, changing nothing, when the corpus is already broken, the file is missing, empty,
    not UTF-8 or already in the corpus, the id is taken or malformed, or the date window is malformed.
    """
    root = corpus_dir(corpus)
    with corpus_lock(root):
        return _add_locked(Path(file), root, fields={
            "outlet": outlet, "title": title, "url": url, "date_basis": date_basis, "outlet_basis": outlet_basis,
            "outlet_confidence": outlet_confidence, "date_confidence": date_confidence, "url_basis": url_basis,
            "notes": notes, "published_earliest": published_earliest, "published_latest": published_latest},
            article_id=article_id)


def _add_locked(source: Path, root: Path, fields: dict[str, str], article_id: str | None) -> str:
    """Add the article while holding the corpus lock (see `add_article`)."""
    meta, raw_dir = root / "articles.csv", root / "raw"
    fields = {name: (value or "").strip() for name, value in fields.items()}

    existing = check_corpus(root)
    if existing:
        raise CorpusError([f"{root}: the corpus has {len(existing)} problem(s) already; run "
                           f"`python -m helpers validate` and fix them first (first: {existing[0]})"])
    problems: list[str] = []
    if not fields["outlet"]:
        problems.append("outlet is empty (write 'unidentified' when nothing identifies it)")
    earliest, problem = _date_problem("published_earliest", fields["published_earliest"])
    problems += [problem] if problem else []
    latest, problem = _date_problem("published_latest", fields["published_latest"])
    problems += [problem] if problem else []
    if earliest and latest and earliest > latest:
        problems.append(f"published_earliest {earliest} is after published_latest {latest}")

    rows = read_metadata(root).values()
    if article_id is None:
        article_id = slugify(fields["title"]) or slugify(source.stem)
        where = "derived from the title; give another with --id"
    else:
        article_id = article_id.strip()
        where = "choose another with --id"
    if not ID_PATTERN.fullmatch(article_id):
        problems.append(f"article id {article_id!r} must be lowercase letters, digits and single hyphens")
    elif article_id.casefold() in {row["article_id"].casefold() for row in rows}:
        problems.append(f"article id {article_id!r} already exists in {meta} ({where})")

    if source.is_dir():
        raise CorpusError([f"{source}: is a folder; give the article's text file", *problems])
    if not source.is_file():
        raise CorpusError([f"{source}: file not found", *problems])
    data = source.read_bytes()
    unfit = _text_problem(source, data)
    problems += [unfit] if unfit else []
    digest, key = hashlib.sha256(data).hexdigest(), content_key(data)
    twin = next((row for row in rows if content_key((raw_dir / row["raw_file"]).read_bytes()) == key), None)
    if twin:
        same = "same bytes" if twin["sha256"] == digest else "same text (ignoring line endings and trailing blanks)"
        problems.append(f"{source}: {same} as article {twin['article_id']!r} ({raw_dir / twin['raw_file']}) "
                        "already in the corpus")
    raw_name = f"{next_raw_prefix(raw_dir)}-{article_id}{source.suffix.lower() or '.txt'}"
    target = raw_dir / raw_name
    if target.exists():
        problems.append(f"{target}: already exists")
    if problems:
        raise CorpusError(problems)

    row = dict.fromkeys(METADATA_COLUMNS, "") | fields | {
        "article_id": article_id, "raw_file": raw_name, "sha256": digest, "original_file": source.name,
        "language": "de"}
    old_meta = meta.read_bytes()
    header = next(csv.reader(io.StringIO(old_meta.decode("utf-8"))))
    written = False
    try:
        with target.open("xb") as fh:  # "x": never overwrite a file already in raw/
            written = True
            fh.write(data)
        with meta.open("ab") as fh:
            fh.write(_csv_row(header, row, old_meta))
        after = check_corpus(root)
        if after:
            raise CorpusError([f"{root}: the corpus does not validate with the new article, so nothing was added: "
                               + "; ".join(after)])
    except BaseException:
        meta.write_bytes(old_meta)
        if written:
            target.unlink(missing_ok=True)
        raise
    return article_id
