"""Every quote in the curated data appears verbatim in the source it cites."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from pyoxigraph import Store

from glocal.dataset import Dataset

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

QUOTES = """
SELECT ?graph ?file ?quote WHERE {
  GRAPH ?graph { ?fact gl:quote ?quote ; prov:wasDerivedFrom ?source }
  ?source gl:fileName ?file .
}
"""


def normalise(text: str) -> str:
    """Collapse whitespace, as the seeds README asks (PDF extractions break lines)."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def quotes(dataset: Dataset) -> list[tuple[str, str, str]]:
    from glocal.namespaces import PREFIXES

    store = Store()
    store.bulk_extend(dataset.quads)
    rows = store.query(QUOTES, prefixes=PREFIXES, use_default_graph_as_union=True)
    return [(r["graph"].value, r["file"].value, r["quote"].value) for r in rows]


def test_every_quoted_fact_names_a_source_file(dataset: Dataset, quotes: list) -> None:
    store = Store()
    store.bulk_extend(dataset.quads)
    from glocal.namespaces import PREFIXES

    total = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?f gl:quote ?q } }", prefixes=PREFIXES
    )
    assert int(next(iter(total))["n"].value) == len(quotes) > 500


def test_quotes_match_the_source_text(quotes: list[tuple[str, str, str]]) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"source texts not found at {SEEDS}: clone with ../shared beside the repo")
    texts = {p.name: normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    missing: dict[str, list[str]] = defaultdict(list)
    for _graph, file, quote in quotes:
        assert file in texts, f"unknown source file {file}"
        if normalise(quote) not in texts[file]:
            missing[file].append(quote)
    assert not missing, {k: v[:5] for k, v in missing.items()}


def test_quotes_are_short(quotes: list[tuple[str, str, str]]) -> None:
    assert all(len(normalise(q)) <= 300 for _, _, q in quotes)


def test_each_fact_is_in_the_graph_of_its_source(dataset: Dataset) -> None:
    from glocal.namespaces import PREFIXES

    store = Store()
    store.bulk_extend(dataset.quads)
    wrong = list(
        store.query(
            """SELECT ?g ?fact ?source WHERE {
                 GRAPH ?g { ?fact gl:quote ?q ; prov:wasDerivedFrom ?source }
                 FILTER (?g != ?source) }""",
            prefixes=PREFIXES,
        )
    )
    assert not wrong
    # ...and each statement's direct triple sits in that same graph.
    orphans = list(
        store.query(
            """SELECT ?g ?s ?p ?o WHERE {
                 GRAPH ?g { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
                 FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }""",
            prefixes=PREFIXES,
        )
    )
    assert not orphans
