"""HTML, JSON and CSV of the same page: the format a request asks for, and the tables.

Every page of the site that lists things (a browse index, search results, the
coverage page, the canned queries) answers in three forms, chosen Datasette's way: a
suffix (``/id/city.csv``), ``?_format=csv``, or the ``Accept`` header, HTML first for
browsers. CSV downloads start with a UTF-8 byte-order mark so that spreadsheet
programs read accents right ("São Paulo", not "SÃ£o Paulo"); the SPARQL endpoint's
``text/csv`` keeps to the SPARQL 1.1 CSV format, without one, since scripts and
SPARQL clients compare its header row byte for byte.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from glocal.formats import CSV, HTML, JSON, TABLE_FORMATS, TABLE_SUFFIXES, negotiate
from glocal_api.errors import RequestError

__all__ = ["BOM", "csv_response", "json_response", "page_format", "split_suffix"]

BOM = "\ufeff"
_OFFERED = [HTML, JSON, CSV]


def split_suffix(name: str) -> tuple[str, str | None]:
    """A path segment without its format suffix, and the media type the suffix names.

    >>> split_suffix("city.csv")
    ('city', 'text/csv')
    >>> split_suffix("city")
    ('city', None)
    """
    for suffix, media in TABLE_SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], media
    return name, None


def page_format(request: Request, suffix_media: str | None = None) -> str:
    """The media type a page is asked for: suffix, then ``?_format=``, then ``Accept``.

    Raises
    ------
    RequestError
        400 for an unknown ``_format``; 406 when ``Accept`` takes none of the forms.
    """
    if suffix_media is not None:
        return suffix_media
    named = request.query_params.get("_format")
    if named:
        if named not in TABLE_FORMATS:
            raise RequestError(400, f"_format={named!r} is not one of {', '.join(TABLE_FORMATS)}")
        return TABLE_FORMATS[named]
    media = negotiate(request.headers.get("accept"), _OFFERED)
    if media is None:
        raise RequestError(406, f"this page is available as {', '.join(_OFFERED)}")
    return media


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return str(value)


def csv_response(
    records: Iterable[Mapping[str, object]], columns: Sequence[str], *, filename: str
) -> Response:
    """Records as a CSV download with a byte-order mark; lists joined with ``"; "``."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    return Response(
        out.getvalue().encode("utf-8"),
        media_type=CSV + "; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"', "Vary": "Accept"},
    )


def json_response(body: object) -> JSONResponse:
    """A JSON body that varies with ``Accept`` like every page of the site."""
    return JSONResponse(body, headers={"Vary": "Accept"})
