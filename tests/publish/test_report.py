"""Tests for publish.report and present.charts: the shared HTML report works offline and repeats exactly."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.corpus import corpus_dir
from helpers.corpus.settings import load_settings
from helpers.present import charts, offline
from helpers.present.findings import FINDING_MIMETYPE
from helpers.publish import report
from helpers.publish.outputs import MARKER, mark

# A name that appears only in code cells: if it reaches a page, code inputs are not hidden.
CODE_MARKER = "CODE_ONLY_MARKER_7f3a"

LAB_TEXT = "Only in JupyterLab"
CHARTS_NOTEBOOK = new_notebook(
    cells=[
        new_markdown_cell("# Title one\n\nDraws *two* charts offline.\n\n## Data\n\nNot the summary."),
        new_code_cell(
            "import altair as alt\nimport pandas as pd\n\nfrom helpers.present import charts\n\ncharts.enable_offline()"
        ),
        new_code_cell(
            f"{CODE_MARKER} = pd.DataFrame({{'outlet': ['FAZ', 'taz'], 'articles': [3, 2]}})\n"
            f"alt.Chart({CODE_MARKER}).mark_bar().encode(x='outlet', y='articles')"
        ),
        # A second call, as a helper might make: it must not add a second bundle to the page.
        new_code_cell(
            f"charts.enable_offline()\nalt.Chart({CODE_MARKER}).mark_point().encode(x='outlet', y='articles')"
        ),
        new_markdown_cell(f"{LAB_TEXT}: pick an outlet.", metadata={"tags": [report.LAB_ONLY_TAG]}),
        new_code_cell("import ipywidgets\n\nipywidgets.Dropdown(options=['FAZ', 'taz'])",
                      metadata={"tags": [report.LAB_ONLY_TAG]}),
    ]
)
FINDING = "*One* plus one is two & \"not\" three."
PLAIN_NOTEBOOK = new_notebook(
    cells=[new_markdown_cell("# Title two"), new_markdown_cell("Adds two numbers."),
           new_code_cell("from IPython.display import display\n\n"
                         f"display({{'text/plain': {FINDING!r}, 'text/html': '<h3 id=\"finding-one\">One</h3>', "
                         f"{FINDING_MIMETYPE!r}: {{'claim_id': 'one', 'finding': {FINDING!r}, 'status': 'tie', "
                         "'anchor': 'finding-one'}}, raw=True)"),
           new_code_cell("print(1 + 1)"),
           new_markdown_cell("### Not a finding")]
)


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each test's notebook cache in its own folder, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def write_notebooks(folder: Path, name2notebook: dict[str, nbformat.NotebookNode]) -> Path:
    """Write notebooks into folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, notebook in name2notebook.items():
        nbformat.write(notebook, folder / name)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under folder with its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def chart_ids(page: str) -> list[str]:
    """Return the ids of the offline chart divs on a page, in order."""
    return re.findall(r'<div\b[^>]*\bid="(vl-[0-9a-f]{10}-\d+)"', page)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the report of the two notebooks twice, into two folders, from a cold bundle cache."""
    root = tmp_path_factory.mktemp("report")
    notebooks = write_notebooks(
        root / "notebooks", {"01-draw-charts.ipynb": CHARTS_NOTEBOOK, "02-add-numbers.ipynb": PLAIN_NOTEBOOK}
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root / "cache"))  # kernels inherit it
        first = report.build_report(notebooks, root / "first" / "report")
        second = report.build_report(notebooks, root / "second" / "report")
    assert [path.name for path in first] == ["01-draw-charts.html", "02-add-numbers.html", "index.html"]
    assert [path.name for path in second] == [path.name for path in first]
    return root / "first" / "report", root / "second" / "report"


@pytest.fixture(scope="module")
def pages(builds: tuple[Path, Path]) -> dict[str, str]:
    """Return the first build's files by name."""
    return {path.name: path.read_text(encoding="utf-8") for path in builds[0].iterdir() if path.name != MARKER}


def test_build_writes_only_the_pages_the_index_and_the_marker(builds: tuple[Path, Path]) -> None:
    first, _ = builds
    assert sorted(path.name for path in first.iterdir()) == [
        MARKER,
        "01-draw-charts.html",
        "02-add-numbers.html",
        "index.html",
    ]
    leftovers = [path.name for path in first.parent.iterdir() if path != first]
    assert leftovers == []


