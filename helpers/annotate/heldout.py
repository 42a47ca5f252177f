"""Articles written to test the detectors out of sample: a dev set to tune on, a test set only to report.

The detectors' cue lists were written while reading the study's own articles, so their scores there are
in-sample. ``corpus/evaluation/`` holds short German articles written for testing (not news, never part of the
study: no table, chart or finding counts them), in other outlets' styles, each hand-coded by reading by someone
who had not read the cue lists. Two sets, each a folder with the same files:

- ``dev/``: the detectors may be tuned on it (its errors are read);
- ``test/``: held out: never tuned on, its errors never read; only its totals are reported.

Each set folder holds ``articles.csv`` (EVALUATION_COLUMNS), ``raw/<raw_file>`` (the text as written: headline on
the first line, paragraphs split by a blank line) and ``coding/<layer>.csv`` (the hand coding, columns as in
corpus/annotations/README.md; the layers coded: CODED_LAYERS). The texts are cleaned as the study's are, with no
boilerplate rules, and the coding's offsets refer to that clean text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.annotate import annotations, detect, measure
from helpers.annotate.annotations import ANNOTATION_COLUMNS, Codebook
from helpers.corpus.articles import inside, sha256_of
from helpers.corpus.readers import read_table
from helpers.errors import CorpusError, text_problem
from helpers.text.clean import clean_text

EVALUATION_FOLDER = "evaluation"
IN_SAMPLE, DEV, TEST = "in-sample", "dev", "test"
SETS = (IN_SAMPLE, DEV, TEST)
SET_MEANING = {
    IN_SAMPLE: "the study's own articles: the cue lists were written reading them",
    DEV: "articles written for testing; the detectors were tuned on them",
    TEST: "articles written for testing; held out (its errors never read), only its totals reported",
}
EVALUATION_COLUMNS = ["article_id", "style", "written_as", "stated_date", "words", "what_varies", "raw_file", "sha256"]
# The layers the evaluation sets are coded in (frames are coded only in the study's own articles).
CODED_LAYERS = ("actors", "facts", "labels", "quotes")
QUALITY_COLUMNS = ["set", "articles", "layer", "level", *measure.SCORE_COLUMNS]
VARIANT_COLUMNS = ["set", "article_id", "code", "span", "found", "noticed"]
SUMMARY_COLUMNS = ["set", "articles", "facts_f1_article", "facts_f1_span", "actors_f1", "labels_f1", "quotes_f1",
                   "speaker_accuracy", "variants", "variants_noticed"]


@dataclass(frozen=True)
class EvaluationSet:
    """One set of articles written for testing: their ids and styles, clean texts and hand coding."""

    name: str
    folder: Path
    articles: pd.DataFrame
    texts: dict[str, str]
    hand: pd.DataFrame


def evaluation_dir(corpus_root: Path) -> Path:
    """Return the folder that holds a corpus's evaluation sets."""
    return Path(corpus_root) / EVALUATION_FOLDER


def load_set(folder: Path, codebook: Codebook) -> EvaluationSet:
    """Read one evaluation set folder; raise CorpusError naming file and line for every problem."""
    table = read_table(folder / "articles.csv", EVALUATION_COLUMNS, required=["article_id", "raw_file", "sha256"],
                       unique=["article_id", "raw_file"], what="evaluation articles table")
    problems = list(table.problems)
    texts: dict[str, str] = {}
    for line, row in table.rows:
        where = f"{folder / 'articles.csv'} line {line}"
        if (bad := inside(folder / "raw", row["raw_file"], "raw_file")) is not None:
            problems.append(f"{where}: {bad}")
            continue
        path = folder / "raw" / row["raw_file"]
        if not path.is_file() or path.is_symlink():
            problems.append(f"{where}: raw file {path} not found (or not a regular file)")
            continue
        data = path.read_bytes()
        if (bad := text_problem(path, data)) is not None:
            problems.append(bad)
        elif sha256_of(path) != row["sha256"]:
            problems.append(f"{where}: {path} does not match its sha256 (edited since it was coded?)")
        else:
            texts[row["article_id"]] = clean_text(data.decode("utf-8"), "", []).text
    rows: list[dict] = []
    for layer in CODED_LAYERS:
        path = folder / "coding" / f"{layer}.csv"
        if not path.is_file():
            problems.append(f"{path}: coding file not found (each set is coded in {', '.join(CODED_LAYERS)})")
            continue
        found, file_problems = annotations.check_annotation_file(path, codebook, texts)
        rows += found
        problems += file_problems
    if problems:
        raise CorpusError(problems)
    hand = pd.DataFrame(rows, columns=ANNOTATION_COLUMNS).assign(coder=f"{folder.name} coder", is_variant=False)
    articles = pd.DataFrame([row for _, row in table.rows], columns=EVALUATION_COLUMNS).astype("string")
    return EvaluationSet(folder.name, folder, articles, texts, hand.astype({"start": "int64", "end": "int64"}))


def load_evaluation(corpus_root: Path, codebook: Codebook) -> dict[str, EvaluationSet]:
    """Return the corpus's evaluation sets by name (dev, test); empty when the corpus has none."""
    folder = evaluation_dir(corpus_root)
    return {name: load_set(folder / name, codebook) for name in (DEV, TEST) if (folder / name).is_dir()}


def check_evaluation(corpus_root: Path, codebook: Codebook) -> list[str]:
    """Return every problem of a corpus's evaluation sets (empty when it has none or they are sound)."""
    try:
        load_evaluation(corpus_root, codebook)
    except CorpusError as exc:
        return exc.problems
    return []


