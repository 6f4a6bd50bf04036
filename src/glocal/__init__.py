"""glocal: a knowledge graph of how cities act in global migration governance.

The core library has no HTTP in it: :mod:`glocal.store` loads and queries the graph,
:mod:`glocal.data.validation` checks it against the SHACL shapes, :mod:`glocal.canned` runs
the canned queries and :mod:`glocal.analysis` measures the city network.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
