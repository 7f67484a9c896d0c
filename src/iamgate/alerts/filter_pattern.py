"""CloudWatch Logs JSON filter patterns (metric filters): a parser and an evaluator.

Syntax, from https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
and https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html:
``{ SELECTOR OP VALUE }`` with ``$.a.b`` and ``$.a[0]`` selectors; ``=`` and ``!=`` on strings and
numbers; ``<``, ``>``, ``<=``, ``>=`` on numbers; values quoted or not, with ``*`` as a wildcard;
``IS TRUE``, ``IS FALSE``, ``IS NULL`` and ``NOT EXISTS``; ``&&`` and ``||`` with parentheses, and
the documented order of operations ``() > && > ||``. A comparison on a missing field is false,
``!=`` included (hence the ``NOT EXISTS || !=`` idiom). Case matters.

:func:`parse` never raises: an unreadable pattern is a :class:`PatternError` value, which the
check reports as "cannot be read". So is what iamgate does not evaluate: text and space-delimited
patterns (they match words in the raw event) and regular-expression values (``%...%``). Never a
pass on a guess. :func:`matches` evaluates a parsed pattern against a CloudTrail record as
CloudWatch Logs holds it (the record itself, one JSON object per log event).
"""

from __future__ import annotations

import json
import operator
import re
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from iamgate.alerts import wildcard

Step: TypeAlias = str | int
Selector: TypeAlias = tuple[Step, ...]
Operator: TypeAlias = Literal["=", "!=", "<", ">", "<=", ">="]

# Deeper nesting is no real pattern (AWS caps a pattern at 1024 characters); the cap keeps the
# recursive parser and evaluator far from Python's recursion limit.
MAX_DEPTH = 64
# A fixed expression (never built from pattern text): "+1", "-2.5", "1e-3", ".5".
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Characters that end an unquoted value: whitespace, grouping, quotes and operators.
_VALUE_STOP = frozenset('{}()"%&|=!<>')
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_-")


@dataclass(frozen=True, slots=True)
class Value:
    """The right-hand side of a comparison, as written (quotes removed)."""

    text: str
    quoted: bool = False
    number: float | None = None  # set for an unquoted numeric literal
    pieces: tuple[str, ...] | None = None  # set when the text has a * wildcard


@dataclass(frozen=True, slots=True)
class Compare:
    selector: Selector
    op: Operator
    value: Value


@dataclass(frozen=True, slots=True)
class IsTest:
    selector: Selector
    kind: Literal["TRUE", "FALSE", "NULL"]


@dataclass(frozen=True, slots=True)
class NotExists:
    selector: Selector


@dataclass(frozen=True, slots=True)
class All:
    """``a && b && ...``"""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """``a || b || ...``"""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Everything:
    """The empty pattern, which AWS applies to every log event."""


Condition: TypeAlias = Compare | IsTest | NotExists
Node: TypeAlias = Compare | IsTest | NotExists | All | AnyOf | Everything


@dataclass(frozen=True, slots=True)
class PatternError:
    """Why a pattern cannot be read; ``position`` is a 0-based offset into the text."""

    message: str
    position: int

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # { } ( ) && || op selector string regex word end
    text: str
    position: int
    selector: Selector = ()


class _SyntaxProblem(Exception):
    """Unwinds the parser; :func:`parse` turns it into a :class:`PatternError` value."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.error = PatternError(message, position)


def parse(text: str) -> Node | PatternError:
    """The pattern's syntax tree, or why it cannot be read."""
    start = len(text) - len(text.lstrip())
    body = text.strip()
    if not body:
        return Everything()
    if not body.startswith("{"):
        kind = "a space-delimited" if body.startswith("[") else "a text"
        return PatternError(
            f"this is {kind} pattern, not a JSON pattern {{ ... }}: it matches words in the raw "
            "event, which iamgate does not judge",
            start,
        )
    try:
        return _Parser(_tokens(text)).pattern()
    except _SyntaxProblem as problem:
        return problem.error


