"""The embedded store: the graph in an on-disk Oxigraph database, one folder per version.

:class:`EmbeddedStore` keeps the graph under a cache folder, one folder per data
version, so a second start-up on unchanged data opens the store instead of parsing
every file again. Queries from the network run in a
:class:`~glocal.store.pool.QueryPool` so that a runaway can be stopped: through a
thread (:meth:`EmbeddedStore.stream`), or from the event loop itself when a worker is
idle (:meth:`EmbeddedStore.open_stream` for canned queries,
:meth:`EmbeddedStore.open_query` for untrusted text). In-process callers (resource
pages, analysis) query directly.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import AsyncGenerator, Collection, Iterator, Mapping, Sequence
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Store

from glocal.dataset import Dataset, data_version
from glocal.store.errors import QuerySyntaxError
from glocal.store.interface import default_cache_dir
from glocal.store.loop_stream import query_on_loop, stream_on_loop
from glocal.store.merge import merged
from glocal.store.pool import DEFAULT_MEMORY_MB, QueryPool
from glocal.store.sparql import (
    ParsedQuery,
    QueryForm,
    QueryResult,
    check_untrusted,
    execute,
    parse_query,
)
from glocal.store.updating import apply_update
from glocal.store.worker import QueryRequest

__all__ = ["STORES", "EmbeddedStore"]

#: The cache's folder of stores, named by their layout: stores of the second layout hold
#: the merge of the named graphs in their default graph (:mod:`glocal.store.merge`), so
#: a store built before it is never opened as if it did.
STORES = "stores-2"


class EmbeddedStore:
    """The graph in an on-disk Oxigraph store, one folder per data version.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> bool(store.query("ASK { ?c a gl:City }"))
    True
    >>> store.close()
    """

    def __init__(
        self,
        path: Path,
        version: str,
        *,
        workers: int = 4,
        federation: bool = False,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
        quick_workers: int = 2,
    ) -> None:
        self.path = path
        self.version = version
        self._store = Store.read_only(str(path))
        self._workers = workers
        # Workers of the pool's quick lane (glocal.store.pool); serve splits them
        # between its HTTP processes.
        self._quick_workers = quick_workers
        # Workers running untrusted queries have no network unless federation is on.
        self._federation = federation
        self._memory_mb = memory_mb
        self._pool: QueryPool | None = None
        self._pool_lock = threading.Lock()
        #: Made by :meth:`update`: a version of this process's own, deleted on close.
        self.disposable = False

    @classmethod
    def open(
        cls,
        dataset: Dataset,
        *,
        cache_dir: Path | str | None = None,
        workers: int = 4,
        federation: bool = False,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
    ) -> EmbeddedStore:
        """Open the store for a dataset's version, building it first if it is not cached.

        The store is built in a temporary folder and renamed into place, so a crash
        while building never leaves a half-loaded store under the version's name.
        ``federation`` leaves the query workers on the network, for a server whose
        ``SERVICE`` allow-list names endpoints; otherwise they have none
        (:mod:`glocal.store.isolation`). ``memory_mb`` bounds each worker's resident
        memory (:class:`~glocal.store.pool.QueryPool`).
        """
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        target = root / STORES / dataset.version
        if not target.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            building = Path(tempfile.mkdtemp(prefix=f"{dataset.version}.", dir=target.parent))
            store = Store(str(building))
            store.bulk_extend(dataset.quads)
            store.bulk_extend(merged(dataset.quads))
            store.flush()
            store.optimize()
            del store
            try:
                building.rename(target)
            except OSError:
                # Another process built the same version meanwhile; theirs is as good.
                shutil.rmtree(building, ignore_errors=True)
        return cls(
            target, dataset.version, workers=workers, federation=federation, memory_mb=memory_mb
        )

    @classmethod
    def cached(
        cls,
        version: str,
        *,
        cache_dir: Path | str | None = None,
        workers: int = 4,
        federation: bool = False,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
    ) -> EmbeddedStore | None:
        """The store of a data version if it was built before, without the data."""
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        target = root / STORES / version
        if not target.is_dir():
            return None
        return cls(target, version, workers=workers, federation=federation, memory_mb=memory_mb)

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a trusted query in this process (no deadline); it is parsed once, to run."""
        try:
            return execute(
                self._store, sparql, default_graphs=default_graphs, named_graphs=named_graphs
            )
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from None

    def mentions(self, iri: str) -> bool:
        """Whether the graph says anything of ``iri``, as subject or object.

        Two index lookups (microseconds), where the same ``ASK`` costs a query's
        parsing and planning (~0.1 ms).

        >>> import tempfile
        >>> from glocal.dataset import curated_files, load_files
        >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
        >>> from glocal.namespaces import ID
        >>> store.mentions(ID + "city/freetown"), store.mentions(ID + "city/nowhere")
        (True, False)
        >>> store.close()
        """
        term = NamedNode(iri)
        graph = DefaultGraph()
        return any(True for _ in self._store.quads_for_pattern(term, None, None, graph)) or any(
            True for _ in self._store.quads_for_pattern(None, None, term, graph)
        )

    def parse(
        self, sparql: str, *, federation: Collection[str] = (), timeout: float | None = None
    ) -> ParsedQuery:
        """Check untrusted query text and find its form in a query worker (see
        :meth:`GraphStore.parse <glocal.store.interface.GraphStore.parse>`)."""
        pool = self._workers_pool()
        return parse_query(
            sparql, federation=federation, form_of=lambda text: pool.form(text, timeout=timeout)
        )

    def _workers_pool(self) -> QueryPool:
        # Locked: concurrent first queries would otherwise each start a pool.
        with self._pool_lock:
            return self._start_pool()

    def _start_pool(self) -> QueryPool:
        if self._pool is None:
            self._pool = QueryPool(
                str(self.path),
                size=self._workers,
                quick_size=self._quick_workers,
                offline=not self._federation,
                memory_mb=self._memory_mb,
            )
        return self._pool

    def stream(
        self,
        query: ParsedQuery,
        *,
        media_type: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[bytes]:
        """Run an untrusted query in a worker process, stopped at ``timeout`` seconds.

        Raises
        ------
        ValueError
            If ``media_type`` cannot carry the query's results.
        QueryTimeout
            If no result arrived before ``timeout`` seconds.
        QueryFailed
            If Oxigraph failed on the query.
        """
        _check_media_type(query, media_type)
        request = QueryRequest(query.text, media_type, default_graphs, named_graphs)
        return self._workers_pool().stream(request, timeout=timeout)

    async def open_stream(
        self,
        query: ParsedQuery,
        *,
        media_type: str,
        timeout: float | None = None,
    ) -> AsyncGenerator[bytes, None] | None:
        """:meth:`stream` without a thread, for the event loop: the query goes to a worker
        that is idle now and its answer is awaited on the loop; None if no worker is
        idle, for the caller to use :meth:`stream`, which waits for one or uses the
        quick lane.

        The worker keeps every protection (:mod:`glocal.store.loop_stream`). The first
        chunk is awaited before returning, so that errors before any output raise here,
        as they do from :meth:`stream`.
        """
        _check_media_type(query, media_type)
        request = QueryRequest(query.text, media_type)
        return await stream_on_loop(self._workers_pool(), request, timeout)

    async def open_query(
        self,
        sparql: str,
        *,
        media_types: Mapping[QueryForm, str],
        federation: Collection[str] = (),
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> tuple[QueryForm, AsyncGenerator[bytes, None] | None] | None:
        """:meth:`open_stream` for untrusted text, whose form is not known: checked as
        :meth:`parse` checks it, then parsed and run by an idle worker in one round trip,
        where :meth:`parse` and :meth:`stream` take two.

        ``media_types`` gives the media type of each form the caller can take. Returns
        the query's form and its result's chunks, or no chunks when ``media_types`` has
        no type for the form; None when no worker is idle.

        Raises
        ------
        FederationRefused, QuerySyntaxError, QueryTimeout, QueryFailed
            As :meth:`parse` and :meth:`stream`.
        """
        check_untrusted(sparql, federation=federation)
        request = QueryRequest(sparql, dict(media_types), default_graphs, named_graphs)
        return await query_on_loop(self._workers_pool(), request, timeout)

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def update(self, sparql: str, *, timeout: float | None = None) -> EmbeddedStore:
        """A new store version: a copy of this one with a SPARQL Update applied.

        This store is left untouched, so queries running on it finish on the old data
        and the caller swaps versions atomically. The update runs in one transaction:
        it applies fully or not at all.

        The update runs in a worker process cut off the network (unless federation is
        on) and stopped at ``timeout`` seconds (:mod:`glocal.store.updating`).

        Raises
        ------
        QuerySyntaxError
            If the update does not parse.
        DefaultGraphWrite
            If the update writes into the default graph, which is the merge of the
            named graphs: say which named graph it goes into (``GRAPH <...> { }``).
        FederationRefused
            If it tried to reach another host (``LOAD``, ``SERVICE``) while offline.
        QueryTimeout, QueryFailed
            If it ran past ``timeout``, or failed in the engine.
        """
        version = data_version([("base", self.version.encode()), ("update", sparql.encode())])
        target = self.path.parent / version
        if not target.is_dir():
            building = Path(tempfile.mkdtemp(prefix=f"{version}.", dir=self.path.parent))
            try:
                apply_update(
                    str(self.path),
                    str(building),
                    sparql,
                    offline=not self._federation,
                    timeout=timeout,
                )
            except BaseException:
                shutil.rmtree(building, ignore_errors=True)
                raise
            building.rename(target)
        updated = EmbeddedStore(
            target,
            version,
            workers=self._workers,
            federation=self._federation,
            memory_mb=self._memory_mb,
        )
        updated.disposable = True
        return updated

    def __len__(self) -> int:
        """The quads stated in the named graphs (the merged default graph aside)."""
        default = self._store.quads_for_pattern(None, None, None, DefaultGraph())
        return len(self._store) - sum(1 for _ in default)

    def close(self) -> None:
        """Stop the query workers; a version made by an update is also deleted, since
        nothing else uses it (20 updates used to leave 20 full copies behind)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self.disposable:
            shutil.rmtree(self.path, ignore_errors=True)


def _check_media_type(query: ParsedQuery, media_type: str) -> None:
    if media_type not in query.media_types:
        raise ValueError(f"{media_type} cannot carry {query.form} results")
