"""Media types glocal reads and writes, as dicts from MIME type to format.

One table serves content negotiation in the endpoint, the ``format=`` short names used
in links, and the file extensions the loader accepts.
"""

from pyoxigraph import QueryResultsFormat, RdfFormat

__all__ = [
    "RDF_EXTENSIONS",
    "RDF_FORMATS",
    "RESULTS_FORMATS",
    "SHORT_NAMES",
    "negotiate",
]

#: SELECT/ASK result formats.
RESULTS_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}

#: Graph (CONSTRUCT/DESCRIBE) and dataset formats.
RDF_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/trig": RdfFormat.TRIG,
    "application/n-quads": RdfFormat.N_QUADS,
}

#: ``format=`` values accepted in URLs, for links and downloads.
SHORT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "html": "text/html",
}

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


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """Pick the offered media type that best matches an ``Accept`` header.

    Follows RFC 9110: highest q wins, then the most specific range, then the server's
    order of preference. Returns ``None`` when nothing offered is acceptable.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", ["text/csv",
    ...           "application/sparql-results+json"])
    'application/sparql-results+json'
    >>> negotiate("*/*", ["text/turtle"])
    'text/turtle'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges: list[tuple[str, float, int]] = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media, q, specificity))

    best: tuple[float, int, int] | None = None
    choice = None
    for index, candidate in enumerate(offered):
        match: tuple[float, int] | None = None
        for media, q, specificity in ranges:
            if (
                media == candidate
                or media == "*/*"
                or (media.endswith("/*") and candidate.startswith(media[:-1]))
            ) and (match is None or specificity > match[1]):
                match = (q, specificity)
        if match is None or match[0] <= 0:
            continue
        key = (match[0], match[1], -index)
        if best is None or key > best:
            best, choice = key, candidate
    return choice
