"""Requests grow with pages, not users: the same calls for 5 users as for 50."""

from __future__ import annotations

import json
from typing import Any

from iamgate.demo.standin import MotoAccount


def _seed(aws: MotoAccount, users: int) -> None:
    iam = aws.client("iam")
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    for i in range(users):
        name = f"u{i}"
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="devs", UserName=name)
        iam.create_access_key(UserName=name)
        if i % 2:
            iam.create_login_profile(UserName=name, Password="Passw0rd!Passw0rd")
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=serial["VirtualMFADevice"]["SerialNumber"],
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )


def _calls(aws: MotoAccount, iamgate: Any, users: int, out: str) -> dict[str, int]:
    aws.reset()
    _seed(aws, users)
    run = iamgate("scan", "--regions", "us-east-1", "--output-dir", out)
    assert run.code == 1, run.stderr
    snapshot = json.loads(run.text(f"{out}/snapshot.json"))
    assert len(snapshot["users"]) == users
    return dict(snapshot["api_calls"])


def test_calls_do_not_grow_with_users(aws: MotoAccount, iamgate: Any) -> None:
    few = _calls(aws, iamgate, 5, "few")
    many = _calls(aws, iamgate, 50, "many")
    assert few == many
    # One page of each bulk API; GetPolicy/GetPolicyVersion once for the one attached
    # AWS-managed policy; the credential report is asked for until COMPLETE (twice in moto);
    # one region given, so no region lookup and one Access Analyzer listing; one listing of
    # trails, metric filters and EventBridge rules for that region (no filter: no alarms read).
    assert many == {
        "accessanalyzer:ListAnalyzers": 1,
        "cloudtrail:DescribeTrails": 1,
        "events:ListRules": 1,
        "logs:DescribeMetricFilters": 1,
        "iam:GenerateCredentialReport": 2,
        "iam:GetAccountAuthorizationDetails": 1,
        "iam:GetAccountPasswordPolicy": 1,
        "iam:GetAccountSummary": 1,
        "iam:GetCredentialReport": 1,
        "iam:GetPolicy": 1,
        "iam:GetPolicyVersion": 1,
        "iam:ListServerCertificates": 1,
        "iam:ListVirtualMFADevices": 1,
        "organizations:DescribeOrganization": 1,
        "sts:GetCallerIdentity": 1,
    }
