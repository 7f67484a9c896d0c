"""Table tests per control: which EventBridge rules catch every event the control names.

A row is (control, event pattern, expected first gap or None). Rules are placed in every region
read (REGIONS), with the state the control needs, unless a row says otherwise (see the region
and state tests below).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamgate.alerts.controls import (
    BY_ID,
    CLOUDTRAIL_EVENTS,
    CONTROLS,
    ENABLED,
    ENABLED_ALL,
    IAM_POLICY_EVENTS,
    ORGANIZATIONS_EVENTS,
    Control,
)
from iamgate.alerts.coverage import DISABLED, RuleSpec, eventbridge_gaps, needs

API = "AWS API Call via CloudTrail"
# Where the samples are recorded, and one region where none is: a call made "anywhere" must be
# caught there too.
REGIONS = ("us-east-1", "us-east-2", "eu-west-1", "eu-north-1", "ap-south-1")
SIGN_IN = "AWS Console Sign In via CloudTrail"


def pattern(**fields: Any) -> str:
    """A pattern from keyword fields; detail_type stands for "detail-type"."""
    return json.dumps({k.replace("_", "-"): v for k, v in fields.items()})


def everywhere(control: Control, event_pattern: str, state: str = "") -> list[RuleSpec]:
    return [RuleSpec(event_pattern, r, state or control.eventbridge_state) for r in REGIONS]


def gaps_of(control: Control, rules: list[RuleSpec]) -> list[str]:
    return eventbridge_gaps(control, rules, REGIONS)


def in_us_east_1(control: Control, event_pattern: str, state: str = "") -> list[str]:
    return gaps_of(
        control, [RuleSpec(event_pattern, "us-east-1", state or control.eventbridge_state)]
    )


def equivalent(control: Control) -> dict[str, Any]:
    loaded = json.loads(control.eventbridge_pattern)
    assert isinstance(loaded, dict)
    return loaded


def changed(control: Control, *path: str, value: Any) -> str:
    """The control's EventBridge equivalent with one field replaced (or removed: value=None)."""
    edited = equivalent(control)
    node = edited
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return json.dumps(edited)


IAM = BY_ID["iam-change-alarm"]
IAM_ROWS = [
    (IAM.eventbridge_pattern, None),
    (changed(IAM, "source", value=None), None),
    (changed(IAM, "detail", "eventName", value=list(IAM_POLICY_EVENTS[::-1])), None),
    (
        changed(
            IAM,
            "detail",
            "eventName",
            value=[{"prefix": p} for p in ("Attach", "Detach", "Put", "Delete", "Create")],
        ),
        None,
    ),
    (changed(IAM, "detail", "eventName", value=[{"wildcard": "*Policy*"}]), None),
    (
        changed(
            IAM,
            "detail",
            "eventName",
            value=[{"equals-ignore-case": n.lower()} for n in IAM_POLICY_EVENTS],
        ),
        None,
    ),
    (
        pattern(
            source=["aws.iam"],
            **{
                "$or": [
                    {"detail": {"eventName": list(IAM_POLICY_EVENTS[:8])}},
                    {"detail": {"eventName": list(IAM_POLICY_EVENTS[8:])}},
                ]
            },
        ),
        None,
    ),
    (
        changed(IAM, "detail", "eventName", value=list(IAM_POLICY_EVENTS[:-1])),
        "misses DetachGroupPolicy",
    ),
    (
        changed(IAM, "detail", "eventName", value=[{"anything-but": ["CreatePolicy"]}]),
        "misses CreatePolicy",
    ),
    (
        changed(IAM, "detail-type", value=["AWS Service Event via CloudTrail"]),
        "misses all of DeleteGroupPolicy",
    ),
    (changed(IAM, "source", value=["aws.cloudtrail"]), "misses all of DeleteGroupPolicy"),
    (
        changed(IAM, "detail", "userIdentity", value={"type": ["IAMUser", "AssumedRole"]}),
        "misses every event by the root user",
    ),
    (
        changed(IAM, "detail", "eventName", value=[{"contains": "Policy"}]),
        (
            "the event pattern of the rule (us-east-1) cannot be read: unknown operator "
            "'contains' (at detail.eventName)"
        ),
    ),
]

