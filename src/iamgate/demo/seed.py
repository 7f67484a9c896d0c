"""Seeding the stand-in account: the clean account every passing test starts from, the
monitoring a compliant account has, and the demo's typical mistakes (each comment names the check
it trips)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from iamgate.alerts.controls import BY_ID, CONTROLS, IAM_POLICY_EVENTS, Control
from iamgate.demo import access_analyzer
from iamgate.demo.standin import DEFAULT_ACCOUNT, REGION, MotoAccount, RootRow, days_ago

ACCOUNT = DEFAULT_ACCOUNT
DEMO_REGIONS = ("us-east-1", "eu-west-1")  # what `iamgate demo` scans
SUPPORT_POLICY = "arn:aws:iam::aws:policy/AWSSupportAccess"
GITHUB_OIDC = "token.actions.githubusercontent.com"
STRONG_PASSWORD_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
}


def seed_clean(account: MotoAccount, monitored: bool = True) -> None:
    """An account with nothing to report: a strong password policy, root with MFA, no keys and
    no recent use, a support role, no users; with ``monitored``, what the monitoring and Access
    Analyzer checks want too."""
    iam = account.client("iam")
    iam.update_account_password_policy(**STRONG_PASSWORD_POLICY)
    account.set_root(RootRow(mfa_active=True, password_last_used=days_ago(200)))
    iam.create_role(
        RoleName="support",
        AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
    )
    iam.attach_role_policy(RoleName="support", PolicyArn=SUPPORT_POLICY)
    if monitored:
        seed_monitored(account)


def metric_name(control: Control) -> str:
    """``iam-change-alarm`` -> ``IamChangeAlarm``: the filter, metric and alarm name."""
    return "".join(word.title() for word in control.id.split("-"))


def seed_alerts(
    account: MotoAccount,
    log_group: str,
    topic_arn: str,
    controls: Iterable[Control] = CONTROLS,
    region: str = REGION,
) -> None:
    """For each control, the metric filter the docs recommend on ``log_group`` and an alarm on
    its metric notifying ``topic_arn``."""
    for control in controls:
        account.add_log_alarm(
            log_group, control.filter_pattern, metric_name(control), topic_arn, region
        )


def seed_monitored(account: MotoAccount) -> None:
    """What the monitoring and Access Analyzer checks want: an external-access analyzer in every
    enabled region, a logging multi-region trail with validation, and for every alert control a
    metric filter on its log group with an alarm whose SNS topic has a confirmed subscriber."""
    for region in account.client("ec2").describe_regions()["Regions"]:
        name = region["RegionName"]
        account.set_access_analyzer(name, [access_analyzer.analyzer(name)])
    account.client("s3").create_bucket(Bucket="trail-logs")
    account.client("logs").create_log_group(logGroupName="trail")
    ct = account.client("cloudtrail")
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
    seed_alerts(account, "trail", account.add_topic("security"))


def _policy(statements: list[dict[str, object]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def seed_demo(account: MotoAccount) -> None:
    """Seed the typical mistakes. Each comment names the check it trips."""
    iam = account.client("iam")
    aws = "arn:aws:iam::aws:policy"
    # A weak password policy: short, no symbols, never expires, reuse allowed.
    iam.update_account_password_policy(
        MinimumPasswordLength=8,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
    )
    # Root: an active access key used three days ago, no MFA.
    account.set_root(
        RootRow(
            mfa_active=False,
            password_last_used=days_ago(40),
            key_1_active=True,
            key_1_last_used=days_ago(3),
        )
    )

    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=f"{aws}/AdministratorAccess")
    iam.create_group(GroupName="developers")
    dev = iam.create_policy(
        PolicyName="developer-read",
        PolicyDocument=_policy(
            [
                {
                    "Effect": "Allow",
                    "Action": ["s3:Get*", "s3:List*", "logs:Get*", "cloudwatch:Get*"],
                    "Resource": "*",
                }
            ]
        ),
    )["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="developers", PolicyArn=dev)
    iam.create_group(GroupName="ops")
    legacy = iam.create_policy(
        PolicyName="legacy-full-access",
        PolicyDocument=_policy(
            [{"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}]
        ),
    )["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="ops", PolicyArn=legacy)

    def user(
        name: str,
        *,
        password: bool = False,
        mfa: bool = False,
        keys: int = 0,
        groups: tuple[str, ...] = (),
        age: float = 30,
    ) -> None:
        iam.create_user(UserName=name)
        for group in groups:
            iam.add_user_to_group(GroupName=group, UserName=name)
        if password:
            iam.create_login_profile(UserName=name, Password="Demo-Passw0rd!-not-real")
        if mfa:
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
                "SerialNumber"
            ]
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=serial,
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
        for _ in range(keys):
            iam.create_access_key(UserName=name)
        account.age_user(name, age)

    # A well-kept console user: MFA, recent use, permissions through a group.
    user("alice", password=True, mfa=True, groups=("developers",), age=20)
    account.set_password_last_used("alice", 1)
    # Console without MFA (user-console-mfa), and an administrator (via the admins group).
    user("bob", password=True, groups=("admins",), age=60)
    account.set_password_last_used("bob", 2)
    # The break-glass user: no MFA, accepted in the baseline (the exception expires soon).
    user("break-glass", password=True, groups=("admins",), age=60)
    account.set_password_last_used("break-glass", 10)
    # A CI user: an old key (user-access-key-rotation) and a policy of its own
    # (user-direct-policies).
    user("ci-deploy", keys=1, age=400)
    account.age_key("ci-deploy", 0, created_days=200, used_days=1)
    iam.attach_user_policy(UserName="ci-deploy", PolicyArn=dev)
    iam.put_user_policy(
        UserName="ci-deploy",
        PolicyName="deploy-anything",
        PolicyDocument=_policy([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    )
    # Two active keys (user-multiple-active-keys): accepted in the baseline.
    user("legacy-etl", keys=2, age=80)
    account.age_key("legacy-etl", 0, created_days=70, used_days=1)
    account.age_key("legacy-etl", 1, created_days=10, used_days=1)
    # A contractor gone quiet (user-unused-credentials, user-inactive, user-password-age):
    # the baseline's exception for it has expired.
    user("old-contractor", password=True, mfa=True, keys=1, age=150, groups=("developers",))
    account.set_password_last_used("old-contractor", 120)
    account.age_key("old-contractor", 0, created_days=150, used_days=130)
    # A new console user given a key "just in case" (user-initial-access-key).
    user("new-hire", password=True, mfa=True, keys=1, age=5, groups=("developers",))
    account.set_password_last_used("new-hire", 1)
    # An expired server certificate (moto reports every certificate as expired in 2012).
    iam.upload_server_certificate(
        ServerCertificateName="old-www", CertificateBody=_CERT, PrivateKey=_KEY
    )
    # A role for a service, with a policy that is fine.
    iam.create_role(
        RoleName="app-runtime",
        AssumeRolePolicyDocument=_policy(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ]
        ),
    )
    iam.attach_role_policy(RoleName="app-runtime", PolicyArn=dev)
    seed_least_privilege(account)
    seed_monitoring(account)
    seed_access_analyzer(account)

    # AWS reuses a credential report for up to four hours: a user created since has no row, and
    # each credential check says error for it (it used to have no result at all, and pass).
    account.reuse_credential_report()
    iam.create_user(UserName="late-joiner")
    iam.create_login_profile(UserName="late-joiner", Password="Late-Joiner-Pw-2026!")


def _trust(principal: object, condition: dict[str, object] | None = None) -> str:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return _policy([statement])


def seed_least_privilege(account: MotoAccount) -> None:
    """Least privilege and role trust (the checks of checks/privilege.py and trust.py)."""
    iam = account.client("iam")
    aws = "arn:aws:iam::aws:policy"
    # A role any AWS account can assume (role-trust-public).
    iam.create_role(RoleName="shared-reports", AssumeRolePolicyDocument=_trust({"AWS": "*"}))
    # A vendor role without an external id (role-trust-external-account); the second trusts
    # the same vendor properly and passes.
    iam.create_role(
        RoleName="vendor-monitoring",
        AssumeRolePolicyDocument=_trust({"AWS": "arn:aws:iam::210987654321:root"}),
    )
    iam.create_role(
        RoleName="vendor-billing",
        AssumeRolePolicyDocument=_trust(
            {"AWS": "arn:aws:iam::210987654321:root"},
            {"StringEquals": {"sts:ExternalId": "demo-7f3a"}},
        ),
    )
    # A Lambda deployer that can pass any role to a function it then runs
    # (policy-privilege-escalation: passrole-lambda) and owns every S3 action
    # (policy-service-wildcard).
    deployer = iam.create_policy(
        PolicyName="lambda-deployer",
        PolicyDocument=_policy(
            [
                {
                    "Sid": "DeployFunctions",
                    "Effect": "Allow",
                    "Action": ["lambda:Create*", "lambda:InvokeFunction", "iam:PassRole"],
                    "Resource": "*",
                },
                {"Sid": "Artifacts", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            ]
        ),
    )["Policy"]["Arn"]
    iam.create_role(
        RoleName="deployer",
        AssumeRolePolicyDocument=_trust({"Service": "codebuild.amazonaws.com"}),
    )
    iam.attach_role_policy(RoleName="deployer", PolicyArn=deployer)
    # A GitHub Actions deploy role that checks only the audience: any workflow of any repository
    # on github.com can assume it (role-trust-federated-subject, role-trust-public).
    github = iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB_OIDC}",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"],
    )["OpenIDConnectProviderArn"]
    iam.create_role(
        RoleName="github-deploy",
        AssumeRolePolicyDocument=_policy(
            [
                {
                    "Sid": "GitHubActions",
                    "Effect": "Allow",
                    "Principal": {"Federated": github},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com"}},
                }
            ]
        ),
    )
    iam.attach_role_policy(RoleName="github-deploy", PolicyArn=f"{aws}/ReadOnlyAccess")
    # ...and a Lambda automation role with administrator rights (principal-admin-access) that
    # it can pass. The multi-hop path (policy-privilege-escalation): build-bot may start any
    # CodeBuild build, so it runs code as the deployer role (CodeBuild carries it), which passes
    # ops-automation to a function it creates and invokes:
    #   user/build-bot -> codebuild:StartBuild -> role/deployer
    #                  -> iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction
    #                  -> role/ops-automation (full administrator)
    iam.create_role(
        RoleName="ops-automation",
        AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"}),
    )
    iam.attach_role_policy(RoleName="ops-automation", PolicyArn=f"{aws}/AdministratorAccess")
    builds = iam.create_policy(
        PolicyName="ci-builds",
        PolicyDocument=_policy(
            [
                {
                    "Sid": "RunBuilds",
                    "Effect": "Allow",
                    "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                    "Resource": "*",
                },
                # Any role that trusts the account, here or elsewhere (role-assume-any).
                {
                    "Sid": "AssumeDeployRoles",
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": "*",
                },
            ]
        ),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="ci")
    iam.attach_group_policy(GroupName="ci", PolicyArn=builds)
    iam.create_user(UserName="build-bot")
    iam.add_user_to_group(GroupName="ci", UserName="build-bot")
    iam.create_access_key(UserName="build-bot")
    account.age_user("build-bot", 30)
    account.age_key("build-bot", 0, created_days=10, used_days=1)
    # An administrator policy kept "just in case", attached to nothing
    # (policy-full-admin-unattached).
    iam.create_policy(
        PolicyName="emergency-admin",
        PolicyDocument=_policy([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    )
    # A group with policies and nobody in it (group-no-members).
    iam.create_group(GroupName="contractors")
    iam.attach_group_policy(GroupName="contractors", PolicyArn=f"{aws}/ReadOnlyAccess")
    # CloudShell with file upload and download for every developer (cloudshell-full-access).
    iam.attach_group_policy(GroupName="developers", PolicyArn=f"{aws}/AWSCloudShellFullAccess")
    # Roles by their last use (role-unused): a reporting role nobody has assumed for seven
    # months fails; the vendor's billing role, used two days ago, passes.
    iam.create_role(
        RoleName="quarterly-reports",
        AssumeRolePolicyDocument=_trust({"Service": "ec2.amazonaws.com"}),
    )
    account.age_role("quarterly-reports", 420, used_days=214, region="eu-west-1")
    account.age_role("vendor-billing", 300, used_days=2, region="us-east-1")
    # A service-linked role: AWS owns it, so it is not judged for admin or escalation.
    iam.create_service_linked_role(AWSServiceName="elasticloadbalancing.amazonaws.com")


# The CIS 4.4 event names without AttachGroupPolicy/DetachGroupPolicy: an alarm that misses some.
IAM_EVENTS_BUT_TWO = [
    e for e in IAM_POLICY_EVENTS if e not in ("AttachGroupPolicy", "DetachGroupPolicy")
]


def seed_monitoring(account: MotoAccount, regions: Iterable[str] = DEMO_REGIONS) -> None:
    """A single-region trail without log validation, and an IAM alarm filter that misses the
    group attach/detach events on its log group (cloudtrail-multi-region,
    cloudtrail-log-validation, iam-change-alarm: the trail is the first broken link); a
    multi-region trail that is off and lacks global events (cloudtrail-global-events).

    Alerts: root-usage-alarm passes through EventBridge (a rule in each of ``regions``, the
    demo's, each to an SNS topic with a confirmed subscriber); cloudtrail-change-alarm's filter
    sits on a log group no trail delivers to; console-auth-failure-alarm's EventBridge rule has
    no target."""
    account.client("s3").create_bucket(Bucket="demo-cloudtrail-logs")
    logs = account.client("logs")
    logs.create_log_group(logGroupName="cloudtrail/demo")
    logs.create_log_group(logGroupName="app/audit")
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:cloudtrail/demo:*"
    ct = account.client("cloudtrail")
    ct.create_trail(
        Name="main",
        S3BucketName="demo-cloudtrail-logs",
        CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-logs",
    )
    ct.start_logging(Name="main")
    ct.create_trail(
        Name="org-wide-draft",
        S3BucketName="demo-cloudtrail-logs",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
    )
    # Today's API refuses a multi-region trail without global events, but trails made before
    # that rule keep theirs: set it on the backend, as no API can.
    account.trail_backend()["org-wide-draft"].include_global_service_events = False
    alerts = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    pattern = "{ " + " || ".join(f"($.eventName = {e})" for e in IAM_EVENTS_BUT_TWO) + " }"
    account.add_log_alarm("cloudtrail/demo", pattern, "IamPolicyChanges", alerts)
    cloudtrail = BY_ID["cloudtrail-change-alarm"]
    account.add_log_alarm("app/audit", cloudtrail.filter_pattern, metric_name(cloudtrail), alerts)
    root = BY_ID["root-usage-alarm"]
    for region in regions:
        topic = account.add_topic("security-alerts", region)
        account.add_rule(
            "root-activity", root.eventbridge_pattern, (topic,), region, root.eventbridge_state
        )
    failures = BY_ID["console-auth-failure-alarm"]
    account.add_rule("failed-sign-ins", failures.eventbridge_pattern)


def seed_access_analyzer(account: MotoAccount) -> None:
    """us-east-1: an analyzer with a public bucket, a KMS key shared with a partner (accepted in
    the baseline) and an unused role; eu-west-1: no analyzer (access-analyzer-enabled)."""
    ma = access_analyzer

    external = ma.analyzer("us-east-1", "account-analyzer")
    unused = ma.analyzer("us-east-1", "unused-access", type="ACCOUNT_UNUSED_ACCESS")
    account.set_access_analyzer(
        "us-east-1",
        [external, unused],
        {
            external["arn"]: [
                ma.external_finding(
                    "a1b2c3d4-0001",
                    "arn:aws:s3:::demo-public-assets",
                    "AWS::S3::Bucket",
                    {"AWS": "*"},
                    ["s3:GetObject"],
                    is_public=True,
                ),
                ma.external_finding(
                    "a1b2c3d4-0002",
                    f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                    "AWS::KMS::Key",
                    {"AWS": "arn:aws:iam::444455556666:root"},
                    ["kms:Decrypt"],
                    is_public=False,
                ),
            ],
            unused["arn"]: [
                ma.unused_finding(
                    "a1b2c3d4-0003",
                    f"arn:aws:iam::{ACCOUNT}:role/app-runtime",
                    "AWS::IAM::Role",
                )
            ],
        },
    )
    account.set_access_analyzer("eu-west-1", [])


# A throwaway self-signed certificate for the demo only (moto does not validate it).
_CERT = """-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUd2VkZW1vZGVtb2RlbW9kZW1vZGVtbzAKBggqhkjOPQQDAjAP
MQ0wCwYDVQQDDARkZW1vMB4XDTIwMDEwMTAwMDAwMFoXDTIxMDEwMTAwMDAwMFowDzEN
MAsGA1UEAwwEZGVtbzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGRlbW9kZW1vZGVt
b2RlbW9kZW1vZGVtb2RlbW9kZW1vZGVtb2RlbW9kZW1vZGVtb2RlbW9kZW1vZGVtb2Rl
bW9kZW1vZGVtb6NTMFEwHQYDVR0OBBYEFGRlbW9kZW1vZGVtb2RlbW9kZW1vMB8GA1Ud
IwQYMBaAFGRlbW9kZW1vZGVtb2RlbW9kZW1vMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSAAwRQIgZGVtb2RlbW9kZW1vZGVtb2RlbW9kZW1vZGVtb2RlbW8CIQDkZW1v
ZGVtb2RlbW9kZW1vZGVtb2RlbW9kZW1vZGVtb2RlbW8=
-----END CERTIFICATE-----"""
_KEY = "demo-key-not-a-real-private-key"
