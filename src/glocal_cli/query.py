"""``glocal query``: run SPARQL, or a canned query by name, on the served dataset.

``glocal query 'SELECT ...'`` or ``glocal query networks-of-city --city city:freetown``;
the answer is a table on a terminal, and CSV, TSV, JSON (SPARQL results) or any RDF
format on request, as the endpoint gives them. Parameters are bound as the endpoint
binds them (:func:`glocal.canned.bind`), and an IRI that names nothing gets the
endpoint's "did you mean". ``--limit N --offset M`` give one page of a canned query's
rows, as the endpoint's ``limit`` and ``offset`` do; a query that pages by default
says so on standard error, with why and how to get the next page.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys

from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions

from glocal.canned import ParameterError, bind, load_queries, page_of, paginate
from glocal.formats import CSV, SHORT_NAMES, SPARQL_JSON, TSV, TURTLE
from glocal.store import GraphStore, serialize_result
from glocal.views.catalogue import curie
from glocal_cli.loading import add_store_options, data_files, load_data, open_store

__all__ = ["add_parser", "table"]

_FORMATS = {"table": None, "csv": CSV, "tsv": TSV, "json": SPARQL_JSON, "ttl": TURTLE}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``glocal query``."""
    parser = sub.add_parser(
        "query",
        help="run a SPARQL query, or a canned query by name, on the dataset",
        description="glocal query 'SELECT ...'  |  glocal query NAME --param value",
    )
    parser.add_argument("query", help="SPARQL text, or the name of a canned query")
    parser.add_argument(
        "params",
        nargs=argparse.REMAINDER,
        help="a canned query's parameters: --city city:x; one page of it: --limit N --offset M",
    )
    parser.add_argument(
        "--format",
        choices=[*_FORMATS, *(n for n in SHORT_NAMES if n not in _FORMATS)],
        help="table (the default on a terminal), csv (the default otherwise), tsv, json, ttl ...",
    )
    add_store_options(parser)
    parser.set_defaults(func=run, files=[])


def _parameters(words: list[str]) -> dict[str, str]:
    """``--name value`` and ``--name=value`` pairs."""
    found: dict[str, str] = {}
    words = list(words)
    while words:
        word = words.pop(0)
        if not word.startswith("--"):
            raise ParameterError(f"expected --name value, got {word!r}")
        name, sep, value = word[2:].partition("=")
        if not sep:
            if not words:
                raise ParameterError(f"--{name} needs a value")
            value = words.pop(0)
        found[name] = value
    return found


def table(result: QuerySolutions, *, width: int | None = None) -> str:
    """Solutions as an aligned text table; IRIs shortened with glocal's prefixes.

    Columns wider than their share of ``width`` are cut with an ellipsis.
    """
    columns = [v.value for v in result.variables]
    rows = []
    for solution in result:
        cells = []
        for column in columns:
            term = solution[column]
            if isinstance(term, NamedNode):
                cells.append(curie(term.value))
            elif isinstance(term, Literal):
                cells.append(term.value.replace("\n", " "))
            else:
                cells.append("" if term is None else str(term))
        rows.append(cells)
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    if width and columns:
        share = max(12, (width - 2 * len(columns)) // len(columns))
        widths = [min(w, share) for w in widths]

    def line(cells: list[str]) -> str:
        return "  ".join(
            (c if len(c) <= w else c[: w - 1] + "…").ljust(w)
            for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out) + "\n"


def _answer(store: GraphStore, sparql: str, fmt: str) -> bytes:
    result = store.query(sparql)
    if fmt == "table":
        if isinstance(result, QuerySolutions):
            return table(result, width=shutil.get_terminal_size().columns).encode()
        if isinstance(result, QueryBoolean):
            return f"{'yes' if bool(result) else 'no'}\n".encode()
        fmt = "ttl"
    media = _FORMATS.get(fmt) or SHORT_NAMES[fmt]
    out = io.BytesIO()
    serialize_result(result, out, media)
    return out.getvalue()


def run(args: argparse.Namespace) -> int:
    """Run the query and print the answer."""
    from glocal_api.canned import unknown_resource

    queries = load_queries()
    try:
        params = _parameters(args.params)
        # --format may also come after the query, among the parameters.
        fmt = params.pop("format", None) or args.format
        fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
        if fmt not in _FORMATS and fmt not in SHORT_NAMES:
            raise ParameterError(f"unknown format {fmt!r}; use table, csv, tsv, json or ttl")
        canned = queries.get(args.query)
        if canned is None and params:
            raise ParameterError(f"no canned query named {args.query!r}; see /queries")
        sparql = bind(canned, params) if canned else args.query
        page = page_of(canned, params) if canned else None
        if canned is not None and page is not None:
            sparql = paginate(sparql, page)
            if canned.page_reason:
                print(
                    f"{canned.name} pages ({canned.page_reason}): rows {page.offset + 1} to "
                    f"{page.offset + page.limit} at most; the next page: --offset "
                    f"{page.offset + page.limit} (or a larger --limit)",
                    file=sys.stderr,
                )
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    dataset = load_data(data_files(args, validate=False))
    if dataset is None:
        return 1
    store = open_store(dataset, args)
    try:
        if canned is not None and (unknown := unknown_resource(store, canned, params)):
            print(f"error: {unknown.message}", file=sys.stderr)
            return 2
        try:
            answer = _answer(store, sparql, fmt)
        except (SyntaxError, ValueError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    finally:
        store.close()
    sys.stdout.buffer.write(answer)
    sys.stdout.flush()
    return 0
