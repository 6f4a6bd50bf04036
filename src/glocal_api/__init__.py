"""The web API over the core: the SPARQL endpoint, canned queries, resource pages, reports.

:func:`glocal_api.app.create_app` assembles one router per concern over any
:class:`glocal.store.GraphStore`. Cross-cutting concerns have one module each:
:mod:`~glocal_api.errors` (every error to one status code), :mod:`~glocal_api.auth`
(the bearer token), :mod:`~glocal_api.bodies` (request bodies),
:mod:`~glocal_api.query` (answering a query) and :mod:`~glocal_api.runtime` (settings,
the current store, caches). Media types come from :mod:`glocal.formats`.
"""
