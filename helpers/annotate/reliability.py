"""Reliability between two hand coders: units, Krippendorff's alpha with a bootstrap interval, disagreements.

Units fit each layer (corpus/annotations/README.md has the coding rules):

facts
    article × fact: 1 when the coder has a span of that fact in the article, else 0.
frames
    sentence × frame (every sentence of every article, every frame): 1 when the coder marks the sentence with
    the frame, else 0. ``frames (voice)``: the voice (own / reported / quoted) of the sentence × frame units both
    coders marked.
quotes
    sentence: 1 when a quote of the coder overlaps the sentence, else 0 (span units would hold no unit both
    coders left empty, and alpha needs those). ``quotes (speaker)``: the speakers of the sentences both marked.
labels, actors
    span units: the spans of both coders in one article and layer that overlap (directly or through a chain)
    form one unit; a coder's value is the set of codes it gave there, or "none". ``labels (voice)`` compares
    voice and attribution on the units both coders gave the same code.

Alpha is nominal (measure.krippendorff_alpha_nominal; the fast two-coder form here gives the same number,
checked in the tests). The 95% interval comes from a seeded bootstrap over units (resampling units with
replacement, 2.5th and 97.5th percentiles); a resample in which alpha is undefined (no variation) is left out
and counted. Thresholds after Krippendorff (2004, p. 241): alpha >= .800 reliable, .667 to .800 tentative
conclusions only, below .667 not used for conclusions. Every per-code alpha rests on few units: read its
interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.annotate.annotations import NOT_CODED, VOICE, Codebook, coded_articles, voice_text
from helpers.text.segment import split_sentences

CODER_A, CODER_B = "coder_a", "coder_b"
NONE = "none"
RESAMPLES = 2000
SEED = 20210111  # the day AWS's suspension took effect in Germany; any fixed number would do
RELIABLE, TENTATIVE = 0.800, 0.667
SPAN_LAYERS = ("labels", "actors")
UNIT_COLUMNS = ["layer", "measure", "article_id", "start", "end", "code", "text", "value_a", "value_b"]
AGREEMENT_COLUMNS = ["layer", "measure", "code", "units", "percent_agreement", "alpha", "ci_low", "ci_high",
                     "resamples_used", "reading"]


@dataclass(frozen=True)
class Interval:
    """Alpha with its bootstrap interval and how many resamples gave a defined alpha."""

    alpha: float
    low: float
    high: float
    used: int


def reading(alpha: float, low: float | None = None) -> str:
    """Return the reading of an alpha and its interval: reliable only when the interval's lower bound reaches .667.

    Krippendorff's bars (.800 reliable, .667 tentative) are read on the lower bound of the 95% interval, not on the
    point estimate alone: a code whose interval reaches below .667 is "uncertain", however high its estimate.
    """
    if math.isnan(alpha):
        return "undefined (no variation)"
    if alpha < TENTATIVE:
        return "not used for conclusions"
    if low is not None and not math.isnan(low) and low < TENTATIVE:
        return f"uncertain: interval [{low:.2f}, …] reaches below .667"
    return "reliable" if alpha >= RELIABLE else "tentative"


def _alpha_from_counts(pair_counts: np.ndarray, categories: int) -> np.ndarray:
    """Return nominal alpha for each row of unit-pair counts (rows: samples; columns: a*K + b pair codes)."""
    o = pair_counts.reshape(len(pair_counts), categories, categories)
    o = o + o.transpose(0, 2, 1)  # each unit adds (a, b) and (b, a): two values, weight 1/(m - 1) = 1
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    observed = n - np.trace(o, axis1=1, axis2=2)
    expected = n * n - (n_c * n_c).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * observed / expected, np.nan)


def alpha_interval(values_a: Sequence[object], values_b: Sequence[object], *, resamples: int = RESAMPLES,
                   seed: int = SEED) -> Interval:
    """Return two coders' nominal alpha over paired units, with a bootstrap 95% interval over units."""
    pairs = [(a, b) for a, b in zip(values_a, values_b, strict=True) if not _missing(a) and not _missing(b)]
    if not pairs:
        return Interval(math.nan, math.nan, math.nan, 0)
    categories = {v: i for i, v in enumerate(sorted({str(v) for pair in pairs for v in pair}))}
    k = len(categories)
    codes = np.array([categories[str(a)] * k + categories[str(b)] for a, b in pairs])
    onehot = np.zeros((len(codes), k * k))
    onehot[np.arange(len(codes)), codes] = 1
    alpha = float(_alpha_from_counts(onehot.sum(axis=0, keepdims=True), k)[0])
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(codes), np.full(len(codes), 1 / len(codes)), size=resamples)
    sampled = _alpha_from_counts(weights @ onehot, k)
    sampled = sampled[~np.isnan(sampled)]
    if len(sampled) == 0:
        return Interval(alpha, math.nan, math.nan, 0)
    low, high = np.percentile(sampled, [2.5, 97.5])
    return Interval(alpha, float(low), float(high), len(sampled))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _coder_rows(hand: pd.DataFrame, coder: str, layer: str) -> pd.DataFrame:
    return hand[(hand["coder"] == coder) & (hand["layer"] == layer)]


