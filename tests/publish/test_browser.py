"""Real-browser tests of the shared report: every page draws its charts offline and its filters work, with no kernel.

The report is built once from notebooks/ into a temporary folder (~30 s; reused from the user's notebook cache, as
`make report` does, when helpers/, the corpus, the notebooks and the packages are unchanged since the last build)
and opened from file:// in Debian's chromium; every request that is not file: or data: is aborted and counted.
A failing test leaves a screenshot in build/browser-failures/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from browser_util import (
    CHROMIUM,
    LAUNCH_ARGS,
    MISSING_CHROMIUM,
    CallReports,
    ReportPage,
    fields_of,
    open_report_page,
    save_failure_screenshots,
)
from playwright.sync_api import Browser, sync_playwright

from helpers import corpus
from helpers.analyse import kwic, timeline
from helpers.corpus import corpus_dir
from helpers.corpus.settings import load_settings
from helpers.present.charts import MAX_ROWS
from helpers.publish import report

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
# One page per numbered notebook, named as build_report names them; the build is checked against this list.
NOTEBOOK_PAGES = [f"{path.stem}.html" for path in sorted(NOTEBOOKS.glob(report.NOTEBOOK_PATTERN))]
PAGES = ["index.html", *NOTEBOOK_PAGES]
MAX_PAGE_BYTES = 2_500_000
OpenPage = Callable[[str], ReportPage]

# Anything a page would fetch from the network by itself: scripts, stylesheets, images, frames, CSS imports.
NETWORK_REFERENCE = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^\s\"'>]*"
    r"|@import\s+(?:url\()?\s*[\"']?(?:https?:)?//[^\s\"')]*"
    r"|url\(\s*[\"']?(?:https?:)?//[^\s\"')]*",
    re.IGNORECASE,
)

# The KWIC chart (helpers.present.charts.kwic_chart) names its fields in each mark's aria-label.
SUMMARY = re.compile(r"(\d+) hits? in (\d+) sentences?")
KWIC_ROW = re.compile(r"(?:^|; )kwic_row: (\d+);.*?\barticle_id: ([^;]*); outlet: [^;]*; sentence: (.*)$")
BROAD_QUERY, NARROW_QUERY = "Parler", "Mazte"  # "Mazte": informationsportal24.de's spelling of John Matze
NO_MATCH_QUERY = "xqzxqz"
# The box takes words (kwic.words_pattern): "|" for or, "*" for any ending, all else literal.
LITERAL_QUERY, FINISHED_QUERY, ANY_ENDING_QUERY = "Matz(", "Matze|Matzke", "Matz*"
RUNAWAY_QUERY = r"(\w+\s?)*!"  # would backtrack for ever as a regular expression: as words, it is a plain miss


def pages_binding(report_dir: Path, input_kind: str) -> list[str]:
    """Return the notebook pages whose chart specs bind an input of this kind, e.g. "search"."""
    # Read from the embedded Vega-Lite specs, so a test opens only the pages it needs (~1.5 s each).
    return [name for name in NOTEBOOK_PAGES if f'"input": "{input_kind}"' in (report_dir / name).read_text("utf-8")]


@pytest.fixture(scope="session", autouse=True)
def call_reports(pytestconfig: pytest.Config) -> Iterator[None]:
    """Let the page fixture see whether its test failed, to keep a screenshot."""
    plugin = CallReports()
    pytestconfig.pluginmanager.register(plugin, "browser-call-reports")
    yield
    pytestconfig.pluginmanager.unregister(plugin)


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the report from notebooks/ once per session into a temporary folder (the user's cache: `make report`'s)."""
    out_dir = tmp_path_factory.mktemp("browser") / "report"
    report.build_report(NOTEBOOKS, out_dir)
    return out_dir


# Module scope, not session: a running sync playwright blocks any other (e.g. in test_lab.py) until it stops.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Launch Debian's chromium, headless, once for this module's tests."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def open_page(chromium: Browser, report_dir: Path, request: pytest.FixtureRequest) -> Iterator[OpenPage]:
    """Open pages of the report by file name; screenshot those still open if the test fails."""
    opened: list[ReportPage] = []

    def open_(name: str) -> ReportPage:
        report_page = open_report_page(chromium, report_dir / name)
        opened.append(report_page)
        return report_page

    yield open_
    save_failure_screenshots(request.node, opened)
    for report_page in opened:
        report_page.close()


