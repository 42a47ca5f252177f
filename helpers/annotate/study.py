"""One value for the whole study: the corpus, the codebook, every coding, the consensus, the study's settings.

``load_study(root)`` reads everything once; notebooks and the claims check pass the Study down instead of
re-reading files. Only the command line and a notebook's first cell decide which corpus folder to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from helpers import corpus
from helpers.annotate import annotations, consensus, heldout, reliability
from helpers.annotate.annotations import Codebook
from helpers.corpus import glossary
from helpers.corpus.dates import load_date_clues
from helpers.corpus.settings import Settings, load_settings
from helpers.errors import CorpusError


@dataclass(frozen=True)
class Study:
    """Articles, texts, codebook, every coder's rows, the coding the findings use, events and glosses."""

    root: Path
    articles: pd.DataFrame
    texts: dict[str, str]
    codebook: Codebook
    hand: pd.DataFrame  # every coder's rows (coder_a, coder_b, ...)
    coding: pd.DataFrame  # the consensus (or the only coder's rows): what the findings count
    events: pd.DataFrame
    glosses: dict[str, str]
    settings: Settings  # the case: title, question, sides, evidence ids, searches, claims file (study.yaml)
    # coder_a and coder_b compared unit by unit (reliability.UNIT_COLUMNS); empty until both have coded
    units: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=reliability.UNIT_COLUMNS))

    @property
    def two_coders(self) -> bool:
        """Tell whether coder_a and coder_b have both coded, so that their agreement can be measured."""
        return {reliability.CODER_A, reliability.CODER_B} <= set(self.hand["coder"])

    @cached_property
    def agreement(self) -> pd.DataFrame:
        """Return alpha per layer and code between coder_a and coder_b (computed once); empty without both."""
        if not self.two_coders:
            return pd.DataFrame(columns=reliability.AGREEMENT_COLUMNS)
        return reliability.agreement_table(self.units, self.codebook)

    @cached_property
    def date_clues(self) -> pd.DataFrame:
        """Return the corpus's dating clues (date_clues.csv; empty when it has none)."""
        return load_date_clues(self.root)

    @property
    def focal_name(self) -> str:
        """Return the display name of the actor the labels characterise (the codebook's label target)."""
        return self.codebook.target_name() or "the focal actor"

    @cached_property
    def evaluation(self) -> dict[str, heldout.EvaluationSet]:
        """Return the articles written to test the detectors (dev, test; none for a corpus without them)."""
        return heldout.load_evaluation(self.root, self.codebook)

    @cached_property
    def detector_quality(self) -> heldout.Quality:
        """Return the detectors scored in sample (the coded articles against the coding) and on each evaluation set."""
        sets = {heldout.IN_SAMPLE: (self.texts, self.coding)}
        sets.update({name: (found.texts, found.hand) for name, found in self.evaluation.items()})
        return heldout.detector_quality(sets, self.codebook)

    def coder(self, name: str) -> pd.DataFrame:
        """Return one coder's rows."""
        return self.hand[self.hand["coder"] == name].reset_index(drop=True)


def check_settings(settings: Settings, codebook: Codebook, events: pd.DataFrame) -> list[str]:
    """Return a problem for every id of the study file that the codebook or events do not know."""
    where = str(settings.path)
    problems = []
    sides = {str(s) for s in codebook.codes["actors"].get("side", pd.Series(dtype=object)).dropna()}
    for side in [*settings.sides, *([settings.acting_side] if settings.acting_side else [])]:
        if side not in sides:
            problems.append(f"{where}: side {side!r} is no actor's `side` in the codebook ({', '.join(sorted(sides))})")
    evidence = settings.evidence
    for layer, ids in (("facts", [evidence.claim, *evidence.warnings, *evidence.reasons]),
                       ("frames", list(evidence.reason_frames))):
        known = set(codebook.ids(layer))
        problems += [f"{where}: evidence: {code!r} is not a {layer[:-1]} id of the codebook"
                     for code in ids if code and code not in known]
    if evidence.filing_event and evidence.filing_event not in set(events.get("event_id", [])):
        problems.append(f"{where}: evidence: filing_event {evidence.filing_event!r} is not an event id of events.csv")
    return problems


def check_study_file(root: Path) -> list[str]:
    """Return every problem of a corpus folder's study.yaml: its syntax and keys, and ids the corpus lacks."""
    try:
        settings = load_settings(root)
        if settings.path is None or not annotations.codebook_path(root).is_file():
            return []  # no study file, or no codebook to check its ids against (a corpus not coded yet)
        codebook = annotations.load_codebook(annotations.codebook_path(root))
        events = corpus.load_events(root) if (root / "events.csv").is_file() else pd.DataFrame(
            columns=corpus.EVENT_COLUMNS)
    except CorpusError as exc:
        return exc.problems
    return check_settings(settings, codebook, events)


def load_study(root: str | Path | None = None) -> Study:
    """Read and check the corpus folder `root` (default: corpus/ or $PARLER_CORPUS) into a Study."""
    folder = corpus.corpus_dir(root)
    articles = corpus.load_articles(folder)
    texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
    codebook = annotations.load_codebook(annotations.codebook_path(folder))
    hand = annotations.load_annotations(texts, folder, codebook)
    both = {reliability.CODER_A, reliability.CODER_B} <= set(hand["coder"])
    units = reliability.reliability_units(hand, texts, codebook) if both else None
    coding = consensus.study_coding(hand, texts, codebook, folder, units)
    has_events = (folder / "events.csv").is_file()  # a corpus restored from a share may hold no timeline
    events = corpus.load_events(folder) if has_events else pd.DataFrame(columns=corpus.EVENT_COLUMNS)
    settings = load_settings(folder)
    if problems := check_settings(settings, codebook, events):
        raise CorpusError(problems)
    return Study(folder, articles, texts, codebook, hand, coding, events, glossary.load_glossary(folder), settings,
                 *([units] if units is not None else []))
