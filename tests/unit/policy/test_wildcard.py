"""IAM wildcards, matched without backtracking (a policy author controls every glob)."""

from __future__ import annotations

import pytest

from iamgate.policy.wildcard import (
    covers_action,
    covers_resource,
    match_action,
    match_resource,
    match_text,
)

ROLE = "arn:aws:iam::123456789012:role/"


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("*", "anything", True),
        ("iam:*", "IAM:PassRole", True),
        ("iam:*Policy*", "iam:PutRolePolicy", True),
        ("iam:*Policy*", "iam:PassRole", False),
        ("a*b*c", "a" + "x" * 1000 + "c", False),
        ("??", "ab", True),
        ("??", "abc", False),
        ("", "", True),
        ("*a", "ba", True),
        ("s3:Get?bject", "s3:GetObject", True),
    ],
)
def test_actions_are_case_insensitive_globs(pattern: str, text: str, expected: bool) -> None:
    assert match_action(pattern, text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("repo:my-org/*", "repo:my-org/app:ref:refs/heads/main", True),
        ("repo:my-org/*", "repo:My-Org/app:ref:refs/heads/main", False),  # case-sensitive
        ("repo:*", "repo:anyone/anything", True),
        ("a?c", "abc", True),
        ("a?c", "a:c", True),  # no ARN segments in plain text
    ],
)
def test_condition_values_are_case_sensitive_globs(pattern: str, text: str, expected: bool) -> None:
    assert match_text(pattern, text) is expected


def test_a_resource_star_stays_in_its_segment_unless_it_ends_it() -> None:
    assert match_resource("arn:*", "arn:aws:iam::1:user/x")
    assert match_resource(ROLE + "*", ROLE + "path/x")
    assert not match_resource("arn:aws:s3:::a*b", "arn:aws:s3:::a:b")
    assert not match_resource("arn:aws:iam::1?3:user/x", "arn:aws:iam::1:3:user/x")


def test_glob_inclusion() -> None:
    assert covers_action("*", "iam:*")
    assert covers_action("iam:*", "iam:Get*")
    assert not covers_action("iam:Get*", "iam:*")
    assert not covers_action("iam:?", "iam:*")
    assert covers_resource("arn:aws:iam::*:role/*", ROLE + "a*")
    assert not covers_resource(ROLE + "*", "arn:aws:iam::*:role/*")
    assert not covers_resource(ROLE + "x", "*")


@pytest.mark.parametrize("stars", [10, 200])
def test_hostile_globs_get_the_right_answer(stars: int) -> None:
    # The shapes that make a regex backtrack: many stars, a text that almost matches. The
    # matcher is one pass over the text per glob (a bit-parallel NFA), so these answer at once;
    # how fast is measured in benchmarks/, not here.
    text = "a" * (stars * 100)
    assert not match_action("a*" * stars + "b", text)
    assert match_action("a*" * stars, text)
    assert not match_resource("arn:" + "*a" * stars + "b", "arn:" + text)
    assert not match_text("*a" * stars + "?b", text)
