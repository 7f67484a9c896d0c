"""EventBridge rules on each region's default event bus, and their targets.

AWS delivers CloudTrail events to the default bus of the region they are recorded in, and IAM's
(and Organizations') to us-east-1 only
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html), so
the rules are read in every region in scope and always in the partition's global region.
``ListRules`` per region; ``ListTargetsByRule`` for each rule with an event pattern that is not
disabled (scheduled and disabled rules deliver no CloudTrail event to anyone). Requests grow
with regions and rules, not with users.
"""

from __future__ import annotations

from typing import Any

from iamgate.collect.cloudtrail import scope
from iamgate.collect.regional import each_region
from iamgate.collect.source import DataSource, Session
from iamgate.model.snapshot import EventBus, EventRule, Source


def global_region(region: str) -> str:
    """Where a partition's global events are delivered (IAM's, for one)."""
    if region.startswith("us-gov-"):
        return "us-gov-west-1"
    if region.startswith("cn-"):
        return "cn-north-1"
    return "us-east-1"


def event_rules(session: Session) -> dict[str, Any]:
    clients = session.clients
    regions = (*scope(session), global_region(session.region))

    def bus(region: str) -> EventBus:
        events = clients.client("events", region)
        rules = [
            _rule(session, events, r)
            for page in session.pages(events, "ListRules", None, EventBusName="default")
            for r in page.get("Rules", [])
        ]
        return EventBus(region, tuple(rules))

    buses = each_region(session, Source.EVENT_RULES, "ListRules", regions, bus)
    count = sum(len(b.rules) for b in buses.values())
    session.progress(f"EventBridge: {count} rules on the default bus of {len(buses)} regions")
    return {"event_buses": tuple(buses.values())}


def _rule(session: Session, events: Any, r: dict[str, Any]) -> EventRule:
    pattern = r.get("EventPattern") or ""
    targets: tuple[str, ...] = ()
    if pattern and r.get("State") != "DISABLED":
        pages = session.pages(
            events, "ListTargetsByRule", None, Rule=r["Name"], EventBusName="default"
        )
        targets = tuple(t["Arn"] for page in pages for t in page.get("Targets", []))
    return EventRule(r["Name"], r["Arn"], r.get("State", ""), pattern, targets)


EVENT_RULES = DataSource(
    Source.EVENT_RULES,
    {"ListRules": "events:ListRules", "ListTargetsByRule": "events:ListTargetsByRule"},
    event_rules,
    # An answer without its list would read as "no rules" / "no targets".
    answers={"ListRules": ("Rules",), "ListTargetsByRule": ("Targets",)},
)
