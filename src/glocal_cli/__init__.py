"""The ``glocal`` command line: the outermost layer.

It parses arguments, loads the dataset through :class:`glocal.data.files.DataFiles`
(the one answer to "what is served"), and hands the store to the API
(:mod:`glocal_api`) or to the core's reports. Nothing imports this package.

- :mod:`~glocal_cli.main`: the argument parser and the commands;
- :mod:`~glocal_cli.bench`: ``glocal bench``.
"""
