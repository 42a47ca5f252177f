"""Round trip with MAXQDA, ATLAS.ti, NVivo and QualCoder: REFI-QDA projects (.qdpx) and codebooks (.qdc).

A `.qdpx` is a zip holding `project.qde` (XML in the namespace ``urn:QDA-XML:project:1.0``) and the sources under
`sources/`. What `write_qdpx` puts in it:

- every article's *clean* text as a `TextSource` named by its article id, its text a UTF-8 file (no BOM)
  `sources/<guid>.txt` referred to as ``plainTextPath="internal://<guid>.txt"``;
- the codebook as `Codes`: one parent code per layer (`isCodable="false"`), under it one code per code id, its
  `name` the codebook's name (what a reader sees), its `Description` the id and the definition;
- every hand coder (`coder_a`, `coder_b`, ...) as a `User`. The consensus is *not* a user: it is computed from the
  coders' files and `adjudication.csv`, no one coded it, and brought back it would become a third coder;
- every coded span as a `PlainTextSelection` (one per row, `name` = the coded text) holding one `Coding` with a
  `CodeRef`, both made by the coder's user (`creatingUser`).

What REFI-QDA has no place for (a quote's `speaker`, a label's or frame's `voice` and `attributed_to`, the coder's
`note`) is written into the selection's `Description` (the coding memo the tools show and edit), one
``key: value`` line each, `note` last (it may run to the end)::

    voice: reported
    attributed_to: amazon
    note: Konjunktiv I

A coder who adds codings in their tool types the same lines into the coding's memo; `read_qdpx` reads them back.
Every GUID is a uuid5 of the ids (article, layer and code, coder, span), and nothing carries a time, so exporting
the same study twice gives the same bytes.

Positions: ``startPosition``/``endPosition`` count characters of the source's plain text from 0, end exclusive,
as our offsets do. We count Unicode code points (Python string indices); so does QualCoder, the open-source tool
(`refi.py` slices its Python string with them). Tools that count UTF-16 units would differ after a character
outside the Basic Multilingual Plane (an emoji): the emoji of the raw files are removed by cleaning, so today's
clean texts hold none and both counts agree, but an added article may not. On import a leading BOM is dropped, a
text whose only difference is Windows line ends (CRLF) is accepted and its positions (counted in the text as
stored) mapped onto the clean text, and blanks at either end of a selection are left out of the span.

`read_qdpx` reads back the codings of one user of a project (by default the only user who coded anything) as
hand-coding rows; `import_qdpx` writes them to `corpus/annotations/<coder>/<layer>.csv` after checking them like
any coding. The file is read defensively: it never leaves the zip (no extraction, no path outside it), each member
has a size limit read in bounded steps, and an XML document with a DTD is refused, so no entity can expand.

Sources read for the format (REFI-QDA Project Exchange standard 1.0, schema `Project-mrt2019.xsd` of 18 March
2019, MIT licence, as shipped in QualCoder's repository `ccbogel/QualCoder`, `qualcoder/Project-mrt2019.xsd`;
QualCoder's `src/qualcoder/refi.py` for how a tool writes and reads sources, selections and memos; the
codebook exchange format `urn:QDA-XML:codebook:1.0`; QualCoder issue #1312 and pull requests on BOMs and CRLF line
ends in exported sources; the `pyrefiqda` package's models, generated from the same schema).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import tempfile
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.annotate.annotations import (
    ANNOTATION_COLUMNS,
    ANNOTATION_FILE_COLUMNS,
    LAYERS,
    VOICE,
    Codebook,
    check_annotation_file,
    codebook_path,
    load_codebook,
)
from helpers.corpus.articles import corpus_dir, load_articles
from helpers.errors import CorpusError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "parler-coverage (helpers.publish.qdpx)"
# Every GUID is uuid5(GUID_NAMESPACE, "<kind>:<ids>"): the same study gives the same project.
GUID_NAMESPACE = uuid.UUID("6f1c3a52-9d1e-5c57-8a0e-2f4b7c9d0e31")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Attributes of a row that REFI-QDA has no place for, written as "key: value" lines of the selection's memo.
MEMO_KEYS = ("speaker", VOICE, "attributed_to", "note")
FILE_COLUMNS = [*ANNOTATION_FILE_COLUMNS, VOICE]
# Limits for a project read from outside: a real one of this corpus is well under 1 MB.
MAX_QDE_BYTES = 50 * 2**20
MAX_SOURCE_BYTES = 20 * 2**20
MAX_MEMBERS = 10_000
CODER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
NO_USER = "(no user)"


def guid(kind: str, *ids: object) -> str:
    """Return the stable GUID of one element: uuid5 of its kind and ids."""
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join([kind, *map(str, ids)])))


def memo_text(row: Mapping[str, object]) -> str:
    """Return the selection memo that keeps a row's speaker, voice, attributed_to and note."""
    return "\n".join(f"{key}: {row[key]}" for key in MEMO_KEYS if str(row.get(key, "") or ""))


