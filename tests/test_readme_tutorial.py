"""The README's set-up and tutorial work as written, example by example.

The examples are read from README.md with a Markdown parser (markdown-it-py): every fenced
block under "Set-up" and "Tutorial" is preceded by an HTML comment that names it,
``<!-- example NAME -->``, or says why the test does not run it,
``<!-- example NAME: not run, REASON -->``. The names not run must be exactly
:data:`NOT_RUN`, and every block must be named, so a new example cannot slip by untested.

The examples run in order, as a reader would, in ``out/tutorial/`` (which the repository
ignores), with ``.venv`` there linking to the environment running the tests and ``HOME``
a fresh folder of its own (so imports and caches never touch the user's). Shell commands
run verbatim in ``bash``. A ``.venv/bin/glocal serve`` command starts a real server in the
background, replacing the previous one as a reader would after Ctrl-C, on a free loopback
port (``--port`` added to its arguments) rather than the documented 8000, which another
program may hold. The examples still say ``http://127.0.0.1:8000``: curl reaches the
server through its own ``connect-to`` option, written to ``$HOME/.curlrc``; in Python the
URL string constants are rewritten in the parsed syntax tree (:mod:`ast`). R is not
installed here: the R example's string literals are read with Python's tokenizer (R's
double-quoted strings without escapes read the same), its URL is fetched, and the
columns it selects are checked against what the URL returns; with ``Rscript`` on the
``PATH`` the example runs instead.

What each example prints is kept in ``out/tutorial/outputs/`` and checked twice: the lines
the README shows under a command must appear in that order in its output (standard
output first, ``…`` standing for any text), a command whose shown output starts with
``error:`` must fail and every other must succeed; and each example's check below
asserts what the README says it gives, against the in-process store where the answer
comes from the data.

Longer than 400 lines: the reader of the README, the runner and one check per example
stay together, so that what each example is held to reads in one place.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import networkx as nx
import pytest
from markdown_it import MarkdownIt

from glocal.dataset import Dataset
from glocal.store import EmbeddedStore
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
WORK = ROOT / "out" / "tutorial"
#: Where the README says the server is.
DOCUMENTED = "127.0.0.1:8000"
#: The README's sections whose fenced blocks are examples.
SECTIONS = ("Set-up", "Tutorial")
#: The examples the test does not run; the README's comments say why.
NOT_RUN = {
    "set-up",  # `make serve` serves until stopped; `make test` runs this test among the rest
    "synthetic-report",  # minutes of CPU; `glocal bench` runs the report at this size
    "bench",  # minutes even with --quick; tests/cli/test_bench.py runs the quick one
}
MARKER = re.compile(r"<!--\s*example\s+([\w-]+)\s*(?::\s*not run,\s*(.*?))?\s*-->", re.DOTALL)


@dataclass
class Command:
    """One ``$`` command of a console block (or a whole Python or R block)."""

    text: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Example:
    """A fenced block of the tutorial, with the name its comment gives."""

    name: str
    language: str
    commands: list[Command]
    not_run: str | None


@dataclass
class Ran:
    """What one command printed, and how it ended."""

    command: Command
    stdout: str
    stderr: str
    returncode: int
    #: The columns an R example selects, when R is not here to select them.
    selected: list[str] = field(default_factory=list)


def _console(text: str) -> list[Command]:
    """``$ `` lines are commands; a quote left open or a trailing ``\\`` continues one;
    other lines are what the command before them printed."""
    commands: list[Command] = []
    pending: list[str] = []
    for line in text.splitlines():
        if pending:
            pending.append(line)
        elif line.startswith("$ "):
            pending = [line[2:]]
        else:
            commands[-1].shown.append(line)
            continue
        joined = "\n".join(pending)
        if joined.endswith("\\"):
            continue
        try:
            shlex.split(joined, comments=True)
        except ValueError:  # a quotation still open: the command goes on
            continue
        commands.append(Command(joined))
        pending = []
    assert not pending, f"unfinished command: {pending}"
    return commands


def tutorial_examples() -> list[Example]:
    """Every fenced block of the README's set-up and tutorial, in order."""
    tokens = MarkdownIt("commonmark").parse(README.read_text(encoding="utf-8"))
    examples: list[Example] = []
    unnamed: list[str] = []
    section, marker = "", None
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            section, marker = tokens[i + 1].content, None
        elif token.type == "html_block":
            marker = MARKER.fullmatch(token.content.strip())
        elif token.type == "fence" and section.startswith(SECTIONS):
            if marker is None:
                unnamed.append(token.content.splitlines()[0])
                continue
            language = token.info.strip()
            commands = (
                _console(token.content) if language == "console" else [Command(token.content)]
            )
            examples.append(Example(marker.group(1), language, commands, marker.group(2)))
            marker = None
        else:
            marker = None
    assert not unnamed, f"tutorial blocks without an <!-- example NAME --> comment: {unnamed}"
    return examples


