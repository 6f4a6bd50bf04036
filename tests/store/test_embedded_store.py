"""The embedded store through the GraphStore interface: parsing once, streaming, updates."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pyoxigraph import QueryBoolean

from glocal.dataset import Dataset
from glocal.store import EmbeddedStore, GraphStore, parse_query
from glocal.store.errors import FederationRefused, QuerySyntaxError
from glocal.store.worker import Worker

SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"


def test_parse_query_checks_service_then_syntax() -> None:
    with pytest.raises(FederationRefused):
        parse_query(SERVICE)
    allowed = parse_query(SERVICE, federation=["http://127.0.0.1:1/sparql"])
    assert allowed.form == "SELECT" and allowed.media_types[0].endswith("+json")
    with pytest.raises(QuerySyntaxError, match="nests"):
        parse_query("ASK " + "{ " * 2000 + " }" * 2000)
    # Brackets in a string are counted, then the scan finds them shallow.
    assert parse_query('ASK { ?s ?p "' + "{(" * 2000 + '" }').form == "ASK"
    assert parse_query("DESCRIBE city:freetown").form == "CONSTRUCT"


def test_trusted_queries_may_mention_the_word_service(store: EmbeddedStore) -> None:
    # The SERVICE check errs on the side of refusal; glocal's own queries skip it.
    result = store.query("ASK { <https://w3id.org/glocal/id/org/x-service> ?p ?o }")
    assert isinstance(result, QueryBoolean) and not bool(result)


def test_stream_refuses_a_format_that_cannot_carry_the_results(store: EmbeddedStore) -> None:
    with pytest.raises(ValueError, match="cannot carry ASK"):
        store.stream(parse_query("ASK {}"), media_type="text/turtle")
    chunks = store.stream(parse_query("ASK {}"), media_type="text/csv", timeout=10)
    assert b"".join(chunks).strip().endswith(b"true")


def test_update_gives_a_new_version_and_leaves_the_old_one(store: EmbeddedStore) -> None:
    own: GraphStore = EmbeddedStore(store.path, store.version, workers=1)
    insert = "INSERT DATA { GRAPH <urn:test> { city:atlantis rdfs:label 'Atlantis' } }"
    updated = own.update(insert)
    try:
        assert updated.version != own.version
        assert bool(updated.query("ASK { city:atlantis rdfs:label ?l }"))
        assert not bool(own.query("ASK { city:atlantis rdfs:label ?l }"))
        again = own.update(insert)
        assert again.version == updated.version  # the same change, the same version
        again.close()
        with pytest.raises(QuerySyntaxError):
            own.update("INSERT {")
    finally:
        updated.close()
        own.close()


def test_workers_that_die_while_idle_are_replaced(dataset: Dataset, tmp_path: Path) -> None:
    """Kill every idle worker (as the OOM killer might), more times than the pool may
    grow: queries still run."""
    store = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=2)
    try:
        query = store.parse("ASK { ?c a gl:City }")
        assert b"true" in b"".join(store.stream(query, media_type="text/csv", timeout=30))
        for _ in range(5):
            pool = store._workers_pool()
            for worker in list(pool._all):
                worker.process.kill()
                worker.process.join(timeout=5)
            answer = b"".join(store.stream(query, media_type="text/csv", timeout=30))
            assert b"true" in answer
    finally:
        store.close()


def test_a_worker_killed_from_two_threads_at_once_closes_its_pipe_once(
    dataset: Dataset, tmp_path: Path
) -> None:
    """A stream stopping its worker while the pool closes kills it twice at once; the
    second kill waits for the first and does nothing more (closing the pipe twice
    failed with EBADF, or could close a descriptor reused meanwhile)."""
    store = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=4)
    try:
        query = store.parse("ASK { ?c a gl:City }")
        assert b"true" in b"".join(store.stream(query, media_type="text/csv", timeout=30))
        workers = list(store._workers_pool()._all)
        failures: list[BaseException] = []

        def kill(worker: Worker) -> None:
            try:
                worker.kill()
            except BaseException as err:
                failures.append(err)

        threads = [threading.Thread(target=kill, args=(w,)) for w in workers for _ in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert not failures
        assert all(w.conn.closed and not w.process.is_alive() for w in workers)
    finally:
        store.close()


def test_a_worker_past_its_memory_limit_is_stopped_with_a_named_error(
    dataset: Dataset, tmp_path: Path
) -> None:
    """The sort of a cross product grew one worker to 9 GB in 15 s before this limit."""
    from glocal.store import ResourceLimit
    from glocal.store.worker import resident_kb as _resident_kb

    store = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=1, memory_mb=300)
    try:
        runaway = store.parse("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1")
        with pytest.raises(ResourceLimit, match="300 MB memory limit"):
            b"".join(store.stream(runaway, media_type="text/csv", timeout=120))
        # The pool goes on: a fresh worker answers, well inside the limit.
        cheap = store.parse("ASK { ?c a gl:City }")
        assert b"true" in b"".join(store.stream(cheap, media_type="text/csv", timeout=30))
        pool = store._workers_pool()
        assert all(_resident_kb(w.process.pid) < 300 * 1024 for w in pool._all)
    finally:
        store.close()


def test_versions_made_by_updates_are_deleted_when_closed(dataset: Dataset, tmp_path: Path) -> None:
    base = EmbeddedStore.open(dataset, cache_dir=tmp_path, workers=1)
    first = base.update(
        'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/b> "1" } }'
    )
    second = first.update(
        'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/b> "2" } }'
    )
    assert first.path.is_dir() and second.path.is_dir()
    first.close()
    assert not first.path.exists()
    assert bool(second.query('ASK { <https://example.org/a> <https://example.org/b> "1" }'))
    second.close()
    base.close()
    assert not second.path.exists()
    assert base.path.is_dir(), "the data's own version stays cached"
