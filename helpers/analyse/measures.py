"""The vocabulary findings are declared in: small measures over a study, each a number per item.

A finding in a corpus folder's `claims.yaml` names a measure from ``MEASURES``, its parameters, and what the
sentence says of the numbers (helpers.analyse.claims). Each measure returns a ``Measured``: one row per item
(an article, a fact, a pair of articles, a layer or code of the coding) with its value, a readable detail, and
what it costs, in the measure's unit, to move the value one step up or down; and it can make that change in the
data (``shift``), which is how a claim's margin is found and its flip test proves the check can fail.

Every measure reads hand coding or the texts; none reads a prose field or matches a string typed for one case.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import combinations

import pandas as pd

from helpers.analyse.coverage import OWN_REPORTER, account_spans, speaker_side
from helpers.analyse.framing import headline_bounds
from helpers.analyse.tables import is_variant
from helpers.annotate.annotations import OWN, QUOTED, REPORTED, VOICE, coded_in
from helpers.annotate.reliability import CODER_B, agreement_table, reliability_units
from helpers.annotate.study import Study
from helpers.corpus.articles import short_names
from helpers.corpus.dates import firm_windows, windows
from helpers.corpus.glossary import SEPARATOR

ITEM_COLUMNS = ["item", "name", "value", "up", "down", "detail"]


@dataclass(frozen=True)
class Data:
    """What a measure reads: the study, the coding being counted, and the article table (perturbable)."""

    study: Study
    coding: pd.DataFrame
    articles: pd.DataFrame
    clues: pd.DataFrame
    hand: pd.DataFrame  # every coder's rows: what agreement is measured on

    @classmethod
    def of(cls, study: Study, coding: pd.DataFrame | None = None) -> Data:
        """Return the data of a study, counting `coding` (default: the consensus the findings use)."""
        return cls(study, study.coding if coding is None else coding, study.articles, study.date_clues, study.hand)

    def coded(self) -> list[str]:
        """Return the coded articles, in corpus order."""
        coded = coded_in(self.coding)
        return [a for a in self.articles["article_id"] if a in coded]

    def names(self) -> dict[str, str]:
        """Return each article's short name (outlet and window)."""
        return short_names(self.articles)


@dataclass(frozen=True)
class Measured:
    """A measure's value per item: ITEM_COLUMNS, the unit its margin is counted in, and how to read a value."""

    items: pd.DataFrame
    unit: str  # what `up`/`down` count: "coded rows", "words", "days", "facts", "alpha"
    reads: str  # what the value is, in words
    integer: bool = True  # values move in whole steps (else: continuous, `up`/`down` are units per 1.0 of value)
    percent: bool = False  # values are shares, shown as percentages
    total: int = 0  # what `all` means in a comparison: the coded articles, for instance
    layers: tuple[str, ...] = ()  # the hand-coded layers it counts (its verdict is read per coder on them)


@dataclass(frozen=True)
class Measure:
    """A named measure: how to compute it, its parameters, and how to change the data by one step of an item."""

    name: str
    compute: Callable[..., Measured]
    params: dict[str, type | tuple[type, ...]]
    shift: Callable[..., Data] | None = None  # shift(data, item, direction (+1/-1), steps, **params) -> Data
    tie_within: float = 0  # a margin of this many units or fewer is a close call (a tie), unless a claim says
    doc: str = ""
    required: tuple[str, ...] = field(default=())
    codes_in: str = ""  # the layer its code parameters name (else the `layer` parameter says)


def _table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def _add_rows(data: Data, article_id: str, layer: str, code: str, steps: int, **values: object) -> Data:
    """Return `data` with `steps` made-up coded rows of `code` in an article (a perturbation, never saved)."""
    template = {column: "" for column in data.coding.columns}
    template.update({"article_id": article_id, "layer": layer, "code": code, "start": 0, "end": 0,
                     "span": "(perturbation)", "coder": "perturbation", "line": 0, "is_variant": False, VOICE: ""})
    template.update(values)
    added = pd.DataFrame([template] * steps, columns=data.coding.columns)
    return replace(data, coding=pd.concat([data.coding, added], ignore_index=True))


def _drop_rows(data: Data, mask: pd.Series, steps: int) -> Data:
    """Return `data` without the first `steps` coded rows that `mask` selects."""
    index = data.coding.index[mask][:steps]
    return replace(data, coding=data.coding.drop(index=index))


# ------------------------------------------------------------------------------------------------ coded rows

OUTLET = "outlet"  # a voice for claims: the outlet's own words, or its own reporter's told in reported speech


