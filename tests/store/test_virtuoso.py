"""The Virtuoso launcher: loopback only, its own folder, no secret on a command line."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

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
