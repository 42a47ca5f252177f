"""Live JupyterLab, offline: run notebook 01 in Chromium and drive its Explore widgets.

Starts `jupyter lab` on 127.0.0.1 (a free port, its own config/data/settings dirs, and the settings overrides
`make setup` installs: lab/overrides.json) over a temporary copy of notebooks/, so the committed notebooks are
never touched. Debian's chromium (through playwright) opens 01-compare-coverage.ipynb. As opened, the lab must not
ask about Jupyter news, and the saved Explore outputs must say how to get the controls (run the notebook) rather
than "Loading widget...". Then it clears the outputs and runs every cell from the Run menu. The tests untick
outlets in the page's one source filter (helpers.present.explore.page_controls_html), which ticks the Python views'
hidden filter (helpers.present.widgets.SourceFilter) for the reader, and check that the KWIC view and the evidence
view show exactly what the pure functions `kwic_html` / `evidence_html` compute for the ticked outlets (also
after picking another fact, listed by its codebook name, and typing a search); the last ticked outlet stays ticked.

Every request that is not to the local server (or data:/blob:/file:) is aborted, and none may be made at all.
Page errors, console errors and kernel-side errors (a widget callback's exception only reaches the kernel
websocket, never the notebook's DOM) fail the last test. A failing test saves a screenshot and the server log
under build/lab-failures/.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from helpers import corpus
from helpers.corpus import corpus_dir
from helpers.corpus.settings import load_settings
from helpers.present import widgets
from helpers.publish.notebooks import WIDGET_PLACEHOLDER, WIDGET_VIEW

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "01-compare-coverage.ipynb"
FAILURES = ROOT / "build" / "lab-failures"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
LAYER = "facts"  # the notebook's evidence picker lists the codes of this layer
KWIC_PATTERN = load_settings(corpus_dir()).search("names")  # the study file's default search for names
LAB_OVERRIDES = ROOT / "lab" / "overrides.json"  # what `make setup` copies to .venv/share/jupyter/lab/settings/
NEWS_QUESTION = "Would you like to get notified about official Jupyter news?"  # Lab's first-start toast
# What ipywidgets' Lab renderer shows for a saved widget output with no kernel-side model behind it.
WIDGET_LIMBO = ("Loading widget", "Error displaying widget")

# Bounded waits (seconds). The whole module takes ~25-50 s on 2 cores; these only matter when something hangs.
SERVER_UP_S = 30  # `jupyter lab` answers /api/status
KERNEL_IDLE_S = 45  # page loaded, notebook opened, kernel started and idle
RUN_ALL_S = 45  # every cell run
VIEW_S = 10  # one widget round trip: browser -> kernel -> browser
ACTION_MS = 10_000  # any single playwright action

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "file"}

# What the checks below ignore, and why. Nothing else is ignored.
# - Console messages of type "warning"/"info"/"debug": Lab logs e.g. "Plugin … is taking too long to activate"
#   (timing, under load) and "Starting application …". Only type "error" is checked; widget-related warnings are
#   checked too, except those timing messages.
# - Kernel stderr "No such comm target registered: jupyter.widget.control" and "No such comm: <id>" for that same
#   comm (the test reads its id from the comm_open the browser sends): the Lab widget manager opens this control
#   comm when it connects, before the notebook has imported ipywidgets, and falls back when that fails. Harmless
#   per the ipywidgets maintainers (jupyter-widgets/ipywidgets#3525). Any other stderr line fails the test.
LAB_TIMING_WARNING = re.compile(r"^Plugin \S+ (is taking too long to activate|\(with \d+ dependants\) took )")
WIDGET_WORDS = re.compile(r"widget|comm\b|comm_|model", re.IGNORECASE)
CONTROL_COMM_TARGET = "jupyter.widget.control"


@dataclass
class LabServer:
    url: str
    notebooks: Path
    log: Path


@dataclass
class Watch:
    """What the page did that the tests check: errors, requests off the machine, kernel errors and stderr."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    widget_warnings: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    kernel_errors: list[str] = field(default_factory=list)
    kernel_stderr: list[str] = field(default_factory=list)
    control_comms: set[str] = field(default_factory=set)