def test_build_has_the_index_and_one_page_per_notebook(report_dir: Path) -> None:
    assert NOTEBOOK_PAGES, f"{NOTEBOOKS}: no notebooks named like {report.NOTEBOOK_PATTERN}"
    assert sorted(path.name for path in report_dir.glob("*.html")) == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_is_self_contained_and_small(report_dir: Path, name: str) -> None:
    path = report_dir / name
    assert NETWORK_REFERENCE.findall(path.read_text(encoding="utf-8")) == []
    assert path.stat().st_size <= MAX_PAGE_BYTES, f"{name}: {path.stat().st_size / 1e6:.2f} MB"


@pytest.mark.parametrize("name", PAGES)
def test_page_draws_every_chart_offline(open_page: OpenPage, name: str) -> None:
    page = open_page(name)
    charts = page.wait_for_charts()
    embedded = page.page.locator(".vega-embed").count()
    assert page.blocked == [], f"{name} tried to load from the network"
    assert page.errors == [], f"{name} logged errors"
    assert [f"{chart}: {chart.message!r}" for chart in charts if not chart.drawn] == [], "charts without an svg"
    assert [str(chart) for chart in charts if chart.marks == 0] == [], "charts that drew no marks"
    assert embedded == len(charts)
    if name != "index.html":
        assert page.page.locator('a[href="index.html"]').count() > 0, f"{name} has no link to index.html"


SOURCE_BOXES = "#pc-page-bar .pc-page-controls input[data-source]"


def pages_with_source_filter(report_dir: Path) -> list[str]:
    """Return the notebook pages that show the page's source filter (explore.page_controls_html)."""
    return [name for name in NOTEBOOK_PAGES if 'class="pc-page-controls"' in (report_dir / name).read_text("utf-8")]


def visible_outlets(page: ReportPage) -> list[str]:
    """Return the outlet of every [data-outlet] block outside the page bar that a reader can see (not hidden)."""
    return page.page.evaluate("""() => [...document.querySelectorAll('[data-outlet]')]
        .filter((el) => !el.closest('#pc-page-bar') && !el.closest('[hidden]'))
        .map((el) => el.getAttribute('data-outlet'))""")


def test_one_source_filter_per_page_filters_every_chart_and_fold(open_page: OpenPage, report_dir: Path) -> None:
    """Unticking an outlet in the page's one filter removes its marks from every chart and hides its blocks;
    ticking it again brings everything back; the last ticked outlet cannot be unticked. No chart has its own."""
    problems: list[str] = []
    pages = pages_with_source_filter(report_dir)
    assert set(pages) >= {"00-describe-corpus.html", "01-compare-coverage.html", "02-compare-framing.html",
                          "03-trace-email-evidence.html"}, pages
    for name in pages:
        page = open_page(name)
        charts = page.wait_for_charts()
        boxes = page.page.locator(SOURCE_BOXES)
        where = name
        if page.page.locator("#pc-page-bar .pc-page-controls").count() != 1:
            problems.append(f"{where}: the source filter is not pinned in the page bar")
        if page.page.locator(".vega-bindings input[type=checkbox]").count():
            problems.append(f"{where}: a chart still has outlet checkboxes of its own")
        outlet = boxes.first.get_attribute("data-source")
        before = {chart.id: page.marks(chart.id) for chart in charts}
        blocks = visible_outlets(page)
        boxes.first.uncheck()
        for chart in charts:
            had = any(("outlet", outlet) in fields_of(mark) for mark in before[chart.id])
            if not had:
                continue
            after = page.wait_for_marks(chart.id, unlike=before[chart.id])
            if any(("outlet", outlet) in fields_of(mark) for mark in after):
                problems.append(f"{where} {chart}: unticked {outlet!r}, yet marks still say it")
        hidden_blocks = visible_outlets(page)
        if outlet in blocks and outlet in hidden_blocks:
            problems.append(f"{where}: unticked {outlet!r}, yet its folds or article blocks still show")
        if sorted(b for b in blocks if b != outlet) != sorted(hidden_blocks):
            problems.append(f"{where}: unticking {outlet!r} hid blocks of other outlets")
        boxes.first.check()
        for chart in charts:
            if page.wait_for_marks(chart.id, like=before[chart.id]) != before[chart.id]:
                problems.append(f"{where} {chart}: ticked again, the marks differ from the start")
        if sorted(visible_outlets(page)) != sorted(blocks):
            problems.append(f"{where}: ticked again, not every block came back")
        for n in range(boxes.count()):
            boxes.nth(n).click()
        if [boxes.nth(n).is_checked() for n in range(boxes.count())].count(True) != 1:
            problems.append(f"{where}: unticking every outlet left none ticked")
        if "at least one" not in page.page.locator("#pc-page-bar .pc-status").inner_text():
            problems.append(f"{where}: the filter does not say that one outlet stays ticked")
        problems += [f"{where}: {error}" for error in page.errors]
    assert not problems, "\n".join(["", *problems])


