"""The ties read from the store: acts of founding and taking part count, and every tie
is dated by the stated rule (own date, else its target's, else its source's year)."""

from __future__ import annotations

from pathlib import Path

from glocal.analysis.ties import fetch_ties
from tests.analysis.test_analysis import PREFIXES, fact, open_store

ID = "https://w3id.org/glocal/id/"

TRIG = (
    PREFIXES
    + """
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
src:t {
    src:t a gl:Source ; rdfs:label "Test source" ; gl:year "2020"^^xsd:gYear ;
        dcterms:creator person:smith .
    person:smith a gl:Person ; rdfs:label "Jane Smith"@en .
    # From the ontology: what is founded or taken part in must be an organisation.
    gl:CityNetwork rdfs:subClassOf org:Organization .
    city:athens a gl:City ; rdfs:label "Athens"@en .
    city:bristol a gl:City ; rdfs:label "Bristol"@en .
    orgn:n1 a gl:CityNetwork ; rdfs:label "Network One"@en .
    orgn:n2 a gl:CityNetwork ; rdfs:label "Network Two"@en .
    decl:d1 a gl:Declaration ; rdfs:label "Declaration One"@en ; gl:year "2017"^^xsd:gYear .
    event:e1 a gl:Event ; rdfs:label "Forum One"@en .
    city:athens gl:founded orgn:n1 .
    [] a rdf:Statement ; rdf:subject city:athens ; rdf:predicate gl:founded ;
       rdf:object orgn:n1 ; gl:onDate "2016"^^xsd:gYear ; gl:quote "Athens founded it" ;
       prov:wasDerivedFrom src:t .
"""
    + fact("city:bristol", "gl:participatesIn", "orgn:n2")
    + fact("city:bristol", "gl:endorsed", "decl:d1")
    + fact("city:athens", "gl:attended", "event:e1")
    + "\n}\n"
)


def test_acts_are_ties_and_each_is_dated_by_the_rule(tmp_path: Path) -> None:
    ties = fetch_ties(open_store(TRIG, tmp_path))
    found = {(t.city.rsplit("/", 1)[-1], t.relation): t.year for t in ties.ties}
    assert found == {
        ("athens", "founded"): 2016,  # its own date
        ("bristol", "endorsed"): 2017,  # the declaration's year
        ("bristol", "participatesIn"): 2020,  # no date of its own: the source's year
        ("athens", "attended"): 2020,
    }
    assert ties.citations[f"{ID}source/t"] == "Smith (2020)"
