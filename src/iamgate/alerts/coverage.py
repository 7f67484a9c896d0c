"""Which of a control's events a set of metric filters, or of EventBridge rules, catches, and the
sentence that says what is missed.

Metric filters: each required sample is a log event on the trail's log group; together the
patterns must count all of them (several filters, each with its own alarm, may share the work).
A filter that also counts every routine event is a catch-all: its alarm sits in ALARM and never
changes state again, so it notifies nobody of the next event (:func:`catch_all`).

EventBridge: a sample is delivered to the default bus of the region it is recorded in
(:attr:`iamgate.alerts.events.Sample.anywhere`); a rule sees it only there, when its state lets
it through (read-only calls need ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html).
Coverage is a set of (sample, region) pairs, so a rule in us-east-1 alone never covers calls
made in eu-west-1.

Gap lists are empty when everything is caught; otherwise each entry is one sentence.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from iamgate.alerts import event_pattern, filter_pattern
from iamgate.alerts.controls import ENABLED, ENABLED_ALL, Control
from iamgate.alerts.events import ROUTINE, SIGN_IN, Sample

DISABLED = "DISABLED"
RULE_STATES = (ENABLED, ENABLED_ALL, DISABLED)
GLOBAL_REGION = "us-east-1"  # where IAM, Organizations and root sign-ins are recorded
Need = tuple[int, str]  # (index of a required sample, region whose bus must see it)


@lru_cache(maxsize=4096)
def parse_filter(text: str) -> filter_pattern.Node | filter_pattern.PatternError:
    return filter_pattern.parse(text)


@lru_cache(maxsize=4096)
def parse_rule(text: str) -> event_pattern.EventPattern | event_pattern.EventPatternError:
    return event_pattern.parse(text)


# --- metric filters -------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def filter_catches(control: Control, pattern: str) -> frozenset[int]:
    """The required samples (by index) the pattern counts; none when it cannot be read."""
    node = parse_filter(pattern)
    if isinstance(node, filter_pattern.PatternError):
        return frozenset()
    return frozenset(
        i for i, s in enumerate(control.required) if filter_pattern.matches(node, s.record)
    )


def filter_gaps(control: Control, patterns: Sequence[str]) -> list[str]:
    """What several filters (each with its own alarm) miss together ([] when nothing)."""
    problems = []
    for text in patterns:
        node = parse_filter(text)
        if isinstance(node, filter_pattern.PatternError):
            problems.append(f"the pattern cannot be read: {node}")
    readable = [p for p in patterns if not isinstance(parse_filter(p), filter_pattern.PatternError)]
    if not readable:
        return problems or ["there is no metric filter"]
    caught = frozenset().union(*(filter_catches(control, p) for p in readable))
    missed = [s for i, s in enumerate(control.required) if i not in caught]
    if not missed:
        return []
    return [f"misses {describe(missed, control.required)}", *problems, *filter_hints(readable)]


@lru_cache(maxsize=4096)
def mentions(control: Control, pattern: str) -> bool:
    """Whether some ``=`` test of the pattern, alone, matches one of the control's events: the
    filter is about them, even when the way it combines its tests catches none."""
    node = parse_filter(pattern)
    if isinstance(node, filter_pattern.PatternError):
        return False
    return any(
        filter_pattern.matches(cond, s.record)
        for cond in filter_pattern.conditions(node)
        if isinstance(cond, filter_pattern.Compare) and cond.op == "="
        for s in control.required
    )


def filter_hints(patterns: Iterable[str]) -> list[str]:
    """Recognisable causes of a miss: ``&&`` between two values of one field, single quotes."""
    return list(dict.fromkeys(h for p in patterns for h in _filter_hints(parse_filter(p))))


def noise(pattern: str) -> tuple[Sample, ...]:
    """The routine events (no control names them) the pattern also counts."""
    node = parse_filter(pattern)
    if isinstance(node, filter_pattern.PatternError):
        return ()
    return tuple(s for s in ROUTINE if filter_pattern.matches(node, s.record))


@lru_cache(maxsize=4096)
def filter_extras(control: Control, pattern: str) -> int:
    """How many events beyond the required ones the pattern counts (optional and routine): of
    two filters that catch the same, the one with fewer is the control's own."""
    node = parse_filter(pattern)
    if isinstance(node, filter_pattern.PatternError):
        return 0
    others = (*control.optional, *ROUTINE)
    return sum(1 for s in others if filter_pattern.matches(node, s.record))


def catch_all(pattern: str) -> bool:
    """Counts every routine event: its alarm never leaves ALARM, so it stops notifying."""
    return len(noise(pattern)) == len(ROUTINE)


def noise_sentence(pattern: str) -> str:
    caught = noise(pattern)
    return f"also counts routine activity ({describe(caught, ROUTINE)})" if caught else ""