def _group_mask(coding: pd.DataFrame, study: Study, layer: str, codes: list[str], voices: list[str]) -> pd.Series:
    mask = (coding["layer"] == layer) & coding["code"].isin(codes)
    if not voices:
        return mask
    voiced = coding[VOICE].isin(voices)
    if OUTLET in voices:  # the rules count the outlet's own reporter with the outlet
        outlets = study.articles.set_index("article_id")["outlet"]
        reporter = [speaker_side(str(who), outlets.get(a, ""), study.codebook) == OWN_REPORTER if who else False
                    for a, who in zip(coding["article_id"], coding["attributed_to"].fillna(""), strict=True)]
        voiced |= coding[VOICE].eq(OWN) | pd.Series(reporter, index=coding.index, dtype=bool)
    return mask & voiced


def _groups(study: Study, layer: str, codes: list | None, category: str | None, all_of: list | None) -> list[list]:
    if all_of:
        return [list(group) for group in all_of]
    if category:
        table = study.codebook.codes[layer]
        return [list(table.loc[table["category"] == category, "id"])]
    return [list(codes or [])]


def coded_rows(data: Data, layer: str, codes: list | None = None, category: str | None = None,
               all_of: list | None = None, voices: list | None = None) -> Measured:
    """Count per coded article the rows of `codes` (or of a label `category`) in `layer`, in `voices` if given.

    With `all_of` (a list of code lists) the value is the smallest count among the groups: an article counts only
    when it carries every group.
    """
    groups, voices = _groups(data.study, layer, codes, category, all_of), list(voices or [])
    rows = []
    for article_id in data.coded():
        mine = data.coding[data.coding["article_id"] == article_id]
        counts = [int(_group_mask(mine, data.study, layer, group, voices).sum()) for group in groups]
        rows.append({"item": article_id, "value": min(counts), "up": 1, "down": 1,
                     "detail": " · ".join(f"{_group_name(data.study, layer, g)} {c}"
                                          for g, c in zip(groups, counts, strict=True))})
    names = data.names()
    table = _table(rows).assign(name=lambda t: t["item"].map(names))
    voice_names = [v if v != OUTLET else "the outlet's (its own or its reporter's)" for v in voices]
    voice_words = f" in {' or '.join(voice_names)} voice" if voices else ""
    group_names = [_group_name(data.study, layer, group) for group in groups]
    reads = (f"coded {layer} rows{voice_words} of each group ({'; '.join(group_names)}), the fewest" if len(groups) > 1
             else f"coded {layer} rows of {group_names[0]}{voice_words}")
    return Measured(table, "coded rows", reads, total=len(rows), layers=(layer,))


def _group_name(study: Study, layer: str, group: list[str]) -> str:
    names = study.codebook.names(layer)
    return " or ".join(names.get(code, code) for code in group)


def _shift_coded_rows(data: Data, item: str, direction: int, steps: int, layer: str, codes: list | None = None,
                      category: str | None = None, all_of: list | None = None, voices: list | None = None) -> Data:
    groups, voices = _groups(data.study, layer, codes, category, all_of), list(voices or [])
    mine = data.coding["article_id"] == item
    counts = [int((mine & _group_mask(data.coding, data.study, layer, g, voices)).sum()) for g in groups]
    if direction > 0:
        for group, count in zip(groups, counts, strict=True):  # raise every group below the target
            if count < min(counts) + steps:
                data = _add_rows(data, item, layer, group[0], min(counts) + steps - count,
                                 **({VOICE: voices[0]} if voices else {}))
        return data
    group = groups[counts.index(min(counts))]
    return _drop_rows(data, mine & _group_mask(data.coding, data.study, layer, group, voices), steps)


# ------------------------------------------------------------------------------------------------- headlines

def _headline_spans(data: Data, part: str) -> dict[str, tuple[int, int]]:
    spans = {}
    for article in data.articles.itertuples():
        start, end = headline_bounds(article.clean_text, article.title)
        if end:  # the headline is in the text
            spans[article.article_id] = (0, start) if part == "kicker" else (start, end)
    return spans


