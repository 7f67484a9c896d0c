"""End to end: the issue's verdicts, seeded into moto's IAM and judged by ``iamgate scan`` as a
subprocess. One account holds many principals, each a case, so one scan covers them all.

moto keeps a role's permissions boundary but drops a user's (MOTO-NOTES): the boundary cases
use roles here; users' boundaries are covered by the unit tests on snapshots.
"""

from __future__ import annotations

import json
from typing import Any

from iamgate.demo.standin import MotoAccount

ACCOUNT = "123456789012"
AWS = "arn:aws:iam::aws:policy"
A = f"arn:aws:iam::{ACCOUNT}"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: Any, resource: Any = "*", sid: str = "") -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    return {**st, "Sid": sid} if sid else st


def _trust(principal: dict[str, Any]) -> str:
    return _doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def seed(aws: MotoAccount) -> None:
    iam = aws.client("iam")

    def user(name: str, *inline: tuple[str, str], attached: tuple[str, ...] = ()) -> None:
        iam.create_user(UserName=name)
        for policy_name, document in inline:
            iam.put_user_policy(UserName=name, PolicyName=policy_name, PolicyDocument=document)
        for arn in attached:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)

    def role(name: str, trust: str, *inline: tuple[str, str], **kw: Any) -> None:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **kw)
        for policy_name, document in inline:
            iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=document)

    lambda_trust = _trust({"Service": "lambda.amazonaws.com"})
    # The prize: an administrator role that Lambda can carry.
    role("ops-admin", lambda_trust)
    iam.attach_role_policy(RoleName="ops-admin", PolicyArn=f"{AWS}/AdministratorAccess")
    role("logs-writer", lambda_trust, ("logs", _doc(_allow("logs:PutLogEvents"))))

    # False failures before: AWS's own-credentials policy, and PassRole scoped to one role.
    own = iam.create_policy(
        PolicyName="own-credentials",
        PolicyDocument=_doc(
            _allow(
                ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ChangePassword"],
                "arn:aws:iam::*:user/${aws:username}",
            )
        ),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="everyone")
    iam.attach_group_policy(GroupName="everyone", PolicyArn=own)
    user("alice")
    iam.add_user_to_group(GroupName="everyone", UserName="alice")
    functions = ["lambda:CreateFunction", "lambda:InvokeFunction"]
    user(
        "ci-scoped",
        ("deploy", _doc(_allow("iam:PassRole", f"{A}:role/logs-writer"), _allow(functions))),
    )
    user("ci-wide", ("deploy", _doc(_allow(["iam:PassRole", *functions], "*", "Deploy"))))
    # PowerUserAccess: not an administrator, but lambda:* reaches the Lambda admin role.
    user("power", attached=(f"{AWS}/PowerUserAccess",))
    # AdministratorAccess under an unconditional Deny of everything but S3.
    only_s3 = {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
    user("s3-admin", ("only-s3", _doc(only_s3)), attached=(f"{AWS}/AdministratorAccess",))
    # False passes before: a role that may write its own policy, a user that may assume an
    # administrator role, a user an administrator role trusts by name.
    role(
        "self-writer",
        _trust({"Service": "ec2.amazonaws.com"}),
        ("self", _doc(_allow("iam:PutRolePolicy", f"{A}:role/self-writer"))),
    )
    user("hopper", ("hop", _doc(_allow("sts:AssumeRole", f"{A}:role/break-glass", "Hop"))))
    user("named")
    role(
        "break-glass",
        _trust({"AWS": [f"{A}:root", f"{A}:user/named"]}),
    )
    iam.attach_role_policy(RoleName="break-glass", PolicyArn=f"{AWS}/AdministratorAccess")
    # A role boundary (moto keeps them): AdministratorAccess within an S3-only boundary.
    boundary = iam.create_policy(PolicyName="s3-only", PolicyDocument=_doc(_allow("s3:*")))[
        "Policy"
    ]["Arn"]
    role("bounded", _trust({"Service": "ec2.amazonaws.com"}), PermissionsBoundary=boundary)
    iam.attach_role_policy(RoleName="bounded", PolicyArn=f"{AWS}/AdministratorAccess")
    # The two new checks, and support held by a user only.
    anywhere = iam.create_policy(
        PolicyName="assume-anything", PolicyDocument=_doc(_allow("sts:AssumeRole"))
    )["Policy"]["Arn"]
    user("assumer", attached=(anywhere,))
    iam.create_policy(PolicyName="spare-admin", PolicyDocument=_doc(_allow("*")))
    iam.attach_user_policy(UserName="named", PolicyArn=f"{AWS}/AWSSupportAccess")
    _seed_refusals(aws, user)
    _seed_edge_keys(aws, user)


def _seed_edge_keys(aws: MotoAccount, user: Any) -> None:
    """Conditions on the keys an edge fixes: the service a role is passed to, the target's
    tag (read from GetAccountAuthorizationDetails)."""
    iam = aws.client("iam")
    functions = ["lambda:CreateFunction", "lambda:InvokeFunction"]
    to = {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    user("ci-ec2-only", ("p", _doc({**_allow("iam:PassRole"), "Condition": to}, _allow(functions))))
    to_lambda = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    only = {**_allow("iam:PassRole"), "Condition": to_lambda}
    user("ci-lambda-only", ("p", _doc(only, _allow(functions))))
    iam.create_role(
        RoleName="tagged-admin",
        AssumeRolePolicyDocument=_trust({"Service": "ec2.amazonaws.com"}),
        Tags=[{"Key": "team", "Value": "prod"}],
    )
    iam.attach_role_policy(RoleName="tagged-admin", PolicyArn=f"{AWS}/AdministratorAccess")
    for team in ("dev", "prod"):
        tagged = {"StringEquals": {"aws:ResourceTag/team": team}}
        st = {**_allow("iam:UpdateAssumeRolePolicy", f"{A}:role/tagged-admin"), "Condition": tagged}
        user(f"rewrites-{team}", ("p", _doc(st)))


def _seed_refusals(aws: MotoAccount, user: Any) -> None:
    """Edges AWS would refuse, read from the credential report: a password to change exists
    for one administrator and not the other; one administrator has no free key slot."""
    iam = aws.client("iam")
    admin = (f"{AWS}/AdministratorAccess",)
    user("console-admin", attached=admin)
    iam.create_login_profile(UserName="console-admin", Password="Correct-horse-1!")
    user("api-admin", attached=admin)  # no password
    user("keyed-admin", attached=admin)
    for _ in range(2):
        iam.create_access_key(UserName="keyed-admin")
    for name, action, target in (
        ("resets-console", "iam:UpdateLoginProfile", "console-admin"),
        ("resets-api", "iam:UpdateLoginProfile", "api-admin"),
        ("creates-key", "iam:CreateAccessKey", "keyed-admin"),
        ("creates-key-2", "iam:CreateAccessKey", "api-admin"),
    ):
        user(name, ("p", _doc(_allow(action, f"{A}:user/{target}", "P"))))


def test_the_issues_verdicts_end_to_end(aws: MotoAccount, iamgate: Any) -> None:
    seed(aws)
    run = iamgate("scan", "--json", "results.json", "--regions", "us-east-1")
    assert run.code == 1, run.stderr
    by = {(f["check"], f["resource"]): f for f in run.json("results.json")["findings"]}

    def verdict(check: str, resource: str) -> tuple[str, str]:
        found = by[(check, resource)]
        return found["status"], found["message"]

    esc, admin = "policy-privilege-escalation", "principal-admin-access"
    # Own credentials and a PassRole scoped to a logs role are no escalation; wider PassRole is.
    assert verdict(esc, f"{A}:user/alice")[0] == "pass"
    assert verdict(esc, f"{A}:user/ci-scoped") == ("pass", "no privilege-escalation path")
    assert verdict(esc, f"{A}:user/ci-wide") == (
        "fail",
        "user ci-wide can escalate privileges: user/ci-wide → iam:PassRole + "
        "lambda:CreateFunction + lambda:InvokeFunction (statement 'Deploy' of "
        "user/ci-wide#inline/deploy) → role/ops-admin (full administrator)",
    )
    # PowerUserAccess: not an administrator (the message says what it leaves out)...
    status, message = verdict(admin, f"{A}:user/power")
    assert status == "pass"
    assert "allows every action except iam:*, organizations:*, account:*" in message
    # ...but it reaches one: its sts:AssumeRole (everything but IAM) meets break-glass's trust
    # of the account (lambda:UpdateFunctionCode and ops-admin are as short: unit-tested).
    status, message = verdict(esc, f"{A}:user/power")
    assert status == "fail"
    assert message.endswith("(full administrator)")
    # AdministratorAccess under Deny NotAction s3:* is not an administrator.
    status, message = verdict(admin, f"{A}:user/s3-admin")
    assert status == "pass"
    assert "denies every action but s3:*" in message
    # A role that may write its own policy is an administrator, reported once.
    status, message = verdict(admin, f"{A}:role/self-writer")
    assert status == "fail"
    assert "may grant itself anything: iam:PutRolePolicy" in message
    assert verdict(esc, f"{A}:role/self-writer") == (
        "pass",
        "role/self-writer is already full administrator (see principal-admin-access)",
    )
    # Assuming an administrator role: by permission (the trust names the account), or named.
    assert verdict(esc, f"{A}:user/hopper") == (
        "fail",
        "user hopper can escalate privileges: user/hopper → sts:AssumeRole (statement 'Hop' of "
        f"user/hopper#inline/hop; trust statement #1 trusts the account ({A}:root): the caller "
        "also needs sts:AssumeRole) → role/break-glass (full administrator)",
    )
    assert verdict(esc, f"{A}:user/named")[1].endswith(
        "user/named → sts:AssumeRole (trust statement #1 names "
        "arn:aws:iam::123456789012:user/named) → role/break-glass "
        "(full administrator)"
    )
    # A role's boundary limits AdministratorAccess.
    status, message = verdict(admin, f"{A}:role/bounded")
    assert status == "pass"
    assert "permissions boundary limits it" in message
    # The two new checks (and what sts:AssumeRole on * reaches).
    assert verdict("role-assume-any", f"{A}:policy/assume-anything")[0] == "fail"
    assert verdict(esc, f"{A}:user/assumer")[1].endswith("→ role/break-glass (full administrator)")
    assert verdict("role-assume-any", f"{A}:policy/own-credentials")[0] == "pass"
    assert verdict("policy-full-admin-unattached", f"{A}:policy/spare-admin")[0] == "fail"
    assert verdict("policy-full-admin-unattached", f"{A}:policy/s3-only")[0] == "pass"
    # UpdateLoginProfile only where a password exists; CreateAccessKey only with a free slot.
    assert verdict(esc, f"{A}:user/resets-console") == (
        "fail",
        "user resets-console can escalate privileges: user/resets-console → "
        "iam:UpdateLoginProfile (statement 'P' of user/resets-console#inline/p) → "
        "user/console-admin (full administrator)",
    )
    assert verdict(esc, f"{A}:user/resets-api") == ("pass", "no privilege-escalation path")
    assert verdict(esc, f"{A}:user/creates-key") == ("pass", "no privilege-escalation path")
    assert verdict(esc, f"{A}:user/creates-key-2")[0] == "fail"
    # PassRole only to EC2 reaches nothing through Lambda; to Lambda it does.
    assert verdict(esc, f"{A}:user/ci-ec2-only") == ("pass", "no privilege-escalation path")
    assert verdict(esc, f"{A}:user/ci-lambda-only")[0] == "fail"
    # A trust rewrite limited to roles tagged team=dev does not reach the team=prod admin.
    assert verdict(esc, f"{A}:user/rewrites-dev") == ("pass", "no privilege-escalation path")
    assert verdict(esc, f"{A}:user/rewrites-prod")[1].endswith(
        "→ role/tagged-admin (full administrator)"
    )
    # CIS 1.17 wants a role with AWSSupportAccess: a user holding it does not count.
    status, message = verdict("support-role", f"{A}:root")
    assert status == "fail"
    assert f"{A}:user/named" in message
