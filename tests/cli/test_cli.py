"""The ``glocal`` command line: exit codes, readable messages, and one served graph.

Every command that loads data (``validate``, ``serve``, ``report``, ``export``) loads the
same graph, stored imports included, and names the data version it uses.
"""

from __future__ import annotations

import csv
import json
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glocal.data.files import DataFiles
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BRISTOL = "https://w3id.org/glocal/id/city/bristol"
RESILIENT = "https://w3id.org/glocal/id/org/100-resilient-cities"


def glocal(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glocal_cli.main", "--cache-dir", str(cache), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-cache")


def test_validate_curated_graph_exits_0_with_a_summary(cache: Path) -> None:
    result = glocal("validate", cache=cache)
    assert result.returncode == 0, result.stderr
    assert "conforms" in result.stdout
    assert "cities" in result.stdout and "quoted facts" in result.stdout


def test_validate_reports_shacl_violations_with_file(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "mine.ttl"
    bad.write_text(
        "@prefix gl: <https://w3id.org/glocal/ontology#> .\n"
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "<https://w3id.org/glocal/id/city/atlantis> a gl:City ;\n"
        "    org:memberOf <https://w3id.org/glocal/id/org/mmc> .\n"
    )
    result = glocal("validate", str(bad), cache=cache)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "mine.ttl" in result.stderr
    assert "city/atlantis" in result.stderr
    assert "rdfs:label" in result.stderr  # the label shape
    assert "without provenance" in result.stderr  # the provenance shape


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("broken.ttl", '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', 3),
        ("broken.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", 2),
        ("broken.trig", "<http://g> {\n <http://a> <http://b> .\n}\n", 2),
        ("broken.nq", "<http://a> <http://b> <http://c> <http://g> <http://x> .\n", 1),
        ("broken.jsonld", '{"@id": "http://a",\n "http://b": [ }', 2),
        (
            "broken.rdf",
            "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
            "<rdf:Description rdf:about='http://a'>\n</rdf:RDF>\n",
            None,
        ),
    ],
)
def test_malformed_rdf_names_file_and_line(
    cache: Path, tmp_path: Path, name: str, content: str, line: int | None
) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = glocal("validate", str(path), cache=cache)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "malformed RDF" in result.stderr and name in result.stderr
    if line is not None:
        assert f"{name}:{line}:" in result.stderr


def test_missing_file_is_reported(cache: Path) -> None:
    result = glocal("validate", "no-such-file.ttl", cache=cache)
    assert result.returncode == 1 and "no such file" in result.stderr