def test_glosses_switch_hides_and_shows_the_english_glosses(open_page: OpenPage, report_dir: Path) -> None:
    """The page's glosses switch hides every gloss beside German text and every gloss column, and shows them again."""
    checked = 0
    for name in pages_with_source_filter(report_dir):
        page = open_page(name)
        glosses = page.page.locator(".pc-gloss, table[data-gloss-column] td")
        if glosses.count() == 0:
            continue
        checked += 1
        visible = """() => [...document.querySelectorAll('.pc-gloss')].filter((el) => getComputedStyle(el).display
            !== 'none').length + [...document.querySelectorAll('table[data-gloss-column]')].filter((table) => {
              const n = Number(table.getAttribute('data-gloss-column'));
              const cell = table.querySelector('tbody tr > :nth-child(' + n + ')');
              return cell && getComputedStyle(cell).display !== 'none'; }).length"""
        shown = page.page.evaluate(visible)
        assert shown > 0, name
        page.page.locator("#pc-page-bar input[data-glosses]").uncheck()
        assert page.page.evaluate(visible) == 0, f"{name}: glosses still shown with the switch off"
        page.page.locator("#pc-page-bar input[data-glosses]").check()
        assert page.page.evaluate(visible) == shown, f"{name}: not every gloss came back"
        assert page.errors == [], page.errors
    assert checked >= 2, "fewer than two pages show glosses"


def test_selects_filter_their_chart(open_page: OpenPage, report_dir: Path) -> None:
    """Each option of a chart's category select keeps only the marks of that value; 'all' brings every mark back."""
    problems: list[str] = []
    selects = 0
    for name in pages_binding(report_dir, "select"):
        page = open_page(name)
        page_problems: list[str] = []
        for chart in page.wait_for_charts():
            for select in page.page.locator(f"#{chart.id} .vega-bindings select").all():
                if select.evaluate("(element) => element.options[0].text") != "all":
                    continue  # a date select: see the date range test
                selects += 1
                first = select.evaluate("(element) => element.options[element.selectedIndex].text")
                options = select.evaluate("(element) => [...element.options].map((option) => option.text)")
                before = page.marks(chart.id)
                for option in options:
                    if option == first:
                        continue
                    select.select_option(label=option)
                    chosen = page.wait_for_marks(chart.id, unlike=before)
                    where = f"{name} {chart}, option {option!r}"
                    others = [mark for mark in chosen if not any(value == option for _, value in fields_of(mark))]
                    if chosen == before:
                        page_problems.append(f"{where}: changed no mark ({len(before)} marks)")
                    elif others:
                        page_problems.append(f"{where}: {len(others)} of {len(chosen)} marks are not {option!r}, "
                                             f"e.g. {others[0]!r}")
                select.select_option(label=first)
                if page.wait_for_marks(chart.id, like=before) != before:
                    page_problems.append(f"{name} {chart}: back to {first!r}, the marks differ from the start")
        page_problems += [f"{name}: {error}" for error in page.errors]
        problems += page_problems
        if not page_problems:
            page.close()
    assert selects > 0, "no chart in the report has a select"
    assert not problems, "\n".join(["", *problems])


def shown_rows(marks: list[str]) -> tuple[set[str], set[str]]:
    """Return the event ids and the article ids that a timeline's marks show."""
    events = {value for mark in marks for key, value in fields_of(mark) if key == "event_id"}
    windows = {value for mark in marks for key, value in fields_of(mark) if key == "article_id"}
    return events, windows


def axis_dates(page: ReportPage, chart_id: str) -> list[pd.Timestamp]:
    """Return the dates the chart's x axis labels show (labels like "12 Jan 2021")."""
    labels = page.page.evaluate(
        "(id) => [...document.getElementById(id).querySelectorAll('g.role-axis text')].map((t) => t.textContent)",
        chart_id)
    return [pd.Timestamp(label) for label in labels if re.fullmatch(r"\d{2} \w{3} \d{4}", label)]


