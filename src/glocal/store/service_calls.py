"""The ``SERVICE`` endpoints of a query, read from its parsed algebra.

For an external engine glocal cannot cut the network of the process that runs the
query, as it does for its own workers (:mod:`glocal.store.isolation`). So before a
query goes to the engine, its ``SERVICE`` clauses are found in the algebra that
rdflib's SPARQL parser builds, not by matching text, and checked against the
allow-list. A query rdflib cannot parse is refused: its calls cannot be known. (rdflib
tokenizes ``1SERVICE`` as Oxigraph and Virtuoso do not, and refuses it.)
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from glocal.namespaces import PREFIXES
from glocal.store.errors import FederationRefused, QuerySyntaxError

__all__ = ["check_service_calls", "service_endpoints"]


def service_endpoints(sparql: str) -> list[str | None]:
    """The endpoint of every ``SERVICE`` clause, or None where it is a variable.

    Examples
    --------
    >>> service_endpoints("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
    ['http://e/sparql']
    >>> service_endpoints("ASK { SERVICE SILENT ?where { ?s ?p ?o } }")
    [None]
    >>> service_endpoints("SELECT * { ?s ?p ?o }")
    []
    >>> service_endpoints("SELECT * { city:bristol ?p ?o }")  # glocal's prefixes are known
    []

    Raises
    ------
    QuerySyntaxError
        If rdflib cannot parse the query, so that its calls cannot be known.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef

    try:
        algebra = translateQuery(parseQuery(sparql), initNs=PREFIXES).algebra
    # rdflib raises a bare Exception for an undeclared prefix, among others: whatever
    # stops it, the query's calls cannot be known.
    except Exception as err:
        raise QuerySyntaxError(
            f"the query cannot be checked for SERVICE calls, so it is not sent to the engine: {err}"
        ) from None
    found: list[str | None] = []

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                found.append(str(term) if isinstance(term, URIRef) else None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(algebra)
    return found


def check_service_calls(sparql: str, allow: Collection[str]) -> None:
    """Refuse a query whose ``SERVICE`` calls are not all on the allow-list.

    Raises
    ------
    FederationRefused
        If a ``SERVICE`` endpoint is not allowed, or is a variable.
    QuerySyntaxError
        As :func:`service_endpoints`.
    """
    refused = [e or "a variable endpoint" for e in service_endpoints(sparql) if e not in allow]
    if refused:
        raise FederationRefused(
            f"SERVICE endpoint not on the allow-list: {', '.join(refused)} (start the server "
            "with --federation-allow IRI to allow an endpoint)"
        )
