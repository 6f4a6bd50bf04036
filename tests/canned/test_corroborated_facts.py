"""corroborated-facts counts sources exactly, in the cases its cheap first count must keep.

The query first keeps the facts with two or more qualifiers of any kind, quoted or not,
and counts distinct sources of quoted qualifiers for those only. These cases sit at the
edge of that shortcut: a fact stated once as a statement and once as a membership, two
qualifiers in one source, and a qualifier without a quote. The original text
(``tests/canned/before``) must give the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from glocal.canned import load_queries
from glocal.namespaces import GL, ID, ORG, RDF, RDFS, XSD
from glocal.store import EmbeddedStore
from tests.canned.answers import rows, trig_store

BEFORE = Path(__file__).resolve().parent / "before" / "corroborated-facts.rq"
SRC, CITY, ORGN, PERSON = ID + "source/", ID + "city/", ID + "org/", ID + "person/"

GRAPH = f"""
@prefix rdf: <{RDF}> . @prefix rdfs: <{RDFS}> . @prefix org: <{ORG}> .
@prefix gl: <{GL}> . @prefix src: <{SRC}> . @prefix city: <{CITY}> .
@prefix orgn: <{ORGN}> . @prefix person: <{PERSON}> .

city:x rdfs:label "X" . city:y rdfs:label "Y" . city:z rdfs:label "Z" .
orgn:n rdfs:label "N" . person:p rdfs:label "P" .

# x is a member of n: a statement in a, a membership in b.
src:a {{
  src:a-1 rdf:subject city:x ; rdf:predicate org:memberOf ; rdf:object orgn:n ;
          gl:quote "x belongs to n" .
  src:a-2 rdf:subject person:p ; rdf:predicate gl:mayorOf ; rdf:object city:z ;
          gl:quote "p, mayor of z" .
}}
src:b {{ src:b-1 org:member city:x ; org:organization orgn:n ; gl:quote "n counts x" . }}
# y is a member of n twice in c, and once in d without a quote: one source only.
src:c {{
  src:c-1 org:member city:y ; org:organization orgn:n ; gl:quote "y joined n" .
  src:c-2 org:member city:y ; org:organization orgn:n ; gl:quote "y is in n" .
  src:c-3 rdf:subject person:p ; rdf:predicate gl:mayorOf ; rdf:object city:z ;
          gl:quote "z's mayor p" .
}}
src:d {{ src:d-1 org:member city:y ; org:organization orgn:n . }}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    opened = trig_store(tmp_path_factory.mktemp("corroborated"), GRAPH)
    yield opened
    opened.close()


def test_sources_are_counted_across_statements_and_memberships(store: EmbeddedStore) -> None:
    now = rows(store, load_queries()["corroborated-facts"].sparql)
    two = f'"2"^^<{XSD}integer>'
    # subject, predicate, object, sourceCount and the sources (read as a set)
    assert sorted((r[0], r[2], r[3], r[5], r[6]) for r in now) == [
        (f"<{CITY}x>", f"<{ORG}memberOf>", f"<{ORGN}n>", two, f"{SRC}a {SRC}b"),
        (f"<{PERSON}p>", f"<{GL}mayorOf>", f"<{CITY}z>", two, f"{SRC}a {SRC}c"),
    ]
    assert now == rows(store, BEFORE.read_text(encoding="utf-8"))
