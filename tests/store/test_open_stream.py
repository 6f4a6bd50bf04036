"""The event loop's way to a query worker (``EmbeddedStore.open_stream`` and
``open_query``), on uvloop as the server runs: whole answers, the time limit, a stopped
worker for a reader that goes away, and untrusted text parsed and run in one round trip."""

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
from glocal.store import (
    EmbeddedStore,
    FederationRefused,
    ParsedQuery,
    QueryForm,
    QuerySyntaxError,
    QueryTimeout,
    serialize_result,
)
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


def _serialized(store: EmbeddedStore, sparql: str, media_type: str) -> bytes:
    expected = io.BytesIO()
    serialize_result(store.query(sparql), expected, media_type)
    return expected.getvalue()


def test_untrusted_text_is_parsed_and_run_in_one_round_trip(store: EmbeddedStore) -> None:
    """``open_query``: the worker reports the form it found, then the result in that
    form's media type; a form without one gets no result, and the worker serves on."""
    select = "SELECT ?c WHERE { ?c a gl:City } ORDER BY ?c LIMIT 3"
    ask = "ASK { ?c a gl:City }"
    construct = "CONSTRUCT WHERE { ?c a gl:City }"
    types: dict[QueryForm, str] = {"SELECT": "text/csv", "ASK": SPARQL_JSON}

    async def run(text: str) -> tuple[QueryForm, bytes | None]:
        opened = await store.open_query(text, media_types=types, timeout=30)
        assert opened is not None, "the worker was idle"
        form, chunks = opened
        return form, None if chunks is None else b"".join(await _read(chunks))

    async def each() -> list[tuple[QueryForm, bytes | None]]:
        return [await run(text) for text in (select, ask, construct, ask)]

    answers = uvloop.run(each())
    assert answers == [
        ("SELECT", _serialized(store, select, "text/csv")),
        ("ASK", _serialized(store, ask, SPARQL_JSON)),
        ("CONSTRUCT", None),
        ("ASK", _serialized(store, ask, SPARQL_JSON)),
    ]


def test_untrusted_text_is_checked_before_a_worker_sees_it(store: EmbeddedStore) -> None:
    """Errors as ``parse`` gives them: the SERVICE policy and the nesting limit in this
    process, the parser's in the worker, which then serves on."""
    types: dict[QueryForm, str] = {"ASK": SPARQL_JSON}
    service = "ASK { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(FederationRefused):
        uvloop.run(store.open_query(service, media_types=types, timeout=30))
    with pytest.raises(QuerySyntaxError, match="nests"):
        uvloop.run(store.open_query("ASK " + "{" * 2000, media_types=types, timeout=30))
    with pytest.raises(QuerySyntaxError) as parsed:
        uvloop.run(store.open_query("ASK { ?s ?p }", media_types=types, timeout=30))
    with pytest.raises(QuerySyntaxError) as by_parse:
        store.parse("ASK { ?s ?p }")
    assert str(parsed.value) == str(by_parse.value)
    opened = uvloop.run(store.open_query("ASK {}", media_types=types, timeout=30))
    assert opened is not None and opened[0] == "ASK"
    assert opened[1] is not None
    assert b"true" in b"".join(uvloop.run(_read(opened[1])))
