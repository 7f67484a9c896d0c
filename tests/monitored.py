"""What the monitoring and Access Analyzer checks want of a compliant moto account."""

from __future__ import annotations

from iamgate import moto_analyzer
from iamgate.checks.monitoring import IAM_POLICY_EVENTS
from iamgate.moto_account import MotoAccount

ACCOUNT = "123456789012"


CIS_IAM_PATTERN = "{" + "||".join(f"($.eventName={e})" for e in sorted(IAM_POLICY_EVENTS)) + "}"


def make_monitored(aws: MotoAccount) -> None:
    """What the monitoring and Access Analyzer checks want: an external-access analyzer in every
    enabled region, a logging multi-region trail with validation, and the CIS 4.4 alarm."""
    for region in aws.client("ec2").describe_regions()["Regions"]:
        name = region["RegionName"]
        aws.set_access_analyzer(name, [moto_analyzer.analyzer(name)])
    aws.client("s3").create_bucket(Bucket="trail-logs")
    aws.client("logs").create_log_group(logGroupName="trail")
    ct = aws.client("cloudtrail")
    ct.create_trail(
        Name="all-regions",
        S3BucketName="trail-logs",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:trail:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/trail-to-logs",
    )
    ct.start_logging(Name="all-regions")
    ct.put_event_selectors(
        TrailName="all-regions",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    aws.add_log_alarm(
        "trail", CIS_IAM_PATTERN, "IamPolicyChanges", f"arn:aws:sns:us-east-1:{ACCOUNT}:security"
    )
