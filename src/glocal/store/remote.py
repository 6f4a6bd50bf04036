"""The graph in an external SPARQL 1.1 engine, reached over HTTP.

:class:`RemoteStore` offers the :class:`~glocal.store.GraphStore` interface on any engine
that speaks the SPARQL 1.1 Protocol, SPARQL Update and the Graph Store HTTP Protocol.
Virtuoso (Debian's ``virtuoso-opensource``) is the engine it is tested against. Where
engines deviate from the standards, the store evens things out, so that callers get the
same answers as from :class:`~glocal.store.EmbeddedStore`:

- Every query names its dataset (``default-graph-uri`` and ``named-graph-uri`` list
  glocal's graphs). Without them Virtuoso's default graph is the union of *all* its
  graphs, its own system graphs included; the explicit list also hides the bookkeeping
  graph :data:`META_GRAPH` and graphs that are still being loaded.
- Results are fetched in one lossless format (SPARQL XML results, N-Triples), parsed by
  Oxigraph and serialized by glocal itself. Virtuoso's CSV and TSV are not the SPARQL
  1.1 formats (quoted header, no language tags) and its blank node labels
  (``nodeID://b1``) are not labels that strict parsers accept.
- glocal's prefixes (:data:`~glocal.namespaces.PREFIXES`) are declared in front of any
  query that does not declare them itself.

What the store cannot even out are the engine's own semantics. Virtuoso 7.2 keeps the
value but not the datatype of ``xsd:integer`` subtypes (``xsd:positiveInteger`` comes
back as ``xsd:integer``), gives ``0``/``1`` for ``BIND(EXISTS {...} AS ?x)``, drops the
language tag of a ``GROUP_CONCAT`` and gives ``""`` where Oxigraph leaves it unbound,
and answers ``DESCRIBE`` with its own choice of triples. Canned queries give the same
number of rows on both stores; only such values differ.
"""

from __future__ import annotations

import io
import queue
import re
import threading
import time
import uuid
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import httpx
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from glocal.dataset import Dataset
from glocal.formats import RDF_FORMATS, RESULTS_FORMATS
from glocal.namespaces import DCTERMS, ID, PREFIXES
from glocal.store.errors import QuerySyntaxError, QueryTimeout, StoreUnavailable
from glocal.store.interface import QueryResult
from glocal.store.pool import CHUNK_SIZE
from glocal.store.service_policy import check_federation
from glocal.store.sparql import query_form, serialize_result

__all__ = [
    "META_GRAPH",
    "RemoteStore",
    "virtuoso_timeout",
    "with_prefixes",
]

#: The graph that records the data version and the list of glocal's graphs, so a
#: restarted server knows what the engine holds without loading it again.
META_GRAPH = ID + "graph/meta"
#: Graphs are loaded under names below this one, then moved into place.
STAGING_GRAPHS = ID + "graph/staging/"
# Named as the dataset of a query while the store holds no graph: an empty list would
# give the engine's own default dataset, which in Virtuoso holds its system graphs.
_NO_GRAPH = ID + "graph/none"
_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"

_XML = "application/sparql-results+xml"
_NTRIPLES = "application/n-triples"
# Virtuoso writes blank nodes as <bnode>nodeID://b10006</bnode>; Oxigraph refuses the
# label. Inside a literal the "<" would be escaped, so the pattern is unambiguous.
_VIRTUOSO_BNODE = b"<bnode>nodeID://"
_DECLARED = re.compile(r"\bPREFIX\s+([^\s:]*):", re.IGNORECASE)
# How engines report that they stopped a query at its time limit: Virtuoso's SQL states
# (S1T00 timeout, SR171 transaction timeout) and cost-estimate refusal, Fuseki's
# "Query timed out", Neptune's TimeLimitExceededException, QLever's "timeout".
_TIMED_OUT = re.compile(
    r"S1T00|SR171|timed out|time ?out|TimeLimitExceeded|deadline exceeded|"
    r"estimated execution time",
    re.IGNORECASE,
)


def virtuoso_timeout(seconds: float) -> dict[str, str]:
    """Virtuoso's own per-query time limit: the ``timeout`` parameter, in milliseconds.

    Closing the connection alone does not stop a query in Virtuoso (it notices only when
    it writes the result), so the engine is told the limit as well.

    >>> virtuoso_timeout(2.5)
    {'timeout': '2500'}
    """
    return {"timeout": str(max(1, round(seconds * 1000)))}


