"""Paged canned queries: consecutive pages are disjoint and together are the whole answer.

Every canned ``SELECT`` query is read page by page on the curated graph (the real
``bind`` + ``paginate`` + store path) and the pages are compared with the unpaged
answer; the queries that page by default say why in their header.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from glocal.canned import MAX_LIMIT, Page, ParameterError, bind, load_queries, page_of, paginate
from glocal.dataset import curated_files, load_files
from glocal.store import EmbeddedStore
from tests.canned.answers import Row, rows

QUERIES = load_queries()
#: The queries whose answer grows with the graph, so they page by default.
PAGED = {"network-overlap", "cities-by-country", "acting-cities"}


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(
        load_files(curated_files()), cache_dir=tmp_path_factory.mktemp("paging")
    )
    yield store
    store.close()


def test_the_paged_queries_say_why() -> None:
    assert {q.name for q in QUERIES.values() if q.page_size} == PAGED
    for name in PAGED:
        assert QUERIES[name].page_reason, name
        assert "ORDER BY" in QUERIES[name].sparql, f"{name} pages in a stated order"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_pages_are_disjoint_and_make_the_whole_answer(curated: EmbeddedStore, name: str) -> None:
    whole = rows(curated, bind(QUERIES[name], {}))
    limit = max(1, len(whole) // 3)
    pages: list[list[Row]] = []
    while not pages or len(pages[-1]) == limit:
        page = Page(limit, limit * len(pages))
        pages.append(rows(curated, paginate(bind(QUERIES[name], {}), page)))
    seen = [row for page in pages for row in page]
    assert Counter(seen) == Counter(whole), name
    assert len(pages) >= 2, "the last page is shorter than the limit"
    assert len(pages[-1]) < limit


def test_the_first_page_keeps_the_order(curated: EmbeddedStore) -> None:
    whole = rows(curated, bind(QUERIES["network-overlap"], {}))
    first = rows(curated, paginate(bind(QUERIES["network-overlap"], {}), Page(3, 0)))
    shared = [int(r[4].split('"')[1]) for r in whole]
    assert [int(r[4].split('"')[1]) for r in first] == shared[:3]
    assert shared == sorted(shared, reverse=True)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": str(MAX_LIMIT + 1)}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1.5"}, "offset"),
    ],
)
def test_a_bad_page_names_its_parameter(values: dict[str, str], named: str) -> None:
    with pytest.raises(ParameterError, match=f"^{named}: "):
        page_of(QUERIES["mayors"], values)


def test_a_query_pages_only_when_asked_or_by_default() -> None:
    assert page_of(QUERIES["mayors"], {}) is None
    assert page_of(QUERIES["mayors"], {"offset": "5"}) == Page(MAX_LIMIT, 5)
    overlap = QUERIES["network-overlap"]
    assert page_of(overlap, {"offset": "5"}) == Page(overlap.page_size or 0, 5)
