"""The case a corpus studies, read from its `study.yaml`: title, question, sides, evidence ids, searches, coders.

Everything the kit needs to know about one case and nothing about German or about coding lives there, so a
second case study is a second corpus folder, not a code change. A corpus without the file still loads: the
title is the folder's name and nothing case-specific is compared (no sides, no claims, empty searches).

The file is read strictly: an unknown key, a wrong type, a search that is not a regular expression, or the old
`claims:` key (findings are data now: claims.yaml) is a CorpusError naming the file and the key. Whether its ids
exist (fact, frame, event ids, sides) is checked against the codebook and events by
``helpers.annotate.study.check_settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import CorpusError, read_yaml
from helpers.text.patterns import PatternError, UserPattern

STUDY_FILE = "study.yaml"


@dataclass(frozen=True)
class Evidence:
    """Fact, frame and event ids of the study's main comparison: a claim set against the evidence on it."""

    claim: str = ""  # the fact id of the claim (e.g. one side's account of why it happened)
    warnings: tuple[str, ...] = ()  # fact ids of earlier evidence that bears on the claim
    reasons: tuple[str, ...] = ()  # fact ids of the acting side's stated reasons
    reason_frames: tuple[str, ...] = ()  # frames that carry those reasons when in the acting side's voice
    filing_event: str = ""  # event id after which the earlier evidence was public ("" = none)


@dataclass(frozen=True)
class Settings:
    """The study's settings (see the module docstring); `path` is None when the corpus has no study file."""

    path: Path | None
    title: str
    question: str = ""
    sides: tuple[str, ...] = ()  # codebook `side` values compared in the findings; the first is the focal side
    acting_side: str = ""  # the side whose action the cut-off sentences are read for
    evidence: Evidence = field(default_factory=Evidence)
    searches: dict[str, str] = field(default_factory=dict)  # default searches: kwic (key words), names
    coders: str = ""  # who made the hand coding, in a few words (shown on the report's index)

    @property
    def focal_side(self) -> str:
        """Return the side the study is about (the first of `sides`), or "" without sides."""
        return self.sides[0] if self.sides else ""

    def search(self, name: str) -> str:
        """Return a default search by name ("" when the study gives none)."""
        return self.searches.get(name, "")


# The default searches a study may set, and how each is read: `kwic` fills the shared page's search box, which
# takes words (helpers.analyse.kwic.words_pattern: any text is valid); `names` is a lab search box's pattern.
SEARCHES = {"kwic": "words", "names": "regular expression"}
_TOP = {"title": str, "question": str, "sides": list, "acting_side": str, "evidence": dict, "searches": dict,
        "coders": str}
_EVIDENCE = {"claim": str, "warnings": list, "reasons": list, "reason_frames": list, "filing_event": str}


def _checked(data: dict, kinds: dict[str, type], where: str, problems: list[str]) -> dict:
    """Return the known keys of a mapping; record unknown keys and wrong types in `problems`."""
    kept = {}
    for key, value in data.items():
        if key == "claims" and kinds is _TOP:
            problems.append(f"{where}: 'claims' is no longer a key: the findings are data in the corpus folder's "
                            "claims.yaml (no code runs from a corpus folder); see docs/claims.md")
        elif key not in kinds:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(kinds)})")
        elif value is None:
            continue
        elif not isinstance(value, kinds[key]) or (
                kinds[key] is list and not all(isinstance(item, str) for item in value)):
            expected = "a list of strings" if kinds[key] is list else f"a {kinds[key].__name__}"
            problems.append(f"{where}: {key!r} must be {expected}, not {value!r}")
        else:
            kept[key] = value
    return kept


def load_settings(root: Path) -> Settings:
    """Read `study.yaml` of a corpus folder strictly; without the file, return neutral settings."""
    path = root / STUDY_FILE
    if not path.exists():  # a folder in its place is named by the reader
        return Settings(None, title=f"Coverage study: {root.resolve().name}")
    problems: list[str] = []
    data = _checked(read_yaml(path, "study file"), _TOP, str(path), problems)
    evidence = _checked(data.get("evidence", {}), _EVIDENCE, f"{path}: evidence", problems)
    searches = data.get("searches", {})
    for key, value in searches.items():
        if key not in SEARCHES:
            problems.append(f"{path}: searches: unknown search {key!r} (the searches are: {', '.join(SEARCHES)})")
        elif not isinstance(value, str):
            problems.append(f"{path}: searches: {key!r} must be a string, not {value!r}")
        elif SEARCHES[key] == "regular expression":
            try:
                UserPattern(value, f"{path}: searches: {key}")
            except PatternError as exc:
                problems.append(str(exc))
    if not str(data.get("title", "")).strip():
        problems.append(f"{path}: 'title' is required (the report's heading)")
    if problems:
        raise CorpusError(problems)
    return Settings(
        path, title=data["title"].strip(), question=data.get("question", "").strip(),
        sides=tuple(data.get("sides", ())), acting_side=data.get("acting_side", ""),
        evidence=Evidence(evidence.get("claim", ""), tuple(evidence.get("warnings", ())),
                          tuple(evidence.get("reasons", ())), tuple(evidence.get("reason_frames", ())),
                          evidence.get("filing_event", "")),
        searches={k: v for k, v in searches.items() if isinstance(v, str)},
        coders=data.get("coders", "").strip())
