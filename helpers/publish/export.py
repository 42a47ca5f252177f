"""Write tidy CSV tables for R and Excel users (UTF-8 with a byte-order mark, so Excel reads umlauts).

Besides the article metadata and the cleaning audit, the hand coding (corpus/annotations/<coder>/) is
written as one table per layer. With one coder the tables have exactly the columns below; with several,
each table gains a `coder` column (second) and holds every coder's rows. Without any hand coding the
tables are written with headers only: no coding is not the same as "absent".

Beside them go the data behind the other views: events, sentences with offsets, every detector row and the
detectors' scores, lemma counts, keyness per outlet and the KWIC hits of the study's default searches; and
`datapackage.json` (helpers.publish.datapackage) describes every file written, for Frictionless tools.

`export_without_text` writes the same tables with every span of article text cut to a short quote, for
sharing when the texts are under copyright; `restore_corpus` rebuilds a corpus folder from such an export
plus texts the user supplies, each verified by its sha256.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from helpers.analyse.claims import claims_table
from helpers.analyse.kwic import COLUMNS as KWIC_COLUMNS
from helpers.analyse.kwic import kwic, words_pattern
from helpers.analyse.tables import annotation_tables
from helpers.analyse.vocabulary import KEYNESS_COLUMNS, keyness, lemma_counts
from helpers.annotate import heldout
from helpers.annotate.annotations import (
    ANNOTATION_COLUMNS,
    Codebook,
    annotation_files,
    codebook_path,
    load_codebook,
)
from helpers.annotate.consensus import adjudicated
from helpers.annotate.detect import detect_all
from helpers.annotate.heldout import EvaluationSet
from helpers.annotate.measure import SCORE_COLUMNS
from helpers.annotate.study import load_study
from helpers.corpus.articles import (
    EVENT_COLUMNS,
    METADATA_COLUMNS,
    check_corpus,
    corpus_dir,
    inside,
    load_articles,
    load_events,
    removals,
    sha256_of,
)
from helpers.corpus.dates import CLUE_COLUMNS, load_date_clues
from helpers.corpus.readers import read_table
from helpers.corpus.settings import SEARCHES, Settings, load_settings
from helpers.errors import CorpusError
from helpers.publish.datapackage import DATAPACKAGE_NAME, astral_note, describe_package
from helpers.publish.outputs import check_output, output_folder
from helpers.publish.qdpx import write_qdc, write_qdpx
from helpers.text.segment import sentences_frame

CSV_ENCODING = "utf-8-sig"
# Export without text: each column that holds article text is cut to a short quote; offsets stay exact.
QUOTE_WIDTH = 30
ELLIPSIS = "…"
TEXT_COLUMNS = {"cleaning_removals.csv": ("text",), "disagreements.csv": ("text",), "coverage.csv": ("evidence_span",),
                "mentions.csv": ("surface",), "quotes.csv": ("quote",), "labels.csv": ("phrase",),
                "frames.csv": ("sentence",), "sentences.csv": ("text",), "detections.csv": ("span", "note"),
                "events.csv": ("source_quote",), "date_clues.csv": ("quote",)}
# Tables where only some rows quote the articles: (column, value) picks them (events quoting reports stay whole).
ARTICLE_ROWS = {"events.csv": ("source_kind", "article")}
# Why the export without text has no KWIC table (said in its README.txt and datapackage.json).
KWIC_LEFT_OUT = ("its left, right and sentence columns are the texts around every hit; cut to short quotes they "
                 "would say nothing, and whole they would be the texts. With the texts, a hit's context is "
                 "clean_text around start:end, and helpers.analyse.kwic rebuilds the table")
README_NAME = "README.txt"
CLAIMS_NAME = "claims.csv"
DETECTIONS_NAME = "detections.csv"
DETECTOR_SCORES_NAME = "detector_scores.csv"
LEMMA_COUNTS_NAME = "lemma_counts.csv"
KEYNESS_NAME = "keyness.csv"
KWIC_NAME = "kwic.csv"
DETECTION_COLUMNS = ["article_id", "coder", "layer", "code", "start", "end", "span", "speaker", "attributed_to",
                     "voice", "is_variant", "note"]
NO_TEXT_README = """\
Export without article text (python -m helpers export --no-text)
=================================================================

