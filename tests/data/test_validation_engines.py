"""The native SHACL engine reports exactly what pySHACL reports.

On the curated data, on the base graph of ``test_shapes`` plus each of its bad
additions (one or more per shape), and on a synthetic graph of a size pySHACL can
handle; and where the native engine could deviate from SHACL (lengths in characters,
not UTF-8 bytes), on the case itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from glocal.data.shapes import UnsupportedShapes, read_shapes
from glocal.data.validation import validate_dataset
from glocal.data.violations import Violation
from glocal.dataset import Dataset, curated_files, load_files
from glocal.resources import DATA_DIR, ONTOLOGY_DIR
from glocal_cli.bench.graphs import write_synthetic_file
from tests.data.test_shapes import BAD, _dataset


def _key(v: Violation) -> tuple[str, ...]:
    return (
        v.file or "",
        v.focus,
        v.path or "",
        v.message,
        v.value or "",
        v.severity,
        str(v.value_is_iri),
    )


def _same(dataset: Dataset) -> list[Violation]:
    """Validate with both engines, assert the same results, and return them."""
    native = validate_dataset(dataset, engine="native")
    reference = validate_dataset(dataset, engine="pyshacl")
    assert native.conforms == reference.conforms
    assert sorted(map(_key, native.violations)) == sorted(map(_key, reference.violations))
    return native.violations


def test_curated_data() -> None:
    assert _same(load_files(curated_files())) == []


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_example_of_every_shape(case: str) -> None:
    assert _same(_dataset(BAD[case][0]))


def test_all_bad_examples_at_once() -> None:
    # Blank node labels of the examples collide across cases only inside one parse.
    assert len(_same(_dataset("\n".join(extra for extra, _ in BAD.values())))) >= len(BAD)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield write_synthetic_file(tmp_path_factory.mktemp("synthetic"), 400)


def test_synthetic_graph(synthetic: Path) -> None:
    dataset = load_files(
        [ONTOLOGY_DIR / "glocal.ttl", DATA_DIR / "reference" / "compacts.trig", synthetic]
    )
    assert len(dataset.quads) > 10_000  # 400 cities
    _same(dataset)


def test_synthetic_graph_with_errors(synthetic: Path, tmp_path: Path) -> None:
    # Break a synthetic graph in several ways at once, so that results at scale
    # (many focus nodes, SPARQL constraints over all of them) are compared too.
    broken = tmp_path / "broken.nq"
    lines = synthetic.read_text(encoding="utf-8").splitlines()
    kept = [line for i, line in enumerate(lines) if i % 97 != 0]
    broken.write_text("\n".join(kept) + "\n", encoding="utf-8")
    dataset = load_files(
        [ONTOLOGY_DIR / "glocal.ttl", DATA_DIR / "reference" / "compacts.trig", broken]
    )
    assert len(_same(dataset)) > 10


CURLY = "\u201c" + "x" * 298 + "\u201d"  # 300 characters, 304 UTF-8 bytes


@pytest.mark.parametrize(("quote", "conforms"), [(CURLY, True), (CURLY + "x", False)])
def test_quote_length_counts_characters_not_bytes(quote: str, conforms: bool) -> None:
    assert len(quote.encode()) > 300
    extra = f"""city:bristol gl:attended event:e .
        [] a rdf:Statement ; rdf:subject city:bristol ; rdf:predicate gl:attended ;
           rdf:object event:e ; gl:role gl:Speaker ; gl:quote "{quote}" ; prov:wasDerivedFrom src:s ."""
    violations = _same(_dataset(extra))
    assert (violations == []) is conforms, violations


def test_unsupported_shapes_are_refused_by_name() -> None:
    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://S> a sh:NodeShape ; sh:targetClass <http://C> ;
            sh:property [ sh:path ( <http://p> <http://q> ) ; sh:minCount 1 ; sh:message "m" ] ."""
    with pytest.raises(UnsupportedShapes, match="complex sh:path"):
        read_shapes(shapes)