def test_date_range_keeps_what_shares_a_day_with_the_range_and_zooms(
        open_page: OpenPage, report_dir: Path, articles: pd.DataFrame) -> None:
    """Choosing 12–15 Jan 2021 (in either order) keeps exactly the events and article windows touching those days,
    and the axis shows only those days; the selects offer dates, not day numbers."""
    events = timeline.event_table(corpus.load_events())
    windows = timeline.article_windows(articles)
    low, high = pd.Timestamp("2021-01-12"), pd.Timestamp("2021-01-15")  # AWS's court filing and three days after
    expected_events = set(events.loc[(events["end"] >= low) & (events["start"] <= high), "event_id"])
    expected_windows = set(windows.loc[(windows["latest"] >= low) & (windows["earliest"] <= high), "article_id"])
    assert expected_events and expected_events != set(events["event_id"])  # the range really narrows
    checked = 0
    for name in pages_binding(report_dir, "select"):
        page = open_page(name)
        for chart in page.wait_for_charts():
            selects = page.page.locator(f"#{chart.id} .vega-bindings select")
            dated = [select for select in selects.all()
                     if re.fullmatch(r"\d{2} \w{3} \d{4}", select.evaluate("(el) => el.options[0].text"))]
            if not dated:
                continue
            checked += 1
            assert len(dated) == 2, f"{name} {chart}: expected a from and a to date"
            start, end = (select.evaluate("(el) => el.options[el.selectedIndex].text") for select in dated)
            before = page.marks(chart.id)
            wide = axis_dates(page, chart.id)
            assert shown_rows(before) == (set(events["event_id"]), set(windows["article_id"])), f"{name} {chart}"
            for first, second in ((low, high), (high, low)):  # a crossed range is read from the earlier date
                dated[0].select_option(label=f"{first:%d %b %Y}")
                dated[1].select_option(label=f"{second:%d %b %Y}")
                narrowed = page.wait_for_marks(chart.id, unlike=before)
                assert shown_rows(narrowed) == (expected_events, expected_windows), (
                    f"{name} {chart}: {first:%d %b} – {second:%d %b} shows {sorted(shown_rows(narrowed)[0])} and "
                    f"{sorted(shown_rows(narrowed)[1])}")
                shown = axis_dates(page, chart.id)
                assert shown and all(low <= day <= high + pd.Timedelta(days=1) for day in shown), (
                    f"{name} {chart}: the axis did not zoom to the range: {shown}")
            assert min(wide) < low, f"{name} {chart}: the axis did not start wide: {wide}"
            dated[0].select_option(label=start)
            dated[1].select_option(label=end)
            assert page.wait_for_marks(chart.id, like=before) == before, f"{name} {chart}: range back, marks differ"
        assert page.errors == [], page.errors
    assert checked > 0, "no chart in the report has a date range"


def kwic_state(page: ReportPage, chart_id: str) -> tuple[str, int, list[str]]:
    """Return the KWIC chart's summary line, its number of rows and the hits it shows."""
    marks = page.page.evaluate(
        """(id) => [...document.getElementById(id).querySelectorAll('svg g.role-mark > text')].map(
            (text) => [text.getAttribute('aria-label') || '', text.textContent])""",
        chart_id,
    )
    summary = next((text for label, text in marks if label.startswith("label: ")), "")
    rows = {match.group(1) for label, _ in marks if (match := re.search(r"(?:^|; )kwic_row: (\d+)", label))}
    hits = [text for label, text in marks if "kwic_hit_shown: " in label]
    return summary, len(rows), hits


def kwic_rows(page: ReportPage, chart_id: str) -> list[tuple[str, str]]:
    """Return the (article_id, sentence) of each row of the KWIC table, top to bottom."""
    labels = page.page.evaluate(
        "(id) => [...document.getElementById(id).querySelectorAll('svg g.role-mark > text')].map("
        "(text) => text.getAttribute('aria-label') || '')",
        chart_id,
    )
    rows = {}
    for label in labels:
        if match := KWIC_ROW.search(label):
            rows[int(match.group(1))] = (match.group(2), match.group(3))
    return [rows[number] for number in sorted(rows)]


def search(page: ReportPage, chart_id: str, query: str, *, redraws: bool = True) -> tuple[str, int, list[str]]:
    """Type query into the chart's search box and return the KWIC state once the summary line has changed."""
    before = kwic_state(page, chart_id)[0]
    box = page.page.locator(f"#{chart_id} .vega-bindings input[type=search]")
    redraws = redraws and box.input_value() != query
    box.fill(query)
    if redraws:
        page.page.wait_for_function(
            """([id, before]) => [...document.getElementById(id).querySelectorAll('svg g.role-mark > text')]
                 .some((text) => (text.getAttribute('aria-label') || '').startsWith('label: ')
                                 && text.textContent !== before)""",
            arg=[chart_id, before],
            timeout=4_000,
        )
    else:
        page.page.wait_for_timeout(500)  # nothing should change; give a redraw the time to happen anyway
    return kwic_state(page, chart_id)