def headline_labels(data: Data, part: str = "headline", codes: list | None = None) -> Measured:
    """Count per article whose headline is in its text the label rows in its headline (or the kicker above it)."""
    labels = data.coding[data.coding["layer"] == "labels"]
    if codes:
        labels = labels[labels["code"].isin(codes)]
    names, label_names, rows = data.names(), data.study.codebook.names("labels"), []
    coded = set(data.coded())
    for article_id, (start, end) in _headline_spans(data, part).items():
        if article_id not in coded:
            continue
        inside = labels[(labels["article_id"] == article_id) & (labels["start"] >= start) & (labels["end"] <= end)]
        rows.append({"item": article_id, "name": names[article_id], "value": len(inside), "up": 1, "down": 1,
                     "detail": "; ".join(f"{r.span} [{label_names.get(r.code, r.code)}]" for r in inside.itertuples())
                     or "-"})
    which = f" of {_group_name(data.study, 'labels', list(codes))}" if codes else ""
    return Measured(_table(rows), "coded rows", f"label rows{which} in the {part}, where the headline is in the text",
                    total=len(rows), layers=("labels",))


def _shift_headline(data: Data, item: str, direction: int, steps: int, part: str = "headline",
                    codes: list | None = None) -> Data:
    start, end = _headline_spans(data, part)[item]
    if direction > 0:
        code = (codes or list(data.study.codebook.ids("labels")))[0]
        return _add_rows(data, item, "labels", code, steps, start=start, end=start)
    coding = data.coding
    mask = ((coding["article_id"] == item) & (coding["layer"] == "labels") & (coding["start"] >= start)
            & (coding["end"] <= end))
    return _drop_rows(data, mask & coding["code"].isin(codes) if codes else mask, steps)


def headline_known(data: Data) -> Measured:
    """Give per article 1 when its headline (articles.csv `title`) stands in its text, else 0 (never guessed)."""
    spans, names = _headline_spans(data, "headline"), data.names()
    rows = [{"item": a, "name": names[a], "value": int(a in spans), "up": 1, "down": 1,
             "detail": "headline in the text" if a in spans else "no headline in the text"}
            for a in data.articles["article_id"]]
    return Measured(_table(rows), "articles", "1 when the article's headline stands in its text", total=len(rows))


def _shift_headline_known(data: Data, item: str, direction: int, steps: int) -> Data:
    articles = data.articles.copy()
    at = articles["article_id"] == item
    if direction < 0:
        articles.loc[at, "title"] = ""
    else:  # its first paragraph taken as a headline
        articles.loc[at, "title"] = articles.loc[at, "clean_text"].str.split("\n").str[0]
    return replace(data, articles=articles)


def fact_voice(data: Data, codes: list, voices: list) -> Measured:
    """Count per coded article the fact rows of `codes` inside a sentence whose frames are coded in `voices`.

    Facts carry no voice of their own; the sentence's frame coding says whose words it is (the outlet's own,
    reported speech, or a quote).
    """
    coding = data.coding
    facts = coding[(coding["layer"] == "facts") & coding["code"].isin(codes)]
    frames = coding[coding["layer"] == "frames"]
    names, rows = data.names(), []
    for article_id in data.coded():
        mine, around = facts[facts["article_id"] == article_id], frames[frames["article_id"] == article_id]
        voiced = [r for r in mine.itertuples()
                  if set(around.loc[(around["start"] <= r.start) & (r.end <= around["end"]), VOICE]) & set(voices)]
        rows.append({"item": article_id, "name": names[article_id], "value": len(voiced), "up": 1, "down": 1,
                     "detail": " | ".join(dict.fromkeys(str(r.span) for r in voiced)) or "-"})
    fact_names = _group_name(data.study, "facts", list(codes))
    return Measured(_table(rows), "coded rows", f"rows of {fact_names} in sentences framed in {' or '.join(voices)} "
                    "voice", total=len(rows), layers=("facts", "frames"))


def _shift_fact_voice(data: Data, item: str, direction: int, steps: int, codes: list, voices: list) -> Data:
    coding = data.coding
    if direction < 0:  # drop the fact rows that stand in a sentence of that voice
        voiced = fact_voice(data, codes, voices).items.set_index("item").loc[item, "detail"].split(" | ")
        facts = ((coding["article_id"] == item) & (coding["layer"] == "facts") & coding["code"].isin(codes)
                 & coding["span"].isin(voiced))
        return _drop_rows(data, facts, steps)
    for n in range(steps):  # a fact inside a sentence framed in that voice, at a place of its own
        data = _add_rows(data, item, "frames", data.study.codebook.ids("frames")[0], 1, start=-10 - n, end=-5 + n,
                         **{VOICE: voices[0]})
        data = _add_rows(data, item, "facts", codes[0], 1, start=-9 - n, end=-6 + n)
    return data


# ---------------------------------------------------------------------------------------------------- frames

