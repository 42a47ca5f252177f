"""Put the case's events and the articles' inferred publication windows on one time axis.

Everything works in whole days. An event covers the days its precision allows (a month-precision event
covers the whole month: no day is invented); an article covers the days it may have been published
(`published_earliest` … `published_latest`, both inclusive).

Time zones: events are dated as their (US) sources date them, the article windows are German days.
German time is 6–9 hours ahead of US time, so an event late on a US day happens on the next German day.
`known_by` therefore never calls an event on an article's earliest day "before" (see its docstring).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import pandas as pd

from helpers.errors import CorpusError

STATUSES = ("before", "overlaps", "after")
ONE_DAY = pd.Timedelta(days=1)
HALF_DAY = pd.Timedelta(hours=12)
LABEL_WIDTH = 56
WINDOW_COLUMNS = ["article_id", "outlet", "title", "earliest", "latest", "window_days"]
KNOWN_BY_COLUMNS = ["article_id", "outlet", "event_id", "earliest", "latest", "event_start", "event_end",
                    "status", "days_apart"]


def event_interval(date: str, precision: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day (inclusive) that a date of the given precision can mean."""
    try:
        if precision == "day":
            day = pd.Timestamp(dt.date.fromisoformat(date))
            return day, day
        if precision == "month":
            first = dt.datetime.strptime(date, "%Y-%m")
            last_day = calendar.monthrange(first.year, first.month)[1]
            return pd.Timestamp(first), pd.Timestamp(first.replace(day=last_day))
        if precision == "year":
            year = dt.datetime.strptime(date, "%Y").year
            return pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    except ValueError:
        pass
    raise ValueError(f"date {date!r} does not match precision {precision!r} (day: YYYY-MM-DD, month: YYYY-MM, "
                     "year: YYYY)")


def short_label(date: str, text: str, width: int = LABEL_WIDTH) -> str:
    """Return 'date text', the text cut at a word boundary to fit `width` characters."""
    label = f"{date} {text}"
    if len(label) <= width:
        return label
    return label[: width - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def event_table(events: pd.DataFrame) -> pd.DataFrame:
    """Add each event's `start` and `end` day (inclusive, honouring its precision) and a short `label`."""
    table = events.copy()
    intervals, problems = [], []
    for event_id, date, precision in zip(table["event_id"], table["date"], table["date_precision"], strict=True):
        try:
            intervals.append(event_interval(str(date), str(precision)))
        except ValueError as exc:
            problems.append(f"events.csv event {event_id!r}: {exc}")
    if problems:
        raise CorpusError(problems)
    table["start"] = pd.Series([s for s, _ in intervals], index=table.index, dtype="datetime64[ns]")
    table["end"] = pd.Series([e for _, e in intervals], index=table.index, dtype="datetime64[ns]")
    table["label"] = pd.array([short_label(str(d), str(e)) for d, e in zip(table["date"], table["event"], strict=True)],
                              dtype="string")
    return table


def article_windows(articles: pd.DataFrame) -> pd.DataFrame:
    """Return one row per article: article_id, outlet, title, earliest, latest, window_days (days, inclusive)."""
    titles = articles["display_title"] if "display_title" in articles else articles["title"].fillna("")
    earliest = pd.to_datetime(articles["published_earliest"]).dt.normalize()
    latest = pd.to_datetime(articles["published_latest"]).dt.normalize()
    windows = pd.DataFrame({
        "article_id": articles["article_id"],
        "outlet": articles["outlet"],
        "title": titles,
        "earliest": earliest,
        "latest": latest,
        # Possible publication days, both bounds included: a window of one known day has window_days 1.
        "window_days": (latest - earliest).dt.days + 1,
    })
    return windows.reset_index(drop=True)


def known_by(articles: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Return one row per article × event: could the article's outlet have known the event when it published?

    Compares whole days (event days as the sources give them, article days in German time):
    - "before": the event's last day is earlier than the article's earliest possible day — the outlet
      could have known it. An event on the earliest day itself is "overlaps", not "before": the article
      may have gone out that morning, and a US event that day happens in the German afternoon or night.
    - "after": the event's first day is later than the article's latest possible day — it could not have
      known it. This is safe across time zones: a US day starts after the German day of the same date has begun,
      so an event on a later US day happens after the article's last German day is over.
    - "overlaps": the windows share a day; the dates cannot decide.
    `days_apart` counts whole days between the two intervals (0 for "overlaps"). A "before" with
    `days_apart` 1 is the one borderline case: an event late on the US eve of the earliest day happens in the
    early German morning of that day (23:59 PST is 08:59 CET), so it rests on what the window's `date_basis` says.
    """
    windows = article_windows(articles)
    table = event_table(events)[["event_id", "start", "end"]].rename(columns={"start": "event_start",
                                                                               "end": "event_end"})
    pairs = windows[["article_id", "outlet", "earliest", "latest"]].merge(table, how="cross")
    before = pairs["event_end"] < pairs["earliest"]
    after = pairs["event_start"] > pairs["latest"]
    pairs["status"] = pd.array(
        ["before" if b else "after" if a else "overlaps" for b, a in zip(before, after, strict=True)], dtype="string"
    )
    gap_before = (pairs["earliest"] - pairs["event_end"]).dt.days
    gap_after = (pairs["event_start"] - pairs["latest"]).dt.days
    pairs["days_apart"] = gap_before.where(before, gap_after.where(after, 0)).astype(int)
    return pairs[KNOWN_BY_COLUMNS].reset_index(drop=True)


def after_event(articles: pd.DataFrame, events: pd.DataFrame, event_id: str) -> pd.DataFrame:
    """Return the article windows that lie wholly after one event (its status is "before" for them)."""
    known_ids = list(events["event_id"])
    if event_id not in known_ids:
        raise ValueError(f"no event {event_id!r} in events.csv; known ids: {', '.join(known_ids)}")
    statuses = known_by(articles, events[events["event_id"] == event_id])
    later = set(statuses.loc[statuses["status"] == "before", "article_id"])
    windows = article_windows(articles)
    return windows[windows["article_id"].isin(later)].reset_index(drop=True)


def timeline_filter(events: pd.DataFrame, articles: pd.DataFrame, start: object, end: object,
                    outlets: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the events and the article windows (of the given outlets) that share a day with [start, end].

    The pure logic behind a date-slider callback. An event or window counts when any of its days lies in
    the range, so a month-precision event or a long window is kept while any part of it is in view.
    Nothing is kept when start is after end; no outlets keep no windows.
    """
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    table = event_table(events)
    windows = article_windows(articles)
    kept_events = table[(table["end"] >= first) & (table["start"] <= last)]
    kept_windows = windows[(windows["latest"] >= first) & (windows["earliest"] <= last)
                           & windows["outlet"].isin(list(outlets))]
    return kept_events.reset_index(drop=True), kept_windows.reset_index(drop=True)