ROOT = BY_ID["root-usage-alarm"]
ROOT_ROWS = [
    (ROOT.eventbridge_pattern, None),
    (pattern(detail={"userIdentity": {"type": ["Root"]}}), None),
    (changed(ROOT, "detail", "userIdentity", "type", value=[{"equals-ignore-case": "root"}]), None),
    (
        pattern(
            **{
                "$or": [
                    {"detail-type": [SIGN_IN], "detail": {"userIdentity": {"type": ["Root"]}}},
                    {
                        "detail-type": [API],
                        "detail": {"userIdentity": {"arn": [{"suffix": ":root"}]}},
                    },
                ]
            }
        ),
        None,
    ),
    (
        changed(ROOT, "detail-type", value=[API]),
        "misses root console sign-in, root password change",
    ),
    (
        changed(ROOT, "detail", "eventName", value=[{"anything-but": {"prefix": "Console"}}]),
        "misses root console sign-in",
    ),
    (
        pattern(source=["aws.signin"], detail={"userIdentity": {"type": ["Root"]}}),
        "misses root API call",
    ),
    (
        changed(ROOT, "detail", "userIdentity", "invokedBy", value=[{"exists": True}]),
        "misses all of root console sign-in, root password change, root API call",
    ),
    (
        changed(ROOT, "detail", "errorCode", value=[{"exists": False}]),
        "misses root API call (PutBucketPolicy denied in eu-west-1)",
    ),
]

NO_MFA = BY_ID["console-no-mfa-alarm"]
NO_MFA_ROWS = [
    (NO_MFA.eventbridge_pattern, None),
    (changed(NO_MFA, "detail", "additionalEventData", "MFAUsed", value=["No"]), None),
    (
        changed(
            NO_MFA, "detail", "additionalEventData", "MFAUsed", value=[{"equals-ignore-case": "NO"}]
        ),
        None,
    ),
    (changed(NO_MFA, "detail", "responseElements", value={"ConsoleLogin": ["Success"]}), None),
    (
        changed(NO_MFA, "detail-type", value=["AWS Console Signin via CloudTrail"]),
        "misses console sign-in without MFA",
    ),
    (
        changed(
            NO_MFA,
            "detail",
            "additionalEventData",
            "MFAUsed",
            value=[{"anything-but": ["Yes", "No"]}],
        ),
        "misses console sign-in without MFA",
    ),
    (changed(NO_MFA, "source", value=["aws.iam"]), "misses console sign-in without MFA"),
    (
        changed(NO_MFA, "detail", "userIdentity", value={"type": ["Root"]}),
        "misses console sign-in without MFA",
    ),
    (
        changed(NO_MFA, "detail", "additionalEventData", "MFAUsed", value=[{"exists": False}]),
        "misses console sign-in without MFA",
    ),
]

FAILURE = BY_ID["console-auth-failure-alarm"]
FAILURE_ROWS = [
    (FAILURE.eventbridge_pattern, None),
    (
        pattern(
            source=["aws.signin"],
            detail_type=[SIGN_IN],
            detail={
                "eventName": ["ConsoleLogin"],
                "responseElements": {"ConsoleLogin": ["Failure"]},
            },
        ),
        None,
    ),
    (changed(FAILURE, "detail", "errorMessage", value=[{"prefix": "Failed"}]), None),
    (changed(FAILURE, "detail", "errorMessage", value=[{"wildcard": "*authentication"}]), None),
    (changed(FAILURE, "detail", "errorMessage", value=[{"exists": True}]), None),
    (changed(FAILURE, "detail-type", value=[API]), "misses failed console sign-in"),
    (
        changed(
            FAILURE, "detail", "errorMessage", value=[{"anything-but": "Failed authentication"}]
        ),
        "misses failed console sign-in",
    ),
    (
        changed(FAILURE, "detail", "userIdentity", value={"type": ["IAMUser"]}),
        "misses failed console sign-in (of the root user)",
    ),
    (
        changed(FAILURE, "detail", "errorMessage", value=[{"numeric": [">", 0]}]),
        "misses failed console sign-in",
    ),
]

