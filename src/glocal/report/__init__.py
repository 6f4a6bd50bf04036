"""Reports built on the network analysis: the pivotal-cities report and graph exports.

- :mod:`~glocal.report.model`: the typed report data (dataclasses) and its JSON form;
- :mod:`~glocal.report.build`: runs the analysis on a store and assembles the report;
- :mod:`~glocal.report.sections`: the report's sections, from finished analysis results;
- :mod:`~glocal.report.text`: JSON, CSV and Markdown renderings;
- :mod:`~glocal.report.html`: the self-contained HTML page, with the chart geometry of
  :mod:`~glocal.report.svg`;
- :mod:`~glocal.report.export`: GraphML, GEXF and CSV for Gephi and other tools.

Reports depend on :mod:`glocal.analysis` and :mod:`glocal.store`; nothing in the core
depends on them.
"""
