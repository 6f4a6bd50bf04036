"""What the routers share: the server's settings, the current store and the caches.

:class:`Runtime` lives on ``app.state`` and holds the store that is served now, which
a reload, an import or an update swaps for a new version (:meth:`Runtime.swap`).
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from glocal.canned import CannedQuery, load_queries
from glocal.store import GraphStore, QueryForm, query_form
from glocal.store.versioned import VersionedCache
from glocal.views.browse import browse
from glocal.views.catalogue import Catalogue, start_catalogue
from glocal.views.labels import start_labels
from glocal.views.search import prepare
from glocal_api.client_slots import ClientSlots
from glocal_api.settings import Settings

__all__ = ["ResultCache", "Runtime", "Settings", "runtime_of"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass
class ResultCache:
    """Serialized results of recent queries, keyed by data version and request, kept as
    they are and gzip-compressed.

    A key includes the data version, so a reload or update never serves stale results.
    Bodies are compressed once, when stored: a hit for a client that accepts gzip
    (:meth:`get_gzip`, sent with ``Content-Encoding: gzip``, which the GZip middleware
    passes through) costs a lookup whatever its size, instead of compressing again on
    every hit (3.6 ms for a 1,000-row answer). ``max_bytes`` bounds the uncompressed size.
    """

    entries: int
    max_bytes: int
    _items: OrderedDict[str, tuple[str, bytes, bytes]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _get(self, key: str) -> tuple[str, bytes, bytes] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def get(self, key: str) -> tuple[str, bytes] | None:
        """The media type and body stored under ``key``, if any."""
        item = self._get(key)
        return None if item is None else (item[0], item[1])

    def get_gzip(self, key: str) -> tuple[str, bytes] | None:
        """The media type and gzip-compressed body stored under ``key``, if any.

        >>> cache = ResultCache(2, 1000)
        >>> cache.put("k", "text/csv", b"a,b")
        >>> media_type, body = cache.get_gzip("k")
        >>> media_type, gzip.decompress(body), cache.get("k")
        ('text/csv', b'a,b', ('text/csv', b'a,b'))
        """
        item = self._get(key)
        return None if item is None else (item[0], item[2])

    def put(self, key: str, media_type: str, body: bytes) -> None:
        """Keep a body no larger than ``max_bytes``; drop the oldest beyond ``entries``."""
        if len(body) > self.max_bytes:
            return
        # Level 5, compressed once for every hit: level 9 costs much more for a few % less.
        compressed = gzip.compress(body, compresslevel=5, mtime=0)
        with self._lock:
            self._items[key] = (media_type, body, compressed)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


class Runtime:
    """What the routers share: the current store (swappable on reload), settings, caches."""

    def __init__(
        self, store: GraphStore, settings: Settings, *, clients: ClientSlots | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.queries: dict[str, CannedQuery] = load_queries()
        # Binding values (a VALUES block) never changes a query's form: found once here,
        # it spares every canned request a parsing round trip to a query worker.
        self.forms: dict[str, QueryForm] = {
            name: query_form(query.sparql) for name, query in self.queries.items()
        }
        self.results = ResultCache(settings.result_cache_entries, settings.result_cache_max_bytes)
        # Shared with the other HTTP processes when there are several.
        self.clients = clients or ClientSlots(settings.max_queries_per_client)
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        # Reports keyed by (data version, options), and their renderings: computing one
        # takes ~0.5 s on the curated graph and minutes at 20,000 cities, rendering its
        # HTML about a second, so each is done once.
        self.reports: VersionedCache[object] = VersionedCache(32)
        # Resource pages by (data version, IRI, media type, report state), plain and
        # gzip-compressed: the most read pages, each made once (see glocal_api.pages).
        self.pages: VersionedCache[tuple[bytes, bytes | None]] = VersionedCache(512)
        # Set when the server shuts down: background reports stop at their next step.
        self.stopping = threading.Event()
        self.warm()

    def warm(self) -> None:
        """Start building the catalogue of the served version in the background, then
        its name index and each index's facet counts, and reading its labels, so that
        no request (browse, search, resource pages) waits for the whole build."""
        start_catalogue(self.store).add_done_callback(_prepare)
        start_labels(self.store)

    def stop(self) -> None:
        """Ask background computations to stop at their next step (at shutdown)."""
        self.stopping.set()

    def swap(self, store: GraphStore) -> None:
        """Switch to a new store version; the old one's workers stop after a grace period.

        Requests that already hold the old store finish on it: its workers live on for
        one query time limit before they are stopped.
        """
        old, self.store = self.store, store
        self.warm()
        timer = threading.Timer(self.settings.timeout + 1, old.close)
        timer.daemon = True
        timer.start()


def _prepare(built: Future[Catalogue]) -> None:
    """What browse and search read of a catalogue just built: the name index and every
    unfiltered index with its facet counts (seconds at 20,000 cities)."""
    if built.exception() is not None:
        return  # the next request that needs the catalogue builds it, and says why not
    known = built.result()
    prepare(known)
    for kind in known.counts():
        browse(known, kind)


def runtime_of(request: Request) -> Runtime:
    """The runtime of the app that serves a request."""
    runtime: Runtime = request.app.state.runtime
    return runtime
