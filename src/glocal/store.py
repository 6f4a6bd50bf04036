"""The store interface: load the graph, query it, report its data version.

:class:`EmbeddedStore` keeps the graph in an on-disk Oxigraph store under a cache
folder, one folder per data version, so a second start-up on unchanged data opens the
store instead of parsing every file again. Queries from the endpoint run in a
:class:`~glocal.querypool.QueryPool` so that a runaway query can be stopped;
in-process callers (canned queries, resource pages, analysis) query directly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Protocol

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    serialize,
)

from glocal.federation import check_federation
from glocal.loading import Dataset, data_version
from glocal.mediatypes import RDF_FORMATS, RESULTS_FORMATS
from glocal.namespaces import PREFIXES
from glocal.querypool import QueryPool, QueryRequest, QuerySyntaxError, QueryTimeout

__all__ = [
    "EmbeddedStore",
    "GraphStore",
    "QueryResult",
    "QuerySyntaxError",
    "QueryTimeout",
    "default_cache_dir",
    "execute",
    "query_form",
    "serialize_result",
]

QueryResult = QuerySolutions | QueryBoolean | QueryTriples

_EMPTY = Store()


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
    own error messages. Call :func:`~glocal.federation.check_federation` first: an empty
    store still calls ``SERVICE`` endpoints.

    >>> query_form("ASK {}")
    'ASK'
    >>> query_form("SELECT * { ?s gl:quote ?q }")
    'SELECT'
    >>> query_form("SELEKT *")
    Traceback (most recent call last):
    ...
    glocal.querypool.QuerySyntaxError: error at 1:9: ...
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


class EmbeddedStore:
    """The graph in an on-disk Oxigraph store, one folder per data version.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.loading import curated_files, load_files
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> bool(store.query("ASK { ?c a gl:City }"))
    True
    >>> store.close()
    """

    def __init__(self, path: Path, version: str, *, workers: int = 4) -> None:
        self.path = path
        self.version = version
        self._store = Store.read_only(str(path))
        self._workers = workers
        self._pool: QueryPool | None = None

    @classmethod
    def open(
        cls, dataset: Dataset, *, cache_dir: Path | str | None = None, workers: int = 4
    ) -> EmbeddedStore:
        """Open the store for a dataset's version, building it first if it is not cached.

        The store is built in a temporary folder and renamed into place, so a crash
        while building never leaves a half-loaded store under the version's name.
        """
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        target = root / "stores" / dataset.version
        if not target.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            building = Path(tempfile.mkdtemp(prefix=f"{dataset.version}.", dir=target.parent))
            store = Store(str(building))
            store.bulk_extend(dataset.quads)
            store.flush()
            store.optimize()
            del store
            try:
                building.rename(target)
            except OSError:
                # Another process built the same version meanwhile; theirs is as good.
                shutil.rmtree(building, ignore_errors=True)
        return cls(target, dataset.version, workers=workers)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a trusted query in this process (no deadline)."""
        try:
            return execute(
                self._store, sparql, default_graphs=default_graphs, named_graphs=named_graphs
            )
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from None

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
        """Run an untrusted query in a worker process, stopped at ``timeout`` seconds."""
        check_federation(sparql, allow=federation)
        if self._pool is None:
            self._pool = QueryPool(str(self.path), size=self._workers)
        request = QueryRequest(sparql, media_type, default_graphs, named_graphs)
        return self._pool.stream(request, timeout=timeout)

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def updated(self, sparql: str) -> EmbeddedStore:
        """A new store version: a copy of this one with a SPARQL Update applied.

        This store is left untouched, so queries running on it finish on the old data
        and the caller swaps versions atomically. The update runs in one transaction:
        it applies fully or not at all.

        Raises
        ------
        QuerySyntaxError
            If the update does not parse.
        """
        version = data_version([("base", self.version.encode()), ("update", sparql.encode())])
        target = self.path.parent / version
        if not target.is_dir():
            building = Path(tempfile.mkdtemp(prefix=f"{version}.", dir=self.path.parent))
            copy = Store(str(building))
            copy.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
            try:
                copy.update(sparql, prefixes=PREFIXES)
            except SyntaxError as err:
                del copy
                shutil.rmtree(building, ignore_errors=True)
                raise QuerySyntaxError(str(err)) from None
            copy.flush()
            del copy
            building.rename(target)
        return EmbeddedStore(target, version, workers=self._workers)

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        """Stop the query workers."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
