"""Build the shareable HTML report: every numbered notebook, run fresh, as a self-contained page.

The pages need no network and no kernel: code is hidden, charts draw from the vega-embed bundle that
`helpers.present.charts.enable_offline()` puts in the outputs, and cells that need a kernel (ipywidgets, tagged
`lab-only` with the text about them) are left out, so no page shows a control that does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import os
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter
from nbconvert.filters import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode

from helpers.corpus.articles import corpus_dir
from helpers.corpus.settings import Settings, load_settings
from helpers.present.findings import FINDING_MIMETYPE
from helpers.publish.cache import Entry, NotebookCache, default_cache_dir, notebook_key, page_key, shared_digest
from helpers.publish.outputs import output_folder

# Cells tagged this way (ipywidgets and the text about them) need a running kernel: the shared pages leave them out,
# so no page shows or promises a control that does nothing. An untagged cell with a widget output stops the build.
LAB_ONLY_TAG = "lab-only"
WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
TEMPLATES_DIR = Path(__file__).parent / "templates"
NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
class ReportError(RuntimeError):
    """A notebook could not be run or exported; the message names the notebook (and cell)."""


@dataclass(frozen=True)
class Finding:
    """A finding a page shows: its sentence (HTML-escaped), the anchor of its heading, and its computed verdict."""

    text_html: str
    anchor: str
    status: str = ""  # the claims check's verdict printed under the heading: holds, does not hold or tie


@dataclass(frozen=True)
class Page:
    """One notebook of the report: where it comes from, where it goes, what the index says of it."""

    notebook: Path
    href: str
    title: str
    summary: str


def build_report(notebooks_dir: Path, out_dir: Path, *, timeout: int = 120, settings: Settings | None = None,
                 jobs: int | None = None, cache_dir: Path | None | Literal["default"] = "default") -> list[Path]:
    """Run every `NN-*.ipynb` in notebooks_dir and write their pages and an index.html to out_dir.

    The index lists each notebook with its title and first paragraph, then every finding (claims.yaml) of the
    executed pages, each linked to its place on its page (where the checked output under it is).
    The report is built next to out_dir and swapped in at the end, so a failed or interrupted build
    leaves the previous report as it was. Returns the written pages, index.html last. The index's title and
    question come from `settings` (default: the study file of the corpus the notebooks read).
    Notebooks run `jobs` at a time (default: one per core), each in its own kernel. A notebook whose key (its
    bytes, helpers/, the corpus, the packages: `helpers.publish.cache`) is unchanged since the last build is
    reused from `cache_dir` (default: the platform's cache folder; None caches nothing).
    """
    corpus = corpus_dir()
    settings = settings or load_settings(corpus)
    notebooks = sorted(Path(notebooks_dir).glob(NOTEBOOK_PATTERN))
    if not notebooks:
        raise ReportError(f"{notebooks_dir}: no notebooks named like {NOTEBOOK_PATTERN}")
    out_dir = Path(out_dir)
    cache = NotebookCache(default_cache_dir(Path(notebooks_dir)) if cache_dir == "default" else cache_dir)
    with output_folder(out_dir, "report", protect=[corpus]) as building:
        started = time.perf_counter()
        pages = [describe_page(path) for path in notebooks]
        shared = shared_digest(corpus)
        keys = {page.notebook: notebook_key(page.notebook, shared) for page in pages}
        entries = {page.notebook: cache.get(page.notebook.name, keys[page.notebook]) for page in pages}
        number = {page.notebook: n for n, page in enumerate(pages, start=1)}
        pending = [page.notebook for page in pages if entries[page.notebook] is None]
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
        reused = len(pages) - len(pending)
        print(f"{len(pages)} notebooks: {reused} reused from the cache, {len(pending)} to run"
              + (f" on {jobs} kernel{'s' if jobs > 1 else ''}" if pending else ""), flush=True)
        for page in pages:
            if entries[page.notebook] is not None:
                print(f"[{number[page.notebook]}/{len(pages)}] {page.notebook.name} reused (cached)", flush=True)

        def finished(path: Path, notebook: NotebookNode, seconds: float) -> None:
            entries[path] = Entry(key=keys[path], notebook=notebook)
            cache.put(path.name, entries[path])  # kept even if another notebook then fails
            print(f"[{number[path]}/{len(pages)}] {path.name} ran in {seconds:.1f} s", flush=True)

        run_notebooks(pending, jobs=jobs, timeout=timeout, on_finished=finished)
        exporter: HTMLExporter | None = None
        findings: dict[str, list[Finding]] = {}
        for n, page in enumerate(pages):
            entry = entries[page.notebook]
            assert entry is not None  # every notebook was reused or has run
            nav = {
                "index": "index.html",
                "prev": _link(pages[n - 1]) if n > 0 else None,
                "next": _link(pages[n + 1]) if n + 1 < len(pages) else None,
            }
            wanted = page_key(entry.key, {"nav": nav, "title": page.title, "coders": settings.coders})
            if entry.page_key != wanted or not entry.page:
                exporter = exporter or make_exporter()
                body = export_page(copy.deepcopy(entry.notebook), page, nav, exporter)
                entry.page = with_findings_box(body, notebook_findings(entry.notebook), settings.coders)
                entry.page_key = wanted
                cache.put(page.notebook.name, entry)
            findings[page.href] = notebook_findings(entry.notebook)
            (building / page.href).write_text(entry.page, encoding="utf-8")
        cache.keep_only(path.name for path in notebooks)
        (building / "index.html").write_text(render_index(pages, findings, settings), encoding="utf-8")
    print(f"Built {len(pages)} pages in {time.perf_counter() - started:.1f} s: {out_dir / 'index.html'}")
    return [out_dir / page.href for page in pages] + [out_dir / "index.html"]


def run_notebooks(paths: list[Path], *, jobs: int = 1, timeout: int = 120,
                  on_finished: Callable[[Path, NotebookNode, float], None] | None = None) -> dict[Path, NotebookNode]:
    """Execute notebooks `jobs` at a time, each in a fresh kernel; call on_finished as each one ends.

    The first failure (a ReportError naming notebook and cell) stops the others and shuts their kernels down;
    so does Ctrl-C, which then raises KeyboardInterrupt.
    """
    if not paths:
        return {}
    return asyncio.run(_run_all(paths, jobs, timeout, on_finished))


async def _run_all(paths: list[Path], jobs: int, timeout: int,
                   on_finished: Callable[[Path, NotebookNode, float], None] | None) -> dict[Path, NotebookNode]:
    """Run the notebooks under a semaphore of `jobs`; cancel the rest on the first failure or on Ctrl-C."""
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(max(1, jobs))
    interrupted: list[bool] = []
    main = asyncio.current_task()

    def on_sigint() -> None:
        interrupted.append(True)
        if main is not None:
            main.cancel()

    def take_sigint() -> None:
        # nbclient installs its own handler per kernel (which shuts that kernel down and lets the build go on
        # with a dead kernel); ours stops the whole build, and every kernel shuts down as its task is cancelled.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, on_sigint)

    async def run(path: Path) -> NotebookNode:
        async with slots:
            started = time.perf_counter()
            notebook = await execute_notebook_async(path, timeout=timeout, on_start=take_sigint)
            if on_finished is not None:
                on_finished(path, notebook, time.perf_counter() - started)
            return notebook

    take_sigint()
    tasks = [asyncio.create_task(run(path)) for path in paths]
    try:
        done = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            # A task cancelled once (with the build) is shutting its kernel down: a second cancel would cut that short.
            if not task.done() and not task.cancelling():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if interrupted:
            raise KeyboardInterrupt from None
        raise
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
    return dict(zip(paths, done, strict=True))


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook file; one that is not a valid notebook is a ReportError naming it."""
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError) as err:  # NotJSONError is a ValueError
        raise ReportError(f"{path}: not a valid notebook ({type(err).__name__}: {str(err)[:200]}); restore it "
                          "from git (`git checkout -- notebooks/`)") from None