def test_index_lists_each_page_with_its_title_and_first_paragraph(pages: dict[str, str]) -> None:
    index = pages["index.html"]
    settings = load_settings(corpus_dir())  # the study file of the corpus the notebooks read
    assert html.escape(settings.title) in index and settings.title
    assert html.escape(settings.question) in index and settings.question
    notebooks = re.search(r"<h2>Notebooks</h2>\s*<ol>(.*?)</ol>", index, re.DOTALL).group(1)
    assert re.findall(r"<li>(.*?)</li>", notebooks, re.DOTALL) == [
        '<a href="01-draw-charts.html">Title one</a> — Draws <em>two</em> charts offline.',
        '<a href="02-add-numbers.html">Title two</a> — Adds two numbers.',
    ]


def test_index_lists_the_findings_linked_to_their_place(pages: dict[str, str]) -> None:
    index, page = pages["index.html"], pages["02-add-numbers.html"]
    findings = index[index.index("<h2>Key findings</h2>"):]
    links = re.findall(r'<li><span class="verdict [^"]+">([^<]+)</span> <a href="([^"]+)">(.*?)</a></li>', findings,
                       re.DOTALL)
    assert [(status, text) for status, _, text in links] == [("tie", html.escape(FINDING))]
    links = [(href, text) for _, href, text in links]
    href = html.unescape(links[0][0])
    assert href == "02-add-numbers.html#finding-one"
    # The anchor, as the browser decodes the fragment, is the id of the finding's heading on its page.
    anchor = urllib.parse.unquote(href.split("#", 1)[1])
    assert f'<h3 id="{html.escape(anchor)}">One</h3>' in page
    assert "Title one" not in findings  # a page with no findings gets no heading there


def _notebook_with(*outputs: dict) -> nbformat.NotebookNode:
    """Return a notebook whose one code cell shows `outputs` as display data."""
    cell = nbformat.v4.new_code_cell("findings.show(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in outputs]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Q"), cell])


def _finding(claim_id: str, sentence: str, status: str) -> dict:
    return {"text/plain": sentence, FINDING_MIMETYPE: [{"claim_id": claim_id, "finding": sentence, "status": status,
                                                       "anchor": f"finding-{claim_id}"}]}


def test_notebook_findings_read_the_claims_data_of_each_finding_output() -> None:
    nb = _notebook_with(_finding("a", "A & B", "tie"), {"text/plain": "Verdict: HOLDS (printed text is not read)"},
                        _finding("c", "C", "does not hold"))
    assert report.notebook_findings(nb) == [report.Finding(text_html="A &amp; B", anchor="finding-a", status="tie"),
                                            report.Finding(text_html="C", anchor="finding-c",
                                                           status="does not hold")]


def test_pages_link_to_the_index_and_their_neighbours(pages: dict[str, str]) -> None:
    first, second = pages["01-draw-charts.html"], pages["02-add-numbers.html"]
    assert 'href="index.html"' in first and 'href="index.html"' in second
    assert 'href="02-add-numbers.html" rel="next"' in first
    assert 'rel="prev"' not in first
    assert 'href="01-draw-charts.html" rel="prev"' in second
    assert 'rel="next"' not in second
    assert "<title>Title one</title>" in first


@pytest.mark.parametrize("name", ["01-draw-charts.html", "02-add-numbers.html", "index.html"])
def test_pages_load_nothing_from_the_network(pages: dict[str, str], name: str) -> None:
    page = pages[name]
    sources = re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]*)", page, re.IGNORECASE)
    stylesheets = re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]*)", page, re.IGNORECASE)
    network = [url for url in sources + stylesheets if re.match(r"(https?:)?//", url, re.IGNORECASE)]
    assert network == []
    assert not re.search(r"import\(\s*[\"'](https?:)?//", page)  # e.g. the lab template's mermaid loader
    for cdn_only in ["require.js", "MathJax", "html-manager", "cdnjs", "unpkg", "jsdelivr"]:
        assert cdn_only not in page


def test_bundle_is_inlined_once_and_both_charts_get_a_div(pages: dict[str, str]) -> None:
    page = pages["01-draw-charts.html"]
    assert page.count(charts.bundle_html()) == 1
    ids = chart_ids(page)
    assert len(ids) == 2 and ids[0] != ids[1]
    for div_id in ids:
        assert page.count(div_id) == 2  # the div and its script's fallback lookup
    assert charts.bundle_html() not in pages["02-add-numbers.html"]


def test_chart_ids_are_identical_across_builds(builds: tuple[Path, Path]) -> None:
    first, second = (chart_ids((build / "01-draw-charts.html").read_text(encoding="utf-8")) for build in builds)
    assert len(first) == 2
    assert first == second


