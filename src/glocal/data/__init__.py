"""The data layer: what is served, how it is checked, and how researchers add to it.

- :mod:`~glocal.data.validation`: SHACL validation of a dataset, cached by data version;
- :mod:`~glocal.data.imports`: the researcher's own data (a CSV of memberships, or RDF),
  checked and stored; and :class:`~glocal.data.imports.DataFiles`, the one answer to
  "what is served" (curated files, extra files and stored imports);
- :mod:`~glocal.data.synth`: synthetic graphs of researcher scale, of the same shape.

It depends on :mod:`glocal.store`, :mod:`glocal.canned` and :mod:`glocal.dataset`.
"""