def matches(pattern: Node, event: Mapping[str, object]) -> bool:
    """Whether a log event holding ``event`` (a JSON object) is counted by the pattern."""
    if isinstance(pattern, Everything):
        return True
    if isinstance(pattern, AnyOf):
        return any(matches(part, event) for part in pattern.parts)
    if isinstance(pattern, All):
        return all(matches(part, event) for part in pattern.parts)
    found = _resolve(event, pattern.selector)
    if isinstance(pattern, NotExists):
        return found is _MISSING
    if isinstance(pattern, IsTest):
        expected = {"TRUE": True, "FALSE": False, "NULL": None}[pattern.kind]
        # `is`, not ==: IS TRUE is the JSON literal true, not 1 or "true".
        return found is not _MISSING and found is expected
    return _compare(found, pattern.op, pattern.value)


def conditions(pattern: Node) -> Iterator[Condition]:
    """Every comparison and test in the pattern, left to right."""
    if isinstance(pattern, All | AnyOf):
        for part in pattern.parts:
            yield from conditions(part)
    elif not isinstance(pattern, Everything):
        yield pattern


def selector_text(selector: Selector) -> str:
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in selector)


# --- evaluation ----------------------------------------------------------------------------

_MISSING = object()
_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def _resolve(event: object, selector: Selector) -> object:
    node = event
    for step in selector:
        if isinstance(step, int):
            if not isinstance(node, Sequence) or isinstance(node, str | bytes):
                return _MISSING
            if not 0 <= step < len(node):
                return _MISSING
            node = node[step]
        elif isinstance(node, Mapping) and step in node:
            node = node[step]
        else:
            return _MISSING
    return node


def _is_array(node: object) -> bool:
    return isinstance(node, Sequence) and not isinstance(node, str | bytes)


def _compare(found: object, op: Operator, value: Value) -> bool:
    # A missing field, null, an object or an array fails every comparison, != included: the
    # docs say a selector on an object or array does not match, and AWS evaluates != on a
    # missing field to false (hence the `NOT EXISTS || !=` idiom; see NOTES.md).
    if found is _MISSING or found is None or isinstance(found, Mapping) or _is_array(found):
        return False
    if op in _NUMERIC:
        if isinstance(found, bool) or not isinstance(found, int | float) or value.number is None:
            return False
        return _NUMERIC[op](float(found), value.number)
    equal = _equals(found, value)
    return equal if op == "=" else not equal


def _equals(found: object, value: Value) -> bool:
    text = _as_text(found)
    if value.pieces is not None:
        return wildcard.match(value.pieces, text)
    if value.number is not None and isinstance(found, int | float) and not isinstance(found, bool):
        return float(found) == value.number
    return text == value.text


def _as_text(found: object) -> str:
    if isinstance(found, str):
        return found
    return json.dumps(found)  # true/false and numbers as JSON writes them


# --- tokens --------------------------------------------------------------------------------


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "{}()":
            tokens.append(_Token(char, char, i))
            i += 1
        elif char in "&|":
            if text[i : i + 2] != char * 2:
                raise _SyntaxProblem(f"expected {char * 2}", i)
            tokens.append(_Token(char * 2, char * 2, i))
            i += 2
        elif char in "=!<>":
            two = text[i : i + 2]
            op = two if two in ("!=", "<=", ">=") else char
            if op == "!":
                raise _SyntaxProblem("expected != (a lone ! is not an operator)", i)
            tokens.append(_Token("op", op, i))
            i += len(op)
        elif char == "$":
            i = _selector(text, i, tokens)
        elif char == '"':
            i = _quoted(text, i, tokens)
        elif char == "%":
            end = text.find("%", i + 1)
            if end < 0:
                raise _SyntaxProblem("unterminated regular expression (%...%)", i)
            tokens.append(_Token("regex", text[i : end + 1], i))
            i = end + 1
        else:
            end = i
            while end < len(text) and not text[end].isspace() and text[end] not in _VALUE_STOP:
                end += 1
            tokens.append(_Token("word", text[i:end], i))
            i = end
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _selector(text: str, start: int, tokens: list[_Token]) -> int:
    steps: list[Step] = []
    i = start + 1
    while i < len(text) and text[i] in ".[":
        if text[i] == ".":
            end = i + 1
            while end < len(text) and text[end] in _NAME_CHARS:
                end += 1
            if end == i + 1:
                raise _SyntaxProblem("expected a property name after '.'", i + 1)
            steps.append(text[i + 1 : end])
        else:
            end = text.find("]", i)
            digits = text[i + 1 : end] if end > 0 else ""
            if not digits.isdigit() or not digits.isascii():
                raise _SyntaxProblem("expected an array index like [0]", i)
            steps.append(int(digits))
            end += 1
        i = end
    if not steps:
        raise _SyntaxProblem("expected a selector like $.eventName", start)
    tokens.append(_Token("selector", text[start:i], start, tuple(steps)))
    return i


