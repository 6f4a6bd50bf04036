"""``glocal serve`` from several HTTP processes: one per-client limit over all of them,
and every process (query workers too) gone after ``SIGTERM`` or ``SIGINT``."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from glocal_api.client_slots import ClientSlots
from tests.conftest import free_port

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _take_twice(slots: ClientSlots, taken: multiprocessing.Queue[list[bool]]) -> None:
    taken.put([slots.take("10.0.0.1"), slots.take("10.0.0.1")])


def test_client_slots_count_across_spawned_processes() -> None:
    slots = ClientSlots(3)
    context = multiprocessing.get_context("spawn")
    taken: multiprocessing.Queue[list[bool]] = context.Queue()
    child = context.Process(target=_take_twice, args=(slots, taken))
    child.start()
    assert taken.get(timeout=60) == [True, True]
    child.join(30)
    # The child's two count here: one more, then the limit.
    assert [slots.take("10.0.0.1"), slots.take("10.0.0.1")] == [True, False]
    assert slots.running("10.0.0.1") == 3 and slots.take("10.0.0.2")


def _descendants(pid: int) -> set[int]:
    """Every process under ``pid``, from /proc."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").iterdir():
            children = (task / "children").read_text().split()
            todo += [int(c) for c in children]
            found |= {int(c) for c in children}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Serve:
    """``glocal serve --http-workers 2`` in a subprocess."""

    def __init__(self, cache: Path, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "glocal_cli.main", "--cache-dir", str(cache), "serve"]
        command += ["--port", str(self.port), "--http-workers", "2", *options]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, self.process.communicate()[0].decode()
            assert time.monotonic() < deadline, "glocal serve did not start in 120 s"
            try:
                if httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)

    def stop(self, signum: int) -> tuple[int, set[int]]:
        """Send ``signum``; the exit code, and the processes that were under it."""
        under = _descendants(self.process.pid)
        self.process.send_signal(signum)
        code = self.process.wait(60)
        return code, under


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve-cache")


@pytest.fixture
def serving(cache: Path) -> Iterator[Serve]:
    serve = Serve(cache, "--max-queries-per-client", "2", "--timeout", "20")
    yield serve
    if serve.process.poll() is None:
        serve.process.kill()
        serve.process.wait(30)


def test_the_per_client_limit_holds_across_http_processes(serving: Serve) -> None:
    requests = 12
    statuses: list[int] = []
    all_answered = threading.Barrier(requests, timeout=60)

    def ask() -> None:
        with (
            httpx.Client(base_url=serving.url, timeout=60) as client,
            client.stream(
                "GET", "/sparql", params={"query": RUNAWAY}, headers={"Accept": "text/csv"}
            ) as answer,
        ):
            statuses.append(answer.status_code)
            # Held open until every request is answered, so none frees its slot early.
            all_answered.wait()

    threads = [threading.Thread(target=ask) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    # Two processes with a count each would have let up to four run.
    assert sorted(statuses) == [200] * 2 + [429] * (requests - 2)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_process(serving: Serve, signum: int) -> None:
    # Start every process's query workers first, so that they must be stopped too.
    for _ in range(8):
        assert httpx.get(f"{serving.url}/sparql", params={"query": "ASK {}"}).status_code == 200
    code, under = serving.stop(signum)
    assert code == 0
    # The two HTTP processes, their query-worker fork servers and the workers.
    assert len(under) >= 6
    deadline = time.monotonic() + 10
    while (left := {pid for pid in under if _alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes left behind: {left}"


def test_no_process_outlives_a_killed_server(serving: Serve) -> None:
    # SIGKILL cannot be passed on: the kernel tells the HTTP processes (PR_SET_PDEATHSIG).
    for _ in range(8):
        assert httpx.get(f"{serving.url}/sparql", params={"query": "ASK {}"}).status_code == 200
    code, under = serving.stop(signal.SIGKILL)
    assert code == -signal.SIGKILL and len(under) >= 6
    deadline = time.monotonic() + 30
    while (left := {pid for pid in under if _alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes left behind: {left}"


def test_processes_start_before_the_data_is_ready_and_end_when_there_is_none() -> None:
    """The HTTP processes are spawned first and import the app while the data is
    loaded (a cold start costs the longer of the two); when ``prepare`` finds nothing
    to serve, every one of them ends and ``serve_processes`` says so."""
    from glocal_api.processes import serve_processes
    from glocal_cli.serve import serving_app

    during: list[set[int]] = []

    def prepare() -> None:
        http = [p for p in multiprocessing.active_children() if p.name == "glocal-http"]
        during.append({p.pid for p in http if p.pid is not None and _alive(p.pid)})

    code = serve_processes(
        serving_app,
        (ClientSlots(1),),
        host="127.0.0.1",
        port=free_port(),
        processes=2,
        prepare=prepare,
        preload=("glocal_api.app",),
    )
    assert code == 1
    assert len(during[0]) == 2
    assert not any(_alive(p) for p in during[0])