The articles are under their publishers' copyright, so this folder holds everything of the corpus
EXCEPT the texts: metadata, checksums, character offsets and short quotes. Files are UTF-8 CSV with
a byte-order mark (Excel shows umlauts; R's readr and pandas read them as they are).

articles.csv          one row per article: every column of the project's corpus/articles.csv
                      (article_id, raw_file, sha256, original_file, outlet, outlet_basis,
                      outlet_confidence, title, published_earliest, published_latest, date_basis,
                      date_confidence, language, url, url_basis, notes) plus words_raw and
                      words_clean. No raw or clean text. sha256 is the checksum of the raw file's
                      bytes as received; title is the headline (a citation); the *_basis columns
                      quote the short clues the outlet and dates rest on.
cleaning_removals.csv the cleaning audit: article_id, line, rule, action, text, raw_start, raw_end.
coverage.csv          article_id, fact_id, present (0/1), evidence_span, start, end
mentions.csv          article_id, actor_id, surface, start, end, is_variant
quotes.csv            article_id, speaker_actor_id, quote, start, end
labels.csv            article_id, label, category, attributed_to, voice, start, end, phrase
frames.csv            article_id, frame, kind, voice, attributed_to, start, end, sentence
agreement.csv         Krippendorff's alpha between the two coders with a 95% bootstrap interval and
                      percent agreement, per layer and measure (code empty) and per code
disagreements.csv     every unit the two coders coded differently, with the adjudicator's decision
                      and reason (coder_a, coder_b or neither)
claims.csv            every finding (from the corpus's claims.yaml) with its verdict (holds, tie,
                      fragile, does not hold), its margin (the smallest change in the data that
                      flips it), its result on each coder's coding and under each doubt in the data,
                      and the layers it rests on with their alpha
date_clues.csv        the dating clues each publication window is computed from: article_id,
                      clue_id, quote, gloss, bounds, event_id, event_time, event_zone, offset_days,
                      berlin_date, strength (firm or soft), reasoning, source
events.csv            dated events of the case: event_id, date, date_precision, actor, event,
                      source_kind, source, source_quote (short, where the source is an article), note
sentences.csv         article_id, paragraph, sentence, start, end, text (short)
detections.csv        every detector row: article_id, coder ("detector"), layer, code, start, end,
                      span (short), speaker, attributed_to, voice, is_variant, note (short)
detector_scores.csv   the detectors scored per set (in sample, dev, test), layer and level
lemma_counts.csv      article_id, lemma, count (stopwords and numbers left out)
keyness.csv           per outlet and lemma against all other outlets: log-odds z, log-likelihood g2
                      and log_ratio, with low_count and warning
datapackage.json      a Frictionless Data Package describing every file: columns, types, keys
cleaning_rules.yaml   the boilerplate rules (only when the corpus has its own; patterns, no text)

Left out: {kwic} (the full export's keyword-in-context hits): {why}.

Short quotes: the text columns (text, evidence_span, surface, quote, phrase, sentence, span, note, and
an article's source_quote in events.csv) hold at most
{width} characters. A longer span is cut after its last whole word that fits and ends in "…".
start/end are exact character offsets into the article's CLEAN text (raw_start/raw_end: into the raw
file), so with the texts the full spans come back as clean_text[start:end]. Offsets count Unicode code
points, end exclusive; tools counting UTF-16 units (JavaScript, Java, .NET) count an emoji as two. Tables with a coder
column hold several coders' rows; "consensus" rows are what the findings count. The codebook is not
included (its examples quote the texts).

To rebuild the full corpus, get the texts yourself, put them in one folder under their raw_file or
original_file names, and run, in the project:

    python -m helpers restore THIS_FOLDER --texts YOUR_TEXTS --out NEW_CORPUS

Every text must match its sha256; the command names each text that is missing or differs and writes
nothing until all match. Then `python -m helpers validate --corpus NEW_CORPUS`.
"""


EXPORT_ONLY_COLUMNS = ["words_raw", "words_clean"]


def article_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Return the metadata with word counts before and after cleaning (no text)."""
    table = articles[METADATA_COLUMNS + EXPORT_ONLY_COLUMNS].copy()
    for column in ("published_earliest", "published_latest"):
        table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table


def corpus_tables(articles: pd.DataFrame, events: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """Return the tables that need no coding: events, sentences, lemma counts, keyness and the default searches."""
    texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
    return {"events.csv": events[EVENT_COLUMNS].reset_index(drop=True), "sentences.csv": sentences_frame(texts),
            LEMMA_COUNTS_NAME: lemma_counts(articles, by="article_id"), KEYNESS_NAME: outlet_keyness(articles),
            KWIC_NAME: search_hits(articles, settings)}


def outlet_keyness(articles: pd.DataFrame) -> pd.DataFrame:
    """Return every lemma's keyness for each outlet against all the others (no rows with a single outlet)."""
    counts = lemma_counts(articles, by="outlet")
    if counts["outlet"].nunique() < 2:
        return pd.DataFrame(columns=["outlet", *KEYNESS_COLUMNS[1:]])
    return keyness(counts, "outlet").rename(columns={"group": "outlet"})


def search_hits(articles: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Return the KWIC hits of the study's default searches (study.yaml `searches`), each row naming its search."""
    found = []
    for name, reading in SEARCHES.items():
        query = settings.search(name)
        if query:
            pattern = words_pattern(query) if reading == "words" else query
            found.append(kwic(articles, pattern).assign(search=name, query=query))
    columns = ["search", "query", *KWIC_COLUMNS]
    table = pd.concat(found, ignore_index=True)[columns] if found else pd.DataFrame(columns=columns)
    return table.astype({"start": "int64", "end": "int64"})


def detector_tables(texts: dict[str, str], codebook: Codebook | None, coding: pd.DataFrame | None,
                    evaluation: Mapping[str, EvaluationSet] | None = None) -> dict[str, pd.DataFrame]:
    """Return every detector row (coder "detector") and the detectors' scores (helpers.annotate.heldout): in sample
    against `coding` (the consensus), and on each evaluation set (articles written for testing) against its own."""
    columns = ["reference", "set", "layer", "level", *SCORE_COLUMNS]
    if codebook is None:
        return {DETECTIONS_NAME: pd.DataFrame(columns=DETECTION_COLUMNS), DETECTOR_SCORES_NAME: pd.DataFrame(
            columns=columns)}
    detected = detect_all(texts, codebook)
    sets = {heldout.IN_SAMPLE: (texts, coding)} if coding is not None and not coding.empty else {}
    sets |= {name: (found.texts, found.hand) for name, found in (evaluation or {}).items()}
    scores = heldout.detector_quality(sets, codebook, {heldout.IN_SAMPLE: detected}).scores
    reference = {heldout.IN_SAMPLE: ", ".join(sorted(set(coding["coder"]))) if sets.get(heldout.IN_SAMPLE) else ""}
    scores["reference"] = [reference.get(name, f"corpus/evaluation/{name}") for name in scores["set"]]
    return {DETECTIONS_NAME: detected[DETECTION_COLUMNS], DETECTOR_SCORES_NAME: scores[columns]}


def date_clue_table(root: Path) -> pd.DataFrame:
    """Return the dating clues the publication windows are computed from (date_clues.csv), days as YYYY-MM-DD."""
    clues = load_date_clues(root)
    return clues[CLUE_COLUMNS].assign(berlin_date=clues["berlin_date"].dt.strftime("%Y-%m-%d"))


def build_tables(corpus: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Return every exported table by file name: articles, cleaning audit, events, sentences, hand coding (with two
    coders the agreement and adjudicated disagreements), checked findings, detections, detector scores, lemma
    counts, keyness and KWIC hits."""
    return _build(corpus)[0]


def _build(corpus: str | Path | None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, Settings]:
    """Return the tables (see build_tables), the articles and the study's settings."""
    root = corpus_dir(corpus)
    articles = load_articles(corpus)
    tables = {"articles.csv": article_table(articles), "cleaning_removals.csv": removals(articles),
              "date_clues.csv": date_clue_table(root)}
    ids = list(articles["article_id"])
    if not annotation_files(root):
        events = load_events(root) if (root / "events.csv").is_file() else pd.DataFrame(columns=EVENT_COLUMNS)
        codebook_file = codebook_path(root)
        codebook = load_codebook(codebook_file) if codebook_file.is_file() else None
        texts = dict(zip(ids, articles["clean_text"], strict=True))
        settings = load_settings(root)
        return (tables | corpus_tables(articles, events, settings)
                | annotation_tables(pd.DataFrame(columns=ANNOTATION_COLUMNS), None, ids)
                | detector_tables(texts, codebook, None)), articles, settings
    study = load_study(corpus)
    tables |= corpus_tables(study.articles, study.events, study.settings)
    if not study.two_coders:
        tables |= annotation_tables(study.hand, study.codebook, ids) | {CLAIMS_NAME: claims_table(study)}
    else:
        # Both coders' rows and the consensus the findings use, with how the two agree and what each finding says.
        hand = pd.concat([study.hand, study.coding], ignore_index=True)
        tables |= annotation_tables(hand, study.codebook, ids) | {
            "agreement.csv": study.agreement, "disagreements.csv": adjudicated(study.units, study.root),
            CLAIMS_NAME: claims_table(study)}
    return (tables | detector_tables(study.texts, study.codebook, study.coding, study.evaluation), study.articles,
            study.settings)


def _package(tables: dict[str, pd.DataFrame], articles: pd.DataFrame, settings: Settings, other_files: list[str],
             without_text: bool = False) -> str:
    """Return the datapackage.json text describing the tables and the other files of an export."""
    note = astral_note(dict(zip(articles["raw_file"], articles["raw_text"], strict=True)),
                       dict(zip(articles["article_id"], articles["clean_text"], strict=True)))
    if without_text:
        note += (f" Export without text: every column of article text is cut to at most {QUOTE_WIDTH} characters "
                 f"(README.txt); {KWIC_NAME} is left out ({KWIC_LEFT_OUT}).")
    package = describe_package(tables, other_files, settings.title, note)
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"


def _write_tables(tables: dict[str, pd.DataFrame], out: Path, corpus: str | Path | None,
                  extra: dict[str, str | Path] | None = None) -> list[Path]:
    """Write the tables (and `extra` files: name -> text or a file to copy) as the export folder `out`.

    The folder is written beside `out` and swapped in (`output_folder`): an existing folder is replaced only
    when the kit made it, and never the corpus.
    """
    out = Path(out)
    with output_folder(out, "export", protect=[corpus_dir(corpus)]) as building:
        for name, table in tables.items():
            table.to_csv(building / name, index=False, encoding=CSV_ENCODING, lineterminator="\n")
        for name, content in (extra or {}).items():
            if isinstance(content, Path):
                shutil.copyfile(content, building / name)
            else:
                (building / name).write_text(content, encoding="utf-8")
    return [out / name for name in [*tables, *(extra or {})]]


def project_stem(settings: Settings) -> str:
    """Name the export's REFI-QDA files after the study: its title as a slug ("how-german-language-outlets-...")."""
    words = re.findall(r"[a-z0-9]+", settings.title.lower())
    return "-".join(words)[:60].strip("-") or "study"


def export_tables(out_dir: str | Path, corpus: str | Path | None = None) -> list[Path]:
    """Write every table (build_tables), datapackage.json describing them and, where the corpus has a codebook and
    hand coding, the REFI-QDA project (`<study>.qdpx`) and codebook (`<study>.qdc`) to `out_dir`; return the paths.
    """
    check_output(Path(out_dir), "export", protect=[corpus_dir(corpus)])  # before the work, not after
    tables, articles, settings = _build(corpus)
    root = corpus_dir(corpus)
    with tempfile.TemporaryDirectory(prefix="parler-export-") as scratch:
        projects: dict[str, str | Path] = {}
        if annotation_files(root):
            study = load_study(corpus)
            stem = project_stem(settings)
            projects = {f"{stem}.qdpx": write_qdpx(study, Path(scratch) / f"{stem}.qdpx"),
                        f"{stem}.qdc": write_qdc(study.codebook, Path(scratch) / f"{stem}.qdc")}
        package = _package(tables, articles, settings, list(projects))
        return _write_tables(tables, Path(out_dir), corpus, {DATAPACKAGE_NAME: package, **projects})


def shorten(text: str, width: int = QUOTE_WIDTH) -> str:
    """Return `text` if it has at most `width` characters, else its first words cut to fit, ending in "…"."""
    if not isinstance(text, str) or len(text) <= width:
        return text
    cut = text[: width - 1]
    if not text[width - 1].isspace() and " " in cut:  # end on a whole word when there is one
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + ELLIPSIS


def text_free_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Return the tables with every span of article text shortened to a short quote (offsets kept), without KWIC."""
    result = {}
    for name, table in tables.items():
        if name == KWIC_NAME:
            continue
        table = table.copy()
        rows = pd.Series(True, index=table.index)
        if name in ARTICLE_ROWS:
            column, value = ARTICLE_ROWS[name]
            rows = table[column] == value
        for column in TEXT_COLUMNS.get(name, ()):
            table[column] = table[column].astype(object)
            table.loc[rows, column] = table.loc[rows, column].map(shorten)
        result[name] = table
    return result


def export_without_text(out_dir: str | Path, corpus: str | Path | None = None) -> list[Path]:
    """Write what may be shared when the texts are under copyright: metadata, checksums, offsets, short quotes.

    An earlier export in `out_dir` is replaced as a whole, so no file with article text is left to be shared by
    mistake. The corpus's own cleaning rules are copied (they hold boilerplate patterns, no article text), so
    `restore_corpus` rebuilds the same clean texts.
    """
    root = corpus_dir(corpus)
    check_output(Path(out_dir), "export", protect=[root])  # before the work, not after
    own_rules = root / "cleaning_rules.yaml"
    extra: dict[str, str | Path] = {own_rules.name: own_rules} if own_rules.is_file() else {}
    extra[README_NAME] = NO_TEXT_README.format(width=QUOTE_WIDTH, kwic=KWIC_NAME, why=KWIC_LEFT_OUT)
    full, articles, settings = _build(corpus)
    tables = text_free_tables(full)
    extra[DATAPACKAGE_NAME] = _package(tables, articles, settings, list(extra), without_text=True)
    return _write_tables(tables, Path(out_dir), corpus, extra)


def _find_text(row: dict[str, str], texts: Path) -> tuple[Path | None, str | None]:
    """Return (the user's file for a metadata row, None) or (None, why it is missing or does not match)."""
    names = list(dict.fromkeys(n for n in (row["raw_file"], row["original_file"]) if n))  # plain names (checked)
    found = [texts / name for name in names if (texts / name).is_file()]
    for path in found:
        if sha256_of(path) == row["sha256"]:
            return path, None
    article = f"article {row['article_id']!r}"
    if not names:
        return None, f"{article}: the export names no raw_file or original_file"
    if not found:
        return None, f"{article}: missing: no file named {' or '.join(repr(n) for n in names)} in {texts}/"
    return None, (f"{article}: {', '.join(str(p) for p in found)} does not match the recorded sha256 "
                  f"{row['sha256']} (edited, re-encoded or another version of the text)")


def restore_corpus(export_dir: str | Path, texts_dir: str | Path, out_dir: str | Path) -> Path:
    """Rebuild a corpus folder from an export without text plus the user's own copies of the texts.

    Each metadata row's text is looked up in `texts_dir` by its raw_file name, then its original_file name,
    and must match the recorded sha256. Raises CorpusError naming every text that is missing or does not
    match, writing nothing. `out_dir` must not exist yet (or be empty); the new corpus holds articles.csv,
    raw/ and the export's cleaning rules, and `load_articles(out_dir)` reads it like any corpus.
    """
    export, texts, out = Path(export_dir), Path(texts_dir), Path(out_dir)
    meta = export / "articles.csv"
    if not meta.is_file():
        raise CorpusError([f"{meta}: not found (is {export} an export made with `export --no-text`?)"])
    table = read_table(meta, METADATA_COLUMNS, optional=EXPORT_ONLY_COLUMNS, what="export's article table", bom=True,
                       required=["article_id", "raw_file", "sha256"], unique=["article_id", "raw_file"])
    rows = [row for _, row in table.rows]
    problems = list(table.problems)
    for line, row in table.rows:
        problems += [f"{meta} line {line}: {problem}" for column, folder in (("raw_file", out / "raw"),
                                                                             ("original_file", texts))
                     if row[column] and (problem := inside(folder, row[column], column)) is not None]
    if not texts.is_dir():
        problems.append(f"{texts}: folder of texts not found")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        problems.append(f"{out}: already exists and is not empty; restore into a new folder")
    if problems:
        raise CorpusError(problems)
    sources = []
    for row in rows:
        path, problem = _find_text(row, texts)
        sources.append(path)
        problems += [problem] if problem else []
    if problems:
        raise CorpusError(problems)

    # Build beside the target and rename at the end: a failed restore leaves no half-made corpus.
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except OSError as exc:
        raise CorpusError([f"{out}: cannot create the new corpus folder ({exc.strerror}); choose another"]) from None
    try:
        (staging / "raw").mkdir()
        for row, source in zip(rows, sources, strict=True):
            shutil.copyfile(source, staging / "raw" / row["raw_file"])
        with (staging / "articles.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, METADATA_COLUMNS, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        rules = export / "cleaning_rules.yaml"
        if rules.is_file():
            shutil.copyfile(rules, staging / rules.name)
        problems = check_corpus(staging)
        if problems:
            raise CorpusError(problems)
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out