def test_code_inputs_and_prompts_are_hidden(pages: dict[str, str]) -> None:
    page = pages["01-draw-charts.html"]
    assert "Draws <em>two</em> charts offline." in page  # narrative stays
    assert CODE_MARKER not in page
    assert "ipywidgets.Dropdown" not in page
    assert not re.search(r'class="[^"]*\bjp-(Input|Output)Prompt\b', page)
    assert "<pre>2\n</pre>" in pages["02-add-numbers.html"]  # outputs stay


def test_lab_only_cells_are_left_out(pages: dict[str, str]) -> None:
    page = pages["01-draw-charts.html"]
    assert LAB_TEXT not in page and "application/vnd.jupyter.widget" not in page
    assert "Draws <em>two</em> charts offline." in page


def test_an_untagged_widget_stops_the_build(tmp_path: Path) -> None:
    notebook = new_notebook(cells=[new_markdown_cell("# Dead control"),
                                   new_code_cell("import ipywidgets\n\nipywidgets.IntSlider()")])
    folder = write_notebooks(tmp_path / "notebooks", {"01-dead-control.ipynb": notebook})
    with pytest.raises(report.ReportError, match="01-dead-control: cell 2 shows an interactive control"):
        report.build_report(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def previous_report(folder: Path) -> dict[str, bytes]:
    """Write a stand-in for an earlier report into folder and return its snapshot."""
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("previous report", encoding="utf-8")
    (folder / "01-old.html").write_text("previous page", encoding="utf-8")
    mark(folder, "report")
    return snapshot(folder)


@pytest.mark.parametrize(
    ("interruption", "expected"),
    [(DeadKernelError("kernel died"), report.ReportError), (KeyboardInterrupt(), KeyboardInterrupt)],
)
def test_interrupted_build_keeps_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interruption: BaseException, expected: type[BaseException]
) -> None:
    notebooks = write_notebooks(
        tmp_path / "notebooks", {"01-draw-charts.ipynb": PLAIN_NOTEBOOK, "02-add-numbers.ipynb": PLAIN_NOTEBOOK}
    )
    out_dir = tmp_path / "build" / "report"
    before = previous_report(out_dir)

    async def execute(client: NotebookClient, **kwargs: object) -> nbformat.NotebookNode:
        """Stand in for a kernel: pass the first notebook through, fail on the second."""
        if executed:
            raise interruption
        executed.append(client.nb)
        return client.nb

    executed: list[nbformat.NotebookNode] = []
    monkeypatch.setattr(NotebookClient, "async_execute", execute)
    with pytest.raises(expected) as raised:
        report.build_report(notebooks, out_dir, jobs=1, cache_dir=None)

    assert len(executed) == 1  # the first page was built before the failure
    if expected is report.ReportError:
        assert "02-add-numbers.ipynb" in str(raised.value)
        assert "DeadKernelError" in str(raised.value)
    assert snapshot(out_dir) == before
    assert sorted(path.name for path in out_dir.parent.iterdir()) == ["report"]


def test_failing_cell_is_named_and_the_previous_report_kept(tmp_path: Path) -> None:
    failing = new_notebook(
        cells=[
            new_markdown_cell("# Fails"),
            new_code_cell("x = 1"),
            new_code_cell("\nraise ValueError('no such outlet')"),
        ]
    )
    notebooks = write_notebooks(tmp_path / "notebooks", {"01-fail.ipynb": failing})
    out_dir = tmp_path / "build" / "report"
    before = previous_report(out_dir)

    with pytest.raises(report.ReportError) as raised:
        report.build_report(notebooks, out_dir)

    message = str(raised.value)
    assert "01-fail.ipynb" in message
    assert "cell 3 (`raise ValueError('no such outlet')`)" in message
    assert "ValueError: no such outlet" in message
    assert snapshot(out_dir) == before
    assert sorted(path.name for path in out_dir.parent.iterdir()) == ["report"]


def test_a_cell_failing_when_displayed_names_its_error_and_code(tmp_path: Path) -> None:
    # Like Altair's MaxRowsError: the display raises, and the kernel's reply says only "NoneType: None".
    failing = new_notebook(cells=[
        new_markdown_cell("# Too big"),
        new_code_cell("class TooBig:\n    def _repr_mimebundle_(self, include=None, exclude=None):\n"
                      "        raise ValueError('The number of rows in your dataset is greater than 5000')"),
        new_code_cell("# NBVAL_IGNORE_OUTPUT\n# a chart of every article\n\nTooBig()"),
    ])
    notebooks = write_notebooks(tmp_path / "notebooks", {"01-too-big.ipynb": failing})

    with pytest.raises(report.ReportError) as raised:
        report.build_report(notebooks, tmp_path / "out")

    message = str(raised.value)
    assert "01-too-big.ipynb: cell 3 (`TooBig()`) raised ValueError: The number of rows in your dataset" in message
    assert "NoneType" not in message and "NBVAL" not in message
    assert not (tmp_path / "out").exists()