@dataclass
class AsOpened:
    """The notebook as Lab first shows it, with its committed outputs, before anything runs."""

    outputs: list[str]  # each code cell's rendered output text, in notebook order
    widget_views: int  # outputs Lab renders as a widget view
    news: int  # elements showing the news question


@dataclass
class Notebook:
    page: object  # playwright.sync_api.Page
    server: LabServer
    watch: Watch
    as_opened: AsOpened


# --- the server -------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local server only)
        return json.load(response)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory) -> Iterator[LabServer]:
    """Run `jupyter lab` over a copy of notebooks/ and stop it (and its kernels) afterwards."""
    base = tmp_path_factory.mktemp("lab")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(notebook, notebooks / notebook.name)
    jupyter = base / "jupyter"
    env = {
        **os.environ,
        # Own config/data/runtime/settings/workspaces: no user config (a password, another `python3` kernel spec,
        # a theme) leaks in, and nothing is written to the user's dirs. Kernel specs still come from sys.prefix.
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(jupyter / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(jupyter / "workspaces"),
    }
    # The settings overrides `make lab` runs with ("Fetch news?" answered "never"), from an app settings dir of the
    # lab's own: `make setup` copies the same file to <prefix>/share/jupyter/lab/settings/, Lab's default one.
    app_settings = jupyter / "app-settings"
    app_settings.mkdir(parents=True)
    shutil.copy2(LAB_OVERRIDES, app_settings / "overrides.json")

    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={notebooks}", f"--LabApp.app_settings_dir={app_settings}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # Lab refuses to run as root otherwise (containers, CI)
    url = f"http://127.0.0.1:{port}"
    log = base / "lab.log"
    with log.open("w", encoding="utf-8") as log_file:
        server = subprocess.Popen(command, cwd=notebooks, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            deadline = time.monotonic() + SERVER_UP_S
            while True:
                if server.poll() is not None:
                    pytest.fail(f"jupyter lab exited with {server.returncode}:\n{_log_tail(log)}", pytrace=False)
                with contextlib.suppress(OSError, ValueError):
                    _get_json(f"{url}/api/status")
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer on {url} within {SERVER_UP_S} s:\n{_log_tail(log)}",
                                pytrace=False)
                time.sleep(0.2)
            yield LabServer(url=url, notebooks=notebooks, log=log)
        finally:
            _stop_server(server, url)


def _stop_server(server: subprocess.Popen, url: str) -> None:
    """Shut the kernels down through the API, then stop the server we started (by its pid)."""
    if server.poll() is None:
        with contextlib.suppress(OSError, ValueError):
            for session in _get_json(f"{url}/api/sessions"):
                request = urllib.request.Request(f"{url}/api/sessions/{session['id']}", method="DELETE")
                urllib.request.urlopen(request, timeout=5).close()  # noqa: S310 (local server only)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


# --- the browser ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright (never `playwright install`: it downloads a browser)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the JupyterLab browser test needs Debian's chromium. Install it with "
                    "`sudo apt-get install chromium` (or `make chromium`), then re-run. Do not run "
                    "`playwright install`: it downloads a browser and fails offline.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, timeout=30_000)
        try:
            yield chromium
        finally:
            chromium.close()


def _is_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.scheme in {"http", "https", "ws", "wss"}
                                             and parts.hostname in LOCAL_HOSTS)


