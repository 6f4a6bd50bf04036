"""The data layer: what is served, how it is checked, and how researchers add to it.

- :mod:`~glocal.data.files`: :class:`~glocal.data.files.DataFiles`, the one answer to
  "what is served" (curated files, extra files and stored imports), loaded and checked
  for every command and the server, and the entry point of imports;
- :mod:`~glocal.data.validation`: SHACL validation of a dataset, cached by data version,
  with the native engine (:mod:`~glocal.data.shapes`, :mod:`~glocal.data.conformance`)
  or pySHACL, the reference; :mod:`~glocal.data.violations`: what it reports;
- :mod:`~glocal.data.problems`: why data is refused (problems with their file and row
  or line, and the errors that carry them);
- :mod:`~glocal.data.storage`: the imports folder on disk (atomic writes, a lock);
- :mod:`~glocal.data.imports`: the researcher's own data (a CSV of memberships, or RDF)
  mapped to glocal's model and checked;
- :mod:`~glocal.data.gazetteer`: GeoNames cities, to place imported cities;
- :mod:`~glocal.data.names`: slugs and folded names;
- :mod:`~glocal.data.synth`: synthetic graphs of researcher scale, of the same shape.

It depends on :mod:`glocal.store`, :mod:`glocal.dataset` and :mod:`glocal.namespaces`.
"""
