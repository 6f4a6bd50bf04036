"""Errors become one status code and one message on every route (glocal_api.errors).

The engine-down cases use a real :class:`RemoteStore` whose engine went away: a small
loopback server answers the store's first request (the data version) and then closes
its port, so every later request fails to connect.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi import Request

from glocal.canned import ParameterError
from glocal.store import EmbeddedStore
from glocal.store.errors import (
    FederationRefused,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
    UpdateUnsupported,
)
from glocal.store.remote import RemoteStore
from glocal_api.app import Settings, create_app
from glocal_api.errors import RETRY_AFTER, RequestError, problem_of
from tests.conftest import LiveServer, start_server, stop_server

NO_VERSION = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
    b'<head><variable name="version"/><variable name="graph"/></head><results/></sparql>'
)


class _EmptyEngine(BaseHTTPRequestHandler):
    """Answers every query with no rows: an engine that holds no glocal data yet."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+xml")
        self.send_header("Content-Length", str(len(NO_VERSION)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(NO_VERSION)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def engine_down() -> Iterator[LiveServer]:
    """The app over a RemoteStore whose engine answered once and then went away."""
    engine = ThreadingHTTPServer(("127.0.0.1", 0), _EmptyEngine)
    thread = threading.Thread(target=engine.serve_forever, daemon=True)
    thread.start()
    store = RemoteStore(f"http://127.0.0.1:{engine.server_address[1]}/sparql", timeout=5)
    engine.shutdown()
    engine.server_close()
    thread.join(5)
    live = start_server(create_app(store, Settings(timeout=5, update_token="t0ken")))
    yield live
    stop_server(live)
    store.close()


@pytest.mark.parametrize(
    "path",
    [
        "/sparql?query=ASK%20%7B%7D&format=json",
        "/sparql?format=ttl",  # the service description counts the data
        "/queries/networks-of-city?city=city:freetown&format=json",
        "/id/city/freetown",
        "/id/city/freetown.ttl",
        "/reports/pivotal?format=json",
    ],
)
def test_engine_down_is_503_with_retry_after_on_every_route(
    engine_down: LiveServer, path: str
) -> None:
    with engine_down.client() as client:
        response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER)
    assert "the SPARQL engine is unavailable" in response.text


def test_a_remote_store_takes_no_updates_through_glocal(engine_down: LiveServer) -> None:
    with engine_down.client() as client:
        response = client.post(
            "/update",
            content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Authorization": "Bearer t0ken", "Content-Type": "application/sparql-update"},
        )
    assert response.status_code == 501 and "its own engine" in response.text


def test_federation_is_refused_on_canned_routes_too(server: LiveServer) -> None:
    # One SERVICE check in the store covers /sparql and canned queries alike: an IRI
    # parameter that spells SERVICE is refused by the same policy.
    with server.client() as client:
        response = client.get(
            "/queries/networks-of-city", params={"city": "http://x/SERVICE", "format": "json"}
        )
    assert response.status_code == 403 and "SERVICE" in response.text


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (QuerySyntaxError("error at 1:9"), 400),
        (ParameterError("not an IRI"), 400),
        (ValueError("unknown layer(s) gossip"), 400),
        (FederationRefused("SERVICE endpoint not on the allow-list"), 403),
        (RequestError(413, "too large"), 413),
        (QueryFailed("the engine failed"), 500),
        (UpdateUnsupported("not here"), 501),
        (QueryTimeout("stopped"), 503),
        (StoreUnavailable("cannot reach the SPARQL engine"), 503),
    ],
)
def test_each_error_type_has_one_status(
    store: EmbeddedStore, error: Exception, status: int
) -> None:
    app = create_app(store, Settings(timeout=7))
    request = Request({"type": "http", "app": app, "path": "/sparql", "headers": []})
    problem = problem_of(request, error)
    assert problem.status == status
    assert str(error) in problem.message or "7 s time limit" in problem.message
    retry = isinstance(error, StoreUnavailable | QueryTimeout)
    assert ("Retry-After" in problem.headers) == retry
    if isinstance(error, QueryTimeout):
        assert problem.headers["Retry-After"] == "7"  # the server's time limit


def test_a_query_stopped_at_the_time_limit_says_when_to_retry(store: EmbeddedStore) -> None:
    """Over the wire: 503 with ``Retry-After`` = the time limit, rounded up to seconds."""
    live = start_server(create_app(store, Settings(timeout=1.5)))
    # Counted, so nothing is sent before the limit stops it (a plain 503), and nothing
    # grows in memory: a sorted cross product could meet the memory limit first.
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    try:
        with live.client() as client:
            response = client.get("/sparql", params={"query": runaway})
    finally:
        stop_server(live)
    assert response.status_code == 503, response.text
    assert "1.5 s time limit" in response.text
    assert response.headers["retry-after"] == "2"


def test_admin_errors_are_json_and_others_text(server: LiveServer) -> None:
    with server.client() as client:
        admin = client.post("/admin/reload")
        sparql = client.get("/sparql", params={"query": "SELEKT"})
    assert admin.status_code == 403 and "admin routes are off" in admin.json()["error"]
    assert sparql.status_code == 400
    assert sparql.headers["content-type"].startswith("text/plain")
    assert sparql.text.startswith("SPARQL syntax error: ")


def test_wrong_tokens_get_the_same_refusal_on_update_and_admin(store: EmbeddedStore) -> None:
    app = create_app(store, Settings(update_token="u", admin_token="a"))
    live = start_server(app)
    try:
        with live.client() as client:
            for route, token in (("/update", "a"), ("/admin/reload", "u")):
                response = client.post(route, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 403
                assert "'Authorization: Bearer <token>'" in response.text
    finally:
        stop_server(live)


def test_a_graph_that_is_not_an_iri_is_a_client_error(server: LiveServer) -> None:
    with server.client() as client:
        for name in ("default-graph-uri", "named-graph-uri"):
            response = client.get("/sparql", params={"query": "ASK {}", name: "not an iri"})
            assert response.status_code == 400, (name, response.status_code)
            assert "not an absolute IRI" in response.text


def test_one_client_cannot_hold_every_worker(store: EmbeddedStore) -> None:
    """Past its limit of running queries a client gets 429; the count goes back down."""
    import threading

    live = start_server(create_app(store, Settings(timeout=4.0, max_queries_per_client=1)))
    # Counted, so nothing is sent before the limit stops it (a plain 503), and nothing
    # grows in memory: a sorted cross product could meet the memory limit first.
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    try:
        answers: list[int] = []

        def run() -> None:
            with live.client() as client:
                answers.append(client.get("/sparql", params={"query": runaway}).status_code)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(1.0)
        with live.client() as client:
            second = client.get("/sparql", params={"query": "ASK {}"})
            assert second.status_code == 429, second.text
            assert "queries running" in second.text
        thread.join(timeout=60)
        assert answers == [503]
        with live.client() as client:
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        stop_server(live)
