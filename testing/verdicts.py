"""The fixture verdict every reporter's golden file is rendered from (and variations of it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from iamgate.checks import REGISTRY
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.formats.history_jsonl import entry_for
from iamgate.gate.apply import apply_baseline
from iamgate.model.history import HistoryEntry
from iamgate.model.results import (
    ExceptionRef,
    Finding,
    Result,
    Severity,
    SinceLastRun,
    Status,
    Verdict,
    count_statuses,
)
from iamgate.model.snapshot import CollectionError
from testing.checks import infos

ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"

BASELINE = f"""version: 1
account: "{ACCOUNT}"
exceptions:
  - check: user-console-mfa
    resource: {A}:user/break-glass
    reason: Break-glass | kept in the safe <sealed>
    owner: security
    expires: 2026-06-20
    ticket: SEC-1
  - check: user-inactive
    resource: {A}:user/old
    reason: Contract renewal
    owner: it
    expires: 2026-05-01
  - check: user-multiple-active-keys
    resource: {A}:user/etl-*
    reason: Vendor overlap rotation
    owner: data
    expires: 2026-09-01
  - check: user-console-mfa
    resource: {A}:user/gone
    reason: Left
    owner: security
    expires: 2026-09-01
"""


def fixture_verdict() -> Verdict:
    results = [
        Result("root-mfa", f"{A}:root", "account", False, "root has no MFA (account summary)"),
        Result(
            "user-console-mfa",
            f"{A}:user/bob",
            "user",
            False,
            "user bob has a console password and no MFA device",
        ),
        Result(
            "user-console-mfa",
            f"{A}:user/break-glass",
            "user",
            False,
            "user break-glass has a console password and no MFA device",
        ),
        Result("user-console-mfa", f"{A}:user/alice", "user", True, "console password with MFA"),
        Result(
            "user-inactive",
            f"{A}:user/old",
            "user",
            False,
            "last credential use 2026-01-01 (151 days ago, limit 90)",
        ),
        Result(
            "user-multiple-active-keys",
            f"{A}:user/etl-vendor",
            "user",
            False,
            "2 active access key(s)",
        ),
        Result(
            "policy-full-admin",
            f"{A}:user/x#inline/a|b<c>&]]>",
            "policy",
            False,
            "policy allows full administrator access: Allow * on * in statement #1",
        ),
        Result(
            "support-role",
            f"{A}:root",
            "account",
            None,
            "not evaluated: GetAccountAuthorizationDetails (us-east-1) failed: AccessDenied",
        ),
    ]
    baseline = parse_baseline(BASELINE, "baselines/123456789012.yml", REGISTRY)
    return apply_baseline(
        results,
        baseline,
        today=date(2026, 6, 1),
        generated_at=datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        account_id=ACCOUNT,
        collection_errors=[
            CollectionError(
                "authorization_details",
                "GetAccountAuthorizationDetails",
                "us-east-1",
                "AccessDenied",
                "User is not authorized",
                "Grant iam:GetAccountAuthorizationDetails to the role iamgate runs as.",
            )
        ],
        notes=["thresholds.user_inactive_days = 90 (default 90) from iamgate.toml"],
        tool_version="0.1.0",
        checks=[
            *infos("root-mfa", "user-console-mfa", "user-inactive", "user-multiple-active-keys"),
            *infos("policy-full-admin", "support-role", "user-access-key-rotation"),
        ],
    )


def previous_verdict() -> Verdict:
    """The run before ``fixture_verdict``: bob passed then, carol failed, the inactive user was
    still accepted and the broken inline policy was already failing."""
    results = [
        Result("root-mfa", f"{A}:root", "account", False, "root has no MFA (account summary)"),
        Result("user-console-mfa", f"{A}:user/bob", "user", True, "console password with MFA"),
        Result(
            "user-console-mfa",
            f"{A}:user/carol",
            "user",
            False,
            "user carol has a console password and no MFA device",
        ),
        Result(
            "user-console-mfa",
            f"{A}:user/break-glass",
            "user",
            False,
            "user break-glass has a console password and no MFA device",
        ),
        Result("user-inactive", f"{A}:user/old", "user", False, "last credential use 2026-01-01"),
        Result(
            "policy-full-admin",
            f"{A}:user/x#inline/a|b<c>&]]>",
            "policy",
            False,
            "policy allows full administrator access: Allow * on * in statement #1",
        ),
        Result("support-role", f"{A}:root", "account", True, "AWSSupportAccess is attached"),
    ]
    baseline = parse_baseline(BASELINE, "baselines/123456789012.yml", REGISTRY)
    return apply_baseline(
        results,
        baseline,
        today=date(2026, 4, 30),
        generated_at=datetime(2026, 4, 30, 12, 0, tzinfo=UTC),
        account_id=ACCOUNT,
        tool_version="0.1.0",
        checks=infos(
            "root-mfa", "user-console-mfa", "user-inactive", "policy-full-admin", "support-role"
        ),
    )


def history_before() -> tuple[HistoryEntry, ...]:
    """Three runs recorded before ``fixture_verdict``, the last one ``previous_verdict``."""
    old = [
        (datetime(2026, 4, 28, 12, 0, tzinfo=UTC), 4, 0, 1),
        (datetime(2026, 4, 29, 12, 0, tzinfo=UTC), 3, 0, 2),
    ]
    entries = tuple(
        HistoryEntry(
            time=when,
            accounts=(ACCOUNT,),
            verdict="fail",
            counts={
                "new": new,
                "expired": expired,
                "accepted": accepted,
                "stale": 1,
                "passed": 2,
                "errors": 0,
            },
            failing_by_severity={
                "critical": 1,
                "high": new + expired - 1,
                "medium": 0,
                "low": 0,
                "info": 0,
            },
            checks=("root-mfa", "user-console-mfa"),
        )
        for when, new, expired, accepted in old
    )
    return (*entries, entry_for(previous_verdict()))


PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(2)>",
    "javascript:alert(3)",
    "</script><script>alert(4)</script>",
    "</style><style>*{display:none}</style>",
    "line\u2028separator\u2029paragraph",
    "&lt;already-escaped&gt; &amp; {{ 7*7 }} ${x} <!-- ]]>",
    "https://evil.example/x.png",
    "' onmouseover='alert(5)",
    '" autofocus onfocus="alert(6)',
    # What a browser test looks for: had either run, the page's root would carry data-pwned.
    '<img src=x onerror="document.documentElement.dataset.pwned=1">',
    "<script>document.documentElement.dataset.pwned=2</script>",
)
ALL = " | ".join(PAYLOADS)


def hostile_verdict() -> Verdict:
    """Every text field an attacker can reach holds payloads."""
    exception = ExceptionRef(
        check="user-console-mfa",
        resource=f"arn:aws:iam::{ACCOUNT}:user/{PAYLOADS[1]}",
        reason=ALL,
        owner=PAYLOADS[0],
        expires=date(2026, 6, 10),
        ticket=PAYLOADS[3],
        source=PAYLOADS[4],
    )
    findings = tuple(
        Finding(
            check=payload if i % 2 else "user-console-mfa",  # a check id from a results.json
            resource=f"arn:aws:iam::{ACCOUNT}:policy/{payload}",  # a policy name
            resource_type=payload,
            status=status,
            severity=Severity.HIGH,
            title=PAYLOADS[2],
            message=f"tag Name={payload} ({i})",  # a tag in a message
            account_id=ACCOUNT,
            exception=exception if status in (Status.ACCEPTED, Status.EXPIRED) else None,
        )
        for i, payload in enumerate(PAYLOADS)
        for status in (Status.FAIL, Status.EXPIRED, Status.ACCEPTED, Status.ERROR)
    )
    base = fixture_verdict()
    return replace(
        base,
        findings=findings,
        stale=(exception,),
        collection_errors=(CollectionError(*PAYLOADS[:6], account_id=ACCOUNT),),
        notes=PAYLOADS,
        tool_version=PAYLOADS[8],
        checks=(*base.checks, PAYLOADS[1]),
        since=SinceLastRun(
            previous_generated_at=datetime(2026, 5, 31, tzinfo=UTC),
            appeared=findings[:3],
            fixed=findings[4:6],
            accepted=findings[2:3],
        ),
    )


def large_verdict(per_check: int = 2500) -> Verdict:
    """Findings to act on past what a page lists at first, in two accounts: ``user-inactive``
    has ``per_check`` new findings on users of one, but one role (at position 1,800) and one
    expired exception (at 1,500) deep among them; ``root-mfa`` a few in the other. For the
    page's waiting rows (and its account column)."""
    from iamgate.gate.combine import combine

    info = {c.id: c for c in infos("user-inactive", "root-mfa")}
    exception = ExceptionRef(
        "user-inactive",
        f"{A}:user/u001500",
        "a <b>reason</b>",
        "owner-x",
        date(2026, 5, 1),
        "T-9",
        "baseline.yml:3",
    )
    findings = []
    for i in range(per_check):
        kind = "role" if i == 1800 else "user"
        status = Status.EXPIRED if i == 1500 else Status.FAIL
        findings.append(
            Finding(
                check="user-inactive",
                resource=f"{A}:{kind}/u{i:06d}",
                resource_type=kind,
                status=status,
                severity=info["user-inactive"].severity,
                title=info["user-inactive"].title,
                message=f"{kind} u{i:06d}: last used {i} days ago <&>",
                account_id=ACCOUNT,
                exception=exception if status is Status.EXPIRED else None,
            )
        )
    other = "210987654321"
    roots = [
        Finding(
            "root-mfa",
            f"arn:aws:iam::{other}:root{i}",
            "account",
            Status.FAIL,
            info["root-mfa"].severity,
            info["root-mfa"].title,
            "no MFA",
            other,
        )
        for i in range(3)
    ]
    when = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    checks = ("root-mfa", "user-inactive")
    return combine(
        [
            Verdict(
                ACCOUNT,
                when,
                when.date(),
                tuple(findings),
                checks=checks,
                counts=count_statuses(findings, 0),
            ),
            Verdict(
                other,
                when,
                when.date(),
                tuple(roots),
                checks=checks,
                counts=count_statuses(roots, 0),
            ),
        ]
    )
