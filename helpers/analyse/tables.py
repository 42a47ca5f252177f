"""The coding as tidy tables: one per layer, coverage per article × fact, mentions with their variants.

Both the notebooks (helpers.analyse.coverage) and the CSV export (helpers.publish.export) read these tables.
"""

from __future__ import annotations

import pandas as pd

from helpers.annotate.annotations import Codebook, coded_articles

COVERAGE_COLUMNS = ["article_id", "fact_id", "present", "evidence_span", "start", "end"]
MENTION_COLUMNS = ["article_id", "actor_id", "surface", "start", "end", "is_variant"]
QUOTE_COLUMNS = ["article_id", "speaker_actor_id", "quote", "start", "end"]
LABEL_COLUMNS = ["article_id", "label", "category", "attributed_to", "voice", "start", "end", "phrase"]
FRAME_COLUMNS = ["article_id", "frame", "kind", "voice", "attributed_to", "start", "end", "sentence"]
# Genitive "s" and hyphen compounds are regular forms of a spelling ("Parlers", "AWS-Cloud", "Anti-Facebook").
GENITIVE_ENDINGS = ("", "s")


def is_variant(surface: str, spellings: list[str]) -> bool:
    """Tell whether a mention is none of the actor's spellings, allowing a genitive -s and hyphen compounds."""
    forms = [spelling + ending for spelling in spellings for ending in GENITIVE_ENDINGS]
    if surface in forms:
        return False
    parts = surface.split("-")
    # A hyphen compound names the actor when a run of its parts is a known form: "Parler-App-Nutzer" through
    # "Parler-App" or "Parler", "Anti-Facebook" through "Facebook".
    runs = {"-".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
    return not (len(parts) > 1 and runs.intersection(forms))


def _ordered(rows: pd.DataFrame, article_order: dict[str, int]) -> pd.DataFrame:
    keys = ["_article", "coder", "start"] if "coder" in rows.columns else ["_article", "start"]
    return (rows.assign(_article=rows["article_id"].map(article_order))
            .sort_values(keys, kind="stable").drop(columns="_article").reset_index(drop=True))


def coverage_table(hand: pd.DataFrame, codebook: Codebook, article_ids: list[str]) -> pd.DataFrame:
    """Return one row per coder × article × fact: present 0/1 and the first evidence span.

    A coder without any facts row has not coded facts yet and gets no rows; an article without any row of
    that coder (any layer) has not been coded by them and is left out, so a missing row never reads as 0.
    """
    facts = hand[hand["layer"] == "facts"].sort_values("start", kind="stable")
    first = facts.drop_duplicates(["coder", "article_id", "code"]).set_index(["coder", "article_id", "code"])
    done = coded_articles(hand)
    rows = []
    coders = sorted(set(facts["coder"]))
    for article_id in article_ids:
        for coder in (c for c in coders if article_id in done[c]):
            for fact_id in codebook.ids("facts"):
                key = (coder, article_id, fact_id)
                found = first.loc[key] if key in first.index else None
                rows.append({"article_id": article_id, "coder": coder, "fact_id": fact_id,
                             "present": int(found is not None),
                             "evidence_span": found["span"] if found is not None else "",
                             "start": found["start"] if found is not None else None,
                             "end": found["end"] if found is not None else None})
    table = pd.DataFrame(rows, columns=["article_id", "coder", *COVERAGE_COLUMNS[1:]])
    return table.astype({"present": "int64", "start": "Int64", "end": "Int64"})


def _layer_rows(hand: pd.DataFrame, layer: str, renames: dict[str, str]) -> pd.DataFrame:
    rows = hand[hand["layer"] == layer]
    table = rows[["article_id", "coder", *renames]].rename(columns=renames)
    return table.astype({"start": "Int64", "end": "Int64"})


def annotation_tables(hand: pd.DataFrame, codebook: Codebook | None, article_ids: list[str]) -> dict[str, pd.DataFrame]:
    """Return the hand-coding tables by file name; a `coder` column only when there are several coders."""
    hand = hand.fillna({"speaker": "", "attributed_to": ""})
    hand = hand.assign(voice=hand["voice"].fillna("")) if "voice" in hand.columns else hand.assign(voice="")
    if codebook is None or hand.empty:
        empty = {"coverage.csv": COVERAGE_COLUMNS, "mentions.csv": MENTION_COLUMNS, "quotes.csv": QUOTE_COLUMNS,
                 "labels.csv": LABEL_COLUMNS, "frames.csv": FRAME_COLUMNS}
        return {name: pd.DataFrame(columns=columns) for name, columns in empty.items()}
    spellings = codebook.actor_spellings()
    category = dict(zip(codebook.codes["labels"]["id"], codebook.codes["labels"]["category"], strict=True))
    kind = dict(zip(codebook.codes["frames"]["id"], codebook.codes["frames"]["kind"], strict=True))

    mentions = _layer_rows(hand, "actors", {"code": "actor_id", "span": "surface", "start": "start", "end": "end"})
    # bool even when empty: an empty object column used as a row mask would select columns instead
    mentions["is_variant"] = pd.Series([is_variant(surface, spellings[actor]) for surface, actor in
                                        zip(mentions["surface"], mentions["actor_id"], strict=True)],
                                       index=mentions.index, dtype=bool)
    quotes = _layer_rows(hand, "quotes", {"speaker": "speaker_actor_id", "span": "quote", "start": "start",
                                          "end": "end"})
    labels = _layer_rows(hand, "labels", {"code": "label", "attributed_to": "attributed_to", "voice": "voice",
                                          "start": "start", "end": "end", "span": "phrase"})
    labels.insert(3, "category", labels["label"].map(category))
    frames = _layer_rows(hand, "frames", {"code": "frame", "voice": "voice", "attributed_to": "attributed_to",
                                          "start": "start", "end": "end", "span": "sentence"})
    frames.insert(3, "kind", frames["frame"].map(kind))
    tables = {
        "coverage.csv": (coverage_table(hand, codebook, article_ids), COVERAGE_COLUMNS),
        "mentions.csv": (mentions, MENTION_COLUMNS),
        "quotes.csv": (quotes, QUOTE_COLUMNS),
        "labels.csv": (labels, LABEL_COLUMNS),
        "frames.csv": (frames, FRAME_COLUMNS),
    }
    several = hand["coder"].nunique() > 1
    order = {article_id: n for n, article_id in enumerate(article_ids)}
    result = {}
    for name, (table, columns) in tables.items():
        table = table if name == "coverage.csv" else _ordered(table, order)  # coverage: codebook order
        result[name] = table[[columns[0], "coder", *columns[1:]]] if several else table[columns]
    return result
