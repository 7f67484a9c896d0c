"""Table tests per control: which metric filter patterns catch every event the control names.

Each row is (control, pattern, expected first gap or None for a pass). Rows cover the CIS pattern,
the same logic written differently (order, spacing, quotes, || alternatives, harmless extra
conditions) and the ways patterns go wrong (a missing event, && between names, narrowing,
!= or NOT EXISTS excluding what is needed, unreadable text). KNOWN holds the patterns published
by the benchmark, Security Hub and others, each with its source and iamgate's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from iamgate.alerts.controls import (
    BY_ID,
    CIS_V3,
    CIS_V4,
    CLOUDTRAIL_EVENTS,
    CONTROLS,
    IAM_POLICY_EVENTS,
    ORGANIZATIONS_EVENTS,
    PROWLER_EXTRA_ORGANIZATIONS_EVENTS,
    SECURITY_HUB,
    Control,
    organizations_pattern,
    prowler_check,
)
from iamgate.alerts.coverage import catch_all, filter_gaps, mentions, noise, noise_sentence


@dataclass(frozen=True)
class Known:
    """A metric filter pattern seen in a benchmark, a tool or the wild, and iamgate's verdict."""

    control: str
    name: str
    pattern: str
    source: str
    passes: bool
    note: str = ""


CIS_V1_GIST = "https://gist.github.com/chalfant/d4fe1b2bffbc4c1cc55e552133db961a"
HAND_WRITTEN = (
    "https://github.com/erick-cloudsec/erick-cloudsec-lab/blob/"
    "62f37e8487939b5357b94b8406344307c21d8dee/cis/cis-cloudwatch-controls-week2.md"
)


def cis(control_id: str) -> str:
    return BY_ID[control_id].cis_pattern


KNOWN = [
    Known(
        "iam-change-alarm", "CIS v3.0 (also v1.4 to v5.0)", cis("iam-change-alarm"), CIS_V3, True
    ),
    Known(
        "iam-change-alarm",
        "Security Hub CloudWatch.4",
        cis("iam-change-alarm").replace("||", " || "),
        SECURITY_HUB,
        True,
    ),
    Known(
        "root-usage-alarm", "CIS v3.0 (also v1.4 to v2.0)", cis("root-usage-alarm"), CIS_V3, True
    ),
    Known(
        "root-usage-alarm",
        "Security Hub CloudWatch.1",
        '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && '
        '$.eventType !="AwsServiceEvent"}',
        SECURITY_HUB,
        True,
    ),
    Known(
        "root-usage-alarm",
        "CIS v4.0 (unquoted)",
        cis("root-usage-alarm").replace('"', ""),
        CIS_V4,
        True,
    ),
    Known("console-no-mfa-alarm", "CIS v3.0", cis("console-no-mfa-alarm"), CIS_V3, True),
    Known(
        "console-no-mfa-alarm",
        "CIS v3.0 for SSO users, Security Hub CloudWatch.3",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        CIS_V3,
        True,
        "skips root and federated sign-ins, which the required set allows",
    ),
    Known(
        "console-no-mfa-alarm",
        "CIS v4.0 (unquoted)",
        cis("console-no-mfa-alarm").replace('"', ""),
        CIS_V4,
        True,
    ),
    Known(
        "console-no-mfa-alarm",
        "CIS v1.0",
        '{ $.userIdentity.sessionContext.attributes.mfaAuthenticated != "true" && '
        '$.userIdentity.invokedBy = "signin.amazonaws.com" }',
        CIS_V1_GIST,
        False,
        "ConsoleLogin records have neither field, and != on a missing field is false",
    ),
    Known(
        "console-auth-failure-alarm", "CIS v3.0", cis("console-auth-failure-alarm"), CIS_V3, True
    ),
    Known(
        "console-auth-failure-alarm",
        "Security Hub CloudWatch.6",
        '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
        SECURITY_HUB,
        True,
    ),
    Known(
        "console-auth-failure-alarm",
        "CIS v4.0 as transcribed (value unquoted)",
        cis("console-auth-failure-alarm").replace('"', ""),
        CIS_V4,
        False,
        "a value with a space must be quoted: cannot be read",
    ),
    Known(
        "unauthorized-api-alarm",
        "CIS v3.0 audit text (also v1.4, v1.5, v2.0)",
        cis("unauthorized-api-alarm"),
        CIS_V3,
        True,
        "ORing in the != tests makes it match nearly every event: catches everything required, "
        "but a catch-all (see test_a_catch_all_is_told_apart)",
    ),
    Known(
        "unauthorized-api-alarm",
        "CIS v3.0 remediation text",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || '
        '($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }',
        CIS_V3,
        True,
        "as wide as the audit text",
    ),
    Known(
        "unauthorized-api-alarm",
        "CIS v4.0 and v5.0",
        "{ ($.errorCode =*UnauthorizedOperation) || ($.errorCode =AccessDenied*) && "
        "($.sourceIPAddress!=delivery.logs.amazonaws.com) && ($.eventName!=HeadBucket) }",
        CIS_V4,
        True,
        "&& binds tighter: the exclusions apply to AccessDenied* only",
    ),
    Known(
        "unauthorized-api-alarm",
        "CIS v1.2, Security Hub CloudWatch.2",
        '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
        SECURITY_HUB,
        True,
    ),
    Known(
        "unauthorized-api-alarm",
        "the exclusions CIS v3.0 means",
        BY_ID["unauthorized-api-alarm"].filter_pattern,
        CIS_V3,
        True,
        "iamgate recommends it",
    ),
    Known(
        "unauthorized-api-alarm",
        "exact codes, no wildcards (hand-written)",
        '{($.errorCode="UnauthorizedOperation") || ($.errorCode="AccessDenied")}',
        HAND_WRITTEN,
        False,
        "misses AccessDeniedException and Client.UnauthorizedOperation",
    ),
    Known(
        "cloudtrail-change-alarm",
        "CIS v3.0 (also v1.4 to v5.0)",
        cis("cloudtrail-change-alarm"),
        CIS_V3,
        True,
    ),
    Known(
        "cloudtrail-change-alarm",
        "Security Hub CloudWatch.5",
        cis("cloudtrail-change-alarm").replace(" = ", "=").replace("{ ", "{").replace(" }", "}"),
        SECURITY_HUB,
        True,
    ),
    Known(
        "organizations-change-alarm",
        "CIS v3.0 (also v1.4 to v2.0; v4.0 drops the quotes)",
        cis("organizations-change-alarm"),
        CIS_V3,
        True,
    ),
    Known(
        "organizations-change-alarm",
        "Prowler remediation (21 names)",
        organizations_pattern(
            tuple(sorted(ORGANIZATIONS_EVENTS + PROWLER_EXTRA_ORGANIZATIONS_EVENTS))
        ),
        prowler_check("cloudwatch_log_metric_filter_aws_organizations_changes"),
        True,
    ),
]
KNOWN_BY = {(k.control, k.name): k for k in KNOWN}


