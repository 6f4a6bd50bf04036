"""Shared fixtures: the curated store and a real server on a free loopback port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Route, sync_playwright

from glocal.dataset import Dataset, curated_files, load_files
from glocal.store import EmbeddedStore
from glocal.store.virtuoso import ISQL, VIRTUOSO, VirtuosoServer
from glocal_api.app import Settings, create_app
from glocal_api.server import ConnectionLimits, make_server
from glocal_cli.bench import chromium

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The ontology and curated data, parsed once per test session."""
    return load_files(curated_files())


@pytest.fixture(scope="session")
def store(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The curated graph in an embedded store."""
    embedded = EmbeddedStore.open(dataset, cache_dir=tmp_path_factory.mktemp("cache"), workers=3)
    yield embedded
    embedded.close()


@dataclass
class LiveServer:
    """A uvicorn server running the real app in a background thread."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    app: object,
    limits: ConnectionLimits | None = None,
    protocol: Literal["httptools", "h11"] = "httptools",
) -> LiveServer:
    """Start ``app`` on a free loopback port and wait until it answers."""
    port = free_port()
    server = make_server(app, host="127.0.0.1", port=port, limits=limits, protocol=protocol)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start within 30 s")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", server, thread)


def stop_server(live: LiveServer) -> None:
    live.server.should_exit = True
    live.thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(store: EmbeddedStore) -> Iterator[LiveServer]:
    """The real app over the curated store, with a short timeout so runaway tests end quickly."""
    # Tests play many clients from one loopback address: no per-client limit here
    # (tests/api/test_errors.py tests the limit on a server of its own).
    settings = Settings(timeout=8.0, max_query_bytes=100_000, max_queries_per_client=1_000)
    live = start_server(create_app(store, settings))
    yield live
    stop_server(live)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A Virtuoso server on loopback ports whose anonymous SPARQL user may update."""
    if VIRTUOSO is None or ISQL is None:
        message = "Virtuoso is not installed (`make debian-packages`: virtuoso-opensource)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    server.start(timeout=60)
    try:
        server.grant_updates()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded one), shared by the tests of one module.

    Module-scoped, not session-scoped: ``glocal bench``'s page timing starts its own
    Playwright session, which cannot run while another is open in the same thread.
    """
    if reason := chromium.missing():
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


class Offline:
    """A Playwright route handler that refuses, and records, every request leaving ``host``."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.refused: list[str] = []

    def __call__(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == self.host:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def check(self) -> None:
        assert not self.refused, f"the page tried to fetch from outside: {self.refused}"


@pytest.fixture
def offline(server: LiveServer) -> Offline:
    """Refuses every request a page makes beyond the ``server`` fixture's host."""
    return Offline(urlsplit(server.url).hostname or "127.0.0.1")