def matches_shown(shown: list[str], printed: str) -> bool:
    """Whether the shown lines appear, in order, among the printed ones (``…``: any text).

    >>> matches_shown(["a …", "c"], "a b\\nx\\nc\\n")
    True
    >>> matches_shown(["c", "a …"], "a b\\nc\\n")
    False
    """
    lines = iter(printed.lstrip("\ufeff").replace("\r\n", "\n").splitlines())
    for want in (line.rstrip() for line in shown if line.strip() != "…"):
        pattern = re.compile(".*".join(map(re.escape, want.split("…"))))
        if not any(pattern.fullmatch(line.rstrip()) for line in lines):
            return False
    return True


# ---------------------------------------------------------------- running the examples


class Reader:
    """Runs the examples as a reader would, in :data:`WORK`, keeping what they print."""

    def __init__(self) -> None:
        shutil.rmtree(WORK, ignore_errors=True)
        self.home = WORK / "home"
        self.outputs = WORK / "outputs"
        self.home.mkdir(parents=True)
        self.outputs.mkdir()
        venv = Path(sys.prefix)
        assert (venv / "bin" / "glocal").exists(), f"glocal is not installed in {venv}"
        (WORK / ".venv").symlink_to(venv)
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("GLOCAL_", "CURL_"))}
        self.env = {**keep, "HOME": str(self.home), "PYTHONUNBUFFERED": "1"}
        self.env.pop("XDG_CONFIG_HOME", None)
        self.env.pop("XDG_CACHE_HOME", None)
        self.server: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.count = 0

    def run(self, example: Example) -> list[Ran]:
        runner = {"console": self._shell, "python": self._python, "r": self._r}[example.language]
        return [runner(example.name, command) for command in example.commands]

    def _keep(self, name: str, ran: Ran) -> Ran:
        self.count += 1
        stem = self.outputs / f"{self.count:02d}-{name}"
        stem.with_suffix(".out").write_text(ran.stdout, encoding="utf-8")
        stem.with_suffix(".err").write_text(ran.stderr, encoding="utf-8")
        return ran

    def _shell(self, name: str, command: Command) -> Ran:
        argv = shlex.split(command.text, comments=True)
        if argv[:2] == [".venv/bin/glocal", "serve"]:
            return self._keep(name, self._serve(command, argv))
        if argv[0] == "cat" and len(argv) == 2 and not (WORK / argv[1]).exists():
            # A file the README shows with `cat` is one the reader writes first.
            (WORK / argv[1]).write_text("\n".join(command.shown) + "\n", encoding="utf-8")
        done = subprocess.run(
            ["bash", "-c", command.text],
            cwd=WORK,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        return self._keep(name, Ran(command, done.stdout, done.stderr, done.returncode))

    def _serve(self, command: Command, argv: list[str]) -> Ran:
        self.stop()
        self.port = free_port()
        (self.home / ".curlrc").write_text(
            f"connect-to = {DOCUMENTED}:127.0.0.1:{self.port}\n", encoding="utf-8"
        )
        out, err = WORK / "serve.out", WORK / "serve.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            self.server = subprocess.Popen(
                [*argv, "--port", str(self.port)],
                cwd=WORK,
                env=self.env,
                stdout=stdout,
                stderr=stderr,
            )
        deadline = time.monotonic() + 300
        while not self._answers():
            if self.server.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        # Read as if it served where the README says.
        printed = out.read_text(encoding="utf-8").replace(f"127.0.0.1:{self.port}", DOCUMENTED)
        code = self.server.poll()
        return Ran(command, printed, err.read_text(encoding="utf-8"), 0 if code is None else code)

    def _answers(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/sparql"
            return httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def local(self, url: str) -> str:
        """``url`` with the documented host and port replaced by the server's."""
        parts = urlsplit(url)
        if parts.netloc != DOCUMENTED:
            return url
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{self.port}"))

    def _python(self, name: str, command: Command) -> Ran:
        reader = self

        class Local(ast.NodeTransformer):
            def visit_Constant(self, node: ast.Constant) -> ast.Constant:
                if isinstance(node.value, str):
                    return ast.copy_location(ast.Constant(reader.local(node.value)), node)
                return node

        code = ast.unparse(Local().visit(ast.parse(command.text)))
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=WORK,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return self._keep(name, Ran(command, done.stdout, done.stderr, done.returncode))

    def _r(self, name: str, command: Command) -> Ran:
        tokens = tokenize.generate_tokens(io.StringIO(command.text).readline)
        strings = [ast.literal_eval(t.string) for t in tokens if t.type == tokenize.STRING]
        rscript = shutil.which("Rscript")
        if rscript:
            code = command.text
            for text in strings:
                code = code.replace(f'"{text}"', json.dumps(self.local(text)))
            done = subprocess.run(
                [rscript, "-e", code], cwd=WORK, env=self.env, capture_output=True, text=True
            )
            return self._keep(name, Ran(command, done.stdout, done.stderr, done.returncode))
        # No R: fetch what read.csv would, and hand the columns it selects to the check.
        url = next(s for s in strings if s.startswith("http"))
        response = httpx.get(self.local(url), timeout=60)
        ok = int(response.status_code != httpx.codes.OK)
        selected = [s for s in strings if s != url]
        return self._keep(name, Ran(command, response.text, "", ok, selected))

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server = None


EXAMPLES = tutorial_examples()


@pytest.fixture(scope="module")
def tutorial() -> Iterator[dict[str, list[Ran]]]:
    """Every example that runs, run once in README order, by name."""
    reader = Reader()
    ran: dict[str, list[Ran]] = {}
    try:
        for example in EXAMPLES:
            if example.not_run is None:
                ran[example.name] = reader.run(example)
        yield ran
    finally:
        reader.stop()


# ---------------------------------------------------------------- what each example says


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _select(store: EmbeddedStore, sparql: str, var: str) -> set[str]:
    # A SELECT gives solutions, whose terms all have a value.
    return {str(row[var].value) for row in store.query(sparql)}  # type: ignore[union-attr]


MMC = "https://w3id.org/glocal/id/org/mmc"
FREETOWN = "https://w3id.org/glocal/id/city/freetown"
STUERNER = "https://w3id.org/glocal/id/source/stuerner-2020"
CITIES = "SELECT ?c WHERE { ?c a gl:City }"


def check_validate(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    # The data version is that of the curated files, as the test session parses them.
    assert ran[0].stdout.startswith(f"glocal graph {dataset.version}: conforms")


def check_validate_pyshacl(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    check_validate(ran, store, dataset)


def check_canned(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    rows = _csv(ran[0].stdout)
    # Every network of the city, each with the words of its source.
    assert {row["organisation"] for row in rows} >= _select(
        store, "SELECT ?o WHERE { city:freetown org:memberOf ?o }", "o"
    )
    assert all(row["source"] and row["quote"] for row in rows)
    bindings = json.loads(ran[1].stdout)["results"]["bindings"]
    # The sources of Freetown's MMC membership: the quotes the SPARQL example found.
    quotes = {row["quote"]["value"] for row in bindings}
    assert quotes == _select(
        store,
        "SELECT ?q WHERE { ?m org:member city:freetown ; org:organization orgn:mmc ; gl:quote ?q }",
        "q",
    )
    assert {row["source"]["value"] for row in bindings} == {STUERNER}


def check_one_source(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    facts = int(json.loads(ran[0].stdout)["results"]["bindings"][0]["facts"]["value"])
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?f gl:quote ?q } }"
    assert facts == int(next(iter(_select(store, query % STUERNER, "n"))))
    every = int(next(iter(_select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?f gl:quote ?q }", "n"))))
    assert 0 < facts < every


def check_python(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    printed = set(ran[0].stdout.split())
    assert printed == _select(
        store, "SELECT ?c WHERE { ?c a gl:City ; org:memberOf orgn:mmc }", "c"
    )
    assert FREETOWN in printed


def check_r(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    if shutil.which("Rscript"):
        assert "Mayors Migration Council" in ran[0].stdout
        return
    rows = _csv(ran[0].stdout)
    wanted = ran[0].selected
    assert wanted and all(column in rows[0] for column in wanted), (wanted, list(rows[0]))
    assert "Mayors Migration Council" in {row["organisationLabel"] for row in rows}


def check_glocal_query(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    rows = _csv(ran[0].stdout)  # piped, so CSV
    assert len(rows) == 5 and list(rows[0]) == ["city", "name"]
    assert {row["city"] for row in rows} <= _select(store, CITIES, "c")
    bindings = json.loads(ran[1].stdout)["results"]["bindings"]
    assert MMC in {row["organisation"]["value"] for row in bindings}


def _table(markdown: str) -> list[tuple[int, str]]:
    """The ranked rows of the report's first Markdown table: (rank, city)."""
    rows = []
    for line in markdown.split("\n\n| rank | city |", 1)[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append((int(cells[0]), cells[1]))
    return rows


def check_pivotal(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    html = (WORK / "out" / "pivotal.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    # One offline file: no script, nothing fetched from elsewhere.
    assert "<script" not in html and 'src="http' not in html
    served = json.loads(ran[4].stdout)
    top = [(city["rank"], city["label"]) for city in served["cities"][:20]]
    # The command line and the server rank the same cities the same way.
    assert _table(ran[2].stdout) == top and len(top) == 20
    assert served["cities"][0]["label"] in html
    layered = json.loads(ran[3].stdout)
    assert layered["parameters"]["layers"] == ["organisations", "declarations"]
    for city in layered["cities"]:
        assert {"iri", "label", "rank", "score", "measures", "evidence"} <= set(city)
    centrality = json.loads(ran[5].stdout)
    assert centrality["measure"] == "betweenness" and len(centrality["cities"]) == 10
    values = [city["value"] for city in centrality["cities"]]
    assert values == sorted(values, reverse=True) and all(0 <= v <= 1 for v in values)
    # The same order as the report's betweenness, whatever its normalisation.
    report = {c["iri"]: c["measures"]["betweenness"] for c in served["cities"]}
    ordered = [report[city["iri"]] for city in centrality["cities"]]
    assert ordered == sorted(ordered, reverse=True)


def check_export(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    cities = _select(store, CITIES, "c")
    graph = nx.read_gexf(WORK / "out" / "glocal.gexf")
    placed = [n for n, data in graph.nodes(data=True) if n in cities and "latitude" in data]
    assert placed and cities & set(graph) == set(placed)
    assert all("relations" in d and "sources" in d for _, _, d in graph.edges(data=True))
    projection = nx.read_gexf(WORK / "out" / "cities.gexf")
    assert set(projection) <= cities and projection.number_of_edges() > 0
    assert all("shared" in d for _, _, d in projection.edges(data=True))
    typed = (
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/glocal/ontology#City>"
    )
    synthetic = WORK / "out" / "synthetic" / "synthetic-20000-1000-0.nq"
    with synthetic.open(encoding="utf-8") as lines:
        assert len({line.split(" ", 1)[0] for line in lines if typed in line}) == 20_000


def check_import(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    stored = ran[1].stdout.splitlines()[1].removeprefix("stored as ")
    assert Path(stored) == WORK / "home" / ".cache" / "glocal" / "imports" / "members.trig"
    assert "Linz" in Path(stored).read_text(encoding="utf-8")


def check_import_rejected(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    assert not (WORK / "home" / ".cache" / "glocal" / "imports" / "more-members.trig").exists()


def check_serve_admin(ran: list[Ran], store: EmbeddedStore, dataset: Dataset) -> None:
    assert len((WORK / "token").read_text(encoding="utf-8").strip()) >= 32


CHECKS: dict[str, Callable[[list[Ran], EmbeddedStore, Dataset], None]] = {
    "validate": check_validate,
    "validate-pyshacl": check_validate_pyshacl,
    "canned": check_canned,
    "one-source": check_one_source,
    "python": check_python,
    "r": check_r,
    "glocal-query": check_glocal_query,
    "pivotal": check_pivotal,
    "export": check_export,
    "import": check_import,
    "import-rejected": check_import_rejected,
    "serve-admin": check_serve_admin,
}


def test_the_examples_not_run_are_the_expected_ones() -> None:
    names = [example.name for example in EXAMPLES]
    assert len(names) == len(set(names)), names
    assert {e.name for e in EXAMPLES if e.not_run is not None} == NOT_RUN
    assert all(e.not_run for e in EXAMPLES if e.name in NOT_RUN), "say why it is not run"
    ran = {e.name for e in EXAMPLES if e.not_run is None}
    # Every command shows what it prints, or its example has a check of its own.
    unchecked = {e.name for e in EXAMPLES if e.name in ran and not all(c.shown for c in e.commands)}
    assert unchecked <= set(CHECKS) <= ran, (unchecked - set(CHECKS), set(CHECKS) - ran)


@pytest.mark.parametrize("name", [e.name for e in EXAMPLES if e.not_run is None])
def test_example(
    name: str, tutorial: dict[str, list[Ran]], store: EmbeddedStore, dataset: Dataset
) -> None:
    ran = tutorial[name]
    for done in ran:
        shown = done.command.shown
        failing = bool(shown) and shown[0].startswith("error:")
        assert (done.returncode != 0) == failing, (done.command.text, done.stderr[-2000:])
        assert matches_shown(shown, done.stdout + "\n" + done.stderr), (
            done.command.text,
            shown,
            done.stdout[-3000:],
            done.stderr[-3000:],
        )
    if name in CHECKS:
        CHECKS[name](ran, store, dataset)