def any_of(names: tuple[str, ...], *, quote: bool = False, spaced: bool = True) -> str:
    """($.eventName = A) || ($.eventName = B) ..."""
    eq, join = (" = ", " || ") if spaced else ("=", "||")
    shown = (f'"{n}"' if quote else n for n in names)
    return join.join(f"($.eventName{eq}{name})" for name in shown)


def without(names: tuple[str, ...], *drop: str) -> tuple[str, ...]:
    return tuple(n for n in names if n not in drop)


IAM = BY_ID["iam-change-alarm"]
IAM_ALL = ", ".join(IAM_POLICY_EVENTS)

IAM_ROWS = [
    (IAM.cis_pattern, None),
    ("{ " + any_of(IAM_POLICY_EVENTS[::-1], quote=True) + " }", None),  # reversed, quoted
    ("{\n  " + any_of(IAM_POLICY_EVENTS).replace(" || ", "\n  || ") + "\n}", None),  # layout
    ("{ ($.eventSource = iam.amazonaws.com) && (" + any_of(IAM_POLICY_EVENTS) + ") }", None),
    # grouped alternatives: (a || b) || (c || d) ...
    (
        "{ "
        + " || ".join(f"({any_of(IAM_POLICY_EVENTS[i : i + 4])})" for i in range(0, 16, 4))
        + " }",
        None,
    ),
    ("{ " + any_of((*IAM_POLICY_EVENTS, "CreateUser", "DeleteUser")) + " }", None),  # superset
    (
        (
            "{ $.eventSource = iam.amazonaws.com && ($.eventName = *Policy || "
            "$.eventName = *PolicyVersion) }"
        ),
        None,
    ),
    # && binds tighter than ||: the source test sticks to the last name only (harmless here)
    ("{ " + any_of(IAM_POLICY_EVENTS) + " && $.eventSource = iam.amazonaws.com }", None),
    (
        "{ " + any_of(without(IAM_POLICY_EVENTS, "DetachGroupPolicy")) + " }",
        "misses DetachGroupPolicy",
    ),
    (
        "{ " + any_of(without(IAM_POLICY_EVENTS, "AttachGroupPolicy", "DetachGroupPolicy")) + " }",
        "misses AttachGroupPolicy, DetachGroupPolicy",
    ),
    (IAM.cis_pattern.replace("||", "&&"), "misses all of " + IAM_ALL),
    (
        "{ (" + any_of(IAM_POLICY_EVENTS) + ') && $.awsRegion = "eu-west-1" }',
        "misses all of " + IAM_ALL,
    ),
    (
        "{ (" + any_of(IAM_POLICY_EVENTS) + ") && $.userIdentity.type = IAMUser }",
        "misses every event by a role through CloudFormation and every event by the root user",
    ),
    (
        "{ (" + any_of(IAM_POLICY_EVENTS) + ") && $.userIdentity.invokedBy NOT EXISTS }",
        "misses every event by a role through CloudFormation",
    ),
    ("{ $.eventSource = iam.amazonaws.com && $.eventName != CreatePolicy }", "misses CreatePolicy"),
    (
        "{ " + any_of(IAM_POLICY_EVENTS).replace("CreatePolicy)", "createpolicy)") + " }",
        "misses CreatePolicy",
    ),
    ("{ ($.eventName = CreatePolicy }", "the pattern cannot be read: expected &&, || or )"),
]

