"""Resource pages: every IRI under ``/id/...`` dereferences.

A browser gets HTML with every fact grouped and linked, each with its sources and
quotes; other clients get Turtle or JSON-LD by content negotiation, or by a ``.ttl``,
``.jsonld`` or ``.json`` suffix (Datasette's convention).
"""

from __future__ import annotations

import io
import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import NamedNode

from glocal.canned import bind_values
from glocal.formats import negotiate
from glocal.namespaces import ID
from glocal.store import serialize_result
from glocal.views.resource import describe_resource

__all__ = ["router"]

router = APIRouter(tags=["Resource pages"])

_PATH = re.compile(r"^[a-z-]+/[A-Za-z0-9._~%-]+$")
_SUFFIX = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".json": "application/ld+json"}
_OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]

_CONSTRUCT = """
CONSTRUCT {
  ?this ?p ?o . ?s ?p2 ?this .
  ?q ?qp ?qo .
} WHERE {
  { ?this ?p ?o }
  UNION { ?s ?p2 ?this . FILTER (isIRI(?s)) }
  UNION { { ?q rdf:subject ?this } UNION { ?q rdf:object ?this } UNION { ?q org:member ?this }
          UNION { ?q org:organization ?this } ?q ?qp ?qo }
}
"""


def local_link(iri: str) -> str | None:
    """The local path of a glocal IRI (``https://w3id.org/glocal/id/city/x`` -> ``/id/city/x``)."""
    return "/id/" + iri[len(ID) :] if iri.startswith(ID) else None


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
    for suffix, suffix_media in _SUFFIX.items():
        if slug.endswith(suffix):
            slug, media = slug[: -len(suffix)], suffix_media
            break
    if not _PATH.match(f"{kind}/{slug}"):
        raise HTTPException(404, "not a glocal resource path")
    iri = f"{ID}{kind}/{slug}"
    try:
        NamedNode(iri)
    except ValueError:
        raise HTTPException(404, "not a glocal resource path") from None
    media = media or negotiate(request.headers.get("accept"), _OFFERED)
    if media is None:
        raise HTTPException(406, f"resource pages are available as {', '.join(_OFFERED)}")
    runtime = request.app.state.runtime
    view = await run_in_threadpool(describe_resource, runtime.store, iri)
    if not view.exists:
        raise HTTPException(404, f"the graph has nothing about {iri}")
    if media == "text/html":
        return runtime.templates.TemplateResponse(
            request, "resource.html", {"view": view, "local_link": local_link}
        )

    def serialize() -> bytes:
        result = runtime.store.query(bind_values(_CONSTRUCT, {"this": NamedNode(iri)}))
        out = io.BytesIO()
        serialize_result(result, out, media)
        return out.getvalue()

    return Response(await run_in_threadpool(serialize), media_type=media)


@router.get("/id/{path:path}", include_in_schema=False)
async def not_a_resource(path: str) -> HTMLResponse:
    """Anything else under ``/id/`` (e.g. ``../x``) is not a resource."""
    raise HTTPException(404, "not a glocal resource path")
