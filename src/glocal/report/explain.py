"""Explanations a reader can follow: each city's strongest facts as sentences with
citations, how it compares with its neighbours in the ranking, its intervals, and the
measures that disagree with its composite rank."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from glocal.analysis.graph import Tie, local_name, tie_weight
from glocal.analysis.pivotality import Ranked
from glocal.report.model import Explanation, Reason

__all__ = ["FACTS_SHOWN", "PHRASES", "explain", "sentence"]

#: How many facts an explanation shows.
FACTS_SHOWN = 5

#: Each relation as a verb phrase ("{city} ... {target}").
PHRASES: Mapping[str, str] = MappingProxyType(
    {
        "Member": "is a member of",
        "LeadershipBoardMember": "sits on the leadership board of",
        "Chair": "chairs",
        "CoSteeringPartner": "co-steers",
        "Coordinator": "coordinates",
        "FoundingMember": "is a founding member of",
        "founded": "founded",
        "SteeringCommitteeMember": "sits on the steering committee of",
        "Partner": "is a partner of",
        "Observer": "is an observer in",
        "Staff": "has staff in",
        "participatesIn": "takes part in",
        "adopted": "adopted",
        "endorsed": "endorsed",
        "signed": "signed",
        "attended": "attended",
        "organises": "organised",
        "hostedBy": "hosted",
        "adoptedIn": "was the venue where this was adopted:",
        "heldIn": "was the venue of",
        "contributesTo": "pledged to work toward",
        "addresses": "made a pledge under",
        "Author": "wrote",
        "Adopter": "adopted",
        "Organiser": "organised",
        "Host": "hosted",
        "Founder": "founded",
        "Speaker": "spoke at",
        "Funder": "funded",
        "Participant": "took part in",
        "Signatory": "signed",
        "Endorser": "endorsed",
        "Pledger": "made a pledge in",
        "Supporter": "supported",
        "EventVenue": "was the venue of",
        "AdoptionVenue": "was the venue where this was adopted:",
        "Seat": "is the seat of",
    }
)


def sentence(tie: Tie, city: str, target: str, via: str | None = None) -> str:
    """A tie as a sentence.

    >>> sentence(Tie("c", "o", "organisations", "Chair"), "Bristol", "the MMC", "its mayor")
    'Bristol (through its mayor) chairs the MMC.'
    >>> sentence(Tie("c", "o", "organisations", "Odd"), "Bristol", "X")
    'Bristol is tied to X (Odd).'
    """
    who = f"{city} (through {via})" if via else city
    phrase = PHRASES.get(tie.relation)
    if phrase is None:
        return f"{who} is tied to {target} ({tie.relation})."
    parent = " (through a sub-network)" if tie.depth else ""
    return f"{who} {phrase} {target}{parent}."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _better(a: Ranked, b: Ranked, names: Mapping[str, str]) -> list[str]:
    return [names.get(m, m) for m in a.ranks if a.ranks[m] < b.ranks.get(m, a.ranks[m])]


def explain(
    row: Ranked,
    position: int,
    ranking: Sequence[Ranked],
    ties: Sequence[Tie],
    *,
    label: Mapping[str, str],
    citations: Mapping[str, str],
    weights: Mapping[str, float] | None = None,
    intervals: tuple[tuple[int, int] | None, tuple[int, int] | None] = (None, None),
) -> Explanation:
    """Explain the city at ``ranking[position]``.

    Parameters
    ----------
    row, position, ranking
        The city's row, its index in the ranking, and the ranking (best first).
    ties
        The city's ties.
    label
        Labels of cities, nodes, mayors and offices.
    citations
        Source IRI to "Author (year)".
    weights
        Weight overrides, as for the graph.
    intervals
        The bootstrap and leave-one-source-out rank intervals.

    Examples
    --------
    >>> from glocal.analysis.pivotality import composite
    >>> ranking = composite({"degree": {"a": 2.0, "b": 1.0}})
    >>> tie = Tie("a", "o", "organisations", "Chair", "s", "a chairs o")
    >>> why = explain(ranking[0], 0, ranking, [tie], label={"a": "Athens", "o": "O", "b": "B"},
    ...               citations={"s": "Smith (2020)"})
    >>> why.facts[0].sentence, why.facts[0].citation, why.above
    ('Athens chairs O.', 'Smith (2020)', 'Above B: better on degree.')
    """
    name = label.get(str(row.city), str(row.city))
    strongest = sorted(
        ties, key=lambda t: (-tie_weight(t, weights), t.quote is None, t.relation, t.target)
    )
    reasons = []
    seen: set[tuple[str, str, str | None]] = set()
    for tie in strongest:
        key = (tie.target, tie.relation, tie.source)
        if key in seen:
            continue
        seen.add(key)
        via = f"its mayor or office {label.get(tie.via, tie.via)}" if tie.via else None
        reasons.append(
            Reason(
                sentence=sentence(tie, name, label.get(tie.target, tie.target), via),
                citation=citations.get(tie.source) or local_name(tie.source)
                if tie.source
                else "no source",
                quote=tie.quote,
                weight=float(tie_weight(tie, weights)),
                source=tie.source,
            )
        )
        if len(reasons) == FACTS_SHOWN:
            break
    readable = {m: m.replace("_", " ") for m in row.ranks}
    above = below = None
    if position + 1 < len(ranking):
        nxt = ranking[position + 1]
        better = _better(row, nxt, readable)
        nxt_name = label.get(str(nxt.city), str(nxt.city))
        above = (
            f"Above {nxt_name}: better on {', '.join(better)}."
            if better
            else f"Level with {nxt_name} on every measure; listed first by IRI."
        )
    if position > 0:
        prev = ranking[position - 1]
        better = _better(prev, row, readable)
        prev_name = label.get(str(prev.city), str(prev.city))
        below = (
            f"Below {prev_name}, which is better on {', '.join(better)}."
            if better
            else f"Level with {prev_name} on every measure; listed after it by IRI."
        )
    boot, loso = intervals
    parts = []
    if boot is not None:
        parts.append(f"bootstrap 95% rank interval {boot[0]}–{boot[1]}")
    if loso is not None:
        parts.append(f"ranks {loso[0]}–{loso[1]} with any one source left out")
    spread = max(3.0, len(ranking) / 4)
    disagreeing = tuple(
        f"{readable[m]} ranks it {_ordinal(round(r))}"
        for m, r in row.ranks.items()
        if abs(r - row.rank) >= spread
    )
    return Explanation(
        facts=tuple(reasons),
        above=above,
        below=below,
        interval="; ".join(parts).capitalize() + "." if parts else None,
        disagreeing=disagreeing,
    )
