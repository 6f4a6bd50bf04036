"""How strongly each kind of fact ties a city to a node: the edge weights of the graph.

Edge weights (:data:`DEFAULT_WEIGHTS`, override any of them with ``weights=``) say how
strongly a fact ties a city to a node. They matter to the weighted measures
(eigenvector, PageRank, projected strength and betweenness); degree, bipartite
betweenness and closeness count ties only. When several facts tie the same city to
the same node (two roles, or the same fact in two sources) the edge keeps the largest
weight, so a fact repeated by several sources is not counted twice.

- Leading roles (``Chair``, ``LeadershipBoardMember``, ``CoSteeringPartner``,
  ``Coordinator``): 3. A city that steers a network shapes its agenda and is the
  network's face in international fora, which is what makes a city pivotal.
- ``FoundingMember``, ``founded`` (the city founded the organisation) and
  ``SteeringCommitteeMember``: 2. Founding and steering show sustained commitment
  beyond paying a fee.
- ``Member``: 1, the unit.
- ``Partner``, ``Observer``, ``Staff``, ``participatesIn`` (takes part in an
  organisation's programme without membership): 0.5. Looser ties than full membership.
- ``adopted`` (authored a document), ``hostedBy`` and ``organises`` (hosted or
  convened an event): 2. ``adoptedIn`` and ``heldIn`` (the city was only the venue)
  weigh 2 as well, but are read only on request (``venues=True``). Hosting and drafting
  take initiative; signing what others drafted does not.
- ``endorsed``, ``signed`` (signatory), ``attended``: 1.
- A statement's participation role (``gl:role``), when it names one, decides its
  weight over the relation's: ``Author``, ``Adopter``, ``Organiser``, ``Host`` and
  ``Founder`` 2 (they took the initiative); ``Speaker`` and ``Funder`` 1.5 (they shaped
  or paid for it, more than attending); ``Participant``, ``Signatory``, ``Endorser``
  and ``Pledger`` 1; ``Supporter`` 0.5 (backing what others lead). The venue roles
  (``EventVenue``, ``AdoptionVenue``) weigh 2 like ``heldIn``, and ``Seat`` 1; they
  are read only with ``venues=True``.
- ``contributesTo`` (a pledge toward an objective) and ``addresses`` (a pledge toward a
  compact as a whole): 1; the pledger is the city.
- ``parent``: 0.5, a factor, not a weight: a tie to a parent organisation through a
  sub-network weighs ``0.5 ** depth`` times the membership's own weight.

A weight of 0 drops that kind of fact from the graph. Interviews (``gl:interviewed``),
assessments and negative relations (``gl:criticised``, ``gl:sued``) are never ties: a
city that was interviewed or assessed did not act.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["DEFAULT_WEIGHTS"]

#: Default edge weights by role or relation; the module docstring gives the reasons.
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "Chair": 3.0,
        "LeadershipBoardMember": 3.0,
        "CoSteeringPartner": 3.0,
        "Coordinator": 3.0,
        "FoundingMember": 2.0,
        "founded": 2.0,
        "SteeringCommitteeMember": 2.0,
        "Member": 1.0,
        "Partner": 0.5,
        "Observer": 0.5,
        "Staff": 0.5,
        "participatesIn": 0.5,
        "adopted": 2.0,
        "adoptedIn": 2.0,
        "hostedBy": 2.0,
        "heldIn": 2.0,
        "organises": 2.0,
        "endorsed": 1.0,
        "signed": 1.0,
        "attended": 1.0,
        "contributesTo": 1.0,
        "addresses": 1.0,
        "parent": 0.5,
        # Participation roles of statements (gl:role), which outrank the relation.
        "Author": 2.0,
        "Adopter": 2.0,
        "Organiser": 2.0,
        "Host": 2.0,
        "Founder": 2.0,
        "Speaker": 1.5,
        "Funder": 1.5,
        "Participant": 1.0,
        "Signatory": 1.0,
        "Endorser": 1.0,
        "Pledger": 1.0,
        "Supporter": 0.5,
        "EventVenue": 2.0,
        "AdoptionVenue": 2.0,
        "Seat": 1.0,
    }
)