def test_kwic_search_box_narrows_the_table(open_page: OpenPage, report_dir: Path,
                                          articles: pd.DataFrame) -> None:
    """A narrower search shows fewer rows, each a real hit, as many as Python's kwic() finds; none for no match.

    Whatever is typed is a valid words search: a "(" is literal, and a would-be runaway regex is a fast miss.
    """
    charts = []
    for name in pages_binding(report_dir, "search"):
        page = open_page(name)
        found = [chart for chart in page.wait_for_charts()
                 if page.page.locator(f"#{chart.id} .vega-bindings input[type=search]").count()]
        if found:
            charts += [(page, chart) for chart in found]
        else:
            page.close()
    assert charts, "no chart in the report has a search box"

    for page, chart in charts:
        where = f"{page.name} {chart}"
        rows_of = {}
        for query in (BROAD_QUERY, NARROW_QUERY, FINISHED_QUERY, ANY_ENDING_QUERY):
            search(page, chart.id, "")  # from an empty box, so the summary line changes whatever the default is
            summary, rows, hits = search(page, chart.id, query)
            rows_of[query] = rows
            pattern = kwic.words_pattern(query)
            counts = SUMMARY.search(summary)
            assert counts, f"{where}: summary line {summary!r} after searching {query!r}"
            assert int(counts.group(1)) == len(kwic.kwic(articles, pattern)), f"{where}: {query!r} {summary!r}"
            assert rows == min(int(counts.group(2)), MAX_ROWS), f"{where}: {query!r} {summary!r}"
            assert rows == len(hits) > 0, f"{where}: {query!r}"
            assert all(re.fullmatch(pattern, hit, re.IGNORECASE) for hit in hits), f"{where}: {query!r} shows {hits}"
        assert 0 < rows_of[NARROW_QUERY] < rows_of[BROAD_QUERY], f"{where}: rows {rows_of}"
        assert rows_of[FINISHED_QUERY] <= rows_of[ANY_ENDING_QUERY], f"{where}: rows {rows_of}"

        for query in (NO_MATCH_QUERY, LITERAL_QUERY, RUNAWAY_QUERY):  # after the first, the summary stays the same
            summary, rows, _ = search(page, chart.id, query, redraws=query == NO_MATCH_QUERY)
            assert (summary, rows) == ("0 hits in 0 sentences", 0), f"{where}: {query!r}"
        summary, rows, _ = search(page, chart.id, "")
        assert rows == 0 and not SUMMARY.search(summary), f"{where}: empty box shows {summary!r}"
        assert page.errors == [], where


def test_kwic_table_lists_the_first_matches_in_corpus_order_after_filtering(
        open_page: OpenPage, report_dir: Path, articles: pd.DataFrame) -> None:
    """The table shows the first MAX_ROWS matching sentences in corpus order, also after an outlet is re-ticked."""
    sentences = kwic.sentence_table(articles)
    matching = sentences[sentences["sentence"].str.contains(BROAD_QUERY, case=False, regex=True)]
    expected = list(zip(matching["article_id"], matching["sentence"], strict=True))[: MAX_ROWS]
    assert len(matching) > MAX_ROWS, f"{BROAD_QUERY!r} should match more sentences than the table shows"
    checked = 0
    for name in pages_binding(report_dir, "search"):
        page = open_page(name)
        for chart in page.wait_for_charts():
            box = page.page.locator(f"#{chart.id} .vega-bindings input[type=search]")
            if box.count() == 0:
                continue
            checked += 1
            where = f"{name} {chart}"
            search(page, chart.id, BROAD_QUERY)
            assert kwic_rows(page, chart.id) == expected, f"{where}: rows for {BROAD_QUERY!r}"
            outlet = page.page.locator(SOURCE_BOXES).first
            label = outlet.get_attribute("data-source")
            before = page.marks(chart.id)
            outlet.uncheck()
            unticked = page.wait_for_marks(chart.id, unlike=before)
            outlet.check()
            page.wait_for_marks(chart.id, unlike=unticked)
            rows = kwic_rows(page, chart.id)
            moved = [number for number, row in enumerate(rows, 1) if row[0] != expected[number - 1][0]]
            assert rows == expected, (
                f"{where}: after unticking and re-ticking {label!r} the table no longer lists the first "
                f"{MAX_ROWS} matches in corpus order; article of each row now: {[row[0] for row in rows]}, "
                f"expected {[row[0] for row in expected]} ({len(moved)} rows differ)")
    assert checked > 0, "no chart in the report has a search box"


