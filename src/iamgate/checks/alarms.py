"""Alerts on suspicious activity (CIS AWS Foundations Benchmark v3.0, section 4): for each, a
complete route from the event to a person, judged link by link (``alert_chain.py``).

The patterns that pass and their EventBridge equivalents are in docs/checks.md, generated from
``iamgate.alerts.controls``.
"""

from __future__ import annotations

from collections.abc import Iterator

from iamgate.alerts.controls import BY_ID
from iamgate.checks.alert_chain import judge
from iamgate.checks.aws_docs import (
    CIS_ALARM_CONTROLS,
    CLOUDTRAIL_ALARMS,
    EVENTBRIDGE_CLOUDTRAIL,
    GLOBAL_SERVICE_EVENTS,
    ORGANIZATIONS_EVENTS,
)
from iamgate.checks.context import Context
from iamgate.checks.monitoring import no_trail_data
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Snapshot, Source

REQUIRES = (
    Source.CLOUDTRAIL,
    Source.LOG_METRICS,
    Source.EVENT_RULES,
    Source.SNS_SUBSCRIPTIONS,
    Source.IDENTITY,
)
_ROUTE = (
    "a CloudWatch Logs metric filter on the log group of a logging multi-region trail, with an "
    "alarm whose SNS topic has a confirmed subscriber (or an EventBridge rule on the default bus "
    "of each region the events are recorded in, with a target)"
)


def _fix(cis: str) -> str:
    return (
        f"Add the CIS {cis} metric filter (docs/checks.md, Alerts) on the log group of your "
        "multi-region trail, an alarm on its metric with an SNS action, and confirm a "
        "subscription to the topic; or the EventBridge rule shown there, with a target."
    )


def _alert(ctx: Context, control_id: str) -> Iterator[Outcome]:
    missing = no_trail_data(ctx)
    if missing:
        yield missing
        return
    require = ctx.config.monitoring.require_metric_filters
    judged = judge(BY_ID[control_id], ctx.snapshot, require)
    yield Outcome(ctx.account_arn, "account", judged.passed, judged.message)


def in_organization(snapshot: Snapshot) -> bool | None:
    """Whether the account belongs to an AWS Organization (``organizations:DescribeOrganization``,
    the organization source); None: not known (a snapshot taken before iamgate read it)."""
    if snapshot.organization is None:
        return None
    return snapshot.organization.id is not None


@check(
    id="unauthorized-api-alarm",
    title="An alert fires on unauthorized API calls",
    severity=Severity.LOW,
    resource_type="account",
    requires=REQUIRES,
    cis=("4.1",),
    fsbp=("CloudWatch.2",),
    semantics=(CLOUDTRAIL_ALARMS, CIS_ALARM_CONTROLS, EVENTBRIDGE_CLOUDTRAIL),
    rationale="Calls failing with AccessDenied or UnauthorizedOperation are how a stolen "
    "credential probes what it can do; someone should hear of them as they happen, through "
    + _ROUTE
    + ".",
    remediation=_fix("4.1"),
)
def unauthorized_api_alarm(ctx: Context) -> Iterator[Outcome]:
    yield from _alert(ctx, "unauthorized-api-alarm")


@check(
    id="console-no-mfa-alarm",
    title="An alert fires on console sign-in without MFA",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=REQUIRES,
    cis=("4.2",),
    fsbp=("CloudWatch.3",),
    semantics=(CLOUDTRAIL_ALARMS, CIS_ALARM_CONTROLS, EVENTBRIDGE_CLOUDTRAIL),
    rationale="A console sign-in without MFA is a password alone standing between an attacker "
    "and the account; someone should hear of each, through " + _ROUTE + ".",
    remediation=_fix("4.2"),
)
def console_no_mfa_alarm(ctx: Context) -> Iterator[Outcome]:
    yield from _alert(ctx, "console-no-mfa-alarm")


@check(
    id="root-usage-alarm",
    title="An alert fires on any use of the root user",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=REQUIRES,
    cis=("4.3",),
    fsbp=("CloudWatch.1",),
    semantics=(CLOUDTRAIL_ALARMS, CIS_ALARM_CONTROLS, EVENTBRIDGE_CLOUDTRAIL),
    rationale="The root user can do anything and is almost never needed: every sign-in or call "
    "by it (unless an AWS service made it) should reach someone, through " + _ROUTE + ".",
    remediation=_fix("4.3"),
)
def root_usage_alarm(ctx: Context) -> Iterator[Outcome]:
    yield from _alert(ctx, "root-usage-alarm")


@check(
    id="iam-change-alarm",
    title="An alert fires on IAM policy changes",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=REQUIRES,
    cis=("4.4",),
    fsbp=("CloudWatch.4",),
    semantics=(CLOUDTRAIL_ALARMS, CIS_ALARM_CONTROLS, GLOBAL_SERVICE_EVENTS),
    rationale="Someone should hear about an IAM policy change as it happens, not at the next "
    "audit, through " + _ROUTE + ". IAM records its events in us-east-1 only: a "
    "single-region trail elsewhere never sees them.",
    remediation=_fix("4.4"),
)
def iam_change_alarm(ctx: Context) -> Iterator[Outcome]:
    yield from _alert(ctx, "iam-change-alarm")


@check(
    id="cloudtrail-change-alarm",
    title="An alert fires on CloudTrail configuration changes",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=REQUIRES,
    cis=("4.5",),
    fsbp=("CloudWatch.5",),
    semantics=(CLOUDTRAIL_ALARMS, CIS_ALARM_CONTROLS, EVENTBRIDGE_CLOUDTRAIL),
    rationale="Stopping or changing a trail is how an intruder blinds the record of what they "
    "do next; someone should hear of it at once, through " + _ROUTE + ".",
    remediation=_fix("4.5"),
)
def cloudtrail_change_alarm(ctx: Context) -> Iterator[Outcome]:
    yield from _alert(ctx, "cloudtrail-change-alarm")


@check(
    id="console-auth-failure-alarm",
    title="An alert fires on failed console sign-ins",
    severity=Severity.LOW,
    resource_type="account",
    requires=REQUIRES,
    cis=("4.6",),
    fsbp=("CloudWatch.6",),
    semantics=(CLOUDTRAIL_ALARMS, CIS_ALARM_CONTROLS, EVENTBRIDGE_CLOUDTRAIL),
    rationale="Repeated failed sign-ins are password guessing; someone should hear of them, "
    "through " + _ROUTE + ".",
    remediation=_fix("4.6"),
)
def console_auth_failure_alarm(ctx: Context) -> Iterator[Outcome]:
    yield from _alert(ctx, "console-auth-failure-alarm")


@check(
    id="organizations-change-alarm",
    title="An alert fires on AWS Organizations changes",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=(*REQUIRES, Source.ORGANIZATION),
    cis=("4.15",),
    semantics=(CLOUDTRAIL_ALARMS, ORGANIZATIONS_EVENTS),
    rationale="Changes to the organization (accounts joining or leaving, policies, OUs) change "
    "what every account may do; someone should hear of them, through " + _ROUTE + ". Judged "
    "only where the account is in an organization; an account in none passes as not concerned.",
    remediation=_fix("4.15"),
)
def organizations_change_alarm(ctx: Context) -> Iterator[Outcome]:
    if in_organization(ctx.snapshot) is False:  # unknown is judged, never passed unseen
        yield Outcome(
            ctx.account_arn,
            "account",
            True,
            "the account is in no AWS Organization: there are no organization changes to alert on",
        )
        return
    yield from _alert(ctx, "organizations-change-alarm")
