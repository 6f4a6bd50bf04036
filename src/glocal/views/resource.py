"""One description of a resource, each statement in its source graph, for every format.

:func:`describe` runs one query and gives a :class:`Description`: the quads that state
something about the resource, the statement nodes (reifications and memberships) that
quote those statements, and the labels of everything they mention (from a table of
every label, read once per data version). The resource page
renders it as HTML through :class:`ResourceView` and as Turtle, JSON-LD or N-Triples
through :meth:`Description.serialize`, so every format shows the same facts with the
same sources. It works on any :class:`~glocal.store.GraphStore`.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from string import Template

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Triple

from glocal.namespaces import GEO, GL, ORG, PROV, RDF, RDFS, SCHEMA, SKOS
from glocal.store import GraphStore, serialize_result
from glocal.views.catalogue import CITED_AS, cite
from glocal.views.headings import heading, order
from glocal.views.labels import labels

__all__ = [
    "Citation",
    "Description",
    "Fact",
    "ResourceView",
    "describe",
    "local_name",
]

_TYPE = RDF + "type"
_LABEL = RDFS + "label"
_MEMBER_OF = ORG + "memberOf"
#: Links into a resource that are not facts of its own: those of statement nodes (shown
#: as the citations of a fact) and inverse links that repeat a forward one
#: (``skos:inScheme`` repeats ``skos:hasTopConcept``).
_NOT_FACTS = (
    RDF + "subject",
    RDF + "object",
    ORG + "member",
    ORG + "organization",
    PROV + "wasDerivedFrom",
    SKOS + "inScheme",
)

# The resource's IRI is written into the query ($this, in N-Triples form from a checked
# NamedNode, which cannot break out of it) rather than bound by VALUES: Oxigraph does
# not push a VALUES binding into the branches of a UNION, which made the query 50 times
# slower.
_DESCRIBE = Template(f"""
SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  {{  # what the resource states
    GRAPH ?g {{ $this ?p ?o }} BIND ($this AS ?s)
  }} UNION {{  # what states something of the resource
    GRAPH ?g {{ ?s ?p $this }}
    FILTER (isIRI(?s) && ?p NOT IN ({", ".join(f"<{p}>" for p in _NOT_FACTS)}))
    BIND ($this AS ?o)
  }} UNION {{  # the statement nodes that quote those statements
    GRAPH ?g {{
      {{ ?s rdf:subject $this }} UNION {{ ?s rdf:object $this }}
      UNION {{ ?s org:member $this }} UNION {{ ?s org:organization $this }}
      ?s ?p ?o
    }}
  }} UNION {{  # how each source is cited: its title, year, author and publisher
    {{ SELECT DISTINCT ?s WHERE {{
         GRAPH ?s {{ {{ $this ?any ?value }} UNION {{ ?value ?any $this }} }} }} }}
    VALUES ?p {{ {" ".join(f"<{p}>" for p in CITED_AS)} }}
    GRAPH ?g {{ ?s ?p ?o }}
  }}
}}
""")


@dataclass(frozen=True)
class Description:
    """Everything the graph says about one resource, each statement in its source graph."""

    iri: str
    quads: tuple[Quad, ...]

    @property
    def exists(self) -> bool:
        """Whether the graph states anything of the resource."""
        this = NamedNode(self.iri)
        return any(q.subject == this or q.object == this for q in self.quads)

    def triples(self) -> list[Triple]:
        """The statements without their graphs, each once."""
        return list(dict.fromkeys(quad.triple for quad in self.quads))

    def serialize(self, media_type: str) -> bytes:
        """The statements in an RDF media type (Turtle, JSON-LD, N-Triples, ...)."""
        out = io.BytesIO()
        serialize_result(self.triples(), out, media_type)
        return out.getvalue()


def describe(store: GraphStore, iri: str) -> Description:
    """Collect what the graph states about ``iri``, with provenance, in one query.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> description = describe(store, "https://w3id.org/glocal/id/city/bristol")
    >>> view = ResourceView.of(description)
    >>> view.label
    'Bristol'
    >>> any(f.predicate.endswith("memberOf") for f in view.outgoing)
    True
    >>> b"org:memberOf" in description.serialize("text/turtle")
    True
    >>> store.close()
    """
    result = store.query(_DESCRIBE.substitute(this=str(NamedNode(iri))))
    assert isinstance(result, QuerySolutions), "a SELECT gives solutions"
    quads, mentioned = [], set[str]()
    for row in result:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        assert isinstance(s, (NamedNode, BlankNode)) and isinstance(p, NamedNode)
        assert isinstance(o, (NamedNode, BlankNode, Literal)) and isinstance(g, NamedNode)
        quads.append(Quad(s, p, o, g))
        mentioned.update(t.value for t in (s, p, o, g) if isinstance(t, NamedNode))
    # The labels of every term the description mentions: predicates, values, sources,
    # their authors and publishers, roles and statuses.
    known, label = labels(store), NamedNode(_LABEL)
    for term in sorted(mentioned):
        quads += (Quad(NamedNode(term), label, text, graph) for text, graph in known.get(term, ()))
    return Description(iri, tuple(dict.fromkeys(quads)))


@dataclass(frozen=True)
class Citation:
    """One source's support for a fact: the source graph, its label, quote and note, and
    how the actor took part as the source gives it: the role (a membership's or a
    statement's, venue roles included), the start year, the status and the dates."""

    source: str
    source_label: str
    quote: str | None
    note: str | None = None
    role: str | None = None
    since: str | None = None
    status: str | None = None
    when: str | None = None
    #: The source as a reader cites it: "Author (year), Title".
    cited_as: str | None = None


@dataclass
class Fact:
    """A statement of or about the resource, with the sources that state it.

    ``value`` is the other end of the statement: its object, or for an incoming
    statement its subject; ``term`` is that value in N-Triples form.
    """

    predicate: str
    predicate_label: str
    value: str
    value_label: str | None
    is_iri: bool
    term: str
    citations: list[Citation] = field(default_factory=list)


@dataclass
class ResourceView:
    """A resource's labels, types, outgoing and incoming facts, as the HTML page shows them."""

    iri: str
    label: str
    labels: list[Fact]
    types: list[Fact]
    outgoing: list[Fact]
    incoming: list[Fact]

    @property
    def exists(self) -> bool:
        """Whether the graph says anything about the resource."""
        return bool(self.labels or self.types or self.outgoing or self.incoming)

    def sections(self, facts: list[Fact], *, incoming: bool) -> dict[str, list[Fact]]:
        """Facts under plain headings (:mod:`~glocal.views.headings`), in reading order:
        the place first (latitude beside longitude), then ties, then the rest."""
        groups: dict[str, list[Fact]] = {}
        for fact in sorted(facts, key=lambda f: (f.predicate, f.value_label or f.value)):
            name = heading(fact.predicate, fact.predicate_label, incoming=incoming)
            groups.setdefault(name, []).append(fact)
        return {name: groups[name] for name in sorted(groups, key=order)}

    @property
    def coordinates(self) -> tuple[float, float] | None:
        """The resource's latitude and longitude, if the graph gives them."""
        values = {f.predicate: f.value for f in self.outgoing}
        lat, long = values.get(GEO + "lat"), values.get(GEO + "long")
        return (float(lat), float(long)) if lat is not None and long is not None else None

    @classmethod
    def of(cls, description: Description) -> ResourceView:
        """Arrange a description for the page: every statement of it about the resource
        becomes a fact, each statement node a citation of the fact it quotes."""
        return _Arranger(description).view()


def local_name(iri: str) -> str:
    """The last segment of an IRI, for display when no label exists.

    >>> local_name("http://www.w3.org/ns/org#memberOf")
    'memberOf'
    """
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


Term = NamedNode | BlankNode | Literal
#: The properties of a statement node: predicate IRI -> values.
_Properties = dict[str, list[Term]]


#: A quad as the arranger reads it: subject, predicate IRI, object and graph.
_Parts = tuple[NamedNode | BlankNode, str, Term, NamedNode]


class _Arranger:
    """Indexes of one description: labels, statement nodes by what they quote, and how
    each source is cited.

    Each quad is taken apart once (reading a pyoxigraph term makes a new Python object
    every time), and each source's citation is made once, not once per fact it supports.
    """

    def __init__(self, description: Description) -> None:
        self.iri = description.iri
        self.this = NamedNode(description.iri)
        self.parts = [_parts(quad) for quad in description.quads]
        names: dict[str, set[Literal]] = defaultdict(set)
        nodes: dict[tuple[Term, Term], _Properties] = defaultdict(lambda: defaultdict(list))
        about: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for subject, predicate, value, graph in self.parts:
            if predicate == _LABEL and isinstance(value, Literal):
                names[subject.value].add(value)
            if subject != self.this:
                nodes[(graph, subject)][predicate].append(value)
            if predicate in CITED_AS and isinstance(subject, NamedNode):
                about[subject.value][predicate].append(value)
        self.names = {iri: sorted(labels, key=_label_order) for iri, labels in names.items()}
        self.about_sources = about
        self._cited: dict[str, str | None] = {}
        # Statement nodes with a quote, by (graph, subject, object) of what they quote.
        self.quoting: dict[tuple[Term, Term, Term], list[tuple[str, _Properties]]] = defaultdict(
            list
        )
        for (source, _), props in nodes.items():
            if not props.get(GL + "quote"):
                continue
            for stated in props.get(RDF + "subject", []):
                for target in props.get(RDF + "object", []):
                    for stated_as in props.get(RDF + "predicate", []):
                        self.quoting[(source, stated, target)].append((stated_as.value, props))
            for member in props.get(ORG + "member", []):
                for organization in props.get(ORG + "organization", []):
                    self.quoting[(source, member, organization)].append((_MEMBER_OF, props))

    def label(self, iri: str) -> str | None:
        labels = self.names.get(iri)
        return labels[0].value if labels else None

    def view(self) -> ResourceView:
        labels: list[_Parts] = []
        types: list[_Parts] = []
        outgoing: list[_Parts] = []
        incoming: list[_Parts] = []
        for parts in self.parts:
            subject, predicate, value, _ = parts
            if subject == self.this:
                if predicate == _LABEL and isinstance(value, Literal):
                    labels.append(parts)
                elif predicate == _TYPE:
                    types.append(parts)
                else:
                    outgoing.append(parts)
            if (
                value == self.this
                and isinstance(subject, NamedNode)
                and predicate not in _NOT_FACTS
            ):
                incoming.append(parts)
        type_facts = self.facts(types, incoming=False, cited=False)
        for fact in type_facts:
            fact.value_label = fact.value_label or local_name(fact.value)
        return ResourceView(
            iri=self.iri,
            label=self.label(self.iri) or local_name(self.iri),
            labels=self.facts(
                sorted(labels, key=lambda parts: _label_order(parts[2])),
                incoming=False,
                cited=False,
            ),
            types=type_facts,
            outgoing=self.facts(outgoing, incoming=False, cited=True),
            incoming=self.facts(incoming, incoming=True, cited=True),
        )

    def facts(self, quads: Iterable[_Parts], *, incoming: bool, cited: bool) -> list[Fact]:
        facts: dict[tuple[str, str], Fact] = {}
        for subject, predicate, obj, graph in quads:
            value = subject if incoming else obj
            is_iri = isinstance(value, NamedNode)
            fact = facts.get((predicate, str(value)))
            if fact is None:
                fact = facts[(predicate, str(value))] = Fact(
                    predicate=predicate,
                    predicate_label=self.label(predicate) or local_name(predicate),
                    value=value.value,
                    value_label=self.label(value.value) if is_iri else None,
                    is_iri=is_iri,
                    term=str(value),
                )
            quotes = self.quoting.get((graph, subject, obj), []) if cited else []
            statements: list[_Properties | None] = [props for p, props in quotes if p == predicate]
            source_label = self.label(graph.value) or local_name(graph.value)
            cited_as = self.cited_as(graph.value)
            for props in statements or [None]:
                role, since = self.role(props), _first(props, GL + "since")
                status = self.concept(_first(props, GL + "status"))
                when = _dates(props)
                for quote in _values(props, GL + "quote") or [None]:
                    for note in _values(props, GL + "note") or [None]:
                        citation = Citation(
                            graph.value,
                            source_label,
                            quote,
                            note,
                            role,
                            since,
                            status,
                            when,
                            cited_as,
                        )
                        if citation not in fact.citations:
                            fact.citations.append(citation)
        return list(facts.values())

    def cited_as(self, source: str) -> str | None:
        """ "Author (year), Title" of a source graph, from what the description holds."""
        if source not in self._cited:
            about = self.about_sources.get(source)
            self._cited[source] = cite(source, about, self.label).citation if about else None
        return self._cited[source]

    def role(self, props: _Properties | None) -> str | None:
        return self.concept(_first(props, ORG + "role") or _first(props, GL + "role"))

    def concept(self, iri: str | None) -> str | None:
        """The label of a role or status concept, or its local name."""
        return None if iri is None else self.label(iri) or local_name(iri)


def _dates(props: _Properties | None) -> str | None:
    """A statement's dates as a reader writes them: "2017-12", "2016 – 2019", "by 2019"."""
    on = _first(props, GL + "onDate")
    start = _first(props, SCHEMA + "startDate")
    end = _first(props, SCHEMA + "endDate")
    text = on or (f"{start or '…'} – {end or '…'}" if start or end else None)
    qualifier = _first(props, GL + "dateQualifier")
    return f"{qualifier} {text}" if text and qualifier else text


def _parts(quad: Quad) -> tuple[NamedNode | BlankNode, str, Term, NamedNode]:
    """Subject, predicate IRI, object and graph of a quad that :func:`describe` made."""
    subject, obj, graph = quad.subject, quad.object, quad.graph_name
    assert isinstance(subject, (NamedNode, BlankNode)) and isinstance(graph, NamedNode)
    assert isinstance(obj, (NamedNode, BlankNode, Literal)), "describe() checked"
    return subject, quad.predicate.value, obj, graph


def _values(props: _Properties | None, predicate: str) -> list[str | None]:
    values: list[str | None] = []
    if props:
        values += sorted(value.value for value in props.get(predicate, []))
    return values


def _first(props: _Properties | None, predicate: str) -> str | None:
    return next(iter(_values(props, predicate)), None)


def _label_order(label: object) -> tuple[bool, str]:
    # English or untagged labels first, then by text: the same choice on every request.
    assert isinstance(label, Literal), "labels are literals"
    return (label.language not in (None, "en"), label.value)