def parse_memo(text: str) -> dict[str, str]:
    """Return the speaker, voice, attributed_to and note a selection memo holds (see memo_text)."""
    values = dict.fromkeys(MEMO_KEYS, "")
    lines = text.replace("\r\n", "\n").split("\n")
    for n, line in enumerate(lines):
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key == "note":
            values["note"] = "\n".join([value.strip(), *lines[n + 1:]]).strip()
            break
        if sep and key in MEMO_KEYS:
            values[key] = value.strip()
        elif line.strip():  # free text a coder typed without a key: it is a note
            values["note"] = "\n".join([line.strip(), *lines[n + 1:]]).strip()
            break
    return values


def _codes_element(codebook: Codebook) -> ET.Element:
    codes = ET.Element("Codes")
    for layer in LAYERS:
        parent = ET.SubElement(codes, "Code", guid=guid("layer", layer), name=layer, isCodable="false")
        ET.SubElement(parent, "Description").text = f"The codebook's {layer} (corpus/codebook.yaml)."
        for code in codebook.codes[layer].itertuples():
            child = ET.SubElement(parent, "Code", guid=guid("code", layer, code.id),
                                  name=codebook.name_of(layer, code.id), isCodable="true")
            ET.SubElement(child, "Description").text = f"id: {code.id}\n{str(code.definition).strip()}"
    return codes


def _xml_bytes(root: ET.Element, ns: str) -> bytes:
    """Serialise a tree built with plain tag names as a document in the namespace `ns` (its default namespace)."""
    root.set("xmlns", ns)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def project_xml(study, coders: Iterable[str] | None = None) -> tuple[bytes, dict[str, str]]:
    """Return project.qde's bytes and {member name: text} of the sources for a study's clean texts and codings."""
    hand = study.hand
    names = sorted(set(hand["coder"])) if coders is None else list(coders)
    unknown = [name for name in names if name not in set(hand["coder"])]
    if unknown:
        raise CorpusError([f"coder(s) {', '.join(unknown)} have no coding in {study.root / 'annotations'} "
                           f"(the coders: {', '.join(sorted(set(hand['coder']))) or 'none'})"])
    project = ET.Element("Project", name=study.settings.title, origin=ORIGIN)
    users = ET.SubElement(project, "Users")
    for name in names:
        ET.SubElement(users, "User", guid=guid("user", name), name=name, id=name)
    if not names:
        project.remove(users)
    codebook = ET.SubElement(project, "CodeBook")
    codebook.append(_codes_element(study.codebook))
    sources = ET.SubElement(project, "Sources")
    files: dict[str, str] = {}
    rows = hand[hand["coder"].isin(names)]
    articles = study.articles.set_index("article_id")
    for article_id, text in study.texts.items():
        source_guid = guid("source", article_id)
        files[f"sources/{source_guid}.txt"] = text
        source = ET.SubElement(sources, "TextSource", guid=source_guid, name=article_id,
                               plainTextPath=f"internal://{source_guid}.txt")
        meta = articles.loc[article_id]
        ET.SubElement(source, "Description").text = (
            f"article_id: {article_id}\noutlet: {meta.get('outlet', '')}\ntitle: {meta.get('title', '')}\n"
            f"sha256 of this clean text: {hashlib.sha256(text.encode('utf-8')).hexdigest()}")
        coded = rows[rows["article_id"] == article_id].sort_values(["start", "end", "layer", "code", "coder"])
        for row in coded.to_dict("records"):
            ids = (row["coder"], article_id, row["layer"], row["code"], row["start"], row["end"])
            user = guid("user", row["coder"])
            selection = ET.SubElement(source, "PlainTextSelection", guid=guid("selection", *ids),
                                      name=row["span"], startPosition=str(row["start"]),
                                      endPosition=str(row["end"]), creatingUser=user)
            if memo := memo_text(row):
                ET.SubElement(selection, "Description").text = memo
            coding = ET.SubElement(selection, "Coding", guid=guid("coding", *ids), creatingUser=user)
            ET.SubElement(coding, "CodeRef", targetGUID=guid("code", row["layer"], row["code"]))
    return _xml_bytes(project, PROJECT_NS), files


