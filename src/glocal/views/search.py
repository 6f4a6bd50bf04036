"""Name search over labels and alternative labels, accent- and case-insensitive.

"Sao Paulo" finds São Paulo, "MMC" the Mayors Migration Council (its ``skos:altLabel``)
and "mayors migration" both words' prefixes. Names are folded once per data version
(:func:`~glocal.views.catalogue.fold`: Unicode NFKD with combining marks dropped, then
case-folded) into an in-memory text, one name a line, built once per data version,
so a search is one :meth:`str.find` per match of its rarest word. The same index
suggests near names for an IRI that names nothing (:func:`did_you_mean`), with
:mod:`difflib`'s ratio.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
from dataclasses import dataclass
from functools import partial
from itertools import accumulate

from glocal.namespaces import ID
from glocal.store.versioned import VersionedCache
from glocal.views.catalogue import Catalogue, Entry, fold

__all__ = ["Hit", "did_you_mean", "prepare", "search"]


@dataclass(frozen=True)
class Hit:
    """A resource that matches a search: the name that matched, and how well (lower is
    better: 0 exact, 1 a prefix, 2 every word a word prefix, 3 a substring)."""

    entry: Entry
    matched: str
    rank: int


@dataclass(frozen=True)
class _Names:
    """Every folded name of a catalogue, one per line of ``text`` (the line ``i`` starts
    at ``starts[i]`` and names ``entries[i]`` as ``names[i]``), and the folded local
    names.

    A search finds its rarest word in ``text`` with :meth:`str.find`, which runs in C
    over the whole text, and looks only at the lines it lands in: at 20,000 cities a
    scan of every name in Python took 15 ms, most of the 50 ms a search may take.
    """

    text: str
    starts: tuple[int, ...]
    names: tuple[str, ...]
    entries: tuple[Entry, ...]
    local: dict[str, list[Entry]]

    def lines(self, word: str) -> list[int]:
        """The lines whose folded name contains ``word``, each once, in order."""
        found: list[int] = []
        at = self.text.find(word)
        while at >= 0:
            line = bisect_right(self.starts, at) - 1
            found.append(line)
            # The next match after this line: a line holds a name and its newline.
            next_line = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
            at = self.text.find(word, next_line)
        return found

    def folded(self, line: int) -> str:
        """The folded name on a line."""
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line] : end]


_cache: VersionedCache[_Names] = VersionedCache(4)


def _build_names(catalogue: Catalogue) -> _Names:
    folded: list[str] = []
    names: list[str] = []
    entries: list[Entry] = []
    local: dict[str, list[Entry]] = {}
    for entry in catalogue.entries.values():
        for name in (entry.label, *entry.alt_labels):
            # A folded name has no newline (fold keeps letters, digits and spaces).
            folded.append(fold(name))
            names.append(name)
            entries.append(entry)
        slug = fold(entry.iri.rsplit("/", 1)[-1])
        local.setdefault(slug, []).append(entry)
    starts = tuple(accumulate((len(f) + 1 for f in folded[:-1]), initial=0)) if folded else ()
    return _Names("\n".join(folded), starts, tuple(names), tuple(entries), local)


def _names(catalogue: Catalogue) -> _Names:
    return _cache.get(catalogue.version, partial(_build_names, catalogue))


def prepare(catalogue: Catalogue) -> None:
    """Build the name index of a catalogue's data version now, so that the first search
    does not wait for it."""
    _names(catalogue)


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
    index = _names(catalogue)
    # Look up the rarest word: "city 123" among 20,000 "city …" names visits the few
    # names with "123", not every city (str.count runs in C over the whole text).
    for line in index.lines(min(words, key=index.text.count)):
        entry, folded = index.entries[line], index.folded(line)
        # Every match contains each word: a cheap test that skips most names.
        if (kind is not None and entry.kind != kind) or any(w not in folded for w in words):
            continue
        rank = _rank(query, words, folded)
        if rank is None:
            continue
        found = best.get(entry.iri)
        if found is None or rank < found.rank:
            best[entry.iri] = Hit(entry, index.names[line], rank)
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
    for line, entry in enumerate(names.entries):
        candidates.setdefault(names.folded(line), []).append(entry)
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
