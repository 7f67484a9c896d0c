"""The alerts iamgate judges: CIS AWS Foundations Benchmark v3.0, section 4, one table each.

Each control lists the events a compliant alert MUST catch (``required``: every sample must be
matched) and events it MAY ignore (``optional``: the benchmark's own pattern excludes them, or
another control covers them). Catching more than required is fine: an alert on a superset still
tells someone. The CIS text is quoted as Prowler ships it (the benchmark PDF sits behind a CIS
login); ``sources`` are the pages each table was written from. The patterns teams deploy, with
iamgate's verdict on each, are the table tests in ``tests/unit/alerts/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from iamgate.alerts.events import Sample, api_call, sample, sign_in

ENABLED = "ENABLED"
ENABLED_ALL = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"

# Permalinks to the Prowler snapshot read for this table.
_PROWLER = "https://github.com/prowler-cloud/prowler/blob/3e000faa3109230b748e4418a13c11c9e59f5cfb/"
CIS_V3 = _PROWLER + "prowler/compliance/aws/cis_3.0_aws.json"
CIS_V4 = _PROWLER + "prowler/compliance/aws/cis_4.0_aws.json"
SECURITY_HUB = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"
CLOUDTRAIL_ALARMS = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html"
SIGN_IN_EVENTS = (
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
    "cloudtrail-event-reference-aws-console-sign-in-events.html"
)
EB_CLOUDTRAIL = (
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html"
)
EB_READ_ONLY = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html"
EB_GLOBAL = "https://repost.aws/knowledge-center/eventbridge-rule-triggers-iam-single-region"


def prowler_check(name: str) -> str:
    return f"{_PROWLER}prowler/providers/aws/services/cloudwatch/{name}/{name}.py"


# eq=False: a control is one of the constants below, compared (and hashed, for the caches of
# iamgate.alerts.coverage) by identity.
@dataclass(frozen=True, slots=True, eq=False)
class Control:
    id: str
    cis: str  # CIS AWS Foundations Benchmark v3.0 recommendation
    title: str
    events: str  # one line for the docs
    required: tuple[Sample, ...]
    optional: tuple[Sample, ...]
    cis_pattern: str  # the CIS v3.0 pattern, verbatim
    eventbridge_pattern: str  # JSON, the EventBridge equivalent
    eventbridge_state: str  # the rule state that lets every required event through
    eventbridge_regions: str  # where the rule must live, for the docs
    sources: tuple[str, ...]
    recommended_pattern: str = ""  # what iamgate recommends, when not the CIS pattern

    @property
    def filter_pattern(self) -> str:
        """The metric filter pattern the docs show: it catches every required event."""
        return self.recommended_pattern or self.cis_pattern

    @property
    def needs_read_events(self) -> bool:
        """Whether some required event is a read-only call (a trail must record reads too)."""
        return any(s.read_only for s in self.required)


def _json(value: object, depth: int = 0) -> str:
    """JSON laid out for reading: objects open, short lists on one line."""
    pad = "  " * depth
    if isinstance(value, dict):
        items = [f"{pad}  {json.dumps(k)}: {_json(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    inline = json.dumps(value)
    if not isinstance(value, list) or len(pad) + len(inline) < 72:
        return inline
    return "[\n" + ",\n".join(f"{pad}  {json.dumps(v)}" for v in value) + f"\n{pad}]"


# --- 4.4 IAM policy changes ------------------------------------------------------------------

IAM_POLICY_EVENTS = (
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
    "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
    "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
    "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
    "AttachGroupPolicy", "DetachGroupPolicy",
)  # fmt: skip
_IAM = "iam.amazonaws.com"
_CIS_4_4 = "{" + "||".join(f"($.eventName={name})" for name in IAM_POLICY_EVENTS) + "}"

IAM_CHANGE = Control(
    id="iam-change-alarm",
    cis="4.4",
    title="IAM policy changes",
    events="the 16 IAM policy API calls (inline, managed and attached policies)",
    required=tuple(
        sample(name, variant, api_call(name, _IAM, who, via=via))
        for name in IAM_POLICY_EVENTS
        for variant, who, via in (
            ("by an IAM user", "user", ""),
            ("by a role through CloudFormation", "role", "cloudformation.amazonaws.com"),
            ("by the root user", "root", ""),
        )
    ),
    optional=(
        sample(
            "PutRolePolicy",
            "denied with AccessDenied; 4.1 covers it",
            api_call("PutRolePolicy", _IAM, "user", error="AccessDenied"),
        ),
    ),
    cis_pattern=_CIS_4_4,
    eventbridge_pattern=_json(
        {
            "source": ["aws.iam"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": [_IAM], "eventName": list(IAM_POLICY_EVENTS)},
        }
    ),
    eventbridge_state=ENABLED,
    eventbridge_regions="us-east-1 (IAM delivers its events there only)",
    sources=(
        CIS_V3,
        SECURITY_HUB,
        prowler_check("cloudwatch_log_metric_filter_policy_changes"),
        EB_GLOBAL,
    ),
)

# --- 4.3 root user ---------------------------------------------------------------------------

_CIS_4_3 = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" }'
)
ROOT_USAGE = Control(
    id="root-usage-alarm",
    cis="4.3",
    title='usage of the "root" user',
    events="any sign-in or API call by the root user, unless an AWS service made it for root",
    required=(
        sample("root console sign-in", "without MFA", sign_in("root")),
        sample("root console sign-in", "with MFA", sign_in("root", mfa=True)),
        sample("root password change", "", sign_in("root", event_name="PasswordUpdated")),
        sample(
            "root API call", "CreateAccessKey in IAM", api_call("CreateAccessKey", _IAM, "root")
        ),
        sample(
            "root API call",
            "RunInstances in eu-west-1",
            api_call("RunInstances", "ec2.amazonaws.com", "root", region="eu-west-1"),
        ),
        sample(
            "root API call",
            "read-only ListBuckets",
            api_call("ListBuckets", "s3.amazonaws.com", "root", read_only=True),
        ),
        sample(
            "root API call",
            "PutBucketPolicy denied in eu-west-1",
            api_call(
                "PutBucketPolicy",
                "s3.amazonaws.com",
                "root",
                region="eu-west-1",
                error="AccessDenied",
            ),
        ),
    ),
    optional=(
        sample("failed root console sign-in", "4.6 covers it", sign_in("root", success=False)),
        sample(
            "call an AWS service made for the root user",
            "invokedBy is set",
            api_call(
                "CreateStack",
                "cloudformation.amazonaws.com",
                "root",
                via="cloudformation.amazonaws.com",
            ),
        ),
        sample(
            "AWS service event in the root user's name",
            "",
            api_call(
                "SharedSnapshotCopyInitiated",
                "ec2.amazonaws.com",
                "root",
                event_type="AwsServiceEvent",
            ),
        ),
    ),
    cis_pattern=_CIS_4_3,
    eventbridge_pattern=_json(
        {
            "detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
            "detail": {"userIdentity": {"type": ["Root"], "invokedBy": [{"exists": False}]}},
        }
    ),
    eventbridge_state=ENABLED_ALL,
    eventbridge_regions="every region (root signs in through us-east-1 but calls AWS in any "
    "region)",
    sources=(
        CIS_V3,
        SECURITY_HUB,
        SIGN_IN_EVENTS,
        EB_READ_ONLY,
        prowler_check("cloudwatch_log_metric_filter_root_usage"),
    ),
)

# --- 4.2 console sign-in without MFA ---------------------------------------------------------

_CIS_4_2 = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'
_CIS_4_2_SSO = (
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
    '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
)
CONSOLE_NO_MFA = Control(
    id="console-no-mfa-alarm",
    cis="4.2",
    title="Management Console sign-in without MFA",
    events="a successful console sign-in by an IAM user without MFA, in whatever region "
    "CloudTrail records it",
    required=(
        sample("console sign-in without MFA", "recorded in us-east-1", sign_in("user")),
        # IAM user sign-ins through the global endpoint land in us-east-2, eu-north-1 or
        # ap-southeast-2 when the browser has an account-alias cookie (SIGN_IN_EVENTS).
        sample(
            "console sign-in without MFA",
            "recorded in us-east-2",
            sign_in("user", region="us-east-2"),
        ),
    ),
    optional=(
        sample("root console sign-in without MFA", "4.3 covers it", sign_in("root")),
        sample(
            "failed console sign-in without MFA", "4.6 covers it", sign_in("user", success=False)
        ),
        sample("federated console sign-in", "MFA happens at the identity provider", sign_in("sso")),
    ),
    cis_pattern=_CIS_4_2,
    eventbridge_pattern=_json(
        {
            "source": ["aws.signin"],
            "detail-type": ["AWS Console Sign In via CloudTrail"],
            "detail": {
                "eventName": ["ConsoleLogin"],
                "additionalEventData": {"MFAUsed": [{"anything-but": "Yes"}]},
            },
        }
    ),
    eventbridge_state=ENABLED,
    eventbridge_regions="us-east-1, us-east-2, eu-north-1, ap-southeast-2 and any region whose "
    "sign-in endpoint your users use",
    sources=(
        CIS_V3,
        SECURITY_HUB,
        SIGN_IN_EVENTS,
        prowler_check("cloudwatch_log_metric_filter_sign_in_without_mfa"),
    ),
)

# --- 4.6 console authentication failures -----------------------------------------------------

_CIS_4_6 = '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'
CONSOLE_AUTH_FAILURE = Control(
    id="console-auth-failure-alarm",
    cis="4.6",
    title="Management Console authentication failures",
    events='a failed console sign-in ("Failed authentication") by an IAM user or root',
    required=(
        sample("failed console sign-in", "of an IAM user", sign_in("user", success=False)),
        sample("failed console sign-in", "of the root user", sign_in("root", success=False)),
        sample(
            "failed console sign-in",
            "recorded in eu-north-1",
            sign_in("user", success=False, region="eu-north-1"),
        ),
    ),
    optional=(
        sample(
            "console sign-in with an unknown user name",
            "",
            sign_in("user", success=False, error_message="No username found in supplied account"),
        ),
    ),
    cis_pattern=_CIS_4_6,
    eventbridge_pattern=_json(
        {
            "source": ["aws.signin"],
            "detail-type": ["AWS Console Sign In via CloudTrail"],
            "detail": {"eventName": ["ConsoleLogin"], "errorMessage": ["Failed authentication"]},
        }
    ),
    eventbridge_state=ENABLED,
    eventbridge_regions=CONSOLE_NO_MFA.eventbridge_regions,
    sources=(
        CIS_V3,
        SECURITY_HUB,
        SIGN_IN_EVENTS,
        prowler_check("cloudwatch_log_metric_filter_authentication_failures"),
    ),
)

# --- 4.1 unauthorized API calls --------------------------------------------------------------

_CIS_4_1 = (
    "{ ($.errorCode = *UnauthorizedOperation) || ($.errorCode = AccessDenied*) || "
    "($.sourceIPAddress!=delivery.logs.amazonaws.com) || ($.eventName!=HeadBucket) }"
)
# What v3.0's exclusions mean: its text ORs them in, which matches nearly every event.
_INTENDED_4_1 = (
    '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
    '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }'
)
UNAUTHORIZED_API = Control(
    id="unauthorized-api-alarm",
    cis="4.1",
    title="unauthorized API calls",
    events="calls failing with AccessDenied*, or *UnauthorizedOperation, in any region and service",
    required=(
        sample(
            "AccessDenied",
            "on iam:ListUsers by an IAM user",
            api_call("ListUsers", _IAM, "user", error="AccessDenied", read_only=True),
        ),
        sample(
            "AccessDenied",
            "on s3:PutBucketPolicy in eu-west-1",
            api_call(
                "PutBucketPolicy",
                "s3.amazonaws.com",
                "role",
                region="eu-west-1",
                error="AccessDenied",
            ),
        ),
        sample(
            "AccessDenied",
            "on sts:AssumeRole",
            api_call(
                "AssumeRole", "sts.amazonaws.com", "role", error="AccessDenied", read_only=True
            ),
        ),
        sample(
            "AccessDeniedException",
            "on lambda:CreateFunction in eu-west-1",
            api_call(
                "CreateFunction20150331",
                "lambda.amazonaws.com",
                "role",
                region="eu-west-1",
                error="AccessDeniedException",
            ),
        ),
        sample(
            "AccessDeniedException",
            "on kms:ScheduleKeyDeletion",
            api_call(
                "ScheduleKeyDeletion", "kms.amazonaws.com", "user", error="AccessDeniedException"
            ),
        ),
        sample(
            "Client.UnauthorizedOperation",
            "on ec2:RunInstances in eu-west-1",
            api_call(
                "RunInstances",
                "ec2.amazonaws.com",
                "user",
                region="eu-west-1",
                error="Client.UnauthorizedOperation",
            ),
        ),
        sample(
            "UnauthorizedOperation",
            "on ec2:TerminateInstances in eu-west-1",
            api_call(
                "TerminateInstances",
                "ec2.amazonaws.com",
                "role",
                region="eu-west-1",
                error="UnauthorizedOperation",
            ),
        ),
    ),
    optional=(
        sample(
            "AccessDenied for the log delivery service",
            "",
            api_call(
                "GetBucketAcl",
                "s3.amazonaws.com",
                "log-delivery",
                error="AccessDenied",
                read_only=True,
            ),
        ),
        sample(
            "AccessDenied on HeadBucket",
            "",
            api_call(
                "HeadBucket", "s3.amazonaws.com", "role", error="AccessDenied", read_only=True
            ),
        ),
    ),
    cis_pattern=_CIS_4_1,
    eventbridge_pattern=_json(
        {
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {
                "errorCode": [{"suffix": "UnauthorizedOperation"}, {"prefix": "AccessDenied"}],
                "sourceIPAddress": [{"anything-but": "delivery.logs.amazonaws.com"}],
                "eventName": [{"anything-but": "HeadBucket"}],
            },
        }
    ),
    eventbridge_state=ENABLED_ALL,
    eventbridge_regions="every region (calls are recorded where they are made)",
    recommended_pattern=_INTENDED_4_1,
    sources=(
        CIS_V3,
        CIS_V4,
        SECURITY_HUB,
        EB_READ_ONLY,
        prowler_check("cloudwatch_log_metric_filter_unauthorized_api_calls"),
    ),
)

# --- 4.5 CloudTrail configuration changes ----------------------------------------------------

CLOUDTRAIL_EVENTS = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
_CLOUDTRAIL = "cloudtrail.amazonaws.com"
_CIS_4_5 = "{ " + " || ".join(f"($.eventName = {name})" for name in CLOUDTRAIL_EVENTS) + " }"
CLOUDTRAIL_CHANGE = Control(
    id="cloudtrail-change-alarm",
    cis="4.5",
    title="CloudTrail configuration changes",
    events="CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging, in any region",
    required=tuple(
        sample(name, variant, api_call(name, _CLOUDTRAIL, who, region=region))
        for name in CLOUDTRAIL_EVENTS
        for variant, who, region in (
            ("in us-east-1 by an IAM user", "user", "us-east-1"),
            ("in eu-west-1 by an assumed role", "role", "eu-west-1"),
        )
    ),
    optional=(
        sample(
            "PutEventSelectors",
            "can switch off management events; not in CIS",
            api_call("PutEventSelectors", _CLOUDTRAIL, "role"),
        ),
        sample(
            "StopLogging",
            "denied with AccessDenied; 4.1 covers it",
            api_call("StopLogging", _CLOUDTRAIL, "user", error="AccessDenied"),
        ),
    ),
    cis_pattern=_CIS_4_5,
    eventbridge_pattern=_json(
        {
            "source": ["aws.cloudtrail"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": [_CLOUDTRAIL], "eventName": list(CLOUDTRAIL_EVENTS)},
        }
    ),
    eventbridge_state=ENABLED,
    eventbridge_regions="every region (a trail is changed in its home region)",
    sources=(
        CIS_V3,
        SECURITY_HUB,
        CLOUDTRAIL_ALARMS,
        prowler_check(
            "cloudwatch_log_metric_filter_and_alarm_for_cloudtrail_configuration_changes_enabled"
        ),
    ),
)

# --- 4.15 AWS Organizations changes ----------------------------------------------------------

ORGANIZATIONS_EVENTS = (
    "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit",
    "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit",
    "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
    "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
    "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
)  # fmt: skip
# Prowler also requires these three, so the CIS pattern fails Prowler; here they are optional.
PROWLER_EXTRA_ORGANIZATIONS_EVENTS = ("CancelHandshake", "CreateOrganization", "EnableAllFeatures")
_ORGANIZATIONS = "organizations.amazonaws.com"


def organizations_pattern(names: tuple[str, ...]) -> str:
    alternatives = " || ".join(f'($.eventName = "{name}")' for name in names)
    return f"{{ ($.eventSource = {_ORGANIZATIONS}) && ({alternatives}) }}"


ORGANIZATIONS_CHANGE = Control(
    id="organizations-change-alarm",
    cis="4.15",
    title="AWS Organizations changes",
    events="the 18 Organizations API calls CIS lists (accounts, OUs, policies, handshakes)",
    required=tuple(
        sample(name, "", api_call(name, _ORGANIZATIONS, "user" if i % 2 else "role"))
        for i, name in enumerate(ORGANIZATIONS_EVENTS)
    ),
    optional=tuple(
        sample(
            name,
            "Prowler requires it; CIS does not list it",
            api_call(name, _ORGANIZATIONS, "role"),
        )
        for name in PROWLER_EXTRA_ORGANIZATIONS_EVENTS
    ),
    cis_pattern=organizations_pattern(ORGANIZATIONS_EVENTS),
    eventbridge_pattern=_json(
        {
            "source": ["aws.organizations"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": [_ORGANIZATIONS], "eventName": list(ORGANIZATIONS_EVENTS)},
        }
    ),
    eventbridge_state=ENABLED,
    eventbridge_regions="us-east-1 (Organizations delivers its events there only)",
    sources=(
        CIS_V3,
        prowler_check("cloudwatch_log_metric_filter_aws_organizations_changes"),
        EB_GLOBAL,
    ),
)

CONTROLS: tuple[Control, ...] = (
    UNAUTHORIZED_API,
    CONSOLE_NO_MFA,
    ROOT_USAGE,
    IAM_CHANGE,
    CLOUDTRAIL_CHANGE,
    CONSOLE_AUTH_FAILURE,
    ORGANIZATIONS_CHANGE,
)
BY_ID = {control.id: control for control in CONTROLS}
