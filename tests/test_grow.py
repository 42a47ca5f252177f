"""Adding an article changes every notebook with no code change; an uncoded article shows as "not coded yet".

One grown copy of the corpus serves most tests: `python -m helpers add` adds the fixture article
(tests/fixtures/new_article/, written for the tests) and a hostile one (HTML and script in its text and outlet),
and a new fact and label category go into the codebook with coded spans. The report is built once from it
(PARLER_CORPUS): its pages are checked for escaping, and its executed notebooks (kept in the build's own notebook
cache) are compared with the committed outputs of the same notebooks on the real corpus. A one-article corpus is
run on its own.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers.annotate.annotations import locate
from helpers.corpus import corpus_dir, load_articles
from helpers.publish.cache import NotebookCache, notebook_key, shared_digest
from helpers.publish.report import NOTEBOOK_PATTERN, build_report, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob(NOTEBOOK_PATTERN))
FIXTURE = ROOT / "tests" / "fixtures" / "new_article" / "parler-aws-fixture.txt"
NEW_ID = "fixture-article"
NEW_OUTLET = "Fixture Outlet"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile" / "raw" / "hostile.txt"
HOSTILE_OUTLET = "Hostile <i>Outlet</i>"
# A fact and a label category added to the codebook, each with a span coded in kein-hoster.
FACT_SPAN, LABEL_SPAN = "Alle Daten sollen dabei gesichert worden sein.", "sehr reale Gefahr"


def outputs_text(notebook) -> str:
    """Return every stream and display output of a notebook as one string."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(json.dumps(value) if not isinstance(value, str) else value
                         for value in output.get("data", {}).values())
    return "\n".join(parts)


def add(corpus: Path, raw: Path, article_id: str, outlet: str) -> None:
    """Add one article, dated 13-14 January 2021, with the command line a user would type."""
    added = subprocess.run(
        [sys.executable, "-m", "helpers", "add", str(raw), "--id", article_id, "--outlet", outlet,
         "--title", "", "--published-earliest", "2021-01-13", "--published-latest", "2021-01-14",
         "--corpus", str(corpus)], capture_output=True, text=True, check=False)
    assert added.returncode == 0, added.stderr


def add_new_codes(corpus: Path) -> None:
    """Add a fact and a label category to the codebook, and a coded span of each to coder_a's files."""
    texts = dict(zip(*(load_articles(corpus)[c] for c in ("article_id", "clean_text")), strict=True))
    codebook_path = corpus / "codebook.yaml"
    codebook = yaml.safe_load(codebook_path.read_text(encoding="utf-8"))
    codebook["facts"].append({"id": "fixture_new_fact", "definition": "A fact added by a test.", "include": "x",
                              "exclude": "y", "example": {"article_id": "kein-hoster", "span": FACT_SPAN}})
    codebook["label_categories"]["fixture_risk"] = "Parler described as a risk (added by a test)"
    codebook["labels"].append({"id": "fixture_risk_label", "category": "fixture_risk", "definition": "A test label.",
                               "include": "x", "exclude": "y",
                               "example": {"article_id": "kein-hoster", "span": LABEL_SPAN}})
    codebook_path.write_text(yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for layer, code, span, attributed, voice in (("facts", "fixture_new_fact", FACT_SPAN, "", ""),
                                                 ("labels", "fixture_risk_label", LABEL_SPAN, "amazon", "quoted")):
        start, end = locate(texts["kein-hoster"], span)
        with (corpus / "annotations" / "coder_a" / f"{layer}.csv").open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerow(
                ["kein-hoster", layer, code, start, end, span, "", attributed, "added by a test", voice])


@pytest.fixture(scope="module")
def grown_corpus(tmp_path_factory) -> Path:
    """Return a copy of the corpus with the fixture and the hostile article added, and the new codes."""
    corpus = tmp_path_factory.mktemp("grown") / "corpus"
    shutil.copytree(corpus_dir(), corpus)
    add(corpus, FIXTURE, NEW_ID, NEW_OUTLET)
    add(corpus, HOSTILE, "hostile", HOSTILE_OUTLET)
    add_new_codes(corpus)
    return corpus


@pytest.fixture(scope="module")
def grown_report(grown_corpus) -> tuple[list[Path], dict[str, nbformat.NotebookNode]]:
    """Build the report on the grown corpus once; return its pages and the executed notebooks by name."""
    cache = grown_corpus.parent / "notebook-cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARLER_CORPUS", str(grown_corpus))  # the kernels inherit it
        pages = build_report(ROOT / "notebooks", grown_corpus.parent / "report", cache_dir=cache)
    # Every notebook ran in this build (its cache folder was new); the cache holds each one as executed.
    shared, entries = shared_digest(grown_corpus), NotebookCache(cache)
    cached = {path.name: entries.get(path.name, notebook_key(path, shared)) for path in NOTEBOOKS}
    assert None not in cached.values(), f"not in the build's cache: {[name for name, e in cached.items() if not e]}"
    return pages, {name: entry.notebook for name, entry in cached.items()}


