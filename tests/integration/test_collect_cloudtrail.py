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