def describe_page(path: Path) -> Page:
    """Read a notebook's first `# ` heading and the paragraph after it, for the index."""
    notebook = read_notebook(path)
    title, summary = "", ""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        text = cell.source
        if not title:
            heading = re.search(r"^# +(.+?)\s*#*\s*$", text, re.MULTILINE)
            if heading is None:
                continue
            title = heading.group(1)
            text = text[heading.end() :]
        paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0].strip()
        if paragraph and not paragraph.startswith("#"):
            summary = " ".join(paragraph.split())
            break
        if paragraph.startswith("#"):  # the next heading came first: no summary paragraph
            break
    return Page(notebook=path, href=f"{path.stem}.html", title=title or path.stem, summary=summary)


def execute_notebook(path: Path, *, timeout: int = 120) -> NotebookNode:
    """Run a notebook from a fresh python3 kernel in its own folder and return it with outputs."""
    return run_notebooks([path], timeout=timeout)[path]


async def execute_notebook_async(path: Path, *, timeout: int = 120,
                                 on_start: Callable[[], None] | None = None) -> NotebookNode:
    """Run a notebook from a fresh python3 kernel in its own folder; on_start is called once its kernel is up."""
    notebook = read_notebook(path)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        # The kernel's own start-up notices (e.g. "running over TCP without encryption") would break the
        # progress line; its errors, and everything the notebook prints, still come through.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    running: dict[str, int] = {}
    client.on_cell_start = lambda cell, cell_index: running.update(index=cell_index)
    if on_start is not None:
        client.on_notebook_start = lambda notebook: on_start()
    try:
        await client.async_execute()
    except CellExecutionError as err:
        raise ReportError(f"{path}: {_where(notebook, running)} raised {_error_of(notebook, running, err)}") from err
    except Exception as err:  # a timeout or a dead kernel (a cancelled build is no Exception: it goes through)
        raise ReportError(f"{path}: {_where(notebook, running)} failed: {type(err).__name__}: {err}") from err
    return notebook