UNAUTHORIZED = BY_ID["unauthorized-api-alarm"]
UNAUTHORIZED_ROWS = [
    (UNAUTHORIZED.eventbridge_pattern, None),
    (
        changed(
            UNAUTHORIZED,
            "detail",
            "errorCode",
            value=[
                "AccessDenied",
                "AccessDeniedException",
                "Client.UnauthorizedOperation",
                "UnauthorizedOperation",
            ],
        ),
        None,
    ),
    (
        changed(
            UNAUTHORIZED,
            "detail",
            "errorCode",
            value=[{"wildcard": "*Unauthorized*"}, {"prefix": "AccessDenied"}],
        ),
        None,
    ),
    (
        pattern(
            detail_type=[API],
            **{
                "$or": [
                    {"detail": {"errorCode": [{"prefix": "AccessDenied"}]}},
                    {"detail": {"errorCode": [{"suffix": "UnauthorizedOperation"}]}},
                ]
            },
        ),
        None,
    ),
    (
        changed(UNAUTHORIZED, "detail", "errorCode", value=[{"prefix": "AccessDenied"}]),
        "misses Client.UnauthorizedOperation, UnauthorizedOperation",
    ),
    (
        changed(
            UNAUTHORIZED, "detail", "errorCode", value=[{"anything-but": {"suffix": "Exception"}}]
        ),
        "misses AccessDeniedException",
    ),
    (
        changed(UNAUTHORIZED, "detail-type", value=[SIGN_IN]),
        "misses all of AccessDenied, AccessDeniedException",
    ),
    (
        changed(UNAUTHORIZED, "source", value=["aws.ec2"]),
        "misses AccessDenied, AccessDeniedException",
    ),
    (
        changed(UNAUTHORIZED, "detail", "errorCode", value=["AccessDenied"]),
        "misses AccessDeniedException, Client.UnauthorizedOperation, UnauthorizedOperation",
    ),
]

CLOUDTRAIL = BY_ID["cloudtrail-change-alarm"]
CLOUDTRAIL_ROWS = [
    (CLOUDTRAIL.eventbridge_pattern, None),
    (
        changed(
            CLOUDTRAIL, "detail", "eventName", value=[{"suffix": "Trail"}, {"suffix": "Logging"}]
        ),
        None,
    ),
    (changed(CLOUDTRAIL, "detail", "eventName", value=None), None),
    (
        changed(
            CLOUDTRAIL,
            "detail",
            "eventName",
            value=[{"prefix": {"equals-ignore-case": n[:5].upper()}} for n in CLOUDTRAIL_EVENTS],
        ),
        None,
    ),
    (
        changed(CLOUDTRAIL, "detail", "eventName", value=list(CLOUDTRAIL_EVENTS[:-1])),
        "misses StopLogging",
    ),
    (
        changed(CLOUDTRAIL, "detail", "eventName", value=[{"anything-but": "StopLogging"}]),
        "misses StopLogging",
    ),
    (
        changed(CLOUDTRAIL, "detail", "eventName", value=[{"wildcard": "*Trail"}]),
        "misses StartLogging, StopLogging",
    ),
    (
        changed(CLOUDTRAIL, "source", value=["aws.cloudtrail.amazonaws.com"]),
        "misses all of CreateTrail",
    ),
    (
        changed(CLOUDTRAIL, "region", value=["us-east-1"]),
        "misses all of CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging recorded "
        "in ap-south-1, eu-north-1, eu-west-1, us-east-2",
    ),
]

