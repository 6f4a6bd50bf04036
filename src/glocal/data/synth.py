"""Synthetic data of the same shape as the curated graph, for testing at scale.

:func:`synthesize` yields an N-Quads dataset: cities with coordinates, city networks
with heavy-tailed sizes (Zipf: the largest has about half of all cities, like the
Global Covenant of Mayors, most have a few dozen), memberships with roles, a few
parent networks, declarations with endorsers and a host, events with a host and
attendees, pledges toward GCM objectives, and a pivotal-city assessment. Every fact
is written the curated way, as a direct triple plus an ``org:Membership`` or
``rdf:Statement`` with a quote and ``prov:wasDerivedFrom`` a ``gl:Source``, in that
source's named graph, so the data passes the SHACL shapes when loaded with the
ontology and ``data/reference/compacts.trig`` (whose objectives the pledges cite).

Cities differ in how active they are (Pareto-distributed); networks, declarations and
events draw their members in proportion to that, so a core of busy cities emerges as
it does in the real field. All quotes say they are synthetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from glocal.namespaces import DCTERMS, GEO, GL, ID, ORG, PROV, RDF, RDFS, XSD

__all__ = ["synthesize", "write_synthetic"]

_TYPE = f"<{RDF}type>"
_LABEL = f"<{RDFS}label>"
_ROLES_LEAD = ("Chair", "LeadershipBoardMember", "FoundingMember")
#: How the actor of each synthetic relation took part (the shapes require a role on
#: every tie between a city and an event, document or pledge).
_ROLES = {
    f"<{GL}{predicate}>": role
    for predicate, role in {
        "adopted": "Adopter",
        "adoptedIn": "AdoptionVenue",
        "endorsed": "Endorser",
        "heldIn": "EventVenue",
        "hostedBy": "Host",
        "attended": "Participant",
        "pledgedBy": "Pledger",
    }.items()
}
_SOURCE_KINDS = ("policy paper", "report", "blog post", "book chapter", "commentary")


def _iri(path: str) -> str:
    return f"<{ID}{path}>"


def _lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"^^<{datatype}>' if datatype else f'"{escaped}"@en'


def _plain(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _network_sizes(
    networks: int, cities: int, memberships: int, floor: int = 3
) -> npt.NDArray[np.int_]:
    """Zipf sizes ``largest / rank**a`` (at least ``floor``), ``a`` chosen so they add up
    to about ``memberships``; the largest network has half the cities."""
    largest = max(floor, cities // 2)
    ranks = np.arange(1, networks + 1, dtype=float)

    def total(a: float) -> float:
        return float(np.minimum(cities, np.maximum(floor, largest / ranks**a)).sum())

    low, high = 0.0, 6.0
    for _ in range(60):
        mid = (low + high) / 2
        if total(mid) > memberships:
            low = mid
        else:
            high = mid
    sizes: npt.NDArray[np.int_] = np.maximum(floor, np.round(largest / ranks**high)).astype(int)
    return np.minimum(sizes, cities)


def synthesize(
    cities: int = 20_000,
    networks: int = 1_000,
    *,
    seed: int = 0,
    memberships: int | None = None,
    sources: int = 8,
) -> Iterator[str]:
    """Yield a synthetic glocal dataset as chunks of N-Quads text.

    Parameters
    ----------
    cities, networks
        How many of each.
    seed
        Seed of the random generator; the same arguments give the same data.
    memberships
        Total memberships to aim for; three per city by default (60,000 for 20,000
        cities).
    sources
        Number of synthetic source documents (named graphs).

    Yields
    ------
    str
        N-Quads lines, one entity or fact at a time. Cost: O(memberships) time,
        O(cities + networks) memory.

    Examples
    --------
    >>> text = "".join(synthesize(cities=30, networks=3))
    >>> "<http://www.w3.org/ns/org#Membership>" in text
    True
    >>> text == "".join(synthesize(cities=30, networks=3))
    True
    """
    if cities < 2 or networks < 1:
        raise ValueError("synthesize needs at least 2 cities and 1 network")
    rng = np.random.default_rng(seed)
    target = memberships if memberships is not None else 3 * cities
    source_iris = [_iri(f"source/synthetic-{i + 1}") for i in range(sources)]
    registry = source_iris[0]
    counter = {"node": 0}

    def pick_source() -> str:
        return source_iris[int(rng.integers(sources))]

    def node() -> str:
        counter["node"] += 1
        return f"_:q{counter['node']}"

    def statement(s: str, p: str, o: str, quote: str) -> str:
        graph = pick_source()
        st = node()
        role = _ROLES.get(p)
        return (
            f"{s} {p} {o} {graph} .\n"
            f"{st} {_TYPE} <{RDF}Statement> {graph} .\n"
            f"{st} <{RDF}subject> {s} {graph} .\n"
            f"{st} <{RDF}predicate> {p} {graph} .\n"
            f"{st} <{RDF}object> {o} {graph} .\n"
            + (f"{st} <{GL}role> <{GL}{role}> {graph} .\n" if role else "")
            + f"{st} <{GL}quote> {_plain(quote)} {graph} .\n"
            f"{st} <{PROV}wasDerivedFrom> {graph} {graph} .\n"
        )

    for i, src in enumerate(source_iris):
        yield (
            f"{src} {_TYPE} <{GL}Source> {src} .\n"
            f"{src} {_LABEL} {_lit(f'Synthetic source {i + 1}')} {src} .\n"
            f"{src} <{DCTERMS}title> {_lit(f'Synthetic source {i + 1}')} {src} .\n"
            f"{src} <{DCTERMS}publisher> {_lit('glocal synthetic data generator')} {src} .\n"
            f"{src} <{DCTERMS}issued> {_lit(str(2015 + i % 8), XSD + 'gYear')} {src} .\n"
            f"{src} <{GL}fileName> {_plain(f'{900 + i:03d}_{i:016x}.txt')} {src} .\n"
            f"{src} <{GL}sourceKind> {_plain(_SOURCE_KINDS[i % len(_SOURCE_KINDS)])} {src} .\n"
        )

    # Cities: activity is heavy-tailed; most have coordinates.
    activity = rng.pareto(1.2, cities) + 1.0
    weights = activity / activity.sum()
    lats = rng.uniform(-45, 65, cities)
    longs = rng.uniform(-170, 175, cities)
    located = rng.random(cities) > 0.05
    city_iris = [_iri(f"city/synthetic-{i + 1:06d}") for i in range(cities)]
    for i, c in enumerate(city_iris):
        chunk = (
            f"{c} {_TYPE} <{GL}City> {registry} .\n"
            f"{c} {_LABEL} {_lit(f'City {i + 1}')} {registry} .\n"
        )
        if located[i]:
            chunk += (
                f"{c} <{GEO}lat> {_lit(f'{lats[i]:.5f}', XSD + 'decimal')} {registry} .\n"
                f"{c} <{GEO}long> {_lit(f'{longs[i]:.5f}', XSD + 'decimal')} {registry} .\n"
            )
        yield chunk

    # Networks with Zipf sizes; the first members drawn are the busiest cities, and
    # they take the leading roles.
    sizes = _network_sizes(networks, cities, target)
    net_iris = [_iri(f"org/synthetic-network-{n + 1:05d}") for n in range(networks)]
    for n, (net, size) in enumerate(zip(net_iris, sizes, strict=True)):
        name = f"Network {n + 1}"
        yield (
            f"{net} {_TYPE} <{GL}CityNetwork> {registry} .\n"
            f"{net} {_LABEL} {_lit(name)} {registry} .\n"
        )
        members = rng.choice(cities, size=int(size), replace=False, p=weights)
        leaders = max(1, min(8, int(size) // 40))
        lines: list[str] = []
        for position, member in enumerate(members):
            if position == 0:
                role = "Chair"
            elif position <= leaders:
                role = _ROLES_LEAD[1 + position % 2]
            else:
                draw = rng.random()
                role = "Partner" if draw < 0.03 else "Observer" if draw < 0.05 else "Member"
            city = city_iris[member]
            graph = pick_source()
            m = node()
            quote = _plain(f"Synthetic: City {member + 1} is a {role} of {name}.")
            lines.append(
                f"{city} <{ORG}memberOf> {net} {graph} .\n"
                f"{m} {_TYPE} <{ORG}Membership> {graph} .\n"
                f"{m} <{ORG}member> {city} {graph} .\n"
                f"{m} <{ORG}organization> {net} {graph} .\n"
                f"{m} <{ORG}role> <{GL}{role}> {graph} .\n"
                f"{m} <{GL}quote> {quote} {graph} .\n"
                f"{m} <{PROV}wasDerivedFrom> {graph} {graph} .\n"
            )
        yield "".join(lines)

    # A few networks are branches of one of the ten largest.
    big = max(1, min(10, networks // 10))
    for n in range(big, networks):
        if rng.random() < 0.05:
            parent = int(rng.integers(big))
            yield statement(
                net_iris[n],
                f"<{ORG}subOrganizationOf>",
                net_iris[parent],
                f"Synthetic: Network {n + 1} is a branch of Network {parent + 1}.",
            )

    def draw_cities(k: int) -> np.ndarray:
        return rng.choice(cities, size=min(k, cities), replace=False, p=weights)

    # Declarations: drafted and hosted by one city, endorsed by a heavy-tailed number.
    for d in range(max(1, networks // 25)):
        year = 2014 + d % 9
        decl = _iri(f"declaration/synthetic-declaration-{d + 1:04d}-{year}")
        name = f"Declaration {d + 1} ({year})"
        yield (
            f"{decl} {_TYPE} <{GL}Declaration> {registry} .\n"
            f"{decl} {_LABEL} {_lit(name)} {registry} .\n"
            f"{decl} <{GL}year> {_lit(str(year), XSD + 'gYear')} {registry} .\n"
        )
        endorsers = draw_cities(int(10 * (rng.pareto(1.5) + 1)))
        host = city_iris[endorsers[0]]
        yield statement(host, f"<{GL}adopted>", decl, f"Synthetic: {name} was drafted by its host.")
        yield statement(
            decl, f"<{GL}adoptedIn>", host, f"Synthetic: {name} was adopted in its host city."
        )
        for e in endorsers[1:]:
            yield statement(
                city_iris[e], f"<{GL}endorsed>", decl, f"Synthetic: City {e + 1} endorsed {name}."
            )

    # Events: held in and hosted by one city, attended by a heavy-tailed number.
    for v in range(max(1, networks // 20)):
        year = 2014 + v % 9
        event = _iri(f"event/synthetic-event-{v + 1:04d}-{year}")
        name = f"Forum {v + 1} ({year})"
        yield (
            f"{event} {_TYPE} <{GL}Event> {registry} .\n"
            f"{event} {_LABEL} {_lit(name)} {registry} .\n"
            f"{event} <{GL}year> {_lit(str(year), XSD + 'gYear')} {registry} .\n"
        )
        attendees = draw_cities(int(15 * (rng.pareto(1.5) + 1)))
        host = city_iris[attendees[0]]
        yield statement(
            event, f"<{GL}heldIn>", host, f"Synthetic: {name} took place in its host city."
        )
        yield statement(
            event, f"<{GL}hostedBy>", host, f"Synthetic: {name} was hosted by the city."
        )
        for a in attendees[1:]:
            yield statement(
                city_iris[a], f"<{GL}attended>", event, f"Synthetic: City {a + 1} attended {name}."
            )

    # Pledges toward one to three GCM objectives.
    for p in range(max(1, cities // 40)):
        pledge = _iri(f"pledge/synthetic-pledge-{p + 1:05d}")
        city = int(rng.choice(cities, p=weights))
        yield (
            f"{pledge} {_TYPE} <{GL}Pledge> {registry} .\n"
            f"{pledge} {_LABEL} {_lit(f'Pledge {p + 1} of City {city + 1}')} {registry} .\n"
        )
        yield statement(
            pledge,
            f"<{GL}pledgedBy>",
            city_iris[city],
            f"Synthetic: City {city + 1} made pledge {p + 1}.",
        )
        for objective in rng.choice(23, size=int(rng.integers(1, 4)), replace=False):
            yield statement(
                pledge,
                f"<{GL}contributesTo>",
                _iri(f"objective/gcm-{objective + 1}"),
                f"Synthetic: pledge {p + 1} contributes to GCM objective {objective + 1}.",
            )

    # The benchmark: mostly busy cities, a few arbitrary ones, as an expert list would be.
    busiest = np.argsort(-activity)[: max(16, cities // 500)]
    listed = set(rng.choice(busiest, size=min(12, len(busiest)), replace=False).tolist())
    while len(listed) < min(16, cities):
        listed.add(int(rng.integers(cities)))
    assessment = _iri("assessment/synthetic-pivotal-cities")
    yield (
        f"{assessment} {_TYPE} <{GL}Assessment> {registry} .\n"
        f"{assessment} {_LABEL} {_lit('Synthetic list of pivotal cities')} {registry} .\n"
        f"{assessment} <{GL}category> {_plain('pivotal city')} {registry} .\n"
        f"{assessment} <{GL}assessedBy> {registry} {registry} .\n"
    )
    for c in sorted(listed):
        yield statement(
            assessment, f"<{GL}assesses>", city_iris[c], f"Synthetic: City {c + 1} is pivotal."
        )


def write_synthetic(
    folder: Path | str,
    *,
    cities: int = 20_000,
    networks: int = 1_000,
    seed: int = 0,
    memberships: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write :func:`synthesize`'s output to ``folder/synthetic-<cities>-<networks>-<seed>.nq``.

    Returns
    -------
    Path
        The file written. Load it together with the ontology and
        ``data/reference/compacts.trig``.

    Examples
    --------
    >>> import tempfile
    >>> path = write_synthetic(tempfile.mkdtemp(), cities=30, networks=3)
    >>> path.name, path.stat().st_size > 0
    ('synthetic-30-3-0.nq', True)
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"synthetic-{cities}-{networks}-{seed}.nq"
    step = max(1, math.ceil(cities / 10))
    written = 0
    with path.open("w", encoding="utf-8") as f:
        for chunk in synthesize(cities, networks, seed=seed, memberships=memberships):
            f.write(chunk)
            written += 1
            if progress is not None and written % step == 0:
                progress(f"synth: {written:,} chunks, {f.tell() / 1e6:.0f} MB")
    if progress is not None:
        progress(f"synth: wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return path
