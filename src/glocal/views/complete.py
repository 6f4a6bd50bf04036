"""Completions for the query editor: prefixes, ontology terms and resources by label.

The vocabulary (every IRI with a label, its type and how many triples use it) is read
once per data version through the store interface and kept in a small cache keyed by
the version alone. Matching is accent- and case-insensitive ("sao" finds São Paulo)
on labels, alternative labels and compact names (``city:sao``).
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from pyoxigraph import QuerySolutions

from glocal.namespaces import PREFIXES, RDF, RDFS
from glocal.store import GraphStore

__all__ = ["Completion", "complete", "vocabulary"]

_VOCABULARY = """
SELECT ?s (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types)
       (GROUP_CONCAT(DISTINCT STR(?alt); separator="|") AS ?alts)
WHERE {
  ?s rdfs:label|skos:prefLabel ?l .
  FILTER(isIRI(?s) && LANG(?l) IN ("", "en"))
  OPTIONAL { ?s a ?t }
  OPTIONAL { ?s skos:altLabel ?alt }
} GROUP BY ?s
"""
_USES = """
SELECT ?x (COUNT(*) AS ?n) WHERE {
  { ?x ?p ?o } UNION { ?s ?p ?x } UNION { ?s ?x ?o } FILTER(isIRI(?x))
} GROUP BY ?x
"""
# Terms in use, labelled or not (W3C ORG's terms have no labels in the graph).
_IN_USE = """
SELECT DISTINCT ?x ?kind WHERE {
  { ?s ?x ?o BIND("property" AS ?kind) } UNION { ?s a ?x BIND("class" AS ?kind) }
}
"""
OWL = PREFIXES["owl"]
_CLASSES = {OWL + "Class", RDFS + "Class"}
_PROPERTIES = {
    RDF + "Property",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
}
_CACHED_VERSIONS = 4


@dataclass(frozen=True)
class Completion:
    """One suggestion: what to insert (``curie``), what to show, and how much it is used.

    ``kind`` is ``prefix``, ``class``, ``property`` or ``resource``; ``type`` is the
    resource's class (``City``); ``count`` is how many triples use the IRI.
    """

    curie: str
    iri: str
    label: str
    kind: str
    type: str
    count: int
    keys: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The suggestion as JSON, without the matching keys."""
        return {
            "curie": self.curie,
            "iri": self.iri,
            "label": self.label,
            "kind": self.kind,
            "type": self.type,
            "count": self.count,
        }