def _filter_hints(node: filter_pattern.Node | filter_pattern.PatternError) -> Iterator[str]:
    if isinstance(node, filter_pattern.PatternError):
        return
    for part in _conjunctions(node):
        equal: dict[str, set[str]] = {}
        for cond in part.parts:
            if (
                isinstance(cond, filter_pattern.Compare)
                and cond.op == "="
                and not cond.value.pieces
            ):
                key = filter_pattern.selector_text(cond.selector)
                equal.setdefault(key, set()).add(cond.value.text)
        for selector, values in equal.items():
            if len(values) > 1:
                yield (
                    f"&& joins different values of {selector}: one event has one {selector}, "
                    "so that part never matches (use ||)"
                )
    for cond in filter_pattern.conditions(node):
        if isinstance(cond, filter_pattern.Compare) and _single_quoted(cond.value):
            yield (
                f"{cond.value.text} keeps its single quotes: filter patterns quote with double "
                "quotes only"
            )


def _conjunctions(node: filter_pattern.Node) -> Iterator[filter_pattern.All]:
    if isinstance(node, filter_pattern.All):
        yield node
    if isinstance(node, filter_pattern.All | filter_pattern.AnyOf):
        for part in node.parts:
            yield from _conjunctions(part)


def _single_quoted(value: filter_pattern.Value) -> bool:
    text = value.text
    return not value.quoted and len(text) >= 2 and text[0] == text[-1] == "'"


# --- EventBridge ----------------------------------------------------------------------------


DEFAULT_BUS = "default"


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """An EventBridge rule of ``region``, as far as coverage is concerned. CloudTrail delivers
    events to the default bus only; a rule on another bus (``bus``) is named with it."""

    pattern: str  # JSON
    region: str
    state: str = ENABLED
    name: str = ""
    bus: str = DEFAULT_BUS

    def shown(self) -> str:
        name = f"rule {self.name}" if self.name else "the rule"
        on = "" if self.bus == DEFAULT_BUS else f" on event bus {self.bus}"
        return f"{name}{on} ({self.region})"


def bus_of(rule_arn: str) -> str:
    """The event bus of a rule ARN: ``...:rule/NAME`` is on the default bus,
    ``...:rule/BUS/NAME`` on BUS (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html)."""
    resource = rule_arn.split(":", 5)[-1]
    parts = resource.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "rule" and parts[1] else DEFAULT_BUS


def needs(
    control: Control, regions: Collection[str], home: str = GLOBAL_REGION
) -> tuple[frozenset[Need], tuple[Sample, ...]]:
    """Where each required event must be caught, given the regions whose rules were read; and
    the events recorded only in regions that were not read (not judged).

    ``home`` is the partition's region for global events (us-east-1 in the aws partition).
    """
    wanted: set[Need] = set()
    unseen: list[Sample] = []
    for i, s in enumerate(control.required):
        if s.anywhere:
            wanted.update((i, r) for r in regions)
            continue
        region = home if s.region == GLOBAL_REGION else s.region
        if region in regions:
            wanted.add((i, region))
        else:
            unseen.append(s)
    return frozenset(wanted), tuple(unseen)


@lru_cache(maxsize=4096)
def rule_matches(control: Control, pattern: str, region: str) -> frozenset[int]:
    """The required samples whose event, delivered in ``region``, the pattern matches."""
    parsed = parse_rule(pattern)
    if isinstance(parsed, event_pattern.EventPatternError):
        return frozenset()
    return frozenset(
        i
        for i, s in enumerate(control.required)
        if event_pattern.matches(parsed, s.eventbridge_event(region))
    )


def rule_catches(control: Control, rule: RuleSpec) -> frozenset[Need]:
    """The (sample, region) pairs the rule delivers to its targets."""
    if rule.state not in (ENABLED, ENABLED_ALL):
        return frozenset()
    return frozenset(
        (i, rule.region)
        for i in rule_matches(control, rule.pattern, rule.region)
        if rule.state == ENABLED_ALL or not control.required[i].read_only
    )


def covered(control: Control, rules: Iterable[RuleSpec]) -> frozenset[Need]:
    return frozenset().union(*(rule_catches(control, r) for r in rules))


def eventbridge_gaps(
    control: Control,
    rules: Sequence[RuleSpec],
    regions: Collection[str],
    home: str = GLOBAL_REGION,
) -> list[str]:
    """What a set of rules misses together, given the regions whose rules were read."""
    problems: list[str] = []
    for rule in rules:
        parsed = parse_rule(rule.pattern)
        if isinstance(parsed, event_pattern.EventPatternError):
            problems.append(f"the event pattern of {rule.shown()} cannot be read: {parsed}")
        elif rule.state not in RULE_STATES:
            problems.append(f"{rule.shown()} has the unknown state {rule.state!r}")
        elif rule.state == DISABLED:
            problems.append(f"{rule.shown()} is disabled")
    wanted, _ = needs(control, regions, home)
    missing = wanted - covered(control, rules)
    if not missing:
        return []
    if len(problems) == len(rules):
        return problems or ["there is no EventBridge rule"]
    return [*missing_sentences(control, rules, missing), *problems, *_hints(control, rules)]


