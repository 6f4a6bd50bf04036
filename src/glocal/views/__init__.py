"""Views of the graph that the API and the command line show.

- :mod:`~glocal.views.resource`: one description of a resource, for HTML and RDF alike,
  its facts under the plain headings of :mod:`~glocal.views.headings`;
- :mod:`~glocal.views.labels`: every label of the graph by IRI, read once per version;
- :mod:`~glocal.views.catalogue`: every resource with its labels and facets, per version;
- :mod:`~glocal.views.browse`: the index of one kind of resource, with facets and sorting;
- :mod:`~glocal.views.search`: name search, accent- and case-insensitive, and "did you mean";
- :mod:`~glocal.views.service`: the SPARQL service description with VoID statistics;
- :mod:`~glocal.views.counts`: entity counts for ``glocal validate``.

They read through :class:`glocal.store.GraphStore` and hold no HTTP.
"""
