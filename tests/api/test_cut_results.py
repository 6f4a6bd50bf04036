"""A result cut at the time limit is never passed off as whole.

The answer to a runaway query starts streaming, then the time limit stops it. The
server then aborts the connection instead of ending the chunked body, so clients see a
failure: httpx raises, and curl exits non-zero.
"""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest

from tests.conftest import LiveServer

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.mark.parametrize(
    "media_type", ["text/csv", "application/sparql-results+json", "text/tab-separated-values"]
)
def test_a_cut_stream_fails_in_the_client(server: LiveServer, media_type: str) -> None:
    received = 0
    with (
        server.client() as client,
        client.stream(
            "GET", "/sparql", params={"query": RUNAWAY}, headers={"Accept": media_type}
        ) as response,
    ):
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += len(chunk)
    assert received > 0, "the result had started streaming before it was cut"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_exits_non_zero_on_a_cut_result(server: LiveServer) -> None:
    done = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-G",
            f"{server.url}/sparql",
            "--data-urlencode",
            f"query={RUNAWAY}",
            "-H",
            "Accept: text/csv",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0, done.stderr
