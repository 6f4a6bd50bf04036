"""What an import is matched against: the cities, organisations, roles and graphs already there."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pyoxigraph import NamedNode, Quad, Store

from glocal.data.gazetteer import GEONAMES
from glocal.data.names import fold
from glocal.namespaces import GL, ONTOLOGY_GRAPH, PREFIXES

__all__ = ["ImportContext", "KnownCity", "role_key"]

#: Role names researchers write, beyond the labels of the gl:roles scheme (which are
#: always accepted, as are the local names such as ``LeadershipBoardMember``).
_ROLE_SYNONYMS = {
    "participant": "Member",
    "full member": "Member",
    "founder": "FoundingMember",
    "co founder": "FoundingMember",
    "founding": "FoundingMember",
    "leadership board": "LeadershipBoardMember",
    "board": "LeadershipBoardMember",
    "board member": "LeadershipBoardMember",
    "executive board": "LeadershipBoardMember",
    "executive board member": "LeadershipBoardMember",
    "president": "Chair",
    "co chair": "Chair",
    "vice chair": "Chair",
    "co president": "Chair",
    "vice president": "Chair",
    "steering committee": "SteeringCommitteeMember",
    "steering group": "SteeringCommitteeMember",
    "co steering": "CoSteeringPartner",
    "associate": "Observer",
    "associate member": "Observer",
    "secretariat": "Coordinator",
    "lead": "Coordinator",
    "official": "Staff",
}


def role_key(text: str) -> str:
    """A role name as it is looked up: folded, with ``-``, ``_`` and ``/`` as spaces.

    >>> role_key("Leadership-Board  member")
    'leadership board member'
    """
    return " ".join(re.sub(r"[-_/]", " ", fold(text)).split())


@dataclass(frozen=True)
class KnownCity:
    """A city of the graph: its IRI, label, country code and GeoNames id (when known)."""

    iri: str
    label: str
    country: str | None
    geonames: int | None


class ImportContext:
    """What an import is matched against: the cities, organisations, roles and graph
    names of the data already there (curated files plus earlier imports).

    Parameters
    ----------
    quads
        The existing data, ontology included (roles and classes come from it).
    """

    def __init__(self, quads: Sequence[Quad]) -> None:
        self.quads = list(quads)
        store = Store()
        store.bulk_extend(self.quads)
        self._store = store
        self.graphs = {g.value for g in store.named_graphs() if isinstance(g, NamedNode)}
        self.subjects = {q.subject.value for q in self.quads if isinstance(q.subject, NamedNode)}
        ontology = NamedNode(ONTOLOGY_GRAPH)
        self.vocabulary = {
            q.subject.value
            for q in self.quads
            if q.graph_name == ontology and isinstance(q.subject, NamedNode)
        }

    def _select(self, sparql: str) -> Iterator[Any]:
        # Any: the queries bind their variables to IRIs and literals, which have .value.
        solutions = self._store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
        yield from solutions  # type: ignore[misc]  # a SELECT always gives QuerySolutions

    @cached_property
    def cities(self) -> dict[str, list[KnownCity]]:
        """Known cities by folded label or alternative label."""
        rows = self._select(
            """SELECT ?city ?name ?label ?code ?geonames WHERE {
                 ?city a gl:City . { ?city rdfs:label ?name } UNION { ?city skos:altLabel ?name }
                 OPTIONAL { ?city rdfs:label ?label }
                 OPTIONAL { ?city gl:country/gl:iso3166Alpha2 ?code }
                 OPTIONAL { ?city gl:geonames ?geonames } }"""
        )
        found: dict[str, dict[str, KnownCity]] = {}
        for row in rows:
            gid = row["geonames"]
            geonames = None
            if gid is not None and gid.value.startswith(GEONAMES):
                geonames = int(gid.value.removeprefix(GEONAMES).strip("/") or 0)
            label = row["label"] or row["name"]
            city = KnownCity(
                row["city"].value,
                label.value,
                row["code"].value if row["code"] is not None else None,
                geonames,
            )
            found.setdefault(fold(row["name"].value), {}).setdefault(city.iri, city)
        return {name: list(by_iri.values()) for name, by_iri in found.items()}

    @cached_property
    def organisations(self) -> dict[str, dict[str, tuple[str, tuple[str, ...]]]]:
        """Known organisations by folded label or acronym: IRI -> (label, types)."""
        rows = self._select(
            """SELECT ?org ?name ?label ?type WHERE {
                 ?org a ?type . ?type rdfs:subClassOf* gl:Organisation .
                 { ?org rdfs:label ?name } UNION { ?org skos:altLabel ?name }
                 OPTIONAL { ?org rdfs:label ?label } }"""
        )
        labels: dict[str, str] = {}
        types: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        for row in rows:
            iri = row["org"].value
            labels.setdefault(iri, (row["label"] or row["name"]).value)
            types.setdefault(iri, set()).add(row["type"].value)
            names.setdefault(fold(row["name"].value), set()).add(iri)
        return {
            name: {iri: (labels[iri], tuple(sorted(types[iri]))) for iri in sorted(iris)}
            for name, iris in names.items()
        }

    @cached_property
    def role_labels(self) -> list[str]:
        """The labels of the ``gl:roles`` scheme, for messages."""
        rows = self._select("SELECT ?name WHERE { ?role a gl:Role ; rdfs:label ?name }")
        return sorted({row["name"].value for row in rows})

    @cached_property
    def roles(self) -> dict[str, str]:
        """Role IRIs of the ``gl:roles`` scheme by every name a CSV may use for them."""
        table: dict[str, str] = {}
        for row in self._select(
            """SELECT ?role ?name WHERE { ?role a gl:Role .
                 OPTIONAL { { ?role rdfs:label ?name } UNION { ?role skos:prefLabel ?name } } }"""
        ):
            iri = row["role"].value
            local = iri.rsplit("#", 1)[-1]
            table[role_key(re.sub(r"(?<!^)(?=[A-Z])", " ", local))] = iri
            if row["name"] is not None:
                table[role_key(row["name"].value)] = iri
        for synonym, local in _ROLE_SYNONYMS.items():
            if GL + local in table.values():
                table.setdefault(role_key(synonym), GL + local)
        return table
