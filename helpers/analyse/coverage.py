"""What each article reported: fact coverage, who is mentioned, who is quoted, how alike the articles are.

Everything is computed from annotation tables (hand coding, or detector output in the same format) and the
article metadata; nothing lists articles, outlets or codes by name. An article a coder has not coded is
"not coded" (NaN), never "absent".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.analyse.tables import annotation_tables, coverage_table
from helpers.annotate.annotations import QUOTED, REPORTED, UNATTRIBUTED, VOICE, Codebook, coded_in
from helpers.corpus.glossary import SEPARATOR
from helpers.corpus.settings import Evidence
from helpers.text.tokens import count_words

THIRD_PARTY = "third parties"
OWN_REPORTER = "the outlet's own reporter"


def coverage_matrix(hand: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return one row per article × fact: present (1/0, NaN = not coded), statements, first evidence span."""
    ids = list(articles["article_id"])
    table = coverage_table(hand, codebook, ids) if not hand.empty else pd.DataFrame(
        columns=["article_id", "coder", "fact_id", "present", "evidence_span", "start", "end"])
    facts = hand[hand["layer"] == "facts"]
    statements = facts.groupby(["article_id", "code"]).size()
    grid = pd.MultiIndex.from_product([ids, codebook.ids("facts")], names=["article_id", "fact_id"]).to_frame(
        index=False)
    merged = grid.merge(table.drop(columns="coder"), on=["article_id", "fact_id"], how="left")
    merged["present"] = merged["present"].astype("Float64")
    counted = statements.rename("statements").rename_axis(["article_id", "fact_id"]).reset_index()
    merged = merged.merge(counted, on=["article_id", "fact_id"], how="left")  # a merge: the grid is articles × facts
    merged["statements"] = merged["statements"].fillna(0).astype("int64")
    merged["evidence_span"] = merged["evidence_span"].fillna("")
    meta = articles.set_index("article_id")
    merged.insert(1, "outlet", merged["article_id"].map(meta["outlet"]))
    definitions = dict(zip(codebook.codes["facts"]["id"], codebook.codes["facts"]["definition"], strict=True))
    merged["definition"] = merged["fact_id"].map(definitions)
    return merged


def fact_reach(matrix: pd.DataFrame) -> pd.DataFrame:
    """Return per fact how many articles and outlets carry it, and which outlets (in corpus order)."""
    present = matrix[matrix["present"] == 1]
    coded_outlets = matrix.loc[matrix["present"].notna(), "outlet"].nunique()
    corpus_order = {outlet: i for i, outlet in enumerate(dict.fromkeys(matrix["outlet"]))}
    reach = present.groupby("fact_id", sort=False).agg(
        articles=("article_id", "nunique"), outlets=("outlet", "nunique"),
        outlet_list=("outlet", lambda s: ", ".join(sorted(set(s), key=corpus_order.__getitem__))))
    reach = reach.reindex(list(dict.fromkeys(matrix["fact_id"]))).fillna({"articles": 0, "outlets": 0,
                                                                          "outlet_list": ""})
    reach = reach.astype({"articles": int, "outlets": int})
    reach["every_outlet"] = reach["outlets"] == coded_outlets
    reach["one_outlet_only"] = reach["outlets"] == 1
    return reach.reset_index()