def frame_lead(data: Data, frame: str, over: str, voices: list | None = None) -> Measured:
    """Per coded article: frame sentences of `frame` minus those of `over`, in `voices` (default: every voice)."""
    voices = list(voices or [OWN, REPORTED, QUOTED])
    frames = data.coding[(data.coding["layer"] == "frames") & data.coding[VOICE].isin(voices)]
    names, rows = data.study.codebook.names("frames"), []
    for article_id in data.coded():
        mine = frames[frames["article_id"] == article_id]

        def by_voice(code: str, mine: pd.DataFrame = mine) -> str:
            counts = mine[mine["code"] == code][VOICE].value_counts()
            return ", ".join(f"{v} {int(counts.get(v, 0))}" for v in voices)

        a, b = int((mine["code"] == frame).sum()), int((mine["code"] == over).sum())
        rows.append({"item": article_id, "value": a - b, "up": 1, "down": 1,
                     "detail": f"{names.get(frame, frame)} {a} ({by_voice(frame)}) vs {names.get(over, over)} {b} "
                               f"({by_voice(over)})"})
    table = _table(rows).assign(name=lambda t: t["item"].map(data.names()))
    return Measured(table, "coded rows", f"sentences framed {names.get(frame, frame)} minus sentences framed "
                    f"{names.get(over, over)}, in {', '.join(voices)} voice", total=len(rows), layers=("frames",))


def _shift_frame_lead(data: Data, item: str, direction: int, steps: int, frame: str, over: str,
                      voices: list | None = None) -> Data:
    return _add_rows(data, item, "frames", frame if direction > 0 else over, steps,
                     **{VOICE: (voices or [OWN])[0]})


# ----------------------------------------------------------------------------------------------------- sides

def _side_rows(data: Data, article_id: str, voice: str, layers: list[str]) -> dict[str, pd.Series]:
    """Return per side of the study the mask of rows that give it a voice of `voice` in an article."""
    codebook = data.study.codebook
    outlet = data.articles.set_index("article_id")["outlet"].get(article_id, "")
    coding = data.coding[data.coding["article_id"] == article_id]
    quotes = coding["layer"].eq("quotes") & (voice == QUOTED and "quotes" in layers)
    said = coding["layer"].isin([layer for layer in layers if layer != "quotes"]) & coding[VOICE].eq(voice)
    speakers = coding["speaker"].where(quotes, coding["attributed_to"]).where(quotes | said)
    sides = speakers.map(lambda s: speaker_side(s, outlet, codebook) if isinstance(s, str) and s else "")
    return {side: pd.Series(data.coding.index.isin(sides.index[sides == side]), index=data.coding.index)
            for side in data.study.settings.sides}


def sides_in_voice(data: Data, voice: str = QUOTED, layers: list | None = None) -> Measured:
    """Count per coded article the study's sides given words in `voice` (quoted: in quotation marks) in `layers`."""
    layers = list(layers or ["quotes", "labels"])
    rows = []
    for article_id in data.coded():
        counts = {side: int(mask.sum()) for side, mask in _side_rows(data, article_id, voice, layers).items()}
        present = [c for c in counts.values() if c]
        rows.append({"item": article_id, "value": len(present), "up": 1, "down": min(present) if present else 1,
                     "detail": ", ".join(f"{side} {n}" for side, n in counts.items())})
    table = _table(rows).assign(name=lambda t: t["item"].map(data.names()))
    return Measured(table, "coded rows", f"sides given words in {voice} voice ({' and '.join(layers)} rows)",
                    total=len(rows), layers=tuple(layers))


def _shift_sides(data: Data, item: str, direction: int, steps: int, voice: str = QUOTED,
                 layers: list | None = None) -> Data:
    layers = list(layers or ["quotes", "labels"])
    masks = _side_rows(data, item, voice, layers)
    if direction < 0:
        present = {side: mask for side, mask in masks.items() if mask.any()}
        for side in sorted(present, key=lambda s: int(present[s].sum()))[:steps]:
            data = replace(data, coding=data.coding.drop(index=data.coding.index[masks[side]]))
        return data
    missing = [side for side, mask in masks.items() if not mask.any()][:steps]
    actors = data.study.codebook.codes["actors"]
    for side in missing:
        speaker = str(actors.loc[actors["side"] == side, "id"].iloc[0])
        data = (_add_rows(data, item, "quotes", "", 1, speaker=speaker) if "quotes" in layers else
                _add_rows(data, item, layers[0], "", 1, attributed_to=speaker, **{VOICE: voice}))
    return data


