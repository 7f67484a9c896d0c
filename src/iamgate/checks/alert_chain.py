"""From the event to the person: does a complete route carry a control's events to someone?

Metric filter route (CIS AWS Foundations Benchmark v3.0, section 4; the links in order):

1. a trail that is logging, multi-region, records management write events (and read events when
   the control names read-only calls), includes global service events, and delivers to a
   CloudWatch Logs group of this account;
2. metric filters on that log group whose patterns together catch every event of the control
   (:mod:`iamgate.alerts.coverage`), none of them a catch-all (its alarm never leaves ALARM);
3. for each, a metric alarm on the filter's metric, in the log group's region, with its actions
   enabled and at least one action;
4. an action that is an SNS topic with at least one confirmed subscription.

EventBridge route: rules on the default bus of each region the events are recorded in (a rule
on another bus is named, and never counts: CloudTrail delivers to the default bus only), enabled
(read-only calls need ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``), whose patterns together
catch every event, each with a target that reaches someone: an SNS topic with a confirmed
subscription, or any other target (iamgate cannot see past a function, a queue or another bus).

A route passes when it is complete. Otherwise the route is narrowed link by link, and the first
link at which the events still carried stop being all of them is the broken one: the message
names it, and the filters or rules it drops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from iamgate.alerts import coverage
from iamgate.alerts.controls import ENABLED, ENABLED_ALL, Control
from iamgate.alerts.coverage import describe
from iamgate.alerts.event_pattern import EventPatternError
from iamgate.alerts.events import Sample
from iamgate.alerts.filter_pattern import PatternError
from iamgate.model.snapshot import Alarm, EventRule, MetricFilter, Snapshot, SnsTopic, Trail

# Where each partition records global events (IAM's): the EventBridge bus that receives them.
GLOBAL_REGIONS = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


@dataclass(frozen=True, slots=True)
class Judgement:
    passed: bool
    message: str


def judge(control: Control, snapshot: Snapshot, require_metric_filters: bool = False) -> Judgement:
    """Whether a complete route alerts someone to every event the control names, and why not."""
    account = _Account(snapshot)
    metric = _metric_filter_route(control, account)
    if metric.passed:
        return Judgement(True, f"{control.title} alert: {metric.message}")
    rules = _eventbridge_route(control, account)
    if rules is not None and rules.passed:
        if not require_metric_filters:
            return Judgement(True, f"{control.title} alert: {rules.message}")
        return Judgement(
            False,
            f"no metric filter alerts on {control.title} ({metric.message}); an EventBridge "
            f"route exists ({rules.message}), but [monitoring] require_metric_filters = true "
            "asks for a metric filter and alarm",
        )
    message = f"nothing alerts on {control.title}: {metric.message}"
    if rules is not None and not require_metric_filters:
        message += f"; EventBridge: {rules.message}"
    return Judgement(False, message)


class _Account:
    """What the routes look up, indexed once."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.id = snapshot.account_id
        self.topics = {t.arn: t for t in snapshot.sns_topics}
        self.trails_by_group: dict[tuple[str, str, str], list[Trail]] = {}
        for t in snapshot.trails:
            if t.log_group_arn:
                self.trails_by_group.setdefault(log_group_key(t.log_group_arn), []).append(t)

    def group_of(self, f: MetricFilter) -> tuple[str, str, str]:
        return (f.region, self.id, f.log_group)

    def reach(self, arn: str, *, sns_only: bool) -> str:
        """Why ``arn`` (an alarm action or a rule target) reaches nobody; "" when it does."""
        if arn.split(":")[2:3] != ["sns"]:
            if sns_only:
                return (
                    f"its action {arn} is not an SNS topic, so iamgate cannot tell who it reaches"
                )
            return ""
        topic = self.topics.get(arn)
        if topic is None:
            return f"SNS topic {arn} was not read (collect again)"
        return _topic_problem(topic)


def _topic_problem(topic: SnsTopic) -> str:
    if not topic.exists:
        return f"SNS topic {topic.arn} does not exist"
    if topic.error:
        return f"SNS topic {topic.arn} could not be read ({topic.error})"
    if topic.confirmed:
        return ""
    pending = f" ({topic.pending} pending confirmation)" if topic.pending else ""
    return f"SNS topic {topic.arn} has no confirmed subscription{pending}"


def log_group_key(arn: str) -> tuple[str, str, str]:
    """(region, account, name) of ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]``."""
    parts = arn.split(":")
    if len(parts) < 7:  # not a log group ARN (a hand-edited snapshot): matches no filter
        return "", "", arn
    return parts[3], parts[4], ":".join(parts[6:]).removesuffix(":*")


# --- link 1: the trail ------------------------------------------------------------------------


