"""One value for the whole study: the corpus, the codebook, every coding, the consensus the findings use.

``load_study(root)`` reads everything once; notebooks and the claims check pass the Study down instead of
re-reading files. Only the command line and a notebook's first cell decide which corpus folder to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from helpers import corpus
from helpers.annotate import annotations, consensus, reliability
from helpers.annotate.annotations import Codebook
from helpers.corpus import glossary


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
    units: pd.DataFrame | None = None  # coder_a and coder_b compared unit by unit (None without both)

    @cached_property
    def agreement(self) -> pd.DataFrame | None:
        """Return alpha per layer and code between coder_a and coder_b (computed once), or None without both."""
        return None if self.units is None else reliability.agreement_table(self.units, self.codebook)

    def coder(self, name: str) -> pd.DataFrame:
        """Return one coder's rows."""
        return self.hand[self.hand["coder"] == name].reset_index(drop=True)


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
    return Study(folder, articles, texts, codebook, hand, coding, events, glossary.load_glossary(folder), units)
