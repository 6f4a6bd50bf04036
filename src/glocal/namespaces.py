"""IRIs of glocal's namespaces and of the standard vocabularies it reuses."""

__all__ = [
    "DCTERMS",
    "GEO",
    "GL",
    "ID",
    "ONTOLOGY_GRAPH",
    "ORG",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "XSD",
]

GL = "https://w3id.org/glocal/ontology#"
ID = "https://w3id.org/glocal/id/"
ONTOLOGY_GRAPH = "https://w3id.org/glocal/ontology"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"

#: Prefixes known to every query (the endpoint, canned queries and the UI share them).
PREFIXES: dict[str, str] = {
    "gl": GL,
    "id": ID,
    "city": ID + "city/",
    "orgn": ID + "org/",
    "decl": ID + "declaration/",
    "event": ID + "event/",
    "series": ID + "series/",
    "pledge": ID + "pledge/",
    "person": ID + "person/",
    "place": ID + "place/",
    "country": ID + "country/",
    "obj": ID + "objective/",
    "compact": ID + "compact/",
    "src": ID + "source/",
    "assess": ID + "assessment/",
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "prov": PROV,
    "dcterms": DCTERMS,
    "geo": GEO,
    "owl": "http://www.w3.org/2002/07/owl#",
    "schema": SCHEMA,
}
