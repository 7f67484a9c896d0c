"""IAM users' credentials, from the credential report (CIS 1.10-1.14; FSBP IAM.3, IAM.5, IAM.8).

Each check reads the report's rows of the users that ``GetAccountAuthorizationDetails`` lists
too; a user without a row (created after the report was generated: AWS reuses a report for up
to four hours) or a row without a user is ``error`` for every check here, never an absent
result. A date later than the report could know (a clock or the report is wrong) is ``error``
for the check that reads it, never "recently used".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from iamgate.checks.aws_docs import (
    ACCESS_KEYS,
    CREDENTIAL_REPORT,
    MFA,
    PASSWORD_POLICY,
    UNUSED_CREDENTIALS,
)
from iamgate.checks.context import Context
from iamgate.checks.registry import Outcome, check
from iamgate.model.results import Severity
from iamgate.model.snapshot import AccessKeySlot, CredentialRow, ReportDate, Source

_NEEDS = (Source.CREDENTIAL_REPORT,)


def _users(ctx: Context) -> Iterator[CredentialRow]:
    return iter(ctx.report_users.rows)


def _unmatched(ctx: Context) -> Iterator[Outcome]:
    """``error`` for each user the report and the user listing do not agree on."""
    for arn, message in ctx.report_users.unmatched:
        yield Outcome(arn, "user", None, message)


def _future(ctx: Context, row: CredentialRow, dates: dict[str, ReportDate]) -> Outcome | None:
    """``error`` when a date this check reads is later than the report could know."""
    late = [f"{what} {when:%Y-%m-%d %H:%M} UTC" for what, when in dates.items() if ctx.future(when)]
    if not late:
        return None
    return Outcome(
        row.arn,
        "user",
        None,
        f"not evaluated: {', '.join(late)} is after the credential report was generated: "
        "the report (or a clock) is wrong",
    )


def _key_dates(keys: list[AccessKeySlot], *fields: str) -> dict[str, ReportDate]:
    return {
        f"access key {k.slot} {name.replace('_', ' ')}": getattr(k, name)
        for k in keys
        for name in fields
    }


def _active_keys(row: CredentialRow) -> list[AccessKeySlot]:
    return [k for k in row.keys if k.active]


def _date(value: ReportDate) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _day(when: datetime) -> str:
    """``format(when, "%Y-%m-%d")`` without ``strftime`` (8x slower, and said for every user):
    the same text for four-digit years; ``strftime`` decides the others (it writes ``999``)."""
    return when.date().isoformat() if when.year >= 1000 else format(when, "%Y-%m-%d")


def _fmt(value: ReportDate) -> str:
    return _day(value) if isinstance(value, datetime) else str(value.value)


def _may_be_late(ctx: Context, row: CredentialRow) -> bool:
    """Whether any date of ``row`` is later than the report could know (``Context.future``).
    Rare: the checks name the dates they read (for ``_future``'s message) only then."""
    latest = ctx.latest_credential_date
    for when in (row.user_creation_time, row.password_last_used, row.password_last_changed):
        if isinstance(when, datetime) and when > latest:
            return True
    for key in row.keys:
        for when in (key.last_rotated, key.last_used):
            if isinstance(when, datetime) and when > latest:
                return True
    return False


def _fail_or_pass(row: CredentialRow, problems: list[str], ok: str) -> Outcome:
    if problems:
        return Outcome(row.arn, "user", False, "; ".join(problems))
    return Outcome(row.arn, "user", True, ok)


@check(
    id="user-console-mfa",
    title="Users with a console password have MFA",
    severity=Severity.HIGH,
    resource_type="user",
    requires=_NEEDS,
    cis=("1.10",),
    fsbp=("IAM.5",),
    semantics=(MFA, CREDENTIAL_REPORT),
    rationale="A password alone is phished, guessed or reused; MFA stops most account takeovers.",
    remediation="Have the user assign an MFA device, and deny actions without MFA "
    "(aws:MultiFactorAuthPresent) until they do.",
)
def user_console_mfa(ctx: Context) -> Iterator[Outcome]:
    for row in _users(ctx):
        if row.password_enabled:
            if row.mfa_active:
                yield Outcome(row.arn, "user", True, "console password with MFA")
            else:
                yield Outcome(
                    row.arn,
                    "user",
                    False,
                    f"user {row.user} has a console password and no MFA device",
                )
    yield from _unmatched(ctx)


@check(
    id="user-access-key-rotation",
    title="Active access keys are rotated within the configured maximum age",
    severity=Severity.MEDIUM,
    resource_type="user",
    requires=_NEEDS,
    cis=("1.14",),
    fsbp=("IAM.3",),
    semantics=(ACCESS_KEYS, CREDENTIAL_REPORT),
    rationale="The longer a key lives, the more places it leaks to; rotation bounds the damage.",
    remediation="Create a second key, switch the workload to it, deactivate then delete the old "
    "one; better, replace long-lived keys with a role.",
)
def user_access_key_rotation(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.access_key_max_age_days
    for row in _users(ctx):
        keys = _active_keys(row)
        if not keys:
            continue
        if _may_be_late(ctx, row) and (late := _future(ctx, row, _key_dates(keys, "last_rotated"))):
            yield late
            continue
        problems = []
        for key in keys:
            rotated = _date(key.last_rotated)
            if rotated is None:
                problems.append(
                    f"access key {key.slot} has no rotation date ({_fmt(key.last_rotated)})"
                )
            elif ctx.age_days(rotated) > limit:
                problems.append(
                    f"access key {key.slot} is {ctx.age_days(rotated)} days old "
                    f"(created {_day(rotated)}, limit {limit})"
                )
        yield _fail_or_pass(
            row, problems, f"{len(keys)} active key(s), none older than {limit} days"
        )
    yield from _unmatched(ctx)


def _credential_dates(row: CredentialRow) -> dict[str, ReportDate]:
    """The dates ``user-unused-credentials`` reads."""
    read: dict[str, ReportDate] = _key_dates(_active_keys(row), "last_used", "last_rotated")
    if row.password_enabled:
        read.update(
            {
                "password last used": row.password_last_used,
                "password last changed": row.password_last_changed,
                "user creation time": row.user_creation_time,
            }
        )
    return read


def _last_use(used: ReportDate, fallback: ReportDate) -> tuple[datetime | None, str]:
    """When a credential was last used, or since when it has existed unused."""
    if isinstance(used, datetime):
        return used, f"last used {_day(used)}"
    since = _date(fallback)
    return since, f"never used ({used.value}) since {_fmt(fallback)}"


@check(
    id="user-unused-credentials",
    title="Credentials unused for the configured period are disabled",
    severity=Severity.MEDIUM,
    resource_type="user",
    requires=_NEEDS,
    cis=("1.12",),
    fsbp=("IAM.8",),
    semantics=(UNUSED_CREDENTIALS, CREDENTIAL_REPORT),
    rationale="Unused passwords and keys are attack surface that nobody would miss or notice.",
    remediation="Remove the login profile or deactivate the key (aws iam delete-login-profile, "
    "aws iam update-access-key --status Inactive).",
)
def user_unused_credentials(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.credentials_unused_days
    for row in _users(ctx):
        if _may_be_late(ctx, row) and (late := _future(ctx, row, _credential_dates(row))):
            yield late
            continue
        creds: list[tuple[str, datetime | None, str]] = []
        if row.password_enabled:
            fallback = row.password_last_changed
            if not isinstance(fallback, datetime):
                fallback = row.user_creation_time
            creds.append(("password", *_last_use(row.password_last_used, fallback)))
        for key in _active_keys(row):
            creds.append((f"access key {key.slot}", *_last_use(key.last_used, key.last_rotated)))
        if not creds:
            continue
        problems = [
            f"{what} {text} ({ctx.age_days(when)} days, limit {limit})"
            for what, when, text in creds
            if when is not None and ctx.age_days(when) >= limit
        ]
        yield _fail_or_pass(row, problems, f"every enabled credential used within {limit} days")
    yield from _unmatched(ctx)


@check(
    id="user-multiple-active-keys",
    title="Users have at most one active access key",
    severity=Severity.LOW,
    resource_type="user",
    requires=_NEEDS,
    cis=("1.13",),
    semantics=(ACCESS_KEYS, CREDENTIAL_REPORT),
    rationale="Two live keys mean one is usually forgotten; rotation needs them only briefly.",
    remediation="Deactivate and delete the key that is no longer used.",
)
def user_multiple_active_keys(ctx: Context) -> Iterator[Outcome]:
    for row in _users(ctx):
        keys = _active_keys(row)
        if keys:
            yield Outcome(row.arn, "user", len(keys) < 2, f"{len(keys)} active access key(s)")
    yield from _unmatched(ctx)


@check(
    id="user-initial-access-key",
    title="No access key was created with a console user and left unused",
    severity=Severity.LOW,
    resource_type="user",
    requires=_NEEDS,
    cis=("1.11",),
    semantics=(ACCESS_KEYS, CREDENTIAL_REPORT),
    rationale="Keys made by default at user creation are rarely needed and never noticed.",
    remediation="Delete access keys that were never used; create keys only when a workload "
    "needs them.",
)
def user_initial_access_key(ctx: Context) -> Iterator[Outcome]:
    for row in _users(ctx):
        keys = _active_keys(row)
        if not (row.password_enabled and keys):
            continue
        if _may_be_late(ctx, row) and (
            late := _future(ctx, row, _key_dates(keys, "last_used", "last_rotated"))
        ):
            yield late
            continue
        never = [k for k in keys if not isinstance(k.last_used, datetime)]
        problems = [
            f"console user {row.user} has active access key {k.slot} that was never used "
            f"(created {_fmt(k.last_rotated)})"
            for k in never
        ]
        yield _fail_or_pass(row, problems, "every active key of this console user has been used")
    yield from _unmatched(ctx)


@check(
    id="user-password-age",
    title="Console passwords were changed within the maximum age",
    severity=Severity.LOW,
    resource_type="user",
    requires=_NEEDS,
    semantics=(PASSWORD_POLICY, CREDENTIAL_REPORT),
    rationale="An old password has had more time to leak.",
    remediation="Have the user change the password, and set a maximum password age.",
)
def user_password_age(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.password_max_age_days
    for row in _users(ctx):
        if not row.password_enabled:
            continue
        if _may_be_late(ctx, row) and (
            late := _future(ctx, row, {"password last changed": row.password_last_changed})
        ):
            yield late
            continue
        changed = _date(row.password_last_changed)
        if changed is None:
            yield Outcome(
                row.arn,
                "user",
                None,
                f"not evaluated: password_last_changed is {_fmt(row.password_last_changed)}",
            )
        elif ctx.age_days(changed) > limit:
            yield Outcome(
                row.arn,
                "user",
                False,
                f"password is {ctx.age_days(changed)} days old "
                f"(changed {_day(changed)}, limit {limit})",
            )
        else:
            yield Outcome(row.arn, "user", True, f"password changed {_day(changed)}")
    yield from _unmatched(ctx)


def _use_dates(row: CredentialRow) -> dict[str, ReportDate]:
    """The dates ``user-inactive`` reads."""
    read = {"password last used": row.password_last_used}
    read.update(_key_dates(list(row.keys), "last_used"))
    read["user creation time"] = row.user_creation_time
    return read


@check(
    id="user-inactive",
    title="Users have used a credential within the configured period",
    severity=Severity.LOW,
    resource_type="user",
    requires=_NEEDS,
    semantics=(UNUSED_CREDENTIALS, CREDENTIAL_REPORT),
    rationale="The access review: an identity nobody uses should be removed, or kept with a "
    "reason in the baseline.",
    remediation="Confirm with the owner, then delete the user (or accept it in the baseline with "
    "the reason).",
)
def user_inactive(ctx: Context) -> Iterator[Outcome]:
    limit = ctx.thresholds.user_inactive_days
    for row in _users(ctx):
        if _may_be_late(ctx, row) and (late := _future(ctx, row, _use_dates(row))):
            yield late
            continue
        used = [
            d
            for d in (row.password_last_used, *(k.last_used for k in row.keys))
            if isinstance(d, datetime)
        ]
        if used:
            last = max(used)
            text = f"last credential use {_day(last)}"
        else:
            created = _date(row.user_creation_time)
            if created is None:
                yield Outcome(row.arn, "user", None, "not evaluated: no use and no creation date")
                continue
            last, text = created, f"no credential ever used since creation {_day(created)}"
        age = ctx.age_days(last)
        yield Outcome(row.arn, "user", age < limit, f"{text} ({age} days ago, limit {limit})")
    yield from _unmatched(ctx)
