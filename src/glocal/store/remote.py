"""The graph in an external SPARQL 1.1 engine, reached over HTTP.

:class:`RemoteStore` offers the :class:`~glocal.store.GraphStore` interface on any engine
that speaks the SPARQL 1.1 Protocol, SPARQL Update and the Graph Store HTTP Protocol.
Virtuoso (Debian's ``virtuoso-opensource``) is the engine it is tested against. Where
engines deviate from the standards, the store evens things out, so that callers get the
same answers as from :class:`~glocal.store.EmbeddedStore`:

- Every query names its dataset (``default-graph-uri`` names :data:`MERGED_GRAPH`, the
  merge of glocal's graphs, and ``named-graph-uri`` lists them). Without them
  Virtuoso's default graph is the union of *all* its graphs, its own system graphs
  included; the explicit list also hides the bookkeeping graph :data:`META_GRAPH` and
  graphs that are still being loaded.
- Results are fetched in one lossless format (SPARQL XML results, N-Triples), parsed by
  Oxigraph and serialized by glocal itself. Virtuoso's CSV and TSV are not the SPARQL
  1.1 formats (quoted header, no language tags) and its blank node labels
  (``nodeID://b1``) are not labels that strict parsers accept.
- glocal's prefixes (:data:`~glocal.namespaces.PREFIXES`) are declared in front of any
  query that does not declare them itself.

The HTTP requests themselves, error responses and the transcoding of response bodies
are :mod:`glocal.store.http`'s, and its read/write lock :mod:`glocal.store.rwlock`'s.
Longer than 400 lines because :class:`RemoteStore` is one unit: its versions, staged
loading and the record of what it loaded (:mod:`glocal.store.holdings`) share one state.

What the store cannot even out are the engine's own semantics. Virtuoso 7.2 keeps the
value but not the datatype of ``xsd:integer`` subtypes (``xsd:positiveInteger`` comes
back as ``xsd:integer``), gives ``0``/``1`` for ``BIND(EXISTS {...} AS ?x)``, drops the
language tag of a ``GROUP_CONCAT`` and gives ``""`` where Oxigraph leaves it unbound,
and answers ``DESCRIBE`` with its own choice of triples. Canned queries give the same
number of rows on both stores; only such values differ.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import httpx
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Store, Triple

from glocal.dataset import Dataset
from glocal.formats import N_TRIPLES, SPARQL_XML
from glocal.namespaces import DCTERMS, ID, PREFIXES
from glocal.store.errors import QueryTimeout, StoreUnavailable, UpdateUnsupported
from glocal.store.holdings import Holdings
from glocal.store.http import EngineClient, read_result, transcode
from glocal.store.pool import QueryPool
from glocal.store.rwlock import ReadWriteLock
from glocal.store.sparql import ParsedQuery, QueryResult, parse_query, query_form

__all__ = [
    "META_GRAPH",
    "RemoteStore",
    "virtuoso_timeout",
    "with_prefixes",
]

#: The graph that records the data version and the list of glocal's graphs, so a
#: restarted server knows what the engine holds without loading it again.
META_GRAPH = ID + "graph/meta"
#: The default graph of every query that names none: the RDF merge of glocal's named
#: graphs, loaded beside them, so that a triple stated by several sources is one
#: answer (a list of ``default-graph-uri`` is a bag union in Virtuoso as in Oxigraph).
#: A blank node in it is a copy of the one in its named graph, not the same node.
MERGED_GRAPH = ID + "graph/merged"
#: Graphs are loaded under names below this one, then moved into place.
STAGING_GRAPHS = ID + "graph/staging/"
# Named as the dataset of a query while the store holds no graph: an empty list would
# give the engine's own default dataset, which in Virtuoso holds its system graphs.
_NO_GRAPH = ID + "graph/none"
_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
# VoID's count of a graph's triples, recorded at load and checked on opening.
_TRIPLES = "http://rdfs.org/ns/void#triples"
_DECLARED = re.compile(r"\bPREFIX\s+([^\s:]*):", re.IGNORECASE)
# What may be a prefixed name's prefix. Only missing one is harmful (a declaration too
# many is not), so a name after a dot counts: "?o.gl:x" is "?o", ".", "gl:x".
_MENTIONED = re.compile(r"(?<!\w)([A-Za-z][\w-]*):")


def virtuoso_timeout(seconds: float) -> dict[str, str]:
    """Virtuoso's own per-query time limit: the ``timeout`` parameter, in milliseconds.

    Closing the connection alone does not stop a query in Virtuoso (it notices only when
    it writes the result), so the engine is told the limit as well.

    >>> virtuoso_timeout(2.5)
    {'timeout': '2500'}
    """
    return {"timeout": str(max(1, round(seconds * 1000)))}


def with_prefixes(sparql: str) -> str:
    """Declare the prefixes of glocal's that a query uses without declaring them.

    Oxigraph gets them as predeclared prefixes; an engine only sees the query text.
    Only the prefixes the text mentions are declared: all of them would add 1.2 KB to
    every request, too much for a query sent in a URL (Virtuoso 7.2 keeps only the
    first 9,999 bytes of a request line). A mention in a string or comment declares a
    prefix needlessly, which is harmless. The declarations go on the query's first
    line, so line numbers in the engine's error messages stay those of the query.

    >>> with_prefixes("PREFIX gl: <x:> ASK {}").count("PREFIX gl:")
    1
    >>> with_prefixes("ASK { ?s a gl:City }")
    'PREFIX gl: <https://w3id.org/glocal/ontology#> ASK { ?s a gl:City }'
    >>> with_prefixes("ASK { ?s ?p ?o.gl:x ?q ?r }").startswith("PREFIX gl: ")
    True
    """
    declared = {match.group(1) for match in _DECLARED.finditer(sparql)}
    used = {match.group(1) for match in _MENTIONED.finditer(sparql)}
    missing = "".join(
        f"PREFIX {name}: <{iri}> "
        for name, iri in PREFIXES.items()
        if name in used and name not in declared
    )
    return missing + sparql


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
        Seconds allowed for requests that have no deadline of their own: the requests
        of :meth:`load`, and :meth:`query` and :meth:`stream` without ``timeout``.
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
        self.timeout = timeout
        self._engine = EngineClient(
            endpoint_url,
            update_url=update_url or endpoint_url,
            graph_store_url=graph_store_url,
            auth=auth,
            timeout=timeout,
        )
        self._engine_timeout = engine_timeout
        self._lock = ReadWriteLock()
        self._graphs: list[str] = []
        # What was loaded, so that an engine that went away is recounted when it is back.
        self._holdings = Holdings()
        # Untrusted queries are parsed in a killable worker over an empty store (made
        # on first use): parsing evaluates them, which a hostile query can make costly.
        self._parser: QueryPool | None = None
        self._parser_dir: str | None = None
        try:
            self.version, self._graphs = self._read_meta()
        except BaseException:
            self._engine.close()
            raise

    @classmethod
    def open(cls, dataset: Dataset, endpoint_url: str, **options: Any) -> RemoteStore:
        """Connect, and load the dataset unless the engine already holds its version.

        ``options`` go to the constructor. This is what a server start calls: a restart
        on unchanged data finds the version in :data:`META_GRAPH`, and each graph's
        triples counted as loaded, and loads nothing.
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
            f"SELECT ?version ?graph ?triples WHERE {{ GRAPH <{META_GRAPH}> {{ "
            f"<{META_GRAPH}> <{_VERSION_INFO}> ?version "
            f"OPTIONAL {{ <{META_GRAPH}> <{DCTERMS}hasPart> ?graph "
            f"OPTIONAL {{ ?graph <{_TRIPLES}> ?triples }} }} }} }}"
        )
        result = self._fetch(sparql, SPARQL_XML, [_NO_GRAPH], [META_GRAPH], self.timeout)
        assert isinstance(result, QuerySolutions)
        rows = list(result)
        if not rows:
            return "", []
        recorded = {row["graph"].value: row["triples"] for row in rows if row["graph"] is not None}
        graphs = sorted(set(recorded) - {MERGED_GRAPH})
        if MERGED_GRAPH not in recorded or None in recorded.values():
            # Loaded before the merged graph or the triple counts were recorded: load again.
            return "", graphs
        loaded = {g: int(n.value) for g, n in recorded.items()}
        if self._count_triples(list(recorded)) != loaded:
            # The engine lost part of a load: Virtuoso killed before its next checkpoint
            # was seen to come back with the version recorded and triples missing.
            return "", graphs
        self._holdings = Holdings(loaded)
        return rows[0]["version"].value, graphs

    def _count_triples(self, graphs: Sequence[str]) -> dict[str, int]:
        """The number of triples in each of ``graphs`` that holds any."""
        sparql = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        result = self._fetch(sparql, SPARQL_XML, [_NO_GRAPH], graphs, self.timeout)
        assert isinstance(result, QuerySolutions)
        return {row["g"].value: int(row["n"].value) for row in result}

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run a trusted query and return Oxigraph result objects, as EmbeddedStore does.

        The query is parsed locally first (:func:`~glocal.store.sparql.query_form`):
        its form decides the lossless format asked of the engine, and syntax errors
        get the same messages as from the embedded store.

        Parameters
        ----------
        sparql
            The query text; glocal's prefixes need no declaration (:func:`with_prefixes`).
        default_graphs, named_graphs
            The query's dataset; by default the merge of glocal's graphs is the default
            graph and glocal's graphs are the named graphs.
        timeout
            Seconds the query may run, enforced as in :meth:`stream`: the engine is told
            the limit and the connection is closed when it passes. The store's
            ``timeout`` if ``None``, so that a store opened with a long ``timeout`` for
            loading can still bound each query by less.

        Raises
        ------
        QuerySyntaxError
            If the query is malformed.
        QueryTimeout
            If the query ran past its limit; the message names the limit.
        StoreUnavailable
            If the engine cannot be reached or goes away.
        QueryFailed
            If the engine failed on the query otherwise.
        """
        accept = N_TRIPLES if query_form(sparql) == "CONSTRUCT" else SPARQL_XML
        limit = self.timeout if timeout is None else timeout
        try:
            with self._intact():
                return self._fetch(sparql, accept, default_graphs, named_graphs, limit)
        except QueryTimeout as err:
            raise QueryTimeout(f"the limit was {limit:g} s: {err}") from err

    def stream(
        self,
        query: ParsedQuery,
        *,
        media_type: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[bytes]:
        """Run an untrusted query on the engine, stopped at ``timeout`` seconds.

        The semantics are those of :meth:`EmbeddedStore.stream
        <glocal.store.EmbeddedStore.stream>`: errors before the first chunk raise here,
        and a deadline reached while streaming ends the iterator early. The deadline is
        enforced twice: the engine is told it (``engine_timeout``), and the connection
        is closed when it passes.

        Raises
        ------
        QuerySyntaxError
            If the engine refuses the query as malformed (HTTP 400).
        QueryTimeout
            If the query ran past ``timeout`` (the store's ``timeout`` if ``None``).
        StoreUnavailable
            If the engine cannot be reached or goes away.
        QueryFailed
            If the engine failed on the query otherwise.
        ValueError
            If ``media_type`` cannot carry the query's results.
        """
        if media_type not in query.media_types:
            raise ValueError(f"{media_type} cannot carry {query.form} results")
        accept = N_TRIPLES if query.form == "CONSTRUCT" else SPARQL_XML
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        with self._intact(), self._lock.reading():
            response = self._engine.query(
                self._request(query.text, default_graphs, named_graphs, limit),
                accept=accept,
                timeout=deadline - time.monotonic(),
            )
        return transcode(response, accept, media_type, deadline)

    @contextmanager
    def _intact(self) -> Iterator[None]:
        """Answer only from an engine that holds what was loaded: recount it first if a
        request found it gone (:class:`~glocal.store.holdings.Holdings`)."""
        held = self._holdings
        held.check()
        if held.must_recount:
            held.recounted(self._count_triples(list(held.triples)))
        try:
            yield
        except StoreUnavailable:
            held.engine_went_away()
            raise

    def update(self, sparql: str, *, timeout: float | None = None) -> RemoteStore:
        """Not offered: an engine takes updates through its own endpoint and access control.

        Raises
        ------
        UpdateUnsupported
            Always.
        """
        raise UpdateUnsupported(
            "this store backend applies updates through its own engine, not through glocal"
        )

    def _fetch(
        self,
        sparql: str,
        accept: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        timeout: float,
    ) -> QueryResult:
        # Trusted queries are small: the read side is held until the whole body is read.
        with self._lock.reading():
            data = self._request(sparql, default_graphs, named_graphs, timeout)
            response = self._engine.query(data, accept=accept, timeout=timeout)
            return read_result(response, accept)

    def _request(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        timeout: float,
    ) -> dict[str, str | list[str]]:
        """The form of a query request: the text with prefixes, its dataset, its limit."""
        live = self._graphs or [_NO_GRAPH]
        data: dict[str, str | list[str]] = {
            "query": with_prefixes(sparql),
            "default-graph-uri": list(default_graphs or ([MERGED_GRAPH] if self._graphs else live)),
            "named-graph-uri": list(named_graphs or live),
        }
        if self._engine_timeout is not None:
            data.update(self._engine_timeout(timeout))
        return data

    def load(self, dataset: Dataset) -> None:
        """Replace the engine's content with a dataset: before or after, never half.

        Each named graph is uploaded with the Graph Store Protocol under a staging name
        that no query's dataset includes, so the upload is invisible. Then one SPARQL
        Update moves every staging graph into place, drops graphs the dataset no longer
        has and records the version in :data:`META_GRAPH`, with each graph's number of
        triples as the engine counted them in staging, which :meth:`open` checks: an
        engine that lost part of a load (Virtuoso killed before its next checkpoint) is
        loaded again, not served with the version. The swap holds this store's
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
        if self._engine.graph_store_url is None:
            raise ValueError("loading needs the engine's Graph Store endpoint (graph_store_url)")
        graphs = _triples_by_graph(dataset)
        graphs[MERGED_GRAPH] = list(dict.fromkeys(t for ts in graphs.values() for t in ts))
        token = uuid.uuid4().hex
        staging = {graph: f"{STAGING_GRAPHS}{token}/{i}" for i, graph in enumerate(graphs)}
        try:
            for graph, triples in graphs.items():
                self._engine.put_graph(staging[graph], triples)
            # As the engine counts them (it may merge literals that Oxigraph keeps apart).
            staged = self._count_triples(list(staging.values()))
        except BaseException:
            self._drop_quietly(staging.values())
            raise
        with self._lock.writing():
            operations = [f"MOVE <{staging[graph]}> TO <{graph}>" for graph in graphs]
            operations += [f"DROP SILENT GRAPH <{g}>" for g in self._graphs if g not in graphs]
            parts = "".join(f" <{DCTERMS}hasPart> <{graph}> ;" for graph in graphs)
            counts = "".join(
                f" <{graph}> <{_TRIPLES}> {Literal(staged.get(staging[graph], 0))} ."
                for graph in graphs
            )
            operations.append(
                f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}>{parts} "
                f"<{_VERSION_INFO}> {Literal(dataset.version)} .{counts} }} }}"
            )
            try:
                self._engine.update(f"DROP SILENT GRAPH <{META_GRAPH}>")
                self._engine.update(" ;\n".join(operations))
            except BaseException:
                # Whatever the engine holds now, it is no known version.
                self.version = ""
                self._graphs = sorted((set(self._graphs) | set(graphs)) - {MERGED_GRAPH})
                raise
            self.version = dataset.version
            self._graphs = sorted(set(graphs) - {MERGED_GRAPH})
            self._holdings = Holdings({g: staged.get(staging[g], 0) for g in graphs})

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        # Leftover staging graphs are invisible to queries; dropping them only saves space.
        with suppress(RuntimeError, ConnectionError, TimeoutError):
            self._engine.update(" ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs))

    def named_graphs(self) -> list[str]:
        """The IRIs of glocal's named graphs in the engine, sorted."""
        return list(self._graphs)

    def parse(
        self, sparql: str, *, federation: Collection[str] = (), timeout: float | None = None
    ) -> ParsedQuery:
        """Check untrusted query text and find its form in a local, offline worker."""
        if self._parser is None:
            self._parser_dir = tempfile.mkdtemp(prefix="glocal-parser-")
            Store(self._parser_dir).flush()
            self._parser = QueryPool(self._parser_dir, size=1, max_size=2, quick_size=1)
        parser = self._parser
        return parse_query(
            sparql,
            federation=federation,
            # An engine makes its SERVICE calls itself, from a process glocal cannot cut
            # off the network: decide them on the parsed algebra first.
            form_of=lambda text: parser.form(text, timeout=timeout, allow=tuple(federation)),
        )

    def close(self) -> None:
        """Close the HTTP connections and the parsing worker."""
        self._engine.close()
        if self._parser is not None:
            self._parser.close()
            self._parser = None
        if self._parser_dir is not None:
            shutil.rmtree(self._parser_dir, ignore_errors=True)
            self._parser_dir = None


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
