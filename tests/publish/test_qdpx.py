"""REFI-QDA round trip: export the study as .qdpx, read it back per coder, and refuse hostile or wrong projects."""

from __future__ import annotations

import io
import os
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from helpers.__main__ import main
from helpers.annotate.annotations import locate
from helpers.errors import CorpusError
from helpers.publish import qdpx

NS = {"q": qdpx.PROJECT_NS}
COMPARED = ["article_id", "layer", "code", "start", "end", "span", "speaker", "attributed_to", "note", "voice"]
# The REFI-QDA schema is not committed (see the module docstring of helpers.publish.qdpx for where it is published):
# point $REFI_QDA_XSD at a copy of Project-mrt2019.xsd, or drop one here, and the export is validated against it.
XSD_CANDIDATES = [Path(os.environ.get("REFI_QDA_XSD", "/nonexistent")),
                  Path(__file__).parents[1] / "fixtures" / "refi-qda" / "Project-mrt2019.xsd"]
EMOJI_TEXT = "Parler 😀 ist offline.\nAmazon sagt: „Wir hosten das nicht.“ Ende."


@pytest.fixture(scope="module")
def exported(study, tmp_path_factory) -> Path:
    """The real study written once as a project file."""
    return qdpx.write_qdpx(study, tmp_path_factory.mktemp("qdpx") / "study.qdpx")


def _sorted(rows):
    return rows[COMPARED].astype({"start": "int64", "end": "int64"}).sort_values(COMPARED).reset_index(drop=True)


@pytest.mark.parametrize("coder", ["coder_a", "coder_b"])
def test_round_trip_gives_each_coders_rows_back(study, exported, coder):
    back = qdpx.read_qdpx(exported, coder, study.texts, study.codebook, user=coder)
    original = study.coder(coder)
    assert len(back) == len(original) > 100
    assert _sorted(back).equals(_sorted(original))
    assert set(back["coder"]) == {coder}


def test_reexport_is_byte_identical(study, exported, tmp_path):
    again = qdpx.write_qdpx(study, tmp_path / "again.qdpx")
    assert again.read_bytes() == exported.read_bytes()


def test_positions_slice_each_source_to_its_span_with_plain_elementtree(study, exported):
    with zipfile.ZipFile(exported) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
        assert sorted(users.values()) == ["coder_a", "coder_b"]  # the consensus is computed, not a user
        checked = 0
        for source in root.iterfind("q:Sources/q:TextSource", NS):
            member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
            text = archive.read(member).decode("utf-8")
            assert text == study.texts[source.get("name")]
            assert not text.startswith("\ufeff")
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert text[start:end] == selection.get("name")
                checked += 1
    assert checked == len(study.hand)


def test_codes_are_nested_by_layer_with_names_and_definitions(study, exported):
    root = ET.fromstring(zipfile.ZipFile(exported).read("project.qde"))
    layers = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [layer.get("name") for layer in layers] == ["actors", "facts", "labels", "frames", "quotes"]
    assert {layer.get("isCodable") for layer in layers} == {"false"}
    facts = layers[1].findall("q:Code", NS)
    assert [code.get("name") for code in facts] == list(study.codebook.names("facts").values())
    first = study.codebook.codes["facts"].iloc[0]
    assert facts[0].find("q:Description", NS).text == f"id: {first['id']}\n{first['definition'].strip()}"
    assert facts[0].get("guid") == qdpx.guid("code", "facts", first["id"])


def test_export_validates_against_the_refi_qda_schema(exported):
    xmlschema = pytest.importorskip("xmlschema")
    schema_path = next((path for path in XSD_CANDIDATES if path.is_file()), None)
    if schema_path is None:
        pytest.skip("no copy of Project-mrt2019.xsd ($REFI_QDA_XSD or tests/fixtures/refi-qda/)")
    schema = xmlschema.XMLSchema(str(schema_path))
    errors = list(schema.iter_errors(zipfile.ZipFile(exported).read("project.qde").decode("utf-8")))
    assert errors == []


def test_an_independent_reader_finds_every_span(study, exported, tmp_path):
    pyrefiqda = pytest.importorskip("pyrefiqda")
    project = pyrefiqda.RefiProject.load(exported, extract_dir=str(tmp_path / "unpacked"))
    users = {user.guid: user.name for user in project.users.user}
    rows = []
    for source in project.sources.text_source:
        text = pyrefiqda.RefiProject.resolve_source_path(source.plain_text_path, tmp_path / "unpacked").read_text(
            encoding="utf-8")
        for selection in source.plain_text_selection:
            rows.append((users[selection.creating_user], source.name, selection.start_position,
                         selection.end_position, text[selection.start_position:selection.end_position]))
    ours = sorted(zip(study.hand["coder"], study.hand["article_id"], study.hand["start"], study.hand["end"],
                      study.hand["span"], strict=True))
    assert sorted(rows) == ours


