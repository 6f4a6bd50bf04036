"""The event loop's way to a query worker (``EmbeddedStore.open_stream``), on uvloop as
the server runs: whole answers, the time limit, and a stopped worker for a reader
that goes away."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path

import pytest
import uvloop

from glocal.dataset import Dataset
from glocal.formats import SPARQL_JSON
from glocal.store import EmbeddedStore, ParsedQuery, QueryTimeout, serialize_result
from glocal.store.worker import CHUNK_SIZE

#: Every quad of the curated graph: an answer of many chunks.
EVERYTHING = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o"
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def store(dataset: Dataset, tmp_path: Path) -> Iterator[EmbeddedStore]:
    """A store of its own with one main worker, so every request meets the same one."""
    opened = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=1)
    # A first query through the threads' way waits until the worker is up.
    b"".join(opened.stream(ParsedQuery("ASK {}", "ASK"), media_type=SPARQL_JSON, timeout=60))
    yield opened
    opened.close()


async def _read(chunks: AsyncGenerator[bytes, None] | None) -> list[bytes]:
    assert chunks is not None, "the worker was idle"
    return [chunk async for chunk in chunks]


def test_an_answer_of_many_chunks_arrives_whole_and_the_worker_serves_on(
    store: EmbeddedStore,
) -> None:
    query = ParsedQuery(EVERYTHING, "SELECT")
    expected = io.BytesIO()
    serialize_result(store.query(EVERYTHING), expected, SPARQL_JSON)
    assert len(expected.getvalue()) > 3 * CHUNK_SIZE

    async def twice() -> list[list[bytes]]:
        answers = []
        for _ in range(2):
            opened = await store.open_stream(query, media_type=SPARQL_JSON, timeout=30)
            answers.append(await _read(opened))
        return answers

    for chunks in uvloop.run(twice()):
        assert len(chunks) > 1
        assert b"".join(chunks) == expected.getvalue()
    # The same worker then serves the threads' way too: its pipe is blocking again.
    streamed = b"".join(store.stream(query, media_type=SPARQL_JSON, timeout=30))
    assert streamed == expected.getvalue()


def test_the_time_limit_stops_the_worker(store: EmbeddedStore) -> None:
    query = ParsedQuery(RUNAWAY, "SELECT")
    pool = store._workers_pool()

    async def run_away() -> None:
        opened = await store.open_stream(query, media_type="text/csv", timeout=0.5)
        await _read(opened)

    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        uvloop.run(run_away())
    assert time.monotonic() - started < 5
    # Its replacement answers the next query.
    ask = ParsedQuery("ASK { ?s ?p ?o }", "ASK")
    assert b"true" in b"".join(store.stream(ask, media_type=SPARQL_JSON, timeout=30))
    deadline = time.monotonic() + 30
    while (idle := pool.take_idle()) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert idle is not None, "a main worker is idle and ready again"
    pool.give_back(idle)


def test_a_reader_that_goes_away_gets_its_worker_stopped(store: EmbeddedStore) -> None:
    query = ParsedQuery(RUNAWAY, "SELECT")
    pool = store._workers_pool()

    async def leave() -> int | None:
        opened = await store.open_stream(query, media_type="text/csv", timeout=30)
        assert opened is not None
        await anext(opened)
        (worker,) = [w for w in pool._all if w.lane == "main"]
        await opened.aclose()
        return worker.process.pid

    pid = uvloop.run(leave())
    deadline = time.monotonic() + 10
    while any(w.process.pid == pid for w in pool._all) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(w.process.pid != pid for w in pool._all), "the runaway's worker still runs"


def test_no_idle_worker_leaves_the_request_to_the_threads(store: EmbeddedStore) -> None:
    pool = store._workers_pool()
    taken = pool.take_idle()
    assert taken is not None
    try:
        query = ParsedQuery("ASK {}", "ASK")
        assert asyncio.run(store.open_stream(query, media_type=SPARQL_JSON)) is None
    finally:
        pool.give_back(taken)
