"""The seven alert checks from hand-built snapshots: each link of the chain broken beside the
same chain whole, for both routes (metric filter and EventBridge)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from iamgate.alerts.controls import BY_ID, CONTROLS, ENABLED_ALL, IAM_POLICY_EVENTS, Control
from iamgate.checks import run_checks
from iamgate.checks.alarms import in_organization
from iamgate.errors import InputError
from iamgate.formats.config_toml import parse_config
from iamgate.model.config import Config, MonitoringSettings
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
    Trail,
)
from testing.factories import ACCOUNT, snap

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:trail:*"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:security"
REGIONS = ("us-east-1", "eu-west-1")
IDS = [c.id for c in CONTROLS]


def name(control: Control) -> str:
    return "".join(w.title() for w in control.id.split("-"))


def trail(name: str = "all-regions", region: str = "us-east-1", **fields: Any) -> Trail:
    base: dict[str, Any] = {
        "name": name,
        "arn": f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}",
        "home_region": region,
        "multi_region": True,
        "global_events": True,
        "log_validation": True,
        "is_logging": True,
        "management_events": "All",
        "log_group_arn": GROUP,
    }
    base.update(fields)
    return Trail(**base)


def metric_filter(control: Control, pattern: str = "", group: str = "trail") -> MetricFilter:
    metric = f"CIS/{name(control)}"
    return MetricFilter(
        group, "us-east-1", name(control), pattern or control.filter_pattern, (metric,)
    )


def alarm(control: Control, **fields: Any) -> Alarm:
    base: dict[str, Any] = {
        "name": name(control),
        "region": "us-east-1",
        "metric": f"CIS/{name(control)}",
        "actions": (TOPIC,),
        "actions_enabled": True,
    }
    base.update(fields)
    return Alarm(**base)


def monitored(**fields: Any) -> Snapshot:
    """Every control alerted through a metric filter on the trail's log group (the account is in
    an organization, so organizations-change-alarm applies)."""
    base: dict[str, Any] = {
        "organization": Organization("o-example"),
        "regions": REGIONS,
        "trails": (trail(organization=True),),
        "metric_filters": tuple(metric_filter(c) for c in CONTROLS),
        "alarms": tuple(alarm(c) for c in CONTROLS),
        "sns_topics": (SnsTopic(TOPIC, confirmed=1),),
        "event_buses": tuple(EventBus(r) for r in REGIONS),
    }
    base.update(fields)
    return snap(**base)


def judged(snapshot: Snapshot, check: str, config: Config | None = None) -> tuple[Any, str]:
    results = run_checks(snapshot, config or Config(), [check])
    [(passed, message)] = [(r.passed, r.message) for r in results if r.resource == ROOT_ARN]
    return passed, message


def replaced(snapshot: Snapshot, control: Control, **fields: Any) -> Snapshot:
    """The snapshot with the control's own filter (or alarm) changed."""
    filters = (
        tuple(
            dataclasses.replace(f, **fields["filter"]) if f.name == name(control) else f
            for f in snapshot.metric_filters
        )
        if "filter" in fields
        else snapshot.metric_filters
    )
    alarms = (
        tuple(
            dataclasses.replace(a, **fields["alarm"]) if a.name == name(control) else a
            for a in snapshot.alarms
        )
        if "alarm" in fields
        else snapshot.alarms
    )
    return dataclasses.replace(snapshot, metric_filters=filters, alarms=alarms)


# --- the whole chain ------------------------------------------------------------------------


@pytest.mark.parametrize("check", IDS)
def test_a_complete_metric_filter_route_passes_and_is_named(check: str) -> None:
    passed, message = judged(monitored(), check)
    control = BY_ID[check]
    assert passed is True, message
    assert message == (
        f"{control.title} alert: metric filter {name(control)} on log group trail (trail "
        f"all-regions) -> alarm {name(control)} -> SNS topic {TOPIC} (1 confirmed subscription)"
    )


# --- link 1: the trail ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"is_logging": False}, "trail all-regions is not logging"),
        (
            {"is_logging": None, "status_error": "GetTrailStatus: AccessDenied"},
            "trail all-regions's logging status is unknown (GetTrailStatus: AccessDenied)",
        ),
        (
            {"multi_region": False},
            "trail all-regions is single-region (us-east-1), so it never sees other regions' "
            "events",
        ),
        ({"management_events": "None"}, "trail all-regions records no management events"),
        ({"management_events": "ReadOnly"}, "records only read-only management events"),
        ({"management_events": ""}, "trail all-regions's event selectors are unknown"),
        ({"global_events": False}, "does not include global service events"),
        # the filter is still there, but nothing delivers to its log group any more
        ({"log_group_arn": None}, "sits on log group trail (us-east-1), which no trail delivers"),
    ],
)
def test_a_broken_trail_is_the_first_broken_link(changes: dict[str, Any], expected: str) -> None:
    broken = monitored(trails=(trail(organization=True, **changes),))
    for check in IDS:
        passed, message = judged(broken, check)
        assert passed is False, (check, message)
        assert message.startswith(f"nothing alerts on {BY_ID[check].title}: "), message
        assert expected in message, message


