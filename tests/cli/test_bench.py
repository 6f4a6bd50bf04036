"""``glocal bench --quick``: a smoke test of the whole benchmark at tiny size.

No timing is asserted (this machine's speed is not the code's); the test checks that
every section is there and that each ratio and difference is computed from the numbers
measured in the same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from glocal.canned import bind, load_queries
from glocal.dataset import Dataset
from glocal.formats import SPARQL_JSON
from glocal.report.robustness import BOOTSTRAP, BOOTSTRAP_LARGE, NULL
from glocal.store import EmbeddedStore
from glocal.store.remote import MERGED_GRAPH, RemoteStore
from glocal.store.virtuoso import VirtuosoServer
from glocal_cli.bench.canned_engines import (
    LIMIT_MS,
    canned_engine_lines,
    canned_on_virtuoso,
    scale_goals,
)
from glocal_cli.bench.goals import check_run_goals
from glocal_cli.bench.graphs import load_graph
from glocal_cli.bench.latency import default_page
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.pages import PAGES, SEARCHES
from glocal_cli.bench.query_steps import STEPS, step_lines, time_steps
from glocal_cli.bench.report_cost import report_cost, report_scale
from glocal_cli.bench.servers import GlocalServer
from glocal_cli.bench.serving_virtuoso import (
    VIRTUOSO_REQUEST_LINE_BYTES,
    dataset_cut,
    sparql_against_virtuoso,
)
from glocal_cli.bench.timing import consume, percentile, timing_summary

ROOT = Path(__file__).resolve().parents[2]
# The whole quick bench runs once, in the first test's set-up: it starts eight servers
# (two of them for the serving section) and takes minutes on a loaded machine.
pytestmark = pytest.mark.timeout(900)
STATS = {"n", "p50_ms", "p99_ms", "mean_ms", "min_ms", "max_ms"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, str]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "glocal_cli.main",
            "bench",
            "--quick",
            "--skip-virtuoso",
            "--skip-rdflib-endpoint",
            "--synthetic-cities",
            "60",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=840,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "bench.json").read_text())
    return result, (out / "bench.md").read_text(), done.stderr


def _stats(section: dict[str, Any]) -> None:
    assert set(section) >= STATS
    assert section["n"] >= 1
    assert section["min_ms"] <= section["p50_ms"] <= section["p99_ms"] <= section["max_ms"]


def test_progress_goes_to_stderr(bench: tuple[dict[str, Any], str, str]) -> None:
    _, _, stderr = bench
    assert "[bench" in stderr and "wrote" in stderr


def test_meta_and_graphs(bench: tuple[dict[str, Any], str, str]) -> None:
    result, _, _ = bench
    assert result["meta"]["mode"] == "quick"
    assert result["meta"]["synthetic"]["cities"] == 60
    assert "other_processes_cpu_share" in result["meta"]  # how disturbed the timings were
    graphs = result["graphs"]
    assert set(graphs) == {"curated", "synthetic"}
    assert graphs["synthetic"]["quads"] > graphs["curated"]["quads"] > 0
    for graph in graphs.values():
        load = graph["load"]
        assert load["total_s"] == pytest.approx(load["parse_s"] + load["build_s"])
        assert load["quads_per_s"] == pytest.approx(graph["quads"] / load["total_s"])
    assert "skipped" in graphs["curated"]["validation"]  # --quick
    validation = graphs["synthetic"]["validation"]
    # The native engine validates the whole synthetic graph; both engines a smaller one.
    full, smaller = validation["full"], validation["smaller"]
    assert full["engine"] == "native" and full["quads"] == graphs["synthetic"]["quads"]
    for run in (full, smaller["native"], smaller["pyshacl"]):
        assert run["conforms"] is True and run["quads"] > 0
        assert run["quads_per_s"] == pytest.approx(run["quads"] / run["seconds"])
    assert smaller["pyshacl"]["engine"] == "pyshacl" and smaller["same_violations"]
    assert smaller["pyshacl_over_native"] == pytest.approx(
        smaller["pyshacl"]["seconds"] / smaller["native"]["seconds"]
    )


def test_import_and_starts_are_measured_as_users_run_them(
    bench: tuple[dict[str, Any], str, str],
) -> None:
    result, markdown, _ = bench
    imported = result["import"]
    assert imported["returncode"] == 0, imported["stderr_tail"]
    assert "imported 50 memberships" in imported["stdout_tail"]
    # The whole process tree, sampled from /proc: a Python process is tens of MB.
    assert imported["peak_tree_mb"] > 20
    for graph in ("curated", "synthetic"):
        for kind in ("cold", "warm"):
            start = result["starts"][graph][kind]
            assert start["seconds_to_first_answer"] > 0
            # The query worker is counted with the server.
            assert start["peak_tree_mb"] >= start["tree_mb_at_rest"] > 20
    run_goals = result["goals"]["run"]
    assert run_goals["import_s"]["measured"] == imported["seconds"]
    assert "## Validation by engine" in markdown and "## Start-up" in markdown


def test_every_canned_query_is_measured_and_ratios_follow(
    bench: tuple[dict[str, Any], str, str],
) -> None:
    result, _, _ = bench
    names = set(load_queries())
    for graph in result["graphs"].values():
        queries = graph["queries"]
        assert set(queries) == names
        for entry in queries.values():
            for mode in ("inprocess", "inprocess_serialized", "http_canned", "http_sparql"):
                _stats(entry[mode])
            # The overhead is over the same answer serialized in-process.
            inprocess = entry["inprocess_serialized"]["p50_ms"]
            http = entry["http_canned"]["p50_ms"]
            assert entry["http_minus_inprocess_ms"] == pytest.approx(http - inprocess)
            assert entry["http_minus_rows_read_ms"] == pytest.approx(
                http - entry["inprocess"]["p50_ms"]
            )
            assert entry["sparql_minus_inprocess_ms"] == pytest.approx(
                entry["http_sparql"]["p50_ms"] - inprocess
            )
            assert entry["http_over_inprocess"] == pytest.approx(http / inprocess)
            cached = entry["cached"]
            if "skipped" not in cached:
                _stats(cached["client"])
                _stats(cached["server"])
                assert cached["hits"] == cached["requests"]  # every repeat was a cache hit
                assert entry["cached_speedup"] == pytest.approx(http / cached["client"]["p50_ms"])


def test_overhead_breakdown_is_differences_of_measured_steps(
    bench: tuple[dict[str, Any], str, str],
) -> None:
    result, _, _ = bench
    for graph in result["graphs"].values():
        breakdown = graph["overhead_breakdown"]
        p50 = {k: v["p50_ms"] for k, v in breakdown["steps"].items()}
        derived = breakdown["derived_p50_ms"]
        assert derived["http_stack_ms"] == pytest.approx(p50["http_canned"] - p50["pool_stream"])
        assert derived["http_floor_ms"] == p50["http_not_modified"]
        assert derived["http_thread_and_handler_ms"] == pytest.approx(
            derived["http_stack_ms"] - derived["http_floor_ms"]
        )
        assert derived["fixed_http_ms"] == pytest.approx(
            p50["http_ask_empty"] - p50["pool_ask_empty"]
        )


def test_throughput(bench: tuple[dict[str, Any], str, str]) -> None:
    result, _, _ = bench
    for graph in result["graphs"].values():
        throughput = graph["throughput"]
        assert throughput["mix"]
        runs = throughput["runs"]
        assert {(r["mode"], r["clients"]) for r in runs} == {
            (mode, clients) for mode in ("uncached", "cached") for clients in (8, 32)
        }
        for run in runs:
            assert run["requests"] == run["ok"] + run["non2xx"]
            assert run["errors"] == 0, run["error_messages"]
            assert run["requests_per_s"] == pytest.approx(run["ok"] / run["seconds"])
            # Every section's load comes from the same client.
            assert run["client"]["tool"].startswith("wrk ")
            assert run["client"]["threads"] == run["client"]["connections"] == run["clients"]


def test_headroom(bench: tuple[dict[str, Any], str, str]) -> None:
    """The hardening figures: load at 10, 50 and 200 clients, ASK under runaways, peak
    memory of the whole server process tree."""
    result, markdown, _ = bench
    room = result["graphs"]["curated"]["headroom"]
    assert [load["clients"] for load in room["loads"]] == [10, 50, 200]
    for load in room["loads"]:
        assert load["errors"] == 0, load["error_messages"]
        assert 0 < load["p50_ms"] <= load["p99_ms"]
    ask = room["ask_under_runaways"]
    assert ask["runaways"] == 8 and ask["asks"] > 5 and ask["errors"] == 0
    assert ask["p50_ms"] <= ask["max_ms"]
    # The HTTP process and at least its main and quick query workers.
    assert room["peak_rss_mb"] > 100
    assert "## Headroom (curated, uncached)" in markdown


def test_serving(bench: tuple[dict[str, Any], str, str]) -> None:
    """The default (several HTTP processes, httptools) against one h11 process on the
    same uncached mix, with ratios and goals computed from the measured numbers."""
    result, markdown, _ = bench
    serving = result["graphs"]["curated"]["serving"]
    assert serving["configurations"]["baseline"]["protocol"] == "h11"
    assert serving["configurations"]["default"]["protocol"] == "httptools"
    assert serving["mix"] == result["graphs"]["curated"]["throughput"]["mix"]
    assert [load["clients"] for load in serving["loads"]] == [10, 50, 200]
    for load in serving["loads"]:
        for config in ("baseline", "default"):
            run = load[config]
            assert run["errors"] == 0, run["error_messages"]
            assert 0 < run["p50_ms"] <= run["p99_ms"]
            assert run["cpu_ms_per_request"] > 0
        assert load["ratio"] == pytest.approx(
            load["default"]["requests_per_s"] / load["baseline"]["requests_per_s"]
        )
        # The ceiling from CPU per request: the baseline's HTTP work gets one core at
        # most, all of its work every core; the default's every core.
        base, cores = load["baseline"], serving["cores"]
        base_http = base["cpu_ms_per_request"] - base["worker_cpu_ms_per_request"]
        base_rate = min(1000 / base_http, cores * 1000 / base["cpu_ms_per_request"])
        assert load["ceiling"] == pytest.approx(
            cores * 1000 / load["default"]["cpu_ms_per_request"] / base_rate
        )
    for config in ("baseline", "default"):
        pages = serving["pages"][config]
        assert pages["errors"] == 0, pages["error_messages"]
        assert pages["warmed"]["report_ready_in_every_process"] is True
        assert 0 < pages["p50_ms"] <= pages["p99_ms"] and pages["cpu_ms_per_request"] > 0
    assert serving["client"]["tool"].startswith("wrk ")
    assert serving["virtuoso"] == {"skipped": "--skip-virtuoso"}
    goals = result["goals"]["run"]
    smallest = min(load["ratio"] for load in serving["loads"])
    assert goals["serving_speedup"]["measured"] == pytest.approx(smallest)
    assert goals["serving_speedup"]["met"] == (smallest >= 1.7)
    p99 = serving["loads"][1]["default"]["p99_ms"]
    assert goals["serving_p99_50_ms"] == {"target": "<= 250 ms", "measured": p99, "met": p99 <= 250}
    page_p50 = serving["pages"]["default"]["p50_ms"]
    assert goals["page_p50_10_ms"]["met"] == (page_p50 <= 20)
    assert "## Serving (curated, uncached mix)" in markdown
    assert "Not run: --skip-virtuoso." in markdown


def test_aggregation_ratios_and_skipped_engines(bench: tuple[dict[str, Any], str, str]) -> None:
    result, _, _ = bench
    for graph in result["graphs"].values():
        aggregation = graph["aggregation"]
        engines, ratios = aggregation["engines"], aggregation["ratios"]
        for key in ("glocal_inprocess", "glocal_http"):
            _stats(engines[key])
            assert engines[key]["same_answer"] is True
            assert engines[key]["rows"] > 0
        assert ratios["glocal_http_over_inprocess"] == pytest.approx(
            engines["glocal_http"]["p50_ms"] / engines["glocal_inprocess"]["p50_ms"]
        )
        assert engines["virtuoso_remote_store"] == {"skipped": "--skip-virtuoso"}
        assert engines["rdflib_endpoint_http"] == {"skipped": "--skip-rdflib-endpoint"}
        assert ratios["rdflib_endpoint_over_glocal_http"] is None
        assert ratios["virtuoso_http_over_glocal_http"] is None


def test_goals_are_computed_from_the_measurements(bench: tuple[dict[str, Any], str, str]) -> None:
    result, _, _ = bench
    for name, graph in result["graphs"].items():
        goals = result["goals"][name]
        overheads = [e["http_minus_inprocess_ms"] for e in graph["queries"].values()]
        overhead = goals["http_overhead_ms"]
        curated = name == "curated"
        assert overhead["median_ms"] == pytest.approx(percentile(overheads, 50))
        # The absolute target is judged on the curated graph, the ratio at scale.
        assert overhead["met"] == ((overhead["median_ms"] <= 2.0) if curated else None)
        assert overhead["queries_meeting"] == sum(v <= 2.0 for v in overheads)
        entries = list(graph["queries"].values())
        ratios = [e["http_over_inprocess"] for e in entries]
        over = goals["http_over_inprocess"]
        assert over["median"] == pytest.approx(percentile(ratios, 50))
        excess = [
            e["http_minus_inprocess_ms"] / max(2.0, 0.1 * e["inprocess_serialized"]["p50_ms"])
            for e in entries
        ]
        assert over["median_excess"] == pytest.approx(percentile(excess, 50))
        assert over["met"] == (None if curated else percentile(excess, 50) <= 1)
        assert over["queries_meeting"] == sum(v <= 1 for v in excess)
        server = [
            e["cached"]["server"]["p50_ms"]
            for e in graph["queries"].values()
            if "server" in e["cached"]
        ]
        assert goals["cached_server_ms"]["max_ms"] == pytest.approx(max(server))
        assert goals["cached_server_ms"]["met"] == (max(server) < 1.0)
        assert goals["rdflib_speedup"] == {"target": ">= 40x", "ratio": None, "met": None}


def test_page_loads_and_their_goals(bench: tuple[dict[str, Any], str, str]) -> None:
    result, markdown, _ = bench
    for name, graph in result["graphs"].items():
        loads = graph["page_loads"]
        assert set(loads["pages"]) == set(PAGES) and set(loads["searches"]) == set(SEARCHES)
        timed = {**loads["pages"], **loads["searches"]}
        for entry in timed.values():
            warm = entry["warm"]
            assert entry["bytes"] > 0 and warm["min_ms"] <= warm["p50_ms"] <= warm["p95_ms"]
            assert warm["p95_ms"] <= warm["p99_ms"] <= warm["max_ms"]
        assert loads["catalogue_build_s"] > 0
        goals = result["goals"][name]
        slowest = max(loads["pages"], key=lambda page: loads["pages"][page]["warm"]["p50_ms"])
        assert goals["page_ms"]["worst"] == slowest
        assert goals["page_ms"]["met"] == (loads["pages"][slowest]["warm"]["p50_ms"] < 300)
        searches = [e["warm"]["p50_ms"] for e in loads["searches"].values()]
        assert goals["search_ms"]["worst_ms"] == max(searches)
        assert f"## Page loads and search: {name} graph" in markdown
    assert "| slowest search, p50 | < 50 ms |" in markdown


def test_markdown_tables(bench: tuple[dict[str, Any], str, str]) -> None:
    _, markdown, _ = bench
    assert markdown.startswith("# glocal benchmark")
    for heading in (
        "## Goals",
        "## Load and validation",
        "## Canned queries: curated graph",
        "## Canned queries: synthetic graph",
        "## Throughput",
        "## Network-size aggregation",
        "## Pivotal report",
    ):
        assert heading in markdown
    assert "| networks-of-city |" in markdown
    assert "skipped (--skip-virtuoso)" in markdown


def test_report_cost_runs_the_command_as_users_do(tmp_path: Path) -> None:
    # --quick skips the report; this is the section a full run measures.
    result = report_cost("curated", [], tmp_path)
    assert "error" not in result, result
    assert 0 < result["report_s"] < result["command_s"] and result["html_bytes"] > 0
    # The whole tree: at least the Python process that imported glocal and numpy.
    assert result["peak_tree_mb"] > 50
    # The curated graph is small: the default replicate counts, not the reduced ones.
    assert result["bootstrap_replicates"] == BOOTSTRAP and result["null_replicates"] == NULL


def test_canned_queries_on_virtuoso_beside_glocal(
    virtuoso: VirtuosoServer, dataset: Dataset, store: EmbeddedStore
) -> None:
    """Every canned query runs on Virtuoso with glocal's row count, and the ratio and
    goals come from the two timings."""
    glocal: dict[str, Any] = {}
    for name, canned in load_queries().items():
        started = time.perf_counter()
        rows = consume(store.query(bind(canned, {})))
        summary = timing_summary([time.perf_counter() - started])
        glocal[name] = {"rows": rows, "inprocess": summary, "http_canned": summary}
    remote = RemoteStore.open(dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    try:
        measured = canned_on_virtuoso(remote, glocal, BenchOptions.quick_run())
    finally:
        remote.close()
    assert set(measured) == set(glocal)
    for name, entry in measured.items():
        assert "error" not in entry, (name, entry)
        assert entry["virtuoso_rows"] == entry["glocal_rows"] == glocal[name]["rows"], name
        ours, theirs = entry["glocal_inprocess_p50_ms"], entry["virtuoso"]["p50_ms"]
        assert entry["virtuoso_over_glocal"] == pytest.approx(theirs / ours)
        assert entry["no_slower"] == (ours <= theirs)
        assert entry["within_limit"] == (ours <= LIMIT_MS)
    goals = scale_goals(measured)
    assert goals["met"] == [
        name for name, entry in measured.items() if entry["within_limit"] and entry["no_slower"]
    ]
    text = "\n".join(canned_engine_lines({"curated": {"aggregation": {"canned": measured}}}))
    assert all(f"| {name} |" in text for name in measured)
    assert f"{len(goals['met'])} of {len(measured)}" in text


def test_query_steps_do_the_same_work_on_both_engines(
    virtuoso: VirtuosoServer, dataset: Dataset, store: EmbeddedStore
) -> None:
    """Each step of a profiled query gives glocal and Virtuoso the same answer (the rows
    its pattern makes, for a counting step), the last step is the canned query as
    served, and the table shows every step."""
    remote = RemoteStore.open(dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    try:
        profiles = time_steps(store, remote, BenchOptions.quick_run())
    finally:
        remote.close()
    assert set(profiles) == set(STEPS)
    queries = load_queries()
    for name, steps in profiles.items():
        assert [step["label"] for step in steps[:-1]] == [label for label, _ in STEPS[name]]
        for step in steps:
            assert step["virtuoso_answer"] == step["glocal_answer"], (name, step["label"])
            ours, theirs = step["glocal"]["p50_ms"], step["virtuoso"]["p50_ms"]
            assert step["virtuoso_over_glocal"] == pytest.approx(theirs / ours)
        assert steps[-1]["glocal_answer"] == consume(store.query(default_page(queries[name])))
    members = consume(store.query("SELECT * WHERE { GRAPH ?g { ?m org:member ?x } }"))
    assert profiles["corroborated-facts"][0]["glocal_answer"] == members > 0
    # The counting step is the query's inner subquery: one row per city of the answer.
    cities = consume(store.query(bind(queries["acting-cities"], {})))
    assert profiles["acting-cities"][1]["glocal_answer"] == cities > 0
    text = "\n".join(step_lines({"curated": {"aggregation": {"steps": profiles}}}))
    for name, steps in profiles.items():
        assert f"`{name}`" in text
        assert all(f"| {n}. {step['label']} |" in text for n, step in enumerate(steps, 1))


def test_report_scale_compares_the_sizes_it_measured() -> None:
    scale = report_scale((40, 300))
    small, large = scale["40 cities"], scale["300 cities"]
    assert "error" not in small and "error" not in large, scale
    # 300 synthetic cities pass the robustness threshold: fewer replicates.
    assert large["bootstrap_replicates"] == BOOTSTRAP_LARGE
    assert scale["smaller_costs_less"] == (small["report_s"] < large["report_s"])
    # The goal is about 2,000 and 5,000 cities: these sizes leave it unmeasured.
    goal = check_run_goals({"report_scale": scale})["report_2000_under_5000"]
    assert goal["measured"] == [None, None] and goal["met"] is None
    renamed = {"2000 cities": small, "5000 cities": large}
    goal = check_run_goals({"report_scale": renamed})["report_2000_under_5000"]
    assert goal["met"] == scale["smaller_costs_less"]


def test_sparql_throughput_against_virtuoso_on_the_same_client(
    virtuoso: VirtuosoServer, tmp_path: Path
) -> None:
    """The mix's texts over /sparql on glocal's default and on Virtuoso, both through
    wrk: each engine's rows are the embedded store's, no errors, and the ratio is of the
    two rates."""
    graph = load_graph("curated", [], tmp_path)
    # network-overlap's text is the longest (8 KB): with every prefix declared, its
    # request line passed Virtuoso's limit and it answered on another dataset.
    mix = ["networks-of-city", "mayors", "signatory-counts", "network-overlap"]
    canned = load_queries()
    try:
        expected = {name: consume(graph.store.query(default_page(canned[name]))) for name in mix}
        with GlocalServer(graph.store, workers=2, cache=False, processes=2) as glocal:
            result = sparql_against_virtuoso(
                graph, glocal, virtuoso, mix, (2,), BenchOptions.quick_run()
            )
    finally:
        graph.store.close()
    assert result["rows"] == {
        name: {"glocal": rows, "virtuoso": rows} for name, rows in expected.items()
    }
    assert result["same_rows"] is True and result["virtuoso_config"]["ServerThreads"] > 0
    assert result["left_out"] == {}
    (load,) = result["loads"]
    assert load["clients"] == 2
    for engine in ("glocal", "virtuoso"):
        assert load[engine]["errors"] == 0, load[engine]["error_messages"]
        assert load[engine]["ok"] > 0 and load[engine]["cpu_ms_per_request"] > 0
    assert load["glocal"]["worker_cpu_ms_per_request"] > 0
    assert load["ratio"] == pytest.approx(
        load["glocal"]["requests_per_s"] / load["virtuoso"]["requests_per_s"]
    )


@pytest.mark.virtuoso
def test_a_dataset_virtuoso_did_not_get_is_found(
    virtuoso: VirtuosoServer, dataset: Dataset
) -> None:
    """Virtuoso drops what a request line holds past its limit without an error; the
    dataset it echoes shows it, and the reason names both lengths."""
    remote = RemoteStore.open(dataset, virtuoso.endpoint, graph_store_url=virtuoso.graph_store)
    named = remote.named_graphs()
    remote.close()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    dataset_params = [("default-graph-uri", MERGED_GRAPH)] + [
        ("named-graph-uri", iri) for iri in named
    ]
    answers = {}
    with httpx.Client(base_url=virtuoso.base_url, timeout=60) as client:
        # A comment makes the text long without changing the query.
        for name, text in [("short", count), ("long", f"{count} #{'x' * 10_000}")]:
            target = "/sparql?" + urlencode([("query", text), *dataset_params])
            answers[name] = client.get(target, headers={"Accept": SPARQL_JSON})
            assert answers[name].status_code == 200
    assert dataset_cut(answers["short"], named) is None
    reason = dataset_cut(answers["long"], named)
    assert reason is not None and f"{VIRTUOSO_REQUEST_LINE_BYTES:,} bytes" in reason
    line = len(b"GET " + answers["long"].request.url.raw_path)
    assert line > VIRTUOSO_REQUEST_LINE_BYTES and f"{line:,} bytes" in reason
    # What the cut costs: the long request counted another dataset's triples.
    counts = {
        name: json.loads(answer.content)["results"]["bindings"][0]["n"]["value"]
        for name, answer in answers.items()
    }
    assert counts["short"] == str(len(set(quad.triple for quad in dataset.quads)))
    assert counts["long"] != counts["short"]
