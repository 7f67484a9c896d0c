"""EventBridge event patterns: a validating parser and a matcher.

Semantics from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
eb-create-pattern-operators.html and the README of aws/event-ruler (the matching library behind
EventBridge): every field named in the pattern must match (AND); the values in a field's array
are alternatives (OR); a field whose event value is an array matches when any element does;
arrays on the way to a field are looked through; strings match exactly and case-sensitively.
Operators: ``prefix``, ``suffix`` (each also ``{"equals-ignore-case": ...}``),
``equals-ignore-case``, ``wildcard``, ``anything-but`` (values, or ``prefix``/``suffix``/
``equals-ignore-case``/``wildcard``), ``numeric``, ``exists``, ``cidr``, and ``$or``.

:func:`parse` never raises: an unknown operator or a malformed value is an
:class:`EventPatternError` value, so the check can say why instead of passing.
"""

from __future__ import annotations

import ipaddress
import json
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from iamgate.alerts import wildcard

Scalar: TypeAlias = str | int | float | bool | None
Path: TypeAlias = tuple[str, ...]
Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_DEPTH = 64

_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True, slots=True)
class Exact:
    value: Scalar


@dataclass(frozen=True, slots=True)
class Prefix:
    text: str
    ignore_case: bool = False


@dataclass(frozen=True, slots=True)
class Suffix:
    text: str
    ignore_case: bool = False


@dataclass(frozen=True, slots=True)
class IgnoreCase:
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Wildcard:
    globs: tuple[tuple[str, ...], ...]  # literal pieces of each alternative


@dataclass(frozen=True, slots=True)
class AnythingBut:
    excluded: tuple[Matcher, ...]


@dataclass(frozen=True, slots=True)
class Numeric:
    bounds: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Exists:
    present: bool


@dataclass(frozen=True, slots=True)
class Cidr:
    network: Network


Matcher: TypeAlias = (
    Exact | Prefix | Suffix | IgnoreCase | Wildcard | AnythingBut | Numeric | Exists | Cidr
)


