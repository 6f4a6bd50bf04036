"""Validate the graph against glocal's SHACL shapes, with results cached by data version.

Two engines give the same results: the native one (:mod:`glocal.data.conformance`,
the default, about a hundred times faster) and pySHACL, the reference. pySHACL works
on rdflib graphs, so for it the quads are copied into one rdflib graph (the union of
all named graphs, ontology included, so that ``sh:class`` sees ``rdfs:subClassOf``).
Each violation is reported with the file its focus node came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from pyoxigraph import Quad
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import ORG, SH
from rdflib.term import Node

from glocal.data.conformance import native_violations
from glocal.data.shapes import UnsupportedShapes, rdflib_term, read_shapes
from glocal.data.violations import ValidationReport, Violation, relative_path
from glocal.dataset import Dataset, data_version
from glocal.resources import SHAPES_FILE

__all__ = [
    "ENGINES",
    "SHAPES_FILE",
    "InvalidShapes",
    "UnsupportedShapes",
    "ValidationReport",
    "Violation",
    "shacl_violations",
    "to_rdflib",
    "validate_dataset",
]

#: The SHACL engines: the native one (:mod:`glocal.data.conformance`) and pySHACL, the
#: reference it is tested against (``--engine pyshacl``).
ENGINES = ("native", "pyshacl")


class InvalidShapes(ValueError):
    """The SHACL shapes themselves are not valid SHACL (pySHACL refuses to run them)."""


def to_rdflib(quads: Iterable[Quad]) -> Graph:
    """Copy quads into one rdflib graph (the union of their graphs), keeping bnode ids."""
    graph = Graph()
    for quad in quads:
        # Curated data has no quoted triples (RDF-star), which rdflib_term does not
        # take, and rdflib types each position apart while rdflib_term returns Node.
        terms = (quad.subject, quad.predicate, quad.object)
        graph.add(tuple(map(rdflib_term, terms)))  # type: ignore[arg-type]  # see above
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
    dataset: Dataset,
    *,
    cache_dir: Path | None = None,
    shapes: Path = SHAPES_FILE,
    engine: str = "native",
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
    engine
        ``"native"`` or ``"pyshacl"`` (see :data:`ENGINES`); they report the same.

    Raises
    ------
    InvalidShapes
        If pySHACL cannot use the shapes.
    UnsupportedShapes
        If the native engine does not evaluate a feature the shapes use (use pySHACL).
    ValueError
        If ``engine`` is not one of :data:`ENGINES`.

    Examples
    --------
    >>> from glocal.dataset import curated_files, load_files
    >>> validate_dataset(load_files(curated_files())).conforms
    True
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    shapes_bytes = shapes.read_bytes()
    cache_file = None
    if cache_dir is not None:
        cache_file = (
            Path(cache_dir)
            / "validation"
            / f"{cache_key(dataset.version, shapes_bytes, engine)}.json"
        )
        if cache_file.is_file():
            return ValidationReport.from_json(cache_file.read_text())
    if engine == "native":
        violations = native_violations(
            dataset.quads, read_shapes(shapes_bytes), files=dataset.subject_files
        )
        conforms = not any(v.severity == "Violation" for v in violations)
    else:
        conforms, violations = _pyshacl(dataset, shapes_bytes)
    report = ValidationReport(conforms, violations, dataset.version)
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(report.to_json())
    return report


def cache_key(version: str, shapes: bytes, engine: str) -> str:
    """The name of a cached validation result: data version, shapes and engine.

    >>> cache_key("abc", b"shapes", "native") != cache_key("abc", b"shapes", "pyshacl")
    True
    """
    return data_version(
        [("data", version.encode()), ("shapes", shapes), ("engine", engine.encode())]
    )


def _pyshacl(dataset: Dataset, shapes_bytes: bytes) -> tuple[bool, list[Violation]]:
    data = to_rdflib(dataset.quads)
    shapes_graph = Graph().parse(data=shapes_bytes, format="turtle")
    # Imported here: pySHACL costs 0.7 s of every start-up that does not use it.
    from pyshacl import validate as shacl_validate

    conforms, results, text = shacl_validate(
        data, shacl_graph=shapes_graph, inference="none", allow_warnings=True
    )
    if not isinstance(results, Graph):
        # pySHACL hands back a failure object, not a results graph, for broken shapes.
        raise InvalidShapes(f"the SHACL shapes cannot be used: {text.strip()}")
    return bool(conforms), shacl_violations(results, data, files=dataset.subject_files)


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
    >>> from pyshacl import validate as shacl_validate
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
                file=relative_path(files.get(key)) if files is not None else None,
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                value_is_iri=isinstance(value, URIRef),
            )
        )
    violations.sort(key=lambda v: (v.file or "", v.focus, v.path or "", v.message))
    return violations
