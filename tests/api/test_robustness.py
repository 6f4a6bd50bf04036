"""Robustness: load, runaway queries beside normal ones, hostile input, fuzzing, secrets.

Most tests use the session ``server`` (timeout 8 s, max_query_bytes 100_000). Anything
that may take the whole process down (a deeply nested query) or that needs the admin
routes and their logs runs against ``glocal serve`` in a subprocess, so a crash there
cannot take pytest with it.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glocal.canned import load_queries
from tests.conftest import ROOT, LiveServer, free_port

TIMEOUT = 8.0  # the session server's query time limit (tests/conftest.py)
MAX_QUERY_BYTES = 100_000
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
ADMIN_TOKEN = "robustness-admin-token-5c1e9b7a"
UPDATE_TOKEN = "robustness-update-token-0d44f2"
FUZZ_STATUSES = {200, 400, 403, 406, 413}


def _count(client: httpx.Client) -> int:
    response = client.get("/sparql", params={"query": COUNT_ALL, "format": "json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _alive(url: str) -> bool:
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"})
        return response.status_code == 200 and response.json()["boolean"] is True
    except httpx.HTTPError:
        return False


def _raw(url: str, request: bytes, *, timeout: float = 15.0) -> tuple[int, bytes]:
    """Send bytes as they are (no client normalization); return the status and the rest."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        received = bytearray()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            received += chunk
    status_line = bytes(received).split(b"\r\n", 1)[0]
    parts = status_line.split()
    assert len(parts) >= 2, f"no HTTP response to {request[:80]!r}: {bytes(received)[:200]!r}"
    return int(parts[1]), bytes(received)


def _get(path: bytes) -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def _post(path: bytes, body: bytes, content_type: bytes, *extra: bytes) -> bytes:
    headers = [
        b"POST " + path + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Connection: close",
        b"Content-Type: " + content_type,
        b"Content-Length: " + str(len(body)).encode(),
        *extra,
    ]
    return b"\r\n".join(headers) + b"\r\n\r\n" + body


# ---------------------------------------------------------------- 1. load


def _load_mix() -> list[str]:
    """Paths covering every canned query, resource pages, a report and ad-hoc SPARQL."""
    paths = [f"/queries/{name}?format=json" for name in load_queries()]
    paths += [
        "/id/city/bristol",
        "/id/city/freetown",
        "/id/org/mmc",
        "/id/city/bristol.ttl",
        "/id/org/mmc.jsonld",
        "/reports/pivotal?format=json",
    ]
    sparql = [
        "ASK { city:freetown org:memberOf orgn:mmc }",
        "SELECT ?c ?name WHERE { ?c a gl:City ; rdfs:label ?name } ORDER BY ?name LIMIT 20",
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a gl:City }",
    ]
    paths += [str(httpx.URL("/sparql", params={"query": q, "format": "json"})) for q in sparql]
    construct = "CONSTRUCT { ?c org:memberOf ?o } WHERE { ?c org:memberOf ?o } LIMIT 50"
    paths.append(str(httpx.URL("/sparql", params={"query": construct, "format": "ttl"})))
    return paths