ROOT = BY_ID["root-usage-alarm"]
ROOT_ROWS = [
    (ROOT.cis_pattern, None),
    (
        (
            '{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.userIdentity.type = "Root" }'
        ),
        None,
    ),
    (
        (
            "{($.userIdentity.type=Root)&&($.userIdentity.invokedBy NOT EXISTS)&&"
            "($.eventType!=AwsServiceEvent)}"
        ),
        None,
    ),
    ('{ $.userIdentity.type = "Root" }', None),
    (
        (
            '{ ($.userIdentity.type = "Root" && $.eventType = "AwsConsoleSignIn") || '
            '($.userIdentity.type = "Root" && $.eventType = "AwsApiCall") }'
        ),
        None,
    ),
    (ROOT.cis_pattern.replace(" }", ' && $.userIdentity.arn = "arn:aws:iam::*:root" }'), None),
    (
        '{ $.userIdentity.type = "Root" && $.eventType = "AwsApiCall" }',
        "misses root console sign-in, root password change",
    ),
    (
        ROOT.cis_pattern.replace(" }", ' && $.awsRegion = "us-east-1" }'),
        "misses root API call (RunInstances in eu-west-1, PutBucketPolicy denied in eu-west-1)",
    ),
    (
        ROOT.cis_pattern.replace(" }", " && $.errorCode NOT EXISTS }"),
        "misses root API call (PutBucketPolicy denied in eu-west-1)",
    ),
    (
        ROOT.cis_pattern.replace(" }", " && $.readOnly IS FALSE }"),
        "misses root API call (read-only ListBuckets)",
    ),
    (ROOT.cis_pattern.replace(" }", " && $.userAgent != aws-cli* }"), "misses root API call"),
    (
        (
            "{$.userIdentity.type='Root' && $.userIdentity.invokedBy NOT EXISTS && "
            "$.eventType !='AwsServiceEvent'}"
        ),
        "misses all of root console sign-in, root password change, root API call",
    ),
    (
        '{ $.userIdentity.type = "root" }',
        "misses all of root console sign-in, root password change, root API call",
    ),
]

