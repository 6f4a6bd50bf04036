"""Reading a memberships CSV: its records with their line numbers, and a column mapping."""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass

from glocal.data.problems import DataRejected, Problem

__all__ = ["FIELDS", "REQUIRED", "CsvRecord", "csv_records", "read_mapping"]

#: The columns of a memberships CSV; a mapping file renames them.
FIELDS = ("city", "country", "network", "role", "since", "source", "geonames")
#: The columns every memberships CSV needs.
REQUIRED = ("city", "country", "network")


@dataclass(frozen=True)
class CsvRecord:
    """One CSV record: its first line number, its fields, and its raw text (for quotes)."""

    line: int
    fields: list[str]
    text: str


def read_mapping(data: bytes, *, file_name: str = "mapping.json") -> dict[str, str]:
    """Read a column mapping: a JSON object from glocal's field names to the CSV's headers.

    Raises
    ------
    DataRejected
        If the file is not JSON (with its line), not an object of strings, or names a
        field glocal does not know.

    Examples
    --------
    >>> read_mapping(b'{"city": "Municipality", "country": "ISO"}')
    {'city': 'Municipality', 'country': 'ISO'}
    >>> read_mapping(b'{"town": "Municipality"}')
    Traceback (most recent call last):
    ...
    glocal.data.problems.DataRejected: import rejected (1 problem):
      mapping.json: unknown field 'town'; ...
    """
    try:
        mapping = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise DataRejected([Problem(file_name, None, f"not UTF-8: {err}")]) from None
    except json.JSONDecodeError as err:
        raise DataRejected([Problem(file_name, err.lineno, f"not JSON: {err.msg}")]) from None
    if not isinstance(mapping, dict):
        raise DataRejected([Problem(file_name, None, "a mapping is a JSON object")])
    problems = []
    for key, value in mapping.items():
        if key not in FIELDS:
            problems.append(
                Problem(
                    file_name, None, f"unknown field {key!r}; the fields are {', '.join(FIELDS)}"
                )
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(file_name, None, f"the column for {key!r} must be a name"))
    if problems:
        raise DataRejected(problems)
    return {str(k): str(v) for k, v in mapping.items()}


def csv_records(data: bytes, file_name: str) -> list[CsvRecord]:
    """Decode and split a CSV, keeping each record's first line number and raw text.

    Commas, semicolons or tabs separate fields (whichever the first line has most of);
    blank records are dropped.

    Raises
    ------
    DataRejected
        If the bytes are not UTF-8 or the CSV is malformed, with the row.

    Examples
    --------
    >>> [(r.line, r.fields) for r in csv_records(b"a;b\\n\\n1;2\\n", "x.csv")]
    [(1, ['a', 'b']), (3, ['1', '2'])]
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise DataRejected(
            [
                Problem(
                    file_name,
                    line,
                    f"invalid UTF-8 (byte 0x{data[err.start]:02x} at column {column}); "
                    "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)",
                    unit="row",
                )
            ]
        ) from None
    lines = io.StringIO(text, newline="").readlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max(",;\t", key=lambda d: (first.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[CsvRecord] = []
    end = 0
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            if any(f.strip() for f in fields):
                raw = " ".join(line.rstrip("\r\n") for line in lines[start - 1 : end])
                records.append(CsvRecord(start, fields, raw))
    except csv.Error as err:
        raise DataRejected(
            [Problem(file_name, reader.line_num, f"malformed CSV: {err}", unit="row")]
        ) from None
    return records
