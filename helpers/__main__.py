"""Command line: `python -m helpers validate | export --out DIR | report --out DIR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.annotations import annotation_files, check_all_annotations
from helpers.corpus import check_corpus, corpus_dir, load_articles, load_metadata
from helpers.errors import CorpusError


def validate(args: argparse.Namespace) -> int:
    """Check the whole corpus; print every problem; exit non-zero if there is any."""
    root = corpus_dir(args.corpus)
    problems = check_corpus(root)
    if not problems:  # the annotations can only be checked against a sound corpus's clean texts
        articles = load_articles(root)
        problems = check_all_annotations(dict(zip(articles["article_id"], articles["clean_text"], strict=True)), root)
    if problems:
        print(f"{len(problems)} problem(s) in {root}:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    count = len(load_metadata(root))
    coded = len(annotation_files(root))
    print(f"OK: {root} holds {count} articles; every raw file is listed, UTF-8, non-empty and matches its sha256; "
          f"{coded} annotation file(s) match the codebook and the clean texts.")
    return 0


def export(args: argparse.Namespace) -> int:
    """Write the tidy CSV tables."""
    from helpers.export import export_tables

    for path in export_tables(args.out, args.corpus):
        print(f"wrote {path}")
    return 0


def report(args: argparse.Namespace) -> int:
    """Execute every notebook and write the shareable HTML report."""
    from helpers.report import ReportError, build_report

    try:
        build_report(Path(args.notebooks), Path(args.out))
    except ReportError as exc:
        print(f"report not built (the previous one, if any, is untouched): {exc}", file=sys.stderr)
        return 1
    print(f"report written to {Path(args.out) / 'index.html'}")
    return 0


def refresh(args: argparse.Namespace) -> int:
    """Re-run the notebooks in place (outputs committed for nbval)."""
    from helpers.notebooks import refresh_notebooks

    refresh_notebooks(Path(args.notebooks))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument("--corpus", default=argparse.SUPPRESS,
                        help="corpus folder (default: $PARLER_CORPUS or the project's corpus/)")
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__, parents=[corpus])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", parents=[corpus], help="check the corpus; exit 1 listing every problem"
                        ).set_defaults(run=validate)
    p = commands.add_parser("export", parents=[corpus], help="write tidy CSVs for R/Excel")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(run=export)
    p = commands.add_parser("report", help="execute the notebooks and build the HTML report")
    p.add_argument("--out", default="build/report", help="output folder (default: build/report)")
    p.add_argument("--notebooks", default="notebooks", help="notebook folder (default: notebooks)")
    p.set_defaults(run=report)
    p = commands.add_parser("refresh-notebooks", help="re-run the notebooks in place and strip noise")
    p.add_argument("--notebooks", default="notebooks", help="notebook folder (default: notebooks)")
    p.set_defaults(run=refresh)
    args = parser.parse_args(argv)
    args.corpus = getattr(args, "corpus", None)
    try:
        return args.run(args)
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
