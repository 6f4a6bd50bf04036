"""``/``: the web UI, a SPARQL editor with the canned queries as one-click examples."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from glocal.namespaces import PREFIXES
from glocal_api.runtime import runtime_of

__all__ = ["router"]

router = APIRouter(tags=["Web UI"])


@router.get("/", response_class=HTMLResponse, summary="The query editor")
async def index(request: Request) -> HTMLResponse:
    """The query page: editor, examples, results table, downloads and a short guide."""
    runtime = runtime_of(request)
    return runtime.templates.TemplateResponse(
        request,
        "index.html",
        {"queries": list(runtime.queries.values()), "prefixes": PREFIXES},
    )
