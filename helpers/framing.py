"""How Parler was framed: labels, frames, which side's framing gets room, who acts, text-quality signals.

Labels and frames come from annotation tables (hand coding); cut-off agency and text-quality signals are
heuristics computed from the text and always shown with the spans they rest on.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rapidfuzz.distance import Levenshtein

from helpers import german
from helpers.annotations import UNATTRIBUTED, Codebook
from helpers.clean import PARAGRAPH_SEPARATOR, count_words
from helpers.coverage import code_counts
from helpers.glossary import gloss
from helpers.segment import split_sentences
from helpers.vocabulary import tokens

ASSERTED = "asserted by the outlet"


def label_table(hand: pd.DataFrame, articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return every label of Parler with its category, outlet and who asserts it."""
    labels = hand[hand["layer"] == "labels"].copy()
    category = dict(zip(codebook.codes["labels"]["id"], codebook.codes["labels"]["category"], strict=True))
    names = dict(zip(codebook.codes["actors"]["id"], codebook.codes["actors"]["name"], strict=True))
    labels["category"] = labels["code"].map(category)
    labels["outlet"] = labels["article_id"].map(articles.set_index("article_id")["outlet"])
    attributed = labels["attributed_to"].fillna("")
    labels["voice"] = [ASSERTED if not a else (UNATTRIBUTED if a == UNATTRIBUTED else names.get(a, a))
                       for a in attributed]
    labels["asserted"] = attributed == ""
    return labels[["article_id", "outlet", "code", "category", "voice", "asserted", "span", "start", "end"]]


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


def headline_end(clean_text: str, title: str | None) -> int:
    """Return where the headline block ends: after the paragraph equal to the title (0 when there is none)."""
    if not title or pd.isna(title):
        return 0
    position = 0
    for paragraph in clean_text.split(PARAGRAPH_SEPARATOR):
        position += len(paragraph)
        if paragraph.strip() == title.strip():
            return position
        position += len(PARAGRAPH_SEPARATOR)
    return 0


def headline_labels(labels: pd.DataFrame, articles: pd.DataFrame,
                    glosses: dict[str, str] | None = None) -> pd.DataFrame:
    """Return per article the labels inside its headline block (kicker and headline), or a note if none.

    Each label reads `span [category]`, or `span ("gloss") [category]` when `glosses` (helpers.glossary) has one.
    """
    glosses = glosses or {}
    rows = []
    for article in articles.itertuples():
        end = headline_end(article.clean_text, article.title)
        inside = labels[(labels["article_id"] == article.article_id) & (labels["end"] <= end)]
        if end == 0:
            found = "(the text has no headline)"
        elif inside.empty:
            found = "(no label of Parler in the headline)"
        else:
            found = "; ".join(f"{r.span}{_quoted_gloss(r.span, glosses)} [{r.category}]" for r in inside.itertuples())
        rows.append({"article_id": article.article_id, "outlet": article.outlet, "headline_labels": found})
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

    An article without any hand-coded frame has not been coded yet: its counts are NA, never 0.
    """
    sentences = hand[hand["layer"] == "frames"]
    quotes = hand[hand["layer"] == "quotes"]
    coded = set(sentences["article_id"])
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


def cutoff_agency(articles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Return the sentences about the cut-off, each read as "Amazon/AWS acts", "Parler failed", or both.

    A heuristic on the codebook's `agency` cues: a sentence with a cut-off cue and a mention of an actor
    whose side is Amazon/AWS presents Amazon as the actor; a sentence with a failure cue presents the cut-off
    as caused by Parler's failure. Read the sentences before trusting the counts.
    """
    cues = codebook.agency
    cutoff = [c.lower() for c in cues.get("cutoff_cues", [])]
    failure = [c.lower() for c in cues.get("failure_cues", [])]
    actors = codebook.codes["actors"]
    amazon_names = [s for row in actors.itertuples() if getattr(row, "side", None) == "Amazon/AWS"
                    for s in row.spellings]
    rows = []
    for article in articles.itertuples():
        for sentence in split_sentences(article.clean_text):
            low = sentence.text.lower()
            acts = any(c in low for c in cutoff) and any(name in sentence.text for name in amazon_names)
            failed = any(c in low for c in failure)
            if acts or failed:
                reading = "both" if acts and failed else ("Amazon/AWS acts" if acts else "Parler failed")
                rows.append({"article_id": article.article_id, "outlet": article.outlet, "reading": reading,
                             "start": sentence.start, "end": sentence.end, "sentence": sentence.text})
    return pd.DataFrame(rows, columns=["article_id", "outlet", "reading", "start", "end", "sentence"])


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
