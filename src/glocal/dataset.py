"""Find and parse glocal's RDF files, and compute the data version.

Every file is parsed with Oxigraph's parsers (fast, strict, and their errors carry a
line and column). Triples from a file without graphs (Turtle, N-Triples, RDF/XML,
JSON-LD) go into a named graph: the ontology into its own IRI, any other file into a
graph named after the file, so every quad still says where it came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, parse

from glocal.formats import RDF_EXTENSIONS
from glocal.namespaces import ONTOLOGY_GRAPH
from glocal.resources import DATA_DIR, ONTOLOGY_DIR, RESOURCES_ROOT

__all__ = [
    "Dataset",
    "RDFSyntaxError",
    "curated_files",
    "data_version",
    "files_version",
    "graph_for_file",
    "load_files",
    "parse_file",
    "reference_files",
]

#: Bumped when the way files become quads changes, so cached stores are rebuilt.
LOADER_VERSION = "1"


class RDFSyntaxError(ValueError):
    """A file is not well-formed RDF; the message names the file, line and column."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Dataset:
    """Parsed quads plus the file each came from and the version of the whole."""

    quads: list[Quad]
    files: tuple[Path, ...]
    version: str
    #: For each subject IRI or blank node id, the first file that mentions it.
    subject_files: dict[str, str]


def curated_files() -> list[Path]:
    """The ontology and every curated data file, in a stable order.

    SHACL shapes are validation code, not data, so ``ontology/shapes.ttl`` is left out.
    """
    ontology = sorted(p for p in ONTOLOGY_DIR.glob("*.ttl") if p.name != "shapes.ttl")
    data = sorted(p for p in DATA_DIR.rglob("*") if p.is_file() and p.suffix in RDF_EXTENSIONS)
    return ontology + data


def reference_files() -> list[Path]:
    """The ontology and public reference data (countries, roles), without curated sources.

    >>> any("sources" in p.parts for p in reference_files())
    False
    """
    return [p for p in curated_files() if "sources" not in p.parts]


def graph_for_file(path: Path) -> NamedNode:
    """The named graph for triples of a file that names no graph itself."""
    if path.parent.name == "ontology" and path.name == "glocal.ttl":
        return NamedNode(ONTOLOGY_GRAPH)
    return NamedNode(path.resolve().as_uri())


def rdf_format(path: Path) -> RdfFormat:
    """The RDF syntax of a file, from its extension."""
    try:
        return RDF_EXTENSIONS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(RDF_EXTENSIONS))
        raise RDFSyntaxError(
            path, f"unknown RDF file extension {path.suffix!r}; use one of {known}"
        ) from None


def parse_file(path: Path, *, data: bytes | None = None) -> list[Quad]:
    """Parse one RDF file into quads.

    Raises
    ------
    RDFSyntaxError
        If the file is malformed, with its path and line.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.ttl"
    >>> _ = p.write_text('<http://a> <http://b> "unterminated .')
    >>> parse_file(p)
    Traceback (most recent call last):
    ...
    glocal.dataset.RDFSyntaxError: ...x.ttl:1: Parser error ...
    >>> _ = p.write_text("")
    >>> parse_file(p)
    Traceback (most recent call last):
    ...
    glocal.dataset.RDFSyntaxError: ...x.ttl: the file holds no triples (empty or truncated)
    """
    fmt = rdf_format(path)
    raw = path.read_bytes() if data is None else data
    graph = graph_for_file(path)
    try:
        quads = list(parse(raw, fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as err:
        raise RDFSyntaxError(path, str(err.msg), err.lineno) from None
    if not quads:
        # A 0-byte or truncated file is well-formed but empty: serving it would quietly
        # drop every fact it held, so it is refused like a malformed one.
        raise RDFSyntaxError(path, "the file holds no triples (empty or truncated)")
    return [
        Quad(q.subject, q.predicate, q.object, graph) if q.graph_name == DefaultGraph() else q
        for q in quads
    ]


def data_version(contents: Iterable[tuple[str, bytes]]) -> str:
    """A content hash over (name, bytes) pairs: the same files give the same version.

    >>> data_version([("a.ttl", b"x")]) == data_version([("a.ttl", b"x")])
    True
    >>> data_version([("a.ttl", b"x")]) == data_version([("a.ttl", b"y")])
    False
    """
    digest = hashlib.sha256(LOADER_VERSION.encode())
    for name, blob in sorted(contents):
        digest.update(name.encode() + b"\0" + hashlib.sha256(blob).digest())
    return digest.hexdigest()[:16]


def files_version(paths: Sequence[Path]) -> str:
    """The data version :func:`load_files` gives these files, from their bytes alone
    (hashing is a hundred times faster than parsing, so a warm start skips parsing).

    >>> files_version(curated_files()) == load_files(curated_files()).version
    True
    """
    return data_version((_version_name(path), path.read_bytes()) for path in paths)


def load_files(paths: Sequence[Path]) -> Dataset:
    """Parse files into one :class:`Dataset`, stopping at the first malformed file."""
    quads: list[Quad] = []
    blobs: list[tuple[str, bytes]] = []
    subject_files: dict[str, str] = {}
    for path in paths:
        raw = path.read_bytes()
        blobs.append((_version_name(path), raw))
        parsed = parse_file(path, data=raw)
        for quad in parsed:
            subject = quad.subject
            if isinstance(subject, NamedNode):
                subject_files.setdefault(subject.value, str(path))
            elif isinstance(subject, BlankNode):
                subject_files.setdefault(f"_:{subject.value}", str(path))
        quads.extend(parsed)
    return Dataset(quads, tuple(paths), data_version(blobs), subject_files)


def _version_name(path: Path) -> str:
    # Curated files are hashed by their path inside the shipped folders, so every clone
    # and every install of the same commit gets the same version; other files by their
    # absolute path.
    try:
        return str(path.resolve().relative_to(RESOURCES_ROOT))
    except ValueError:
        return str(path.resolve())
