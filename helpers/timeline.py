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
import json
from collections.abc import Sequence

import altair as alt
import pandas as pd

from helpers.charts import outlet_scale, source_params
from helpers.errors import CorpusError
from helpers.widgets import date_window, outlets_of

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


def _day_numbers(days: pd.Series, first: pd.Timestamp) -> pd.Series:
    """Return whole days since `first` (what the range sliders move over)."""
    return (days - first).dt.days.astype(int)


def _datetime(day: pd.Timestamp) -> alt.DateTime:
    """Return a Vega-Lite date (local midnight, like the chart's data) for one day."""
    return alt.DateTime(year=day.year, month=day.month, date=day.day)


def timeline_chart(events: pd.DataFrame, articles: pd.DataFrame) -> alt.LayerChart:
    """Chart the events (rows on top) and each article's publication window (bars), with offline filters.

    Day events are points at midday of their day, with a faint rule across all rows; month- and
    year-precision events are bars over their whole interval, with a faint band across all rows. Article
    windows are bars from the start of the earliest to the end of the latest day, coloured by outlet. So a
    point inside a bar's first day is an "overlaps" of `known_by`, a point left of the bar a "before".
    Two sliders (`from_day`, `to_day`: days since the first date shown) keep what shares a day with the range;
    outlet checkboxes filter the windows. Both axes are pinned, so filtering never rescales or reorders them.
    """
    table = event_table(events)
    windows = article_windows(articles)
    windows["date_basis"] = list(articles["date_basis"].fillna("")) if "date_basis" in articles else ""
    outlets = outlets_of(articles)
    first = min(table["start"].min(), windows["earliest"].min())
    last = max(table["end"].max(), windows["latest"].max())
    span = (last - first).days

    windows = windows.sort_values(["earliest", "latest"], kind="stable")
    rows = list(dict.fromkeys([*table.sort_values("start", kind="stable")["label"], *windows["article_id"]]))
    event_data = pd.DataFrame({
        "row": table["label"].astype(str),
        "event_id": table["event_id"].astype(str),
        "date": table["date"].astype(str),
        "date_precision": table["date_precision"].astype(str),
        "actor": table["actor"].astype(str),
        "event": table["event"].astype(str),
        "source": table["source"].astype(str),
        "start": table["start"],
        "end": table["end"] + ONE_DAY,  # exclusive: a bar or band covers its last day too
        "midday": table["start"] + HALF_DAY,
        "start_day": _day_numbers(table["start"], first),
        "end_day": _day_numbers(table["end"], first),
    })
    window_data = pd.DataFrame({
        "row": windows["article_id"].astype(str),
        "outlet": windows["outlet"].astype(str),
        "title": windows["title"].astype(str),
        "window": [date_window(a, b) for a, b in zip(windows["earliest"], windows["latest"], strict=True)],
        "window_days": windows["window_days"],
        "date_basis": windows["date_basis"].astype(str),
        "earliest": windows["earliest"],
        "latest": windows["latest"] + ONE_DAY,  # exclusive, as for events
        "earliest_day": _day_numbers(windows["earliest"], first),
        "latest_day": _day_numbers(windows["latest"], first),
    })

    from_day = alt.param(name="from_day", value=0, bind=alt.binding_range(
        min=0, max=span, step=1, name=f"from (days after {first:%Y-%m-%d}) "))
    to_day = alt.param(name="to_day", value=span, bind=alt.binding_range(
        min=0, max=span, step=1, name=f"to (days after {first:%Y-%m-%d}) "))
    outlet_params, outlet_kept = source_params(outlets)
    in_range_events = "datum.end_day >= from_day && datum.start_day <= to_day"
    in_range_windows = "datum.latest_day >= from_day && datum.earliest_day <= to_day"
    is_day = "datum.date_precision === 'day'"

    x_scale = alt.Scale(domain=[_datetime(first), _datetime(last + ONE_DAY)])
    x_axis = alt.Axis(title="date (events: US dates · article windows: German dates)", format="%d %b %Y", grid=False,
                      labelAngle=-30)
    y = alt.Y("row:N", title=None, scale=alt.Scale(domain=rows),
              axis=alt.Axis(labelLimit=320))
    event_tooltip = [
        alt.Tooltip("date:N"), alt.Tooltip("date_precision:N", title="precision"), alt.Tooltip("actor:N"),
        alt.Tooltip("event:N"), alt.Tooltip("source:N"), alt.Tooltip("event_id:N"),
    ]
    window_tooltip = [
        alt.Tooltip("row:N", title="article_id"), alt.Tooltip("outlet:N"), alt.Tooltip("title:N"),
        alt.Tooltip("window:N"), alt.Tooltip("window_days:Q", title="possible days"), alt.Tooltip("date_basis:N"),
    ]

    base_events = alt.Chart(event_data).transform_filter(in_range_events)
    guides = [
        base_events.transform_filter(f"!({is_day})").mark_rect(color="#999999", opacity=0.12).encode(
            x=alt.X("start:T", scale=x_scale, axis=x_axis), x2="end:T", tooltip=event_tooltip),
        base_events.transform_filter(is_day).mark_rule(color="#999999", opacity=0.35).encode(
            x=alt.X("midday:T", scale=x_scale, axis=x_axis), tooltip=event_tooltip),
    ]
    event_marks = [
        base_events.transform_filter(f"!({is_day})").mark_bar(color="#555555", height=8).encode(
            x=alt.X("start:T", scale=x_scale, axis=x_axis), x2="end:T", y=y, tooltip=event_tooltip),
        base_events.transform_filter(is_day).mark_point(color="#222222", filled=True, size=60).encode(
            x=alt.X("midday:T", scale=x_scale, axis=x_axis), y=y, tooltip=event_tooltip),
    ]
    window_bars = alt.Chart(window_data).transform_filter(f"({in_range_windows}) && ({outlet_kept})").mark_bar(
        height=12).encode(
        x=alt.X("earliest:T", scale=x_scale, axis=x_axis), x2="latest:T", y=y,
        color=alt.Color("outlet:N", scale=outlet_scale(outlets), title="Outlet"),
        tooltip=window_tooltip,
    )
    # The title reads the sliders back as dates (local time, like the data).
    shown = (f"timeFormat(datetime({first.year}, {first.month - 1}, {first.day} + {{}}), '%Y-%m-%d')")
    title = alt.TitleParams(
        text=alt.ExprRef(f"{json.dumps('Events and article windows, ')} + {shown.format('from_day')} + ' – ' + "
                         f"{shown.format('to_day')}"),
        subtitle="Bars: possible publication days of each article; dots and grey bands: events of the case.",
        anchor="start",
    )
    return alt.layer(*guides, *event_marks, window_bars).add_params(from_day, to_day, *outlet_params).properties(
        width=620, height=alt.Step(18), title=title)