def _kernel_message(payload: bytes | str) -> tuple[str, dict, dict, dict] | None:
    """Decode one kernel websocket frame: (channel, header, parent_header, content), or None if not a message.

    Lab talks the binary `v1.kernel.websocket.jupyter.org` protocol: a count n, n little-endian uint64 offsets,
    then channel, header, parent header, metadata, content (JSON) and any buffers. Older servers send JSON text.
    """
    try:
        if isinstance(payload, str):
            message = json.loads(payload)
            return message.get("channel", ""), message["header"], message["parent_header"], message["content"]
        count = int.from_bytes(payload[:8], "little")
        offsets = [int.from_bytes(payload[8 + 8 * i:16 + 8 * i], "little") for i in range(count)]
        parts = [payload[offsets[i]:offsets[i + 1]] for i in range(min(count - 1, 5))]
        channel = parts[0].decode("utf-8")
        header, parent, _metadata, content = (json.loads(part) for part in parts[1:5])
        return channel, header, parent, content
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _watch_page(page, watch: Watch) -> None:
    """Record page errors, console errors, widget warnings and the kernel's errors and stderr."""

    def on_console(message) -> None:
        text = message.text
        if message.type == "error":
            watch.console_errors.append(f"{text} ({message.location.get('url', '')})")
        elif message.type == "warning" and WIDGET_WORDS.search(text) and not LAB_TIMING_WARNING.search(text):
            watch.widget_warnings.append(text)

    def on_sent(payload) -> None:
        message = _kernel_message(payload)
        if message and message[1].get("msg_type") == "comm_open" \
                and message[3].get("target_name") == CONTROL_COMM_TARGET:
            watch.control_comms.add(message[3].get("comm_id", ""))

    def on_received(payload) -> None:
        message = _kernel_message(payload)
        if not message:
            return
        _channel, header, parent, content = message
        where = parent.get("msg_type", "?")
        if header.get("msg_type") == "error":
            watch.kernel_errors.append(f"{content.get('ename')}: {content.get('evalue')} (in reply to {where})")
        elif header.get("msg_type") == "stream" and content.get("name") == "stderr":
            watch.kernel_stderr.append(content.get("text", ""))

    def on_websocket(socket_) -> None:
        if not _is_local(socket_.url):
            watch.blocked.append(f"websocket {socket_.url}")
        elif "/api/kernels/" in socket_.url:
            socket_.on("framesent", on_sent)
            socket_.on("framereceived", on_received)

    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("console", on_console)
    page.on("websocket", on_websocket)


def _offline(watch: Watch) -> Callable:
    def route(route_) -> None:
        url = route_.request.url
        if _is_local(url):
            route_.continue_()
        else:
            watch.blocked.append(url)
            route_.abort("internetdisconnected")

    return route


def _save_failure(page, server: LabServer, name: str) -> Path:
    FAILURES.mkdir(parents=True, exist_ok=True)
    shot = FAILURES / f"{name}.png"
    with contextlib.suppress(Exception):
        page.screenshot(path=str(shot), full_page=True, timeout=10_000)
    with contextlib.suppress(OSError):
        shutil.copy2(server.log, FAILURES / f"{name}.lab.log")
    return shot


def _wait(condition: Callable[[], object], seconds: float, what: str, page) -> object:
    """Poll `condition` until it returns something truthy; fail after `seconds` (page events keep flowing)."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds} s waiting for {what}", pytrace=False)
        page.wait_for_timeout(200)


def _kernel_idle(server: LabServer) -> bool:
    with contextlib.suppress(OSError, ValueError):
        sessions = [s for s in _get_json(f"{server.url}/api/sessions") if s["path"].endswith(NOTEBOOK)]
        return bool(sessions) and sessions[0]["kernel"]["execution_state"] == "idle" \
            and sessions[0]["kernel"]["connections"] > 0
    return False


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


# Done when every code cell's prompt is "[n]:" (cleared: "[ ]:", queued or running: "[*]:") and the last code
# cell has output. A cell that raises stops Run All; the kernel's error message reports that (Watch.kernel_errors).
_RUN_DONE_JS = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputPrompt') || {}).textContent || '');
  return cells.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.trim()))
    && cells[cells.length - 1].querySelector('.jp-OutputArea-output') !== null;
}"""