# -------------------------------------------------------------------------------------------------- accounts

ACCOUNT_PARTS = ("claim", "earlier_evidence", "stated_reasons")


def account_parts(data: Data, parts: list | None = None) -> Measured:
    """Count per coded article the spans of each account part it reports; the value is the fewest among `parts`.

    The parts (helpers.analyse.coverage.account_spans): the focal side's `claim` fact, the `earlier_evidence`
    facts, and the acting side's `stated_reasons` (reason facts, and reason frames in its reported or quoted words),
    all named in the study file's `evidence`.
    """
    parts = list(parts or ACCOUNT_PARTS)
    settings = data.study.settings
    table = account_spans(data.coding, data.articles, data.study.codebook, settings.evidence, settings.acting_side)
    names, rows = data.names(), []
    for r in table.itertuples():
        counts = {part: len(getattr(r, part).split(SEPARATOR)) if getattr(r, part) else 0 for part in parts}
        rows.append({"item": r.article_id, "name": names[r.article_id], "value": min(counts.values()), "up": 1,
                     "down": 1, "detail": ", ".join(f"{p.replace('_', ' ')} {n}" for p, n in counts.items())})
    return Measured(_table(rows), "coded rows", f"spans of the account parts ({', '.join(parts)}), the fewest",
                    total=len(rows), layers=("facts", "frames"))


def _shift_account(data: Data, item: str, direction: int, steps: int, parts: list | None = None) -> Data:
    evidence = data.study.settings.evidence
    codes = {"claim": [evidence.claim], "earlier_evidence": list(evidence.warnings),
             "stated_reasons": [*evidence.reasons, *evidence.reason_frames]}
    counts = account_parts(data, parts).items.set_index("item")
    parts = list(parts or ACCOUNT_PARTS)
    if direction > 0:
        for part in parts:
            data = _add_rows(data, item, "facts", codes[part][0], steps)
        return data
    detail = counts.loc[item, "detail"]
    fewest = min(parts, key=lambda p: int(detail.split(p.replace("_", " ") + " ")[1].split(",")[0]))
    mask = (data.coding["article_id"] == item) & data.coding["code"].isin(codes[fewest])
    return replace(data, coding=data.coding[~mask])


# ----------------------------------------------------------------------------------------------------- names

def misspelled_names(data: Data, kind: str = "person") -> Measured:
    """Count per coded article the actor mentions of `kind` spelled unlike any codebook spelling (misspellings)."""
    actors = data.study.codebook.codes["actors"]
    of_kind = set(actors.loc[actors["kind"] == kind, "id"])
    mentions = _misspelt(data, of_kind)
    rows = []
    for article_id in data.coded():
        variants = mentions[mentions["article_id"] == article_id]
        rows.append({"item": article_id, "value": len(variants), "up": 1, "down": 1,
                     "detail": ", ".join(dict.fromkeys(variants["span"])) or "-"})
    table = _table(rows).assign(name=lambda t: t["item"].map(data.names()))
    return Measured(table, "coded rows", f"mentions of a {kind} spelled unlike the codebook's spellings",
                    total=len(rows), layers=("actors",))


def _misspelt(data: Data, of_kind: set[str]) -> pd.DataFrame:
    """Return the actor rows of `of_kind` whose span is none of the actor's codebook spellings."""
    spellings = data.study.codebook.actor_spellings()
    mentions = data.coding[(data.coding["layer"] == "actors") & data.coding["code"].isin(of_kind)]
    wrong = [is_variant(str(span), spellings.get(code, [])) for span, code in zip(mentions["span"], mentions["code"],
                                                                                 strict=True)]
    return mentions[pd.Series(wrong, index=mentions.index, dtype=bool)]


def _shift_misspelled(data: Data, item: str, direction: int, steps: int, kind: str = "person") -> Data:
    actors = data.study.codebook.codes["actors"]
    of_kind = set(actors.loc[actors["kind"] == kind, "id"])
    if direction < 0:
        wrong = _misspelt(data, of_kind)
        return _drop_rows(data, data.coding.index.isin(wrong.index[wrong["article_id"] == item]), steps)
    return _add_rows(data, item, "actors", sorted(of_kind)[0], steps, span="(misspelt)")


# ----------------------------------------------------------------------------------------------------- facts

def _facts_by_article(data: Data) -> dict[str, set[str]]:
    facts = data.coding[data.coding["layer"] == "facts"]
    return {a: set(facts.loc[facts["article_id"] == a, "code"]) for a in data.coded()}


