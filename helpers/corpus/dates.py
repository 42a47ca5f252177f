"""Publication windows derived from an explicit table of dating clues (`date_clues.csv`), never typed by hand.

Each row is one clue an article's text gives: the German words, the event it refers to, when that event happened
and in which time zone, and the calendar day in German time (Europe/Berlin) it bounds the article's publication
by, as the earliest or the latest day. A clue is `firm` (the text cannot have been written otherwise) or `soft`
(a reading: tense, an absence). An article's window is the intersection of its clues: ``firm_windows`` takes
the firm ones only (the window the evidence forces), ``windows`` every clue (the narrower, likelier reading).
`articles.csv`'s published_earliest / published_latest must equal the firm window (``check_windows``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.corpus.articles import parse_day
from helpers.corpus.readers import read_table
from helpers.errors import CorpusError

CLUES_FILE = "date_clues.csv"
CLUE_COLUMNS = ["article_id", "clue_id", "quote", "gloss", "bounds", "event_id", "event_time", "event_zone",
                "offset_days", "berlin_date", "strength", "reasoning", "source"]
BOUNDS = ("earliest", "latest")
STRENGTHS = ("firm", "soft")
WINDOW_COLUMNS = ["article_id", "earliest", "latest", "days", "bounded_by"]


def load_date_clues(root: Path) -> pd.DataFrame:
    """Read `date_clues.csv` strictly (a bad bound, strength or day names file and line); empty when absent."""
    path = Path(root) / CLUES_FILE
    if not path.is_file():
        return pd.DataFrame(columns=[*CLUE_COLUMNS, "line"]).assign(berlin_date=pd.Series(dtype="datetime64[ns]"))
    table = read_table(path, CLUE_COLUMNS, required=["article_id", "clue_id", "quote", "bounds", "berlin_date",
                                                     "strength"], unique=["clue_id"], what="date clues file")
    problems, rows = list(table.problems), []
    for line, row in table.rows:
        where = f"{path} line {line}"
        if row["bounds"] not in BOUNDS:
            problems.append(f"{where}: bounds {row['bounds']!r} must be one of {', '.join(BOUNDS)}")
        if row["strength"] not in STRENGTHS:
            problems.append(f"{where}: strength {row['strength']!r} must be one of {', '.join(STRENGTHS)}")
        try:
            parse_day(row["berlin_date"])
        except ValueError as exc:
            problems.append(f"{where}: berlin_date: {exc}")
        rows.append({**row, "line": line})
    if problems:
        raise CorpusError(problems)
    clues = pd.DataFrame(rows, columns=[*CLUE_COLUMNS, "line"])
    clues["berlin_date"] = pd.to_datetime(clues["berlin_date"])
    return clues


def windows(clues: pd.DataFrame, strengths: tuple[str, ...] = STRENGTHS) -> pd.DataFrame:
    """Return per article the window its clues of `strengths` allow: latest earliest bound to earliest latest bound.

    Soft clues narrow the firm window only where they agree with it: a soft bound outside the firm window (a reading
    the firm clues rule out) is set aside and named in `bounded_by`.
    """
    used = clues[clues["strength"].isin(strengths)]
    rows = []
    for article_id, mine in used.groupby("article_id", sort=False):
        firm = mine[mine["strength"] == "firm"]
        early, late = firm[firm["bounds"] == "earliest"], firm[firm["bounds"] == "latest"]
        if early.empty or late.empty:
            continue  # one open end: no window to count
        first, last = early.loc[early["berlin_date"].idxmax()], late.loc[late["berlin_date"].idxmin()]
        soft = mine[mine["strength"] == "soft"]
        fits = ((soft["bounds"] == "earliest") & (soft["berlin_date"] <= last["berlin_date"])) | (
            (soft["bounds"] == "latest") & (soft["berlin_date"] >= first["berlin_date"]))
        for clue in soft[fits].itertuples():
            if clue.bounds == "earliest" and clue.berlin_date > first["berlin_date"]:
                first = soft.loc[clue.Index]
            if clue.bounds == "latest" and clue.berlin_date < last["berlin_date"]:
                last = soft.loc[clue.Index]
        aside = ", ".join(soft.loc[~fits, "clue_id"])
        rows.append({"article_id": article_id, "earliest": first["berlin_date"], "latest": last["berlin_date"],
                     "days": int((last["berlin_date"] - first["berlin_date"]).days) + 1,
                     "bounded_by": f"from {first['clue_id']}, to {last['clue_id']}"
                                   + (f"; {aside} set aside (outside the firm window)" if aside else "")})
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)


def firm_windows(clues: pd.DataFrame) -> pd.DataFrame:
    """Return per article the window its firm clues force (the widest the evidence allows)."""
    return windows(clues, ("firm",))


def check_windows(articles: pd.DataFrame, clues: pd.DataFrame, where: str) -> list[str]:
    """Return a problem for each article whose published_earliest/latest differ from its firm clue window."""
    problems = []
    found = firm_windows(clues).set_index("article_id")
    for r in articles.itertuples():
        if r.article_id not in found.index:
            continue
        window = found.loc[r.article_id]
        for column, bound in (("published_earliest", "earliest"), ("published_latest", "latest")):
            value = getattr(r, column)
            if pd.isna(value) or pd.Timestamp(value) != window[bound]:
                problems.append(f"{where}: {r.article_id}: {column} is {value!s:.10} but its firm date clues give "
                                f"{window[bound]:%Y-%m-%d} ({window['bounded_by']})")
    return problems


def check_date_clues(root: Path, articles: pd.DataFrame, raw_texts: dict[str, str], event_ids: set[str]) -> list[str]:
    """Return every problem of `date_clues.csv`: its rows, unknown articles or events, quotes not in the raw text,
    and windows in articles.csv that differ from the firm clues' (none when the corpus has no clues file)."""
    path = Path(root) / CLUES_FILE
    if not path.is_file():
        return []
    try:
        clues = load_date_clues(root)
    except CorpusError as exc:
        return exc.problems
    problems = []
    for r in clues.itertuples():
        where = f"{path} line {r.line}"
        if r.article_id not in raw_texts:
            problems.append(f"{where}: article {r.article_id!r} is not in articles.csv")
        elif _spaced(r.quote) not in _spaced(raw_texts[r.article_id]):
            problems.append(f"{where}: the quote {r.quote[:60]!r} is not in the article's raw text (copy it exactly)")
        if r.event_id and r.event_id not in event_ids:
            problems.append(f"{where}: event {r.event_id!r} is not an event id of events.csv")
    return problems + check_windows(articles, clues, str(path))


def _spaced(text: str) -> str:
    return " ".join(text.split())
