"""Compile a codebook into the detectors' rules once: actor spellings, frame cues, label and fact cue finders.

The rules are cached per codebook object (at most a few at a time), so calling a detector again with the
same codebook does not recompile; the German cues (reporting verbs, others' and self views) come from
helpers.text.wordlists and are compiled once per process.

Label and fact cues, and the word lists' cues, are regular expressions: they run as UserPatterns under a time
limit (helpers.text.patterns). The actor and frame-stem regexes stay on `re`, which scans them three times
faster: the kit builds them from escaped spellings and stems, alternatives without a repeat, which cannot
backtrack badly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from helpers.annotate.annotations import Codebook
from helpers.annotate.detect.phrases import Phrase, PhraseBook, PhraseError, parse
from helpers.annotate.detect.scan import Finder, Scanner
from helpers.text import german
from helpers.text.patterns import PatternError, UserPattern
from helpers.text.wordlists import DETERMINERS, OTHERS_VIEW, REPORTING_CUES, SELF_VIEW

# Fuzzy names: normalised optimal-string-alignment similarity (an adjacent transposition is one edit).
# 0.8 allows one edit in a 5-9 letter name ("Mazte", "Matzke" ~ "Matze") and nothing more; a two-word name
# needs 0.85 and at least one word spelled exactly ("Martin Schulte" ~ "Martina Schulte").
FUZZY_THRESHOLD = 0.8
FUZZY_PAIR_THRESHOLD = 0.85
FUZZY_MIN_LENGTH = 5
# A misspelled first name beside its surname ("Jon Matze", "Rebecca Mercer"): same initial, this similar at least.
FIRST_NAME_THRESHOLD = 0.5
FUZZY_KINDS = frozenset({"person", "company", "outlet", "platform", "movement", "party"})

CUES = Finder([spec[0] for spec in REPORTING_CUES], [spec[1] for spec in REPORTING_CUES],
              [spec[3] for spec in REPORTING_CUES], source="helpers.text.wordlists: REPORTING_CUES")
CUE_KINDS = [spec[2] for spec in REPORTING_CUES]
OTHERS_VIEW_FINDER = Finder([OTHERS_VIEW], source="helpers.text.wordlists: OTHERS_VIEW")
SELF_VIEW_FINDER = Finder([SELF_VIEW], source="helpers.text.wordlists: SELF_VIEW")


def _looks_like_name(spelling: str) -> bool:
    """Tell whether a spelling can occur in running text (not a description such as "Amazon / AWS (…)")."""
    return re.fullmatch(r"[\w][\w .'’&-]*", spelling) is not None


@dataclass
class Rules:
    """Everything compiled from one codebook."""

    codebook: Codebook
    kinds: dict[str, str]
    actor_re: re.Pattern[str]
    forms: dict[str, tuple[str, int]]
    folded_forms: dict[str, tuple[str, int]]
    blocked: frozenset[str]
    exact_words: frozenset[str]
    fuzzy_words: list[tuple[str, str]]
    fuzzy_pairs: list[tuple[str, str]]
    pair_initials: frozenset[tuple[str, str]]
    first_names: dict[str, list[str]]  # per person actor: the first names of its two-word spellings
    long_names: list[tuple[re.Pattern[str], str, str]]  # names of 3+ words: (all but the last word, spelling, actor)
    frame_forms: dict[str, set[str]]
    frame_lemmas: dict[str, set[str]]
    frame_prefix_re: re.Pattern[str] | None
    frame_suffix_re: re.Pattern[str] | None
    frame_prefix: dict[str, set[str]]
    frame_suffix: dict[str, set[str]]
    frame_phrases: list[tuple[str, str, tuple[str, ...], frozenset[str]]]
    scanner: Scanner
    labels: list[tuple[str, str, Finder]]
    facts: list[tuple[str, Finder, list[UserPattern | None]]]
    fact_phrases: list[tuple[str, list[Phrase]]]  # per fact: its phrase cues (detect.phrases)
    fact_undone: dict[str, list[Phrase]]  # per fact: phrases that say the state it describes has ended
    phrase_book: PhraseBook  # all of them, with each form's fit to their prefixes and suffixes remembered
    word_frames: dict[str, tuple[frozenset[str], frozenset[str]] | None] = field(default_factory=dict)
    fuzzy_cache: dict[object, tuple[str, str, float] | None] = field(default_factory=dict)
    pair_cache: dict[str, tuple[str, str, float] | None] = field(default_factory=dict)
    target_name: str = ""  # codebook.target_name(), read once: the labels layer names it in every note

    def __post_init__(self) -> None:
        self.target_name = self.codebook.target_name()



def _actor_rules(codebook: Codebook) -> dict:
    """Compile the actor spellings: one regex, the form -> (actor, name length) lookups, fuzzy targets."""
    actors = codebook.codes["actors"]
    kinds = dict(zip(actors["id"], actors["kind"], strict=True))
    # `exclude` is optional: a codebook whose actors give none has no such column.
    exclude = actors["exclude"].fillna("") if "exclude" in actors.columns else [""] * len(actors)
    excludes = dict(zip(actors["id"], map(str, exclude), strict=True))
    forms: dict[str, tuple[str, int]] = {}
    folded: dict[str, tuple[str, int]] = {}
    blocked: set[str] = set()
    alternatives: list[str] = []
    fuzzy_words: list[tuple[str, str]] = []
    fuzzy_pairs: list[tuple[str, str]] = []
    long_names: list[tuple[re.Pattern[str], str, str]] = []
    exact_words: set[str] = set()
    for actor, spellings in codebook.actor_spellings().items():
        spellings = [s.strip() for s in spellings if _looks_like_name(s.strip())]
        for spelling in spellings:
            shorter = [p for p in spellings if len(p) < len(spelling) and spelling.startswith(p)]
            stem = max(shorter, key=len, default="")
            rest = spelling[len(stem):]
            # An inflected form the actor's exclude note names ("Gabs (posts on Gab)") is not a mention.
            if stem and re.search(rf"(?<![\w]){re.escape(spelling)}(?![\w])", excludes[actor]):
                blocked.add(spelling)
                continue
            if any(spelling[len(p)] == "-" for p in shorter):
                continue  # "Trump-Anhänger(in)": the hyphen already ends the name "Trump"
            name_length = len(stem) if stem and len(rest) >= 3 and rest[0].islower() else len(spelling)
            if spelling.islower():
                folded[spelling.lower()] = (actor, name_length)
                alternatives.append(f"(?i:{re.escape(spelling)})")
            else:
                forms[spelling] = (actor, name_length)
                alternatives.append(re.escape(spelling))
            words = spelling.split()
            exact_words.update(words)
            if kinds[actor] in FUZZY_KINDS and all(w[:1].isupper() for w in words) and "-" not in spelling:
                if len(words) == 1 and len(spelling) >= FUZZY_MIN_LENGTH:
                    fuzzy_words.append((spelling, actor))
                elif len(words) == 2:
                    fuzzy_pairs.append((spelling, actor))
                elif len(words) >= 3:  # "Amazon Web Services": all but the last word spelled right
                    stem = r"\s+".join(re.escape(w) for w in words[:-1])
                    long_names.append((re.compile(rf"(?<![\w]){stem}\s+(?P<last>[A-ZÄÖÜ][^\W\d_]+)"), spelling,
                                       actor))
    alternatives.sort(key=len, reverse=True)
    actor_re = re.compile(r"(?<![\w])(?P<name>" + "|".join(alternatives) + r")(?P<genitive>s)?(?![\w])")
    first_names: dict[str, list[str]] = {}
    for spelling, actor in fuzzy_pairs:
        if kinds[actor] == "person":
            first_names.setdefault(actor, []).append(spelling.split()[0])
    return {"first_names": first_names, "long_names": long_names, "kinds": kinds,
            "actor_re": actor_re, "forms": forms, "folded_forms": folded, "blocked": frozenset(blocked),
            "exact_words": frozenset(exact_words), "fuzzy_words": fuzzy_words, "fuzzy_pairs": fuzzy_pairs,
            "pair_initials": frozenset((a[0], b[0]) for a, b in (p.split() for p, _ in fuzzy_pairs))}


def _frame_rules(codebook: Codebook) -> dict:
    """Compile the frame cues: word forms, lemmas, stems (prefix/suffix regexes) and phrases."""
    forms: dict[str, set[str]] = {}
    lemmas: dict[str, set[str]] = {}
    prefix: dict[str, set[str]] = {}
    suffix: dict[str, set[str]] = {}
    phrases: list[tuple[str, str, tuple[str, ...], frozenset[str]]] = []
    for frame in codebook.codes["frames"].itertuples():
        for cue in frame.cues:
            words = tuple(str(cue).split())
            if len(words) > 1:
                phrases.append((frame.id, str(cue), words, frozenset(w.lower() for w in words
                                                                       if w.lower() not in DETERMINERS)))
                continue
            word = words[0]
            forms.setdefault(word.lower(), set()).add(frame.id)
            lemmas.setdefault(german.lemma(word), set()).add(frame.id)
            if len(word) >= 5:
                prefix.setdefault(word.lower(), set()).add(frame.id)
            if len(word) >= 7:
                suffix.setdefault(word.lower(), set()).add(frame.id)

    def alternation(stems: Iterable[str]) -> str:
        return "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))

    # Searched in the lowercased text (the stems are lowercase).
    prefix_re = re.compile(rf"(?<![^\W\d_])(?:{alternation(prefix)})") if prefix else None
    suffix_re = re.compile(rf"(?:{alternation(suffix)})(?![^\W\d_])") if suffix else None
    return {"frame_forms": forms, "frame_lemmas": lemmas, "frame_prefix_re": prefix_re, "frame_suffix_re": suffix_re,
            "frame_prefix": prefix, "frame_suffix": suffix, "frame_phrases": phrases}


def _compile_cues(where: str, cues: list[str]) -> tuple[Finder, list[UserPattern | None]]:
    """Compile a code's cues into one finder ("A && B": A gives the span, B must occur in the same sentence).

    Cues are researchers' patterns: they run under a time limit (helpers.text.patterns) and name `where` when
    they run over it.
    """
    spans, required = [], []
    for cue in cues:
        parts = [p.strip() for p in cue.split(" && ")]
        try:
            UserPattern(parts[0], where, ignore_case=True)  # as Finder compiles it, to name the whole cue
            required.append(UserPattern(parts[1], where, ignore_case=True) if len(parts) > 1 else None)
        except PatternError as exc:
            raise ValueError(f"{where}: cue {cue!r} is not a valid regular expression ({exc.reason})") from None
        spans.append(parts[0])
    return Finder(spans, source=where), required


def _phrase_list(codebook: Codebook, code: object, field_name: str) -> list[Phrase]:
    """Compile one field of phrase cues of a fact (an absent or empty field gives none)."""
    phrases = getattr(code, field_name, None)
    if not isinstance(phrases, list):
        return []
    actors, where = set(codebook.ids("actors")), f"{codebook.path}: facts {code.id} {field_name}"  # type: ignore
    try:
        return [parse(str(phrase), actors, where) for phrase in phrases]
    except PhraseError as exc:
        raise ValueError(str(exc)) from None


def _cue_rules(codebook: Codebook) -> dict:
    """Compile the label and fact cues and the fact phrases of the codebook (one finder per code)."""
    labels, facts = [], []
    fact_phrases = [(code.id, found) for code in codebook.codes["facts"].itertuples()
                    if (found := _phrase_list(codebook, code, "phrases"))]
    fact_undone = {code.id: found for code in codebook.codes["facts"].itertuples()
                   if (found := _phrase_list(codebook, code, "undone_by"))}
    for layer in ("labels", "facts"):
        for code in codebook.codes[layer].itertuples():
            cues = getattr(code, "cues", None)
            if not isinstance(cues, list) or not cues:
                continue
            finder, required = _compile_cues(f"{codebook.path}: {layer} {code.id}", [str(c) for c in cues])
            if layer == "labels":
                labels.append((code.id, code.category, finder))
            else:
                facts.append((code.id, finder, required))
    every = [p for _, found in fact_phrases for p in found] + [p for found in fact_undone.values() for p in found]
    return {"labels": labels, "facts": facts, "fact_phrases": fact_phrases, "fact_undone": fact_undone,
            "phrase_book": PhraseBook(every)}


# Compiled rules by codebook object (a few at a time: notebooks use one codebook, tests several).
_RULES_CACHE: dict[int, Rules] = {}


def rules_of(codebook: Codebook) -> Rules:
    """Return the compiled rules of a codebook (compiled once per codebook object)."""
    rules = _RULES_CACHE.get(id(codebook))
    if rules is None or rules.codebook is not codebook:
        cues = _cue_rules(codebook)
        finders = [CUES, OTHERS_VIEW_FINDER, SELF_VIEW_FINDER] + [f for _, _, f in cues["labels"]] + [
            f for _, f, _ in cues["facts"]]
        rules = Rules(codebook=codebook, scanner=Scanner(finders), **_actor_rules(codebook),
                       **_frame_rules(codebook), **cues)
        if len(_RULES_CACHE) >= 8:
            _RULES_CACHE.pop(next(iter(_RULES_CACHE)))
        _RULES_CACHE[id(codebook)] = rules
    return rules
