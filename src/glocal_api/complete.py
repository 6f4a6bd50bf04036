"""``/complete``: suggestions for the query editor and canned-query parameter fields."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from glocal.views.complete import complete
from glocal_api.runtime import runtime_of

__all__ = ["router"]

router = APIRouter(tags=["Web UI"])


@router.get("/complete", summary="Complete a prefix, ontology term or resource by label")
async def completions(
    request: Request,
    prefix: str = Query("", max_length=200, description="what was typed, e.g. kampa or city:ka"),
    kind: Literal["prefix", "class", "property", "resource"] | None = Query(None),
    type: str | None = Query(None, max_length=100, description="a class name, e.g. city"),
    limit: int = Query(20, ge=1, le=100),
) -> list[dict[str, object]]:
    """Prefixes, then IRIs whose label, alternative label or compact name matches, each
    with its label, kind, class and the number of triples that use it. Accents and case
    are ignored."""
    store = runtime_of(request).store
    found = await run_in_threadpool(complete, store, prefix, kind=kind, type=type, limit=limit)
    return [completion.to_json() for completion in found]
