"""``/queries``: the canned queries from ``queries/*.rq``, listed and run by name.

A browser gets HTML: the list of queries, and for each a form of its parameters with
the results as a table; other clients get JSON (the list) or the results in any SPARQL
format, as before. A parameter IRI that names nothing in the graph (``city:kampla``)
is refused with "no such resource; did you mean city:kampala?" rather than answered
with an empty result that reads like a finding.

Any query answers one page of its rows on request (``limit``, ``offset``), and a query
whose answer is large by nature pages by default (:func:`glocal.canned.page_of`). A
paged answer links its neighbours in a ``Link`` header (``rel="next"``, and
``rel="prev"`` after the first page), and the HTML page says why the query pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions

from glocal.canned import (
    MAX_LIMIT,
    CannedQuery,
    Page,
    ParameterError,
    bind,
    page_of,
    paginate,
    parse_term,
)
from glocal.formats import HTML, JSON, negotiate
from glocal.namespaces import ID
from glocal.store import EmbeddedStore, GraphStore
from glocal.store.service_policy import check_federation
from glocal.views.catalogue import Entry, catalogue, curie
from glocal.views.search import did_you_mean
from glocal_api.bodies import query_params
from glocal_api.errors import RequestError
from glocal_api.loop_query import run_canned_query
from glocal_api.pages import safe_link
from glocal_api.query import Checked, cached_answer, check, run_query
from glocal_api.runtime import runtime_of

__all__ = ["UnknownResource", "router", "unknown_resource"]

router = APIRouter(tags=["Canned queries"])

#: Rows a canned query's HTML page shows; the downloads have them all.
_SHOWN_ROWS = 500
#: Resources an IRI field offers to complete; the search finds the others.
_CHOICES = 500


def _listing(query: CannedQuery) -> dict[str, object]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "url": f"/queries/{query.name}",
        "sparql": query.sparql,
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            for p in query.parameters
        ],
    }


def _wants_html(request: Request) -> bool:
    # JSON stays the default (``*/*``, scripts); a browser's Accept puts HTML first.
    return negotiate(request.headers.get("accept"), [JSON, HTML]) == HTML


@router.get(
    "/queries",
    summary="List the canned queries with their parameters (JSON; HTML for browsers)",
)
async def list_queries(request: Request) -> Response:
    """Every canned query: name, title, description, parameters and its URL."""
    queries = runtime_of(request).queries.values()
    if _wants_html(request) and request.query_params.get("_format") != "json":
        return runtime_of(request).templates.TemplateResponse(
            request, "queries.html", {"queries": list(queries)}
        )
    return JSONResponse([_listing(q) for q in queries], headers={"Vary": "Accept"})


@dataclass(frozen=True)
class UnknownResource:
    """A parameter IRI that names nothing in the graph, with the resources named like it."""

    parameter: str
    iri: str
    suggestions: tuple[Entry, ...]

    @property
    def message(self) -> str:
        """The message: ``city: no such resource city:kampla; did you mean ...?``."""
        hint = (
            "; did you mean " + " or ".join(f"{e.curie} ({e.label})" for e in self.suggestions)
            if self.suggestions
            else "; search for it at /search"
        )
        return f"{self.parameter}: no such resource {curie(self.iri)}{hint}" + (
            "?" if self.suggestions else ""
        )


def unknown_resource(
    store: GraphStore, query: CannedQuery, values: dict[str, str]
) -> UnknownResource | None:
    """The first parameter naming a glocal resource (``https://w3id.org/glocal/id/...``)
    that the graph says nothing of, if any, with suggestions.

    Other IRIs (``org:memberOf``, an outside IRI) are left to the query. One lookup of
    the IRI in the graph (microseconds in the embedded store), made only when the
    result is not cached.
    """
    found = _first_unknown(store, query, values)
    if found is None:
        return None
    name, iri = found
    return UnknownResource(name, iri, tuple(did_you_mean(catalogue(store), iri)))


def _mentions(store: GraphStore, term: NamedNode) -> bool:
    """Whether the graph says anything of ``term``: two index lookups in the embedded
    store, an ``ASK`` elsewhere."""
    if isinstance(store, EmbeddedStore):
        return store.mentions(term.value)
    found = store.query(f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }}")
    assert isinstance(found, QueryBoolean), "an ASK gives a boolean"
    return bool(found)


def _first_unknown(
    store: GraphStore, query: CannedQuery, values: dict[str, str]
) -> tuple[str, str] | None:
    """The first parameter naming a glocal resource the graph says nothing of, and its
    IRI; None if there is none."""
    for param in query.parameters:
        raw = values.get(param.name, param.default)
        if param.type != "iri" or not raw:
            continue
        term = parse_term(raw, "iri")
        assert isinstance(term, NamedNode), "an iri parameter parses to an IRI"
        if not term.value.startswith(ID):
            continue
        if not _mentions(store, term):
            return param.name, term.value
    return None


@router.get(
    "/queries/{name}",
    summary="Run a canned query; parameters come from the query string",
    responses={
        200: {"description": "Results, in any SPARQL results or RDF format (HTML for browsers)"},
        400: {"description": "A parameter is missing, not valid, or names no resource"},
        404: {"description": "No canned query of that name"},
    },
    openapi_extra={
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "schema": {"type": "string"},
                "example": "csv",
                "description": "json, xml, csv, tsv (or ttl, nt ... for CONSTRUCT)",
            },
            {
                "name": "city",
                "in": "query",
                "schema": {"type": "string"},
                "example": "city:freetown",
                "description": "a parameter of the chosen query",
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                "example": 100,
                "description": "rows per page (the query's own page size if it pages by "
                "default, as network-overlap does; else the whole answer)",
            },
            {
                "name": "offset",
                "in": "query",
                "schema": {"type": "integer", "minimum": 0},
                "example": 0,
                "description": "rows to skip before the page; the Link header gives the "
                "next page's URL, and a page shorter than the limit is the last",
            },
        ]
    },
)
async def run_canned(name: str, request: Request) -> Response:
    """Run the named query with ``?param=value`` bound safely (never pasted into SPARQL)."""
    runtime = runtime_of(request)
    query = runtime.queries.get(name)
    if query is None:
        # Names are looked up in a dict loaded at start-up, never used as paths.
        raise RequestError(404, f"no canned query named {name!r}; see /queries")
    params = dict(query_params(request))
    if "format" in params or not _wants_html(request):
        # ParameterError propagates: glocal_api.errors answers it with 400.
        bound = bind(query, params)
        page = page_of(query, params)
        if page is not None:
            bound = paginate(bound, page)
        checked = check(
            request, bound, default_graphs=[], named_graphs=[], fmt=params.get("format")
        )
        # A repeat comes from the cache (no thread, no query); a miss goes from the
        # event loop to an idle worker, or, with none idle, waits for one in a thread.
        repeat = cached_answer(request, checked) or await _answer_here(
            request, query, params, checked
        )
        if repeat is None:
            repeat = await run_in_threadpool(_answer, request, query, params, checked)
        if page is not None:
            links = [f'<{url}>; rel="{rel}"' for rel, url in _neighbours(query, params, page)]
            repeat.headers["Link"] = ", ".join(links)
        return repeat
    unknown: UnknownResource | None = None
    sparql: str | None = None
    page = None
    try:
        sparql = bind(query, params)
        page = page_of(query, params)
        if page is not None:
            sparql = paginate(sparql, page)
        unknown = await run_in_threadpool(unknown_resource, runtime.store, query, params)
        problem = unknown.message if unknown else None
    except ParameterError as err:
        problem = str(err)
    return await run_in_threadpool(_page, request, query, params, sparql, problem, unknown, page)


def _neighbours(
    query: CannedQuery, params: dict[str, str], page: Page, *, last: bool = False
) -> list[tuple[str, str]]:
    """The ``next`` page's URL (unless ``last``) and the ``prev`` one's after the first."""

    def url(offset: int) -> str:
        wanted = {**params, "limit": str(page.limit), "offset": str(offset)}
        return f"/queries/{query.name}?" + urlencode(wanted)

    found = [] if last else [("next", url(page.offset + page.limit))]
    if page.offset > 0:
        found.append(("prev", url(max(0, page.offset - page.limit))))
    return found


async def _answer_here(
    request: Request, query: CannedQuery, params: dict[str, str], checked: Checked
) -> Response | None:
    """:func:`_answer` on the event loop, where it needs no thread: on the embedded
    store, whose resource check is a lookup in this process (microseconds), and with a
    worker idle (:func:`~glocal_api.loop_query.run_canned_query`). None otherwise, and for
    an unknown resource, whose suggestions may have to wait for the catalogue.
    """
    runtime = runtime_of(request)
    store = runtime.store
    if not isinstance(store, EmbeddedStore) or _first_unknown(store, query, params):
        return None
    for value in params.values():
        check_federation(value, allow=runtime.settings.federation_allow)
    return await run_canned_query(request, checked, form=runtime.forms[query.name])


def _answer(
    request: Request, query: CannedQuery, params: dict[str, str], checked: Checked
) -> Response:
    """Refuse a parameter naming no resource, else run the bound query in a worker.

    The query's form is known from its file (:class:`~glocal_api.runtime.Runtime`), so
    its text goes to the worker as it is, without a parsing round trip first. The
    ``SERVICE`` policy still sees every value, as it sees every ``/sparql`` query:
    the query's own text has no ``SERVICE`` (a test says so), so checking the values
    checks all that is new in the bound text.

    Raises
    ------
    RequestError
        400 if an IRI parameter names no resource.
    FederationRefused
        If a value spells ``SERVICE`` and the server allows no such endpoint.
    """
    runtime = runtime_of(request)
    unknown = unknown_resource(runtime.store, query, params)
    if unknown is not None:
        raise RequestError(400, unknown.message)
    for value in params.values():
        check_federation(value, allow=runtime.settings.federation_allow)
    return run_query(request, checked, form=runtime.forms[query.name])


def _page(
    request: Request,
    query: CannedQuery,
    params: dict[str, str],
    sparql: str | None,
    problem: str | None,
    unknown: UnknownResource | None = None,
    page: Page | None = None,
) -> Response:
    """The HTML page of a canned query: its form, and its results unless a parameter is
    bad; a paged answer links the pages before and after it."""
    runtime = runtime_of(request)
    known = catalogue(runtime.store)
    columns: list[str] = []
    rows: list[list[tuple[str, str | None]]] = []
    total = 0
    if sparql is not None and problem is None:
        result = runtime.store.query(sparql)
        if isinstance(result, QuerySolutions):
            columns = [v.value for v in result.variables]
            for solution in result:
                total += 1
                if total > _SHOWN_ROWS:
                    continue
                cells: list[tuple[str, str | None]] = []
                for column in columns:
                    term = solution[column]
                    if isinstance(term, NamedNode):
                        cells.append((known.label(term.value), safe_link(term.value)))
                    elif isinstance(term, Literal):
                        cells.append((term.value, None))
                    else:
                        cells.append(("" if term is None else str(term), None))
                rows.append(cells)
    given = {k: v for k, v in params.items() if k != "format"}
    # The browser completes an IRI field from the resources of its default's kind.
    choices: dict[str, list[tuple[str, str]]] = {}
    for param in query.parameters:
        if param.type == "iri" and param.default:
            kind = parse_term(param.default, "iri").value.removeprefix(ID).split("/", 1)[0]
            # The best-evidenced first, so a graph of 20,000 cities stays a small page.
            ranked = sorted(known.of_kind(kind), key=lambda e: -e.quoted)[:_CHOICES]
            choices[param.name] = [(e.curie, e.label) for e in ranked]
    return runtime.templates.TemplateResponse(
        request,
        "canned_query.html",
        {
            "query": query,
            "values": given,
            "problem": problem,
            "columns": columns,
            "rows": rows,
            "total": total,
            "shown": _SHOWN_ROWS,
            "download": lambda fmt: f"/queries/{query.name}?" + urlencode({**given, "format": fmt}),
            "choices": choices,
            "page": page,
            # A page shorter than its limit is the last one.
            "neighbours": dict(
                _neighbours(query, given, page, last=total < page.limit) if page else []
            ),
            "editor": "/?" + urlencode({"query": sparql or query.sparql}),
            # Each suggestion runs the query with it in place of the unknown IRI.
            "suggestions": [
                (e, f"/queries/{query.name}?" + urlencode({**given, unknown.parameter: e.curie}))
                for e in unknown.suggestions
            ]
            if unknown
            else [],
        },
        status_code=400 if problem else 200,
    )
