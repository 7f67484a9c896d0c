"""The root user (CIS 1.4-1.7; FSBP IAM.4, IAM.6, IAM.9).

Root data comes from the credential report's ``<root_account>`` row; where a report has none,
the account summary answers for keys and MFA. Every message says which source it used.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from iamgate.checks.aws_docs import CREDENTIAL_REPORT, MFA, ROOT_USER
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import Source

_ROW = "credential report <root_account> row"
_SUMMARY = "account summary"


def _one(ctx: Context, passed: bool | None, message: str) -> Iterator[Outcome]:
    yield Outcome(ctx.account_arn, "account", passed, message)


@check(
    id="root-no-access-keys",
    title="The root user has no access keys",
    severity=Severity.CRITICAL,
    resource_type="account",
    requires=(Source.CREDENTIAL_REPORT, Source.ACCOUNT_SUMMARY, Source.IDENTITY),
    cis=("1.4",),
    fsbp=("IAM.4",),
    semantics=(ROOT_USER, CREDENTIAL_REPORT),
    rationale="Root keys cannot be limited by any policy; a leaked one is a full compromise.",
    remediation="Sign in as root, open Security credentials, and delete every access key.",
)
def root_no_access_keys(ctx: Context) -> Iterator[Outcome]:
    row = ctx.snapshot.root_row
    if row is not None:
        active = [k.slot for k in row.keys if k.active]
        if active:
            slots = ", ".join(str(s) for s in active)
            yield from _one(ctx, False, f"root has active access key(s) {slots} ({_ROW})")
        else:
            yield from _one(ctx, True, f"root has no active access key ({_ROW})")
        return
    present = int(ctx.snapshot.account_summary.get("AccountAccessKeysPresent", 0))
    if present:
        yield from _one(
            ctx, False, f"root has access keys (AccountAccessKeysPresent={present}, {_SUMMARY})"
        )
    else:
        yield from _one(ctx, True, f"root has no access keys ({_SUMMARY})")


def _root_mfa(ctx: Context) -> tuple[bool, str]:
    row = ctx.snapshot.root_row
    if row is not None:
        return row.mfa_active, _ROW
    return bool(ctx.snapshot.account_summary.get("AccountMFAEnabled", 0)), _SUMMARY


@check(
    id="root-mfa",
    title="The root user has MFA",
    severity=Severity.CRITICAL,
    resource_type="account",
    requires=(Source.CREDENTIAL_REPORT, Source.ACCOUNT_SUMMARY, Source.IDENTITY),
    cis=("1.5",),
    fsbp=("IAM.9",),
    semantics=(ROOT_USER, MFA),
    rationale="The root password alone must never be enough to take the whole account.",
    remediation="Sign in as root and assign an MFA device (a hardware key is best).",
)
def root_mfa(ctx: Context) -> Iterator[Outcome]:
    enabled, source = _root_mfa(ctx)
    if enabled:
        yield from _one(ctx, True, f"root has MFA enabled ({source})")
    else:
        yield from _one(ctx, False, f"root has no MFA ({source})")


@check(
    id="root-hardware-mfa",
    title="The root user's MFA is a hardware device",
    severity=Severity.HIGH,
    resource_type="account",
    requires=(
        Source.CREDENTIAL_REPORT,
        Source.ACCOUNT_SUMMARY,
        Source.VIRTUAL_MFA_DEVICES,
        Source.IDENTITY,
    ),
    cis=("1.6",),
    fsbp=("IAM.6",),
    semantics=(ROOT_USER, MFA),
    rationale="A virtual MFA lives on a phone that can be lost, cloned or reset.",
    remediation="Replace the root user's virtual MFA with a hardware key or FIDO token.",
)
def root_hardware_mfa(ctx: Context) -> Iterator[Outcome]:
    enabled, source = _root_mfa(ctx)
    if not enabled:
        yield from _one(ctx, False, f"root has no MFA at all ({source})")
        return
    virtual = [d for d in ctx.snapshot.virtual_mfa_devices if d.user_arn == ctx.account_arn]
    if virtual:
        yield from _one(ctx, False, f"root MFA is a virtual device ({virtual[0].serial})")
    else:
        yield from _one(
            ctx,
            True,
            f"root MFA is enabled and no virtual device is assigned to "
            f"root ({source}, virtual MFA devices)",
        )


@check(
    id="root-recent-use",
    title="The root user was not used recently",
    severity=Severity.HIGH,
    resource_type="account",
    requires=(Source.CREDENTIAL_REPORT, Source.IDENTITY),
    cis=("1.7",),
    semantics=(ROOT_USER, CREDENTIAL_REPORT),
    rationale="Daily work with root means its credentials are exposed; use it only for the few "
    "tasks that need it.",
    remediation="Find out who used root (CloudTrail: userIdentity.type = Root) and move that work "
    "to a role or an IAM Identity Center user.",
)
def root_recent_use(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.root_recent_use_days
    row = ctx.snapshot.root_row
    if row is None:
        yield from _one(
            ctx,
            None,
            "not evaluated: the credential report has no <root_account> "
            "row, and no other source tells when root was last used",
        )
        return
    uses: list[tuple[str, datetime]] = []
    if isinstance(row.password_last_used, datetime):
        uses.append(("password", row.password_last_used))
    for key in row.keys:
        if isinstance(key.last_used, datetime):
            uses.append((f"access key {key.slot}", key.last_used))
    late = [f"{what} {when:%Y-%m-%d %H:%M} UTC" for what, when in uses if ctx.future(when)]
    if late:  # a use later than the report could know: the report (or a clock) is wrong
        yield from _one(
            ctx,
            None,
            f"not evaluated: root {', '.join(late)} is after the credential report was "
            f"generated ({_ROW})",
        )
        return
    recent = [(what, when) for what, when in uses if ctx.age_days(when) < limit]
    if recent:
        what, when = max(recent, key=lambda u: u[1])
        yield from _one(
            ctx,
            False,
            f"root {what} was used {ctx.age_days(when)} days ago "
            f"({when:%Y-%m-%d}, limit {limit} days; {_ROW})",
        )
    elif uses:
        what, when = max(uses, key=lambda u: u[1])
        yield from _one(ctx, True, f"root last used {ctx.age_days(when)} days ago ({what}; {_ROW})")
    else:
        yield from _one(ctx, True, f"root has no recorded use ({_ROW})")
