"""Command line: `python -m helpers validate | add FILE … | export [--no-text] --out DIR | restore | report`,
and the REFI-QDA round trip `export-qdpx --out FILE.qdpx | import-qdpx FILE --coder NAME`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from helpers.analyse.claims import check_claims, claims_path, load_claims
from helpers.annotate.annotations import annotation_files, check_all_annotations, codebook_path, load_codebook
from helpers.annotate.consensus import adjudication_path
from helpers.annotate.heldout import check_evaluation, evaluation_dir, load_evaluation
from helpers.annotate.study import check_study_file, load_study
from helpers.corpus.articles import CORPUS_ENV, check_corpus, corpus_dir, load_articles, load_events, load_metadata
from helpers.corpus.dates import check_date_clues
from helpers.corpus.glossary import check_glossary
from helpers.errors import CorpusError

MAX_SHOWN = 100  # problems listed by validate; the count says how many more there are


def validate(args: argparse.Namespace) -> int:
    """Check the whole corpus; print every problem; exit non-zero if there is any."""
    root = corpus_dir(args.corpus)
    problems = check_corpus(root) + check_glossary(root)
    if not problems:  # the annotations can only be checked against a sound corpus's clean texts
        articles = load_articles(root)
        texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
        problems = check_all_annotations(texts, root)
    pending = 0
    if not problems and annotation_files(root):  # the adjudication can only be checked against sound codings
        problems, pending = check_adjudication(texts, root)
    if not problems:
        problems = check_study_file(root)
    if not problems:
        problems = check_date_clues(root, articles, _raw_texts(root, articles), _event_ids(root))
    if not problems and claims_path(root).is_file():
        problems = check_claims(load_study(root))
    if not problems and evaluation_dir(root).is_dir():
        problems = check_evaluation(root, load_codebook(codebook_path(root)))
    if problems:
        print(f"{len(problems)} problem(s) in {root}:", file=sys.stderr)
        for problem in problems[:MAX_SHOWN]:
            print(f"  - {problem}", file=sys.stderr)
        if len(problems) > MAX_SHOWN:
            print(f"  … and {len(problems) - MAX_SHOWN} more; fix these first (one slip often causes many)",
                  file=sys.stderr)
        return 1
    count = len(load_metadata(root))
    coded = len(annotation_files(root))
    print(f"OK: {root} holds {count} articles; every raw file is listed, UTF-8, non-empty and matches its sha256; "
          f"{coded} annotation file(s) match the codebook and the clean texts.")
    if claims_path(root).is_file():
        print(f"{len(load_claims(claims_path(root)))} findings in {claims_path(root).name}: every measure, parameter, "
              "comparison and id known.")
    if evaluation_dir(root).is_dir():
        sets = load_evaluation(root, load_codebook(codebook_path(root)))
        print("Evaluation sets (written to test the detectors, not part of the study): "
              + "; ".join(f"{name}: {len(found.texts)} articles, {len(found.hand)} coded rows"
                          for name, found in sets.items()) + ".")
    if pending:
        print(f"Note: {pending} disagreement(s) between coder_a and coder_b wait for adjudication in "
              f"{adjudication_path(root)}; until then the consensus keeps coder_a's reading there "
              "(see notebooks/04-check-reliability.ipynb).")
    return 0


def _raw_texts(root: Path, articles: pd.DataFrame) -> dict[str, str]:
    return {a: (root / "raw" / name).read_text(encoding="utf-8")
            for a, name in zip(articles["article_id"], articles["raw_file"], strict=True)}


def _event_ids(root: Path) -> set[str]:
    return set(load_events(root)["event_id"]) if (root / "events.csv").is_file() else set()


def check_adjudication(texts: dict[str, str], root: Path) -> tuple[list[str], int]:
    """Return the adjudication file's problems and the number of disagreements not adjudicated yet."""
    from helpers.annotate import consensus
    from helpers.annotate.annotations import codebook_path, load_annotations, load_codebook

    codebook = load_codebook(codebook_path(root))
    return consensus.check_adjudication(load_annotations(texts, root, codebook), texts, codebook, root)


