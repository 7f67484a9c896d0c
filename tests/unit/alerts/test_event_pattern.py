"""The EventBridge event pattern matcher, against the documented examples and operators."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamgate.alerts.event_pattern import EventPatternError, matches, parse

# The EC2 example event of eb-event-patterns.html, with the event-ruler README's detail fields.
EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0",
        "state": "terminated",
        "c-count": 5,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "empty": "",
        "nothing": None,
        "flag": False,
        "tags": ["blue", "prod"],
        "nested": {"inner": "v"},
        "employees": [{"firstName": "John"}, {"firstName": "Anna"}],
        "path": "/usr/lib/x.jar",
    },
}


def check(pattern: dict[str, Any]) -> bool:
    parsed = parse(json.dumps(pattern))
    assert not isinstance(parsed, EventPatternError), parsed
    return matches(parsed, EVENT)


def detail(field: str, *matchers: Any) -> dict[str, Any]:
    return {"detail": {field: list(matchers)}}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}, True),
        ({"source": ["aws.ec2", "aws.fargate"]}, True),  # array = OR
        ({"source": ["aws.ec2"], "detail": {"state": ["running"]}}, False),  # fields = AND
        ({"source": ["AWS.EC2"]}, False),  # case-sensitive
        (detail("state", {"prefix": "term"}), True),
        (detail("state", {"prefix": {"equals-ignore-case": "TERM"}}), True),
        (detail("state", {"suffix": "nated"}), True),
        (detail("state", {"suffix": {"equals-ignore-case": "NATED"}}), True),
        (detail("state", {"equals-ignore-case": "TERMINATED"}), True),
        (detail("state", {"equals-ignore-case": ["x", "Terminated"]}), True),
        (detail("state", {"wildcard": "t*n*d"}), True),
        (detail("state", {"wildcard": "t*x"}), False),
        (detail("path", {"wildcard": "*/lib/*"}), True),
        (detail("state", {"anything-but": "initializing"}), True),
        (detail("state", {"anything-but": ["stopped", "terminated"]}), False),
        (detail("state", {"anything-but": {"prefix": "term"}}), False),
        (detail("state", {"anything-but": {"suffix": ["x", "ated"]}}), False),
        (detail("state", {"anything-but": {"equals-ignore-case": "TERMINATED"}}), False),
        (detail("path", {"anything-but": {"wildcard": "*/lib/*"}}), False),
        (detail("missing", {"anything-but": "x"}), False),  # needs the field
        (detail("c-count", {"numeric": [">", 0, "<=", 5]}), True),
        (detail("c-count", {"numeric": ["<", 5]}), False),
        (detail("x-limit", {"numeric": ["=", 301.8]}), True),
        (detail("state", {"numeric": [">", 0]}), False),  # numeric needs a number
        (detail("c-count", {"anything-but": [100, 200]}), True),
        (detail("source-ip", {"cidr": "10.0.0.0/24"}), True),
        (detail("source-ip", {"cidr": "10.0.1.0/24"}), False),
        (detail("state", {"exists": True}), True),
        (detail("missing", {"exists": False}), True),
        (detail("nested", {"exists": False}), True),  # exists looks at leaves only
        (detail("nested", {"exists": True}), False),
        (detail("empty", ""), True),
        (detail("nothing", None), True),
        (detail("nothing", ""), False),  # null and "" differ
        (detail("flag", False), True),
        (detail("c-count", 5), True),
        (detail("c-count", 5.0), False),  # numbers compare as written
        (detail("tags", "prod"), True),  # event arrays: any element
        ({"detail": {"employees": {"firstName": ["Anna"]}}}, True),  # arrays looked through
        ({"detail": {"nested": {"inner": ["v"]}}}, True),
        ({"$or": [{"source": ["aws.s3"]}, {"detail": {"state": ["terminated"]}}]}, True),
        ({"source": ["aws.s3"], "$or": [{"region": ["us-west-1"]}, {"account": ["1"]}]}, False),
        ({"detail": {"$or": [{"state": ["x"]}, {"c-count": [{"numeric": ["<", 10]}]}]}}, True),
    ],
)
def test_matching(pattern: dict[str, Any], expected: bool) -> None:
    assert check(pattern) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ("{}", "empty"),
        ('{"source": "aws.ec2"}', "object or an array"),
        ('{"source": []}', "empty arrays"),
        ('{"detail": {}}', "empty object"),
        ('{"source": [["aws.ec2"]]}', "value list"),
        ('{"source": [{"contains": "ec2"}]}', "unknown operator 'contains'"),
        ('{"source": [{"prefix": "a", "suffix": "b"}]}', "exactly one key"),
        ('{"source": [{}]}', "exactly one key"),
        ('{"source": [{"prefix": 1}]}', "prefix takes a string"),
        ('{"source": [{"equals-ignore-case": []}]}', "list of strings"),
        ('{"source": [{"wildcard": "a**b"}]}', "consecutive wildcard"),
        ('{"source": [{"wildcard": "a\\\\qb"}]}', "invalid escape"),
        ('{"source": [{"anything-but": ["a", 1]}]}', "not a mix"),
        ('{"source": [{"anything-but": {"numeric": [">", 1]}}]}', "inside anything-but"),
        ('{"source": [{"anything-but": true}]}', "strings or numbers"),
        ('{"source": [{"numeric": [">"]}]}', "numeric takes"),
        ('{"source": [{"numeric": ["~", 1]}]}', "not an operator and a number"),
        ('{"source": [{"exists": "yes"}]}', "true or false"),
        ('{"source": [{"cidr": "10.0.0.0/99"}]}', "cidr"),
        ('{"$or": [{"source": ["a"]}]}', "two or more"),
        ('{"$or": [{"source": ["a"]}, {}]}', "non-empty object"),
    ],
)
def test_invalid_patterns_are_values_not_exceptions(text: str, message: str) -> None:
    error = parse(text)
    assert isinstance(error, EventPatternError)
    assert message in str(error)


def test_error_names_the_path() -> None:
    error = parse('{"detail": {"eventName": [{"bogus-op": 1}]}}')
    assert isinstance(error, EventPatternError)
    assert str(error) == "unknown operator 'bogus-op' (at detail.eventName)"


def test_deep_nesting_is_an_error() -> None:
    text = '{"a": ' * 100 + '["x"]' + "}" * 100
    assert isinstance(parse(text), EventPatternError)
    assert isinstance(parse("[" * 100_000), EventPatternError)


def test_escaped_wildcard_matches_a_star() -> None:
    parsed = parse('{"detail": {"k": [{"wildcard": "a\\\\*b"}]}}')
    assert not isinstance(parsed, EventPatternError)
    assert matches(parsed, {"detail": {"k": "a*b"}})
    assert not matches(parsed, {"detail": {"k": "axb"}})
