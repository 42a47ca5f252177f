"""Labels: label `cues` whose phrase refers to the codebook's label target, with whom each is attributed to.

A phrase refers to the target when a name is attached to it (right after it, a compound, an apposition, a
predicate, a relative clause) or, with no other name attached, when the text around it is about the target.
Attribution: the target's self-description, others' view ("gilt als"), the speaker of a quote holding it,
or the speaker of reported speech; else the outlet's own words ("").
"""

from __future__ import annotations

import re

from helpers.annotate.annotations import UNATTRIBUTED
from helpers.annotate.detect.engine import Article, provides, row
from helpers.annotate.detect.rules import OTHERS_VIEW_FINDER, SELF_VIEW_FINDER
from helpers.annotate.detect.scan import Finder
from helpers.annotate.detect.speakers import cues_in, quote_speaker, resolve_cue
from helpers.text.segment import Span
from helpers.text.tokens import CLOSING_QUOTES, OPENING_QUOTES, strip_blanks


def _adjacent_actor(article: Article, start: int, end: int, sentence: Span) -> str | None:
    """Return the actor a label phrase is attached to: name right after it, compound, apposition or predicate."""
    text = article.text
    for mention in article.get("mentions"):
        if end <= mention.start <= end + 3 and re.fullmatch(r"[ „“\"»«]*", text[end:mention.start]):
            return mention.actor
    before = [m for m in article.get("mentions") if sentence.start <= m.start and m.end <= start]
    for mention in reversed(before[-4:]):
        gap = text[mention.end:start]
        if gap in ("", "-"):
            return mention.actor
        if re.fullmatch(
            r"(?:-[\w-]+)?\s*,\s*(?:ein|eine|einer|einem|einen|der|die|das|dem|den)\s+(?:[\w-]+\s+){0,5}"  # apposition
            r"|(?:-[\w-]+)?\s+(?:ist|war|bleibt|gilt\s+als|sei|wäre)\s+(?:[\w-]+\s+){0,8}"  # predicate
            r"|\s*,\s*(?:der|die|das|welche[rs]?)\s+[^,.;:]*",  # relative clause
            gap,
        ):
            return mention.actor
    return None


def _label_referent(article: Article, start: int, end: int) -> tuple[str | None, str]:
    """Return (actor, how) a label phrase refers to: an attached name, else the target when the text is about it."""
    target = article.rules.codebook.label_target
    index = article.sentence_at(start)
    attached = _adjacent_actor(article, start, end, article.sentences[index])
    if attached:
        return attached, "attached name"
    lo = article.sentences[max(0, index - 4)].start
    hi = article.sentences[min(len(article.sentences) - 1, index + 1)].end
    if any(m.actor == target and lo <= m.start < hi for m in article.get("mentions")):
        return target, f"text about {article.rules.target_name} nearby"
    return None, ""


def _in_sentence(article: Article, name: str, finder: Finder, sentence: Span) -> list[re.Match[str]]:
    """Return a finder's matches in one sentence (the whole text is searched once per article)."""
    matches = article.cached(name, lambda: [m for _, m in finder.finditer(article)])
    return [m for m in matches if sentence.start <= m.start() and m.end() <= sentence.end]


def _label_attribution(article: Article, start: int, end: int) -> tuple[str, str]:
    """Return (attributed_to, why) for a label: self-description, others' view, quote, reported speech."""
    text = article.text
    index = article.sentence_at(start)
    sentence = article.sentences[index]
    for match in _in_sentence(article, "self view", SELF_VIEW_FINDER, sentence):
        lo, hi = min(match.start(), start), max(match.end(), end)
        if hi - lo <= 120 and not re.search(r"[.;]", text[lo:hi].rstrip(".")):
            return article.rules.codebook.label_target, f"self-description: {match.group()}"
    for match in _in_sentence(article, "others' view", OTHERS_VIEW_FINDER, sentence):
        if match.start() < start and not re.search(r"[,;:]", text[match.end():start]) or (
                match.start() < start and end <= match.end()):
            return UNATTRIBUTED, f"others' view: {' '.join(match.group().split())}"
    quote = article.inside_quote(start, end)
    if quote:
        for found in article.get("quotes"):
            if found["start"] == quote[2]:
                return found["speaker"], "inside a quote"
        speaker, note = quote_speaker(article, quote)
        return speaker, f"quoted label; {note}"
    for cue in cues_in(article, sentence.start, sentence.end):
        speaker = resolve_cue(article, cue, sentence)
        if speaker is None:
            continue
        # What is reported: before an inverted cue ("…, sagt X"), after the speaker when the speaker follows
        # the cue ("In der E-Mail schreibt Amazon, …", "Laut X …"), after the cue when the subject precedes it.
        if speaker.inverted:
            reported = end <= cue[0]
        elif speaker.direction == "after":
            reported = start >= speaker.mention_end
        else:
            reported = start >= cue[1]
        if reported:
            return speaker.actor, f"reported speech: {speaker.how}"
    return "", ""


@provides("labels")
def labels(article: Article) -> list[dict]:
    """Return the labels of the target: cue matches that refer to it; neutral labels inside richer ones dropped.

    With no label target in the codebook, every cue match is a label.
    """
    target = article.rules.codebook.label_target
    text, rules = article.text, article.rules
    found: dict[tuple[str, int, int], tuple[str, str]] = {}
    for code, category, finder in rules.labels:
        for _, match in finder.finditer(article):
            start, end = strip_blanks(text, match.start(), match.end(), " \t\n,")
            if start >= end or article.sentence_at(start) != article.sentence_at(end - 1):
                continue
            if start > 0 and end < len(text) and text[start - 1] in OPENING_QUOTES and text[end] in CLOSING_QUOTES:
                start, end = start - 1, end + 1  # a label quoted as a whole keeps its marks
            found[(code, start, end)] = (category, "")
    labelled = []
    spans = sorted(found, key=lambda k: (k[1], -k[2], k[0]))
    rich = [(s, e) for (code, s, e) in spans if found[(code, s, e)][0] != "neutral_technical"]
    kept: list[tuple[str, int, int]] = []
    for code, start, end in spans:
        if found[(code, start, end)][0] == "neutral_technical" and any(s <= start and end <= e for s, e in rich):
            continue
        if any(c == code and start < e and s < end for c, s, e in kept):
            continue  # one span per stretch and code: the earliest, longest match
        referent, how = _label_referent(article, start, end)
        if target and referent != target:
            continue
        kept.append((code, start, end))
        note = f"refers to {article.rules.target_name}: {how}"
        labelled.append(row(article, "labels", code, start, end, note=note))
    return labelled


def rows(article: Article) -> list[dict]:
    """Return the label rows with whom each label is attributed to."""
    found = []
    for label in article.get("labels"):
        attributed_to, why = _label_attribution(article, label["start"], label["end"])
        note = label["note"] + (f"; {why}" if why else "")
        found.append({**label, "attributed_to": attributed_to, "note": note})
    return found
