"""Continuous monitoring of IAM: CloudTrail everywhere (the alerts on it: ``alarms.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from iamgate.checks.aws_docs import GLOBAL_SERVICE_EVENTS, LOG_VALIDATION, MULTI_REGION_TRAIL
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Source, Trail


def no_trail_data(ctx: Context) -> Outcome | None:
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
    semantics=(MULTI_REGION_TRAIL,),
    rationale="Without a logging, multi-region trail that records read and write management "
    "events, IAM changes and credential use in an unused region leave no record.",
    remediation="aws cloudtrail create-trail --is-multi-region-trail --name NAME "
    "--s3-bucket-name BUCKET; aws cloudtrail start-logging --name NAME; keep the default event "
    "selector (management events, read and write).",
)
def cloudtrail_multi_region(ctx: Context) -> Iterator[Outcome]:
    missing = no_trail_data(ctx)
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
        gaps.append(
            _MANAGEMENT_EVENTS.get(
                t.management_events,
                f"recording management events of an unknown kind ({t.management_events})",
            )
        )
    return f"{t.name} is {', '.join(gaps)}"


# A trail's ReadWriteType (GetEventSelectors), said in words; "" means it could not be read.
_MANAGEMENT_EVENTS = {
    "None": "recording no management events",
    "ReadOnly": "recording only read-only management events",
    "WriteOnly": "recording only write management events",
    "": "recording management events not known (its event selectors could not be read)",
}


@check(
    id="cloudtrail-global-events",
    title="Multi-region trails record global service events",
    severity=Severity.MEDIUM,
    resource_type="trail",
    requires=(Source.CLOUDTRAIL,),
    semantics=(GLOBAL_SERVICE_EVENTS,),
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
    semantics=(LOG_VALIDATION,),
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
