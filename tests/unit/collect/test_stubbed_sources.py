"""Sources collected through botocore's Stubber (moto does not serve Access Analyzer, and cannot
deny a trail's status): every request and response is validated against the real service
model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from iamgate.aws.clients import AwsOptions, Clients
from iamgate.collect.access_analyzer import access_analyzer
from iamgate.collect.cloudtrail import trails
from iamgate.collect.eventbridge import EVENT_RULES
from iamgate.collect.regions import REGIONS
from iamgate.collect.snapshot import PERMISSIONS
from iamgate.collect.source import Session
from iamgate.model.snapshot import AnalyzerRegion, CollectionError, Source

T = datetime(2026, 10, 1, tzinfo=UTC)
ACCOUNT = "123456789012"


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Clients:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return Clients(AwsOptions(region="us-east-1", max_attempts=1))


def analyzer(region: str, name: str, type: str = "ACCOUNT") -> dict[str, Any]:
    return {
        "arn": f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}",
        "name": name,
        "type": type,
        "createdAt": T,
        "status": "ACTIVE",
    }


def summary(fid: str, resource: str, finding_type: str) -> dict[str, Any]:
    return {
        "id": fid,
        "resource": resource,
        "resourceType": "AWS::S3::Bucket" if finding_type == "ExternalAccess" else "AWS::IAM::Role",
        "resourceOwnerAccount": ACCOUNT,
        "status": "ACTIVE",
        "findingType": finding_type,
        "createdAt": T,
        "analyzedAt": T,
        "updatedAt": T,
    }


ACTIVE = {"status": {"eq": ["ACTIVE"]}}


def session(clients: Clients, **kwargs: Any) -> Session:
    return Session(clients, lambda _m: None, PERMISSIONS, **kwargs)


def analyzer_regions(
    clients: Clients, regions: list[str]
) -> tuple[tuple[AnalyzerRegion, ...], list[CollectionError]]:
    s = session(clients)
    s.found["regions"] = tuple(regions)
    return access_analyzer(s)["access_analyzer"], s.errors


def test_pages_of_analyzers_and_findings_and_a_denied_region(clients: Clients) -> None:
    east = clients.client("accessanalyzer", "us-east-1")
    west = clients.client("accessanalyzer", "eu-west-1")
    ext, unused = (
        analyzer("us-east-1", "ext"),
        analyzer("us-east-1", "unused", "ACCOUNT_UNUSED_ACCESS"),
    )
    with Stubber(east) as stub_east, Stubber(west) as stub_west:
        # ListAnalyzers: two pages
        stub_east.add_response("list_analyzers", {"analyzers": [ext], "nextToken": "p2"}, {})
        stub_east.add_response("list_analyzers", {"analyzers": [unused]}, {"nextToken": "p2"})
        # external analyzer: two pages of findings, each detailed with GetFindingV2
        stub_east.add_response(
            "list_findings_v2",
            {"findings": [summary("f1", "arn:aws:s3:::a", "ExternalAccess")], "nextToken": "n"},
            {"analyzerArn": ext["arn"], "filter": ACTIVE},
        )
        stub_east.add_response(
            "get_finding_v2",
            {
                **summary("f1", "arn:aws:s3:::a", "ExternalAccess"),
                "findingDetails": [
                    {
                        "externalAccessDetails": {
                            "action": ["s3:GetObject"],
                            "condition": {},
                            "isPublic": True,
                            "principal": {"AWS": "*"},
                        }
                    }
                ],
            },
            {"analyzerArn": ext["arn"], "id": "f1"},
        )
        stub_east.add_response(
            "list_findings_v2",
            {"findings": [summary("f2", "arn:aws:s3:::b", "ExternalAccess")]},
            {"analyzerArn": ext["arn"], "filter": ACTIVE, "nextToken": "n"},
        )
        stub_east.add_response(
            "get_finding_v2",
            {
                **summary("f2", "arn:aws:s3:::b", "ExternalAccess"),
                "findingDetails": [
                    {
                        "externalAccessDetails": {
                            "action": ["s3:PutObject"],
                            "condition": {},
                            "isPublic": False,
                            "principal": {"AWS": "999988887777"},
                        }
                    }
                ],
            },
            {"analyzerArn": ext["arn"], "id": "f2"},
        )
        # unused-access analyzer: the summary is enough
        role = f"arn:aws:iam::{ACCOUNT}:role/idle"
        stub_east.add_response(
            "list_findings_v2",
            {"findings": [summary("u1", role, "UnusedIAMRole")]},
            {"analyzerArn": unused["arn"], "filter": ACTIVE},
        )
        stub_west.add_client_error(
            "list_analyzers", "AccessDeniedException", "not authorized", http_status_code=403
        )
        regions, errors = analyzer_regions(clients, ["us-east-1", "eu-west-1"])
        stub_east.assert_no_pending_responses()
        stub_west.assert_no_pending_responses()
    by_region = {r.region: r for r in regions}
    east_data = by_region["us-east-1"]
    assert [a.name for a in east_data.analyzers] == ["ext", "unused"]
    found = {f.id: f for f in east_data.findings}
    assert set(found) == {"f1", "f2", "u1"}
    assert found["f1"].is_public is True
    assert found["f1"].principal == {"AWS": "*"}
    assert found["f2"].actions == ("s3:PutObject",)
    assert found["u1"].finding_type == "UnusedIAMRole"
    assert by_region["eu-west-1"].analyzers == ()
    [err] = errors
    assert err.source == Source.ACCESS_ANALYZER_REGION
    assert err.region == "eu-west-1"
    assert err.code == "AccessDeniedException"
    assert "access-analyzer:ListAnalyzers" in err.hint


def test_inactive_analyzer_is_not_asked_for_findings(clients: Clients) -> None:
    east = clients.client("accessanalyzer", "us-east-1")
    disabled = {**analyzer("us-east-1", "off"), "status": "DISABLED"}
    with Stubber(east) as stub:
        stub.add_response("list_analyzers", {"analyzers": [disabled]}, {})
        regions, errors = analyzer_regions(clients, ["us-east-1"])
        stub.assert_no_pending_responses()
    assert errors == []
    assert regions[0].analyzers[0].status == "DISABLED"
    assert regions[0].findings == ()


def test_regions_default_to_enabled_ones_and_a_denied_lookup_is_recorded(
    clients: Clients,
) -> None:
    ec2 = clients.client("ec2")
    with Stubber(ec2) as stub:
        stub.add_response(
            "describe_regions",
            {"Regions": [{"RegionName": "eu-west-1"}, {"RegionName": "us-east-1"}]},
            {"AllRegions": False},
        )
        stub.add_client_error("describe_regions", "UnauthorizedOperation", "no", 403)
        found = session(clients).run(REGIONS)
        denied = session(clients)
        fallback = denied.run(REGIONS)
    assert found == {"regions": ("eu-west-1", "us-east-1")}
    assert fallback == {"regions": ("us-east-1",)}
    [err] = denied.errors
    assert err.source == Source.REGIONS
    assert "ec2:DescribeRegions" in err.hint
    asked = session(clients, wanted_regions=("ap-south-1",)).run(REGIONS)
    assert asked == {"regions": ("ap-south-1",)}


def test_a_trail_whose_status_is_denied_is_kept_as_unknown(clients: Clients) -> None:
    arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org"
    ct = clients.client("cloudtrail")
    with Stubber(ct) as stub:
        stub.add_response(
            "describe_trails",
            {
                "trailList": [
                    {
                        "Name": "org",
                        "TrailARN": arn,
                        "HomeRegion": "us-east-1",
                        "IsMultiRegionTrail": True,
                        "IncludeGlobalServiceEvents": True,
                        "LogFileValidationEnabled": True,
                        "IsOrganizationTrail": True,
                    }
                ]
            },
            {"includeShadowTrails": True},
        )
        stub.add_client_error("get_trail_status", "AccessDeniedException", "member account")
        [trail] = trails(session(clients))["trails"]
    assert trail.is_logging is None
    assert trail.management_events == ""
    assert "GetTrailStatus: AccessDeniedException" in trail.status_error
    assert trail.organization is True


def test_a_region_whose_metric_filters_are_denied_fails_the_source_naming_it(
    clients: Clients,
) -> None:
    from iamgate.collect.cloudtrail import LOG_METRICS

    s = session(clients)
    s.found["regions"] = ("us-east-1", "eu-west-1")
    east, west = clients.client("logs", "us-east-1"), clients.client("logs", "eu-west-1")
    with Stubber(east) as stub_east, Stubber(west) as stub_west:
        stub_east.add_response("describe_metric_filters", {"metricFilters": []}, {})
        stub_west.add_client_error("describe_metric_filters", "AccessDeniedException", "no")
        found = s.run(LOG_METRICS)
    assert found == {}  # the source failed: its checks say error, nothing half-read is judged
    [error] = s.errors
    assert (error.source, error.operation, error.region) == (
        "log_metrics",
        "DescribeMetricFilters",
        "eu-west-1",
    )
    assert "logs:DescribeMetricFilters" in error.hint


def _alarm_to(topics: list[str]) -> Any:
    from iamgate.model.snapshot import Alarm, MetricFilter

    return (
        (MetricFilter("trail", "us-east-1", "f", "{ $.a = 1 }", ("CIS/M",)),),
        tuple(Alarm(f"a{i}", "us-east-1", "CIS/M", (t,), True) for i, t in enumerate(topics)),
    )


def test_who_the_topics_reach_and_a_topic_of_another_account(clients: Clients) -> None:
    from iamgate.collect.sns import subscriptions

    mine = f"arn:aws:sns:us-east-1:{ACCOUNT}:security"
    gone = f"arn:aws:sns:us-east-1:{ACCOUNT}:gone"
    theirs = "arn:aws:sns:us-east-1:999988887777:central"
    s = session(clients, account_id=ACCOUNT)
    s.found["metric_filters"], s.found["alarms"] = _alarm_to([mine, gone, theirs])
    sns = clients.client("sns", "us-east-1")
    with Stubber(sns) as stub:
        # Topics are read in ARN order: gone, security, then the other account's.
        stub.add_client_error("list_subscriptions_by_topic", "NotFound", "Topic does not exist")
        stub.add_response(
            "list_subscriptions_by_topic",
            {
                "Subscriptions": [
                    {"SubscriptionArn": f"{mine}:1", "TopicArn": mine},
                    {"SubscriptionArn": "PendingConfirmation", "TopicArn": mine},
                ]
            },
            {"TopicArn": mine},
        )
        stub.add_client_error("list_subscriptions_by_topic", "AuthorizationError", "not yours")
        found = {t.arn: t for t in subscriptions(s)["sns_topics"]}
    assert (found[mine].confirmed, found[mine].pending) == (1, 1)
    assert found[gone].exists is False
    # Another account's topic: kept, never counted as reaching anyone; not a collection error.
    assert found[theirs].error == "ListSubscriptionsByTopic: AuthorizationError: not yours"
    assert s.errors == []


def test_a_topic_of_this_account_that_cannot_be_read_fails_the_source(clients: Clients) -> None:
    from iamgate.collect.sns import SNS_SUBSCRIPTIONS
    from iamgate.model.snapshot import Alarm, MetricFilter

    topic = f"arn:aws:sns:eu-west-1:{ACCOUNT}:security"
    s = session(clients, account_id=ACCOUNT)
    s.found["metric_filters"] = (MetricFilter("trail", "eu-west-1", "f", "", ("CIS/M",)),)
    s.found["alarms"] = (Alarm("a", "eu-west-1", "CIS/M", (topic,), True),)
    with Stubber(clients.client("sns", "eu-west-1")) as stub:
        stub.add_client_error("list_subscriptions_by_topic", "AuthorizationError", "denied")
        assert s.run(SNS_SUBSCRIPTIONS) == {}
    [error] = s.errors
    assert (error.operation, error.region, error.code) == (
        "ListSubscriptionsByTopic",
        "eu-west-1",
        "AuthorizationError",
    )


# --- sources read region by region (collect/regional.py) ---------------------------------------


def rule(region: str, name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "Arn": f"arn:aws:events:{region}:{ACCOUNT}:rule/{name}",
        "State": "ENABLED",
        "EventPattern": '{"source": ["aws.iam"]}',
        "EventBusName": "default",
    }


def event_buses(clients: Clients, regions: list[str]) -> tuple[dict[str, Any], list[Any]]:
    s = session(clients)
    s.found["regions"] = tuple(regions)
    return dict(s.run(EVENT_RULES)), s.errors


def test_every_region_is_read_and_named(clients: Clients) -> None:
    east = clients.client("events", "us-east-1")
    west = clients.client("events", "eu-west-1")
    with Stubber(east) as stub_east, Stubber(west) as stub_west:
        stub_east.add_response("list_rules", {"Rules": []}, {"EventBusName": "default"})
        stub_west.add_response(
            "list_rules", {"Rules": [rule("eu-west-1", "iam")]}, {"EventBusName": "default"}
        )
        stub_west.add_response(
            "list_targets_by_rule",
            {"Targets": [{"Id": "1", "Arn": "arn:aws:sns:eu-west-1:123456789012:ops"}]},
            {"Rule": "iam", "EventBusName": "default"},
        )
        found, errors = event_buses(clients, ["eu-west-1", "us-east-1"])
    assert errors == []
    buses = {b.region: b for b in found["event_buses"]}
    assert set(buses) == {"eu-west-1", "us-east-1"}
    assert [r.targets for r in buses["eu-west-1"].rules] == [
        ("arn:aws:sns:eu-west-1:123456789012:ops",)
    ]


def test_one_denied_region_fails_the_source_and_names_that_region(clients: Clients) -> None:
    # A rule seen in one region says nothing of the others: the checks that need the rules
    # must say error, not judge an account seen in part.
    east = clients.client("events", "us-east-1")
    west = clients.client("events", "eu-west-1")
    with Stubber(east) as stub_east, Stubber(west) as stub_west:
        stub_east.add_response("list_rules", {"Rules": []}, {"EventBusName": "default"})
        stub_west.add_client_error("list_rules", "AccessDeniedException", "denied here")
        found, errors = event_buses(clients, ["eu-west-1", "us-east-1"])
    assert "event_buses" not in found  # the fallback: nothing, not the regions that answered
    assert [(e.source, e.operation, e.region, e.code) for e in errors] == [
        (Source.EVENT_RULES, "ListRules", "eu-west-1", "AccessDeniedException")
    ]
    assert "events:ListRules" in errors[0].hint


def test_every_failed_region_is_recorded(clients: Clients) -> None:
    east = clients.client("events", "us-east-1")
    west = clients.client("events", "eu-west-1")
    with Stubber(east) as stub_east, Stubber(west) as stub_west:
        stub_east.add_client_error("list_rules", "ThrottlingException", "slow down")
        stub_west.add_client_error("list_rules", "AccessDeniedException", "denied here")
        _found, errors = event_buses(clients, ["eu-west-1", "us-east-1"])
    assert sorted((e.region, e.code) for e in errors) == [
        ("eu-west-1", "AccessDeniedException"),
        ("us-east-1", "ThrottlingException"),
    ]


def test_the_aws_managed_policies_a_change_attaches_are_read_one_by_one(
    clients: Clients,
) -> None:
    """iamgate plan's reader: each policy read as an attached one is (GetPolicy for its default
    version, then GetPolicyVersion); one that does not exist is its own error, naming it."""
    from urllib.parse import quote

    from iamgate.collect.iam import read_aws_managed_policies
    from iamgate.model.snapshot import ManagedPolicy

    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    typo = "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"  # no service-role/ path
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*"}]}'
    iam = clients.client("iam")
    with Stubber(iam) as stub:
        stub.add_response(
            "get_policy",
            {
                "Policy": {
                    "PolicyName": "AWSLambdaBasicExecutionRole",
                    "Arn": basic,
                    "DefaultVersionId": "v2",
                    "AttachmentCount": 3,
                }
            },
            {"PolicyArn": basic},
        )
        stub.add_response(
            "get_policy_version",
            {"PolicyVersion": {"Document": quote(document), "VersionId": "v2"}},
            {"PolicyArn": basic, "VersionId": "v2"},
        )
        stub.add_client_error("get_policy", "NoSuchEntity", f"Policy {typo} does not exist", 404)
        read = read_aws_managed_policies(clients, [basic, typo], lambda _m: None)
        stub.assert_no_pending_responses()
    policy = read[basic]
    assert isinstance(policy, ManagedPolicy)
    assert (policy.name, policy.aws_managed) == ("AWSLambdaBasicExecutionRole", True)
    assert policy.document["Statement"][0]["Action"] == "logs:*"
    error = read[typo]
    assert isinstance(error, CollectionError)
    assert (error.operation, error.code) == ("GetPolicy", "NoSuchEntity")
    assert error.message.startswith(f"{typo}: ")
    assert "iam:GetPolicy" in error.describe()