def add(args: argparse.Namespace) -> int:
    """Add one article (file copied byte for byte, metadata row appended), or refuse and change nothing."""
    from helpers.corpus.addition import add_article

    try:
        article_id = add_article(
            args.file, outlet=args.outlet, title=args.title, published_earliest=args.published_earliest,
            published_latest=args.published_latest, url=args.url, date_basis=args.date_basis,
            outlet_basis=args.outlet_basis, article_id=args.id, outlet_confidence=args.outlet_confidence,
            date_confidence=args.date_confidence, url_basis=args.url_basis, notes=args.notes, corpus=args.corpus)
    except CorpusError as exc:
        for problem in exc.problems:
            print(f"not added: {problem}", file=sys.stderr)
        return 1
    root = corpus_dir(args.corpus)
    raw_file = load_metadata(root).set_index("article_id").loc[article_id, "raw_file"]
    print(f"added {article_id!r} as {root / 'raw' / raw_file}; the corpus validates. Next: check the cleaning "
          "audit in notebook 00, then `python -m helpers refresh-notebooks`.")
    return 0


def export(args: argparse.Namespace) -> int:
    """Write the tidy CSV tables (without article text when asked)."""
    from helpers.publish.export import export_tables, export_without_text

    write = export_without_text if args.no_text else export_tables
    for path in write(args.out, args.corpus):
        print(f"wrote {path}")
    return 0


def restore(args: argparse.Namespace) -> int:
    """Rebuild a corpus folder from an export without text plus the user's texts."""
    from helpers.publish.export import restore_corpus

    if args.corpus is not None:
        raise CorpusError([f"restore writes a new corpus to --out; it reads no corpus, so --corpus {args.corpus} "
                           "would be ignored: leave it out"])
    out = restore_corpus(args.export_dir, args.texts, args.out)
    print(f"restored {len(load_metadata(out))} articles into {out}; every text matches its sha256.")
    return 0


def export_qdpx(args: argparse.Namespace) -> int:
    """Write the study as a REFI-QDA project (.qdpx) and its codebook (.qdc) for MAXQDA, ATLAS.ti, NVivo, QualCoder."""
    from helpers.annotate.study import load_study
    from helpers.publish.qdpx import write_qdc, write_qdpx

    out = Path(args.out)
    if out.suffix.lower() != ".qdpx":
        raise CorpusError([f"--out {out}: name the project file FILE.qdpx (the codebook goes beside it as FILE.qdc)"])
    targets = [out, out.with_suffix(".qdc")]
    if existing := [str(path) for path in targets if path.exists() or path.is_symlink()]:
        if not args.replace or any(not Path(path).is_file() or Path(path).is_symlink() for path in existing):
            raise CorpusError([f"{', '.join(existing)}: already there; a project coded in a tool would be lost. "
                               "Choose another --out, or pass --replace to overwrite the files"])
    study = load_study(args.corpus)
    coders = [] if args.no_codings else (args.coders.split(",") if args.coders else None)
    write_qdpx(study, out, coders)
    write_qdc(study.codebook, targets[1])
    shown = "no codings (texts and codebook only)" if coders == [] else (
        "the codings of " + ", ".join(coders or sorted(set(study.hand["coder"]))))
    print(f"wrote {out} ({len(study.texts)} texts, {shown}) and {targets[1]} (the codebook)")
    return 0


def import_qdpx(args: argparse.Namespace) -> int:
    """Read one coder's work from a REFI-QDA project into corpus/annotations/<coder>/, checked like any coding."""
    from helpers.publish.qdpx import import_qdpx as import_project

    written = import_project(args.file, args.coder, args.corpus, user=args.user, replace=args.replace)
    print(f"wrote {len(written)} coding files to {written[0].parent}; they validate against the codebook and the "
          "clean texts. Next: `python -m helpers validate`, then notebooks/04-check-reliability.ipynb.")
    return 0


