"""The codebook and the hand-coded annotations: load, check (file and line named), and locate spans.

Hand coding lives in ``corpus/annotations/<coder>/<layer>.csv``, one file per coder and layer, with the
columns in ANNOTATION_FILE_COLUMNS. Offsets are into an article's *clean* text; each `span` must equal
the text at its offsets. Detectors (helpers.annotate.detect) return the same columns, so hand coding and
detections can be compared row for row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.corpus.articles import corpus_dir
from helpers.corpus.readers import read_table
from helpers.errors import CorpusError, expect, read_yaml

LAYERS = ("actors", "facts", "labels", "frames", "quotes")
ANNOTATION_FILE_COLUMNS = ["article_id", "layer", "code", "start", "end", "span", "speaker", "attributed_to", "note"]
# Whose words carry a frame or a label (coding rules in corpus/annotations/README.md). A file may leave the
# column out (older codings); a frames or labels row that has it must give one of VOICES.
VOICE = "voice"
OWN, REPORTED, QUOTED = "own", "reported", "quoted"
VOICES = (OWN, REPORTED, QUOTED)
VOICE_LAYERS = ("frames", "labels")
# What every annotation table (hand coding or detector output) holds.
ANNOTATION_COLUMNS = ANNOTATION_FILE_COLUMNS + ["coder", "is_variant", VOICE]
UNATTRIBUTED = "unattributed"
# Fields a code may have besides its required ones (CODE_FIELDS); any other key is a typo the kit would ignore.
OPTIONAL_FIELDS = {"actors": ["affiliation", "side", "include", "exclude"],
                   "facts": ["name", "cues", "phrases", "undone_by"],
                   "labels": ["name", "cues"], "frames": ["name"], "quotes": ["name"]}
CODEBOOK_SECTIONS = ["version", "label_target", "layers", "actor_kinds", "label_categories", "frame_kinds", "agency",
                     *("actors", "facts", "labels", "frames", "quotes")]
CODE_FIELDS = {
    "actors": ["id", "name", "kind", "spellings", "definition", "example"],
    "facts": ["id", "definition", "include", "exclude", "example"],
    "labels": ["id", "category", "definition", "include", "exclude", "example"],
    "frames": ["id", "kind", "definition", "cues", "include", "exclude", "example"],
    "quotes": ["id", "definition", "include", "exclude", "example"],
}


@dataclass(frozen=True)
class Codebook:
    """The codebook: one DataFrame of codes per layer, plus the allowed kinds and categories."""

    codes: dict[str, pd.DataFrame]
    actor_kinds: list[str]
    label_categories: dict[str, str]
    frame_kinds: dict[str, str]
    path: Path
    agency: dict = field(default_factory=dict)  # optional cue lists for helpers.analyse.framing.cutoff_agency
    label_target: str = ""  # the actor id the labels layer characterises ("" = labels of anyone)

    def ids(self, layer: str) -> list[str]:
        """Return the code ids of a layer, in codebook order."""
        return list(self.codes[layer]["id"])

    def name_of(self, layer: str, code: str) -> str:
        """Return what a reader sees for a code: its `name`, else its definition's first sentence, else its id."""
        codes = self.codes[layer]
        row = codes[codes["id"] == code] if "id" in codes.columns else codes.iloc[0:0]
        if row.empty:
            return code
        name = row["name"].iloc[0] if "name" in row.columns else None
        if isinstance(name, str) and name.strip():
            return name.strip()
        first = str(row["definition"].iloc[0]).split(". ")[0].strip().rstrip(".")
        return first if len(first) <= 80 else first[:79].rstrip() + "…"

    def names(self, layer: str) -> dict[str, str]:
        """Return {code id: the name a reader sees} for every code of a layer, in codebook order."""
        return {code: self.name_of(layer, code) for code in self.ids(layer)}

    def actor_names(self) -> dict[str, str]:
        """Return {actor id: display name} for the actors that have a name."""
        actors = self.codes["actors"]
        if "name" not in actors.columns:
            return {}
        return {actor: str(name) for actor, name in zip(actors["id"], actors["name"], strict=True) if name}

    def target_name(self) -> str:
        """Return the display name of the label target (its id without a name; "" without a target)."""
        return self.actor_names().get(self.label_target) or self.label_target

    def actor_spellings(self) -> dict[str, list[str]]:
        """Return each actor id's known spellings (the display `name` is a label, not a spelling)."""
        actors = self.codes["actors"]
        return {row.id: list(dict.fromkeys(row.spellings)) for row in actors.itertuples()}