def test_the_issue_s_example_single_region_trail_elsewhere() -> None:
    eu_group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/trail/eu:*"
    s = snap(
        regions=REGIONS,
        trails=(trail("eu-only", "eu-west-1", multi_region=False, log_group_arn=eu_group),),
        metric_filters=(
            dataclasses.replace(
                metric_filter(BY_ID["iam-change-alarm"], group="/trail/eu"),
                name="iam-changes",
                region="eu-west-1",
            ),
        ),
    )
    passed, message = judged(s, "iam-change-alarm")
    assert passed is False
    assert message == (
        "nothing alerts on IAM policy changes: filter iam-changes sits on log group /trail/eu "
        "(eu-west-1): trail eu-only is single-region (eu-west-1), so it never sees IAM events "
        "nor other regions'"
    )


def test_write_only_management_events_miss_read_only_calls() -> None:
    s = monitored(trails=(trail(organization=True, management_events="WriteOnly"),))
    for check in IDS:
        passed, message = judged(s, check)
        reads = BY_ID[check].needs_read_events
        assert passed is not reads, (check, message)
        if reads:
            assert "records only write management events" in message


def test_an_organization_trail_of_another_account_is_out_of_reach() -> None:
    other = trail(
        "org", organization=True, arn="arn:aws:cloudtrail:us-east-1:999988887777:trail/org"
    )
    other = dataclasses.replace(
        other, log_group_arn="arn:aws:logs:us-east-1:999988887777:log-group:trail:*"
    )
    # A member account: its own filters (none here) are not on the organization's log group.
    passed, message = judged(monitored(trails=(other,), metric_filters=()), "iam-change-alarm")
    assert passed is False
    assert (
        "no trail can deliver them: trail org is an organization trail of account 999988887777"
        in message
    )
    assert "out of this scan's reach" in message


def test_a_filter_on_a_log_group_no_trail_delivers_to() -> None:
    s = monitored()
    s = replaced(s, BY_ID["root-usage-alarm"], filter={"log_group": "app/audit"})
    passed, message = judged(s, "root-usage-alarm")
    assert passed is False
    assert message.endswith(
        "filter RootUsageAlarm sits on log group app/audit (us-east-1), which no trail delivers to"
    )
    assert judged(s, "iam-change-alarm")[0] is True  # the others still pass


# --- link 2: the pattern --------------------------------------------------------------------

# For each control, its recommended pattern less one event it must catch.
INCOMPLETE = {
    "unauthorized-api-alarm": ('{ $.errorCode = "AccessDenied*" }', "miss Client.Unauthorized"),
    "console-no-mfa-alarm": (
        '{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed != "Yes" && '
        '$.awsRegion = "us-east-1" }',
        "miss console sign-in without MFA (recorded in us-east-2)",
    ),
    "root-usage-alarm": (
        '{ $.userIdentity.type = "Root" && $.eventType = "AwsApiCall" }',
        "miss root console sign-in, root password change",
    ),
    "iam-change-alarm": (
        "{ " + " || ".join(f"$.eventName = {e}" for e in IAM_POLICY_EVENTS[:-1]) + " }",
        "miss DetachGroupPolicy",
    ),
    "cloudtrail-change-alarm": ("{ $.eventName = *Trail }", "miss StartLogging, StopLogging"),
    "console-auth-failure-alarm": (
        '{ $.eventName = ConsoleLogin && $.errorMessage = "Failed authentication" && '
        "$.userIdentity.type = IAMUser }",
        "miss failed console sign-in (of the root user)",
    ),
    "organizations-change-alarm": (
        "{ $.eventSource = organizations.amazonaws.com && $.eventName != MoveAccount }",
        "miss MoveAccount",
    ),
}