def with_prefixes(sparql: str) -> str:
    """Declare glocal's prefixes that a query uses without declaring them.

    Oxigraph gets them as predeclared prefixes; an engine only sees the query text.
    The declarations go on the query's first line, so line numbers in the engine's
    error messages stay those of the query.

    >>> with_prefixes("PREFIX gl: <x:> ASK {}").count("PREFIX gl:")
    1
    >>> with_prefixes("ASK { ?s a gl:City }").startswith("PREFIX gl: <https://")
    True
    """
    declared = {match.group(1) for match in _DECLARED.finditer(sparql)}
    missing = "".join(
        f"PREFIX {name}: <{iri}> " for name, iri in PREFIXES.items() if name not in declared
    )
    return missing + sparql


class _ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers.

    Virtuoso reads at READ COMMITTED, without snapshots: queries that ran during a
    reload's swap were seen to count some graphs before it and others after it. Queries
    through this store hold the read side while the engine evaluates them (Virtuoso
    evaluates a query completely before it sends the response headers), and the swap
    holds the write side. Engines with snapshot reads and atomic update requests
    (Fuseki, GraphDB, Neptune) would not need it; for them it costs only the short wait
    of the swap.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writers_waiting = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._writers_waiting += 1
            self._condition.wait_for(lambda: not self._writing and not self._readers)
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._condition:
                self._writing = False
                self._condition.notify_all()


class _ResponseBody(io.RawIOBase):
    """A streamed response body as a binary file that Oxigraph's parsers read lazily.

    Transport errors become glocal's errors and are kept in :attr:`error`, because the
    parser reports them as its own failure.
    """

    def __init__(self, response: httpx.Response, *, virtuoso_bnodes: bool) -> None:
        super().__init__()
        self._chunks = response.iter_bytes()
        self._rewrite = virtuoso_bnodes
        self._pending = b""
        self._tail = b""
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._pending, self._tail = self._tail, b""
                if not self._pending:
                    return 0
                break
            except httpx.TimeoutException:
                self.error = QueryTimeout("the query ran past its time limit and was stopped")
                raise self.error from None
            except httpx.HTTPError as err:
                self.error = StoreUnavailable(f"the SPARQL engine went away: {err}")
                raise self.error from err
            self._pending = self._fix(chunk) if self._rewrite else chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _fix(self, chunk: bytes) -> bytes:
        # A label may be split across chunks: hold back a possible start of the pattern.
        data = (self._tail + chunk).replace(_VIRTUOSO_BNODE, b"<bnode>")
        cut = len(data) - (len(_VIRTUOSO_BNODE) - 1)
        self._tail = data[cut:]
        return data[:cut]


class _QueueWriter:
    """A binary file object that hands what Oxigraph writes to a consumer in chunks."""

    def __init__(self, chunks: queue.Queue[tuple[str, Any]], stop: threading.Event) -> None:
        self._chunks = chunks
        self._stop = stop
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_SIZE:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            _put(self._chunks, ("chunk", bytes(self._buffer)), self._stop)
            self._buffer.clear()


class _Stopped(Exception):
    """The consumer of a stream went away; the producer stops writing."""


def _put(
    chunks: queue.Queue[tuple[str, Any]], item: tuple[str, Any], stop: threading.Event
) -> None:
    while True:
        if stop.is_set():
            raise _Stopped
        try:
            chunks.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def _engine_message(text: str) -> str:
    # Virtuoso repeats the whole query after its message; the message is enough.
    return text.split("\n\nSPARQL query:", 1)[0].strip()[:2000]