@dataclass(frozen=True, slots=True)
class Field:
    """The event value at ``path`` must match one of ``matchers``."""

    path: Path
    matchers: tuple[Matcher, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """``$or``: one of the branches (each a conjunction) must match."""

    branches: tuple[tuple[Clause, ...], ...]


Clause: TypeAlias = Field | Or


@dataclass(frozen=True, slots=True)
class EventPattern:
    clauses: tuple[Clause, ...]  # all must match


@dataclass(frozen=True, slots=True)
class EventPatternError:
    message: str
    path: str = ""

    def __str__(self) -> str:
        return f"{self.message} (at {self.path})" if self.path else self.message


class _Invalid(Exception):
    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.error = EventPatternError(message, ".".join(path))


def parse(source: str) -> EventPattern | EventPatternError:
    """The pattern, validated, or why EventBridge would not read it as we do."""
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        return EventPatternError(f"not valid JSON: {exc.msg} at character {exc.pos + 1}")
    except RecursionError:
        return EventPatternError("not valid JSON: nested too deeply")
    except ValueError:  # a number past Python's int-string limit
        return EventPatternError("not valid JSON: a number too long to read")
    if not isinstance(data, dict):
        return EventPatternError("an event pattern is a JSON object")
    if not data:
        return EventPatternError("the event pattern is empty")
    try:
        return EventPattern(_clauses(data, (), 0))
    except _Invalid as invalid:
        return invalid.error


def matches(pattern: EventPattern, event: Mapping[str, object]) -> bool:
    return _all(pattern.clauses, event)


def operators(pattern: EventPattern) -> Iterator[tuple[Path, Matcher]]:
    """Every (path, matcher) in the pattern, ``$or`` branches included."""
    for clause in _walk(pattern.clauses):
        for matcher in clause.matchers:
            yield clause.path, matcher


# --- parsing -------------------------------------------------------------------------------


def _clauses(node: dict[str, object], path: Path, depth: int) -> tuple[Clause, ...]:
    if depth > MAX_DEPTH:
        raise _Invalid(f"nested deeper than {MAX_DEPTH}", path)
    clauses: list[Clause] = []
    for key, value in node.items():
        here = (*path, key)
        if key == "$or":
            clauses.append(_or(value, path, depth))
        elif isinstance(value, dict):
            if not value:
                raise _Invalid("an empty object matches nothing", here)
            clauses.extend(_clauses(value, here, depth + 1))
        elif isinstance(value, list):
            if not value:
                raise _Invalid("empty arrays are not allowed", here)
            clauses.append(Field(here, tuple(_matcher(item, here) for item in value)))
        else:
            raise _Invalid("a field's value must be an object or an array", here)
    return tuple(clauses)


def _or(value: object, path: Path, depth: int) -> Or:
    # event-ruler reads "$or" as OR only for a list of two or more objects; anything else would
    # be a literal field named "$or", which no CloudTrail event has: report it, never pass it.
    if not isinstance(value, list) or len(value) < 2:
        raise _Invalid("$or needs a list of two or more objects", (*path, "$or"))
    branches: list[tuple[Clause, ...]] = []
    for branch in value:
        if not isinstance(branch, dict) or not branch:
            raise _Invalid("each $or alternative must be a non-empty object", (*path, "$or"))
        branches.append(_clauses(branch, path, depth + 1))
    return Or(tuple(branches))


def _matcher(item: object, path: Path) -> Matcher:
    if item is None or isinstance(item, str | bool | int | float):
        return Exact(item)
    if not isinstance(item, dict):
        raise _Invalid("a value list holds strings, numbers, booleans, null or operators", path)
    if len(item) != 1:
        raise _Invalid(f"an operator object has exactly one key, not {sorted(item)}", path)
    ((name, arg),) = item.items()
    if name in ("prefix", "suffix"):
        text, ignore_case = _text_or_ignore_case(name, arg, path)
        return Prefix(text, ignore_case) if name == "prefix" else Suffix(text, ignore_case)
    if name == "equals-ignore-case":
        return IgnoreCase(_texts(name, arg, path))
    if name == "wildcard":
        return Wildcard(_globs(arg, path))
    if name == "anything-but":
        return AnythingBut(_anything_but(arg, path))
    if name == "numeric":
        return Numeric(_bounds(arg, path))
    if name == "exists":
        if not isinstance(arg, bool):
            raise _Invalid("exists takes true or false", path)
        return Exists(arg)
    if name == "cidr":
        try:
            return Cidr(ipaddress.ip_network(str(arg)))
        except ValueError:
            raise _Invalid(f"cidr takes a network like 10.0.0.0/24, not {arg!r}", path) from None
    raise _Invalid(f"unknown operator {name!r}", path)


def _text_or_ignore_case(name: str, arg: object, path: Path) -> tuple[str, bool]:
    if isinstance(arg, str):
        return arg, False
    if isinstance(arg, dict) and set(arg) == {"equals-ignore-case"}:
        inner = arg["equals-ignore-case"]
        if isinstance(inner, str):
            return inner, True
    raise _Invalid(f'{name} takes a string or {{"equals-ignore-case": string}}', path)


def _texts(name: str, arg: object, path: Path) -> tuple[str, ...]:
    items = arg if isinstance(arg, list) else [arg]
    if not items or not all(isinstance(text, str) for text in items):
        raise _Invalid(f"{name} takes a string or a list of strings", path)
    return tuple(str(text) for text in items)


def _globs(arg: object, path: Path) -> tuple[tuple[str, ...], ...]:
    globs: list[tuple[str, ...]] = []
    for text in _texts("wildcard", arg, path):
        pieces = wildcard.escaped_segments(text)
        if isinstance(pieces, str):
            raise _Invalid(f"wildcard {text!r}: {pieces}", path)
        globs.append(pieces)
    return tuple(globs)


def _anything_but(arg: object, path: Path) -> tuple[Matcher, ...]:
    if isinstance(arg, dict):
        if len(arg) != 1:
            raise _Invalid("anything-but takes one operator", path)
        ((name, inner),) = arg.items()
        if name in ("prefix", "suffix"):
            texts = _texts(f"anything-but {name}", inner, path)
            return tuple(Prefix(t) if name == "prefix" else Suffix(t) for t in texts)
        if name == "equals-ignore-case":
            return (IgnoreCase(_texts(name, inner, path)),)
        if name == "wildcard":
            return (Wildcard(_globs(inner, path)),)
        raise _Invalid(f"unknown operator {name!r} inside anything-but", path)
    values = arg if isinstance(arg, list) else [arg]
    strings = all(isinstance(v, str) for v in values)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if not values or not (strings or numbers):
        raise _Invalid("anything-but takes strings or numbers (not a mix), or an operator", path)
    return tuple(Exact(v) for v in values if isinstance(v, str | int | float))


def _bounds(arg: object, path: Path) -> tuple[tuple[str, float], ...]:
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        raise _Invalid("numeric takes [op, number] or [op, number, op, number]", path)
    bounds: list[tuple[str, float]] = []
    for op, number in zip(arg[::2], arg[1::2], strict=True):
        if op not in _NUMERIC or isinstance(number, bool) or not isinstance(number, int | float):
            raise _Invalid(f"numeric: {op!r} {number!r} is not an operator and a number", path)
        bounds.append((op, float(number)))
    return tuple(bounds)


# --- matching ------------------------------------------------------------------------------


def _all(clauses: tuple[Clause, ...], event: object) -> bool:
    return all(_clause(clause, event) for clause in clauses)


def _clause(clause: Clause, event: object) -> bool:
    if isinstance(clause, Or):
        return any(_all(branch, event) for branch in clause.branches)
    leaves = _leaves(event, clause.path)
    return any(_field_matches(matcher, leaves) for matcher in clause.matchers)


def _field_matches(matcher: Matcher, leaves: list[object]) -> bool:
    if isinstance(matcher, Exists):
        # Only leaves count: an object at the path is "absent" (event-ruler README).
        return bool(leaves) == matcher.present
    return any(_value_matches(matcher, leaf) for leaf in leaves)


def _value_matches(matcher: Matcher, value: object) -> bool:
    if isinstance(matcher, Exact):
        return _same(value, matcher.value)
    if isinstance(matcher, AnythingBut):
        return not any(_value_matches(excluded, value) for excluded in matcher.excluded)
    if isinstance(matcher, Numeric):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return all(_NUMERIC[op](float(value), bound) for op, bound in matcher.bounds)
    if not isinstance(value, str):
        return False  # the string operators only look at strings
    if isinstance(matcher, Prefix):
        return _fold(value, matcher.ignore_case).startswith(
            _fold(matcher.text, matcher.ignore_case)
        )
    if isinstance(matcher, Suffix):
        return _fold(value, matcher.ignore_case).endswith(_fold(matcher.text, matcher.ignore_case))
    if isinstance(matcher, IgnoreCase):
        return any(value.casefold() == text.casefold() for text in matcher.texts)
    if isinstance(matcher, Wildcard):
        return any(wildcard.match(pieces, value) for pieces in matcher.globs)
    if isinstance(matcher, Cidr):
        try:
            return ipaddress.ip_address(value) in matcher.network
        except ValueError:
            return False
    return False  # Exists is handled per field, not per value


def _same(value: object, expected: Scalar) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, int | float) and isinstance(value, int | float):
        # EventBridge compares numbers as written: 300 and 300.0 differ.
        return json.dumps(value) == json.dumps(expected)
    return type(value) is type(expected) and value == expected


def _fold(text: str, ignore_case: bool) -> str:
    return text.casefold() if ignore_case else text


def _leaves(event: object, path: Path) -> list[object]:
    nodes: list[object] = [event]
    for key in path:
        nodes = [
            item[key]
            for node in nodes
            for item in _spread(node)
            if isinstance(item, Mapping) and key in item
        ]
    return [item for node in nodes for item in _spread(node) if not isinstance(item, Mapping)]


def _spread(node: object) -> Iterator[object]:
    """Arrays are looked through: their elements stand where the array stands."""
    if isinstance(node, Sequence) and not isinstance(node, str | bytes):
        for item in node:
            yield from _spread(item)
    else:
        yield node


def _walk(clauses: tuple[Clause, ...]) -> Iterator[Field]:
    for clause in clauses:
        if isinstance(clause, Or):
            for branch in clause.branches:
                yield from _walk(branch)
        else:
            yield clause
