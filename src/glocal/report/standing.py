"""A city's standing in the pivotal report, as its resource page shows it.

:func:`standing` reads one city out of a :class:`~glocal.report.model.PivotalReport`:
its composite rank with the report's intervals (the bootstrap 95 % rank interval and
the range of ranks with one source left out), its value and rank by each measure, and
where it sits in the graph; or, for a city the report does not rank, why not. These
are figures computed from the graph, not facts a source states: the resource page
shows them beside the facts, and they stay out of the page's Turtle and JSON-LD.
"""

from __future__ import annotations

from dataclasses import dataclass

from glocal.report.model import PivotalReport, RankedCity

__all__ = ["MeasureStanding", "Standing", "standing"]

#: The cities the report's HTML explains one by one (its ``details``, anchored
#: ``#city-<position>``); a city further down is found in the ranking table.
EXPLAINED = 50


@dataclass(frozen=True)
class MeasureStanding:
    """One measure of a city: its name, the city's value and its rank by it (ties
    averaged, so a rank may end in .5)."""

    name: str
    value: float
    rank: float


@dataclass(frozen=True)
class Standing:
    """A city in the pivotal report.

    ``rank`` is its composite rank among ``ranked`` cities, ``None`` when it is not
    ranked, and ``reason`` then says why. ``interval`` is the bootstrap 95 % rank
    interval and ``loso`` the lowest and highest rank with one source left out (both
    ``None`` when the report has none). ``component`` is its component's index (0 is the
    largest) and ``component_cities`` how many cities that component holds.
    ``fragment`` is where the report's HTML speaks of the city (``#city-3``).
    """

    iri: str
    ranked: int
    rank: int | None = None
    score: float | None = None
    measures: tuple[MeasureStanding, ...] = ()
    interval: tuple[int, int] | None = None
    loso: tuple[int, int] | None = None
    beyond_chance: bool | None = None
    component: int | None = None
    component_cities: int | None = None
    largest_cities: int | None = None
    listed: bool = False
    reason: str | None = None
    fragment: str = "#ranking"


def _ranked(report: PivotalReport, position: int, city: RankedCity) -> Standing:
    sizes = {c.index: len(c.cities) for c in report.components}
    return Standing(
        iri=city.iri,
        ranked=len(report.cities),
        rank=city.rank,
        score=city.score,
        measures=tuple(
            MeasureStanding(m, city.measures[m], city.ranks[m])
            for m in report.parameters.measures
            if m in city.measures
        ),
        interval=city.rank_interval,
        loso=city.loso_interval,
        beyond_chance=city.beyond_chance,
        component=city.component,
        component_cities=sizes.get(city.component) if city.component is not None else None,
        largest_cities=sizes.get(0),
        listed=city.listed,
        fragment=f"#city-{position}" if position <= EXPLAINED else "#ranking",
    )


def standing(report: PivotalReport, iri: str) -> Standing | None:
    """Where the report puts the city ``iri``; ``None`` if the report does not know it.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.report.build import pivotal_report
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> report = pivotal_report(store, sensitivity=False)
    >>> first = standing(report, report.cities[0].iri)
    >>> first.rank, first.fragment, first.reason
    (1, '#city-1', None)
    >>> lonely = standing(report, report.isolates[0].iri)
    >>> lonely.rank is None and lonely.reason.startswith("Not ranked")
    True
    >>> standing(report, "https://w3id.org/glocal/id/org/mmc") is None
    True
    >>> store.close()
    """
    for position, city in enumerate(report.cities, start=1):
        if city.iri == iri:
            return _ranked(report, position, city)
    if any(city.iri == iri for city in report.isolates):
        return Standing(
            iri=iri,
            ranked=len(report.cities),
            reason=(
                "Not ranked: no source ties this city to a network, declaration, event or "
                "pledge, so no measure can compare it with the others. No tie in these "
                "texts is not evidence of no role."
            ),
            fragment="#unranked",
        )
    return None