def noticed_variants(hand: pd.DataFrame, detected: pd.DataFrame) -> pd.DataFrame:
    """Return each hand-coded name variant (note 'variant…') with whether the detectors found and flagged it.

    found: a detected mention of the same actor overlaps it; noticed: one of those is marked `is_variant`.
    """
    variants = hand[(hand["layer"] == "actors") & hand["note"].fillna("").str.startswith("variant")]
    mentions = detected[detected["layer"] == "actors"]
    rows = []
    for variant in variants.itertuples():
        same = mentions[(mentions["article_id"] == variant.article_id) & (mentions["code"] == variant.code)
                        & (mentions["start"] < variant.end) & (mentions["end"] > variant.start)]
        rows.append({"article_id": variant.article_id, "code": variant.code, "span": variant.span,
                     "found": not same.empty, "noticed": bool(same["is_variant"].any())})
    return pd.DataFrame(rows, columns=VARIANT_COLUMNS[1:])


def _ratio(value: float) -> str:
    """Return a score to two decimals, or "–" when it is undefined (nothing to divide by)."""
    return "–" if pd.isna(value) else f"{value:.2f}"


@dataclass(frozen=True)
class Quality:
    """The detectors measured on several sets: scores per set and layer, and every hand-coded name variant."""

    scores: pd.DataFrame  # QUALITY_COLUMNS
    variants: pd.DataFrame  # VARIANT_COLUMNS

    def table(self) -> pd.DataFrame:
        """Return the scores for a reader: a row per layer and level, a column per set ("F1 0.97 (P 0.96, R 0.97)"),
        plus speaker accuracy and the name variants flagged; "not coded" where a set has no coding of a layer."""
        sets = list(dict.fromkeys(self.scores["set"]))
        by_set = {name: self.scores[self.scores["set"] == name].set_index(["layer", "level"]) for name in sets}
        header = {name: f"{name} ({int(by_set[name]['articles'].iloc[0])} articles)" for name in sets}

        def cells(key: tuple[str, str], show: Callable[[pd.Series], str]) -> dict[str, str]:
            return {header[name]: show(by_set[name].loc[key]) if key in by_set[name].index else "not coded"
                    for name in sets}

        def f1(at: pd.Series) -> str:
            return f"{_ratio(at['f1'])} (P {_ratio(at['precision'])}, R {_ratio(at['recall'])})"

        def speakers(at: pd.Series) -> str:
            return f"{_ratio(at['attribution_accuracy'])} ({at['attribution_agreed']} of {at['attribution_checked']})"

        rows = []
        for key in dict.fromkeys(zip(self.scores["layer"], self.scores["level"], strict=True)):
            level = "F1 per article" if key[1] == measure.ARTICLE else "F1 per span"
            rows.append({"layer": key[0], "measure": level, **cells(key, f1)})
            if key[0] == "quotes":
                rows.append({"layer": key[0], "measure": "speaker accuracy", **cells(key, speakers)})
        flagged = {header[name]: f"{int(found['noticed'].sum())} of {len(found)}" for name in sets
                   for found in [self.variants[self.variants["set"] == name]]}
        rows.append({"layer": "actors", "measure": "name variants flagged", **flagged})
        return pd.DataFrame(rows, columns=["layer", "measure", *header.values()])

    def summary(self) -> pd.DataFrame:
        """Return one row per set: facts per article and span F1, quote span F1 and speaker accuracy, variants."""
        rows = []
        for name, scores in self.scores.groupby("set", sort=False):
            at = scores.set_index(["layer", "level"])
            variants = self.variants[self.variants["set"] == name]

            def get(layer: str, level: str, column: str, at: pd.DataFrame = at) -> float:
                return float(at.loc[(layer, level), column]) if (layer, level) in at.index else math.nan

            rows.append({"set": name, "articles": int(scores["articles"].iloc[0]),
                         "facts_f1_article": get("facts", "article", "f1"), "facts_f1_span": get("facts", "span", "f1"),
                         "actors_f1": get("actors", "span", "f1"), "labels_f1": get("labels", "span", "f1"),
                         "quotes_f1": get("quotes", "span", "f1"),
                         "speaker_accuracy": get("quotes", "span", "attribution_accuracy"),
                         "variants": len(variants), "variants_noticed": int(variants["noticed"].sum())})
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def detector_quality(sets: Mapping[str, tuple[Mapping[str, str], pd.DataFrame]], codebook: Codebook,
                     detected: Mapping[str, pd.DataFrame] | None = None) -> Quality:
    """Run the detectors on each named set of (texts, one coder's hand coding) and score them against it.

    Only the articles and layers the hand coding holds are scored (the evaluation sets have no frames). For
    quotes, attribution_accuracy is the speaker accuracy: the share of matched quotes given the hand speaker.
    `detected` may give a set's detections already made (by set name), so they are not made twice.
    """
    tables, variants = [], []
    for name, (texts, hand) in sets.items():
        coded = {a: t for a, t in texts.items() if a in set(hand["article_id"])}
        found = (detected or {}).get(name)
        found = detect.detect_all(coded, codebook, jobs=1) if found is None else found[found["article_id"].isin(coded)]
        layers = set(hand["layer"])
        scores = measure.scores(hand, found[found["layer"].isin(layers)])
        tables.append(scores[scores["layer"].isin(layers)].assign(set=name, articles=len(coded)))
        variants.append(noticed_variants(hand, found).assign(set=name))
    scores = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=QUALITY_COLUMNS)
    found = pd.concat(variants, ignore_index=True) if variants else pd.DataFrame(columns=VARIANT_COLUMNS)
    return Quality(scores[QUALITY_COLUMNS].reset_index(drop=True), found[VARIANT_COLUMNS].reset_index(drop=True))
