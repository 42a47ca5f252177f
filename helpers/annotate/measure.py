"""Measure the detectors against the hand coding, and two hand coders against each other.

Both tables have ANNOTATION_COLUMNS (helpers.annotate.annotations). Each side must hold one coder: pass
``hand[hand["coder"] == "coder_a"]`` when there are several. Nothing here is tuned to the corpus; the same
rules measure any detector, or a second coder against the first.

Matching rules
--------------
Span level (every layer, ``level == "span"``)
    A detected span is a true positive (tp) when it has the same article, layer and code as a hand span
    that is not yet matched, and the two spans overlap by at least one character. Matching is greedy and
    one-to-one: within an article and code, all overlapping pairs are taken largest overlap first (ties:
    closer starts, then text order), and each span joins at most one pair. A hand span left over is a false
    negative (fn, "missed by detector"); a detected span left over is a false positive (fp, "detector only").
    Actors, labels and quotes are measured only at this level.
Attribution (tp pairs only)
    quotes: the pair agrees when both name the same ``speaker``; labels: when both give the same
    ``attributed_to`` (empty, i.e. asserted by the outlet, equals empty). Reported as attribution accuracy:
    agreeing pairs / tp pairs. A wrong speaker does not turn a tp into an error at span level.
Article level (facts and frames, ``level == "article"``)
    A code is present in an article when the side has at least one span of it there. tp: present in both;
    fn: only in the hand coding; fp: only in the detections. This is the level the coverage tables use
    (does the article state the fact at all?); the span level says whether the detector found the same clause
    or sentence. Both are reported, labelled by ``level``.
Scores
    precision = tp / (tp + fp), recall = tp / (tp + fn), f1 = 2 tp / (2 tp + fp + fn). A ratio whose
    denominator is 0 is NaN (nothing detected: precision is undefined, not 0 or 1); f1 is NaN only when
    both sides are empty, and 0 when the detector found nothing the hand coding has.

Agreement between hand coders
-----------------------------
``krippendorff_alpha_nominal`` is the reference implementation of Krippendorff's alpha (any number of coders,
missing values allowed); helpers.annotate.reliability measures the two hand coders with it, per layer on units that fit
each layer, with bootstrap intervals.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from helpers.annotate.annotations import LAYERS

SPAN = "span"
ARTICLE = "article"
# Layers also judged as presence per article (coverage and framing are read that way).
PRESENCE_LAYERS = ("facts", "frames")
ATTRIBUTION_FIELD = {"quotes": "speaker", "labels": "attributed_to"}
MISSED = "missed by detector"
DETECTOR_ONLY = "detector only"
KIND = {"fn": MISSED, "fp": DETECTOR_ONLY}
MATCH_COLUMNS = [
    "article_id", "layer", "code", "level", "outcome",
    "hand_start", "hand_end", "hand_span", "detected_start", "detected_end", "detected_span", "overlap",
    "hand_speaker", "detected_speaker", "hand_attributed_to", "detected_attributed_to", "attribution_agrees",
    "hand_note", "detected_note",
]
SCORE_COLUMNS = ["tp", "fp", "fn", "precision", "recall", "f1",
                 "attribution_field", "attribution_checked", "attribution_agreed", "attribution_accuracy"]
DISAGREEMENT_COLUMNS = ["article_id", "layer", "code", "kind", "span", "start", "end",
                        "speaker", "attributed_to", "note"]
AGREEMENT_COLUMNS = ["layer", "alpha", "units", "values", "coders", "note"]


def levels_of(layer: str) -> list[str]:
    """Return the levels a layer is measured at: span, plus article for facts and frames."""
    return [SPAN, ARTICLE] if layer in PRESENCE_LAYERS else [SPAN]


def _prepared(table: pd.DataFrame, side: str, layer: str) -> pd.DataFrame:
    """Check one side's columns and coder, and return its rows of `layer` with text fields as str."""
    missing = [c for c in ("article_id", "layer", "code", "start", "end", "span") if c not in table.columns]
    if missing:
        raise ValueError(f"{side} annotations lack column(s) {', '.join(missing)} (see ANNOTATION_COLUMNS)")
    if "coder" in table.columns:
        coders = sorted(table["coder"].dropna().astype(str).unique())
        if len(coders) > 1:
            raise ValueError(f"{side} annotations hold several coders ({', '.join(coders)}); "
                             f"pass one, e.g. table[table['coder'] == {coders[0]!r}]")
    rows = table[table["layer"] == layer].copy()
    for column in ("article_id", "code", "span", "speaker", "attributed_to", "note"):
        rows[column] = rows[column].fillna("").astype(str) if column in rows.columns else ""
    rows["start"] = rows["start"].astype("int64")
    rows["end"] = rows["end"].astype("int64")
    return rows.sort_values(["article_id", "code", "start", "end"], kind="stable").reset_index(drop=True)