def test_load_50_concurrent_clients(server: LiveServer, tmp_path: Path) -> None:
    clients, total, time_limit = 50, 600, 20.0
    mix = _load_mix()
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    stop_at = started + time_limit

    def next_path() -> str | None:
        nonlocal issued
        with lock:
            if issued >= total or time.monotonic() > stop_at:
                return None
            issued += 1
            n = issued
        if n % 7 == 0:  # some queries the result cache has never seen: they use the engine
            query = f"SELECT ?s WHERE {{ ?s a gl:City }} LIMIT {n}"
            return str(httpx.URL("/sparql", params={"query": query, "format": "json"}))
        return mix[n % len(mix)]

    def client_loop() -> None:
        with server.client() as client:
            while (path := next_path()) is not None:
                t0 = time.monotonic()
                try:
                    response = client.get(path)
                    status = response.status_code
                except httpx.HTTPError as err:
                    status, response = -1, None
                    with lock:
                        errors.append(f"{path}: {err!r}")
                elapsed = time.monotonic() - t0
                with lock:
                    latencies.append(elapsed)
                    if status != 200 and response is not None:
                        errors.append(f"{path}: {status} {response.text[:200]}")

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=time_limit + 70)
    wall = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a load client hung"

    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    stats = {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "wall_seconds": round(wall, 3),
        "throughput_rps": round(len(latencies) / wall, 1),
        "p50_ms": round(quantiles[49] * 1000, 1),
        "p99_ms": round(quantiles[98] * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
    }
    (tmp_path / "load-test.json").write_text(json.dumps(stats, indent=2))
    print(f"\nload test: {json.dumps(stats)} (written to {tmp_path / 'load-test.json'})")
    assert errors == [], errors[:10]
    assert len(latencies) >= 100  # the bounded run did real work


# ---------------------------------------------------------------- 2. runaways


@pytest.mark.parametrize("runaways", [2, 3])
def test_runaways_do_not_starve_normal_queries(server: LiveServer, runaways: int) -> None:
    runaway_results: list[tuple[int, float, str]] = []
    normal: list[tuple[int, float]] = []
    lock = threading.Lock()

    def runaway() -> None:
        t0 = time.monotonic()
        with server.client() as client:
            response = client.get("/sparql", params={"query": CROSS_PRODUCT, "format": "json"})
        with lock:
            runaway_results.append((response.status_code, time.monotonic() - t0, response.text))

    threads = [threading.Thread(target=runaway, daemon=True) for _ in range(runaways)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    stop_at = time.monotonic() + TIMEOUT + 2

    def normal_loop(k: int) -> None:
        with server.client() as client:
            for i in range(40):
                if time.monotonic() > stop_at:
                    return
                # Distinct text each time, so the result cache cannot answer it.
                query = f"ASK {{ ?s ?p ?o }} # normal {k}-{i}-{time.monotonic_ns()}"
                t0 = time.monotonic()
                response = client.get("/sparql", params={"query": query, "format": "json"})
                with lock:
                    normal.append((response.status_code, time.monotonic() - t0))
                time.sleep(0.1)

    normals = [threading.Thread(target=normal_loop, args=(k,), daemon=True) for k in range(3)]
    for thread in normals:
        thread.start()
    for thread in [*normals, *threads]:
        thread.join(timeout=TIMEOUT + 60)
    print(
        f"\nrunaways: {[(s, round(t, 2)) for s, t, _ in runaway_results]}; "
        f"normal: {len(normal)} requests, statuses {sorted({s for s, _ in normal})}, "
        f"max {max((t for _, t in normal), default=0):.2f} s"
    )
    assert len(runaway_results) == runaways
    for status, seconds, text in runaway_results:
        assert status == 503 and "time limit" in text
        assert TIMEOUT - 0.5 < seconds < TIMEOUT + 5
    assert normal and all(status == 200 for status, _ in normal)
    # A normal ASK takes milliseconds: waiting half the time limit means it was starved.
    assert max(t for _, t in normal) < TIMEOUT / 2


# ---------------------------------------------------------------- 3. bad input


def _padded(size: int) -> str:
    query = "ASK { ?s ?p ?o }\n#"
    return query + "x" * (size - len(query))


def test_query_size_limit_boundary(server: LiveServer) -> None:
    direct = {"Content-Type": "application/sparql-query", "Accept": "application/json"}
    with server.client() as client:
        at_limit = client.post("/sparql", content=_padded(MAX_QUERY_BYTES), headers=direct)
        assert at_limit.status_code == 200, at_limit.text
        assert at_limit.json()["boolean"] is True
        over = client.post("/sparql", content=_padded(MAX_QUERY_BYTES + 1), headers=direct)
        assert over.status_code == 413
        # A form body counts its encoding; letters encode as themselves.
        form_under = client.post("/sparql", data={"query": _padded(MAX_QUERY_BYTES - 200)})
        assert form_under.status_code == 200, form_under.text
        form_over = client.post("/sparql", data={"query": _padded(MAX_QUERY_BYTES + 1)})
        assert form_over.status_code == 413
        # A multibyte query counts bytes, not characters.
        wide = "ASK { ?s ?p ?o }\n#" + "é" * (MAX_QUERY_BYTES // 2)
        assert client.post("/sparql", content=wide.encode(), headers=direct).status_code == 413
        # Over the limit in the URL: refused, never a 5xx, and the server stays up.
    # Over the limit in the URL (httpx refuses such a URL, so send it raw): refused,
    # never a 5xx, and the server stays up.
    long_query = httpx.QueryParams({"query": _padded(MAX_QUERY_BYTES + 1)})
    status, _ = _raw(server.url, _get(b"/sparql?" + str(long_query).encode()))
    print(f"\nGET with a {len(str(long_query))}-byte query string: {status}")
    assert status in (400, 413, 414, 431)
    assert _alive(server.url)


def test_moderately_nested_queries_are_answered(server: LiveServer) -> None:
    groups = "ASK " + "{ " * 300 + "?s ?p ?o" + " }" * 300
    parens = "ASK { ?s ?p ?o FILTER(" + "(" * 300 + "true" + ")" * 300 + ") }"
    with server.client() as client:
        for query in (groups, parens):
            response = client.get("/sparql", params={"query": query, "format": "json"})
            assert response.status_code == 200, response.text[:300]
    assert _alive(server.url)


def test_raw_invalid_utf8_in_url_and_form_is_400(server: LiveServer) -> None:
    # Raw (not percent-encoded) invalid bytes in the URL and in a form body.
    status, _ = _raw(server.url, _get(b"/sparql?query=ASK%20%7B%7D%20%23\xff"))
    assert status == 400
    status, body = _raw(
        server.url,
        _post(b"/sparql", b"query=ASK+%7B%7D+%23\xff\xfe", b"application/x-www-form-urlencoded"),
    )
    assert status == 400 and b"UTF-8" in body
    status, _ = _raw(server.url, _get(b"/queries/city-profile?city=city:bristol\xff&format=json"))
    assert status == 400
    assert _alive(server.url)


PERCENT_INVALID = {
    "sparql-get-query": ("GET", "/sparql?query=ASK%20%7B%7D%20%23%FF"),
    "sparql-get-format": ("GET", "/sparql?query=ASK%20%7B%7D&format=json%C3"),
    "sparql-form-query": ("POST", "query=ASK%20%7B%7D%20%23%FF"),
    "sparql-form-literal": ("POST", "query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D"),
    "canned-string-parameter": (
        "GET",
        "/queries/pivotal-cities-assessment?category=pivotal%20city%FF&format=json",
    ),
}


@pytest.mark.parametrize("case", list(PERCENT_INVALID))
def test_percent_encoded_invalid_utf8_is_400(server: LiveServer, case: str) -> None:
    method, target = PERCENT_INVALID[case]
    with server.client() as client:
        if method == "GET":
            response = client.get(target)
        else:
            response = client.post(
                "/sparql",
                content=target.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
    assert response.status_code != 500
    assert response.status_code == 400, (case, response.status_code, response.text)


TRAVERSALS = [
    b"/id/..%2F..%2Fetc%2Fpasswd",
    b"/id/city/..%2F..%2F..%2Fpyproject.toml",
    b"/id/../../pyproject.toml",
    b"/queries/..%2F..%2Fpyproject.toml",
    b"/queries/..%2F..%2Fapi%2Fapp.py",
    b"/queries/%252e%252e%252f%252e%252e%252fpyproject.toml",
    b"/static/..%2F..%2Fpyproject.toml",
    b"/static/..%2Fapp.py",
    b"/static/../app.py",
    b"/static/../../pyproject.toml",
    b"/static/%2e%2e/app.py",
    b"/static/%252e%252e/app.py",
    b"/static/%252e%252e%252f%252e%252e%252fpyproject.toml",
    b"/static/..\\app.py",
    b"/static/....//....//pyproject.toml",
    b"/reports/..%2F",
    b"/reports/..%2F..%2Fpyproject.toml",
    b"/reports/%252e%252e%252fpyproject.toml",
    b"/sparql/..%2F..%2Fpyproject.toml",
    b"/admin/..%2F..%2Fpyproject.toml",
]


@pytest.mark.parametrize("path", TRAVERSALS, ids=[p.decode() for p in TRAVERSALS])
def test_path_traversal_never_serves_files(server: LiveServer, path: bytes) -> None:
    status, response = _raw(server.url, _get(path))
    assert status in (400, 404, 405), (status, response[:300])
    assert b"[project]" not in response
    assert b"import " not in response
    assert b"root:" not in response


def test_oversized_bodies_without_tokens(server: LiveServer) -> None:
    big = b"x" * (MAX_QUERY_BYTES + 10)
    cases = [
        ("/sparql", "application/sparql-query", {413}),
        ("/sparql", "application/x-www-form-urlencoded", {413}),
        ("/sparql", "application/sparql-update", {403, 413}),
        ("/update", "application/sparql-update", {403, 413}),
        ("/update", "application/x-www-form-urlencoded", {403, 413}),
        ("/admin/import", "text/csv", {403, 413}),
        ("/admin/reload", "text/csv", {403, 413}),
    ]
    with server.client() as client:
        for route, media, expected in cases:
            sized = client.post(route, content=big, headers={"Content-Type": media})
            assert sized.status_code in expected, (route, media, sized.status_code)
            # Chunked (no Content-Length): the limit must hold while streaming too.
            chunked = client.post(
                route, content=iter([big[:50_000], big[50_000:]]), headers={"Content-Type": media}
            )
            assert chunked.status_code in expected, (route, media, chunked.status_code)
    assert _alive(server.url)


# ---------------------------------------------------------------- 4. fuzzing

SPARQL_BITS = st.sampled_from(
    [
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "WHERE",
        "{",
        "}",
        "(",
        ")",
        "?s",
        "?p",
        "?o",
        "*",
        ".",
        ";",
        ",",
        "FILTER",
        "OPTIONAL",
        "UNION",
        "GRAPH",
        "SERVICE",
        "<http://127.0.0.1:1/x>",
        "city:bristol",
        "gl:City",
        "a",
        '"x"',
        "'y'",
        "1",
        "LIMIT",
        "PREFIX",
        "BASE",
        "VALUES",
        "BIND",
        "AS",
        "COUNT(*)",
        "INSERT",
        "DELETE",
        "DATA",
        "LOAD",
        "CLEAR",
        "DROP",
        "ALL",
        "#",
        "\\u0053ERVICE",
        "\n",
        "\x00",
        "\ufffd",
    ]
)
QUERY_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(SPARQL_BITS, max_size=30).map(" ".join),
)
CANNED = [
    ("city-profile", "city"),
    ("members-of-network", "network"),
    ("year-overview", "year"),
    ("pivotal-cities-assessment", "category"),
    ("fact-provenance", "object"),
]


@pytest.fixture(scope="module")
def fuzz_client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        before = _count(client)
        yield client
        assert _count(client) == before, "fuzzed requests changed the data"
        assert _alive(server.url)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=QUERY_TEXT, fmt=st.sampled_from([None, "json", "xml", "ttl", "csv", "nope"]))
def test_fuzz_sparql_query_parameter(
    fuzz_client: httpx.Client, query: str, fmt: str | None
) -> None:
    params = {"query": query} | ({"format": fmt} if fmt else {})
    get = fuzz_client.get("/sparql", params=params)
    assert get.status_code in FUZZ_STATUSES, (query, get.status_code, get.text[:300])
    post = fuzz_client.post("/sparql", data=params)
    assert post.status_code in FUZZ_STATUSES, (query, post.status_code, post.text[:300])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canned=st.sampled_from(CANNED), value=QUERY_TEXT)
def test_fuzz_canned_query_parameters(
    fuzz_client: httpx.Client, canned: tuple[str, str], value: str
) -> None:
    name, parameter = canned
    response = fuzz_client.get(f"/queries/{name}", params={parameter: value, "format": "json"})
    assert response.status_code in FUZZ_STATUSES, (value, response.status_code, response.text)


# ---------------------------------------------------------------- 5. a real `glocal serve`


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def logs(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``glocal serve`` with admin routes and updates on, in its own process."""
    root = tmp_path_factory.mktemp("served")
    token_file = root / "admin-token"
    token_file.write_text(ADMIN_TOKEN + "\n")
    update_file = root / "update-token"
    update_file.write_text(UPDATE_TOKEN + "\n")
    port = free_port()
    command = [sys.executable, "-m", "glocal_cli.main", "--cache-dir", str(root / "cache")]
    command += ["serve", "--port", str(port), "--admin-token-file", str(token_file)]
    command += ["--enable-update", "--update-token-file", str(update_file), "--workers", "2"]
    command += ["--timeout", str(TIMEOUT), "--max-query-bytes", str(MAX_QUERY_BYTES)]
    command += ["--max-queries-per-client", "1000"]
    command += ["--imports-dir", str(root / "imports")]
    out, err = root / "stdout.log", root / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr)
    live = Served(f"http://127.0.0.1:{port}", process, out, err)
    try:
        deadline = time.monotonic() + 120
        while not _alive(live.url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"glocal serve did not start (rc {process.poll()}):\n{live.logs()}")
            time.sleep(0.5)
        yield live
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_secrets_never_appear_in_logs_or_responses(served: Served) -> None:
    csv = "city,country,network,role,since\nBristol,GB,MMC,leadership board,2018\n"
    bad_csv = "city,country,network,role,since\nBristol,Narnia,MMC,member,20x8\n"
    good = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    bodies: list[str] = []
    with httpx.Client(base_url=served.url, timeout=60) as client:
        for auth in (
            None,
            "Bearer wrong",
            ADMIN_TOKEN,
            f"Bearer {ADMIN_TOKEN}x",
            f"Basic {ADMIN_TOKEN}",
        ):
            headers = {"Content-Type": "text/csv"} | ({"Authorization": auth} if auth else {})
            for route in ("/admin/import", "/admin/reload"):
                response = client.post(route, content=csv, headers=headers)
                assert response.status_code == 403, (route, auth, response.text)
                bodies.append(response.text)
        ok = client.post(
            "/admin/import?name=robust", content=csv, headers=good | {"Content-Type": "text/csv"}
        )
        assert ok.status_code == 200, ok.text
        rejected = client.post(
            "/admin/import", content=bad_csv, headers=good | {"Content-Type": "text/csv"}
        )
        assert rejected.status_code == 422, rejected.text
        reload = client.post("/admin/reload", headers=good)
        assert reload.status_code == 200, reload.text
        wrong_update = client.post(
            "/update",
            content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Authorization": "Bearer nope", "Content-Type": "application/sparql-update"},
        )
        assert wrong_update.status_code == 403
        bodies += [ok.text, rejected.text, reload.text, wrong_update.text]
    for body in bodies:
        assert ADMIN_TOKEN not in body and UPDATE_TOKEN not in body
    time.sleep(0.5)  # let the server flush its log lines
    logs = served.logs()
    assert "imported" in logs, logs  # the log did record the import ...
    assert ADMIN_TOKEN not in logs  # ... but never the token
    assert UPDATE_TOKEN not in logs


def test_oversized_bodies_with_tokens(served: Served) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    update = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    big = b"x" * (MAX_QUERY_BYTES + 10)
    with httpx.Client(base_url=served.url, timeout=60) as client:
        for media in ("application/sparql-update", "application/x-www-form-urlencoded"):
            sized = client.post("/update", content=big, headers=update | {"Content-Type": media})
            assert sized.status_code == 413, sized.text
            chunked = client.post(
                "/update",
                content=iter([big[:60_000], big[60_000:]]),
                headers=update | {"Content-Type": media},
            )
            assert chunked.status_code == 413, chunked.text
        # The import limit is 50 MB: stream a little over it without a Content-Length.
        piece = b"city,country,network,role,since\n" + b"x" * (1 << 20)
        stream = (piece for _ in range(52))
        chunked = client.post(
            "/admin/import", content=stream, headers=admin | {"Content-Type": "text/csv"}
        )
        assert chunked.status_code == 413, chunked.text[:300]
    # A declared Content-Length over the limit is refused before the body is read.
    extra = (f"Authorization: Bearer {ADMIN_TOKEN}".encode(), b"Content-Length: 60000000")
    request = b"\r\n".join(
        [
            b"POST /admin/import HTTP/1.1",
            b"Host: 127.0.0.1",
            b"Connection: close",
            b"Content-Type: text/csv",
            *extra,
        ]
    )
    status, _ = _raw(served.url, request + b"\r\n\r\ncity,country\n", timeout=15)
    assert status == 413
    assert _alive(served.url)


NESTED = {
    "groups-5000": "ASK " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000,
    "filter-parens-5000": "ASK { ?s ?p ?o FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }",
}


@pytest.mark.parametrize("name", list(NESTED))
def test_deeply_nested_query_is_a_clear_4xx_and_server_stays_up(served: Served, name: str) -> None:
    # Runs last against the subprocess server: a crash must not take pytest down.
    assert _alive(served.url), f"server already down:\n{served.logs()[-2000:]}"
    try:
        with httpx.Client(base_url=served.url, timeout=30) as client:
            response = client.post(
                "/sparql",
                content=NESTED[name],
                headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
            )
        status: int | str = response.status_code
    except httpx.HTTPError as err:
        status = repr(err)
    time.sleep(0.5)
    alive = _alive(served.url)
    print(f"\n{name}: status {status}; server alive: {alive}; rc {served.process.poll()}")
    assert alive, f"server died (rc {served.process.poll()}): {served.logs()[-2000:]}"
    assert status in (400, 413)
