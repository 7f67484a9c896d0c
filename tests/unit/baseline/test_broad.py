"""Breadth is explicit (issue 24): a pattern whose wildcard reaches before the resource's name
needs ``allow-broad``, however it is spelled; a wildcard inside the name is a normal exception.
Each broad spelling sits beside the nearly identical narrow one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from iamgate.baseline.lint import broad_entries
from iamgate.checks import REGISTRY, catalogue
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import broad_reach
from iamgate.model.results import Result

ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"

# (broad pattern, what its wildcard reaches into, the narrow near miss)
PAIRS = [
    ("*", "start of the ARN", f"{A}:user/*x"),
    ("a*", "start of the ARN", f"{A}:user/a*"),
    ("*:*", "start of the ARN", f"{A}:user/*:*"),
    ("arn:*", "partition", f"{A}:user/arn*"),
    ("arn:aws:*", "service", f"{A}:user/aws*"),
    ("arn:aws:iam:*", "region", "arn:aws:logs:us-east-1:123456789012:log-group:iam*"),
    ("arn:aws:iam::*", "account", f"{A}:role/ci-*"),
    ("arn:aws:iam::1234*", "account", f"{A}:user/1234*"),
    (f"{A}:*", "resource type", f"{A}:user/c*"),
    (f"{A}:u*", "resource type", f"{A}:user/u*"),
    (f"{A}:user/*", "resource type", f"{A}:user/ci-*"),
    (f"{A}:user/*/*", "resource type", f"{A}:user/ci/*"),
    ("arn:aws:iam::aws:policy/*", "resource type", "arn:aws:iam::aws:policy/Admin*"),
]


@pytest.mark.parametrize(("broad", "reach", "narrow"), PAIRS)
def test_a_wildcard_before_the_name_is_broad_one_inside_it_is_not(
    broad: str, reach: str, narrow: str
) -> None:
    assert broad_reach(broad) == reach
    assert broad_reach(narrow) is None


def baseline_text(resource: str, allow_broad: bool = False) -> str:
    return (
        f'version: 1\naccount: "{ACCOUNT}"\nexceptions:\n'
        f"  - check: user-console-mfa\n    resource: '{resource}'\n"
        "    reason: Every CI user signs in through the SSO portal, which enforces MFA\n"
        f"    owner: platform\n    expires: 2026-07-01\n"
        + ("    allow-broad: true\n" if allow_broad else "")
    )


@pytest.mark.parametrize(("broad", "reach", "narrow"), PAIRS[:4])
def test_the_loader_refuses_a_broad_pattern_without_allow_broad(
    broad: str, reach: str, narrow: str
) -> None:
    with pytest.raises(InputError, match=f"reaches into the {reach}") as caught:
        parse_baseline(baseline_text(broad), "b.yml", REGISTRY)
    assert caught.value.line == 5
    assert parse_baseline(baseline_text(broad, allow_broad=True), "b.yml", REGISTRY)
    assert parse_baseline(baseline_text(narrow), "b.yml", REGISTRY)


def test_lint_lists_broad_entries_and_what_they_accept_today() -> None:
    results = [
        Result("user-console-mfa", f"{A}:user/{name}", "user", passed, "")
        for name, passed in (("alice", False), ("bob", False), ("carol", True))
    ]
    verdict = apply_baseline(
        results,
        today=date(2026, 6, 1),
        generated_at=datetime(2026, 6, 1, tzinfo=UTC),
        account_id=ACCOUNT,
        checks=[catalogue()["user-console-mfa"]],
    )
    text = baseline_text(f"{A}:user/*", allow_broad=True)
    (entry,) = broad_entries(text, "b.yml", REGISTRY, [verdict])
    assert entry.accepts == 2  # the two failing users; the passing one is not accepted
    assert str(entry).startswith(f"b.yml:4: broad: user-console-mfa on {A}:user/*")
    assert str(entry).endswith("it accepts 2 findings today")
    assert broad_entries(text, "b.yml", REGISTRY)[0].accepts is None
    assert broad_entries(baseline_text(f"{A}:user/a*"), "b.yml", REGISTRY, [verdict]) == []
