"""A finding as a reader sees it: its sentence as a heading, its verdict with the margin in words, the numbers.

Everything comes from the study's `claims.yaml` and the computed verdict (helpers.analyse.claims): the sentence
is written once, there. ``show_page(page, study)`` displays every finding of a page in a notebook (HTML, with a
plain-text twin that nbval compares, and the claims' data the report's index reads); ``show`` displays one;
``finding_html`` is the same block for any page; ``anchor`` is the id the report's index links to.
"""

from __future__ import annotations

import html

import pandas as pd

from helpers.analyse.claims import NOT_CHECKED, PERTURBATIONS, Result, Verdict, shown, study_claims, verdict
from helpers.annotate.study import Study

VERDICT_COLOURS = {"holds": ("#e3f2e1", "#1b5e20"), "does not hold": ("#fde4e1", "#b71c1c"),
                   "tie": ("#fff4d6", "#7a5300"), "fragile": ("#fff4d6", "#7a5300"), "not checked": ("#eee", "#333")}
# Text columns read left-aligned (the page template aligns every table cell right).
TABLE_STYLE = "<style>.pc-finding td, .pc-finding th { text-align: left; }</style>"
ROWS_MAX = 25  # items a table shows (the study's 24 facts fit); the rest are counted
# A finding's output also carries this data (claim id, sentence, verdict, anchor), which the report reads from the
# executed notebook to build its findings box and index: no page's HTML is parsed for a verdict.
FINDING_MIMETYPE = "application/vnd.parler-coverage.finding+json"


def anchor(claim_id: str) -> str:
    """Return the element id of a finding's heading (what the report's index links to)."""
    return f"finding-{claim_id}"


def check_table(results: list[Result]) -> pd.DataFrame:
    """Return the items of checks on one measure as a reader reads them: name, value, what it is made of, and for
    each check whether the item meets it (items meeting the first check first, then by value)."""
    first = results[0].items
    items = first.assign(order=~first["meets"]).sort_values(["order", "value"], ascending=[True, False],
                                                            kind="stable")
    table = pd.DataFrame({"": items["name"].to_numpy(),
                          "value": [shown(v, results[0].measured) for v in items["value"]],
                          "made of": items["detail"].to_numpy()})
    for n, result in enumerate(results, start=1):
        meets = dict(zip(result.items["item"], result.items["meets"], strict=True))
        table[f"meets check {n}" if len(results) > 1 else "meets it"] = [
            "yes" if meets.get(item) else "no" if item in meets else "" for item in items["item"]]
    return table


def _groups(found: Verdict) -> list[list[Result]]:
    """Return the checks in runs that read one measure with the same parameters and items (one table each)."""
    runs: list[list[Result]] = []
    for result in found.results:
        key = (result.check.measure, repr(result.check.params), repr(result.check.where))
        if runs and (runs[-1][0].check.measure, repr(runs[-1][0].check.params), repr(runs[-1][0].check.where)) == key:
            runs[-1].append(result)
        else:
            runs.append([result])
    return runs


def _comparison(result: Result) -> str:
    check = result.check
    op = check.op.replace("_", " ")
    target = check.target if check.target in ("all", "half") else shown(float(check.target), result.measured)
    count = ""
    if check.count:
        count = f"; items meeting it: {check.count[0].replace('_', ' ')} {check.count[1]}"
    elif check.names is None:
        count = "; every item"
    names = f"; exactly: {', '.join(result.items.loc[result.items['item'].isin(check.names), 'name'])}" \
        if check.names else ""
    return f"{result.measured.reads}: {op} {target}{count}{names}"


NAMED_MAX = 20  # articles a line names before it counts the rest


def _listed(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:NAMED_MAX])
    return shown + (f" and {len(names) - NAMED_MAX:,} more ({len(names):,} in all)" if len(names) > NAMED_MAX else "")


def _tally(result: Result) -> str:
    return f"{int(result.items['meets'].sum())} of {len(result.items)} meet it"


def _lines(found: Verdict) -> list[str]:
    lines = [f"Finding: {found.claim.finding}", f"Verdict: {found.status.upper()} — {found.why}; {found.margin}."]
    for run in _groups(found):
        for result in run:
            lines.append(f"Check: {result.check.says or result.check.measure} — {_comparison(result)} — "
                         f"{'met' if result.holds else 'NOT met'} ({_tally(result)})")
        table = check_table(run)
        lines += [f"  {r[0]}: {r[1]} ({r[2]})" for r in table.head(ROWS_MAX).itertuples(index=False)]
        if len(table) > ROWS_MAX:
            lines.append(f"  … and {len(table) - ROWS_MAX} more")
    if found.not_coded:
        lines.append(f"Articles not coded yet, so not counted: {_listed(found.not_coded)}.")
    if found.claim.note:
        lines.append(f"Not checked by the kit: {found.claim.note}")
    if found.perturbations:
        lines.append("Also checked: " + "; ".join(f"{PERTURBATIONS[name]}: {outcome}"
                                                 for name, outcome in found.perturbations.items()))
    if found.rests_on:
        lines.append(f"Rests on: {found.rests_on}.")
    return lines


