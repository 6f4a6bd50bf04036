"""The RDF made from an import, with the row or line each subject came from."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Quad

__all__ = ["MappedImport"]


@dataclass
class MappedImport:
    """RDF made from imported data, with where each subject came from.

    ``locations`` maps a subject IRI to the row or line that first produced it, so a
    SHACL violation on that node is reported there.
    """

    graph: str
    quads: list[Quad]
    locations: dict[str, int]
    facts: int
    unit: str = "line"
    file: str = ""
