"""Describe an export folder as a Frictionless Data Package: `datapackage.json` names every file it holds.

Each CSV is a tabular resource with its encoding (UTF-8 with a byte-order mark: "utf-8-sig"), a description and a
schema: every column with its type and description, the primary key where the rows have one and a foreign key
from every `article_id` to articles.csv. Any Frictionless tool (`frictionless validate datapackage.json`, R's
`frictionless::read_package`, Python's `frictionless`) reads the tables typed and checks the keys.

Offsets are Unicode code points, end exclusive: `clean_text[start:end]` in Python or `substr(text, start + 1, end)`
in R. Tools that count UTF-16 code units (JavaScript, Java, .NET) count a character outside the Basic Multilingual
Plane, such as an emoji, as two, so their positions after one differ; the package description says which texts
hold such characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

PACKAGE_NAME = "parler-coverage-export"
DATAPACKAGE_NAME = "datapackage.json"
ENCODING = "utf-8-sig"
CODE_POINTS = ("Unicode code points (not bytes, not UTF-16 code units), counted from 0, end exclusive: "
               "text[start:end] in Python, substr(text, start + 1, end) in R")
CLEAN_OFFSET = f"character offset into the article's clean text, in {CODE_POINTS}"
RAW_OFFSET = f"character offset into the article's raw text as received, in {CODE_POINTS}"
SHORT_QUOTE = " (in an export without text: at most 30 characters, a longer one cut after a whole word and ending in …)"

# Columns that mean the same in every table: type and description. A table's own entry (TABLE_FIELDS) wins.
FIELDS: dict[str, tuple[str, str]] = {
    "article_id": ("string", "the article's id (articles.csv)"),
    "coder": ("string", "whose coding: coder_a, coder_b, or consensus (the adjudicated coding the findings count)"),
    "start": ("integer", f"start: {CLEAN_OFFSET}"),
    "end": ("integer", f"end (exclusive): {CLEAN_OFFSET}"),
    "layer": ("string", "codebook layer: actors, facts, labels, frames or quotes"),
    "code": ("string", "codebook id of the code"),
    "voice": ("string", "whose words carry the frame or label: own (the outlet's), reported or quoted; empty "
                        "where the layer has no voice"),
    "attributed_to": ("string", "actor id the label or frame is attributed to; empty: asserted by the outlet; "
                                "unattributed: someone unnamed"),
    "outlet": ("string", "publishing outlet (articles.csv)"),
    "note": ("string", "a note on the row"),
}

TABLE_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "articles.csv": {
        "raw_file": ("string", "file name in the corpus's raw/ folder"),
        "sha256": ("string", "sha256 of the raw file's bytes as received"),
        "original_file": ("string", "the file's name as received"),
        "outlet": ("string", "publishing outlet, or 'unidentified'"),
        "outlet_basis": ("string", "the clue the outlet rests on, quoted"),
        "outlet_confidence": ("string", "high, medium, low or unknown"),
        "title": ("string", "the headline as printed in the text; empty when the text has none"),
        "published_earliest": ("date", "first possible publication day: the latest earliest bound of the "
                                       "article's firm clues in date_clues.csv (German date)"),
        "published_latest": ("date", "last possible publication day: the earliest latest bound of its firm clues"),
        "date_basis": ("string", "the text's clues for both date bounds, quoted, with the events.csv ids they rest on"),
        "date_confidence": ("string", "high, medium, low or unknown, with a reason after a colon"),
        "language": ("string", "ISO 639-1 language code"),
        "url": ("string", "address of a stored public copy of the same text; empty when unknown"),
        "url_basis": ("string", "how the URL was found"),
        "notes": ("string", "what a reader of the text should know"),
        "words_raw": ("integer", "words in the raw text (a hyphenated compound counts once)"),
        "words_clean": ("integer", "words in the clean text, after boilerplate removal"),
    },
    "cleaning_removals.csv": {
        "line": ("integer", "1-based line of the raw text"),
        "rule": ("string", "id of the rule in cleaning_rules.yaml, or duplicate_line / kicker_split"),
        "action": ("string", "removed or split"),
        "text": ("string", "the removed raw text" + SHORT_QUOTE),
        "raw_start": ("integer", f"start: {RAW_OFFSET}"),
        "raw_end": ("integer", f"end (exclusive): {RAW_OFFSET}"),
    },
    "events.csv": {
        "event_id": ("string", "stable id of the event, cited in articles.csv date_basis"),
        "date": ("string", "YYYY-MM-DD, YYYY-MM or YYYY as date_precision says (no day is invented)"),
        "date_precision": ("string", "day, month or year"),
        "actor": ("string", "who acted"),
        "event": ("string", "what happened, in one line"),
        "source_kind": ("string", "report (public reporting), article (a text of this corpus) or primary (a court "
                                  "document or statement)"),
        "source": ("string", "URL of the source, or the article_id of a corpus article"),
        "source_quote": ("string", "a short exact quote from the source that carries the date" + SHORT_QUOTE.replace(
            "(in", "(of an article source, in")),
        "note": ("string", "how the date follows from the quote"),
    },
    "sentences.csv": {
        "paragraph": ("integer", "paragraph of the clean text (a non-blank line), counted from 0"),
        "sentence": ("integer", "sentence number within the article, counted from 0 (helpers.text.segment)"),
        "text": ("string", "the sentence: clean_text[start:end]" + SHORT_QUOTE),
    },
    "coverage.csv": {
        "fact_id": ("string", "codebook id of the fact"),
        "present": ("integer", "1 if the coder marked the fact in the article, 0 if not"),
        "evidence_span": ("string", "the first span marking the fact (empty when absent)" + SHORT_QUOTE),
        "start": ("integer", f"start of the evidence span (empty when absent): {CLEAN_OFFSET}"),
        "end": ("integer", f"end (exclusive) of the evidence span: {CLEAN_OFFSET}"),
    },
    "mentions.csv": {
        "actor_id": ("string", "codebook id of the actor"),
        "surface": ("string", "the mention as written" + SHORT_QUOTE),
        "is_variant": ("boolean", "true when the mention is none of the actor's codebook spellings (a misspelling)"),
    },
    "quotes.csv": {
        "speaker_actor_id": ("string", "actor id of the speaker"),
        "quote": ("string", "the quoted words" + SHORT_QUOTE),
    },
    "labels.csv": {
        "label": ("string", "codebook id of the label"),
        "category": ("string", "the label's category in the codebook"),
        "phrase": ("string", "the labelling phrase" + SHORT_QUOTE),
    },
    "frames.csv": {
        "frame": ("string", "codebook id of the frame"),
        "kind": ("string", "the frame's kind in the codebook"),
        "sentence": ("string", "the sentence carrying the frame" + SHORT_QUOTE),
    },
    "agreement.csv": {
        "measure": ("string", "what is compared: presence, voice, code or speaker"),
        "code": ("string", "codebook id; empty: the whole layer"),
        "units": ("integer", "units both coders were compared on"),
        "percent_agreement": ("number", "share of units coded alike (0-1)"),
        "alpha": ("number", "Krippendorff's alpha, nominal; empty when undefined (no variation)"),
        "ci_low": ("number", "lower end of the 95% bootstrap interval of alpha"),
        "ci_high": ("number", "upper end of the 95% bootstrap interval of alpha"),
        "resamples_used": ("integer", "bootstrap resamples in which alpha was defined (of 2,000)"),
        "reading": ("string", "reliable (alpha >= .800, its interval's lower end >= .667), tentative (>= .667), "
                              "uncertain (interval reaches below .667) or not for conclusions"),
    },
    "disagreements.csv": {
        "measure": ("string", "what was compared: presence, voice, code or speaker"),
        "start": ("integer", f"start of the unit (empty for a whole article): {CLEAN_OFFSET}"),
        "end": ("integer", f"end (exclusive) of the unit: {CLEAN_OFFSET}"),
        "text": ("string", "the unit's text" + SHORT_QUOTE),
        "value_a": ("string", "coder_a's value"),
        "value_b": ("string", "coder_b's value"),
        "decision": ("string", "whose reading stands: coder_a, coder_b, neither, or pending"),
        "reason": ("string", "the adjudicator's one-line reason"),
    },
    "claims.csv": {
        "claim_id": ("string", "id of the finding in the study's claims.yaml"),
        "page": ("string", "the notebook (page) that shows the finding"),
        "finding": ("string", "the finding's sentence, as claims.yaml states it"),
        "verdict": ("string", "holds, tie (the coders split, or the margin is within what the claim counts as "
                              "close), fragile (holds, but not under a named doubt in the data), does not hold, or "
                              "not checked"),
        "margin": ("string", "the smallest change in the data (coded rows, words, days, facts, alpha) that flips it, "
                             "with the articles or codes it concerns"),
        "why": ("string", "why the verdict is what it is"),
        "consensus": ("string", "holds or does not hold on the consensus coding the findings count"),
        "coder_a": ("string", "the result on coder_a's own coding (empty: not a claim about coding)"),
        "coder_b": ("string", "the result on coder_b's own coding"),
        "without_uncertain_codes": ("string", "the result without the codes whose alpha interval reaches below .667"),
        "low_confidence_outlets_unknown": ("string", "the result with each low-confidence outlet attribution taken "
                                                     "as unknown"),
        "soft_date_clues": ("string", "the result with the soft date clues taken too (claims about windows)"),
        "rests_on": ("string", "the coding layers the finding rests on, who coded them, and their alpha"),
    },
    "date_clues.csv": {
        "article_id": ("string", "article id"),
        "clue_id": ("string", "id of the clue"),
        "quote": ("string", "the German words of the clue, exactly as in the raw text" + SHORT_QUOTE),
        "gloss": ("string", "an English gloss that keeps reported-speech markers"),
        "bounds": ("string", "earliest or latest: which end of the publication window the clue bounds"),
        "event_id": ("string", "the events.csv event the clue refers to (empty: none)"),
        "event_time": ("string", "when that event happened, as precisely as known (ISO)"),
        "event_zone": ("string", "the time zone event_time is in"),
        "offset_days": ("string", "any allowance the clue needs (e.g. 'about ten days'), else 0"),
        "berlin_date": ("date", "the German calendar day the clue bounds the publication by"),
        "strength": ("string", "firm (the text cannot have been written otherwise) or soft (a reading)"),
        "reasoning": ("string", "why the clue bounds what it bounds"),
        "source": ("string", "public sources for the event's time"),
    },
    "detections.csv": {
        "coder": ("string", "always 'detector': rows found by the rule-based detectors (helpers.annotate.detect)"),
        "span": ("string", "the detected text, clean_text[start:end]" + SHORT_QUOTE),
        "speaker": ("string", "quotes: actor id of the speaker the detector attributes the quote to"),
        "is_variant": ("boolean", "actors: true when the mention is a misspelling of a codebook spelling"),
        "note": ("string", "why the detector marked it (cue words, the spelling it varies)" + SHORT_QUOTE),
    },
    "detector_scores.csv": {
        "reference": ("string", "the hand coding the detectors are scored against: the consensus (or the only coder) "
                                "in sample, the evaluation set's coding otherwise"),
        "set": ("string", "in-sample (the study's articles: the cue lists were written reading them), dev (articles "
                          "written for testing, which the detectors were tuned on) or test (written for testing, "
                          "held out: its errors never read): corpus/evaluation/README.md"),
        "level": ("string", "span (overlapping spans, one to one) or article (is the code in the article at all)"),
        "tp": ("integer", "true positives: found by both"),
        "fp": ("integer", "false positives: detector only"),
        "fn": ("integer", "false negatives: missed by the detector"),
        "precision": ("number", "tp / (tp + fp); empty when nothing was detected"),
        "recall": ("number", "tp / (tp + fn); empty when the hand coding has nothing"),
        "f1": ("number", "2 tp / (2 tp + fp + fn)"),
        "attribution_field": ("string", "what attribution is checked on matched spans: speaker (quotes), "
                                        "attributed_to (labels); empty otherwise"),
        "attribution_checked": ("integer", "matched span pairs whose attribution was compared"),
        "attribution_agreed": ("integer", "of those, pairs naming the same speaker or attribution"),
        "attribution_accuracy": ("number", "attribution_agreed / attribution_checked"),
    },
    "lemma_counts.csv": {
        "lemma": ("string", "lowercase lemma (simplemma, German), stopwords and numbers left out"),
        "count": ("integer", "uses of the lemma in the article's clean text"),
    },
    "keyness.csv": {
        "outlet": ("string", "the outlet compared with all other outlets together (articles.csv)"),
        "lemma": ("string", "lowercase lemma, stopwords left out"),
        "count_group": ("integer", "uses by the outlet"),
        "count_rest": ("integer", "uses by all other outlets"),
        "delta": ("number", "weighted log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008)"),
        "z": ("number", "delta divided by its standard error: the score the notebooks rank by"),
        "g2": ("number", "log-likelihood G² of the full 2x2 table, signed: negative when the outlet uses the "
                         "lemma less than the rest (quanteda's textstat_keyness measure='lr', correction='none')"),
        "log_ratio": ("number", "binary log of the outlet's relative frequency over the rest's (Hardie 2014); a "
                                "count of 0 is taken as 0.5"),
        "low_count": ("boolean", "true when the outlet uses the lemma fewer than 3 times: too few to call it "
                                 "distinctive"),
        "warning": ("string", "why the row's scores should not be read; empty when they can"),
    },
    "kwic.csv": {
        "search": ("string", "which default search of study.yaml: kwic (words) or names (a regular expression)"),
        "query": ("string", "the search as study.yaml gives it (case ignored)"),
        "start": ("integer", f"start of the hit: {CLEAN_OFFSET}"),
        "end": ("integer", f"end (exclusive) of the hit: {CLEAN_OFFSET}"),
        "left": ("string", "up to 60 characters before the hit, on one line"),
        "hit": ("string", "the matched text, clean_text[start:end]"),
        "right": ("string", "up to 60 characters after the hit, on one line"),
        "sentence": ("string", "the sentence the hit starts in"),
    },
}

# file -> (description, primary key). The primary key is used when the table has all its columns.
RESOURCES: dict[str, tuple[str, list[str]]] = {
    "articles.csv": ("One row per article: metadata, checksum of the raw file, how outlet and dates were inferred, "
                     "word counts before and after cleaning. No text.", ["article_id"]),
    "cleaning_removals.csv": ("The cleaning audit: every piece of raw text the boilerplate rules removed or split, "
                              "with its rule and raw offsets.", []),
    "events.csv": ("Dated events of the case, each with its precision and a cited source.", ["event_id"]),
    "sentences.csv": ("Every sentence of the clean texts, with paragraph, number and offsets (the segmentation "
                      "all sentence-level tables use).", ["article_id", "sentence"]),
    "coverage.csv": ("Hand coding, facts: one row per coder, article and codebook fact, present 0/1 with the "
                     "first evidence span.", ["article_id", "coder", "fact_id"]),
    "mentions.csv": ("Hand coding, actors: every mention of a codebook actor, misspellings flagged.", []),
    "quotes.csv": ("Hand coding, quotes: every direct quote with its speaker.", []),
    "labels.csv": ("Hand coding, labels: every phrase that names or characterises the label target.", []),
    "frames.csv": ("Hand coding, frames: every sentence carrying a frame, with its voice.", []),
    "agreement.csv": ("Krippendorff's alpha between coder_a and coder_b per layer and measure (code empty) and per "
                      "code, with 95% bootstrap intervals.", []),
    "disagreements.csv": ("Every unit the two coders coded differently, with the adjudicator's decision and "
                          "reason.", []),
    "claims.csv": ("Every finding, declared as data in the corpus's claims.yaml, with its verdict, margin and the "
                   "result on each coder's coding and under each doubt in the data.", ["claim_id"]),
    "date_clues.csv": ("The dating clues each article's publication window is computed from (firm clues make the "
                       "window; soft ones a narrower reading).", ["clue_id"]),
    "detections.csv": ("Every row the rule-based detectors find in every layer (coder 'detector'), in the hand "
                       "coding's shape.", ["article_id", "layer", "code", "start", "end"]),
    "detector_scores.csv": ("The detectors scored against the hand coding per set, layer and level: in sample (the "
                            "cues were written reading these texts), on the dev set and on the held-out test set "
                            "of articles written for testing, as notebook 01 shows them.",
                            ["set", "layer", "level"]),
    "lemma_counts.csv": ("Lemma counts per article (stopwords and numbers left out): the input of the similarity "
                         "and keyness tables.", ["article_id", "lemma"]),
    "keyness.csv": ("Keyness of every lemma for each outlet against all the other outlets: log-odds z, "
                    "log-likelihood G² and log ratio. Five articles are few: read low_count and warning.",
                    ["outlet", "lemma"]),
    "kwic.csv": ("Keyword-in-context hits of the study's default searches (study.yaml searches), each with its "
                 "context and sentence.", ["search", "article_id", "start"]),
}
OTHER_FILES: dict[str, tuple[str, str, str]] = {  # name -> (format, media type, description)
    "README.txt": ("txt", "text/plain", "What this export without text holds and how to rebuild the corpus."),
    "cleaning_rules.yaml": ("yaml", "application/yaml", "The corpus's boilerplate rules (patterns, no article text)."),
    # By suffix: the REFI-QDA files are named after the study (export.project_stem).
    ".qdpx": ("qdpx", "application/zip", "REFI-QDA project for MAXQDA, ATLAS.ti, NVivo and QualCoder: the clean "
                                         "texts, the codebook, each coder as a user and every coded span with its "
                                         "position in Unicode code points (python -m helpers import-qdpx reads "
                                         "one back)."),
    ".qdc": ("qdc", "application/xml", "REFI-QDA codebook: every code of the codebook with its definition."),
}


def describe_field(name: str, column: str) -> dict[str, str]:
    """Return the schema entry of one column: name, type and description (the table's own, else the common one)."""
    known = TABLE_FIELDS.get(name, {}).get(column) or FIELDS.get(column)
    if known is None:
        raise KeyError(f"{name}: column {column!r} has no description in helpers/publish/datapackage.py")
    kind, description = known
    return {"name": column, "type": kind, "description": description}


def describe_table(name: str, table: pd.DataFrame, description: str = "") -> dict:
    """Return the resource of one CSV: path, encoding, description and schema with its keys."""
    default, key = RESOURCES[name]
    schema: dict = {"fields": [describe_field(name, column) for column in table.columns],
                    "missingValues": [""]}
    if key and set(key) <= set(table.columns):
        schema["primaryKey"] = key
    if name != "articles.csv" and "article_id" in table.columns:
        schema["foreignKeys"] = [{"fields": "article_id",
                                  "reference": {"resource": "articles", "fields": "article_id"}}]
    return {"name": Path(name).stem, "path": name, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": ENCODING, "description": description or default, "schema": schema}


def astral_note(raw_texts: Mapping[str, str], clean_texts: Mapping[str, str]) -> str:
    """Say which raw and clean texts hold characters outside the Basic Multilingual Plane (UTF-16 counts them twice)."""
    def holding(texts: Mapping[str, str]) -> list[str]:
        return [f"{name} ({count})" for name, text in texts.items()
                if (count := sum(ord(char) > 0xFFFF for char in text))]

    raw, clean = holding(raw_texts), holding(clean_texts)
    if not raw and not clean:
        return "No text of this corpus holds such a character, so UTF-16 positions agree with these offsets."
    said = [f"Raw files holding such characters (how many): {', '.join(raw) or 'none'}."]
    if clean:
        said.append(f"Clean texts holding them: {', '.join(clean)}; after each one a UTF-16 position is one more "
                    "than the offset given here.")
    else:
        said.append("Cleaning removes them all, so offsets into the clean texts agree with UTF-16 positions here; "
                    "raw_start/raw_end after such a character do not (one more per character in UTF-16).")
    return " ".join(said)


def describe_package(tables: Mapping[str, pd.DataFrame], other_files: list[str], title: str, note: str,
                     descriptions: Mapping[str, str] | None = None) -> dict:
    """Return the datapackage.json of an export: one resource per table and per other file written."""
    description = (
        "Tables exported by parler-coverage (python -m helpers export) for R, Excel and any Frictionless tool: "
        "UTF-8 CSV with a byte-order mark (encoding utf-8-sig). Every start/end offset counts Unicode code points "
        "(not bytes, not UTF-16 code units) from 0, end exclusive, into the article's CLEAN text "
        "(raw_start/raw_end in cleaning_removals.csv: into the raw text): clean_text[start:end] in Python, "
        "substr(clean_text, start + 1, end) in R. Tools that count UTF-16 code units (JavaScript, Java, .NET) "
        f"count a character outside the Basic Multilingual Plane, such as an emoji, as two. {note}")
    resources = [describe_table(name, table, (descriptions or {}).get(name, "")) for name, table in tables.items()]
    for name in other_files:
        kind, media, text = OTHER_FILES.get(name) or OTHER_FILES[Path(name).suffix]
        stem = Path(name).stem if name in OTHER_FILES else f"{Path(name).stem}-{Path(name).suffix[1:]}"
        resource = {"name": stem.lower().replace("_", "-"), "path": name,
                    "format": kind, "mediatype": media, "description": text}
        if not media.endswith("zip"):
            resource["encoding"] = "utf-8"
        resources.append(resource)
    return {"name": PACKAGE_NAME, "title": title, "description": description, "resources": resources}

