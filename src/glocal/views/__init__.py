"""Views of the graph that the API and the command line show.

- :mod:`~glocal.views.resource`: one description of a resource, for HTML and RDF alike;
- :mod:`~glocal.views.service`: the SPARQL service description with VoID statistics;
- :mod:`~glocal.views.counts`: entity counts for ``glocal validate``.

They read through :class:`glocal.store.GraphStore` and hold no HTTP.
"""
