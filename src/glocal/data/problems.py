"""Why data is refused: one :class:`Problem` per place, gathered in a :class:`DataRejected`.

An import is rejected with every problem found (:class:`DataRejected`); files on disk
that do not form a valid graph raise :class:`InvalidDataFiles`, or one of its kinds that
a command line reports in its own words (:class:`MissingDataFiles`,
:class:`MalformedDataFiles`, :class:`NonconformingData`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from glocal.data.validation import ValidationReport
from glocal.dataset import RDFSyntaxError

__all__ = [
    "DataRejected",
    "InvalidDataFiles",
    "MalformedDataFiles",
    "MissingDataFiles",
    "NonconformingData",
    "Problem",
    "syntax_problem",
]

#: The most problems a message lists; the rest are counted.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One reason to reject data: where it is (file, row or line) and what is wrong.

    >>> str(Problem("members.csv", 3, "unknown role 'boss'", unit="row"))
    "members.csv row 3: unknown role 'boss'"
    >>> str(Problem("mine.ttl", 2, "Parser error"))
    'mine.ttl:2: Parser error'
    """

    file: str
    line: int | None
    message: str
    #: ``"row"`` for CSV rows (numbered like the file's lines), ``"line"`` otherwise.
    unit: str = "line"

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        if self.unit == "row":
            return f"{self.file} row {self.line}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"

    def to_json(self) -> dict[str, str | int | None]:
        """The problem as a JSON object for the HTTP API."""
        return {"file": self.file, self.unit: self.line, "message": self.message}


def syntax_problem(err: RDFSyntaxError) -> Problem:
    """The problem of a malformed RDF file, at its line.

    >>> str(syntax_problem(RDFSyntaxError("x.ttl", "Parser error", 3)))
    'x.ttl:3: malformed RDF: Parser error'
    """
    where = f"{err.path}:{err.line}" if err.line else err.path
    return Problem(err.path, err.line, "malformed RDF: " + str(err).removeprefix(where + ": "))


class DataRejected(ValueError):
    """Data that cannot be stored or served, with every problem found.

    The message lists each problem on its own line, so a command line or an HTTP
    client shows them all at once.
    """

    def __init__(self, problems: Sequence[Problem], summary: str = "import rejected") -> None:
        self.problems = list(problems)
        self.summary = summary
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(self.problems) - MAX_PROBLEMS} more")
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        super().__init__(f"{summary} ({count}):\n" + "\n".join(f"  {s}" for s in shown))


class InvalidDataFiles(DataRejected):
    """The files on disk (curated, extra or imported) do not form a valid graph."""


class MissingDataFiles(InvalidDataFiles):
    """Files to be loaded do not exist."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        super().__init__(
            [Problem(str(p), None, "no such file") for p in self.paths],
            "the data files cannot be loaded",
        )


class MalformedDataFiles(InvalidDataFiles):
    """Files are not well-formed RDF; :attr:`errors` has each one's file and line."""

    def __init__(self, errors: Sequence[RDFSyntaxError], summary: str) -> None:
        self.errors = list(errors)
        super().__init__([syntax_problem(err) for err in self.errors], summary)


class NonconformingData(InvalidDataFiles):
    """The curated and extra files break the SHACL shapes; :attr:`report` says how."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(
            [
                Problem(v.file or "data", None, str(v).removeprefix(f"{v.file}: "))
                for v in report.violations
            ],
            "the curated data does not conform to the SHACL shapes",
        )