def codebook_path(root: Path | None = None) -> Path:
    """Return the codebook file of a corpus folder."""
    return corpus_dir(root) / "codebook.yaml"


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read and check the codebook's structure (ids unique, required fields, known kinds/categories)."""
    path = Path(path) if path else codebook_path()
    data = read_yaml(path, "codebook")
    shapes = {"actor_kinds": list, "label_categories": dict, "frame_kinds": dict, "agency": dict,
              "label_target": str, **dict.fromkeys(LAYERS, list)}
    problems = [problem for key, kind in shapes.items() if data.get(key) is not None
                and (problem := expect(data[key], kind, f"{path}: {key}")) is not None]
    problems += [f"{path}: unknown section {key!r} (the sections are: {', '.join(CODEBOOK_SECTIONS)})"
                 for key in data if key not in CODEBOOK_SECTIONS]
    if problems:
        raise CorpusError(problems)
    kinds = list(data.get("actor_kinds") or [])
    categories = dict(data.get("label_categories") or {})
    frame_kinds = dict(data.get("frame_kinds") or {})
    codes: dict[str, pd.DataFrame] = {}
    for layer in LAYERS:
        entries = data.get(layer) or []
        seen: set[str] = set()
        for n, entry in enumerate(entries, start=1):
            if (problem := expect(entry, dict, f"{path}: {layer} #{n}")) is not None:
                problems.append(problem)
                continue
            where = f"{path}: {layer} #{n} ({entry.get('id', 'no id')})"
            known = CODE_FIELDS[layer] + OPTIONAL_FIELDS[layer]
            if unknown := [key for key in entry if key not in known]:
                problems.append(f"{where}: unknown field(s) {', '.join(map(repr, unknown))} (a code of {layer} has: "
                                f"{', '.join(known)})")
            missing = [f for f in CODE_FIELDS[layer] if not entry.get(f)]
            if missing:
                problems.append(f"{where}: missing {', '.join(missing)}")
                continue
            lists = ("spellings", "cues", "phrases", "undone_by")
            shape = [problem for key, kind in (("id", str), ("name", str), *((key, list) for key in lists))
                     if key in entry and (problem := expect(entry[key], kind, f"{where}: {key}")) is not None]
            shape += [f"{where}: {key} #{i}: must be text, not {item!r}" for key in lists
                      if isinstance(entry.get(key), list) for i, item in enumerate(entry[key], start=1)
                      if not isinstance(item, str)]
            if shape:
                problems.extend(shape)
                continue
            if entry["id"] in seen:
                problems.append(f"{where}: duplicate id")
            seen.add(entry["id"])
            example = entry["example"]
            if not isinstance(example, dict) or not example.get("article_id") or not example.get("span"):
                problems.append(f"{where}: example needs an article_id and a span")
            if layer == "actors" and entry["kind"] not in kinds:
                problems.append(f"{where}: kind {entry['kind']!r} is not one of {kinds}")
            if layer == "labels" and entry["category"] not in categories:
                problems.append(f"{where}: category {entry['category']!r} is not one of {list(categories)}")
            if layer == "frames" and entry["kind"] not in frame_kinds:
                problems.append(f"{where}: kind {entry['kind']!r} is not one of {list(frame_kinds)}")
        codes[layer] = pd.DataFrame(entries)
    if problems:
        raise CorpusError(problems)
    agency = data.get("agency") or {}
    if not isinstance(agency, dict):
        raise CorpusError([f"{path}: section 'agency' must be a mapping"])
    target = str(data.get("label_target") or "")
    if target and target not in set(codes["actors"].get("id", [])):
        raise CorpusError([f"{path}: label_target {target!r} is not an actor id of the codebook"])
    return Codebook(codes, kinds, categories, frame_kinds, path, agency, target)


def check_codebook_examples(codebook: Codebook, texts: Mapping[str, str]) -> list[str]:
    """Return a problem for each example span not found verbatim in its article's clean text.

    Examples from articles that are not in this corpus are skipped, so a codebook serves subsets of the corpus.
    """
    problems = []
    for layer, codes in codebook.codes.items():
        for code in codes.itertuples():
            article_id, span = code.example["article_id"], code.example["span"]
            if article_id not in texts:
                continue  # the example's article is not in this corpus (a subset or a restored share): nothing to check
            if span not in texts[article_id]:
                problems.append(f"{codebook.path}: {layer} {code.id}: example span {span!r} "
                                f"is not in the clean text of {article_id}")
    return problems


