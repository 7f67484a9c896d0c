"""Write docs/checks.md from the check registry, so the catalogue and the code cannot drift.

Run: python docs/gen_checks.py (a test fails when docs/checks.md is out of date).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from iamgate.alerts.controls import CONTROLS, Control  # noqa: E402
from iamgate.checks import REGISTRY  # noqa: E402

HEADER = """# Check catalogue

Generated from the registry by `python docs/gen_checks.py`; do not edit by hand. Every check
yields a result for each resource it evaluated; `fails when` is its title's opposite. Ids are
public: baselines and JUnit test names use them. `iamgate checks show ID` prints one entry.

| id | severity | resource | CIS | FSBP | title |
|---|---|---|---|---|---|
"""


NOTES = """
## Notes on the least-privilege and monitoring checks

**Effective access** (`principal-admin-access`, `policy-privilege-escalation`) is computed from
every policy that applies to the principal: attached managed and inline policies, and for a
user every group's policies. Actions match case-insensitively with `*`/`?` anywhere
(`iam:*Policy*`); `Allow` + `NotAction` grants everything else (admin-equivalent on `*`); an
unconditional `Deny` on `Resource: "*"` removes a grant, while a `Deny` with a `Condition`, on
some resources, or with `NotResource` never does (it may not apply). A permissions boundary
limits the result: an action counts only if the boundary allows it too. A policy, group or
boundary that the snapshot lacks makes the principal `error`, never pass. Findings name the
policy and statement that grant the risky action (and the group it comes through).