def test_kwic_pages_reach_every_match_and_a_row_opens_its_article_at_the_hit(
        open_page: OpenPage, report_dir: Path, articles: pd.DataFrame) -> None:
    """The page box turns to the later matches; clicking a row opens its article below, the hit highlighted."""
    sentences = kwic.sentence_table(articles)
    matching = sentences[sentences["sentence"].str.contains(BROAD_QUERY, case=False, regex=True)]
    expected = list(zip(matching["article_id"], matching["sentence"], strict=True))
    checked = 0
    for name in pages_binding(report_dir, "search"):
        page = open_page(name)
        for chart in page.wait_for_charts():
            if page.page.locator(f"#{chart.id} .vega-bindings input[type=search]").count() == 0:
                continue
            checked += 1
            where = f"{name} {chart}"
            search(page, chart.id, BROAD_QUERY)
            first_page = page.marks(chart.id)
            page.page.locator(f"#{chart.id} .vega-bindings input[type=number]").fill("2")
            page.wait_for_marks(chart.id, unlike=first_page)
            assert kwic_rows(page, chart.id) == expected[MAX_ROWS: 2 * MAX_ROWS], f"{where}: page 2"
            summary = kwic_state(page, chart.id)[0]
            assert f"rows {MAX_ROWS + 1}–" in summary and "page 2 of" in summary, f"{where}: {summary!r}"

            row = page.page.locator(f"#{chart.id} svg g.role-mark > text[aria-label*='kwic_hit_shown: ']").first
            article_id = KWIC_ROW.search(row.get_attribute("aria-label")).group(2)
            hit = row.text_content()
            row.click()
            marked = page.page.locator("details[data-article][open] mark.pc-kwic-hit")
            marked.first.wait_for(timeout=4_000)
            assert marked.count() == 1, f"{where}: {marked.count()} highlighted hits after one click"
            fold = page.page.locator("details[data-article][open]")
            assert fold.get_attribute("data-article") == article_id, f"{where}: opened the wrong article"
            assert marked.first.text_content() == hit, f"{where}: highlighted {marked.first.text_content()!r}"
            assert marked.first.is_visible() and marked.first.evaluate(
                "(el) => { const box = el.getBoundingClientRect(); return box.top >= 0 && box.bottom <= innerHeight; }"
            ), f"{where}: the hit was not scrolled into view"
        assert page.errors == [], page.errors
    assert checked > 0, "no chart in the report has a search box"


def test_a_finding_link_lands_below_the_pinned_bar_and_the_sources_follow_to_the_next_page(
        open_page: OpenPage, report_dir: Path) -> None:
    """Following a finding's link shows its heading under the page bar, not behind it; an unticked outlet stays
    unticked on the next page of the report (same tab)."""
    name = next(name for name in pages_with_source_filter(report_dir) if 'class="pc-findings"' in
                (report_dir / name).read_text("utf-8"))
    page = open_page(name)
    link = page.page.locator(".pc-findings a").last
    anchor = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.page.wait_for_timeout(300)
    heading_top = page.page.evaluate("(id) => document.getElementById(id).getBoundingClientRect().top", anchor)
    bar_bottom = page.page.evaluate("() => document.getElementById('pc-page-bar').getBoundingClientRect().bottom")
    assert heading_top >= bar_bottom - 1, f"{name}: the finding's heading ({heading_top}px) is under the bar " \
                                          f"({bar_bottom}px)"

    boxes = page.page.locator(SOURCE_BOXES)
    outlet = boxes.first.get_attribute("data-source")
    boxes.first.uncheck()
    following = next(other for other in pages_with_source_filter(report_dir) if other != name)
    page.page.goto((report_dir / following).as_uri())
    page.wait_for_charts()
    kept = {box.get_attribute("data-source"): box.is_checked() for box in page.page.locator(SOURCE_BOXES).all()}
    assert kept.get(outlet) is False and any(kept.values()), f"{following}: {kept}"
    assert outlet not in visible_outlets(page), f"{following}: {outlet!r} unticked, yet its blocks show"
    assert page.errors == [], page.errors


