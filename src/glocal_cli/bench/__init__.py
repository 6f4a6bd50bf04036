"""``glocal bench``: load, validation, query latency, HTTP overhead, throughput and engine
comparisons, measured in one run and written to ``bench.json`` and ``bench.md``.

Every ratio in the output is computed from numbers measured in the same run, on the
same machine:

- **Graphs** (:mod:`~glocal_cli.bench.graphs`). The curated graph, and a larger
  synthetic one: the curated files plus :func:`glocal.data.synth.write_synthetic` output
  (20,000 cities, 1,000 networks, about 60,000 memberships), both loaded through
  :class:`~glocal.data.imports.DataFiles`. Load time is parsing plus building the
  on-disk Oxigraph store in an empty cache folder. SHACL validation is slow (pySHACL),
  so the synthetic graph's validation runs on a smaller synthetic graph, and says so.
- **Canned queries** (:mod:`~glocal_cli.bench.latency`; ``queries/*.rq`` with their
  defaults): in-process latency (:meth:`EmbeddedStore.query
  <glocal.store.EmbeddedStore.query>`, every row consumed) and latency over HTTP against
  a real uvicorn server (``create_app``) in its own process on a free ``127.0.0.1`` port
  (:mod:`~glocal_cli.bench.servers`): ``/queries/{name}`` on a server whose result cache
  is off, ``/sparql`` with a unique comment appended (so no cache can answer it), and a
  cached repeat on a second server with the cache on. The servers add a
  ``Server-Timing`` header (time from request to response headers, measured by an ASGI
  wrapper around the whole app), which gives the server time of a cache hit.
- **Throughput** (:mod:`~glocal_cli.bench.throughput`) of a mix of canned queries from
  8 and 32 clients, uncached and cached, for a fixed time, with errors counted; and
  **serving** (:mod:`~glocal_cli.bench.serving`): ``glocal serve``'s default against
  one h11 process and against Virtuoso. Every load comes from one client, wrk
  (:mod:`~glocal_cli.bench.wrk`), in its own process.
- **The network-size aggregation** (:mod:`~glocal_cli.bench.engines`) on the embedded
  store in-process and over HTTP, on Virtuoso (Debian's ``virtuoso-opensource``, started
  on loopback by :mod:`glocal.store.virtuoso`) through
  :class:`~glocal.store.remote.RemoteStore` and over its own HTTP endpoint, and on
  `rdflib-endpoint <https://pypi.org/project/rdflib-endpoint/>`_ 0.6.3 (the ``bench``
  extra) serving the same files from an rdflib ``Dataset`` in a separate uvicorn process.
- **The pivotal report** (:mod:`~glocal_cli.bench.report_cost`): ``glocal report
  pivotal`` as users run it (with layer sensitivity and intervals) on the curated graph
  and on 2,000 and 5,000 synthetic cities, its time and the peak memory of its whole
  process tree (sampled from ``/proc``), and the size of its HTML page and the time it
  takes to open in headless Chromium (:mod:`~glocal_cli.bench.html_open`).

The rest: :mod:`~glocal_cli.bench.options` (what a run measures),
:mod:`~glocal_cli.bench.timing` (sampling and statistics), :mod:`~glocal_cli.bench.goals`
(the targets), :mod:`~glocal_cli.bench.run` (one run, in order),
:mod:`~glocal_cli.bench.markdown` (``bench.md``) and :mod:`~glocal_cli.bench.command`
(the command line).

Nothing listens beyond loopback. Progress goes to stderr.
"""
