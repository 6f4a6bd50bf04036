"""Name search over labels and alternative labels, accent- and case-insensitive.

"Sao Paulo" finds São Paulo, "MMC" the Mayors Migration Council (its ``skos:altLabel``)
and "mayors migration" both words' prefixes. Names are folded once per data version
(:func:`~glocal.views.catalogue.fold`: Unicode NFKD with combining marks dropped, then
case-folded) into an in-memory index, so a search is a scan of a few thousand short
strings. The same index suggests near names for an IRI that names nothing
(:func:`did_you_mean`), with :mod:`difflib`'s ratio.
"""

from __future__ import annotations

import difflib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from glocal.namespaces import ID
from glocal.views.catalogue import Catalogue, Entry, fold

__all__ = ["Hit", "did_you_mean", "search"]


@dataclass(frozen=True)
class Hit:
    """A resource that matches a search: the name that matched, and how well (lower is
    better: 0 exact, 1 a prefix, 2 every word a word prefix, 3 a substring)."""

    entry: Entry
    matched: str
    rank: int


@dataclass(frozen=True)
class _Names:
    """Every (folded name, name, entry) of a catalogue, and the folded local names."""

    names: tuple[tuple[str, str, Entry], ...]
    local: dict[str, list[Entry]]


_cache: OrderedDict[str, _Names] = OrderedDict()
_cache_lock = threading.Lock()


def _names(catalogue: Catalogue) -> _Names:
    with _cache_lock:
        if (cached := _cache.get(catalogue.version)) is not None:
            return cached
    names = []
    local: dict[str, list[Entry]] = {}
    for entry in catalogue.entries.values():
        for name in (entry.label, *entry.alt_labels):
            names.append((fold(name), name, entry))
        slug = fold(entry.iri.rsplit("/", 1)[-1])
        local.setdefault(slug, []).append(entry)
    built = _Names(tuple(names), local)
    with _cache_lock:
        _cache[catalogue.version] = built
        while len(_cache) > 4:
            _cache.popitem(last=False)
    return built


def _rank(query: str, words: list[str], name: str) -> int | None:
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    tokens = name.split()
    if all(any(t.startswith(w) for t in tokens) for w in words):
        return 2
    return 3 if query in name else None


def search(
    catalogue: Catalogue, text: str, *, kind: str | None = None, limit: int | None = 20
) -> list[Hit]:
    """The resources whose label or alternative label matches ``text``, or whose CURIE
    starts with it (``orgn:mm``), best first.

    Ties are broken by how much evidence a resource has (its quoted facts), then by name.

    Parameters
    ----------
    catalogue
        The catalogue of a data version.
    text
        What the reader typed; accents, case and punctuation do not matter.
    kind
        Only resources of this kind (``city``, ``org``, ...).
    limit
        At most this many hits; ``None`` for all.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> from glocal.views.catalogue import catalogue
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> [h.entry.label for h in search(catalogue(store), "sao paulo")][:1]
    ['São Paulo']
    >>> search(catalogue(store), "MMC")[0].entry.curie
    'orgn:mmc'
    >>> search(catalogue(store), "city:kampa")[0].matched
    'city:kampala'
    >>> store.close()
    """
    query = fold(text)
    if not query:
        return []
    words = query.split()
    best: dict[str, Hit] = {}
    if ":" in text:
        # A CURIE being typed (``orgn:mm``), as in a query editor or a parameter field.
        typed = text.strip().casefold()
        for entry in catalogue.entries.values():
            short = entry.curie.casefold()
            if short.startswith(typed) and (kind is None or entry.kind == kind):
                best[entry.iri] = Hit(entry, entry.curie, 0 if short == typed else 1)
    for folded, name, entry in _names(catalogue).names:
        # Every match contains each word: a cheap test that skips most names.
        if (kind is not None and entry.kind != kind) or any(w not in folded for w in words):
            continue
        rank = _rank(query, words, folded)
        if rank is None:
            continue
        found = best.get(entry.iri)
        if found is None or rank < found.rank:
            best[entry.iri] = Hit(entry, name, rank)
    hits = sorted(best.values(), key=lambda h: (h.rank, -h.entry.quoted, fold(h.entry.label)))
    return hits if limit is None else hits[:limit]


def did_you_mean(catalogue: Catalogue, iri: str, *, limit: int = 3) -> list[Entry]:
    """Resources whose name is close to an IRI that names nothing in the graph.

    The IRI's last segment is compared with every resource's local name and folded
    labels, within the same kind when the IRI has one (``city:kampla`` is compared with
    cities).

    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.store import EmbeddedStore
    >>> from glocal.views.catalogue import catalogue
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> [e.curie for e in did_you_mean(catalogue(store), ID + "city/kampla")]
    ['city:kampala']
    >>> store.close()
    """
    names = _names(catalogue)
    kind = iri[len(ID) :].split("/", 1)[0] if iri.startswith(ID) and "/" in iri[len(ID) :] else None
    wanted = fold(iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])
    if not wanted:
        return []
    candidates: dict[str, list[Entry]] = {}
    for slug, entries in names.local.items():
        candidates.setdefault(slug, []).extend(entries)
    for folded, _, entry in names.names:
        candidates.setdefault(folded, []).append(entry)
    if kind is not None:
        candidates = {
            key: kept
            for key, entries in candidates.items()
            if (kept := [e for e in entries if e.kind == kind])
        }
    close = difflib.get_close_matches(wanted, list(candidates), n=limit * 3, cutoff=0.6)
    found: dict[str, Entry] = {}
    for key in close:
        for entry in candidates[key]:
            found.setdefault(entry.iri, entry)
    return list(found.values())[:limit]