def locate(text: str, span: str, occurrence: int = 1) -> tuple[int, int]:
    """Return (start, end) of the `occurrence`-th (1-based) exact match of `span` in `text`."""
    start = -1
    for _ in range(occurrence):
        start = text.find(span, start + 1)
        if start < 0:
            raise ValueError(f"{span!r} occurs fewer than {occurrence} time(s)")
    return start, start + len(span)


def annotation_files(root: Path | None = None) -> list[Path]:
    """Return every hand-coding file: corpus/annotations/<coder>/<layer>.csv."""
    folder = corpus_dir(root) / "annotations"
    return sorted(p for p in folder.glob("*/*.csv") if p.is_file()) if folder.is_dir() else []


# Files that may sit directly in corpus/annotations/ besides the coders' folders.
ANNOTATIONS_FOLDER_FILES = {"README.md", "ADJUDICATION-NOTES.md", "adjudication.csv"}


def stray_annotation_files(root: Path | None = None) -> list[str]:
    """Return a problem for each file in corpus/annotations/ that the kit would not read (so would ignore silently).

    Codings live in <coder>/<layer>.csv, lowercase `.csv`, one level down; anything else looks like coding in
    the wrong place (`annotations/facts.csv`, `coder_a/old/facts.csv`, `coder_a/facts.CSV`).
    """
    folder = corpus_dir(root) / "annotations"
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.is_dir() and len(relative.parts) == 1:
            continue
        if len(relative.parts) == 1 and path.name in ANNOTATIONS_FOLDER_FILES:
            continue
        if len(relative.parts) == 2 and path.suffix == ".csv" and path.is_file():
            continue  # read as a coding (a wrong layer name is reported there)
        if len(relative.parts) == 2 and path.suffix.lower() == ".md":
            continue  # a coder's own notes
        if path.is_dir() and path.suffix.lower() == ".csv":
            problems.append(f"{path}: is a folder where a coding file belongs; move its contents out and remove it")
            continue
        problems.append(f"{path}: not read (codings belong in {folder}/<coder>/<layer>.csv, the layer one of "
                        f"{', '.join(LAYERS)}); move or remove it")
    return problems


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_annotation_file(path: Path, codebook: Codebook, texts: Mapping[str, str]) -> tuple[list[dict], list[str]]:
    """Read one hand-coding file; return its rows and every problem, each naming the file and line."""
    layer = path.stem
    coder = path.parent.name
    problems: list[str] = []
    if layer not in LAYERS:
        return [], [f"{path}: file name must be one of {', '.join(f'{la}.csv' for la in LAYERS)}"]
    # A coded span may cross a paragraph break, so only `span` may hold a line break.
    table = read_table(path, ANNOTATION_FILE_COLUMNS, optional=[VOICE], multiline=["span"], what="coding file")
    problems += table.problems
    has_voice = VOICE in table.header
    codes = set(codebook.ids(layer))
    actors = set(codebook.ids("actors")) | {UNATTRIBUTED}
    rows: list[dict] = []
    kept: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for line, row in table.rows:
        where = f"{path} line {line}"
        bad = []
        if row["layer"] != layer:
            bad.append(f"layer {row['layer']!r} does not match the file ({layer})")
        if row["code"] not in codes:
            bad.append(f"code {row['code']!r} is not in the codebook's {layer}")
        text = texts.get(row["article_id"])
        if text is None:
            bad.append(f"article_id {row['article_id']!r} is not in the corpus")
        start, end = _int(row["start"]), _int(row["end"])
        if start is None or end is None:
            bad.append(f"start/end must be whole numbers (got {row['start']!r}, {row['end']!r})")
        elif start >= end:
            bad.append(f"start {start} is not before end {end} (are they swapped?)")
        elif text is not None:
            if not 0 <= start < end <= len(text):
                bad.append(f"offsets {start}-{end} are outside the clean text (length {len(text)})")
            elif text[start:end] != row["span"]:
                found = text.find(row["span"]) if row["span"] else -1
                hint = f"; the span occurs at {found}-{found + len(row['span'])}" if found >= 0 else (
                    "; the span is not in the clean text at all")
                bad.append(f"span {row['span']!r} is not the text at {start}-{end} "
                           f"({text[start:end]!r}){hint}")
        if layer == "quotes" and row["speaker"] not in actors:
            bad.append(f"speaker {row['speaker']!r} must be an actor id or {UNATTRIBUTED!r}")
        elif layer != "quotes" and row["speaker"]:
            bad.append(f"speaker {row['speaker']!r} is only coded in quotes (leave it empty in {layer})")
        if layer in VOICE_LAYERS and row["attributed_to"] and row["attributed_to"] not in actors:
            bad.append(f"attributed_to {row['attributed_to']!r} must be empty (the outlet's own words), "
                       f"an actor id or {UNATTRIBUTED!r}")
        bad += _voice_problems(layer, row, has_voice)
        if bad:
            problems.extend(f"{where}: {b}" for b in bad)
            continue
        key = (row["article_id"], row["code"])
        for other_start, other_end, other_line in kept.get(key, []):
            if start < other_end and other_start < end:
                problems.append(f"{where}: overlaps line {other_line} ({row['code']} at {other_start}-{other_end}) "
                                "in the same article: a duplicate")
                break
        else:
            kept.setdefault(key, []).append((start, end, line))
            rows.append({**row, "start": start, "end": end, "coder": coder, "line": line,
                         VOICE: row.get(VOICE, "")})
    return rows, problems


