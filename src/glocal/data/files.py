"""What is served: :class:`DataFiles`, the one answer for every command and the server.

The served graph is the curated files (or only the ontology and reference data), extra
files named on the command line, and the folder of stored imports, loaded into one
:class:`~glocal.dataset.Dataset` and checked: the curated and extra files against the
SHACL shapes in full (cached by data version), the imports with the targeted checks of
:mod:`glocal.data.imports.checks`. ``glocal validate``, ``serve``, ``report``,
``export`` and ``import``, the admin routes and the benchmark all load through it, so
they agree on the data version.

Longer than 400 lines: loading, the warm start, checking and the two kinds of import
share one lock and one record of what was checked, which is clearest in one class.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat

from glocal.data.gazetteer import Gazetteer
from glocal.data.imports.checks import check_imports
from glocal.data.imports.context import ImportContext
from glocal.data.imports.mapped import MappedImport
from glocal.data.imports.memberships import memberships_to_quads
from glocal.data.imports.rdf import rdf_to_quads
from glocal.data.imports.stored import (
    ImportResult,
    StoredImport,
    import_graph,
    import_name,
    import_trig,
    read_stored_imports,
)
from glocal.data.problems import (
    DataRejected,
    InvalidDataFiles,
    MalformedDataFiles,
    MissingDataFiles,
    NonconformingData,
)
from glocal.data.storage import (
    folder_lock,
    import_files,
    remove_stale_temporaries,
    write_atomically,
)
from glocal.data.validation import SHAPES_FILE, cache_key, validate_dataset
from glocal.data.violations import ValidationReport
from glocal.dataset import (
    Dataset,
    RDFSyntaxError,
    curated_files,
    data_version,
    files_version,
    load_files,
    reference_files,
)
from glocal.store import EmbeddedStore, default_cache_dir

__all__ = ["DataFiles"]


class DataFiles:
    """The files served: the curated ones, extra files, and a folder of imports.

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
        for ``glocal import``, which checks the import against them but does not
        re-check them.
    curated
        Serve the curated files; without them, only the ontology and the reference
        data (countries, roles) come with the extra files and imports
        (``--without-curated``, e.g. for a synthetic graph).
    validate
        Check anything at all; off, every file is trusted (``--no-validate``).
    cache_checks
        Reuse the results of earlier checks of the same data version (``glocal
        validate --no-cache`` turns this off).
    engine
        The SHACL engine (``"native"`` or ``"pyshacl"``, see
        :func:`~glocal.data.validation.validate_dataset`).

    Examples
    --------
    >>> import tempfile
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
        curated: bool = True,
        validate: bool = True,
        cache_checks: bool = True,
        engine: str = "native",
    ) -> None:
        self.imports_dir = Path(imports_dir)
        self.extra = tuple(Path(p) for p in extra)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.workers = workers
        self.check_base = check_base
        self.curated = curated
        self.validate = validate
        self.cache_checks = cache_checks
        #: The stored imports the last load left out (``skip_broken``), each with why.
        self.skipped: tuple[str, ...] = ()
        self.engine = engine
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
        """The ontology, curated (or only reference) data, and extra files."""
        return (curated_files() if self.curated else reference_files()) + list(self.extra)

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

    def load(
        self,
        *,
        skip: str | None = None,
        progress: Callable[[str], None] | None = None,
        skip_broken: bool = False,
    ) -> Dataset:
        """Parse and check every file into one dataset.

        Parameters
        ----------
        skip
            The name of a stored import to leave out (one about to be replaced).
        progress
            Called with a line once the files are parsed (with the data version) and
            once they are checked.
        skip_broken
            Leave out a stored import that cannot be read, or that breaks the checks,
            and name it in :attr:`skipped`, instead of refusing them all: ``glocal
            serve`` starts on the rest rather than not at all.

        Raises
        ------
        MissingDataFiles
            If a base file does not exist.
        MalformedDataFiles
            If a file is not well-formed RDF (with file and line).
        NonconformingData
            If the curated and extra files break the SHACL shapes.
        InvalidDataFiles
            If an import breaks a shape or a rule (with file and line).
        """
        started = time.perf_counter()
        base, stored = self._read(skip=skip, skip_broken=skip_broken)
        dataset = _join(base, stored)
        if progress is not None:
            progress(
                f"parsed {len(dataset.files)} files, {len(dataset.quads)} quads "
                f"in {time.perf_counter() - started:.2f}s (data version {dataset.version})"
            )
        if self.validate:
            started = time.perf_counter()
            kept = self._check(base, stored, skip_broken=skip_broken)
            if len(kept) < len(stored):
                dataset = _join(base, kept)
            if progress is not None:
                progress(f"validated in {time.perf_counter() - started:.2f}s")
        return dataset

    def open_store(self) -> EmbeddedStore:
        """Load, check and open the store of the current files (built once per version).

        A warm start parses nothing: when the files' bytes hash to a version whose store
        is built and whose checks passed before, that store is opened. The parsed quads
        are not kept: the store has them.

        Raises
        ------
        InvalidDataFiles
            As :meth:`load`; no store is built then.
        """
        warm = self.warm_store()
        if warm is not None:
            return warm
        dataset = self.load()
        return EmbeddedStore.open(dataset, cache_dir=self.cache_dir, workers=self.workers)

    def warm_store(self, **options: Any) -> EmbeddedStore | None:
        """The cached store of the current files, if they were checked before; or None.

        Nothing is parsed: the files' bytes are hashed. ``options`` go to
        :class:`~glocal.store.EmbeddedStore` (``federation``, ``memory_mb``).
        """
        paths = self.base_paths()
        if not self.cache_checks or not all(p.is_file() for p in paths):
            return None
        base = files_version(paths)
        stored = [(p, p.read_bytes()) for p in import_files(self.imports_dir)]
        version = base
        if stored:
            version = data_version(
                [("base", base.encode())] + [(path.name, raw) for path, raw in stored]
            )
        if self.validate:
            if self.check_base:
                key = cache_key(base, SHAPES_FILE.read_bytes(), self.engine)
                cached = self.cache_dir / "validation" / f"{key}.json"
                if (
                    not cached.is_file()
                    or not ValidationReport.from_json(cached.read_text()).conforms
                ):
                    return None
            if stored and not self._checked_marker(base, stored).is_file():
                return None
        return EmbeddedStore.cached(
            version, cache_dir=self.cache_dir, workers=self.workers, **options
        )

    def _read(
        self, *, skip: str | None = None, skip_broken: bool = False
    ) -> tuple[Dataset, list[StoredImport]]:
        """Parse the base files and the stored imports, unchecked."""
        paths = self.base_paths()
        missing = [p for p in paths if not p.is_file()]
        if missing:
            raise MissingDataFiles(missing)
        try:
            base = load_files(paths)
        except RDFSyntaxError as err:
            raise MalformedDataFiles([err], "the data files cannot be loaded") from None
        broken: list[RDFSyntaxError] | None = [] if skip_broken else None
        stored = read_stored_imports(self.imports_dir, skip=skip, broken=broken)
        self.skipped = tuple(f"{err}; the import is left out" for err in broken or ())
        return base, stored

    def _check(
        self, base: Dataset, stored: Sequence[StoredImport], *, skip_broken: bool = False
    ) -> Sequence[StoredImport]:
        """Validate the base (if asked) and the stored imports (unless done before);
        the imports kept (all, unless ``skip_broken`` left some out)."""
        if self.check_base:
            cache = self.cache_dir if self.cache_checks else None
            report = validate_dataset(base, cache_dir=cache, engine=self.engine)
            if not report.conforms:
                raise NonconformingData(report)
        if not stored:
            return stored
        marker = self._checked_marker(base.version, [(s.path, s.raw) for s in stored])
        if self.cache_checks and marker.is_file():
            return stored
        problems = check_imports(ImportContext(base.quads), [s.part for s in stored])
        kept = [s for s in stored if str(s.path) not in {p.file for p in problems}]
        if problems and skip_broken and len(kept) < len(stored):
            self.skipped += tuple(f"{p}; the import is left out" for p in problems)
            return self._check(base, kept, skip_broken=True)
        if problems:
            raise InvalidDataFiles(problems, "the stored imports do not form a valid graph")
        if self.cache_checks:
            write_atomically(marker, b"")
        return stored

    def _checked_marker(self, base: str, stored: Sequence[tuple[Path, bytes]]) -> Path:
        # Checking every import costs about a millisecond per node, on every start and
        # reload; a marker named by the content of everything checked (as the
        # validation cache does for the curated data) makes unchanged data free.
        key = data_version(
            [("base", base.encode()), ("shapes", SHAPES_FILE.read_bytes())]
            + [(f"imports/{path.name}", raw) for path, raw in stored]
        )
        return self.cache_dir / "validation" / f"imports-{key}.ok"

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
        :func:`~glocal.data.imports.memberships.memberships_to_quads` for the columns).

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
        name = import_name(name, file_name)
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
        """Check an RDF file and store it as an import (see
        :func:`~glocal.data.imports.rdf.rdf_to_quads`).

        Parameters are those of :meth:`import_memberships`, plus ``fmt``, the syntax.

        Raises
        ------
        DataRejected
            If it is malformed (with the line) or breaks a shape; nothing is written.
        """
        name = import_name(name, file_name)

        def build(context: ImportContext, iri: str) -> MappedImport:
            return rdf_to_quads(data, fmt=fmt, graph=iri, file_name=file_name, title=source_label)

        options = json.dumps([str(fmt), source_label]).encode()
        return self._import(name, data + options, graph, build, out, "triples")

    def _import(
        self,
        name: str,
        content: bytes,
        graph: str | None,
        build: Callable[[ImportContext, str], MappedImport],
        out: Path | None,
        what: str,
    ) -> ImportResult:
        iri = import_graph(name, content, graph)
        target = out if out is not None else self.imports_dir / f"{name}.trig"
        # Only writes into the imports folder need the folder lock; --out does not.
        locked = folder_lock(self.imports_dir) if out is None else contextlib.nullcontext()
        with self.lock, locked:
            base, stored = self._read(skip=name if out is None else None)
            if self.validate:
                self._check(base, stored)
            context = ImportContext(_join(base, stored).quads)
            part = build(context, iri)
            # Imports already stored were checked by _check(); adding triples can only
            # break shapes on the new import's own subjects (see glocal.data.imports).
            problems = check_imports(context, [part])
            if problems:
                raise DataRejected(problems)
            trig = import_trig(part, name, what)
            if out is None:
                remove_stale_temporaries(self.imports_dir)
            write_atomically(target, trig)
            if out is None and self.cache_checks:
                # The folder now holds exactly what was checked: record that for load().
                checked = [(s.path, s.raw) for s in stored] + [(target, trig)]
                write_atomically(self._checked_marker(base.version, checked), b"")
        return ImportResult(name, iri, target, part.facts, len(part.quads))


def _join(base: Dataset, stored: Sequence[StoredImport]) -> Dataset:
    """The base dataset with the stored imports added, under their combined data version."""
    if not stored:
        return base
    quads = list(base.quads)
    subject_files = dict(base.subject_files)
    blobs = [("base", base.version.encode())]
    for item in stored:
        quads += item.part.quads
        blobs.append((item.path.name, item.raw))
        for quad in item.part.quads:
            if isinstance(quad.subject, NamedNode):  # stored imports have no blank nodes
                subject_files.setdefault(quad.subject.value, str(item.path))
    files = base.files + tuple(item.path for item in stored)
    return Dataset(quads, files, data_version(blobs), subject_files)