def shared_facts(matrix: pd.DataFrame) -> pd.DataFrame:
    """Return article × article: facts both carry, and the Jaccard share of their fact sets."""
    ids = list(dict.fromkeys(matrix["article_id"]))
    facts = list(dict.fromkeys(matrix["fact_id"]))
    present = matrix["present"].eq(1).fillna(False).to_numpy(dtype=bool)
    carries = np.zeros((len(ids), len(facts)), dtype=np.int64)  # article × fact: 1 where it carries the fact
    rows = matrix["article_id"].map({a: i for i, a in enumerate(ids)}).to_numpy()
    columns = matrix["fact_id"].map({f: i for i, f in enumerate(facts)}).to_numpy()
    carries[rows[present], columns[present]] = 1
    coded = np.zeros(len(ids), dtype=bool)
    coded[np.unique(rows[matrix["present"].notna().to_numpy(dtype=bool)])] = True
    shared = carries @ carries.T  # every pair at once: a corpus of 1,000 articles has a million pairs
    sizes = carries.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - shared
    both_coded = coded[:, None] & coded[None, :]  # an uncoded article shares nothing *known*: NaN, not 0
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(both_coded & (union > 0), shared / np.where(union > 0, union, 1), np.nan)
    return pd.DataFrame({
        "article_a": np.repeat(ids, len(ids)),
        "article_b": np.tile(ids, len(ids)),
        "shared": pd.array(np.where(both_coded, shared, 0).ravel(), dtype="Int64"),
        "jaccard": jaccard.ravel(),
    }).assign(shared=lambda t: t["shared"].where(both_coded.ravel(), pd.NA))


