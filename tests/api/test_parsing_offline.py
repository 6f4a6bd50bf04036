"""Untrusted queries are parsed where they can be stopped, never in the server process.

Finding a query's form makes Oxigraph evaluate it on an empty store; a 374-byte ASK of
nine ``VALUES`` blocks and a filter kept a server core busy for minutes that way. Now
the form comes from a query worker under the time limit, so the costly ASK is stopped
at the limit while cheap queries are answered meanwhile.
"""

from __future__ import annotations

import threading
import time

import httpx

from tests.conftest import LiveServer

DIGITS = " ".join(str(d) for d in range(10))
COSTLY_ASK = (
    "ASK { "
    + " ".join(f"VALUES ?v{i} {{ {DIGITS} }}" for i in range(9))
    + " FILTER(?v0 + ?v1 + ?v2 + ?v3 + ?v4 + ?v5 + ?v6 + ?v7 + ?v8 < 0) }"
)


def test_a_costly_ask_is_stopped_at_the_limit_and_others_are_answered(
    server: LiveServer,
) -> None:
    answers: list[httpx.Response] = []

    def costly() -> None:
        with server.client() as client:
            answers.append(client.get("/sparql", params={"query": COSTLY_ASK}))

    started = time.monotonic()
    thread = threading.Thread(target=costly)
    thread.start()
    time.sleep(0.5)
    with server.client() as client:
        cheap = client.get("/sparql", params={"query": "ASK {}"})
    assert cheap.status_code == 200
    thread.join(timeout=120)
    assert not thread.is_alive()
    (answer,) = answers
    # The session server's limit is 8 s (tests/conftest.py): the parse is stopped there.
    assert answer.status_code == 503, answer.text
    assert "time limit" in answer.text or "parse" in answer.text
    assert time.monotonic() - started < 60


def test_syntax_errors_still_come_back_from_the_worker(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/sparql", params={"query": "SELEKT * { ?s ?p ?o }"})
    assert response.status_code == 400
    assert "1:" in response.text