def _row(article_id: str, layer: str, code: str, level: str, outcome: str,
         hand: dict | None, detected: dict | None, overlap: float = math.nan) -> dict:
    row: dict = {"article_id": article_id, "layer": layer, "code": code, "level": level, "outcome": outcome,
                 "overlap": overlap}
    for prefix, side in (("hand", hand), ("detected", detected)):
        for field in ("start", "end", "span", "speaker", "attributed_to", "note"):
            row[f"{prefix}_{field}"] = side[field] if side is not None else None
    field = ATTRIBUTION_FIELD.get(layer)
    row["attribution_agrees"] = (hand[field] == detected[field]
                                 if field and outcome == "tp" and level == SPAN else None)
    return row


def _records_by_code(table: pd.DataFrame) -> dict[tuple[str, str], list[dict]]:
    """Group a prepared side's rows as plain records per (article, code), in text order."""
    # Plain records: itertuples, iloc or .loc per group cost more than the matching itself.
    groups: dict[tuple[str, str], list[dict]] = {}
    for record in table.to_dict("records"):
        groups.setdefault((record["article_id"], record["code"]), []).append(record)
    return groups


def _span_pairs(hand: dict[tuple[str, str], list[dict]], detected: dict[tuple[str, str], list[dict]],
                layer: str) -> list[dict]:
    """Pair hand and detected spans greedily, largest overlap first, one to one."""
    rows = []
    for article_id, code in sorted(set(hand) | set(detected)):
        hs = hand.get((article_id, code), [])
        ds = detected.get((article_id, code), [])
        candidates = []
        for i, h in enumerate(hs):
            for j, d in enumerate(ds):
                overlap = min(h["end"], d["end"]) - max(h["start"], d["start"])
                if overlap > 0:
                    candidates.append((-overlap, abs(h["start"] - d["start"]), i, j))
        paired_hand, paired_detected, pairs = set(), set(), []
        for negative_overlap, _, i, j in sorted(candidates):
            if i not in paired_hand and j not in paired_detected:
                paired_hand.add(i)
                paired_detected.add(j)
                pairs.append((i, j, -negative_overlap))
        for i, j, overlap in pairs:
            rows.append(_row(article_id, layer, code, SPAN, "tp", hs[i], ds[j], overlap))
        rows += [_row(article_id, layer, code, SPAN, "fn", hs[i], None)
                 for i in range(len(hs)) if i not in paired_hand]
        rows += [_row(article_id, layer, code, SPAN, "fp", None, ds[j])
                 for j in range(len(ds)) if j not in paired_detected]
    return rows


def _presence_pairs(hand: dict[tuple[str, str], list[dict]], detected: dict[tuple[str, str], list[dict]],
                    layer: str) -> list[dict]:
    """Compare presence of each code per article; show each side's first span as evidence."""
    rows = []
    for key in sorted(set(hand) | set(detected)):
        h = hand[key][0] if key in hand else None
        d = detected[key][0] if key in detected else None
        outcome = "tp" if h is not None and d is not None else ("fn" if h is not None else "fp")
        article_id, code = key
        rows.append(_row(article_id, layer, code, ARTICLE, outcome, h, d))
    return rows


