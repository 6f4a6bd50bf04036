"""glocal: a knowledge graph of how cities act in global migration governance.

The core library has no HTTP in it: :mod:`glocal.store` loads and queries the graph,
:mod:`glocal.validate` checks it against the SHACL shapes, :mod:`glocal.queries` runs
the canned queries and :mod:`glocal.analysis` measures the city network.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
