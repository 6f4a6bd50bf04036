"""How far a ranking rests on particular facts and sources: the bootstrap over facts
and leave-one-source-out.

Both take the ties (:class:`~glocal.analysis.graph.Ties`) and a ``rank`` function that
turns ties into ranks (the report passes the composite ranking), so they resample the
evidence and recompute everything downstream.

- :func:`bootstrap_ranks`: each replicate draws as many facts as there are, with
  replacement (Efron 1979; resampling the edges of a network, as in Snijders and
  Borgatti 1999's bootstrap of network statistics). A *fact* is one claim (city,
  target, relation, via) with all the quotes that state it. A fact drawn twice counts
  once (an edge keeps its largest weight), so a replicate holds about 63% of the
  distinct facts: the intervals say how far a rank rests on few facts, and they lean
  pessimistic for cities with few ties.
- :func:`leave_one_source_out`: the ranking with each source's statements removed in
  turn; a fact that another source also states stays.

:func:`rank_interval` reads an interval from either. A city that a replicate leaves
without a tie gets the ``unranked`` rank (one past the last ranked city).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np

from glocal.analysis.graph import Tie, Ties

__all__ = ["Rank", "bootstrap_ranks", "facts", "leave_one_source_out", "rank_interval"]

#: Turns ties into each ranked city's rank (cities without a tie left out).
Rank = Callable[[Ties], Mapping[Hashable, int]]


def facts(ties: Ties) -> list[tuple[Tie, ...]]:
    """The ties grouped by fact: one group per (city, target, layer, relation, via,
    depth, pledge), holding every quote of it, sorted by that key (so that a seed gives
    the same draws whatever order the store returned the ties in).

    Examples
    --------
    >>> from glocal.analysis.graph import City
    >>> ties = Ties({"c": City("c", "C")}, {"X": ("organisation", "X")},
    ...             (Tie("c", "X", "organisations", "Member", "s1"),
    ...              Tie("c", "X", "organisations", "Member", "s2")))
    >>> [len(group) for group in facts(ties)]
    [2]
    """
    grouped: dict[tuple[object, ...], list[Tie]] = defaultdict(list)
    for tie in ties.ties:
        key = (tie.city, tie.target, tie.layer, tie.relation, tie.via, tie.depth, tie.detail)
        grouped[key].append(tie)
    return [tuple(grouped[key]) for key in sorted(grouped, key=str)]


def _with(ties: Ties, kept: Sequence[Tie]) -> Ties:
    return Ties(cities=ties.cities, nodes=ties.nodes, ties=tuple(kept), labels=ties.labels)


def bootstrap_ranks(
    ties: Ties, rank: Rank, *, replicates: int, seed: int = 0
) -> list[Mapping[Hashable, int]]:
    """Rank ``replicates`` bootstrap resamples of the facts.

    Returns
    -------
    list
        One mapping per replicate, city to rank (cities left without a tie absent).
        Cost: ``replicates`` calls of ``rank``.

    Examples
    --------
    >>> from glocal.analysis.graph import City
    >>> ties = Ties({"a": City("a", "A"), "b": City("b", "B")}, {"X": ("event", "X")},
    ...             (Tie("a", "X", "events", "attended"), Tie("b", "X", "events", "attended")))
    >>> by_count = lambda t: {c: 1 for c in {tie.city for tie in t.ties}}
    >>> runs = bootstrap_ranks(ties, by_count, replicates=3, seed=0)
    >>> runs == bootstrap_ranks(ties, by_count, replicates=3, seed=0)
    True
    """
    groups = facts(ties)
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(replicates):
        drawn = sorted(set(rng.integers(0, len(groups), size=len(groups)).tolist()))
        result.append(rank(_with(ties, [t for i in drawn for t in groups[i]])))
    return result


def leave_one_source_out(ties: Ties, rank: Rank) -> dict[str, Mapping[Hashable, int]]:
    """The ranks with each source's statements left out in turn.

    Returns
    -------
    dict
        Source IRI to ranks (cities left without a tie absent). Statements without a
        source are never left out. Cost: one call of ``rank`` per source.

    Examples
    --------
    >>> from glocal.analysis.graph import City
    >>> ties = Ties({"a": City("a", "A")}, {"X": ("event", "X")},
    ...             (Tie("a", "X", "events", "attended", "s1"),))
    >>> leave_one_source_out(ties, lambda t: {tie.city: 1 for tie in t.ties})
    {'s1': {}}
    """
    sources = sorted({t.source for t in ties.ties if t.source is not None})
    return {
        source: rank(_with(ties, [t for t in ties.ties if t.source != source]))
        for source in sources
    }


def rank_interval(
    runs: Sequence[Mapping[Hashable, int]],
    city: Hashable,
    *,
    unranked: int,
    level: float | None = 0.95,
) -> tuple[int, int] | None:
    """The city's rank interval over the runs: the central ``level`` percentile
    interval (nearest ranks), or with ``level=None`` the lowest and highest rank.

    ``None`` when there are no runs.

    Examples
    --------
    >>> runs = [{"a": 1}, {"a": 2}, {"a": 1}, {}]
    >>> rank_interval(runs, "a", unranked=3, level=None)
    (1, 3)
    >>> rank_interval([{"a": r} for r in range(1, 101)], "a", unranked=101)
    (3, 98)
    """
    if not runs:
        return None
    values = np.array([run.get(city, unranked) for run in runs])
    if level is None:
        return int(values.min()), int(values.max())
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail], method="nearest")
    return int(low), int(high)