def test_each_article_in_the_reader_links_its_original(open_page: OpenPage, articles: pd.DataFrame) -> None:
    """The reader names where the text comes from: its web address as a link, with how it was found."""
    page = open_page("00-describe-corpus.html")
    for row in articles.itertuples():
        fold = page.page.locator(f'details[data-article="{row.article_id}"]')
        link = fold.locator(".pc-original a")
        if isinstance(row.url, str) and row.url.startswith("http"):
            assert link.get_attribute("href") == row.url, row.article_id
        else:
            assert link.count() == 0, row.article_id


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_every_chart_exports_offline_describes_itself_and_warns_of_nothing(
        open_page: OpenPage, name: str, tmp_path: Path) -> None:
    """Each chart has vega-embed's export menu (PNG and SVG, offline), a CSV of its data and a text description;
    the page logs no warning and no text on it promises a kernel."""
    page = open_page(name)
    charts = page.wait_for_charts()
    text = page.page.locator("body").inner_text()
    assert not re.search(r"(?i)needs? a (running )?kernel|interactive control", text), f"{name} promises a kernel"
    for chart in charts:
        where = f"{name} {chart}"
        label = page.page.locator(f"#{chart.id} .chart-wrapper").first.get_attribute("aria-label") or ""
        assert len(label) > 30, f"{where}: no text description for screen readers ({label!r})"
        menu = page.page.locator(f"#{chart.id} details summary")
        assert menu.count() == 1, f"{where}: no export menu"
        menu.click()
        with page.page.expect_download() as png:
            page.page.locator(f"#{chart.id} .vega-actions a", has_text="PNG").click()
        assert png.value.suggested_filename.endswith(".png"), where
        assert png.value.suggested_filename != "visualization.png", f"{where}: the file is not named after the chart"
        assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{where}: not a PNG"
        buttons = page.page.locator(f"#{chart.id} + .pc-chart-data button")
        assert buttons.count() >= 1, f"{where}: no CSV download"
        with page.page.expect_download() as csv:
            buttons.first.click()
        table = pd.read_csv(csv.value.path(), encoding="utf-8-sig")
        assert len(table) > 0 and len(table.columns) > 1, f"{where}: empty CSV"
    assert page.blocked == [], f"{name} tried to load from the network"
    assert page.errors == [] and page.warnings == [], f"{name}: {page.errors + page.warnings}"


def test_each_finding_on_the_index_opens_its_place_on_its_page(open_page: OpenPage) -> None:
    page = open_page("index.html")
    findings = page.page.locator("ul.findings a")
    count = findings.count()
    pages_with_findings = {href.split("#")[0] for href in findings.evaluate_all(
        "(links) => links.map((link) => link.getAttribute('href'))")}
    assert count >= 10 and pages_with_findings == set(NOTEBOOK_PAGES), pages_with_findings
    for number in range(count):
        link = findings.nth(number)
        text, href = link.inner_text(), link.get_attribute("href")
        target = "/" + href.split("#")[0]
        link.click()
        page.page.wait_for_url(lambda url, target=target: url.split("#")[0].endswith(target))
        heading = page.page.evaluate(
            "() => { const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));"
            " return el ? [el.tagName, el.innerText] : null; }")
        assert heading is not None, f"{href}: no element with that id"
        assert heading[0] == "H3" and heading[1] == f"Finding: {text}", (href, heading)
        page.page.go_back()
        page.page.wait_for_url("**/index.html")
    assert page.blocked == [] and page.errors == []


def test_index_links_to_every_page_and_each_page_back(open_page: OpenPage, report_dir: Path) -> None:
    page = open_page("index.html")
    links = page.page.locator("ol a[href]").evaluate_all("(links) => links.map((link) => link.getAttribute('href'))")
    assert links == NOTEBOOK_PAGES
    for name in NOTEBOOK_PAGES:
        page.page.locator(f'ol a[href="{name}"]').click()
        page.page.wait_for_url(f"**/{name}")
        hrefs = page.page.locator("a[href]").evaluate_all("(links) => links.map((link) => link.getAttribute('href'))")
        local = {href.split("#")[0] for href in hrefs if not re.match(r"[a-z][a-z0-9+.-]*:|#", href)}
        assert sorted(href for href in local if not (report_dir / href).is_file()) == [], f"{name}: broken links"
        page.page.locator('a[href="index.html"]').first.click()
        page.page.wait_for_url("**/index.html")
        assert page.page.locator("h1").inner_text() == load_settings(corpus_dir()).title
    assert page.blocked == [] and page.errors == []


# What the reader sees in a fold just opened (open?, its summary, body and highlights), then shut it again.
FOLD_JS = """element => {
    const title = element.querySelector('summary').innerText;
    const seen = [element.open, title, element.innerText.slice(title.length), element.querySelectorAll('mark').length];
    element.open = false;
    return seen;
}"""


