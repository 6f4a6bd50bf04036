"""The native SHACL engine: the shapes of :mod:`glocal.data.shapes` checked over an index.

pySHACL copies every quad into rdflib and runs each SPARQL constraint once per focus
node, which took 8 s on the curated data and minutes on researcher-scale graphs. This
engine reads the quads once into a subject → predicate → objects index (the union of
all graphs, as pySHACL validates), evaluates the core constraints in plain Python, and
runs each SPARQL constraint once, over every focus node, on an in-memory Oxigraph
store. Its results are pySHACL's, result for result: literals are compared, checked
for their datatype and printed as rdflib does, with pySHACL's own comparison helper,
and ``tests/data/test_validation_engines.py`` holds the two engines to the same
violations. Lengths are counted in characters, as SHACL says (``pyrudof`` counts
UTF-8 bytes, which rejected quotes with curly quotation marks).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store
from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.term import Node

from glocal.data.shapes import Shape, Term, UnsupportedShapes, rdflib_term
from glocal.data.violations import Violation, relative_path

__all__ = ["native_violations"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SH = "http://www.w3.org/ns/shacl#"
_ORG = "http://www.w3.org/ns/org#"
_TYPE = NamedNode(_RDF + "type")
_SUBCLASS = NamedNode(_RDFS + "subClassOf")
_XSD_STRING = NamedNode(_XSD + "string")
_LANG_STRING = NamedNode(_RDF + "langString")
_RDFS_LITERAL = NamedNode(_RDFS + "Literal")
_RDFS_DATATYPE = NamedNode(_RDFS + "Datatype")
#: The Python value rdflib gives a well-typed literal of each datatype (pySHACL's
#: DatatypeConstraintComponent checks the same; other datatypes pass once well-typed).
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    _XSD + "integer": int,
    _XSD + "float": float,
    _XSD + "decimal": Decimal,
    _XSD + "boolean": bool,
    _XSD + "date": date,
    _XSD + "time": time,
    _XSD + "dateTime": datetime,
}
_NODE_KINDS = {
    _SH + "IRI": (NamedNode,),
    _SH + "BlankNode": (BlankNode,),
    _SH + "Literal": (Literal,),
    _SH + "BlankNodeOrIRI": (BlankNode, NamedNode),
    _SH + "BlankNodeOrLiteral": (BlankNode, Literal),
    _SH + "IRIOrLiteral": (NamedNode, Literal),
}
#: Which comparison results pass each range component (as pySHACL decides them).
_RANGES = {
    "minInclusive": lambda c: c >= 0,
    "minExclusive": lambda c: c > 0,
    "maxInclusive": lambda c: c <= 0,
    "maxExclusive": lambda c: c < 0,
}


def native_violations(
    quads: Iterable[Quad],
    shapes: list[Shape],
    *,
    files: Mapping[str, str] | None = None,
    focus: Collection[Term] | None = None,
) -> list[Violation]:
    """Validate quads (as one union graph) against shapes, as pySHACL would.

    Parameters
    ----------
    quads
        The data and the ontology (for ``rdfs:subClassOf``).
    shapes
        The shapes with targets (:func:`~glocal.data.shapes.read_shapes`).
    files
        For each subject IRI or blank node id, the file it came from.
    focus
        Check only these focus nodes (those of them each shape targets); ``None``
        checks every target. Imports are checked so (see :mod:`glocal.data.imports`).

    Raises
    ------
    UnsupportedShapes
        If a shape that reports results has no ``sh:message``.

    Examples
    --------
    >>> from glocal.data.shapes import read_shapes
    >>> from pyoxigraph import parse, RdfFormat
    >>> shapes = read_shapes('''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <http://S> a sh:NodeShape ; sh:targetClass <http://C> ;
    ...         sh:property [ sh:path <http://p> ; sh:minCount 1 ; sh:message "p!" ] .''')
    >>> data = parse(b"<http://a> a <http://C> .", RdfFormat.TURTLE)
    >>> [str(v) for v in native_violations(data, shapes)]
    ['http://a http://p: p!']
    """
    quads = list(quads) if not isinstance(quads, list) else quads
    for shape in shapes:
        for reporting in [shape, *shape.properties]:
            if reporting.message is None and reporting.constraints:
                raise UnsupportedShapes(f"{reporting.node} has no sh:message")
    graph = _Graph(quads)
    store: Store | None = None
    results: list[tuple[Term, Shape, NamedNode | None, Term | None, str | None]] = []
    for shape in shapes:
        focus_nodes = graph.targets(shape)
        if focus is not None:
            focus_nodes = {node: None for node in focus_nodes if node in focus}
        for node in focus_nodes:
            for owner, path, value in graph.results(shape, node):
                results.append((node, owner, path, value, None))
        if shape.sparql:
            if store is None:
                store = Store()
                store.bulk_extend(quads)
            results += _sparql_results(store, shape, focus_nodes)
    violations = [graph.violation(*result, files=files) for result in results]
    violations.sort(key=lambda v: (v.file or "", v.focus, v.path or "", v.message))
    return violations


def _sparql_results(
    store: Store, shape: Shape, focus_nodes: dict[Term, None]
) -> Iterator[tuple[Term, Shape, NamedNode | None, Term | None, str | None]]:
    """Run each SPARQL constraint of a node shape once, keeping rows of focus nodes."""
    for constraint in shape.sparql:
        solutions = store.query(constraint.select, use_default_graph_as_union=True)
        seen: set[tuple[Any, ...]] = set()
        names = [v.value for v in solutions.variables]  # type: ignore[union-attr]  # a SELECT
        for solution in solutions:  # type: ignore[union-attr]  # a SELECT gives solutions
            bound = {name: solution[name] for name in names if solution[name] is not None}
            this = bound.pop("this", None)
            if this is None or this not in focus_nodes:
                continue
            path, value = bound.pop("path", None), bound.pop("value", None)
            key = (this, path, value, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
            if key in seen:  # pySHACL drops repeated rows of one focus node
                continue
            seen.add(key)
            value = this if value is None else value  # a node shape's value is its focus
            message = constraint.message or ""
            for name, term in [*bound.items(), ("this", this), ("path", path), ("value", value)]:
                if term is not None:
                    message = re.sub(f"{{[?$]{name}}}", str(rdflib_term(term)), message)
            yield this, shape, path if isinstance(path, NamedNode) else None, value, message


def _compare(first: RDFLiteral, second: RDFLiteral) -> int:
    """-1, 0 or 1 as pySHACL 0.40 orders literals (``pyshacl.rdfutil.compare_literal``,
    copied because importing pySHACL costs 0.7 s of every start-up).

    Raises
    ------
    TypeError
        If the two cannot be compared (rdflib refuses).
    """
    if first.eq(second):
        return 0
    if isinstance(first.value, (datetime, time)):
        if first.value == second.value:
            return 0
        if first.value > second.value:
            return 1
    elif first > second:
        return 1
    return -1


class _Graph:
    """The union graph as subject → predicate → objects, with class membership."""

    def __init__(self, quads: list[Quad]) -> None:
        out: dict[Term, dict[NamedNode, dict[Term, None]]] = {}
        for quad in quads:
            subject: Term = quad.subject  # type: ignore[assignment]  # no quoted triples
            by_predicate = out.get(subject)
            if by_predicate is None:
                by_predicate = out[subject] = {}
            objects = by_predicate.get(quad.predicate)
            if objects is None:
                objects = by_predicate[quad.predicate] = {}
            objects[quad.object] = None  # type: ignore[index]  # as above
        self.out = out
        self.subjects_of: dict[NamedNode, list[Term]] = {}
        for subject, by_predicate in out.items():
            for predicate in by_predicate:
                self.subjects_of.setdefault(predicate, []).append(subject)
        #: class -> its direct instances
        self.by_type: dict[Term, list[Term]] = {}
        for subject in self.subjects_of.get(_TYPE, []):
            for cls in out[subject][_TYPE]:
                self.by_type.setdefault(cls, []).append(subject)
        self._supers: dict[Term, set[Term]] = {}
        self._literals: dict[Literal, Node] = {}

    def objects(self, subject: Term, predicate: NamedNode) -> list[Term]:
        return list(self.out.get(subject, {}).get(predicate, ()))

    def superclasses(self, cls: Term) -> set[Term]:
        """The class and every class it is an ``rdfs:subClassOf``, transitively."""
        found = self._supers.get(cls)
        if found is None:
            found, todo = {cls}, [cls]
            while todo:
                for parent in self.objects(todo.pop(), _SUBCLASS):
                    if parent not in found:
                        found.add(parent)
                        todo.append(parent)
            self._supers[cls] = found
        return found

    def is_instance(self, node: Term, cls: Term) -> bool:
        if isinstance(node, Literal):
            return False
        return any(cls in self.superclasses(t) for t in self.objects(node, _TYPE))

    def targets(self, shape: Shape) -> dict[Term, None]:
        """The focus nodes of a shape, in a stable order, each once."""
        focus: dict[Term, None] = {}
        if shape.target_class:
            wanted = set(shape.target_class)
            for cls, nodes in self.by_type.items():
                if wanted & self.superclasses(cls):
                    focus.update(dict.fromkeys(nodes))
        for predicate in shape.target_subjects_of:
            focus.update(dict.fromkeys(self.subjects_of.get(predicate, [])))
        for predicate in shape.target_objects_of:
            for subject in self.subjects_of.get(predicate, []):
                focus.update(dict.fromkeys(self.objects(subject, predicate)))
        focus.update(dict.fromkeys(shape.target_node))
        return focus

    def results(
        self, shape: Shape, focus: Term
    ) -> Iterator[tuple[Shape, NamedNode | None, Term | None]]:
        """(shape, path, value) of every failed constraint of a shape on one focus node."""
        values = [focus] if shape.path is None else self.objects(focus, shape.path)
        for kind, parameter in shape.constraints:
            for value in self.failures(kind, parameter, values):
                yield shape, shape.path, value
        for prop in shape.properties:
            yield from self.results(prop, focus)

    def conforms(self, shape: Shape, node: Term) -> bool:
        return next(self.results(shape, node), None) is None

    def failures(self, kind: str, parameter: Any, values: list[Term]) -> Iterator[Term | None]:
        """The value nodes failing one constraint (``None`` for a count)."""
        if kind == "minCount":
            if len(values) < parameter:
                yield None
            return
        if kind == "maxCount":
            if len(values) > parameter:
                yield None
            return
        for value in values:
            if not self.passes(kind, parameter, value):
                yield value

    def passes(self, kind: str, parameter: Any, value: Term) -> bool:
        if kind == "class":
            return self.is_instance(value, parameter)
        if kind == "datatype":
            return self._has_datatype(value, parameter)
        if kind == "nodeKind":
            return isinstance(value, _NODE_KINDS[parameter.value])
        if kind == "in":
            return value in parameter
        if kind in ("minLength", "maxLength", "pattern"):
            if isinstance(value, BlankNode):
                return False
            text = str(self.rdflib(value))  # characters, not UTF-8 bytes
            if kind == "pattern":
                return parameter.search(text) is not None
            return bool(len(text) >= parameter if kind == "minLength" else len(text) <= parameter)
        if kind in _RANGES:
            return self._in_range(kind, parameter, value)
        if kind == "or":
            return any(self.conforms(s, value) for s in parameter)
        if kind == "and":
            return all(self.conforms(s, value) for s in parameter)
        if kind == "xone":
            return sum(self.conforms(s, value) for s in parameter) == 1
        if kind == "not":
            return not self.conforms(parameter, value)
        if kind == "node":
            return self.conforms(parameter, value)
        raise UnsupportedShapes(f"sh:{kind}")

    def rdflib(self, term: Term) -> Node:
        if not isinstance(term, Literal):
            return rdflib_term(term)
        found = self._literals.get(term)
        if found is None:
            found = self._literals[term] = rdflib_term(term)
        return found

    def _has_datatype(self, value: Term, datatype: NamedNode) -> bool:
        if not isinstance(value, Literal):
            return False
        if value.language:
            return datatype in (_LANG_STRING, _RDFS_LITERAL)
        if value.datatype == _XSD_STRING:
            return datatype in (_XSD_STRING, _RDFS_LITERAL)
        if value.datatype == datatype:
            literal = self.rdflib(value)
            assert isinstance(literal, RDFLiteral)  # a literal stays a literal
            if literal.ill_typed is True:
                return False
            return isinstance(literal.value, _PYTHON_TYPES.get(datatype.value, object))
        return datatype in (_RDFS_LITERAL, _RDFS_DATATYPE)

    def _in_range(self, kind: str, bound: RDFLiteral, value: Term) -> bool:
        if not isinstance(value, Literal):
            return False
        literal = self.rdflib(value)
        assert isinstance(literal, RDFLiteral)  # a literal stays a literal
        if isinstance(bound.value, str) != isinstance(literal.value, str):
            return False
        try:
            return bool(_RANGES[kind](_compare(literal, bound)))
        except (TypeError, NotImplementedError):
            return False

    def violation(
        self,
        focus: Term,
        shape: Shape,
        path: NamedNode | None,
        value: Term | None,
        message: str | None,
        *,
        files: Mapping[str, str] | None,
    ) -> Violation:
        key = f"_:{focus.value}" if isinstance(focus, BlankNode) else focus.value
        return Violation(
            focus=self._describe(focus),
            path=path.value if path is not None else None,
            message=message if message is not None else shape.message or "",
            value=str(self.rdflib(value)) if value is not None else None,
            file=relative_path(files.get(key)) if files is not None else None,
            severity=shape.severity,
            value_is_iri=isinstance(value, NamedNode),
        )

    def _describe(self, node: Term) -> str:
        # A blank focus node (a statement or membership) means nothing to a reader; name
        # the fact it qualifies instead (as rdflib's truthiness decides, like pySHACL's path).
        if not isinstance(node, BlankNode):
            return str(node.value)

        def value(predicate: str) -> Node | None:
            found = self.objects(node, NamedNode(predicate))
            return self.rdflib(found[0]) if found else None

        member = value(_ORG + "member")
        subject = value(_RDF + "subject") or member
        predicate = value(_RDF + "predicate") or (URIRef(_ORG + "memberOf") if member else None)
        obj = value(_RDF + "object") or value(_ORG + "organization")
        if subject is None:
            return f"_:{node.value}"
        return f"[qualified node for {subject} {predicate} {obj}]"
