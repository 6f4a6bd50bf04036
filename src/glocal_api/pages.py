"""Resource pages: every IRI under ``/id/...`` dereferences.

A browser gets HTML with every fact grouped and linked, each with its sources and
quotes; other clients get Turtle, JSON-LD or N-Triples by content negotiation, or by a
``.ttl``, ``.jsonld`` or ``.json`` suffix (Datasette's convention). Every format renders
the same description (:func:`glocal.views.resource.describe`), so they never disagree.

A city's page also shows where the pivotal report ranks it, with the report's
intervals (:mod:`glocal.report.standing`). Those figures are computed from the graph,
not stated by a source, so they are in the HTML only, marked as such, and never in
the RDF formats.

Each page is made once per data version (and, for a city, per state of the report) and
kept (:attr:`~glocal_api.runtime.Runtime.pages`): a page's query and drawing cost
several milliseconds, which ten readers at once turned into a p50 of 124 ms.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from functools import partial
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import NamedNode

from glocal.formats import HTML, JSON_LD, N_TRIPLES, SUFFIXES, TURTLE, negotiate
from glocal.namespaces import ID
from glocal.report.figures import place_map, places_map, ties_picture
from glocal.report.model import PivotalReport
from glocal.report.standing import standing
from glocal.store import GraphStore
from glocal.views.catalogue import catalogue
from glocal.views.resource import ResourceView, describe
from glocal_api.errors import RequestError
from glocal_api.query import GZIP_MIN_BYTES, accepts_gzip
from glocal_api.reports import default_pivotal
from glocal_api.runtime import Runtime, runtime_of

__all__ = ["LINK_SCHEMES", "local_link", "router", "safe_link"]

router = APIRouter(tags=["Resource pages"])

_PATH = re.compile(r"^[a-z-]+/[A-Za-z0-9._~%-]+$")
_OFFERED = [HTML, TURTLE, JSON_LD, N_TRIPLES]


def local_link(iri: str) -> str | None:
    """The local path of a glocal IRI (``https://w3id.org/glocal/id/city/x`` -> ``/id/city/x``)."""
    return "/id/" + iri[len(ID) :] if iri.startswith(ID) else None


#: The only schemes an IRI from the data may link to: a ``javascript:`` (or ``data:``)
#: IRI in a result or an import must never become something a click runs.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_link(iri: str) -> str | None:
    """Where a link to ``iri`` may go: its local page, the IRI itself when its scheme is
    http, https or mailto, else nowhere (it is shown as text).

    >>> safe_link("https://w3id.org/glocal/id/city/bristol")
    '/id/city/bristol'
    >>> safe_link("https://example.org/x")
    'https://example.org/x'
    >>> safe_link("javascript:alert(1)") is None
    True
    """
    return local_link(iri) or (iri if urlsplit(iri).scheme.lower() in LINK_SCHEMES else None)


@router.get(
    "/id/{kind}/{slug}",
    summary="A resource: HTML for browsers, Turtle or JSON-LD for clients",
    responses={
        200: {"content": {m: {} for m in _OFFERED}},
        404: {"description": "The graph says nothing about this IRI"},
        406: {"description": "No acceptable format"},
    },
)
async def resource(kind: str, slug: str, request: Request) -> Response:
    """Dereference ``https://w3id.org/glocal/id/{kind}/{slug}``, e.g. ``/id/city/bristol``."""
    media = None
    for suffix, suffix_media in SUFFIXES.items():
        if slug.endswith(suffix):
            slug, media = slug[: -len(suffix)], suffix_media
            break
    if not _PATH.match(f"{kind}/{slug}"):
        raise RequestError(404, "not a glocal resource path")
    iri = f"{ID}{kind}/{slug}"
    try:
        NamedNode(iri)
    except ValueError:
        raise RequestError(404, "not a glocal resource path") from None
    media = media or negotiate(request.headers.get("accept"), _OFFERED)
    if media is None:
        raise RequestError(406, f"resource pages are available as {', '.join(_OFFERED)}")
    runtime = runtime_of(request)
    store = runtime.store
    in_report: dict[str, object] = {}
    # Only a city the graph knows starts the report: not a mistyped address.
    if (
        kind == "city"
        and media == HTML
        and iri in (await run_in_threadpool(catalogue, store)).entries
    ):
        in_report = _standing(runtime, iri)
    render = partial(_compressed, partial(_render, runtime, store, iri, media, in_report))
    if in_report.get("standing_state") == "computing":
        # The page changes once the report is ready: not worth keeping.
        plain, gzipped = await run_in_threadpool(render)
    else:
        key = (store.version, iri, media, in_report.get("standing_state"))
        plain, gzipped = await run_in_threadpool(runtime.pages.get, key, render)
    if gzipped is not None and accepts_gzip(request):
        # Compressed once, when made: the GZip middleware passes it through as it is.
        headers = {"Content-Encoding": "gzip", "Vary": "Accept, Accept-Encoding"}
        return Response(gzipped, media_type=media, headers=headers)
    return Response(plain, media_type=media, headers={"Vary": "Accept"})


def _compressed(render: Callable[[], bytes]) -> tuple[bytes, bytes | None]:
    """A page and, when it is large enough to be worth it, its gzip form."""
    body = render()
    # Level 5, compressed once for every request: level 9 costs much more for a few % less.
    return body, gzip.compress(body, 5, mtime=0) if len(body) >= GZIP_MIN_BYTES else None


def _render(
    runtime: Runtime,
    store: GraphStore,
    iri: str,
    media: str,
    in_report: dict[str, object],
) -> bytes:
    """The page of ``iri`` in ``media``: the description, arranged and drawn for HTML.

    Raises
    ------
    RequestError
        404 when the graph says nothing about ``iri``.
    """
    description = describe(store, iri)
    if not description.exists:
        raise RequestError(404, f"the graph has nothing about {iri}")
    if media != HTML:
        return description.serialize(media)
    view = ResourceView.of(description)
    known = catalogue(store)
    linked = []
    for incoming, facts in ((False, view.outgoing), (True, view.incoming)):
        for heading, group in view.sections(facts, incoming=incoming).items():
            for fact in group:
                place = known.entries.get(fact.value)
                if place and place.lat is not None and place.long is not None:
                    linked.append((place.lat, place.long, place.label, place.iri, heading))
    page = runtime.templates.get_template("resource.html").render(
        {
            "standing_state": None,
            **in_report,
            "view": view,
            "local_link": local_link,
            "safe_link": safe_link,
            "place": place_map(*view.coordinates) if view.coordinates else None,
            "ties": ties_picture(view),
            "places": places_map(list(dict.fromkeys(linked))),
        }
    )
    return page.encode()


def _standing(runtime: Runtime, iri: str) -> dict[str, object]:
    """A city's place in the pivotal report, without waiting for the report.

    The report is the one ``/reports/pivotal`` serves, from the same cache. If nobody
    asked for it yet, the first city page starts it in the background and says the
    measures are being computed: it takes minutes at 20,000 cities, and a page never
    blocks on it. It is not computed at start-up, so a server nobody asks for reports
    spends nothing on them.
    """
    future = default_pivotal(runtime)
    if not future.done():
        return {"standing_state": "computing", "standing": None}
    if (error := future.exception()) is not None:
        return {"standing_state": "failed", "standing": None, "standing_error": str(error)}
    report = future.result()
    assert isinstance(report, PivotalReport), "the default report is a pivotal report"
    return {"standing_state": "ready", "standing": standing(report, iri)}


@router.get("/id/{path:path}", include_in_schema=False)
async def not_a_resource(path: str) -> HTMLResponse:
    """Anything else under ``/id/`` (e.g. ``../x``) is not a resource."""
    raise RequestError(404, "not a glocal resource path")