ORGS = BY_ID["organizations-change-alarm"]
ORGS_ROWS = [
    (ORGS.eventbridge_pattern, None),
    (changed(ORGS, "detail", "eventName", value=None), None),
    (pattern(source=["aws.organizations"]), None),
    (changed(ORGS, "detail", "eventName", value=sorted(ORGANIZATIONS_EVENTS)), None),
    (
        changed(ORGS, "detail", "eventName", value=list(ORGANIZATIONS_EVENTS[:14])),
        "misses MoveAccount, RemoveAccountFromOrganization, UpdatePolicy, UpdateOrganizationalUnit",
    ),
    (
        changed(ORGS, "detail", "eventName", value=[{"anything-but": "CreateAccount"}]),
        "misses CreateAccount",
    ),
    (changed(ORGS, "detail-type", value=[SIGN_IN]), "misses all of AcceptHandshake"),
    (changed(ORGS, "source", value=["aws.organisations"]), "misses all of AcceptHandshake"),
    (
        pattern(source=["aws.organizations"], **{"$or": [{"detail": {"eventName": ["x"]}}]}),
        "the event pattern of the rule (us-east-1) cannot be read: $or needs a list of two or "
        "more objects",
    ),
]

ROWS = [
    *((IAM, p, e) for p, e in IAM_ROWS),
    *((ROOT, p, e) for p, e in ROOT_ROWS),
    *((NO_MFA, p, e) for p, e in NO_MFA_ROWS),
    *((FAILURE, p, e) for p, e in FAILURE_ROWS),
    *((UNAUTHORIZED, p, e) for p, e in UNAUTHORIZED_ROWS),
    *((CLOUDTRAIL, p, e) for p, e in CLOUDTRAIL_ROWS),
    *((ORGS, p, e) for p, e in ORGS_ROWS),
]


@pytest.mark.parametrize(
    ("control", "event_pattern", "expected"),
    ROWS,
    ids=[f"{c.cis}-{i}" for i, (c, _, _) in enumerate(ROWS)],
)
def test_eventbridge_gaps(control: Control, event_pattern: str, expected: str | None) -> None:
    gaps = gaps_of(control, everywhere(control, event_pattern))
    if expected is None:
        assert gaps == []
    else:
        assert gaps, "expected a gap"
        assert gaps[0].startswith(expected), gaps[0]


def test_every_control_has_at_least_eight_rows() -> None:
    counts = {c.id: sum(1 for row in ROWS if row[0] is c) for c in CONTROLS}
    assert min(counts.values()) >= 8, counts


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.cis)
def test_the_equivalent_passes_where_and_how_the_docs_say(control: Control) -> None:
    assert gaps_of(control, everywhere(control, control.eventbridge_pattern)) == []


@pytest.mark.parametrize(
    ("control", "expected"),
    [
        (IAM, []),
        (ORGS, []),
        (
            ROOT,
            [
                "does not see root API call (RunInstances in eu-west-1, read-only ListBuckets, "
                "PutBucketPolicy denied in eu-west-1) recorded in ap-south-1, eu-north-1, "
                "eu-west-1, us-east-2: a region's events reach only its own default event bus "
                "(the rules are in us-east-1)"
            ],
        ),
        (
            NO_MFA,
            [
                "does not see console sign-in without MFA (recorded in us-east-2) recorded in "
                "us-east-2: a region's events reach only its own default event bus (the rules "
                "are in us-east-1)"
            ],
        ),
        (
            CLOUDTRAIL,
            [
                "does not see all of CreateTrail, UpdateTrail, DeleteTrail, StartLogging, "
                "StopLogging recorded in ap-south-1, eu-north-1, eu-west-1, us-east-2: a region's "
                "events reach only its own default event bus (the rules are in us-east-1)"
            ],
        ),
    ],
    ids=lambda x: getattr(x, "cis", "msg"),
)
def test_a_rule_in_us_east_1_alone(control: Control, expected: list[str]) -> None:
    assert in_us_east_1(control, control.eventbridge_pattern) == expected


