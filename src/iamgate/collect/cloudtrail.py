"""CloudTrail and the CloudWatch alarms that watch it (continuous monitoring of IAM).

``DescribeTrails`` with shadow trails, asked in the collector's region, lists the trails that
apply there: its own, and every multi-region trail wherever it lives (which is all the
monitoring checks need). For each trail, ``GetTrailStatus`` and ``GetEventSelectors`` are asked
in the trail's home region; then the metric filters on its CloudWatch Logs group and the alarms
of that region (``DescribeMetricFilters``, ``DescribeAlarms``).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from iamgate.collect.source import DataSource, Session
from iamgate.model.snapshot import Alarm, MetricFilter, Source, Trail


def _management_events(selectors: dict[str, Any]) -> str:
    """All | ReadOnly | WriteOnly | None, from basic or advanced event selectors.

    AWS always answers with at least the default selector; an answer with neither kind is not
    read as "All" (moto gives one for a trail never configured): "" means not known.
    """
    if not selectors.get("EventSelectors") and not selectors.get("AdvancedEventSelectors"):
        return ""
    kinds: set[str] = set()
    for sel in selectors.get("EventSelectors") or []:
        if sel.get("IncludeManagementEvents", True):
            kinds.add(sel.get("ReadWriteType", "All"))
    for adv in selectors.get("AdvancedEventSelectors") or []:
        fields = {f.get("Field"): f for f in adv.get("FieldSelectors", [])}
        category = fields.get("eventCategory", {})
        if "Management" not in (category.get("Equals") or []):
            continue
        read_only = fields.get("readOnly")
        if read_only is None:
            kinds.add("All")
        else:
            value = (read_only.get("Equals") or ["?"])[0]
            kinds.add("ReadOnly" if str(value).lower() == "true" else "WriteOnly")
    if "All" in kinds or {"ReadOnly", "WriteOnly"} <= kinds:
        return "All"
    return next(iter(sorted(kinds)), "None")


def trails(session: Session) -> dict[str, Any]:
    clients, progress = session.clients, session.progress
    ct = clients.client("cloudtrail")
    found = []
    seen: set[str] = set()
    for t in ct.describe_trails(includeShadowTrails=True).get("trailList", []):
        arn = t["TrailARN"]
        if arn in seen:
            continue
        seen.add(arn)
        home = t.get("HomeRegion") or clients.region
        home_ct = clients.client("cloudtrail", home)
        # An organization trail's status may be out of reach from a member account: keep that
        # trail with its status unknown, which no check counts as good, and say why. For the
        # account's own trails a failure is a collection error (the checks say error).
        status: dict[str, Any] = {}
        selectors: dict[str, Any] = {}
        problem = ""
        try:
            status = home_ct.get_trail_status(Name=arn)
            selectors = home_ct.get_event_selectors(TrailName=arn)
        except ClientError as exc:
            if not t.get("IsOrganizationTrail"):
                raise
            err = exc.response.get("Error", {})
            problem = f"{exc.operation_name}: {err.get('Code')}: {err.get('Message')}"
        found.append(
            Trail(
                name=t["Name"],
                arn=arn,
                home_region=home,
                multi_region=bool(t.get("IsMultiRegionTrail")),
                global_events=bool(t.get("IncludeGlobalServiceEvents")),
                log_validation=bool(t.get("LogFileValidationEnabled")),
                is_logging=bool(status["IsLogging"]) if "IsLogging" in status else None,
                management_events=_management_events(selectors),
                log_group_arn=t.get("CloudWatchLogsLogGroupArn") or None,
                organization=bool(t.get("IsOrganizationTrail")),
                status_error=problem,
            )
        )
    progress(f"DescribeTrails: {len(found)} trails")
    return {"trails": tuple(found)}


def log_group_name(arn: str) -> tuple[str, str]:
    """(region, name) of ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*``."""
    parts = arn.split(":")
    name = ":".join(parts[6:])
    if name.endswith(":*"):
        name = name[:-2]
    return parts[3], name


def metric_alarms(session: Session) -> dict[str, Any]:
    """The metric filters on the trails' log groups, and the alarms of those groups' regions."""
    clients, progress = session.clients, session.progress
    trails: tuple[Trail, ...] = session.found.get("trails", ())
    filters: list[MetricFilter] = []
    alarms: list[Alarm] = []
    groups = sorted({log_group_name(t.log_group_arn) for t in trails if t.log_group_arn})
    for region, group in groups:
        logs = clients.client("logs", region)
        for page in session.pages(logs, "DescribeMetricFilters", None, logGroupName=group):
            for f in page.get("metricFilters", []):
                metrics = tuple(
                    f"{m.get('metricNamespace')}/{m.get('metricName')}"
                    for m in f.get("metricTransformations", [])
                )
                filters.append(
                    MetricFilter(
                        group, region, f["filterName"], f.get("filterPattern", ""), metrics
                    )
                )
    for region in sorted({f.region for f in filters}):
        cw = clients.client("cloudwatch", region)
        for page in session.pages(cw, "DescribeAlarms", None, AlarmTypes=["MetricAlarm"]):
            for a in page.get("MetricAlarms", []):
                alarms.append(
                    Alarm(
                        a["AlarmName"],
                        region,
                        f"{a.get('Namespace')}/{a.get('MetricName')}",
                        tuple(a.get("AlarmActions", [])),
                    )
                )
    progress(f"metric filters: {len(filters)}, alarms: {len(alarms)}")
    return {"metric_filters": tuple(filters), "alarms": tuple(alarms)}


CLOUDTRAIL = DataSource(
    Source.CLOUDTRAIL,
    {
        "DescribeTrails": "cloudtrail:DescribeTrails",
        "GetTrailStatus": "cloudtrail:GetTrailStatus",
        "GetEventSelectors": "cloudtrail:GetEventSelectors",
    },
    trails,
    answers={
        "DescribeTrails": ("trailList",),
        "GetTrailStatus": ("IsLogging",),
        "GetEventSelectors": ("TrailARN",),
    },
)
LOG_METRICS = DataSource(
    Source.LOG_METRICS,
    {
        "DescribeMetricFilters": "logs:DescribeMetricFilters",
        "DescribeAlarms": "cloudwatch:DescribeAlarms",
    },
    metric_alarms,
    answers={"DescribeMetricFilters": ("metricFilters",), "DescribeAlarms": ("MetricAlarms",)},
)
