"""The one store interface every backend offers, and where stores are cached.

:class:`GraphStore` is what the API, the command line and the analysis use; the
embedded Oxigraph store (:mod:`glocal.store.embedded`) and a remote SPARQL engine
(:mod:`glocal.store.remote`) implement it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from pyoxigraph import QueryBoolean, QuerySolutions, QueryTriples

__all__ = ["GraphStore", "QueryResult", "default_cache_dir"]

QueryResult = QuerySolutions | QueryBoolean | QueryTriples


class GraphStore(Protocol):
    """What every backend offers: the embedded store and a remote SPARQL engine."""

    version: str

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a query in-process and return Oxigraph result objects."""
        ...

    def stream(
        self,
        sparql: str,
        *,
        media_type: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        federation: Sequence[str] | None = None,
    ) -> Iterator[bytes]:
        """Run a query under a deadline and return its result serialized as ``media_type``."""
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs."""
        ...

    def close(self) -> None:
        """Release processes and files."""
        ...


def default_cache_dir() -> Path:
    """``$GLOCAL_CACHE_DIR``, else ``$XDG_CACHE_HOME/glocal``, else ``~/.cache/glocal``."""
    if env := os.environ.get("GLOCAL_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "glocal"
