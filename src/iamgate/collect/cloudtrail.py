"""CloudTrail and the CloudWatch alarms that watch it, from every region the scan covers.

``DescribeTrails`` with shadow trails in each region in scope (the ``regions`` source:
``--regions``, or every enabled region) lists that region's own trails and every multi-region or
organization trail wherever it lives, so no verdict depends on the region iamgate runs from. For
each trail, ``GetTrailStatus`` and ``GetEventSelectors`` are asked in the trail's home region.
Then every metric filter of each region in scope and of each trail's log-group region
(``DescribeMetricFilters``, all log groups: a filter on a log group no trail delivers to is named
as such), and the metric alarms of the regions that have filters (``DescribeAlarms``).
Requests grow with regions and trails, not with users.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from iamgate.collect.regional import each_region
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


def scope(session: Session) -> tuple[str, ...]:
    """The regions in scope (what the regions source found; the client's own without it)."""
    return tuple(session.found.get("regions") or (session.region,))


def trails(session: Session) -> dict[str, Any]:
    clients, progress = session.clients, session.progress

    def listed(region: str) -> list[dict[str, Any]]:
        ct = clients.client("cloudtrail", region)
        return list(ct.describe_trails(includeShadowTrails=True).get("trailList", []))

    by_region = each_region(session, Source.CLOUDTRAIL, "DescribeTrails", scope(session), listed)
    unique: dict[str, dict[str, Any]] = {}
    for found_here in by_region.values():
        for t in found_here:
            unique.setdefault(t["TrailARN"], t)
    found = [_trail(session, t) for t in unique.values()]
    progress(f"DescribeTrails: {len(found)} trails in {len(by_region)} regions")
    return {"trails": tuple(found)}


def _trail(session: Session, t: dict[str, Any]) -> Trail:
    arn = t["TrailARN"]
    home = t.get("HomeRegion") or session.region
    home_ct = session.clients.client("cloudtrail", home)
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
    return Trail(
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


def log_group_name(arn: str) -> tuple[str, str]:
    """(region, name) of ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*``."""
    parts = arn.split(":")
    name = ":".join(parts[6:])
    if name.endswith(":*"):
        name = name[:-2]
    return parts[3], name


def metric_alarms(session: Session) -> dict[str, Any]:
    """Every metric filter of the regions in scope and of the trails' log groups' regions, and
    the metric alarms of the regions that have filters."""
    clients, progress = session.clients, session.progress
    found_trails: tuple[Trail, ...] = session.found.get("trails", ())
    groups = {log_group_name(t.log_group_arn)[0] for t in found_trails if t.log_group_arn}
    regions = (*scope(session), *sorted(groups))

    def filters_of(region: str) -> list[MetricFilter]:
        logs = clients.client("logs", region)
        return [
            _metric_filter(f, region)
            for page in session.pages(logs, "DescribeMetricFilters", None)
            for f in page.get("metricFilters", [])
        ]

    filters = each_region(session, Source.LOG_METRICS, "DescribeMetricFilters", regions, filters_of)

    def alarms_of(region: str) -> list[Alarm]:
        cw = clients.client("cloudwatch", region)
        pages = session.pages(cw, "DescribeAlarms", None, AlarmTypes=["MetricAlarm"])
        return [_alarm(a, region) for page in pages for a in page.get("MetricAlarms", [])]

    with_filters = [region for region, found in filters.items() if found]
    alarms = each_region(session, Source.LOG_METRICS, "DescribeAlarms", with_filters, alarms_of)
    all_filters = tuple(f for found in filters.values() for f in found)
    all_alarms = tuple(a for found in alarms.values() for a in found)
    progress(f"metric filters: {len(all_filters)}, alarms: {len(all_alarms)}")
    return {"metric_filters": all_filters, "alarms": all_alarms}


def _metric_filter(f: dict[str, Any], region: str) -> MetricFilter:
    metrics, dimensioned = [], []
    for m in f.get("metricTransformations", []):
        metric = f"{m['metricNamespace']}/{m['metricName']}"
        metrics.append(metric)
        if m.get("dimensions"):
            dimensioned.append(metric)
    return MetricFilter(
        log_group=f["logGroupName"],
        region=region,
        name=f["filterName"],
        pattern=f.get("filterPattern", ""),
        metrics=tuple(metrics),
        dimensioned=tuple(dimensioned),
    )


def _alarm(a: dict[str, Any], region: str) -> Alarm:
    # An alarm on metric math has no MetricName: it reads the metrics of its MetricStat entries.
    math = tuple(
        f"{stat['Metric']['Namespace']}/{stat['Metric']['MetricName']}"
        for q in a.get("Metrics") or []
        if (stat := q.get("MetricStat"))
    )
    metric = f"{a['Namespace']}/{a['MetricName']}" if a.get("MetricName") else ""
    return Alarm(
        name=a["AlarmName"],
        region=region,
        metric=metric,
        actions=tuple(a.get("AlarmActions", [])),
        actions_enabled=bool(a["ActionsEnabled"]),
        dimensions=tuple(f"{d['Name']}={d['Value']}" for d in a.get("Dimensions") or []),
        math_metrics=math,
    )


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
