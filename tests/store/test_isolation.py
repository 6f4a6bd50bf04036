"""No query reaches another host: query workers run without a network.

A loopback listener stands in for "another host". Every spelling of ``SERVICE`` that got
past the old text check (``1SERVICE``, ``1.5SERVICE``, ``trueSERVICE`` ...) and a
grammar-based fuzzer of further spellings run in the real worker pool, and the listener
must never see a connection. The same query on a store with federation on does reach
it, which shows the listener would notice.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glocal.dataset import Dataset
from glocal.store import (
    EmbeddedStore,
    FederationRefused,
    ParsedQuery,
    QueryFailed,
    QueryTimeout,
)
from glocal.store.isolation import cut_network
from tests.conftest import LiveServer


class Listener:
    """A TCP listener on loopback that records every connection it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.hits = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _run(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def offline_store(
    dataset: Dataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(dataset, cache_dir=tmp_path_factory.mktemp("offline"), workers=2)
    yield store
    store.close()


def _run(store: EmbeddedStore, text: str, form: str = "SELECT") -> None:
    """Run ``text`` in the worker pool as if it had passed every check before it."""
    media = "text/csv" if form == "SELECT" else "text/turtle"
    with contextlib.suppress(QueryFailed, QueryTimeout, ValueError):
        b"".join(store.stream(ParsedQuery(text, form), media_type=media, timeout=10))  # type: ignore[arg-type]


SPELLINGS = [
    "SELECT ?a WHERE {{ ?s <urn:p>* 1SERVICE <{url}> {{ ?x ?y ?a }} }}",
    "SELECT ?a WHERE {{ ?s <urn:p>* 1.5SERVICE <{url}> {{ ?x ?y ?a }} }}",
    "SELECT ?a WHERE {{ ?s <urn:p>* trueSERVICE <{url}> {{ ?x ?y ?a }} }}",
    "SELECT ?a WHERE {{ SERVICE <{url}> {{ ?x ?y ?a }} }}",
    "SELECT ?a WHERE {{ sErViCe SILENT <{url}> {{ ?x ?y ?a }} }}",
    "PREFIX e: <{base}> SELECT ?a WHERE {{ SERVICE e:sparql {{ ?x ?y ?a }} }}",
    "SELECT ?a WHERE {{ SERVICE#comment\n<{url}> {{ ?x ?y ?a }} }}",
]


def test_the_kernel_lets_a_worker_cut_its_network() -> None:
    """The end-to-end tests below are meaningful only where unshare is allowed (it is on
    the tests' and CI's machines); this one fails loudly where it is not."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.apply(cut_network), "unshare(CLONE_NEWNET) is not allowed here"


@pytest.mark.parametrize("template", SPELLINGS)
def test_no_spelling_of_service_reaches_another_host(
    offline_store: EmbeddedStore, listener: Listener, template: str
) -> None:
    before = listener.hits
    _run(offline_store, template.format(url=listener.url, base=listener.url[:-6]))
    assert listener.hits == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lead=st.sampled_from(["", "1", "1.5", "true", "false", "'a'", '"b"', "?v", "<urn:x>", "1e3"]),
    gap=st.sampled_from(["", " ", "\n", "\t", "#x\n", " #x\n "]),
    keyword=st.sampled_from(["SERVICE", "service", "Service", "sErViCe"]),
    silent=st.booleans(),
    target=st.sampled_from(["iri", "prefixed"]),
    form=st.sampled_from(["SELECT", "ASK", "CONSTRUCT"]),
)
def test_fuzzed_service_spellings_never_leave_the_worker(
    offline_store: EmbeddedStore,
    listener: Listener,
    lead: str,
    gap: str,
    keyword: str,
    silent: bool,
    target: str,
    form: str,
) -> None:
    endpoint = f"<{listener.url}>" if target == "iri" else "e:sparql"
    clause = f"{keyword}{gap}{' SILENT ' if silent else ' '}{endpoint} {{ ?x ?y ?a }}"
    body = f"?s <urn:p>* {lead}{clause}" if lead else clause
    head = {"SELECT": "SELECT ?a", "ASK": "ASK", "CONSTRUCT": "CONSTRUCT { ?x ?y ?a }"}[form]
    text = f"PREFIX e: <{listener.url[:-6]}> {head} WHERE {{ {body} }}"
    before = listener.hits
    _run(offline_store, text, form)
    assert listener.hits == before, text


def test_the_listener_would_notice_a_federated_call(
    dataset: Dataset, listener: Listener, tmp_path: Path
) -> None:
    store = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=1, federation=True)
    try:
        before = listener.hits
        _run(store, f"SELECT ?a WHERE {{ SERVICE <{listener.url}> {{ ?x ?y ?a }} }}")
        assert listener.hits > before
    finally:
        store.close()


def test_the_endpoint_never_calls_out(server: LiveServer, listener: Listener) -> None:
    before = listener.hits
    with server.client() as client:
        for template in SPELLINGS:
            query = template.format(url=listener.url, base=listener.url[:-6])
            response = client.get("/sparql", params={"query": query})
            # Refused by the text check (403), or run offline: an empty answer or the
            # engine's own error ("Network is unreachable"), never a call.
            assert response.status_code in (200, 403, 500), (query, response.status_code)
            if response.status_code == 500:
                assert response.text.startswith("query failed in the engine"), response.text
    assert listener.hits == before


# ---------------------------------------------------------------- updates


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}> INTO GRAPH <urn:loaded>",
        "LOAD SILENT <{url}> INTO GRAPH <urn:loaded>",
        "INSERT {{ GRAPH <urn:g> {{ ?a ?b ?c }} }} WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
        "INSERT {{ GRAPH <urn:g> {{ ?a ?b ?c }} }} WHERE {{ ?s <urn:p>* 1SERVICE <{url}> {{ ?a ?b ?c }} }}",
    ],
)
def test_no_update_reaches_another_host(
    offline_store: EmbeddedStore, listener: Listener, update: str
) -> None:
    """``LOAD`` fetched any URL, from the server's own process; updates now run in an
    offline worker like queries."""
    before = listener.hits
    with contextlib.suppress(FederationRefused, QueryFailed):
        offline_store.update(update.format(url=listener.url), timeout=30).close()
    assert listener.hits == before


def test_a_load_is_refused_with_a_message_naming_the_policy(
    offline_store: EmbeddedStore, listener: Listener
) -> None:
    with pytest.raises(FederationRefused, match="--federation-allow"):
        offline_store.update(f"LOAD <{listener.url}> INTO GRAPH <urn:loaded>", timeout=30)


def test_a_runaway_update_is_stopped_at_its_time_limit(offline_store: EmbeddedStore) -> None:
    runaway = "INSERT { GRAPH <urn:g> { ?a <urn:p> ?f } } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout):
        offline_store.update(runaway, timeout=2)
