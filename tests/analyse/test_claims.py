"""Findings are claims that code checks: headings match the claims, verdicts change when the numbers do."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import nbformat
import pandas as pd

from helpers.analyse import claims
from helpers.annotate.study import Study
from helpers.errors import CorpusError

ROOT = Path(__file__).resolve().parents[2]
SHOW = re.compile(r'claims\.show\("([^"]+)"')


def notebook_findings() -> dict[str, tuple[str, str]]:
    """Return {claim id: (notebook, heading sentence)} for every claims.show cell of the notebooks."""
    found = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        for n, cell in enumerate(cells):
            match = SHOW.search(cell.source) if cell.cell_type == "code" else None
            if match:
                heading = cells[n - 1].source.split("### Finding:", 1)[1].strip()
                assert match.group(1) not in found, f"{match.group(1)} is shown twice"
                found[match.group(1)] = (path.stem, heading)
    return found


def test_every_finding_heading_is_a_checked_claim_and_every_claim_is_shown(study):
    shown = notebook_findings()
    registry = claims.study_claims(study)
    assert set(shown) == set(registry)
    for claim_id, (notebook, heading) in shown.items():
        item = registry[claim_id]
        assert (notebook, heading) == (item.notebook, item.sentence), claim_id


def test_no_finding_heading_without_its_check():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        for n, cell in enumerate(cells):
            if cell.cell_type == "markdown" and "### Finding:" in cell.source:
                assert SHOW.search(cells[n + 1].source), f"{path.name}: a finding without claims.show under it"


def test_every_claim_holds_on_the_committed_study(study):
    table = claims.claims_table(study)
    assert list(table.columns) == claims.CLAIM_COLUMNS
    assert table["verdict"].eq(claims.HOLDS).all(), table.loc[table["verdict"] != claims.HOLDS, ["claim_id", "why"]]


def with_coder_b_rows(study: Study, coder_b: pd.DataFrame) -> Study:
    hand = pd.concat([study.hand[study.hand["coder"] != "coder_b"], coder_b], ignore_index=True)
    return dataclasses.replace(study, hand=hand)


def test_a_claim_the_coders_split_on_is_a_tie(study):
    # coder_b drops every misspelled-name mention of one article: the two codings now disagree on "three".
    b = study.coder("coder_b")
    b = b[~((b["layer"] == "actors") & (b["article_id"] == "clouddienst") & b["span"].eq("Martin Schulte"))]
    found = claims.verdict("misspelled-names", with_coder_b_rows(study, b))
    assert found.status == claims.TIE and found.per_coder == {"coder_a": "holds", "coder_b": "does not hold"}
    assert "Verdict: TIE - a close call" in found.report()


def test_a_claim_whose_numbers_change_does_not_hold(study):
    coding = study.coding[~((study.coding["layer"] == "facts") & (study.coding["code"] == "nov2020_emails"))]
    changed = dataclasses.replace(study, coding=coding)
    assert claims.verdict("warnings-reported", changed).status == claims.DOES_NOT_HOLD


def test_a_lead_of_two_sentences_or_fewer_is_a_tie(study):
    check = claims.study_claims(study)["safety-vs-speech"].check(study, study.coding)
    ties = [line for line in check.evidence if "tie (2 sentences or fewer apart)" in line]
    assert len(ties) == 2  # kein-hoster 5 vs 4 and server-ab 1 vs 2 are ties, never wins


def test_a_claim_id_the_study_does_not_have_is_not_checked(study):
    found = claims.verdict("no-such-claim", study)
    assert found.status == claims.NOT_CHECKED and "not a claim of this study" in found.why


def test_a_study_without_a_claims_file_has_no_claims(study):
    bare = dataclasses.replace(study, settings=dataclasses.replace(study.settings, claims=""))
    assert claims.study_claims(bare) == {} and claims.claims_table(bare).empty


def test_a_claims_file_that_fails_to_run_names_itself(tmp_path):
    broken = tmp_path / "claims.py"
    broken.write_text("raise RuntimeError('typo')\n", encoding="utf-8")
    try:
        claims.load_claims(broken)
    except CorpusError as exc:
        assert str(broken) in str(exc) and "RuntimeError: typo" in str(exc)
    else:
        raise AssertionError("a broken claims file loaded")