def codebook_xml(codebook: Codebook) -> bytes:
    """Return the codebook alone as a REFI-QDA codebook (.qdc) document."""
    root = ET.Element("CodeBook", origin=ORIGIN)
    root.append(_codes_element(codebook))
    return _xml_bytes(root, CODEBOOK_NS)


def _zip_bytes(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
    Path(handle.name).replace(path)


def write_qdpx(study, path: str | Path, coders: Iterable[str] | None = None) -> Path:
    """Write the study as a REFI-QDA project: clean texts, codebook, coders as users, codings with positions.

    `coders` picks whose codings go in (default: every hand coder); an empty list writes texts and codebook only,
    for a new coder who must not see the others' work.
    """
    path = Path(path)
    qde, sources = project_xml(study, coders)
    members = {"project.qde": qde, **{name: text.encode("utf-8") for name, text in sources.items()}}
    _write_atomically(path, _zip_bytes(members))
    return path


def write_qdc(codebook: Codebook, path: str | Path) -> Path:
    """Write the codebook alone as a REFI-QDA codebook file (.qdc)."""
    path = Path(path)
    _write_atomically(path, codebook_xml(codebook))
    return path


# ---------------------------------------------------------------------------------------------------------------
# Reading a project back


@dataclass(frozen=True)
class _Selection:
    """One coding read from a project, with what an error message needs to name it."""

    where: str  # "selection <guid> ('Text…') of TextSource 'name'"
    user: str
    article_id: str
    layer: str
    code: str
    start: int
    end: int
    span: str
    memo: str


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str) -> bytes:
    """Read one zip member, refusing it past `limit` bytes whatever its header claims."""
    if info.file_size > limit:
        raise CorpusError([f"{where}: {info.filename} is {info.file_size / 2**20:.1f} MB unpacked, more than the "
                           f"{limit / 2**20:g} MB allowed (is it the right file?)"])
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise CorpusError([f"{where}: {info.filename} unpacks to more than {limit / 2**20:g} MB (a zip bomb?)"])
    return data