def make_exporter() -> HTMLExporter:
    """Return an HTML exporter that hides code and loads nothing from the network."""
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name="offline",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(LabOnlyPreprocessor(), enabled=True)
    return exporter


def export_page(notebook: NotebookNode, page: Page, nav: dict[str, Any], exporter: HTMLExporter) -> str:
    """Return the HTML page of an executed notebook, with links to the index and its neighbours."""
    notebook.metadata["title"] = page.title
    resources = {
        "metadata": {"name": page.notebook.stem, "path": str(page.notebook.parent)},
        "report_nav": nav,
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


class LabOnlyPreprocessor(Preprocessor):
    """Leave out the cells tagged LAB_ONLY_TAG; refuse a widget output anywhere else (it would be dead)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Drop the saved widget state and the lab-only cells; name any other cell that shows a widget."""
        nb.metadata.pop("widgets", None)
        nb.cells = [cell for cell in nb.cells if LAB_ONLY_TAG not in cell.get("metadata", {}).get("tags", [])]
        for number, cell in enumerate(nb.cells, start=1):
            if any(WIDGET_MIMETYPE in output.get("data", {}) for output in cell.get("outputs", [])):
                where = resources.get("metadata", {}).get("name", "a notebook")
                raise ReportError(f"{where}: cell {number} shows an interactive control that needs a kernel; tag the "
                                  f"cell '{LAB_ONLY_TAG}' (with the text about it) or give it an offline output")
        return nb, resources


def notebook_findings(notebook: NotebookNode) -> list[Finding]:
    """Return the findings an executed notebook shows, in order, each with its computed verdict.

    Each finding cell's output carries the claim's data (helpers.present.findings.FINDING_MIMETYPE): its sentence,
    written once in the corpus folder's claims.yaml, and the verdict the claims check computed.
    """
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(FINDING_MIMETYPE)
            for item in data if isinstance(data, list) else [data] if isinstance(data, dict) else []:
                if isinstance(item, dict):
                    found.append(Finding(text_html=html.escape(str(item.get("finding", ""))),
                                         anchor=str(item.get("anchor", "")), status=str(item.get("status", ""))))
    return found


def finding_items(findings: list[Finding], href: str = "") -> str:
    """Return one <li> per finding: its verdict, then its sentence linked to its evidence (on page `href`)."""
    return "\n".join(
        f'<li><span class="verdict {html.escape(finding.status.replace(" ", "-"))}">'
        f'{html.escape(finding.status)}</span> '
        f'<a href="{html.escape(href + "#" + _fragment(finding.anchor))}">{finding.text_html}</a></li>'
        for finding in findings)


def _fragment(anchor: str) -> str:
    """Write an element id as a URL fragment: nbconvert's ids hold "%E2%80%93" for "–", which a browser would decode."""
    return anchor.replace("%", "%25")


VERDICT_STYLE = """.verdict { display: inline-block; min-width: 6.5em; font-size: 0.8em; font-weight: 600;
  text-transform: uppercase; padding: 0 0.4em; border-radius: 3px; background: #eee; color: #333; }
.verdict.holds { background: #e3f2e1; color: #1b5e20; }
.verdict.does-not-hold { background: #fde4e1; color: #b71c1c; }
.verdict.tie, .verdict.fragile { background: #fff4d6; color: #7a5300; }"""


VERDICT_MEANING = ("<em>holds</em> means the hand-coded texts bear the sentence out as written, on each coder's "
                   "coding and beyond a stated margin; <em>tie</em> a close call (the coders split, or the margin "
                   "is within what the claim counts as close); <em>fragile</em> that it holds but not under one "
                   "named doubt in the data (an uncertain code, a low-confidence attribution, a soft date clue); "
                   "<em>does not hold</em> that the texts do not bear it out. It checks what the articles say, "
                   "not whether the events happened")


def with_findings_box(body: str, findings: list[Finding], coders: str = "") -> str:
    """Put the page's findings, each with its verdict and a link to its evidence, under its question.

    The box goes after the first paragraph that follows the page's title (the question, in plain words); a page
    without findings is returned as it is. `coders` (the study file's words on who coded) is said in the box.
    """
    title = body.find("<h1")
    after = body.find("</p>", title) if title >= 0 else -1
    if not findings or after < 0:
        return body
    box = (f'<style>{VERDICT_STYLE}\n.pc-findings {{ border: 1px solid #ddd; border-radius: 4px; padding: 0.4em 1em; '
           'margin: 1em 0; background: #fafafa; }}\n.pc-findings li {{ margin: 0.3em 0; }}</style>'
           '<nav class="pc-findings" aria-label="Findings on this page"><p><b>Findings on this page</b>, each checked '
           f'by code against the hand coding{html.escape(f" ({coders})" if coders else "")} and linked to its '
           f'evidence below: {VERDICT_MEANING}.</p>'
           f'<ul>{finding_items(findings)}</ul></nav>')
    at = after + len("</p>")
    return body[:at] + box + body[at:]


def render_index(pages: list[Page], findings: dict[str, list[Finding]] | None = None,
                 settings: Settings | None = None) -> str:
    """Return the report's front page: title, question, one line per notebook, then the key findings."""
    findings = findings or {}
    settings = settings or Settings(None, title="Coverage study")
    title, question = settings.title, settings.question
    coders = f" ({settings.coders})" if settings.coders else ""
    items = "\n".join(
        f'<li><a href="{html.escape(page.href)}">{html.escape(page.title)}</a>'
        + (f" — {_inline_markdown(page.summary)}" if page.summary else "")
        + "</li>"
        for page in pages
    )
    groups = []
    for page in pages:
        if not findings.get(page.href):
            continue
        lines = finding_items(findings[page.href], page.href)
        groups.append(f'<h3><a href="{html.escape(page.href)}">{html.escape(page.title)}</a></h3>\n'
                      f'<ul class="findings">\n{lines}\n</ul>')
    key_findings = ""
    if groups:
        key_findings = ("<h2>Key findings</h2>\n<p class=\"note\">Each finding is a claim that code checks on the "
                        f"hand coding{html.escape(coders)}, the consensus of two independent codings where there are "
                        f"two (see the reliability page): {VERDICT_MEANING}. Each links to its evidence: the numbers "
                        "it rests on, its margin (the smallest change in the data that would make it false), and "
                        "what was tried to break it.</p>\n"
                        + "\n".join(groups))
    terms = _terms_html()
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style type="text/css">
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       max-width: 48em; margin: 2em auto; padding: 0 1em; color: #222; }}
h1 {{ font-size: 1.6em; line-height: 1.25; }}
h2 {{ font-size: 1.25em; margin-top: 1.6em; }}
h3 {{ font-size: 1.05em; margin: 1.2em 0 0.3em; }}
.note {{ color: #555; font-size: 0.95em; }}
ul.findings li {{ margin: 0.35em 0; }}
dl.terms dt {{ font-weight: 600; margin-top: 0.5em; }}
dl.terms dd {{ margin: 0 0 0 1.2em; color: #333; }}
{VERDICT_STYLE}
.question {{ font-size: 1.1em; color: #444; }}
ol li {{ margin: 0.6em 0; }}
a {{ color: #1565c0; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<p class="question">{html.escape(question)}</p>
<h2>Notebooks</h2>
<ol>
{items}
</ol>
{key_findings}
<h2>Terms used</h2>
<dl class="terms">
{terms}
</dl>
<p class="note">Everything on these pages, charts and their filters included, works in this browser with no
network and no Python. The articles' texts are their publishers' work, reproduced here for research and teaching
(each page links the original); share this folder for that purpose only, or share the export without texts
(<code>python -m helpers export --no-text</code>).</p>
</main>
</body>
</html>
"""


# What a reader without a methods course needs to read the pages: the measures and terms they use.
TERMS = {
    "Hand coding": "Reading each article and marking, span by span, which fact, frame, label, quote or actor it "
                   "holds, by the rules in the codebook. Where two coders coded, each did it independently, and "
                   "a further reading settled their differences (see the reliability page).",
    "Fact, frame, label": "A fact is an event or detail an article reports. A frame is how a sentence presents the "
                          "story (e.g. as a matter of free speech, or of public safety). A label is a phrase an "
                          "article uses to name or characterise the actor the study focuses on.",
    "Reported speech": "Someone else's words told by the outlet without quotation marks, in German often in the "
                       "Konjunktiv I (\"sei\", \"habe\") or with \"laut\" / \"so X\" (according to X). A "
                       "framing counted in reported speech is that person's, not the outlet's own.",
    "Krippendorff's alpha": "How far two coders agree beyond chance: 1 is perfect, 0 is chance; .800 is the usual "
                            "bar for reliable, .667 for tentative conclusions. The interval shows how sure the "
                            "number is: a code whose interval reaches below .667 is read as uncertain.",
    "Margin": "The smallest change in the data (coded rows, words, days, facts) that would make a finding false, "
              "named with the articles or codes it touches.",
    "Jaccard": "The share of facts two articles have in common: facts both report, divided by facts either reports.",
    "Cosine similarity": "How alike two articles' vocabularies are, from 0 (no word in common) to 1 (the same "
                         "words in the same proportions).",
    "Lemma": "A word's dictionary form (\"Netzwerke\" and \"Netzwerks\" both count as \"Netzwerk\").",
    "z (log-odds)": "How much more an outlet uses a word than the others, allowing for chance; above 1.96 would "
                    "count as distinctive.",
    "F1": "How well the automatic detectors match the hand coding: 1 is a perfect match, 0 none (it weighs misses "
          "and false alarms alike).",
    "Kicker": "The short line above a headline (in German, the Dachzeile).",
    "Publication window": "The days an article may have been written, from the clues in its text that force a "
                          "bound (events it reports as past, a president still in office); readings of tense or of "
                          "what it leaves out give a narrower, likelier window.",
}


def _terms_html() -> str:
    """Render the terms as definition-list entries."""
    return "\n".join(f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>" for term, meaning in TERMS.items())


def _inline_markdown(text: str) -> str:
    """Render one markdown paragraph as inline HTML (links, emphasis, code)."""
    rendered = markdown2html_mistune(text).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.DOTALL)


def _link(page: Page) -> dict[str, str]:
    """Return what a navigation link needs of a page."""
    return {"href": page.href, "title": page.title}


def _where(notebook: NotebookNode, running: dict[str, int]) -> str:
    """Describe the cell that was running by its first line of code, e.g. "cell 4 (`counts = coverage(...)`)"."""
    if "index" not in running:
        return "the kernel"
    index = running["index"]
    lines = [line.strip() for line in notebook.cells[index].source.splitlines() if line.strip()]
    code = [line for line in lines if not line.startswith(("#", "%%"))]
    first_line = (code or lines or [""])[0]
    return f"cell {index + 1} (`{first_line[:60]}`)"


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _error_of(notebook: NotebookNode, running: dict[str, int], err: CellExecutionError) -> str:
    """Return "Type: message" of a failed cell, from its error output (the kernel's reply may say only None)."""
    outputs = notebook.cells[running["index"]].get("outputs", []) if "index" in running else []
    errors = [output for output in outputs if output.get("output_type") == "error"]
    for output in reversed(errors):
        ename, evalue = output.get("ename", ""), output.get("evalue", "")
        if ename and ename != "NoneType":
            return f"{ename}: {evalue}".rstrip(": ")
        last = next((line for line in reversed(_ANSI.sub("", "\n".join(output.get("traceback", []))).splitlines())
                     if line.strip()), "")
        if last:
            return last.strip()
    # A formatter failure (e.g. a chart refused when displayed) is printed by IPython as a traceback on stderr.
    for output in reversed(outputs):
        if output.get("output_type") == "stream" and "Traceback" in output.get("text", ""):
            last = next((line for line in reversed(_ANSI.sub("", output["text"]).splitlines()) if line.strip()), "")
            if last:
                return last.strip()
    if err.ename and err.ename != "NoneType":
        return f"{err.ename}: {err.evalue}"
    return "an error the kernel did not name (see the notebook in JupyterLab)"
