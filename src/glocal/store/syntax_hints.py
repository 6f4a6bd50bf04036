"""Turn the engine's SPARQL syntax error into one a person can act on.

Oxigraph's parser reports the furthest point it reached and every token it could have
taken there, character ranges included: ``SELEC`` gives "expected CONSTRUCT", an
undeclared prefix "expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' ...".
:func:`explain` reads the query itself to say what was *found*, where, and what the
usual mistake behind it is: an undeclared prefix, a misspelled keyword, a missing
``.`` between triple patterns, a triple pattern without its object, a variable in
``SELECT`` that is not grouped, or a string that is not closed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from glocal.namespaces import PREFIXES

__all__ = ["KEYWORDS", "SyntaxHint", "explain"]

_KEYWORD_LIST = """
BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY
HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND
UNION MINUS FILTER NOT IN EXISTS LOAD CLEAR DROP CREATE ADD MOVE COPY INSERT DELETE
DATA WITH USING DEFAULT ALL INTO TO COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT
SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND
CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE
STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1
SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL
ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE A
"""
#: SPARQL 1.1 keywords and built-in function names (the bare words a query may contain).
KEYWORDS = frozenset(_KEYWORD_LIST.split())

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"[\s\S]*?(?:\"\"\"|$(?![\s\S]))|'''[\s\S]*?(?:'''|$(?![\s\S]))
      |"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$]\w+)
  | (?P<bnode>_:[\w.-]*)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w%-]|\.(?=[\w%-]))*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
  | (?P<punct>\^\^|&&|\|\||[!<>]=|\S)
    """,
    re.VERBOSE,
)
_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)
_RANGES = re.compile(r"\[[^\]]*\]")
_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|[^,]+')
_TERMS = {"var", "pname", "iri", "string", "number", "bnode"}
_READABLE = {'"?"': "a variable", '"$"': "a variable", '"<"': "an IRI", '":"': "a prefixed name"}
#: Oxigraph's extensions (RDF-star annotations, paths), noise in a hint about SPARQL 1.1.
_UNHELPFUL = {'"{|"', '"~"', "_"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True)
class SyntaxHint:
    """Where a query fails to parse, what is there, what could be, and the likely fix.

    ``line`` and ``column`` count from 1; they are 0 when the engine's message names no
    place (another engine's, or a limit such as nesting depth): then ``engine``, its
    message, is all there is to say.
    """

    line: int
    column: int
    found: str
    expected: tuple[str, ...]
    hint: str
    engine: str = ""

    def message(self) -> str:
        """One line for people: place, what was found, what was expected, the hint."""
        if not self.line:
            return self.engine
        where = f"line {self.line}, column {self.column}: "
        text = f"{where}found {self.found}"
        if self.expected and not self.hint:  # the hint says it better than the parser
            text += f"; expected {', '.join(self.expected)}"
        return f"{text}. {self.hint}" if self.hint else text

    def to_json(self) -> dict[str, object]:
        """The fields as a JSON object, for the query editor to mark the place."""
        return {
            "line": self.line,
            "column": self.column,
            "found": self.found,
            "expected": list(self.expected),
            "hint": self.hint,
        }


def _tokens(sparql: str) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "punct"
        if kind != "comment":
            found.append(_Token(kind, match.group(), match.start()))
    return found


def _place(sparql: str, offset: int) -> tuple[int, int]:
    line = sparql.count("\n", 0, offset) + 1
    return line, offset - (sparql.rfind("\n", 0, offset) + 1) + 1


def _offset(sparql: str, line: int, column: int) -> int:
    lines = sparql.split("\n")
    if line > len(lines):
        return len(sparql)
    return min(sum(len(text) + 1 for text in lines[: line - 1]) + column - 1, len(sparql))


def _expected(detail: str) -> tuple[str, ...]:
    """The parser's alternatives without character ranges or internal sentences."""
    detail = detail.removeprefix("expected one of ").removeprefix("expected ")
    items = []
    for raw in _ITEM.findall(_RANGES.sub("", detail).replace("\n", " ")):
        item = raw.strip()
        if not item or item in _UNHELPFUL or " " in item:  # " ": the parser's own notes
            continue
        item = _READABLE.get(item, f"'{item[1:-1]}'" if item.startswith('"') else item)
        if item not in items:
            items.append(item)
    return tuple(items[:12])


