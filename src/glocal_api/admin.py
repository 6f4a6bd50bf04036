"""``/admin``: import researchers' data and reload the files, swapping data versions atomically.

The routes are off unless the server has an admin token (``glocal serve
--admin-token-file PATH`` or ``$GLOCAL_ADMIN_TOKEN``), and every request must carry it
as ``Authorization: Bearer <token>``. A change never edits the store in place: the files
are checked, a new store version is built from them, and :meth:`Runtime.swap` switches to
it, so queries already running finish on the old version. Anything that fails a check
leaves the files and the served version as they were.

:class:`Watcher` does what ``POST /admin/reload`` does whenever a data file changes
(``glocal serve --reload``): it polls modification times once a second, which needs no
extra dependency and works on every file system.
"""

from __future__ import annotations

import logging
import threading

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from glocal.data.files import DataFiles
from glocal.data.imports.csv_rows import read_mapping
from glocal.data.imports.stored import ImportResult
from glocal.data.problems import InvalidDataFiles
from glocal.formats import CSV, RDF_FORMATS
from glocal_api.auth import require_bearer
from glocal_api.bodies import content_type, read_body
from glocal_api.errors import RequestError
from glocal_api.runtime import Runtime, runtime_of

__all__ = ["MAX_IMPORT_BYTES", "Watcher", "reload_data", "router"]

router = APIRouter(prefix="/admin", tags=["Admin"])
logger = logging.getLogger("glocal.admin")

#: The largest import body accepted (a CSV of some hundred thousand rows).
MAX_IMPORT_BYTES = 50_000_000


def _data_files(request: Request) -> DataFiles:
    """The server's data files, once the request has shown the admin token."""
    settings = runtime_of(request).settings
    require_bearer(
        request,
        settings.admin_token,
        off="the admin routes are off: start the server with --admin-token-file PATH "
        "(or set GLOCAL_ADMIN_TOKEN) to turn them on",
        routes="The admin routes",
    )
    if settings.data is None:
        raise RequestError(501, "this server was started without data files it can import into")
    return settings.data


def reload_data(runtime: Runtime, data: DataFiles) -> tuple[str, bool]:
    """Load and check every file, then switch the server to the new version.

    Returns the version served afterwards and whether it changed. Loading, checking and
    swapping happen under ``data.lock``, so an import and a reload never interleave.

    Raises
    ------
    InvalidDataFiles
        If a file is malformed or the graph breaks a shape; the old version stays.
    """
    with data.lock:
        store = data.open_store()
        if store.version == runtime.store.version:
            store.close()
            return store.version, False
        runtime.swap(store)
        return store.version, True


