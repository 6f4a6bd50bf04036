"""``/reports``: the pivotal-cities report and single centrality measures.

Reports are computed through the store interface and cached (as their frozen
dataclasses) by data version and options, so a repeat request costs nothing and a
reload never serves a stale report. Bad options (an unknown layer or measure) are the
analysis's ``ValueError``, answered with 400 and its message.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import Future
from functools import partial
from typing import Annotated, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from glocal.analysis.graph import LAYERS, check_layers
from glocal.analysis.pivotality import MEASURES
from glocal.formats import CSV, HTML, JSON, MARKDOWN, SHORT_NAMES, SPARQL_JSON, negotiate
from glocal.report.build import centrality_report, pivotal_report
from glocal.report.html import render_html
from glocal.report.model import CentralityReport, PivotalReport
from glocal.report.text import render_csv, render_json, render_markdown
from glocal.store import GraphStore
from glocal_api.runtime import Runtime, runtime_of

__all__ = ["default_pivotal", "router"]

router = APIRouter(tags=["Reports"])

_RENDER: dict[str, tuple[Callable[[PivotalReport], str], type[Response]]] = {
    # Served, the page carries the site's navigation and links cities to their pages.
    HTML: (partial(render_html, site=True), HTMLResponse),
    JSON: (render_json, Response),
    CSV: (render_csv, Response),
    MARKDOWN: (render_markdown, Response),
}


Report = TypeVar("Report", PivotalReport, CentralityReport)


def _layers(raw: list[str] | None) -> tuple[str, ...] | None:
    """The layers asked for (repeated or comma-separated), checked; ``None`` for all.

    Raises
    ------
    HTTPException
        400 with :func:`~glocal.analysis.graph.check_layers`'s message.
    """
    if not raw:
        return None
    try:
        return check_layers(
            part.strip() for value in raw for part in value.split(",") if part.strip()
        )
    except ValueError as err:
        raise HTTPException(400, str(err)) from None


def _cached(
    request: Request,
    key: tuple[Hashable, ...],
    compute: Callable[[GraphStore], Report],
    kind: type[Report],
) -> Report:
    runtime = runtime_of(request)
    store = runtime.store
    report = runtime.reports.get((store.version, *key), partial(compute, store))
    assert isinstance(report, kind), f"{key!r} holds a {kind.__name__}"
    return report


#: The cache key of the report ``/reports/pivotal`` gives with no options.
_DEFAULT = ("pivotal", None, None)


def default_pivotal(runtime: Runtime) -> Future[object]:
    """The pivotal report with default options of the served version, from the reports'
    cache, its computation started in the background if nobody asked for it yet.

    Resource pages read it (a city's rank and intervals) without waiting for it: the
    report takes minutes at 20,000 cities. It is the very report ``/reports/pivotal``
    serves, and that route waits for the same computation instead of starting another.
    """
    store = runtime.store
    return runtime.reports.start(
        (store.version, *_DEFAULT), partial(_pivotal, runtime, store, layers=None, top=None)
    )


class ShuttingDown(RuntimeError):
    """The server shuts down: a report being computed stops at its next step."""


def _pivotal(
    runtime: Runtime, store: GraphStore, *, layers: tuple[str, ...] | None, top: int | None
) -> PivotalReport:
    """The pivotal report, stopped at its next step if the server shuts down meanwhile."""

    def unless_stopping(_: str) -> None:
        if runtime.stopping.is_set():
            raise ShuttingDown("the server is shutting down; the report was not finished")

    return pivotal_report(store, layers=layers, top=top, progress=unless_stopping)


@router.get(
    "/reports/pivotal",
    summary="Which cities are pivotal, and why (HTML, JSON, CSV or Markdown)",
    responses={
        200: {"content": {media: {} for media in _RENDER}},
        400: {"description": "Unknown layer"},
        406: {"description": "No acceptable format"},
    },
)
async def pivotal(
    request: Request,
    layers: Annotated[
        list[str] | None,
        Query(
            description=f"layers of ties to use: {', '.join(LAYERS)}", examples=["organisations"]
        ),
    ] = None,
    top: Annotated[int | None, Query(ge=1, description="list only the first N cities")] = None,
    format: Annotated[
        str | None, Query(description="html, json, csv or md (else the Accept header)")
    ] = None,
) -> Response:
    """The composite pivotality ranking with evidence, sensitivity and agreement."""
    media = SHORT_NAMES.get(format, format) if format else None
    if media == SPARQL_JSON:
        # format=json means the report's own JSON, not SPARQL results.
        media = JSON
    media = media or negotiate(request.headers.get("accept"), list(_RENDER))
    if media not in _RENDER:
        return PlainTextResponse(
            f"the report is available as {', '.join(_RENDER)}\n", status_code=406
        )
    chosen = _layers(layers)

    def compute(store: GraphStore) -> PivotalReport:
        return _pivotal(runtime_of(request), store, layers=chosen, top=top)

    report = await run_in_threadpool(
        _cached, request, ("pivotal", chosen, top), compute, PivotalReport
    )
    render, response_class = _RENDER[media]
    # Rendered once per report and format: the HTML alone takes about a second.
    body = await run_in_threadpool(
        runtime_of(request).reports.get,
        (report.data_version, "rendered", chosen, top, media),
        partial(render, report),
    )
    assert isinstance(body, str), "a rendered report is text"
    return response_class(body, media_type=media)


@router.get(
    "/reports/centrality",
    summary="One centrality measure for every city, ranked (JSON)",
    responses={400: {"description": "Unknown measure or layer"}},
)
async def centrality(
    request: Request,
    measure: Annotated[
        str, Query(description=f"one of {', '.join(MEASURES)}", examples=["betweenness"])
    ],
    layers: Annotated[list[str] | None, Query(description="layers of ties to use")] = None,
    top: Annotated[int | None, Query(ge=1)] = None,
) -> JSONResponse:
    """A single measure, e.g. ``/reports/centrality?measure=betweenness&top=10``."""
    chosen = _layers(layers)

    def compute(store: GraphStore) -> CentralityReport:
        return centrality_report(store, measure=measure, layers=chosen, top=top)

    try:
        result = await run_in_threadpool(
            _cached, request, ("centrality", measure, chosen, top), compute, CentralityReport
        )
    except ValueError as err:
        raise HTTPException(400, str(err)) from None
    return JSONResponse(result.to_json())