def _undeclared_prefix(tokens: list[_Token], sparql: str, known: Mapping[str, str]) -> _Hint:
    declared = set(known) | set(re.findall(r"(?i)PREFIX\s+([\w.-]*):", sparql))
    for token in tokens:
        if token.kind == "pname":
            prefix = token.text.partition(":")[0]
            if prefix not in declared:
                close = difflib.get_close_matches(prefix, sorted(declared), n=1)
                fix = f"did you mean {close[0]}:? Or add" if close else "add"
                return token, (
                    f"The prefix {prefix}: is not declared: {fix} "
                    f"PREFIX {prefix}: <…> at the top of the query."
                )
    return None


def _misspelled_keyword(tokens: list[_Token], sparql: str, known: Mapping[str, str]) -> _Hint:
    for token in tokens:
        word = token.text.upper()
        if token.kind == "word" and word not in KEYWORDS:
            close = difflib.get_close_matches(word, sorted(KEYWORDS - {"A"}), n=1, cutoff=0.7)
            guess = f"; did you mean {close[0]}?" if close else "."
            return token, f"{token.text} is not a SPARQL keyword or function{guess}"
    return None


def _ungrouped_variable(tokens: list[_Token], sparql: str, known: Mapping[str, str]) -> _Hint:
    words = [t.text.upper() if t.kind == "word" else t.text for t in tokens]
    if "SELECT" not in words:
        return None
    start = words.index("SELECT") + 1
    selected: list[_Token] = []
    depth = 0
    for token, word in zip(tokens[start:], words[start:], strict=True):
        if word in ("WHERE", "{") or (word == "FROM" and depth == 0):
            break
        depth += (word == "(") - (word == ")")
        if token.kind == "var" and depth == 0:
            selected.append(token)
    grouped: set[str] = set()
    for index, word in enumerate(words[:-1]):
        if word == "GROUP" and words[index + 1] == "BY":
            for token in tokens[index + 2 :]:
                if token.kind == "word" and token.text.upper() in ("HAVING", "ORDER", "LIMIT"):
                    break
                if token.kind == "var":
                    grouped.add(token.text[1:])
    for token in selected:
        name = token.text[1:]
        if name not in grouped:
            return token, (
                f"{token.text} is selected but not grouped: add it to GROUP BY, or select "
                f"an aggregate of it, e.g. (SAMPLE({token.text}) AS ?{name}_)."
            )
    return None


def _triple_pattern(tokens: list[_Token], sparql: str, known: Mapping[str, str]) -> _Hint:
    """A triple pattern with a fourth term (a missing ``.``) or without its object."""
    terms = 0  # terms of the triple pattern being read
    loose = False  # after ';', ',' or a keyword, fewer than three terms may be fine
    depth = 0  # inside ( ) or [ ]: expressions and blank nodes are not counted
    group_is_term = False  # the ( ) at depth 1 is a path group or a collection, one term
    braces = 0
    skip_to = -1  # VALUES data and sub-SELECT heads are skipped up to their "{"/"}"
    previous = ""
    previous_is_term = False
    for token in tokens:
        text = token.text
        inside = braces > 0
        braces += (text == "{") - (text == "}")
        if text in ("(", "[") and depth == 0:
            group_is_term = text == "[" or previous_is_term or previous in ("/", "|", "^")
        depth += (text in ("(", "[")) - (text in (")", "]"))
        word = text.upper() if token.kind == "word" else ""
        closes_group = text in (")", "]") and depth == 0 and group_is_term
        is_term = token.kind in _TERMS or word in ("A", "TRUE", "FALSE") or closes_group
        if skip_to >= 0:
            if text in ("{", "}") and braces == skip_to:
                skip_to, terms = -1, 0
        elif word in ("VALUES", "SELECT"):
            skip_to = braces if word == "VALUES" else braces + 1
        elif not inside or depth or token.kind == "lang" or previous == "^^":
            pass  # outside a group, inside an expression, a language tag or a datatype
        elif is_term:
            terms += 1
            if terms == 4:
                return token, (
                    f"A '.' seems to be missing before {text}: end each triple pattern "
                    "with ' .' (or use ';' to repeat the subject)."
                )
        elif text in ("/", "|", "^"):
            terms -= 1  # a property path joins the next term to this one
        elif text in (".", "}") and terms in (1, 2) and not loose:
            return token, (
                f"The triple pattern before {text} has {terms} term{'s' * (terms > 1)}: "
                "it needs a subject, a predicate and an object."
            )
        else:
            terms = {";": 1, ",": 2}.get(text, 0)
            loose = bool(word) or text in (";", ",", ")", "]")
        previous, previous_is_term = text, is_term
    return None


