"""Media types glocal reads and writes: the one place that spells them.

Dicts from MIME type to Oxigraph format serve the endpoint's content negotiation, the
``format=`` short names used in links, the file extensions the loader accepts and the
suffixes of resource pages. Every other module names a media type through a constant
here, so a type is spelled once.
"""

import mimeparse
from pyoxigraph import QueryResultsFormat, RdfFormat

__all__ = [
    "ALIASES",
    "CSV",
    "FORM",
    "FORMAT_IRIS",
    "GRAPH_ALIASES",
    "GRAPH_SHORT_NAMES",
    "HTML",
    "JSON",
    "JSON_LD",
    "MARKDOWN",
    "N_QUADS",
    "N_TRIPLES",
    "RDF_EXTENSIONS",
    "RDF_FORMATS",
    "RDF_XML",
    "RESULTS_FORMATS",
    "SHORT_NAMES",
    "SPARQL_JSON",
    "SPARQL_QUERY",
    "SPARQL_UPDATE",
    "SPARQL_XML",
    "SUFFIXES",
    "TABLE_FORMATS",
    "TABLE_SUFFIXES",
    "TEXT",
    "TRIG",
    "TSV",
    "TURTLE",
    "bare",
    "negotiate",
    "offered_for",
]

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"
TRIG = "application/trig"
N_QUADS = "application/n-quads"
HTML = "text/html"
JSON = "application/json"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
#: Request bodies of the SPARQL 1.1 Protocol.
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"

#: SELECT/ASK result formats.
RESULTS_FORMATS: dict[str, QueryResultsFormat] = {
    SPARQL_JSON: QueryResultsFormat.JSON,
    SPARQL_XML: QueryResultsFormat.XML,
    CSV: QueryResultsFormat.CSV,
    TSV: QueryResultsFormat.TSV,
}

#: Graph (CONSTRUCT/DESCRIBE) and dataset formats.
RDF_FORMATS: dict[str, RdfFormat] = {
    TURTLE: RdfFormat.TURTLE,
    N_TRIPLES: RdfFormat.N_TRIPLES,
    JSON_LD: RdfFormat.JSON_LD,
    RDF_XML: RdfFormat.RDF_XML,
    TRIG: RdfFormat.TRIG,
    N_QUADS: RdfFormat.N_QUADS,
}

#: The W3C format IRIs (``http://www.w3.org/ns/formats/``) a service description lists.
FORMAT_IRIS: dict[str, str] = {
    media: "http://www.w3.org/ns/formats/" + name
    for media, name in [
        (SPARQL_JSON, "SPARQL_Results_JSON"),
        (SPARQL_XML, "SPARQL_Results_XML"),
        (CSV, "SPARQL_Results_CSV"),
        (TSV, "SPARQL_Results_TSV"),
        (TURTLE, "Turtle"),
        (N_TRIPLES, "N-Triples"),
        (JSON_LD, "JSON-LD"),
        (RDF_XML, "RDF_XML"),
        (TRIG, "TriG"),
        (N_QUADS, "N-Quads"),
    ]
}

#: Types that common clients send, each mapped onto the canonical type of query results.
ALIASES: dict[str, str] = {
    JSON: SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
    TEXT: N_TRIPLES,
}

#: What common clients ask for when a query gives triples (CONSTRUCT, DESCRIBE): JSON
#: means JSON-LD there, XML means RDF/XML, and N3 or the old Turtle types mean Turtle.
GRAPH_ALIASES: dict[str, str] = {
    JSON: JSON_LD,
    "application/xml": RDF_XML,
    "text/xml": RDF_XML,
    "text/n3": TURTLE,
    "text/rdf+n3": TURTLE,
    "application/x-turtle": TURTLE,
    "application/turtle": TURTLE,
    TEXT: N_TRIPLES,
}

#: ``format=`` values that mean a graph format for CONSTRUCT and DESCRIBE (SPARQLWrapper
#: sends ``format=xml`` or ``format=json`` whatever the query's form).
GRAPH_SHORT_NAMES: dict[str, str] = {"xml": RDF_XML, "json": JSON_LD, "n3": TURTLE, "rdf": RDF_XML}

#: ``format=`` values accepted in URLs, for links and downloads.
SHORT_NAMES: dict[str, str] = {
    "json": SPARQL_JSON,
    "xml": SPARQL_XML,
    "csv": CSV,
    "tsv": TSV,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "nt": N_TRIPLES,
    "jsonld": JSON_LD,
    "rdfxml": RDF_XML,
    "trig": TRIG,
    "nq": N_QUADS,
    "html": HTML,
    "md": MARKDOWN,
}

#: Suffixes that choose the format of a resource page (Datasette's convention).
SUFFIXES: dict[str, str] = {".ttl": TURTLE, ".jsonld": JSON_LD, ".json": JSON_LD}

#: The forms of the site's pages (browse indexes, search, coverage, canned queries): HTML
#: for browsers, JSON and CSV beside it, by suffix (``/id/city.csv``), by
#: ``?_format=`` or by ``Accept`` (Datasette's conventions).
TABLE_FORMATS: dict[str, str] = {"html": HTML, "json": JSON, "csv": CSV}
TABLE_SUFFIXES: dict[str, str] = {"." + name: media for name, media in TABLE_FORMATS.items()}

#: File extensions the loader reads.
RDF_EXTENSIONS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".trig": RdfFormat.TRIG,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
}


def offered_for(form: str) -> list[str]:
    """The media types that can carry the results of a query form, preferred first.

    >>> offered_for("ASK")[0]
    'application/sparql-results+json'
    >>> offered_for("CONSTRUCT")[0]
    'text/turtle'
    """
    return list(RESULTS_FORMATS if form in ("SELECT", "ASK") else RDF_FORMATS)


def bare(content_type: str | None) -> str:
    """A ``Content-Type`` header without its parameters, in lower case.

    >>> bare("Text/CSV; charset=utf-8")
    'text/csv'
    """
    return (content_type or "").split(";")[0].strip().lower()


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """Pick the offered media type that best matches an ``Accept`` header.

    Parsed and matched by ``python-mimeparse`` (RFC 9110: highest q wins, then the most
    specific range); ties go to the server's order of preference. A header that does
    not parse is ignored, as RFC 9110 allows. Returns ``None`` when nothing offered is
    acceptable.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", ["text/csv",
    ...           "application/sparql-results+json"])
    'application/sparql-results+json'
    >>> negotiate("*/*", ["text/turtle", "application/ld+json"])
    'text/turtle'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    >>> negotiate("garbage;;;", ["text/turtle"])
    'text/turtle'
    """
    if not offered:
        return None
    if not accept or not accept.strip():
        return offered[0]
    try:
        # mimeparse gives ties to the last candidate: hand it the least preferred first.
        chosen: str = mimeparse.best_match(list(reversed(offered)), accept)
    except (mimeparse.MimeTypeParseException, ValueError):
        return offered[0]
    return chosen or None
