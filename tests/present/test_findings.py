"""A finding as a reader sees it: the sentence once, the verdict with its margin, tables by name, the README in step."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

from helpers.analyse import claims
from helpers.present import findings

ROOT = Path(__file__).resolve().parents[2]


def test_a_finding_shows_its_sentence_verdict_margin_and_named_tables(study):
    shown = findings.show("political-labels", study)._repr_mimebundle_()
    page, text = shown["text/html"], shown["text/plain"]
    claim = claims.find_claim(study, "political-labels")
    assert f'<h3 id="finding-political-labels">Finding: {html.escape(claim.finding)}</h3>' in page
    assert "HOLDS" in text and "it would no longer hold after a change of" in text
    assert "heise online" in page and "ausschliessen" not in page  # articles by name, never by id
    assert "Not checked by the kit:" in text  # the claim's note is marked as unchecked
    assert shown[findings.FINDING_MIMETYPE] == [{"claim_id": "political-labels", "finding": claim.finding,
                                                 "status": claims.HOLDS, "anchor": "finding-political-labels"}]


def test_a_page_shows_the_findings_claims_yaml_declares_for_it_in_order(study):
    shown = findings.show_page("02-compare-framing", study)._repr_mimebundle_()
    declared = [c.claim_id for c in claims.study_claims(study) if c.page == "02-compare-framing"]
    assert [item["claim_id"] for item in shown[findings.FINDING_MIMETYPE]] == declared and len(declared) == 3
    assert "declares no finding" in repr(findings.show_page("99-no-such-page", study))


def test_text_in_a_claim_is_escaped_on_the_page(study):
    found = claims.verdict("political-labels", study)
    hostile = dataclasses.replace(found, claim=dataclasses.replace(found.claim, finding="<script>x()</script>",
                                                                    note="<img src=x onerror=y()>"))
    page = findings.finding_html(hostile)
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page


def test_the_readme_lists_every_finding_with_its_current_verdict(study):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(findings.README_START, 1)[1].split(findings.README_END, 1)[0].strip()
    assert block == findings.findings_markdown(study), "run `python -m helpers findings` and paste it into README.md"
