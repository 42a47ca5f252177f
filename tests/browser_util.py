"""Drive Debian's chromium through the built report: open pages offline, read chart marks, keep failure screenshots."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

CHROMIUM = Path("/usr/bin/chromium")
# From ../shared/STACK.md: never `playwright install`; drive Debian's chromium with these switches.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_CHROMIUM = (
    f"The browser tests need Debian's chromium at {CHROMIUM}. `make test` installs it when run as root; "
    "otherwise run `sudo apt-get install chromium`. Never `playwright install`: it downloads a browser."
)
FAILURES_DIR = Path(__file__).resolve().parents[1] / "build" / "browser-failures"
SCREENSHOTS_DIR = Path(__file__).resolve().parents[1] / "build" / "screenshots"  # every page, for review
CHARTS_TIMEOUT_MS = 15_000  # a chart that gives up waiting for vegaEmbed says so after 30 s; don't wait that long
CHANGE_TIMEOUT_MS = 4_000  # how long a filter may take to redraw before the test calls it dead

# A chart is the div the offline renderer writes (helpers.present.charts); vega-embed adds `.vega-embed` to it.
CHART_SELECTOR = ".vl-offline-chart, .vega-embed"
# One entry per drawn mark item (bar, cell, dot, tick, text), leaving out axes, legends and titles.
_MARKS_FN = """(chart) => [...chart.querySelectorAll('svg g.role-mark > *')].map(
    (item) => item.tagName + ' ' + (item.getAttribute('aria-label') || item.textContent || item.getAttribute('d') || '')
).sort()"""
_CHARTS_JS = f"""(selector) => {{
  const marks = {_MARKS_FN};
  return [...document.querySelectorAll(selector)].map((chart) => {{
    const svg = chart.querySelector('svg');
    return {{
      id: chart.id,
      title: svg ? [...svg.querySelectorAll('.role-title-text text')].map((t) => t.textContent).join(' ') : '',
      drawn: svg !== null,
      marks: svg ? marks(chart).length : 0,
      message: svg ? '' : chart.textContent.trim().slice(0, 300),
    }};
  }});
}}"""
_ALL_SETTLED_JS = """(selector) => [...document.querySelectorAll(selector)].every(
    (chart) => chart.querySelector('svg g.role-mark > *') || (!chart.querySelector('svg') && chart.textContent.trim())
)"""
_MARKS_JS = f"(id) => ({_MARKS_FN})(document.getElementById(id))"
_MARKS_DIFFER_JS = (f"([id, before]) => JSON.stringify(({_MARKS_FN})(document.getElementById(id))) "
                    "!== JSON.stringify(before)")
_MARKS_EQUAL_JS = (f"([id, before]) => JSON.stringify(({_MARKS_FN})(document.getElementById(id))) "
                   "=== JSON.stringify(before)")

CALL_REPORT = pytest.StashKey[pytest.TestReport]()


class CallReports:
    """A pytest plugin that keeps each test's call-phase report on its item, for the page fixture's teardown."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        """Stash the report of the call phase."""
        report = yield
        if report.when == "call":
            item.stash[CALL_REPORT] = report
        return report


@dataclass(frozen=True)
class Chart:
    """One chart div of a page, as the browser drew it."""

    id: str
    title: str
    drawn: bool
    marks: int
    message: str

    def __str__(self) -> str:
        return f"chart #{self.id} ({self.title or 'untitled'!r})"


@dataclass
class ReportPage:
    """An open page of the report, with what it tried to load from the network and what it logged."""

    name: str
    context: BrowserContext
    page: Page
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # console warnings, e.g. Vega's "Infinite extent"

    def charts(self) -> list[Chart]:
        """Return every chart div on the page, drawn or not."""
        return [Chart(**chart) for chart in self.page.evaluate(_CHARTS_JS, CHART_SELECTOR)]

    def wait_for_charts(self) -> list[Chart]:
        """Wait until each chart drew marks or shows an error (or a timeout passes); return the charts."""
        try:
            self.page.wait_for_function(_ALL_SETTLED_JS, arg=CHART_SELECTOR, timeout=CHARTS_TIMEOUT_MS)
        except PlaywrightTimeoutError:
            pass  # the caller's assertions name the chart that never drew
        return self.charts()

    def marks(self, chart_id: str) -> list[str]:
        """Return the chart's mark items as sorted 'tag aria-label' strings."""
        return self.page.evaluate(_MARKS_JS, chart_id)

    def wait_for_marks(self, chart_id: str, *, unlike: list[str] | None = None, like: list[str] | None = None,
                       timeout_ms: int = CHANGE_TIMEOUT_MS) -> list[str]:
        """Wait until the chart's marks differ from `unlike` (or equal `like`); return them either way."""
        test, before = (_MARKS_DIFFER_JS, unlike) if unlike is not None else (_MARKS_EQUAL_JS, like)
        try:
            self.page.wait_for_function(test, arg=[chart_id, before], timeout=timeout_ms)
        except PlaywrightTimeoutError:
            pass  # the caller compares and reports
        return self.marks(chart_id)

    def close(self) -> None:
        """Close the page (a closed page gets no failure screenshot)."""
        self.context.close()


def open_report_page(browser: Browser, path: Path) -> ReportPage:
    """Open a built page from file://, aborting and recording every request that is not file: or data:."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    report_page = ReportPage(name=path.name, context=context, page=context.new_page())

    def only_local(route: Route, request: Request) -> None:
        if request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            report_page.blocked.append(request.url)
            route.abort()

    context.route("**/*", only_local)
    page = report_page.page
    page.set_default_timeout(10_000)
    page.on("console", lambda message: message.type == "error" and report_page.errors.append(
        f"console.error: {message.text}"))
    page.on("console", lambda message: message.type == "warning" and report_page.warnings.append(
        f"console.warn: {message.text}"))
    page.on("pageerror", lambda error: report_page.errors.append(f"uncaught {error.name}: {error.message}"))
    page.on("websocket", lambda socket: report_page.blocked.append(socket.url))
    page.goto(path.as_uri())
    return report_page


def save_failure_screenshots(item: pytest.Item, pages: list[ReportPage]) -> list[Path]:
    """Save a full-page screenshot of each page still open when the test failed; return the files.

    Screenshots an earlier run left for this test are removed first, so the folder shows the last run only.
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", item.name).strip("_")
    for old in [*FAILURES_DIR.glob(f"{stem}.png"), *FAILURES_DIR.glob(f"{stem}--*.png")]:
        old.unlink()
    report = item.stash.get(CALL_REPORT, None)
    if report is None or not report.failed:
        return []
    open_pages = [report_page for report_page in pages if not report_page.page.is_closed()]
    FAILURES_DIR.mkdir(parents=True, exist_ok=True)
    saved = []
    for report_page in open_pages:
        path = FAILURES_DIR / (f"{stem}.png" if len(open_pages) == 1 else f"{stem}--{report_page.name}.png")
        try:
            report_page.page.screenshot(path=path, full_page=True)
        except Exception as err:  # a crashed page must not hide the test's own failure
            print(f"could not save {path}: {err}")
            continue
        saved.append(path)
        print(f"screenshot of {report_page.name}: {path}")
    return saved


def fields_of(mark: str) -> set[tuple[str, str]]:
    """Return the (field, value) pairs of a mark's aria-label, e.g. {("outlet", "taz"), ("labels", "3")}."""
    label = mark.split(" ", 1)[1] if " " in mark else ""
    return set(re.findall(r"(?:^|; )([^:;]+): ([^;]*)", label))
