"""The HTTP layer: a FastAPI app over a :class:`glocal.store.GraphStore`.

It depends on the core (:mod:`glocal`) and nothing depends on it but the command line.
``create_app(store, settings)`` in :mod:`glocal_api.app` assembles one router per
concern: the SPARQL protocol, resource pages, canned queries, reports, admin routes and
the web UI, whose templates and static assets (bundled from npm) ship inside the package.
"""
