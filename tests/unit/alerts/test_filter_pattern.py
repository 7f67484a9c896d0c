"""The CloudWatch Logs JSON filter pattern parser and evaluator, against the AWS examples."""

from __future__ import annotations

from typing import Any

import pytest

from iamgate.alerts import wildcard
from iamgate.alerts.filter_pattern import (
    MAX_DEPTH,
    All,
    AnyOf,
    Compare,
    Everything,
    PatternError,
    conditions,
    matches,
    parse,
)

# The example log event of FilterAndPatternSyntax.html ("Matching terms in JSON log events").
DOC_EVENT: dict[str, Any] = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
}
# The example object of the same page's "compound expressions" section.
COMPOUND_EVENT: dict[str, Any] = {
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [
        {"id": 2, "email": "John.Doe@example.com"},
        {"id": 3, "email": "Jane.Doe@example.com"},
    ],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
}
OTHER: dict[str, Any] = {
    "bandwidth": 80, "latency": 40, "number": [0.001, 1000], "flag": True, "off": False,
    "text": "true", "code": "400", "status": 404, "name": "CreateTrail",
}  # fmt: skip


def check(pattern: str, event: dict[str, Any]) -> bool:
    node = parse(pattern)
    assert not isinstance(node, PatternError), node
    return matches(node, event)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventType = "UpdateTrail" }', True),
        ("{ $.sourceIPAddress != 123.123.* }", True),
        ('{ $.arrayKey[0] = "value" }', True),
        ("{ $.objectList[1].id = 2 }", True),
        ("{ $.SomeObject IS NULL }", True),
        ("{ $.SomeOtherObject NOT EXISTS }", True),
        # a selector on an array or object does not match
        ('{ $.arrayKey = "value" }', False),
        ("{ $.objectList[1] = * }", False),
        ("{ $.eventType = * }", True),
        ("{ $.arrayKey[2] = * }", False),  # past the end
        ("{ $.SomeObject NOT EXISTS }", False),  # null is present
        ("{ $.eventType IS NULL }", False),
    ],
)
def test_doc_examples(pattern: str, expected: bool) -> None:
    assert check(pattern, DOC_EVENT) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        # && binds tighter than ||: the docs' "matches using OR" example
        (
            (
                '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && '
                '$.actions[2] = "nonmatch" }'
            ),
            True,
        ),
        # parentheses first: the docs' "doesn't match using AND" example
        (
            (
                '{ ($.user.email = "John.Stiles@example.com" || '
                '$.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }'
            ),
            False,
        ),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        ("{ $.coordinates[2][0] = 7 }", True),
    ],
)
def test_compound_doc_examples(pattern: str, expected: bool) -> None:
    assert check(pattern, COMPOUND_EVENT) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.bandwidth > 75 }", True),
        ("{ $.latency < 50 }", True),
        ("{ $.latency >= 40 }", True),
        ("{ $.latency <= 39 }", False),
        ("{ $.number[0] = 1e-3 }", True),
        ("{ $.number[1] != 1e+3 }", False),
        ("{ $.status = 404 }", True),
        ("{ $.status = 4* }", True),  # wildcard on the number as written
        ("{ $.code > 300 }", False),  # a string is not a number
        ("{ $.code = 400 }", True),  # ... but = compares its text
        ('{ $.status = "404" }', True),
        ("{ $.flag IS TRUE }", True),
        ("{ $.off IS FALSE }", True),
        ("{ $.text IS TRUE }", False),  # the string "true" is not the literal
        ("{ $.flag = true }", True),
        ("{ $.name = Create* }", True),
        ("{ $.name = *Trail }", True),
        ("{ $.name = C*T*l }", True),
        ("{ $.name = *Logging }", False),
        ("{ $.name = createtrail }", False),  # case-sensitive
        ("{ $.missing != x }", False),  # != on a missing field is false ...
        ("{ $.missing NOT EXISTS || $.missing != x }", True),  # ... hence this idiom
        ("{ $.name != CreateTrail }", False),
        ("{ $.name != *Trail }", False),
    ],
)
def test_operators(pattern: str, expected: bool) -> None:
    assert check(pattern, OTHER) is expected


