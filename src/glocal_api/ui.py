"""``/``: the web UI, a SPARQL editor with the canned queries as one-click examples.

The page's scripts (``static/app.js`` and ``static/query/``) show results as a table,
map, network, timeline or bar chart, keep the query and view in the URL, and ask
``/complete`` (:mod:`glocal_api.complete`) for suggestions while the user types.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from glocal.namespaces import PREFIXES
from glocal_api.runtime import runtime_of

__all__ = ["router"]

router = APIRouter(tags=["Web UI"])


@router.get("/", response_class=HTMLResponse, summary="The query editor")
async def index(request: Request) -> HTMLResponse:
    """The query page: editor, examples, result views, downloads, sharing and a guide."""
    runtime = runtime_of(request)
    return runtime.templates.TemplateResponse(
        request,
        "index.html",
        {"queries": list(runtime.queries.values()), "prefixes": PREFIXES},
    )
