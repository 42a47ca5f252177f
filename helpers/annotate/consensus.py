"""The consensus coding: both coders' readings, with every disagreement settled by an adjudicator's reading.

``corpus/annotations/adjudication.csv`` holds one row per disagreement (a unit of helpers.annotate.reliability where
the two coders' values differ): which reading stands (``coder_a``, ``coder_b`` or ``neither``) and a one-line
reason. The coders' own files are never changed. The consensus is built when it is loaded:

- start from coder_a's rows;
- for each adjudicated unit, drop coder_a's rows in that unit and, when the decision is ``coder_b``, add
  coder_b's rows in it (``neither`` leaves the unit empty);
- a disagreement not adjudicated yet keeps coder_a's reading and is listed by ``pending``.

"In a unit" follows the unit's kind: facts, the article and fact; frames, the sentence and frame; quotes, the
rows overlapping the sentence; labels and actors, the rows overlapping the span unit. Where the coders agree
the consensus keeps coder_a's rows (the same codes; a fact's clause may be a few words longer or shorter).
With a single coder, that coder's rows are the study's coding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from helpers.annotate.annotations import Codebook
from helpers.annotate.reliability import CODER_A, CODER_B, disagreements, reliability_units
from helpers.corpus.articles import corpus_dir
from helpers.corpus.readers import read_table
from helpers.errors import CorpusError

CONSENSUS = "consensus"
DECISIONS = (CODER_A, CODER_B, "neither")
ADJUDICATION_COLUMNS = ["layer", "measure", "article_id", "start", "end", "code", "value_a", "value_b",
                        "decision", "reason"]
KEY = ["layer", "measure", "article_id", "start", "end", "code"]


def adjudication_path(root: Path | None = None) -> Path:
    """Return the adjudication file of a corpus folder."""
    return corpus_dir(root) / "annotations" / "adjudication.csv"


def _key(row: Mapping[str, object]) -> tuple[str, ...]:
    return tuple("" if pd.isna(row[k]) else str(row[k]) for k in KEY)


def read_adjudication(path: Path, open_units: pd.DataFrame, articles: Iterable[str] | None = None
                      ) -> tuple[dict[tuple[str, ...], tuple[str, str]], list[str]]:
    """Read the adjudication file; return {unit key: (decision, reason)} and every problem (file and line named).

    A row must name a unit where the coders disagree now, with the values they gave (so a decision made
    on an older coding is caught, not silently applied), a decision in DECISIONS and a reason. Rows about
    articles outside `articles` (a subset of the corpus) are skipped, as codebook examples are.
    """
    articles = None if articles is None else set(articles)
    if not path.exists():
        return {}, []
    table = read_table(path, ADJUDICATION_COLUMNS, optional=["text"], multiline=["value_a", "value_b", "text"],
                       what="adjudication file")
    current = {_key(u): u for u in open_units.to_dict("records")}
    decided: dict[tuple[str, ...], tuple[str, str]] = {}
    problems = list(table.problems)
    for line, row in table.rows:
        where = f"{path} line {line}"
        if articles is not None and row["article_id"] not in articles:
            continue
        unit = current.get(_key(row))
        if unit is None:
            problems.append(f"{where}: no disagreement at {row['layer']} {row['measure']} {row['article_id']} "
                            f"{row['start']}-{row['end']} {row['code']} in the current codings (already settled, "
                            "or the coding changed: adjudicate it again)")
        elif (str(unit["value_a"]), str(unit["value_b"])) != (row["value_a"], row["value_b"]):
            problems.append(f"{where}: the coders' values are now {str(unit['value_a'])!r} / {str(unit['value_b'])!r}, "
                            f"not {row['value_a']!r} / {row['value_b']!r}: adjudicate it again")
        elif row["decision"] not in DECISIONS:
            problems.append(f"{where}: decision {row['decision']!r} must be one of {', '.join(DECISIONS)}")
        elif not row["reason"]:
            problems.append(f"{where}: give a one-line reason for the decision")
        elif _key(row) in decided:
            problems.append(f"{where}: this unit is adjudicated twice")
        else:
            decided[_key(row)] = (row["decision"], row["reason"])
    return decided, problems


def _in_unit(rows: pd.DataFrame, unit: Mapping[str, object]) -> pd.Series:
    """Return which of a coder's rows lie in a unit (see the module docstring)."""
    same = (rows["layer"] == unit["layer"]) & (rows["article_id"] == unit["article_id"])
    if unit["layer"] == "facts":
        return same & (rows["code"] == unit["code"])
    if unit["layer"] == "frames":
        return same & (rows["code"] == unit["code"]) & (rows["start"] == unit["start"]) & (rows["end"] == unit["end"])
    return same & (rows["start"] < unit["end"]) & (unit["start"] < rows["end"])


