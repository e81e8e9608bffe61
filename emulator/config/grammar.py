"""The Serverless Framework v3 variable grammar: a string -> the variables in it (pure).

Follows the rules of v3's `lib/configuration/variables/parse.js` (read, not copied):
- `${type:address}`, `${type(param, ...):address}`, `${type(param)}`; a type starts with a
  lower-case letter. Anything else inside `${...}` (`${AWS::Region}`, `${MyTable.Arn}`,
  `${aws::x}`) is foreign (CloudFormation's Fn::Sub) and stays text, unless it sits inside a
  variable, where it is an error.
- fallbacks after commas: further sources written *without* `${}` (`${opt:stage,
  self:provider.stage}`), and, last only, a literal: a quoted string (`'dev'`, `"dev"`), a
  number, `true`, `false` or `null`. A bare word (`dev`) is an error.
- `${...}` nested in an address or a param (`${self:custom.${opt:stage}.key}`).
- `\\${` is an escaped `${` (the backslashes halve, as in v3).
One extension, for projects written for framework v1/v2: a fallback written as a nested
variable (`${opt:stage, ${self:provider.stage}}`) is accepted as a `Legacy` source; v3 itself
rejects it ("Invalid variable source"), so the resolver notes it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_TYPE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_IS_TYPE = re.compile(r"[a-z][a-zA-Z0-9]*")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class GrammarError(ValueError):
    """Invalid variable syntax; the message names the index and the text, as v3 does."""


@dataclass(frozen=True, slots=True)
class Text:
    """A param or an address: a plain value, or raw text with the variables inside it."""

    value: Any
    pieces: tuple[Piece, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """One source of a variable: `type(params):address`."""

    type: str
    params: tuple[Text, ...] = ()
    address: Text | None = None


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal fallback (`'dev'`, `5`, `true`): always the last source."""

    value: Any


@dataclass(frozen=True, slots=True)
class Legacy:
    """A v1/v2 fallback written as a nested variable: `${opt:a, ${self:b}}`."""

    variable: Variable


@dataclass(frozen=True, slots=True)
class Variable:
    """`${...}` at text[start:end]: its sources, tried in order."""

    start: int
    end: int
    sources: tuple[Source | Literal | Legacy, ...]


@dataclass(frozen=True, slots=True)
class Escape:
    """Backslashes before `${` at text[start:end], replaced by `value`."""

    start: int
    end: int
    value: str


Piece = Variable | Escape


def parse(text: str) -> tuple[Piece, ...]:
    """The variables and escapes of a string, in order; () when it holds none.

    parse("a-${self:x}-b") -> (Variable(2, 11, (Source("self", (), Text("x")),)),)
    """
    return tuple(_Parser(text).top())


def literal(text: str) -> Any:
    """A literal source: true, false, null or a number (else GrammarError)."""
    value = _literal_or_text(text)
    if value is text:
        raise GrammarError(f'Invalid literal source "{text}": quote strings (\'{text}\')')
    return value


