"""What a change does to the credential report, as the IAM APIs change it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html): a new
user's row, a login profile (the password enabled, changed now), an access key (a free slot,
rotated now, never used; an existing key found by its creation time, the report having no key
ids)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

from iamgate.model.change import AccessKey, LoginProfile
from iamgate.model.results import Origin
from iamgate.model.snapshot import AccessKeySlot, CredentialRow, Sentinel, User
from iamgate.plan.state import REPORT, State


def new_row(name: str, arn: str, now: datetime) -> CredentialRow:
    return CredentialRow(
        user=name,
        arn=arn,
        user_creation_time=now,
        password_enabled=False,
        password_last_used=Sentinel.NA,
        password_last_changed=Sentinel.NA,
        mfa_active=False,
        keys=(_empty_slot(1), _empty_slot(2)),
    )


def _empty_slot(slot: int) -> AccessKeySlot:
    return AccessKeySlot(slot, False, Sentinel.NA, Sentinel.NA)


def _row(state: State, user_name: str, origin: Origin) -> tuple[User, CredentialRow] | None:
    user = state.get("user", user_name)
    if not isinstance(user, User):
        state.fail(
            origin,
            f"user {user_name} is neither in the snapshot nor created by the change",
            "",
            REPORT,
        )
        return None
    row = state.rows.get(user.arn)
    if row is None:  # no report in the snapshot: the credential checks say error already
        return None
    state.touch(origin, user.arn, source=REPORT)
    return user, row


def login_profile(state: State, op: LoginProfile) -> None:
    found = _row(state, op.user, op.origin)
    if found is None:
        return
    user, row = found
    changed = state.now if op.enabled else row.password_last_changed
    state.rows[user.arn] = dataclasses.replace(
        row, password_enabled=op.enabled, password_last_changed=changed
    )


def access_key(state: State, op: AccessKey) -> None:
    found = _row(state, op.user, op.origin)
    if found is None:
        return
    user, row = found
    slots = list(row.keys) + [_empty_slot(n) for n in range(len(row.keys) + 1, 3)]
    if op.created is None and not op.delete:
        free = [i for i, s in enumerate(slots) if not isinstance(s.last_rotated, datetime)]
        if not free:
            state.fail(
                op.origin,
                f"user {user.name} already has two access keys (IAM's limit)",
                user.arn,
                REPORT,
            )
            return
        slots[free[0]] = AccessKeySlot(slots[free[0]].slot, op.active, state.now, Sentinel.NA)
    else:
        index = _slot_of(slots, op.created)
        if index is None:
            when = f"{op.created:%Y-%m-%d %H:%M:%S} UTC" if op.created else "an unknown time"
            state.fail(
                op.origin,
                f"no access key of user {user.name} was created at {when} in the credential report",
                user.arn,
                REPORT,
            )
            return
        old = slots[index]
        slots[index] = (
            _empty_slot(old.slot) if op.delete else dataclasses.replace(old, active=op.active)
        )
    state.rows[user.arn] = dataclasses.replace(row, keys=tuple(slots))


def _slot_of(slots: Sequence[AccessKeySlot], created: datetime | None) -> int | None:
    """The slot of the key created at ``created`` (to the second: the report's precision)."""
    if created is None:
        return None
    wanted = _second(created)
    for i, slot in enumerate(slots):
        if isinstance(slot.last_rotated, datetime) and _second(slot.last_rotated) == wanted:
            return i
    return None


def _second(when: datetime) -> datetime:
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)
