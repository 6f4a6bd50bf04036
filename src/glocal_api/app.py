"""The FastAPI application: ``create_app(store, settings)`` assembles one router per concern."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from glocal import __version__
from glocal.canned import CannedQuery, load_queries
from glocal.data.files import DataFiles
from glocal.store import GraphStore

__all__ = ["Runtime", "Settings", "create_app"]

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    """Server options; the defaults are the safe ones (read-only, no federation)."""

    timeout: float = 30.0
    max_query_bytes: int = 1_000_000
    update_token: str | None = None
    admin_token: str | None = None
    federation_allow: tuple[str, ...] = ()
    result_cache_entries: int = 256
    result_cache_max_bytes: int = 1_000_000
    #: The files served, for /admin/import and /admin/reload (see api/admin.py).
    data: DataFiles | None = None


@dataclass
class ResultCache:
    """Serialized results of recent queries, keyed by data version and request.

    A key includes the data version, so a reload or update never serves stale results.
    """

    entries: int
    max_bytes: int
    _items: OrderedDict[str, tuple[str, bytes]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str) -> tuple[str, bytes] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, media_type: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            self._items[key] = (media_type, body)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


class Runtime:
    """What the routers share: the current store (swappable on reload), settings, caches."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.queries: dict[str, CannedQuery] = load_queries()
        self.results = ResultCache(settings.result_cache_entries, settings.result_cache_max_bytes)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        # Reports keyed by (data version, options): computing one takes ~0.5 s.
        self.reports: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self.reports_lock = threading.Lock()

    def swap(self, store: GraphStore) -> None:
        """Switch to a new store version; the old one's workers stop after a grace period.

        Requests that already hold the old store finish on it: its workers live on for
        one query time limit before they are stopped.
        """
        old, self.store = self.store, store
        timer = threading.Timer(self.settings.timeout + 1, old.close)
        timer.daemon = True
        timer.start()


def create_app(store: GraphStore, settings: Settings | None = None) -> FastAPI:
    """Build the web application over a store.

    Parameters
    ----------
    store
        Any :class:`~glocal.store.GraphStore` (embedded Oxigraph or a remote engine).
    settings
        Server options; defaults are read-only with a 30 s query timeout.
    """
    from glocal_api import admin, canned, pages, protocol, reports, ui

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="glocal",
        version=__version__,
        description=(
            "A knowledge graph of how cities act in global migration governance: a SPARQL "
            "1.1 endpoint, canned queries, resource pages and network reports. Every fact "
            "carries its source document and a verbatim quote."
        ),
    )
    app.state.runtime = Runtime(store, settings or Settings())
    # Level 5: level 9 (the default) costs several ms per cached hit on large results.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Content-Type"],
    )
    app.include_router(protocol.router)
    app.include_router(canned.router)
    app.include_router(pages.router)
    app.include_router(reports.router)
    app.include_router(ui.router)
    app.include_router(admin.router)

    @app.exception_handler(ConnectionError)
    async def engine_unavailable(request: Request, exc: ConnectionError) -> PlainTextResponse:
        # A remote engine that is down is the server's problem, not the client's: 503.
        return PlainTextResponse(f"the SPARQL engine is unavailable: {exc}\n", status_code=503)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        # FastAPI's default page loads Swagger UI from a CDN; serve the npm copy instead.
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="glocal API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    return app
