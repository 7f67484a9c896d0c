"""Near misses kept side by side in one test: a configuration that must fail beside a nearly
identical one that must pass, for checks whose pair was split across tests before."""

from __future__ import annotations

import pytest

from iamgate.alerts.controls import CONTROLS, Control
from iamgate.checks import run_checks
from iamgate.model.config import Config
from iamgate.model.snapshot import (
    Alarm,
    EventBus,
    MetricFilter,
    Organization,
    Snapshot,
    SnsTopic,
    Trail,
)
from testing.factories import ACCOUNT, snap

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:security"
TRAIL_GROUP = "trail"
REGIONS = ("us-east-1", "eu-west-1")


def _alerted(control: Control, filter_group: str) -> Snapshot:
    """A logging multi-region trail delivering to log group ``trail``, and this control's
    recommended metric filter on ``filter_group`` with an alarm notifying a confirmed topic."""
    metric = f"CIS/{control.id}"
    return snap(
        organization=Organization("o-example"),
        regions=REGIONS,
        trails=(
            Trail(
                name="all-regions",
                arn=f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/all-regions",
                home_region="us-east-1",
                multi_region=True,
                global_events=True,
                log_validation=True,
                is_logging=True,
                management_events="All",
                log_group_arn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{TRAIL_GROUP}:*",
                organization=True,
            ),
        ),
        metric_filters=(
            MetricFilter(filter_group, "us-east-1", control.id, control.filter_pattern, (metric,)),
        ),
        alarms=(Alarm(control.id, "us-east-1", metric, (TOPIC,), actions_enabled=True),),
        sns_topics=(SnsTopic(TOPIC, confirmed=1),),
        event_buses=tuple(EventBus(r) for r in REGIONS),
    )


def _passed(snapshot: Snapshot, check: str) -> bool | None:
    [result] = [r for r in run_checks(snapshot, Config(), [check]) if r.resource == ROOT_ARN]
    return result.passed


@pytest.mark.parametrize("check", [c.id for c in CONTROLS])
def test_alarm_filter_on_the_trails_log_group_vs_another_group(check: str) -> None:
    # A metric filter sees only its own log group's events, and CloudTrail delivers to the one log group the trail names: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html, https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html  # noqa: E501
    control = next(c for c in CONTROLS if c.id == check)
    assert _passed(_alerted(control, "app/audit"), check) is False
    assert _passed(_alerted(control, TRAIL_GROUP), check) is True
