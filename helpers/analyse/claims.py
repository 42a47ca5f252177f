"""Every `### Finding:` sentence of the notebooks, as a claim that code checks.

A claim is a sentence ("only two", "four of five", "every") plus a function that computes the numbers it
states from the study's tables and says whether they hold. ``verdict(claim_id, study)`` runs it on the
consensus coding the findings use and, for a claim that rests on hand coding, on each coder's own coding too:

- **holds** / **does not hold**: what the numbers say on the consensus coding;
- **tie**: a close call — the check itself calls it close (e.g. a lead of two sentences or fewer), or the two
  coders' codings disagree on whether it holds, so the margin lies within the coders' disagreement.

Each verdict prints the evidence it rests on and the alpha (with its 95% interval) of the layers it uses.
When a new article or code changes the numbers, the printed verdict changes with them; the notebook's
heading is the claim's sentence (a test keeps the two identical), never a number typed by hand.

The claims are the case's, so they live with its data: the study file names a Python file in the corpus folder
(`claims: claims.py`) that registers them on a ``Claims`` registry named CLAIMS. ``study_claims(study)`` loads
it (once per file version). Like a notebook, that file is code: open only corpus folders you trust.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.annotate.annotations import coded_in
from helpers.annotate.reliability import CODER_A, CODER_B, TENTATIVE
from helpers.annotate.study import Study
from helpers.errors import CorpusError

HOLDS, DOES_NOT_HOLD, TIE, NOT_CHECKED = "holds", "does not hold", "tie", "not checked"
CLOSE_SENTENCES = 2  # a lead of this many sentences or fewer is a tie
CLAIM_COLUMNS = ["claim_id", "notebook", "finding", "verdict", "why", "rests_on", "alpha", "coder_a", "coder_b"]
EVIDENCE_LINES_MAX = 40  # evidence lines a claim prints; the rest are counted (the study has at most a dozen)


@dataclass(frozen=True)
class Check:
    """What a claim's function found: whether it holds, the evidence lines, and why it is close (if it is)."""

    holds: bool
    evidence: list[str]
    close: str = ""


@dataclass(frozen=True)
class Claim:
    """A finding's sentence, its notebook, the coding layers it rests on and the function that checks it."""

    claim_id: str
    notebook: str
    sentence: str
    rests_on: tuple[str, ...]
    check: Callable[[Study, pd.DataFrame], Check]


@dataclass(frozen=True)
class Verdict:
    """A claim's checked status with its evidence, per-coder results and the alpha of its layers."""

    claim: Claim
    status: str
    why: str
    evidence: list[str]
    per_coder: dict[str, str] = field(default_factory=dict)
    alphas: str = ""

    def report(self) -> str:
        """Return the evidence, then the verdict line, as the notebook prints it."""
        evidence = self.evidence[:EVIDENCE_LINES_MAX]
        if len(self.evidence) > EVIDENCE_LINES_MAX:  # a large corpus: one line per article would bury the verdict
            evidence.append(f"… and {len(self.evidence) - EVIDENCE_LINES_MAX:,} more lines of evidence "
                            "(Verdict.evidence holds them all).")
        lines = [*evidence, f"Verdict: {self.status.upper()} - {self.why}"]
        if self.per_coder:
            lines.append("Per coder: " + "; ".join(f"{c} {s}" for c, s in self.per_coder.items()) + ".")
        if self.alphas:
            lines.append(f"Rests on: {self.alphas}.")
        return "\n".join(lines)


class Claims(dict[str, Claim]):
    """A study's claims by id, in the order they are registered (a study's claims file makes one, CLAIMS)."""

    def claim(self, claim_id: str, notebook: str, sentence: str, rests_on: tuple[str, ...] = ()) -> Callable:
        """Register a check function as the claim `claim_id` of `notebook`."""
        def register(check: Callable[[Study, pd.DataFrame], Check]) -> Callable[[Study, pd.DataFrame], Check]:
            if claim_id in self:
                raise ValueError(f"claim {claim_id!r} is registered twice")
            self[claim_id] = Claim(claim_id, notebook, sentence, rests_on, check)
            return check
        return register


_LOADED: dict[tuple[str, str], Claims] = {}