def check_corpus_folder(given: str | None) -> None:
    """Refuse a `--corpus` (or $PARLER_CORPUS) that is empty or names a file, before any command reads it."""
    if given is not None and not given.strip():
        raise CorpusError(["--corpus is empty: give the corpus folder, or leave the option out"])
    root = corpus_dir(given)
    if root.exists() and not root.is_dir():
        raise CorpusError([f"{root}: is a file, not a corpus folder (--corpus or ${CORPUS_ENV} names the folder "
                           "that holds articles.csv and raw/)"])


def use_corpus(args: argparse.Namespace) -> None:
    """Point the notebooks' kernels at `--corpus` (they read $PARLER_CORPUS), so none silently reads another."""
    if args.corpus is None:
        return
    root = Path(args.corpus)
    if not root.is_dir():
        raise CorpusError([f"{root}: corpus folder not found"])
    os.environ[CORPUS_ENV] = str(root.resolve())


def positive_int(text: str) -> int:
    """Read a whole number of at least 1 (for --jobs)."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of at least 1")
    return number


def report(args: argparse.Namespace) -> int:
    """Execute every notebook and write the shareable HTML report."""
    from helpers.publish.report import ReportError, build_report

    use_corpus(args)
    try:
        build_report(Path(args.notebooks), Path(args.out), jobs=args.jobs,
                     cache_dir=None if args.no_cache else "default")
    except ReportError as exc:
        print(f"report not built (the previous one, if any, is untouched): {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("report stopped (Ctrl-C): every kernel was shut down; the previous report, if any, is untouched",
              file=sys.stderr)
        return 130
    print(f"report written to {Path(args.out) / 'index.html'}")
    return 0


def findings(args: argparse.Namespace) -> int:
    """Print every finding of the corpus's claims.yaml with its verdict and margin (Markdown, as in the README)."""
    from helpers.present.findings import findings_markdown

    try:
        print(findings_markdown(load_study(corpus_dir(args.corpus))))
    except CorpusError as exc:
        print("\n".join(f"  - {problem}" for problem in exc.problems), file=sys.stderr)
        return 1
    return 0