def fact_reach(data: Data) -> Measured:
    """Count per fact of the codebook the coded articles that report it (one coded row is enough)."""
    facts = data.coding[data.coding["layer"] == "facts"]
    coded, names, rows = data.coded(), data.study.codebook.names("facts"), []
    article_names = data.names()
    for fact in data.study.codebook.ids("facts"):
        per_article = facts[facts["code"] == fact].groupby("article_id").size().reindex(coded).dropna()
        rows.append({"item": fact, "name": names.get(fact, fact), "value": len(per_article), "up": 1,
                     "down": int(per_article.min()) if len(per_article) else 1,
                     "detail": ", ".join(article_names[a] for a in per_article.index) or "-"})
    return Measured(_table(rows), "coded rows", "coded articles that report the fact", total=len(coded),
                    layers=("facts",))


def _shift_fact_reach(data: Data, item: str, direction: int, steps: int) -> Data:
    carriers = data.coding[(data.coding["layer"] == "facts") & (data.coding["code"] == item)]
    if direction > 0:
        for article_id in [a for a in data.coded() if a not in set(carriers["article_id"])][:steps]:
            data = _add_rows(data, article_id, "facts", item, 1)
        return data
    for article_id in carriers.groupby("article_id").size().sort_values().index[:steps]:
        data = replace(data, coding=data.coding.drop(index=carriers.index[carriers["article_id"] == article_id]))
    return data


def facts_reported(data: Data) -> Measured:
    """Count per coded article the distinct facts of the codebook it reports."""
    facts, names, fact_names = _facts_by_article(data), data.names(), data.study.codebook.names("facts")
    rows = [{"item": a, "name": names[a], "value": len(found), "up": 1, "down": 1,
             "detail": ", ".join(fact_names.get(f, f) for f in sorted(found)) or "-"} for a, found in facts.items()]
    return Measured(_table(rows), "facts", "distinct facts the article reports", total=len(rows), layers=("facts",))


def _shift_facts_reported(data: Data, item: str, direction: int, steps: int) -> Data:
    facts = _facts_by_article(data)[item]
    if direction > 0:
        for fact in [f for f in data.study.codebook.ids("facts") if f not in facts][:steps]:
            data = _add_rows(data, item, "facts", fact, 1)
        return data
    mask = (data.coding["article_id"] == item) & (data.coding["layer"] == "facts") & data.coding["code"].isin(
        sorted(facts)[:steps])
    return replace(data, coding=data.coding[~mask])


def fact_overlap(data: Data, share: str = "jaccard") -> Measured:
    """Give per pair of coded articles the share of facts they have in common.

    `jaccard`: shared facts over facts either reports; `smaller`: shared facts over the facts of the article with
    fewer (how much of the shorter article the other also reports). A step is one fact: `up` and `down` say how many
    facts make a share of 1.0 (the pair's union, or the smaller article's facts).
    """
    facts, names, rows = _facts_by_article(data), data.names(), []
    for a, b in combinations(data.coded(), 2):
        shared, union = len(facts[a] & facts[b]), len(facts[a] | facts[b])
        base = union if share == "jaccard" else min(len(facts[a]), len(facts[b]))
        if not base:
            continue
        rows.append({"item": f"{a}|{b}", "name": f"{names[a]} & {names[b]}", "value": shared / base,
                     "up": base, "down": base,
                     "detail": f"{shared} shared; {len(facts[a])} and {len(facts[b])} facts, {union} in all"})
    reads = ("the Jaccard share of the two articles' facts (shared over either)" if share == "jaccard" else
             "the share of the shorter article's facts the other also reports")
    return Measured(_table(rows), "facts", reads, integer=False, total=len(rows), layers=("facts",))


def _shift_overlap(data: Data, item: str, direction: int, steps: int, share: str = "jaccard") -> Data:
    a, b = item.split("|")
    facts = _facts_by_article(data)
    if share != "jaccard" and len(facts[b]) < len(facts[a]):
        a, b = b, a  # the shorter article stays the base: the longer one takes or drops facts
    if direction > 0:  # b takes facts only a reports: more shared, same union
        for fact in sorted(facts[a] - facts[b])[:steps]:
            data = _add_rows(data, b, "facts", fact, 1)
        return data
    for fact in sorted(facts[a] & facts[b])[:steps]:  # b drops shared facts
        data = replace(data, coding=data.coding.drop(index=data.coding.index[
            (data.coding["article_id"] == b) & (data.coding["layer"] == "facts") & (data.coding["code"] == fact)]))
    return data