NO_MFA = BY_ID["console-no-mfa-alarm"]
NO_MFA_ROWS = [
    (NO_MFA.cis_pattern, None),
    (
        KNOWN_BY[
            "console-no-mfa-alarm", "CIS v3.0 for SSO users, Security Hub CloudWatch.3"
        ].pattern,
        None,
    ),
    ("{ $.additionalEventData.MFAUsed != Yes && $.eventName = ConsoleLogin }", None),
    ('{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "No") }', None),
    (
        (
            "{ ($.eventName = ConsoleLogin && $.additionalEventData.MFAUsed != Yes && "
            "$.awsRegion = us-east-1) || ($.eventName = ConsoleLogin && "
            "$.additionalEventData.MFAUsed != Yes && $.awsRegion != us-east-1) }"
        ),
        None,
    ),
    (NO_MFA.cis_pattern.replace(" }", " && $.eventSource = signin.amazonaws.com }"), None),
    (
        NO_MFA.cis_pattern.replace(" }", ' && ($.awsRegion = "us-east-1") }'),
        "misses console sign-in without MFA (recorded in us-east-2)",
    ),
    (KNOWN_BY["console-no-mfa-alarm", "CIS v1.0"].pattern, "misses console sign-in without MFA"),
    (
        NO_MFA.cis_pattern.replace(" }", " && ($.userIdentity.type != IAMUser) }"),
        "misses console sign-in without MFA",
    ),
    (
        NO_MFA.cis_pattern.replace(" }", " && ($.additionalEventData.MFAUsed NOT EXISTS) }"),
        "misses console sign-in without MFA",
    ),
    (
        (
            '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed = "No" && '
            '$.additionalEventData.MFAUsed = "false" }'
        ),
        "misses console sign-in without MFA",
    ),
    ('{ ($.eventName = "ConsoleLogin") || ($.additionalEventData.MFAUsed != "Yes") }', None),
]

FAILURE = BY_ID["console-auth-failure-alarm"]
FAILURE_ROWS = [
    (FAILURE.cis_pattern, None),
    (KNOWN_BY["console-auth-failure-alarm", "Security Hub CloudWatch.6"].pattern, None),
    ('{ $.errorMessage = "Failed authentication" && $.eventName = "ConsoleLogin" }', None),
    ('{ $.eventName = "ConsoleLogin" && $.responseElements.ConsoleLogin = "Failure" }', None),
    (
        (
            '{ ($.errorMessage = "Failed authentication") || '
            '($.errorMessage = "No username found in supplied account") }'
        ),
        None,
    ),
    ('{ $.eventName = ConsoleLogin && $.errorMessage = "Failed*" }', None),
    (
        FAILURE.cis_pattern.replace(" }", " && ($.userIdentity.type = IAMUser) }"),
        "misses failed console sign-in (of the root user)",
    ),
    (
        FAILURE.cis_pattern.replace(" }", ' && ($.awsRegion = "us-east-1") }'),
        "misses failed console sign-in (recorded in eu-north-1)",
    ),
    (
        FAILURE.cis_pattern.replace(" }", ' && ($.userIdentity.type != "Root") }'),
        "misses failed console sign-in (of the root user)",
    ),
    (
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "failed authentication") }',
        "misses failed console sign-in",
    ),
    (
        KNOWN_BY["console-auth-failure-alarm", "CIS v4.0 as transcribed (value unquoted)"].pattern,
        "the pattern cannot be read: unexpected 'authentication' after the value 'Failed'",
    ),
]

UNAUTHORIZED = BY_ID["unauthorized-api-alarm"]
UNAUTHORIZED_ROWS = [
    *((k.pattern, None) for k in KNOWN if k.control == UNAUTHORIZED.id and k.passes),
    ('{ ($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation") }', None),
    (
        (
            "{ $.errorCode = AccessDenied || $.errorCode = AccessDeniedException || "
            "$.errorCode = Client.UnauthorizedOperation || $.errorCode = UnauthorizedOperation }"
        ),
        None,
    ),
    (
        (
            '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || '
            '($.errorCode = "*Forbidden*") }'
        ),
        None,
    ),
    (
        KNOWN_BY[UNAUTHORIZED.id, "exact codes, no wildcards (hand-written)"].pattern,
        "misses AccessDeniedException, Client.UnauthorizedOperation",
    ),
    (
        '{ $.errorCode = "AccessDenied*" }',
        "misses Client.UnauthorizedOperation, UnauthorizedOperation",
    ),
    (
        (
            '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
            "$.eventSource = ec2.amazonaws.com }"
        ),
        "misses AccessDenied, AccessDeniedException",
    ),
    (
        "{ $.errorCode = AccessDenied && $.errorCode = UnauthorizedOperation }",
        (
            "misses all of AccessDenied, AccessDeniedException, Client.UnauthorizedOperation, "
            "UnauthorizedOperation"
        ),
    ),
    (
        (
            '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
            "$.userIdentity.type != AssumedRole }"
        ),
        (
            "misses AccessDenied (on s3:PutBucketPolicy in eu-west-1, on sts:AssumeRole); "
            "AccessDeniedException (on lambda:CreateFunction in eu-west-1); UnauthorizedOperation"
        ),
    ),
    (
        (
            '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
            "$.readOnly IS FALSE }"
        ),
        ("misses AccessDenied (on iam:ListUsers by an IAM user, on sts:AssumeRole)"),
    ),
]