def _open_string(tokens: list[_Token], sparql: str, known: Mapping[str, str]) -> _Hint:
    for token in tokens:
        text = token.text
        quote = text[:3] if text[:3] in ('"""', "'''") else text[:1]
        if token.kind == "string" and (len(text) < 2 * len(quote) or not text.endswith(quote)):
            return token, f"The string that starts with {text[:20]} is not closed."
    return None


_Hint = tuple[_Token, str] | None
#: The checks, most specific first; the first that finds a problem at or before the
#: place where the parser stopped gives the hint.
_CHECKS = (
    _open_string,
    _undeclared_prefix,
    _misspelled_keyword,
    _ungrouped_variable,
    _triple_pattern,
)


def explain(sparql: str, error: str, *, prefixes: Mapping[str, str] | None = None) -> SyntaxHint:
    """Explain an engine's syntax error with the query it was about.

    Parameters
    ----------
    sparql
        The query text that failed to parse.
    error
        The engine's message, e.g. Oxigraph's ``"error at 1:10: expected CONSTRUCT"``.
    prefixes
        The prefixes a query may use undeclared; glocal's by default.

    Returns
    -------
    SyntaxHint
        The place (from the likely mistake when one is recognised, else the engine's),
        the text found there, the engine's alternatives without character ranges, and a
        hint ("" when no common mistake fits).

    Examples
    --------
    >>> hint = explain("SELEC ?city WHERE { ?city a gl:City }", "error at 1:10: expected CONSTRUCT")
    >>> hint.line, hint.column, hint.found
    (1, 1, 'SELEC')
    >>> hint.hint
    'SELEC is not a SPARQL keyword or function; did you mean SELECT?'
    >>> explain("ASK { ?x a foo:Bar }", "error at 1:20: expected one of Prefix not found").hint
    'The prefix foo: is not declared: add PREFIX foo: <…> at the top of the query.'
    >>> explain("ASK { ?s ?p ?o }", "the query nests 40 levels deep; the limit is 32").message()
    'the query nests 40 levels deep; the limit is 32'
    >>> query = "ASK {\\n ?x a gl:City\\n ?x gl:mayorOf ?c }"
    >>> print(explain(query, "error at 3:4: expected OPTIONAL").message())  # doctest: +ELLIPSIS
    line 3, column 2: found ?x. A '.' seems to be missing before ?x: end each triple pattern ...
    """
    known = PREFIXES if prefixes is None else prefixes
    position = _POSITION.match(error.strip())
    if not position:
        return SyntaxHint(0, 0, "", (), "", error)
    detail = position.group(3)
    stop = _offset(sparql, int(position.group(1)), int(position.group(2)))
    tokens = _tokens(sparql)
    checks = list(_CHECKS)
    if "unbound" not in detail:
        checks.remove(_ungrouped_variable)
    for check in checks:
        found = check(tokens, sparql, known)
        if found is not None and found[0].offset <= stop:
            token, hint = found
            line, column = _place(sparql, token.offset)
            return SyntaxHint(line, column, token.text, _expected(detail), hint, error)
    at = next((t for t in tokens if t.offset <= stop < t.offset + len(t.text)), None)
    at = at or next((t for t in tokens if t.offset >= stop), None)
    line, column = _place(sparql, at.offset if at else stop)
    there = at.text if at else "the end of the query"
    return SyntaxHint(line, column, there, _expected(detail), "", error)