def refresh(args: argparse.Namespace) -> int:
    """Re-run the notebooks in place (outputs committed for nbval)."""
    from helpers.publish.notebooks import refresh_notebooks
    from helpers.publish.report import ReportError

    use_corpus(args)
    try:
        refresh_notebooks(Path(args.notebooks))
    except ReportError as exc:
        print(f"notebooks not refreshed (the ones already refreshed are saved): {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument("--corpus", default=argparse.SUPPRESS,
                        help="corpus folder (default: $PARLER_CORPUS or the project's corpus/)")
    # Named as the reader called it: `python -m helpers …` or the console script `parler-coverage …`.
    called = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    prog = called if called and called != "__main__.py" else "python -m helpers"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__, parents=[corpus])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", parents=[corpus], help="check the corpus; exit 1 listing every problem"
                        ).set_defaults(run=validate)
    commands.add_parser("findings", parents=[corpus], help="print every finding of claims.yaml with its verdict and "
                        "margin (the README's table)").set_defaults(run=findings)
    p = commands.add_parser("add", parents=[corpus], help="add one article to the corpus (or refuse, changing nothing)")
    p.add_argument("file", help="the article as received (UTF-8 text); copied byte for byte into raw/")
    p.add_argument("--outlet", required=True, help="publishing outlet, or 'unidentified'")
    p.add_argument("--title", required=True, help="the headline exactly as printed ('' when the text has none)")
    p.add_argument("--published-earliest", required=True, metavar="YYYY-MM-DD", help="first possible day")
    p.add_argument("--published-latest", required=True, metavar="YYYY-MM-DD", help="last possible day")
    p.add_argument("--url", default="", help="address of a public copy with the same text (never invented)")
    p.add_argument("--url-basis", default="", help="how the URL was found")
    p.add_argument("--date-basis", default="", help="the clues for both date bounds, quoted")
    p.add_argument("--outlet-basis", default="", help="the clue the outlet rests on, quoted")
    p.add_argument("--outlet-confidence", default="unknown", help="high / medium / low (default: unknown)")
    p.add_argument("--date-confidence", default="unknown", help="high / medium / low: reason (default: unknown)")
    p.add_argument("--notes", default="", help="anything a reader of the text should know")
    p.add_argument("--id", default=None, help="article id (default: a slug of the title)")
    p.set_defaults(run=add)
    p = commands.add_parser("export", parents=[corpus], help="write tidy CSVs for R/Excel")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--no-text", action="store_true",
                   help="leave out the article texts and cut every span to a short quote (for sharing)")
    p.set_defaults(run=export)
    p = commands.add_parser("export-qdpx", parents=[corpus],
                            help="write a REFI-QDA project (.qdpx) and codebook (.qdc) for MAXQDA, ATLAS.ti, NVivo, "
                                 "QualCoder")
    p.add_argument("--out", required=True, help="the project file, FILE.qdpx (FILE.qdc is written beside it)")
    p.add_argument("--coders", default=None, help="whose codings to include, comma-separated (default: every coder)")
    p.add_argument("--no-codings", action="store_true",
                   help="texts and codebook only, for a new coder who must not see the others' codings")
    p.add_argument("--replace", action="store_true", help="overwrite FILE.qdpx and FILE.qdc if they exist")
    p.set_defaults(run=export_qdpx)
    p = commands.add_parser("import-qdpx", parents=[corpus],
                            help="read a coder's work from a REFI-QDA project into corpus/annotations/NAME/")
    p.add_argument("file", help="the project file (.qdpx) exported by MAXQDA, ATLAS.ti, NVivo or QualCoder")
    p.add_argument("--coder", required=True, help="the coder's folder name under corpus/annotations/ (e.g. coder_c)")
    p.add_argument("--user", default=None,
                   help="the project's user whose codings to read (needed when several users coded)")
    p.add_argument("--replace", action="store_true",
                   help="replace the layer files of an existing coder folder (its notes stay)")
    p.set_defaults(run=import_qdpx)
    p = commands.add_parser("restore", parents=[corpus],
                            help="rebuild a corpus from an export --no-text plus your own texts")
    p.add_argument("export_dir", help="folder written by `export --no-text`")
    p.add_argument("--texts", required=True, help="folder of the texts, named by raw_file or original_file")
    p.add_argument("--out", required=True, help="new corpus folder (must not exist yet, or be empty)")
    p.set_defaults(run=restore)
    p = commands.add_parser("report", parents=[corpus], help="execute the notebooks and build the HTML report")
    p.add_argument("--out", default="build/report", help="output folder (default: build/report)")
    p.add_argument("--notebooks", default="notebooks", help="notebook folder (default: notebooks)")
    p.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                   help="notebooks run at a time, one kernel each (default: one per core)")
    p.add_argument("--no-cache", action="store_true",
                   help="run every notebook, reusing nothing (by default a notebook whose inputs are unchanged "
                        "since the last build is reused)")
    p.set_defaults(run=report)
    p = commands.add_parser("refresh-notebooks", parents=[corpus], help="re-run the notebooks in place and strip noise")
    p.add_argument("--notebooks", default="notebooks", help="notebook folder (default: notebooks)")
    p.set_defaults(run=refresh)
    args = parser.parse_args(argv)
    args.corpus = getattr(args, "corpus", None)
    try:
        check_corpus_folder(args.corpus)
        return args.run(args)
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
