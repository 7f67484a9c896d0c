"""Fixtures for the fault matrix: a private moto server, seeded once, behind the fault proxy.

The moto server runs in its own process (not the session's shared one), so the seeded account
cannot be reset by other tests running on the same xdist worker; a scan does not change it, so
every fault case reuses it, with the proxy's rules reset per case.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from iamgate.demo.standin import REGION
from testing import SRC
from testing.faults.fault_proxy import FaultProxy
from testing.faults.harness import CANARY_PASSWORD

_SERVER = """
import sys
from iamgate.demo import access_analyzer as ma
from iamgate.demo.standin import MotoAccount, RootRow
account = MotoAccount()  # moto plus the Access Analyzer stand-in, managed policies loaded
account.set_root(RootRow(mfa_active=True))  # a root row, as real AWS has
external = ma.analyzer("us-east-1", "account-analyzer")
shared = ma.external_finding(
    "f-0001", "arn:aws:s3:::shared-bucket", "AWS::S3::Bucket", {"AWS": "*"}, ["s3:GetObject"],
    is_public=True,
)
account.set_access_analyzer("us-east-1", [external], {external["arn"]: [shared]})
print(account.endpoint.removeprefix("http://"), flush=True)
sys.stdin.read()
"""


# Secrets the seeded account holds (the access key's secret): never to be seen in any output.
SEEDED_SECRETS: list[str] = []


def seed(endpoint: str) -> None:
    """A small account that makes the collector call every operation and fail some checks."""
    kw: dict[str, Any] = {
        "region_name": REGION,
        "endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password=CANARY_PASSWORD)  # no MFA: a finding
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    SEEDED_SECRETS.append(key["SecretAccessKey"])
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(
        GroupName="admins", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    iam.put_user_policy(
        UserName="bob",
        PolicyName="inline-s3",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"s3:GetObject","Resource":"*"}]}',
    )
    everything = iam.create_policy(
        PolicyName="everything",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"*","Resource":"*"}]}',
    )
    # One AWS-managed policy attached (one GetPolicy + GetPolicyVersion), one customer-managed.
    iam.attach_user_policy(UserName="bob", PolicyArn=everything["Policy"]["Arn"])
    iam.create_role(
        RoleName="app",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )
    iam.update_account_password_policy(MinimumPasswordLength=8)
    # An organization (DescribeOrganization answers with it), and a role that trusts it. The
    # account is its management account, so the scan reads its SCPs and RCPs too: both types
    # enabled (ListRoots), FullAWSAccess and RCPFullAWSAccess on the root and the account
    # (ListParents, ListPoliciesForTarget, DescribePolicy).
    orgs = boto3.client("organizations", **kw)
    org_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        orgs.enable_policy_type(RootId=root, PolicyType=policy_type)
    iam.create_role(
        RoleName="org-shared",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":'
        f'{{"aws:PrincipalOrgID":"{org_id}"}}}}}}]}}',
    )
    # A trail with its log group, and the CIS 4.4 filter + alarm: every monitoring call is made.
    boto3.client("s3", **kw).create_bucket(Bucket="trail-logs")
    boto3.client("logs", **kw).create_log_group(logGroupName="trail")
    trail = boto3.client("cloudtrail", **kw)
    trail.create_trail(
        Name="all",
        S3BucketName="trail-logs",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:123456789012:log-group:trail:*",
        CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/trail-to-logs",
    )
    trail.start_logging(Name="all")
    trail.put_event_selectors(
        TrailName="all",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    boto3.client("logs", **kw).put_metric_filter(
        logGroupName="trail",
        filterName="iam",
        filterPattern="{ ($.eventName = CreatePolicy) }",
        metricTransformations=[{"metricName": "Iam", "metricNamespace": "CIS", "metricValue": "1"}],
    )
    boto3.client("cloudwatch", **kw).put_metric_alarm(
        AlarmName="iam",
        MetricName="Iam",
        Namespace="CIS",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=["arn:aws:sns:us-east-1:123456789012:alerts"],
    )
    # The alarm's topic (ListSubscriptionsByTopic) and an EventBridge rule that sends to it
    # (ListRules, ListTargetsByRule).
    sns = boto3.client("sns", **kw)
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
    events = boto3.client("events", **kw)
    events.put_rule(Name="iam", EventPattern='{"source": ["aws.iam"]}')
    events.put_targets(Rule="iam", Targets=[{"Id": "alerts", "Arn": topic}])
    iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")


@pytest.fixture(scope="session")
def fault_moto() -> Iterator[str]:
    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    env["PYTHONPATH"] = str(SRC)
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    endpoint = "http://" + proc.stdout.readline().strip()
    try:
        seed(endpoint)
        yield endpoint
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def fault_proxy(fault_moto: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(fault_moto, read_timeout=1.0)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def seeded_secrets(fault_moto: str) -> list[str]:
    return list(SEEDED_SECRETS)


@pytest.fixture
def proxied(fault_proxy: FaultProxy) -> FaultProxy:
    """The proxy with no rules (a test sets its own)."""
    fault_proxy.set()
    return fault_proxy