def test_codebook_file_holds_the_codes(study, tmp_path):
    path = qdpx.write_qdc(study.codebook, tmp_path / "study.qdc")
    root = ET.fromstring(path.read_bytes())
    assert root.tag == f"{{{qdpx.CODEBOOK_NS}}}CodeBook"
    names = [code.get("name") for code in root.iter(f"{{{qdpx.CODEBOOK_NS}}}Code")]
    assert len(names) == 5 + sum(len(study.codebook.ids(layer)) for layer in study.codebook.codes)


def test_memo_keeps_what_refi_qda_has_no_place_for():
    row = {"speaker": "", "voice": "reported", "attributed_to": "amazon", "note": "Konjunktiv I: sei"}
    assert qdpx.memo_text(row) == "voice: reported\nattributed_to: amazon\nnote: Konjunktiv I: sei"
    assert qdpx.parse_memo(qdpx.memo_text(row)) == row
    assert qdpx.parse_memo("Speaker: amazon\r\nnot sure about this") == {
        "speaker": "amazon", "voice": "", "attributed_to": "", "note": "not sure about this"}


# --- projects coded in a tool ----------------------------------------------------------------------------------

def _project(selections: str, text: str = EMOJI_TEXT, *, users: str | None = None, codes: str = "",
             source: bytes | None = None, path: str = "internal://t.txt", qde: str | None = None,
             extra: dict[str, bytes] | None = None) -> bytes:
    """Return a .qdpx as a tool might write it: one text, the given selections, the real code GUIDs."""
    users = users or '<User guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Maria"/>'
    qde = qde or f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="coded in a tool" origin="MAXQDA">
 <Users>{users}</Users>
 <CodeBook><Codes>{codes or '<Code guid="' + qdpx.guid("layer", "actors") + '" name="actors" isCodable="false">'
     '<Code guid="' + qdpx.guid("code", "actors", "parler") + '" name="Parler" isCodable="true"/></Code>'}
 </Codes></CodeBook>
 <Sources><TextSource guid="11111111-2222-3333-4444-555555555555" name="Dokument 1" plainTextPath="{path}">
 {selections}</TextSource></Sources>
</Project>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/t.txt", source if source is not None else text.encode("utf-8"))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _selection(start: int, end: int, code: str | None = None, memo: str = "", user: str = "1") -> str:
    code = code or qdpx.guid("code", "actors", "parler")
    description = f"<Description>{memo}</Description>" if memo else ""
    return (f'<PlainTextSelection guid="{{AAAAAAAA-0000-0000-0000-0000000000{start:02d}}}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="AAAAAAAA-0000-0000-0000-00000000000{user}">{description}'
            f'<Coding guid="BBBBBBBB-0000-0000-0000-0000000000{start:02d}"><CodeRef targetGUID="{code}"/></Coding>'
            "</PlainTextSelection>")


def _read(tmp_path: Path, data: bytes, codebook, text: str = EMOJI_TEXT, **kwargs):
    path = tmp_path / "coded.qdpx"
    path.write_bytes(data)
    return qdpx.read_qdpx(path, "coder_c", {"emoji-article": text}, codebook, **kwargs)


def test_positions_count_code_points_after_an_emoji(tmp_path, codebook):
    start, end = locate(EMOJI_TEXT, "Amazon")
    assert start == EMOJI_TEXT.index("Amazon") and len("😀") == 1  # one code point (two UTF-16 units)
    amazon = qdpx.guid("code", "actors", "amazon")
    codes = (f'<Code guid="{qdpx.guid("layer", "actors")}" name="actors" isCodable="false">'
             f'<Code guid="{amazon.upper()}" name="Amazon" isCodable="true"/></Code>')
    rows = _read(tmp_path, _project(_selection(start, end, "{" + amazon.upper() + "}"), codes=codes), codebook)
    assert rows[["article_id", "layer", "code", "start", "end", "span"]].values.tolist() == [
        ["emoji-article", "actors", "amazon", start, end, "Amazon"]]