def test_report_pivotal_json_and_html(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "pivotal.json"
    result = glocal("report", "pivotal", "--format", "json", "--out", str(out), cache=cache)
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["cities"][0]["rank"] == 1 and report["cities"][0]["evidence"]
    html = tmp_path / "pivotal.html"
    assert glocal("report", "pivotal", "--out", str(html), cache=cache).returncode == 0
    page = html.read_text()
    assert "<svg" in page and "<script src" not in page and "<link" not in page


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_export_formats(cache: Path, tmp_path: Path, fmt: str) -> None:
    import networkx as nx

    out = tmp_path / ("export" if fmt == "csv" else f"g.{fmt}")
    result = glocal("export", "--format", fmt, "--out", str(out), cache=cache)
    assert result.returncode == 0, result.stderr
    if fmt == "graphml":
        graph = nx.read_graphml(out)
    elif fmt == "gexf":
        graph = nx.read_gexf(out)
    else:
        assert (out / "nodes.csv").is_file() and (out / "edges.csv").is_file()
        return
    assert "https://w3id.org/glocal/id/city/bristol" in graph


def test_synth_then_report_on_it(cache: Path, tmp_path: Path) -> None:
    made = glocal(
        "synth", "--cities", "300", "--networks", "20", "--out", str(tmp_path), cache=cache
    )
    assert made.returncode == 0, made.stderr
    path = made.stdout.strip()
    result = glocal(
        "report",
        "pivotal",
        path,
        "--without-curated",
        "--no-validate",
        "--format",
        "csv",
        "--top",
        "10",
        cache=cache,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 11
    assert "synthetic" in result.stdout


# ---------------------------------------------------------------- stored imports


@pytest.fixture(scope="module")
def imports(cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An imports folder holding one new membership: Bristol (curated) in 100 Resilient
    Cities (curated, but without Bristol)."""
    folder = tmp_path_factory.mktemp("cli-imports")
    members = folder.parent / "resilient.csv"
    members.write_text("city,country,network,role,since\nBristol,GB,100 Resilient Cities,,2016\n")
    done = glocal("import", "memberships", str(members), "--imports-dir", str(folder), cache=cache)
    assert done.returncode == 0, done.stderr
    return folder


def combined_version(cache: Path, imports: Path) -> str:
    return DataFiles(imports, cache_dir=cache, check_base=False).load().version


def summary_version(stdout: str) -> str:
    first = stdout.splitlines()[0]  # "glocal graph <version>: conforms to the SHACL shapes"
    assert first.startswith("glocal graph "), stdout
    return first.split()[2].rstrip(":")


def test_validate_reports_the_version_with_stored_imports(cache: Path, imports: Path) -> None:
    alone = glocal("validate", "--imports-dir", str(imports.parent / "none"), cache=cache)
    both = glocal("validate", "--imports-dir", str(imports), cache=cache)
    assert alone.returncode == 0 and both.returncode == 0, alone.stderr + both.stderr
    version = combined_version(cache, imports)
    assert summary_version(both.stdout) == version != summary_version(alone.stdout)
    assert f"(data version {version})" in both.stderr


def edges(cache: Path, out: Path, *options: str) -> set[tuple[str, str]]:
    result = glocal("export", "--format", "csv", "--out", str(out), *options, cache=cache)
    assert result.returncode == 0, result.stderr
    with (out / "edges.csv").open(encoding="utf-8") as handle:
        return {(row["source"], row["target"]) for row in csv.DictReader(handle)}


def test_export_includes_stored_imports(cache: Path, imports: Path, tmp_path: Path) -> None:
    without = edges(cache, tmp_path / "without", "--imports-dir", str(tmp_path / "none"))
    assert (BRISTOL, RESILIENT) not in without
    assert (BRISTOL, RESILIENT) in edges(cache, tmp_path / "with", "--imports-dir", str(imports))


def test_report_includes_stored_imports(cache: Path, imports: Path, tmp_path: Path) -> None:
    out = tmp_path / "pivotal.json"
    result = glocal(
        "report",
        "pivotal",
        "--format",
        "json",
        "--out",
        str(out),
        "--imports-dir",
        str(imports),
        cache=cache,
    )
    assert result.returncode == 0, result.stderr
    assert f"(data version {combined_version(cache, imports)})" in result.stderr
    [bristol] = [c for c in json.loads(out.read_text())["cities"] if c["iri"] == BRISTOL]
    imported = [m for m in bristol["evidence"]["memberships"] if m["target"] == RESILIENT]
    assert imported and imported[0]["quote"].startswith("row 2: Bristol,GB,100 Resilient Cities")


def test_serve_prints_the_version_it_serves(cache: Path, imports: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "glocal_cli.main", "--cache-dir", str(cache), "serve"]
    command += ["--port", str(port), "--imports-dir", str(imports)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            deadline = time.monotonic() + 240
            while not selector.select(timeout=1) and time.monotonic() < deadline:
                assert process.poll() is None, "glocal serve exited"
        first = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    version = combined_version(cache, imports)
    assert f"serving data version {version} at http://127.0.0.1:{port}/" in first


def test_the_update_token_never_comes_from_the_command_line(tmp_path: Path) -> None:
    # The old flag is gone: a token in argv is visible to every local user in `ps`.
    refused = glocal("serve", "--enable-update", "--update-token", "s3cret", cache=tmp_path)
    assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr
    missing = glocal("serve", "--enable-update", "--port", "1", cache=tmp_path)
    assert missing.returncode == 2
    assert "--update-token-file PATH or GLOCAL_UPDATE_TOKEN" in missing.stderr


def test_an_unusable_cache_folder_is_one_line_with_the_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = glocal("validate", cache=blocker / "cache")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = [entry for entry in done.stderr.splitlines() if entry.startswith("error:")]
    assert "--cache-dir" in line and "GLOCAL_CACHE_DIR" in line


def test_an_engine_that_is_down_at_start_is_one_line(tmp_path: Path) -> None:
    done = glocal("validate", "--store", "http://127.0.0.1:9/sparql", cache=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "start the engine or check --store" in done.stderr
