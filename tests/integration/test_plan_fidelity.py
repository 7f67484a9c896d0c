"""The proof of fidelity: for each fixture, ``plan`` on the account before gives exactly the
verdicts ``scan`` gives on the account after.

Each case seeds the account before into moto, takes its snapshot, then makes the same change
with boto3 calls that do what the plan or template does (moto's own CloudFormation is no oracle:
it ignores a role's ManagedPolicyArns and a user's Groups), scans the account after, and
compares every (check, resource) status with the plan's. Snapshots are collected in this process
from one region (the CLI itself is exercised in test_plan_cli.py).

What a plan cannot know and moto makes up (generated physical names) is kept out of the fixtures:
they name what they create, as most IAM templates do; placeholders have their own unit tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from iamgate.app.evaluate import GateOptions, evaluate
from iamgate.app.plan import PlanFiles, plan_change, read_change_files
from iamgate.aws.clients import Clients
from iamgate.collect.iam import read_aws_managed_policies
from iamgate.collect.snapshot import collect
from iamgate.demo.run import demo_plan_path
from iamgate.demo.standin import MotoAccount
from iamgate.model.config import Config
from iamgate.model.results import Change, Verdict
from iamgate.model.snapshot import CollectionError, ManagedPolicy, Snapshot
from testing.cli import DATA

ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"
AWS = "arn:aws:iam::aws:policy"
GITHUB = "token.actions.githubusercontent.com"
TF = DATA / "plan" / "terraform"
CFN = DATA / "plan" / "cloudformation"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: dict[str, Any], action: str = "sts:AssumeRole", **more: Any) -> str:
    return _doc({"Effect": "Allow", "Principal": principal, "Action": action, **more})


LAMBDA = _trust({"Service": "lambda.amazonaws.com"})
CODEBUILD = {
    "Effect": "Allow",
    "Principal": {"Service": "codebuild.amazonaws.com"},
    "Action": "sts:AssumeRole",
}
PASS_AND_RUN = ["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"]


def _github(aws: MotoAccount) -> None:
    """GitHub's OIDC provider (once: two fixtures of a case may both need it)."""
    iam = aws.client("iam")
    if not iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        iam.create_open_id_connect_provider(
            Url=f"https://{GITHUB}",
            ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
        )


def _lambda_admin(aws: MotoAccount) -> None:
    """The prize every escalation below reaches: an administrator role Lambda can carry."""
    iam = aws.client("iam")
    if "ops-automation" in {r["RoleName"] for r in iam.list_roles()["Roles"]}:
        return
    iam.create_role(RoleName="ops-automation", AssumeRolePolicyDocument=LAMBDA)
    iam.attach_role_policy(RoleName="ops-automation", PolicyArn=f"{AWS}/AdministratorAccess")


# --- the demo's Terraform plan (src/iamgate/demo/plan.json) --------------------------------------


def seed_release(aws: MotoAccount) -> None:
    iam = aws.client("iam")
    _github(aws)
    _lambda_admin(aws)
    iam.create_user(UserName="alice")
    deployer = iam.create_policy(
        PolicyName="lambda-deployer",
        PolicyDocument=_doc({"Effect": "Allow", "Action": PASS_AND_RUN, "Resource": "*"}),
    )["Policy"]["Arn"]
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=_doc(CODEBUILD))
    iam.attach_role_policy(RoleName="deployer", PolicyArn=deployer)
    iam.create_role(RoleName="shared-reports", AssumeRolePolicyDocument=_trust({"AWS": "*"}))


def apply_release(aws: MotoAccount) -> None:
    iam = aws.client("iam")
    plan = json.loads(demo_plan_path().read_text(encoding="utf-8"))
    by = {c["address"]: c["change"] for c in plan["resource_changes"]}
    iam.update_assume_role_policy(
        RoleName="deployer",
        PolicyDocument=by["aws_iam_role.deployer"]["after"]["assume_role_policy"],
    )
    iam.delete_role(RoleName="shared-reports")
    policy = by["module.ci.aws_iam_policy.release"]["after"]
    arn = iam.create_policy(PolicyName=policy["name"], PolicyDocument=policy["policy"])["Policy"][
        "Arn"
    ]
    role = by['module.ci.aws_iam_role.release["prod"]']["after"]
    iam.create_role(RoleName=role["name"], AssumeRolePolicyDocument=role["assume_role_policy"])
    iam.attach_role_policy(RoleName=role["name"], PolicyArn=arn)