def _presence_units(hand: pd.DataFrame, layer: str, keys: Iterable[tuple[str, int | None, int | None, str, str]],
                    coders: tuple[str, str]) -> list[dict]:
    """Return presence units (1/0 per coder) for (article, start, end, code, text) keys."""
    marked = {}
    for coder in coders:
        rows = _coder_rows(hand, coder, layer)
        if layer == "facts":
            marked[coder] = set(zip(rows["article_id"], rows["code"], strict=True))
        else:
            marked[coder] = set(zip(rows["article_id"], rows["start"], rows["end"], rows["code"], strict=True))
    units = []
    for article_id, start, end, code, text in keys:
        key = (article_id, code) if layer == "facts" else (article_id, start, end, code)
        a, b = (int(key in marked[c]) for c in coders)
        units.append({"layer": layer, "measure": "presence", "article_id": article_id, "start": start, "end": end,
                      "code": code, "text": text, "value_a": a, "value_b": b})
    return units


def _voice_value(row: pd.Series | object) -> str:
    return voice_text(getattr(row, VOICE, "") or "", getattr(row, "attributed_to", "") or "")


def _frame_voice_units(hand: pd.DataFrame, coders: tuple[str, str]) -> list[dict]:
    """Return the voice of each sentence × frame unit that both coders marked."""
    by_coder = []
    for coder in coders:
        rows = _coder_rows(hand, coder, "frames")
        by_coder.append({(r.article_id, r.start, r.end, r.code): r for r in rows.itertuples()})
    units = []
    for key in [k for k in by_coder[0] if k in by_coder[1]]:
        a, b = by_coder[0][key], by_coder[1][key]
        units.append({"layer": "frames", "measure": "voice", "article_id": key[0], "start": key[1], "end": key[2],
                      "code": key[3], "text": a.span, "value_a": _voice_value(a), "value_b": _voice_value(b)})
    return units