def build_consensus(hand: pd.DataFrame, decided: Mapping[tuple[str, ...], tuple[str, str] | str],
                    open_units: pd.DataFrame) -> pd.DataFrame:
    """Return the consensus rows (coder "consensus") from both coders' rows and the decisions."""
    consensus = hand[hand["coder"] == CODER_A].copy()
    second = hand[hand["coder"] == CODER_B]
    added = []
    for unit in open_units.to_dict("records"):
        decision = decided.get(_key(unit))
        decision = decision[0] if isinstance(decision, tuple) else decision
        if decision is None or decision == CODER_A:
            continue
        consensus = consensus[~_in_unit(consensus, unit)]
        if decision == CODER_B:
            added.append(second[_in_unit(second, unit)])
    consensus = pd.concat([consensus, *added], ignore_index=True)
    consensus = consensus.drop_duplicates(["article_id", "layer", "code", "start", "end"])
    consensus = consensus.sort_values(["article_id", "layer", "start", "end", "code"], kind="stable")
    return consensus.assign(coder=CONSENSUS).reset_index(drop=True)


def pending(open_units: pd.DataFrame, decided: Mapping[tuple[str, ...], str]) -> pd.DataFrame:
    """Return the disagreements nobody has adjudicated yet."""
    keep = [_key(u) not in decided for u in open_units.to_dict("records")]
    return open_units[keep].reset_index(drop=True)


def _open_units(hand: pd.DataFrame, texts: Mapping[str, str], codebook: Codebook,
                units: pd.DataFrame | None) -> pd.DataFrame:
    """Return the disagreements of the reliability units (computed here unless the caller has them)."""
    return disagreements(reliability_units(hand, texts, codebook) if units is None else units)


def study_coding(hand: pd.DataFrame, texts: Mapping[str, str], codebook: Codebook, root: Path | None = None,
                 units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the coding the findings use: the consensus of coder_a and coder_b, else the only coder's rows.

    `units` are helpers.annotate.reliability's units of these codings, when the caller has them already.
    Raises CorpusError when the adjudication file has a bad or stale row.
    """
    coders = set(hand["coder"])
    if not {CODER_A, CODER_B} <= coders:
        first = CODER_A if CODER_A in coders else (sorted(coders)[0] if coders else None)
        return hand[hand["coder"] == first].reset_index(drop=True) if first else hand
    open_units = _open_units(hand, texts, codebook, units)
    decided, problems = read_adjudication(adjudication_path(root), open_units, texts)
    if problems:
        raise CorpusError(problems)
    return build_consensus(hand, decided, open_units)


def check_adjudication(hand: pd.DataFrame, texts: Mapping[str, str], codebook: Codebook,
                       root: Path | None = None) -> tuple[list[str], int]:
    """Return the adjudication file's problems and how many disagreements still wait for a decision."""
    if not {CODER_A, CODER_B} <= set(hand["coder"]):
        return [], 0
    open_units = _open_units(hand, texts, codebook, None)
    decided, problems = read_adjudication(adjudication_path(root), open_units, texts)
    return problems, len(pending(open_units, decided))


def adjudicated(units: pd.DataFrame, root: Path | None = None) -> pd.DataFrame:
    """Return every disagreement among reliability `units` with its decision and reason ("pending" if none yet).

    Raises CorpusError when the adjudication file has a bad or stale row.
    """
    open_units = disagreements(units)
    decided, problems = read_adjudication(adjudication_path(root), open_units, set(units["article_id"]))
    if problems:
        raise CorpusError(problems)
    decisions = [decided.get(_key(u), ("pending", "")) for u in open_units.to_dict("records")]
    return open_units.assign(decision=[d for d, _ in decisions], reason=[r for _, r in decisions])
