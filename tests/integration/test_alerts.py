"""The seven alert checks end to end: moto's CloudTrail, CloudWatch Logs, CloudWatch, SNS and
EventBridge over HTTP, the real ``iamgate scan`` as a subprocess.

Few scans, many controls each: one account where every control has a complete route (metric
filters for five, EventBridge rules for two), then replayed offline with the CIS-strict switch;
one where each control's route breaks at a different link, scanned from two regions with the
same verdicts.
"""

from __future__ import annotations

from typing import Any

from iamgate.alerts.controls import BY_ID
from iamgate.demo.seed import metric_name, seed_alerts
from iamgate.demo.standin import MotoAccount

ACCOUNT = "123456789012"
REGIONS = "us-east-1,eu-west-1"
ALERT_CHECKS = [
    "unauthorized-api-alarm",
    "console-no-mfa-alarm",
    "root-usage-alarm",
    "iam-change-alarm",
    "cloudtrail-change-alarm",
    "console-auth-failure-alarm",
    "organizations-change-alarm",
]


def group_arn(name: str, region: str = "us-east-1") -> str:
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}:*"


def add_trail(
    aws: MotoAccount,
    name: str,
    log_group: str,
    region: str = "us-east-1",
    *,
    multi_region: bool = True,
    logging: bool = True,
    organization: bool = False,
) -> None:
    aws.client("logs", region).create_log_group(logGroupName=log_group)
    if organization:  # an organization trail: the account is the organization's management one
        aws.client("organizations").create_organization(FeatureSet="ALL")
    ct = aws.client("cloudtrail", region)
    ct.create_trail(
        Name=name,
        S3BucketName="trail-logs",
        IsMultiRegionTrail=multi_region,
        IsOrganizationTrail=organization,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=group_arn(log_group, region),
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs",
    )
    ct.put_event_selectors(
        TrailName=name,
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    if logging:
        ct.start_logging(Name=name)


def alert_results(run: Any, name: str = "out/results.json") -> dict[str, tuple[str, str]]:
    return {
        f["check"]: (f["status"], f["message"])
        for f in run.json(name)["findings"]
        if f["check"] in ALERT_CHECKS
    }


def seed_complete_routes(aws: MotoAccount) -> str:
    """A logging multi-region organization trail; metric filters with alarms for four
    controls; EventBridge rules in us-east-1 for the three whose events are recorded there (IAM
    changes, sign-ins). CIS 4.2's filter would also catch failed sign-ins (they carry
    ``MFAUsed: No``): it stays out, so 4.6 is judged on its rule."""
    aws.client("s3").create_bucket(Bucket="trail-logs")
    add_trail(aws, "all-regions", "trail", organization=True)
    topic = aws.add_topic("security")
    by_rules = ("iam-change-alarm", "console-no-mfa-alarm", "console-auth-failure-alarm")
    seed_alerts(aws, "trail", topic, [BY_ID[c] for c in ALERT_CHECKS if c not in by_rules])
    for check in by_rules:
        aws.add_rule(check, BY_ID[check].eventbridge_pattern, (topic,))
    return topic


def test_complete_routes_pass_and_the_strict_reading_asks_for_filters(
    aws: MotoAccount, iamgate: Any, offline: Any
) -> None:
    topic = seed_complete_routes(aws)
    run = iamgate(
        "scan", "--regions", REGIONS, "--output-dir", "out", "--checks", ",".join(ALERT_CHECKS)
    )
    assert run.code == 0, run.stderr
    got = alert_results(run)
    assert {check: status for check, (status, _) in got.items()} == dict.fromkeys(
        ALERT_CHECKS, "pass"
    )
    subscribed = f"SNS topic {topic} (1 confirmed subscription)"
    assert got["root-usage-alarm"][1] == (
        'usage of the "root" user alert: metric filter RootUsageAlarm on log group trail '
        f"(trail all-regions) -> alarm RootUsageAlarm -> {subscribed}"
    )
    assert got["iam-change-alarm"][1] == (
        f"IAM policy changes alert: EventBridge rule iam-change-alarm (us-east-1) -> {subscribed}"
    )
    # The sign-ins recorded in us-east-2 and eu-north-1 are outside --regions: said, not judged.
    outside = "(not judged: its events recorded in {}, outside the regions scanned)"
    assert got["console-no-mfa-alarm"][1].endswith(outside.format("us-east-2"))
    assert got["console-auth-failure-alarm"][1].endswith(outside.format("eu-north-1"))
    # The same snapshot, replayed offline under the CIS reading: rules are not enough.
    (run.cwd / "strict.toml").write_text("[monitoring]\nrequire_metric_filters = true\n")
    strict = offline(
        "evaluate",
        "out/snapshot.json",
        "--config",
        "strict.toml",
        "--output-dir",
        "strict",
        "--checks",
        ",".join(ALERT_CHECKS),
    )
    assert strict.code == 1, strict.stderr
    got = alert_results(strict, "strict/results.json")
    failing = {check for check, (status, _) in got.items() if status == "fail"}
    assert failing == {"iam-change-alarm", "console-no-mfa-alarm", "console-auth-failure-alarm"}
    assert "require_metric_filters = true asks for a metric filter" in got["iam-change-alarm"][1]


def seed_broken_links(aws: MotoAccount) -> None:
    """A good trail, and each control's route broken at a different link."""
    aws.client("s3").create_bucket(Bucket="trail-logs")
    add_trail(aws, "all-regions", "trail", organization=True)
    add_trail(aws, "stopped", "stopped-logs", logging=False)
    add_trail(aws, "eu-only", "/trail/eu", "eu-west-1", multi_region=False)
    aws.client("logs").create_log_group(logGroupName="app/audit")
    heard = aws.add_topic("security")
    unheard = aws.add_topic("unheard", confirmed=0, pending=1)
    # 4.4: the example, a filter on a single-region trail's log group in eu-west-1.
    iam = BY_ID["iam-change-alarm"]
    aws.add_log_alarm("/trail/eu", iam.filter_pattern, "iam-changes", heard, "eu-west-1")
    # 4.5: on a log group no trail delivers to.
    cloudtrail = BY_ID["cloudtrail-change-alarm"]
    aws.add_log_alarm("app/audit", cloudtrail.filter_pattern, metric_name(cloudtrail), heard)
    # 4.3: on the stopped trail's log group.
    root = BY_ID["root-usage-alarm"]
    aws.add_log_alarm("stopped-logs", root.filter_pattern, metric_name(root), heard)
    # 4.1: an incomplete pattern on the good log group.
    aws.add_log_alarm("trail", '{ $.errorCode = "AccessDenied*" }', "unauthorized", heard)
    # 4.2: the alarm's topic has a pending subscription only.
    no_mfa = BY_ID["console-no-mfa-alarm"]
    aws.add_log_alarm("trail", no_mfa.filter_pattern, metric_name(no_mfa), unheard)
    # 4.15: an alarm without action.
    orgs = BY_ID["organizations-change-alarm"]
    aws.add_log_alarm("trail", orgs.filter_pattern, metric_name(orgs), None)
    # 4.6: an EventBridge rule without a target, and no filter.
    failures = BY_ID["console-auth-failure-alarm"]
    aws.add_rule("failed-sign-ins", failures.eventbridge_pattern)


def test_each_broken_link_is_named_whatever_region_iamgate_runs_from(
    aws: MotoAccount, iamgate: Any
) -> None:
    seed_broken_links(aws)
    checks = ",".join(ALERT_CHECKS)
    run, elsewhere = (
        iamgate(
            "scan",
            "--regions",
            REGIONS,
            "--output-dir",
            region,
            "--checks",
            checks,
            env={"AWS_DEFAULT_REGION": region, "AWS_REGION": region},
        )
        for region in ("us-east-1", "eu-west-1")
    )
    assert run.code == elsewhere.code == 1, run.stderr + elsewhere.stderr
    got = alert_results(run, "us-east-1/results.json")
    assert got == alert_results(elsewhere, "eu-west-1/results.json")
    assert {status for status, _ in got.values()} == {"fail"}, got
    expected = {
        "iam-change-alarm": "filter iam-changes sits on log group /trail/eu (eu-west-1): trail "
        "eu-only is single-region (eu-west-1), so it never sees IAM events nor other regions'",
        "cloudtrail-change-alarm": "filter CloudtrailChangeAlarm sits on log group app/audit "
        "(us-east-1), which no trail delivers to",
        "root-usage-alarm": "filter RootUsageAlarm sits on log group stopped-logs (us-east-1): "
        "trail stopped is not logging",
        "unauthorized-api-alarm": "the metric filters on log group trail (trail all-regions) "
        "miss Client.UnauthorizedOperation, UnauthorizedOperation",
        "console-no-mfa-alarm": "alarm ConsoleNoMfaAlarm reaches nobody: SNS topic "
        f"arn:aws:sns:us-east-1:{ACCOUNT}:unheard has no confirmed subscription "
        "(1 pending confirmation)",
        "organizations-change-alarm": "alarm OrganizationsChangeAlarm on filter "
        "OrganizationsChangeAlarm's metric has no action",
        "console-auth-failure-alarm": "EventBridge: rule failed-sign-ins (us-east-1) has no target",
    }
    for check, text in expected.items():
        assert text in got[check][1], (check, got[check][1])
    # The single-region trail of eu-west-1 is collected whichever region iamgate runs from.
    snapshot = run.json("us-east-1/snapshot.json")
    assert {t["name"] for t in snapshot["trails"]} == {"all-regions", "stopped", "eu-only"}


# Each control's filter less one event it must catch, and how the message says so.
INCOMPLETE = {
    "unauthorized-api-alarm": (
        '{ $.errorCode = "AccessDenied*" }',
        "miss Client.UnauthorizedOperation, UnauthorizedOperation",
    ),
    "console-no-mfa-alarm": (
        '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed != "Yes" && '
        '$.awsRegion = "us-east-1" }',
        "miss console sign-in without MFA (recorded in us-east-2)",
    ),
    # Root's sign-in without MFA is caught by 4.2's filter on the same log group (by effect).
    "root-usage-alarm": (
        '{ $.userIdentity.type = "Root" && $.eventType = "AwsApiCall" }',
        "miss root console sign-in (with MFA); root password change",
    ),
    # Root's IAM changes are caught by 4.3's filter: what is missed is everyone else's.
    "iam-change-alarm": (
        "{ ($.eventName = CreatePolicy) && ($.eventName = DeletePolicy) }",
        "miss every event by an IAM user and every event by a role through CloudFormation",
    ),
    "cloudtrail-change-alarm": ("{ $.eventName = *Trail }", "miss StartLogging, StopLogging"),
    # (Root's failed sign-in would be caught by 4.2's filter: it carries MFAUsed No.)
    "console-auth-failure-alarm": (
        '{ $.eventName = ConsoleLogin && $.errorMessage = "Failed authentication" && '
        '$.awsRegion = "us-east-1" }',
        "miss failed console sign-in (recorded in eu-north-1)",
    ),
    "organizations-change-alarm": (
        "{ $.eventSource = organizations.amazonaws.com && $.eventName != MoveAccount }",
        "miss MoveAccount",
    ),
}


def test_an_incomplete_pattern_per_control_is_named(aws: MotoAccount, iamgate: Any) -> None:
    aws.client("s3").create_bucket(Bucket="trail-logs")
    add_trail(aws, "all-regions", "trail", organization=True)
    topic = aws.add_topic("security")
    for check, (pattern, _) in INCOMPLETE.items():
        aws.add_log_alarm("trail", pattern, metric_name(BY_ID[check]), topic)
    checks = ",".join(ALERT_CHECKS)
    run = iamgate("scan", "--regions", "us-east-1", "--output-dir", "out", "--checks", checks)
    assert run.code == 1, run.stderr
    got = alert_results(run)
    for check, (_, missed) in INCOMPLETE.items():
        status, message = got[check]
        assert status == "fail"
        assert message.startswith(
            f"nothing alerts on {BY_ID[check].title}: the metric filters on log group trail "
            f"(trail all-regions) {missed}"
        ), message
    # && between two names of one field gets its hint, named, on that control only.
    hint = "filter IamChangeAlarm: && joins different values of $.eventName"
    assert hint in got["iam-change-alarm"][1]
    assert "&& joins" not in got["root-usage-alarm"][1]
    assert "&& joins" not in got["console-no-mfa-alarm"][1]
