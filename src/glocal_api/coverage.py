"""``/coverage``: what the graph covers and what it leaves out, as HTML, JSON or CSV.

The CSV form is the list of numbers the sources state (``gl:Count``) beside what the
graph enumerates: the table a researcher checks before reading "no overlap" as a finding.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from glocal.formats import CSV, HTML
from glocal.report.coverage import Coverage, StatedCount, coverage
from glocal_api.errors import RequestError
from glocal_api.listings import csv_response, json_response, page_format, split_suffix
from glocal_api.pages import local_link
from glocal_api.runtime import runtime_of

__all__ = ["router"]

router = APIRouter(tags=["Coverage"])

_COUNT_COLUMNS = tuple(StatedCount.__dataclass_fields__)


@router.get("/coverage", summary="What the graph covers: counts by kind, source, network; gaps")
async def coverage_page(request: Request) -> Response:
    """Counts by kind, class and source; members named per network beside the sizes the
    sources state; the cities with no tie; numbers the sources give but do not enumerate."""
    return await _answer(request, None)


@router.get("/coverage.{suffix}", include_in_schema=False)
async def coverage_suffixed(suffix: str, request: Request) -> Response:
    """``/coverage.json`` and ``/coverage.csv``."""
    media = split_suffix("coverage." + suffix)[1]
    if media is None:
        raise RequestError(404, "the coverage page is /coverage, /coverage.json or /coverage.csv")
    return await _answer(request, media)


def _coverage(request: Request) -> Coverage:
    """The coverage of the served version, kept with the reports (by data version): it
    reads the analysis's ties, which takes seconds on a large graph."""
    runtime = runtime_of(request)
    store = runtime.store
    found = runtime.reports.get((store.version, "coverage"), partial(coverage, store))
    assert isinstance(found, Coverage), "the coverage key holds a coverage"
    return found


async def _answer(request: Request, suffix_media: str | None) -> Response:
    media = page_format(request, suffix_media)
    found = await run_in_threadpool(_coverage, request)
    if media == CSV:
        return csv_response(
            (asdict(c) for c in found.counts), _COUNT_COLUMNS, filename="glocal-stated-counts"
        )
    if media != HTML:
        return json_response(asdict(found))
    return runtime_of(request).templates.TemplateResponse(
        request, "coverage.html", {"coverage": found, "local_link": local_link}
    )