def match(hand: pd.DataFrame, detected: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Pair detections with hand spans of one layer: one row per tp pair, fp and fn (see the module rules)."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; one of {', '.join(LAYERS)}")
    hand_groups = _records_by_code(_prepared(hand, "hand", layer))
    detected_groups = _records_by_code(_prepared(detected, "detected", layer))
    rows = _span_pairs(hand_groups, detected_groups, layer)
    if layer in PRESENCE_LAYERS:
        rows += _presence_pairs(hand_groups, detected_groups, layer)
    table = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    for column in ("hand_start", "hand_end", "detected_start", "detected_end"):
        table[column] = table[column].astype("Int64")
    table["overlap"] = table["overlap"].astype("float64")
    table["attribution_agrees"] = table["attribution_agrees"].astype("boolean")
    order = table["hand_start"].fillna(table["detected_start"])
    return (table.assign(_order=order)
            .sort_values(["level", "article_id", "_order", "code"], ascending=[False, True, True, True], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def match_all(hand: pd.DataFrame, detected: pd.DataFrame, layers: Sequence[str] = LAYERS) -> pd.DataFrame:
    """Return `match` for every layer, stacked."""
    return pd.concat([match(hand, detected, layer) for layer in layers], ignore_index=True)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def score_counts(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Return precision, recall and f1 from counts (NaN where a denominator is 0)."""
    return {"precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn), "f1": _ratio(2 * tp, 2 * tp + fp + fn)}


def _score_row(pairs: pd.DataFrame, layer: str) -> dict:
    counts = pairs["outcome"].value_counts()
    tp, fp, fn = (int(counts.get(outcome, 0)) for outcome in ("tp", "fp", "fn"))
    agrees = pairs["attribution_agrees"].dropna()
    field = ATTRIBUTION_FIELD.get(layer, "")
    checked, agreed = (len(agrees), int(agrees.sum())) if field else (0, 0)
    return {"tp": tp, "fp": fp, "fn": fn, **score_counts(tp, fp, fn),
            "attribution_field": field, "attribution_checked": checked if field else pd.NA,
            "attribution_agreed": agreed if field else pd.NA,
            "attribution_accuracy": _ratio(agreed, checked) if field else math.nan}


def scores(hand: pd.DataFrame, detected: pd.DataFrame, by: str = "layer") -> pd.DataFrame:
    """Return tp, fp, fn, precision, recall, f1 (and attribution accuracy) per layer and level, or per article too.

    Only articles present in the hand coding are scored (an article nobody has coded has no reference).
    `by="layer"` gives one row per layer and level, every layer listed even when both sides are empty;
    `by="article"` one row per article, layer and level, for every article either side annotates.
    """
    if by not in ("layer", "article"):
        raise ValueError(f"by must be 'layer' or 'article', not {by!r}")
    # Only articles the hand coder has coded can be scored: detections elsewhere are not false positives.
    detected = detected[detected["article_id"].isin(set(hand["article_id"]))]
    pairs = match_all(hand, detected)
    groups = [(layer, level) for layer in LAYERS for level in levels_of(layer)]
    rows = []
    if by == "layer":
        for layer, level in groups:
            subset = pairs[(pairs["layer"] == layer) & (pairs["level"] == level)]
            rows.append({"layer": layer, "level": level, **_score_row(subset, layer)})
        keys = ["layer", "level"]
    else:
        articles = sorted(set(hand["article_id"]) | set(detected["article_id"]))
        for article_id in articles:
            for layer, level in groups:
                subset = pairs[(pairs["article_id"] == article_id) & (pairs["layer"] == layer)
                               & (pairs["level"] == level)]
                rows.append({"article_id": article_id, "layer": layer, "level": level,
                             **_score_row(subset, layer)})
        keys = ["article_id", "layer", "level"]
    table = pd.DataFrame(rows, columns=keys + SCORE_COLUMNS)
    for column in ("attribution_checked", "attribution_agreed"):
        table[column] = table[column].astype("Int64")
    return table


def disagreements(hand: pd.DataFrame, detected: pd.DataFrame, level: str = SPAN) -> pd.DataFrame:
    """Return every fp and fn with its span: kind is 'missed by detector' (fn) or 'detector only' (fp).

    `level="span"` (default) lists spans in every layer; `level="article"` lists facts and frames present
    on one side only, with that side's first span as evidence.
    """
    if level not in (SPAN, ARTICLE):
        raise ValueError(f"level must be {SPAN!r} or {ARTICLE!r}, not {level!r}")
    pairs = match_all(hand, detected)
    pairs = pairs[(pairs["level"] == level) & pairs["outcome"].isin(list(KIND))]
    rows = []
    for pair in pairs.itertuples(index=False):
        side = "hand" if pair.outcome == "fn" else "detected"
        rows.append({"article_id": pair.article_id, "layer": pair.layer, "code": pair.code,
                     "kind": KIND[pair.outcome],
                     **{field: getattr(pair, f"{side}_{field}")
                        for field in ("span", "start", "end", "speaker", "attributed_to", "note")}})
    table = pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
    table[["start", "end"]] = table[["start", "end"]].astype("Int64")
    layer_order = table["layer"].map({layer: n for n, layer in enumerate(LAYERS)})
    return (table.assign(_layer=layer_order).sort_values(["article_id", "_layer", "start"], kind="stable")
            .drop(columns="_layer").reset_index(drop=True))


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def krippendorff_alpha_nominal(data: pd.DataFrame | Sequence[Sequence[object]]) -> float:
    """Return Krippendorff's alpha for nominal data: rows are coders, columns units, None/NaN missing.

    Built from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):
    each unit with m >= 2 values adds 1/(m - 1) for every ordered pair of values from different coders;
    alpha = 1 - (n - 1) * sum(o_ck, c != k) / sum(n_c * n_k, c != k). Units with fewer than two values are
    unpairable and left out. Raises ValueError when alpha is undefined: no unit has two values, or every
    pairable value is the same (expected disagreement 0).
    """
    rows = data.to_numpy(dtype=object).tolist() if isinstance(data, pd.DataFrame) else [list(r) for r in data]
    if len({len(row) for row in rows}) > 1:
        raise ValueError("every coder's row needs one value per unit (use None for missing)")
    coincidences: Counter = Counter()
    for unit in zip(*rows, strict=True):
        values = [v for v in unit if not _missing(v)]
        if len(values) < 2:
            continue
        counts = Counter(values)
        weight = 1 / (len(values) - 1)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                if pairs:
                    coincidences[c, k] += pairs * weight
    marginals: Counter = Counter()
    for (c, _), o in coincidences.items():
        marginals[c] += o
    n = sum(marginals.values())
    if n == 0:
        raise ValueError("alpha is undefined: no unit has values from two or more coders")
    observed = sum(o for (c, k), o in coincidences.items() if c != k)
    expected = n * n - sum(n_c * n_c for n_c in marginals.values())  # sum of n_c * n_k over c != k
    if expected == 0:
        only = next(iter(marginals))
        raise ValueError(f"alpha is undefined: every pairable value is {only!r} (no variation, so no "
                         "disagreement is expected by chance)")
    return 1 - (n - 1) * observed / expected
