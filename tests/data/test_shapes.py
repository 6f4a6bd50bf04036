"""Every SHACL shape rejects bad data (Brick's pattern: a valid base plus one bad triple)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from glocal.data.validation import validate_dataset
from glocal.dataset import Dataset, curated_files, load_files

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "glocal.ttl"

PREFIXES = """
@prefix gl: <https://w3id.org/glocal/ontology#> .
@prefix city: <https://w3id.org/glocal/id/city/> .
@prefix orgn: <https://w3id.org/glocal/id/org/> .
@prefix decl: <https://w3id.org/glocal/id/declaration/> .
@prefix event: <https://w3id.org/glocal/id/event/> .
@prefix series: <https://w3id.org/glocal/id/series/> .
@prefix pledge: <https://w3id.org/glocal/id/pledge/> .
@prefix person: <https://w3id.org/glocal/id/person/> .
@prefix country: <https://w3id.org/glocal/id/country/> .
@prefix compact: <https://w3id.org/glocal/id/compact/> .
@prefix obj: <https://w3id.org/glocal/id/objective/> .
@prefix src: <https://w3id.org/glocal/id/source/> .
@prefix assess: <https://w3id.org/glocal/id/assessment/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""

# A small graph that uses every class and conforms.
BASE = """
src:s a gl:Source ; dcterms:title "A source" ; dcterms:publisher "P" ;
    dcterms:issued "2020"^^xsd:gYear ; gl:fileName "001_89f10fed88e4d299.txt" ; gl:sourceKind "paper" .
country:gb a gl:Country ; rdfs:label "United Kingdom"@en ; gl:iso3166Alpha2 "GB" .
city:bristol a gl:City ; rdfs:label "Bristol"@en ; geo:lat "51.45"^^xsd:decimal ;
    geo:long "-2.59"^^xsd:decimal ; gl:geonames <https://sws.geonames.org/2654675/> ;
    gl:country country:gb ; gl:population 430713 .
orgn:mmc a gl:CityNetwork ; rdfs:label "MMC"@en ; gl:year "2018"^^xsd:gYear .
city:bristol org:memberOf orgn:mmc .
[] a org:Membership ; org:member city:bristol ; org:organization orgn:mmc ;
    org:role gl:LeadershipBoardMember ; gl:since "2018"^^xsd:gYear ;
    gl:quote "Bristol leads the MMC" ; prov:wasDerivedFrom src:s .
decl:d a gl:Declaration ; rdfs:label "Declaration"@en ; gl:year "2018"^^xsd:gYear .
city:bristol gl:endorsed decl:d .
[] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:endorsed ; rdf:object decl:d ;
    gl:role gl:Signatory ; gl:status gl:Adopted ; gl:onDate "2018-12"^^xsd:gYearMonth ;
    gl:dateQualifier "by" ; gl:quote "Bristol endorsed it" ; prov:wasDerivedFrom src:s .
event:e gl:heldIn city:bristol .
[] a rdf:Statement ; rdf:subject event:e ; rdf:predicate gl:heldIn ; rdf:object city:bristol ;
    gl:role gl:EventVenue ; gl:status gl:Planned ; gl:quote "the Forum in Bristol" ;
    prov:wasDerivedFrom src:s .
[] a gl:Count ; gl:countOf decl:d ; gl:counted gl:CityLeaders ; gl:countValue 150 ;
    gl:countQualifier "more than" ; gl:onDate "2018"^^xsd:gYear ;
    gl:quote "over 150 city leaders" ; prov:wasDerivedFrom src:s .
orgn:gov a gl:GovernmentBody ; rdfs:label "Government"@en .
orgn:gov gl:governmentOf country:gb .
[] a rdf:Statement ; rdf:subject orgn:gov ; rdf:predicate gl:governmentOf ; rdf:object country:gb ;
    gl:quote "the UK government" ; prov:wasDerivedFrom src:s .
orgn:gov gl:withdrewFrom compact:gcm .
[] a rdf:Statement ; rdf:subject orgn:gov ; rdf:predicate gl:withdrewFrom ; rdf:object compact:gcm ;
    gl:onDate "2017-12"^^xsd:gYearMonth ; gl:quote "the UK withdrew" ; prov:wasDerivedFrom src:s .
src:s gl:interviewed city:bristol .
[] a rdf:Statement ; rdf:subject src:s ; rdf:predicate gl:interviewed ; rdf:object city:bristol ;
    gl:quote "interview partners: City of Bristol" ; prov:wasDerivedFrom src:s .
series:f a gl:EventSeries ; rdfs:label "Forum"@en .
event:e a gl:Event ; rdfs:label "Forum 2018"@en ; gl:editionNumber "5"^^xsd:positiveInteger .
event:e gl:editionOf series:f .
[] a rdf:Statement ; rdf:subject event:e ; rdf:predicate gl:editionOf ; rdf:object series:f ;
    gl:quote "the 5th Forum" ; prov:wasDerivedFrom src:s .
decl:d gl:count 150 .
[] a rdf:Statement ; rdf:subject decl:d ; rdf:predicate gl:count ; rdf:object 150 ;
    gl:countQualifier "exactly" ; gl:quote "150 city leaders" ; prov:wasDerivedFrom src:s .
compact:gcm a gl:Compact ; rdfs:label "GCM"@en .
compact:gcr a gl:Compact ; rdfs:label "GCR"@en .
obj:gcm-16 a gl:Objective ; skos:notation 16 ; skos:prefLabel "Inclusion"@en ; skos:inScheme compact:gcm .
obj:gcr-2 a gl:Objective ; skos:notation 2 ; skos:prefLabel "Self-reliance"@en ; skos:inScheme compact:gcr .
pledge:p a gl:Pledge ; gl:description "A pledge" .
pledge:p gl:pledgedBy city:bristol .
[] a rdf:Statement ; rdf:subject pledge:p ; rdf:predicate gl:pledgedBy ; rdf:object city:bristol ;
    gl:role gl:Pledger ; gl:quote "Bristol pledged" ; prov:wasDerivedFrom src:s .
pledge:p gl:contributesTo obj:gcm-16 .
[] a rdf:Statement ; rdf:subject pledge:p ; rdf:predicate gl:contributesTo ; rdf:object obj:gcm-16 ;
    gl:quote "towards objective 16" ; prov:wasDerivedFrom src:s .
person:rees a gl:Person ; rdfs:label "Marvin Rees"@en .
person:rees gl:mayorOf city:bristol .
[] a rdf:Statement ; rdf:subject person:rees ; rdf:predicate gl:mayorOf ; rdf:object city:bristol ;
    schema:startDate "2016"^^xsd:gYear ; schema:endDate "2024-05-10"^^xsd:date ; gl:status gl:Ended ;
    gl:quote "Mayor Rees of Bristol" ; prov:wasDerivedFrom src:s .
assess:a a gl:Assessment ; rdfs:label "Pivotal cities"@en ; gl:category "pivotal city" ;
    gl:assessedBy src:s .
assess:a gl:assesses city:bristol .
[] a rdf:Statement ; rdf:subject assess:a ; rdf:predicate gl:assesses ; rdf:object city:bristol ;
    gl:quote "Bristol is pivotal" ; prov:wasDerivedFrom src:s .
"""

