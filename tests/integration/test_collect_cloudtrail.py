"""CloudTrail, metric filters and alarms collected over HTTP from moto's server."""

from __future__ import annotations

from iamgate.aws.clients import Clients
from iamgate.collect.snapshot import collect
from iamgate.demo.standin import MotoAccount

ACCOUNT = "123456789012"
GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:trail-logs:*"


def test_trails_filters_and_alarms(aws: MotoAccount) -> None:
    aws.client("s3").create_bucket(Bucket="logs")
    aws.client("logs").create_log_group(logGroupName="trail-logs")
    ct = aws.client("cloudtrail")
    ct.create_trail(
        Name="all",
        S3BucketName="logs",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=GROUP_ARN,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct",
    )
    ct.start_logging(Name="all")
    ct.put_event_selectors(
        TrailName="all",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    ct.create_trail(Name="local", S3BucketName="logs")
    aws.add_log_alarm(
        "trail-logs",
        "{ ($.eventName = CreatePolicy) }",
        "Iam",
        f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts",
    )
    snapshot = collect(Clients(aws.options(max_attempts=2)), regions=("us-east-1",))
    trails = {t.name: t for t in snapshot.trails}
    assert set(trails) == {"all", "local"}
    assert trails["all"].multi_region is True
    assert trails["all"].is_logging is True
    assert trails["all"].log_validation is True
    assert trails["all"].management_events == "All"
    assert trails["all"].log_group_arn == GROUP_ARN
    assert trails["local"].multi_region is False
    assert trails["local"].is_logging is False
    [metric_filter] = snapshot.metric_filters
    assert metric_filter.log_group == "trail-logs"
    assert metric_filter.metrics == ("CIS/Iam",)
    assert [(a.name, a.metric) for a in snapshot.alarms] == [("Iam", "CIS/Iam")]
    assert snapshot.alarms[0].actions
    assert snapshot.regions == ("us-east-1",)
    assert snapshot.errors == ()


def test_every_region_in_scope_rules_and_who_the_topics_reach(aws: MotoAccount) -> None:
    aws.client("s3").create_bucket(Bucket="logs")
    aws.client("logs").create_log_group(logGroupName="trail-logs")
    aws.client("logs", "eu-west-1").create_log_group(logGroupName="/trail/eu")
    aws.client("cloudtrail").create_trail(
        Name="all",
        S3BucketName="logs",
        IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=GROUP_ARN,
    )
    aws.client("cloudtrail", "eu-west-1").create_trail(
        Name="eu-only",
        S3BucketName="logs",
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/trail/eu:*",
    )
    heard = aws.add_topic("heard")
    pending = aws.add_topic("pending", "eu-west-1", confirmed=0, pending=1)
    aws.add_log_alarm("trail-logs", "{ $.eventName = CreatePolicy }", "Iam", heard)
    aws.add_log_alarm("/trail/eu", "{ $.a = 1 }", "Eu", pending, "eu-west-1", actions_enabled=False)
    missing = f"arn:aws:sns:eu-west-1:{ACCOUNT}:missing"
    aws.add_rule("iam", '{"source": ["aws.iam"]}', (missing,), "eu-west-1")
    aws.add_rule("off", '{"source": ["aws.iam"]}', region="eu-west-1", state="DISABLED")
    aws.client("events", "eu-west-1").put_rule(Name="tick", ScheduleExpression="rate(5 minutes)")

    snapshot = collect(Clients(aws.options(max_attempts=2)), regions=("eu-west-1",))
    assert snapshot.errors == ()
    # The scope is eu-west-1: its own trail and the multi-region one of us-east-1 (a shadow).
    assert {t.name: t.home_region for t in snapshot.trails} == {
        "all": "us-east-1",
        "eu-only": "eu-west-1",
    }
    # Filters of the scope and of every trail's log-group region; alarms where filters are.
    assert {(f.region, f.log_group) for f in snapshot.metric_filters} == {
        ("us-east-1", "trail-logs"),
        ("eu-west-1", "/trail/eu"),
    }
    alarms = {a.name: a for a in snapshot.alarms}
    assert alarms["Iam"].actions_enabled is True
    assert alarms["Eu"].actions_enabled is False
    assert alarms["Eu"].actions == (pending,)
    # EventBridge: the scope and the global region, rules with or without targets.
    buses = {b.region: {r.name: r for r in b.rules} for b in snapshot.event_buses}
    assert set(buses) == {"eu-west-1", "us-east-1"}
    assert buses["us-east-1"] == {}
    assert buses["eu-west-1"]["iam"].targets == (missing,)
    assert buses["eu-west-1"]["off"].state == "DISABLED"
    assert buses["eu-west-1"]["tick"].pattern == ""
    # Targets are read for the enabled rule with a pattern only.
    assert snapshot.api_calls["events:ListTargetsByRule"] == 1
    topics = {t.arn: t for t in snapshot.sns_topics}
    assert (topics[heard].confirmed, topics[heard].pending) == (1, 0)
    assert (topics[pending].confirmed, topics[pending].pending) == (0, 1)
    assert topics[missing].exists is False