@pytest.mark.parametrize("check", IDS)
def test_an_incomplete_pattern_per_control(check: str) -> None:
    control = BY_ID[check]
    pattern, expected = INCOMPLETE[check]
    # Only this control's filter: the others' filters must not stand in for it.
    s = monitored(metric_filters=(metric_filter(control, pattern),), alarms=(alarm(control),))
    passed, message = judged(s, check)
    assert passed is False
    assert message.startswith(
        f"nothing alerts on {control.title}: the metric filters on log group trail (trail "
        f"all-regions) {expected}"
    ), message


def test_an_unreadable_pattern_says_why() -> None:
    control = BY_ID["iam-change-alarm"]
    s = monitored(metric_filters=(metric_filter(control, "{ $.eventName = CreatePolicy"),))
    passed, message = judged(s, control.id)
    assert passed is False
    assert "filter IamChangeAlarm's pattern cannot be read: expected &&, || or }" in message


def test_filters_share_the_work_each_with_its_alarm() -> None:
    control = BY_ID["iam-change-alarm"]
    halves = [IAM_POLICY_EVENTS[:8], IAM_POLICY_EVENTS[8:]]
    filters, alarms = [], []
    for i, names in enumerate(halves):
        pattern = "{ " + " || ".join(f"$.eventName = {n}" for n in names) + " }"
        f = dataclasses.replace(
            metric_filter(control, pattern), name=f"half{i}", metrics=(f"CIS/H{i}",)
        )
        filters.append(f)
        alarms.append(alarm(control, name=f"half{i}", metric=f"CIS/H{i}"))
    s = monitored(metric_filters=tuple(filters), alarms=tuple(alarms))
    passed, message = judged(s, control.id)
    assert passed is True, message
    assert "metric filter half0" in message
    assert "metric filter half1" in message
    # Without the second half's alarm, that alarm is the broken link.
    s = dataclasses.replace(s, alarms=(alarms[0],))
    passed, message = judged(s, control.id)
    assert passed is False
    assert message.endswith("filter half1's metric CIS/H1 has no alarm in us-east-1")


def test_a_catch_all_filter_alerts_nobody() -> None:
    control = BY_ID["unauthorized-api-alarm"]
    s = monitored(metric_filters=(metric_filter(control, control.cis_pattern),))
    passed, message = judged(s, control.id)
    assert passed is False
    assert "counts every event, routine ones too, so its alarm stays in ALARM" in message


def test_a_noisy_filter_passes_with_a_note() -> None:
    control = BY_ID["cloudtrail-change-alarm"]
    noisy = (
        "{ $.eventName = Create* || $.eventName = UpdateTrail || $.eventName = DeleteTrail || "
        "$.eventName = StartLogging || $.eventName = StopLogging }"
    )
    s = monitored(metric_filters=(metric_filter(control, noisy),))
    passed, message = judged(s, control.id)
    assert passed is True
    assert "(note: filter CloudtrailChangeAlarm also counts routine activity (" in message


# --- link 3: the alarm ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"actions": ()}, "alarm IamChangeAlarm on filter IamChangeAlarm's metric has no action"),
        ({"actions_enabled": False}, "alarm IamChangeAlarm has its actions disabled"),
        ({"actions_enabled": None}, "whether its actions are enabled is not known"),
        (
            {"region": "eu-west-1"},
            "filter IamChangeAlarm's metric CIS/IamChangeAlarm has no alarm in us-east-1",
        ),
        ({"metric": "CIS/Other"}, "has no alarm in us-east-1"),
        (
            {"dimensions": ("Service=iam",)},
            "alarm IamChangeAlarm watches CIS/IamChangeAlarm with dimensions (Service=iam), which "
            "filter IamChangeAlarm does not publish",
        ),
        (
            {"metric": "", "math_metrics": ("CIS/IamChangeAlarm",)},
            "through metric math (not judged)",
        ),
    ],
)
def test_a_broken_alarm(changes: dict[str, Any], expected: str) -> None:
    control = BY_ID["iam-change-alarm"]
    passed, message = judged(replaced(monitored(), control, alarm=changes), control.id)
    assert passed is False
    assert expected in message, message


def test_a_filter_with_dimensions_is_not_watched_by_one_alarm() -> None:
    control = BY_ID["iam-change-alarm"]
    s = replaced(monitored(), control, filter={"dimensioned": ("CIS/IamChangeAlarm",)})
    passed, message = judged(s, control.id)
    assert passed is False
    assert "publishes CIS/IamChangeAlarm with dimensions, a series per value" in message


def test_one_good_alarm_of_several_is_enough() -> None:
    control = BY_ID["iam-change-alarm"]
    s = monitored()
    s = dataclasses.replace(s, alarms=(alarm(control, name="silent", actions=()), *s.alarms))
    assert judged(s, control.id)[0] is True