def _parse_xml(data: bytes, where: str) -> ET.Element:
    """Parse XML that may come from anyone: UTF-8 only, no DTD (so no entity can expand or reach outside)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise CorpusError([f"{where}: not UTF-8 (byte offset {exc.start}); REFI-QDA files are UTF-8"]) from None
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise CorpusError([f"{where}: holds a DTD (<!DOCTYPE or <!ENTITY); REFI-QDA needs none and it is refused, "
                           "since its entities could expand without end or read files"])
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = exc.position
        raise CorpusError([f"{where} line {line}, column {column + 1}: not well-formed XML ({exc})"]) from None


def _member_name(path: str, names: Mapping[str, zipfile.ZipInfo], where: str) -> zipfile.ZipInfo:
    """Return the zip member an internal:// path names; refuse any path that could leave the archive."""
    if not path.startswith("internal://"):
        raise CorpusError([f"{where}: plainTextPath {path!r} points outside the project file; export the project "
                           "with its sources inside (internal://)"])
    name = path.removeprefix("internal://")
    if not name or "/" in name or "\\" in name or name in {".", ".."} or "\0" in name or ":" in name:
        raise CorpusError([f"{where}: plainTextPath {path!r} must name a file in the project's sources/ folder "
                           "(no folders, no '..', no absolute path)"])
    info = names.get(f"sources/{name}".lower())
    if info is None:
        raise CorpusError([f"{where}: plainTextPath {path!r}: sources/{name} is not in the project file"])
    return info


def _offset_map(stored: str, clean: str) -> list[int] | None:
    """Return, for each position of `stored`, the clean-text position; None when the texts differ beyond CRLF."""
    if stored == clean:
        return None
    positions, removed = [], 0
    for n, char in enumerate(stored):
        positions.append(n - removed)
        if char == "\r" and stored[n + 1:n + 2] == "\n":
            removed += 1
    positions.append(len(stored) - removed)
    return positions


