"""The store layer: one interface over the embedded Oxigraph store and remote engines.

- :mod:`~glocal.store.interface`: :class:`GraphStore`, the interface, and the cache folder;
- :mod:`~glocal.store.errors`: every error a store raises;
- :mod:`~glocal.store.sparql`: parsing a query once, execution and serialization;
- :mod:`~glocal.store.service_policy`: the ``SERVICE`` allow-list;
- :mod:`~glocal.store.embedded`: the on-disk Oxigraph store, one folder per data version;
- :mod:`~glocal.store.pool`: killable worker processes that run untrusted queries;
- :mod:`~glocal.store.remote`: a SPARQL 1.1 engine over HTTP (Virtuoso, Fuseki, ...);
- :mod:`~glocal.store.http`: the HTTP transport of the remote store;
- :mod:`~glocal.store.virtuoso`: Virtuoso's quirks and the one launcher tests and bench use;
- :mod:`~glocal.store.versioned`: values derived from a data version, computed once.

Where a query is parsed, and why
--------------------------------
Untrusted text (``/sparql``) goes through
:func:`~glocal.store.sparql.parse_query` once, in the main process: it checks ``SERVICE``
against the allow-list (the only place that does, for every caller and backend) and
parses with Oxigraph against an empty store, which gives the query form (the API
negotiates the result format from it) and syntax errors with line and column before any
worker or engine is involved. :meth:`GraphStore.stream` takes only the
:class:`~glocal.store.sparql.ParsedQuery` this returns. The query is parsed a second
time where it runs: in a worker process of the embedded store (a parsed query cannot
cross processes), or by the remote engine. A canned query is glocal's own text with
values bound as terms: the API finds its form once, when the queries are loaded, and
sends it to :meth:`GraphStore.stream` as a ``ParsedQuery`` without the parsing round
trip. Trusted in-process queries
(:meth:`GraphStore.query`: glocal's own, values bound with ``VALUES``) are parsed once
by Oxigraph when they run; the remote store parses them locally as well
(:func:`~glocal.store.sparql.query_form`), for the form, which decides the lossless
format it asks the engine for.

The layer depends on :mod:`glocal.dataset`, :mod:`glocal.formats` and
:mod:`glocal.namespaces` only.
"""

from glocal.store.embedded import EmbeddedStore
from glocal.store.errors import (
    DefaultGraphWrite,
    FederationRefused,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    ResourceLimit,
    StoreUnavailable,
    UpdateUnsupported,
)
from glocal.store.interface import GraphStore, default_cache_dir
from glocal.store.sparql import (
    ParsedQuery,
    QueryForm,
    QueryResult,
    execute,
    parse_query,
    query_form,
    serialize_result,
)

__all__ = [
    "DefaultGraphWrite",
    "EmbeddedStore",
    "FederationRefused",
    "GraphStore",
    "ParsedQuery",
    "QueryFailed",
    "QueryForm",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "ResourceLimit",
    "StoreUnavailable",
    "UpdateUnsupported",
    "default_cache_dir",
    "execute",
    "parse_query",
    "query_form",
    "serialize_result",
]
