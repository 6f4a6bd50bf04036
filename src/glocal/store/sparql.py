"""SPARQL text in and results out: parsing once, execution, serialization.

:func:`parse_query` is the one gate of untrusted query text: it applies the ``SERVICE``
policy, the nesting limit and Oxigraph's parser, and gives a :class:`ParsedQuery` that
every store's ``stream`` takes (a worker that parses the text as it runs it has the
first two applied by :func:`check_untrusted`). :func:`execute` and
:func:`serialize_result` work on an Oxigraph :class:`~pyoxigraph.Store` and are shared
by the embedded store and its worker processes (:mod:`glocal.store.pool`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Literal, Protocol, cast

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    Triple,
    serialize,
)

from glocal.formats import RDF_FORMATS, RESULTS_FORMATS, TRIG, TURTLE, offered_for
from glocal.namespaces import PREFIXES
from glocal.store.errors import QuerySyntaxError
from glocal.store.service_policy import check_federation

__all__ = [
    "MAX_NESTING",
    "BinaryWriter",
    "ParsedQuery",
    "QueryForm",
    "QueryResult",
    "check_untrusted",
    "execute",
    "nesting_depth",
    "parse_query",
    "query_form",
    "result_form",
    "serialize_result",
]

#: What a query gives: solutions (``SELECT``), a boolean (``ASK``) or triples
#: (``CONSTRUCT``, and ``DESCRIBE``, which gives triples too).
QueryForm = Literal["SELECT", "ASK", "CONSTRUCT"]


class BinaryWriter(Protocol):
    """Where a result is serialized to: a binary file, or anything that takes bytes."""

    def write(self, data: bytes) -> int: ...


#: The result objects of a query, as Oxigraph gives them.
QueryResult = QuerySolutions | QueryBoolean | QueryTriples

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


def _check_nesting(sparql: str) -> None:
    """Refuse text nested deeper than :data:`MAX_NESTING`.

    A query cannot nest deeper than it has opening brackets, and counting them is
    C-fast, so the character-by-character scan runs only for text that could fail it.
    """
    if sparql.count("{") + sparql.count("(") <= MAX_NESTING:
        return
    depth = nesting_depth(sparql)
    if depth > MAX_NESTING:
        raise QuerySyntaxError(f"the query nests {depth} levels deep; the limit is {MAX_NESTING}")


@dataclass(frozen=True)
class ParsedQuery:
    """Query text that passed the ``SERVICE`` policy and Oxigraph's parser, with its form.

    Made by :func:`parse_query`; the ``stream`` of every store takes only this, so no
    untrusted text reaches a worker or an engine unchecked.
    """

    text: str
    form: QueryForm

    @property
    def media_types(self) -> list[str]:
        """The media types that can carry this query's results, preferred first."""
        return offered_for(self.form)


def parse_query(
    sparql: str,
    *,
    federation: Collection[str] = (),
    form_of: Callable[[str], QueryForm] | None = None,
) -> ParsedQuery:
    """Check untrusted query text against the ``SERVICE`` policy, then parse it.

    The ``SERVICE`` check comes first because parsing (:func:`query_form`) runs the
    query against an empty store, which still calls ``SERVICE`` endpoints.

    Parameters
    ----------
    sparql
        The query text.
    federation
        ``SERVICE`` endpoints the query may call; none by default.
    form_of
        How to find the query's form; :func:`query_form` in this process by default.
        Stores pass a function that parses in a killable worker
        (:meth:`glocal.store.pool.QueryPool.form`), because parsing evaluates the query
        on an empty store, which a hostile query can make arbitrarily costly.

    Raises
    ------
    FederationRefused
        If the query calls a ``SERVICE`` endpoint that ``federation`` does not list.
    QuerySyntaxError
        If the query does not parse or nests deeper than :data:`MAX_NESTING`.

    Examples
    --------
    >>> parse_query("ASK {}").form
    'ASK'
    >>> parse_query("SELECT * { ?s gl:quote ?q }").form
    'SELECT'
    >>> parse_query("SELEKT *")
    Traceback (most recent call last):
    ...
    glocal.store.errors.QuerySyntaxError: error at 1:9: ...
    """
    check_untrusted(sparql, federation=federation)
    return ParsedQuery(sparql, (form_of or query_form)(sparql))


def check_untrusted(sparql: str, *, federation: Collection[str] = ()) -> None:
    """What :func:`parse_query` checks before parsing: the ``SERVICE`` policy, then the
    nesting limit; for a caller whose worker parses the text as it runs it.

    Raises
    ------
    FederationRefused, QuerySyntaxError
        As :func:`parse_query`.
    """
    check_federation(sparql, allow=federation)
    _check_nesting(sparql)


def query_form(sparql: str) -> QueryForm:
    """The form of a query, from Oxigraph's parser; for trusted text.

    Parsing runs the query against an empty store, which is instant and gives Oxigraph's
    own error messages. An empty store still calls ``SERVICE`` endpoints: untrusted text
    goes through :func:`parse_query`, which checks them first.

    Raises
    ------
    QuerySyntaxError
        If the query does not parse or nests deeper than :data:`MAX_NESTING`.

    Examples
    --------
    >>> query_form("CONSTRUCT WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    _check_nesting(sparql)
    try:
        result = _EMPTY.query(sparql, prefixes=PREFIXES)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    return result_form(result)


def result_form(result: QueryResult) -> QueryForm:
    """The form of the query that gave ``result``.

    >>> result_form(_EMPTY.query("ASK {}")), result_form(_EMPTY.query("DESCRIBE <x:y>"))
    ('ASK', 'CONSTRUCT')
    """
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

    The default graph is the store's own, which holds the RDF merge of the named graphs
    (:func:`~glocal.store.embedded.merged`), unless ``default_graphs`` names some (the
    SPARQL Protocol's ``default-graph-uri``); ``named_graphs`` restricts ``GRAPH``.
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
        named_graphs=[NamedNode(g) for g in named_graphs] if named_graphs else None,
    )


def serialize_result(
    result: QueryResult | Iterable[Triple], output: BinaryWriter, media_type: str
) -> None:
    """Write a query result, or triples, to a binary file object in the given media type.

    Raises
    ------
    ValueError
        If the media type does not suit the result (e.g. Turtle for a SELECT).
    """
    # Oxigraph's stubs ask for a file, but it only ever calls ``write``.
    file = cast(IO[bytes], output)
    if isinstance(result, (QuerySolutions, QueryBoolean)):
        if media_type not in RESULTS_FORMATS:
            raise ValueError(f"{media_type} cannot carry SELECT or ASK results")
        result.serialize(file, RESULTS_FORMATS[media_type])
        return
    if media_type not in RDF_FORMATS:
        raise ValueError(f"{media_type} cannot carry CONSTRUCT or DESCRIBE results")
    prefixes = PREFIXES if media_type in (TURTLE, TRIG) else None
    serialize(result, file, RDF_FORMATS[media_type], prefixes=prefixes)
