"""The one store interface every backend offers, and where stores are cached.

:class:`GraphStore` is what the API, the command line and the analysis use; the
embedded Oxigraph store (:mod:`glocal.store.embedded`) and a remote SPARQL engine
(:mod:`glocal.store.remote`) implement it. Callers use these operations only and never
ask a store what else it can do.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from glocal.store.sparql import ParsedQuery, QueryResult

__all__ = ["GraphStore", "default_cache_dir"]


class GraphStore(Protocol):
    """What every backend offers: the embedded store and a remote SPARQL engine."""

    #: The data version the store holds (a content hash of the files it was built from).
    version: str

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a trusted query without deadline and return Oxigraph result objects.

        The default graph is the union of the named graphs unless ``default_graphs``
        names some. The text is trusted (glocal's own queries, values bound with
        ``VALUES``): it is not checked for ``SERVICE``, whose check errs on the side of
        refusal and would refuse an IRI that merely contains the word.
        """
        ...

    def stream(
        self,
        query: ParsedQuery,
        *,
        media_type: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[bytes]:
        """Run an untrusted query under a deadline, its result serialized as ``media_type``.

        Errors before the first chunk raise here (so that a caller can still choose a
        status code); a deadline reached while streaming ends the iterator early.
        """
        ...

    def update(self, sparql: str, *, timeout: float | None = None) -> GraphStore:
        """Apply a SPARQL Update to a new version of the data; return the store of it.

        This store is left as it was, so queries running on it finish on the old data
        and the caller switches versions atomically. The update may not reach other
        hosts, and is stopped at ``timeout`` seconds.

        Raises
        ------
        UpdateUnsupported
            If the backend does not apply updates through glocal.
        """
        ...

    def parse(
        self, sparql: str, *, federation: Collection[str] = (), timeout: float | None = None
    ) -> ParsedQuery:
        """Check untrusted query text (``SERVICE`` policy, nesting, syntax) and find its
        form, without evaluating it in this process.

        Raises
        ------
        FederationRefused, QuerySyntaxError
            As :func:`~glocal.store.sparql.parse_query`.
        QueryTimeout
            If parsing took longer than ``timeout`` seconds.
        """
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        ...

    def close(self) -> None:
        """Release processes, files and connections."""
        ...


def default_cache_dir() -> Path:
    """``$GLOCAL_CACHE_DIR``, else ``$XDG_CACHE_HOME/glocal``, else ``~/.cache/glocal``."""
    if env := os.environ.get("GLOCAL_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "glocal"
