"""How far a finished ranking agrees with an expert list of cities.

The expert list (the ``gl:Assessment`` of pivotal cities) is a benchmark only: it never
enters the ranking (:mod:`glocal.analysis.pivotality`); :func:`agreement` compares the
two afterwards, with top-k precision and recall, rank correlations and the AUC.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from glocal.analysis.pivotality import Ranked

__all__ = [
    "Agreement",
    "Kendall",
    "ListedLow",
    "Spearman",
    "UnlistedHigh",
    "agreement",
    "agreement_intervals",
    "ranking_from_ranks",
]


@dataclass(frozen=True)
class Spearman:
    """Spearman's rank correlation and its p-value."""

    rho: float
    p: float


@dataclass(frozen=True)
class Kendall:
    """Kendall's tau and its p-value."""

    tau: float
    p: float


@dataclass(frozen=True)
class ListedLow:
    """A listed city outside the top k, and the layers where it has no facts."""

    city: Hashable
    rank: int
    score: float
    lacks: tuple[str, ...]


@dataclass(frozen=True)
class UnlistedHigh:
    """A city in the top k that the list does not name."""

    city: Hashable
    rank: int
    score: float


@dataclass(frozen=True)
class Agreement:
    """The figures of :func:`agreement`; see there for what each one means."""

    k: int
    listed: int
    listed_in_graph: int
    hits: tuple[Hashable, ...]
    precision_at_k: float | None
    recall_at_k: float | None
    spearman: Spearman | None
    kendall: Kendall | None
    auc: float | None
    missing: tuple[Hashable, ...]
    listed_ranked_low: tuple[ListedLow, ...]
    unlisted_ranked_high: tuple[UnlistedHigh, ...]


def agreement(
    ranking: Sequence[Ranked],
    expert: Collection[Hashable],
    *,
    k: int | None = None,
    counts: Mapping[Any, Mapping[str, int]] | None = None,
) -> Agreement:
    """Compare a ranking with an expert list of cities.

    Parameters
    ----------
    ranking
        The composite ranking (best first), covering every city.
    expert
        The listed cities (an unranked set).
    k
        Cut-off for precision and recall; the length of the list by default.
    counts
        Per city, the number of nodes it is tied to in each layer
        (:func:`~glocal.analysis.evidence.layer_counts`), to say which kinds of facts
        the listed cities ranked low lack.

    Returns
    -------
    Agreement
        ``precision_at_k`` (share of the top k that is listed), ``recall_at_k``
        (share of the list within the top k), ``spearman`` and ``kendall`` (rank
        correlation between the composite score and being listed, with p-values),
        ``auc`` (probability that a listed city outranks an unlisted one, ties
        counting half), ``listed_ranked_low`` (listed cities outside the top k, with
        the layers where they have no facts), ``unlisted_ranked_high`` (unlisted
        cities in the top k), ``missing`` (listed cities not in the ranking).
        Ties at the cut are broken as in the ranking's order.

    Examples
    --------
    >>> from glocal.analysis.pivotality import composite
    >>> ranked = composite({"m": {"a": 4, "b": 3, "c": 2, "d": 1}})
    >>> result = agreement(ranked, {"a", "c"})
    >>> result.precision_at_k, result.recall_at_k, result.auc
    (0.5, 0.5, 0.75)
    >>> [row.city for row in result.unlisted_ranked_high]
    ['b']
    """
    listed = set(expert)
    present = [r.city for r in ranking]
    in_ranking = listed & set(present)
    cut = len(listed) if k is None else k
    top = present[:cut]
    top_set = set(top)
    hits = tuple(c for c in top if c in listed)
    spearman, kendall, auc = None, None, None
    scores = np.array([r.score for r in ranking])
    flags = np.array([r.city in listed for r in ranking], dtype=float)
    if 0 < flags.sum() < len(flags) and np.ptp(scores) > 0:
        # Imported here: scipy.stats takes most of a second to import, and the web
        # app imports this module's types at start-up.
        from scipy import stats

        rho, p_rho = stats.spearmanr(scores, flags)
        tau, p_tau = stats.kendalltau(scores, flags)
        spearman = Spearman(float(rho), float(p_rho))
        kendall = Kendall(float(tau), float(p_tau))
        listed_scores, other_scores = scores[flags == 1], scores[flags == 0]
        u = stats.mannwhitneyu(listed_scores, other_scores, alternative="two-sided").statistic
        auc = float(u) / (len(listed_scores) * len(other_scores))
    return Agreement(
        k=cut,
        listed=len(listed),
        listed_in_graph=len(in_ranking),
        hits=hits,
        precision_at_k=len(hits) / cut if cut else None,
        recall_at_k=len(hits) / len(listed) if listed else None,
        spearman=spearman,
        kendall=kendall,
        auc=auc,
        missing=tuple(sorted(listed - set(present), key=str)),
        listed_ranked_low=tuple(
            ListedLow(
                r.city,
                r.rank,
                r.score,
                tuple(layer for layer, n in (counts or {}).get(r.city, {}).items() if n == 0),
            )
            for r in ranking
            if r.city in listed and r.city not in top_set
        ),
        unlisted_ranked_high=tuple(
            UnlistedHigh(r.city, r.rank, r.score)
            for r in ranking
            if r.city in top_set and r.city not in listed
        ),
    )


