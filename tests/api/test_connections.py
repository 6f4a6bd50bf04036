"""Slow clients, connection floods and runaways together: the server keeps answering.

These are the standing adversarial tests for connections (issue: hardening, item 7):
each is bounded in time and runs in CI.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from glocal.dataset import Dataset
from glocal.store import EmbeddedStore
from glocal.store.worker import resident_kb
from glocal_api.app import Settings, create_app
from glocal_api.logs import SERVER_LIMIT
from glocal_api.server import ConnectionLimits
from tests.conftest import LiveServer, start_server, stop_server

ASK = {"query": "ASK {}"}
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _half_sent(port: int) -> socket.socket:
    """A connection that has sent part of a request's headers, and then nothing."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\n")
    return sock


def _timed_ask(url: str) -> float:
    started = time.monotonic()
    answer = httpx.get(f"{url}/sparql", params=ASK, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["boolean"] is True
    return time.monotonic() - started


def _port(live: LiveServer) -> int:
    return int(live.url.rsplit(":", 1)[1])


@pytest.fixture(params=["httptools", "h11"])
def guarded(store: EmbeddedStore, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A server with short deadlines and a low connection limit, to test them quickly;
    on httptools (``glocal serve``'s) and on h11 (the bench's baseline)."""
    settings = Settings(timeout=8.0, max_queries_per_client=1_000)
    limits = ConnectionLimits(header_timeout=2, body_timeout=2, keep_alive=2, max_connections=60)
    live = start_server(create_app(store, settings), limits=limits, protocol=request.param)
    yield live
    stop_server(live)


def test_a_half_sent_request_gets_408_at_the_header_deadline(guarded: LiveServer) -> None:
    socks = [_half_sent(_port(guarded)) for _ in range(20)]
    started = time.monotonic()
    try:
        for sock in socks:
            sock.settimeout(10)
            assert sock.recv(1024).startswith(b"HTTP/1.1 408 ")
        # Without the deadline uvicorn held them until the client gave up.
        assert time.monotonic() - started < 8
    finally:
        for sock in socks:
            sock.close()


def test_a_body_that_stops_coming_is_cut_at_the_body_deadline(guarded: LiveServer) -> None:
    sock = socket.create_connection(("127.0.0.1", _port(guarded)))
    try:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK {"
        )
        sock.settimeout(10)
        started = time.monotonic()
        received = b""
        while chunk := sock.recv(1024):
            received += chunk
        assert time.monotonic() - started < 8
        assert b" 200 " not in received.split(b"\r\n", 1)[0]
    finally:
        sock.close()
    assert _timed_ask(guarded.url) < 5


def test_connections_past_the_limit_get_503_and_the_server_recovers(guarded: LiveServer) -> None:
    dropped = SERVER_LIMIT.dropped
    socks = [socket.create_connection(("127.0.0.1", _port(guarded))) for _ in range(70)]
    try:
        refused = 0
        for sock in socks[60:]:
            sock.settimeout(5)
            answer = sock.recv(1024)
            refused += answer.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 1" in answer
        assert refused >= 10
        # One warning per refusal would flood the log: most are dropped, and counted.
        assert SERVER_LIMIT.dropped - dropped >= refused - SERVER_LIMIT.burst
    finally:
        for sock in socks:
            sock.close()
    time.sleep(0.5)
    assert _timed_ask(guarded.url) < 5


def test_ask_answers_within_a_second_under_2000_slow_clients_and_8_runaways(
    dataset: Dataset, tmp_path: Path
) -> None:
    """The issue's "done when": 2,000 half-open connections held for 30 s, and eight
    runaway queries from eight client addresses, while ``ASK {}`` is asked every half
    second; every answer comes within 1 s, and no worker passes its memory limit."""
    store = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=4, memory_mb=1024)
    settings = Settings(timeout=8.0)
    limits = ConnectionLimits(header_timeout=60, max_connections=4096)
    live = start_server(create_app(store, settings), limits=limits)
    stop = threading.Event()
    peak_kb = 0

    def run_away(address: str) -> None:
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=live.url, transport=transport, timeout=30) as client:
            while not stop.is_set():
                try:
                    with client.stream("GET", "/sparql", params={"query": RUNAWAY}) as answer:
                        for _ in answer.iter_bytes():
                            if stop.is_set():
                                break
                except httpx.HTTPError:
                    pass  # cut at the time limit, as it should be

    slow = [_half_sent(_port(live)) for _ in range(2000)]
    runners = [
        threading.Thread(target=run_away, args=(f"127.0.0.{i}",), daemon=True) for i in range(2, 10)
    ]
    try:
        for runner in runners:
            runner.start()
        pool = store._workers_pool()
        deadline = time.monotonic() + 30
        while sum(w.lane == "main" for w in pool._all) - pool._idle["main"].qsize() < 8:
            assert time.monotonic() < deadline, "the runaways did not take every main worker"
            time.sleep(0.1)
        times = []
        held_until = time.monotonic() + 30
        while time.monotonic() < held_until:
            times.append(_timed_ask(live.url))
            peak_kb = max([peak_kb, *(resident_kb(w.process.pid) for w in list(pool._all))])
            time.sleep(0.5)
        assert len(times) > 30
        # Reported with -s: the figures the closing note of the hardening issue gives.
        print(
            f"\nASK {{}} under 2,000 slow connections and 8 runaways: {len(times)} asks, "
            f"median {sorted(times)[len(times) // 2] * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
            f"peak worker RSS {peak_kb / 1024:.0f} MB"
        )
        assert max(times) < 1.0, f"ASK {{}} took up to {max(times):.2f} s"
        assert peak_kb < 1024 * 1024
        # The slow connections were held all along, not dropped.
        slow[0].settimeout(0.1)
        with pytest.raises(TimeoutError):
            slow[0].recv(1)
    finally:
        stop.set()
        for sock in slow:
            sock.close()
        stop_server(live)
        store.close()


def test_a_client_that_goes_away_frees_its_worker_at_once(dataset: Dataset, tmp_path: Path) -> None:
    """The UI's abort button disconnects mid-stream; the worker used to stay blocked on
    its pipe until the time limit (up to 6 of 8 were stuck at once)."""
    store = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=1)
    live = start_server(create_app(store, Settings(timeout=60.0)))
    try:
        pool = store._workers_pool()
        with (
            live.client() as client,
            client.stream(
                "GET", "/sparql", params={"query": RUNAWAY}, headers={"Accept": "text/csv"}
            ) as answer,
        ):
            assert next(answer.iter_bytes())
            busy = [w for w in pool._all if w.lane == "main" and w not in pool._idle["main"].queue]
            assert len(busy) == 1 and busy[0].process.is_alive()
        gone = time.monotonic()
        busy[0].process.join(timeout=30)
        assert not busy[0].process.is_alive()
        assert time.monotonic() - gone < 3, "the worker ran on after its client left"
        assert _timed_ask(live.url) < 5
    finally:
        stop_server(live)
        store.close()