# ------------------------------------------------------------------------------------------------ the texts

def words_removed(data: Data) -> Measured:
    """Give per article the share of its words that cleaning removed (site boilerplate, captions, prefixes)."""
    rows = []
    for r in data.articles.itertuples():
        removed = int(r.words_raw) - int(r.words_clean)  # below 0 where cleaning split a glued word in two
        rows.append({"item": r.article_id, "value": removed / r.words_raw if r.words_raw else 0.0,
                     "up": int(r.words_raw), "down": int(r.words_raw),
                     "detail": f"{r.words_raw:,} words as received, {r.words_clean:,} after cleaning: "
                               + (f"{removed:,} removed" if removed >= 0 else f"{-removed:,} more (a word split)")})
    table = _table(rows).assign(name=lambda t: t["item"].map(data.names()))
    return Measured(table, "words", "the share of words cleaning removes", integer=False, percent=True,
                    total=len(rows))


def _shift_words(data: Data, item: str, direction: int, steps: int) -> Data:
    articles = data.articles.copy()
    at = articles["article_id"] == item
    articles.loc[at, "words_clean"] = articles.loc[at, "words_clean"] - direction * steps  # fewer kept: more removed
    return replace(data, articles=articles)


def window_days(data: Data, clues: str = "firm") -> Measured:
    """Give per article the days its publication window spans (German dates), from its firm clues or from all."""
    found = firm_windows(data.clues) if clues == "firm" else windows(data.clues)
    names, rows = data.names(), []
    for r in found.itertuples():
        rows.append({"item": r.article_id, "name": names.get(r.article_id, r.article_id), "value": r.days,
                     "up": 1, "down": 1,
                     "detail": f"{r.earliest:%d %b} – {r.latest:%d %b %Y} ({r.bounded_by})"})
    return Measured(_table(rows), "days", f"days in the publication window from {clues} clues "
                    "(German dates, both ends counted)", total=len(rows))


def _shift_window(data: Data, item: str, direction: int, steps: int, clues: str = "firm") -> Data:
    table = data.clues.copy()
    mine = (table["article_id"] == item) & (table["bounds"] == "latest")
    table.loc[mine, "berlin_date"] = table.loc[mine, "berlin_date"] + pd.Timedelta(days=direction * steps)
    return replace(data, clues=table)


# ----------------------------------------------------------------------------------------------- reliability

def alpha(data: Data, level: str = "layer", bound: str = "estimate") -> Measured:
    """Give Krippendorff's alpha between coder_a and coder_b per layer (or per code), as estimate or interval low."""
    if data.hand is data.study.hand:  # the study's own coders: their agreement is computed once per study
        table = data.study.agreement
    else:
        table = agreement_table(reliability_units(data.hand, data.study.texts, data.study.codebook),
                                data.study.codebook)
    table = table[table["code"] == ""] if level == "layer" else table[table["code"] != ""]
    column = "alpha" if bound == "estimate" else "ci_low"
    rows = []
    for r in table.itertuples():
        name = f"{r.layer} ({r.measure})" if level == "layer" else data.study.codebook.names(r.layer).get(r.code,
                                                                                                         r.code)
        rows.append({"item": f"{r.layer}:{r.measure}:{r.code}", "name": name, "value": getattr(r, column),
                     "up": 1, "down": 1, "detail": f"alpha {r.alpha:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] on "
                                                   f"{r.units} units"})
    items = _table(rows).dropna(subset=["value"])
    return Measured(items, "alpha", f"alpha between the two coders per {level}"
                    + (" (lower end of its 95% interval)" if bound != "estimate" else ""), integer=False,
                    total=len(items))  # no layer: agreement is read on both coders' rows, not on one coding


def _shift_alpha(data: Data, item: str, direction: int, steps: int, level: str = "layer",
                 bound: str = "estimate") -> Data:
    """Lower agreement by dropping coder_b's rows of the item's layer (or code) in one more article per step."""
    layer, _, code = item.split(":")
    hand = data.hand
    mask = (hand["coder"] == CODER_B) & (hand["layer"] == layer) & (hand["code"] == code if code else True)
    articles = list(dict.fromkeys(hand.loc[mask, "article_id"]))
    if direction > 0:  # raise it: coder_b takes coder_a's rows of the layer in one more article per step
        a_rows = hand[(hand["coder"] != CODER_B) & (hand["layer"] == layer)]
        for article_id in articles[:steps]:
            b_rows = a_rows[a_rows["article_id"] == article_id].assign(coder=CODER_B)
            hand = pd.concat([hand[~(mask & (hand["article_id"] == article_id))], b_rows], ignore_index=True)
        return replace(data, hand=hand)
    return replace(data, hand=hand[~(mask & hand["article_id"].isin(articles[:max(steps, 1)]))])


