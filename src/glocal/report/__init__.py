"""Reports built on the network analysis: the pivotal-cities report and graph exports.

- :mod:`~glocal.report.build`: runs the analysis and assembles the report;
- :mod:`~glocal.report.export`: GraphML, GEXF and CSV for Gephi and other tools.

Reports depend on :mod:`glocal.analysis` and :mod:`glocal.store`; nothing in the core
depends on them.
"""
