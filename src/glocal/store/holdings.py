"""What glocal loaded into an external engine, and whether the engine still holds it.

An engine that goes away can come back with less than it was given: Virtuoso killed
before its next checkpoint was seen to return with the version recorded and part of
each graph missing. A start of glocal compares each graph's triple count with the count
recorded at load. :class:`Holdings` lets a running store do the same: once a request
has found the engine gone, the next one recounts before it is answered, and a store
whose engine lost data says so on every request instead of answering from the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from glocal.store.errors import StoreUnavailable

__all__ = ["Holdings"]


class Holdings:
    """Each graph's triples as loaded, and what the engine was last seen to hold.

    >>> held = Holdings({"g": 3})
    >>> held.must_recount
    False
    >>> held.engine_went_away()
    >>> held.must_recount
    True
    >>> held.recounted({"g": 3})
    >>> held.must_recount
    False
    >>> held.engine_went_away()
    >>> held.recounted({"g": 2})
    Traceback (most recent call last):
    ...
    glocal.store.errors.StoreUnavailable: ... without part of glocal's data (g: 2 of 3 triples)...
    >>> held.check()
    Traceback (most recent call last):
    ...
    glocal.store.errors.StoreUnavailable: ...; restart glocal serve to load it again
    """

    def __init__(self, triples: Mapping[str, int] | None = None) -> None:
        self.triples: dict[str, int] = dict(triples or {})
        self._recount = False
        self._lost: str | None = None

    @property
    def must_recount(self) -> bool:
        """Whether the engine must be recounted before it answers again."""
        return self._recount and self._lost is None and bool(self.triples)

    def engine_went_away(self) -> None:
        """Note that a request found the engine unreachable or gone."""
        self._recount = True

    def recounted(self, counted: Mapping[str, int]) -> None:
        """Compare the engine's counts with the loaded ones.

        Raises
        ------
        StoreUnavailable
            If a graph has other than its loaded number of triples; every later
            :meth:`check` raises it too.
        """
        differ = [
            f"{graph}: {counted.get(graph, 0)} of {n} triples"
            for graph, n in sorted(self.triples.items())
            if counted.get(graph, 0) != n
        ]
        if differ:
            self._lost = (
                "the SPARQL engine came back without part of glocal's data "
                f"({'; '.join(differ)}); restart glocal serve to load it again"
            )
        self._recount = False
        self.check()

    def check(self) -> None:
        """Raise if the engine was found to have lost data.

        Raises
        ------
        StoreUnavailable
            If a recount found a graph short.
        """
        if self._lost is not None:
            raise StoreUnavailable(self._lost)
