"""Findings are data checked by measures: each claim shown, each verdict able to flip, each slip in the file named."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers.analyse import claims
from helpers.analyse.measures import MEASURES, Data
from helpers.annotate.study import Study, load_study
from helpers.corpus import corpus_dir
from helpers.errors import CorpusError

ROOT = Path(__file__).resolve().parents[2]
SHOW_PAGE = re.compile(r'findings\.show_page\("([^"]+)", study\)')
CLAIM_IDS = [c.claim_id for c in claims.load_claims(claims.claims_path(corpus_dir()))]


def test_every_page_with_findings_shows_them_and_no_finding_is_typed_by_hand(study):
    pages = {c.page for c in claims.study_claims(study)}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        shown = [page for c in cells if c.cell_type == "code" for page in SHOW_PAGE.findall(c.source)]
        assert shown == ([path.stem] if path.stem in pages else []), path.name
        typed = [c for c in cells if c.cell_type == "markdown" and "### Finding:" in c.source]
        assert not typed, f"{path.name}: a finding's sentence typed in a notebook (it lives in claims.yaml)"
    assert pages <= {path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")}


def test_no_python_in_any_corpus_folder():
    folders = [ROOT / "corpus", *sorted((ROOT / "tests" / "fixtures").iterdir())]
    code = [p for folder in folders if folder.is_dir() and (folder / "articles.csv").is_file()
            for p in folder.rglob("*.py")]
    assert code == []


def test_the_committed_study_has_no_finding_that_does_not_hold(study):
    table = claims.claims_table(study)
    assert list(table.columns) == claims.CLAIM_COLUMNS
    assert not table["verdict"].eq(claims.DOES_NOT_HOLD).any(), table[["claim_id", "why"]]
    assert table["margin"].str.len().gt(0).all()


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_each_claim_flips_when_the_data_its_margin_names_changes(study, claim_id):
    """The margin's change, made in the data (rows, words, days), flips the verdict: no check that cannot fail."""
    found = claims.verdict(claim_id, study)
    flipped, data = claims.flip(found, study)
    assert flipped, f"{claim_id}: {found.margin}, yet the verdict stayed"
    before, _ = claims._claim_holds(found.claim, Data.of(study))
    after, _ = claims._claim_holds(found.claim, data)
    assert before != after


def with_coder_b_rows(study: Study, coder_b: pd.DataFrame) -> Study:
    hand = pd.concat([study.hand[study.hand["coder"] != "coder_b"], coder_b], ignore_index=True)
    return dataclasses.replace(study, hand=hand)


def test_a_claim_the_coders_split_on_is_a_tie(study):
    # coder_b drops the misspelled-name mention of one article: the two codings now disagree on "three".
    b = study.coder("coder_b")
    b = b[~((b["layer"] == "actors") & (b["article_id"] == "clouddienst") & b["span"].eq("Martin Schulte"))]
    found = claims.verdict("misspelled-names", with_coder_b_rows(study, b))
    assert found.status == claims.TIE and found.perturbations["coder_b"] == claims.DOES_NOT_HOLD


def test_a_claim_resting_on_an_uncertain_code_is_fragile_and_says_why(study):
    found = claims.verdict("headlines", study)
    assert "twitter_alternative" in claims.uncertain_codes(study)
    assert found.status == claims.FRAGILE and "below .667" in found.why


def test_a_small_margin_is_a_tie(study, tmp_path):
    declared = claims.find_claim(study, "boilerplate")
    wide = dataclasses.replace(declared.checks[1], tie_within=100)  # 34 words of margin now count as close
    found = _verdict_of(study, dataclasses.replace(declared, checks=(declared.checks[0], wide)))
    assert found.status == claims.TIE and "within 100 words" in found.why


def _verdict_of(study: Study, claim: claims.Claim) -> claims.Verdict:
    key = (str(claims.claims_path(study.root)), claims.claims_path(study.root).read_bytes())
    saved = claims._LOADED[key]
    claims._LOADED[key] = tuple(claim if c.claim_id == claim.claim_id else c for c in saved)
    try:
        return claims.verdict(claim.claim_id, study)
    finally:
        claims._LOADED[key] = saved


def test_rewording_a_prose_field_changes_no_verdict(study):
    """No check reads a typed basis: blanking every prose column of articles.csv leaves each verdict as it was."""
    prose = ["date_basis", "date_confidence", "outlet_basis", "url_basis", "notes", "url"]
    blank = dataclasses.replace(study, articles=study.articles.assign(**{c: "reworded" for c in prose}))
    assert claims.claims_table(blank)["verdict"].tolist() == claims.claims_table(study)["verdict"].tolist()


def test_a_claim_id_the_study_does_not_have_is_not_checked(study):
    found = claims.verdict("no-such-claim", study)
    assert found.status == claims.NOT_CHECKED and "not a claim of this study" in found.why


def test_a_corpus_without_a_claims_file_has_no_claims(tmp_path):
    assert claims.load_claims(tmp_path / "claims.yaml") == ()


BAD_CLAIMS = {
    "unknown measure": ("measure: articles_named\n        each: {at_least: 1}", "unknown measure 'articles_named'"),
    "unknown parameter": ("measure: fact_reach\n        params: {layer: facts}\n        each: {at_least: 1}",
                          "has no parameter 'layer'"),
    "unknown code": ("measure: coded_rows\n        params: {layer: facts, codes: [no_such_fact]}\n"
                     "        each: {at_least: 1}", "'no_such_fact' is not a facts id"),
    "unknown comparison": ("measure: fact_reach\n        each: {roughly: 3}", "unknown comparison 'roughly'"),
    "no comparison": ("measure: fact_reach", "give either `each:`"),
    "bad choice": ("measure: window_days\n        params: {clues: maybe}\n        each: {at_least: 1}",
                   "clues must be one of firm, all"),
}


@pytest.mark.parametrize("case", BAD_CLAIMS)
def test_a_slip_in_the_claims_file_is_named_with_file_and_line(tmp_path, study, case):
    check, expected = BAD_CLAIMS[case]
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - id: x\n    page: 00-describe-corpus\n    finding: A sentence.\n    checks:\n"
                    f"      - {check}\n", encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        claims.load_claims(path, claims.codebook_ids(study.codebook))
    assert f"{path} line 6" in str(raised.value) and expected in str(raised.value)


def test_a_claims_file_is_data_and_python_in_it_is_only_text(tmp_path, study):
    path = tmp_path / "claims.yaml"
    path.write_text("claims: !!python/object/apply:os.system ['touch hacked']\n", encoding="utf-8")
    with pytest.raises(CorpusError):
        claims.load_claims(path)
    assert not (tmp_path / "hacked").exists() and not Path("hacked").exists()


def test_every_measure_is_documented_and_can_change_its_data():
    for name, measure in MEASURES.items():
        assert measure.doc and measure.compute.__doc__ and measure.shift is not None, name


def test_the_second_case_checks_its_own_claims():
    case = load_study(ROOT / "tests" / "fixtures" / "second_case")
    assert [c.claim_id for c in claims.study_claims(case)] == ["case2-accounts", "case2-political-labels",
                                                               "case2-sides"]