def _literal_or_text(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    if _NUMBER.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return text


class _Parser:
    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0

    def fail(self, what: str, at: int | None = None) -> GrammarError:
        index = self.i if at is None else at
        return GrammarError(f'Invalid variable {what} at index {index} in "{self.s}"')

    def char(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def spaces(self) -> str:
        while self.char() == " ":
            self.i += 1
        return self.char()

    def top(self) -> list[Piece]:
        pieces: list[Piece] = []
        done = 0
        while (j := self.s.find("${", done)) != -1:
            before = self.s[done:j]
            slashes = len(before) - len(before.rstrip("\\"))
            if slashes % 2:  # an escaped "${": the "{" stays text
                pieces.append(Escape(j - slashes, j + 1, "\\" * (slashes // 2) + "$"))
                done = j + 1
                continue
            if slashes:
                pieces.append(Escape(j - slashes, j, "\\" * (slashes // 2)))
            variable = self.variable(j, nested=False)
            if variable is None:
                done = j + 2  # foreign: CloudFormation's; variables inside it still count
            else:
                pieces.append(variable)
                done = variable.end
        return pieces

    def variable(self, start: int, *, nested: bool) -> Variable | None:
        """Parse `${...}` at start; None for a foreign one (only when not nested)."""
        self.i = start + 2
        if not ("a" <= self.char() <= "z"):
            if nested:
                raise self.fail("type")
            return None
        while self.char() in _TYPE_CHARS and self.char():
            self.i += 1
        kind = self.s[start + 2:self.i]
        if self.char() not in (":", "("):
            if nested:
                raise (self.fail("type", start + 2) if self.char() else
                       GrammarError(f"Missing variable closing bracket in {self.s}"))
            return None
        sources: list[Source | Literal | Legacy] = []
        first = self.source(kind, foreign_ok=not nested)
        if first is None:
            return None
        sources.append(first)
        while self.char() == ",":
            self.i += 1
            item = self.fallback()
            sources.append(item)
            if isinstance(item, Literal):
                break
        if self.char() != "}":
            raise GrammarError(f"Missing variable closing bracket in {self.s}")
        self.i += 1
        return Variable(start, self.i, tuple(sources))

    def source(self, kind: str, *, foreign_ok: bool = False) -> Source | None:
        """After the type: params and address; leaves self.i on "," or "}"."""
        params: tuple[Text, ...] = ()
        if self.char() == "(":
            params = self.params()
            following = self.spaces()
            if following not in (":", ",", "}"):
                raise (self.fail("address") if following else
                       GrammarError(f"Missing variable closing bracket in {self.s}"))
            if following != ":":
                return Source(kind, params)
        self.i += 1  # the ":"
        following = self.spaces()
        if following in (",", "}"):
            return Source(kind, params)
        if following == ":":
            if foreign_ok and not params:
                return None  # "${aws::x}": CloudFormation's, not a variable
            raise self.fail("address")
        if following in ("'", '"'):
            address = Text(self.string())
            if self.spaces() not in (",", "}"):
                raise self.fail("address")
            return Source(kind, params, address)
        return Source(kind, params, self.raw(",}", strip_literal=False))

    def params(self) -> tuple[Text, ...]:
        self.i += 1  # the "("
        out: list[Text] = []
        while True:
            char = self.spaces()
            if char == ")":
                self.i += 1
                return tuple(out)
            if char == ",":
                out.append(Text(None))
                self.i += 1
                continue
            if char in ("}", ""):
                raise self.fail("param")
            if char in ("'", '"'):
                out.append(Text(self.string()))
                char = self.spaces()
                if char not in (",", ")"):
                    raise self.fail("param")
            else:
                param = self.raw(",)", strip_literal=True)
                char = self.char()
                if char == "," or param.value != "":
                    out.append(param)
            if char == ",":
                self.i += 1

    def raw(self, stops: str, *, strip_literal: bool) -> Text:
        """Unquoted text up to a stop character, with the variables nested in it."""
        start, pieces = self.i, []
        while True:
            char = self.char()
            if not char:
                raise GrammarError(f"Missing variable closing bracket in {self.s}")
            if char in stops:
                break
            if char == "}":
                raise self.fail("param")
            if self.s.startswith("${", self.i):
                nested = self.variable(self.i, nested=True)
                assert nested is not None
                pieces.append(Variable(nested.start - start, nested.end - start,
                                       nested.sources))
                continue
            self.i += 1
        text = self.s[start:self.i].rstrip()
        if pieces:
            return Text(text, tuple(pieces))
        return Text(_literal_or_text(text) if strip_literal else text)

    def fallback(self) -> Source | Literal | Legacy:
        """A source after a comma: `type:address`, `type(...)`, a literal, or (v1/v2) `${}`."""
        char = self.spaces()
        start = self.i
        if char in ("'", '"'):
            value = self.string()
            if self.spaces() != "}":
                raise self.fail("source", start)
            return Literal(value)
        if self.s.startswith("${", self.i):
            nested = self.variable(self.i, nested=True)
            assert nested is not None
            if self.spaces() not in (",", "}"):
                raise self.fail("source", start)
            return Legacy(nested)
        if not char or char not in _TYPE_CHARS:
            raise self.fail("source", start)
        while self.char() and (self.char() in _TYPE_CHARS or self.char() == " "):
            self.i += 1
        word = self.s[start:self.i]
        if self.char() == "}":
            return Literal(literal(word.strip()))
        if self.char() not in (":", "(") or not _IS_TYPE.fullmatch(word):
            raise self.fail("source", start)
        found = self.source(word)
        assert found is not None
        return found

    def string(self) -> str:
        """A quoted string at self.i: '...' taken as is, "..." with JSON escapes."""
        quote, start = self.char(), self.i
        self.i += 1
        while self.char() and self.char() != quote:
            self.i += 2 if quote == '"' and self.char() == "\\" else 1
        if not self.char():
            raise GrammarError(f"Missing variable closing bracket in {self.s}")
        self.i += 1
        body = self.s[start:self.i]
        if quote == "'":
            return body[1:-1]
        try:
            value = json.loads(body)
        except ValueError as exc:
            raise GrammarError(f'Invalid string literal at index {start} in "{self.s}": '
                               f"{exc}") from None
        return str(value)
