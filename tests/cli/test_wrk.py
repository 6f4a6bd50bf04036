"""The bench's load generator: the real wrk against the real app, and its report parsed.

No timing is asserted; the counts are: round robin per connection alternates a query
with a page that does not exist, so the answers not 2xx are half of all, to one.
"""

from __future__ import annotations

import os
import shutil

import pytest

from glocal.formats import HTML, SPARQL_JSON
from glocal_cli.bench.wrk import WRK_TIMEOUT_S, load_paths, parse_report
from tests.conftest import LiveServer

ASK = "/sparql?query=ASK%20%7B%7D"
MISSING = "/id/city/no-such-city"
SELECT = "/sparql?query=SELECT%20%3Fc%20WHERE%20%7B%20%3Fc%20a%20gl%3ACity%20%7D%20LIMIT%201"


@pytest.fixture(autouse=True)
def _wrk_installed(server: LiveServer) -> None:
    if shutil.which("wrk") is None:
        message = "wrk is not installed (`make debian-packages`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # The query workers and the catalogue start on first use: before the clock runs.
    with server.client() as client:
        for path in (ASK, SELECT, MISSING):
            client.get(path)


def test_round_robin_counts_answers_not_2xx(server: LiveServer) -> None:
    run = load_paths(server.url, [ASK, MISSING], 1, 1.0)
    assert run["requests"] > 2
    assert run["requests"] == run["ok"] + run["non2xx"]
    assert abs(run["ok"] - run["non2xx"]) <= 1
    assert run["socket_errors"] == 0 and run["errors"] == run["non2xx"]
    assert run["error_messages"] == [f"{run['non2xx']} answers not 2xx"]
    assert run["requests_per_s"] == pytest.approx(run["ok"] / run["seconds"])
    assert 0 < run["p50_ms"] <= run["p90_ms"] <= run["p99_ms"] <= run["max_ms"]


def test_one_thread_per_connection_and_the_accept_header(server: LiveServer) -> None:
    run = load_paths(server.url, [ASK, SELECT], 3, 1.0, accept=SPARQL_JSON)
    assert run["clients"] == 3 and run["errors"] == 0 and run["ok"] == run["requests"] > 0
    client = run["client"]
    assert client["tool"].startswith("wrk ") and client["tool"] != "wrk unknown"
    assert client["threads"] == client["connections"] == 3
    assert client["duration_s"] == 1 and client["timeout_s"] == WRK_TIMEOUT_S
    # The same path with an Accept header the endpoint cannot serve: every answer 406.
    refused = load_paths(server.url, [ASK], 1, 1.0, accept=HTML)
    assert refused["ok"] == 0 and refused["non2xx"] == refused["requests"] > 0


def test_bad_paths_and_reports_are_refused_with_their_reason(server: LiveServer) -> None:
    with pytest.raises(ValueError, match="no paths"):
        load_paths(server.url, [], 1, 1.0)
    with pytest.raises(ValueError, match="request target"):
        load_paths(server.url, ["/search?q=sao paulo"], 1, 1.0)
    with pytest.raises(ValueError, match="no report line"):
        parse_report("Running 1s test @ http://127.0.0.1:1\n  1 threads and 1 connections\n")
