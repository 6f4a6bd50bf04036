"""The store layer: one interface over the embedded Oxigraph store and remote engines.

- :mod:`~glocal.store.interface`: :class:`GraphStore`, the interface, and the cache folder;
- :mod:`~glocal.store.errors`: every error a store raises;
- :mod:`~glocal.store.sparql`: query form, nesting limit, execution and serialization;
- :mod:`~glocal.store.embedded`: the on-disk Oxigraph store, one folder per data version;
- :mod:`~glocal.store.pool`: killable worker processes that run untrusted queries;
- :mod:`~glocal.store.service_policy`: the ``SERVICE`` allow-list;
- :mod:`~glocal.store.remote`: a SPARQL 1.1 engine over HTTP (Virtuoso, Fuseki, ...);
- :mod:`~glocal.store.virtuoso`: Virtuoso's quirks and the one launcher tests and bench use.

The layer depends on :mod:`glocal.dataset`, :mod:`glocal.formats` and
:mod:`glocal.namespaces` only.
"""

from glocal.store.embedded import EmbeddedStore
from glocal.store.errors import (
    FederationRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
)
from glocal.store.interface import GraphStore, QueryResult, default_cache_dir
from glocal.store.sparql import execute, query_form, serialize_result

__all__ = [
    "EmbeddedStore",
    "FederationRefused",
    "GraphStore",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "StoreUnavailable",
    "default_cache_dir",
    "execute",
    "query_form",
    "serialize_result",
]
