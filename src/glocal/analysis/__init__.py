"""Network analysis of the city graph: which cities are pivotal, and why.

- :mod:`~glocal.analysis.ties`: reads cities and their ties (with quotes) from the
  store; the only module here that does I/O;
- :mod:`~glocal.analysis.graph`: layers, weights and the bipartite graph built from ties;
- :mod:`~glocal.analysis.evidence`: the facts behind each city's ties;
- :mod:`~glocal.analysis.centrality` (with :mod:`~glocal.analysis.engines`),
  :mod:`~glocal.analysis.projection`, :mod:`~glocal.analysis.communities`: measures;
- :mod:`~glocal.analysis.pivotality`: the composite ranking and its layer sensitivity;
- :mod:`~glocal.analysis.agreement`: the ranking against the expert list.

Everything but :mod:`~glocal.analysis.ties` takes ties or a graph and returns plain data.
"""