def test_bom_crlf_and_blanks_around_a_selection_are_tolerated(tmp_path, codebook):
    stored = "\ufeff" + EMOJI_TEXT.replace("\n", "\r\n")
    start = stored.removeprefix("\ufeff").index("Amazon") - 1  # the tool's selection took in the line break
    rows = _read(tmp_path, _project(_selection(start, start + 7, qdpx.guid("code", "actors", "amazon")),
                                    codes=f'<Code guid="{qdpx.guid("code", "actors", "amazon")}" name="x" '
                                          'isCodable="true"/>', source=stored.encode("utf-8")), codebook)
    clean_start = EMOJI_TEXT.index("Amazon")
    assert rows[["start", "end", "span"]].values.tolist() == [[clean_start, clean_start + 6, "Amazon"]]


def test_a_code_remade_in_the_tool_is_found_by_name_and_memo_fields_are_read(tmp_path, codebook):
    codes = ('<Code guid="CCCCCCCC-0000-0000-0000-000000000000" name="quotes" isCodable="false">'
             '<Code guid="CCCCCCCC-0000-0000-0000-000000000001" name="direct_quote" isCodable="true"/></Code>')
    start, end = locate(EMOJI_TEXT, "Wir hosten das nicht.")
    rows = _read(tmp_path, _project(_selection(start, end, "CCCCCCCC-0000-0000-0000-000000000001",
                                               memo="speaker: amazon\nnote: heading"), codes=codes), codebook)
    assert rows[["layer", "code", "span", "speaker", "note"]].values.tolist() == [
        ["quotes", "direct_quote", "Wir hosten das nicht.", "amazon", "heading"]]


