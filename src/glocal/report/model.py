"""The typed data of the reports: what :func:`~glocal.report.build.pivotal_report` and
:func:`~glocal.report.build.centrality_report` return and the renderers read.

Each dataclass field is a key of the JSON report, with the same name, in the same
place: :meth:`PivotalReport.to_json` writes the fields as they are (tuples as lists,
mappings as objects), with two exceptions kept from the original JSON shape: an
evidence item leaves out ``via``/``pledge`` (and their labels) when they are ``None``,
and a sensitivity row's overlap is written as ``top_<k>_overlap``. The dataclasses are
frozen and hold tuples and mappings, so a cached report is not changed by a reader.
Longer than 400 lines because every dataclass here is one object of the JSON report,
and keeping them together keeps the JSON's shape readable in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

from glocal.analysis.agreement import Kendall, Spearman
from glocal.analysis.evidence import CityEvidence, EvidenceItem

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "AgreementFigures",
    "AgreementSection",
    "Backbone",
    "BackboneEdge",
    "CentralityReport",
    "CentralityValue",
    "CityEvidence",
    "CityRef",
    "CitySensitivity",
    "Communities",
    "Community",
    "ComponentSummary",
    "EvidenceItem",
    "ExpertList",
    "Explanation",
    "GraphSizes",
    "JsonValue",
    "Kendall",
    "ListedRankedLow",
    "MainCore",
    "NetworkDrawing",
    "NetworkNode",
    "NodeRef",
    "Parameters",
    "PivotalReport",
    "RankComparison",
    "RankedCity",
    "Reason",
    "Sensitivity",
    "Spearman",
    "Timeline",
    "Uncertainty",
    "UnlistedRankedHigh",
    "to_json",
]

JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"


@dataclass(frozen=True)
class CityRef:
    """A city named in a section: its IRI and label."""

    iri: str
    label: str


@dataclass(frozen=True)
class NodeRef:
    """A non-city node named in a section: IRI, label and kind (``organisation``...)."""

    iri: str
    label: str
    kind: str


@dataclass(frozen=True)
class Reason:
    """One fact behind a city's score, as a sentence a reader can follow.

    ``sentence`` says what the city did ("Bristol sits on the leadership board of the
    Mayors Migration Council"), ``citation`` who says so (author and year), ``quote``
    the source's words, ``weight`` the tie's weight in the graph.
    """

    sentence: str
    citation: str
    quote: str | None
    weight: float
    source: str | None


@dataclass(frozen=True)
class Explanation:
    """Why a city ranks where it does.

    ``facts``: the facts that add most to its score, strongest first; ``above`` and
    ``below``: how it compares with the next city below and the one above it;
    ``interval``: its rank intervals in words; ``disagreeing``: the measures that rank
    it far from its composite rank.
    """

    facts: tuple[Reason, ...]
    above: str | None
    below: str | None
    interval: str | None
    disagreeing: tuple[str, ...]


@dataclass(frozen=True)
class RankedCity:
    """One city of the ranking, with its measures and the facts behind them.

    ``measures`` are the values (6 significant digits) and ``ranks`` the per-measure
    ranks; ``listed`` says whether the expert list names it; ``community`` is its
    Louvain community (index into all communities), ``core`` its core number;
    ``layers`` counts the nodes it reaches in each layer.

    The fields after ``evidence`` are the uncertainty, brokerage and time of the city
    (``None`` where not computed): ``component`` (index into
    :attr:`PivotalReport.components`); ``rank_interval`` (2.5th and 97.5th
    percentiles of its rank over bootstrap replicates of the facts) and
    ``loso_interval`` (lowest and highest rank with one source left out);
    ``z_score``, ``p_value`` and ``q_value`` (its harmonic closeness against the
    curveball null model; q after Benjamini–Hochberg) and ``beyond_chance`` (q below
    the report's alpha); ``constraint`` and ``effective_size`` (Burt, on the
    projection), ``region`` (UN M49 sub-region), ``participation`` (participation
    coefficient across regions), ``articulation`` (its removal splits the city
    network); ``ranks_by_year`` (its rank in the graph as of each year, ``None``
    while it has no tie); ``explanation`` (readable reasons for its rank).
    """

    iri: str
    label: str
    rank: int
    score: float
    mean_rank: float
    measures: Mapping[str, float]
    ranks: Mapping[str, float]
    listed: bool
    lat: float | None
    long: float | None
    community: int | None
    core: int
    layers: Mapping[str, int]
    evidence: CityEvidence
    component: int | None = None
    rank_interval: tuple[int, int] | None = None
    loso_interval: tuple[int, int] | None = None
    z_score: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    beyond_chance: bool | None = None
    constraint: float | None = None
    effective_size: float | None = None
    region: str | None = None
    participation: float | None = None
    articulation: bool | None = None
    ranks_by_year: Mapping[int, int | None] | None = None
    explanation: Explanation | None = None


@dataclass(frozen=True)
class ListedRankedLow:
    """A listed city outside the top k, and the layers where it has no facts."""

    iri: str
    label: str
    rank: int
    score: float
    lacks: tuple[str, ...]


@dataclass(frozen=True)
class UnlistedRankedHigh:
    """A city in the top k that the expert list does not name."""

    iri: str
    label: str
    rank: int
    score: float


@dataclass(frozen=True)
class AgreementSection:
    """The ranking against the expert list
    (:class:`~glocal.analysis.agreement.Agreement`, with cities named)."""

    k: int
    listed: int
    listed_in_graph: int
    hits: tuple[CityRef, ...]
    precision_at_k: float | None
    recall_at_k: float | None
    spearman: Spearman | None
    kendall: Kendall | None
    auc: float | None
    missing: tuple[CityRef, ...]
    listed_ranked_low: tuple[ListedRankedLow, ...]
    unlisted_ranked_high: tuple[UnlistedRankedHigh, ...]
    expert_cities: tuple[CityRef, ...]
    #: The figures with intervals, with all facts and without the listing source's.
    figures: tuple[AgreementFigures, ...] = ()
    #: Listed cities that no source ties to anything: the sources cannot support them.
    unsupported: tuple[CityRef, ...] = ()


@dataclass(frozen=True)
class RankComparison:
    """An alternative ranking against the composite: Spearman's rho (``None`` when
    undefined) and how many of the composite's top k it keeps."""

    spearman_with_composite: float | None
    top_overlap: int


