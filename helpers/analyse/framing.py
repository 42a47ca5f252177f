"""How Parler was framed: labels, frames, which side's framing gets room, who acts, text-quality signals.

Labels and frames come from annotation tables (hand coding); cut-off agency and text-quality signals are
heuristics computed from the text and always shown with the spans they rest on.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rapidfuzz.distance import Levenshtein

from helpers.analyse.coverage import code_counts, name_variants, speaker_side
from helpers.analyse.vocabulary import tokens
from helpers.annotate.annotations import OWN, UNATTRIBUTED, VOICE, Codebook, coded_in, voice_text
from helpers.corpus.glossary import gloss
from helpers.text import german
from helpers.text.clean import PARAGRAPH_SEPARATOR
from helpers.text.segment import split_sentences
from helpers.text.tokens import count_words

ASSERTED = "asserted by the outlet"


def label_table(hand: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return every label of Parler with its category, outlet and who asserts it."""
    labels = hand[hand["layer"] == "labels"].copy()
    category = dict(zip(codebook.codes["labels"]["id"], codebook.codes["labels"]["category"], strict=True))
    names = dict(zip(codebook.codes["actors"]["id"], codebook.codes["actors"]["name"], strict=True))
    labels["category"] = labels["code"].map(category)
    labels["outlet"] = labels["article_id"].map(articles.set_index("article_id")["outlet"])
    attributed = labels["attributed_to"].fillna("")
    coded_voice = labels[VOICE].fillna("") if VOICE in labels.columns else pd.Series("", index=labels.index)
    labels["voice"] = [ASSERTED if not a else (UNATTRIBUTED if a == UNATTRIBUTED else names.get(a, a))
                       for a in attributed]
    labels["asserted"] = attributed == ""
    # The outlet's own words: voice "own", or (codings made before voice was coded) no attribution.
    labels["own_voice"] = (coded_voice == OWN) | ((coded_voice == "") & (attributed == ""))
    labels["voice"] = [who if v in ("", OWN) else f"{who} ({v})" for who, v in
                       zip(labels["voice"], coded_voice, strict=True)]
    return labels[["article_id", "outlet", "code", "category", "voice", "asserted", "own_voice", "span", "start",
                   "end"]]