def finding_html(found: Verdict) -> str:
    """Return a finding's block: heading, verdict with margin, one small table per check, perturbations."""
    background, colour = VERDICT_COLOURS.get(found.status, VERDICT_COLOURS["not checked"])
    parts = [f'<div class="pc-finding">{TABLE_STYLE}<h3 id="{anchor(found.claim.claim_id)}">Finding: '
             f'{html.escape(found.claim.finding)}</h3>',
             f'<p><span style="background:{background};color:{colour};font-weight:600;padding:0 0.4em;'
             f'border-radius:3px;text-transform:uppercase">{html.escape(found.status)}</span> '
             f'{html.escape(found.why)}; {html.escape(found.margin)}.</p>']
    for run in _groups(found):
        table = check_table(run)
        more = f"<p>… and {len(table) - ROWS_MAX} more</p>" if len(table) > ROWS_MAX else ""
        parts += [f"<p><b>{'Check ' + str(n) + ': ' if len(run) > 1 else ''}"
                  f"{html.escape(result.check.says or result.check.measure)}</b> ({html.escape(_comparison(result))}): "
                  f"{'met' if result.holds else '<b>not met</b>'} ({_tally(result)})</p>"
                  for n, result in enumerate(run, start=1)]
        parts.append(table.head(ROWS_MAX).to_html(index=False, escape=True, border=0) + more)
    if found.not_coded:
        parts.append(f"<p>Articles not coded yet, so not counted: {html.escape(_listed(found.not_coded))}.</p>")
    if found.claim.note:
        parts.append(f"<p><i>Not checked by the kit:</i> {html.escape(found.claim.note)}</p>")
    if found.perturbations:
        parts.append("<p>Also checked: " + "; ".join(
            f"{html.escape(PERTURBATIONS[name])}: <b>{html.escape(outcome)}</b>"
            for name, outcome in found.perturbations.items()) + ".</p>")
    if found.rests_on:
        parts.append(f"<p>Rests on: {html.escape(found.rests_on)}.</p>")
    return "\n".join(parts) + "</div>"


class _Shown:
    """Findings for IPython's display: HTML for pages, plain text for nbval and terminals, and their claims data."""

    def __init__(self, found: list[Verdict], empty: str = ""):
        self.found, self.empty = found, empty

    def __repr__(self) -> str:
        return "\n\n".join("\n".join(_lines(found)) for found in self.found) or self.empty

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        page = "\n".join(finding_html(found) for found in self.found) or f"<p>{html.escape(self.empty)}</p>"
        data = [{"claim_id": f.claim.claim_id, "finding": f.claim.finding, "status": f.status,
                 "anchor": anchor(f.claim.claim_id)} for f in self.found if f.status != NOT_CHECKED]
        return {"text/plain": repr(self), "text/html": page, FINDING_MIMETYPE: data}


README_START, README_END = "<!-- findings: made by `python -m helpers findings` -->", "<!-- /findings -->"


def findings_markdown(study: Study) -> str:
    """Return every finding as a Markdown table (verdict, sentence, margin), in claims.yaml's order."""
    rows = ["| verdict | finding | margin, and why |", "|---|---|---|"]
    for claim in study_claims(study):
        found = verdict(claim.claim_id, study)
        cell, sentence = (f"{found.why}; {found.margin}".replace("|", "\\|"), claim.finding.replace("|", "\\|"))
        rows.append(f"| **{found.status}** | {sentence} ({claim.page}) | {cell} |")
    return "\n".join(rows)


def show(claim_id: str, study: Study) -> _Shown:
    """Return one finding for display in a notebook cell: its sentence, verdict, margin and evidence tables."""
    return _Shown([verdict(claim_id, study)])


def show_page(page: str, study: Study) -> _Shown:
    """Return every finding the study's claims.yaml declares for `page` (a notebook's name), in its order."""
    found = [verdict(claim.claim_id, study) for claim in study_claims(study) if claim.page == page]
    return _Shown(found, f"The study's claims.yaml declares no finding for this page ({page}).")
