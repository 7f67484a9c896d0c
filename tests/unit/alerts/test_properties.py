"""Properties: neither parser raises on any input; an unreadable pattern is a value."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iamgate.alerts import event_pattern
from iamgate.alerts.filter_pattern import PatternError, matches, parse

_PIECES = [
    "{",
    "}",
    "(",
    ")",
    "&&",
    "||",
    "=",
    "!=",
    "<",
    ">=",
    " ",
    '"',
    "\\",
    "*",
    "$.a",
    "$.b[0]",
    "$.",
    "IS",
    "NULL",
    "NOT",
    "EXISTS",
    "TRUE",
    "1",
    "-2e3",
    "x y",
    "%",
    "%a.*%",
]


@settings(database=None)  # write no .hypothesis directory
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_parse_never_raises(text: str) -> None:
    node = parse(text)
    if not isinstance(node, PatternError):
        matches(node, {"a": 1, "b": ["x"]})


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.sampled_from(
        [
            "prefix",
            "suffix",
            "anything-but",
            "exists",
            "numeric",
            "wildcard",
            "equals-ignore-case",
            "cidr",
            "$or",
            "*",
            "a**",
            "\\q",
            "10.0.0.0/8",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "source",
                    "detail",
                    "prefix",
                    "suffix",
                    "anything-but",
                    "exists",
                    "numeric",
                    "wildcard",
                    "equals-ignore-case",
                    "cidr",
                    "$or",
                    "x",
                ]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=12,
)


@settings(database=None)
@given(_JSON)
def test_event_pattern_parse_never_raises(value: object) -> None:
    parsed = event_pattern.parse(json.dumps(value))
    if not isinstance(parsed, event_pattern.EventPatternError):
        event_pattern.matches(parsed, {"source": "aws.iam", "detail": {"x": ["a", 1, None]}})