def test_a_region_not_read_is_not_judged() -> None:
    # With only us-east-1 read, the sign-in recorded in us-east-2 cannot be judged: no gap, and
    # needs() says which events were left out.
    assert (
        eventbridge_gaps(NO_MFA, [RuleSpec(NO_MFA.eventbridge_pattern, "us-east-1")], ["us-east-1"])
        == []
    )
    wanted, unseen = needs(NO_MFA, ["us-east-1"])
    assert [s.region for s in unseen] == ["us-east-2"]
    assert {region for _, region in wanted} == {"us-east-1"}


def test_global_events_go_to_the_partition_s_region() -> None:
    rule = RuleSpec(IAM.eventbridge_pattern, "us-gov-west-1")
    assert eventbridge_gaps(IAM, [rule], ["us-gov-west-1"], home="us-gov-west-1") == []
    assert eventbridge_gaps(IAM, [rule], ["us-gov-west-1", "us-east-1"])[0].startswith(
        "does not see all of DeleteGroupPolicy"
    )


def test_read_only_calls_need_the_all_management_events_state() -> None:
    gaps = gaps_of(ROOT, everywhere(ROOT, ROOT.eventbridge_pattern, ENABLED))
    assert gaps == [
        (
            "does not see root API call (read-only ListBuckets): read-only calls reach a rule only "
            f"in state {ENABLED_ALL}"
        )
    ]
    gaps = gaps_of(
        UNAUTHORIZED, everywhere(UNAUTHORIZED, UNAUTHORIZED.eventbridge_pattern, ENABLED)
    )
    assert gaps[0].startswith(
        "does not see AccessDenied (on iam:ListUsers by an IAM user, on sts:AssumeRole)"
    )


def test_rules_in_the_wrong_region_only() -> None:
    gaps = gaps_of(IAM, [RuleSpec(IAM.eventbridge_pattern, "eu-west-1")])
    assert gaps[0].startswith("does not see all of DeleteGroupPolicy")
    assert "recorded in us-east-1" in gaps[0]


def test_disabled_unknown_state_and_no_rule() -> None:
    assert in_us_east_1(IAM, IAM.eventbridge_pattern, DISABLED) == [
        "the rule (us-east-1) is disabled"
    ]
    assert in_us_east_1(IAM, IAM.eventbridge_pattern, "PAUSED") == [
        "the rule (us-east-1) has the unknown state 'PAUSED'"
    ]
    assert gaps_of(IAM, []) == ["there is no EventBridge rule"]


def test_a_broken_rule_does_not_spoil_a_complete_one() -> None:
    good = RuleSpec(IAM.eventbridge_pattern, "us-east-1")
    assert gaps_of(IAM, [RuleSpec("{", "us-east-1", name="old"), good]) == []
    partial = changed(IAM, "detail", "eventName", value=list(IAM_POLICY_EVENTS[:-1]))
    gaps = gaps_of(IAM, [RuleSpec("{", "us-east-1", name="old"), RuleSpec(partial, "us-east-1")])
    assert gaps[0] == "misses DetachGroupPolicy"
    assert gaps[1].startswith(
        "the event pattern of rule old (us-east-1) cannot be read: not valid JSON"
    )


def test_the_documented_sign_in_spelling_gets_a_hint() -> None:
    spelled = changed(NO_MFA, "detail-type", value=["AWS Console Signin via CloudTrail"])
    gaps = gaps_of(NO_MFA, everywhere(NO_MFA, spelled))
    assert gaps[-1] == f'CloudTrail sends sign-in events with detail-type "{SIGN_IN}"'


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.cis)
def test_samples_wrap_as_cloudtrail_delivers_them(control: Control) -> None:
    for s in (*control.required, *control.optional):
        event = s.eventbridge_event("ap-south-1")
        assert event["detail-type"] in (API, SIGN_IN, "AWS Service Event via CloudTrail")
        assert event["source"] == "aws." + s.record["eventSource"].split(".")[0]
        assert event["region"] == event["detail"]["awsRegion"] == "ap-south-1"
        json.dumps(event)  # plain JSON, not frozen mappings
