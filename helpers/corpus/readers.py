"""One strict reader for every CSV table of a corpus: each value accounted for, each problem named by file and line.

A spreadsheet or a hurried edit can break a CSV in ways Python's `csv` module forgives silently: an extra value
at the end of a row is dropped, an unclosed `"` swallows the rows after it into one note, a header typed with
a BOM or a wrong name hides a column. `read_table` refuses each of these instead: the header must hold exactly
the expected columns (optional ones may be left out), every row must have one value per column, a value may not
run over several lines (only columns that hold text spans may), quotes must be balanced, and ids must be unique
even when their case differs. It returns the rows it could read and every problem, so a check can list them all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import BOM, MAX_DATA_BYTES, CorpusError, text_problem

# The largest single value (a csv field) a table may hold; the csv module's own limit is process-wide, so
# read_table sets it before each read.
MAX_VALUE_CHARS = 1 * 2**20


@dataclass
class Table:
    """A CSV file read strictly: its header, its rows (each with the line it starts on) and every problem."""

    path: Path
    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Every row with one value per column, also those left out of `rows` for a bad value (what a file lists).
    listed: list[dict[str, str]] = field(default_factory=list)
    complete: bool = True  # False when reading stopped early (an unclosed quote): the file's end is unknown

    def values(self) -> list[dict[str, str]]:
        """Return the rows without their line numbers; raise CorpusError if the table has any problem."""
        if self.problems:
            raise CorpusError(self.problems)
        return [row for _, row in self.rows]


def read_table(path: Path, columns: Sequence[str], *, optional: Sequence[str] = (), required: Sequence[str] = (),
               unique: Sequence[str] = (), multiline: Sequence[str] = (), what: str = "table",
               limit: int = MAX_DATA_BYTES, bom: bool = False) -> Table:
    """Read a UTF-8 CSV strictly (see the module docstring); values are stripped of surrounding blanks.

    `columns` must all be in the header and `optional` may be; no other column is allowed. `required` columns
    must be non-empty in every row, `unique` ones unique ignoring case, and only `multiline` ones may hold a
    line break. Rows with a problem are left out of `rows`, so a caller never works on a half-read row.
    `bom=True` accepts (and skips) a byte-order mark, for the kit's own Excel-friendly exports.
    """
    table = Table(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _fail(table, f"{path}: {what} not found")
    except IsADirectoryError:
        return _fail(table, f"{path}: {what} is a folder, not a file")
    if bom:
        data = data.removeprefix(BOM)
    if (problem := text_problem(path, data, limit)) is not None:
        return _fail(table, problem)
    # Set here, not only at import: the limit is process-wide, and a library imported later (frictionless sets
    # sys.maxsize) may have raised it.
    csv.field_size_limit(MAX_VALUE_CHARS)
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return _fail(table, f"{path} line 1: {_csv_problem(exc)}")
    if not header:
        return _fail(table, f"{path} line 1: no header (expected the columns {', '.join(columns)})")
    table.header = [name.strip() for name in header]
    if problem := _header_problem(table.header, columns, optional):
        if len(table.header) == 1 and ";" in table.header[0]:
            problem += " (the file looks separated by ';', as some spreadsheet programs save it; use commas)"
        return _fail(table, f"{path} line 1: {problem}")
    first_seen: dict[str, dict[str, tuple[int, str]]] = {column: {} for column in unique}
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader, None)
        except csv.Error as exc:
            table.problems.append(f"{path} line {start}: {_csv_problem(exc)}; nothing after this line was read")
            table.complete = False
            break
        if values is None:
            break
        where = f"{path} line {start}" + (f"–{reader.line_num}" if reader.line_num > start else "")
        line, start = start, reader.line_num + 1
        if not values:
            continue  # a blank line
        if problem := _row_problem(values, table.header, multiline):
            table.problems.append(f"{where}: {problem}")
            continue
        row = {name: value.strip() for name, value in zip(table.header, values, strict=True)}
        table.listed.append(row)
        bad = [f"{column} is empty" for column in required if not row[column]]
        for column in unique:
            key = row[column].casefold()
            if not key:
                continue
            if key in first_seen[column]:
                first_line, first_value = first_seen[column][key]
                case = "" if first_value == row[column] else f" as {first_value!r} (ids that differ only in case clash)"
                bad.append(f"duplicate {column} {row[column]!r} (first on line {first_line}{case})")
            else:
                first_seen[column][key] = (line, row[column])
        if bad:
            table.problems.extend(f"{where}: {problem}" for problem in bad)
            continue
        table.rows.append((line, row))
    return table


def _fail(table: Table, problem: str) -> Table:
    table.problems.append(problem)
    table.complete = False
    return table


def _header_problem(header: list[str], columns: Sequence[str], optional: Sequence[str]) -> str | None:
    """Say what is wrong with a header: a doubled, missing or unknown column (None when it is exact)."""
    doubled = sorted({name for name in header if header.count(name) > 1})
    if doubled:
        return f"column(s) {', '.join(doubled)} appear twice"
    missing = [column for column in columns if column not in header]
    if missing:
        return f"missing column(s) {', '.join(missing)}"
    unknown = [name for name in header if name not in columns and name not in optional]
    if unknown:
        expected = ", ".join([*columns, *optional])
        return f"unknown column(s) {', '.join(map(repr, unknown))} (the columns are: {expected})"
    return None


def _row_problem(values: list[str], header: list[str], multiline: Sequence[str]) -> str | None:
    """Say what is wrong with one row's values: too many, too few, or a line break where none belongs."""
    if len(values) > len(header):
        extra = ", ".join(repr(v[:40]) for v in values[len(header):])
        return (f"{len(values)} values but {len(header)} columns: extra {extra} (a comma inside a value needs "
                "the value in double quotes)")
    if len(values) < len(header):
        return f"{len(values)} values but {len(header)} columns: missing {', '.join(header[len(values):])}"
    for name, value in zip(header, values, strict=True):
        if name not in multiline and ("\n" in value or "\r" in value):
            return (f"the value of {name} runs over several lines ({value[:40]!r}…): is a double quote not closed? "
                    "Keep each value on one line")
    return None


def _csv_problem(exc: csv.Error) -> str:
    """Say a csv parser error in a researcher's words."""
    message = str(exc)
    if "expected after" in message or "unexpected end of data" in message:
        return f"a double quote is not closed or is not followed by a comma ({message})"
    if "field larger than field limit" in message:
        return f"a value is longer than {MAX_VALUE_CHARS:,} characters (is a double quote not closed?)"
    return message