class RemoteStore:
    """The graph in an external SPARQL engine, queried over the SPARQL 1.1 Protocol.

    Parameters
    ----------
    endpoint_url
        The engine's SPARQL query endpoint (Virtuoso: ``http://host:8890/sparql``).
    update_url
        Its SPARQL Update endpoint; the query endpoint if not given (as in Virtuoso).
    graph_store_url
        Its Graph Store HTTP Protocol endpoint, needed by :meth:`load` (Virtuoso:
        ``/sparql-graph-crud``, or ``/sparql-graph-crud-auth`` with digest ``auth``).
    auth
        Credentials for every request, e.g. ``httpx.DigestAuth("dba", password)``.
    timeout
        Seconds allowed for requests that have no deadline of their own: :meth:`query`,
        the requests of :meth:`load` and :meth:`stream` without ``timeout``.
    engine_timeout
        Makes the request parameters that tell the engine a query's time limit, so that
        the engine itself stops the query; ``None`` sends none. The default suits
        Virtuoso; see :func:`virtuoso_timeout`.

    Raises
    ------
    StoreUnavailable
        If the engine cannot be reached: the store reads the data version on creation.
    """

    def __init__(
        self,
        endpoint_url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: float = 30.0,
        engine_timeout: Callable[[float], Mapping[str, str]] | None = virtuoso_timeout,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.update_url = update_url or endpoint_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout
        self._engine_timeout = engine_timeout
        self._client = httpx.Client(auth=auth, timeout=timeout)
        self._lock = _ReadWriteLock()
        self._graphs: list[str] = []
        try:
            self.version, self._graphs = self._read_meta()
        except BaseException:
            self._client.close()
            raise

    @classmethod
    def open(cls, dataset: Dataset, endpoint_url: str, **options: Any) -> RemoteStore:
        """Connect, and load the dataset unless the engine already holds its version.

        ``options`` go to the constructor. This is what a server start calls: a restart
        on unchanged data finds the version in :data:`META_GRAPH` and loads nothing.
        """
        store = cls(endpoint_url, **options)
        if store.version != dataset.version:
            try:
                store.load(dataset)
            except BaseException:
                store.close()
                raise
        return store

    def _read_meta(self) -> tuple[str, list[str]]:
        sparql = (
            f"SELECT ?version ?graph WHERE {{ GRAPH <{META_GRAPH}> {{ "
            f"<{META_GRAPH}> <{_VERSION_INFO}> ?version "
            f"OPTIONAL {{ <{META_GRAPH}> <{DCTERMS}hasPart> ?graph }} }} }}"
        )
        body = self._fetch(sparql, _XML, [_NO_GRAPH], [META_GRAPH], self.timeout)
        result = _parse(body, _XML)
        assert isinstance(result, QuerySolutions)
        rows = list(result)
        if not rows:
            return "", []
        graphs = sorted({row["graph"].value for row in rows if row["graph"] is not None})
        return rows[0]["version"].value, graphs

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a trusted query and return Oxigraph result objects, as EmbeddedStore does.

        The query is parsed locally first: that gives its form, and syntax errors with
        the same messages as from the embedded store. The store's ``timeout`` applies.
        """
        accept = _NTRIPLES if query_form(sparql) == "CONSTRUCT" else _XML
        body = self._fetch(sparql, accept, default_graphs, named_graphs, self.timeout)
        return _parse(body, accept)

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
        """Run an untrusted query on the engine, stopped at ``timeout`` seconds.

        The semantics are those of :meth:`EmbeddedStore.stream
        <glocal.store.EmbeddedStore.stream>`: errors before the first chunk raise here,
        and a deadline reached while streaming ends the iterator early. The deadline is
        enforced twice: the engine is told it (``engine_timeout``), and the connection
        is closed when it passes.

        Raises
        ------
        FederationRefused
            If the query calls a ``SERVICE`` that is not allowed.
        QuerySyntaxError
            If the engine refuses the query as malformed (HTTP 400).
        QueryTimeout
            If the query ran past ``timeout`` (the store's ``timeout`` if ``None``).
        StoreUnavailable
            If the engine cannot be reached or goes away.
        RuntimeError
            If the engine failed on the query otherwise.
        ValueError
            If ``media_type`` is not one glocal serializes.
        """
        check_federation(sparql, allow=federation)
        if media_type in RESULTS_FORMATS:
            accept = _XML
        elif media_type in RDF_FORMATS:
            accept = _NTRIPLES
        else:
            raise ValueError(f"cannot serialize query results as {media_type}")
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        with self._lock.reading():
            response = self._open(
                sparql, accept, default_graphs, named_graphs, deadline - time.monotonic()
            )
        return _transcode(response, accept, media_type, deadline)

    def _fetch(
        self,
        sparql: str,
        accept: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        timeout: float,
    ) -> bytes:
        with self._lock.reading():
            response = self._open(sparql, accept, default_graphs, named_graphs, timeout)
            try:
                return response.read()
            except httpx.TimeoutException:
                raise QueryTimeout("the query ran past its time limit and was stopped") from None
            except httpx.HTTPError as err:
                raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err
            finally:
                response.close()

    def _open(
        self,
        sparql: str,
        accept: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        timeout: float,
    ) -> httpx.Response:
        """Send a query and return the streamed response once its status is checked."""
        if timeout <= 0:
            raise QueryTimeout("the query ran past its time limit and was stopped")
        live = self._graphs or [_NO_GRAPH]
        data: dict[str, str | list[str]] = {
            "query": with_prefixes(sparql),
            "default-graph-uri": list(default_graphs or live),
            "named-graph-uri": list(named_graphs or live),
        }
        if self._engine_timeout is not None:
            data.update(self._engine_timeout(timeout))
        request = self._client.build_request(
            "POST", self.endpoint_url, data=data, headers={"Accept": accept}, timeout=timeout
        )
        response = self._send(request)
        try:
            _check(response)
        except BaseException:
            response.close()
            raise
        return response

    def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:
            raise StoreUnavailable(f"cannot reach the SPARQL engine: {err}") from err
        except httpx.TimeoutException:
            raise QueryTimeout("the query ran past its time limit and was stopped") from None
        except httpx.TransportError as err:
            raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err

    def load(self, dataset: Dataset) -> None:
        """Replace the engine's content with a dataset: before or after, never half.

        Each named graph is uploaded with the Graph Store Protocol under a staging name
        that no query's dataset includes, so the upload is invisible. Then one SPARQL
        Update moves every staging graph into place, drops graphs the dataset no longer
        has and records the version in :data:`META_GRAPH`. The swap holds this store's
        write lock, so no query through this store runs while it commits (Virtuoso's
        readers have no snapshots and would see the swap half done). Queries from other
        processes are not held back: serve from the process that loads. The version is
        dropped first: if the swap fails half-way, the engine holds no version and the
        next :meth:`open` loads again. Staging graphs left by a failed upload are
        dropped when possible; any that remain are invisible to queries.

        Raises
        ------
        ValueError
            If the store has no ``graph_store_url``, a quad is in the default graph, or
            a blank node is in two graphs (uploaded one graph at a time, it would
            become two blank nodes; give it an IRI).
        StoreUnavailable
            If the engine cannot be reached.
        TimeoutError
            If an upload or the update takes longer than the store's ``timeout``.
        RuntimeError
            If the engine refuses an upload or the update.
        """
        if self.graph_store_url is None:
            raise ValueError("loading needs the engine's Graph Store endpoint (graph_store_url)")
        graphs = _triples_by_graph(dataset)
        token = uuid.uuid4().hex
        staging = {graph: f"{STAGING_GRAPHS}{token}/{i}" for i, graph in enumerate(graphs)}
        try:
            for graph, triples in graphs.items():
                self._put(staging[graph], triples)
        except BaseException:
            self._drop_quietly(staging.values())
            raise
        with self._lock.writing():
            operations = [f"MOVE <{staging[graph]}> TO <{graph}>" for graph in graphs]
            operations += [f"DROP SILENT GRAPH <{g}>" for g in self._graphs if g not in graphs]
            parts = "".join(f" <{DCTERMS}hasPart> <{graph}> ;" for graph in graphs)
            operations.append(
                f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}>{parts} "
                f"<{_VERSION_INFO}> {Literal(dataset.version)} }} }}"
            )
            try:
                self._update(f"DROP SILENT GRAPH <{META_GRAPH}>")
                self._update(" ;\n".join(operations))
            except BaseException:
                # Whatever the engine holds now, it is no known version.
                self.version = ""
                self._graphs = sorted(set(self._graphs) | set(graphs))
                raise
            self.version = dataset.version
            self._graphs = sorted(graphs)

    def _put(self, graph: str, triples: list[Triple]) -> None:
        assert self.graph_store_url is not None
        request = self._client.build_request(
            "PUT",
            self.graph_store_url,
            params={"graph": graph},
            content=serialize(triples, format=RdfFormat.N_TRIPLES),
            headers={"Content-Type": _NTRIPLES},
        )
        self._write(request, f"upload of {graph}")

    def _update(self, sparql: str) -> None:
        request = self._client.build_request("POST", self.update_url, data={"update": sparql})
        self._write(request, "update")

    def _write(self, request: httpx.Request, what: str) -> None:
        try:
            response = self._send(request)
        except QueryTimeout:
            message = f"the SPARQL engine did not finish the {what} within {self.timeout} s"
            raise TimeoutError(message) from None
        try:
            response.read()
        except httpx.HTTPError as err:
            raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err
        finally:
            response.close()
        if not response.is_success:
            message = _engine_message(response.text)
            raise RuntimeError(f"the SPARQL engine refused the {what}: {message}")

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        # Leftover staging graphs are invisible to queries; dropping them only saves space.
        with suppress(RuntimeError, ConnectionError, TimeoutError):
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs))

    def named_graphs(self) -> list[str]:
        """The IRIs of glocal's named graphs in the engine, sorted."""
        return list(self._graphs)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()


def _triples_by_graph(dataset: Dataset) -> dict[str, list[Triple]]:
    graphs: dict[str, list[Triple]] = defaultdict(list)
    first_graph: dict[str, str] = {}
    for quad in dataset.quads:
        if not isinstance(quad.graph_name, NamedNode):
            raise ValueError(f"a quad is in the default graph, not a named graph: {quad}")
        graph = quad.graph_name.value
        for term in (quad.subject, quad.object):
            if isinstance(term, BlankNode) and first_graph.setdefault(term.value, graph) != graph:
                raise ValueError(
                    f"blank node _:{term.value} is in two graphs, {first_graph[term.value]} "
                    f"and {graph}; loaded one graph at a time it would become two blank "
                    "nodes: give it an IRI"
                )
        graphs[graph].append(quad.triple)
    return dict(graphs)


def _check(response: httpx.Response) -> None:
    """Raise glocal's error for an engine's error response."""
    if response.is_success:
        # Virtuoso's "anytime" answer: HTTP 200 with whatever it had at its time limit.
        if response.headers.get("X-SQL-State") == "S1TAT":
            raise QueryTimeout("the query ran past its time limit and was stopped")
        # Virtuoso's sign that a SELECT reached its row limit and may have been cut.
        if limit := response.headers.get("X-SPARQL-MaxRows"):
            raise RuntimeError(
                f"the SPARQL engine cut the result at {limit} rows; raise its limit "
                "(Virtuoso: ResultSetMaxRows in virtuoso.ini)"
            )
        return
    try:
        response.read()
    except httpx.HTTPError as err:
        raise StoreUnavailable(f"the SPARQL engine went away: {err}") from err
    message = _engine_message(response.text)
    if response.status_code == 400:
        raise QuerySyntaxError(message)
    if _TIMED_OUT.search(message):
        raise QueryTimeout(f"the query ran past its time limit and was stopped ({message})")
    if response.status_code == 503:
        raise StoreUnavailable(f"the SPARQL engine is unavailable: {message}")
    raise RuntimeError(f"the SPARQL engine failed ({response.status_code}): {message}")


def _parse(body: bytes, accept: str) -> QueryResult:
    """Turn a whole response body into the result objects Oxigraph's own queries give."""
    if accept == _XML:
        return parse_query_results(
            body.replace(_VIRTUOSO_BNODE, b"<bnode>"), QueryResultsFormat.XML
        )
    # Oxigraph builds QueryTriples only from a query, so the triples go through an
    # in-memory store (which also drops duplicates, as a graph result should).
    store = Store()
    store.bulk_extend(parse(body, RdfFormat.N_TRIPLES))
    return store.query("CONSTRUCT WHERE { ?s ?p ?o }")


def _transcode(
    response: httpx.Response, accept: str, media_type: str, deadline: float
) -> Iterator[bytes]:
    """Stream a response re-serialized as ``media_type``, ending at ``deadline``.

    A thread parses the engine's response as it arrives and serializes it with
    :func:`~glocal.store.serialize_result` into a bounded queue; the first chunk is
    awaited here, so errors before any output still raise in the caller.
    """
    chunks: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=16)
    stop = threading.Event()
    body = _ResponseBody(response, virtuoso_bnodes=accept == _XML)

    def produce() -> None:
        try:
            result: Any
            if accept == _XML:
                result = parse_query_results(body, QueryResultsFormat.XML)
            else:
                result = (quad.triple for quad in parse(body, RdfFormat.N_TRIPLES))
            writer = _QueueWriter(chunks, stop)
            serialize_result(result, writer, media_type)
            writer.flush()
            message: tuple[str, Any] = ("end", None)
        except _Stopped:
            return
        except Exception as err:  # handed to the consumer, which raises it
            message = ("error", body.error or err)
        try:
            _put(chunks, message, stop)
        except _Stopped:
            return

    def receive() -> tuple[str, Any]:
        try:
            return chunks.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return ("timeout", None)

    def finish() -> None:
        stop.set()
        response.close()

    producer = threading.Thread(target=produce, name="glocal-remote-stream", daemon=True)
    producer.start()
    kind, value = receive()
    if kind != "chunk":
        finish()
        if kind == "timeout":
            raise QueryTimeout("the query ran past its time limit and was stopped")
        if kind == "error":
            raise value
        return iter(())

    def stream() -> Iterator[bytes]:
        try:
            yield value
            while True:
                kind, chunk = receive()
                if kind == "chunk":
                    yield chunk
                elif kind == "error" and not isinstance(chunk, QueryTimeout):
                    raise chunk
                else:  # the end, or the deadline passed while streaming
                    return
        finally:
            finish()

    iterator = stream()
    # A caller that drops the iterator unstarted never runs its ``finally``.
    weakref.finalize(iterator, finish)
    return iterator
