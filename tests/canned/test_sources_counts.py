"""sources counts each source's quoted facts exactly, in the cases its subtraction must keep.

The query counts the facts derived from a source in its graph, less those without a
quote there, where the original text counted distinct quoted facts. These cases sit at
the edge of that: a fact with two quotes, a fact without one, a fact quoted only in
another graph, a fact of the graph derived from another source, and a source with no
facts. The original text (``tests/canned/before``) must give the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from glocal.canned import load_queries
from glocal.namespaces import DCTERMS, GL, ID, PROV, XSD
from glocal.store import EmbeddedStore
from tests.canned.answers import rows, trig_store

BEFORE = Path(__file__).resolve().parent / "before" / "sources.rq"
SRC = ID + "source/"

GRAPH = f"""
@prefix gl: <{GL}> . @prefix src: <{SRC}> . @prefix prov: <{PROV}> .
@prefix dcterms: <{DCTERMS}> . @prefix xsd: <{XSD}> .

src:a {{
  src:a a gl:Source ; dcterms:title "A" ; dcterms:issued "2018"^^xsd:gYear ;
        dcterms:publisher "unknown" ; gl:sourceKind "report" ; gl:fileName "a.txt" .
  src:a-1 prov:wasDerivedFrom src:a ; gl:quote "first" , "first, again" .
  src:a-2 prov:wasDerivedFrom src:a ; gl:quote "second" .
  src:a-3 prov:wasDerivedFrom src:a .
  src:a-4 prov:wasDerivedFrom src:b ; gl:quote "said in a, taken from b" .
}}
src:b {{
  src:b a gl:Source ; dcterms:title "B" ; dcterms:issued "2019"^^xsd:gYear ;
        dcterms:publisher "unknown" ; gl:sourceKind "report" ; gl:fileName "b.txt" .
  src:b-1 prov:wasDerivedFrom src:b .
  src:a-3 gl:quote "quoted in b only" .
}}
src:c {{
  src:c a gl:Source ; dcterms:title "C" ; dcterms:issued "2020"^^xsd:gYear ;
        dcterms:publisher "unknown" ; gl:sourceKind "report" ; gl:fileName "c.txt" .
}}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    opened = trig_store(tmp_path_factory.mktemp("sources"), GRAPH)
    yield opened
    opened.close()


def test_each_quoted_fact_of_a_source_counts_once(store: EmbeddedStore) -> None:
    now = rows(store, load_queries()["sources"].sparql)
    count = f"^^<{XSD}integer>"
    assert [(row[0], row[-1]) for row in now] == [
        (f"<{SRC}a>", f'"2"{count}'),
        (f"<{SRC}b>", f'"0"{count}'),
        (f"<{SRC}c>", f'"0"{count}'),
    ]
    assert now == rows(store, BEFORE.read_text(encoding="utf-8"))