def test_codings_added_in_a_tool_to_an_export_are_read_by_their_user(study, exported, tmp_path):
    with zipfile.ZipFile(exported) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = ET.fromstring(members["project.qde"])
    ET.SubElement(root.find("q:Users", NS), f"{{{qdpx.PROJECT_NS}}}User", guid="{DDDDDDDD-0000-0000-0000-000000000001}",
                  name="Maria")
    source = root.find("q:Sources/q:TextSource", NS)
    article = source.get("name")
    start, end = locate(study.texts[article], "Parler")
    selection = ET.Element(f"{{{qdpx.PROJECT_NS}}}PlainTextSelection", guid="DDDDDDDD-0000-0000-0000-000000000002",
                           startPosition=str(start), endPosition=str(end),
                           creatingUser="DDDDDDDD-0000-0000-0000-000000000001")
    coding = ET.SubElement(selection, f"{{{qdpx.PROJECT_NS}}}Coding", guid="DDDDDDDD-0000-0000-0000-000000000003")
    ET.SubElement(coding, f"{{{qdpx.PROJECT_NS}}}CodeRef", targetGUID=qdpx.guid("code", "actors", "parler"))
    source.insert(1, selection)
    members["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    path = tmp_path / "maria.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(CorpusError, match=r"several users .*Maria \(1 codings\).*--user"):
        qdpx.read_qdpx(path, "maria", study.texts, study.codebook)
    rows = qdpx.read_qdpx(path, "maria", study.texts, study.codebook, user="Maria")
    assert rows[["article_id", "code", "start", "end"]].values.tolist() == [[article, "parler", start, end]]


# --- wrong or hostile input: each refused with the file and element named -------------------------------------

@pytest.mark.parametrize(("data", "message"), [
    (b"not a zip at all", r"not a zip file"),
    (b"PK\x05\x06" + b"\0" * 18, r"no project\.qde inside"),
    (_project("", qde="<Project xmlns='urn:QDA-XML:project:1.0'><Sources>"), r"line 1, column \d+: not well-formed"),
    (_project("", qde='<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                      "<Project xmlns='urn:QDA-XML:project:1.0' name='x'>&lol2;</Project>"), r"holds a DTD"),
    (_project("", qde='<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x;</p>'),
     r"holds a DTD"),
    (_project(_selection(0, 6), path="internal://../../../etc/passwd"), r"TextSource 'Dokument 1'.*no folders"),
    (_project(_selection(0, 6), path="file:///etc/passwd"), r"points outside the project file"),
    (_project(_selection(0, 6), path="internal://missing.txt"), r"sources/missing.txt is not in the project"),
    (_project(_selection(40, 400)), r"PlainTextSelection \{AAAAAAAA.*positions 40-400 are outside its source"),
    (_project(_selection(0, 6, "EEEEEEEE-0000-0000-0000-000000000000")), r"not in the codebook"),
    (_project(_selection(0, 6), source=b"Parler ist ein anderer Text."),
     r"TextSource 'Dokument 1'.*matches no article's clean text"),
    (_project(_selection(0, 6) + _selection(1, 5)), r"overlaps"),
    (_project(_selection(0, 6, qdpx.guid("layer", "actors"))), r"uses the layer 'actors' itself"),
    (_project(_selection(0, 6), source=b"\xff\xfeP\x00"), r"not UTF-8"),
])
def test_bad_projects_are_refused_naming_what_is_wrong(tmp_path, codebook, data, message):
    with pytest.raises(CorpusError, match=message):
        _read(tmp_path, data, codebook)


def test_a_quote_without_speaker_is_refused_naming_the_selection(tmp_path, codebook):
    codes = f'<Code guid="{qdpx.guid("code", "quotes", "direct_quote")}" name="Direct quote" isCodable="true"/>'
    start, end = locate(EMOJI_TEXT, "Wir hosten das nicht.")
    named = r"PlainTextSelection \{AAAAAAAA-0000-0000-0000-0000000000\d\d\}: speaker '' must be an actor id"
    with pytest.raises(CorpusError, match=named):
        _read(tmp_path, _project(_selection(start, end, qdpx.guid("code", "quotes", "direct_quote")), codes=codes),
              codebook)


def test_a_member_bigger_than_its_limit_is_refused_unread(tmp_path, codebook, monkeypatch):
    monkeypatch.setattr(qdpx, "MAX_SOURCE_BYTES", 1000)
    huge = ("Parler " * 10_000).encode()  # 70 KB that deflate to a few hundred bytes
    with pytest.raises(CorpusError, match=r"sources/t\.txt is 0\.1 MB unpacked"):
        _read(tmp_path, _project(_selection(0, 6), source=huge), codebook)


# --- command line ------------------------------------------------------------------------------------------------

@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(Path(__file__).parents[2] / "corpus", root)
    return root


def test_cli_exports_then_imports_a_coder_and_validates(corpus_copy, tmp_path, capsys):
    out = tmp_path / "share" / "study.qdpx"
    assert main(["export-qdpx", "--corpus", str(corpus_copy), "--out", str(out)]) == 0
    assert out.is_file() and out.with_suffix(".qdc").is_file()
    assert main(["export-qdpx", "--corpus", str(corpus_copy), "--out", str(out)]) == 1  # never overwrites unasked
    assert "already there" in capsys.readouterr().err
    assert main(["import-qdpx", str(out), "--coder", "coder_c", "--corpus", str(corpus_copy)]) == 1
    assert "--user NAME" in capsys.readouterr().err
    assert main(["import-qdpx", str(out), "--coder", "coder_c", "--user", "coder_b",
                 "--corpus", str(corpus_copy)]) == 0
    folder = corpus_copy / "annotations" / "coder_c"
    assert sorted(path.name for path in folder.iterdir()) == [f"{layer}.csv" for layer in
                                                              sorted(["actors", "facts", "labels", "frames", "quotes"])]
    assert main(["validate", "--corpus", str(corpus_copy)]) == 0
    assert main(["import-qdpx", str(out), "--coder", "coder_c", "--user", "coder_a",
                 "--corpus", str(corpus_copy)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["import-qdpx", str(out), "--coder", "coder_c", "--user", "coder_a", "--replace",
                 "--corpus", str(corpus_copy)]) == 0


def test_cli_blank_export_holds_no_codings_and_no_users(corpus_copy, tmp_path):
    out = tmp_path / "blank.qdpx"
    assert main(["export-qdpx", "--corpus", str(corpus_copy), "--out", str(out), "--no-codings"]) == 0
    root = ET.fromstring(zipfile.ZipFile(out).read("project.qde"))
    assert root.find("q:Users", NS) is None and not list(root.iter(f"{{{qdpx.PROJECT_NS}}}PlainTextSelection"))
    assert len(root.findall("q:Sources/q:TextSource", NS)) == 5


@pytest.mark.parametrize("name", ["../outside", "a/b", ".hidden", "", "x" * 80])
def test_cli_never_writes_outside_the_corpus(corpus_copy, tmp_path, capsys, name):
    out = tmp_path / "study.qdpx"
    assert main(["export-qdpx", "--corpus", str(corpus_copy), "--out", str(out)]) == 0
    assert main(["import-qdpx", str(out), "--coder", name, "--user", "coder_a", "--corpus", str(corpus_copy)]) == 1
    assert "a coder is named by letters" in capsys.readouterr().err
    assert sorted(path.name for path in (corpus_copy / "annotations").iterdir() if path.is_dir()) == [
        "coder_a", "coder_b"]
