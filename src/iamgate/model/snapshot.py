"""The immutable snapshot of an account: everything the checks may look at.

Collected once (``iamgate.collect``), written as JSON and read back for offline replay
(``iamgate.formats.snapshot_json``). Checks are pure functions of it. A failed collection is
recorded in ``errors`` against the *source* it was for, so that the checks that need that source
report ``error`` instead of ``pass``.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from iamgate.model.org_policies import OrganizationPolicies

# 2: the organization's SCPs and RCPs (``organization_policies``); version 1 snapshots are read
# as "organization policies not collected" (``formats/snapshot_json.py``).
SCHEMA_VERSION = 2


class Source(StrEnum):
    """What a collector gathers; checks declare which of these they need."""

    IDENTITY = "identity"
    AUTHORIZATION_DETAILS = "authorization_details"
    CREDENTIAL_REPORT = "credential_report"
    PASSWORD_POLICY = "password_policy"
    ACCOUNT_SUMMARY = "account_summary"
    VIRTUAL_MFA_DEVICES = "virtual_mfa_devices"
    SERVER_CERTIFICATES = "server_certificates"
    REGIONS = "regions"  # which regions are in scope (ec2:DescribeRegions)
    ACCESS_ANALYZER = "access_analyzer"  # a failure that spoils every region
    # A failure in one region only: errors carry the region, and the Access Analyzer checks
    # report ``error`` for that region alone (no check ``requires`` it, so it never spoils all).
    ACCESS_ANALYZER_REGION = "access_analyzer_region"
    CLOUDTRAIL = "cloudtrail"
    LOG_METRICS = "log_metrics"  # CloudWatch Logs metric filters and CloudWatch alarms
    EVENT_RULES = "event_rules"  # EventBridge rules on each region's default bus, their targets
    SNS_SUBSCRIPTIONS = "sns_subscriptions"  # who the alarms' and rules' SNS topics reach
    # Documents of attached AWS-managed policies (GetPolicy + GetPolicyVersion). Without them a
    # group's admin access cannot be judged: the check needing them must say error, not pass.
    AWS_MANAGED_POLICIES = "aws_managed_policies"
    # The account's own organization (organizations:DescribeOrganization): trusts that name an
    # organization are judged against it.
    ORGANIZATION = "organization"
    # The SCPs and RCPs over the account (organizations:ListRoots, ListParents,
    # ListPoliciesForTarget, DescribePolicy), readable by the management account or a delegated
    # administrator only. No check ``requires`` it: without them access is judged by IAM
    # policies alone, as before, and every report says so.
    ORGANIZATION_POLICIES = "organization_policies"


class Sentinel(StrEnum):
    """Credential-report values that are not dates. Each means something different."""

    NA = "N/A"  # never (e.g. key never used, no password)
    NO_INFORMATION = "no_information"  # not used since AWS started tracking it
    NOT_SUPPORTED = "not_supported"  # the field does not apply (e.g. root password fields)


ReportDate = datetime | Sentinel


@dataclass(frozen=True, slots=True)
class AttachedPolicy:
    name: str
    arn: str


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Tag:
    key: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    arn: str
    create_date: datetime
    path: str = "/"
    groups: tuple[str, ...] = ()
    attached: tuple[AttachedPolicy, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()
    permissions_boundary: str | None = None
    # The user's tags (aws:PrincipalTag/*, aws:ResourceTag/*); () none; None: not collected (a
    # snapshot of an older iamgate), so conditions on them are not decided.
    tags: tuple[Tag, ...] | None = None
    unique_id: str | None = None  # UserId (AIDA...), the value of aws:userid; None: not collected


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    arn: str
    create_date: datetime
    path: str = "/"
    attached: tuple[AttachedPolicy, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    arn: str
    create_date: datetime
    trust_policy: Mapping[str, Any]
    path: str = "/"
    attached: tuple[AttachedPolicy, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()
    permissions_boundary: str | None = None
    # RoleLastUsed: AWS tracks the trailing 400 days only, and only in the regions that report
    # it; None is "not used in that window (or not collected)", never "never used".
    last_used: datetime | None = None
    last_used_region: str | None = None  # where it was last used (RoleLastUsed.Region)
    tags: tuple[Tag, ...] | None = None  # as for User


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    arn: str
    name: str
    document: Mapping[str, Any]  # the default version's document
    attachment_count: int = 0
    aws_managed: bool = False


# An AWS-managed policy's ARN: account "aws", any partition (aws, aws-cn, aws-us-gov, ...), the
# characters IAM allows in a path and a name. A placeholder for a value known only after apply
# holds parentheses, so it never matches.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
_AWS_MANAGED_ARN = re.compile(r"arn:aws[a-z-]*:iam::aws:policy/[A-Za-z0-9+=,.@_/-]+")


def is_aws_managed_arn(arn: str) -> bool:
    """Whether ``arn`` names an AWS-managed policy (the same document in every account)."""
    return _AWS_MANAGED_ARN.fullmatch(arn) is not None


@dataclass(frozen=True, slots=True)
class AccessKeySlot:
    """One of the two access-key columns of the credential report."""

    slot: int
    active: bool
    last_rotated: ReportDate
    last_used: ReportDate


@dataclass(frozen=True, slots=True)
class CredentialRow:
    user: str
    arn: str
    user_creation_time: ReportDate
    password_enabled: bool | None  # None: not_supported (the root row)
    password_last_used: ReportDate
    password_last_changed: ReportDate
    mfa_active: bool
    keys: tuple[AccessKeySlot, ...]

    @property
    def is_root(self) -> bool:
        return self.user == "<root_account>"


@dataclass(frozen=True, slots=True)
class VirtualMfaDevice:
    serial: str
    user_arn: str | None
    enable_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    name: str
    arn: str
    expiration: datetime
    upload_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class Analyzer:
    arn: str
    name: str
    type: str  # ACCOUNT | ORGANIZATION (external access), *_UNUSED_ACCESS, *_INTERNAL_ACCESS
    status: str  # ACTIVE | CREATING | DISABLED | FAILED


@dataclass(frozen=True, slots=True)
class AnalyzerFinding:
    """One ACTIVE IAM Access Analyzer finding (from ListFindingsV2 or an exported file)."""

    id: str
    resource: str
    resource_type: str
    finding_type: str  # ExternalAccess | UnusedIAMRole | UnusedIAMUserAccessKey | ...
    status: str = "ACTIVE"
    analyzer_arn: str = ""
    resource_owner_account: str = ""
    principal: Mapping[str, str] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    is_public: bool | None = None  # None: not known (the list summary does not say)
    detail: str = ""  # unused access: what is unused, e.g. "s3 actions last used ..."


@dataclass(frozen=True, slots=True)
class AnalyzerRegion:
    """IAM Access Analyzer in one region; ``export`` names the file the findings came from."""

    region: str
    analyzers: tuple[Analyzer, ...] = ()
    findings: tuple[AnalyzerFinding, ...] = ()
    export: str = ""


@dataclass(frozen=True, slots=True)
class Trail:
    name: str
    arn: str
    home_region: str
    multi_region: bool = False
    global_events: bool = False
    log_validation: bool = False
    is_logging: bool | None = None  # None: status not known
    management_events: str = ""  # All | ReadOnly | WriteOnly | None ("" not known)
    log_group_arn: str | None = None
    organization: bool = False
    status_error: str = ""  # why the status or selectors are not known


@dataclass(frozen=True, slots=True)
class MetricFilter:
    log_group: str
    region: str
    name: str
    pattern: str
    metrics: tuple[str, ...] = ()  # "namespace/metric name" of each transformation
    # Those of ``metrics`` published with dimensions: one series per value, so an alarm without
    # the same dimensions never sees them.
    dimensioned: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alarm:
    name: str
    region: str
    metric: str  # "namespace/metric name"; "" for an alarm on metric math
    actions: tuple[str, ...] = ()  # AlarmActions (what runs on the change to ALARM)
    actions_enabled: bool | None = None  # None: not known (a snapshot of an older iamgate)
    dimensions: tuple[str, ...] = ()  # "Name=Value"
    math_metrics: tuple[str, ...] = ()  # the metrics a metric-math alarm reads


@dataclass(frozen=True, slots=True)
class SnsTopic:
    """Who an SNS topic reaches (``ListSubscriptionsByTopic``)."""

    arn: str
    confirmed: int = 0  # subscriptions with a SubscriptionArn (confirmed)
    pending: int = 0  # PendingConfirmation: deliver nothing until confirmed
    exists: bool = True
    error: str = ""  # why it could not be read (a topic of another account); never good


@dataclass(frozen=True, slots=True)
class EventRule:
    name: str
    arn: str
    state: str  # ENABLED | ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS | DISABLED
    pattern: str  # the event pattern as JSON text ("" for a scheduled rule)
    targets: tuple[str, ...] = ()  # target ARNs


@dataclass(frozen=True, slots=True)
class EventBus:
    """A region's default event bus: where AWS delivers the region's CloudTrail events."""

    region: str
    rules: tuple[EventRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Organization:
    """The account's AWS Organizations membership (organizations:DescribeOrganization)."""

    id: str | None  # None: the account is in no organization (AWSOrganizationsNotInUseException)
    # DescribeOrganization's MasterAccountId: SCPs and RCPs never apply to it. "": not known (a
    # snapshot of an older iamgate).
    management_account_id: str = ""


