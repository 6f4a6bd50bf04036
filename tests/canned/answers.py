"""Reading a canned query's answer as comparable rows, and small graphs to ask, for the
canned-query tests."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, QuerySolutions

from glocal.dataset import load_files
from glocal.store import EmbeddedStore

Row = tuple[str, ...]


def rows(store: EmbeddedStore, sparql: str) -> list[Row]:
    """The rows of a ``SELECT`` answer as strings, a ``GROUP_CONCAT`` list (of names
    separated by ``"; "``, or of IRIs by spaces) read as a set: SPARQL leaves its order to
    the engine."""
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]

    def cell(term: object) -> str:
        if isinstance(term, Literal) and "; " in term.value:
            return "; ".join(sorted(term.value.split("; ")))
        if isinstance(term, Literal) and all(
            part.startswith("http") for part in term.value.split(" ")
        ):  # a space-separated list of IRIs (corroborated-facts' sources)
            return " ".join(sorted(term.value.split(" ")))
        return "" if term is None else str(term)

    return [tuple(cell(solution[n]) for n in names) for solution in result]


def trig_store(folder: Path, trig: str) -> EmbeddedStore:
    """An embedded store of a small graph written in TriG, for the edge cases of a query
    that the curated and synthetic graphs lack; built in ``folder``."""
    path = folder / "edges.trig"
    path.write_text(trig, encoding="utf-8")
    return EmbeddedStore.open(load_files([path]), cache_dir=folder / "cache")