def span_clusters(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge spans that overlap (directly or through a chain) into (start, end) units, in text order."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _span_units(hand: pd.DataFrame, layer: str, texts: Mapping[str, str], coders: tuple[str, str]) -> list[dict]:
    """Return span units of a layer: codes per coder, and the attribute of units both gave the same code."""
    units = []
    rows = [_coder_rows(hand, coder, layer) for coder in coders]
    for article_id in texts:
        mine = [r[r["article_id"] == article_id] for r in rows]
        spans = [(s, e) for r in mine for s, e in zip(r["start"], r["end"], strict=True)]
        for start, end in span_clusters(spans):
            inside = [r[(r["start"] < end) & (start < r["end"])] for r in mine]
            values = ["+".join(sorted(set(r["code"]))) or NONE for r in inside]
            text = texts[article_id][start:end]
            units.append({"layer": layer, "measure": "code", "article_id": article_id, "start": start, "end": end,
                          "code": "", "text": text, "value_a": values[0], "value_b": values[1]})
            if layer == "labels" and values[0] == values[1] != NONE:
                a, b = ("; ".join(sorted(_voice_value(r) for r in side.itertuples())) for side in inside)
                units.append({"layer": layer, "measure": "voice", "article_id": article_id, "start": start,
                              "end": end, "code": values[0], "text": text, "value_a": a, "value_b": b})
    return units


def _quote_units(hand: pd.DataFrame, texts: Mapping[str, str], coders: tuple[str, str]) -> list[dict]:
    """Return sentence units for quotes (1 when a quote overlaps the sentence) and the speakers of shared ones."""
    rows = [_coder_rows(hand, coder, "quotes") for coder in coders]
    units = []
    for article_id, text in texts.items():
        mine = [r[r["article_id"] == article_id] for r in rows]
        for sentence in split_sentences(text):
            inside = [r[(r["start"] < sentence.end) & (sentence.start < r["end"])] for r in mine]
            base = {"layer": "quotes", "article_id": article_id, "start": sentence.start, "end": sentence.end,
                    "code": "direct_quote", "text": sentence.text}
            units.append({**base, "measure": "presence", "value_a": int(not inside[0].empty),
                          "value_b": int(not inside[1].empty)})
            if not inside[0].empty and not inside[1].empty:
                a, b = ("; ".join(sorted(set(side["speaker"]))) for side in inside)
                units.append({**base, "measure": "speaker", "value_a": a, "value_b": b})
    return units


def reliability_units(hand: pd.DataFrame, texts: Mapping[str, str], codebook: Codebook,
                      coders: tuple[str, str] = (CODER_A, CODER_B)) -> pd.DataFrame:
    """Return every unit the two coders are compared on, with each coder's value (UNIT_COLUMNS)."""
    missing = [c for c in coders if c not in set(hand["coder"])]
    if missing:
        raise ValueError(f"no hand coding from {', '.join(missing)}: reliability needs both coders' files in "
                         "corpus/annotations/<coder>/")
    coded = [set(hand.loc[hand["coder"] == c, "article_id"]) for c in coders]  # once, not once per article
    texts = {a: t for a, t in texts.items() if all(a in ids for ids in coded)}
    fact_keys = [(a, None, None, code, "") for a in texts for code in codebook.ids("facts")]
    frame_keys = [(a, s.start, s.end, code, s.text) for a, text in texts.items() for s in split_sentences(text)
                  for code in codebook.ids("frames")]
    units = (_presence_units(hand, "facts", fact_keys, coders) + _presence_units(hand, "frames", frame_keys, coders)
             + _frame_voice_units(hand, coders) + _quote_units(hand, texts, coders))
    for layer in SPAN_LAYERS:
        units += _span_units(hand, layer, texts, coders)
    return pd.DataFrame(units, columns=UNIT_COLUMNS).astype({"start": "Int64", "end": "Int64"})


def _agreement_row(layer: str, measure: str, code: str, a: Sequence[object], b: Sequence[object],
                   resamples: int) -> dict:
    interval = alpha_interval(a, b, resamples=resamples)
    agree = float(np.mean([x == y for x, y in zip(a, b, strict=True)])) if len(a) else math.nan
    return {"layer": layer, "measure": measure, "code": code, "units": len(a), "percent_agreement": agree,
            "alpha": interval.alpha, "ci_low": interval.low, "ci_high": interval.high,
            "resamples_used": interval.used, "reading": reading(interval.alpha, interval.low)}


def agreement_table(units: pd.DataFrame, codebook: Codebook, resamples: int = RESAMPLES) -> pd.DataFrame:
    """Return alpha with its 95% interval and percent agreement per layer and measure, then per code."""
    rows = []
    for (layer, measure), group in units.groupby(["layer", "measure"], sort=False):
        rows.append(_agreement_row(layer, measure, "", list(group["value_a"]), list(group["value_b"]), resamples))
    for layer in ("facts", "frames"):
        presence = units[(units["layer"] == layer) & (units["measure"] == "presence")]
        for code in codebook.ids(layer):
            group = presence[presence["code"] == code]
            rows.append(_agreement_row(layer, "presence", code, list(group["value_a"]), list(group["value_b"]),
                                       resamples))
    for layer in ("labels", "actors"):
        spans = units[(units["layer"] == layer) & (units["measure"] == "code")]
        for code in codebook.ids(layer):
            # Binary per code over all span units of the layer: 1 where the coder gave this code there.
            a = [int(code in v.split("+")) for v in spans["value_a"]]
            b = [int(code in v.split("+")) for v in spans["value_b"]]
            if any(a) or any(b):
                rows.append(_agreement_row(layer, "code", code, a, b, resamples))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def disagreements(units: pd.DataFrame) -> pd.DataFrame:
    """Return the units where the two coders' values differ, in layer and text order."""
    differ = units[units["value_a"].astype(str) != units["value_b"].astype(str)]
    return differ.reset_index(drop=True)


def coding_status(hand: pd.DataFrame, article_ids: Sequence[str], coders: tuple[str, str] = (CODER_A, CODER_B)
                  ) -> pd.DataFrame:
    """Return article × coder: "coded" or "not coded yet"; only articles both coded enter the reliability units."""
    done = coded_articles(hand)
    return pd.DataFrame({"article_id": list(article_ids),
                         **{coder: ["coded" if a in done.get(coder, set()) else NOT_CODED for a in article_ids]
                            for coder in coders}})
