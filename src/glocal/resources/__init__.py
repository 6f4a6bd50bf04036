"""The files glocal ships: the ontology and shapes, the curated data, the canned queries.

They live at the repository's top level (``ontology/``, ``data/``, ``queries/``), where
curators edit them, and reach this package through symbolic links, so that an editable
install and a wheel find them the same way: through :mod:`importlib.resources`, never
by walking up from a source file.

>>> (ONTOLOGY_DIR / "glocal.ttl").is_file()
True
>>> sorted(p.name for p in DATA_DIR.iterdir() if p.is_dir())
['reference', 'sources']
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["DATA_DIR", "ONTOLOGY_DIR", "QUERIES_DIR", "RESOURCES_ROOT", "SHAPES_FILE"]


def _folder(name: str) -> Path:
    found = files(__name__) / name
    if not isinstance(found, Path):
        # A zipped install would hand out zip paths, which Oxigraph's parsers cannot open.
        raise RuntimeError(f"glocal must be installed unpacked; cannot open {found}")
    # Resolved, so that messages name the file a curator edits, not the link to it.
    return found.resolve()


#: ``ontology/``: the OWL ontology (``glocal.ttl``) and the SHACL shapes (``shapes.ttl``).
ONTOLOGY_DIR = _folder("ontology")
#: ``data/``: the curated sources and the reference data.
DATA_DIR = _folder("data")
#: ``queries/``: the canned queries, one ``.rq`` file each.
QUERIES_DIR = _folder("queries")
#: The folder holding all three: the checkout's root, or the installed package's folder.
RESOURCES_ROOT = ONTOLOGY_DIR.parent
#: The SHACL shapes every dataset must conform to.
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
