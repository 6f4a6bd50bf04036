"""A CSV of memberships to glocal's model, verifying every cell of every row."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from glocal.data.gazetteer import GEONAMES, Gazetteer
from glocal.data.imports.context import ImportContext
from glocal.data.imports.csv_rows import FIELDS, REQUIRED, CsvRecord, csv_records
from glocal.data.imports.mapped import MappedImport
from glocal.data.imports.model import MembershipMapper
from glocal.data.problems import DataRejected, Problem

__all__ = ["memberships_to_quads"]


def memberships_to_quads(
    data: bytes,
    *,
    context: ImportContext,
    graph: str,
    file_name: str = "memberships.csv",
    mapping: Mapping[str, str] | None = None,
    source_label: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> MappedImport:
    """Map a CSV of memberships to glocal's model, verifying every cell.

    The CSV has a header row naming the columns ``city``, ``country``, ``network``
    (required), ``role`` (empty means member), ``since`` (a year), ``source`` (a
    citation for the row) and ``geonames`` (an id, to pick one of several same-named
    cities); ``mapping`` gives other header names. Commas, semicolons or tabs separate
    fields. Rows are numbered like the file's lines, so the header is row 1.

    Parameters
    ----------
    data
        The CSV file's bytes (UTF-8).
    context
        The data already there, to reuse its cities and organisations.
    graph
        The import's graph IRI, also its ``gl:ImportedSource``.
    file_name
        Named in problems; the source's title unless ``source_label`` is given.
    mapping
        glocal field name -> the CSV's column name.
    source_label
        The title of the imported source.
    gazetteer
        GeoNames lookups; pass one to reuse its indexes across imports.

    Returns
    -------
    MappedImport
        The quads, in ``graph``, and the row each subject came from.

    Raises
    ------
    DataRejected
        With every bad row: unknown country, city not (or not uniquely) in GeoNames,
        unknown role, bad year, missing cells or columns, invalid UTF-8.
    """
    mapping = dict(mapping or {})
    records = csv_records(data, file_name)
    if not records:
        raise DataRejected([Problem(file_name, None, "the file has no header and no rows")])
    header, rows = records[0], records[1:]
    columns: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for index, name in enumerate(header.fields):
        by_name.setdefault(name.strip().casefold(), index)
    missing = []
    for name in FIELDS:
        column = mapping.get(name, name)
        if column.strip().casefold() in by_name:
            columns[name] = by_name[column.strip().casefold()]
        elif name in REQUIRED or name in mapping:
            missing.append(f"{name!r}" + (f" (mapped to {column!r})" if name in mapping else ""))
    if missing:
        found = ", ".join(repr(h) for h in header.fields)
        raise DataRejected(
            [
                Problem(
                    file_name,
                    header.line,
                    f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                    f"the header has {found}. Rename the columns or give a mapping such as "
                    '{"city": "Municipality", "country": "ISO", "network": "Network"}',
                    unit="row",
                )
            ]
        )
    if not rows:
        raise DataRejected([Problem(file_name, header.line, "no rows after the header", "row")])

    mapper = MembershipMapper(context, gazetteer or Gazetteer(), graph, source_label or file_name)
    problems: list[Problem] = []
    for record in rows:
        errors = _map_row(mapper, record, columns, len(header.fields))
        problems.extend(Problem(file_name, record.line, e, unit="row") for e in errors)
    if problems:
        raise DataRejected(problems)
    out = mapper.out
    return MappedImport(graph, out.quads, out.locations, len(rows), "row", file_name)


def _map_row(
    mapper: MembershipMapper, record: CsvRecord, columns: dict[str, int], width: int
) -> list[str]:
    """Map one row, returning every problem with it (all of them, not just the first)."""
    if len(record.fields) != width:
        return [f"has {len(record.fields)} fields but the header has {width}"]

    def cell(name: str) -> str:
        return record.fields[columns[name]].strip() if name in columns else ""

    errors = [f"the {name!r} cell is empty" for name in REQUIRED if not cell(name)]
    if errors:
        return errors
    country, error = _resolve_country(cell("country"))
    if error:
        errors.append(error)
    geonames: int | None = None
    if cell("geonames"):
        raw = cell("geonames").removeprefix(GEONAMES).strip("/")
        if raw.isdigit():
            geonames = int(raw)
        else:
            errors.append(f"'geonames' {cell('geonames')!r} is not a GeoNames id")
    city = None
    if country and not errors:
        city, error = mapper.city(cell("city"), country, geonames, record.line)
        if error:
            errors.append(error)
    organisation, error = mapper.organisation(cell("network"), record.line)
    if error:
        errors.append(error)
    roles, error = mapper.roles(cell("role"))
    if error:
        errors.append(error)
    since = None
    if cell("since"):
        since, error = mapper.year(cell("since"))
        if error:
            errors.append(error)
    if not errors and city is not None and organisation is not None:
        mapper.membership(record, city, organisation, roles, since, cell("source"))
    return errors


def _resolve_country(value: str) -> tuple[str | None, str | None]:
    """The ISO alpha-2 code of a country code or name, or an error message."""
    import pycountry

    try:
        country = pycountry.countries.lookup(value.strip())
    except LookupError:
        hint = ""
        with contextlib.suppress(LookupError):
            guesses = pycountry.countries.search_fuzzy(value.strip())[:3]
            hint = "; did you mean " + " or ".join(f"{c.alpha_2} ({c.name})" for c in guesses)
        return None, f"country {value!r} is not an ISO 3166-1 code or name{hint}"
    return str(country.alpha_2), None