def ranking_from_ranks(ranks: Mapping[Hashable, int], cities: Iterable[Hashable]) -> list[Ranked]:
    """A ranking (best first) from a city-to-rank mapping, as a bootstrap replicate gives
    it; ``cities`` it leaves out come last, tied. Scores are ``-rank``, enough for the
    rank-based figures of :func:`agreement`.

    >>> [(r.city, r.rank) for r in ranking_from_ranks({"b": 1, "a": 2}, ["a", "b", "c"])]
    [('b', 1), ('a', 2), ('c', 3)]
    """
    last = len(ranks) + 1
    full = {c: ranks.get(c, last) for c in cities}
    order = sorted(full, key=lambda c: (full[c], str(c)))
    return [Ranked(c, full[c], -float(full[c]), float(full[c]), {}) for c in order]


def agreement_intervals(
    runs: Sequence[Mapping[Hashable, int]],
    cities: Collection[Hashable],
    expert: Collection[Hashable],
    *,
    k: int | None = None,
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of precision@k, recall@k, Spearman's rho and the AUC over
    bootstrap replicates of the ranking.

    Parameters
    ----------
    runs
        One city-to-rank mapping per replicate (cities without a tie absent: they
        count as tied last).
    cities
        Every city the ranking could hold (ranked or not).
    expert, k
        As for :func:`agreement`.

    Returns
    -------
    dict
        Figure name to ``(low, high)``; a figure undefined in every replicate is left
        out.

    Examples
    --------
    >>> runs = [{"a": 1, "b": 2, "c": 3}, {"b": 1, "a": 2, "c": 3}]
    >>> low, high = agreement_intervals(runs, ["a", "b", "c"], {"a"}, k=1)["precision_at_k"]
    >>> round(low, 3), round(high, 3)
    (0.025, 0.975)
    """
    values: dict[str, list[float]] = {
        "precision_at_k": [],
        "recall_at_k": [],
        "spearman": [],
        "auc": [],
    }
    for run in runs:
        result = agreement(ranking_from_ranks(run, cities), expert, k=k)
        for name, value in (
            ("precision_at_k", result.precision_at_k),
            ("recall_at_k", result.recall_at_k),
            ("spearman", result.spearman.rho if result.spearman else None),
            ("auc", result.auc),
        ):
            if value is not None and not np.isnan(value):
                values[name].append(value)
    tail = (1 - level) / 2 * 100
    return {
        name: (float(np.percentile(v, tail)), float(np.percentile(v, 100 - tail)))
        for name, v in values.items()
        if v
    }