def _first_difference(a: str, b: str) -> int:
    return next((n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _code_index(root: ET.Element, ns: str, codebook: Codebook, where: str) -> dict[str, tuple[str, str] | str]:
    """Map each Code GUID of the project to (layer, code id), or to its name when the codebook lacks it."""
    known = {guid("code", layer, code): (layer, code) for layer in LAYERS for code in codebook.ids(layer)}
    index: dict[str, tuple[str, str] | str] = {}
    book = root.find(f"{{{ns}}}CodeBook/{{{ns}}}Codes")
    if book is None:
        return index

    def walk(element: ET.Element, layer: str | None) -> None:
        for code in element.findall(f"{{{ns}}}Code"):
            code_guid, name = (code.get("guid") or "").strip("{}").lower(), code.get("name") or ""
            here = name if layer is None and name in LAYERS else layer
            if code_guid in known:
                index[code_guid] = known[code_guid]
            elif layer is None and name in LAYERS:
                index[code_guid] = ("", name)  # a layer's parent code: not codable
            elif layer is not None and (match := _by_name(codebook, layer, name)) is not None:
                index[code_guid] = (layer, match)
            else:
                index[code_guid] = f"{name!r}" + (f" under {layer!r}" if layer else "")
            walk(code, here)

    walk(book, None)
    return index


def _by_name(codebook: Codebook, layer: str, name: str) -> str | None:
    """Return the code id of a layer whose id or shown name is `name` (a code re-made in a tool), else None."""
    if name in codebook.ids(layer):
        return name
    matches = [code for code, shown in codebook.names(layer).items() if shown == name]
    return matches[0] if len(matches) == 1 else None


def _selections(path: Path, texts: Mapping[str, str], codebook: Codebook) -> list[_Selection]:
    """Read every text coding of a project file, each placed on an article's clean text."""
    where = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise CorpusError([f"{where}: file not found"]) from None
    except (zipfile.BadZipFile, OSError):
        raise CorpusError([f"{where}: not a REFI-QDA project (.qdpx is a zip file holding project.qde; this is not "
                           "a zip file)"]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CorpusError([f"{where}: holds {len(infos)} files, more than the {MAX_MEMBERS} a project may"])
        names = {info.filename.replace("\\", "/").lower(): info for info in infos}
        qde = names.get("project.qde") or next((info for name, info in names.items() if name.endswith(".qde")
                                                and "/" not in name), None)
        if qde is None:
            raise CorpusError([f"{where}: no project.qde inside (a .qdpx holds project.qde and sources/); "
                               "a codebook alone (.qdc) holds no codings"])
        qde_where = f"{where}: {qde.filename}"
        root = _parse_xml(_read_member(archive, qde, MAX_QDE_BYTES, where), qde_where)
        ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        if not ns.startswith("urn:QDA-XML:project:") or root.tag != f"{{{ns}}}Project":
            raise CorpusError([f"{qde_where}: the root element is {root.tag!r}, not a REFI-QDA Project "
                               f"({{{PROJECT_NS}}}Project)"])
        users = {(u.get("guid") or "").strip("{}").lower(): u.get("name") or u.get("id") or u.get("guid") or ""
                 for u in root.iter(f"{{{ns}}}User")}
        codes = _code_index(root, ns, codebook, qde_where)
        by_hash = {hashlib.sha256(text.encode("utf-8")).hexdigest(): article for article, text in texts.items()}
        selections: list[_Selection] = []
        problems: list[str] = []
        for source in root.iter(f"{{{ns}}}TextSource"):
            name = source.get("name") or source.get("guid") or "?"
            source_where = f"{qde_where}: TextSource {name!r}"
            chosen = source.findall(f"{{{ns}}}PlainTextSelection")
            if source.find(f"{{{ns}}}Coding") is not None:
                problems.append(f"{source_where}: codes the whole text; code spans of it instead")
            if not chosen:
                continue  # a text nobody coded (or a document the coder added): nothing to place
            content = source.find(f"{{{ns}}}PlainTextContent")
            if content is not None and content.text is not None:
                stored = content.text
            elif source.get("plainTextPath"):
                info = _member_name(source.get("plainTextPath", ""), names, source_where)
                data = _read_member(archive, info, MAX_SOURCE_BYTES, source_where)
                try:
                    stored = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise CorpusError([f"{source_where}: {info.filename} is not UTF-8 (byte offset {exc.start})"]
                                      ) from None
            else:
                problems.append(f"{source_where}: has no plain text (plainTextPath or PlainTextContent)")
                continue
            stored = stored.removeprefix("\ufeff")
            normal = stored.replace("\r\n", "\n")
            article = by_hash.get(hashlib.sha256(normal.encode("utf-8")).hexdigest())
            if article is None:
                hint = ""
                if name in texts:
                    at = _first_difference(normal, texts[name])
                    hint = (f"; it differs from the clean text of article {name!r} at character {at} "
                            f"({normal[at:at + 30]!r} vs {texts[name][at:at + 30]!r})")
                problems.append(f"{source_where}: its text (sha256 {hashlib.sha256(normal.encode()).hexdigest()[:12]}"
                                f"…) matches no article's clean text{hint}; codings on an edited text cannot be "
                                "placed: code the texts as exported")
                continue
            clean = texts[article]
            mapping = _offset_map(stored, clean)
            for element in chosen:
                selections += _read_selection(element, ns, stored, clean, mapping, article, users, codes,
                                              source_where, problems)
        if problems:
            raise CorpusError(problems)
    return selections


def _read_selection(element: ET.Element, ns: str, stored: str, clean: str, mapping: list[int] | None,
                    article: str, users: Mapping[str, str], codes: Mapping[str, tuple[str, str] | str],
                    source_where: str, problems: list[str]) -> list[_Selection]:
    """Return the codings of one PlainTextSelection (one per Coding), adding any problem to `problems`."""
    label = element.get("name") or ""
    where = f"{source_where}: PlainTextSelection {element.get('guid', '?')}" + (
        f" ({label[:40]!r})" if label else "")
    try:
        start, end = int(element.get("startPosition", "")), int(element.get("endPosition", ""))
    except ValueError:
        problems.append(f"{where}: startPosition/endPosition must be whole numbers "
                        f"(got {element.get('startPosition')!r}, {element.get('endPosition')!r})")
        return []
    if not 0 <= start < end <= len(stored):
        problems.append(f"{where}: positions {start}-{end} are outside its source (length {len(stored)} characters)")
        return []
    if mapping is not None:
        start, end = mapping[start], mapping[end]
    while start < end and clean[start].isspace():  # tools let a selection take in the blank beside a word
        start += 1
    while end > start and clean[end - 1].isspace():
        end -= 1
    if start == end:
        problems.append(f"{where}: selects only blanks")
        return []
    memo_element = element.find(f"{{{ns}}}Description")
    memo = memo_element.text or "" if memo_element is not None else ""
    found = []
    for coding in element.findall(f"{{{ns}}}Coding"):
        ref = coding.find(f"{{{ns}}}CodeRef")
        target = (ref.get("targetGUID") or "").strip("{}").lower() if ref is not None else ""
        code = codes.get(target)
        if not isinstance(code, tuple):
            shown = code or f"with GUID {target or '(none)'}"
            problems.append(f"{where}: Coding {coding.get('guid', '?')} uses code {shown}, which is not in the "
                            "codebook (corpus/codebook.yaml); add the code there first, or remove the coding")
            continue
        layer, code_id = code
        if layer not in LAYERS:
            problems.append(f"{where}: Coding {coding.get('guid', '?')} uses the layer {code_id!r} itself; code with "
                            "one of its codes")
            continue
        user_guid = (coding.get("creatingUser") or element.get("creatingUser") or "").strip("{}").lower()
        user = users.get(user_guid, user_guid) if user_guid else NO_USER
        found.append(_Selection(where, user, article, layer, code_id, start, end, clean[start:end], memo))
    return found


def project_users(path: str | Path, texts: Mapping[str, str], codebook: Codebook) -> dict[str, int]:
    """Return {user name: number of text codings} of a project file."""
    counts: dict[str, int] = {}
    for selection in _selections(Path(path), texts, codebook):
        counts[selection.user] = counts.get(selection.user, 0) + 1
    return counts


def _chosen(selections: list[_Selection], user: str | None, where: str) -> list[_Selection]:
    counts: dict[str, int] = {}
    for selection in selections:
        counts[selection.user] = counts.get(selection.user, 0) + 1
    listed = ", ".join(f"{name} ({count} codings)" for name, count in sorted(counts.items()))
    if user is None:
        if len(counts) > 1:
            raise CorpusError([f"{where}: codings by several users ({listed}); say whose to import with "
                               "--user NAME"])
        return selections
    if user not in counts:
        raise CorpusError([f"{where}: no coding by user {user!r} (the users who coded: {listed or 'none'})"])
    return [selection for selection in selections if selection.user == user]


def _rows(selections: list[_Selection], coder: str, article_order: Mapping[str, int]) -> pd.DataFrame:
    records = []
    for selection in selections:
        memo = parse_memo(selection.memo)
        records.append({"article_id": selection.article_id, "layer": selection.layer, "code": selection.code,
                        "start": selection.start, "end": selection.end, "span": selection.span,
                        "speaker": memo["speaker"], "attributed_to": memo["attributed_to"], "note": memo["note"],
                        "coder": coder, "is_variant": False, VOICE: memo[VOICE], "_where": selection.where})
    table = pd.DataFrame(records, columns=[*ANNOTATION_COLUMNS, "_where"])
    if table.empty:
        return table.astype({"start": "int64", "end": "int64"})
    order = table["article_id"].map(article_order)
    table = table.assign(_order=order).sort_values(["layer", "_order", "start", "end", "code"], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True).astype({"start": "int64", "end": "int64"})


def read_qdpx(path: str | Path, coder: str, texts: Mapping[str, str], codebook: Codebook,
              user: str | None = None) -> pd.DataFrame:
    """Return one user's codings of a REFI-QDA project as hand-coding rows (ANNOTATION_COLUMNS) for `coder`.

    `user` names the project's User whose codings to read; without it the project must hold one user's codings.
    Each row is checked like a coding file's (codebook, offsets, speaker, voice); a problem names the selection.
    """
    path = Path(path)
    selections = _chosen(_selections(path, texts, codebook), user, str(path))
    rows = _rows(selections, coder, {article: n for n, article in enumerate(texts)})
    with tempfile.TemporaryDirectory() as folder:
        _write_coder(rows, Path(folder) / coder)
        _check(rows, Path(folder) / coder, codebook, texts)
    return rows.drop(columns="_where")


def _write_coder(rows: pd.DataFrame, folder: Path) -> list[Path]:
    """Write one coder's rows as <folder>/<layer>.csv (every layer, header only where nothing is coded)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for layer in LAYERS:
        path = folder / f"{layer}.csv"
        rows[rows["layer"] == layer][FILE_COLUMNS].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        written.append(path)
    return written


def _row_lines(path: Path) -> list[int]:
    """Return the line each data row of a CSV file starts on (a span may run over several lines)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        lines, previous = [], reader.line_num
        for _ in reader:
            lines.append(previous + 1)
            previous = reader.line_num
    return lines


def _check(rows: pd.DataFrame, folder: Path, codebook: Codebook, texts: Mapping[str, str]) -> None:
    """Check the written files like any coding; name each bad row by its selection in the project file."""
    problems = []
    for layer in LAYERS:
        path = folder / f"{layer}.csv"
        where_of = dict(zip(_row_lines(path), rows[rows["layer"] == layer]["_where"], strict=True))
        for problem in check_annotation_file(path, codebook, texts)[1]:
            match = re.match(rf"{re.escape(str(path))} line (\d+): (.*)", problem, re.DOTALL)
            if match and int(match.group(1)) in where_of:
                problem = f"{where_of[int(match.group(1))]}: {match.group(2)}"
            other = re.search(r"overlaps line (\d+)", problem)
            if other:
                shown = where_of.get(int(other.group(1)), "another selection").split(": ")[-1]
                problem = problem.replace(other.group(0), f"overlaps {shown}")
            problems.append(problem)
    if problems:
        raise CorpusError(problems)


def coder_folder(root: Path, coder: str) -> Path:
    """Return corpus/annotations/<coder>/, refusing a name that is not a plain folder name."""
    if not CODER_NAME.fullmatch(coder or ""):
        raise CorpusError([f"--coder {coder!r}: a coder is named by letters, digits, '_' and '-' (e.g. coder_c); "
                           "the name becomes a folder of corpus/annotations/"])
    return root / "annotations" / coder


def import_qdpx(path: str | Path, coder: str, root: str | Path | None = None, user: str | None = None,
                replace: bool = False) -> list[Path]:
    """Write one user's codings of a REFI-QDA project to <corpus>/annotations/<coder>/<layer>.csv, checked first.

    Refuses an existing coder folder unless `replace` (then only its five layer files are replaced; notes stay).
    """
    folder_root = corpus_dir(root)
    target = coder_folder(folder_root, coder)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise CorpusError([f"{target}: exists and is not a plain folder; remove it first"])
    if target.exists() and not replace:
        raise CorpusError([f"{target}: a coding by {coder!r} already exists; choose another --coder name, or "
                           "--replace its layer files"])
    articles = load_articles(folder_root)
    texts = dict(zip(articles["article_id"], articles["clean_text"], strict=True))
    rows = read_qdpx(path, coder, texts, load_codebook(codebook_path(folder_root)), user)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".import-{coder}-", dir=target.parent))
    try:
        written = _write_coder(rows.assign(_where=""), staging)
        target.mkdir(exist_ok=True)
        for path_ in written:
            path_.replace(target / path_.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target / path_.name for path_ in written]