def _fold(text: str) -> str:
    """Lower case without accents: "São Paulo" and "sao paulo" match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _compact(iri: str, prefixes: Mapping[str, str]) -> str:
    best = max(
        (p for p, ns in prefixes.items() if iri.startswith(ns)),
        key=lambda p: len(prefixes[p]),
        default=None,
    )
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else f"<{iri}>"


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _completion(
    iri: str, label: str, kind: str, type: str, count: int, alts: list[str]
) -> Completion:
    curie = _compact(iri, PREFIXES)
    keys = tuple(_fold(k) for k in (label, curie, _local(iri), *alts))
    return Completion(curie, iri, label, kind, type, count, keys)


_cache: OrderedDict[str, tuple[Completion, ...]] = OrderedDict()
_lock = threading.Lock()


def vocabulary(store: GraphStore) -> tuple[Completion, ...]:
    """Every labelled IRI of the store as a completion, most used first; cached per version.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> freetown = next(c for c in vocabulary(store) if c.curie == "city:freetown")
    >>> freetown.label, freetown.kind, freetown.type, freetown.count > 10
    ('Freetown', 'resource', 'City', True)
    >>> store.close()
    """
    with _lock:
        if (cached := _cache.get(store.version)) is not None:
            return cached
    uses = store.query(_USES)
    assert isinstance(uses, QuerySolutions), "a SELECT gives solutions"
    counts = {row["x"].value: int(row["n"].value) for row in uses}
    rows = store.query(_VOCABULARY)
    assert isinstance(rows, QuerySolutions), "a SELECT gives solutions"
    found: dict[str, Completion] = {}
    for row in rows:
        iri = row["s"].value
        types = row["types"].value.split() if row["types"] else []
        kind = (
            "class"
            if _CLASSES & set(types)
            else "property"
            if _PROPERTIES & set(types)
            else "resource"
        )
        # glocal's own class names the resource best (a City is also a geo:SpatialThing).
        own = sorted(types, key=lambda t: (not t.startswith(PREFIXES["gl"]), t))
        alts = row["alts"].value.split("|") if row["alts"] and row["alts"].value else []
        label = row["label"].value
        kind_type = _local(own[0]) if own and kind == "resource" else ""
        found[iri] = _completion(iri, label, kind, kind_type, counts.get(iri, 0), alts)
    in_use = store.query(_IN_USE)
    assert isinstance(in_use, QuerySolutions), "a SELECT gives solutions"
    for row in in_use:
        iri = row["x"].value
        if iri not in found or found[iri].kind == "resource":
            label = found[iri].label if iri in found else _local(iri)
            found[iri] = _completion(iri, label, row["kind"].value, "", counts.get(iri, 0), [])
    result = tuple(sorted(found.values(), key=lambda c: (-c.count, c.curie)))
    with _lock:
        _cache[store.version] = result
        while len(_cache) > _CACHED_VERSIONS:
            _cache.popitem(last=False)
    return result


def _score(completion: Completion, wanted: str) -> int | None:
    """0 for a match at the start of a key, 1 at a word's start, 2 inside; None for none."""
    best = None
    for key in completion.keys:
        if key.startswith(wanted):
            return 0
        position = key.find(wanted)
        if position > 0:
            score = 1 if not key[position - 1].isalnum() else 2
            best = score if best is None else min(best, score)
    return best


def complete(
    store: GraphStore,
    text: str,
    *,
    kind: str | None = None,
    type: str | None = None,
    limit: int = 20,
) -> list[Completion]:
    """Suggestions for what the user typed, best first.

    Parameters
    ----------
    store
        The store whose vocabulary is searched.
    text
        The word being typed: part of a label (``kampa``), a compact name
        (``city:kam``), or a prefix (``or``).
    kind
        Only suggestions of this kind (``prefix``, ``class``, ``property``, ``resource``).
    type
        Only resources whose class name contains this, case-insensitive (``city``).
    limit
        At most this many suggestions.

    Returns
    -------
    list of Completion
        Prefixes first, then matches at the start of a label or name, then inside one;
        ties go to the most used.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> [c.curie for c in complete(store, "sao paulo", type="city")]
    ['city:sao-paulo']
    >>> [c.curie for c in complete(store, "or", kind="prefix")]
    ['org:', 'orgn:']
    >>> store.close()
    """
    wanted = _fold(text.strip())
    words = vocabulary(store) if kind != "prefix" else ()
    if type:
        # An exact class name narrows to it ("city": City, not CityNetwork), else a part.
        exact = _fold(type) in {_fold(c.type) for c in words}
        words = tuple(
            c
            for c in words
            if (_fold(c.type) == _fold(type) if exact else _fold(type) in _fold(c.type))
        )
    found: list[tuple[int, int, Completion]] = []
    if kind in (None, "prefix") and ":" not in wanted:
        for prefix, namespace in sorted(PREFIXES.items()):
            if prefix.startswith(wanted):
                found.append(
                    (-1, 0, Completion(f"{prefix}:", namespace, namespace, "prefix", "", 0))
                )
    for completion in words:
        if not kind or completion.kind == kind:
            score = _score(completion, wanted) if wanted else 0
            if score is not None:
                found.append((score, -completion.count, completion))
    found.sort(key=lambda entry: entry[:2])
    return [completion for _, _, completion in found[:limit]]
