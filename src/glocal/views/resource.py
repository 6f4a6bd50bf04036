"""Everything the graph says about one resource, each fact with its sources and quotes.

Resource pages are built from this; it works on any :class:`~glocal.store.GraphStore`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from glocal.canned import bind_values
from glocal.store import GraphStore

__all__ = ["Citation", "Fact", "ResourceView", "describe_resource", "local_name"]

_OUT = """
SELECT ?p ?plabel ?o ?olabel ?g ?glabel ?quote ?note ?role ?rolelabel ?since WHERE {
  GRAPH ?g { ?this ?p ?o }
  FILTER (?p != rdf:type && ?p != rdfs:label)
  OPTIONAL {
    GRAPH ?g {
      { ?q rdf:subject ?this ; rdf:predicate ?p ; rdf:object ?o ; gl:quote ?quote .
        OPTIONAL { ?q gl:note ?note } }
      UNION
      { FILTER (?p = org:memberOf)
        ?q org:member ?this ; org:organization ?o ; gl:quote ?quote .
        OPTIONAL { ?q org:role ?role . OPTIONAL { ?role rdfs:label ?rolelabel } }
        OPTIONAL { ?q gl:since ?since }
        OPTIONAL { ?q gl:note ?note } }
    }
  }
  OPTIONAL { ?p rdfs:label ?plabel }
  OPTIONAL { ?o rdfs:label ?olabel }
  OPTIONAL { ?g rdfs:label ?glabel }
}
"""

_IN = """
SELECT ?p ?plabel ?s ?slabel ?g ?glabel ?quote ?note ?role ?rolelabel ?since WHERE {
  GRAPH ?g { ?s ?p ?this }
  FILTER (isIRI(?s) && ?p != rdf:subject && ?p != rdf:object && ?p != org:member
          && ?p != org:organization && ?p != prov:wasDerivedFrom && ?p != skos:inScheme)
  OPTIONAL {
    GRAPH ?g {
      { ?q rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?this ; gl:quote ?quote .
        OPTIONAL { ?q gl:note ?note } }
      UNION
      { FILTER (?p = org:memberOf)
        ?q org:member ?s ; org:organization ?this ; gl:quote ?quote .
        OPTIONAL { ?q org:role ?role . OPTIONAL { ?role rdfs:label ?rolelabel } }
        OPTIONAL { ?q gl:since ?since }
        OPTIONAL { ?q gl:note ?note } }
    }
  }
  OPTIONAL { ?p rdfs:label ?plabel }
  OPTIONAL { ?s rdfs:label ?slabel }
  OPTIONAL { ?g rdfs:label ?glabel }
}
"""

_HEAD = """
SELECT ?label ?type ?typelabel WHERE {
  OPTIONAL { ?this rdfs:label ?label }
  OPTIONAL { ?this a ?type . OPTIONAL { ?type rdfs:label ?typelabel } }
}
"""


@dataclass(frozen=True)
class Citation:
    """One source's support for a fact: the source graph, its label, quote and note."""

    source: str
    source_label: str
    quote: str | None
    note: str | None = None


@dataclass
class Fact:
    """A property value of the resource, with the sources that state it."""

    predicate: str
    predicate_label: str
    value: str
    value_label: str | None
    is_iri: bool
    role: str | None = None
    since: str | None = None
    citations: list[Citation] = field(default_factory=list)


@dataclass
class ResourceView:
    """A resource's label, types, outgoing facts and incoming facts."""

    iri: str
    label: str
    types: list[tuple[str, str]]
    outgoing: list[Fact]
    incoming: list[Fact]

    @property
    def exists(self) -> bool:
        """Whether the graph says anything about the resource."""
        return bool(self.types or self.outgoing or self.incoming)

    def grouped(self, facts: list[Fact]) -> dict[str, list[Fact]]:
        """Facts grouped by predicate label, in a stable order."""
        groups: dict[str, list[Fact]] = {}
        for fact in sorted(facts, key=lambda f: (f.predicate_label, f.value_label or f.value)):
            groups.setdefault(fact.predicate_label, []).append(fact)
        return groups


def local_name(iri: str) -> str:
    """The last segment of an IRI, for display when no label exists.

    >>> local_name("http://www.w3.org/ns/org#memberOf")
    'memberOf'
    """
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _substitute(query: str, iri: str) -> str:
    return bind_values(query, {"this": NamedNode(iri)})


def _collect(rows: object, *, value_var: str, label_var: str) -> list[Fact]:
    facts: dict[tuple[str, str, str | None], Fact] = {}
    for row in rows:  # type: ignore[attr-defined]
        p = row["p"].value
        value = row[value_var]
        role = row["rolelabel"].value if row["rolelabel"] else None
        key = (p, value.value, role)
        fact = facts.get(key)
        if fact is None:
            fact = Fact(
                predicate=p,
                predicate_label=row["plabel"].value if row["plabel"] else local_name(p),
                value=value.value,
                value_label=row[label_var].value if row[label_var] else None,
                is_iri=isinstance(value, NamedNode),
                role=role,
                since=row["since"].value if row["since"] else None,
            )
            facts[key] = fact
        graph = row["g"].value
        citation = Citation(
            source=graph,
            source_label=row["glabel"].value if row["glabel"] else local_name(graph),
            quote=row["quote"].value if row["quote"] else None,
            note=row["note"].value if row["note"] else None,
        )
        if citation not in fact.citations:
            fact.citations.append(citation)
    return list(facts.values())


def describe_resource(store: GraphStore, iri: str) -> ResourceView:
    """Collect what the graph states about ``iri``, with provenance.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> view = describe_resource(store, "https://w3id.org/glocal/id/city/bristol")
    >>> view.label
    'Bristol'
    >>> any(f.predicate.endswith("memberOf") for f in view.outgoing)
    True
    """
    head = list(store.query(_substitute(_HEAD, iri)))  # type: ignore[arg-type]
    labels = [r["label"].value for r in head if r["label"]]
    types = sorted(
        {
            (
                r["type"].value,
                r["typelabel"].value if r["typelabel"] else local_name(r["type"].value),
            )
            for r in head
            if r["type"]
        }
    )
    outgoing = _collect(store.query(_substitute(_OUT, iri)), value_var="o", label_var="olabel")
    incoming = _collect(store.query(_substitute(_IN, iri)), value_var="s", label_var="slabel")
    return ResourceView(
        iri=iri,
        label=labels[0] if labels else local_name(iri),
        types=types,
        outgoing=outgoing,
        incoming=incoming,
    )