def voice_text(voice: str, attributed_to: str) -> str:
    """Return a row's voice as one string: "own", or e.g. "reported (amazon)"."""
    return f"{voice} ({attributed_to})" if attributed_to else voice


def _voice_problems(layer: str, row: dict[str, str], has_voice: bool) -> list[str]:
    """Say what is wrong with a row's voice: one of VOICES in frames and labels, agreeing with attributed_to."""
    voice = row.get(VOICE, "")
    if layer not in VOICE_LAYERS:
        return [f"voice {voice!r} is only coded in {' and '.join(VOICE_LAYERS)}"] if voice else []
    if not has_voice:
        return []
    if voice not in VOICES:
        return [f"voice {voice!r} must be one of {', '.join(VOICES)}"]
    if voice == OWN and row["attributed_to"]:
        return [f"voice 'own' (the outlet's words) cannot be attributed to {row['attributed_to']!r}"]
    if voice != OWN and not row["attributed_to"]:
        return [f"voice {voice!r} needs attributed_to (an actor id or {UNATTRIBUTED!r})"]
    return []


def load_annotations(texts: Mapping[str, str], root: Path | None = None,
                     codebook: Codebook | None = None) -> pd.DataFrame:
    """Load every hand-coding file after checking it; raise CorpusError listing every bad row."""
    codebook = codebook or load_codebook(codebook_path(root))
    rows, problems = [], []
    for path in annotation_files(root):
        file_rows, file_problems = check_annotation_file(path, codebook, texts)
        rows += file_rows
        problems += file_problems
    if problems:
        raise CorpusError(problems)
    table = pd.DataFrame(rows, columns=ANNOTATION_FILE_COLUMNS + ["coder", "line", VOICE])
    table["is_variant"] = False
    return table.astype({"start": "int64", "end": "int64"})


def check_all_annotations(texts: Mapping[str, str], root: Path | None = None) -> list[str]:
    """Return every problem in the codebook and the hand coding (empty list: all good)."""
    files = annotation_files(root)
    if not codebook_path(root).is_file() and not files:
        return []  # a corpus without a codebook has nothing coded yet
    try:
        codebook = load_codebook(codebook_path(root))
    except CorpusError as exc:
        return exc.problems
    problems = check_codebook_examples(codebook, texts) + stray_annotation_files(root)
    for path in files:
        problems += check_annotation_file(path, codebook, texts)[1]
    return problems

# What an article is for a layer it has no coded row in: unknown, never "absent" or zero.
NOT_CODED = "not coded yet"


def coded_in(rows: pd.DataFrame) -> set[str]:
    """Return the articles a coding has coded: those with at least one row in any layer.

    The one meaning of "coded" in the kit. A coded article without a fact (frame, quote) has none: 0, absent.
    An article with no row at all is not coded yet: unknown, never 0 (tables show NA, claims leave it out).
    """
    return set(rows["article_id"])


def coded_articles(hand: pd.DataFrame) -> dict[str, set[str]]:
    """Return each coder's articles that have at least one hand-coded row (any layer)."""
    return {coder: coded_in(rows) for coder, rows in hand.groupby("coder")}


def coded_layers(hand: pd.DataFrame) -> dict[str, set[str]]:
    """Return each coder's layers that have at least one hand-coded row (any article)."""
    return {coder: set(rows["layer"]) for coder, rows in hand.groupby("coder")}
