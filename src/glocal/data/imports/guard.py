"""Limits an RDF file must meet before any parser sees it.

Oxigraph's parsers are fast but trusting: a JSON-LD document nested 5,000 deep overflows
their stack and kills the process, and an RDF/XML document with nested entities expands
697 bytes into 100 MB. So an import is first read by parsers that are built to be
bounded, and refused with a message when it goes past a limit:

- XML (RDF/XML): read by :mod:`xml.parsers.expat`, which reports every entity
  declaration (refused: RDF/XML needs none) and every element (depth counted);
- JSON (JSON-LD): read by a scan of its brackets outside strings;
- Turtle, TriG, N-Triples, N-Quads: the same scan over ``[`` and ``(``, which nest blank
  nodes and collections.

After parsing, no literal may be longer than :data:`MAX_LITERAL` characters: a longer one
would be stored, then could not be read back by the parser's token limit.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterable

from pyoxigraph import Literal, Quad, RdfFormat

from glocal.data.problems import Problem

__all__ = ["MAX_DEPTH", "MAX_LITERAL", "check_literals", "check_structure"]

#: Deepest nesting of elements (RDF/XML), objects and arrays (JSON-LD), or blank-node
#: property lists and collections (Turtle family) accepted in an import.
MAX_DEPTH = 200
#: Longest literal accepted in an import, in characters (well below the 16 MB token
#: limit of the parsers that read stored imports back).
MAX_LITERAL = 1_000_000

_TURTLE_FAMILY = {RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.N_TRIPLES, RdfFormat.N_QUADS}


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _xml_problem(data: bytes, file_name: str) -> Problem | None:
    parser = xml.parsers.expat.ParserCreate()
    depth = 0
    found: list[Problem] = []

    def entity(name: str, *_: object) -> None:
        found.append(
            Problem(
                file_name,
                parser.CurrentLineNumber,
                f"the document declares the entity {name!r}; entity declarations are not "
                "accepted in imports (they can expand a small file into a huge one)",
            )
        )
        raise _TooDeep(parser.CurrentLineNumber)

    def start(*_: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            found.append(
                Problem(
                    file_name,
                    parser.CurrentLineNumber,
                    f"elements nest more than {MAX_DEPTH} levels deep",
                )
            )
            raise _TooDeep(parser.CurrentLineNumber)

    def end(*_: object) -> None:
        nonlocal depth
        depth -= 1

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _TooDeep:
        return found[0]
    except xml.parsers.expat.ExpatError:
        return None  # malformed XML: the RDF parser reports it with its own message
    return None


def _bracket_depth(data: bytes, opening: bytes, closing: bytes, *, comments: bool) -> int:
    """The deepest nesting of the given brackets outside strings (and ``#`` comments).

    >>> _bracket_depth(b'{"a": [1, {"b": "]]]"}]}', b"{[", b"}]", comments=False)
    3
    >>> _bracket_depth(b'<s> <p> [ <q> ( 1 [ ] ) ] . # [[[[', b"[(", b"])", comments=True)
    3
    """
    depth = deepest = 0
    quote = 0
    escaped = False
    in_comment = False
    in_iri = False
    for byte in data:
        if in_comment:
            in_comment = byte != 0x0A
        elif quote:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == quote:
                quote = 0
        elif in_iri:
            in_iri = byte != 0x3E  # '>'
        elif byte in (0x22, 0x27):  # '"' or "'"
            quote = byte
        elif comments and byte == 0x23:  # '#'
            in_comment = True
        elif comments and byte == 0x3C:  # '<' opens an IRI in the Turtle family
            in_iri = True
        elif byte in opening:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in closing:
            depth -= 1
    return deepest


def check_structure(data: bytes, fmt: RdfFormat, file_name: str) -> Problem | None:
    """The first limit an RDF file breaks before parsing, or None.

    >>> check_structure(b"[" * 500 + b"]" * 500, RdfFormat.JSON_LD, "x.jsonld").message
    'the document nests 500 levels deep; the limit is 200'
    >>> doc = b'<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'
    >>> "entity 'a'" in check_structure(doc, RdfFormat.RDF_XML, "x.rdf").message
    True
    >>> check_structure(b"<s> <p> <o> .", RdfFormat.TURTLE, "x.ttl") is None
    True
    """
    if fmt == RdfFormat.RDF_XML:
        return _xml_problem(data, file_name)
    if fmt == RdfFormat.JSON_LD:
        depth = _bracket_depth(data, b"{[", b"}]", comments=False)
    elif fmt in _TURTLE_FAMILY:
        depth = _bracket_depth(data, b"[(", b"])", comments=True)
    else:
        return None
    if depth > MAX_DEPTH:
        return Problem(
            file_name, None, f"the document nests {depth} levels deep; the limit is {MAX_DEPTH}"
        )
    return None


def check_literals(quads: Iterable[Quad], file_name: str) -> Problem | None:
    """A problem naming the first literal longer than :data:`MAX_LITERAL`, or None."""
    for quad in quads:
        term = quad.object
        if isinstance(term, Literal) and len(term.value) > MAX_LITERAL:
            return Problem(
                file_name,
                None,
                f"a literal of {len(term.value):,} characters (object of {quad.subject} "
                f"{quad.predicate}) is longer than the limit of {MAX_LITERAL:,}",
            )
    return None
