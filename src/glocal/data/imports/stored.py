"""Stored imports: an import's name and graph IRI, its TriG file, the result of storing it,
and reading the files back."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse, serialize

from glocal.data.imports.mapped import MappedImport
from glocal.data.imports.rdf import subject_lines
from glocal.data.names import slugify
from glocal.data.problems import DataRejected, MalformedDataFiles, Problem
from glocal.data.storage import import_files
from glocal.dataset import RDFSyntaxError, parse_file
from glocal.namespaces import ID, PREFIXES

__all__ = [
    "IMPORT_NAMESPACE",
    "ImportResult",
    "StoredImport",
    "import_graph",
    "import_name",
    "import_trig",
    "read_stored_imports",
]

#: Imports' graphs (and their ``gl:ImportedSource``) live under this namespace.
IMPORT_NAMESPACE = ID + "import/"

#: Bumped when the same CSV would map to different RDF, so its graph IRI changes too.
_IMPORTER_VERSION = "1"
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def import_name(name: str | None, file_name: str) -> str:
    """The import's name: ``name``, or a slug of the file name; it must be a slug.

    >>> import_name(None, "My Members.csv")
    'my-members'
    >>> import_name("Members", "x.csv")
    Traceback (most recent call last):
    ...
    glocal.data.problems.DataRejected: import rejected (1 problem):
      x.csv: import name 'Members' is not a slug ...
    """
    chosen = name if name is not None else slugify(Path(file_name).stem) or "import"
    if not _NAME.match(chosen) or len(chosen) > 80:
        raise DataRejected(
            [
                Problem(
                    file_name,
                    None,
                    f"import name {chosen!r} is not a slug (lowercase letters, digits "
                    "and single hyphens, at most 80 characters)",
                )
            ]
        )
    return chosen


def import_graph(name: str, content: bytes, graph: str | None = None) -> str:
    """The import's graph IRI: ``graph``, or ``id:import/<name>-<hash of the content>``.

    >>> import_graph("members", b"city,country,network").startswith(IMPORT_NAMESPACE + "members-")
    True
    """
    digest = hashlib.sha256(_IMPORTER_VERSION.encode() + b"\0" + content).hexdigest()[:12]
    iri = graph or f"{IMPORT_NAMESPACE}{name}-{digest}"
    try:
        NamedNode(iri)
    except ValueError:
        raise DataRejected([Problem(name, None, f"graph {iri!r} is not an IRI")]) from None
    return iri


def import_trig(part: MappedImport, name: str, what: str) -> bytes:
    """The TriG file of an accepted import, with a header saying where it came from."""
    header = (
        f"# glocal import {name!r}: {part.facts} {what} from "
        f"{' '.join(part.file.split())}, in graph <{part.graph}>.\n"
        "# Written by `glocal import`: change the source file and import it again "
        "rather than editing this one.\n"
    )
    body = serialize(part.quads, format=RdfFormat.TRIG, prefixes=_prefixes(part.quads))
    assert body is not None  # serialize returns None only when given an output file
    content = header.encode() + body
    # Read it back before it is stored: a file the server could not load at start-up
    # must never replace a good one.
    try:
        back = sum(1 for _ in parse(content, RdfFormat.TRIG))
    except SyntaxError as err:
        raise DataRejected(
            [Problem(part.file, None, f"the stored form of this import cannot be read back: {err}")]
        ) from None
    if back != len(part.quads):
        raise DataRejected(
            [
                Problem(
                    part.file, None, f"the stored form reads back {back} of {len(part.quads)} quads"
                )
            ]
        )
    return content


def _prefixes(quads: list[Quad]) -> dict[str, str]:
    # The prefixes a stored import uses, with its own namespace as ``import:`` (the
    # ``id:`` prefix would write ``id:import\/...``).
    candidates = {"import": IMPORT_NAMESPACE} | {k: v for k, v in PREFIXES.items() if k != "id"}
    used = {
        term.value
        for quad in quads
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name)
        if isinstance(term, NamedNode)
    } | {q.object.datatype.value for q in quads if isinstance(q.object, Literal)}
    return {
        prefix: namespace
        for prefix, namespace in candidates.items()
        if any(iri.startswith(namespace) for iri in used)
    }


@dataclass(frozen=True)
class ImportResult:
    """An accepted import: its name, graph, stored file and size."""

    name: str
    graph: str
    path: Path
    facts: int
    triples: int

    def to_json(self) -> dict[str, str | int]:
        """The result as a JSON object for the HTTP API."""
        return {
            "name": self.name,
            "graph": self.graph,
            "file": self.path.name,
            "facts": self.facts,
            "triples": self.triples,
        }


@dataclass(frozen=True)
class StoredImport:
    """A stored import file: its path, its bytes (for the data version) and its quads."""

    path: Path
    raw: bytes
    part: MappedImport


def read_stored_imports(
    folder: Path, *, skip: str | None = None, broken: list[RDFSyntaxError] | None = None
) -> list[StoredImport]:
    """Parse every stored import of ``folder`` (but ``skip``), with the line of each subject.

    A file removed while the folder is read is left out. With a ``broken`` list, a file
    that cannot be parsed is left out too, and its error added to the list.

    Raises
    ------
    MalformedDataFiles
        With every malformed file and its line (unless ``broken`` is given).
    """
    stored = []
    errors = []
    for path in import_files(folder):
        if path.stem == skip:
            continue
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            continue
        try:
            quads = parse_file(path, data=raw)
        except RDFSyntaxError as err:
            errors.append(err)
            continue
        part = MappedImport("", quads, subject_lines(quads, raw), facts=0, file=str(path))
        stored.append(StoredImport(path, raw, part))
    if broken is not None:
        broken.extend(errors)
    elif errors:
        raise MalformedDataFiles(errors, "the stored imports cannot be loaded")
    return stored
