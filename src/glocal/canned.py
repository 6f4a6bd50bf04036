"""Canned queries: the named ``.rq`` files in ``queries/``, with their header metadata.

A header of ``#`` comment lines gives the title, a description and the parameters::

    # title: Networks of a city
    # description: Every organisation a city belongs to, with role, dates and source.
    # param: city (iri, default city:bristol) The city.

Parameters are bound by a ``VALUES`` block placed first in the query's ``WHERE``
clause, built from Oxigraph terms, so a value can never change the query's structure:
an IRI that is not an IRI is refused, and a string is escaped as a literal. Inside the
``WHERE`` clause the block is joined before grouping, so aggregates see only the bound
values; a trailing ``VALUES`` would be joined after grouping, and some engines
(Virtuoso) reject it when the variable is not projected.

Any query answers a page of its rows when asked (``limit``, ``offset``); a query whose
answer is large by nature pages by default, and its header says how and why::

    # page: 500 — why: one row per pair of networks, 2 million rows at 20,000 cities
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from glocal.namespaces import PREFIXES, XSD
from glocal.resources import QUERIES_DIR

__all__ = [
    "MAX_LIMIT",
    "QUERIES_DIR",
    "CannedQuery",
    "Page",
    "Parameter",
    "ParameterError",
    "bind",
    "bind_values",
    "load_queries",
    "page_of",
    "paginate",
    "parse_term",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_HEADER = re.compile(r"^#\s*(title|description|param|page):\s*(.*)$")
_PAGE = re.compile(r"^(\d+)\s*(?:—|-+)\s*why:\s*(.+)$")
#: The most rows one page may ask for: a bigger answer is read page by page.
MAX_LIMIT = 10_000
#: Request parameters that are not the query's own: the format and the page.
_REQUEST_ONLY = {"format", "limit", "offset"}
_PARAM = re.compile(r"^(\w+)\s*\((\w+)(?:,\s*default\s+([^)]+))?\)\s*(.*)$")
_TYPES = ("iri", "string", "integer", "year")


class ParameterError(ValueError):
    """A canned-query parameter is missing or not a valid value of its type."""


@dataclass(frozen=True)
class Parameter:
    """A named query parameter: its type (iri, string, integer, year) and default."""

    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class CannedQuery:
    """A named SPARQL query with the metadata from its header comment."""

    name: str
    title: str
    description: str
    sparql: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    #: Rows per page by default, for a query whose answer is large by nature; else None.
    page_size: int | None = None
    #: Why the query pages by default ("" if it does not).
    page_reason: str = ""


@dataclass(frozen=True)
class Page:
    """Which rows of an answer to give: ``limit`` rows after the first ``offset``."""

    limit: int
    offset: int


def load_queries(folder: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """Read every ``*.rq`` file in a folder, keyed by file stem.

    >>> queries = load_queries()
    >>> queries["networks-of-city"].parameters[0].name
    'city'
    """
    queries: dict[str, CannedQuery] = {}
    for path in sorted(folder.glob("*.rq")):
        if not _NAME.match(path.stem):
            raise ValueError(f"{path}: query names are lowercase words joined by '-'")
        text = path.read_text(encoding="utf-8")
        meta: dict[str, list[str]] = {"title": [], "description": [], "param": [], "page": []}
        for line in text.splitlines():
            match = _HEADER.match(line.strip())
            if match:
                meta[match.group(1)].append(match.group(2).strip())
            elif line.strip() and not line.lstrip().startswith("#"):
                break
        parameters = []
        for spec in meta["param"]:
            pm = _PARAM.match(spec)
            if not pm or pm.group(2) not in _TYPES:
                raise ValueError(f"{path}: bad parameter line {spec!r}")
            parameters.append(Parameter(pm.group(1), pm.group(2), pm.group(3), pm.group(4)))
        if not meta["title"]:
            raise ValueError(f"{path}: the header needs a '# title:' line")
        page_size, page_reason = None, ""
        if meta["page"]:
            pg = _PAGE.match(" ".join(meta["page"]))
            if not pg or not 0 < int(pg.group(1)) <= MAX_LIMIT:
                raise ValueError(f"{path}: the page line is '# page: N — why: reason'")
            page_size, page_reason = int(pg.group(1)), pg.group(2)
        queries[path.stem] = CannedQuery(
            name=path.stem,
            title=meta["title"][0],
            description=" ".join(meta["description"]),
            sparql=text,
            parameters=tuple(parameters),
            page_size=page_size,
            page_reason=page_reason,
        )
    return queries


def parse_term(value: str, kind: str) -> NamedNode | Literal:
    """Turn a parameter value into an RDF term of its declared type.

    IRIs may be written in full or with one of glocal's prefixes (``city:bristol``).

    >>> parse_term("city:bristol", "iri")
    <NamedNode value=https://w3id.org/glocal/id/city/bristol>
    >>> parse_term('"} ; DROP ALL #', "string")
    <Literal value="} ; DROP ALL # datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
    >>> parse_term('"} ; DROP ALL #', "iri")
    Traceback (most recent call last):
    ...
    glocal.canned.ParameterError: not an IRI: '"} ; DROP ALL #'
    """
    value = value.strip()
    if kind == "iri":
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//"):
            value = PREFIXES[prefix] + local
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value):
            raise ParameterError(f"not an IRI: {value!r}")
        try:
            return NamedNode(value)
        except ValueError:
            raise ParameterError(f"not an IRI: {value!r}") from None
    if kind == "integer":
        if not re.match(r"^[+-]?\d+$", value):
            raise ParameterError(f"not an integer: {value!r}")
        return Literal(value, datatype=NamedNode(XSD + "integer"))
    if kind == "year":
        if not re.match(r"^\d{4}$", value):
            raise ParameterError(f"not a year (YYYY): {value!r}")
        return Literal(value, datatype=NamedNode(XSD + "gYear"))
    return Literal(value)


def bind(query: CannedQuery, values: Mapping[str, str]) -> str:
    """The query text with its parameters bound by a ``VALUES`` block opening ``WHERE``.

    Raises
    ------
    ParameterError
        If a parameter without default is missing, a value does not parse, or an
        unknown parameter is given.

    >>> q = load_queries()["networks-of-city"]
    >>> "VALUES (?city) { (<https://w3id.org/glocal/id/city/freetown>) }" in bind(
    ...     q, {"city": "city:freetown"}
    ... )
    True
    """
    known = {p.name for p in query.parameters}
    unknown = sorted(set(values) - known - _REQUEST_ONLY)
    if unknown:
        raise ParameterError(f"unknown parameter(s) for {query.name}: {', '.join(unknown)}")
    if not query.parameters:
        return query.sparql
    terms: list[NamedNode | Literal] = []
    for param in query.parameters:
        raw = values.get(param.name, param.default)
        if raw is None or raw == "":
            raise ParameterError(f"missing parameter {param.name!r} ({param.description})")
        terms.append(parse_term(raw, param.type))
    return bind_values(
        query.sparql, dict(zip([p.name for p in query.parameters], terms, strict=True))
    )


def bind_values(sparql: str, values: Mapping[str, object]) -> str:
    """Bind variables by a ``VALUES`` block placed first in the ``WHERE`` clause, and in
    each subquery that projects them.

    ``values`` maps variable names to Oxigraph terms (or their N-Triples text); terms
    are written in N-Triples form, which cannot break out of the block.

    Oxigraph evaluates a subquery on its own, before joining it: a count per city in a
    subquery is computed for every city of the graph, then all but the bound one are
    dropped (seconds at half a million quads). A subquery that projects a bound
    variable (``SELECT ?city (COUNT(...) ...)``, nested only in subqueries that project
    it too) gets the block as well; its rows for other values would find no partner in
    the outer query, so the answer is the same. This assumes that such a subquery binds
    the variable in every row, as a triple pattern does (an unbound row would group
    with the bound value); the competency tests compare both bindings.

    >>> bind_values("SELECT * WHERE { ?s ?p ?o }", {"s": NamedNode("http://a")}).split()[:7]
    ['SELECT', '*', 'WHERE', '{', 'VALUES', '(?s)', '{']
    >>> text = "SELECT * WHERE { { SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s } }"
    >>> bind_values(text, {"s": "<http://a>"}).count("VALUES (?s) { (<http://a>) }")
    2
    """
    masked = _masked(sparql)
    match = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE) or re.search(r"\{", masked)
    if match is None:
        raise ValueError("the query has no WHERE clause to bind values in")
    # Where each block goes: (offset after the brace, the variables it binds).
    places: list[tuple[int, list[str]]] = [(match.end(), list(values))]
    # Each subquery's scope: its WHERE brace, its closing brace, the variables it binds.
    scopes: list[tuple[int, int, set[str]]] = [(match.end(), len(masked), set(values))]
    for sub in _SUBSELECT.finditer(masked, match.end()):
        projected = _projected(sub.group(1))
        end = _closing(masked, sub.end())
        # The innermost scope around it decides which bound variables are in scope here.
        outer = max((sc for sc in scopes if sc[0] <= sub.start() < sc[1]), key=lambda sc: sc[0])
        bound = {name for name in outer[2] if "*" in projected or name in projected}
        scopes.append((sub.end(), end, bound))
        if bound:
            places.append((sub.end(), [name for name in values if name in bound]))
    text = sparql
    for at, names in sorted(places, reverse=True):
        block = " ".join(f"?{name}" for name in names)
        terms = " ".join(str(values[name]) for name in names)
        text = f"{text[:at]} VALUES ({block}) {{ ({terms}) }}\n{text[at:]}"
    return text


def page_of(query: CannedQuery, values: Mapping[str, str]) -> Page | None:
    """The page asked for by ``limit`` and ``offset``, or the query's default page.

    None if neither is given and the query does not page by default: the whole answer.

    Raises
    ------
    ParameterError
        If ``limit`` is not a whole number from 1 to :data:`MAX_LIMIT`, or ``offset``
        not a whole number from 0; the message names the parameter.

    >>> q = load_queries()["network-overlap"]
    >>> page_of(q, {}) == Page(q.page_size or 0, 0)
    True
    >>> page_of(load_queries()["mayors"], {}) is None
    True
    >>> page_of(q, {"limit": "0"})
    Traceback (most recent call last):
    ...
    glocal.canned.ParameterError: limit: not a whole number from 1 to 10000: '0'
    """
    limit, offset = values.get("limit"), values.get("offset")
    if not limit and not offset and query.page_size is None:
        return None
    return Page(
        _whole("limit", limit, query.page_size or MAX_LIMIT, 1, MAX_LIMIT),
        _whole("offset", offset, 0, 0, None),
    )


def _whole(name: str, raw: str | None, default: int, low: int, high: int | None) -> int:
    if not raw:
        return default
    value = int(raw) if re.fullmatch(r"\d{1,12}", raw.strip()) else -1
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"from {low}"
        raise ParameterError(f"{name}: not a whole number {bounds}: {raw!r}")
    return value


def paginate(sparql: str, page: Page) -> str:
    """The query text answering one page: its rows ``offset + 1`` to ``offset + limit``.

    The query's own ``ORDER BY`` is kept and every projected variable it does not sort
    by added after it as a tie-breaker, so consecutive pages neither overlap nor miss a
    row (a key named twice made Virtuoso 7.2 mix values of different rows). A query
    whose rows come from a large aggregate can page that aggregate itself: a line
    ``# the page: LIMIT`` in the subquery that orders it takes the page's ``LIMIT``
    and ``OFFSET`` (the subquery's ``ORDER BY`` must then be total), and the outer
    query, one row per row of that subquery, keeps the order and the ``LIMIT`` (under
    a ``LIMIT`` Virtuoso sorts a value too long for a sort key, a long ``GROUP_CONCAT``
    list; without one it fails). A subquery that needs to know how far the page reaches
    (a bound on the values of its last row) reads one row there: its line
    ``LIMIT 0 # the page's last row`` becomes ``LIMIT 1 OFFSET`` the row's index
    (``offset + limit - 1``); unpaged, it reads no row.

    >>> text = "SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b } GROUP BY ?a ORDER BY DESC(?n)"
    >>> print(paginate(text, Page(10, 20)))
    SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b } GROUP BY ?a ORDER BY DESC(?n)
      ?a
    LIMIT 10 OFFSET 20
    >>> text = "SELECT ?n WHERE { { SELECT ?n WHERE { ?s ?p ?n } "
    >>> text += "LIMIT 0 # the page's last row\\n} }"
    >>> paginate(text, Page(10, 20)).splitlines()[0]
    'SELECT ?n WHERE { { SELECT ?n WHERE { ?s ?p ?n } LIMIT 1 OFFSET 29'
    """
    masked = _masked(sparql)
    select = re.search(r"\bSELECT\b([^{]*?)\bWHERE\s*\{", masked, re.IGNORECASE)
    if select is None:
        raise ValueError("only a SELECT query with a WHERE clause pages")
    tail = masked[_closing(masked, select.end()) :]
    if re.search(r"\b(LIMIT|OFFSET)\b", tail, re.IGNORECASE):
        raise ValueError("a query with its own LIMIT or OFFSET does not page")
    projection = select.group(1)
    names = re.findall(r"\bAS\s+[?$](\w+)", projection, re.IGNORECASE)
    names = sorted(_projected(projection) - {"*"}) + names
    order = re.search(r"\bORDER\s+BY\b(.*)", tail, re.IGNORECASE | re.DOTALL)
    # The variables it sorts by as they are: bare (outside brackets, as in a projection)
    # or directed; not one in a call such as STR(?x), which orders differently.
    keys = _projected(order.group(1)) | set(_DIRECTED.findall(order.group(1))) if order else set()
    ties = " ".join("?" + n for n in names if n not in keys)
    text = sparql.rstrip() + ("" if order else "\nORDER BY") + (f"\n  {ties}" if ties else "")
    text = re.sub(
        r"\bLIMIT 0 # the page's last row\b[^\n]*$",
        f"LIMIT 1 OFFSET {page.offset + page.limit - 1}",
        text,
        flags=re.MULTILINE,
    )
    marker = re.search(r"^[ \t]*# the page: LIMIT[^\n]*$", text, re.MULTILINE)
    if marker is None:
        return f"{text}\nLIMIT {page.limit} OFFSET {page.offset}"
    head, tail = text[: marker.start()], text[marker.end() :]
    return f"{head}LIMIT {page.limit} OFFSET {page.offset}{tail}\nLIMIT {page.limit}"


#: A sort key in ``ASC()`` or ``DESC()`` that is one variable: its name.
_DIRECTED = re.compile(r"\b(?:ASC|DESC)\s*\(\s*[?$](\w+)\s*\)", re.IGNORECASE)

#: A subquery's ``SELECT`` with its projection, up to the brace opening its ``WHERE``.
_SUBSELECT = re.compile(r"\bSELECT\b([^{]*?)\bWHERE\s*\{", re.IGNORECASE)


def _masked(sparql: str) -> str:
    """The text with IRIs, comments and strings blanked (offsets kept), so that a brace,
    ``#`` or keyword in them is not taken for syntax."""
    return re.sub(_LEXICAL, _blank, sparql)


#: IRIs (a ``#`` in one starts no comment), comments, and strings.
_LEXICAL = re.compile(r"<[^<>\s\"{}|^`\\]*>|#[^\n]*|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _projected(projection: str) -> set[str]:
    """The plain variables (and ``*``) a ``SELECT`` projects, aggregates' aliases aside.

    >>> sorted(_projected(" DISTINCT ?city (COUNT(?x) AS ?n) ?y "))
    ['city', 'y']
    """
    while True:
        inner = re.sub(r"\([^()]*\)", " ", projection)
        if inner == projection:
            break
        projection = inner
    names = set(re.findall(r"[?$](\w+)", projection))
    return names | ({"*"} if "*" in projection else set())


def _closing(text: str, start: int) -> int:
    """The offset of the brace closing the group that opens just before ``start``."""
    depth = 1
    # Braces only: a walk over every character took most of a millisecond on a long
    # query, on every paged request.
    for brace in _BRACES.finditer(text, start):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return brace.start()
    return len(text)


_BRACES = re.compile(r"[{}]")