# --- users, groups, memberships, credentials (tests/data/plan/terraform/team-access.json) --------


def seed_team(aws: MotoAccount) -> None:
    iam = aws.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=8)
    shared = iam.create_policy(
        PolicyName="shared",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}),
    )["Policy"]["Arn"]
    for name in ("carol", "erin", "legacy"):
        iam.create_user(UserName=name)
    iam.attach_user_policy(UserName="carol", PolicyArn=shared)
    iam.put_user_policy(
        UserName="legacy",
        PolicyName="everything",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    iam.create_group(GroupName="ops")
    iam.attach_group_policy(GroupName="ops", PolicyArn=f"{AWS}/PowerUserAccess")
    for name in ("carol", "erin"):
        iam.add_user_to_group(GroupName="ops", UserName=name)
    iam.create_access_key(UserName="erin")
    iam.create_role(RoleName="batch", AssumeRolePolicyDocument=LAMBDA)
    iam.create_role(RoleName="auditor", AssumeRolePolicyDocument=LAMBDA)
    iam.attach_role_policy(RoleName="auditor", PolicyArn=f"{AWS}/ReadOnlyAccess")
    iam.attach_role_policy(RoleName="auditor", PolicyArn=shared)
    iam.create_role(RoleName="reports", AssumeRolePolicyDocument=LAMBDA)
    for name, action in (("keep", "s3:GetObject"), ("drop", "iam:*")):
        iam.put_role_policy(
            RoleName="reports",
            PolicyName=name,
            PolicyDocument=_doc({"Effect": "Allow", "Action": action, "Resource": "*"}),
        )


def team_plan(aws: MotoAccount, tmp_path: Path) -> Path:
    """The fixture, with the one value Terraform's state holds that only the account knows:
    when erin's key was created (the credential report has no key ids)."""
    (key,) = aws.client("iam").list_access_keys(UserName="erin")["AccessKeyMetadata"]
    text = (TF / "team-access.json").read_text(encoding="utf-8")
    created = key["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "team-access.json"
    path.write_text(text.replace("FILLED-BY-THE-TEST", created), encoding="utf-8")
    return path


def apply_team(aws: MotoAccount) -> None:
    iam = aws.client("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
        HardExpiry=False,
    )
    iam.create_group(GroupName="devs")
    iam.remove_user_from_group(GroupName="ops", UserName="carol")
    iam.attach_group_policy(GroupName="devs", PolicyArn=f"{AWS}/ReadOnlyAccess")
    shared = f"{A}:policy/shared"
    iam.detach_user_policy(UserName="carol", PolicyArn=shared)  # aws_iam_policy_attachment:
    iam.detach_role_policy(RoleName="auditor", PolicyArn=shared)  # exclusive across the account
    iam.attach_role_policy(RoleName="batch", PolicyArn=shared)
    ecs = _trust({"Service": "ecs-tasks.amazonaws.com"})
    iam.create_role(RoleName="team-worker-0", Path="/teams/", AssumeRolePolicyDocument=ecs)
    iam.delete_role_policy(RoleName="reports", PolicyName="drop")
    (key,) = iam.list_access_keys(UserName="erin")["AccessKeyMetadata"]
    iam.delete_access_key(UserName="erin", AccessKeyId=key["AccessKeyId"])
    iam.create_user(UserName="dev")
    iam.create_access_key(UserName="dev")
    iam.delete_user_policy(UserName="legacy", PolicyName="everything")
    iam.delete_user(UserName="legacy")
    iam.add_user_to_group(GroupName="devs", UserName="dev")
    iam.create_login_profile(
        UserName="dev", Password="Not-A-Real-Passw0rd!", PasswordResetRequired=True
    )
    bucket = "arn:aws:s3:::team-logs"
    read_logs = {"Sid": "ReadLogs", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"]}
    iam.put_user_policy(
        UserName="erin",
        PolicyName="read-logs",
        PolicyDocument=_doc({**read_logs, "Resource": [bucket, f"{bucket}/*"]}),
    )


# --- a CloudFormation template in YAML (tests/data/plan/cloudformation/ci-roles.yml) -------------


def seed_ci_roles(aws: MotoAccount) -> None:
    _lambda_admin(aws)
    aws.client("iam").create_group(GroupName="developers")


def apply_ci_roles(aws: MotoAccount) -> None:
    """Stack ci-roles, Environment=staging (the default): the OIDC provider, a role any
    repository can assume (repo:*), a managed policy that passes roles to Lambda attached to
    it, and the staging-only tester with a console password, in the developers group."""
    iam = aws.client("iam")
    _github(aws)
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": f"{A}:oidc-provider/{GITHUB}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB}:sub": "repo:*"},
        },
    }
    iam.create_role(RoleName="release-staging", AssumeRolePolicyDocument=_doc(trust))
    artifacts = f"arn:aws:s3:::artifacts-{ACCOUNT}/*"
    iam.put_role_policy(
        RoleName="release-staging",
        PolicyName="read-artifacts",
        PolicyDocument=_doc({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": artifacts}),
    )
    deploy = {"Sid": "DeployFunctions", "Effect": "Allow", "Action": PASS_AND_RUN, "Resource": "*"}
    arn = iam.create_policy(PolicyName="ci-roles-deploy", PolicyDocument=_doc(deploy))["Policy"][
        "Arn"
    ]
    iam.attach_role_policy(RoleName="release-staging", PolicyArn=arn)
    iam.create_user(UserName="ci-roles-tester")
    iam.add_user_to_group(GroupName="developers", UserName="ci-roles-tester")
    iam.create_login_profile(UserName="ci-roles-tester", Password="not-a-secret")


# --- CDK's synthesized template (tests/data/plan/cloudformation/ReleaseStack.template.json) ------


def seed_cdk(aws: MotoAccount) -> None:
    """Nothing holds the AWS-managed policies the stack attaches (ReadOnlyAccess,
    AWSLambdaBasicExecutionRole): the snapshot lacks their documents, and the plan reads them
    (docs/plan.md, "AWS-managed policies attached for the first time")."""
    _github(aws)
    _lambda_admin(aws)


def apply_cdk(aws: MotoAccount) -> None:
    iam = aws.client("iam")
    template = json.loads((CFN / "ReleaseStack.template.json").read_text(encoding="utf-8"))
    deploy = template["Resources"]["GitHubDeployRoleD1A2B3C4"]["Properties"]
    trust = json.loads(json.dumps(deploy["AssumeRolePolicyDocument"]))
    trust["Statement"][0]["Principal"]["Federated"] = f"{A}:oidc-provider/{GITHUB}"
    iam.create_role(RoleName="release-deploy", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="release-deploy", PolicyArn=f"{AWS}/ReadOnlyAccess")
    iam.create_role(RoleName="release-handler", AssumeRolePolicyDocument=LAMBDA)
    basic = f"{AWS}/service-role/AWSLambdaBasicExecutionRole"
    iam.attach_role_policy(RoleName="release-handler", PolicyArn=basic)
    bucket = "arn:aws:s3:::releasestack-artifactsbucket2aac5544-1x2y3z"
    function = "arn:aws:lambda:us-east-1:123456789012:function:ReleaseStack-Handler886CB40B-AbCdEf"
    statements = deploy_policy_statements(template)
    statements[0]["Resource"] = [bucket, f"{bucket}/*"]
    statements[1]["Resource"] = f"{A}:role/release-handler"
    statements[2]["Resource"] = function
    iam.put_role_policy(
        RoleName="release-deploy",
        PolicyName="GitHubDeployRoleDefaultPolicy5A6B7C8D",
        PolicyDocument=_doc(*statements),
    )


def deploy_policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    policy = template["Resources"]["GitHubDeployRoleDefaultPolicy5A6B7C8D"]["Properties"]
    return [dict(s) for s in policy["PolicyDocument"]["Statement"]]


# --- the proof -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    name: str
    seed: Callable[[MotoAccount], None]
    apply: Callable[[MotoAccount], None]
    files: Callable[[MotoAccount, Path], PlanFiles]
    introduces: set[str]  # the checks the change introduces findings of (the case is not empty)
    fixes: set[str]


RELEASE = Fixture(
    "demo-release",
    seed_release,
    apply_release,
    lambda aws, tmp: PlanFiles(terraform=(demo_plan_path(),)),
    {"role-trust-federated-subject", "role-trust-public", "policy-privilege-escalation"},
    {"role-trust-public"},
)
TEAM = Fixture(
    "team-access",
    seed_team,
    apply_team,
    lambda aws, tmp: PlanFiles(terraform=(team_plan(aws, tmp),)),
    {"user-console-mfa", "user-initial-access-key"},
    {"password-policy-min-length", "principal-admin-access", "policy-full-admin"},
)
CI_ROLES = Fixture(
    "ci-roles-yaml",
    seed_ci_roles,
    apply_ci_roles,
    lambda aws, tmp: PlanFiles(cloudformation=(CFN / "ci-roles.yml",)),
    {"role-trust-public", "policy-privilege-escalation", "user-console-mfa"},
    set(),
)
CDK = Fixture(
    "cdk-release-stack",
    seed_cdk,
    apply_cdk,
    lambda aws, tmp: PlanFiles(cloudformation=(CFN / "ReleaseStack.template.json",)),
    {"policy-privilege-escalation"},
    set(),
)
# Each case is one account: its fixtures' befores seeded together, each file planned together
# (a plan of several files, as a repository of several stacks has), each change applied. Two
# cases, not four: a moto reset and its first IAM call (AWS-managed policies loaded again) cost
# most of a case's time.
CASES = {"terraform": (RELEASE, TEAM), "cloudformation": (CI_ROLES, CDK)}
READ_FOR = {
    "terraform": [],
    "cloudformation": [f"{AWS}/ReadOnlyAccess", f"{AWS}/service-role/AWSLambdaBasicExecutionRole"],
}


def _snapshot(aws: MotoAccount) -> Snapshot:
    return collect(Clients(aws.options()), lambda _m: None, regions=("us-east-1",), sleep=_no_wait)


def _no_wait(_seconds: float) -> None:
    """moto's credential report is ready at once."""


def _statuses(verdict: Verdict) -> dict[tuple[str, str], str]:
    return {(f.check, f.resource): f.status.value for f in verdict.findings}


@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_on_the_account_before_equals_scan_of_the_account_after(
    aws: MotoAccount, tmp_path: Path, case: str
) -> None:
    fixtures = CASES[case]
    for fixture in fixtures:
        fixture.seed(aws)
    before = _snapshot(aws)
    files = [fixture.files(aws, tmp_path) for fixture in fixtures]
    for fixture in fixtures:
        fixture.apply(aws)
    scanned = evaluate(_snapshot(aws), Config(), GateOptions())
    both = PlanFiles(
        terraform=tuple(p for f in files for p in f.terraform),
        cloudformation=tuple(p for f in files for p in f.cloudformation),
    )
    assert f"{AWS}/service-role/AWSLambdaBasicExecutionRole" not in {p.arn for p in before.policies}
    clients = Clients(aws.options())
    asked: list[str] = []

    def reader(arns: Sequence[str]) -> Mapping[str, ManagedPolicy | CollectionError]:
        asked.extend(arns)
        return read_aws_managed_policies(clients, arns, lambda _m: None)

    read = read_change_files(both)
    planned = plan_change(before, Config(), GateOptions(), read, reader).verdict
    got, want = _statuses(planned), _statuses(scanned)
    differences = {
        key: (got.get(key), want.get(key))
        for key in got.keys() | want.keys()
        if got.get(key) != want.get(key)
    }
    assert differences == {}, f"(plan, scan) per (check, resource): {differences}"
    # Not an empty proof: each change introduces and fixes what its fixture is about.
    assert planned.plan is not None
    introduced = {f.check for f in planned.plan.introduced}
    fixed = {f.check for f in planned.plan.fixed}
    for fixture in fixtures:
        assert introduced >= fixture.introduces, fixture.name
        assert fixed >= fixture.fixes, fixture.name
    assert all(f.origin is not None for f in (*planned.plan.introduced, *planned.plan.fixed))
    errors = [
        f for f in planned.findings if f.change is Change.INTRODUCED and f.status.value == "error"
    ]
    assert errors == []
    # The documents the plan read: those its changes attach and the account before held nowhere.
    assert sorted(asked) == sorted(READ_FOR[case])
