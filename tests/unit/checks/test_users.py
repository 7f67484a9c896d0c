from __future__ import annotations

from iamgate.model.snapshot import Sentinel
from testing.checks import only, thresholds, verdicts
from testing.factories import arn, key, row, snap

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
