"""The strict CSV and YAML readers: exact columns, every value accounted for, and never a traceback.

Besides the cases written out, hypothesis fuzzes the readers with random bytes and with random edits of the
real corpus files: each result is either the file read with every row (none dropped, none merged) or a
refusal that names the file, and a line where the problem has one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.analyse.claims import codebook_ids, load_claims
from helpers.annotate.annotations import load_codebook
from helpers.corpus.articles import EVENT_COLUMNS, METADATA_COLUMNS, corpus_dir
from helpers.corpus.glossary import GLOSSARY_COLUMNS
from helpers.corpus.readers import read_table
from helpers.corpus.settings import load_settings
from helpers.errors import CorpusError, read_yaml
from helpers.text.clean import load_rules

REAL = corpus_dir()


def write(tmp_path: Path, text: str | bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_a_sound_table_is_read_with_its_lines(tmp_path: Path):
    table = read_table(write(tmp_path, 'id,note\na,"x, y"\n\nb,z\n'), ["id", "note"])
    assert table.problems == [] and table.complete
    assert table.rows == [(2, {"id": "a", "note": "x, y"}), (4, {"id": "b", "note": "z"})]


@pytest.mark.parametrize(("text", "words"), [
    ("id,note\na,x,extra\n", "line 2: 3 values but 2 columns: extra 'extra'"),
    ("id,note\na\n", "line 2: 1 values but 2 columns: missing note"),
    ('id,note\na,"open\nb,c\n', "line 2: a double quote is not closed"),
    ('id,note\na,"two\nlines"\n', "line 2–3: the value of note runs over several lines"),
    ("id,note,note\n", "line 1: column(s) note appear twice"),
    ("id\n", "line 1: missing column(s) note"),
    ("id,note,extra\n", "line 1: unknown column(s) 'extra'"),
    ("", "line 1: no header"),
    ("id,note\nA,x\na,y\n", "line 3: duplicate id 'a' (first on line 2 as 'A'"),
    ("id,note\n,x\n", "line 2: id is empty"),
])
def test_a_broken_table_is_refused_naming_the_line(tmp_path: Path, text: str, words: str):
    table = read_table(write(tmp_path, text), ["id", "note"], required=["id"], unique=["id"])
    assert any(words in problem and str(tmp_path / "t.csv") in problem for problem in table.problems), table.problems
    with pytest.raises(CorpusError):
        table.values()


def test_optional_and_multiline_columns_are_allowed_where_declared(tmp_path: Path):
    table = read_table(write(tmp_path, 'id,span,voice\na,"two\nlines",own\n'), ["id", "span"], optional=["voice"],
                       multiline=["span"])
    assert table.problems == [] and table.rows == [(2, {"id": "a", "span": "two\nlines", "voice": "own"})]


def test_a_bom_is_named_unless_the_file_is_a_kit_export(tmp_path: Path):
    path = write(tmp_path, b"\xef\xbb\xbfid,note\na,b\n")
    assert "byte-order mark" in read_table(path, ["id", "note"]).problems[0]
    assert read_table(path, ["id", "note"], bom=True).rows == [(2, {"id": "a", "note": "b"})]


def test_yaml_aliases_and_wrong_shapes_are_refused(tmp_path: Path):
    with pytest.raises(CorpusError, match="line 2: YAML alias"):
        read_yaml(write(tmp_path, "a: &x [1, 2]\nb: *x\n", "s.yaml"), "study file")
    with pytest.raises(CorpusError, match="must be a YAML mapping .* not a list"):
        read_yaml(write(tmp_path, "- a\n- b\n", "s.yaml"), "study file")
    with pytest.raises(CorpusError, match="is a folder"):
        read_yaml(tmp_path, "study file")


# --- Fuzzing ------------------------------------------------------------------------------------------------------

TABLES = {  # file: (columns, optional columns)
    "articles.csv": (METADATA_COLUMNS, []),
    "events.csv": (EVENT_COLUMNS, []),
    "glossary.csv": (GLOSSARY_COLUMNS[:2], GLOSSARY_COLUMNS[2:]),
}
# Characters that break CSV and YAML files in practice, plus ordinary letters.
NASTY = st.sampled_from(list('",\n\r;:\t -#&*![]{}|>\'') + ["\x00", "\ufeff", "\x1b", "ü", "a", "0"])
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def edits(draw: st.DrawFn, data: bytes) -> bytes:
    """Return `data` with a few random characters deleted, inserted or replaced (kept valid UTF-8)."""
    text = data.decode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "replace"]))
        char = draw(NASTY)
        text = text[:at] + ("" if kind == "delete" else char) + text[at + (kind != "insert"):]
    return text.encode("utf-8")


def check_read(path: Path, columns: list[str], optional: list[str]) -> None:
    """Read `path` strictly: either every data line is a row, or each problem names the file."""
    table = read_table(path, columns, optional=optional)
    if table.problems:
        assert all(str(path) in problem for problem in table.problems), table.problems
        return
    lines = path.read_bytes().decode("utf-8").splitlines()
    assert len(table.rows) == sum(1 for line in lines[1:] if line.strip()), "a row was dropped or merged"


@pytest.mark.parametrize("name", sorted(TABLES))
@FUZZ
@given(data=st.data())
def test_random_edits_of_a_real_table_are_read_whole_or_refused(tmp_path: Path, name: str, data: st.DataObject):
    path = write(tmp_path, data.draw(edits((REAL / name).read_bytes())), name)
    check_read(path, *TABLES[name])


@FUZZ
@given(raw=st.binary(max_size=300))
def test_random_bytes_never_raise(tmp_path: Path, raw: bytes):
    path = write(tmp_path, raw)
    table = read_table(path, ["id", "note"])
    assert table.rows or table.problems or not raw.strip(b"\r\n")
    assert all(str(path) in problem for problem in table.problems)


YAML_READERS = {
    "codebook.yaml": load_codebook,
    "cleaning_rules.yaml": load_rules,
    "study.yaml": lambda path: load_settings(path.parent),
    "claims.yaml": lambda path: load_claims(path, codebook_ids(load_codebook(REAL / "codebook.yaml"))),
}


@pytest.mark.parametrize("name", sorted(YAML_READERS))
@FUZZ
@given(data=st.data())
def test_random_edits_of_a_real_yaml_file_load_or_are_refused_naming_it(tmp_path: Path, name: str,
                                                                       data: st.DataObject):
    folder = tmp_path / "c"
    folder.mkdir(exist_ok=True)
    path = write(folder, data.draw(edits((REAL / name).read_bytes())), name)
    try:
        YAML_READERS[name](path)
    except CorpusError as exc:
        assert all(name in problem for problem in exc.problems), exc.problems