def test_no_notebooks_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(report.ReportError, match="no notebooks named like"):
        report.build_report(tmp_path, tmp_path / "report")
    assert not (tmp_path / "report").exists()


def test_describe_page_reads_the_first_heading_and_paragraph(tmp_path: Path) -> None:
    notebook = new_notebook(
        cells=[
            new_code_cell("# Title in a comment, not a heading"),
            new_markdown_cell("Intro without heading."),
            new_markdown_cell("# Which outlets quoted Parler?\nIts CEO, John\nMatze, was quoted by three.\n\nMore."),
        ]
    )
    nbformat.write(notebook, tmp_path / "03-quote-voices.ipynb")
    nbformat.write(new_notebook(cells=[new_code_cell("1")]), tmp_path / "04-bare.ipynb")

    page = report.describe_page(tmp_path / "03-quote-voices.ipynb")
    bare = report.describe_page(tmp_path / "04-bare.ipynb")

    assert (page.title, page.summary, page.href) == (
        "Which outlets quoted Parler?",
        "Its CEO, John Matze, was quoted by three.",
        "03-quote-voices.html",
    )
    assert (bare.title, bare.summary) == ("04-bare", "")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the bundle")
def test_two_copies_of_the_bundle_do_not_clash(tmp_path: Path) -> None:
    script = re.search(r"<script>(.*)</script>", charts.bundle_html(), re.DOTALL).group(1)
    (tmp_path / "bundle.js").write_text(script, encoding="utf-8")
    # Two classic <script>s share one global scope; vm.runInThisContext twice reproduces that.
    check = (
        "const vm = require('vm'); const fs = require('fs'); globalThis.window = globalThis;"
        "const js = fs.readFileSync(process.argv[1], 'utf8');"
        "vm.runInThisContext(js); const first = window.vegaEmbed;"
        "vm.runInThisContext(js);"
        "if (typeof first !== 'function' || window.vegaEmbed !== first) { process.exit(1); }"
    )
    result = subprocess.run(
        ["node", "-e", check, str(tmp_path / "bundle.js")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("second_cell", "expected_copies"), [("cell-a", 2), ("cell-b", 1), (None, 1)])
def test_bundle_is_shown_again_only_when_its_cell_reruns(
    monkeypatch: pytest.MonkeyPatch, second_cell: str | None, expected_copies: int
) -> None:
    class Kernel:
        cell: str | None = "cell-a"

        def get_parent(self) -> dict:
            """Return the execute request's header as JupyterLab sends it."""
            return {"metadata": {"cellId": self.cell}}

    class Shell:
        kernel = Kernel()

    shown: list[dict] = []
    monkeypatch.setattr(offline, "get_ipython", lambda: Shell)
    monkeypatch.setattr(offline, "display", lambda bundle, raw: shown.append(bundle))
    monkeypatch.setattr(offline, "_bundle_shown", False)
    monkeypatch.setattr(offline, "_bundle_cell", None)

    with offline.alt.renderers.enable(offline.alt.renderers.active):  # puts the renderer back on exit
        offline.enable_offline()
        Shell.kernel.cell = second_cell  # a re-run of the same cell, another cell, or a frontend without ids
        offline.enable_offline()
        assert offline.alt.renderers.active == "offline"

    assert len(shown) == expected_copies
    assert shown[0]["text/html"] == offline.bundle_html()


def test_the_findings_box_goes_under_the_question_and_lists_each_verdict() -> None:
    body = ('<h1 id="q">Did they differ?<a class="anchor-link" href="#q">¶</a></h1><p>The question.</p><p>More.</p>'
            '<h3 id="finding-a">Finding: A holds</h3><h3 id="finding-b">Finding: B is a tie</h3>')
    found = report.notebook_findings(_notebook_with(_finding("a", "A holds", "holds"), _finding("b", "B", "tie")))
    boxed = report.with_findings_box(body, found)
    assert boxed.index("<p>The question.</p>") < boxed.index('<nav class="pc-findings"') < boxed.index("<p>More.</p>")
    box = boxed[boxed.index("<nav"):boxed.index("</nav>")]
    assert re.findall(r'class="verdict ([a-z-]+)"', box) == ["holds", "tie"]
    assert 'href="#finding-a"' in box and 'href="#finding-b"' in box
    plain = "<h1>No findings</h1><p>Just a page.</p>"
    assert report.with_findings_box(plain, []) == plain
