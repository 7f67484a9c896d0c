"""Continuous monitoring of IAM: CloudTrail everywhere, and an alarm on IAM policy changes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import MetricFilter, Source, Trail

# CIS AWS Foundations Benchmark 4.4 (v3.0; 3.4 in v1.x): the IAM policy changes to alarm on.
IAM_POLICY_EVENTS = frozenset(
    {
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
    }
)
_EVENT = re.compile(r"\$\.eventName\s*=\s*\"?([A-Za-z0-9]+)\"?")
_SOURCE = re.compile(r"\$\.eventSource\s*=\s*\"?iam\.amazonaws\.com\"?")


def iam_policy_pattern_gaps(pattern: str) -> list[str]:
    """Why a metric filter pattern does not catch every IAM policy change ([] if it does).

    Lenient about spacing, quotes and order; strict about coverage: each event name must be
    an alternative on its own (``||``), and the only ``&&`` allowed is ``eventSource = iam``.
    """
    text = pattern.strip()
    if "!=" in text or "NOT EXISTS" in text.upper():
        return ["the pattern excludes events (!= or NOT EXISTS)"]
    leftover = re.sub(r"[\s{}()|&]", "", _EVENT.sub("", _SOURCE.sub("", text)))
    if leftover:
        return [f"the pattern also tests {leftover!r}, which narrows what it catches"]
    if text.count("&&") > len(_SOURCE.findall(text)):
        return ["the pattern joins event names with && (an event has one name: it never matches)"]
    found = {m.group(1) for m in _EVENT.finditer(text)}
    missing = sorted(IAM_POLICY_EVENTS - found)
    return [f"missing event name(s): {', '.join(missing)}"] if missing else []


def _no_trail_data(ctx: Context) -> Outcome | None:
    """A snapshot from before CloudTrail was collected has no regions and no trails: that is
    not "no trail"."""
    if ctx.snapshot.regions or ctx.snapshot.trails:
        return None
    return Outcome(
        ctx.account_arn,
        "account",
        None,
        "not evaluated: the snapshot has no CloudTrail data (collected by an older iamgate?); "
        "collect again",
    )


@check(
    id="cloudtrail-multi-region",
    title="A multi-region trail logs all management events",
    severity=Severity.HIGH,
    resource_type="account",
    requires=(Source.CLOUDTRAIL, Source.IDENTITY),
    cis=("3.1",),
    fsbp=("CloudTrail.1",),
    rationale="Without a logging, multi-region trail that records read and write management "
    "events, IAM changes and credential use in an unused region leave no record.",
    remediation="aws cloudtrail create-trail --is-multi-region-trail --name NAME "
    "--s3-bucket-name BUCKET; aws cloudtrail start-logging --name NAME; keep the default event "
    "selector (management events, read and write).",
)
def cloudtrail_multi_region(ctx: Context) -> Iterator[Outcome]:
    missing = _no_trail_data(ctx)
    if missing:
        yield missing
        return
    trails = ctx.snapshot.trails
    good = [t for t in trails if t.multi_region and t.is_logging and t.management_events == "All"]
    if good:
        yield Outcome(ctx.account_arn, "account", True, f"trail {good[0].name} covers every region")
        return
    why = "; ".join(_shortfall(t) for t in trails) or "there is no trail at all"
    yield Outcome(
        ctx.account_arn,
        "account",
        False,
        f"no trail is multi-region, logging and recording all management events: {why}",
    )


def _shortfall(t: Trail) -> str:
    gaps = []
    if not t.multi_region:
        gaps.append("single-region")
    if t.is_logging is None:
        gaps.append(f"logging status unknown ({t.status_error or 'not collected'})")
    elif not t.is_logging:
        gaps.append("not logging")
    if t.management_events != "All":
        gaps.append(f"management events: {t.management_events or 'unknown'}")
    return f"{t.name} is {', '.join(gaps)}"


@check(
    id="cloudtrail-global-events",
    title="Multi-region trails record global service events",
    severity=Severity.MEDIUM,
    resource_type="trail",
    requires=(Source.CLOUDTRAIL,),
    rationale="IAM, STS and CloudFront are global services: their events (every IAM change) are "
    "recorded only by trails that include global service events.",
    remediation="aws cloudtrail update-trail --name NAME --include-global-service-events",
)
def cloudtrail_global_events(ctx: Context) -> Iterator[Outcome]:
    for t in ctx.snapshot.trails:
        if not t.multi_region:
            continue
        if t.global_events:
            yield Outcome(t.arn, "trail", True, "records global service events")
        else:
            yield Outcome(
                t.arn,
                "trail",
                False,
                f"trail {t.name} does not record global service events, so IAM changes are "
                "missing from it",
            )


@check(
    id="cloudtrail-log-validation",
    title="Trails validate their log files",
    severity=Severity.MEDIUM,
    resource_type="trail",
    requires=(Source.CLOUDTRAIL,),
    cis=("3.2",),
    fsbp=("CloudTrail.4",),
    rationale="Log file validation signs digests of the logs, so tampering with the record of an "
    "incident can be detected.",
    remediation="aws cloudtrail update-trail --name NAME --enable-log-file-validation",
)
def cloudtrail_log_validation(ctx: Context) -> Iterator[Outcome]:
    for t in ctx.snapshot.trails:
        if t.log_validation:
            yield Outcome(t.arn, "trail", True, "log file validation is on")
        else:
            yield Outcome(t.arn, "trail", False, f"trail {t.name} has log file validation off")


@check(
    id="iam-change-alarm",
    title="An alarm fires on IAM policy changes",
    severity=Severity.MEDIUM,
    resource_type="account",
    requires=(Source.CLOUDTRAIL, Source.LOG_METRICS, Source.IDENTITY),
    cis=("4.4",),
    fsbp=("CloudWatch.4",),
    rationale="Someone should hear about an IAM policy change as it happens, not at the next "
    "audit: a CloudWatch Logs metric filter on the trail's log group and an alarm with an "
    "action on it.",
    remediation="Send the multi-region trail to CloudWatch Logs, add a metric filter with the "
    "CIS 4.4 pattern (the 16 IAM policy event names), and an alarm on its metric with an SNS "
    "action (the pattern is in docs/checks.md, Notes).",
)
def iam_change_alarm(ctx: Context) -> Iterator[Outcome]:
    missing = _no_trail_data(ctx)
    if missing:
        yield missing
        return
    snap = ctx.snapshot
    groups = {t.log_group_arn for t in snap.trails if t.log_group_arn and t.is_logging}
    if not groups:
        yield Outcome(
            ctx.account_arn,
            "account",
            False,
            "no logging trail sends its events to CloudWatch Logs, so nothing can alarm on IAM "
            "policy changes",
        )
        return
    alarmed = {(a.region, a.metric) for a in snap.alarms if a.actions}
    notes: list[str] = []
    for f in snap.metric_filters:
        gaps = iam_policy_pattern_gaps(f.pattern)
        if gaps:
            notes.append(f"filter {f.name} on {f.log_group}: {'; '.join(gaps)}")
            continue
        if _alarmed(f, alarmed):
            yield Outcome(
                ctx.account_arn,
                "account",
                True,
                f"filter {f.name} on {f.log_group} has an alarm with an action",
            )
            return
        notes.append(f"filter {f.name} on {f.log_group} has no alarm with an action")
    detail = "; ".join(notes) if notes else "the trail's log group has no metric filter"
    yield Outcome(
        ctx.account_arn,
        "account",
        False,
        f"no metric filter and alarm catch every IAM policy change: {detail}",
    )


def _alarmed(f: MetricFilter, alarmed: set[tuple[str, str]]) -> bool:
    return any((f.region, m) in alarmed for m in f.metrics)