# Each code cell's rendered outputs: how many, and their text (text_content: also for cells Lab leaves unrendered
# off-screen). An untrusted notebook's script-only outputs (the chart bundle) are there but show no text.
_OUTPUTS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(cell => {
  const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')];
  return [outputs.length, outputs.map(o => o.textContent).join('\\n')];
})"""


def _as_opened(page, server: LabServer) -> AsOpened:
    """Wait until Lab shows every committed output of the notebook, then record what it shows."""
    saved = nbformat.read(server.notebooks / NOTEBOOK, as_version=4)
    counts = [len(cell.outputs) for cell in saved.cells if cell.cell_type == "code"]

    def rendered() -> list[str] | None:
        cells = page.evaluate(_OUTPUTS_JS)
        return [text for _count, text in cells] if [count for count, _text in cells] == counts else None

    texts = _wait(rendered, VIEW_S, "the committed outputs to be shown", page)
    return AsOpened(outputs=texts,
                    widget_views=page.locator(f'.jp-Notebook [data-mime-type="{WIDGET_VIEW}"]').count(),
                    news=page.get_by_text(NEWS_QUESTION).count())


def _cell_errors(page) -> str:
    """The text of every stderr/error output in the notebook (Lab renders tracebacks as stderr)."""
    outputs = page.locator('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]').all_text_contents()
    return "\n---\n".join(text.strip() for text in outputs)


@pytest.fixture(scope="module")
def notebook(browser, lab_server) -> Iterator[Notebook]:
    """Notebook 01 open in Lab with every cell run by a fresh kernel."""
    watch = Watch()
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    context.route("**/*", _offline(watch))
    page = context.new_page()
    page.set_default_timeout(ACTION_MS)
    _watch_page(page, watch)
    try:
        page.goto(f"{lab_server.url}/lab/tree/{NOTEBOOK}?reset", wait_until="domcontentloaded", timeout=30_000)
        _wait(lambda: _kernel_idle(lab_server), KERNEL_IDLE_S, "the notebook's kernel to start and be idle", page)
        page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$")).wait_for(timeout=KERNEL_IDLE_S * 1000)
        as_opened = _as_opened(page, lab_server)
        # Clear the committed outputs first, so "every prompt numbered and the last cell has output" means run.
        _menu(page, "Edit", "Clear Outputs of All Cells")
        _wait(lambda: page.evaluate(
            "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-OutputArea-output')].length === 0"),
            VIEW_S, "the outputs to be cleared", page)
        _menu(page, "Run", "Run All Cells")
        _wait(lambda: watch.kernel_errors or page.evaluate(_RUN_DONE_JS), RUN_ALL_S, "Run All Cells to finish", page)
        if watch.kernel_errors:
            pytest.fail(f"a cell failed in Lab: {watch.kernel_errors}\n{_cell_errors(page)}", pytrace=False)
        _wait(lambda: _kernel_idle(lab_server), VIEW_S, "the kernel to be idle after Run All", page)
    except BaseException:
        print(f"screenshot: {_save_failure(page, lab_server, 'run-all')}")
        context.close()
        raise
    yield Notebook(page=page, server=lab_server, watch=watch, as_opened=as_opened)
    context.close()


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request, notebook):
    """Save a screenshot and the server log when the test failed (the call report is logged before teardown)."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        shot = _save_failure(notebook.page, notebook.server, request.node.name)
        print(f"screenshot: {shot}")


# --- the Explore widgets ----------------------------------------------------------------------------------------