def label_summary(labels: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Return outlet × category counts of labels, split into asserted and attributed."""
    table = labels.assign(how=labels["asserted"].map({True: "asserted", False: "attributed"}))
    summary = table.pivot_table(index=["outlet", "category"], columns="how", values="span", aggfunc="count",
                                fill_value=0)
    summary = summary.reindex(columns=["asserted", "attributed"], fill_value=0)
    order = {outlet: n for n, outlet in enumerate(dict.fromkeys(articles["outlet"]))}
    summary = summary.reset_index().sort_values(["outlet", "category"], key=lambda s: s.map(order) if
                                                 s.name == "outlet" else s, kind="stable")
    summary.columns.name = None
    return summary.reset_index(drop=True)


HEADLINE_UNKNOWN = "(headline unknown: not in the text)"
NO_KICKER = "(no kicker)"
NO_LABEL = "(no label)"  # no label of the codebook's label target


def headline_bounds(clean_text: str, title: str | None) -> tuple[int, int]:
    """Return (start, end) of the paragraph equal to the title; (0, 0) when the text holds no headline.

    Paragraphs before it are the kicker (Dachzeile), the line set above a German headline.
    """
    if not title or pd.isna(title):
        return 0, 0
    position = 0
    for paragraph in clean_text.split(PARAGRAPH_SEPARATOR):
        if paragraph.strip() == title.strip():
            return position, position + len(paragraph)
        position += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return 0, 0


def headline_end(clean_text: str, title: str | None) -> int:
    """Return where the headline block (kicker and headline) ends: 0 when the text holds no headline."""
    return headline_bounds(clean_text, title)[1]


def headline_labels(labels: pd.DataFrame, articles: pd.DataFrame,
                    glosses: dict[str, str] | None = None) -> pd.DataFrame:
    """Return per article the labels in its kicker and in its headline, each as text and as code lists.

    Each label reads `span [category]`, or `span ("gloss") [category]` when `glosses` (helpers.corpus.glossary) has one.
    An article whose headline is not in its text reads HEADLINE_UNKNOWN: unknown, not "no label".
    """
    glosses = glosses or {}
    rows = []
    for article in articles.itertuples():
        start, end = headline_bounds(article.clean_text, article.title)
        mine = labels[labels["article_id"] == article.article_id]
        kicker, headline = mine[mine["end"] <= start], mine[(mine["start"] >= start) & (mine["end"] <= end)]

        def listed(found: pd.DataFrame, empty: str) -> str:
            return "; ".join(f"{r.span}{_quoted_gloss(r.span, glosses)} [{r.category}]"
                             for r in found.itertuples()) or empty

        rows.append({"article_id": article.article_id, "outlet": article.outlet,
                     "kicker_labels": listed(kicker, NO_KICKER if start == 0 else NO_LABEL) if end else "",
                     "headline_labels": listed(headline, NO_LABEL) if end else HEADLINE_UNKNOWN,
                     "kicker_codes": list(kicker["code"]) if end else [],
                     "headline_codes": list(headline["code"]) if end else []})
    return pd.DataFrame(rows)


def _quoted_gloss(span: str, glosses: dict[str, str]) -> str:
    english = gloss(span, glosses)
    return f' ("{english}")' if english else ""


def frame_counts(hand: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return frame × article counts of sentences carrying each frame (codebook order, zeros kept)."""
    table = code_counts(hand, "frames", articles, codebook)
    kinds = dict(zip(codebook.codes["frames"]["id"], codebook.codes["frames"]["kind"], strict=True))
    table.insert(0, "kind", table.index.map(kinds))
    return table.rename_axis(index="frame", columns=None).reset_index()


def side_framing(hand: pd.DataFrame, articles: pd.DataFrame, frames: Sequence[str]) -> pd.DataFrame:
    """Return per article and frame: sentences carrying it, their share, and direct-quote words inside them.

    An article without any hand-coded row has not been coded yet: its counts are NA, never 0.
    """
    sentences = hand[hand["layer"] == "frames"]
    quotes = hand[hand["layer"] == "quotes"]
    coded = coded_in(hand)
    rows = []
    for article in articles.itertuples():
        if article.article_id not in coded:  # not coded yet: unknown, not zero
            rows += [{"article_id": article.article_id, "outlet": article.outlet, "frame": frame, "sentences": pd.NA,
                      "share": float("nan"), "quote_words": pd.NA} for frame in frames]
            continue
        total = len(split_sentences(article.clean_text))
        article_quotes = quotes[quotes["article_id"] == article.article_id]
        for frame in frames:
            carried = sentences[(sentences["article_id"] == article.article_id) & (sentences["code"] == frame)]
            inside = [q.span for q in article_quotes.itertuples()
                      if any(s.start <= q.start and q.end <= s.end for s in carried.itertuples())]
            rows.append({"article_id": article.article_id, "outlet": article.outlet, "frame": frame,
                         "sentences": len(carried), "share": len(carried) / total if total else float("nan"),
                         "quote_words": sum(count_words(q) for q in inside)})
    return pd.DataFrame(rows).astype({"sentences": "Int64", "quote_words": "Int64"})


def cutoff_agency(articles: pd.DataFrame, codebook: Codebook, coding: pd.DataFrame | None = None, *,
                  acting: str, failing: str) -> pd.DataFrame:
    """Return the sentences about the cut-off, each read as "<acting> acts", "<failing> failed", or both.

    A heuristic on the codebook's `agency` cues: a sentence with a cut-off cue and a mention of an actor
    whose side is `acting` (the study's acting side, e.g. "Amazon/AWS") presents that side as the actor; a
    sentence with a failure cue presents the cut-off as caused by the `failing` side's failure (the focal side,
    e.g. "Parler"). Read the sentences before trusting the counts. With `coding` (hand coding), `voice` gives
    whose words the sentence's coded frames are in (own, or reported/quoted and whose), so a "failed" sentence
    in the acting side's reported speech reads as its reason, not the outlet's telling.
    """
    cues = codebook.agency
    cutoff = [c.lower() for c in cues.get("cutoff_cues", [])]
    failure = [c.lower() for c in cues.get("failure_cues", [])]
    actors = codebook.codes["actors"]
    acting_names = [s for row in actors.itertuples() if getattr(row, "side", None) == acting
                    for s in row.spellings]
    voices: dict[tuple[str, int, int], str] = {}
    if coding is not None:
        frames = coding[coding["layer"] == "frames"]
        for key, group in frames.groupby(["article_id", "start", "end"]):
            voices[key] = "; ".join(dict.fromkeys(
                voice_text(v, who) for v, who in zip(group[VOICE].fillna(""), group["attributed_to"].fillna(""),
                                                     strict=True)))
    rows = []
    for article in articles.itertuples():
        for sentence in split_sentences(article.clean_text):
            low = sentence.text.lower()
            acts = any(c in low for c in cutoff) and any(name in sentence.text for name in acting_names)
            failed = any(c in low for c in failure)
            if acts or failed:
                reading = "both" if acts and failed else (f"{acting} acts" if acts else f"{failing} failed")
                rows.append({"article_id": article.article_id, "outlet": article.outlet, "reading": reading,
                             "voice": voices.get((article.article_id, sentence.start, sentence.end), "not coded"),
                             "start": sentence.start, "end": sentence.end, "sentence": sentence.text})
    return pd.DataFrame(rows, columns=["article_id", "outlet", "reading", "voice", "start", "end", "sentence"])


def misspelling_candidates(articles: pd.DataFrame, codebook: Codebook, min_length: int = 5) -> pd.DataFrame:
    """Return words the German dictionary does not know that are one edit from a word used in the corpus.

    A cautious signal of typos ("Netwerk" beside "Netzwerk"), not proof. To keep names and rare compounds
    out, a candidate must be unknown to simplemma, at least `min_length` letters, not part of a codebook
    actor's spelling, found in one article only, and within one edit (two for words of 8+ letters) of a
    known word of the corpus.
    """
    words = {article.article_id: tokens(article.clean_text) for article in articles.itertuples()}
    in_articles: dict[str, int] = {}
    for ws in words.values():
        for w in set(ws):
            in_articles[w] = in_articles.get(w, 0) + 1
    known = sorted(w for w in in_articles if german.is_known(w))
    names = {part for spellings in codebook.actor_spellings().values() for s in spellings
             for part in s.replace("-", " ").split()}
    rows = []
    for article in articles.itertuples():
        for word in dict.fromkeys(words[article.article_id]):
            if (len(word) < min_length or not word.isalpha() or word in names or in_articles[word] > 1
                    or german.is_known(word)):
                continue
            allowed = 2 if len(word) >= 8 else 1
            distances = {k: Levenshtein.distance(k.lower(), word.lower()) for k in known
                         if k != word and abs(len(k) - len(word)) <= allowed}
            close = sorted((d, k) for k, d in distances.items() if d <= allowed)
            if close:
                rows.append({"article_id": article.article_id, "outlet": article.outlet, "word": word,
                             "close_to": close[0][1], "distance": close[0][0]})
    german.save()
    return pd.DataFrame(rows, columns=["article_id", "outlet", "word", "close_to", "distance"])


def frame_voices(hand: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook, frame: str) -> pd.DataFrame:
    """Return article × voice counts of the sentences carrying `frame`: the outlet's own words, or whose.

    A frame in reported speech or a quote is counted under the side of whom it is attributed to (the codebook's
    `side`, the outlet's own reporter, third parties or unattributed).
    """
    rows = hand[(hand["layer"] == "frames") & (hand["code"] == frame)]
    outlets = articles.set_index("article_id")["outlet"]
    whose = ["own words" if voice in ("", OWN) else f"{speaker_side(who, outlets[a], codebook)} ({voice})"
             for a, who, voice in zip(rows["article_id"], rows["attributed_to"].fillna(""),
                                      rows[VOICE].fillna(""), strict=True)]
    table = rows.assign(whose=whose).groupby(["article_id", "whose"]).size().unstack(fill_value=0)
    table = table.reindex(list(articles["article_id"]), fill_value=0)
    table.columns.name = None
    return table.rename_axis(index=None)


def editing_signals(articles: pd.DataFrame, codebook: Codebook, hand: pd.DataFrame) -> pd.DataFrame:
    """Return one row per article and distinct misspelled word: unknown words next to known ones, and names
    spelled differently from the codebook (a misspelling met in several places or both ways counts once)."""
    typos = misspelling_candidates(articles, codebook)
    names = name_variants(hand, articles, codebook)
    known = {word for spellings in codebook.actor_spellings().values() for s in spellings for word in s.split()}
    rows = [(r.article_id, r.outlet, r.word, "unknown word next to a known one") for r in typos.itertuples()]
    rows += [(r.article_id, r.outlet, word, "name spelled differently") for r in names.itertuples()
             for word in r.surface.split() if word not in known]
    table = pd.DataFrame(rows, columns=["article_id", "outlet", "word", "signal"])
    table = table.groupby(["article_id", "outlet", "word"], sort=False)["signal"].agg(
        lambda s: "; ".join(dict.fromkeys(s))).reset_index()
    order = {a: n for n, a in enumerate(articles["article_id"])}
    return table.sort_values("article_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
