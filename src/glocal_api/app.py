"""The FastAPI application: ``create_app(store, settings)`` assembles one router per concern.

The routers: :mod:`~glocal_api.protocol` (``/sparql``, ``/update``),
:mod:`~glocal_api.canned` (``/queries``), :mod:`~glocal_api.pages` (``/id``),
:mod:`~glocal_api.reports` (``/reports``), :mod:`~glocal_api.admin` (``/admin``) and
:mod:`~glocal_api.ui` (``/``). They share a :class:`~glocal_api.runtime.Runtime`;
errors become responses in :mod:`~glocal_api.errors` for all of them.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from glocal import __version__
from glocal.store import GraphStore
from glocal_api import admin, browse, canned, complete, coverage, pages, protocol, reports, ui
from glocal_api.client_slots import ClientSlots
from glocal_api.errors import add_error_handlers
from glocal_api.headers import SecurityHeaders
from glocal_api.query import GZIP_LEVEL, GZIP_MIN_BYTES
from glocal_api.runtime import Runtime, Settings

__all__ = ["Settings", "create_app"]

STATIC = Path(__file__).resolve().parent / "static"


def create_app(
    store: GraphStore, settings: Settings | None = None, *, clients: ClientSlots | None = None
) -> FastAPI:
    """Build the web application over a store.

    Parameters
    ----------
    store
        Any :class:`~glocal.store.GraphStore` (embedded Oxigraph or a remote engine).
    settings
        Server options; defaults are read-only with a 30 s query timeout.
    clients
        The per-client query counts, when several HTTP processes share them
        (:mod:`glocal_api.processes`); by default the app counts its own.
    """
    app = FastAPI(
        # No OpenTelemetry: asking for its global providers costs every request ~0.05 ms.
        telemetry={"tracing": False, "metrics": False, "logs": False},
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
    app.state.runtime = Runtime(store, settings or Settings(), clients=clients)
    # A report computing in the background stops at its next step, so the process can end.
    app.router.on_shutdown.append(app.state.runtime.stop)
    # Compressing on every response, at GZIP_LEVEL: the default, 9, costs several ms on a large one.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Content-Type"],
    )
    app.add_middleware(SecurityHeaders)
    add_error_handlers(app)
    for module in (protocol, canned, browse, coverage, pages, reports, ui, complete, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

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
