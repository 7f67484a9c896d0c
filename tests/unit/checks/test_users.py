from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from iamgate.checks.users import _day
from iamgate.model.snapshot import CollectionError, Sentinel
from testing.checks import only, run, thresholds, verdicts
from testing.factories import NOW, ago, arn, key, row, snap, user

ALICE = arn("user", "alice")


def test_console_mfa_only_evaluates_console_users() -> None:
    s = snap(
        credential_report=(
            row("alice", password=True, mfa=True),
            row("bob", password=True, mfa=False),
            row("svc", password=False, keys=(key(),)),
        )
    )
    assert verdicts(s, "user-console-mfa") == {ALICE: True, arn("user", "bob"): False}


def test_key_rotation_edges() -> None:
    def check(*keys: object) -> bool | None:
        return only(snap(credential_report=(row(keys=keys),)), "user-access-key-rotation").passed  # type: ignore[arg-type]

    assert check(key(rotated=90)) is True  # exactly 90 days: still within the limit
    assert check(key(rotated=91)) is False
    assert check(key(1, rotated=10), key(2, rotated=120)) is False
    # A disabled old key is not rotated but also not usable: it passes this check.
    assert check(key(1, rotated=10), key(2, active=False, rotated=400)) is True


def test_key_rotation_message_names_the_key_and_age() -> None:
    result = only(
        snap(credential_report=(row(keys=(key(1, rotated=123),)),)), "user-access-key-rotation"
    )
    assert result.message == ("access key 1 is 123 days old (created 2026-01-29, limit 90)")


def test_key_rotation_not_evaluated_without_active_keys() -> None:
    s = snap(credential_report=(row(keys=(key(active=False, rotated=400),)),))
    assert verdicts(s, "user-access-key-rotation") == {}


def test_unused_credentials() -> None:
    fresh = row("alice", password=True, password_used=3, keys=(key(rotated=200, used=2),))
    stale_pw = row("bob", password=True, password_used=45)
    stale_key = row("carol", keys=(key(rotated=200, used=60),))
    # Never used: the age counts from the key's creation.
    never_old = row("dave", keys=(key(rotated=50, used=None),))
    never_new = row("erin", keys=(key(rotated=10, used=None),))
    no_creds = row("frank")
    s = snap(credential_report=(fresh, stale_pw, stale_key, never_old, never_new, no_creds))
    assert verdicts(s, "user-unused-credentials") == {
        ALICE: True,
        arn("user", "bob"): False,
        arn("user", "carol"): False,
        arn("user", "dave"): False,
        arn("user", "erin"): True,
    }


def test_unused_password_never_used_counts_from_last_change() -> None:
    # no_information: the password was set 50 days ago and never used since.
    s = snap(
        credential_report=(
            row(password=True, password_used=Sentinel.NO_INFORMATION, password_changed=50),
        )
    )
    result = only(s, "user-unused-credentials")
    assert result.passed is False
    assert "never used (no_information)" in result.message


def test_multiple_active_keys() -> None:
    s = snap(
        credential_report=(
            row("alice", keys=(key(1), key(2))),
            row("bob", keys=(key(1), key(2, active=False))),
        )
    )
    assert verdicts(s, "user-multiple-active-keys") == {ALICE: False, arn("user", "bob"): True}


def test_initial_access_key() -> None:
    s = snap(
        credential_report=(
            row("alice", password=True, keys=(key(used=None),)),  # console user, key never used
            row("bob", password=True, keys=(key(used=3),)),
            row("svc", password=False, keys=(key(used=None),)),  # not a console user: n/a
        )
    )
    assert verdicts(s, "user-initial-access-key") == {ALICE: False, arn("user", "bob"): True}


def test_password_age_edges_and_config() -> None:
    def age(days: int, **cfg: int) -> bool | None:
        s = snap(credential_report=(row(password=True, password_changed=days),))
        return only(s, "user-password-age", thresholds(**cfg) if cfg else None).passed

    assert age(90) is True
    assert age(91) is False
    assert age(91, password_max_age_days=180) is True


def test_password_age_with_unknown_change_date_is_an_error() -> None:
    s = snap(credential_report=(row(password=True, password_changed=Sentinel.NA),))
    assert only(s, "user-password-age").passed is None


def test_inactive_users() -> None:
    s = snap(
        credential_report=(
            row("alice", created=400, password=True, password_used=5),
            row("bob", created=400, keys=(key(rotated=300, used=91),)),
            row("carol", created=100),  # no credentials, created 100 days ago
            row("dave", created=10),  # new, nothing used yet
        )
    )
    assert verdicts(s, "user-inactive") == {
        ALICE: True,
        arn("user", "bob"): False,
        arn("user", "carol"): False,
        arn("user", "dave"): True,
    }