def _text(markup: str) -> str:
    """The text a browser shows for `markup` (tags dropped, entities decoded), whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def _source_filter(page):
    box = page.locator(".widget-vbox").filter(
        has=page.locator(".widget-html-content", has_text=re.compile(r"^Sources$"))).filter(
        has=page.locator(".widget-checkbox"))
    assert box.count() == 1, f"expected one source filter in the notebook, found {box.count()}"
    return box


def _outlet_boxes(page) -> dict[str, object]:
    # text_content, not inner_text: Lab skips rendering off-screen cells (content-visibility), and
    # inner_text of an unrendered element is "".
    boxes = _source_filter(page).locator(".widget-checkbox")
    found = {boxes.nth(i).locator("label.widget-label-basic span").text_content(): boxes.nth(i).locator("input")
             for i in range(boxes.count())}
    assert len(found) == boxes.count(), f"outlet checkboxes need distinct labels: {list(found)}"
    return found


KWIC_INPUT = "input[placeholder='regular expression']"  # kwic_box's Text
PICKER = ".widget-dropdown select"  # evidence_picker's Dropdown (01 has no other Dropdown widget)


def _control(page, selector: str):
    found = page.locator(f".jp-OutputArea-output {selector}")
    assert found.count() == 1, f"expected one {selector} among the notebook's outputs, found {found.count()}"
    return found


def _view(page, control: str):
    """The HTML output of the view whose VBox holds `control` (a CSS selector of its input)."""
    _control(page, control)
    return page.locator(".widget-vbox").filter(has=page.locator(control)).locator(".widget-html .widget-html-content")


def _kwic_view(page):
    return _view(page, KWIC_INPUT)


def _evidence_view(page):
    return _view(page, PICKER)


def _kwic_pattern(page) -> str:
    return _control(page, KWIC_INPUT).input_value()


def _evidence_code(page, codebook) -> str:
    """The id of the code the evidence picker shows; the picker lists codes by their codebook names."""
    shown = _control(page, PICKER).input_value()
    ids = {name: code for code, name in codebook.names(LAYER).items()}
    assert shown in ids, f"the evidence picker shows {shown!r}, not the name of a {LAYER} code: {sorted(ids)}"
    return ids[shown]


def _shows(page, view, expected_html: str, what: str) -> None:
    """Wait until `view` shows the text of `expected_html`; fail with both texts otherwise."""
    expected = _text(expected_html)
    deadline = time.monotonic() + VIEW_S
    while True:
        shown = " ".join((view.text_content() or "").split())
        if shown == expected:
            return
        if time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert shown == expected, f"{what}: after {VIEW_S} s the live view still shows\n{shown[:600]}\nnot\n" \
                              f"{expected[:600]}"


PAGE_BOXES = ".jp-OutputArea-output .pc-page-controls input[data-source]"  # the page's one source filter


def _page_boxes(page) -> dict[str, object]:
    boxes = page.locator(PAGE_BOXES)
    found = {boxes.nth(i).get_attribute("data-source"): boxes.nth(i) for i in range(boxes.count())}
    assert found, "the notebook shows no page source filter (explore.page_controls_html)"
    return found


def _tick(page, outlets: list[str]) -> None:
    """Tick exactly `outlets` in the page's source filter (wanted ones first: one always stays ticked); the Python
    views' own filter (widgets.SourceFilter, hidden) must follow it."""
    boxes = _page_boxes(page)
    for name in sorted(boxes, key=lambda name: name not in outlets):
        if boxes[name].is_checked() != (name in outlets):
            boxes[name].set_checked(name in outlets)
    deadline = time.monotonic() + VIEW_S
    while {name for name, box in _outlet_boxes(page).items() if box.is_checked()} != set(outlets):
        assert time.monotonic() < deadline, "the Python views' source filter did not follow the page's"
        page.wait_for_timeout(100)


def _hits(note_html: str) -> int:
    found = re.search(r"(\d+) hit\(s\)", note_html)
    return int(found.group(1)) if found else 0


def _expect_views(page, articles, hand, codebook, outlets: list[str], what: str) -> tuple[str, str]:
    """Both views must show what the pure functions compute for `outlets`; returns (kwic, evidence) HTML."""
    kwic = widgets.kwic_html(articles, _kwic_pattern(page), outlets)
    code = _evidence_code(page, codebook)
    evidence = widgets.evidence_html(hand, articles, LAYER, code, outlets, name=codebook.name_of(LAYER, code))
    _shows(page, _kwic_view(page), kwic, f"KWIC view, {what}")
    _shows(page, _evidence_view(page), evidence, f"evidence view, {what}")
    return kwic, evidence


# --- the tests --------------------------------------------------------------------------------------------------