# --- link 4: the person ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        (
            (SnsTopic(TOPIC, confirmed=0, pending=1),),
            f"SNS topic {TOPIC} has no confirmed subscription (1 pending confirmation)",
        ),
        ((SnsTopic(TOPIC),), f"SNS topic {TOPIC} has no confirmed subscription"),
        ((SnsTopic(TOPIC, exists=False),), f"SNS topic {TOPIC} does not exist"),
        (
            (SnsTopic(TOPIC, error="ListSubscriptionsByTopic: AuthorizationError: no"),),
            f"SNS topic {TOPIC} could not be read (ListSubscriptionsByTopic: AuthorizationError: "
            "no)",
        ),
        ((), f"SNS topic {TOPIC} was not read"),
    ],
)
def test_a_topic_that_reaches_nobody(topics: tuple[SnsTopic, ...], expected: str) -> None:
    for check in IDS:
        passed, message = judged(monitored(sns_topics=topics), check)
        assert passed is False
        assert f"alarm {name(BY_ID[check])} reaches nobody: {expected}" in message, message


def test_an_alarm_action_that_is_not_sns() -> None:
    control = BY_ID["root-usage-alarm"]
    ec2 = "arn:aws:automate:us-east-1:ec2:stop"
    passed, message = judged(replaced(monitored(), control, alarm={"actions": (ec2,)}), control.id)
    assert passed is False
    assert f"its action {ec2} is not an SNS topic" in message
    both = replaced(monitored(), control, alarm={"actions": (ec2, TOPIC)})
    assert judged(both, control.id)[0] is True


# --- the EventBridge route ------------------------------------------------------------------


def rules(control: Control, regions: tuple[str, ...] = ("us-east-1",), **fields: Any) -> Snapshot:
    """No metric filter at all; the control's EventBridge rule in ``regions``."""
    topic = fields.pop("topic", TOPIC)
    rule: dict[str, Any] = {
        "name": "alert",
        "arn": "arn:aws:events:us-east-1:1:rule/alert",
        "state": control.eventbridge_state,
        "pattern": control.eventbridge_pattern,
        "targets": (topic,),
    }
    rule.update(fields)
    buses = tuple(EventBus(r, (EventRule(**rule),) if r in regions else ()) for r in REGIONS)
    return monitored(metric_filters=(), alarms=(), event_buses=buses)


def test_an_eventbridge_rule_in_us_east_1_is_a_route_for_iam_changes() -> None:
    passed, message = judged(rules(BY_ID["iam-change-alarm"]), "iam-change-alarm")
    assert passed is True, message
    assert message == (
        f"IAM policy changes alert: EventBridge rule alert (us-east-1) -> SNS topic {TOPIC} "
        "(1 confirmed subscription)"
    )


def test_any_other_target_counts_as_reaching_someone() -> None:
    queue = "arn:aws:sqs:us-east-1:123456789012:security"
    s = rules(BY_ID["iam-change-alarm"], topic=queue)
    passed, message = judged(s, "iam-change-alarm")
    assert passed is True
    assert message.endswith(f"EventBridge rule alert (us-east-1) -> {queue}")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"targets": ()}, "EventBridge: rule alert (us-east-1) has no target"),
        ({"state": "DISABLED", "targets": ()}, "EventBridge: rule alert (us-east-1) is disabled"),
        ({"state": "PAUSED"}, "rule alert (us-east-1) is in the unknown state 'PAUSED'"),
        (
            {"topic": "arn:aws:sns:us-east-1:123456789012:nobody"},
            "rule alert (us-east-1) reaches nobody: SNS topic "
            "arn:aws:sns:us-east-1:123456789012:nobody was not read",
        ),
        (
            {
                "pattern": json.dumps(
                    {"source": ["aws.iam"], "detail": {"eventName": ["CreatePolicy"]}}
                )
            },
            "EventBridge: rule alert (us-east-1): misses DeleteGroupPolicy",
        ),
    ],
)
def test_a_broken_eventbridge_route(fields: dict[str, Any], expected: str) -> None:
    passed, message = judged(rules(BY_ID["iam-change-alarm"], **fields), "iam-change-alarm")
    assert passed is False
    assert message.startswith(
        "nothing alerts on IAM policy changes: log group trail (trail all-regions) has no metric "
        "filter; "
    )
    assert expected in message, message


def test_events_of_every_region_need_a_rule_in_every_region() -> None:
    root = BY_ID["root-usage-alarm"]
    passed, message = judged(rules(root), root.id)
    assert passed is False
    assert "does not see root API call" in message
    assert (
        "recorded in eu-west-1: a region's events reach only its own default event bus" in message
    )
    assert judged(rules(root, REGIONS), root.id)[0] is True