def test_every_explore_fold_opens_with_its_content(open_page: OpenPage) -> None:
    """Each Explore view is a list of folds (articles, codes, layers) that a reader opens with no kernel."""
    opened = 0
    for name in NOTEBOOK_PAGES:
        page = open_page(name)
        folds = page.page.locator("details")
        for index in range(folds.count()):
            fold = folds.nth(index)
            summary = fold.locator("summary").first
            summary.click()  # scrolls it into view first
            is_open, title, body, marks = fold.evaluate(FOLD_JS)  # one round trip per fold, not eight
            assert is_open, f"{name}: fold {index} did not open"
            assert body.strip(), f"{name}: fold {index} ({title!r}) is empty"
            if "span" in title and not title.endswith("(0 spans in 0 articles)"):
                assert marks > 0, f"{name}: {title!r} highlights nothing"
            opened += 1
        assert page.errors == [], name
        page.close()
    assert opened >= 50, f"only {opened} folds in the report"  # articles, facts, frames, labels, layers


def test_no_chart_names_a_code_or_an_article_by_its_id(open_page: OpenPage, articles: pd.DataFrame) -> None:
    """Axis labels, legends, selects and the KWIC article column show names a reader knows, never ids."""
    from helpers.annotate.annotations import load_codebook

    codebook = load_codebook()
    codes = {code for layer in ("facts", "frames", "labels", "quotes") for code in codebook.ids(layer)}
    codes |= set(codebook.label_categories) | set(codebook.frame_kinds)
    assert any("_" in code for code in codes)  # so the check below has ids to catch
    # A one-word code ("victim", "generic") is an ordinary word and may be shown; a snake_case id may not, nor
    # an article id (a slug such as "kein-hoster").
    snake, article_ids = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+"), set(articles["article_id"])
    shown_by_page = {}
    for name in NOTEBOOK_PAGES:
        page = open_page(name)
        page.wait_for_charts()
        shown = page.page.evaluate(
            """() => [...document.querySelectorAll(
                 '.role-axis-label text, .role-legend-label text, .vega-bindings option, .vega-bindings label, '
                 + 'svg g.role-mark > text')].map((node) => node.textContent.trim()).filter(Boolean)""")
        shown_by_page[name] = shown
        offending = sorted({text for text in shown if text in article_ids or snake.fullmatch(text)})
        assert offending == [], f"{name} shows ids: {offending[:10]}"
        page.close()
    assert sum(map(len, shown_by_page.values())) > 100  # the check saw the charts' texts


def test_each_page_opens_with_its_findings_linked_to_their_evidence(open_page: OpenPage, report_dir: Path) -> None:
    """Under its question, a page lists its findings with their verdicts; each link lands on its heading."""
    listed = 0
    for name in NOTEBOOK_PAGES:
        findings = re.findall(r'<h3 id="(finding-[^"]+)">', (report_dir / name).read_text(encoding="utf-8"))
        page = open_page(name)
        box = page.page.locator("nav.pc-findings")
        if not findings:
            assert box.count() == 0, name
            page.close()
            continue
        assert box.count() == 1, f"{name}: no findings box"
        first_chart = page.page.locator(".vega-embed").first
        if first_chart.count():
            assert box.evaluate("(box, chart) => !!(box.compareDocumentPosition(chart) & 4)",
                                first_chart.element_handle()), f"{name}: the findings come after a chart"
        links = box.locator("li a")
        assert links.count() == len(findings), name
        verdicts = box.locator("li .verdict").all_inner_texts()
        assert {v.lower() for v in verdicts} <= {"holds", "tie", "fragile", "does not hold"}, (name, verdicts)
        targets = [links.nth(i).evaluate("(link) => decodeURIComponent(link.hash.slice(1))")
                   for i in range(links.count())]
        assert targets == findings, name  # the box lists the page's findings, in page order
        for index in range(links.count()):
            target = links.nth(index).evaluate("(link) => decodeURIComponent(link.hash.slice(1))")
            assert page.page.evaluate("(id) => document.getElementById(id) !== null", target), (
                f"{name}: link {target!r} lands nowhere")
        listed += links.count()
        page.close()
    assert listed >= 10, "the report's pages list too few findings"


def test_screenshots_of_every_page_for_review(open_page: OpenPage) -> None:
    """Write build/screenshots/<page>.png, each page whole at 1280 pixels wide, as a reader sees it drawn."""
    import struct

    from browser_util import SCREENSHOTS_DIR

    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for name in PAGES:
        page = open_page(name)
        page.wait_for_charts()
        path = SCREENSHOTS_DIR / f"{Path(name).stem}.png"
        page.page.screenshot(path=path, full_page=True)
        header = path.read_bytes()[:24]
        width, height = struct.unpack(">II", header[16:24])
        assert header.startswith(b"\x89PNG") and width == 1280 and height >= 900, (name, width, height)
        page.close()
