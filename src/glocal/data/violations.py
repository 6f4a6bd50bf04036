"""What validation reports: :class:`Violation` records and the :class:`ValidationReport`.

Both SHACL engines (:mod:`glocal.data.validation`) report in these terms, so that a
curator reads the same thing whichever ran, and the validation cache stores them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["ValidationReport", "Violation", "relative_path"]


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in words a curator can act on."""

    focus: str
    path: str | None
    message: str
    value: str | None
    file: str | None
    severity: str
    #: Whether :attr:`value` is an IRI (rather than a literal or a blank node).
    value_is_iri: bool = False

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}{self.focus}{path}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """Whether the data conforms, and every violation if not."""

    conforms: bool
    violations: list[Violation]
    version: str

    def to_json(self) -> str:
        """Serialize for the validation cache."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        """Read a cached report back."""
        raw = json.loads(text)
        return cls(raw["conforms"], [Violation(**v) for v in raw["violations"]], raw["version"])


def relative_path(path: str | None) -> str | None:
    """A file's path relative to the working folder where it is under it.

    >>> relative_path(None) is None, relative_path("/nowhere/x.ttl")
    (True, '/nowhere/x.ttl')
    """
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
