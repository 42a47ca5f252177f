"""Frames: the codebook's frame `cues` on lemmas, stems and phrases; one row per sentence and frame.

A one-word cue matches by word form or lemma, and (5+ letters) words that start with it or (7+ letters) end
with it; a multi-word cue matches its words in order, a few words apart at most, articles matching any article.
"""

from __future__ import annotations

from helpers.annotate.detect.engine import Article, row
from helpers.annotate.detect.rules import Rules
from helpers.text import german
from helpers.text.tokens import LETTERS_RE
from helpers.text.wordlists import DETERMINERS


def _word_matches(word: str, cue_word: str) -> bool:
    """Tell whether a text word matches a word of a multi-word cue (articles match any article)."""
    lower, cue = word.lower(), cue_word.lower()
    if cue in DETERMINERS:
        return lower in DETERMINERS
    return lower == cue or german.lemma(word) == german.lemma(cue_word)


def _phrase_in(words: list[str], cue_words: tuple[str, ...], max_gap: int = 8) -> bool:
    """Tell whether the cue's words occur in order, each at most `max_gap` words after the previous one."""
    for i, word in enumerate(words):
        if not _word_matches(word, cue_words[0]):
            continue
        position, ok = i, True
        for cue_word in cue_words[1:]:
            nxt = next((j for j in range(position + 1, min(len(words), position + 2 + max_gap))
                        if _word_matches(words[j], cue_word)), None)
            if nxt is None:
                ok = False
                break
            position = nxt
        if ok:
            return True
    return False


def _word_frames(rules: Rules, word: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """Return (frames a word is a cue of by form or lemma, phrase-cue words it can stand for), or None if
    neither; cached by word."""
    lower, lemma = word.lower(), german.lemma(word)
    frames = frozenset(rules.frame_forms.get(lower, set()) | rules.frame_lemmas.get(lemma, set()))
    phrase_words = frozenset(w.lower() for _, _, words, _ in rules.frame_phrases for w in words
                             if w.lower() not in DETERMINERS and (w.lower() == lower or german.lemma(w) == lemma))
    found = (frames, phrase_words) if frames or phrase_words else None
    rules.word_frames[word] = found
    return found


def rows(article: Article) -> list[dict]:
    """Return one row per sentence and frame whose cues occur in it."""
    rules, text, lower = article.rules, article.text, article.lower
    # Stems are found in one pass over the lowercased text, then handed to their sentences.
    stem_hits: dict[int, list[tuple[str, set[str]]]] = {}
    for pattern, table in ((rules.frame_prefix_re, rules.frame_prefix), (rules.frame_suffix_re, rules.frame_suffix)):
        for match in pattern.finditer(lower) if pattern and lower is not None else ():
            word = _word_at(text, match.start(), match.end())
            stem_hits.setdefault(article.sentence_at(match.start()), []).append((word, table[match.group()]))
    marked = []
    frame_order = {f: i for i, f in enumerate(rules.codebook.ids("frames"))}
    cache, missing = rules.word_frames, object()
    for index, sentence in enumerate(article.sentences):
        hits: dict[str, set[str]] = {}
        words = LETTERS_RE.findall(text, sentence.start, sentence.end)
        phrase_words: set[str] = set()
        for word in words:
            found = cache.get(word, missing)
            if found is missing:
                found = _word_frames(rules, word)
            if found is not None:
                for frame in found[0]:
                    hits.setdefault(frame, set()).add(word)
                phrase_words |= found[1]
        for word, frames in stem_hits.get(index, ()):
            for frame in frames:
                hits.setdefault(frame, set()).add(word)
        for frame, cue, cue_words, needed in rules.frame_phrases if phrase_words else ():
            if needed <= phrase_words and _phrase_in(words, cue_words):
                hits.setdefault(frame, set()).add(cue)
        for frame in sorted(hits, key=frame_order.get):
            cues = ", ".join(sorted(hits[frame], key=str.lower))
            marked.append(row(article, "frames", frame, sentence.start, sentence.end, note=f"cues: {cues}"))
    return marked


def _word_at(text: str, start: int, end: int) -> str:
    """Return the whole word around text[start:end]."""
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[start:end]
