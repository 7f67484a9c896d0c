"""End to end (issue 20): users' and roles' tags come from GetAccountAuthorizationDetails into
the snapshot, and the verdicts that conditions on the caller's keys decide, judged by
``iamgate scan`` as a subprocess against moto. One account, one scan, each principal a case."""

from __future__ import annotations

import json
from typing import Any

from iamgate.demo.standin import MotoAccount
from iamgate.formats.snapshot_json import load_snapshot

ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def seed(aws: MotoAccount) -> None:
    iam = aws.client("iam")
    # An administrator role the account's assumed roles may assume, and no user.
    only_roles = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"{A}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalType": "AssumedRole"}},
        }
    )
    iam.create_role(RoleName="boss", AssumeRolePolicyDocument=only_roles)
    iam.attach_role_policy(RoleName="boss", PolicyArn=ADMIN)
    assume = _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"{A}:role/boss"})
    iam.create_user(UserName="hopper")
    iam.put_user_policy(UserName="hopper", PolicyName="hop", PolicyDocument=assume)
    ec2 = _doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=ec2)
    iam.put_role_policy(RoleName="worker", PolicyName="hop", PolicyDocument=assume)
    # Access keys of an administrator user, guarded by the caller's team tag.
    iam.create_user(UserName="admin", Tags=[{"Key": "team", "Value": "platform"}])
    iam.attach_user_policy(UserName="admin", PolicyArn=ADMIN)
    keys = _doc(
        {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": f"{A}:user/admin"},
        {
            "Effect": "Deny",
            "Action": "iam:CreateAccessKey",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "platform"}},
        },
    )
    for name, team in (("platform-dev", "platform"), ("app-dev", "apps")):
        iam.create_user(UserName=name, Tags=[{"Key": "Team", "Value": team}])
        iam.put_user_policy(UserName=name, PolicyName="keys", PolicyDocument=keys)


def test_conditions_on_the_callers_keys_end_to_end(aws: MotoAccount, iamgate: Any) -> None:
    seed(aws)
    run = iamgate("scan", "--output-dir", "out", "--regions", "us-east-1")
    assert run.code == 1, run.stderr
    snapshot = load_snapshot(run.cwd / "out" / "snapshot.json")
    tags = {u.name: u.tags for u in snapshot.users}
    assert [(t.key, t.value) for t in tags["app-dev"] or ()] == [("Team", "apps")]
    assert tags["hopper"] == ()  # collected, and none
    by = {(f["check"], f["resource"]): f for f in run.json("out/results.json")["findings"]}

    def verdict(resource: str) -> tuple[str, str]:
        found = by[("policy-privilege-escalation", resource)]
        return found["status"], found["message"]

    # aws:PrincipalType AssumedRole: the trust of the account admits the role, not the user.
    assert verdict(f"{A}:user/hopper") == ("pass", "no privilege-escalation path")
    assert verdict(f"{A}:role/worker")[0] == "fail"
    assert verdict(f"{A}:role/worker")[1].endswith("→ role/boss (full administrator)")
    # The Deny on the caller's tag: it holds for apps, not for platform.
    assert verdict(f"{A}:user/app-dev") == ("pass", "no privilege-escalation path")
    status, message = verdict(f"{A}:user/platform-dev")
    assert status == "fail"
    assert "iam:CreateAccessKey" in message
    assert message.endswith("user/admin (full administrator)")
