"""SHACL shapes read into plain objects, for the native engine of :mod:`glocal.data.conformance`.

The shapes file is small, so rdflib reads it; each shape becomes a :class:`Shape` with
its targets, its path (for a property shape), its core constraints as
``(component, parameter)`` pairs and its SPARQL constraints. Only what the native
engine evaluates exactly as pySHACL does is accepted; anything else (a complex path,
an unknown component, a SPARQL constraint it cannot run over all focus nodes at once)
raises :class:`UnsupportedShapes`, naming the shape and the feature, so that the
caller can use pySHACL (``--engine pyshacl``) instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse
from rdflib import RDF, BNode, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS, SH
from rdflib.term import Node

__all__ = ["Shape", "SparqlConstraint", "Term", "UnsupportedShapes", "rdflib_term", "read_shapes"]

_XSD_STRING = NamedNode("http://www.w3.org/2001/XMLSchema#string")
Term = NamedNode | BlankNode | Literal

#: Core components with one parameter each, read as they are.
_SCALAR = {
    SH.minCount: "minCount",
    SH.maxCount: "maxCount",
    SH.datatype: "datatype",
    SH["class"]: "class",
    SH.nodeKind: "nodeKind",
    SH.minLength: "minLength",
    SH.maxLength: "maxLength",
    SH.minInclusive: "minInclusive",
    SH.maxInclusive: "maxInclusive",
    SH.minExclusive: "minExclusive",
    SH.maxExclusive: "maxExclusive",
}
#: Components whose parameter is a list of shapes.
_LISTS = {SH["or"]: "or", SH["and"]: "and", SH.xone: "xone"}
#: Terms of a shape that are not constraints.
_DESCRIPTIVE = {
    RDF.type,
    SH.message,
    SH.severity,
    SH.path,
    SH.name,
    SH.description,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.property,
    SH.sparql,
    SH.flags,
    SH.declare,
    SH.order,
    SH.group,
}


class UnsupportedShapes(ValueError):
    """The shapes use a SHACL feature the native engine does not evaluate."""


@dataclass(frozen=True)
class SparqlConstraint:
    """A ``sh:sparql`` constraint: its query (``$this`` as ``?this``) and message."""

    select: str
    message: str | None


@dataclass
class Shape:
    """One node or property shape, with what it targets and what it requires."""

    node: str
    message: str | None = None
    severity: str = "Violation"
    #: The property path (an IRI), for a property shape.
    path: NamedNode | None = None
    target_class: list[NamedNode] = field(default_factory=list)
    target_subjects_of: list[NamedNode] = field(default_factory=list)
    target_objects_of: list[NamedNode] = field(default_factory=list)
    target_node: list[NamedNode | Literal] = field(default_factory=list)
    #: (component, parameter): a number, a term, a compiled pattern, a set of terms,
    #: a :class:`Shape` (``not``, ``node``) or a list of them (``or``, ``and``, ``xone``).
    constraints: list[tuple[str, Any]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        """Whether the shape picks focus nodes itself (rather than being nested)."""
        return bool(
            self.target_class
            or self.target_subjects_of
            or self.target_objects_of
            or self.target_node
        )


def read_shapes(text: str | bytes) -> list[Shape]:
    """The shapes with targets of a Turtle shapes graph, with their nested shapes.

    Raises
    ------
    UnsupportedShapes
        If a shape uses a feature the native engine does not evaluate.

    Examples
    --------
    >>> [shape] = read_shapes('''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <http://S> a sh:NodeShape ; sh:targetClass <http://C> ;
    ...         sh:property [ sh:path <http://p> ; sh:minCount 1 ; sh:message "p!" ] .''')
    >>> shape.target_class, shape.properties[0].constraints
    ([<NamedNode value=http://C>], [('minCount', 1)])
    """
    graph = Graph()
    # Oxigraph's Turtle parser is ten times faster than rdflib's.
    for quad in parse(text.encode() if isinstance(text, str) else text, RdfFormat.TURTLE):
        triple = (quad.subject, quad.predicate, quad.object)
        graph.add(tuple(map(rdflib_term, triple)))  # type: ignore[arg-type]  # no quoted triples
    reader = _Reader(graph)
    roots = {s for s in graph.subjects(RDF.type, SH.NodeShape)}
    roots |= {s for s in graph.subjects(RDF.type, SH.PropertyShape)}
    for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        roots |= set(graph.subjects(target, None))
    shapes = [reader.shape(node) for node in sorted(roots, key=str)]
    return [shape for shape in shapes if shape.has_targets]


class _Reader:
    """Reads shapes once each (a shape may be nested in several places)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.done: dict[Node, Shape] = {}

    def shape(self, node: Node) -> Shape:
        if node in self.done:
            return self.done[node]
        g = self.graph
        name = str(node) if isinstance(node, URIRef) else f"_:{node}"
        shape = Shape(name)
        self.done[node] = shape
        messages = list(g.objects(node, SH.message))
        if len(messages) > 1:
            raise UnsupportedShapes(f"{name} has several sh:message values")
        shape.message = str(messages[0]) if messages else None
        severity = g.value(node, SH.severity)
        if severity is not None:
            shape.severity = str(severity).rsplit("#", 1)[-1]
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:
            raise UnsupportedShapes(f"{name} is also a class (implicit class targets)")
        deactivated = g.value(node, SH.deactivated)
        if isinstance(deactivated, RDFLiteral) and deactivated.toPython() is True:
            raise UnsupportedShapes(f"{name} is deactivated (sh:deactivated)")
        path = g.value(node, SH.path)
        if path is not None:
            if not isinstance(path, URIRef):
                raise UnsupportedShapes(f"{name} has a complex sh:path")
            shape.path = NamedNode(str(path))
        shape.target_class = [NamedNode(str(c)) for c in g.objects(node, SH.targetClass)]
        shape.target_subjects_of = [NamedNode(str(p)) for p in g.objects(node, SH.targetSubjectsOf)]
        shape.target_objects_of = [NamedNode(str(p)) for p in g.objects(node, SH.targetObjectsOf)]
        shape.target_node = [_term(n) for n in g.objects(node, SH.targetNode)]  # type: ignore[misc]  # targets are IRIs or literals
        for predicate, value in sorted(g.predicate_objects(node), key=lambda pv: str(pv[0])):
            self._constraint(node, shape, predicate, value)
        return shape

    def _constraint(self, node: Node, shape: Shape, predicate: Node, value: Node) -> None:
        g = self.graph
        if isinstance(predicate, URIRef) and predicate in _SCALAR:
            parameter: Any = value.toPython() if isinstance(value, RDFLiteral) else _term(value)
            if predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
                parameter = value  # compared as rdflib literals, as pySHACL does
            shape.constraints.append((_SCALAR[predicate], parameter))
        elif predicate == SH.pattern:
            flags = str(g.value(node, SH.flags) or "").lower()
            compiled = re.compile(
                str(value), (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0)
            )
            shape.constraints.append(("pattern", compiled))
        elif predicate == SH["in"]:
            shape.constraints.append(("in", {_term(item) for item in Collection(g, value)}))
        elif isinstance(predicate, URIRef) and predicate in _LISTS:
            members = [self.shape(item) for item in Collection(g, value)]
            shape.constraints.append((_LISTS[predicate], members))
        elif predicate in (SH["not"], SH.node):
            shape.constraints.append((str(predicate).rsplit("#", 1)[-1], self.shape(value)))
        elif predicate == SH.property:
            shape.properties.append(self.shape(value))
        elif predicate == SH.sparql:
            shape.sparql.append(self._sparql(shape, value))
        elif predicate not in _DESCRIPTIVE and str(predicate).startswith(str(SH)):
            raise UnsupportedShapes(f"{shape.node} uses {predicate}")

    def _sparql(self, shape: Shape, node: Node) -> SparqlConstraint:
        g = self.graph
        select = str(g.value(node, SH.select) or "")
        if shape.path is not None or not select:
            raise UnsupportedShapes(f"{shape.node}: only SELECT constraints of node shapes")
        # Run once over every focus node, the query must return ?this, bind no other
        # pre-bound variable, and leave $this where a join means what pre-binding
        # means (not in a subquery, MINUS or VALUES).
        if re.search(r"\$(?!this\b)\w", select) or re.search(
            r"\b(MINUS|VALUES|SERVICE)\b|\{\s*SELECT\b", select, re.I
        ):
            raise UnsupportedShapes(f"{shape.node}: a SPARQL constraint the engine cannot run")
        head = select.split("{", 1)[0]
        if "$this" not in head:
            raise UnsupportedShapes(f"{shape.node}: a SPARQL constraint must select $this")
        prefixes = []
        for declared in g.objects(node, SH.prefixes):
            for declaration in g.objects(declared, SH.declare):
                prefix = g.value(declaration, SH.prefix)
                namespace = g.value(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>\n")
        message = g.value(node, SH.message)
        return SparqlConstraint(
            "".join(sorted(prefixes)) + select.replace("$this", "?this"),
            str(message) if message is not None else shape.message,
        )


def rdflib_term(term: Term) -> Node:
    """A pyoxigraph term as rdflib sees it (``xsd:string`` literals stay plain).

    >>> rdflib_term(Literal("x")), rdflib_term(Literal("01", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    (rdflib.term.Literal('x'), rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')))
    """
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return RDFLiteral(term.value, lang=term.language)
    if term.datatype == _XSD_STRING:
        # rdflib treats "x" and "x"^^xsd:string as different terms, and shapes files
        # write plain literals: keep strings plain so sh:in and sh:hasValue match.
        return RDFLiteral(term.value)
    return RDFLiteral(term.value, datatype=URIRef(term.datatype.value))


def _term(node: Node) -> NamedNode | BlankNode | Literal:
    """An rdflib term of the shapes graph as the pyoxigraph term it matches in the data."""
    if isinstance(node, URIRef):
        return NamedNode(str(node))
    if isinstance(node, BNode):
        return BlankNode(str(node))
    assert isinstance(node, RDFLiteral)  # rdflib nodes are IRIs, blank nodes or literals
    if node.language:
        return Literal(str(node), language=node.language)
    if node.datatype is None:
        return Literal(str(node))
    return Literal(str(node), datatype=NamedNode(str(node.datatype)))
