"""A second, fictional case study runs through validate, export and every notebook with no code change.

tests/fixtures/second_case has its own study.yaml, codebook, coding, events and claims (three short invented
articles about a cloud provider dropping a video platform). If anything in helpers/ still held the Parler case,
one of these steps would break or show Parler's settings.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.analyse import claims
from helpers.annotate.study import load_study
from helpers.publish.report import build_report

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "fixtures" / "second_case"


@pytest.fixture(scope="module")
def case():
    """The second case as a Study."""
    return load_study(CASE)


def test_validate_accepts_the_second_case():
    done = subprocess.run([sys.executable, "-m", "helpers", "validate", "--corpus", str(CASE)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "holds 3 articles" in done.stdout


def test_the_study_file_sets_the_case(case):
    assert case.settings.title.startswith("How three (fictional) outlets")
    assert case.settings.sides == ("Klartext.tv", "Wolkenwerk") and case.focal_name == "Klartext.tv"
    assert case.codebook.label_target == "klartext" and not case.two_coders and case.agreement.empty


def test_its_own_claims_hold_and_the_parler_claims_are_not_checked(case):
    table = claims.claims_table(case)
    assert list(table["claim_id"]) == ["case2-accounts", "case2-political-labels", "case2-sides"]
    assert table["verdict"].eq(claims.HOLDS).all(), table[["claim_id", "why"]]
    assert claims.verdict("fact-reach", case).status == claims.NOT_CHECKED


def test_export_writes_its_tables_and_claims(tmp_path):
    out = tmp_path / "export"
    done = subprocess.run([sys.executable, "-m", "helpers", "export", "--corpus", str(CASE), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with (out / "claims.csv").open(encoding="utf-8-sig") as fh:  # with a BOM, for Excel
        rows = list(csv.DictReader(fh))
    assert {r["claim_id"]: r["verdict"] for r in rows} == dict.fromkeys(
        ["case2-accounts", "case2-political-labels", "case2-sides"], "holds")


def test_every_notebook_builds_a_report_on_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLER_CORPUS", str(CASE))  # what `PARLER_CORPUS=… make report` does
    # A cache of its own: in the user's, these pages would replace the real corpus's ones for notebooks/.
    written = build_report(ROOT / "notebooks", tmp_path / "report", cache_dir=tmp_path / "cache")
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert len(written) == 6 and "Wolkenwerk dropping Klartext.tv" in index
    pages = "".join(path.read_text(encoding="utf-8") for path in written[:-1])
    # Its own findings, declared in its claims.yaml, are on their pages and in the index, with their verdicts.
    assert "Klartext" in pages and "Only one of the three articles labels Klartext.tv politically" in pages
    assert index.count('class="verdict holds"') == 3 and "Only the article with direct quotes" in index
    assert "fact-reach" not in pages  # no Parler finding is shown on another case
    assert os.environ["PARLER_CORPUS"] == str(CASE)