def test_lab_opens_without_asking_about_news(notebook):
    """`make lab`'s settings overrides answer Lab's "get notified about Jupyter news?" with never."""
    overrides = json.loads(LAB_OVERRIDES.read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    asked = notebook.as_opened.news
    assert asked == 0, f"Lab asked {NEWS_QUESTION!r} when it opened"
    assert notebook.page.get_by_text(NEWS_QUESTION).count() == 0, f"Lab asked {NEWS_QUESTION!r} after Run All"
    notification = "@jupyterlab/apputils-extension:notification"
    schema = _get_json(f"{notebook.server.url}/lab/api/settings/{notification}")["schema"]
    assert schema["properties"]["fetchNews"]["default"] == "false", "the server did not apply lab/overrides.json"


def test_saved_widgets_say_to_run_the_notebook_before_it_runs(notebook):
    """Committed widget outputs have no widget state: as opened, they say how to get the control instead."""
    saved = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    code_cells = [cell for cell in saved.cells if cell.cell_type == "code"]
    explore = [n for n, cell in enumerate(code_cells) if "lab-only" in cell.metadata.get("tags", []) and cell.outputs]
    assert len(explore) >= 3, "notebook 01's Explore section: a source filter, an evidence picker, a KWIC box"
    shown = notebook.as_opened.outputs
    missing = [code_cells[n].source.splitlines()[-1] for n in explore if WIDGET_PLACEHOLDER not in shown[n]]
    assert not missing, f"these Explore cells do not say {WIDGET_PLACEHOLDER!r} before the notebook runs " \
                        f"(run `python -m helpers refresh-notebooks`): {missing}"
    limbo = [text for text in shown if any(words in text for words in WIDGET_LIMBO)]
    assert not limbo, f"outputs waiting for a widget that cannot come: {limbo}"
    assert notebook.as_opened.widget_views == 0

def test_run_all_draws_the_explore_section(notebook, articles, hand, codebook):
    page = notebook.page
    outlets = corpus.outlets_of(articles)
    boxes = _outlet_boxes(page)
    assert list(boxes) == outlets, "the source filter must list the corpus's outlets, in corpus order"
    assert all(box.is_checked() for box in boxes.values()), "every outlet starts ticked"
    assert _kwic_pattern(page) == KWIC_PATTERN
    kwic, _evidence = _expect_views(page, articles, hand, codebook, outlets, "all outlets ticked")
    assert _hits(kwic) > 0, f"the default search {KWIC_PATTERN!r} should find something in the corpus"
    # Names, not ids: the KWIC rows name their article, the evidence header its code.
    shown_articles = set(_kwic_view(page).locator("tbody tr td:nth-child(1)").all_text_contents())
    assert shown_articles and shown_articles <= set(corpus.short_names(articles).values()), shown_articles
    header = _evidence_view(page).locator("p b").first.text_content()
    assert header == codebook.name_of(LAYER, _evidence_code(page, codebook)) != _evidence_code(page, codebook)
    # The KWIC chart's cell (it opens the Explore section) is drawn by the bundled vega-embed, with no CDN.
    chart_cell = page.locator(".jp-Notebook .jp-CodeCell", has_text="charts.kwic_chart(articles").last
    chart_cell.locator(".vl-offline-chart svg").first.wait_for(timeout=VIEW_S * 1000)


def test_unticking_an_outlet_updates_both_views(notebook, articles, hand, codebook):
    page = notebook.page
    outlets = corpus.outlets_of(articles)
    _tick(page, outlets)
    kwic_all, evidence_all = _expect_views(page, articles, hand, codebook, outlets, "all outlets ticked")
    code = _evidence_code(page, codebook)
    name = codebook.name_of(LAYER, code)

    def changes_both(outlet: str) -> bool:
        rest = [o for o in outlets if o != outlet]
        return (_hits(widgets.kwic_html(articles, KWIC_PATTERN, rest)) < _hits(kwic_all)
                and widgets.evidence_html(hand, articles, LAYER, code, rest, name=name) != evidence_all)

    dropped = next((o for o in outlets if changes_both(o)), None)
    assert dropped, f"no single outlet changes both views ({KWIC_PATTERN!r}, {code}): the test proves nothing"
    rest = [o for o in outlets if o != dropped]
    _tick(page, rest)

    kwic, _evidence = _expect_views(page, articles, hand, codebook, rest, f"{dropped!r} unticked")
    assert _hits(kwic) < _hits(kwic_all)
    rows = _kwic_view(page).locator("tbody tr td:nth-child(2)").all_text_contents()
    assert rows and dropped not in rows, f"KWIC rows still list {dropped!r}: {sorted(set(rows))}"
    titles = _evidence_view(page).locator(".pc-highlight h3").all_text_contents()
    assert not [t for t in titles if t.startswith(f"{dropped}: ")], f"evidence still shows {dropped!r}: {titles}"

    _tick(page, outlets)
    _expect_views(page, articles, hand, codebook, outlets, f"{dropped!r} ticked again")


def test_one_source_filter_drives_the_python_views_and_keeps_one_outlet(notebook, articles, hand, codebook):
    page = notebook.page
    outlets = corpus.outlets_of(articles)
    _tick(page, outlets)
    assert not _source_filter(page).is_visible(), "the Python views' own source filter shows beside the page's"
    boxes = _page_boxes(page)
    for name in outlets:  # untick them all: the last one stays ticked, and the filter says why
        boxes[name].click()
    kept = [name for name, box in boxes.items() if box.is_checked()]
    assert kept == [outlets[-1]], kept
    assert "at least one" in page.locator(".jp-OutputArea-output .pc-page-controls .pc-status").text_content()

    # Only the kept outlet's hits and evidence are shown.
    kwic, _evidence = _expect_views(page, articles, hand, codebook, kept, f"only {kept[0]!r} ticked")
    rows = set(_kwic_view(page).locator("tbody tr td:nth-child(2)").all_text_contents())
    assert rows <= set(kept), rows
    _tick(page, outlets)


def test_evidence_picker_follows_the_code_and_the_filter(notebook, articles, hand, codebook):
    page = notebook.page
    outlets = corpus.outlets_of(articles)
    select = _control(page, PICKER)
    names = codebook.names(LAYER)
    listed = select.evaluate("e => [...e.options].map(o => o.value)")
    assert listed == list(names.values()), f"the picker must list the {LAYER} codes by name, in codebook order"
    codes = list(names)
    first = select.input_value()

    def carried(code: str, chosen: list[str]) -> bool:
        return not widgets.evidence_rows(hand, articles, LAYER, code, chosen).empty

    # A code some articles carry but one outlet's do not: picking it shows the "no article carries" message.
    pair = next(((c, o) for c in codes for o in outlets if carried(c, outlets) and not carried(c, [o])), None)
    assert pair, "every coded fact is carried by every outlet: no 'no article carries' state to check"
    code, outlet = pair
    _tick(page, outlets)
    try:
        select.select_option(names[code])
        assert _evidence_code(page, codebook) == code
        _expect_views(page, articles, hand, codebook, outlets, f"{code!r} picked, all outlets ticked")
        _tick(page, [outlet])
        _expect_views(page, articles, hand, codebook, [outlet], f"{code!r} picked, only {outlet!r} ticked")
        assert "No article from the selected outlets carries" in (_evidence_view(page).text_content() or "")
    finally:
        _tick(page, outlets)
        select.select_option(first)  # a name: what the picker shows
    _expect_views(page, articles, hand, codebook, outlets, f"{first!r} picked again")


def test_kwic_search_box_runs_the_query_in_the_kernel(notebook, articles, hand):
    page = notebook.page
    outlets = corpus.outlets_of(articles)
    _tick(page, outlets)
    search = _control(page, KWIC_INPUT)
    try:
        for pattern in ("Parler", "Matz(", KWIC_PATTERN):  # many hits (capped table), an invalid regex, the default
            search.fill(pattern)
            search.press("Enter")  # continuous_update=False: the value is sent on Enter
            _shows(page, _kwic_view(page), widgets.kwic_html(articles, pattern, outlets), f"KWIC for {pattern!r}")
    finally:
        if search.input_value() != KWIC_PATTERN:
            search.fill(KWIC_PATTERN)
            search.press("Enter")


def test_no_errors_and_nothing_fetched_off_the_machine(notebook):
    """Runs last: covers opening, Run All and every interaction above."""
    watch = notebook.watch
    notebook.page.wait_for_timeout(500)  # let the last kernel messages arrive
    ignored = {f"No such comm target registered: {CONTROL_COMM_TARGET}\n"}
    ignored |= {f"No such comm: {comm}\n" for comm in watch.control_comms}
    stderr = [text for text in watch.kernel_stderr if text not in ignored]
    problems = {
        "page errors (uncaught JavaScript exceptions)": watch.page_errors,
        "console errors": watch.console_errors,
        "widget warnings in the console": watch.widget_warnings,
        "requests off the machine (aborted)": watch.blocked,
        "kernel errors (e.g. an exception in a widget callback)": watch.kernel_errors,
        "kernel stderr": stderr,
    }
    found = {what: items for what, items in problems.items() if items}
    assert not found, "\n".join(f"{what}:\n  " + "\n  ".join(map(str, items)) for what, items in found.items())