def test_root_row_is_not_a_user() -> None:
    s = snap(
        credential_report=(
            row("<root_account>", password=None, mfa=False, keys=(key(rotated=400),)),
        )
    )
    for check_id in (
        "user-console-mfa",
        "user-access-key-rotation",
        "user-inactive",
        "user-unused-credentials",
        "user-multiple-active-keys",
    ):
        assert verdicts(s, check_id) == {}, check_id


# --- the credential report against the users GetAccountAuthorizationDetails lists ---------------

USER_CHECKS = [
    "user-console-mfa",
    "user-access-key-rotation",
    "user-unused-credentials",
    "user-multiple-active-keys",
    "user-initial-access-key",
    "user-password-age",
    "user-inactive",
]
GENERATED = ago(0.5)  # the report AWS reused, 12 hours old


def test_a_listed_user_without_a_report_row_is_an_error_for_every_credential_check() -> None:
    # Created after the report was generated: AWS reuses a report for up to four hours.
    s = snap(
        users=(user("alice"), user("newbie")),
        credential_report=(row("alice", password=True, mfa=True),),
        credential_report_generated_at=GENERATED,
    )
    for check in USER_CHECKS:
        result = verdicts(s, check)
        assert result[arn("user", "newbie")] is None, check
        newbie = next(r for r in run(s, check) if r.resource == arn("user", "newbie"))
        assert "has no row in the credential report (generated 2026-06-01 00:00 UTC)" in (
            newbie.message
        )
        assert "run again after 2026-06-01 04:00 UTC" in newbie.message
    assert verdicts(s, "user-console-mfa")[ALICE] is True


def test_a_report_row_without_a_listed_user_is_an_error() -> None:
    s = snap(users=(), credential_report=(row("ghost", password=True),))
    for check in USER_CHECKS:
        assert verdicts(s, check) == {arn("user", "ghost"): None}, check
    message = run(s, "user-console-mfa")[0].message
    assert "GetAccountAuthorizationDetails does not list it" in message
    assert "generation time not recorded" in message  # an older snapshot


def test_no_cross_check_when_the_users_could_not_be_listed() -> None:
    denied = CollectionError(
        "authorization_details", "GetAccountAuthorizationDetails", "us-east-1", "AccessDenied", "x"
    )
    s = snap(users=(), credential_report=(row("alice", password=True),), errors=(denied,))
    assert verdicts(s, "user-console-mfa") == {ALICE: False}


def test_dates_after_the_report_was_generated_are_errors_not_fresh() -> None:
    future = NOW + timedelta(days=30)
    keys = (key(rotated=future, used=future),)
    s = snap(
        credential_report=(row("alice", password=True, password_used=future, keys=keys),),
        credential_report_generated_at=NOW,
    )
    for check in (
        "user-access-key-rotation",
        "user-unused-credentials",
        "user-initial-access-key",
        "user-inactive",
    ):
        result = only(s, check)
        assert result.passed is None, check
        assert "after the credential report was generated" in result.message, check
    assert only(s, "user-console-mfa").passed is False  # reads no date
    changed = snap(credential_report=(row("bob", password=True, password_changed=future),))
    assert only(changed, "user-password-age").passed is None


def test_a_date_within_clock_skew_of_the_report_is_still_evaluated() -> None:
    # The scanner's own key, used while the report was being made: minutes after the snapshot.
    soon = NOW + timedelta(minutes=3)
    s = snap(credential_report=(row("ci", keys=(key(rotated=10, used=soon),)),))
    assert only(s, "user-unused-credentials").passed is True
    late = NOW + timedelta(hours=2)
    s = snap(
        credential_report=(row("ci", keys=(key(rotated=10, used=late),)),),
        credential_report_generated_at=late + timedelta(minutes=1),  # generated after collection
    )
    assert only(s, "user-unused-credentials").passed is True


@pytest.mark.parametrize("year", [1, 999, 1000, 2024, 9999])
def test_days_in_messages_read_as_strftime_writes_them(year: int) -> None:
    # The messages say a day without strftime: the same text for every year (strftime writes
    # year 999 without a leading zero, ISO 8601 with one).
    when = datetime(year, 3, 4, 5, 6, tzinfo=UTC)
    assert _day(when) == format(when, "%Y-%m-%d")


def test_a_late_date_is_still_found_when_the_row_is_skimmed_first() -> None:
    # Near-miss pair: a key used after the report was generated is an error; the same key
    # used before it is judged.
    late = row("alice", keys=(key(used=-1),))
    on_time = row("alice", keys=(key(used=1),))
    assert only(snap(credential_report=(late,)), "user-inactive").passed is None
    assert only(snap(credential_report=(on_time,)), "user-inactive").passed is True