# One bad addition per shape, with the message the shape must give.
BAD = {
    "label missing": ("orgn:x a gl:CityNetwork .", "rdfs:label"),
    "latitude out of range": ('city:bristol geo:lat "123.0"^^xsd:decimal .', "geo:lat"),
    "longitude not decimal": ('city:bristol geo:long "west" .', "geo:long"),
    "geonames not an id": (
        "city:bristol gl:geonames <https://example.org/bristol> .",
        "gl:geonames",
    ),
    "country not a country": ("city:bristol gl:country orgn:mmc .", "gl:country"),
    "bad ISO code": ('country:gb gl:iso3166Alpha2 "gbr" .', "ISO 3166-1"),
    "membership to a city": (
        """city:bristol org:memberOf city:bristol .
        [] a org:Membership ; org:member city:bristol ; org:organization city:bristol ;
           org:role gl:Member ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:Organisation",
    ),
    "membership without role": (
        """[] a org:Membership ; org:member city:bristol ; org:organization orgn:mmc ;
           gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "org:role",
    ),
    "year not gYear": (
        'decl:d gl:since "2018" . [] a org:Membership ; org:member city:bristol ; '
        'org:organization orgn:mmc ; org:role gl:Member ; gl:since "2018" ; '
        'gl:quote "q q q" ; prov:wasDerivedFrom src:s .',
        "xsd:gYear",
    ),
    "document year not gYear": (
        'decl:d2 a gl:Declaration ; rdfs:label "D2" ; gl:year 2018 .',
        "gl:year",
    ),
    "relation without provenance": (
        'city:bristol gl:endorsed decl:d2 . decl:d2 a gl:Declaration ; rdfs:label "D2" .',
        "without provenance",
    ),
    "statement without direct triple": (
        """[] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "no matching direct triple",
    ),
    "quote too long": (
        f"""city:bristol gl:attended event:e .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:quote "{"x" * 301}" ; prov:wasDerivedFrom src:s .""",
        "at most 300",
    ),
    "fact without source": (
        """city:bristol gl:attended event:e .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:quote "q q q" .""",
        "prov:wasDerivedFrom",
    ),
    "bad count qualifier": (
        """decl:d gl:count 30 .
        [] a rdf:Statement ; rdf:subject decl:d ; rdf:predicate gl:count ; rdf:object 30 ;
           gl:countQualifier "roughly-ish" ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:countQualifier",
    ),
    "endorsed a city": (
        """city:bristol gl:endorsed orgn:mmc .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:endorsed ;
           rdf:object orgn:mmc ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:endorsed points to a document",
    ),
    "edition number zero": (
        'event:e gl:editionNumber "0"^^xsd:positiveInteger .',
        "gl:editionNumber",
    ),
    "objective number 24": ("obj:gcm-16 skos:notation 24 .", "skos:notation"),
    "GCR objective 5": (
        'obj:gcr-5 a gl:Objective ; skos:notation 5 ; skos:prefLabel "x"@en ; skos:inScheme compact:gcr .',
        "out of range",
    ),
    "objective number reused": (
        'obj:gcm-x a gl:Objective ; skos:notation 16 ; skos:prefLabel "x"@en ; skos:inScheme compact:gcm .',
        "used twice",
    ),
    "pledge without pledger": ('pledge:q a gl:Pledge ; gl:description "x" .', "gl:pledgedBy"),
    "commitment without text": ("pledge:c a gl:Commitment .", "label or a gl:description"),
    "source without file": (
        'src:t a gl:Source ; dcterms:title "T" ; dcterms:publisher "P" ; '
        'dcterms:issued "2020"^^xsd:gYear ; gl:sourceKind "x" .',
        "gl:fileName",
    ),
    "assessment without source": (
        'assess:b a gl:Assessment ; rdfs:label "B" ; gl:category "x" .',
        "gl:assessedBy",
    ),
    "mayor of an organisation": (
        """person:rees gl:mayorOf orgn:mmc .
        [] a rdf:Statement ; rdf:subject person:rees ; rdf:predicate gl:mayorOf ;
           rdf:object orgn:mmc ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:mayorOf points to a gl:City",
    ),
    "city tie without role": (
        """city:bristol gl:attended event:e .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "has no gl:role",
    ),
    "venue role on an act": (
        """city:bristol gl:attended event:e .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:role gl:EventVenue ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "never a venue role",
    ),
    "acting role on a venue": (
        """event:e gl:heldIn city:bristol .
        [] a rdf:Statement ; rdf:subject event:e ; rdf:predicate gl:heldIn ;
           rdf:object city:bristol ; gl:role gl:Host ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "carry a gl:VenueRole",
    ),
    "role that is not a role": (
        """city:bristol gl:attended event:e .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:role gl:Held ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:role is one gl:ParticipationRole",
    ),
    "status that is not a status": (
        """city:bristol gl:attended event:e .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:role gl:Speaker ; gl:status gl:Speaker ; gl:quote "q q q" ;
           prov:wasDerivedFrom src:s .""",
        "gl:status is one gl:Status",
    ),
    "document status not a status": ("decl:d gl:status gl:Signatory .", "at most one gl:status"),
    "start date as a string": (
        """person:rees gl:mayorOf city:bristol .
        [] a rdf:Statement ; rdf:subject person:rees ; rdf:predicate gl:mayorOf ;
           rdf:object city:bristol ; schema:startDate "since 2016" ; gl:quote "q q q" ;
           prov:wasDerivedFrom src:s .""",
        "schema:startDate",
    ),
    "end date as an integer": (
        """person:rees gl:mayorOf city:bristol .
        [] a rdf:Statement ; rdf:subject person:rees ; rdf:predicate gl:mayorOf ;
           rdf:object city:bristol ; schema:endDate 2019 ; gl:quote "q q q" ;
           prov:wasDerivedFrom src:s .""",
        "schema:endDate",
    ),
    "bad date qualifier": (
        """person:rees gl:mayorOf city:bristol .
        [] a rdf:Statement ; rdf:subject person:rees ; rdf:predicate gl:mayorOf ;
           rdf:object city:bristol ; gl:onDate "2019"^^xsd:gYear ; gl:dateQualifier "roughly" ;
           gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:dateQualifier",
    ),
    "count without what was counted": (
        """[] a gl:Count ; gl:countOf decl:d ; gl:countValue 12 ; gl:countQualifier "exactly" ;
           gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "what was counted",
    ),
    "count of nothing": (
        """[] a gl:Count ; gl:counted gl:SignatoryCities ; gl:countValue 12 ;
           gl:countQualifier "exactly" ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:countOf",
    ),
    "negative count": (
        """[] a gl:Count ; gl:countOf decl:d ; gl:counted gl:SignatoryCities ; gl:countValue -3 ;
           gl:countQualifier "exactly" ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:countValue",
    ),
    "count without qualifier": (
        """[] a gl:Count ; gl:countOf decl:d ; gl:counted gl:SignatoryCities ; gl:countValue 3 ;
           gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "how exact",
    ),
    "count without quote": (
        """[] a gl:Count ; gl:countOf decl:d ; gl:counted gl:SignatoryCities ; gl:countValue 3 ;
           gl:countQualifier "exactly" ; prov:wasDerivedFrom src:s .""",
        "gl:quote",
    ),
    "a declaration withdraws": (
        """decl:d gl:withdrewFrom compact:gcm .
        [] a rdf:Statement ; rdf:subject decl:d ; rdf:predicate gl:withdrewFrom ;
           rdf:object compact:gcm ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "Only a city, organisation, person or state withdraws",
    ),
    "negative relation without provenance": (
        "orgn:gov gl:opposed compact:gcr .",
        "without provenance",
    ),
    "participation without provenance": (
        "city:bristol gl:participatesIn orgn:mmc .",
        "without provenance",
    ),
    "identity decision without evidence": (
        "decl:d owl:differentFrom decl:d2 .",
        "without provenance",
    ),
    "a partnership without a label": ("orgn:p a gl:Partnership .", "rdfs:label"),
    "an op-ed year that is not a year": (
        'decl:o a gl:OpEd ; rdfs:label "O" ; gl:year "last spring" .',
        "gl:year",
    ),
    "a city interviews": (
        """city:bristol gl:interviewed orgn:mmc .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:interviewed ;
           rdf:object orgn:mmc ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "Only a source interviews",
    ),
    "government of a city": (
        """orgn:gov gl:governmentOf city:bristol .
        [] a rdf:Statement ; rdf:subject orgn:gov ; rdf:predicate gl:governmentOf ;
           rdf:object city:bristol ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:governmentOf points to a gl:Country",
    ),
    "programme of a country": (
        """orgn:mmc gl:programmeOf country:gb .
        [] a rdf:Statement ; rdf:subject orgn:mmc ; rdf:predicate gl:programmeOf ;
           rdf:object country:gb ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:programmeOf points to",
    ),
    "delivered a declaration": (
        """person:rees gl:delivered decl:d .
        [] a rdf:Statement ; rdf:subject person:rees ; rdf:predicate gl:delivered ;
           rdf:object decl:d ; gl:quote "q q q" ; prov:wasDerivedFrom src:s .""",
        "gl:delivered points to a gl:Speech",
    ),
    "ontology term without comment": (
        'gl:newThing a <http://www.w3.org/2002/07/owl#Class> ; rdfs:label "new" .',
        "rdfs:comment",
    ),
}


def _dataset(extra: str) -> Dataset:
    quads = list(parse(ONTOLOGY.read_bytes(), RdfFormat.TURTLE))
    quads += list(parse((PREFIXES + BASE + extra).encode(), RdfFormat.TURTLE))
    return Dataset(quads, (), "test", {})


def test_base_graph_conforms() -> None:
    report = validate_dataset(_dataset(""))
    assert report.conforms, [str(v) for v in report.violations]


@pytest.mark.parametrize("case", sorted(BAD))
def test_shape_rejects_bad_data(case: str) -> None:
    extra, expected = BAD[case]
    report = validate_dataset(_dataset(extra))
    assert not report.conforms
    messages = " | ".join(f"{v.message} {v.path}" for v in report.violations)
    expanded = expected.replace("geo:", "wgs84_pos#").replace("gl:", "ontology#")
    assert expected in messages or expanded in messages, messages


def test_curated_graph_conforms() -> None:
    report = validate_dataset(load_files(curated_files()))
    assert report.conforms, "\n".join(str(v) for v in report.violations[:20])


def test_every_shape_has_a_message() -> None:
    from rdflib import Graph

    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    missing = shapes.query(
        """PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?shape WHERE {
          { ?x sh:property ?shape } UNION { ?shape a sh:NodeShape }
          FILTER NOT EXISTS { ?shape sh:message ?m }
          FILTER NOT EXISTS { ?shape sh:sparql ?s }
          FILTER NOT EXISTS { ?shape sh:property ?p }
        }"""
    )
    assert not list(missing)


def test_provenance_shape_targets_every_curated_relation() -> None:
    from rdflib import Graph

    onto = Graph().parse(ONTOLOGY)
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    curated = set(
        onto.subjects(
            predicate=None, object=onto.namespace_manager.expand_curie("gl:CuratedRelation")
        )
    )
    targeted = set(
        shapes.objects(
            shapes.namespace_manager.expand_curie("gls:CuratedRelationShape"),
            shapes.namespace_manager.expand_curie("sh:targetSubjectsOf"),
        )
    )
    assert curated and curated <= targeted, curated - targeted
