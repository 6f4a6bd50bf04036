"""The Virtuoso launcher: loopback only, its own folder, no secret on a command line."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from glocal.formats import SPARQL_JSON
from glocal.store import virtuoso as launcher
from glocal.store.virtuoso import VirtuosoServer

pytestmark = pytest.mark.virtuoso


def test_listens_on_loopback_with_everything_in_its_folder(tmp_path: Path) -> None:
    if launcher.VIRTUOSO is None:
        pytest.skip("Virtuoso is not installed")
    server = VirtuosoServer(tmp_path, max_rows=123, buffers=8000, max_query_seconds=7)
    ini = server.config.read_text()
    ports = [line for line in ini.splitlines() if line.startswith("ServerPort")]
    assert ports == [
        f"ServerPort = 127.0.0.1:{server.sql_port}",
        f"ServerPort = 127.0.0.1:{server.http_port}",
    ]
    assert "DisableUnixSocket = 1" in ini
    files = [line.split("=", 1)[1].strip() for line in ini.splitlines() if "File =" in line]
    assert files and all(Path(f).parent == tmp_path for f in files)
    for setting in (
        "ResultSetMaxRows = 123",
        "MaxSortedTopRows = 123",
        "NumberOfBuffers = 8000",
        "MaxDirtyBuffers = 6000",
        "MaxQueryExecutionTime = 7",
    ):
        assert setting in ini
    assert server.endpoint == f"http://127.0.0.1:{server.http_port}/sparql"


def test_isql_puts_neither_password_nor_statement_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if launcher.VIRTUOSO is None or launcher.ISQL is None:
        pytest.skip("Virtuoso is not installed")
    calls: list[tuple[list[str], str]] = []

    def run(args: list[str], *, input: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append((args, input))
        return subprocess.CompletedProcess(args, 0, "42\n", "")

    monkeypatch.setattr(subprocess, "run", run)
    assert VirtuosoServer(tmp_path).isql("SELECT 42") == "42\n"
    [(args, stdin)] = calls
    assert stdin == "SELECT 42;\n"
    assert "dba" not in args and not any("SELECT" in a for a in args)


def test_isql_runs_statements_and_reports_failures(virtuoso: VirtuosoServer) -> None:
    assert virtuoso.isql("SELECT 6 * 7;").split() == ["42"]
    with pytest.raises(RuntimeError, match="isql-vt failed"):
        virtuoso.isql('GRANT no_such_thing TO "SPARQL"')


def test_an_ordered_page_past_row_10000_is_answered(virtuoso: VirtuosoServer) -> None:
    """Debian's ``MaxSortedTopRows`` (10,000) refuses an ordered page whose LIMIT and
    OFFSET reach past it (SR353), even on an empty graph; the launcher lifts it."""
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5 OFFSET 20000"
    response = httpx.get(
        virtuoso.endpoint, params={"query": query}, headers={"Accept": SPARQL_JSON}
    )
    assert response.status_code == 200, response.text[:300]
    # The server is shared: what it holds by now decides the rows, at most the page.
    assert len(response.json()["results"]["bindings"]) <= 5