@dataclass(frozen=True)
class CitySensitivity:
    """A listed city's rank, its rank by each measure and without each layer."""

    rank: int
    by_measure: Mapping[str, float]
    without_layer: Mapping[str, int]


@dataclass(frozen=True)
class Sensitivity:
    """How the ranking moves by measure and with each layer dropped (top ``k``)."""

    k: int
    measures: Mapping[str, RankComparison]
    layers_dropped: Mapping[str, RankComparison]
    cities: Mapping[str, CitySensitivity]

    def to_json(self) -> dict[str, JsonValue]:
        """The section as JSON, the overlap under its original key ``top_<k>_overlap``."""
        overlap = f"top_{self.k}_overlap"

        def rows(table: Mapping[str, RankComparison]) -> dict[str, JsonValue]:
            return {
                name: {
                    "spearman_with_composite": row.spearman_with_composite,
                    overlap: row.top_overlap,
                }
                for name, row in table.items()
            }

        return {
            "k": self.k,
            "measures": rows(self.measures),
            "layers_dropped": rows(self.layers_dropped),
            "cities": to_json(self.cities),
        }


@dataclass(frozen=True)
class Community:
    """A Louvain community with two or more cities: sizes and its leading members."""

    id: int
    cities: int
    size: int
    top_cities: tuple[CityRef, ...]
    top_nodes: tuple[NodeRef, ...]


@dataclass(frozen=True)
class MainCore:
    """The k-core of largest k: k, how many cities, the best ranked of them."""

    k: int
    cities: int
    top_cities: tuple[CityRef, ...]


@dataclass(frozen=True)
class Communities:
    """Louvain communities and the main core of the bipartite graph."""

    method: str
    count: int
    with_two_or_more_cities: int
    listed: tuple[Community, ...]
    main_core: MainCore


@dataclass(frozen=True)
class NetworkNode:
    """A node of the network drawing, at (``x``, ``y``) in the unit square."""

    iri: str
    label: str
    kind: str
    x: float
    y: float
    score: float | None
    degree: int


@dataclass(frozen=True)
class NetworkDrawing:
    """The top cities and the nodes they share; edges are (node index, node index,
    weight). ``kind`` is ``organisation`` or ``any`` (when no city has memberships)."""

    nodes: tuple[NetworkNode, ...]
    edges: tuple[tuple[int, int, float], ...]
    kind: str


@dataclass(frozen=True)
class GraphSizes:
    """The size of the bipartite graph."""

    cities: int
    cities_with_ties: int
    nodes: int
    edges: int
    by_kind: Mapping[str, int]
    components: int


@dataclass(frozen=True)
class ExpertList:
    """The expert list the ranking is compared with, and its role."""

    category: str
    cities: int
    role: str


@dataclass(frozen=True)
class Parameters:
    """How the report was computed: layers, weights, measures and their methods."""

    layers: tuple[str, ...]
    weights: Mapping[str, float]
    parents: bool
    proxies: bool
    measures: tuple[str, ...]
    skipped: Mapping[str, str]
    methods: Mapping[str, str]
    composite: str
    exact: bool
    pivots: int | None
    backend: str
    seed: int
    top: int | None
    expert: ExpertList


@dataclass(frozen=True)
class ComponentSummary:
    """A connected component with at least one tie: its cities (by label) and its
    number of nodes of every kind; ``index`` 0 is the largest."""

    index: int
    cities: tuple[CityRef, ...]
    nodes: int


