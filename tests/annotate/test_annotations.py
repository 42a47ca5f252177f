"""The codebook and hand coding: the real ones validate; each broken fixture fails naming file and line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.annotate.annotations import (
    LAYERS,
    check_all_annotations,
    check_codebook_examples,
    load_annotations,
    load_codebook,
    locate,
)
from helpers.corpus import load_articles
from helpers.errors import CorpusError

BAD = {
    # fixture: words the single problem must contain (after "coder_a/<layer>.csv line 2: ")
    "unknown_code": "code 'no_such_fact' is not in the codebook's facts",
    "span_not_at_offsets": "is not the text at",
    "overlapping_duplicate": "line 3: overlaps line 2",
    "unknown_article": "article_id 'fix-z' is not in the corpus",
    "bad_speaker": "speaker 'nobody' must be an actor id",
    "layer_mismatch": "layer 'frames' does not match the file (facts)",
}


def make_corpus(tmp_path: Path, fixtures_dir: Path, annotations: str) -> Path:
    """Assemble a temporary corpus: the 2-article fixture, the fixture codebook and one annotation set."""
    root = tmp_path / "corpus"
    shutil.copytree(fixtures_dir / "corpus_ok", root)
    shutil.copy(fixtures_dir / "annotations" / "codebook.yaml", root / "codebook.yaml")
    shutil.copytree(fixtures_dir / "annotations" / annotations, root / "annotations")
    return root


def texts_of(root: Path) -> dict[str, str]:
    articles = load_articles(root)
    return dict(zip(articles["article_id"], articles["clean_text"], strict=True))


def test_real_codebook_and_hand_coding_validate(articles):
    texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
    assert check_all_annotations(texts) == []
    codebook = load_codebook()
    assert set(codebook.codes) == set(LAYERS)
    for layer in LAYERS:
        assert codebook.codes[layer]["id"].is_unique


def test_codebook_lists_the_required_actors_and_facts():
    codebook = load_codebook()
    required_facts = {"apps_removed", "aws_98_posts", "users_10m", "servers_300_500", "capitol_attack",
                      "nov2020_emails", "parler_lawsuit", "buzzfeed_source", "volunteer_moderation",
                      "mercer_funding", "alt_platforms", "employee_pressure", "datacenter_threats", "trump_banned",
                      "data_preserved", "downtime_estimate", "founded_2018", "hack_data", "capitol_deaths",
                      "political_motive_claim", "public_safety_risk", "suspension_deadline"}
    assert required_facts <= set(codebook.ids("facts"))
    names = set(codebook.codes["actors"]["name"])
    for name in ["Parler", "John Matze", "Apple", "Google", "Twitter", "Facebook", "Donald Trump", "Joe Biden",
                 "BuzzFeed", "Fox News", "Rebekah Mercer", "Telegram", "Gab", "8kun", "QAnon", "Proud Boys",
                 "Martina Schulte", "Deutschlandfunk Nova"]:
        assert name in names
    assert "Amazon / Amazon Web Services (AWS)" in names


def test_fixture_annotations_load(tmp_path, fixtures_dir):
    root = make_corpus(tmp_path, fixtures_dir, "good")
    table = load_annotations(texts_of(root), root)
    assert sorted(table["layer"].unique()) == ["actors", "facts", "quotes"]
    assert set(table["coder"]) == {"coder_a"}
    texts = texts_of(root)
    for row in table.itertuples():
        assert texts[row.article_id][row.start:row.end] == row.span


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_annotation_names_file_and_line(tmp_path, fixtures_dir, name):
    root = make_corpus(tmp_path, fixtures_dir, f"bad/{name}")
    problems = check_all_annotations(texts_of(root), root)
    assert len(problems) == 1, problems
    assert "coder_a/" in problems[0] and ".csv line " in problems[0] and BAD[name] in problems[0]
    with pytest.raises(CorpusError):
        load_annotations(texts_of(root), root)
    result = subprocess.run([sys.executable, "-m", "helpers", "validate", "--corpus", str(root)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1 and BAD[name] in result.stderr


def test_mis_encoded_annotation_file_is_named_with_its_line(tmp_path, fixtures_dir):
    root = make_corpus(tmp_path, fixtures_dir, "good")
    path = next((root / "annotations").rglob("*.csv"))
    path.write_bytes(path.read_bytes() + b"fix-a,facts,x,0,1,Gr\xfc\xdfe,,,\n")
    lines = path.read_bytes().count(b"\n")
    problems = check_all_annotations(texts_of(root), root)
    assert len(problems) == 1 and problems[0].startswith(f"{path}: not valid UTF-8 (byte 0xfc")
    assert problems[0].endswith(f"line {lines})")


def test_span_hint_says_where_the_span_is(tmp_path, fixtures_dir):
    root = make_corpus(tmp_path, fixtures_dir, "bad/span_not_at_offsets")
    texts = texts_of(root)
    start, end = locate(texts["fix-a"], "nicht erreichbar")
    assert f"the span occurs at {start}-{end}" in check_all_annotations(texts, root)[0]


def test_codebook_example_not_in_text_is_named(tmp_path, fixtures_dir):
    root = make_corpus(tmp_path, fixtures_dir, "good")
    path = root / "codebook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("span: nicht erreichbar", "span: nie erreichbar"),
                    encoding="utf-8")
    problems = check_codebook_examples(load_codebook(path), texts_of(root))
    assert problems == [f"{path}: facts offline: example span 'nie erreichbar' is not in the clean text of fix-a"]


def test_codebook_structure_errors(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text("actor_kinds: [person]\nactors:\n- {id: x, name: X, kind: robot, spellings: [X], "
                    "definition: d, example: {article_id: a, span: X}}\n- {id: x, name: X}\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_codebook(path)
    message = str(info.value)
    assert "kind 'robot' is not one of ['person']" in message and "actors #2 (x): missing" in message


@pytest.mark.parametrize(("content", "expected"), [
    (b"labels:\n  - {id: x, name: [X\nframes: []\n", "line 3, column 7: not valid YAML (while parsing a flow sequence"),
    (b"actors:\n  id: x\n   name: X\n", "line 3, column 8: not valid YAML"),
    (b"actors: [Gr\xfc\xdfe]\n", "not valid UTF-8 (byte 0xfc at byte offset 11, line 1)"),
    (b"- just\n- a list\n", "codebook must be a YAML mapping"),
])
def test_malformed_codebook_names_file_and_line(tmp_path, content, expected):
    path = tmp_path / "codebook.yaml"
    path.write_bytes(content)
    with pytest.raises(CorpusError) as info:
        load_codebook(path)
    assert info.value.problems[0].startswith(f"{path}")
    assert expected in info.value.problems[0]


def test_locate():
    assert locate("a b a", "a", 2) == (4, 5)
    with pytest.raises(ValueError, match="fewer than 3"):
        locate("a b a", "a", 3)


@pytest.mark.parametrize(("voice", "attributed_to", "message"), [
    ("loud", "", "voice 'loud' must be one of own, reported, quoted"),
    ("own", "beispiel", "voice 'own' (the outlet's words) cannot be attributed to 'beispiel'"),
    ("reported", "", "voice 'reported' needs attributed_to"),
])
def test_bad_voice_names_file_and_line(tmp_path, fixtures_dir, voice, attributed_to, message):
    root = make_corpus(tmp_path, fixtures_dir, "good")
    texts = texts_of(root)
    start, end = locate(texts["fix-a"], "Testdienst")
    path = root / "annotations" / "coder_a" / "labels.csv"
    path.write_text("article_id,layer,code,start,end,span,speaker,attributed_to,note,voice\n"
                    f"fix-a,labels,service,{start},{end},Testdienst,,{attributed_to},,{voice}\n", encoding="utf-8")
    problems = check_all_annotations(texts, root)
    assert problems == [f"{path} line 2: {message}" + (" (an actor id or 'unattributed')" if "needs" in message
                                                          else "")]


def test_a_code_is_named_for_a_reader_by_its_name_else_its_definition(codebook):
    assert codebook.name_of("frames", "free_speech_censorship") == "Free speech / censorship"
    names = codebook.names("facts")
    assert list(names) == codebook.ids("facts") and all("_" not in name for name in names.values())
    without = codebook.codes["quotes"].drop(columns=["name"])
    bare = type(codebook)({**codebook.codes, "quotes": without}, [], {}, {}, codebook.path)
    fallback = bare.name_of("quotes", "direct_quote")  # the definition's first sentence, cut to 80 characters
    assert fallback.startswith("A direct quotation - words inside") and len(fallback) <= 80
    assert codebook.name_of("facts", "no_such_code") == "no_such_code"