def trail_problem(t: Trail, control: Control, account_id: str) -> str:
    """The first link of the trail that does not hold for the control ("" when all do)."""
    owner = t.arn.split(":")[4] if t.arn.count(":") >= 5 else ""
    if owner and owner != account_id:
        return (
            f"trail {t.name} is an organization trail of account {owner}: its log group, filters "
            "and alarms are in that account, out of this scan's reach"
        )
    if t.is_logging is None:
        return f"trail {t.name}'s logging status is unknown ({t.status_error or 'not collected'})"
    if not t.is_logging:
        return f"trail {t.name} is not logging"
    if not t.multi_region:
        where = f"single-region ({t.home_region})"
        if t.home_region not in GLOBAL_REGIONS.values():
            return f"trail {t.name} is {where}, so it never sees IAM events nor other regions'"
        return f"trail {t.name} is {where}, so it never sees other regions' events"
    events = t.management_events
    if not events:
        return f"trail {t.name}'s event selectors are unknown"
    if events in ("None", "ReadOnly"):
        kind = "no" if events == "None" else "only read-only"
        return f"trail {t.name} records {kind} management events, so it never sees a change"
    if control.needs_read_events and events == "WriteOnly":
        return (
            f"trail {t.name} records only write management events, so it never sees read-only calls"
        )
    if not t.global_events:
        return f"trail {t.name} does not include global service events, so IAM events miss it"
    if not t.log_group_arn:
        return f"trail {t.name} does not deliver to CloudWatch Logs"
    return ""


# --- the metric filter route ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Route:
    passed: bool
    message: str


Why = Callable[[MetricFilter], str]


def _metric_filter_route(control: Control, account: _Account) -> _Route:
    trails = account.snapshot.trails
    good = {
        log_group_key(t.log_group_arn): t
        for t in trails
        if t.log_group_arn and not trail_problem(t, control, account.id)
    }
    everything = frozenset(range(len(control.required)))
    all_filters = account.snapshot.metric_filters

    def catches(f: MetricFilter) -> frozenset[int]:
        return coverage.filter_catches(control, f.pattern)

    def caught(filters: Iterable[MetricFilter]) -> frozenset[int]:
        return frozenset().union(*(catches(f) for f in filters))

    def delivery(f: MetricFilter) -> str:
        group = account.group_of(f)
        if group in good:
            return ""
        shown = f"filter {f.name} sits on log group {f.log_group} ({f.region})"
        delivering = account.trails_by_group.get(group, [])
        if not delivering:
            return f"{shown}, which no trail delivers to"
        return f"{shown}: {trail_problem(delivering[0], control, account.id)}"

    def alarmed(f: MetricFilter) -> str:
        return _alarm_problem(f, account)

    def reaching(f: MetricFilter) -> str:
        return _reach_problem(f, account)

    delivered = [f for f in all_filters if not delivery(f)]
    with_alarm = [f for f in delivered if not alarmed(f)]
    reached = [f for f in with_alarm if not reaching(f)]
    if caught(reached) == everything:
        return _Route(True, _filter_route_text(control, reached, account))
    if not good:
        relevant = sorted(
            (f for f in all_filters if coverage.about(control, catches(f))),
            key=lambda f: -len(catches(f)),
        )
        if relevant:
            return _Route(False, delivery(relevant[0]))
        why = "; ".join(trail_problem(t, control, account.id) for t in trails)
        return _Route(False, f"no trail can deliver them: {why or 'there is no trail'}")
    stages: list[tuple[Sequence[MetricFilter], Sequence[MetricFilter], Why]] = [
        (all_filters, delivered, delivery),
        (delivered, with_alarm, alarmed),
        (with_alarm, reached, reaching),
    ]
    for before, after, why_not in stages:
        missing = everything - caught(after)
        if not missing:
            continue
        dropped = [f for f in before if f not in after and catches(f) & missing]
        # Name the filters that are about this control; on the first link, a filter about
        # something else (root activity, for IAM changes) is no excuse: the patterns are.
        about = [f for f in dropped if coverage.about(control, catches(f))]
        dropped = about if before is all_filters else about or dropped
        if dropped:
            return _Route(False, "; ".join(why_not(f) for f in dropped[:3]))
        return _Route(False, _pattern_text(control, delivered, good, missing))
    raise AssertionError("unreachable: the last stage is what passed")  # pragma: no cover


def _pattern_text(
    control: Control,
    filters: Sequence[MetricFilter],
    good: dict[tuple[str, str, str], Trail],
    missing: frozenset[int],
) -> str:
    """Link 2: the filters on the trails' log groups do not catch every event."""
    groups = " and ".join(f"{key[2]} (trail {t.name})" for key, t in sorted(good.items())[:3])
    if not filters:
        return f"log group {groups} has no metric filter"
    missed = [control.required[i] for i in sorted(missing)]
    text = [f"the metric filters on log group {groups} miss {describe(missed, control.required)}"]
    for f in filters:
        node = coverage.parse_filter(f.pattern)
        if isinstance(node, PatternError):
            text.append(f"filter {f.name}'s pattern cannot be read: {node}")
    # Hints about a pattern's form, from the filters whose tests name this control's events.
    text += [
        f"filter {f.name}: {hint}"
        for f in filters
        if coverage.mentions(control, f.pattern)
        for hint in coverage.filter_hints([f.pattern])
    ]
    return "; ".join(text)