def _quoted(text: str, start: int, tokens: list[_Token]) -> int:
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            chars.append(text[i + 1])
            i += 2
        elif char == '"':
            tokens.append(_Token("string", "".join(chars), start))
            return i + 1
        else:
            chars.append(char)
            i += 1
    raise _SyntaxProblem("unterminated string", start)


# --- grammar -------------------------------------------------------------------------------


class _Parser:
    """pattern := '{' or '}' ; or := and ('||' and)* ; and := primary ('&&' primary)* ;
    primary := '(' or ')' | SELECTOR (OP value | IS TRUE|FALSE|NULL | NOT EXISTS)"""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, what: str) -> _Token:
        token = self.peek()
        if token.kind != kind:
            raise _SyntaxProblem(f"expected {what}, found {_shown(token)}", token.position)
        return self.take()

    def pattern(self) -> Node:
        self.expect("{", "{")
        if self.peek().kind == "}":
            raise _SyntaxProblem("the pattern between { and } is empty", self.peek().position)
        node = self.disjunction()
        self.expect("}", "&&, || or }")
        self.expect("end", "the end of the pattern after }")
        return node

    def disjunction(self) -> Node:
        parts = [self.conjunction()]
        while self.peek().kind == "||":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.primary()]
        while self.peek().kind == "&&":
            self.take()
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _SyntaxProblem(f"parentheses nested deeper than {MAX_DEPTH}", token.position)
            self.take()
            node = self.disjunction()
            self.expect(")", "&&, || or )")
            self.depth -= 1
            return node
        selector = self.expect("selector", "a selector like $.eventName or (").selector
        token = self.take()
        if token.kind == "op":
            return Compare(selector, _operator(token.text), self.value(token.text))
        keyword = token.text.upper() if token.kind == "word" else ""
        if keyword == "IS":
            kind = self.take()
            if kind.kind == "word" and kind.text.upper() in ("TRUE", "FALSE", "NULL"):
                return IsTest(selector, _is_kind(kind.text.upper()))
            raise _SyntaxProblem(
                f"expected TRUE, FALSE or NULL after IS, found {_shown(kind)}", kind.position
            )
        if keyword == "NOT":
            exists = self.take()
            if exists.kind == "word" and exists.text.upper() == "EXISTS":
                return NotExists(selector)
            raise _SyntaxProblem(
                f"expected EXISTS after NOT, found {_shown(exists)}", exists.position
            )
        raise _SyntaxProblem(
            f"expected =, !=, <, >, <=, >=, IS or NOT EXISTS after {selector_text(selector)}, "
            f"found {_shown(token)}",
            token.position,
        )

    def value(self, op: str) -> Value:
        token = self.take()
        if token.kind == "regex":
            raise _SyntaxProblem(
                f"{token.text} is a regular expression, which iamgate does not evaluate: "
                "write the values out, with * where needed",
                token.position,
            )
        if token.kind not in ("string", "word"):
            raise _SyntaxProblem(
                f"expected a value after {op}, found {_shown(token)}", token.position
            )
        after = self.peek()
        if after.kind == "word":
            raise _SyntaxProblem(
                f"unexpected {after.text!r} after the value {token.text!r} (quote a value that "
                "contains spaces)",
                after.position,
            )
        quoted = token.kind == "string"
        number = float(token.text) if not quoted and _NUMBER.fullmatch(token.text) else None
        pieces = wildcard.segments(token.text) if "*" in token.text else None
        if op in _NUMERIC and (number is None or pieces is not None):
            raise _SyntaxProblem(
                f"{op} compares numbers, but {token.text!r} is not a number", token.position
            )
        return Value(token.text, quoted, number, pieces)


_OPERATORS: dict[str, Operator] = {"=": "=", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


def _operator(text: str) -> Operator:
    return _OPERATORS[text]  # the tokenizer only makes these six


def _is_kind(text: str) -> Literal["TRUE", "FALSE", "NULL"]:
    return "TRUE" if text == "TRUE" else "FALSE" if text == "FALSE" else "NULL"


def _shown(token: _Token) -> str:
    return "the end of the pattern" if token.kind == "end" else repr(token.text)