**Escalation paths** are the hand-kept catalogue in `src/iamgate/policy/escalation.py` (Rhino
Security Labs' 21 methods plus permissions-boundary removal); each concrete action is matched
against the policies' wildcards, so no catalogue of every AWS action is needed. A full
administrator is reported as such ("every path is open"). A grant scoped to some resources
still counts.

**Not judged:** service-linked roles (path `/aws-service-role/`): AWS owns their policies and
trust. IAM Identity Center roles (`/aws-reserved/sso.amazonaws.com/`) are judged, and the message
says to change the permission set instead of the role.

**Trusted accounts:** list your organization's other accounts in `iamgate.toml`:

```toml
[trust]
trusted_accounts = ["111122223333", "444455556666"]
```

**CloudTrail** is read in every region the scan covers (`--regions`, else every enabled
region): `DescribeTrails` with shadow trails in each, so a region's own single-region trails and
every multi-region or organization trail are seen whichever region iamgate runs from; status and
event selectors are asked in each trail's home region.

**Access Analyzer:** see [access-analyzer.md](access-analyzer.md).
"""


ALERTS_INTRO = """
## Alerts on suspicious activity

The seven alert checks (`unauthorized-api-alarm`, `console-no-mfa-alarm`, `root-usage-alarm`,
`iam-change-alarm`, `cloudtrail-change-alarm`, `console-auth-failure-alarm`,
`organizations-change-alarm`; CIS AWS Foundations Benchmark v3.0 section 4) follow each alert
from the event to the person, and the message names the first link that breaks.

**Metric filter route** (what CIS asks for):

1. a trail that is logging, multi-region, records management write events (read ones too for
   4.1 and 4.3, whose events include read-only calls), includes global service events, and
   delivers to a CloudWatch Logs group of the scanned account (an organization trail seen from a
   member account delivers to its management account's group: out of reach, so not a route here);
2. metric filters on **that** log group whose patterns together catch every event the control
   names (several filters may share the work, each with its own alarm), none of them a
   catch-all;
3. for each, a metric alarm on the filter's metric (namespace and name, no dimensions on either
   side), in the log group's region, with its actions enabled and at least one alarm action;
4. an action that is an SNS topic with at least one confirmed subscription
   (`ListSubscriptionsByTopic`: a `SubscriptionArn` that is an ARN, not `PendingConfirmation`).

**EventBridge route** (unless `[monitoring] require_metric_filters = true`, the CIS-strict
reading): rules on the default event bus of every region the control's events are recorded in,
enabled (`ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` for read-only calls), whose event
patterns together match every event, each with a target that reaches someone: an SNS topic with
a confirmed subscription, or any other target (a function, a queue, another bus: iamgate cannot
see past it). Events recorded only in regions the scan did not read (sign-ins recorded in
us-east-2, eu-north-1 or ap-southeast-2 when `--regions` leaves them out) are not judged, and
the message says so.

```toml
[monitoring]
require_metric_filters = true   # default false: an EventBridge route counts too
```

**How a pattern is judged.** iamgate reads filter and event patterns as AWS does
(`iamgate/alerts/filter_pattern.py`, `event_pattern.py`) and runs sample CloudTrail records of
the events each control names through them (`iamgate/alerts/controls.py`: several identities,
regions, read-only and failed calls). A pattern passes when it matches every required sample,
whatever its order, spacing, quotes, grouping or extra conditions; a superset passes (with a
note when it also counts routine activity). A pattern that counts every routine event too is a
catch-all: its alarm goes to ALARM and stays there, and an alarm notifies only when its state
changes, so the next event notifies nobody: it fails.

AWS semantics relied on:
[filter pattern syntax](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)
and [JSON log events](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html)
(`() > && > ||`; `*` anywhere in a value; case-sensitive; a selector on an object or array does
not match; a comparison on a missing field is false, `!=` included, hence the
`NOT EXISTS || !=` idiom; `%regex%` values exist but are reported as not judged);
[event patterns](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html)
and [their operators](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
(unknown operators are reported, never passed);
[CloudTrail events in EventBridge](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html)
(a region's events reach only its default bus; IAM and Organizations events are recorded in
us-east-1 only: [re:Post](https://repost.aws/knowledge-center/eventbridge-rule-triggers-iam-single-region));
[read-only management events](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html)
(they reach only rules in state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`);
[sign-in events](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html)
(where they are recorded; `MFAUsed`, `errorMessage`);
[alarm actions](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html)
(run on a state change; `ActionsEnabled`);
[ListSubscriptionsByTopic](https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html).

Undocumented filter semantics iamgate assumes (each pinned by a unit test; `aws logs
test-metric-filter` would settle them): `null` fails every comparison but `IS NULL`; an unquoted
number equals a JSON number numerically and a string textually; `true`/`false` compare as text;
keywords are case-insensitive; single quotes are part of the value (a hint says so).
"""

PROWLER = """
**Where iamgate differs from Prowler, and why.** Prowler's `cloudwatch_log_metric_filter_*`
checks ([`lib/metric_filters.py`](https://github.com/prowler-cloud/prowler/blob/3e000faa3109230b748e4418a13c11c9e59f5cfb/prowler/providers/aws/services/cloudwatch/lib/metric_filters.py),
read at that commit) search each filter's pattern text with a regular expression, one lookahead
per clause since June 2026 (before, and still for 4.1 and 4.3, in a fixed order), and pass when
a filter on a log group named by a trail has an alarm on a metric of the same name, region and
namespace.

- **Logic, not text.** A pattern that contains every clause passes Prowler whatever joins them:
  `(A) && (B)` where `||` was meant, or `... && ($.awsRegion = "eu-west-1")`, pass there and
  fail here, naming what is missed. A reordered 4.1 or 4.3 pattern fails Prowler and passes here.
- **Supersets pass, by effect.** `$.eventName = *Policy`, `$.eventSource =
  organizations.amazonaws.com` alone, or extra alternatives pass here; Prowler requires its exact
  clauses. Prowler's 4.15 check requires 21 event names, so CIS's own 18-name pattern fails it;
  here the three extra names are optional.
- **Exclusions judged by effect.** `!=` and `NOT EXISTS` are fine when they drop only what the
  control allows (CIS 4.3's `invokedBy NOT EXISTS`); `$.userAgent != aws-cli*` fails 4.3 here,
  as it drops root's CLI calls.
- **Precedence as AWS reads it.** CIS v4.0's 4.1 pattern `A || B && C && D` excludes
  delivery.logs and HeadBucket for `AccessDenied*` only (passes); CIS v3.0's printed
  `A || B || C != x || D != y` matches nearly every event: Prowler passes it (its own tests seed
  it), iamgate fails it as a catch-all and recommends the `(A || B) && C && D` it means.
- **The chain, not the filter.** Prowler does not check that the trail is logging, multi-region
  or records global events, matches log groups by name only (any region, any account), and does
  not look at the alarm's actions, whether they are enabled, or whether the topic has a confirmed
  subscriber. Each is a link here.
- **Unreadable patterns say why** (`expected &&, || or ) (at character 31)`), instead of a
  silent regex miss; CIS v4.0's 4.6 pattern as transcribed (`= Failed authentication`, unquoted)
  cannot be read.
- **Routes Prowler does not see**: filters that share the work, and EventBridge rules.

Security Hub's CloudWatch.1-6 are AWS-internal; their documented patterns pass here (table tests
in `tests/unit/alerts/test_filter_coverage.py`, each with its source).

**Judgement calls.** Supersets pass (noise is a note; a catch-all fails). Coverage is by effect,
across every filter on the trail's log group (and every rule): CIS 4.2's filter also counts
failed sign-ins (they carry `MFAUsed: No`), so with its alarm it covers 4.6's events too; the
pass message names the filters that do the work, the control's own first. 4.2 accepts the SSO
variant (IAM users' successful sign-ins): root and federated sign-ins without MFA are optional
(4.3 covers root). 4.15 requires CIS's 18 names. Alarm actions must be SNS topics (the link CIS
names); an EventBridge target may be anything, but an SNS target must have a confirmed
subscriber. A topic of another account that cannot be read is never counted as reaching anyone.
`organizations-change-alarm` is judged only where the account is in an organization; until the
organization source is collected, an organization trail is the evidence. A region whose
trails, filters, alarms or rules cannot be read makes the alert checks `error` (not a partial
verdict): name the regions you use with `--regions`.

**Not judged:** alarm thresholds and statistics (3 failed sign-ins in 5 minutes is a legitimate
alarm), composite alarms, whether CloudTrail's delivery to CloudWatch Logs is failing
(`GetTrailStatus` says when it last failed, not whether it recovered), an SNS topic's access
policy for EventBridge, and alarms on metric math (reported as not judged).
"""


def alert_control(control: Control) -> str:
    """One control's section: what it catches, the pattern that passes, the EventBridge rule."""
    must = "; ".join(dict.fromkeys(s.label for s in control.required))
    may = "; ".join(s.describe() for s in control.optional) or "-"
    sources = ", ".join(f"[{i + 1}]({url})" for i, url in enumerate(control.sources))
    return "\n".join(
        [
            f"### `{control.id}` (CIS {control.cis}): {control.title}",
            "",
            f"Catches {control.events}. Must catch: {must}. May ignore: {may}. Sources: {sources}.",
            "",
            "Metric filter on the trail's log group, with an alarm that notifies someone:",
            "",
            "```",
            wrap(control.filter_pattern),
            "```",
            "",
            "Or an EventBridge rule with a target, on the default event bus of "
            f"{control.eventbridge_regions}, in state `{control.eventbridge_state}`:",
            "",
            "```json",
            control.eventbridge_pattern,
            "```",
            "",
        ]
    )


def wrap(pattern: str, width: int = 96) -> str:
    """Break a long pattern after ``||`` or ``&&``; whitespace is free in filter patterns."""
    pieces, start = [], 0
    for i in range(len(pattern) - 1):
        if pattern[i : i + 2] in ("||", "&&"):
            pieces.append(pattern[start : i + 2])
            start = i + 2
    pieces.append(pattern[start:])
    lines, line = [], ""
    for piece in pieces:
        if line and len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = " " + piece.lstrip()
        else:
            line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def render() -> str:
    metas = [c.meta for c in REGISTRY.values()]
    rows = [
        f"| [`{m.id}`](#{m.id}) | {m.severity.value} | {m.resource_type} | "
        f"{', '.join(m.cis) or '-'} | {', '.join(m.fsbp) or '-'} | {m.title} |"
        for m in metas
    ]
    sections = [
        f"## {m.id}\n\n**{m.title}** ({m.severity.value}; resource: {m.resource_type}; data: "
        f"{', '.join(s.value for s in m.requires)})\n\n**Why:** {m.rationale}\n\n"
        f"**Fix:** {m.remediation}\n"
        for m in metas
    ]
    alerts = ALERTS_INTRO + "\n" + "\n".join(alert_control(c) for c in CONTROLS) + PROWLER
    return HEADER + "\n".join(rows) + "\n\n" + "\n".join(sections) + NOTES + alerts


if __name__ == "__main__":
    (HERE / "checks.md").write_text(render(), encoding="utf-8")
