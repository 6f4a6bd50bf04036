"""Validate the graph against glocal's SHACL shapes, with results cached by data version.

pySHACL works on rdflib graphs, so the quads are copied into one rdflib graph (the
union of all named graphs, ontology included, so that ``sh:class`` sees
``rdfs:subClassOf``). Each violation is reported with the file its focus node came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad
from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import ORG, SH
from rdflib.term import Node

from glocal.dataset import Dataset, data_version
from glocal.resources import SHAPES_FILE

__all__ = [
    "SHAPES_FILE",
    "InvalidShapes",
    "ValidationReport",
    "Violation",
    "shacl_violations",
    "to_rdflib",
    "validate_dataset",
]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class InvalidShapes(ValueError):
    """The SHACL shapes themselves are not valid SHACL (pySHACL refuses to run them)."""


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in words a curator can act on."""

    focus: str
    path: str | None
    message: str
    value: str | None
    file: str | None
    severity: str
    #: Whether :attr:`value` is an IRI (rather than a literal or a blank node).
    value_is_iri: bool = False

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}{self.focus}{path}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """Whether the data conforms, and every violation if not."""

    conforms: bool
    violations: list[Violation]
    version: str

    def to_json(self) -> str:
        """Serialize for the validation cache."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        """Read a cached report back."""
        raw = json.loads(text)
        return cls(raw["conforms"], [Violation(**v) for v in raw["violations"]], raw["version"])


def _term(term: NamedNode | BlankNode | Literal) -> Node:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return RDFLiteral(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        # rdflib treats "x" and "x"^^xsd:string as different terms, and shapes files
        # write plain literals: keep strings plain so sh:in and sh:hasValue match.
        return RDFLiteral(term.value)
    return RDFLiteral(term.value, datatype=URIRef(term.datatype.value))


def to_rdflib(quads: Iterable[Quad]) -> Graph:
    """Copy quads into one rdflib graph (the union of their graphs), keeping bnode ids."""
    graph = Graph()
    for quad in quads:
        # Curated data has no quoted triples (RDF-star), which _term does not take, and
        # rdflib types each position apart while _term returns their common Node.
        terms = (quad.subject, quad.predicate, quad.object)
        graph.add(tuple(map(_term, terms)))  # type: ignore[arg-type]  # see above
    return graph


def _describe(graph: Graph, node: Node) -> str:
    # A blank focus node (a statement or membership) means nothing to a reader; name
    # the fact it qualifies instead.
    if not isinstance(node, BNode):
        return str(node)
    subject = graph.value(node, RDF.subject) or graph.value(node, ORG.member)
    predicate = graph.value(node, RDF.predicate) or (
        ORG.memberOf if graph.value(node, ORG.member) else None
    )
    obj = graph.value(node, RDF.object) or graph.value(node, ORG.organization)
    if subject is None:
        return f"_:{node}"
    return f"[qualified node for {subject} {predicate} {obj}]"


def validate_dataset(
    dataset: Dataset, *, cache_dir: Path | None = None, shapes: Path = SHAPES_FILE
) -> ValidationReport:
    """Validate a dataset against the SHACL shapes.

    Parameters
    ----------
    dataset
        The parsed ontology, data and any extra files.
    cache_dir
        Where to keep results by data version; ``None`` disables the cache.
    shapes
        The shapes file.

    Examples
    --------
    >>> from glocal.dataset import curated_files, load_files
    >>> validate_dataset(load_files(curated_files())).conforms
    True
    """
    shapes_bytes = shapes.read_bytes()
    cache_file = None
    if cache_dir is not None:
        key = data_version([("data", dataset.version.encode()), ("shapes", shapes_bytes)])
        cache_file = Path(cache_dir) / "validation" / f"{key}.json"
        if cache_file.is_file():
            return ValidationReport.from_json(cache_file.read_text())

    data = to_rdflib(dataset.quads)
    shapes_graph = Graph().parse(data=shapes_bytes, format="turtle")
    conforms, results, text = shacl_validate(
        data, shacl_graph=shapes_graph, inference="none", allow_warnings=True
    )
    if not isinstance(results, Graph):
        # pySHACL hands back a failure object, not a results graph, for broken shapes.
        raise InvalidShapes(f"the SHACL shapes cannot be used: {text.strip()}")
    violations = shacl_violations(results, data, files=dataset.subject_files)
    report = ValidationReport(bool(conforms), violations, dataset.version)
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(report.to_json())
    return report


def shacl_violations(
    results: Graph, data: Graph, *, files: Mapping[str, str] | None = None
) -> list[Violation]:
    """The results of a pySHACL run as :class:`Violation` records, sorted.

    Parameters
    ----------
    results
        pySHACL's results graph.
    data
        The graph validated, to name the fact a blank focus node qualifies.
    files
        For each subject IRI or blank node id, the file it came from (see
        :attr:`glocal.dataset.Dataset.subject_files`); ``None`` leaves files out.

    Examples
    --------
    >>> data = Graph().parse(data="<http://a> a <http://C> .", format="turtle")
    >>> shapes = Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <http://S> a sh:NodeShape ; sh:targetClass <http://C> ;
    ...         sh:property [ sh:path <http://p> ; sh:minCount 1 ] .''', format="turtle")
    >>> _, results, _ = shacl_validate(data, shacl_graph=shapes)
    >>> [(v.focus, v.path, v.severity) for v in shacl_violations(results, data)]
    [('http://a', 'http://p', 'Violation')]
    """
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        assert focus is not None  # SHACL gives every result exactly one sh:focusNode
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        key = str(focus) if not isinstance(focus, BNode) else f"_:{focus}"
        default = f"violates {shape}" if isinstance(shape, URIRef) else "violates a shape"
        violations.append(
            Violation(
                focus=_describe(data, focus),
                # Every sh:path of the shapes is an IRI; a complex path has no name to show.
                path=str(path) if isinstance(path, URIRef) else None,
                message=str(results.value(result, SH.resultMessage) or default),
                value=str(value) if value is not None else None,
                file=_relative(files.get(key)) if files is not None else None,
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                value_is_iri=isinstance(value, URIRef),
            )
        )
    violations.sort(key=lambda v: (v.file or "", v.focus, v.path or "", v.message))
    return violations


def _relative(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
