"""The typed data of the reports: what :func:`~glocal.report.build.pivotal_report` and
:func:`~glocal.report.build.centrality_report` return and the renderers read.

Each dataclass field is a key of the JSON report, with the same name, in the same
place: :meth:`PivotalReport.to_json` writes the fields as they are (tuples as lists,
mappings as objects), with two exceptions kept from the original JSON shape: an
evidence item leaves out ``via``/``pledge`` (and their labels) when they are ``None``,
and a sensitivity row's overlap is written as ``top_<k>_overlap``. The dataclasses are
frozen and hold tuples and mappings, so a cached report is not changed by a reader.
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
    "AgreementSection",
    "CentralityReport",
    "CentralityValue",
    "CityEvidence",
    "CityRef",
    "CitySensitivity",
    "Communities",
    "Community",
    "EvidenceItem",
    "ExpertList",
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
    "Sensitivity",
    "Spearman",
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
class RankedCity:
    """One city of the ranking, with its measures and the facts behind them.

    ``measures`` are the values (6 significant digits) and ``ranks`` the per-measure
    ranks; ``listed`` says whether the expert list names it; ``community`` is its
    Louvain community (index into all communities), ``core`` its core number;
    ``layers`` counts the nodes it reaches in each layer.
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
