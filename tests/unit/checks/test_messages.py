"""Every check's message says what was judged: run every check on accounts with ordinary, missing
and odd data, and no message may print ``None``, an empty quoted name or a Python repr (issue 20:
"management events: None"; a rule on a custom bus judged without being named)."""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from pathlib import Path

import pytest

from iamgate.checks import REGISTRY, run_checks
from iamgate.formats.snapshot_json import load_snapshot
from iamgate.model.config import Config
from iamgate.model.results import Result
from iamgate.model.snapshot import (
    Alarm,
    CollectionError,
    EventBus,
    EventRule,
    MetricFilter,
    Organization,
    Snapshot,
    SnsTopic,
    Source,
    Tag,
)
from testing.factories import (
    ACCOUNT,
    ADMIN,
    doc,
    group,
    key,
    managed,
    role,
    row,
    snap,
    trail,
    user,
)

DEMO = Path(__file__).parents[2] / "data" / "demo-snapshot.json"
LOGS = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:trail:*"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"

# What a message must never hold: a None printed as text, an empty quoted name, a repr.
BAD = {
    "None as text": re.compile(r"\bNone\b"),
    "an empty quoted name": re.compile(r"''|\"\"|' '|\" \""),
    "a repr of a list of strings": re.compile(r"\[['\"]"),
    "a repr of a dict": re.compile(r"\{'"),
    "a repr of a frozenset": re.compile(r"frozenset\("),
    "a repr of a datetime": re.compile(r"datetime\."),
    "a repr of an object": re.compile(r"<[^>]* object at "),
}


def _odd_monitoring() -> Snapshot:
    """Trails, filters, alarms and rules at their oddest: events not recorded, status unknown,
    unnamed rules, a rule on a custom bus, an alarm without actions, a topic unread."""
    trails = (
        trail("none", management="None", log_group=LOGS),
        trail("readonly", management="ReadOnly", multi_region=False),
        trail("writeonly", management="WriteOnly", logging=None),
        replace(trail("unknown", management="", logging=None), status_error=""),
    )
    rules = (
        EventRule("", f"arn:aws:events:us-east-1:{ACCOUNT}:rule/", "ENABLED", "{}", ()),
        EventRule(
            "org-alerts",
            f"arn:aws:events:us-east-1:{ACCOUNT}:rule/org-bus/org-alerts",
            "ENABLED",
            '{"source": ["aws.organizations"]}',
            (TOPIC,),
        ),
        EventRule("paused", f"arn:aws:events:us-east-1:{ACCOUNT}:rule/paused", "PAUSED", "{", ()),
    )
    return snap(
        organization=Organization("o-example1234"),
        regions=("us-east-1",),
        trails=trails,
        metric_filters=(
            MetricFilter("trail", "us-east-1", "", "{ $.errorCode = * }", ()),
            MetricFilter(
                "trail", "us-east-1", "root", '{ $.userIdentity.type = "Root" }', ("CIS/root",)
            ),
        ),
        alarms=(
            Alarm("", "us-east-1", "CIS/root", (), None),
            Alarm("math", "us-east-1", "", (TOPIC,), True, math_metrics=("CIS/root",)),
        ),
        sns_topics=(SnsTopic(TOPIC, exists=False), SnsTopic("arn:aws:sns:x", error="")),
        event_buses=(EventBus("us-east-1", rules),),
    )


def _odd_access() -> Snapshot:
    """Principals whose policies decide conditions, lack documents, trust odd callers."""
    tagged = replace(
        user(
            "alice",
            groups=("ops", "gone"),
            inline={
                "p": doc(
                    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                    {
                        "Effect": "Deny",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "ops"}},
                    },
                )
            },
        ),
        tags=(Tag("team", ""),),
    )
    trusts = (
        role("public", doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})),
        role(
            "svc",
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["sns.amazonaws.com", "*"]},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ""}},
                }
            ),
        ),
        role(
            "ci",
            doc(
                {
                    "Effect": "Allow",
                    "Principal": {
                        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/"
                        "token.actions.githubusercontent.com"
                    },
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": ""}},
                }
            ),
        ),
    )
    wildcard = managed("wild", doc({"Effect": "Allow", "Action": ["s3:**", ""], "Resource": "*"}))
    return snap(
        users=(tagged, user("bob", attached=(ADMIN.arn,)), user("carol", attached=("missing",))),
        groups=(group("ops", attached=(wildcard.arn,)), group("empty", inline={"p": doc()})),
        roles=trusts,
        policies=(ADMIN, wildcard),
        credential_report=(
            row("<root_account>", password=None, mfa=False, keys=(key(),)),
            row("alice", password=True, keys=(key(rotated=400, used=None),)),
            row("bob"),
        ),
        password_policy=None,
        organization=None,
    )


def _collection_failed() -> Snapshot:
    errors = tuple(
        CollectionError(source.value, "Operation", "us-east-1", "AccessDenied", "denied")
        for source in Source
    )
    return snap(errors=errors, organization=None, password_policy=None)


SNAPSHOTS = {
    "demo": lambda: load_snapshot(DEMO),
    "empty": lambda: snap(),
    "odd-monitoring": _odd_monitoring,
    "odd-access": _odd_access,
    "collection-failed": _collection_failed,
}


@functools.cache
def _results(name: str) -> list[Result]:
    return run_checks(SNAPSHOTS[name](), Config(), list(REGISTRY))


def test_every_check_speaks_on_some_account() -> None:
    assert set().union(*({r.check for r in _results(name)} for name in SNAPSHOTS)) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_no_message_prints_none_an_empty_name_or_a_repr(name: str) -> None:
    results = _results(name)
    bad = [
        f"{r.check} ({what}): {r.message}"
        for r in results
        for what, pattern in BAD.items()
        if pattern.search(r.message)
    ]
    assert bad == []


def test_the_detector_catches_what_it_looks_for() -> None:
    """The patterns above are not vacuous: each finds the slip it names."""
    slips = {
        "None as text": "management events: None",
        "an empty quoted name": "rule '' has no target",
        "a repr of a list of strings": "actions ['s3:*']",
        "a repr of a dict": "{'Key': 'v'}",
        "a repr of a frozenset": "frozenset({'a'})",
        "a repr of a datetime": "datetime.datetime(2026, 1, 1)",
        "a repr of an object": "<iamgate.x.Y object at 0x7f>",
    }
    for what, text in slips.items():
        assert BAD[what].search(text), what
    assert not any(
        p.search("rule org-alerts on event bus org-bus (us-east-1)") for p in BAD.values()
    )