@pytest.mark.parametrize(
    ("a", "b", "c"),
    [(a, b, c) for a in (True, False) for b in (True, False) for c in (True, False)],
)
def test_precedence_matches_python(a: bool, b: bool, c: bool) -> None:
    event = {"a": a, "b": b, "c": c}
    assert check("{ $.a IS TRUE || $.b IS TRUE && $.c IS TRUE }", event) is (a or (b and c))
    assert check("{ ($.a IS TRUE || $.b IS TRUE) && $.c IS TRUE }", event) is ((a or b) and c)
    assert check("{ $.a IS TRUE && $.b IS TRUE || $.c IS TRUE }", event) is ((a and b) or c)


def test_tree_shape() -> None:
    node = parse('{ $.a = 1 || $.b = "x y" && $.c NOT EXISTS }')
    assert isinstance(node, AnyOf)
    assert isinstance(node.parts[1], All)
    first = node.parts[0]
    assert isinstance(first, Compare)
    assert first.selector == ("a",)
    assert first.value.number == 1.0
    assert [type(c).__name__ for c in conditions(node)] == ["Compare", "Compare", "NotExists"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("ERROR", "text pattern"),
        ("[ip, user, status = 4*]", "space-delimited pattern"),
        ("{ }", "empty"),
        ("{ $.a = 1", "expected &&, || or }"),
        ("{ ($.a = 1 }", "expected &&, || or )"),
        ("{ $.a = 1 } trailing", "the end of the pattern"),
        ("{ $.a }", "expected =, !=, <, >, <=, >=, IS or NOT EXISTS"),
        ("{ $.a = }", "expected a value"),
        ('{ $.a = "open }', "unterminated string"),
        ("{ $.a = Failed authentication }", "quote a value that contains spaces"),
        ("{ $.a > abc }", "compares numbers"),
        ("{ $.a > 4* }", "compares numbers"),
        ("{ $.a & $.b }", "expected &&"),
        ("{ $.a | $.b }", "expected ||"),
        ("{ $.a ! 1 }", "lone !"),
        ("{ $.a IS MAYBE }", "TRUE, FALSE or NULL"),
        ("{ $.a NOT THERE }", "EXISTS"),
        ("{ $. = 1 }", "property name"),
        ("{ $.a[x] = 1 }", "array index"),
        ("{ $ = 1 }", "selector"),
        ("{ a = 1 }", "selector"),
        ("{ $.a = 1 && }", "selector"),
        # CloudWatch Logs evaluates %regex% values; iamgate does not guess what they catch
        ("{ $.eventName = %Create.*% }", "regular expression, which iamgate does not evaluate"),
        ("{ $.eventName = %Create }", "unterminated regular expression"),
        ("{" + "(" * (MAX_DEPTH + 1) + "$.a = 1" + ")" * (MAX_DEPTH + 1) + "}", "nested"),
    ],
)
def test_unreadable_patterns_are_values_not_exceptions(pattern: str, message: str) -> None:
    error = parse(pattern)
    assert isinstance(error, PatternError)
    assert message in str(error)
    assert 0 <= error.position <= len(pattern)


def test_error_position_points_at_the_problem() -> None:
    error = parse("{ $.a = 1 && $.b ? 2 }")
    assert isinstance(error, PatternError)
    assert error.position == 17
    assert str(error).endswith("(at character 18)")


def test_empty_pattern_matches_everything() -> None:
    node = parse("   ")
    assert isinstance(node, Everything)
    assert matches(node, {})


def test_keywords_are_case_insensitive_and_whitespace_is_free() -> None:
    assert check("{\n\t$.a   is   null\n&&\n$.b not exists }", {"a": None})


def test_nesting_up_to_the_limit_parses() -> None:
    depth = MAX_DEPTH
    assert check("{" + "(" * depth + "$.a = 1" + ")" * depth + "}", {"a": 1})


def test_wildcard_matching_does_not_backtrack() -> None:
    # A backtracking matcher takes exponential time on this; the piece scan finds each piece
    # once, left to right (the speed itself is benchmarks' business, not a unit test's).
    text = "a" * 100_000
    assert not wildcard.match(wildcard.segments("*a" * 50 + "*b"), text)
    assert wildcard.match(wildcard.segments("*a" * 50 + "*"), text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("abc", "abc", True),
        ("*", "", True),
        ("a*", "a", True),
        ("*a", "ba", True),
        ("a*a", "a", False),  # the two ends may not overlap
        ("a*b*c", "aXbYc", True),
        ("a*b*c", "acb", False),
        ("**", "x", True),
        ("*ab*ab*", "abab", True),
        ("*ab*ab*", "aba", False),
    ],
)
def test_wildcard(pattern: str, text: str, expected: bool) -> None:
    assert wildcard.match(wildcard.segments(pattern), text) is expected
