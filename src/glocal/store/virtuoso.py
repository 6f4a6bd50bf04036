"""A throwaway Virtuoso server on loopback: the one launcher of the tests and the bench.

Debian's ``virtuoso-opensource`` provides ``virtuoso-t`` (the server) and ``isql-vt``
(its SQL client). Each :class:`VirtuosoServer` gets its own folder for database, log
and ini file and free loopback ports, so nothing touches a system-wide instance or
listens beyond 127.0.0.1. It can be stopped (or killed) and started again on the same
folder and ports, to test an engine that goes away and comes back.

The Virtuoso quirks it handles:

- Debian's ``ResultSetMaxRows`` of 10000 cuts a SELECT silently (only a header says
  so): the limit is set by ``max_rows``, high by default;
- ``MaxSortedTopRows`` of 10000 refuses an ordered page reaching past row 10,000
  (``LIMIT`` + ``OFFSET``, error SR353), which every paged canned query is on a large
  graph: it is set to ``max_rows`` too;
- the optimizer refuses a query whose *estimated* cost is too high: the estimate is
  off (``MaxQueryCostEstimationTime = 0``), and ``MaxQueryExecutionTime`` caps the real
  time instead;
- both the SQL and the HTTP port listen on all interfaces unless given an address, and
  a Unix socket is opened too: both ports are bound to 127.0.0.1, the socket is off;
- the anonymous ``SPARQL`` user may not update: :meth:`VirtuosoServer.grant_updates`
  allows it, which is right only for a server on loopback;
- ``isql-vt`` exits with 0 when a statement fails: its output is checked for
  ``*** Error``;
- a new database's ``dba`` password is ``dba``, which is also ``isql-vt``'s default
  login: no password is given on its command line, and the statement goes on its
  standard input, so neither shows in a process list;
- SIGTERM makes the server checkpoint before it exits; after SIGKILL it recovers from
  its transaction log on the next start.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["ISQL", "VIRTUOSO", "VirtuosoServer"]

#: The server and SQL client, or ``None`` when Virtuoso is not installed.
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")

_INSTALL = "apt-get install virtuoso-opensource"

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
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
; A load swaps every graph in one transaction (RemoteStore.load): its after-image
; holds the whole graph twice (named graphs and their merge), far over the 50 MB default.
TransactionAfterImageLimit = 1500000000
AsyncQueueMaxThreads = 4
MaxSortedTopRows = {max_rows}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {max_seconds}
"""

# Requests to the server never go through a proxy named in the environment.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


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
    buffers
        Virtuoso's ``NumberOfBuffers`` (8 kB pages held in memory); three quarters of
        them may be dirty. The default suits the curated graph; half a million triples
        want about 170,000.
    max_query_seconds
        Virtuoso's ``MaxQueryExecutionTime``: the hard cap on any query.

    Raises
    ------
    FileNotFoundError
        If ``virtuoso-t`` is not installed.
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_rows: int = 1_000_000,
        buffers: int = 4000,
        max_query_seconds: int = 60,
    ) -> None:
        if VIRTUOSO is None:
            raise FileNotFoundError(f"virtuoso-t not found: {_INSTALL}")
        self.directory = directory
        self.sql_port = _free_port()
        self.http_port = _free_port()
        self.config = directory / "virtuoso.ini"
        self.config.write_text(
            _INI.format(
                dir=directory,
                sql_port=self.sql_port,
                http_port=self.http_port,
                buffers=buffers,
                dirty=buffers * 3 // 4,
                max_rows=max_rows,
                max_seconds=max_query_seconds,
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
        if VIRTUOSO is None:
            raise FileNotFoundError(f"virtuoso-t not found: {_INSTALL}")
        with (self.directory / "server.out").open("ab") as output:
            self.process = subprocess.Popen(
                [VIRTUOSO, "+foreground", "+configfile", str(self.config)],
                cwd=self.directory,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        probe = f"{self.endpoint}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}{self._log()}")
            try:
                with _LOOPBACK.open(probe, timeout=2.0) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, http.client.HTTPException, OSError):
                pass  # not listening yet, or still starting up
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"Virtuoso did not answer within {timeout:.0f} s{self._log()}")

    def grant_updates(self) -> None:
        """Let the anonymous ``SPARQL`` user update, through /sparql and the Graph Store.

        Only right for a throwaway server on loopback: a real one keeps updates behind
        ``/sparql-auth`` and ``/sparql-graph-crud-auth`` (digest authentication).
        """
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')

    def isql(self, statement: str, timeout: float = 60.0) -> str:
        """Run one SQL statement as ``dba`` and return what ``isql-vt`` printed.

        The statement goes on standard input and the login is ``isql-vt``'s default
        (``dba``, the password of a new database), so neither is on a command line.

        Raises
        ------
        FileNotFoundError
            If ``isql-vt`` is not installed.
        RuntimeError
            If the statement fails.
        """
        if ISQL is None:
            raise FileNotFoundError(f"isql-vt not found: {_INSTALL}")
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"],
            input=statement.rstrip().rstrip(";") + ";\n",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt failed: {done.stdout}{done.stderr}")
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
