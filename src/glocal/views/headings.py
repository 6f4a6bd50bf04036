"""Plain headings for a resource page's facts, and the order they come in.

A researcher reads "Member of", "Members", "Signed by", "Hosted", "Mayors", not
``MEMBEROF (INVERSE)``. Each (property, direction) has a heading here; one without
gets the property's own ``rdfs:label`` (outgoing) or "<label> (by others)" (incoming),
capitalised. Headings come in :data:`ORDER`, so the place (coordinates, country) comes
first and latitude and longitude sit together; the rest follow alphabetically.
"""

from __future__ import annotations

from glocal.namespaces import DCTERMS, GEO, GL, ORG, RDFS, SCHEMA, SKOS

__all__ = ["ORDER", "heading", "order"]

_OUT: dict[str, str] = {
    GEO + "lat": "Coordinates",
    GEO + "long": "Coordinates",
    GL + "country": "Country",
    GL + "population": "Population",
    GL + "geonames": "GeoNames",
    GL + "locatedIn": "Located in",
    ORG + "memberOf": "Member of",
    GL + "endorsed": "Endorsed",
    GL + "signed": "Signed",
    GL + "adopted": "Adopted",
    GL + "attended": "Attended",
    GL + "organises": "Organises",
    GL + "hostedBy": "Hosted by",
    GL + "heldIn": "Held in",
    GL + "editionOf": "Edition of",
    GL + "mayorOf": "Mayor of",
    GL + "pledgedBy": "Pledged by",
    GL + "contributesTo": "Contributes to",
    SKOS + "altLabel": "Also known as",
    RDFS + "comment": "Description",
    DCTERMS + "creator": "Author",
    DCTERMS + "publisher": "Publisher",
    DCTERMS + "title": "Title",
    DCTERMS + "issued": "Issued",
    GL + "year": "Year",
    SCHEMA + "startDate": "Dates",
    SCHEMA + "endDate": "Dates",
}
_IN: dict[str, str] = {
    ORG + "memberOf": "Members",
    GL + "endorsed": "Endorsed by",
    GL + "signed": "Signed by",
    GL + "adopted": "Adopted by",
    GL + "attended": "Attended by",
    GL + "organises": "Organised by",
    GL + "hostedBy": "Hosted",
    GL + "heldIn": "Events and documents held here",
    GL + "editionOf": "Editions",
    GL + "mayorOf": "Mayors",
    GL + "pledgedBy": "Pledges",
    GL + "contributesTo": "Pledges contributing",
    GL + "country": "Places in this country",
    GL + "locatedIn": "Places located here",
    GL + "assesses": "Assessed by",
    GL + "assessedBy": "Assessments",
    GL + "officeOf": "Offices",
    GL + "founded": "Founded by",
    GL + "funds": "Funded by",
    GL + "supports": "Supported by",
    GL + "participatesIn": "Participants",
    GL + "partOf": "Parts",
    GL + "adoptedAt": "Adopted here",
    GL + "madeAt": "Made here",
    GL + "statedIn": "States",
    GL + "interviewed": "Interviewed by",
    GL + "criticised": "Criticised by",
    GL + "cooperatesWith": "Cooperates with",
    DCTERMS + "creator": "Works",
    DCTERMS + "publisher": "Published",
}

#: Headings shown first, in this order; the others follow alphabetically.
ORDER = (
    "Coordinates",
    "Country",
    "Located in",
    "Population",
    "Dates",
    "Year",
    "Issued",
    "Author",
    "Publisher",
    "Title",
    "Description",
    "Also known as",
    "Member of",
    "Members",
    "Mayor of",
    "Mayors",
    "Signed",
    "Signed by",
    "Endorsed",
    "Endorsed by",
    "Adopted",
    "Adopted by",
    "Hosted",
    "Hosted by",
    "Held in",
    "Attended",
    "Attended by",
)


def heading(predicate: str, label: str, *, incoming: bool) -> str:
    """The heading of a fact's property, read from the resource's side.

    >>> heading("http://www.w3.org/ns/org#memberOf", "member of", incoming=True)
    'Members'
    >>> heading("https://w3id.org/glocal/ontology#sued", "sued", incoming=False)
    'Sued'
    >>> heading("https://w3id.org/glocal/ontology#sued", "sued", incoming=True)
    'Sued (by others)'
    """
    known = (_IN if incoming else _OUT).get(predicate)
    if known:
        return known
    text = label[:1].upper() + label[1:]
    return f"{text} (by others)" if incoming else text


def order(name: str) -> tuple[int, str]:
    """Sort key of a heading: :data:`ORDER` first, then alphabetically.

    >>> sorted(["Funds", "Members", "Coordinates"], key=order)
    ['Coordinates', 'Members', 'Funds']
    """
    return (ORDER.index(name) if name in ORDER else len(ORDER), name.casefold())
