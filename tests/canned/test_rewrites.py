"""The rewritten canned queries give the answers of the formulations they replace.

``tests/canned/before/*.rq`` keeps each query as it was before it was rewritten to
scale (labels and counts over every entity of the graph); both run on the curated
graph, with every parameter at its default, and must give the same rows in the same
order. A ``GROUP_CONCAT`` list is compared as a set: SPARQL leaves its order to the
engine. The same comparison runs on a synthetic graph of 1,000 cities (the curated
files plus :func:`~glocal_cli.bench.graphs.write_synthetic_file`), where a query about
one city or declaration is also asked about the synthetic ones most facts name; the
comparison at 20,000 cities is in the commit messages (it takes minutes, not seconds).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions

from glocal.canned import CannedQuery, Page, bind, load_queries, paginate
from glocal.dataset import curated_files, load_files
from glocal.store import EmbeddedStore
from glocal_cli.bench.graphs import write_synthetic_file
from tests.canned.answers import Row
from tests.canned.answers import rows as answer_rows

BEFORE = Path(__file__).resolve().parent / "before"
QUERIES = load_queries()


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(
        load_files(curated_files()), cache_dir=tmp_path_factory.mktemp("rewrites")
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    folder = tmp_path_factory.mktemp("synthetic")
    files = [*curated_files(), write_synthetic_file(folder, 1_000)]
    store = EmbeddedStore.open(load_files(files), cache_dir=folder / "cache")
    yield store
    store.close()


def rows(
    store: EmbeddedStore,
    query: CannedQuery,
    values: dict[str, str] | None = None,
    page: Page | None = None,
) -> list[Row]:
    sparql = bind(query, values or {})
    return answer_rows(store, sparql if page is None else paginate(sparql, page))


@pytest.mark.parametrize("path", sorted(BEFORE.glob("*.rq")), ids=lambda p: p.stem)
def test_a_rewrite_keeps_the_answer(curated: EmbeddedStore, path: Path) -> None:
    now = QUERIES[path.stem]
    before = CannedQuery(
        now.name, now.title, now.description, path.read_text(encoding="utf-8"), now.parameters
    )
    assert before.sparql != now.sparql, "the query was rewritten"
    old = rows(curated, before)
    assert old, f"{path.stem} answers something on the curated graph"
    assert rows(curated, now) == old


#: The class of each entity a canned query can be asked about, for its busiest members.
SUBJECTS = {"city": "gl:City", "declaration": "gl:Declaration"}


def busiest(store: EmbeddedStore, kind: str, count: int) -> list[str]:
    """The synthetic entities of a class that the most statements name."""
    result = store.query(
        f"SELECT ?entity (COUNT(?statement) AS ?n) WHERE {{ ?entity a {kind} . "
        "FILTER(CONTAINS(STR(?entity), '/synthetic-')) "
        "?statement rdf:subject|rdf:object ?entity } GROUP BY ?entity "
        f"ORDER BY DESC(?n) ?entity LIMIT {count}"
    )
    assert isinstance(result, QuerySolutions)
    return [solution["entity"].value for solution in result]


@pytest.mark.parametrize("path", sorted(BEFORE.glob("*.rq")), ids=lambda p: p.stem)
def test_a_rewrite_keeps_the_answer_on_a_synthetic_graph(
    synthetic: EmbeddedStore, path: Path
) -> None:
    now = QUERIES[path.stem]
    before = CannedQuery(
        now.name, now.title, now.description, path.read_text(encoding="utf-8"), now.parameters
    )
    asked: list[dict[str, str]] = [{}]
    names = [p.name for p in now.parameters]
    if len(names) == 1 and names[0] in SUBJECTS:
        asked += [{names[0]: iri} for iri in busiest(synthetic, SUBJECTS[names[0]], 5)]
    answers = 0
    for values in asked:
        old = rows(synthetic, before, values)
        answers += len(old)
        assert rows(synthetic, now, values) == old, values
    assert answers, f"{path.stem} answers something on the synthetic graph"


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(BEFORE.glob("*.rq")) if QUERIES[p.stem].page_size],
    ids=lambda p: p.stem,
)
def test_a_rewrite_keeps_each_page(synthetic: EmbeddedStore, path: Path) -> None:
    """The first page, one inside the answer, and the last, which reaches past the end
    (network-overlap then counts every pair: its bound from the largest networks' pairs
    has fewer rows than the page needs)."""
    now = QUERIES[path.stem]
    before = CannedQuery(
        now.name, now.title, now.description, path.read_text(encoding="utf-8"), now.parameters
    )
    whole = rows(synthetic, before)
    assert len(whole) > 150, f"{path.stem} has several pages"
    for page in [Page(100, 0), Page(7, 13), Page(50, len(whole) - 30)]:
        old = rows(synthetic, before, page=page)
        assert old == whole[page.offset : page.offset + page.limit], page
        assert rows(synthetic, now, page=page) == old, page
