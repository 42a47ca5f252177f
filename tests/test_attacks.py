"""Every attack a careless or hostile user made on the inputs (issue 12) is refused, naming file and line.

Each attack edits a scratch copy of the real corpus the way a user could (a spreadsheet that adds a value, a
quote left open, a file in the wrong folder, a BOM, a date typed another way …) and runs `validate` as the
user would. The answer must be exit 1 and a message that names the file, and the line where there is one;
never a traceback, never a silent pass.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.__main__ import main
from helpers.corpus.articles import MAX_ARTICLE_BYTES, corpus_dir
from helpers.corpus.readers import MAX_VALUE_CHARS


@pytest.fixture()
def scratch(tmp_path: Path) -> Path:
    """Return a copy of the real corpus (texts, metadata, codebook, both coders' files) to attack."""
    root = tmp_path / "corpus"
    shutil.copytree(corpus_dir(), root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def edit_line(path: Path, number: int, change: Callable[[str], str]) -> None:
    """Replace line `number` (1-based) of a text file by change(line), keeping the other bytes."""
    lines = path.read_bytes().decode("utf-8").split("\n")
    line = lines[number - 1]
    ending = "\r" if line.endswith("\r") else ""
    lines[number - 1] = change(line.removesuffix("\r")) + ending
    path.write_bytes("\n".join(lines).encode("utf-8"))


def append_line(path: Path, line: str) -> None:
    """Append one line to a text file."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n", encoding="utf-8")


def rewrite_row(path: Path, number: int, change: Callable[[list[str]], list[str]]) -> None:
    """Rewrite CSV line `number` (one physical line) from change(its values), quoted as a spreadsheet would."""
    lines = path.read_text(encoding="utf-8").split("\n")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(change(next(csv.reader([lines[number - 1]]))))
    lines[number - 1] = buffer.getvalue()
    path.write_text("\n".join(lines), encoding="utf-8")


def replace_field(path: Path, number: int, column: str, value: str) -> None:
    """Set one column of CSV line `number` to `value`."""
    header = next(csv.reader([path.read_text(encoding="utf-8").split("\n")[0]]))
    rewrite_row(path, number, lambda values: [*values[:header.index(column)], value,
                                              *values[header.index(column) + 1:]])


def substitute(path: Path, old: str, new: str, count: int = -1) -> None:
    """Replace `old` by `new` in a text file (it must occur)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def raw_file(root: Path, n: int) -> Path:
    """Return the raw file of the corpus's n-th article (0-based, in articles.csv order), not a name typed here."""
    from helpers.corpus.articles import load_metadata

    return root / "raw" / load_metadata(root)["raw_file"].iloc[n]


def prepend_bom(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


CODER_A = Path("annotations/coder_a")

# attack: (edit of the scratch corpus, file the message names, words it must contain)
ATTACKS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "extra value on an articles.csv row": (
        lambda r: edit_line(r / "articles.csv", 3, lambda line: line + ",surplus"),
        "articles.csv line 3", "17 values but 16 columns: extra 'surplus'"),
    "missing value on an articles.csv row": (
        lambda r: rewrite_row(r / "articles.csv", 3, lambda values: values[:-2]),
        "articles.csv line 3", "values but 16 columns: missing"),
    "extra value on a coding row": (
        lambda r: edit_line(r / CODER_A / "facts.csv", 2, lambda line: line + ",surplus"),
        "coder_a/facts.csv line 2", "extra 'surplus'"),
    "unclosed quote in a quotes.csv note": (
        lambda r: edit_line(r / CODER_A / "quotes.csv", 3, lambda line: line.rsplit(",", 2)[0] + ',"AWS says,'),
        "coder_a/quotes.csv line 3", "double quote"),
    "coding file directly in annotations/": (
        lambda r: shutil.copy(r / CODER_A / "facts.csv", r / "annotations" / "facts.csv"),
        "annotations/facts.csv", "not read"),
    "coding file in a subfolder": (
        lambda r: (r / CODER_A / "old").mkdir() or shutil.copy(r / CODER_A / "facts.csv", r / CODER_A / "old"),
        "coder_a/old/facts.csv", "not read"),
    "coding file with an upper-case .CSV": (
        lambda r: (r / CODER_A / "facts.csv").rename(r / CODER_A / "facts.CSV"),
        "coder_a/facts.CSV", "not read"),
    "raw_file that climbs out of raw/": (
        lambda r: replace_field(r / "articles.csv", 2, "raw_file", "../../x.txt"),
        "articles.csv line 2", "must be a plain file name"),
    "raw_file that is an absolute path": (
        lambda r: replace_field(r / "articles.csv", 2, "raw_file", "/etc/hostname"),
        "articles.csv line 2", "must be a plain file name"),
    "article id differing only in case": (
        lambda r: replace_field(r / "articles.csv", 3, "article_id", "KEIN-HOSTER"),
        "articles.csv line 3", "ids that differ only in case clash"),
    "BOM at the start of articles.csv": (
        lambda r: prepend_bom(r / "articles.csv"), "articles.csv line 1", "byte-order mark"),
    "BOM at the start of a coding file": (
        lambda r: prepend_bom(r / CODER_A / "labels.csv"), "coder_a/labels.csv line 1", "byte-order mark"),
    "BOM at the start of a raw article": (
        lambda r: prepend_bom(raw_file(r, 1)), "/raw/", "line 1: starts with a byte-order mark"),
    "NUL byte in a raw article": (
        lambda r: edit_line(raw_file(r, 2), 4, lambda line: line + "\0"), "/raw/", "line 4: control character U+0000"),
    "ESC byte in a coding note": (
        lambda r: edit_line(r / CODER_A / "frames.csv", 2, lambda line: line + "\x1b[31m"),
        "coder_a/frames.csv line 2", "control character U+001B"),
    "CSV cell over the csv field limit": (
        lambda r: replace_field(r / "articles.csv", 2, "notes", "x" * (MAX_VALUE_CHARS + 10)),
        "articles.csv line 2", "longer than"),
    "compact date 20210116": (
        lambda r: replace_field(r / "articles.csv", 2, "published_latest", "20210116"),
        "articles.csv line 2", "published_latest '20210116' is not a date (YYYY-MM-DD)"),
    "ISO week date 2021-W02-1": (
        lambda r: replace_field(r / "articles.csv", 2, "published_earliest", "2021-W02-1"),
        "articles.csv line 2", "'2021-W02-1' is not a date"),
    "codebook layer that is a string": (
        lambda r: substitute(r / "codebook.yaml", "\nquotes:\n", "\nquotes: every direct quote\nold_quotes:\n"),
        "codebook.yaml", "quotes: must be a list"),
    "codebook section misspelt": (
        lambda r: substitute(r / "codebook.yaml", "\nquotes:\n", "\nqoutes:\n"),
        "codebook.yaml", "unknown section 'qoutes'"),
    "codebook field misspelt (cue for cues)": (
        lambda r: substitute(r / "codebook.yaml", "\n  cues:\n", "\n  cue:\n", count=1),
        "codebook.yaml", "unknown field(s) 'cue'"),
    "codebook code name that is a list": (
        lambda r: substitute(r / "codebook.yaml", '  name: "App stores dropped Parler"', "  name: [App, stores]"),
        "codebook.yaml", "name: must be text"),
    "codebook section given twice": (
        lambda r: append_line(r / "codebook.yaml", "quotes: []"),
        "codebook.yaml line", "key 'quotes' is given twice in one mapping (first on line"),
    "study.yaml title given twice": (
        lambda r: append_line(r / "study.yaml", "title: Another title"),
        "study.yaml line", "key 'title' is given twice"),
    "study.yaml that is a folder": (
        lambda r: (r / "study.yaml").unlink() or (r / "study.yaml").mkdir(), "study.yaml", "is a folder"),
    "cleaning_rules.yaml that is a folder": (
        lambda r: (r / "cleaning_rules.yaml").unlink() or (r / "cleaning_rules.yaml").mkdir(),
        "cleaning_rules.yaml", "is a folder"),
    "coding file that is a folder": (
        lambda r: (r / CODER_A / "facts.csv").unlink() or (r / CODER_A / "facts.csv").mkdir(),
        "coder_a/facts.csv", "is a folder where a coding file belongs"),
    "outlet_confidence misspelt": (
        lambda r: replace_field(r / "articles.csv", 2, "outlet_confidence", "hgih"),
        "articles.csv line 2", "outlet_confidence 'hgih' must be one of high, medium, low, unknown"),
    "language written out": (
        lambda r: replace_field(r / "articles.csv", 2, "language", "German"),
        "articles.csv line 2", "language 'German' must be a two-letter ISO 639-1 code"),
    "events.csv source_kind outside the list": (
        lambda r: replace_field(r / "events.csv", 2, "source_kind", "blog"),
        "events.csv line 2", "source_kind 'blog' must be one of report, article, primary"),
    "events.csv article source that is no article": (
        lambda r: replace_field(r / "events.csv", 3, "source", "nope"),
        "events.csv line 3", "source 'nope' must be an article_id"),
    "events.csv day that does not exist": (
        lambda r: replace_field(r / "events.csv", 3, "date", "2021-02-30"),
        "events.csv line 3", "date '2021-02-30' is not a real day"),
    "speaker coded in a facts row": (
        lambda r: replace_field(r / CODER_A / "facts.csv", 2, "speaker", "amazon"),
        "coder_a/facts.csv line 2", "speaker 'amazon' is only coded in quotes"),
    "coding offsets swapped": (
        lambda r: rewrite_row(r / CODER_A / "facts.csv", 2, lambda v: [*v[:3], v[4], v[3], *v[5:]]),
        "coder_a/facts.csv line 2", "start 155 is not before end 79 (are they swapped?)"),
    "codebook code that is a string": (
        lambda r: substitute(r / "codebook.yaml", "\nfacts:\n", "\nfacts:\n- a bare string\n"),
        "codebook.yaml", "facts #1: must be a mapping"),
    "YAML alias bomb in a codebook exclude list": (
        lambda r: append_line(r / "codebook.yaml",
                              "bomb_a: &a [x, x, x, x, x, x, x, x, x, x]\nbomb_b: &b [*a, *a, *a, *a, *a, *a]"),
        "codebook.yaml line", "YAML alias *a is not allowed"),
    "events.csv row with an empty event_id": (
        lambda r: replace_field(r / "events.csv", 3, "event_id", ""), "events.csv line 3", "event_id is empty"),
    "events.csv date 2021-1-6": (
        lambda r: replace_field(r / "events.csv", 3, "date", "2021-1-6"),
        "events.csv line 3", "date '2021-1-6' does not match precision 'day'"),
    "events.csv event id differing only in case": (
        lambda r: replace_field(r / "events.csv", 3, "event_id", "AWS_FIRST_WARNING"),
        "events.csv line 3", "differ only in case"),
    "glossary row with an extra value": (
        lambda r: edit_line(r / "glossary.csv", 2, lambda line: line + ",surplus"), "glossary.csv line 2", "extra"),
    "adjudication row with a missing value": (
        lambda r: rewrite_row(r / "annotations" / "adjudication.csv", 2, lambda values: values[:-1]),
        "adjudication.csv line 2", "missing"),
    "header with an unknown column": (
        lambda r: edit_line(r / CODER_A / "actors.csv", 1, lambda line: line.replace("speaker", "sprecher")),
        "coder_a/actors.csv line 1", "missing column(s) speaker"),
    "raw article over the size the kit supports": (
        lambda r: raw_file(r, 3).write_bytes(b"Parler. " * (MAX_ARTICLE_BYTES // 8 + 1)), "/raw/", "more than the"),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_refused_naming_file_and_line(scratch: Path, capsys, attack: str):
    edit, where, words = ATTACKS[attack]
    edit(scratch)
    assert main(["validate", "--corpus", str(scratch)]) == 1
    err = capsys.readouterr().err
    problems = [line for line in err.splitlines() if line.startswith("  - ")]
    assert any(where in problem and words in problem for problem in problems), err
    assert "Traceback" not in err


def test_the_untouched_scratch_copy_validates(scratch: Path, capsys):
    assert main(["validate", "--corpus", str(scratch)]) == 0, capsys.readouterr().err


# --- Outputs: never overwrite or delete what the kit did not write ---------------------------------------------

def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """Run the command line in-process; return its exit code and what it printed to stderr."""
    code = main([str(arg) for arg in argv])
    return code, capsys.readouterr().err


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under folder by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_into_a_folder_with_notes_is_refused_and_the_notes_kept(tmp_path: Path, capsys):
    out = tmp_path / "d"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    code, err = run_cli(capsys, "report", "--out", out)
    assert code == 1 and "holds files the kit did not write (notes.txt)" in err
    assert tree(out) == {"notes.txt": b"my notes"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no hidden leftovers beside it


def test_report_onto_a_file_is_refused_and_the_file_kept(tmp_path: Path, capsys):
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("chapter 1", encoding="utf-8")
    code, err = run_cli(capsys, "report", "--out", thesis)
    assert code == 1 and "is a file, not a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.txt"]
    assert thesis.read_text(encoding="utf-8") == "chapter 1"


def test_export_into_the_corpus_is_refused_and_the_corpus_unchanged(scratch: Path, capsys):
    before = tree(scratch)
    for out in (scratch, scratch / "tables", scratch.parent):
        code, err = run_cli(capsys, "export", "--corpus", scratch, "--out", out)
        assert code == 1 and "overlaps the corpus folder" in err, err
    assert tree(scratch) == before


def test_export_onto_a_file_or_into_a_folder_with_other_files_is_refused(scratch: Path, tmp_path: Path, capsys):
    existing = tmp_path / "tables.csv"
    existing.write_text("mine", encoding="utf-8")
    code, err = run_cli(capsys, "export", "--corpus", scratch, "--out", existing)
    assert code == 1 and "is a file, not a folder" in err and existing.read_text(encoding="utf-8") == "mine"
    folder = tmp_path / "analysis"
    folder.mkdir()
    (folder / "model.R").write_text("lm()", encoding="utf-8")
    code, err = run_cli(capsys, "export", "--corpus", scratch, "--out", folder)
    assert code == 1 and "model.R" in err and tree(folder) == {"model.R": b"lm()"}


def test_export_replaces_its_own_folder_but_not_a_page_edited_since(scratch: Path, tmp_path: Path, capsys):
    out = tmp_path / "export"
    assert run_cli(capsys, "export", "--corpus", scratch, "--out", out)[0] == 0
    assert run_cli(capsys, "export", "--corpus", scratch, "--out", out)[0] == 0  # its own: replaced
    (out / "articles.csv").write_text("edited by hand", encoding="utf-8")
    code, err = run_cli(capsys, "export", "--corpus", scratch, "--out", out)
    assert code == 1 and "articles.csv (changed)" in err
    assert (out / "articles.csv").read_text(encoding="utf-8") == "edited by hand"


def test_export_where_nothing_can_be_written_is_a_message_not_a_traceback(scratch: Path, capsys):
    code, err = run_cli(capsys, "export", "--corpus", scratch, "--out", "/proc/parler-export")
    assert code == 1 and "/proc/parler-export" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def text_free_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Export a copy of the real corpus once with `--no-text` (what `restore` reads); tests doctor copies of it."""
    root = tmp_path_factory.mktemp("text-free")
    corpus = root / "corpus"
    shutil.copytree(corpus_dir(), corpus, ignore=shutil.ignore_patterns("__pycache__"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARLER_CORPUS", str(corpus))  # `--corpus` sets it for the kernels; the context puts it back
        assert main(["export", "--no-text", "--corpus", str(corpus), "--out", str(root / "export")]) == 0
    return root / "export"


def copy_of(export: Path, folder: Path) -> Path:
    """Copy an export into folder (as if exported there) and return the copy."""
    shutil.copytree(export, folder)
    return folder


@pytest.mark.parametrize("name", ["../../escaped.txt", "/tmp/escaped.txt", "sub/escaped.txt"])
def test_restore_from_a_doctored_export_stays_inside_its_folders(scratch: Path, tmp_path: Path, capsys, name: str,
                                                                 text_free_export: Path):
    export = copy_of(text_free_export, tmp_path / "export")
    replace_field(export / "articles.csv", 2, "raw_file", name)
    replace_field(export / "articles.csv", 3, "original_file", name)
    outside = tree(tmp_path)
    code, err = run_cli(capsys, "restore", export, "--texts", scratch / "raw", "--out", tmp_path / "restored")
    assert code == 1 and "must be a plain file name" in err and "articles.csv line 2" in err
    assert "articles.csv line 3" in err
    assert tree(tmp_path) == outside and not Path("/tmp/escaped.txt").exists()


def test_corpus_option_works_before_and_after_the_command(scratch: Path, tmp_path: Path, monkeypatch, capsys):
    from helpers.corpus.articles import CORPUS_ENV
    from helpers.publish import report

    used = []
    monkeypatch.setattr(report, "build_report", lambda notebooks, out, **options: used.append(corpus_dir()))
    monkeypatch.delenv(CORPUS_ENV, raising=False)
    for argv in (["--corpus", scratch, "report"], ["report", "--corpus", scratch]):
        monkeypatch.delenv(CORPUS_ENV, raising=False)
        assert run_cli(capsys, *argv, "--out", tmp_path / "r")[0] == 0
    assert used == [scratch.resolve(), scratch.resolve()]
    code, err = run_cli(capsys, "report", "--corpus", tmp_path / "nowhere", "--out", tmp_path / "r")
    assert code == 1 and "corpus folder not found" in err


# --- Adding: duplicates by content, and two writers at once ------------------------------------------------------

ADD = ["--outlet", "Fixture Outlet", "--title", "Twitter-Alternative ohne Server",
       "--published-earliest", "2021-01-11", "--published-latest", "2021-01-12"]


@pytest.mark.parametrize("variant", ["crlf", "trailing blanks", "bom"])
def test_add_refuses_an_article_already_in_the_corpus_written_another_way(scratch: Path, tmp_path: Path, capsys,
                                                                          variant: str):
    text = raw_file(scratch, 2).read_bytes()
    copy = {"crlf": text.replace(b"\n", b"\r\n"), "trailing blanks": text.replace(b"\n", b"  \n") + b"\n\n",
            "bom": b"\xef\xbb\xbf" + text}[variant]
    source = tmp_path / "again.txt"
    source.write_bytes(copy)
    before = tree(scratch)
    code, err = run_cli(capsys, "add", source, "--corpus", scratch, *ADD)
    assert code == 1 and ("already in the corpus" in err or "byte-order mark" in err), err
    assert tree(scratch) == before


def test_two_adds_at_once_lose_no_row(tmp_path: Path):
    import subprocess
    import sys

    root = tmp_path / "corpus"
    shutil.copytree(Path(__file__).parent / "fixtures" / "corpus_ok", root)
    sources = []
    for n in range(2):
        source = tmp_path / f"new{n}.txt"
        source.write_text(f"Artikel {n}: Amazon nimmt Parler vom Netz.\n" * (n + 3), encoding="utf-8")
        sources.append(source)
    runs = [subprocess.Popen([sys.executable, "-m", "helpers", "add", str(source), "--corpus", str(root),
                              "--id", f"neu-{n}", *ADD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for n, source in enumerate(sources)]
    outcomes = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    from helpers.corpus.articles import check_corpus, load_metadata

    assert check_corpus(root) == []
    assert sorted(load_metadata(root)["article_id"]) == ["fix-a", "fix-b", "neu-0", "neu-1"]


def test_a_second_writer_is_refused_after_waiting_and_changes_nothing(tmp_path: Path, monkeypatch):
    from helpers.corpus.addition import add_article, corpus_lock
    from helpers.errors import CorpusError

    root = tmp_path / "corpus"
    shutil.copytree(Path(__file__).parent / "fixtures" / "corpus_ok", root)
    source = tmp_path / "new.txt"
    source.write_text("Amazon nimmt Parler vom Netz.\n", encoding="utf-8")
    before = tree(root)
    with corpus_lock(root), pytest.raises(CorpusError, match="another command is adding to this corpus"):
        with corpus_lock(root, wait=0.2):
            pass
    from helpers.corpus import addition

    monkeypatch.setattr(addition, "LOCK_WAIT_SECONDS", 0.2)
    with corpus_lock(root), pytest.raises(CorpusError, match="another command"):
        add_article(source, corpus=root, outlet="O", title="T", published_earliest="2021-01-11",
                    published_latest="2021-01-12")
    assert tree(root) == before


# --- Large input: a clear limit, and the size below it works ----------------------------------------------------

def test_an_article_just_under_the_size_limit_is_added_loaded_and_detected(tmp_path: Path):
    """The kit supports articles up to MAX_ARTICLE_BYTES (README): such an article goes through every step."""
    from helpers.annotate.annotations import load_codebook
    from helpers.annotate.detect import detect_all
    from helpers.corpus.addition import add_article
    from helpers.corpus.articles import load_articles

    root = tmp_path / "corpus"
    shutil.copytree(Path(__file__).parent / "fixtures" / "corpus_ok", root)
    texts = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((corpus_dir() / "raw").glob("*.txt")))
    copies = MAX_ARTICLE_BYTES // len(texts.encode("utf-8"))
    big = tmp_path / "long-read.txt"
    # Each copy's lines are marked, or cleaning would drop them as repeats of the first copy.
    big.write_text("\n".join(f"{line} [{n}]" if line.strip() else line
                             for n in range(copies) for line in texts.splitlines()), encoding="utf-8")
    assert 0.9 * MAX_ARTICLE_BYTES < big.stat().st_size <= MAX_ARTICLE_BYTES
    add_article(big, corpus=root, outlet="O", title="", published_earliest="2021-01-11",
                published_latest="2021-01-12", article_id="long-read")
    articles = load_articles(root)
    text = articles.set_index("article_id").loc["long-read", "clean_text"]
    rows = detect_all({"long-read": text}, load_codebook())
    per_copy = detect_all({"one": texts}, load_codebook())
    assert len(rows[rows["layer"] == "actors"]) >= copies * 0.9 * len(per_copy[per_copy["layer"] == "actors"])


def test_a_cleaning_rule_that_is_a_string_is_refused_naming_it(scratch: Path, capsys):
    append_line(scratch / "cleaning_rules.yaml", "  - Anzeige")
    code, err = run_cli(capsys, "validate", "--corpus", scratch)
    assert code == 1 and "cleaning_rules.yaml: rule #" in err and "must be a mapping" in err, err
    (scratch / "cleaning_rules.yaml").write_text("rules: Anzeige\n", encoding="utf-8")
    code, err = run_cli(capsys, "validate", "--corpus", scratch)
    assert code == 1 and "cleaning_rules.yaml: rules: must be a list" in err, err


def test_a_corpus_option_naming_a_file_or_nothing_is_refused(tmp_path: Path, capsys):
    afile = tmp_path / "x.txt"
    afile.write_text("not a corpus", encoding="utf-8")
    for command in ("validate", "export"):
        argv = [command, "--corpus", afile] + (["--out", tmp_path / "e"] if command == "export" else [])
        code, err = run_cli(capsys, *argv)
        assert code == 1 and "is a file, not a corpus folder" in err and "Traceback" not in err
    code, err = run_cli(capsys, "validate", "--corpus", "")
    assert code == 1 and "--corpus is empty" in err


def test_add_refuses_a_copy_in_another_unicode_normalisation(scratch: Path, tmp_path: Path, capsys):
    import unicodedata

    text = next(t for t in (raw_file(scratch, n).read_text(encoding="utf-8") for n in range(5))
                if unicodedata.normalize("NFD", t) != t)  # an article with umlauts
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text  # the text has umlauts, so the copy differs byte for byte
    source = tmp_path / "nfd.txt"
    source.write_text(decomposed, encoding="utf-8")
    before = tree(scratch)
    code, err = run_cli(capsys, "add", source, "--corpus", scratch, *ADD)
    assert code == 1 and "same text" in err and tree(scratch) == before


def test_restore_into_a_place_no_folder_can_be_made_is_a_message(scratch: Path, tmp_path: Path, capsys,
                                                                  text_free_export: Path):
    export = copy_of(text_free_export, tmp_path / "export")
    afile = tmp_path / "f.txt"
    afile.write_text("x", encoding="utf-8")
    for out in (afile / "c", Path("/proc/parler-restore")):
        code, err = run_cli(capsys, "restore", export, "--texts", scratch / "raw", "--out", out)
        assert code == 1 and "Traceback" not in err and str(out) in err, err


def test_a_corrupt_notebook_is_named_not_a_traceback(tmp_path: Path, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "01-broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    for command in ("report", "refresh-notebooks"):
        argv = [command, "--notebooks", notebooks] + (["--out", tmp_path / "r"] if command == "report" else [])
        code, err = run_cli(capsys, *argv)
        assert code == 1 and "01-broken.ipynb: not a valid notebook" in err, err
    assert (notebooks / "01-broken.ipynb").read_text(encoding="utf-8") == '{"cells": ['
    code, err = run_cli(capsys, "refresh-notebooks", "--notebooks", tmp_path)
    assert code == 1 and "no notebooks named like" in err


def test_an_export_never_replaces_a_report_and_a_link_in_raw_is_named(scratch: Path, tmp_path: Path, capsys):
    from helpers.publish.outputs import mark

    report = tmp_path / "report"
    report.mkdir()
    (report / "index.html").write_text("a report", encoding="utf-8")
    mark(report, "report")
    code, err = run_cli(capsys, "export", "--corpus", scratch, "--out", report)
    assert code == 1 and "another kind of output, not an export" in err
    assert (report / "index.html").read_text(encoding="utf-8") == "a report"
    (scratch / "raw" / "zz-link.txt").symlink_to("/etc/hostname")
    code, err = run_cli(capsys, "validate", "--corpus", scratch)
    assert code == 1 and "zz-link.txt: not a regular file" in err


def test_validate_lists_the_first_hundred_problems_and_counts_the_rest(scratch: Path, capsys):
    lines = (scratch / CODER_A / "facts.csv").read_text(encoding="utf-8").splitlines()
    (scratch / CODER_A / "facts.csv").write_text("\n".join([lines[0], *[lines[1]] * 150]) + "\n", encoding="utf-8")
    code, err = run_cli(capsys, "validate", "--corpus", scratch)
    assert code == 1 and sum(line.startswith("  - ") for line in err.splitlines()) == 100
    assert "… and 49 more" in err