def load_claims(path: Path) -> Claims:
    """Run a claims file and return its CLAIMS registry (run again only when the file's content changed)."""
    source = path.read_bytes()
    key = (str(path.resolve()), hashlib.sha256(source).hexdigest())
    if key not in _LOADED:
        spec = importlib.util.spec_from_file_location(f"study_claims_{key[1][:12]}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise CorpusError([f"{path}: the claims file fails to run ({type(exc).__name__}: {exc})"]) from exc
        registry = getattr(module, "CLAIMS", None)
        if not isinstance(registry, Claims):
            raise CorpusError([f"{path}: the claims file must define CLAIMS = Claims() and register its claims on it"])
        _LOADED[key] = registry
    return _LOADED[key]


def study_claims(study: Study) -> Claims:
    """Return the claims of a study (none when its study file names no claims file)."""
    path = study.settings.claims_path(study.root)
    return load_claims(path) if path else Claims()


def _alphas(study: Study, layers: tuple[str, ...]) -> str:
    table = study.agreement
    if not study.two_coders or not layers:
        return ", ".join(layers) + (" (one coder: no alpha)" if layers else "")
    parts = []
    for layer in layers:
        rows = table[(table["layer"] == layer) & (table["code"] == "")]
        parts.append(layer + " " + ", ".join(
            f"{r.measure} alpha {r.alpha:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] {r.reading}"
            for r in rows.itertuples()))
    return "; ".join(parts)


def verdict(claim_id: str, study: Study) -> Verdict:
    """Check one claim on the consensus coding (and on each coder's, when it rests on hand coding)."""
    registry = study_claims(study)
    if claim_id not in registry:
        item = Claim(claim_id, "", "", (), lambda study, coding: Check(False, []))
        return Verdict(item, NOT_CHECKED, f"{claim_id!r} is not a claim of this study ({study.root})", [])
    item = registry[claim_id]
    per_coder: dict[str, str] = {}
    try:
        found = item.check(study, study.coding)
        if item.rests_on and {CODER_A, CODER_B} <= set(study.hand["coder"]):
            for coder in (CODER_A, CODER_B):
                per_coder[coder] = HOLDS if item.check(study, study.coder(coder)).holds else DOES_NOT_HOLD
    except (KeyError, ValueError, IndexError) as exc:  # a corpus without what the claim counts (another study)
        return Verdict(item, NOT_CHECKED, f"the check cannot run on this corpus ({type(exc).__name__}: {exc})", [])
    status = HOLDS if found.holds else DOES_NOT_HOLD
    why = "the numbers above match the sentence" if found.holds else "the numbers above differ from the sentence"
    if len(set(per_coder.values())) > 1:
        status, why = TIE, "a close call: the two coders' codings do not agree on it"
    if found.close:
        status, why = TIE, f"a close call: {found.close}"
    return Verdict(item, status, why, found.evidence, per_coder, _alphas(study, item.rests_on))


def show(claim_id: str, study: Study) -> None:
    """Print a claim's evidence and verdict (what a finding's cell shows)."""
    print(verdict(claim_id, study).report())


def claims_table(study: Study) -> pd.DataFrame:
    """Return every claim with its verdict, the layers it rests on and their alpha (CLAIM_COLUMNS)."""
    rows = []
    for claim_id in study_claims(study):
        found = verdict(claim_id, study)
        rows.append({"claim_id": claim_id, "notebook": found.claim.notebook, "finding": found.claim.sentence,
                     "verdict": found.status, "why": found.why, "rests_on": ", ".join(found.claim.rests_on),
                     "alpha": found.alphas, "coder_a": found.per_coder.get(CODER_A, ""),
                     "coder_b": found.per_coder.get(CODER_B, "")})
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def coded_ids(study: Study, coding: pd.DataFrame) -> list[str]:
    """Return the articles the coding has rows for, in corpus order (the others are not coded yet)."""
    coded = coded_in(coding)
    return [a for a in study.articles["article_id"] if a in coded]


NAMED_MAX = 20  # articles an evidence line names before it counts the rest


def not_coded(study: Study, coding: pd.DataFrame) -> list[str]:
    """Return an evidence line naming the articles not coded yet (left out of the counts), or nothing."""
    coded = coded_in(coding)
    missing = [a for a in study.articles["article_id"] if a not in coded]
    named = ", ".join(missing[:NAMED_MAX]) + (f" and {len(missing) - NAMED_MAX:,} more ({len(missing):,} in all)"
                                              if len(missing) > NAMED_MAX else "")
    return [f"Articles not coded yet, so not counted: {named}."] if missing else []


def unreliable_codes(study: Study) -> set[str]:
    """Return the codes whose own alpha is below .667 (not used for conclusions), or none with one coder."""
    table = study.agreement
    if not study.two_coders:
        return set()
    return set(table.loc[(table["code"] != "") & (table["alpha"] < TENTATIVE), "code"])
