"""Adding an article changes every notebook with no code change; an uncoded article shows as "not coded yet".

Adds the fixture article (tests/fixtures/new_article/, written for the tests) to a temporary copy of the corpus
with `python -m helpers add`, executes every notebook against it (PARLER_CORPUS), and compares with the
committed outputs of the same notebooks on the real corpus.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.corpus import corpus_dir
from helpers.publish.report import NOTEBOOK_PATTERN, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "new_article" / "parler-aws-fixture.txt"
NEW_ID = "fixture-article"
NEW_OUTLET = "Fixture Outlet"


def outputs_text(notebook) -> str:
    """Return every stream and display output of a notebook as one string."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(json.dumps(value) if not isinstance(value, str) else value
                         for value in output.get("data", {}).values())
    return "\n".join(parts)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """Execute every notebook against the corpus plus the fixture article; return {name: (before, after)}."""
    corpus = tmp_path_factory.mktemp("grown") / "corpus"
    shutil.copytree(corpus_dir(), corpus)
    added = subprocess.run(
        [sys.executable, "-m", "helpers", "add", str(FIXTURE), "--id", NEW_ID, "--outlet", NEW_OUTLET,
         "--title", "", "--published-earliest", "2021-01-13", "--published-latest", "2021-01-14",
         "--corpus", str(corpus)], capture_output=True, text=True, check=False)
    assert added.returncode == 0, added.stderr
    mp = pytest.MonkeyPatch()
    mp.setenv("PARLER_CORPUS", str(corpus))  # the kernels inherit it
    try:
        results = {}
        for path in sorted((ROOT / "notebooks").glob(NOTEBOOK_PATTERN)):
            before = outputs_text(nbformat.read(path, as_version=4))
            results[path.name] = (before, outputs_text(execute_notebook(path)))
    finally:
        mp.undo()
    return results


def test_every_notebook_includes_the_new_article(grown):
    assert grown, "no notebooks found"
    for name, (before, after) in grown.items():
        assert NEW_ID not in before, name
        assert NEW_ID in after or NEW_OUTLET in after, f"{name} does not show the added article"


def test_corpus_finding_counts_the_new_article_and_outlet(grown):
    before, after = grown["00-describe-corpus.ipynb"]
    assert "5 articles from 4 outlets" in before
    assert "6 articles from 5 outlets" in after and NEW_OUTLET in after


def test_uncoded_article_is_not_coded_rather_than_absent(grown):
    for name, (_, after) in grown.items():
        if name.startswith(("01", "02", "03")):
            assert "not coded yet" in after, f"{name} does not mark the uncoded article"
    _, coverage = grown["01-compare-coverage.ipynb"]
    assert "Facts in every coded article (1)" in coverage  # the uncoded article does not shrink "every article"


def test_charts_include_the_new_outlet(grown):
    for name, (before, after) in grown.items():
        if name.startswith(("00", "01", "02")):
            # each chart's outlets (what the page's source filter sets) come from the metadata
            sources = re.compile(r'"name": "pc_sources", "value": \[[^\]]*"' + re.escape(NEW_OUTLET) + '"')
            assert sources.search(after) and not sources.search(before), name
            assert f'data-source="{NEW_OUTLET}"' in after, f"{name}: the page's source filter lacks the new outlet"


def subset_corpus(root: Path, keep: str) -> Path:
    """Copy the corpus keeping one article (its raw file, metadata row and hand-coded rows)."""
    import csv

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
    outputs = {path.name: outputs_text(execute_notebook(path))
               for path in sorted((ROOT / "notebooks").glob(NOTEBOOK_PATTERN))}
    assert "1 articles from 1 outlets" in outputs["00-describe-corpus.ipynb"]
    assert "nothing to compare its vocabulary with" in outputs["01-compare-coverage.ipynb"]
    assert "no pair to compare" in outputs["01-compare-coverage.ipynb"]


def test_hostile_article_is_text_in_the_report(tmp_path, monkeypatch):
    """An added article carrying HTML/script shows as text in every page of the report."""
    from helpers.publish.report import build_report

    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir(), corpus)
    hostile = ROOT / "tests" / "fixtures" / "hostile" / "raw" / "hostile.txt"
    added = subprocess.run(
        [sys.executable, "-m", "helpers", "add", str(hostile), "--id", "hostile", "--outlet", "Hostile <i>Outlet</i>",
         "--title", "", "--published-earliest", "2021-01-13", "--published-latest", "2021-01-14",
         "--corpus", str(corpus)], capture_output=True, text=True, check=False)
    assert added.returncode == 0, added.stderr
    monkeypatch.setenv("PARLER_CORPUS", str(corpus))
    pages = build_report(ROOT / "notebooks", tmp_path / "report")
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<script>alert("x")</script>' not in html, page.name
        assert "<img src=x onerror" not in html and "<i>Outlet</i>" not in html, page.name
    reader = (tmp_path / "report" / "00-describe-corpus.html").read_text(encoding="utf-8")
    assert "Hostile &lt;i&gt;Outlet&lt;/i&gt;" in reader or "Hostile \\u003ci\\u003eOutlet" in reader


def test_a_new_code_appears_in_the_tables_and_charts(tmp_path, monkeypatch):
    """A fact and a label category added to the codebook (plus coded spans) show up with no code change."""
    import csv

    import yaml

    from helpers.annotate.annotations import locate
    from helpers.corpus import load_articles

    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir(), corpus)
    texts = dict(zip(*(load_articles(corpus)[c] for c in ("article_id", "clean_text")), strict=True))
    fact_span, label_span = "Alle Daten sollen dabei gesichert worden sein.", "sehr reale Gefahr"
    codebook_path = corpus / "codebook.yaml"
    codebook = yaml.safe_load(codebook_path.read_text(encoding="utf-8"))
    codebook["facts"].append({"id": "fixture_new_fact", "definition": "A fact added by a test.", "include": "x",
                              "exclude": "y", "example": {"article_id": "kein-hoster", "span": fact_span}})
    codebook["label_categories"]["fixture_risk"] = "Parler described as a risk (added by a test)"
    codebook["labels"].append({"id": "fixture_risk_label", "category": "fixture_risk", "definition": "A test label.",
                               "include": "x", "exclude": "y",
                               "example": {"article_id": "kein-hoster", "span": label_span}})
    codebook_path.write_text(yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for layer, code, span, attributed, voice in (("facts", "fixture_new_fact", fact_span, "", ""),
                                                 ("labels", "fixture_risk_label", label_span, "amazon", "quoted")):
        start, end = locate(texts["kein-hoster"], span)
        with (corpus / "annotations" / "coder_a" / f"{layer}.csv").open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerow(
                ["kein-hoster", layer, code, start, end, span, "", attributed, "added by a test", voice])
    assert subprocess.run([sys.executable, "-m", "helpers", "validate", "--corpus", str(corpus)],
                          capture_output=True, check=False).returncode == 0
    monkeypatch.setenv("PARLER_CORPUS", str(corpus))
    coverage = outputs_text(execute_notebook(ROOT / "notebooks" / "01-compare-coverage.ipynb"))
    framing = outputs_text(execute_notebook(ROOT / "notebooks" / "02-compare-framing.ipynb"))
    assert "fixture_new_fact" in coverage  # in the reach table, the one-outlet finding and the heatmap
    assert "Facts in one article only: 14 of 25" in coverage
    # The finding "half or more of the 24 facts" no longer matches its sentence, and the notebook says so.
    assert "Verdict: DOES NOT HOLD" in coverage
    assert "fixture_risk" in framing and "fixture_risk_label" in framing  # label table, summary and chart