CLOUDTRAIL = BY_ID["cloudtrail-change-alarm"]
CLOUDTRAIL_ROWS = [
    (CLOUDTRAIL.cis_pattern, None),
    (KNOWN_BY[CLOUDTRAIL.id, "Security Hub CloudWatch.5"].pattern, None),
    (
        '{ $.eventSource = "cloudtrail.amazonaws.com" && ('
        + any_of(CLOUDTRAIL_EVENTS[::-1], quote=True)
        + ") }",
        None,
    ),
    (
        (
            "{ $.eventSource = cloudtrail.amazonaws.com && ($.eventName = *Trail || "
            "$.eventName = *Logging) }"
        ),
        None,
    ),
    # judgement call: Create* catches CreateTrail (and much else): it passes, with a noise note
    (
        (
            "{ $.eventName = Create* || $.eventName = UpdateTrail || $.eventName = DeleteTrail || "
            "$.eventName = StartLogging || $.eventName = StopLogging }"
        ),
        None,
    ),
    ("{ $.eventName = *Trail }", "misses StartLogging, StopLogging"),
    ("{ " + any_of(without(CLOUDTRAIL_EVENTS, "StopLogging")) + " }", "misses StopLogging"),
    (
        CLOUDTRAIL.cis_pattern.replace(" }", " && $.awsRegion = us-east-1 }"),
        "misses StopLogging (in eu-west-1 by an assumed role)",
    ),  # && binds to the last only
    (
        "{ (" + any_of(CLOUDTRAIL_EVENTS) + ") && $.awsRegion = us-east-1 }",
        "misses every event in eu-west-1 by an assumed role",
    ),
    (
        '{ $.eventSource = cloudtrail.amazonaws.com && $.eventName != "StartLogging" }',
        "misses StartLogging",
    ),
    (
        CLOUDTRAIL.cis_pattern.replace("||", "&&"),
        "misses all of CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging",
    ),
]

ORGS = BY_ID["organizations-change-alarm"]
ORGS_ROWS = [
    (ORGS.cis_pattern, None),
    (KNOWN_BY[ORGS.id, "Prowler remediation (21 names)"].pattern, None),  # a superset
    ("{" + any_of(ORGANIZATIONS_EVENTS[::-1], spaced=False) + "}", None),
    ("{ $.eventSource = organizations.amazonaws.com }", None),
    (
        "{ ($.eventSource = organizations.amazonaws.com) && (("
        + any_of(ORGANIZATIONS_EVENTS[:9])
        + ") || ("
        + any_of(ORGANIZATIONS_EVENTS[9:])
        + ")) }",
        None,
    ),
    (
        "{ ($.eventSource = organizations.amazonaws.com) && ("
        + any_of(without(ORGANIZATIONS_EVENTS, "MoveAccount"))
        + ") }",
        "misses MoveAccount",
    ),
    (
        ORGS.cis_pattern.replace(" }", " && $.userIdentity.type = AssumedRole }"),
        "misses " + ", ".join(ORGANIZATIONS_EVENTS[1::2]),
    ),
    (ORGS.cis_pattern.replace("||", "&&"), "misses all of " + ", ".join(ORGANIZATIONS_EVENTS)),
    (
        ORGS.cis_pattern.replace("organizations.amazonaws.com", "organization.amazonaws.com"),
        "misses all of " + ", ".join(ORGANIZATIONS_EVENTS),
    ),
    (
        ORGS.cis_pattern.replace(" }", ' && ($.eventName != "CreateAccount") }'),
        "misses CreateAccount",
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
    ("control", "pattern", "expected"),
    ROWS,
    ids=[f"{c.cis}-{i}" for i, (c, _, _) in enumerate(ROWS)],
)
def test_filter_gaps(control: Control, pattern: str, expected: str | None) -> None:
    gaps = filter_gaps(control, [pattern])
    if expected is None:
        assert gaps == []
    else:
        assert gaps, "expected a gap"
        assert gaps[0].startswith(expected), gaps[0]


def test_every_control_has_at_least_eight_rows() -> None:
    counts = {c.id: sum(1 for row in ROWS if row[0] is c) for c in CONTROLS}
    assert min(counts.values()) >= 8, counts


def test_and_between_names_gets_a_hint() -> None:
    gaps = filter_gaps(IAM, [IAM.cis_pattern.replace("||", "&&")])
    assert any("&& joins different values of $.eventName" in gap for gap in gaps)


def test_single_quotes_get_a_hint() -> None:
    gaps = filter_gaps(ROOT, ["{ $.userIdentity.type = 'Root' }"])
    assert any("'Root' keeps its single quotes" in gap for gap in gaps)


def test_the_message_names_an_event_missed_by_one_variant_only() -> None:
    pattern = (
        "{ (" + any_of(IAM_POLICY_EVENTS) + ") && ($.eventName != PutUserPolicy || "
        "$.userIdentity.type != Root) }"
    )
    assert filter_gaps(IAM, [pattern]) == ["misses PutUserPolicy (by the root user)"]


def test_filters_can_share_the_work() -> None:
    half = len(IAM_POLICY_EVENTS) // 2
    first = "{ " + any_of(IAM_POLICY_EVENTS[:half]) + " }"
    second = "{ " + any_of(IAM_POLICY_EVENTS[half:]) + " }"
    assert filter_gaps(IAM, [first]) != []
    assert filter_gaps(IAM, [first, second]) == []
    assert filter_gaps(IAM, [first, "{ nonsense"])[1].startswith("the pattern cannot")


def test_no_filter_at_all() -> None:
    assert filter_gaps(IAM, []) == ["there is no metric filter"]


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.cis)
def test_the_cis_pattern_and_the_recommended_one_pass(control: Control) -> None:
    assert filter_gaps(control, [control.cis_pattern]) == []
    assert filter_gaps(control, [control.filter_pattern]) == []


