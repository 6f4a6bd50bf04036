"""``glocal validate --engine``: both SHACL engines from the command line, with the same
verdict and violations on the same bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import glocal

BAD = (
    "@prefix gl: <https://w3id.org/glocal/ontology#> .\n"
    "@prefix org: <http://www.w3.org/ns/org#> .\n"
    "<https://w3id.org/glocal/id/city/atlantis> a gl:City ;\n"
    "    org:memberOf <https://w3id.org/glocal/id/org/mmc> .\n"
)


def test_both_engines_report_the_same_violations(tmp_path: Path) -> None:
    bad = tmp_path / "mine.ttl"
    bad.write_text(BAD)
    runs = {
        engine: glocal("validate", "--engine", engine, "--no-cache", str(bad), cache=tmp_path)
        for engine in ("native", "pyshacl")
    }
    for engine, result in runs.items():
        assert result.returncode == 1, (engine, result.stderr)
        assert "Traceback" not in result.stderr
        assert "without provenance" in result.stderr and "rdfs:label" in result.stderr
    # Progress lines (with timings) differ; the violations do not.
    native, reference = (
        sorted(line for line in runs[e].stderr.splitlines() if line.startswith("  - "))
        for e in ("native", "pyshacl")
    )
    assert native and native == reference


def test_an_unknown_engine_is_refused_by_name(tmp_path: Path) -> None:
    result = glocal("validate", "--engine", "rudof", cache=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'rudof'" in result.stderr and "pyshacl" in result.stderr


@pytest.mark.parametrize("engine", ["native", "pyshacl"])
def test_each_engine_caches_its_own_result(tmp_path: Path, engine: str) -> None:
    assert glocal("validate", "--engine", engine, cache=tmp_path).returncode == 0
    cached = list((tmp_path / "validation").glob("*.json"))
    assert len(cached) == 1
