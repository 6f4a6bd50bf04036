"""Ranks through time: the ranking of the graph as of each year the data covers.

The graph *as of year Y* holds the ties whose year is Y or earlier. A tie's year is
fixed when the ties are read (:func:`~glocal.analysis.ties.fetch_ties`): the
statement's own date, else the date of what it ties the city to, else the year its
source was published (the fact held by then at the latest). So an undated fact
enters in its source's year, never earlier than any source vouches for it; a fact
that nothing dates at all is left out of every year (and counted, so the report can
say how many). Ties do not end: sources rarely say when a membership ended, and a
former mayor's acts are already excluded.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from glocal.analysis.graph import Ties
from glocal.analysis.resampling import Rank

__all__ = ["TIMELINE_RULE", "as_of", "ranks_by_year"]

#: The dating rule, as the report states it.
TIMELINE_RULE = (
    "a tie counts from its own date (gl:onDate, gl:since, schema:startDate), else from the "
    "date of the declaration, event or pledge it is about, else from the year its source "
    "was published; ties that nothing dates are left out of every year; ties do not end"
)


def as_of(ties: Ties, year: int) -> Ties:
    """The ties dated ``year`` or earlier.

    >>> from glocal.analysis.graph import City, Tie
    >>> ties = Ties({"a": City("a", "A")}, {"X": ("event", "X")},
    ...             (Tie("a", "X", "events", "attended", year=2018),))
    >>> len(as_of(ties, 2017).ties), len(as_of(ties, 2018).ties)
    (0, 1)
    """
    kept = tuple(t for t in ties.ties if t.year is not None and t.year <= year)
    return Ties(cities=ties.cities, nodes=ties.nodes, ties=kept, labels=ties.labels)


def ranks_by_year(ties: Ties, rank: Rank) -> dict[int, Mapping[Hashable, int]]:
    """The ranks as of each year in which some tie starts, oldest first.

    Returns
    -------
    dict
        Year to ranks (cities without a tie by then absent). Cost: one call of
        ``rank`` per year.

    >>> from glocal.analysis.graph import City, Tie
    >>> ties = Ties({"a": City("a", "A"), "b": City("b", "B")}, {"X": ("event", "X")},
    ...             (Tie("a", "X", "events", "attended", year=2018),
    ...              Tie("b", "X", "events", "attended", year=2020)))
    >>> ranks_by_year(ties, lambda t: {tie.city: 1 for tie in t.ties})
    {2018: {'a': 1}, 2020: {'a': 1, 'b': 1}}
    """
    years = sorted({t.year for t in ties.ties if t.year is not None})
    return {year: rank(as_of(ties, year)) for year in years}