def _alarm_problem(f: MetricFilter, account: _Account) -> str:
    """Link 3: why no alarm on the filter's metric runs an action ("" when one does)."""
    if coverage.catch_all(f.pattern):
        return (
            f"filter {f.name} counts every event, routine ones too, so its alarm stays in ALARM "
            "and never notifies again"
        )
    if not f.metrics:
        return f"filter {f.name} publishes no metric"
    alarms = _alarms_of(f, account)
    if not alarms:
        return f"filter {f.name}'s metric {f.metrics[0]} has no alarm in {f.region}"
    problems = [_one_alarm_problem(f, a) for a in alarms]
    return "" if "" in problems else problems[0]


def _alarms_of(f: MetricFilter, account: _Account) -> list[Alarm]:
    return [
        a
        for a in account.snapshot.alarms
        if a.region == f.region
        and (a.metric in f.metrics or any(m in f.metrics for m in a.math_metrics))
    ]


def _one_alarm_problem(f: MetricFilter, a: Alarm) -> str:
    if not a.metric:
        return f"alarm {a.name} reads filter {f.name}'s metric through metric math (not judged)"
    if a.metric in f.dimensioned:
        return (
            f"filter {f.name} publishes {a.metric} with dimensions, a series per value: alarm "
            f"{a.name} watches one series, not every event"
        )
    if a.dimensions:
        return (
            f"alarm {a.name} watches {a.metric} with dimensions ({', '.join(a.dimensions)}), "
            f"which filter {f.name} does not publish"
        )
    if a.actions_enabled is None:
        return f"alarm {a.name}: whether its actions are enabled is not known (collect again)"
    if not a.actions_enabled:
        return f"alarm {a.name} has its actions disabled"
    if not a.actions:
        return f"alarm {a.name} on filter {f.name}'s metric has no action"
    return ""


def _reach_problem(f: MetricFilter, account: _Account) -> str:
    """Link 4: why no working alarm of the filter reaches a person ("" when one does)."""
    for a in _alarms_of(f, account):
        if _one_alarm_problem(f, a):
            continue
        why = [account.reach(arn, sns_only=True) for arn in a.actions]
        if "" in why:
            return ""
        return f"alarm {a.name} reaches nobody: {why[0]}"
    return f"filter {f.name} has no alarm that runs an action"


def _filter_route_text(control: Control, filters: Sequence[MetricFilter], account: _Account) -> str:
    """The filters that do the work (fewest first), each with an alarm and a topic."""
    used = _fewest(
        filters,
        lambda f: coverage.filter_catches(control, f.pattern),
        lambda f: coverage.filter_extras(control, f.pattern),
    )
    parts = []
    for f in used:
        trail = account.trails_by_group[account.group_of(f)][0]
        parts.append(
            f"metric filter {f.name} on log group {f.log_group} (trail {trail.name}) -> "
            f"{_reaching_alarm(f, account)}"
        )
    noisy = [f"filter {f.name} {n}" for f in used if (n := coverage.noise_sentence(f.pattern))]
    note = f" (note: {'; '.join(noisy)})" if noisy else ""
    return "; ".join(parts) + note


def _reaching_alarm(f: MetricFilter, account: _Account) -> str:
    for a in _alarms_of(f, account):
        if _one_alarm_problem(f, a):
            continue
        for arn in a.actions:
            if not account.reach(arn, sns_only=True):
                return f"alarm {a.name} -> {_topic_text(account.topics[arn])}"
    return ""  # pragma: no cover (only called for filters whose alarm reaches someone)


def _topic_text(topic: SnsTopic) -> str:
    plural = "" if topic.confirmed == 1 else "s"
    return f"SNS topic {topic.arn} ({topic.confirmed} confirmed subscription{plural})"


T = TypeVar("T")


def _fewest(
    items: Sequence[T],
    catches: Callable[[T], frozenset[Any]],
    extras: Callable[[T], int] = lambda _item: 0,
) -> list[T]:
    """A small set of items that together catch what all of them catch (greedy set cover; of
    two that add as much, the one that catches less beyond it)."""
    chosen: list[T] = []
    have: frozenset[Any] = frozenset()
    while True:
        best = max(items, key=lambda item: (len(catches(item) - have), -extras(item)), default=None)
        if best is None or not catches(best) - have:
            return chosen
        chosen.append(best)
        have |= catches(best)


