"""SPARQL text in and results out: nesting check, query form, execution, serialization.

These work on an Oxigraph :class:`~pyoxigraph.Store` and are shared by the embedded
store and its worker processes (:mod:`glocal.store.pool`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store, serialize

from glocal.formats import RDF_FORMATS, RESULTS_FORMATS
from glocal.namespaces import PREFIXES
from glocal.store.errors import QuerySyntaxError
from glocal.store.interface import QueryResult

__all__ = ["MAX_NESTING", "execute", "nesting_depth", "query_form", "serialize_result"]

_EMPTY = Store()


#: Deepest nesting of ``{}``/``()`` accepted. Oxigraph's recursive-descent parser runs
#: out of native stack (a crash, not an exception) at a few thousand levels.
MAX_NESTING = 1000


def nesting_depth(sparql: str) -> int:
    """The deepest nesting of braces and parentheses outside strings and comments.

    >>> nesting_depth('ASK { ?s ?p "{{{" FILTER((1)) } # ((((')
    3
    """
    depth = deepest = 0
    quote: str | None = None
    i, n = 0, len(sparql)
    while i < n:
        char = sparql[i]
        if quote is not None:
            if char == "\\":
                i += 1
            elif sparql.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif char in "\"'":
            quote = char * 3 if sparql.startswith(char * 3, i) else char
            i += len(quote) - 1
        elif char == "#":
            newline = sparql.find("\n", i)
            i = n if newline < 0 else newline
        elif char in "{(":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})":
            depth -= 1
        i += 1
    return deepest


def query_form(sparql: str) -> str:
    """The form of a query: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (both give
    triples, so ``CONSTRUCT`` is returned for either).

    Parsing runs the query against an empty store, which is instant and gives Oxigraph's
    own error messages. Call :func:`~glocal.store.service_policy.check_federation` first: an empty
    store still calls ``SERVICE`` endpoints.

    >>> query_form("ASK {}")
    'ASK'
    >>> query_form("SELECT * { ?s gl:quote ?q }")
    'SELECT'
    >>> query_form("SELEKT *")
    Traceback (most recent call last):
    ...
    glocal.store.errors.QuerySyntaxError: error at 1:9: ...
    """
    depth = nesting_depth(sparql)
    if depth > MAX_NESTING:
        raise QuerySyntaxError(f"the query nests {depth} levels deep; the limit is {MAX_NESTING}")
    try:
        result = _EMPTY.query(sparql, prefixes=PREFIXES)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    if isinstance(result, QueryBoolean):
        return "ASK"
    if isinstance(result, QuerySolutions):
        return "SELECT"
    return "CONSTRUCT"


def execute(
    store: Store,
    sparql: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> QueryResult:
    """Run a query on an Oxigraph store with glocal's dataset conventions.

    The default graph is the union of all graphs unless ``default_graphs`` names some
    (the SPARQL Protocol's ``default-graph-uri``); ``named_graphs`` restricts ``GRAPH``.
    """
    if default_graphs:
        return store.query(
            sparql,
            prefixes=PREFIXES,
            default_graph=[NamedNode(g) for g in default_graphs],
            named_graphs=[NamedNode(g) for g in named_graphs] if named_graphs else None,
        )
    return store.query(
        sparql,
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        named_graphs=[NamedNode(g) for g in named_graphs] if named_graphs else None,
    )


def serialize_result(result: QueryResult, output: IO[bytes], media_type: str) -> None:
    """Write a query result to a binary file object in the given media type.

    Raises
    ------
    ValueError
        If the media type does not suit the result (e.g. Turtle for a SELECT).
    """
    if isinstance(result, (QuerySolutions, QueryBoolean)):
        if media_type not in RESULTS_FORMATS:
            raise ValueError(f"{media_type} cannot carry SELECT or ASK results")
        result.serialize(output, RESULTS_FORMATS[media_type])
        return
    if media_type not in RDF_FORMATS:
        raise ValueError(f"{media_type} cannot carry CONSTRUCT or DESCRIBE results")
    prefixes = PREFIXES if media_type in ("text/turtle", "application/trig") else None
    serialize(result, output, RDF_FORMATS[media_type], prefixes=prefixes)