@pytest.mark.parametrize("known", KNOWN, ids=lambda k: f"{k.control}: {k.name}")
def test_known_patterns_get_their_documented_verdict(known: Known) -> None:
    assert known.source.startswith("https://")
    assert (filter_gaps(BY_ID[known.control], [known.pattern]) == []) is known.passes


@pytest.mark.parametrize(
    ("pattern", "noisy", "everything"),
    [
        *((c.filter_pattern, False, False) for c in CONTROLS),
        (UNAUTHORIZED.cis_pattern, True, True),  # v3.0 as printed: a catch-all
        (KNOWN_BY[UNAUTHORIZED.id, "CIS v4.0 and v5.0"].pattern, False, False),
        ('{ $.eventName = "ConsoleLogin" }', True, False),
        (CLOUDTRAIL_ROWS[4][0], True, False),  # Create*
        ('{ $.userIdentity.type = "Root" || $.eventType != "AwsServiceEvent" }', True, False),
        ("", True, True),  # the empty pattern counts every event
        ("{ $.eventName = * }", True, True),
    ],
)
def test_noise_and_catch_alls(pattern: str, noisy: bool, everything: bool) -> None:
    assert bool(noise(pattern)) is noisy
    assert catch_all(pattern) is everything
    if noisy:
        assert noise_sentence(pattern).startswith("also counts routine activity (")


def test_a_catch_all_is_told_apart() -> None:
    # It catches every required event; the chain then refuses it, as its alarm never leaves
    # ALARM (tests/unit/checks/test_alarms.py).
    assert filter_gaps(UNAUTHORIZED, [UNAUTHORIZED.cis_pattern]) == []
    assert noise_sentence(UNAUTHORIZED.cis_pattern).startswith(
        "also counts routine activity (all of DescribeInstances"
    )


@pytest.mark.parametrize(
    ("control", "pattern", "expected"),
    [
        (IAM, "{ ($.eventName = CreatePolicy) && ($.eventName = DeletePolicy) }", True),
        (NO_MFA, "{ ($.eventName = CreatePolicy) && ($.eventName = DeletePolicy) }", False),
        (IAM, "{ $.eventName != CreatePolicy }", False),  # only = tests name events
        (ROOT, "{ $.userIdentity.type = 'Root' }", False),  # single quotes name nothing
        (ROOT, "{ $.userIdentity.type = Root && $.eventName = Nothing }", True),
        (IAM, "{ nonsense", False),
    ],
)
def test_a_filter_mentions_the_events_it_names(
    control: Control, pattern: str, expected: bool
) -> None:
    # Hints about a pattern's form go to the controls whose events it names, not to every one.
    assert mentions(control, pattern) is expected
