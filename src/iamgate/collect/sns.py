"""Who the SNS topics of the alerts reach: ``ListSubscriptionsByTopic`` for each topic that an
alarm on a metric filter's metric, or an EventBridge rule, sends to.

A subscription is confirmed when its ``SubscriptionArn`` is an ARN; ``PendingConfirmation``
delivers nothing until someone confirms it
(https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html). A topic that
does not exist reaches nobody. A topic of another account may not be readable from this one:
it is kept with the error (never counted as reaching anyone); for the account's own topics a
failure is a collection error. One request per topic (and page), not per user.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from iamgate.aws.failures import CALL_ERRORS
from iamgate.collect.source import DataSource, Session, SourceFailed
from iamgate.model.snapshot import Alarm, EventBus, MetricFilter, SnsTopic, Source


def _topics(session: Session) -> list[str]:
    filters: tuple[MetricFilter, ...] = session.found.get("metric_filters", ())
    alarms: tuple[Alarm, ...] = session.found.get("alarms", ())
    buses: tuple[EventBus, ...] = session.found.get("event_buses", ())
    metrics = {(f.region, m) for f in filters for m in f.metrics}
    wanted = [
        action
        for a in alarms
        if (a.region, a.metric) in metrics or any((a.region, m) in metrics for m in a.math_metrics)
        for action in a.actions
    ]
    wanted += [target for bus in buses for rule in bus.rules for target in rule.targets]
    return sorted({arn for arn in wanted if arn.startswith("arn:") and arn.split(":")[2] == "sns"})


def subscriptions(session: Session) -> dict[str, Any]:
    own = session.account_id
    source = Source.SNS_SUBSCRIPTIONS
    topics = []
    for arn in _topics(session):
        region, account = arn.split(":")[3:5]
        sns = session.clients.client("sns", region)
        try:
            subs = [
                s
                for page in session.pages(sns, "ListSubscriptionsByTopic", None, TopicArn=arn)
                for s in page.get("Subscriptions", [])
            ]
        except CALL_ERRORS as exc:
            error = exc.response.get("Error", {}) if isinstance(exc, ClientError) else {}
            code = str(error.get("Code", ""))
            if code in ("NotFound", "NotFoundException"):
                topics.append(SnsTopic(arn, exists=False))
                continue
            if account == own or not isinstance(exc, ClientError):
                # The topic's own region, not the collector's, is where it failed.
                failure = session.failure(source, "ListSubscriptionsByTopic", exc, region)
                raise SourceFailed(failure) from None
            message = f"ListSubscriptionsByTopic: {code}: {error.get('Message', '')}"
            topics.append(SnsTopic(arn, error=message))
            continue
        states = [str(s.get("SubscriptionArn", "")) for s in subs]
        confirmed = sum(1 for state in states if state.startswith("arn:"))
        topics.append(SnsTopic(arn, confirmed, states.count("PendingConfirmation")))
    session.progress(f"SNS: subscriptions of {len(topics)} topics")
    return {"sns_topics": tuple(topics)}


SNS_SUBSCRIPTIONS = DataSource(
    Source.SNS_SUBSCRIPTIONS,
    {"ListSubscriptionsByTopic": "sns:ListSubscriptionsByTopic"},
    subscriptions,
    answers={"ListSubscriptionsByTopic": ("Subscriptions",)},
)