def missing_sentences(
    control: Control, rules: Sequence[RuleSpec], missing: frozenset[Need]
) -> list[str]:
    """Why each missing (sample, region) is missed: a rule there matches, but a read-only call
    needs the state that lets read-only calls through ("state"); no rule is there while a rule
    elsewhere would match ("region"); else the patterns miss it ("pattern", with the regions
    when it is caught in others)."""
    usable = [r for r in rules if r.state in (ENABLED, ENABLED_ALL)]
    placed = {r.region for r in usable}
    by_reason: dict[str, dict[int, set[str]]] = {"pattern": {}, "region": {}, "state": {}}
    for i, region in sorted(missing):
        here = [r for r in usable if r.region == region]
        if any(i in rule_matches(control, r.pattern, region) for r in here):
            reason = "state"
        elif not here and any(i in rule_matches(control, r.pattern, r.region) for r in usable):
            reason = "region"
        else:
            reason = "pattern"
        by_reason[reason].setdefault(i, set()).add(region)
    required = control.required
    sentences: list[str] = []
    if by_reason["pattern"]:
        missed = [required[i] for i in sorted(by_reason["pattern"])]
        where = sorted(set().union(*by_reason["pattern"].values()))
        caught_elsewhere = any((i, r) not in missing for i in by_reason["pattern"] for r in placed)
        shown = f" recorded in {regions_text(where)}" if caught_elsewhere else ""
        sentences.append(f"misses {describe(missed, required)}{shown}")
    if by_reason["region"]:
        missed = [required[i] for i in sorted(by_reason["region"])]
        where = sorted(set().union(*by_reason["region"].values()))
        sentences.append(
            f"does not see {describe(missed, required)} recorded in {regions_text(where)}: a "
            "region's events reach only its own default event bus (the rules are in "
            f"{regions_text(sorted(placed))})"
        )
    if by_reason["state"]:
        missed = [required[i] for i in sorted(by_reason["state"])]
        sentences.append(
            f"does not see {describe(missed, required)}: read-only calls reach a rule only in "
            f"state {ENABLED_ALL}"
        )
    return sentences


def _hints(control: Control, rules: Sequence[RuleSpec]) -> list[str]:
    if not any(s.detail_type == SIGN_IN for s in control.required):
        return []
    for rule in rules:
        parsed = parse_rule(rule.pattern)
        if isinstance(parsed, event_pattern.EventPatternError):
            continue
        for path, matcher in event_pattern.operators(parsed):
            if (
                path == ("detail-type",)
                and isinstance(matcher, event_pattern.Exact)
                and matcher.value == "AWS Console Signin via CloudTrail"
            ):
                return [f'CloudTrail sends sign-in events with detail-type "{SIGN_IN}"']
    return []


def about(control: Control, caught: Iterable[int]) -> bool:
    """Whether an alert that catches these samples is about the control: it catches every
    sample of at least one of its events (an alert on root activity catches root's IAM changes,
    but it is not an alert on IAM changes)."""
    have = set(caught)
    labels: dict[str, list[int]] = {}
    for i, s in enumerate(control.required):
        labels.setdefault(s.label, []).append(i)
    return any(all(i in have for i in indices) for indices in labels.values())


# --- sentences ------------------------------------------------------------------------------


def regions_text(regions: Sequence[str], most: int = 4) -> str:
    shown = ", ".join(regions[:most])
    return f"{shown} and {len(regions) - most} more" if len(regions) > most else shown


def describe(missed: Sequence[Sample], universe: Sequence[Sample]) -> str:
    """Name the missed samples briefly, in table order: a label alone when all its samples are
    missed, "label (variants)" when some are, "every event <variant>" for a variant missed
    across labels, "all of ..." when nothing is caught."""
    missed_ids = {id(s) for s in missed}
    labels = list(dict.fromkeys(s.label for s in universe))
    whole = [
        label for label in labels if all(id(s) in missed_ids for s in universe if s.label == label)
    ]
    if len(whole) == len(labels) > 1:
        return "all of " + ", ".join(labels)
    rest = [s for s in missed if s.label not in whole]
    across = [
        variant
        for variant in dict.fromkeys(s.variant for s in rest if s.variant)
        if len({s.label for s in universe if s.variant == variant}) > 1
        and all(
            id(s) in missed_ids for s in universe if s.variant == variant and s.label not in whole
        )
    ]
    partial: dict[str, list[str]] = {}
    for s in rest:
        if s.variant not in across:
            partial.setdefault(s.label, []).append(s.variant)
    parts = [
        f"{label} ({', '.join(v for v in partial[label] if v)})"
        if any(partial.get(label, ()))
        else label
        for label in labels
        if label in whole or label in partial
    ]
    if across:
        parts.append("every event " + " and every event ".join(across))
    return ("; " if partial or across else ", ").join(parts)