MEASURES: dict[str, Measure] = {m.name: m for m in [
    Measure("coded_rows", coded_rows, {"layer": str, "codes": list, "category": str, "all_of": list, "voices": list},
            _shift_coded_rows, doc="coded rows per article of some codes (or all of several groups)",
            required=("layer",)),
    Measure("headline_labels", headline_labels, {"part": str, "codes": list}, _shift_headline,
            doc="label rows in the headline or kicker, per article whose headline is in the text", codes_in="labels"),
    Measure("frame_lead", frame_lead, {"frame": str, "over": str, "voices": list}, _shift_frame_lead, tie_within=2,
            doc="one frame's sentences minus another's, per article", required=("frame", "over"), codes_in="frames"),
    Measure("fact_voice", fact_voice, {"codes": list, "voices": list}, _shift_fact_voice,
            doc="fact rows in sentences framed in a voice, per article", required=("codes", "voices"),
            codes_in="facts"),
    Measure("headline_known", headline_known, {}, _shift_headline_known,
            doc="whether an article's headline stands in its text"),
    Measure("sides_in_voice", sides_in_voice, {"voice": str, "layers": list}, _shift_sides,
            doc="the study's sides given words in a voice, per article"),
    Measure("misspelled_names", misspelled_names, {"kind": str}, _shift_misspelled,
            doc="mentions of an actor kind spelled unlike the codebook, per article"),
    Measure("account_parts", account_parts, {"parts": list}, _shift_account,
            doc="spans of each part of the two sides' accounts, per article (the fewest among the parts named)"),
    Measure("fact_reach", fact_reach, {}, _shift_fact_reach, doc="articles reporting each fact"),
    Measure("facts_reported", facts_reported, {}, _shift_facts_reported, doc="distinct facts per article"),
    Measure("fact_overlap", fact_overlap, {"share": str}, _shift_overlap,
            doc="share of facts in common (Jaccard, or of the shorter article), per pair of articles"),
    Measure("words_removed", words_removed, {}, _shift_words, tie_within=10,
            doc="share of words cleaning removes, per article"),
    Measure("window_days", window_days, {"clues": str}, _shift_window,
            doc="days of the publication window from the date clues, per article"),
    Measure("alpha", alpha, {"level": str, "bound": str}, _shift_alpha, tie_within=0.02,
            doc="Krippendorff's alpha between the coders, per layer or code"),
]}
LIST_CHOICES = {"voices": (OWN, REPORTED, QUOTED, OUTLET), "layers": ("quotes", "labels", "frames"),
                "parts": ACCOUNT_PARTS}  # what each item of a list parameter may be
CHOICES = {"voice": (OWN, REPORTED, QUOTED), "part": ("headline", "kicker"), "clues": ("firm", "all"),
           "level": ("layer", "code"), "bound": ("estimate", "low"), "share": ("jaccard", "smaller")}


def steps_to(value: float, op: str, target: float, integer: bool) -> tuple[int, float]:
    """Return (direction, distance) that makes `value op target` change its truth; distance in value units."""
    holds = compare(value, op, target)
    eps = 1 if integer else 1e-9
    if op in ("at_least", "more_than"):
        if holds:
            return -1, value - target + (eps if op == "at_least" else 0)
        return +1, target - value + (0 if op == "at_least" else eps)
    if op in ("at_most", "below"):
        if holds:
            return +1, target - value + (eps if op == "at_most" else 0)
        return -1, value - target + (0 if op == "at_most" else eps)
    if op == "equals":  # holding, it flips either way: down, unless the value is already at 0
        if holds:
            return (-1, eps) if value > 0 else (+1, eps)
        return (+1, target - value) if value < target else (-1, value - target)
    raise ValueError(f"unknown comparison {op!r}")


def compare(value: float, op: str, target: float) -> bool:
    """Tell whether `value op target` holds (at_least, more_than, at_most, below, equals)."""
    tolerance = 1e-9
    return {"at_least": value >= target - tolerance, "more_than": value > target + tolerance,
            "at_most": value <= target + tolerance, "below": value < target - tolerance,
            "equals": math.isclose(value, target, abs_tol=tolerance)}[op]


OPS = ("at_least", "more_than", "at_most", "below", "equals")