# --- the EventBridge route ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    spec: coverage.RuleSpec
    rule: EventRule


def _eventbridge_route(control: Control, account: _Account) -> _Route | None:
    """The EventBridge route, or None when no rule was read that bears on the control."""
    buses = account.snapshot.event_buses
    if not buses:
        return None
    home = GLOBAL_REGIONS.get(account.snapshot.partition, coverage.GLOBAL_REGION)
    wanted, unseen = coverage.needs(control, [b.region for b in buses], home)
    rules = [
        _Rule(coverage.RuleSpec(r.pattern, b.region, r.state, r.name, coverage.bus_of(r.arn)), r)
        for b in buses
        for r in b.rules
        if r.pattern
    ]

    def catches(rule: _Rule) -> frozenset[coverage.Need]:
        return coverage.rule_catches(control, rule.spec)

    def caught(chosen: Iterable[_Rule]) -> frozenset[coverage.Need]:
        return frozenset().union(*(catches(r) for r in chosen))

    def about(rule: _Rule) -> bool:
        return coverage.about(control, {i for i, _ in catches(rule)})

    def reach(rule: _Rule) -> str:
        why = [account.reach(arn, sns_only=False) for arn in rule.rule.targets]
        return "" if "" in why else why[0]

    on_default = [r for r in rules if r.spec.bus == coverage.DEFAULT_BUS]
    enabled = [r for r in on_default if r.spec.state in (ENABLED, ENABLED_ALL)]
    targeted = [r for r in enabled if r.rule.targets]
    reached = [r for r in targeted if not reach(r)]
    if wanted and wanted <= caught(reached):
        return _Route(True, _rule_route_text(control, reached, account, unseen))
    # A disabled rule is judged as if it were enabled with every management event, so that the
    # message blames its state rather than its pattern.
    as_if_enabled = [
        replace(r, spec=replace(r.spec, state=ENABLED_ALL)) if r not in enabled else r
        for r in rules
    ]
    relevant = [
        r
        for r in as_if_enabled
        if coverage.about(control, coverage.rule_matches(control, r.spec.pattern, r.spec.region))
    ]
    if not relevant:
        unreadable = [
            f"the event pattern of {r.spec.shown()} cannot be read: {parsed}"
            for r in rules
            if isinstance(parsed := coverage.parse_rule(r.spec.pattern), EventPatternError)
        ]
        return _Route(False, "; ".join(unreadable[:3])) if unreadable else None
    missing = wanted - caught(as_if_enabled)
    if missing:
        sentences = coverage.missing_sentences(control, [r.spec for r in relevant], missing)
        names = ", ".join(r.spec.shown() for r in relevant[:3])
        return _Route(False, f"{names}: {'; '.join(sentences)}")
    default_ids = {id(r.rule) for r in on_default}
    delivered = [r for r in as_if_enabled if id(r.rule) in default_ids]
    stages: list[tuple[list[_Rule], list[_Rule], Callable[[_Rule], str]]] = [
        (as_if_enabled, delivered, _custom_bus_text),
        (delivered, enabled, lambda r: f"{r.spec.shown()} is {_state_text(r.rule.state)}"),
        (enabled, targeted, lambda r: f"{r.spec.shown()} has no target"),
        (targeted, reached, lambda r: f"{r.spec.shown()} reaches nobody: {reach(r)}"),
    ]
    for before, after, why_not in stages:
        missing = wanted - caught(after)
        if missing:
            kept = {id(r.rule) for r in after}
            dropped = [r for r in before if id(r.rule) not in kept and catches(r) & missing]
            dropped = [r for r in dropped if about(r)] or dropped
            return _Route(False, "; ".join(why_not(r) for r in dropped[:3]))
    raise AssertionError("unreachable: the last stage is what passed")  # pragma: no cover


def _custom_bus_text(rule: _Rule) -> str:
    return (
        f"{rule.spec.shown()} never sees them: CloudTrail delivers events to the default event "
        "bus only"
    )


def _state_text(state: str) -> str:
    return "disabled" if state == coverage.DISABLED else f"in the unknown state {state!r}"


def _rule_route_text(
    control: Control, rules: Sequence[_Rule], account: _Account, unseen: Sequence[Sample]
) -> str:
    used = _fewest(rules, lambda r: coverage.rule_catches(control, r.spec))
    parts = []
    for r in used:
        target = next(arn for arn in r.rule.targets if not account.reach(arn, sns_only=False))
        topic = account.topics.get(target)
        parts.append(f"EventBridge {r.spec.shown()} -> {_topic_text(topic) if topic else target}")
    text = "; ".join(parts)
    if unseen:
        where = coverage.regions_text(sorted({s.region for s in unseen}))
        text += f" (not judged: its events recorded in {where}, outside the regions scanned)"
    return text