@dataclass(frozen=True, slots=True)
class CollectionError:
    source: str
    operation: str
    region: str
    code: str
    message: str
    hint: str = ""
    account_id: str = ""  # set when several accounts are reported together

    def describe(self) -> str:
        text = f"{self.operation} ({self.region}) failed: {self.code}: {self.message}"
        return f"{text}. {self.hint}" if self.hint else text


@dataclass(frozen=True, slots=True)
class Projection:
    """This snapshot is not what was collected but what the account would be after a change
    (``iamgate plan``): the files applied, and what could only be assumed."""

    sources: tuple[str, ...]  # the Terraform plans and CloudFormation templates applied
    changes: int = 0  # the resource changes modelled
    assumptions: tuple[str, ...] = ()  # values known only after apply, read conservatively
    unresolved: tuple[str, ...] = ()  # changes whose effect could not be worked out


@dataclass(frozen=True, slots=True)
class Snapshot:
    account_id: str
    collected_at: datetime
    partition: str = "aws"
    caller_arn: str = ""
    tool_version: str = ""
    schema_version: int = SCHEMA_VERSION
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()
    credential_report: tuple[CredentialRow, ...] = ()
    # When AWS generated that report (GetCredentialReport's GeneratedTime): AWS reuses a report
    # for up to four hours, so it may predate the snapshot. None: not known (older snapshots).
    credential_report_generated_at: datetime | None = None
    password_policy: Mapping[str, int | bool] | None = None  # None: no policy set (a finding)
    account_summary: Mapping[str, int] = field(default_factory=dict)
    virtual_mfa_devices: tuple[VirtualMfaDevice, ...] = ()
    server_certificates: tuple[ServerCertificate, ...] = ()
    errors: tuple[CollectionError, ...] = ()
    api_calls: Mapping[str, int] = field(default_factory=dict)
    regions: tuple[str, ...] = ()  # regions in scope for regional sources
    access_analyzer: tuple[AnalyzerRegion, ...] = ()
    trails: tuple[Trail, ...] = ()
    metric_filters: tuple[MetricFilter, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    # None: not known (a snapshot taken before iamgate read it, or the call failed).
    organization: Organization | None = None
    event_buses: tuple[EventBus, ...] = ()  # one per region read, rules or not
    sns_topics: tuple[SnsTopic, ...] = ()
    # The SCPs and RCPs over the account, root first. None: not read; why is in
    # ``organization_policies_unread`` (when that was no error) or in ``errors``.
    organization_policies: OrganizationPolicies | None = None
    organization_policies_unread: str = ""
    projection: Projection | None = None  # set on the account as a plan would leave it

    @property
    def account_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def errors_for(self, sources: typing.Iterable[str]) -> list[CollectionError]:
        wanted = {str(s.value if isinstance(s, Enum) else s) for s in sources}
        return [e for e in self.errors if e.source in wanted]

    @property
    def root_row(self) -> CredentialRow | None:
        return next((r for r in self.credential_report if r.is_root), None)

    def policy_by_arn(self) -> dict[str, ManagedPolicy]:
        return {p.arn: p for p in self.policies}
