"""Every error the API answers, mapped to one status code and one message, for all routes.

Routes raise; they never build error responses. :func:`add_error_handlers` installs one
FastAPI exception handler for every error type the core raises (the store's errors,
canned-query parameters, rejected data, bad report options) and for
:class:`RequestError`, which the routes raise for requests the HTTP layer itself
refuses (too large, wrong media type, missing token). An engine that is down is the
server's problem, not the client's: ``503`` with ``Retry-After`` on every route. A query
stopped at the time limit is ``503`` too, with ``Retry-After`` set to the time limit
itself (rounded up): by then every query that held a worker when it arrived has
finished or been stopped, so a retry does not wait behind the same ones (its own cost
may still stop it again).

Bodies are plain text, as SPARQL clients expect, except under ``/admin``, whose clients
are tools: there the body is JSON, ``{"error": message, ...}`` with the details of
rejected data. A syntax error's message names what was found and the likely fix
(:mod:`glocal.store.syntax_hints`); a client that accepts ``application/json`` gets it
as JSON with ``line``, ``column``, ``found``, ``expected`` and ``hint``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

from glocal.canned import ParameterError
from glocal.data.problems import DataRejected, InvalidDataFiles
from glocal.formats import JSON
from glocal.store.errors import (
    FederationRefused,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    ResourceLimit,
    StoreUnavailable,
    UpdateUnsupported,
)
from glocal.store.syntax_hints import explain
from glocal_api.runtime import runtime_of

__all__ = [
    "RETRY_AFTER",
    "Problem",
    "RequestError",
    "add_error_handlers",
    "error_response",
    "problem_of",
]

#: Seconds a client is asked to wait before it tries an unavailable engine again.
RETRY_AFTER = 10
#: Routes whose errors are JSON, for tools rather than SPARQL clients.
JSON_ROUTES = "/admin/"


class RequestError(Exception):
    """A request the API refuses, with the status code and a readable message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Problem:
    """What an error becomes: a status code, a message, headers and JSON details."""

    status: int
    message: str
    headers: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, object] = field(default_factory=dict)


#: Status code and message prefix of each error type; the most specific type wins.
_STATUSES: dict[type[Exception], tuple[int, str]] = {
    QuerySyntaxError: (400, "SPARQL syntax error: "),
    ParameterError: (400, ""),
    ValueError: (400, ""),
    FederationRefused: (403, ""),
    InvalidDataFiles: (409, ""),
    DataRejected: (422, ""),
    QueryFailed: (500, "query failed in the engine: "),
    UpdateUnsupported: (501, ""),
    # The server's problem, not the client's; the client may try again later.
    StoreUnavailable: (503, "the SPARQL engine is unavailable: "),
    QueryTimeout: (503, "query stopped: "),
    ResourceLimit: (503, "query stopped: "),
}


def problem_of(request: Request, exc: Exception) -> Problem:
    """The status code, message, headers and details an error is answered with."""
    if isinstance(exc, RequestError):
        return Problem(exc.status, exc.message)
    if isinstance(exc, HTTPException):
        return Problem(exc.status_code, str(exc.detail), dict(exc.headers or {}))
    status, prefix = next(_STATUSES[cls] for cls in type(exc).__mro__ if cls in _STATUSES)
    if isinstance(exc, QueryTimeout):
        limit = runtime_of(request).settings.timeout
        return Problem(
            status,
            f"query stopped: it ran past the {limit:g} s time limit",
            {"Retry-After": str(math.ceil(limit))},
        )
    sparql = getattr(request.state, "sparql", None)  # set by glocal_api.query.run_query
    if isinstance(exc, QuerySyntaxError) and sparql:
        hint = explain(sparql, str(exc))
        return Problem(status, f"{prefix}{hint.message()}", {}, hint.to_json())
    if isinstance(exc, StoreUnavailable):
        return Problem(status, f"{prefix}{exc}", {"Retry-After": str(RETRY_AFTER)})
    if isinstance(exc, DataRejected):
        version = runtime_of(request).store.version
        stored = "" if isinstance(exc, InvalidDataFiles) else "; nothing was stored"
        details = {
            "problems": [problem.to_json() for problem in exc.problems],
            "text": str(exc),
            "version": version,
        }
        return Problem(
            status, f"{exc.summary}{stored}; still serving data version {version}", {}, details
        )
    return Problem(status, f"{prefix}{exc}")


def error_response(request: Request, problem: Problem) -> Response:
    """The response for a problem: plain text, or JSON under ``/admin``."""
    # The query editor asks for JSON explicitly, to mark a syntax error's place.
    wants_json = problem.details and JSON in request.headers.get("accept", "")
    if request.url.path.startswith(JSON_ROUTES) or wants_json:
        return JSONResponse(
            {"error": problem.message, **problem.details},
            status_code=problem.status,
            headers=dict(problem.headers),
        )
    return PlainTextResponse(
        f"{problem.message}\n", status_code=problem.status, headers=dict(problem.headers)
    )


async def _handle(request: Request, exc: Exception) -> Response:
    return error_response(request, problem_of(request, exc))


def add_error_handlers(app: FastAPI) -> None:
    """Answer every error type of :data:`_STATUSES`, :class:`RequestError` and HTTP errors."""
    for error in [RequestError, HTTPException, *_STATUSES]:
        app.add_exception_handler(error, _handle)
