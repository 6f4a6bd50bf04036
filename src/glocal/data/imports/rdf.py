"""An RDF file for import: parsed, its blank nodes named, and the line of each node found."""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Callable, Sequence
from typing import Any

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse

from glocal.data.imports.guard import check_literals, check_structure
from glocal.data.imports.mapped import MappedImport
from glocal.data.problems import DataRejected, Problem
from glocal.namespaces import DCTERMS, GL, RDF, RDFS

__all__ = ["rdf_to_quads", "subject_lines"]


def _syntax_line(data: bytes, fmt: RdfFormat, err: SyntaxError) -> int | None:
    """The line of a syntax error; RDF/XML errors come without one, so find it."""
    if err.lineno:
        return int(err.lineno)
    if fmt != RdfFormat.RDF_XML:
        return None
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as xml_error:
        return int(xml_error.lineno)
    # Well-formed XML that is not valid RDF/XML: the message quotes the culprit.
    for token in re.findall(r"'([^']+)'|`([^`]+)`", str(err.msg)):
        text = next(t for t in token if t)
        line = _first_line(data.decode("utf-8", "replace"), text)
        if line:
            return line
    return None


def _first_line(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else None


def _mention_locator(text: str) -> Callable[[str], int | None]:
    """Where an IRI is first written in an RDF file: in full, or as ``prefix:local``."""

    def locate(iri: str) -> int | None:
        line = _first_line(text, f"<{iri}>") or _first_line(text, f'"{iri}"')
        if line:
            return line
        local = re.split(r"[/#]", iri)[-1]
        if not local:
            return None
        match = re.search(rf":{re.escape(local)}(?![\w-])", text)
        return text.count("\n", 0, match.start()) + 1 if match else None

    return locate


def rdf_to_quads(
    data: bytes,
    *,
    fmt: RdfFormat,
    graph: str,
    file_name: str = "data.ttl",
    title: str | None = None,
) -> MappedImport:
    """Parse an RDF file for import: its default graph becomes the import's graph.

    Blank nodes are given IRIs (``<graph>-node-1`` ...) so that every imported node can
    be validated and named; the graph is described as a ``gl:ImportedSource`` titled
    ``title`` (the file name) unless the file describes it itself. Named graphs of a
    TriG or N-Quads file are kept.

    Raises
    ------
    DataRejected
        If the file is malformed (with the line of the error) or empty.

    Examples
    --------
    >>> rdf_to_quads(b'<http://a> <http://b> "x" .\\n<http://a> <http://b> .',
    ...              fmt=RdfFormat.N_TRIPLES, graph="http://g", file_name="x.nt")
    Traceback (most recent call last):
    ...
    glocal.data.problems.DataRejected: import rejected (1 problem):
      x.nt:2: ...
    """
    # Limits first: some documents crash or flood the parser itself (see guard).
    problem = check_structure(data, fmt, file_name)
    if problem is not None:
        raise DataRejected([problem])
    try:
        parsed = list(parse(data, fmt, base_iri=graph))
    except SyntaxError as err:
        line = _syntax_line(data, fmt, err)
        raise DataRejected([Problem(file_name, line, f"malformed RDF: {err.msg}")]) from None
    if not parsed:
        raise DataRejected([Problem(file_name, None, "the file holds no triples")])
    problem = check_literals(parsed, file_name)
    if problem is not None:
        raise DataRejected([problem])
    target = NamedNode(graph)
    names: dict[str, NamedNode] = {}

    # Any: subjects, objects and graph names are different unions of term types.
    def name(term: Any) -> Any:
        if isinstance(term, BlankNode):
            if term.value not in names:
                names[term.value] = NamedNode(f"{graph}-node-{len(names) + 1}")
            return names[term.value]
        return term

    quads = [
        Quad(
            name(q.subject),
            q.predicate,
            name(q.object),
            target if q.graph_name == DefaultGraph() else name(q.graph_name),
        )
        for q in parsed
    ]
    locations = subject_lines(quads, data)
    titled = any(q.subject == target and q.predicate.value == DCTERMS + "title" for q in quads)
    if not titled:
        label = Literal(title or file_name)
        quads += [
            Quad(target, NamedNode(RDF + "type"), NamedNode(GL + "ImportedSource"), target),
            Quad(target, NamedNode(RDFS + "label"), label, target),
            Quad(target, NamedNode(DCTERMS + "title"), label, target),
        ]
    return MappedImport(graph, quads, locations, len(parsed), "line", file_name)


def subject_lines(quads: Sequence[Quad], data: bytes) -> dict[str, int]:
    """The line of an RDF file where each subject IRI of its quads is first written.

    >>> text = b"<http://a> <http://b> <http://c> .\\n<http://d> <http://b> <http://a> ."
    >>> subject_lines(list(parse(text, RdfFormat.N_TRIPLES)), text)
    {'http://a': 1, 'http://d': 2}
    """
    locate = _mention_locator(data.decode("utf-8", "replace"))
    locations: dict[str, int] = {}
    for quad in quads:
        subject = quad.subject
        if isinstance(subject, NamedNode) and subject.value not in locations:
            line = locate(subject.value)
            if line:
                locations[subject.value] = line
    return locations
