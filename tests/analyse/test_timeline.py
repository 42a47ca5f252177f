"""The timeline: event intervals by precision, what each article could have known, the chart's offline controls."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.analyse import timeline
from helpers.corpus import EVENT_COLUMNS, load_events, outlets_of
from helpers.errors import CorpusError
from helpers.present import charts


def make_events(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Build an events table from (event_id, date, date_precision) rows."""
    records = [
        {"event_id": event_id, "date": date, "date_precision": precision, "actor": "someone",
         "event": f"thing {event_id} happened", "source_kind": "report", "source": "https://example.org/",
         "source_quote": "quote", "note": ""}
        for event_id, date, precision in rows
    ]
    return pd.DataFrame(records, columns=EVENT_COLUMNS).astype("string")


def make_articles(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Build an articles table from (article_id, outlet, earliest, latest) rows."""
    return pd.DataFrame({
        "article_id": [r[0] for r in rows],
        "outlet": [r[1] for r in rows],
        "title": [f"Title of {r[0]}" for r in rows],
        "published_earliest": pd.to_datetime([r[2] for r in rows]),
        "published_latest": pd.to_datetime([r[3] for r in rows]),
        "date_basis": ["inferred" for _ in rows],
    })


# One article that may have appeared on 10, 11 or 12 January; events on and around those days.
ARTICLE = make_articles(("a", "Outlet A", "2021-01-10", "2021-01-12"))
EDGE_EVENTS = make_events(
    ("eve", "2021-01-09", "day"),            # day before the earliest day
    ("first_day", "2021-01-10", "day"),      # same day as the earliest day: time zones leave it open
    ("last_day", "2021-01-12", "day"),       # same day as the latest day
    ("next_day", "2021-01-13", "day"),       # day after the latest day
    ("december", "2020-12", "month"),        # whole month before the window
    ("january", "2021-01", "month"),         # month that contains the window
    ("february", "2021-02", "month"),        # whole month after the window
)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    """The project's events.csv."""
    return load_events()


def status_of(statuses: pd.DataFrame, article_id: str, event_id: str) -> str:
    row = statuses[(statuses["article_id"] == article_id) & (statuses["event_id"] == event_id)]
    assert len(row) == 1
    return row["status"].item()


def test_month_precision_spans_the_whole_month():
    table = timeline.event_table(make_events(("nov", "2020-11", "month"), ("feb", "2024-02", "month"),
                                             ("year", "2021", "year"), ("day", "2021-01-09", "day")))
    spans = dict(zip(table["event_id"], zip(table["start"], table["end"], strict=True), strict=True))
    assert spans["nov"] == (pd.Timestamp("2020-11-01"), pd.Timestamp("2020-11-30"))
    assert spans["feb"] == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29"))
    assert spans["year"] == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"))
    assert spans["day"] == (pd.Timestamp("2021-01-09"), pd.Timestamp("2021-01-09"))
    assert table["label"].str.len().max() <= timeline.LABEL_WIDTH
    assert table["label"].iloc[0].startswith("2020-11 ")  # the label keeps the month: no day is invented


def test_real_month_events_span_their_month(events):
    table = timeline.event_table(events)
    months = table[table["date_precision"] == "month"]
    assert not months.empty
    assert (months["start"].dt.day == 1).all()
    assert (months["end"] + pd.Timedelta(days=1)).dt.day.eq(1).all()
    assert (months["start"].dt.to_period("M") == months["end"].dt.to_period("M")).all()


def test_event_table_names_the_bad_event():
    with pytest.raises(CorpusError, match="'bad'.*2021-13"):
        timeline.event_table(make_events(("ok", "2021-01", "month"), ("bad", "2021-13", "month")))


def test_article_windows_count_days_inclusively():
    windows = timeline.article_windows(make_articles(("one", "X", "2021-01-09", "2021-01-09"),
                                                     ("three", "Y", "2021-01-09", "2021-01-11")))
    assert list(windows.columns) == timeline.WINDOW_COLUMNS
    assert list(windows["window_days"]) == [1, 3]


def test_known_by_edge_days():
    statuses = timeline.known_by(ARTICLE, EDGE_EVENTS)
    assert len(statuses) == len(EDGE_EVENTS)
    got = dict(zip(statuses["event_id"], statuses["status"], strict=True))
    assert got == {
        "eve": "before", "first_day": "overlaps", "last_day": "overlaps", "next_day": "after",
        "december": "before", "january": "overlaps", "february": "after",
    }
    apart = dict(zip(statuses["event_id"], statuses["days_apart"], strict=True))
    assert apart["eve"] == 1 and apart["next_day"] == 1 and apart["first_day"] == 0
    assert apart["december"] == 10  # 31 Dec to 10 Jan
    assert apart["february"] == 20  # 12 Jan to 1 Feb


def test_after_event_keeps_only_whole_windows_after_it():
    articles = make_articles(("same_day", "X", "2021-01-10", "2021-01-20"), ("later", "Y", "2021-01-11", "2021-01-11"),
                             ("earlier", "X", "2021-01-08", "2021-01-09"))
    later = timeline.after_event(articles, EDGE_EVENTS, "first_day")
    assert list(later["article_id"]) == ["later"]
    assert list(later.columns) == timeline.WINDOW_COLUMNS
    with pytest.raises(ValueError, match="no event 'nope'"):
        timeline.after_event(articles, EDGE_EVENTS, "nope")


def test_court_filing_on_the_earliest_day_overlaps(articles, events):
    statuses = timeline.known_by(articles, events)
    assert len(statuses) == len(articles) * len(events)
    assert set(statuses["status"]) <= set(timeline.STATUSES)
    filing_day = pd.Timestamp(events.loc[events["event_id"] == "aws_court_filing", "date"].item())
    same_day = articles.loc[articles["published_earliest"] == filing_day, "article_id"]
    assert len(same_day) == 1
    assert status_of(statuses, same_day.item(), "aws_court_filing") == "overlaps"


def test_articles_out_by_the_lawsuit_day_could_not_know_the_filing(articles, events):
    # The firm windows of the corpus all run past 11 January; one is narrowed here to its soft reading.
    articles = articles.copy()
    articles.loc[articles["article_id"] == "ausschliessen", "published_latest"] = pd.Timestamp("2021-01-11")
    statuses = timeline.known_by(articles, events)
    early = articles.loc[articles["published_latest"] <= pd.Timestamp("2021-01-11"), "article_id"]
    assert len(early) >= 1
    for article_id in early:
        assert status_of(statuses, article_id, "aws_court_filing") == "after"
    later = timeline.after_event(articles, events, "aws_court_filing")
    assert set(later["article_id"]).isdisjoint(early)
    assert (later["earliest"] > pd.Timestamp("2021-01-12")).all()


def test_chart_has_offline_date_selects_and_follows_the_page_sources(articles, events):
    spec = charts.timeline_chart(events, articles).to_dict()
    params = {p["name"]: p for p in spec["params"]}
    first = min(timeline.event_table(events)["start"].min(), articles["published_earliest"].min())
    last = max(timeline.event_table(events)["end"].max(), articles["published_latest"].max())
    span = (last - first).days
    for name, value in (("from_day", 0), ("to_day", span)):
        bind = params[name]["bind"]
        assert bind["input"] == "select" and bind["options"] == list(range(span + 1))
        # Dates as dates: each option reads as a day, e.g. "12 Jan 2021".
        assert bind["labels"][0] == f"{first:%d %b %Y}" and bind["labels"][-1] == f"{last:%d %b %Y}"
        assert params[name]["value"] == value
    outlets = outlets_of(articles)
    assert params[charts.SOURCES_PARAM] == {"name": charts.SOURCES_PARAM, "value": outlets}
    assert all(name.isidentifier() for name in params)

    for layer in spec["layer"]:
        # The axis zooms to the chosen days, whichever select holds the earlier one.
        assert layer["encoding"]["x"]["scale"]["domain"] == {
            "expr": f"[datetime({first.year}, {first.month - 1}, {first.day} + min(from_day, to_day)), "
                    f"datetime({first.year}, {first.month - 1}, {first.day} + max(from_day, to_day) + 1)]"}
        assert layer["mark"]["clip"] is True
        filters = " ".join(t["filter"] for t in layer["transform"] if "filter" in t)
        assert "min(from_day, to_day)" in filters and "max(from_day, to_day)" in filters

    event_sets = [rows for rows in spec["datasets"].values() if rows and "event_id" in rows[0]]
    window_sets = [rows for rows in spec["datasets"].values() if rows and "outlet" in rows[0]]
    assert len(event_sets) == 1 and len(event_sets[0]) == len(events)
    assert len(window_sets) == 1 and len(window_sets[0]) == len(articles)
    bars = [layer for layer in spec["layer"] if "color" in layer["encoding"]]
    assert len(bars) == 1 and bars[0]["encoding"]["color"]["scale"]["domain"] == outlets
    assert charts.SOURCES_PARAM in bars[0]["transform"][0]["filter"]


def test_timeline_filter_keeps_what_shares_a_day():
    kept_events, kept_windows = timeline.timeline_filter(EDGE_EVENTS, ARTICLE, "2021-01-12", "2021-01-13",
                                                         ["Outlet A"])
    assert list(kept_events["event_id"]) == ["last_day", "next_day", "january"]
    assert list(kept_windows["article_id"]) == ["a"]
    kept_events, kept_windows = timeline.timeline_filter(EDGE_EVENTS, ARTICLE, "2021-01-13", "2021-01-31",
                                                         ["Outlet A"])
    assert list(kept_events["event_id"]) == ["next_day", "january"] and kept_windows.empty


def test_timeline_filter_empty_selections_keep_columns(articles, events):
    all_events = timeline.event_table(events)
    no_outlets = timeline.timeline_filter(events, articles, "2020-01-01", "2022-12-31", [])
    assert len(no_outlets[0]) == len(events)
    assert no_outlets[1].empty and list(no_outlets[1].columns) == timeline.WINDOW_COLUMNS
    backwards = timeline.timeline_filter(events, articles, "2021-02-01", "2021-01-01", outlets_of(articles))
    assert backwards[0].empty and list(backwards[0].columns) == list(all_events.columns)
    assert backwards[1].empty and list(backwards[1].columns) == timeline.WINDOW_COLUMNS
    nothing_then = timeline.timeline_filter(events, articles, "2019-01-01", "2019-12-31", outlets_of(articles))
    assert nothing_then[0].empty and nothing_then[1].empty