def test_read_only_root_calls_need_all_management_events() -> None:
    root = BY_ID["root-usage-alarm"]
    passed, message = judged(rules(root, REGIONS, state="ENABLED"), root.id)
    assert passed is False
    assert f"read-only calls reach a rule only in state {ENABLED_ALL}" in message


def test_the_cis_reading_asks_for_a_metric_filter() -> None:
    strict = Config(monitoring=MonitoringSettings(require_metric_filters=True))
    s = rules(BY_ID["iam-change-alarm"])
    passed, message = judged(s, "iam-change-alarm", strict)
    assert passed is False
    assert "require_metric_filters = true asks for a metric filter and alarm" in message
    assert judged(monitored(), "iam-change-alarm", strict)[0] is True


def test_the_require_switch_is_read_from_iamgate_toml() -> None:
    cfg = parse_config({"monitoring": {"require_metric_filters": True}}, "x.toml")
    assert cfg.monitoring.require_metric_filters is True
    assert ("monitoring.require_metric_filters", True, False) in cfg.overrides()
    with pytest.raises(InputError, match="expected true or false"):
        parse_config({"monitoring": {"require_metric_filters": 1}}, "x.toml")


# --- applicability and missing data -----------------------------------------------------------


def test_organizations_changes_are_judged_only_in_an_organization() -> None:
    # In no organization: nothing to alert on, and it says so (the alert itself is missing).
    no_alert = (*(f for f in monitored().metric_filters if "Organizations" not in f.name),)
    alone = monitored(organization=Organization(None), metric_filters=no_alert)
    assert in_organization(alone) is False
    passed, message = judged(alone, "organizations-change-alarm")
    assert passed is True
    assert "in no AWS Organization" in message
    # In one, the same account without the alert fails.
    member = monitored(metric_filters=no_alert)
    assert in_organization(member) is True
    assert judged(member, "organizations-change-alarm")[0] is False
    assert judged(monitored(), "organizations-change-alarm")[0] is True
    # Not known (a snapshot taken before iamgate read it): judged, never passed unseen.
    unknown = monitored(organization=None, metric_filters=no_alert)
    assert in_organization(unknown) is None
    assert judged(unknown, "organizations-change-alarm")[0] is not True


@pytest.mark.parametrize("check", IDS)
def test_a_snapshot_without_cloudtrail_data_is_an_error(check: str) -> None:
    # (In an organization, so that organizations-change-alarm applies.)
    passed, message = judged(snap(organization=Organization("o-example")), check)
    assert passed is None
    assert "no CloudTrail data" in message


@pytest.mark.parametrize(
    "source", [Source.EVENT_RULES, Source.SNS_SUBSCRIPTIONS, Source.LOG_METRICS]
)
def test_a_source_that_could_not_be_read_is_an_error_not_a_verdict(source: Source) -> None:
    err = CollectionError(source, "ListRules", "eu-west-1", "AccessDeniedException", "no")
    s = dataclasses.replace(monitored(), errors=(err,))
    for check in IDS:
        passed, message = judged(s, check)
        assert passed is None, check
        assert "ListRules (eu-west-1) failed" in message


def test_an_alert_on_something_else_is_not_blamed() -> None:
    # A root-activity rule catches root's IAM changes, but it is no IAM-change alert: the message
    # for iam-change-alarm does not name it (it does for root-usage-alarm).
    root = BY_ID["root-usage-alarm"]
    s = rules(root, targets=())
    assert "EventBridge" not in judged(s, "iam-change-alarm")[1]
    assert "EventBridge: rule alert (us-east-1)" in judged(s, root.id)[1]
    # Same for a filter on a log group no trail delivers to.
    s = replaced(monitored(), root, filter={"log_group": "app/audit"})
    s = dataclasses.replace(
        s, metric_filters=tuple(f for f in s.metric_filters if f.name != "IamChangeAlarm")
    )
    message = judged(s, "iam-change-alarm")[1]
    assert "RootUsageAlarm" not in message
    assert "the metric filters on log group trail (trail all-regions) miss all of" in message


def test_a_log_group_arn_that_is_not_one_matches_nothing() -> None:
    s = monitored(trails=(trail(organization=True, log_group_arn="trail"),))
    passed, message = judged(s, "iam-change-alarm")
    assert passed is False
    assert "sits on log group trail (us-east-1), which no trail delivers to" in message
