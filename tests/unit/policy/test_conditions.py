"""The Condition element: each operator, qualifier and IfExists against AWS's documented
truth table (a key absent from the request, empty strings, several values, case)."""

from __future__ import annotations

from typing import Any

import pytest

from iamgate.policy.conditions import Clause, arn_match, parse_condition, parse_operator
from iamgate.policy.document import PolicyFormatError


def one(condition: dict[str, Any]) -> Clause:
    (clause,) = parse_condition(condition, "test")
    return clause


# StringLike through the project's one glob matcher: '*' any run (across ':'), '?' one char.
LIKE = [
    ("*", "", True),
    ("*", "anything", True),
    ("?", "", False),
    ("?", "a", True),
    ("a*c", "abbbc", True),
    ("a*c", "abbbd", False),
    ("repo:my-org/*", "repo:my-org/x:ref:y", True),
    ("repo:my-org/*", "repo:my-org-evil/x", False),
    ("*a?", "bab", True),
    ("a**b", "ab", True),
    ("abc", "ABC", False),
    ("arn:aws:iam::*:root", "arn:aws:iam::1:x:root", True),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), LIKE)
def test_string_like(pattern: str, value: str, expected: bool) -> None:
    assert one({"StringLike": {"k": pattern}}).evaluate((value,)) is expected


def test_arn_like_matches_components_separately() -> None:
    # AWS's own example: StringLike's '*' spans colons, ArnLike's does not.
    value = "arn:aws:cloudtrail:us-east-2:999999999999:store/abc:"
    assert one({"StringLike": {"k": "arn:aws:cloudtrail:*:store/*"}}).evaluate((value,))
    assert not arn_match("arn:aws:cloudtrail:*:store/*", value)
    assert arn_match("arn:aws:*:us-east-2:*:store/*", value)
    assert arn_match("*", value)
    assert not arn_match("arn:aws:iam::*:role/x", "not-an-arn")


EVALUATIONS = [
    # (operator, policy values, request values or None when absent, expected)
    ("StringEquals", ["a"], None, False),
    ("StringNotEquals", ["a"], None, True),
    ("StringEqualsIfExists", ["a"], None, True),
    ("StringEqualsIfExists", ["a"], ("b",), False),
    ("StringNotEqualsIfExists", ["a"], ("a",), False),
    ("ForAllValues:StringEquals", ["a"], None, True),
    ("ForAllValues:StringEquals", ["a"], ("",), True),  # "null data set, such as ''"
    ("ForAnyValue:StringEquals", [""], ("",), False),
    ("StringEquals", [""], ("",), True),
    ("ForAllValues:StringEquals", ["a"], ("a", "b"), False),
    ("ForAllValues:StringEquals", ["a", "b"], ("a", "b"), True),
    ("ForAnyValue:StringEquals", ["a"], None, False),
    ("ForAnyValue:StringEquals", ["a"], ("b", "a"), True),
    ("ForAnyValue:StringNotEquals", ["a"], None, False),
    ("ForAnyValue:StringNotEquals", ["a"], ("a", "b"), True),
    ("ForAllValues:StringNotEquals", ["a"], ("b",), True),
    ("StringEqualsIgnoreCase", ["AbC"], ("aBc",), True),
    ("StringNotEqualsIgnoreCase", ["AbC"], ("aBc",), False),
    ("StringEquals", ["AbC"], ("aBc",), False),
    ("StringEquals", ["a*"], ("ab",), False),  # no wildcards under StringEquals
    ("StringEquals", ["a", "b"], ("b",), True),  # several values: OR
    ("StringLike", ["a*"], ("ab",), True),
    ("StringNotLike", ["a*"], ("ab",), False),
    ("StringNotLike", ["a*"], ("b",), True),
    ("ArnEquals", ["arn:aws:iam::*:root"], ("arn:aws:iam::123:root",), True),
    ("ArnLike", ["arn:aws:iam::123:role/*"], ("arn:aws:iam::124:role/x",), False),
    ("ArnNotLike", ["arn:aws:iam::1:*"], None, True),
    ("ArnNotEquals", ["arn:aws:iam::1:root"], ("arn:aws:iam::1:root",), False),
    ("Bool", ["true"], ("TRUE",), True),
    ("Bool", [True], ("true",), True),
    ("Bool", ["true"], None, False),
    ("BoolIfExists", ["false"], None, True),
    ("Null", ["true"], None, True),
    ("Null", ["true"], ("x",), False),
    ("Null", ["false"], None, False),
    ("Null", ["false"], ("x",), True),
]


@pytest.mark.parametrize(("operator", "values", "request_values", "expected"), EVALUATIONS)
def test_clause_evaluate(
    operator: str, values: list[Any], request_values: tuple[str, ...] | None, expected: bool
) -> None:
    assert one({operator: {"k": values}}).evaluate(request_values) is expected


def test_operator_parsing() -> None:
    assert parse_operator("ForAnyValue:StringNotLikeIfExists") == (
        "StringNotLike",
        "string",
        True,
        True,
        "ForAnyValue",
        True,
    )
    assert parse_operator("stringequals")[0] == "StringEquals"  # operators: any case
    assert parse_operator("NumericLessThan")[1] == "other"
    assert parse_operator("IpAddress")[1] == "other"
    assert parse_operator("NullIfExists")[1] == "other"  # IfExists does not apply to Null
    assert one({"StringEquals": {"k": 123456789012}}).values == ("123456789012",)
    assert one({"Bool": {"k": False}}).values == ("false",)


def test_what_is_not_understood_is_said() -> None:
    variable = one({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalTag/a}"}})
    assert variable.has_variable
    assert not variable.understood
    assert not one({"NumericLessThan": {"k": "3"}}).understood
    clause = one({"StringNotLikeIfExists": {"K": ["a*"]}})
    assert clause.positive().render() == "StringLike K = 'a*'"
    assert clause.key_lower == "k"


@pytest.mark.parametrize(
    "block",
    [
        ["x"],
        {"StringEquals": "x"},
        {"StringEquals": {"k": {"a": 1}}},
        {"StringEquals": {"k": [[1]]}},
    ],
)
def test_malformed_condition_blocks(block: Any) -> None:
    with pytest.raises(PolicyFormatError):
        parse_condition(block, "statement #1")