def code_counts(annotations: pd.DataFrame, layer: str, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return code × article row counts of one layer (codes in codebook order, articles in corpus order, zeros kept)."""
    rows = annotations[annotations["layer"] == layer]
    counts = rows.groupby(["code", "article_id"]).size().unstack(fill_value=0)
    return counts.reindex(index=codebook.ids(layer), columns=list(articles["article_id"]), fill_value=0)


def actor_mentions(annotations: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return actor × article mention counts (actors in codebook order, articles in corpus order)."""
    counts = code_counts(annotations, "actors", articles, codebook)
    names = dict(zip(codebook.codes["actors"]["id"], codebook.codes["actors"]["name"], strict=True))
    counts.insert(0, "actor", counts.index.map(names))
    counts["total"] = counts[list(articles["article_id"])].sum(axis=1)
    return counts.rename_axis(index="actor_id", columns=None).reset_index()


def name_variants(hand: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return the mentions whose surface form is not a codebook spelling (misspellings, variants)."""
    mentions = annotation_tables(hand, codebook, list(articles["article_id"]))["mentions.csv"]
    variants = mentions[mentions["is_variant"]].copy()
    variants.insert(1, "outlet", variants["article_id"].map(articles.set_index("article_id")["outlet"]))
    return variants.reset_index(drop=True)


def speaker_side(speaker: str, outlet: str, codebook: Codebook) -> str:
    """Return the side a quoted speaker speaks for: a codebook `side`, the outlet's own reporter, or third parties.

    A speaker whose `affiliation` (an actor id) is the article's outlet is that outlet's own reporter.
    """
    if not speaker or speaker == UNATTRIBUTED:
        return UNATTRIBUTED
    actors = codebook.codes["actors"].set_index("id")
    if speaker not in actors.index:
        return THIRD_PARTY
    row = actors.loc[speaker]
    affiliation = row.get("affiliation") if "affiliation" in actors.columns else None
    if isinstance(affiliation, str) and affiliation in actors.index and actors.loc[affiliation, "name"] == outlet:
        return OWN_REPORTER
    side = row.get("side") if "side" in actors.columns else None
    return side if isinstance(side, str) and side else THIRD_PARTY


def voices(annotations: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return one row per direct quote with its speaker, side and word count."""
    quotes = annotations[annotations["layer"] == "quotes"].copy()
    outlets = articles.set_index("article_id")["outlet"]
    quotes["outlet"] = quotes["article_id"].map(outlets)
    quotes["speaker"] = quotes["speaker"].fillna("").replace("", UNATTRIBUTED)
    quotes["side"] = [speaker_side(s, o, codebook) for s, o in zip(quotes["speaker"], quotes["outlet"], strict=True)]
    quotes["words"] = quotes["span"].map(count_words)
    return quotes[["article_id", "outlet", "speaker", "side", "words", "span", "start", "end"]].reset_index(drop=True)


def quote_words_by_side(quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Return article × side quote-word totals (articles in corpus order, zeros where a side is not quoted)."""
    table = quotes.pivot_table(index="article_id", columns="side", values="words", aggfunc="sum", fill_value=0)
    table = table.reindex(list(articles["article_id"]), fill_value=0)
    table.columns.name = None
    return table.astype(int).reset_index()


def sides_given_voice(coding: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook,
                      sides: Sequence[str]) -> pd.DataFrame:
    """Return per coded article the `sides` given a voice in quotation marks and in reported speech.

    Direct: words in quotation marks - quote speakers, and labels in a quotation (the codebook codes a quoted
    label as a label, not a quote); `in_quotes` counts quote speakers only. Reported: whom a frame or label in
    reported speech is attributed to. The outlet's own reporter and unattributed voices are not a side.
    """
    outlets = articles.set_index("article_id")["outlet"]
    keep, coded, rows = set(sides), coded_in(coding), []
    for article_id in (a for a in articles["article_id"] if a in coded):
        mine = coding[coding["article_id"] == article_id]
        quotes = mine[mine["layer"] == "quotes"]
        said = mine[mine["layer"].isin(["frames", "labels"]) & mine[VOICE].isin([REPORTED, QUOTED])]
        quoted_labels = mine[(mine["layer"] == "labels") & (mine[VOICE] == QUOTED)]

        def side_of(speakers: Iterable[str], article_id: str = article_id) -> set[str]:
            return {speaker_side(s, outlets[article_id], codebook) for s in speakers} & keep

        direct = side_of([*quotes["speaker"], *quoted_labels["attributed_to"]])
        rows.append({"article_id": article_id, "direct": sorted(direct),
                     "in_quotes": sorted(side_of(quotes["speaker"])),
                     "with_reported": sorted(direct | side_of(said["attributed_to"]))})
    return pd.DataFrame(rows, columns=["article_id", "direct", "in_quotes", "with_reported"])


def account_spans(coding: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook, evidence: Evidence,
                  acting_side: str) -> pd.DataFrame:
    """Return per coded article the spans behind `accounts`: the claim, the earlier evidence, the stated reasons.

    Each cell joins the article's spans in text order (" | "); an empty cell means none. Reasons are the facts in
    `evidence.reasons` and the sentences carrying a frame of `evidence.reason_frames` in reported speech or a
    quote attributed to an actor of `acting_side`.
    """
    outlets = articles.set_index("article_id")["outlet"]
    frames = coding[(coding["layer"] == "frames") & coding["code"].isin(evidence.reason_frames)
                    & coding[VOICE].isin([REPORTED, QUOTED])]
    voiced = frames[[speaker_side(r.attributed_to, outlets[r.article_id], codebook) == acting_side
                     for r in frames.itertuples()]]
    facts = coding[coding["layer"] == "facts"]
    coded = coded_in(coding)

    def spans(rows: pd.DataFrame) -> str:
        return SEPARATOR.join(dict.fromkeys(rows.sort_values("start", kind="stable")["span"]))

    table = []
    for article_id in [a for a in articles["article_id"] if a in coded]:
        mine = facts[facts["article_id"] == article_id]
        table.append({
            "article_id": article_id,
            "claim": spans(mine[mine["code"] == evidence.claim]),
            "earlier_evidence": spans(mine[mine["code"].isin(list(evidence.warnings))]),
            "stated_reasons": spans(pd.concat([mine[mine["code"].isin(list(evidence.reasons))],
                                               voiced[voiced["article_id"] == article_id]])),
        })
    return pd.DataFrame(table, columns=["article_id", "claim", "earlier_evidence", "stated_reasons"])


def accounts(coding: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook, evidence: Evidence,
             acting_side: str) -> pd.DataFrame:
    """Return per coded article whether it reports the claim, the earlier evidence, and the acting side's reasons.

    The ids come from the study file (`evidence`); the spans behind each answer are `account_spans`.
    """
    table = account_spans(coding, articles, codebook, evidence, acting_side)
    for column in ("claim", "earlier_evidence", "stated_reasons"):
        table[column] = table[column] != ""
    return table