@router.post(
    "/import",
    summary="Import a CSV of memberships or an RDF file (needs the admin token)",
    responses={
        200: {"description": "Imported; the server now serves the new data version"},
        403: {"description": "Admin routes are off, or the bearer token is missing or wrong"},
        413: {"description": "Body larger than the limit"},
        415: {"description": "Neither CSV nor an RDF syntax, or not what kind= says"},
        409: {"description": "The files already stored do not form a valid graph"},
        422: {"description": "Rejected: every problem with its row or line; nothing stored"},
    },
    openapi_extra={
        "parameters": [
            {
                "name": "kind",
                "in": "query",
                "schema": {"type": "string", "enum": ["memberships", "rdf"]},
                "description": "What the body is; by default the content type decides",
            },
            {
                "name": "name",
                "in": "query",
                "schema": {"type": "string"},
                "example": "my-memberships",
                "description": "A slug naming the import; importing again under it replaces it",
            },
            {
                "name": "mapping",
                "in": "query",
                "schema": {"type": "string"},
                "example": '{"city": "Municipality", "country": "ISO"}',
                "description": "JSON: glocal field -> the CSV's column name",
            },
            {"name": "source_label", "in": "query", "schema": {"type": "string"}},
            {"name": "graph", "in": "query", "schema": {"type": "string"}},
        ],
        "requestBody": {
            "content": {
                CSV: {
                    "schema": {"type": "string"},
                    "example": "city,country,network,role,since\n"
                    "Bristol,GB,Mayors Migration Council,leadership board,2018\n",
                },
                **{media: {"schema": {"type": "string"}} for media in RDF_FORMATS},
            }
        },
    },
)
async def import_data(request: Request) -> JSONResponse:
    """Check the body and store it as an import, then serve the data with it.

    The content type decides what the body is: ``text/csv`` is a CSV of memberships,
    an RDF media type (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) an RDF file.
    A bad row or a SHACL violation rejects the whole import (422, every problem with its
    row or line), and the stored files and the served version stay as they were.
    """
    data = _data_files(request)
    runtime = runtime_of(request)
    params = request.query_params
    media = content_type(request)
    kind = params.get("kind") or ("memberships" if media == CSV else "rdf")
    if kind not in ("memberships", "rdf"):
        raise RequestError(400, f"kind={kind} is not known: use kind=memberships or kind=rdf")
    if kind == "memberships" and media != CSV:
        raise RequestError(415, f"a memberships import is {CSV}, not {media or '(none)'}")
    if kind == "rdf" and media not in RDF_FORMATS:
        offered = ", ".join([CSV, *RDF_FORMATS])
        unsupported = f"unsupported media type {media or '(none)'}"
        raise RequestError(415, f"{unsupported}: send one of {offered}")
    body = await read_body(request, MAX_IMPORT_BYTES)
    name = params.get("name") or None
    graph = params.get("graph") or None

    def run() -> tuple[ImportResult, str]:
        with data.lock:
            if kind == "memberships":
                mapping = params.get("mapping")
                result = data.import_memberships(
                    body,
                    file_name=f"{name or 'upload'}.csv",
                    name=name,
                    mapping=read_mapping(mapping.encode(), file_name="mapping")
                    if mapping
                    else None,
                    graph=graph,
                    source_label=params.get("source_label") or None,
                )
            else:
                fmt = RDF_FORMATS[media]
                result = data.import_rdf(
                    body,
                    file_name=f"{name or 'upload'}.{fmt.file_extension}",
                    fmt=fmt,
                    name=name,
                    graph=graph,
                )
            version, _ = reload_data(runtime, data)
            return result, version

    result, version = await run_in_threadpool(run)
    logger.info("imported %s into graph <%s>; data version %s", result.name, result.graph, version)
    return JSONResponse({**result.to_json(), "version": version})


@router.post(
    "/reload",
    summary="Re-read every data file and serve them (needs the admin token)",
    responses={
        200: {"description": "Serving the files' version (changed or not)"},
        403: {"description": "Admin routes are off, or the bearer token is missing or wrong"},
        409: {"description": "A file is malformed or breaks a shape; the old version stays"},
    },
)
async def reload(request: Request) -> JSONResponse:
    """Load the curated files and the imports again and switch to them atomically.

    A malformed file or a SHACL violation is refused (409, with file and line) and the
    server keeps serving the last good version.
    """
    data = _data_files(request)
    version, changed = await run_in_threadpool(reload_data, runtime_of(request), data)
    return JSONResponse({"version": version, "changed": changed})


class Watcher:
    """Reload the server's data whenever one of its files changes (``serve --reload``).

    A background thread compares the files' modification times and sizes every
    ``interval`` seconds. A change that fails the checks is logged once and the old
    version stays; the next change is tried again.

    Parameters
    ----------
    app
        An app from :func:`~glocal_api.app.create_app` whose settings carry ``data``.
    interval
        Seconds between polls.
    """

    def __init__(self, app: FastAPI, *, interval: float = 1.0) -> None:
        runtime: Runtime = app.state.runtime
        if runtime.settings.data is None:
            raise ValueError("the app's settings have no data files to watch (Settings.data)")
        self._runtime = runtime
        self._data: DataFiles = runtime.settings.data
        self._interval = interval
        self._stop = threading.Event()
        self._seen = self._data.snapshot()
        self._thread = threading.Thread(target=self._run, name="glocal-watcher", daemon=True)

    def start(self) -> Watcher:
        """Start polling in the background; returns the watcher."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling (waits for a reload in progress to finish)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.poll()
            # The watcher must outlive any one failure (a full disk, a file being
            # replaced, a store that cannot be built): it logs it and polls again.
            except Exception as err:
                logger.error("could not reload the data files (%s: %s)", type(err).__name__, err)

    def poll(self) -> str | None:
        """Reload if the files changed since the last poll; returns the new version if so."""
        # The snapshot is taken before reading, so a change made during a reload is
        # seen by the next poll.
        current = self._data.snapshot()
        if current == self._seen:
            return None
        self._seen = current
        try:
            version, changed = reload_data(self._runtime, self._data)
        except InvalidDataFiles as err:
            logger.warning("%s; still serving data version %s", err, self._runtime.store.version)
            return None
        if changed:
            logger.info("data files changed: now serving data version %s", version)
        return version if changed else None