@pytest.fixture(scope="module")
def grown(grown_report) -> dict[str, tuple[str, str]]:
    """Return {notebook name: (committed outputs, outputs on the grown corpus)} as text."""
    return {path.name: (outputs_text(nbformat.read(path, as_version=4)), outputs_text(grown_report[1][path.name]))
            for path in NOTEBOOKS}


def test_the_grown_corpus_validates(grown_corpus):
    validated = subprocess.run([sys.executable, "-m", "helpers", "validate", "--corpus", str(grown_corpus)],
                               capture_output=True, text=True, check=False)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_every_notebook_includes_the_new_article(grown):
    assert grown, "no notebooks found"
    for name, (before, after) in grown.items():
        assert NEW_ID not in before, name
        assert NEW_ID in after or NEW_OUTLET in after, f"{name} does not show the added article"


def test_corpus_finding_counts_the_new_articles(grown):
    before, after = grown["00-describe-corpus.ipynb"]
    other_pages = re.compile(r"Check: every other page loses under 10 percent [^\n]* \((\d+) of (\d+) meet it\)")
    assert other_pages.search(before).groups() == ("3", "3")
    assert other_pages.search(after).groups()[1] == "5" and NEW_OUTLET in after  # the fixture and the hostile article


def test_uncoded_article_is_not_coded_rather_than_absent(grown):
    for name, (_, after) in grown.items():
        if name.startswith(("01", "02", "03")):
            assert "Articles not coded yet, so not counted:" in after, f"{name} does not mark the uncoded article"
    _, coverage = grown["01-compare-coverage.ipynb"]
    # the uncoded articles do not shrink "every coded article": the one fact in all five coded ones still counts
    assert re.search(r"Check: only Apple and Google removing the app is in every coded article [^\n]* met", coverage)


def test_charts_include_the_new_outlet(grown):
    for name, (before, after) in grown.items():
        if name.startswith(("00", "01", "02")):
            # each chart's outlets (what the page's source filter sets) come from the metadata
            sources = re.compile(r'"name": "pc_sources", "value": \[[^\]]*"' + re.escape(NEW_OUTLET) + '"')
            assert sources.search(after) and not sources.search(before), name
            assert f'data-source="{NEW_OUTLET}"' in after, f"{name}: the page's source filter lacks the new outlet"


def subset_corpus(root: Path, keep: str) -> Path:
    """Copy the corpus keeping one article (its raw file, metadata row and hand-coded rows)."""
    corpus = root / "corpus"
    shutil.copytree(corpus_dir(), corpus)
    files = [corpus / "articles.csv", *sorted((corpus / "annotations").glob("*/*.csv"))]
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if path.name == "articles.csv":
            for row in rows:
                if row["article_id"] != keep:
                    (corpus / "raw" / row["raw_file"]).unlink()
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for r in rows if r["article_id"] == keep)
    return corpus


def test_notebooks_run_on_a_one_article_corpus(tmp_path, monkeypatch):
    corpus = subset_corpus(tmp_path, "clouddienst")
    monkeypatch.setenv("PARLER_CORPUS", str(corpus))
    outputs = {path.name: outputs_text(execute_notebook(path)) for path in NOTEBOOKS}
    assert "Check: both t3n pages lose 30 percent or more" in outputs["00-describe-corpus.ipynb"]
    assert "nothing to compare its vocabulary with" in outputs["01-compare-coverage.ipynb"]
    # one article makes no pair: the overlap finding has nothing to compare, and says so rather than failing
    assert re.search(r"Check: every pair's Jaccard share is below 0.5 [^\n]* NOT met \(0 of 0 meet it\)",
                     outputs["01-compare-coverage.ipynb"])


def test_hostile_article_is_text_in_the_report(grown_report):
    """An added article carrying HTML/script shows as text in every page of the report."""
    pages, _ = grown_report
    assert [page.name for page in pages] == [f"{path.stem}.html" for path in NOTEBOOKS] + ["index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<script>alert("x")</script>' not in html, page.name
        assert "<img src=x onerror" not in html and "<i>Outlet</i>" not in html, page.name
    reader = pages[0].read_text(encoding="utf-8")
    assert pages[0].name == "00-describe-corpus.html"
    assert "Hostile &lt;i&gt;Outlet&lt;/i&gt;" in reader or "Hostile \\u003ci\\u003eOutlet" in reader


def test_a_new_code_appears_in_the_tables_and_charts(grown):
    """A fact and a label category added to the codebook (plus coded spans) show up with no code change."""
    before, coverage = grown["01-compare-coverage.ipynb"]
    _, framing = grown["02-compare-framing.ipynb"]
    assert "fixture_new_fact" not in before and "fixture_risk" not in grown["02-compare-framing.ipynb"][0]
    assert "fixture_new_fact" in coverage  # in the reach table, the one-outlet finding and the heatmap
    # The finding "half or more of the facts in one article only" counts the new fact (one article reports it).
    assert re.search(r"Check: half or more of the facts are in one article only [^\n]* met \(14 of 25 meet it\)",
                     coverage), "the one-article finding does not count the new fact"
    assert re.search(r"\n  A fact added by a test\.?: 1 \(t3n", coverage)  # by its codebook name, in one article
    assert "fixture_risk" in framing and "fixture_risk_label" in framing  # label table, summary and chart
