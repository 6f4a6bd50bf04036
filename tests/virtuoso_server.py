"""A throwaway Virtuoso server on loopback, for tests against a real SPARQL engine.

Debian's ``virtuoso-opensource`` provides ``virtuoso-t`` (the server) and ``isql-vt``
(its SQL client). Each server gets its own folder for database, log and ini file, free
loopback ports and small buffers, so tests never touch a system-wide instance. It can
be stopped and started again on the same folder and ports, to test an engine that goes
away and comes back.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

__all__ = ["ISQL", "VIRTUOSO", "VirtuosoServer"]

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")

# The limits that matter for glocal: no silent truncation of results (Debian's default
# ResultSetMaxRows is 10000), no refusal on the optimizer's cost estimate (the runaway
# query of the tests must run until its time limit), and a hard cap on any query.
_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class VirtuosoServer:
    """A Virtuoso server in ``directory``, listening on 127.0.0.1 only.

    Parameters
    ----------
    directory
        An empty folder for the database, the log and ``virtuoso.ini``.
    max_rows
        Virtuoso's ``ResultSetMaxRows``: the most rows a SELECT may return.
    """

    def __init__(self, directory: Path, *, max_rows: int = 1_000_000) -> None:
        if VIRTUOSO is None:
            raise FileNotFoundError("virtuoso-t not found: apt-get install virtuoso-opensource")
        self.directory = directory
        self.sql_port = _free_port()
        self.http_port = _free_port()
        self.config = directory / "virtuoso.ini"
        self.config.write_text(
            _INI.format(
                dir=directory,
                sql_port=self.sql_port,
                http_port=self.http_port,
                max_rows=max_rows,
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The HTTP server's root."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoint(self) -> str:
        """The SPARQL query (and, once granted, update) endpoint."""
        return f"{self.base_url}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint open to the ``SPARQL`` user."""
        return f"{self.base_url}/sparql-graph-crud"

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until its SPARQL endpoint answers.

        Raises
        ------
        RuntimeError
            If the server exits, or does not answer within ``timeout`` seconds; the
            message ends with the server's log.
        """
        assert VIRTUOSO is not None
        output = (self.directory / "server.out").open("ab")
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(self.config)],
            cwd=self.directory,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        output.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}{self._log()}")
            try:
                answer = httpx.get(self.endpoint, params={"query": "ASK {}"}, timeout=2.0)
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"Virtuoso did not answer within {timeout:.0f} s{self._log()}")

    def grant_updates(self) -> None:
        """Let the anonymous ``SPARQL`` user update, through /sparql and the Graph Store.

        Only right for a throwaway server on loopback: a real one keeps updates behind
        ``/sparql-auth`` and ``/sparql-graph-crud-auth`` (digest authentication).
        """
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')

    def isql(self, statement: str) -> str:
        """Run one SQL statement as ``dba`` (the default password of a new database)."""
        if ISQL is None:
            raise FileNotFoundError("isql-vt not found: apt-get install virtuoso-opensource")
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt failed on {statement!r}: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the server down (it checkpoints first), killing it if it takes too long."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """Stop the server at once, as a crash would; it recovers from its log on start."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(10)
        self.process = None

    def _log(self) -> str:
        log = self.directory / "virtuoso.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
        return f"; log {log}:\n{tail}"