@dataclass(frozen=True)
class Uncertainty:
    """How the intervals and the null model were computed, and their limits.

    ``bootstrap_replicates`` resamples of the facts with replacement; ``loso_sources``
    the sources left out one at a time (as citations); ``null_replicates`` graphs from
    the curveball null model, ``null_statistic`` the measure tested against them;
    ``correction`` the multiple-testing correction and ``alpha`` its level; ``seed``
    the seed of every random draw; ``beyond_chance`` the cities whose q-value is
    below alpha; ``limits`` what the figures cannot say.
    """

    bootstrap_replicates: int
    loso_sources: tuple[str, ...]
    null_replicates: int
    null_statistic: str
    null_model: str
    correction: str
    alpha: float
    seed: int
    beyond_chance: tuple[CityRef, ...]
    limits: tuple[str, ...]


@dataclass(frozen=True)
class Timeline:
    """Ranks as of each year: ``years`` covered, the dating ``rule``, how many ties no
    date reaches (``undated``, left out of every year), and per year how many cities
    have a tie (``cities_by_year``)."""

    years: tuple[int, ...]
    rule: str
    undated: int
    cities_by_year: Mapping[int, int]


@dataclass(frozen=True)
class BackboneEdge:
    """A city–city tie of the backbone: the two cities, how many nodes they share,
    and the p-value of sharing that many under the null model."""

    a: CityRef
    b: CityRef
    shared: int
    p_value: float


@dataclass(frozen=True)
class Backbone:
    """The significant city–city ties (``edges``), the ``method`` and its ``alpha``,
    how many pairs were tested, and why it was skipped (``skipped``) if it was."""

    method: str
    alpha: float
    replicates: int
    tested_pairs: int
    edges: tuple[BackboneEdge, ...]
    skipped: str | None = None


@dataclass(frozen=True)
class AgreementFigures:
    """Agreement figures with bootstrap 95% intervals (``intervals[name] = (low,
    high)`` for ``precision_at_k``, ``recall_at_k``, ``spearman`` and ``auc``), for
    one set of facts (``facts``: all sources, or all but the listing source)."""

    facts: str
    k: int
    hits: int
    precision_at_k: float | None
    recall_at_k: float | None
    spearman: float | None
    spearman_p: float | None
    auc: float | None
    intervals: Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class PivotalReport:
    """The pivotal-cities report: the ranked cities and every section about them."""

    title: str
    data_version: str | None
    cities: tuple[RankedCity, ...]
    agreement: AgreementSection
    sensitivity: Sensitivity
    communities: Communities
    network: NetworkDrawing
    graph: GraphSizes
    parameters: Parameters
    #: The components with a tie, largest first (``RankedCity.component`` indexes it).
    components: tuple[ComponentSummary, ...] = ()
    #: The cities with no tie: not ranked, since nothing compares them.
    isolates: tuple[CityRef, ...] = ()
    #: How the ranking was made: the rule for equal mean ranks and what is ranked.
    ranking_rule: str = ""
    uncertainty: Uncertainty | None = None
    timeline: Timeline | None = None
    backbone: Backbone | None = None
    #: How the brokerage measures were computed, and their references.
    brokerage: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, JsonValue]:
        """The report as JSON-ready dicts and lists (see the module docstring)."""
        return _fields(self)


@dataclass(frozen=True)
class CentralityValue:
    """One city's value of a measure, and its rank."""

    iri: str
    label: str
    value: float
    rank: int


@dataclass(frozen=True)
class CentralityReport:
    """One centrality measure for every city, best first."""

    measure: str
    method: str
    cities: tuple[CentralityValue, ...]

    def to_json(self) -> dict[str, JsonValue]:
        """The report as JSON-ready dicts and lists.

        >>> report = CentralityReport("degree", "networkx", (CentralityValue("c", "C", 0.5, 1),))
        >>> report.to_json()["cities"]
        [{'iri': 'c', 'label': 'C', 'value': 0.5, 'rank': 1}]
        """
        return _fields(self)


@runtime_checkable
class _WritesJson(Protocol):
    def to_json(self) -> dict[str, JsonValue]: ...


def _fields(item: DataclassInstance) -> dict[str, JsonValue]:
    """A dataclass's fields by name; a field whose default is ``None`` is left out
    while it is ``None`` (the optional keys of an evidence item)."""
    return {
        f.name: to_json(getattr(item, f.name))
        for f in fields(item)
        if not (f.default is None and getattr(item, f.name) is None)
    }


def to_json(value: object) -> JsonValue:
    """Any part of a report as JSON-ready data: dataclasses as dicts of their fields,
    tuples as lists, mappings as dicts.

    >>> to_json(EvidenceItem("t", "T", "Member", None, "joined"))
    {'target': 't', 'label': 'T', 'relation': 'Member', 'source': None, 'quote': 'joined'}
    """
    if isinstance(value, _WritesJson):
        return value.to_json()
    if is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a report holds no {type(value).__name__}")
