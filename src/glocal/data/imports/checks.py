"""The checks an import must pass besides its cells: structural rules, then targeted SHACL.

Structural rules are those SHACL cannot state: no blank nodes, no vocabulary terms, no
graph of someone else's. SHACL then runs over the union of the data and the imports
with only the imports' subjects as focus nodes (see :mod:`glocal.data.imports` for why
that is enough).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode

from glocal.data.conformance import native_violations
from glocal.data.imports.context import ImportContext
from glocal.data.imports.mapped import MappedImport
from glocal.data.problems import Problem
from glocal.data.shapes import read_shapes
from glocal.data.validation import SHAPES_FILE
from glocal.namespaces import DCTERMS, GEO, GL, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, XSD

__all__ = ["check_imports", "check_shapes", "check_structure", "compact"]

_OWL = "http://www.w3.org/2002/07/owl#"
_SH = "http://www.w3.org/ns/shacl#"

#: Namespaces whose terms only ontology/glocal.ttl may describe.
_VOCABULARIES = (GL, RDF, RDFS, _OWL, ORG, PROV, SKOS, DCTERMS, GEO, XSD, _SH)


def compact(iri: str) -> str:
    """An IRI with glocal's prefixes, for messages.

    >>> compact("https://w3id.org/glocal/id/city/bristol")
    'city:bristol'
    >>> compact("https://example.org/x y")
    '<https://example.org/x y>'
    """
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(k for k, v in PREFIXES.items() if v == best)
    local = iri[len(best) :]
    return f"{prefix}:{local}" if re.fullmatch(r"[\w.-]*", local) else f"<{iri}>"


def check_imports(context: ImportContext, parts: Sequence[MappedImport]) -> list[Problem]:
    """Every problem of a set of imports over the data of ``context``: structure, then shapes."""
    problems: list[Problem] = []
    for index, part in enumerate(parts):
        problems += check_structure(part, context, parts[:index])
    return problems + check_shapes(context, parts)


def check_structure(
    part: MappedImport, context: ImportContext, others: Sequence[MappedImport]
) -> list[Problem]:
    """Rules SHACL cannot state: no blank nodes, no vocabulary, no foreign graphs."""
    problems: list[Problem] = []
    taken: dict[str, str] = {g: "the curated data" for g in context.graphs}
    for other in others:
        for quad in other.quads:
            if isinstance(quad.graph_name, NamedNode):
                taken.setdefault(quad.graph_name.value, other.file)
    reported: set[str] = set()
    for quad in part.quads:
        graph = quad.graph_name
        if isinstance(graph, NamedNode) and graph.value in taken and graph.value not in reported:
            reported.add(graph.value)
            problems.append(
                Problem(
                    part.file,
                    part.locations.get(graph.value),
                    f"graph <{graph.value}> is already used by {taken[graph.value]}; "
                    "an import may only add its own graphs",
                    part.unit,
                )
            )
        for term in (quad.subject, quad.object, graph):
            if isinstance(term, BlankNode) and "_:" not in reported:
                reported.add("_:")
                problems.append(
                    Problem(
                        part.file,
                        None,
                        "stored imports may not contain blank nodes; import the file "
                        "with `glocal import rdf`, which names them",
                        part.unit,
                    )
                )
        subject = quad.subject
        if isinstance(subject, NamedNode) and subject.value not in reported:
            iri = subject.value
            if iri in context.vocabulary or iri.startswith(_VOCABULARIES):
                reported.add(iri)
                problems.append(
                    Problem(
                        part.file,
                        part.locations.get(iri),
                        f"imports may not describe vocabulary terms ({compact(iri)}); "
                        "change ontology/glocal.ttl instead",
                        part.unit,
                    )
                )
    return problems


def check_shapes(
    context: ImportContext, parts: Sequence[MappedImport], *, shapes: Path = SHAPES_FILE
) -> list[Problem]:
    """SHACL over everything, with the imports' subjects as focus nodes (see the package)."""
    where: dict[str, tuple[MappedImport, int | None]] = {}
    for part in parts:
        for quad in part.quads:
            if isinstance(quad.subject, NamedNode) and quad.subject.value not in where:
                where[quad.subject.value] = (part, part.locations.get(quad.subject.value))
    if not where:
        return []
    # The native engine, as for the curated data: pySHACL took 52 s and 1 GB for an
    # import of 5,000 memberships (tests/data/test_validation_engines.py holds the
    # two engines to the same results).
    quads = [*context.quads, *(q for part in parts for q in part.quads)]
    violations = native_violations(
        quads, read_shapes(shapes.read_bytes()), focus={NamedNode(iri) for iri in where}
    )
    problems = []
    for violation in violations:
        if violation.severity != "Violation":
            continue
        text = compact(violation.focus)
        if violation.path is not None:
            text += f" {compact(violation.path)}"
        text += f": {violation.message}"
        value = violation.value
        if value is not None and value != violation.focus:
            text += f" (value: {compact(value) if violation.value_is_iri else value})"
        part, line = where.get(violation.focus, (parts[0], None))
        problems.append(Problem(part.file, line, f"SHACL: {text}", part.unit))
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
