"""Browse indexes: the resources of one kind, filtered by facets, sorted, with counts.

Datasette's table view for the graph: each index (``/id/city``) lists its resources
with their type, country, world region, networks, years and sources; each of those is
a facet whose values are counted over the rows the other filters leave, and a filter
is one more ``facet=value`` in the URL. Everything is read from the
:class:`~glocal.views.catalogue.Catalogue`, so an index costs no query once the
catalogue of the data version is built, and each index with its facet counts is kept
per data version, filters and sort.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from glocal.store.versioned import VersionedCache
from glocal.views.catalogue import KINDS, Catalogue, Entry, curie, fold

__all__ = ["COLUMNS", "FACETS", "SORTS", "FacetValue", "Index", "browse", "rows"]

#: Facet name -> its heading.
FACETS: dict[str, str] = {
    "type": "Type",
    "country": "Country",
    "region": "World region",
    "network": "Member of",
    "year": "Year",
    "source": "Source",
}
#: Sort keys, each also descending with a leading ``-``.
SORTS: dict[str, str] = {"label": "name", "quoted": "quoted facts", "year": "year"}
#: The columns of the JSON and CSV forms of an index.
COLUMNS = (
    "iri",
    "curie",
    "label",
    "types",
    "country",
    "region",
    "networks",
    "years",
    "sources",
    "quoted",
    "lat",
    "long",
)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: its key in URLs, its label, how many rows have it, and
    whether it is selected."""

    key: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Index:
    """One page of an index: the rows that pass the filters, sorted, and the facets."""

    kind: str
    title: str
    description: str
    total: int
    entries: tuple[Entry, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    filters: dict[str, tuple[str, ...]]
    sort: str


#: Indexes by (data version, kind, filters, sort): counting the facets of 20,000 cities
#: takes longer than a page may, and every reader of an index asks the same questions.
_cache: VersionedCache[Index] = VersionedCache(128)


def _values(entry: Entry, facet: str) -> set[str]:
    """The facet values of one resource, as IRIs (or plain text for regions and years)."""
    if facet == "type":
        return entry.types
    if facet == "country":
        return {entry.country} if entry.country else set()
    if facet == "region":
        return {entry.region} if entry.region else set()
    if facet == "network":
        return entry.networks
    if facet == "year":
        return entry.years
    return entry.sources


def _key(value: str, facet: str) -> str:
    # Regions and years are plain text; the others are IRIs, written as CURIEs in URLs.
    return value if facet in ("region", "year") else curie(value)


def _sort_key(sort: str) -> tuple[str, bool]:
    name, descending = sort.lstrip("-"), sort.startswith("-")
    if name not in SORTS:
        choices = ", ".join(f"{s}, -{s}" for s in SORTS)
        raise ValueError(f"cannot sort by {sort!r}; choose one of {choices}")
    return name, descending


def browse(
    catalogue: Catalogue,
    kind: str,
    *,
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "label",
) -> Index:
    """The index of one kind of resource with ``filters`` applied and facets counted.

    Parameters
    ----------
    catalogue
        The catalogue of a data version (:func:`~glocal.views.catalogue.catalogue`).
    kind
        One of :data:`~glocal.views.catalogue.KINDS` (``city``, ``org``, ...).
    filters
        Facet name -> the values a row must all have (CURIEs, or a region or year).
    sort
        ``label``, ``quoted`` or ``year``, or descending with a leading ``-``.

    Raises
    ------
    KeyError
        If ``kind`` is not a kind of resource.
    ValueError
        If a filter names no facet, or ``sort`` is not a sort key.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> from glocal.views.catalogue import catalogue
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> index = browse(catalogue(store), "city", filters={"region": ["Africa"]})
    >>> "Freetown" in [e.label for e in index.entries]
    True
    >>> all(e.region == "Africa" for e in index.entries)
    True
    >>> store.close()
    """
    if kind not in KINDS:
        raise KeyError(kind)
    chosen = {name: tuple(values) for name, values in (filters or {}).items() if values}
    unknown = sorted(set(chosen) - set(FACETS))
    if unknown:
        raise ValueError(f"no facet named {', '.join(unknown)}; facets: {', '.join(FACETS)}")
    _sort_key(sort)
    key = (catalogue.version, kind, tuple(sorted(chosen.items())), sort)
    return _cache.get(key, partial(_index, catalogue, kind, chosen, sort))


def _index(catalogue: Catalogue, kind: str, chosen: dict[str, tuple[str, ...]], sort: str) -> Index:
    name, descending = _sort_key(sort)
    everything = catalogue.of_kind(kind)

    def passes(entry: Entry, skip: str | None = None) -> bool:
        return all(
            set(values) <= {_key(v, facet) for v in _values(entry, facet)}
            for facet, values in chosen.items()
            if facet != skip
        )

    kept = [entry for entry in everything if passes(entry)]
    facets: dict[str, tuple[FacetValue, ...]] = {}
    for facet in FACETS:
        # Each facet is counted over the rows the *other* filters leave, so a chosen
        # value can be widened again (Datasette's behaviour).
        counts = Counter(
            value for entry in everything if passes(entry, facet) for value in _values(entry, facet)
        )
        if not counts:
            continue
        values = [
            FacetValue(
                key=_key(value, facet),
                label=value if facet in ("region", "year") else catalogue.label(value),
                count=count,
                selected=_key(value, facet) in chosen.get(facet, ()),
            )
            for value, count in counts.items()
        ]
        values.sort(key=lambda v: (-v.count, fold(v.label)) if facet != "year" else v.key)
        facets[facet] = tuple(values)
    if name == "label":
        # The catalogue keeps each kind in label order already.
        if descending:
            kept.reverse()
    elif name == "quoted":
        kept.sort(key=lambda e: (-e.quoted if descending else e.quoted, fold(e.label)))
    else:
        # Resources without a year go last either way.
        dated = sorted((e for e in kept if e.years), key=lambda e: min(e.years), reverse=descending)
        kept = dated + [e for e in kept if not e.years]
    title, description = KINDS[kind]
    return Index(kind, title, description, len(everything), tuple(kept), facets, chosen, sort)


def rows(entries: Sequence[Entry]) -> list[dict[str, object]]:
    """Rows of an index as plain records (:data:`COLUMNS`), for JSON and CSV.

    IRIs stay IRIs; lists hold the IRIs of types, networks and sources.
    """
    return [
        {
            "iri": e.iri,
            "curie": e.curie,
            "label": e.label,
            "types": sorted(e.types),
            "country": e.country,
            "region": e.region,
            "networks": sorted(e.networks),
            "years": sorted(e.years),
            "sources": sorted(e.sources),
            "quoted": e.quoted,
            "lat": e.lat,
            "long": e.long,
        }
        for e in entries
    ]
