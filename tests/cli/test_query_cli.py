"""``glocal query``: SPARQL and canned queries from a terminal, in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from glocal_cli.main import main

SELECT = "SELECT ?city ?name WHERE { ?city a gl:City ; rdfs:label ?name } ORDER BY ?name LIMIT 4"


def _run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str, str]:
    status = main(["--cache-dir", str(tmp_path), "query", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_sparql_as_csv_json_and_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = _run(capsys, tmp_path, SELECT, "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4 and rows[0]["city"].startswith("https://w3id.org/glocal/id/city/")
    status, out, _ = _run(capsys, tmp_path, "--format", "json", SELECT)
    names = [b["name"]["value"] for b in json.loads(out)["results"]["bindings"]]
    assert names == [r["name"] for r in rows]
    status, out, _ = _run(capsys, tmp_path, SELECT, "--format", "table")
    lines = out.splitlines()
    assert lines[0].split() == ["city", "name"] and lines[-1] == "(4 rows)"
    assert lines[2].startswith("city:")


def test_a_canned_query_with_parameters(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = _run(
        capsys, tmp_path, "networks-of-city", "--city", "city:freetown", "--format", "tsv"
    )
    assert status == 0
    assert "<https://w3id.org/glocal/id/org/mmc>" in out
    status, _, err = _run(capsys, tmp_path, "networks-of-city", "--city=city:kampla")
    assert status == 2 and "did you mean city:kampala" in err
    status, _, err = _run(capsys, tmp_path, "networks-of-city", "--town", "x")
    assert status == 2 and "unknown parameter" in err


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = _run(capsys, tmp_path, "SELEC ?x WHERE { ?x ?p ?o }")
    assert status == 2 and err.strip().splitlines()[-1].startswith("error:")
    status, _, err = _run(capsys, tmp_path, "no-such-query", "--city", "x")
    assert status == 2 and "no canned query named 'no-such-query'" in err


def test_a_canned_query_by_pages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, whole, _ = _run(capsys, tmp_path, "mayors", "--format", "csv")
    assert status == 0
    header, *rows = whole.splitlines()
    pages = []
    for offset in range(0, len(rows) + 1, 2):
        status, out, _ = _run(
            capsys, tmp_path, "mayors", "--format", "csv", "--limit", "2", "--offset", str(offset)
        )
        assert status == 0 and out.splitlines()[0] == header
        pages += out.splitlines()[1:]
    assert sorted(pages) == sorted(rows)
    status, _, err = _run(capsys, tmp_path, "network-overlap", "--format", "csv")
    assert status == 0 and "one row per pair of networks" in err and "--offset 500" in err
    status, _, err = _run(capsys, tmp_path, "mayors", "--offset", "-3")
    assert status == 2 and "offset: not a whole number" in err
